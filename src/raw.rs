//! The one module with `unsafe` code: `hash`, the export that every
//! `generateAtlasUserObject` and `createUserHash` call goes through, as a raw Node-API
//! callback. napi-rs's generated wrapper (argument bookkeeping, a borrow scope with a heap
//! allocation) and its `String` conversion (a heap copy) cost ~20% of the call, measured
//! with `npm run bench`; the conversion of one string and one number is short enough to
//! write by hand. Everything else the addon exports goes through napi-rs (`lib.rs`).
//!
//! Invariants every block below relies on:
//! - Node calls `hash_callback` on a JavaScript thread with a live `env` and `info`; every
//!   `napi_value` used here belongs to that call's scope and is not kept past it.
//! - Every pointer handed to Node points to a live, initialised buffer of the length given.
//! - No JavaScript runs while a buffer is read, so no value changes under us.
//! - The callback returns a value, or null with a JavaScript exception pending; it never
//!   unwinds (the work runs inside `engine::guarded`, and nothing here panics).
// napi-rs registers exports only outside `cargo test`, where these would look unused.
#![cfg_attr(test, allow(dead_code))]

use std::ffi::c_char;
use std::ptr;

use napi::bindgen_prelude::{JsValue, Object, NAPI_AUTO_LENGTH};
use napi::{check_status, sys, Env};
use napi_derive::napi;

use crate::engine::{self, HashHex};

/// Bytes read into the stack buffer before falling back to the heap: user ids are short.
const INLINE: usize = 128;
/// The most UTF-8 bytes one UTF-16 code unit or surrogate pair becomes.
const MAX_CHAR_BYTES: usize = 4;

/// Adds `hash(userId: string, key?: number): string | number` to the module's exports (its
/// type is in `src/raw.d.ts`, which `napi build` puts at the top of `binding.d.ts`).
#[napi(module_exports)]
pub fn register_raw_exports(exports: Object, env: Env) -> napi::Result<()> {
  let name = c"hash";
  let mut function = ptr::null_mut();
  // SAFETY: `env` and `exports` are live during module initialisation, `name` is
  // NUL-terminated, and `function` is a valid out-pointer.
  check_status!(unsafe {
    sys::napi_create_function(
      env.raw(),
      name.as_ptr(),
      NAPI_AUTO_LENGTH,
      Some(hash_callback),
      ptr::null_mut(),
      &mut function,
    )
  })?;
  // SAFETY: as above; `function` is a value of this `env`.
  check_status!(unsafe {
    sys::napi_set_named_property(env.raw(), exports.raw(), name.as_ptr(), function)
  })
}

/// `hash(userId, key?)`: the user hash of `userId` with the key handle `key`, or with
/// `ATLAS_SECRET` from the native environment when `key` is `undefined`; a negative
/// status number when a check failed (see `engine::Status`).
unsafe extern "C" fn hash_callback(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  let mut argc = 2;
  let mut argv = [ptr::null_mut(); 2];
  // SAFETY: see the invariants; `argv` has room for `argc` values and Node fills missing
  // arguments with `undefined`.
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
  if status != sys::Status::napi_ok {
    return fail(env);
  }
  // SAFETY: `argv[0]` is a value of this call.
  let Some(user_id) = (unsafe { read_utf8(env, argv[0]) }) else {
    return fail(env);
  };
  // `argc` is now the number of arguments passed: with one, there is no key to read.
  let key = if argc < 2 {
    Some(None)
  } else {
    // SAFETY: `argv[1]` is a value of this call.
    unsafe { read_key(env, argv[1]) }
  };
  let Some(key) = key else {
    return fail(env);
  };
  match engine::hash(user_id.as_bytes(), key) {
    // SAFETY: see the invariants.
    Ok(hex) => unsafe { latin1_string(env, &hex) },
    // SAFETY: see the invariants.
    Err(status) => unsafe { int32(env, status as i32) },
  }
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

/// Reads the optional key argument: `Some(None)` for `undefined`, `Some(Some(n))` for a
/// number, `None` (with an exception pending) for anything else.
unsafe fn read_key(env: sys::napi_env, value: sys::napi_value) -> Option<Option<f64>> {
  let mut number = 0.0;
  // SAFETY: see the invariants; `number` is a valid out-pointer.
  match unsafe { sys::napi_get_value_double(env, value, &mut number) } {
    sys::Status::napi_ok => Some(Some(number)),
    sys::Status::napi_number_expected => {
      let mut kind = 0;
      // SAFETY: as above. A failed napi_get_value_double leaves no exception pending.
      let status = unsafe { sys::napi_typeof(env, value, &mut kind) };
      (status == sys::Status::napi_ok && kind == sys::ValueType::napi_undefined).then_some(None)
    }
    _ => None,
  }
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
    fail(env)
  }
}

unsafe fn int32(env: sys::napi_env, value: i32) -> sys::napi_value {
  let mut out = ptr::null_mut();
  // SAFETY: `out` is a valid out-pointer.
  let status = unsafe { sys::napi_create_int32(env, value, &mut out) };
  if status == sys::Status::napi_ok {
    out
  } else {
    fail(env)
  }
}

/// Runs `use_value` with the native environment's variable `name` (its bytes; `None` when
/// unset). On Unix the value is read in place with `getenv`: no lock, no copy. Callers run
/// on the JavaScript thread whose `process.env` is the native environment (`index.js`
/// probes that), so Node cannot change the environment during the call.
pub fn with_env_var<T>(name: &std::ffi::CStr, use_value: impl FnOnce(Option<&[u8]>) -> T) -> T {
  #[cfg(unix)]
  {
    extern "C" {
      fn getenv(name: *const c_char) -> *const c_char;
    }
    // SAFETY: `name` is NUL-terminated. The result, when not null, is a NUL-terminated
    // string that stays valid until the environment changes, which it cannot during this
    // call (see above; a `SHARE_ENV` worker writing it at the same moment is the documented
    // exception, as it is for `std::env::var_os`, whose lock Node's `setenv` does not take).
    let value = unsafe { getenv(name.as_ptr()) };
    // SAFETY: as above; the borrow does not outlive `use_value`.
    use_value((!value.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(value) }.to_bytes()))
  }
  #[cfg(not(unix))]
  {
    // Node writes the Windows environment with SetEnvironmentVariableW, which the C
    // runtime's getenv does not see; std reads it with GetEnvironmentVariableW.
    let value = name.to_str().ok().and_then(std::env::var_os);
    let text = value.as_ref().map(|value| value.to_string_lossy());
    use_value(text.as_ref().map(|text| text.as_bytes()))
  }
}

/// Returns no value with an exception pending: the one Node-API left, or a new one.
fn fail(env: sys::napi_env) -> sys::napi_value {
  let mut pending = false;
  // SAFETY: `env` is live (see the invariants) and `pending` is a valid out-pointer.
  let status = unsafe { sys::napi_is_exception_pending(env, &mut pending) };
  if status != sys::Status::napi_ok || !pending {
    // SAFETY: both strings are NUL-terminated; `env` is live.
    unsafe {
      sys::napi_throw_type_error(
        env,
        c"ERR_ATLAS_ENGINE_ARGUMENT".as_ptr(),
        c"atlas-user-hash: the native hash(userId, key) was called with arguments it does not take"
          .as_ptr(),
      )
    };
  }
  ptr::null_mut()
}
