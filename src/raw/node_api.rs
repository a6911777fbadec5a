//! Every `unsafe` operation of the crate: the Node-API calls the addon makes by hand, each in a
//! small safe function with one SAFETY note. What makes them safe is carried by four types:
//! - [`Env`]: the `napi_env` of the running callback (module init, a function call, napi-rs
//!   converting a return value, a finalizer), live on this thread for `'a`. It is made only by
//!   [`Env::entered`], whose caller promises that; every caller is in this file.
//! - [`Value`]: a JavaScript value that a Node-API call of that env gave, valid for `'a` (the
//!   callback's handle scope); the lifetime keeps it from outliving the callback.
//! - [`Call`]: an [`Env`] with the `napi_callback_info` of the function call it belongs to.
//! - [`Finalizer`]: the reference `napi_add_finalizer` gave for a key's External. It is neither
//!   `Copy` nor `Clone` and [`Env::delete`] takes it by value, so it is deleted at most once.
//!
//! The helpers return `None` where Node-API reported a failure; the exported functions then
//! return no value with an exception pending ([`Env::throw`]). Nothing here runs JavaScript
//! while Rust holds a borrow, and nothing here panics: no unwinding crosses into Node.

use std::ffi::{c_char, c_void, CStr};
use std::marker::PhantomData;
use std::ptr;

use napi::bindgen_prelude::{JsValue, Object, ToNapiValue, NAPI_AUTO_LENGTH};
use napi::sys;
use napi_derive::napi;

use super::KeyExternal;

/// The env of the running Node-API callback, live for `'a` on this thread.
#[derive(Clone, Copy)]
pub struct Env<'a> {
  raw: sys::napi_env,
  scope: PhantomData<&'a ()>,
}

/// A JavaScript value of the running callback, valid for `'a`.
#[derive(Clone, Copy)]
pub struct Value<'a> {
  raw: sys::napi_value,
  scope: PhantomData<&'a ()>,
}

/// An exported function's call: its env and its arguments.
pub struct Call<'a> {
  env: Env<'a>,
  info: sys::napi_callback_info,
}

/// The Node-API reference of a key's finalizer: deleting it cancels the finalizer (in
/// `dropKey`) or releases it (in the finalizer itself).
pub struct Finalizer(sys::napi_ref);

/// A function the addon exports by hand: `NAME` in JavaScript, `run` in Rust.
pub trait Export {
  const NAME: &'static CStr;
  /// The call's return value; `None` to return with an exception pending.
  fn run<'a>(call: &Call<'a>) -> Option<Value<'a>>;
}

/// What runs when a key's External is garbage and its finalizer was not cancelled.
pub trait OnGarbage {
  fn collected(env: Env<'_>, token: usize);
}

fn ok(status: sys::napi_status) -> bool {
  status == sys::Status::napi_ok
}

impl<'a> Env<'a> {
  /// # Safety
  /// `raw` is the env that Node (or napi-rs) passed to the callback running now on this thread,
  /// and the `Env` is not used after that callback returns.
  unsafe fn entered(raw: sys::napi_env) -> Self {
    Env {
      raw,
      scope: PhantomData,
    }
  }

  fn value(self, raw: sys::napi_value) -> Value<'a> {
    Value {
      raw,
      scope: PhantomData,
    }
  }

  /// A new External whose data is `token`: a number that Node never reads through.
  pub fn external(self, token: usize) -> Option<Value<'a>> {
    let mut out = ptr::null_mut();
    // SAFETY: `self.raw` is live (Env); the data is a number, given with no finalizer, so Node
    // only stores it; `out` is a valid out-pointer.
    let status = unsafe {
      sys::napi_create_external(
        self.raw,
        token as *mut c_void,
        None,
        ptr::null_mut(),
        &mut out,
      )
    };
    ok(status).then(|| self.value(out))
  }

  /// Makes Node call `G::collected(token)` once `value` is garbage, unless the returned
  /// finalizer is deleted first.
  pub fn add_finalizer<G: OnGarbage>(self, value: Value<'a>, token: usize) -> Option<Finalizer> {
    let mut out = ptr::null_mut();
    // SAFETY: `self.raw` is live and `value` is one of its values (Env, Value); `collected::<G>`
    // has the signature of a Node-API finalizer and takes the token as its data; the hint is
    // unused; `out` is a valid out-pointer.
    let status = unsafe {
      sys::napi_add_finalizer(
        self.raw,
        value.raw,
        token as *mut c_void,
        Some(collected::<G>),
        ptr::null_mut(),
        &mut out,
      )
    };
    ok(status).then_some(Finalizer(out))
  }

  /// Deletes `finalizer`'s reference, once: that cancels the finalizer (or, inside it, releases it).
  pub fn delete(self, finalizer: Finalizer) {
    // SAFETY: `self.raw` is live (Env); only `add_finalizer` makes a Finalizer, so this is a
    // reference Node gave this thread's env, and taking it by value deletes it once. Keys live
    // in a thread-local registry, so it never reaches another thread's env.
    unsafe { sys::napi_delete_reference(self.raw, finalizer.0) };
  }

  /// A new empty object whose wrap carries `token`: Node calls `G::collected(token)`
  /// once the object is garbage, unless [`Env::remove_wrap`] removed the wrap first.
  pub fn wrapped_object<G: OnGarbage>(self, token: usize) -> Option<Value<'a>> {
    let mut object = ptr::null_mut();
    // SAFETY: `self.raw` is live (Env); `object` is a valid out-pointer.
    if !ok(unsafe { sys::napi_create_object(self.raw, &mut object) }) {
      return None;
    }
    // SAFETY: `self.raw` is live and `object` is a new object of it, not yet wrapped;
    // `collected::<G>` has the signature of a Node-API finalizer and takes the token, a number
    // never read through, as its data; the hint is unused; a null result asks for no reference.
    let status = unsafe {
      sys::napi_wrap(
        self.raw,
        object,
        token as *mut c_void,
        Some(collected::<G>),
        ptr::null_mut(),
        ptr::null_mut(),
      )
    };
    ok(status).then(|| self.value(object))
  }

  /// The data of `value`'s wrap (any wrapped object: only the key registry says whether it
  /// names a key); `None` for any other value, which raises no exception.
  pub fn wrapped_data(self, value: Value<'a>) -> Option<usize> {
    let mut data = ptr::null_mut();
    // SAFETY: `self.raw` is live and `value` one of its values; `data` is a valid out-pointer.
    let status = unsafe { sys::napi_unwrap(self.raw, value.raw, &mut data) };
    ok(status).then_some(data as usize)
  }

  /// Removes `value`'s wrap, which cancels its finalizer; nothing for a value with none.
  pub fn remove_wrap(self, value: Value<'a>) {
    let mut data = ptr::null_mut();
    // SAFETY: `self.raw` is live and `value` one of its values; `data` is a valid out-pointer.
    // The data is a token, which owns nothing, so nothing is leaked by dropping it.
    unsafe { sys::napi_remove_wrap(self.raw, value.raw, &mut data) };
  }

  /// The runtime's release name (`"node"`, or `"Deno"` under Deno); `None` if it gives none.
  pub fn runtime_release(self) -> Option<&'static CStr> {
    let mut version: *const sys::napi_node_version = ptr::null();
    // SAFETY: `self.raw` is live (Env); `version` is a valid out-pointer.
    let status = unsafe { sys::napi_get_node_version(self.raw, &mut version) };
    if !ok(status) || version.is_null() {
      return None;
    }
    // SAFETY: on success `version` points to a struct the runtime keeps for the life of the
    // process (Node-API: "a static struct").
    let release = unsafe { (*version).release };
    if release.is_null() {
      return None;
    }
    // SAFETY: `release` is not null, and the runtime's static NUL-terminated string.
    Some(unsafe { CStr::from_ptr(release) })
  }

  /// The data of `value` when it is an External (any External: only the key registry says
  /// whether it names a key); `None` for any other value, which raises no exception.
  pub fn external_data(self, value: Value<'a>) -> Option<usize> {
    let mut data = ptr::null_mut();
    // SAFETY: `self.raw` is live and `value` one of its values; `data` is a valid out-pointer.
    let status = unsafe { sys::napi_get_value_external(self.raw, value.raw, &mut data) };
    ok(status).then_some(data as usize)
  }

  /// Copies the string `value` as UTF-8 (lone surrogates as U+FFFD) into `buffer`: at most
  /// `buffer.len() - 1` bytes and a NUL, never part of a character. The bytes copied, or `None`
  /// when `value` is not a string or `buffer` is empty.
  pub fn utf8(self, value: Value<'a>, buffer: &mut [u8]) -> Option<usize> {
    if buffer.is_empty() {
      return None;
    }
    let mut written = 0;
    // SAFETY: `self.raw` is live and `value` one of its values; `buffer` is writable for the
    // `buffer.len()` bytes given as its size; `written` is a valid out-pointer.
    let status = unsafe {
      sys::napi_get_value_string_utf8(
        self.raw,
        value.raw,
        buffer.as_mut_ptr().cast::<c_char>(),
        buffer.len(),
        &mut written,
      )
    };
    ok(status).then_some(written)
  }

  /// The length in UTF-8 bytes of the string `value`; `None` when it is not a string.
  pub fn utf8_len(self, value: Value<'a>) -> Option<usize> {
    let mut len = 0;
    // SAFETY: `self.raw` is live and `value` one of its values; a null buffer asks Node only
    // for the length, into `len`, a valid out-pointer.
    let status =
      unsafe { sys::napi_get_value_string_utf8(self.raw, value.raw, ptr::null_mut(), 0, &mut len) };
    ok(status).then_some(len)
  }

  /// `bytes` as a one-byte (latin1) string: Node copies them; no UTF-8 validation.
  pub fn latin1(self, bytes: &[u8]) -> Option<Value<'a>> {
    let len = isize::try_from(bytes.len()).ok()?;
    let mut out = ptr::null_mut();
    // SAFETY: `self.raw` is live (Env); `bytes` is readable for the `len` bytes given; `out`
    // is a valid out-pointer.
    let status = unsafe {
      sys::napi_create_string_latin1(self.raw, bytes.as_ptr().cast::<c_char>(), len, &mut out)
    };
    ok(status).then(|| self.value(out))
  }

  pub fn boolean(self, value: bool) -> Option<Value<'a>> {
    let mut out = ptr::null_mut();
    // SAFETY: `self.raw` is live (Env); `out` is a valid out-pointer.
    let status = unsafe { sys::napi_get_boolean(self.raw, value, &mut out) };
    ok(status).then(|| self.value(out))
  }

  pub fn int32(self, value: i32) -> Option<Value<'a>> {
    let mut out = ptr::null_mut();
    // SAFETY: `self.raw` is live (Env); `out` is a valid out-pointer.
    let status = unsafe { sys::napi_create_int32(self.raw, value, &mut out) };
    ok(status).then(|| self.value(out))
  }

  pub fn undefined(self) -> Option<Value<'a>> {
    let mut out = ptr::null_mut();
    // SAFETY: `self.raw` is live (Env); `out` is a valid out-pointer.
    let status = unsafe { sys::napi_get_undefined(self.raw, &mut out) };
    ok(status).then(|| self.value(out))
  }

  /// Sets `exports[E::NAME]` to a new function that runs `E::run`.
  pub fn export<E: Export>(self, exports: Value<'a>) -> Option<()> {
    let mut function = ptr::null_mut();
    // SAFETY: `self.raw` is live (Env); `E::NAME` is NUL-terminated (a CStr), which
    // NAPI_AUTO_LENGTH says; `called::<E>` has the signature of a Node-API callback; `function`
    // is a valid out-pointer.
    let status = unsafe {
      sys::napi_create_function(
        self.raw,
        E::NAME.as_ptr(),
        NAPI_AUTO_LENGTH,
        Some(called::<E>),
        ptr::null_mut(),
        &mut function,
      )
    };
    if !ok(status) {
      return None;
    }
    // SAFETY: `self.raw` is live, and `exports` and `function` are its values; the name is
    // NUL-terminated.
    let status =
      unsafe { sys::napi_set_named_property(self.raw, exports.raw, E::NAME.as_ptr(), function) };
    ok(status).then_some(())
  }

  /// Returns no value with an exception pending: the one Node-API left, or a new TypeError.
  pub fn throw(self) -> sys::napi_value {
    let mut pending = false;
    // SAFETY: `self.raw` is live (Env); `pending` is a valid out-pointer.
    let status = unsafe { sys::napi_is_exception_pending(self.raw, &mut pending) };
    if !ok(status) || !pending {
      // SAFETY: `self.raw` is live (Env); both strings are NUL-terminated (C string literals).
      unsafe {
        sys::napi_throw_type_error(
          self.raw,
          c"ERR_ATLAS_ENGINE_ARGUMENT".as_ptr(),
          c"atlas-user-hash: the native hash, verify or dropKey was called with arguments it does not take (user id strings and a key from createKey)"
            .as_ptr(),
        )
      };
    }
    ptr::null_mut()
  }
}

impl<'a> Call<'a> {
  pub fn env(&self) -> Env<'a> {
    self.env
  }

  /// The call's arguments when there are exactly `N`; `None` otherwise (no exception).
  pub fn arguments<const N: usize>(&self) -> Option<[Value<'a>; N]> {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    // SAFETY: `self.env` is live and `self.info` is its call's info (Call); `argv` has room for
    // the `argc` values asked for (Node writes at most that many); on return `argc` is the
    // number of arguments passed.
    let status = unsafe {
      sys::napi_get_cb_info(
        self.env.raw,
        self.info,
        &mut argc,
        argv.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
      )
    };
    (ok(status) && argc == N).then(|| argv.map(|raw| self.env.value(raw)))
  }
}

/// The Node-API callback of the function `export::<E>` makes: Node calls it, and only it, with
/// the live env and info of each call of that function.
unsafe extern "C" fn called<E: Export>(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  // SAFETY: only `Env::export` hands this function to Node, as a function's callback; Node then
  // calls it on the JavaScript thread with the live env and info of that call, and the `Call`
  // is dropped before it returns.
  let env = unsafe { Env::entered(env) };
  let call = Call { env, info };
  match E::run(&call) {
    Some(value) => value.raw,
    None => call.env.throw(),
  }
}

/// The finalizer `add_finalizer::<G>` registers: Node calls it once with the live env and the
/// key's token when the External is garbage (and, at thread exit, maybe never).
unsafe extern "C" fn collected<G: OnGarbage>(
  env: sys::napi_env,
  token: *mut c_void,
  _hint: *mut c_void,
) {
  // SAFETY: only `Env::add_finalizer` hands this function to Node, as a finalizer; Node calls
  // it on the thread of that env with the env live for the call.
  let env = unsafe { Env::entered(env) };
  G::collected(env, token as usize);
}

/// Adds the hand-written exports to the module's exports (`super::register_exports`). Not
/// public: only napi-rs calls it, once, while the module initialises.
#[napi(module_exports)]
fn register_raw_exports(exports: Object, env: napi::Env) -> napi::Result<()> {
  // SAFETY: napi-rs calls a `module_exports` function only from the module's initialisation,
  // on the JavaScript thread, with that call's live env, and `env` is dropped when it returns.
  let env = unsafe { Env::entered(env.raw()) };
  super::register_exports(env, env.value(exports.raw())).ok_or_else(|| {
    napi::Error::new(
      napi::Status::GenericFailure,
      "atlas-user-hash: could not export hash, verify and dropKey",
    )
  })
}

impl ToNapiValue for KeyExternal {
  unsafe fn to_napi_value(env: sys::napi_env, key: Self) -> napi::Result<sys::napi_value> {
    // SAFETY: napi-rs converts a return value inside the call that returns it, with that
    // call's live env, and uses the result before the call returns.
    let env = unsafe { Env::entered(env) };
    super::new_key(env, key.0).map(|value| value.raw)
  }
}
