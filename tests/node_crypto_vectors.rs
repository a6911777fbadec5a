//! The Rust core against user hashes computed by node:crypto (`__test__/fixtures/vectors.json`,
//! written by `scripts/make-vectors.mjs`): ASCII, accented, CJK, emoji, lone-surrogate,
//! NUL, 1000-character and numeric ids, with secrets of 1, 64, 65 and 200 bytes.
use atlas_user_hash::user_hash::{Secret, UserHasher};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vector {
  name: String,
  id_utf8_hex: String,
  secret_utf8_hex: String,
  user_hash: String,
}

fn vectors() -> Vec<Vector> {
  let path = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/__test__/fixtures/vectors.json"
  );
  let vectors: Vec<Vector> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
  assert!(vectors.len() >= 50, "the fixture lost its vectors");
  vectors
}

/// Asserts that `hasher` gives the vector's hash for its id.
fn assert_hashes_like_node(hasher: &UserHasher, v: &Vector) -> Vec<u8> {
  let id = const_hex::decode(&v.id_utf8_hex).unwrap();
  let hex = hasher.hash_hex(&id);
  assert_eq!(
    std::str::from_utf8(&hex).unwrap(),
    v.user_hash,
    "{}",
    v.name
  );
  id
}

#[test]
fn hashes_match_node_crypto() {
  for v in vectors() {
    let hasher = UserHasher::new(&const_hex::decode(&v.secret_utf8_hex).unwrap());
    let id = assert_hashes_like_node(&hasher, &v);
    assert!(hasher.verify_hex(&id, v.user_hash.as_bytes()), "{}", v.name);
    let upper = v.user_hash.to_uppercase();
    assert!(hasher.verify_hex(&id, upper.as_bytes()), "{}", v.name);
  }
}

#[test]
fn keys_match_node_crypto_when_secrets_alternate() {
  let vectors = vectors();
  let keys: Vec<UserHasher> = vectors
    .iter()
    .map(|v| {
      UserHasher::keyed(Secret::Bytes(
        &const_hex::decode(&v.secret_utf8_hex).unwrap(),
      ))
      .unwrap()
    })
    .collect();
  for (key, v) in keys
    .iter()
    .zip(&vectors)
    .chain(keys.iter().zip(&vectors).rev())
  {
    assert_hashes_like_node(key, v);
  }
}
