//! The hash engine behind the JavaScript contract layer, in safe Rust: the per-thread key
//! cache, the secret in the native environment, and the status numbers that tell
//! `lib/contract.js` which check failed. No function here throws or panics into JavaScript:
//! every entry point runs inside [`guarded`].

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::user_hash::{KeyCache, KeyHandle, Secret, SecretProblem, UserHasher, HASH_HEX_LEN};

/// The environment variable that holds the secret.
const SECRET_VAR: &std::ffi::CStr = c"ATLAS_SECRET";

/// What an engine reports instead of a result. `lib/contract.js` (`STATUS`) has the same
/// numbers and turns each into an error; they are negative so that no key handle, hash or
/// boolean can be mistaken for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Status {
  /// The secret is missing or empty.
  SecretEmpty = -1,
  /// The text secret starts or ends with whitespace.
  SecretWhitespace = -2,
  /// The key handle's state is no longer cached: make a new key and call again.
  KeyStale = -3,
  /// The call panicked; the panic was caught and the key cache of this thread reset.
  Panic = -4,
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

thread_local! {
  /// Keyed HMAC states of this thread (the main thread or one worker).
  static KEYS: RefCell<KeyCache> = RefCell::default();
  /// Set by `armTestPanic`: the next guarded call on this thread panics.
  static TEST_PANIC: Cell<bool> = const { Cell::new(false) };
}

/// Runs `call`, turning a panic into [`Status::Panic`]. After a panic the thread's key
/// cache starts afresh (its handles then report [`Status::KeyStale`]), so nothing a
/// panicking call left half-done is used again.
pub fn guarded<T>(call: impl FnOnce() -> Result<T, Status>) -> Result<T, Status> {
  let outcome = catch_unwind(AssertUnwindSafe(|| {
    if TEST_PANIC.take() {
      panic!("atlas-user-hash: panic forced by armTestPanic (a test hook)");
    }
    call()
  }));
  outcome.unwrap_or_else(|payload| {
    // A payload whose destructor panics would panic again here, across the FFI boundary.
    std::mem::forget(payload);
    KEYS.with(|keys| {
      if let Ok(mut keys) = keys.try_borrow_mut() {
        *keys = KeyCache::default();
      }
    });
    Err(Status::Panic)
  })
}

/// Makes the next guarded call on this thread panic (for the test that shows a panic
/// becomes an error and the next call works).
pub fn arm_test_panic() {
  TEST_PANIC.set(true);
}

/// Checks `secret` and caches its keyed state; the handle names it in later calls.
pub fn create_key(secret: Secret<'_>) -> Result<KeyHandle, Status> {
  guarded(|| KEYS.with(|keys| Ok(keys.borrow_mut().key(secret)?.0)))
}

/// The user hash of `user_id` with the key `handle` (from [`create_key`]), or with the
/// secret in the native environment when `handle` is `None`.
pub fn hash(user_id: &[u8], handle: Option<f64>) -> Result<HashHex, Status> {
  guarded(|| with_hasher(handle, |hasher| hasher.hash_hex(user_id)))
}

/// Whether `user_hash` is the user hash of `user_id`, compared in constant time; the key
/// is chosen as in [`hash`].
pub fn verify(user_id: &[u8], user_hash: &[u8], handle: Option<f64>) -> Result<bool, Status> {
  guarded(|| with_hasher(handle, |hasher| hasher.verify_hex(user_id, user_hash)))
}

/// Whether the native environment has a variable `name`: `index.js` asks it to find out
/// whether assignments to its `process.env` reach the native environment.
pub fn native_env_has(name: &str) -> bool {
  !name.is_empty() && !name.contains(['=', '\0']) && std::env::var_os(name).is_some()
}

fn with_hasher<T>(
  handle: Option<f64>,
  use_hasher: impl FnOnce(&UserHasher) -> T,
) -> Result<T, Status> {
  KEYS.with(|keys| {
    let mut keys = keys.borrow_mut();
    let Some(handle) = handle else {
      return crate::raw::with_env_var(SECRET_VAR, |secret| {
        // Node decodes the environment as UTF-8, invalid sequences as U+FFFD, and hashes
        // the text it got: so does this.
        let secret = String::from_utf8_lossy(secret.unwrap_or_default());
        Ok(use_hasher(keys.key(Secret::Text(&secret))?.1))
      });
    };
    let hasher = KeyHandle::from_f64(handle).and_then(|handle| keys.get(handle));
    hasher.map(use_hasher).ok_or(Status::KeyStale)
  })
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn a_key_hashes_until_it_is_evicted() {
    let handle = create_key(Secret::Text("engine-secret")).unwrap();
    let want = UserHasher::new(b"engine-secret").hash_hex(b"u");
    assert_eq!(hash(b"u", Some(handle.to_f64())), Ok(want));
    assert_eq!(verify(b"u", &want, Some(handle.to_f64())), Ok(true));
    for i in 0..crate::user_hash::SLOTS {
      create_key(Secret::Text(&format!("other-{i}"))).unwrap();
    }
    assert_eq!(hash(b"u", Some(handle.to_f64())), Err(Status::KeyStale));
    assert_eq!(
      verify(b"u", &want, Some(handle.to_f64())),
      Err(Status::KeyStale)
    );
    assert_eq!(hash(b"u", Some(0.5)), Err(Status::KeyStale));
  }

  #[test]
  fn bad_secrets_report_which_check_failed() {
    assert_eq!(create_key(Secret::Text("")), Err(Status::SecretEmpty));
    assert_eq!(
      create_key(Secret::Text(" x")),
      Err(Status::SecretWhitespace)
    );
    assert_eq!(create_key(Secret::Bytes(&[])), Err(Status::SecretEmpty));
  }

  #[test]
  fn a_panic_becomes_a_status_and_the_next_call_works() {
    let handle = create_key(Secret::Text("before-panic")).unwrap();
    arm_test_panic();
    assert_eq!(hash(b"u", Some(handle.to_f64())), Err(Status::Panic));
    assert_eq!(
      hash(b"u", Some(handle.to_f64())),
      Err(Status::KeyStale),
      "the cache was reset"
    );
    let handle = create_key(Secret::Text("before-panic")).unwrap();
    let want = UserHasher::new(b"before-panic").hash_hex(b"u");
    assert_eq!(hash(b"u", Some(handle.to_f64())), Ok(want));
  }

  #[test]
  fn env_names_that_cannot_be_variables_are_absent() {
    assert!(!native_env_has(""));
    assert!(!native_env_has("A=B"));
    assert!(!native_env_has("A\0B"));
    assert!(native_env_has("PATH"));
  }
}
