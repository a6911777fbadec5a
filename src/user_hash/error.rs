/// Where a secret came from; it decides what an error message tells the user to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretSource {
  /// The `ATLAS_SECRET` environment variable.
  Env,
  /// The `secret` field of the options argument.
  Options,
}

/// Why a secret cannot be used. Messages never include the secret or any part of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretError {
  /// No secret, or an empty one: a hash keyed with `""` is one Atlas rejects.
  Missing(SecretSource),
  /// A text secret with leading or trailing whitespace, e.g. a pasted newline.
  Whitespace(SecretSource),
}

impl SecretError {
  /// The stable `code` of the JavaScript error.
  pub fn code(self) -> &'static str {
    match self {
      SecretError::Missing(_) => "ERR_ATLAS_SECRET_MISSING",
      SecretError::Whitespace(_) => "ERR_ATLAS_SECRET_INVALID",
    }
  }

  /// What went wrong and what to do about it.
  pub fn message(self) -> &'static str {
    match self {
      SecretError::Missing(SecretSource::Env) => {
        "ATLAS_SECRET is not set or is empty: set it in the server environment to your Atlas \
         identity verification secret (never with a NEXT_PUBLIC_ prefix), or pass { secret } \
         in the options"
      }
      SecretError::Missing(SecretSource::Options) => {
        "options.secret is empty: pass your Atlas identity verification secret, or leave \
         options.secret out to use process.env.ATLAS_SECRET"
      }
      SecretError::Whitespace(SecretSource::Env) => {
        "ATLAS_SECRET starts or ends with whitespace (often a newline pasted into .env or a \
         hosting dashboard), so every hash made with it would be rejected by Atlas: remove \
         the whitespace from the value"
      }
      SecretError::Whitespace(SecretSource::Options) => {
        "options.secret starts or ends with whitespace (often a newline read from a file), so \
         every hash made with it would be rejected by Atlas: trim the value"
      }
    }
  }
}

impl std::fmt::Display for SecretError {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.write_str(self.message())
  }
}

impl std::error::Error for SecretError {}
