//! The addon's Node-API layer for keys, and the one module with `unsafe` code:
//! - keys as JavaScript values: `createKey` (in `lib.rs`) returns a [`KeyObject`], a frozen
//!   object that owns one keyed HMAC state through `napi_wrap`;
//! - `dropKey`, which frees a key's state at once (else the garbage collector does, but
//!   Node runs those finalizers only when the event loop turns, so a synchronous loop
//!   that makes keys would pile them up);
//! - `hash` and `verify`, the exports every call goes through, as raw Node-API callbacks.
//!   napi-rs's generated wrapper (argument bookkeeping, a borrow scope with a heap
//!   allocation) and its `String` conversion (a heap copy) cost ~20% of the call, measured
//!   with `npm run bench`; reading strings and a key by hand is short enough to check.
//!
//! Invariants every block below relies on:
//! - Node calls the callbacks on a JavaScript thread with a live `env` and `info`; every
//!   `napi_value` used here belongs to that call's scope and is not kept past it.
//! - A key's state is a `Box<UserHasher>` whose address is in [`LIVE_KEYS`] (this thread's
//!   set of the boxes that key objects own) from the moment it is made until the moment it is
//!   freed. A pointer that `napi_unwrap` gives is used only when it is in that set, so the
//!   wrapped pointer of another addon's object, or of anything else, is refused with an error
//!   and never cast. (This is the check Node-API type tags would do, cheaper on the hot path:
//!   a tag check is one more private-property lookup per call.)
//! - A box is freed only by its object's finalizer, after the object is garbage, or by
//!   `dropKey`, which first removes the wrap (so no later call finds the pointer, and the
//!   finalizer is not called); either first takes it out of [`LIVE_KEYS`]. Neither can run
//!   while a `hash` or `verify` call uses the box: those run no JavaScript. Nothing writes
//!   through the pointer.
//! - Every pointer handed to Node points to a live, initialised buffer of the length given.
//! - No JavaScript runs while a buffer is read, so no value changes under us.
//! - The callbacks return a value, or null with a JavaScript exception pending; they never
//!   unwind (the work runs inside `engine::guarded`, and nothing here panics).
// napi-rs registers exports only outside `cargo test`, where these would look unused.
#![cfg_attr(test, allow(dead_code))]

use std::cell::RefCell;
use std::collections::HashSet;
use std::ffi::{c_char, c_void};
use std::hash::{BuildHasherDefault, Hasher};
use std::ptr;

use napi::bindgen_prelude::{JsValue, Object, ToNapiValue, NAPI_AUTO_LENGTH};
use napi::{check_status, sys, Env};
use napi_derive::napi;

use crate::engine::{self, HashHex, Status};
use crate::user_hash::UserHasher;

thread_local! {
  /// The addresses of the key states that key objects of this thread own: the only pointers
  /// `key_of` will dereference. (Each JavaScript thread has its own objects and finalizers.)
  static LIVE_KEYS: RefCell<HashSet<usize, BuildAddressHasher>> = RefCell::default();
}

/// Hashes an address cheaply: boxes are at least 8-byte aligned, so the low bits carry
/// nothing, and the multiply spreads the rest (Fibonacci hashing).
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
  fn finish(&self) -> u64 {
    self.0
  }
  fn write(&mut self, bytes: &[u8]) {
    for &byte in bytes {
      self.0 = (self.0 << 8 | u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
  }
  fn write_usize(&mut self, address: usize) {
    self.0 = (address as u64 >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15);
  }
}

type BuildAddressHasher = BuildHasherDefault<AddressHasher>;

/// Whether `state` is the address of a live key state of this thread.
fn is_live(state: *const UserHasher) -> bool {
  LIVE_KEYS.with(|live| live.borrow().contains(&(state as usize)))
}

/// Takes `state` out of the set of live key states; whether it was in it. At thread exit the
/// set may already be gone: then nothing can ask it any more either.
fn forget_live(state: *const UserHasher) -> bool {
  LIVE_KEYS
    .try_with(|live| live.borrow_mut().remove(&(state as usize)))
    .unwrap_or(true)
}

/// Bytes read into the stack buffer before falling back to the heap: user ids are short.
const INLINE: usize = 128;
/// The most UTF-8 bytes one UTF-16 code unit or surrogate pair becomes.
const MAX_CHAR_BYTES: usize = 4;

/// A keyed HMAC state on its way to JavaScript: it becomes a frozen, tagged object that
/// owns the state until the object is garbage collected.
pub struct KeyObject(pub UserHasher);

impl ToNapiValue for KeyObject {
  unsafe fn to_napi_value(env: sys::napi_env, key: Self) -> napi::Result<sys::napi_value> {
    let mut object = ptr::null_mut();
    // SAFETY: `env` is live (napi-rs converts a return value inside the call); `object` is
    // a valid out-pointer.
    check_status!(unsafe { sys::napi_create_object(env, &mut object) })?;
    let state = Box::into_raw(Box::new(key.0));
    LIVE_KEYS.with(|live| live.borrow_mut().insert(state as usize));
    // SAFETY: `object` is a new object of this `env`, wrapped by nobody yet; `state` is a
    // live box that the finalizer `drop_key` takes back.
    let wrapped = unsafe {
      sys::napi_wrap(
        env,
        object,
        state.cast::<c_void>(),
        Some(drop_key),
        ptr::null_mut(),
        ptr::null_mut(),
      )
    };
    if wrapped != sys::Status::napi_ok {
      forget_live(state);
      // SAFETY: the wrap failed, so `state` is still ours alone: free it once, here.
      drop(unsafe { Box::from_raw(state) });
      return Err(napi::Error::from_status(napi::Status::from(wrapped)));
    }
    // From here the finalizer owns `state`.
    // SAFETY: `object` is live. Frozen, the key shows that it has nothing to change.
    check_status!(unsafe { sys::napi_object_freeze(env, object) })?;
    Ok(object)
  }
}

/// The finalizer of a key object: frees its state once the object is garbage.
unsafe extern "C" fn drop_key(_env: sys::napi_env, state: *mut c_void, _hint: *mut c_void) {
  let state = state.cast::<UserHasher>();
  forget_live(state);
  // SAFETY: `state` is the box `KeyObject::to_napi_value` wrapped; Node calls the finalizer
  // once, after the object can no longer be reached, and never for a wrap `dropKey` removed.
  drop(unsafe { Box::from_raw(state) });
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
  // SAFETY: `id` and `key` are values of this call.
  let (Some(user_id), Some(key)) = (unsafe { read_utf8(env, id) }, unsafe { key_of(env, key) })
  else {
    // SAFETY: see the invariants.
    return unsafe { fail(env) };
  };
  match engine::hash(user_id.as_bytes(), key) {
    // SAFETY: see the invariants.
    Ok(hex) => unsafe { latin1_string(env, &hex) },
    // SAFETY: see the invariants.
    Err(status) => unsafe { status_number(env, status) },
  }
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
  // SAFETY: the three are values of this call.
  let (Some(user_id), Some(user_hash), Some(key)) = (
    unsafe { read_utf8(env, id) },
    // SAFETY: as above.
    unsafe { read_utf8(env, claimed) },
    // SAFETY: as above.
    unsafe { key_of(env, key) },
  ) else {
    // SAFETY: see the invariants.
    return unsafe { fail(env) };
  };
  match engine::verify(user_id.as_bytes(), user_hash.as_bytes(), key) {
    // SAFETY: see the invariants.
    Ok(matches) => unsafe { boolean(env, matches) },
    // SAFETY: see the invariants.
    Err(status) => unsafe { status_number(env, status) },
  }
}

/// `dropKey(key)`: frees the state of `key` now. The object is then no key: `hash` and
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
  if unsafe { key_of(env, key) }.is_some() {
    let mut state = ptr::null_mut();
    // SAFETY: `key` is a live key object of this call; removing the wrap hands its box to
    // us alone, and the finalizer will not run for it.
    let status = unsafe { sys::napi_remove_wrap(env, key, &mut state) };
    let state = state.cast::<UserHasher>();
    if status == sys::Status::napi_ok && forget_live(state) {
      // SAFETY: the box is ours alone now: the wrap and its finalizer are gone.
      drop(unsafe { Box::from_raw(state) });
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

/// The keyed state of `value` when it is a live key object (see the invariants), else
/// `None`. The reference is valid while `value` is an argument of the running call.
unsafe fn key_of<'call>(env: sys::napi_env, value: sys::napi_value) -> Option<&'call UserHasher> {
  let mut kind = 0;
  // SAFETY: see the invariants; `kind` is a valid out-pointer.
  let status = unsafe { sys::napi_typeof(env, value, &mut kind) };
  if status != sys::Status::napi_ok || kind != sys::ValueType::napi_object {
    return None;
  }
  let mut state = ptr::null_mut();
  // SAFETY: `value` is an object of this call; `state` is a valid out-pointer. An object
  // that nothing wrapped gives an error status and no exception.
  let status = unsafe { sys::napi_unwrap(env, value, &mut state) };
  let state = state.cast::<UserHasher>();
  if status != sys::Status::napi_ok || !is_live(state) {
    return None;
  }
  // SAFETY: `state` is in LIVE_KEYS, so it is a live `Box<UserHasher>` that nothing mutates,
  // and it is not freed while `value` is an argument of this call (see the invariants).
  Some(unsafe { &*state })
}

/// A JavaScript string as the UTF-8 that node:crypto hashes (lone surrogates become
/// U+FFFD), in a stack buffer when it fits, so a short id costs no heap allocation.
enum Utf8 {
  Inline([u8; INLINE], usize),
  Heap(Vec<u8>),
}

impl Utf8 {
  fn as_bytes(&self) -> &[u8] {
    match self {
      Utf8::Inline(buf, len) => &buf[..*len],
      Utf8::Heap(bytes) => bytes,
    }
  }
}

/// Reads a string argument; `None` (with an exception pending) when it is not a string.
unsafe fn read_utf8(env: sys::napi_env, value: sys::napi_value) -> Option<Utf8> {
  let mut inline = [0u8; INLINE];
  let mut written = 0;
  // SAFETY: `inline` is writable for INLINE bytes; Node writes at most INLINE - 1 bytes and
  // a NUL, and never part of a character.
  let status = unsafe {
    sys::napi_get_value_string_utf8(
      env,
      value,
      inline.as_mut_ptr().cast::<c_char>(),
      INLINE,
      &mut written,
    )
  };
  if status != sys::Status::napi_ok {
    return None;
  }
  // When at least MAX_CHAR_BYTES of room were left over, nothing was cut off.
  if written + MAX_CHAR_BYTES < INLINE {
    return Some(Utf8::Inline(inline, written));
  }
  let mut len = 0;
  // SAFETY: a null buffer asks Node only for the length in bytes.
  let status = unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len) };
  if status != sys::Status::napi_ok {
    return None;
  }
  let mut bytes = vec![0u8; len + 1];
  // SAFETY: `bytes` is writable for len + 1 bytes: the whole string and the NUL.
  let status = unsafe {
    sys::napi_get_value_string_utf8(
      env,
      value,
      bytes.as_mut_ptr().cast::<c_char>(),
      len + 1,
      &mut written,
    )
  };
  if status != sys::Status::napi_ok {
    return None;
  }
  bytes.truncate(written);
  Some(Utf8::Heap(bytes))
}

/// Returns `hex` as a one-byte (latin1) string: no UTF-8 validation, no heap copy on our side.
unsafe fn latin1_string(env: sys::napi_env, hex: &HashHex) -> sys::napi_value {
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
  if status == sys::Status::napi_ok {
    out
  } else {
    // SAFETY: `env` is the live env of this call.
    unsafe { fail(env) }
  }
}

unsafe fn undefined(env: sys::napi_env) -> sys::napi_value {
  let mut out = ptr::null_mut();
  // SAFETY: `out` is a valid out-pointer.
  let status = unsafe { sys::napi_get_undefined(env, &mut out) };
  if status == sys::Status::napi_ok {
    out
  } else {
    // SAFETY: `env` is the live env of this call.
    unsafe { fail(env) }
  }
}

unsafe fn boolean(env: sys::napi_env, value: bool) -> sys::napi_value {
  let mut out = ptr::null_mut();
  // SAFETY: `out` is a valid out-pointer.
  let status = unsafe { sys::napi_get_boolean(env, value, &mut out) };
  if status == sys::Status::napi_ok {
    out
  } else {
    // SAFETY: `env` is the live env of this call.
    unsafe { fail(env) }
  }
}

unsafe fn status_number(env: sys::napi_env, status: Status) -> sys::napi_value {
  let mut out = ptr::null_mut();
  // SAFETY: `out` is a valid out-pointer.
  let created = unsafe { sys::napi_create_int32(env, status as i32, &mut out) };
  if created == sys::Status::napi_ok {
    out
  } else {
    // SAFETY: `env` is the live env of this call.
    unsafe { fail(env) }
  }
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
