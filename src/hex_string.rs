use std::ptr;

use napi::bindgen_prelude::ToNapiValue;
use napi::{check_status, sys};

use crate::user_hash::HASH_HEX_LEN;

/// A user hash on the stack, returned to JavaScript as a one-byte (latin1) string:
/// no heap allocation and no UTF-8 validation on the way out.
pub struct HexString(pub [u8; HASH_HEX_LEN]);

impl ToNapiValue for HexString {
  unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    // SAFETY: `val.0` is an initialised array of HASH_HEX_LEN bytes that outlives the call,
    // `out` is a valid place for the result, and Node copies the bytes into a new string.
    check_status!(unsafe {
      sys::napi_create_string_latin1(env, val.0.as_ptr().cast(), HASH_HEX_LEN as isize, &mut out)
    })?;
    Ok(out)
  }
}
