//! JavaScript strings read as the UTF-8 that node:crypto hashes, for the raw callbacks.

use std::ffi::c_char;
use std::ptr;

use napi::sys;

/// Bytes read into the stack buffer before falling back to the heap: user ids are short.
const INLINE: usize = 128;
/// The most UTF-8 bytes one UTF-16 code unit or surrogate pair becomes.
const MAX_CHAR_BYTES: usize = 4;

/// Room for a JavaScript string as the UTF-8 that node:crypto hashes (lone surrogates
/// become U+FFFD): on the stack when it fits, so a short id costs no heap allocation.
pub struct Utf8Buffer {
  inline: [u8; INLINE],
  heap: Vec<u8>,
}

impl Utf8Buffer {
  pub fn new() -> Self {
    Self {
      inline: [0; INLINE],
      heap: Vec::new(),
    }
  }

  /// Reads the string `value` into this buffer; `None` when it is not a string. `env` must
  /// be the live env of the running call and `value` one of its values.
  pub unsafe fn read(&mut self, env: sys::napi_env, value: sys::napi_value) -> Option<&[u8]> {
    let mut written = 0;
    // SAFETY: `inline` is writable for INLINE bytes; Node writes at most INLINE - 1 bytes
    // and a NUL, and never part of a character.
    let status = unsafe {
      sys::napi_get_value_string_utf8(
        env,
        value,
        self.inline.as_mut_ptr().cast::<c_char>(),
        INLINE,
        &mut written,
      )
    };
    if status != sys::Status::napi_ok {
      return None;
    }
    // When at least MAX_CHAR_BYTES of room were left over, nothing was cut off.
    if written + MAX_CHAR_BYTES < INLINE {
      return Some(&self.inline[..written]);
    }
    let mut len = 0;
    // SAFETY: a null buffer asks Node only for the length in bytes.
    let status =
      unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len) };
    if status != sys::Status::napi_ok {
      return None;
    }
    self.heap = vec![0u8; len + 1];
    // SAFETY: `heap` is writable for len + 1 bytes: the whole string and the NUL.
    let status = unsafe {
      sys::napi_get_value_string_utf8(
        env,
        value,
        self.heap.as_mut_ptr().cast::<c_char>(),
        len + 1,
        &mut written,
      )
    };
    if status != sys::Status::napi_ok {
      return None;
    }
    Some(&self.heap[..written])
  }
}
