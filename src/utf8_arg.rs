use std::ptr;

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::{check_status, sys, ValueType};

/// Bytes copied into the stack buffer before falling back to the heap: user ids are short.
const INLINE: usize = 128;
/// The most UTF-8 bytes one UTF-16 code unit or surrogate pair becomes.
const MAX_CHAR_BYTES: usize = 4;

/// A JavaScript string argument as the UTF-8 that node:crypto would hash (lone surrogates
/// become U+FFFD), read with one napi call into a stack buffer when it fits, so a short id
/// costs no heap allocation. Longer strings are read again into a buffer of their length.
pub enum Utf8Arg {
  Inline([u8; INLINE], usize),
  Heap(Vec<u8>),
}

impl Utf8Arg {
  pub fn as_bytes(&self) -> &[u8] {
    match self {
      Utf8Arg::Inline(buf, len) => &buf[..*len],
      Utf8Arg::Heap(bytes) => bytes,
    }
  }
}

impl FromNapiValue for Utf8Arg {
  unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
    let mut inline = [0u8; INLINE];
    let mut written = 0;
    let read_into_inline =
      // SAFETY: `inline` is writable for INLINE bytes and `written` is a valid out-pointer;
      // Node writes at most INLINE - 1 bytes plus a terminating NUL.
      unsafe {
        sys::napi_get_value_string_utf8(
          env,
          value,
          inline.as_mut_ptr().cast(),
          INLINE,
          &mut written,
        )
      };
    check_status!(read_into_inline, "expected a string")?;
    // Node never writes part of a character, so when at least MAX_CHAR_BYTES of room were
    // left over, nothing was cut off.
    if written + MAX_CHAR_BYTES < INLINE {
      return Ok(Utf8Arg::Inline(inline, written));
    }
    let mut len = 0;
    // SAFETY: a null buffer asks Node only for the length in bytes.
    check_status!(unsafe {
      sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len)
    })?;
    let mut bytes = vec![0u8; len + 1];
    // SAFETY: `bytes` is writable for len + 1 bytes: the whole string and the NUL.
    check_status!(unsafe {
      sys::napi_get_value_string_utf8(env, value, bytes.as_mut_ptr().cast(), len + 1, &mut written)
    })?;
    bytes.truncate(written);
    Ok(Utf8Arg::Heap(bytes))
  }
}

impl TypeName for Utf8Arg {
  fn type_name() -> &'static str {
    "String"
  }

  fn value_type() -> ValueType {
    ValueType::String
  }
}

impl ValidateNapiValue for Utf8Arg {}
