//! The addon's Node-API layer for keys, and the one module with `unsafe` code:
//! - keys as JavaScript values: `createKey` (in `lib.rs`) returns a [`KeyObject`], a napi
//!   `External` whose data is a token: a number this thread never hands out twice. The
//!   keyed HMAC state it names is in [`KEYS`], this thread's [`Registry`] (safe code, in
//!   `registry.rs`);
//! - under Deno a key is a wrapped object instead (`wrapped_keys.rs`: Deno never frees an
//!   External); both kinds carry the token, and `hash`, `verify` and `dropKey` take either;
//! - `dropKey`, which frees a key's state at once and cancels its finalizer, so that keys
//!   made and dropped in a synchronous loop leave nothing waiting for the event loop to
//!   turn (Node runs finalizers only then); a key never dropped is freed by its finalizer;
//! - `hash` and `verify`, the exports every call goes through, as raw Node-API callbacks.
//!   napi-rs's generated wrapper (argument bookkeeping, a borrow scope with a heap
//!   allocation) and its `String` conversion (a heap copy) cost ~20% of the call, and a
//!   wrapped object's `napi_unwrap` (a private-property lookup) another ~15%, measured with
//!   `npm run bench`; reading strings and a key by hand is short enough to check.
//!
//! Invariants every block below relies on:
//! - Node calls the callbacks on a JavaScript thread with a live `env` and `info`; every
//!   `napi_value` used here belongs to that call's scope and is not kept past it.
//! - A token is a number, never a pointer: it is only looked up in [`KEYS`]. Any other
//!   `External` (another addon's, a dropped key's) finds no key there and is refused with
//!   an error.
//! - Every pointer handed to Node points to a live, initialised buffer of the length given.
//! - No JavaScript runs while a buffer is read, so no value changes under us; no Node-API
//!   call made while [`KEYS`] is borrowed runs JavaScript.
//! - The callbacks return a value, or null with a JavaScript exception pending; they never
//!   unwind (the work runs inside `engine::guarded`, and nothing here panics).
// napi-rs registers exports only outside `cargo test`, where these would look unused.
#![cfg_attr(test, allow(dead_code))]

mod registry;
mod strings;
mod wrapped_keys;

use std::cell::RefCell;
use std::ffi::{c_char, c_void};
use std::ptr;

use napi::bindgen_prelude::{JsValue, Object, ToNapiValue, NAPI_AUTO_LENGTH};
use napi::{check_status, sys, Env};
use napi_derive::napi;

use crate::engine::{self, HashHex, Status};
use crate::user_hash::UserHasher;
use registry::Registry;
use strings::Utf8Buffer;

thread_local! {
  /// This thread's keys. (Each JavaScript thread has its own values and finalizers.) Each
  /// entry holds the Node-API reference `napi_add_finalizer` gave for its key's External, or
  /// null for a wrapped key (whose finalizer is its wrap's).
  static KEYS: RefCell<Registry<sys::napi_ref>> = RefCell::new(Registry::random());
}

/// Runs `call` with the keyed state that `token` names; `None` when it names none.
#[cfg(not(panic = "abort"))]
fn with_key<T>(token: usize, call: impl FnOnce(&UserHasher) -> T) -> Option<T> {
  KEYS.with(|keys| keys.borrow().state(token).map(call))
}

/// Runs `call` with the keyed state that `token` names; `None` when it names none. Where a
/// panic aborts (the wasm build, where it traps), `call` runs on a copy taken while [`KEYS`]
/// is borrowed: a borrow held across a trap would stay held for good, and every later key
/// would panic on `borrow_mut`. (Natively the panic unwinds and the borrow ends with it; the
/// copy would cost ~10% of a `hash` call.)
#[cfg(panic = "abort")]
fn with_key<T>(token: usize, call: impl FnOnce(&UserHasher) -> T) -> Option<T> {
  let state = KEYS.with(|keys| keys.borrow().state(token).cloned())?;
  Some(call(&state))
}

/// How many keys this thread holds: made, and neither dropped nor collected.
pub fn live_key_count() -> usize {
  KEYS.with(|keys| keys.borrow().len())
}

/// A keyed HMAC state on its way to JavaScript: it becomes an `External` that names the
/// state until `dropKey` is given it or it is garbage.
pub struct KeyObject(pub UserHasher);

impl ToNapiValue for KeyObject {
  unsafe fn to_napi_value(env: sys::napi_env, key: Self) -> napi::Result<sys::napi_value> {
    let Some(token) = KEYS.with(|keys| keys.borrow_mut().next_token()) else {
      return Err(napi::Error::new(
        napi::Status::GenericFailure,
        "atlas-user-hash: this thread has made all the keys it can",
      ));
    };
    if wrapped_keys::wanted(env) {
      // SAFETY: `env` is live (napi-rs converts a return value inside the call).
      let Some(object) = (unsafe { wrapped_keys::wrap(env, token, Some(finalize_key)) }) else {
        return Err(napi::Error::new(
          napi::Status::GenericFailure,
          "atlas-user-hash: no object for a key",
        ));
      };
      KEYS.with(|keys| keys.borrow_mut().insert(token, ptr::null_mut(), key.0));
      return Ok(object);
    }
    let mut external = ptr::null_mut();
    // SAFETY: `env` is live (napi-rs converts a return value inside the call); the token is
    // a number that nothing reads through; `external` is a valid out-pointer.
    check_status!(unsafe {
      sys::napi_create_external(
        env,
        token as *mut c_void,
        None,
        ptr::null_mut(),
        &mut external,
      )
    })?;
    let mut finalizer = ptr::null_mut();
    // SAFETY: `external` is a value of this call; `finalize_key` takes the token as its data;
    // `finalizer` is a valid out-pointer (the reference `dropKey` deletes to cancel it).
    check_status!(unsafe {
      sys::napi_add_finalizer(
        env,
        external,
        token as *mut c_void,
        Some(finalize_key),
        ptr::null_mut(),
        &mut finalizer,
      )
    })?;
    KEYS.with(|keys| keys.borrow_mut().insert(token, finalizer, key.0));
    Ok(external)
  }
}

/// The finalizer of a key that was never dropped: frees its state once its External (or
/// wrapped object) is garbage. At thread exit the registry may already be gone, and its keys
/// with it.
unsafe extern "C" fn finalize_key(env: sys::napi_env, token: *mut c_void, _hint: *mut c_void) {
  // try_borrow_mut: a finalizer runs from the collector, where a panic (a trap in the wasm
  // build) would take the process down; a registry that cannot be borrowed keeps the key.
  let removed = KEYS.try_with(|keys| {
    keys
      .try_borrow_mut()
      .ok()
      .and_then(|mut keys| keys.remove(token as usize))
  });
  if let Ok(Some(finalizer)) = removed {
    if !finalizer.is_null() {
      // SAFETY: `finalizer` is the reference napi_add_finalizer gave for this External; Node
      // asks that it be deleted in this callback, once.
      unsafe { sys::napi_delete_reference(env, finalizer) };
    }
  }
}

/// Adds `hash(userId, key)`, `verify(userId, userHash, key)` and `dropKey(key)` to the
/// module's exports (their types are in `src/raw.d.ts`, which `napi build` puts at the top
/// of `binding.d.ts`).
#[napi(module_exports)]
pub fn register_raw_exports(exports: Object, env: Env) -> napi::Result<()> {
  export(&exports, &env, c"hash", hash_callback)?;
  export(&exports, &env, c"verify", verify_callback)?;
  export(&exports, &env, c"dropKey", drop_key_callback)
}

fn export(
  exports: &Object,
  env: &Env,
  name: &std::ffi::CStr,
  callback: unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value,
) -> napi::Result<()> {
  let mut function = ptr::null_mut();
  // SAFETY: `env` and `exports` are live during module initialisation, `name` is
  // NUL-terminated, and `function` is a valid out-pointer.
  check_status!(unsafe {
    sys::napi_create_function(
      env.raw(),
      name.as_ptr(),
      NAPI_AUTO_LENGTH,
      Some(callback),
      ptr::null_mut(),
      &mut function,
    )
  })?;
  // SAFETY: as above; `function` is a value of this `env`.
  check_status!(unsafe {
    sys::napi_set_named_property(env.raw(), exports.raw(), name.as_ptr(), function)
  })
}

/// `hash(userId, key)`: the user hash of `userId` with `key` (from `createKey`), or a
/// negative status number when the call panicked (see `engine::Status`).
unsafe extern "C" fn hash_callback(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  // SAFETY: see the invariants.
  let Some([id, key]) = (unsafe { arguments(env, info) }) else {
    // SAFETY: see the invariants.
    return unsafe { fail(env) };
  };
  let mut id_text = Utf8Buffer::new();
  // SAFETY: `id` and `key` are values of this call.
  let (Some(user_id), Some(token)) = (unsafe { id_text.read(env, id) }, unsafe {
    token_of(env, key)
  }) else {
    // SAFETY: see the invariants.
    return unsafe { fail(env) };
  };
  let outcome = with_key(token, |key| engine::hash(user_id, key));
  // SAFETY: see the invariants.
  unsafe { reply(env, outcome, latin1_string) }
}

/// `verify(userId, userHash, key)`: whether `userHash` is the user hash of `userId` with
/// `key`, compared in constant time; a negative status number when the call panicked.
unsafe extern "C" fn verify_callback(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  // SAFETY: see the invariants.
  let Some([id, claimed, key]) = (unsafe { arguments(env, info) }) else {
    // SAFETY: see the invariants.
    return unsafe { fail(env) };
  };
  let (mut id_text, mut hash_text) = (Utf8Buffer::new(), Utf8Buffer::new());
  // SAFETY: the three are values of this call.
  let (Some(user_id), Some(user_hash), Some(token)) = (
    unsafe { id_text.read(env, id) },
    // SAFETY: as above.
    unsafe { hash_text.read(env, claimed) },
    // SAFETY: as above.
    unsafe { token_of(env, key) },
  ) else {
    // SAFETY: see the invariants.
    return unsafe { fail(env) };
  };
  let outcome = with_key(token, |key| engine::verify(user_id, user_hash, key));
  // SAFETY: see the invariants.
  unsafe { reply(env, outcome, boolean) }
}

/// `dropKey(key)`: frees the state of `key` now. The External is then no key: `hash` and
/// `verify` refuse it with an error. Anything that is not a live key is left as it is.
unsafe extern "C" fn drop_key_callback(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  // SAFETY: see the invariants.
  let Some([key]) = (unsafe { arguments(env, info) }) else {
    // SAFETY: see the invariants.
    return unsafe { fail(env) };
  };
  // SAFETY: `key` is a value of this call.
  let token = unsafe { token_of(env, key) };
  if let Some(finalizer) = token.and_then(|token| KEYS.with(|keys| keys.borrow_mut().remove(token)))
  {
    if finalizer.is_null() {
      // SAFETY: a wrapped key (null finalizer): `key` is the wrapped object of this call;
      // removing the wrap cancels its finalizer.
      unsafe { wrapped_keys::unwrap(env, key) };
    } else {
      // SAFETY: `finalizer` is the live reference napi_add_finalizer gave for this key's
      // External; deleting it (once: the entry is gone) cancels the finalizer.
      unsafe { sys::napi_delete_reference(env, finalizer) };
    }
  }
  // SAFETY: see the invariants.
  unsafe { undefined(env) }
}

/// The call's arguments when there are exactly `N`; `None` otherwise.
unsafe fn arguments<const N: usize>(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> Option<[sys::napi_value; N]> {
  let mut argc = N;
  let mut argv = [ptr::null_mut(); N];
  // SAFETY: see the invariants; `argv` has room for `argc` values. On return `argc` is the
  // number of arguments passed.
  let status = unsafe {
    sys::napi_get_cb_info(
      env,
      info,
      &mut argc,
      argv.as_mut_ptr(),
      ptr::null_mut(),
      ptr::null_mut(),
    )
  };
  (status == sys::Status::napi_ok && argc == N).then_some(argv)
}

/// The data of `value` as a token when it is an External or a wrapped object, else `None`.
/// Any of them gives one: only [`KEYS`] says whether it names a key, and it is never read
/// through.
unsafe fn token_of(env: sys::napi_env, value: sys::napi_value) -> Option<usize> {
  let mut data = ptr::null_mut();
  // SAFETY: `value` is a value of this call; `data` is a valid out-pointer. A value that is
  // no External gives an error status and no exception.
  let status = unsafe { sys::napi_get_value_external(env, value, &mut data) };
  if status == sys::Status::napi_ok {
    return Some(data as usize);
  }
  // SAFETY: `value` is a value of this call.
  unsafe { wrapped_keys::token(env, value) }
}

/// The call's return value for what the engine gave with the key a token named: `value` of
/// the result, the status number when the call panicked, or a `TypeError` when the token
/// named no key. `env` must be the live env of the running call, and `value` must be safe to
/// call with it.
unsafe fn reply<T>(
  env: sys::napi_env,
  outcome: Option<Result<T, Status>>,
  value: unsafe fn(sys::napi_env, T) -> sys::napi_value,
) -> sys::napi_value {
  match outcome {
    // SAFETY: as the caller promised.
    Some(Ok(result)) => unsafe { value(env, result) },
    // SAFETY: as the caller promised.
    Some(Err(status)) => unsafe { status_number(env, status) },
    // SAFETY: as the caller promised.
    None => unsafe { fail(env) },
  }
}

/// `out` when Node-API made it (`status` is napi_ok); else no value with an exception pending.
/// `env` must be the live env of the running call.
unsafe fn made(
  env: sys::napi_env,
  status: sys::napi_status,
  out: sys::napi_value,
) -> sys::napi_value {
  if status == sys::Status::napi_ok {
    out
  } else {
    // SAFETY: as the caller promised.
    unsafe { fail(env) }
  }
}

/// `hex` as a one-byte (latin1) string: no UTF-8 validation, no heap copy on our side.
unsafe fn latin1_string(env: sys::napi_env, hex: HashHex) -> sys::napi_value {
  let mut out = ptr::null_mut();
  // SAFETY: `hex` is an initialised array of its length; Node copies it into a new string.
  let status = unsafe {
    sys::napi_create_string_latin1(
      env,
      hex.as_ptr().cast::<c_char>(),
      hex.len() as isize,
      &mut out,
    )
  };
  // SAFETY: `env` is the live env of this call.
  unsafe { made(env, status, out) }
}

unsafe fn undefined(env: sys::napi_env) -> sys::napi_value {
  let mut out = ptr::null_mut();
  // SAFETY: `out` is a valid out-pointer.
  let status = unsafe { sys::napi_get_undefined(env, &mut out) };
  // SAFETY: `env` is the live env of this call.
  unsafe { made(env, status, out) }
}

unsafe fn boolean(env: sys::napi_env, value: bool) -> sys::napi_value {
  let mut out = ptr::null_mut();
  // SAFETY: `out` is a valid out-pointer.
  let status = unsafe { sys::napi_get_boolean(env, value, &mut out) };
  // SAFETY: `env` is the live env of this call.
  unsafe { made(env, status, out) }
}

unsafe fn status_number(env: sys::napi_env, status: Status) -> sys::napi_value {
  let mut out = ptr::null_mut();
  // SAFETY: `out` is a valid out-pointer.
  let created = unsafe { sys::napi_create_int32(env, status as i32, &mut out) };
  // SAFETY: `env` is the live env of this call.
  unsafe { made(env, created, out) }
}

/// Returns no value with an exception pending: the one Node-API left, or a new one.
/// `env` must be the live env of the running call.
unsafe fn fail(env: sys::napi_env) -> sys::napi_value {
  let mut pending = false;
  // SAFETY: `env` is live (see the invariants) and `pending` is a valid out-pointer.
  let status = unsafe { sys::napi_is_exception_pending(env, &mut pending) };
  if status != sys::Status::napi_ok || !pending {
    // SAFETY: both strings are NUL-terminated; `env` is live.
    unsafe {
      sys::napi_throw_type_error(
        env,
        c"ERR_ATLAS_ENGINE_ARGUMENT".as_ptr(),
        c"atlas-user-hash: the native hash, verify or dropKey was called with arguments it does not take (user id strings and a key from createKey)"
          .as_ptr(),
      )
    };
  }
  ptr::null_mut()
}
