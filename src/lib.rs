//! The native hash engine of atlas-user-hash. `lib/contract.js` validates every argument
//! and owns every error; this addon only makes keys, hashes, verifies and reports which
//! check failed, as a negative status number (`engine::Status`). Dependencies point one
//! way: these exports → [`raw`] (the Node-API layer, all of the crate's `unsafe` code) →
//! [`engine`] (statuses, the panic guard) → [`user_hash`] (the pure core).

pub mod user_hash;

mod engine;
mod raw;

use napi::bindgen_prelude::{Either, Uint8Array};
use napi_derive::napi;
use zeroize::Zeroize;

use raw::KeyExternal;
use user_hash::Secret;

/// Checks `secret` (a string, used as its UTF-8, or a `Uint8Array` of key bytes) and keys
/// an HMAC with it: returns the key, an opaque `External` (under Deno a wrapped empty object:
/// see [`raw`]) for `hash` and `verify` that JavaScript holds (`dropKey` or the garbage
/// collector frees it), or a negative status when a check failed or the call panicked.
#[napi(
  catch_unwind,
  ts_args_type = "secret: string | Uint8Array",
  ts_return_type = "Key | number"
)]
pub fn create_key(secret: Either<String, Uint8Array>) -> Either<KeyExternal, i32> {
  // napi-rs copied a text secret into this String; it is zeroed once keyed (a Uint8Array is
  // read in place: JavaScript's bytes, which the contract copied for this call).
  let mut secret = secret;
  let outcome = engine::create_key(match &secret {
    Either::A(text) => Secret::Text(text),
    Either::B(bytes) => Secret::Bytes(bytes),
  });
  if let Either::A(text) = &mut secret {
    text.zeroize();
  }
  match outcome {
    Ok(key) => Either::A(KeyExternal(key)),
    Err(status) => Either::B(status as i32),
  }
}

/// Test hook (test builds only: the `test-hooks` feature): makes the next call on this thread
/// panic inside the engine, to show that the panic becomes an error and that every key still
/// gives its own secret's hash afterwards.
#[cfg(any(test, feature = "test-hooks"))]
#[napi(catch_unwind)]
pub fn arm_test_panic() {
  engine::arm_test_panic();
}

/// Test hook (test builds only: the `test-hooks` feature): how many keys this thread holds
/// (made, and neither dropped nor collected), so that tests can see dropped and collected
/// keys freed.
#[cfg(any(test, feature = "test-hooks"))]
#[napi]
pub fn live_key_count() -> u32 {
  u32::try_from(raw::live_key_count()).unwrap_or(u32::MAX)
}

/// Test hook (test builds only: the `test-hooks` feature): makes the keys this thread makes
/// from now on wrapped objects, as under Deno (`true`), or Externals (`false`), so that Node
/// tests cover both kinds.
#[cfg(any(test, feature = "test-hooks"))]
#[napi]
pub fn use_wrapped_keys(wrapped: bool) {
  raw::use_wrapped_keys(wrapped);
}

#[cfg(test)]
mod tests {
  use super::*;
  use user_hash::UserHasher;

  /// The key `create_key` made, or the status it returned.
  fn outcome(secret: Either<String, Uint8Array>) -> Result<UserHasher, i32> {
    match create_key(secret) {
      Either::A(KeyExternal(key)) => Ok(key),
      Either::B(status) => Err(status),
    }
  }

  #[test]
  fn create_key_keys_text_and_bytes_or_returns_a_status() {
    let want = UserHasher::new(b"lib-secret").hash_hex(b"u");
    let text = outcome(Either::A("lib-secret".into())).unwrap();
    assert_eq!(text.hash_hex(b"u"), want);
    let bytes = outcome(Either::B(Uint8Array::new(b"lib-secret".to_vec()))).unwrap();
    assert_eq!(bytes.hash_hex(b"u"), want);
    let spaced = outcome(Either::B(Uint8Array::new(b" raw key ".to_vec()))).unwrap();
    assert_eq!(
      spaced.hash_hex(b"u"),
      UserHasher::new(b" raw key ").hash_hex(b"u"),
      "bytes are never trimmed"
    );
    assert_eq!(outcome(Either::A(String::new())).err(), Some(-1));
    assert_eq!(outcome(Either::A("lib-secret\n".into())).err(), Some(-2));
    assert_eq!(outcome(Either::B(Uint8Array::new(vec![]))).err(), Some(-1));
  }

  #[test]
  fn arm_test_panic_makes_the_next_call_report_a_panic() {
    arm_test_panic();
    assert_eq!(outcome(Either::A("armed".into())).err(), Some(-3));
    assert!(
      outcome(Either::A("armed".into())).is_ok(),
      "only the next call"
    );
  }
}
