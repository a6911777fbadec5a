//! Keys as wrapped objects, for Deno. Deno (2.9) keeps about 50 bytes for every napi
//! `External` it ever made, whether it had a finalizer or not, for the life of the process;
//! a plain object wrapped with `napi_wrap` is freed (measured with a one-function C addon:
//! `scripts/runtimes/deno-external-leak/`). Under Deno a key is therefore a frozen empty object whose
//! wrap carries the token; everywhere else it stays an `External` (`napi_unwrap` is a
//! private-property lookup, ~15% of a `hash` call in Node). `token_of` in `mod.rs` reads
//! either kind, so a key works wherever it was made.

use std::cell::Cell;
use std::ffi::{c_void, CStr};
use std::ptr;

use napi::sys;

thread_local! {
  /// Whether this thread's runtime is Deno; asked once, at the first key.
  static IN_DENO: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Whether keys made with `env` are wrapped objects: the runtime says it is Deno.
pub fn wanted(env: sys::napi_env) -> bool {
  IN_DENO.with(|cached| {
    if let Some(known) = cached.get() {
      return known;
    }
    let known = runtime_is_deno(env);
    cached.set(Some(known));
    known
  })
}

fn runtime_is_deno(env: sys::napi_env) -> bool {
  let mut version: *const sys::napi_node_version = ptr::null();
  // SAFETY: `env` is live (called while a key is made); `version` is a valid out-pointer.
  let status = unsafe { sys::napi_get_node_version(env, &mut version) };
  if status != sys::Status::napi_ok || version.is_null() {
    return false;
  }
  // SAFETY: on success `version` points to a static struct owned by the runtime.
  let release = unsafe { (*version).release };
  // SAFETY: `release` is the runtime's NUL-terminated static string, when not null.
  !release.is_null() && unsafe { CStr::from_ptr(release) } == c"Deno"
}

/// A new frozen empty object wrapped with `token`, whose wrap runs `finalize` with the token
/// once the object is garbage (unless `unwrap` removed it first). `env` must be live.
pub unsafe fn wrap(
  env: sys::napi_env,
  token: usize,
  finalize: sys::napi_finalize,
) -> Option<sys::napi_value> {
  let mut object = ptr::null_mut();
  // SAFETY: `env` is live (the caller's promise); `object` is a valid out-pointer.
  if unsafe { sys::napi_create_object(env, &mut object) } != sys::Status::napi_ok {
    return None;
  }
  // SAFETY: `object` is a new object of this call; the token is a number nothing reads
  // through; no reference is asked for (a null result pointer).
  let wrapped = unsafe {
    sys::napi_wrap(
      env,
      object,
      token as *mut c_void,
      finalize,
      ptr::null_mut(),
      ptr::null_mut(),
    )
  };
  // SAFETY: as above. Frozen after the wrap, which is not a property.
  let ok = wrapped == sys::Status::napi_ok
    && unsafe { sys::napi_object_freeze(env, object) } == sys::Status::napi_ok;
  ok.then_some(object)
}

/// The token that `value` is wrapped with, if it is a wrapped object; `None` otherwise (with
/// no exception pending). `value` must be a value of the running call.
pub unsafe fn token(env: sys::napi_env, value: sys::napi_value) -> Option<usize> {
  let mut data = ptr::null_mut();
  // SAFETY: `value` is a value of this call; `data` is a valid out-pointer. Anything but a
  // wrapped object gives an error status and no exception.
  let status = unsafe { sys::napi_unwrap(env, value, &mut data) };
  (status == sys::Status::napi_ok).then_some(data as usize)
}

/// Removes the wrap of `value` (a key being dropped), which cancels its finalizer.
/// `value` must be a value of the running call.
pub unsafe fn unwrap(env: sys::napi_env, value: sys::napi_value) {
  let mut data = ptr::null_mut();
  // SAFETY: as in `token`.
  unsafe { sys::napi_remove_wrap(env, value, &mut data) };
}
