//! Fuzzes the pure core: for any secret, id and claimed hash, hashing gives 64 lowercase hex
//! digits equal to a plain HMAC-SHA256, verification accepts exactly that hash (in either
//! case), keys made for other secrets first agree with a fresh hasher, and the secret check never panics.
#![no_main]

use atlas_user_hash::user_hash::{check_secret_text, Secret, UserHasher};
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

fuzz_target!(|input: (Vec<u8>, Vec<u8>, Vec<u8>, Vec<Vec<u8>>)| {
  let (secret, id, claimed, other_secrets) = input;
  let hasher = UserHasher::new(&secret);
  let hex = hasher.hash_hex(&id);
  assert!(hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));

  let mut plain = Hmac::<Sha256>::new_from_slice(&secret).unwrap();
  plain.update(&id);
  let digest = plain.finalize().into_bytes();
  let mut decoded = [0u8; 32];
  for (i, byte) in decoded.iter_mut().enumerate() {
    *byte = u8::from_str_radix(std::str::from_utf8(&hex[2 * i..2 * i + 2]).unwrap(), 16).unwrap();
  }
  assert_eq!(decoded.as_slice(), digest.as_slice());

  assert!(hasher.verify_hex(&id, &hex));
  assert!(hasher.verify_hex(&id, &hex.to_ascii_uppercase()));
  assert_eq!(hasher.verify_hex(&id, &claimed), claimed.eq_ignore_ascii_case(&hex));

  let keys: Vec<_> = other_secrets.iter().chain([&secret]).map(|s| (s, UserHasher::keyed(Secret::Bytes(s)))).collect();
  for (other, key) in keys.iter().rev() {
    match key {
      Ok(key) => assert_eq!(key.hash_hex(&id), UserHasher::new(other).hash_hex(&id)),
      Err(_) => assert!(other.is_empty()),
    }
  }

  if let Ok(text) = std::str::from_utf8(&secret) {
    let _ = check_secret_text(text);
  }
});
