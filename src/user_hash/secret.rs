use super::SecretProblem;

/// A secret as it reaches an engine: text (checked for surrounding whitespace) or raw bytes.
/// Not `Debug`, so that no `{:?}` can print one.
#[derive(Clone, Copy)]
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

/// Checks a text secret: it must be non-empty and must not start or end with
/// whitespace (Unicode White_Space, plus the byte order mark U+FEFF that editors sometimes
/// leave at the start of a file). The core keeps its own copy of the rule, so that it stands
/// alone; the JavaScript one is `isSecretSpace` in `lib/secret-text.js`, and
/// `tests/secret_rule_agrees_with_js.rs` checks that both refuse the same code points, all of
/// them. Only the first and last characters are
/// looked at, so the check costs the same for any length.
pub fn check_secret_text(secret: &str) -> Result<(), SecretProblem> {
  let (Some(first), Some(last)) = (secret.chars().next(), secret.chars().next_back()) else {
    return Err(SecretProblem::Empty);
  };
  if is_space(first) || is_space(last) {
    return Err(SecretProblem::Whitespace);
  }
  Ok(())
}

/// Checks a binary secret (a `Uint8Array` key): any bytes are a key, but none is not.
pub fn check_secret_bytes(secret: &[u8]) -> Result<(), SecretProblem> {
  if secret.is_empty() {
    return Err(SecretProblem::Empty);
  }
  Ok(())
}

fn is_space(c: char) -> bool {
  c.is_whitespace() || c == '\u{FEFF}'
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn accepts_plain_secrets() {
    assert_eq!(check_secret_text("s3cr3t"), Ok(()));
    assert_eq!(
      check_secret_text("a b"),
      Ok(()),
      "inner spaces are part of the key"
    );
    assert_eq!(check_secret_text("ü"), Ok(()));
    assert_eq!(check_secret_text("x"), Ok(()));
    assert_eq!(check_secret_bytes(&[0]), Ok(()));
    assert_eq!(check_secret_bytes(b" "), Ok(()), "bytes are never trimmed");
  }

  #[test]
  fn a_secret_gives_its_key_bytes_once_checked() {
    assert_eq!(Secret::Text("ab").key(), Ok(&b"ab"[..]));
    assert_eq!(Secret::Bytes(b" x\n").key(), Ok(&b" x\n"[..]));
    assert_eq!(Secret::Text("x\n").key(), Err(SecretProblem::Whitespace));
    assert_eq!(Secret::Text("").key(), Err(SecretProblem::Empty));
    assert_eq!(Secret::Bytes(&[]).key(), Err(SecretProblem::Empty));
  }

  #[test]
  fn rejects_empty_secrets() {
    assert_eq!(check_secret_text(""), Err(SecretProblem::Empty));
    assert_eq!(check_secret_bytes(&[]), Err(SecretProblem::Empty));
  }

  #[test]
  fn rejects_surrounding_whitespace() {
    for bad in [
      "secret\n",
      "\nsecret",
      " secret",
      "secret ",
      "\tsecret",
      "secret\r\n",
      "\u{FEFF}secret",
      "secret\u{A0}",
      "\u{85}secret",
      "secret\u{3000}",
      " ",
    ] {
      assert_eq!(
        check_secret_text(bad),
        Err(SecretProblem::Whitespace),
        "{bad:?}"
      );
    }
  }
}
