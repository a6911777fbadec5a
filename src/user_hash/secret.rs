use super::{SecretError, SecretSource};

/// Checks a text secret: it must be non-empty and must not start or end with
/// whitespace (Unicode White_Space, plus the byte order mark U+FEFF that editors
/// sometimes leave at the start of a file). Only the first and last characters are
/// looked at, so the check costs the same for any length.
pub fn check_secret_text(secret: &str, source: SecretSource) -> Result<(), SecretError> {
  let (Some(first), Some(last)) = (secret.chars().next(), secret.chars().next_back()) else {
    return Err(SecretError::Missing(source));
  };
  if is_space(first) || is_space(last) {
    return Err(SecretError::Whitespace(source));
  }
  Ok(())
}

/// Checks a binary secret (a `Uint8Array` key): any bytes are a key, but none is not.
pub fn check_secret_bytes(secret: &[u8], source: SecretSource) -> Result<(), SecretError> {
  if secret.is_empty() {
    return Err(SecretError::Missing(source));
  }
  Ok(())
}

fn is_space(c: char) -> bool {
  c.is_whitespace() || c == '\u{FEFF}'
}

#[cfg(test)]
mod tests {
  use super::*;
  use SecretSource::{Env, Options};

  #[test]
  fn accepts_plain_secrets() {
    assert_eq!(check_secret_text("s3cr3t", Env), Ok(()));
    assert_eq!(
      check_secret_text("a b", Env),
      Ok(()),
      "inner spaces are part of the key"
    );
    assert_eq!(check_secret_text("ü", Options), Ok(()));
    assert_eq!(check_secret_bytes(&[0], Options), Ok(()));
  }

  #[test]
  fn rejects_empty_secrets() {
    assert_eq!(check_secret_text("", Env), Err(SecretError::Missing(Env)));
    assert_eq!(
      check_secret_bytes(&[], Options),
      Err(SecretError::Missing(Options))
    );
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
      " ",
    ] {
      assert_eq!(
        check_secret_text(bad, Options),
        Err(SecretError::Whitespace(Options)),
        "{bad:?}"
      );
    }
  }

  #[test]
  fn messages_have_stable_codes() {
    assert_eq!(SecretError::Missing(Env).code(), "ERR_ATLAS_SECRET_MISSING");
    assert_eq!(
      SecretError::Whitespace(Env).code(),
      "ERR_ATLAS_SECRET_INVALID"
    );
    assert!(SecretError::Missing(Env).message().contains("ATLAS_SECRET"));
    assert!(SecretError::Whitespace(Options)
      .message()
      .contains("options.secret"));
  }
}
