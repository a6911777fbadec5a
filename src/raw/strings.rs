//! JavaScript strings read as the UTF-8 that node:crypto hashes, for the raw callbacks.

use super::node_api::{Env, Value};

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

  /// Reads the string `value` into this buffer; `None` when it is not a string.
  pub fn read<'a>(&mut self, env: Env<'a>, value: Value<'a>) -> Option<&[u8]> {
    // Node writes at most INLINE - 1 bytes and a NUL, and never part of a character.
    let written = env.utf8(value, &mut self.inline)?;
    // When at least MAX_CHAR_BYTES of room were left over, nothing was cut off.
    if written + MAX_CHAR_BYTES < INLINE {
      return Some(&self.inline[..written]);
    }
    let len = env.utf8_len(value)?;
    self.heap = vec![0u8; len + 1];
    let written = env.utf8(value, &mut self.heap)?;
    Some(&self.heap[..written])
  }
}
