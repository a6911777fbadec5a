//! The native hash engine of atlas-user-hash. `lib/contract.js` validates every argument and
//! owns every error; this addon only hashes, verifies and reports which check failed, as
//! a negative status number (`engine::Status`). The hashing itself is the pure core in
//! [`user_hash`]; [`engine`] keeps the per-thread key cache and catches panics; [`raw`]
//! holds the hot-path export and all of the crate's `unsafe` code.

pub mod user_hash;

mod engine;
mod raw;

use napi::bindgen_prelude::{Either, Uint8Array};
use napi_derive::napi;

use engine::Status;
use user_hash::Secret;

/// Checks `secret` (a string, used as its UTF-8, or a `Uint8Array` of key bytes) and caches
/// its keyed HMAC state for this thread: returns the key's handle for `hash` and `verify`,
/// or a negative status when a check failed. A handle can go stale (status `KeyStale`)
/// once other secrets have pushed its state out of the cache.
#[napi(catch_unwind, ts_args_type = "secret: string | Uint8Array")]
pub fn create_key(secret: Either<String, Uint8Array>) -> f64 {
  let secret = match &secret {
    Either::A(text) => Secret::Text(text),
    Either::B(bytes) => Secret::Bytes(bytes),
  };
  engine::create_key(secret).map_or_else(status_number, |handle| handle.to_f64())
}

/// Whether `userHash` is the user hash of `userId` (compared in constant time), with the
/// key handle `key`, or with `ATLAS_SECRET` from the native environment when `key` is left
/// out; a negative status when a check failed.
#[napi(catch_unwind)]
pub fn verify(user_id: String, user_hash: String, key: Option<f64>) -> Either<bool, i32> {
  match engine::verify(user_id.as_bytes(), user_hash.as_bytes(), key) {
    Ok(matches) => Either::A(matches),
    Err(status) => Either::B(status as i32),
  }
}

/// Whether the native environment has a variable `name`: `index.js` uses it to find out
/// whether assignments to its `process.env` reach the native environment.
#[napi(catch_unwind)]
pub fn native_env_has(name: String) -> bool {
  engine::native_env_has(&name)
}

/// Test hook: makes the next call on this thread panic inside the engine, to show that the
/// panic becomes an error and the call after it works. Not reachable from the public API.
#[napi(catch_unwind)]
pub fn arm_test_panic() {
  engine::arm_test_panic();
}

fn status_number(status: Status) -> f64 {
  f64::from(status as i32)
}

#[cfg(test)]
mod tests {
  use super::*;
  use user_hash::UserHasher;

  fn outcome(result: Either<bool, i32>) -> Result<bool, i32> {
    match result {
      Either::A(matches) => Ok(matches),
      Either::B(status) => Err(status),
    }
  }

  fn hex(secret: &[u8], id: &str) -> String {
    String::from_utf8(UserHasher::new(secret).hash_hex(id.as_bytes()).to_vec()).unwrap()
  }

  #[test]
  fn create_key_returns_a_handle_or_a_negative_status() {
    let handle = create_key(Either::A("lib-secret".into()));
    assert!(handle >= 1.0 && handle.fract() == 0.0, "{handle}");
    assert_eq!(create_key(Either::A(String::new())), -1.0);
    assert_eq!(create_key(Either::A("lib-secret\n".into())), -2.0);
    assert_eq!(create_key(Either::B(Uint8Array::new(vec![]))), -1.0);
    let bytes = create_key(Either::B(Uint8Array::new(b" raw key ".to_vec())));
    assert!(bytes >= 1.0, "bytes are never trimmed");
    let want = hex(b" raw key ", "u");
    assert_eq!(outcome(verify("u".into(), want, Some(bytes))), Ok(true));
  }

  #[test]
  fn verify_reports_matches_mismatches_and_stale_keys() {
    let handle = create_key(Either::A("verify-secret".into()));
    let good = hex(b"verify-secret", "u");
    assert_eq!(
      outcome(verify("u".into(), good.clone(), Some(handle))),
      Ok(true)
    );
    assert_eq!(
      outcome(verify("u".into(), good.to_uppercase(), Some(handle))),
      Ok(true)
    );
    assert_eq!(outcome(verify("v".into(), good, Some(handle))), Ok(false));
    assert_eq!(outcome(verify("u".into(), "00".into(), Some(0.5))), Err(-3));
  }

  #[test]
  fn native_env_has_sees_the_process_environment() {
    assert!(native_env_has("PATH".into()));
    assert!(!native_env_has(
      "ATLAS_USER_HASH_SURELY_UNSET_VARIABLE".into()
    ));
  }

  #[test]
  fn arm_test_panic_makes_the_next_call_report_a_panic() {
    arm_test_panic();
    assert_eq!(create_key(Either::A("armed".into())), -4.0);
    assert!(
      create_key(Either::A("armed".into())) >= 1.0,
      "only the next call"
    );
  }

  #[test]
  fn statuses_have_the_numbers_contract_js_expects() {
    let numbers = [
      Status::SecretEmpty,
      Status::SecretWhitespace,
      Status::KeyStale,
      Status::Panic,
    ]
    .map(status_number);
    assert_eq!(numbers, [-1.0, -2.0, -3.0, -4.0]);
  }
}
