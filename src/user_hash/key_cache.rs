use super::{check_secret_bytes, check_secret_text, SecretProblem, UserHasher};

/// How many secrets a cache keeps keyed: a rotation (old and new secret) and a few tenants,
/// few enough that a linear scan beats hashing.
pub const SLOTS: usize = 8;

/// A handle to a keyed state in one [`KeyCache`]: a number no other state of that cache
/// ever had, so a handle whose state was evicted finds nothing instead of another secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyHandle(u64);

impl KeyHandle {
  /// The handle as a JavaScript number (exact: handles stay far below 2^53).
  pub fn to_f64(self) -> f64 {
    self.0 as f64
  }

  /// The handle a JavaScript number stands for; `None` for any number no handle can be.
  pub fn from_f64(value: f64) -> Option<Self> {
    let whole = (1.0..MAX_SAFE_INTEGER).contains(&value) && value.fract() == 0.0;
    // Exact: a whole number from 1 to 2^53 - 1 converts to u64 without loss.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    whole.then_some(KeyHandle(value as u64))
  }
}

const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A secret as it reaches an engine: text (checked for surrounding whitespace) or raw bytes.
#[derive(Clone, Copy, Debug)]
pub enum Secret<'a> {
  Text(&'a str),
  Bytes(&'a [u8]),
}

impl<'a> Secret<'a> {
  /// The key bytes, once the secret passes its checks.
  pub fn key(self) -> Result<&'a [u8], SecretProblem> {
    match self {
      Secret::Text(text) => check_secret_text(text).map(|()| text.as_bytes()),
      Secret::Bytes(bytes) => check_secret_bytes(bytes).map(|()| bytes),
    }
  }
}

/// Keyed HMAC states for the last few secrets used, so a repeated secret skips key setup.
/// An entry is found by comparing the whole secret, or by its handle, so one secret's
/// state is never served for another. Each thread keeps its own cache; nothing is shared.
#[derive(Default)]
pub struct KeyCache {
  entries: Vec<Entry>,
  next_evicted: usize,
  handles_issued: u64,
}

struct Entry {
  secret: Box<[u8]>,
  hasher: UserHasher,
  handle: KeyHandle,
}

impl KeyCache {
  /// Checks `secret` and returns its handle and keyed state, made and cached on first use.
  pub fn key(&mut self, secret: Secret<'_>) -> Result<(KeyHandle, &UserHasher), SecretProblem> {
    let bytes = secret.key()?;
    let index = match self.entries.iter().position(|e| *e.secret == *bytes) {
      Some(found) => found,
      None => self.insert(bytes),
    };
    let entry = &self.entries[index];
    Ok((entry.handle, &entry.hasher))
  }

  /// The keyed state `handle` was issued for, while it is still cached.
  pub fn get(&self, handle: KeyHandle) -> Option<&UserHasher> {
    self
      .entries
      .iter()
      .find(|e| e.handle == handle)
      .map(|e| &e.hasher)
  }

  fn insert(&mut self, secret: &[u8]) -> usize {
    self.handles_issued += 1;
    let entry = Entry {
      secret: Box::from(secret),
      hasher: UserHasher::new(secret),
      handle: KeyHandle(self.handles_issued),
    };
    if self.entries.len() < SLOTS {
      self.entries.push(entry);
      return self.entries.len() - 1;
    }
    let index = self.next_evicted;
    self.entries[index] = entry;
    self.next_evicted = (index + 1) % SLOTS;
    index
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn text(secret: &str) -> Secret<'_> {
    Secret::Text(secret)
  }

  #[test]
  fn each_secret_gets_its_own_state() {
    let mut cache = KeyCache::default();
    let secrets: Vec<String> = (0..3 * SLOTS).map(|i| format!("secret-{i}")).collect();
    for round in 0..3 {
      for secret in secrets.iter().cycle().skip(round).take(secrets.len() + 1) {
        let want = UserHasher::new(secret.as_bytes()).hash_hex(b"user");
        let (_, hasher) = cache.key(text(secret)).unwrap();
        assert_eq!(hasher.hash_hex(b"user"), want);
      }
    }
    assert!(cache.entries.len() <= SLOTS);
  }

  #[test]
  fn prefixes_are_different_secrets() {
    let mut cache = KeyCache::default();
    let long = cache.key(text("abcd")).unwrap().1.hash_hex(b"id");
    let short = cache.key(text("abc")).unwrap().1.hash_hex(b"id");
    assert_ne!(long, short);
    assert_eq!(short, UserHasher::new(b"abc").hash_hex(b"id"));
  }

  #[test]
  fn a_handle_finds_its_own_state_and_nothing_once_evicted() {
    let mut cache = KeyCache::default();
    let (first, _) = cache.key(text("first")).unwrap();
    assert_eq!(
      cache.key(text("first")).unwrap().0,
      first,
      "the same secret keeps its handle"
    );
    let want = UserHasher::new(b"first").hash_hex(b"id");
    assert_eq!(cache.get(first).unwrap().hash_hex(b"id"), want);
    for i in 0..SLOTS {
      cache.key(text(&format!("other-{i}"))).unwrap();
    }
    assert!(
      cache.get(first).is_none(),
      "evicted: the handle must not find another secret"
    );
    let (again, _) = cache.key(text("first")).unwrap();
    assert_ne!(again, first, "a re-keyed secret gets a new handle");
  }

  #[test]
  fn a_full_cache_evicts_the_oldest_state_first() {
    let mut cache = KeyCache::default();
    let first: Vec<KeyHandle> = (0..SLOTS)
      .map(|i| cache.key(text(&format!("a{i}"))).unwrap().0)
      .collect();
    for (i, oldest) in first.iter().enumerate() {
      cache.key(text(&format!("b{i}"))).unwrap();
      assert!(
        cache.get(*oldest).is_none(),
        "a{i} is the oldest and goes first"
      );
      for younger in &first[i + 1..] {
        assert!(cache.get(*younger).is_some(), "younger states stay");
      }
    }
  }

  #[test]
  fn text_and_byte_secrets_are_checked() {
    let mut cache = KeyCache::default();
    assert_eq!(cache.key(text("")).err(), Some(SecretProblem::Empty));
    assert_eq!(
      cache.key(text("x\n")).err(),
      Some(SecretProblem::Whitespace)
    );
    assert_eq!(
      cache.key(Secret::Bytes(&[])).err(),
      Some(SecretProblem::Empty)
    );
    let (handle, _) = cache.key(Secret::Bytes(b" x\n")).unwrap();
    assert_eq!(
      cache.get(handle).unwrap().hash_hex(b"id"),
      UserHasher::new(b" x\n").hash_hex(b"id")
    );
  }

  #[test]
  fn handles_round_trip_through_javascript_numbers() {
    let handle = KeyHandle(42);
    assert_eq!(KeyHandle::from_f64(handle.to_f64()), Some(handle));
    for bad in [
      0.0,
      -1.0,
      1.5,
      f64::NAN,
      f64::INFINITY,
      9_007_199_254_740_992.0,
    ] {
      assert_eq!(KeyHandle::from_f64(bad), None, "{bad}");
    }
  }
}
