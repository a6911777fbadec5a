//! The hash engine behind the JavaScript contract layer, in safe Rust and without napi
//! types: it keys an HMAC for a secret, hashes and verifies with such a key, and tells
//! `lib/contract.js` which check failed as a status number. Keys are values that the caller
//! owns (JavaScript holds them, as `raw/` keeps them); nothing here keeps state between calls
//! but, in test builds only, the test hook's flag. `create_key`, `hash` and `verify` run inside [`guarded`], so
//! none of them unwinds into JavaScript.

#[cfg(any(test, feature = "test-hooks"))]
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::user_hash::{Secret, SecretProblem, UserHasher, HASH_HEX_LEN};

/// What the engine reports instead of a result. The JavaScript side's table is `STATUS` in
/// `lib/status.js`, which both engines and the contract import; the Node suite (`__test__/`)
/// checks it by value against the numbers this addon returns, so the two cannot drift apart
/// unseen. Negative, so that no hash or boolean is taken for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Status {
  /// The secret is missing or empty.
  SecretEmpty = -1,
  /// The text secret starts or ends with whitespace.
  SecretWhitespace = -2,
  /// The call panicked; the panic was caught.
  Panic = -3,
}

impl From<SecretProblem> for Status {
  fn from(problem: SecretProblem) -> Self {
    match problem {
      SecretProblem::Empty => Status::SecretEmpty,
      SecretProblem::Whitespace => Status::SecretWhitespace,
    }
  }
}

/// A user hash as ASCII hex, on the stack.
pub type HashHex = [u8; HASH_HEX_LEN];

#[cfg(any(test, feature = "test-hooks"))]
thread_local! {
  /// Set by `armTestPanic` (test builds only): the next guarded call on this thread panics.
  static TEST_PANIC: Cell<bool> = const { Cell::new(false) };
}

/// Runs `call`, turning a panic into [`Status::Panic`]. Nothing a panicking call touched
/// outlives it: keys are never changed after they are made (each hash clones the keyed
/// state), so every key works as before after a caught panic.
pub fn guarded<T>(call: impl FnOnce() -> Result<T, Status>) -> Result<T, Status> {
  // AssertUnwindSafe: the closures below borrow only immutable data (ids, keys).
  let outcome = catch_unwind(AssertUnwindSafe(|| {
    // Release builds have no flag and no check: the hot path reads no test state.
    #[cfg(any(test, feature = "test-hooks"))]
    if TEST_PANIC.take() {
      panic!("atlas-user-hash: panic forced by armTestPanic (a test hook)");
    }
    call()
  }));
  outcome.unwrap_or_else(|payload| {
    // A payload whose destructor panics would panic again here, across the FFI boundary.
    std::mem::forget(payload);
    Err(Status::Panic)
  })
}

/// Makes the next guarded call on this thread panic (for the tests that show a panic
/// becomes an error and every key still gives its own secret's hash afterwards). Test builds
/// only.
#[cfg(any(test, feature = "test-hooks"))]
pub fn arm_test_panic() {
  TEST_PANIC.set(true);
}

/// Checks `secret` and keys an HMAC with it.
pub fn create_key(secret: Secret<'_>) -> Result<UserHasher, Status> {
  guarded(|| Ok(UserHasher::keyed(secret)?))
}

/// The user hash of `user_id` with `key`.
pub fn hash(user_id: &[u8], key: &UserHasher) -> Result<HashHex, Status> {
  guarded(|| Ok(key.hash_hex(user_id)))
}

/// Whether `user_hash` is the user hash of `user_id` with `key`, compared in constant time.
pub fn verify(user_id: &[u8], user_hash: &[u8], key: &UserHasher) -> Result<bool, Status> {
  guarded(|| Ok(key.verify_hex(user_id, user_hash)))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn a_key_hashes_and_verifies_with_its_secret() {
    let key = create_key(Secret::Text("engine-secret")).unwrap();
    let want = UserHasher::new(b"engine-secret").hash_hex(b"u");
    assert_eq!(hash(b"u", &key), Ok(want));
    assert_eq!(verify(b"u", &want, &key), Ok(true));
    assert_eq!(verify(b"v", &want, &key), Ok(false));
    let bytes = create_key(Secret::Bytes(b" raw key ")).unwrap();
    assert_eq!(
      hash(b"u", &bytes),
      Ok(UserHasher::new(b" raw key ").hash_hex(b"u")),
      "bytes are never trimmed"
    );
  }

  #[test]
  fn bad_secrets_report_which_check_failed() {
    assert_eq!(
      create_key(Secret::Text("")).err(),
      Some(Status::SecretEmpty)
    );
    assert_eq!(
      create_key(Secret::Text(" x")).err(),
      Some(Status::SecretWhitespace)
    );
    assert_eq!(
      create_key(Secret::Bytes(&[])).err(),
      Some(Status::SecretEmpty)
    );
  }

  #[test]
  fn a_panic_becomes_a_status_on_every_call_and_keys_stay_right() {
    let a = create_key(Secret::Text("secret-A")).unwrap();
    let want_a = UserHasher::new(b"secret-A").hash_hex(b"u");
    arm_test_panic();
    assert_eq!(hash(b"u", &a), Err(Status::Panic));
    assert_eq!(hash(b"u", &a), Ok(want_a), "only the next call panics");
    arm_test_panic();
    assert_eq!(verify(b"u", &want_a, &a), Err(Status::Panic));
    arm_test_panic();
    assert_eq!(
      create_key(Secret::Text("secret-B")).err(),
      Some(Status::Panic)
    );
    let b = create_key(Secret::Text("secret-B")).unwrap();
    assert_ne!(hash(b"u", &b), Ok(want_a));
    assert_eq!(hash(b"u", &a), Ok(want_a), "A's key is still A's");
    assert_eq!(verify(b"u", &want_a, &b), Ok(false));
  }
}
