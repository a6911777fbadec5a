use std::borrow::Cow;
use std::cell::RefCell;

use crate::hex_string::HexString;
use crate::secret_arg::SecretArg;
use crate::user_hash::{
  check_secret_bytes, check_secret_text, KeyCache, SecretError, SecretSource, UserHasher,
};

/// The environment variable that holds the secret.
const SECRET_VAR: &std::ffi::CStr = c"ATLAS_SECRET";

/// A binding result whose error carries its stable `code` as the JavaScript `code`.
pub type JsResult<T> = napi::Result<T, &'static str>;

/// A secret as received, not yet checked.
pub enum Secret<'a> {
  Text(Cow<'a, str>, SecretSource),
  Bytes(&'a [u8], SecretSource),
  Missing(SecretSource),
}

impl<'a> Secret<'a> {
  /// A secret passed from JavaScript: `options.secret` when `from_options`, else
  /// `process.env.ATLAS_SECRET` as JavaScript read it.
  pub fn from_js(secret: &'a SecretArg, from_options: bool) -> Self {
    let source = if from_options {
      SecretSource::Options
    } else {
      SecretSource::Env
    };
    match secret {
      // V8 writes well-formed UTF-8 (lone surrogates become U+FFFD), so this borrows.
      SecretArg::Text(text) => Secret::Text(String::from_utf8_lossy(text.as_bytes()), source),
      SecretArg::Bytes(bytes) => Secret::Bytes(bytes, source),
      SecretArg::Absent => Secret::Missing(source),
    }
  }

  /// The key bytes, once the secret passes its checks.
  fn key(&self) -> Result<&[u8], SecretError> {
    match self {
      Secret::Text(text, source) => check_secret_text(text, *source).map(|()| text.as_bytes()),
      Secret::Bytes(bytes, source) => check_secret_bytes(bytes, *source).map(|()| *bytes),
      Secret::Missing(source) => Err(SecretError::Missing(*source)),
    }
  }
}

/// Runs `use_secret` with `ATLAS_SECRET` from the native environment. Bytes that are not
/// UTF-8 are decoded the way Node decodes them for `process.env` (invalid sequences become
/// U+FFFD). On Unix the value is read in place with `getenv`: no allocation, no lock.
pub fn with_native_env_secret<T>(use_secret: impl FnOnce(Secret<'_>) -> T) -> T {
  #[cfg(unix)]
  {
    extern "C" {
      fn getenv(name: *const std::ffi::c_char) -> *const std::ffi::c_char;
    }
    // SAFETY: the name is NUL-terminated. The returned pointer, if not null, is a
    // NUL-terminated string in the environment that stays valid until the environment is
    // changed. This runs on the JavaScript thread whose `process.env` is the native
    // environment (index.js checks that), so Node cannot change it during this call; the
    // borrow does not outlive `use_secret`. (A `SHARE_ENV` worker writing the environment
    // concurrently is the documented exception, as it is for `std::env::var_os`, which
    // takes a lock that Node's `setenv` does not.)
    let value = unsafe { getenv(SECRET_VAR.as_ptr()) };
    if value.is_null() {
      return use_secret(Secret::Missing(SecretSource::Env));
    }
    // SAFETY: see above; `value` is non-null and NUL-terminated.
    let bytes = unsafe { std::ffi::CStr::from_ptr(value) }.to_bytes();
    use_secret(Secret::Text(
      String::from_utf8_lossy(bytes),
      SecretSource::Env,
    ))
  }
  #[cfg(not(unix))]
  {
    // On Windows Node writes the environment with SetEnvironmentVariableW, which the C
    // runtime's getenv does not see; std reads it with GetEnvironmentVariableW.
    match SECRET_VAR.to_str().ok().and_then(std::env::var_os) {
      Some(value) => {
        let text = value
          .into_string()
          .unwrap_or_else(|raw| raw.to_string_lossy().into_owned());
        use_secret(Secret::Text(Cow::Owned(text), SecretSource::Env))
      }
      None => use_secret(Secret::Missing(SecretSource::Env)),
    }
  }
}

thread_local! {
  /// Keyed HMAC states of this thread (the main thread or one worker) for recent secrets.
  static KEYS: RefCell<KeyCache> = RefCell::default();
}

fn with_hasher<T>(secret: Secret<'_>, use_hasher: impl FnOnce(&UserHasher) -> T) -> JsResult<T> {
  let key = secret.key().map_err(to_js_error)?;
  Ok(KEYS.with(|keys| use_hasher(keys.borrow_mut().hasher(key))))
}

/// The user hash of `user_id` keyed with `secret`.
pub fn hash_with(secret: Secret<'_>, user_id: &[u8]) -> JsResult<HexString> {
  with_hasher(secret, |hasher| HexString(hasher.hash_hex(user_id)))
}

/// Whether `user_hash` is the user hash of `user_id` keyed with `secret`.
pub fn verify_with(secret: Secret<'_>, user_id: &[u8], user_hash: &[u8]) -> JsResult<bool> {
  with_hasher(secret, |hasher| hasher.verify_hex(user_id, user_hash))
}

fn to_js_error(error: SecretError) -> napi::Error<&'static str> {
  napi::Error::new(error.code(), error.message())
}
