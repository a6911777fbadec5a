//! Property tests of the Rust core against a textbook HMAC built from SHA-256 alone
//! (RFC 2104: H((K ^ opad) || H((K ^ ipad) || m))), with a hex encoder of its own.
//! Each test prints its seed (cargo test shows it when the test fails) and replays it with
//! `PROPTEST_RNG_SEED=<seed> cargo test --test core_properties`.
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use atlas_user_hash::user_hash::{check_secret_text, Secret, SecretProblem, UserHasher};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use sha2::{Digest, Sha256};

/// `cases` random cases from a seed: `PROPTEST_RNG_SEED` when set, else a random one, printed
/// either way. Shrinking a failure stops after 10 s, so a failing run ends in bounded time.
/// The seed is the one way to replay: no regression files are written into the repository.
fn config(cases: u32) -> ProptestConfig {
  let seed = match std::env::var("PROPTEST_RNG_SEED") {
    Ok(text) => text
      .parse()
      .unwrap_or_else(|_| panic!("PROPTEST_RNG_SEED must be a u64, not {text:?}")),
    Err(_) => RandomState::new().build_hasher().finish(),
  };
  eprintln!(
    "proptest seed {seed}: replay with PROPTEST_RNG_SEED={seed} cargo test --test core_properties"
  );
  ProptestConfig {
    cases,
    rng_seed: RngSeed::Fixed(seed),
    max_shrink_time: 10_000,
    failure_persistence: None,
    ..ProptestConfig::default()
  }
}

fn textbook_hmac_hex(key: &[u8], message: &[u8]) -> String {
  let mut block = [0u8; 64];
  if key.len() > 64 {
    block[..32].copy_from_slice(&Sha256::digest(key));
  } else {
    block[..key.len()].copy_from_slice(key);
  }
  let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
  let inner = Sha256::new()
    .chain_update(pad(0x36))
    .chain_update(message)
    .finalize();
  let outer = Sha256::new()
    .chain_update(pad(0x5c))
    .chain_update(inner)
    .finalize();
  outer.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_of(hasher: &UserHasher, id: &[u8]) -> String {
  String::from_utf8(hasher.hash_hex(id).to_vec()).unwrap()
}

proptest! {
  #![proptest_config(config(1000))]

  #[test]
  fn hash_equals_textbook_hmac(key in proptest::collection::vec(any::<u8>(), 0..200), id in proptest::collection::vec(any::<u8>(), 0..300)) {
    prop_assert_eq!(hex_of(&UserHasher::new(&key), &id), textbook_hmac_hex(&key, &id));
  }

  #[test]
  fn text_ids_hash_as_their_utf8(key in "\\PC{1,80}", id in "\\PC{1,120}") {
    prop_assert_eq!(hex_of(&UserHasher::new(key.as_bytes()), id.as_bytes()), textbook_hmac_hex(key.as_bytes(), id.as_bytes()));
  }

  #[test]
  fn verify_accepts_only_the_hash(key in proptest::collection::vec(any::<u8>(), 1..100), id in proptest::collection::vec(any::<u8>(), 0..100), position in 0usize..64, claimed in proptest::collection::vec(any::<u8>(), 0..80)) {
    let hasher = UserHasher::new(&key);
    let good = hasher.hash_hex(&id);
    prop_assert!(hasher.verify_hex(&id, &good));
    prop_assert!(hasher.verify_hex(&id, &good.to_ascii_uppercase()));
    let mut changed = good;
    changed[position] = if changed[position] == b'0' { b'1' } else { b'0' };
    prop_assert!(!hasher.verify_hex(&id, &changed));
    prop_assert_eq!(hasher.verify_hex(&id, &claimed), claimed.eq_ignore_ascii_case(&good));
  }

  #[test]
  fn keys_never_mix_up_secrets(secrets in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..70), 1..12), calls in proptest::collection::vec((any::<prop::sample::Index>(), proptest::collection::vec(any::<u8>(), 0..40)), 1..60)) {
    // One key per secret, made up front and used in any order, as the JavaScript cache does.
    let keys: Vec<UserHasher> = secrets.iter().map(|s| UserHasher::keyed(Secret::Bytes(s)).unwrap()).collect();
    for (which, id) in calls {
      let index = which.index(secrets.len());
      prop_assert_eq!(hex_of(&keys[index], &id), textbook_hmac_hex(&secrets[index], &id));
    }
  }

  #[test]
  fn secret_text_check_matches_the_unicode_white_space_table(core in "\\PC{0,12}", first in any::<char>(), last in any::<char>()) {
    let secret = format!("{first}{core}{last}");
    let expected = if in_white_space_table(first) || in_white_space_table(last) {
      Err(SecretProblem::Whitespace)
    } else {
      Ok(())
    };
    prop_assert_eq!(check_secret_text(&secret), expected);
  }
}

/// The oracle: Unicode's White_Space property as PropList.txt lists it (Unicode 16), and the
/// byte order mark U+FEFF, written out rather than asked of `char::is_whitespace`.
fn in_white_space_table(c: char) -> bool {
  matches!(
    c as u32,
    0x09..=0x0D | 0x20 | 0x85 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000 | 0xFEFF
  )
}

#[test]
fn every_white_space_code_point_is_caught_at_either_end() {
  for c in (0..=0x10FFFF).filter_map(char::from_u32) {
    let expected = if in_white_space_table(c) {
      Err(SecretProblem::Whitespace)
    } else {
      Ok(())
    };
    assert_eq!(
      check_secret_text(&format!("{c}secret")),
      expected,
      "U+{:04X} first",
      c as u32
    );
    assert_eq!(
      check_secret_text(&format!("secret{c}")),
      expected,
      "U+{:04X} last",
      c as u32
    );
  }
  assert_eq!(check_secret_text(""), Err(SecretProblem::Empty));
}

#[test]
fn a_seed_replays_the_same_cases() {
  use proptest::strategy::{Strategy, ValueTree};
  use proptest::test_runner::TestRunner;
  let draw = |seed: u64| {
    let mut runner = TestRunner::new(ProptestConfig {
      rng_seed: RngSeed::Fixed(seed),
      ..ProptestConfig::default()
    });
    let ids = proptest::collection::vec(any::<u8>(), 0..50);
    (0..20)
      .map(|_| ids.new_tree(&mut runner).unwrap().current())
      .collect::<Vec<_>>()
  };
  assert_eq!(draw(7), draw(7), "one seed, the same cases");
  assert_ne!(draw(7), draw(8));
}

#[test]
fn every_key_and_id_length_around_the_block_boundaries_matches_the_textbook_hmac() {
  // SHA-256 pads into one more block from 56 bytes on, and the key is hashed past 64: every id
  // length from 0 to 200 (the inner hash's message is 64 bytes longer) with keys on both sides.
  for key_len in [0, 1, 31, 32, 55, 56, 63, 64, 65, 127, 128, 129, 200] {
    let key: Vec<u8> = (0..key_len)
      .map(|i: usize| (i * 7 + 3).to_le_bytes()[0])
      .collect();
    let hasher = UserHasher::new(&key);
    for id_len in 0..=200 {
      let id: Vec<u8> = (0..id_len)
        .map(|i: usize| (i * 13 + 1).to_le_bytes()[0])
        .collect();
      assert_eq!(
        hex_of(&hasher, &id),
        textbook_hmac_hex(&key, &id),
        "key {key_len} bytes, id {id_len} bytes"
      );
    }
  }
}
