use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::{Secret, SecretProblem};

/// Length of a user hash: 32 bytes of HMAC-SHA256 as hex.
pub const HASH_HEX_LEN: usize = 64;

/// HMAC-SHA256 keyed with one secret. Keying computes the inner and outer pad states
/// once; each hash then clones that state, so reusing a `UserHasher` skips the key setup.
/// Nothing changes it after it is made: a hash or a panic in the middle of one cannot leave
/// it in another state.
#[derive(Clone)]
pub struct UserHasher {
  keyed: Hmac<Sha256>,
}

impl UserHasher {
  /// Keys the HMAC with `secret` (any length: longer keys are hashed first, per RFC 2104).
  pub fn new(secret: &[u8]) -> Self {
    let keyed = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    Self { keyed }
  }

  /// Checks `secret` and keys the HMAC with it.
  pub fn keyed(secret: Secret<'_>) -> Result<Self, SecretProblem> {
    secret.key().map(Self::new)
  }

  /// The user hash of `user_id` (the id's UTF-8 bytes) as lowercase ASCII hex.
  pub fn hash_hex(&self, user_id: &[u8]) -> [u8; HASH_HEX_LEN] {
    let digest = self.mac(user_id).finalize().into_bytes();
    let mut hex_out = [0u8; HASH_HEX_LEN];
    const_hex::encode_to_slice(digest, &mut hex_out).expect("64 hex digits fit 32 bytes");
    hex_out
  }

  /// Whether `user_hash` (64 hex digits, either case) is the user hash of `user_id`.
  /// Anything else is `false`. The digests are compared in constant time.
  pub fn verify_hex(&self, user_id: &[u8], user_hash: &[u8]) -> bool {
    let mut claimed = [0u8; HASH_HEX_LEN / 2];
    if user_hash.len() != HASH_HEX_LEN
      || const_hex::decode_to_slice(user_hash, &mut claimed).is_err()
    {
      return false;
    }
    self.mac(user_id).verify_slice(&claimed).is_ok()
  }

  fn mac(&self, user_id: &[u8]) -> Hmac<Sha256> {
    let mut mac = self.keyed.clone();
    mac.update(user_id);
    mac
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn hash(key: &[u8], data: &[u8]) -> String {
    String::from_utf8(UserHasher::new(key).hash_hex(data).to_vec()).unwrap()
  }

  // RFC 4231 section 4: HMAC-SHA-256 test vectors (test case 5 truncates the output, so it is left out).
  #[test]
  fn rfc4231_vectors() {
    let cases: [(Vec<u8>, Vec<u8>, &str); 6] = [
      (vec![0x0b; 20], b"Hi There".to_vec(), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
      (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
      (vec![0xaa; 20], vec![0xdd; 50], "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
      ((1u8..=25).collect(), vec![0xcd; 50], "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
      (vec![0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
      (
        vec![0xaa; 131],
        b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
      ),
    ];
    for (key, data, want) in cases {
      assert_eq!(hash(&key, &data), want);
    }
  }

  #[test]
  fn keyed_checks_the_secret_then_keys_with_its_bytes() {
    let want = UserHasher::new(b"k").hash_hex(b"id");
    assert_eq!(
      UserHasher::keyed(Secret::Text("k"))
        .unwrap()
        .hash_hex(b"id"),
      want
    );
    assert_eq!(
      UserHasher::keyed(Secret::Bytes(b"k"))
        .unwrap()
        .hash_hex(b"id"),
      want
    );
    assert_eq!(
      UserHasher::keyed(Secret::Text(" k")).err(),
      Some(SecretProblem::Whitespace)
    );
    assert_eq!(
      UserHasher::keyed(Secret::Bytes(&[])).err(),
      Some(SecretProblem::Empty)
    );
  }

  #[test]
  fn output_is_lowercase_hex() {
    let out = UserHasher::new(b"secret").hash_hex(b"user_1");
    assert!(out
      .iter()
      .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)));
  }

  #[test]
  fn reused_hasher_gives_independent_hashes() {
    let hasher = UserHasher::new(b"secret");
    let first = hasher.hash_hex(b"a");
    hasher.hash_hex(b"something else");
    assert_eq!(hasher.hash_hex(b"a"), first);
    assert_ne!(hasher.hash_hex(b"b"), first);
  }

  #[test]
  fn verifies_either_case_and_rejects_the_rest() {
    let hasher = UserHasher::new(b"secret");
    let good = hasher.hash_hex(b"42");
    assert!(hasher.verify_hex(b"42", &good));
    assert!(hasher.verify_hex(b"42", good.to_ascii_uppercase().as_slice()));
    assert!(!hasher.verify_hex(b"43", &good));
    assert!(!hasher.verify_hex(b"42", &good[..63]));
    assert!(!hasher.verify_hex(b"42", &[good.as_slice(), b"0"].concat()));
    assert!(!hasher.verify_hex(b"42", b""));
    let mut not_hex = good;
    not_hex[10] = b'g';
    assert!(!hasher.verify_hex(b"42", &not_hex));
    let mut flipped = good;
    flipped[63] = if flipped[63] == b'0' { b'1' } else { b'0' };
    assert!(!hasher.verify_hex(b"42", &flipped));
  }
}
