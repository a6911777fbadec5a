//! The keys of one JavaScript thread, in safe code: which token names which keyed state.
//! A key's `External` carries its token, a number that this thread never hands out twice;
//! the number is only ever looked up here, never read through, so a value that is no live
//! key of ours finds nothing, and a dropped or stale key never stands for another secret.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::rc::Rc;

use crate::user_hash::UserHasher;

/// One live key: its keyed state and the handle of the finalizer that frees it when the
/// key's `External` is garbage before `dropKey` was called. The state is on the heap so that
/// it stays where it was made while the map grows and entries are removed: a `UserHasher`
/// zeroes itself when dropped (tests/key_wipe.rs), but a copy left behind by a move would not
/// be. It is shared (`Rc`) so that a call can hash with it after the registry's borrow ended.
struct Entry<F> {
  state: Rc<UserHasher>,
  finalizer: F,
}

/// Token → live key, for the keys of one thread; `F` is a finalizer's handle (a Node-API
/// reference in the addon, anything in the tests).
pub struct Registry<F> {
  entries: HashMap<usize, Entry<F>, BuildTokenHasher>,
  /// Where this thread's tokens start: random, so that another addon's `External` (whose
  /// data is a pointer) is unlikely ever to carry a live token.
  first: usize,
  /// How many tokens were handed out.
  made: usize,
}

impl<F> Registry<F> {
  /// An empty registry whose tokens start at `first`.
  pub fn new(first: usize) -> Self {
    Self {
      entries: HashMap::default(),
      first,
      made: 0,
    }
  }

  /// An empty registry whose tokens start at a random place.
  pub fn random() -> Self {
    // Only the low bits are wanted where usize is narrower than u64.
    #[allow(clippy::cast_possible_truncation)]
    Self::new(RandomState::new().build_hasher().finish() as usize)
  }

  /// A token never handed out before by this registry and never 0; `None` once all are
  /// used (after `usize::MAX - 1` keys: never on 64-bit targets).
  pub fn next_token(&mut self) -> Option<usize> {
    loop {
      self.made = self.made.checked_add(1)?;
      let token = self.first.wrapping_add(self.made);
      if token != 0 {
        return Some(token);
      }
    }
  }

  /// Adds the key that `token` (from `next_token`) names from now on.
  pub fn insert(&mut self, token: usize, finalizer: F, state: UserHasher) {
    let state = Rc::new(state);
    self.entries.insert(token, Entry { state, finalizer });
  }

  /// The keyed state that `token` names, shared (no copy of the key is made); `None` for a
  /// dropped key or anything else.
  pub fn state(&self, token: usize) -> Option<Rc<UserHasher>> {
    self
      .entries
      .get(&token)
      .map(|entry| Rc::clone(&entry.state))
  }

  /// Frees the key that `token` names, now; returns its finalizer's handle (to cancel),
  /// or `None` when `token` names no live key.
  pub fn remove(&mut self, token: usize) -> Option<F> {
    self.entries.remove(&token).map(|entry| entry.finalizer)
  }

  /// How many keys are live (for the test hook `liveKeyCount`).
  #[cfg(any(test, feature = "test-hooks"))]
  pub fn len(&self) -> usize {
    self.entries.len()
  }
}

/// Hashes a token cheaply (tokens are consecutive numbers: the multiply spreads them;
/// Fibonacci hashing).
#[derive(Default)]
struct TokenHasher(u64);

impl Hasher for TokenHasher {
  fn finish(&self) -> u64 {
    self.0
  }
  /// Only `write_usize` is used (tokens are `usize`); anything else is folded byte by byte.
  fn write(&mut self, bytes: &[u8]) {
    for &byte in bytes {
      self.0 = self
        .0
        .rotate_left(8)
        .wrapping_add(u64::from(byte))
        .wrapping_mul(SPREAD);
    }
  }
  fn write_usize(&mut self, token: usize) {
    self.0 = (token as u64).wrapping_mul(SPREAD);
  }
}

/// 2⁶⁴ divided by the golden ratio, odd: multiplying by it spreads consecutive numbers.
const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

type BuildTokenHasher = BuildHasherDefault<TokenHasher>;

#[cfg(test)]
mod tests {
  use super::*;
  use std::collections::HashSet;

  fn key(registry: &mut Registry<&'static str>, secret: &[u8], name: &'static str) -> usize {
    let token = registry.next_token().unwrap();
    registry.insert(token, name, UserHasher::new(secret));
    token
  }

  fn hash(registry: &Registry<&'static str>, token: usize) -> Option<[u8; 64]> {
    registry.state(token).map(|state| state.hash_hex(b"u"))
  }

  #[test]
  fn each_token_names_its_own_state_and_nothing_else_names_one() {
    let mut registry = Registry::random();
    let a = key(&mut registry, b"secret-A", "a");
    let b = key(&mut registry, b"secret-B", "b");
    assert_ne!(a, b);
    assert_eq!(
      hash(&registry, a),
      Some(UserHasher::new(b"secret-A").hash_hex(b"u"))
    );
    assert_eq!(
      hash(&registry, b),
      Some(UserHasher::new(b"secret-B").hash_hex(b"u"))
    );
    let never_given = registry.next_token().unwrap();
    assert_eq!(hash(&registry, never_given), None);
    assert_eq!(hash(&registry, 0), None);
    assert_eq!(registry.len(), 2);
  }

  #[test]
  fn a_removed_key_names_nothing_and_gives_back_its_finalizer_once() {
    let mut registry = Registry::random();
    let a = key(&mut registry, b"secret-A", "a");
    let b = key(&mut registry, b"secret-B", "b");
    assert_eq!(registry.remove(a), Some("a"));
    assert_eq!(registry.remove(a), None, "removing twice does nothing");
    assert_eq!(hash(&registry, a), None);
    assert_eq!(
      hash(&registry, b),
      Some(UserHasher::new(b"secret-B").hash_hex(b"u"))
    );
    assert_eq!(registry.len(), 1);
  }

  #[test]
  fn tokens_are_never_handed_out_twice_and_never_zero() {
    // Started just below the wrap-around, so that the counter passes 0.
    let mut registry: Registry<()> = Registry::new(usize::MAX - 5);
    let tokens: Vec<usize> = (0..20).map(|_| registry.next_token().unwrap()).collect();
    assert!(!tokens.contains(&0));
    assert_eq!(tokens.iter().collect::<HashSet<_>>().len(), tokens.len());
    assert_eq!(tokens[0], usize::MAX - 4);
  }

  #[test]
  fn the_token_hasher_spreads_consecutive_tokens() {
    let by_usize = |token: usize| {
      let mut hasher = TokenHasher::default();
      hasher.write_usize(token);
      hasher.finish()
    };
    let by_bytes = |token: usize| {
      let mut hasher = TokenHasher::default();
      hasher.write(&token.to_le_bytes());
      hasher.finish()
    };
    for hash in [by_usize, by_bytes] {
      let hashes: HashSet<u64> = (1000..1256).map(hash).collect();
      assert_eq!(hashes.len(), 256, "consecutive tokens hash apart");
      // The top bits pick HashMap's group: consecutive tokens must differ there too.
      let top: HashSet<u64> = (1000..1016).map(|token| hash(token) >> 57).collect();
      assert!(top.len() > 8, "{} of 16 top-bit patterns", top.len());
    }
  }

  #[test]
  fn tokens_run_out_rather_than_repeat() {
    let mut registry: Registry<()> = Registry::new(7);
    registry.made = usize::MAX - 2;
    assert!(registry.next_token().is_some());
    assert!(registry.next_token().is_some());
    assert_eq!(registry.next_token(), None);
    assert_eq!(registry.next_token(), None, "and stay out");
  }
}
