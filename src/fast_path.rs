//! The hot-path export, `userHashFromEnv`, as a raw N-API callback.
//!
//! napi-rs's generated wrapper (argument bookkeeping and a per-call borrow scope with a heap
//! allocation, seen with callgrind) cost ~75 ns of a ~400 ns call here, and this function
//! runs once per `generateAtlasUserObject`. It takes one string and returns one string, so
//! the conversion is short enough to write by hand.
// napi-rs registers exports only outside `cargo test`, where these would look unused.
#![cfg_attr(test, allow(dead_code))]

use std::ptr;

use napi::bindgen_prelude::{FromNapiValue, JsError, JsValue, Object, ToNapiValue};
use napi::{check_status, sys, Env};
use napi_derive::napi;

use crate::secret_input::{hash_with, with_native_env_secret};
use crate::utf8_arg::Utf8Arg;

/// Adds `userHashFromEnv` to the module's exports (its type is in `src/fast_path.d.ts`,
/// which `napi build` puts at the top of `binding.d.ts`).
#[napi(module_exports)]
pub fn register_fast_path(exports: Object, env: Env) -> napi::Result<()> {
  let name = c"userHashFromEnv";
  let mut function = ptr::null_mut();
  // SAFETY: `env` and `exports` are live during module initialisation, `name` is a
  // NUL-terminated string, and `function` is a valid out-pointer.
  check_status!(unsafe {
    sys::napi_create_function(
      env.raw(),
      name.as_ptr(),
      napi::bindgen_prelude::NAPI_AUTO_LENGTH,
      Some(user_hash_from_env),
      ptr::null_mut(),
      &mut function,
    )
  })?;
  // SAFETY: as above; `function` is a value of this `env`.
  check_status!(unsafe {
    sys::napi_set_named_property(env.raw(), exports.raw(), name.as_ptr(), function)
  })
}

/// `userHashFromEnv(userId: string): string` — hashes `userId` with `ATLAS_SECRET` read from
/// the native environment. Errors become pending JavaScript exceptions.
unsafe extern "C" fn user_hash_from_env(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  let mut argc = 1;
  let mut argv = [ptr::null_mut(); 1];
  // SAFETY: Node calls this with a live `env` and `info`; `argv` has room for `argc` values,
  // and Node fills missing arguments with `undefined`.
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
    return ptr::null_mut();
  }
  // SAFETY: `argv[0]` is a value of this callback's scope.
  let hashed = unsafe { Utf8Arg::from_napi_value(env, argv[0]) }
    .map_err(|error| napi::Error::new("ERR_ATLAS_INVALID_USER_ID", error.reason))
    .and_then(|user_id| with_native_env_secret(|secret| hash_with(secret, user_id.as_bytes())));
  match hashed {
    // SAFETY: `env` is live for the whole callback. A failure leaves a pending exception.
    Ok(hex) => unsafe { ToNapiValue::to_napi_value(env, hex) }.unwrap_or(ptr::null_mut()),
    Err(error) => {
      // SAFETY: `env` is live; throwing leaves a pending exception and we return no value.
      unsafe { JsError::from(error).throw_into(env) };
      ptr::null_mut()
    }
  }
}
