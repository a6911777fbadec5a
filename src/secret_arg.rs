use std::ptr;

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::{check_status, sys, ValueType};

use crate::utf8_arg::Utf8Arg;

/// A secret argument as `index.js` passes it: a string (used as its UTF-8), a `Uint8Array`
/// (its bytes, copied) or `undefined`/`null` (no secret). Converted by hand rather than as
/// napi-rs's `Option<Either<String, Uint8Array>>`, which pulls every typed-array kind's
/// conversion into the binary.
pub enum SecretArg {
  Text(Utf8Arg),
  Bytes(Vec<u8>),
  Absent,
}

impl FromNapiValue for SecretArg {
  unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
    let mut kind = 0;
    // SAFETY: `env` and `value` are live for this callback; `kind` is a valid out-pointer.
    check_status!(unsafe { sys::napi_typeof(env, value, &mut kind) })?;
    if kind == sys::ValueType::napi_undefined || kind == sys::ValueType::napi_null {
      return Ok(SecretArg::Absent);
    }
    if kind == sys::ValueType::napi_string {
      // SAFETY: as above; the value is a string.
      return Ok(SecretArg::Text(unsafe {
        Utf8Arg::from_napi_value(env, value)
      }?));
    }
    // SAFETY: as above.
    unsafe { uint8_array_bytes(env, value) }.map(SecretArg::Bytes)
  }
}

/// A copy of a `Uint8Array`'s bytes; an error for any other value.
unsafe fn uint8_array_bytes(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Vec<u8>> {
  let mut is_typed_array = false;
  // SAFETY: `env` and `value` are live; the out-pointer is valid.
  check_status!(unsafe { sys::napi_is_typedarray(env, value, &mut is_typed_array) })?;
  let (mut kind, mut length, mut data) = (0, 0usize, ptr::null_mut());
  if is_typed_array {
    // SAFETY: `value` is a typed array; null is allowed for the two outputs not needed.
    check_status!(unsafe {
      sys::napi_get_typedarray_info(
        env,
        value,
        &mut kind,
        &mut length,
        &mut data,
        ptr::null_mut(),
        ptr::null_mut(),
      )
    })?;
  }
  if !is_typed_array || kind != sys::TypedarrayType::uint8_array {
    return Err(napi::Error::new(
      napi::Status::InvalidArg,
      "the secret must be a string or a Uint8Array",
    ));
  }
  if data.is_null() || length == 0 {
    return Ok(Vec::new()); // empty, or its buffer was detached: no key
  }
  // SAFETY: Node reports `data` as the typed array's first byte (its offset applied) with
  // `length` bytes after it; no JavaScript runs during this copy to detach or resize it.
  Ok(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), length) }.to_vec())
}

impl TypeName for SecretArg {
  fn type_name() -> &'static str {
    "string | Uint8Array | undefined | null"
  }

  fn value_type() -> ValueType {
    ValueType::Unknown
  }
}

impl ValidateNapiValue for SecretArg {}
