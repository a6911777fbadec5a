//! The napi binding of atlas-user-hash: converts JavaScript values, picks the secret
//! and maps core errors to JavaScript errors. The hashing itself lives in [`user_hash`];
//! the public API (`generateAtlasUserObject`, …) is `index.js`, built on these exports.
//! The hot-path export `userHashFromEnv` is a raw N-API callback in [`fast_path`].
#![deny(clippy::all, clippy::undocumented_unsafe_blocks)]

pub mod user_hash;

mod fast_path;
mod hex_string;
mod secret_arg;
mod secret_input;
mod utf8_arg;

use napi::Result;
use napi_derive::napi;

use hex_string::HexString;
use secret_arg::SecretArg;
use secret_input::{hash_with, verify_with, with_native_env_secret, Secret};
use utf8_arg::Utf8Arg;

/// Hashes `userId` with a secret handed in from JavaScript: `options.secret` when
/// `fromOptions`, else `process.env.ATLAS_SECRET` as read in JavaScript (this decides what
/// an error message tells the user to fix). `undefined` or `null` is a missing secret.
#[napi(
  ts_args_type = "userId: string, secret: string | Uint8Array | undefined | null, fromOptions: boolean",
  ts_return_type = "string"
)]
pub fn user_hash_with_secret(
  user_id: Utf8Arg,
  secret: SecretArg,
  from_options: bool,
) -> Result<HexString, &'static str> {
  hash_with(Secret::from_js(&secret, from_options), user_id.as_bytes())
}

/// Checks `userHash` against `userId` with `ATLAS_SECRET` from the native environment,
/// in constant time.
#[napi(ts_args_type = "userId: string, userHash: string")]
pub fn verify_user_hash_from_env(
  user_id: Utf8Arg,
  user_hash: Utf8Arg,
) -> Result<bool, &'static str> {
  with_native_env_secret(|secret| verify_with(secret, user_id.as_bytes(), user_hash.as_bytes()))
}

/// Checks `userHash` against `userId` with a secret handed in from JavaScript, in
/// constant time.
#[napi(
  ts_args_type = "userId: string, userHash: string, secret: string | Uint8Array | undefined | null, fromOptions: boolean"
)]
pub fn verify_user_hash_with_secret(
  user_id: Utf8Arg,
  user_hash: Utf8Arg,
  secret: SecretArg,
  from_options: bool,
) -> Result<bool, &'static str> {
  verify_with(
    Secret::from_js(&secret, from_options),
    user_id.as_bytes(),
    user_hash.as_bytes(),
  )
}

/// Whether the native environment has a variable `name`. `index.js` uses it to find out
/// whether assignments to its `process.env` reach the native environment.
#[napi(ts_args_type = "name: string")]
pub fn native_env_has(name: Utf8Arg) -> bool {
  std::str::from_utf8(name.as_bytes()).is_ok_and(|name| std::env::var_os(name).is_some())
}
