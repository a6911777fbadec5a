use sha2::digest::generic_array::GenericArray;
use sha2::{compress256, Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::{Secret, SecretProblem};

/// Length of a user hash: 32 bytes of HMAC-SHA256 as hex.
pub const HASH_HEX_LEN: usize = 64;

/// SHA-256's block size in bytes: the size of an HMAC key block.
const BLOCK: usize = 64;

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [
  0x6a09_e667,
  0xbb67_ae85,
  0x3c6e_f372,
  0xa54f_f53a,
  0x510e_527f,
  0x9b05_688c,
  0x1f83_d9ab,
  0x5be0_cd19,
];

/// HMAC-SHA256 (RFC 2104) keyed with one secret: the SHA-256 states after the key's inner pad
/// block (key ^ 0x36…) and outer pad block (key ^ 0x5c…), computed once, so that reusing a
/// `UserHasher` skips the key setup. Each hash continues from copies of the two states, with
/// SHA-256's block function (`sha2::compress256`, hardware SHA where the CPU has it).
/// Nothing changes it after it is made: a hash or a panic in the middle of one cannot leave
/// it in another state. The states stand for the secret: they are zeroed when the
/// `UserHasher` is dropped, and so is each copy a hash makes, and the key block. It is not
/// `Clone`: a copy of the states could outlive the key's wipe.
pub struct UserHasher {
  inner: [u32; 8],
  outer: [u32; 8],
}

impl Drop for UserHasher {
  fn drop(&mut self) {
    self.inner.zeroize();
    self.outer.zeroize();
  }
}

impl UserHasher {
  /// Keys the HMAC with `secret` (any length: longer keys are hashed first, per RFC 2104).
  pub fn new(secret: &[u8]) -> Self {
    let mut key = Zeroizing::new([0u8; BLOCK]);
    if secret.len() > BLOCK {
      let mut digest = Sha256::digest(secret);
      key[..digest.len()].copy_from_slice(&digest);
      digest.as_mut_slice().zeroize();
    } else {
      key[..secret.len()].copy_from_slice(secret);
    }
    Self {
      inner: pad_state(&key, 0x36),
      outer: pad_state(&key, 0x5c),
    }
  }

  /// Checks `secret` and keys the HMAC with it.
  pub fn keyed(secret: Secret<'_>) -> Result<Self, SecretProblem> {
    secret.key().map(Self::new)
  }

  /// The user hash of `user_id` (the id's UTF-8 bytes) as lowercase ASCII hex.
  pub fn hash_hex(&self, user_id: &[u8]) -> [u8; HASH_HEX_LEN] {
    let mut hex_out = [0u8; HASH_HEX_LEN];
    const_hex::encode_to_slice(self.mac(user_id), &mut hex_out)
      .expect("64 hex digits fit 32 bytes");
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
    self.mac(user_id).ct_eq(&claimed).into()
  }

  /// HMAC-SHA256 of `user_id`: H((K ^ opad) || H((K ^ ipad) || user_id)).
  fn mac(&self, user_id: &[u8]) -> [u8; 32] {
    let inner = finish(&self.inner, user_id);
    finish(&self.outer, &inner)
  }
}

/// The SHA-256 state after one block: `key` ^ `pad` in every byte.
fn pad_state(key: &[u8; BLOCK], pad: u8) -> [u32; 8] {
  let mut block = Zeroizing::new([0u8; BLOCK]);
  for (byte, key_byte) in block.iter_mut().zip(key) {
    *byte = key_byte ^ pad;
  }
  let mut state = IV;
  compress(&mut state, &block);
  state
}

/// The SHA-256 digest of a message whose first block (a pad block) left `state`, and whose
/// remaining bytes are `message`: the rest of the blocks, then FIPS 180-4's padding (0x80,
/// zeros, the whole message's length in bits, big-endian). The state is copied from
/// `key_state` straight into a buffer that is zeroed afterwards (passing it by value would
/// leave another copy on the stack).
fn finish(key_state: &[u32; 8], message: &[u8]) -> [u8; 32] {
  let mut state = Zeroizing::new([0u32; 8]);
  state.copy_from_slice(key_state);
  let mut blocks = message.chunks_exact(BLOCK);
  for block in &mut blocks {
    compress(&mut state, block.try_into().expect("a whole block"));
  }
  let rest = blocks.remainder();
  // The tail holds the message's last bytes (an id, or the inner digest): nothing to zero.
  let mut tail = [0u8; 2 * BLOCK];
  tail[..rest.len()].copy_from_slice(rest);
  tail[rest.len()] = 0x80;
  // The length takes the last 8 bytes: a second block when fewer than 9 are left.
  let end = if rest.len() < BLOCK - 8 {
    BLOCK
  } else {
    2 * BLOCK
  };
  let bits = u64::try_from(BLOCK + message.len())
    .expect("a length in bytes fits 64 bits")
    .wrapping_mul(8);
  tail[end - 8..end].copy_from_slice(&bits.to_be_bytes());
  for block in tail[..end].chunks_exact(BLOCK) {
    compress(&mut state, block.try_into().expect("a whole block"));
  }
  let mut digest = [0u8; 32];
  for (bytes, word) in digest.chunks_exact_mut(4).zip(state.iter()) {
    bytes.copy_from_slice(&word.to_be_bytes());
  }
  digest
}

/// SHA-256's block function on one block.
fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
  compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
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
