use super::UserHasher;

/// How many secrets a cache keeps keyed: enough for a rotation (old and new secret) and
/// a few tenants, small enough that a linear scan beats hashing.
const SLOTS: usize = 4;

/// Keyed HMAC states for the last few secrets used, so a repeated secret skips key setup.
/// An entry is found only by comparing the whole secret, so one secret's state is never
/// served for another. Each thread keeps its own cache; nothing here is shared.
#[derive(Default)]
pub struct KeyCache {
  entries: Vec<(Box<[u8]>, UserHasher)>,
  next_evicted: usize,
}

impl KeyCache {
  /// The hasher keyed with `secret`, made and cached on first use.
  pub fn hasher(&mut self, secret: &[u8]) -> &UserHasher {
    let index = match self.entries.iter().position(|(key, _)| **key == *secret) {
      Some(found) => found,
      None => self.insert(secret),
    };
    &self.entries[index].1
  }

  fn insert(&mut self, secret: &[u8]) -> usize {
    let entry = (Box::from(secret), UserHasher::new(secret));
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

  #[test]
  fn each_secret_gets_its_own_state() {
    let mut cache = KeyCache::default();
    let secrets: Vec<Vec<u8>> = (0..3 * SLOTS)
      .map(|i| format!("secret-{i}").into_bytes())
      .collect();
    for round in 0..3 {
      for secret in secrets.iter().cycle().skip(round).take(secrets.len() + 1) {
        let want = UserHasher::new(secret).hash_hex(b"user");
        assert_eq!(cache.hasher(secret).hash_hex(b"user"), want);
      }
    }
    assert!(cache.entries.len() <= SLOTS);
  }

  #[test]
  fn prefixes_are_different_secrets() {
    let mut cache = KeyCache::default();
    let long = cache.hasher(b"abcd").hash_hex(b"id");
    let short = cache.hasher(b"abc").hash_hex(b"id");
    assert_ne!(long, short);
    assert_eq!(short, UserHasher::new(b"abc").hash_hex(b"id"));
  }
}
