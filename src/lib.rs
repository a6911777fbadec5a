//! The napi binding of atlas-user-hash: converts JavaScript values, picks the secret
//! and maps core errors to JavaScript errors. The hashing itself lives in [`user_hash`];
//! the public API (`generateAtlasUserObject`, …) is `index.js`, built on these exports.
#![deny(clippy::all)]

pub mod user_hash;

mod hex_string;
mod secret_input;

use napi::bindgen_prelude::{Either, Uint8Array};
use napi::Result;
use napi_derive::napi;

use hex_string::HexString;
use secret_input::{hash_with, verify_with, Secret, SecretOrigin};

/// Hashes `userId` with `ATLAS_SECRET` read from the process's native environment.
/// Only right where `process.env` is the native environment (the main thread); `index.js`
/// checks that before it calls this.
#[napi(ts_return_type = "string")]
pub fn user_hash_from_env(user_id: String) -> Result<HexString, &'static str> {
  hash_with(Secret::from_native_env(), &user_id)
}

/// Hashes `userId` with a secret handed in from JavaScript; `origin` says where it came
/// from (for error messages). `undefined` or `null` is a missing secret.
#[napi(ts_return_type = "string")]
pub fn user_hash_with_secret(
  user_id: String,
  secret: Option<Either<String, Uint8Array>>,
  origin: SecretOrigin,
) -> Result<HexString, &'static str> {
  hash_with(Secret::from_js(secret.as_ref(), origin), &user_id)
}

/// Checks `userHash` against `userId` with `ATLAS_SECRET` from the native environment,
/// in constant time.
#[napi]
pub fn verify_user_hash_from_env(user_id: String, user_hash: String) -> Result<bool, &'static str> {
  verify_with(Secret::from_native_env(), &user_id, &user_hash)
}

/// Checks `userHash` against `userId` with a secret handed in from JavaScript, in
/// constant time.
#[napi]
pub fn verify_user_hash_with_secret(
  user_id: String,
  user_hash: String,
  secret: Option<Either<String, Uint8Array>>,
  origin: SecretOrigin,
) -> Result<bool, &'static str> {
  verify_with(
    Secret::from_js(secret.as_ref(), origin),
    &user_id,
    &user_hash,
  )
}

/// Whether the native environment has a variable `name`. `index.js` uses it to find out
/// whether assignments to its `process.env` reach the native environment.
#[napi]
pub fn native_env_has(name: String) -> bool {
  std::env::var_os(name).is_some()
}
