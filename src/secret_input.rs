use std::borrow::Cow;
use std::cell::RefCell;

use napi::bindgen_prelude::{Either, Uint8Array};
use napi_derive::napi;

use crate::hex_string::HexString;
use crate::user_hash::{
  check_secret_bytes, check_secret_text, KeyCache, SecretError, SecretSource, UserHasher,
};

/// The environment variable that holds the secret.
const SECRET_VAR: &str = "ATLAS_SECRET";

/// A binding result whose error carries its stable `code` as the JavaScript `code`.
pub type JsResult<T> = napi::Result<T, &'static str>;

/// Where a secret handed in from JavaScript came from.
#[napi]
pub enum SecretOrigin {
  /// `process.env.ATLAS_SECRET`, read in JavaScript.
  Env,
  /// `options.secret`.
  Options,
}

/// A secret as received, not yet checked.
pub enum Secret<'a> {
  Text(Cow<'a, str>, SecretSource),
  Bytes(&'a [u8], SecretSource),
  Missing(SecretSource),
}

impl<'a> Secret<'a> {
  /// `ATLAS_SECRET` from the native environment. Bytes that are not UTF-8 are decoded the
  /// way Node decodes them for `process.env` (invalid sequences become U+FFFD).
  pub fn from_native_env() -> Secret<'static> {
    match std::env::var_os(SECRET_VAR) {
      Some(value) => Secret::Text(
        Cow::Owned(value.to_string_lossy().into_owned()),
        SecretSource::Env,
      ),
      None => Secret::Missing(SecretSource::Env),
    }
  }

  /// A secret passed from JavaScript.
  pub fn from_js(secret: Option<&'a Either<String, Uint8Array>>, origin: SecretOrigin) -> Self {
    let source = match origin {
      SecretOrigin::Env => SecretSource::Env,
      SecretOrigin::Options => SecretSource::Options,
    };
    match secret {
      Some(Either::A(text)) => Secret::Text(Cow::Borrowed(text), source),
      Some(Either::B(bytes)) => Secret::Bytes(bytes, source),
      None => Secret::Missing(source),
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

thread_local! {
  /// Keyed HMAC states of this thread (the main thread or one worker) for recent secrets.
  static KEYS: RefCell<KeyCache> = RefCell::default();
}

fn with_hasher<T>(secret: Secret<'_>, use_hasher: impl FnOnce(&UserHasher) -> T) -> JsResult<T> {
  let key = secret.key().map_err(to_js_error)?;
  Ok(KEYS.with(|keys| use_hasher(keys.borrow_mut().hasher(key))))
}

/// The user hash of `user_id` keyed with `secret`.
pub fn hash_with(secret: Secret<'_>, user_id: &str) -> JsResult<HexString> {
  with_hasher(secret, |hasher| {
    HexString(hasher.hash_hex(user_id.as_bytes()))
  })
}

/// Whether `user_hash` is the user hash of `user_id` keyed with `secret`.
pub fn verify_with(secret: Secret<'_>, user_id: &str, user_hash: &str) -> JsResult<bool> {
  with_hasher(secret, |hasher| {
    hasher.verify_hex(user_id.as_bytes(), user_hash.as_bytes())
  })
}

fn to_js_error(error: SecretError) -> napi::Error<&'static str> {
  napi::Error::new(error.code(), error.message())
}
