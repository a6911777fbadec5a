//! The pure core of atlas-user-hash: Atlas user hashes (HMAC-SHA256 as lowercase hex),
//! their constant-time verification and the checks on the secret. No napi types live
//! here, so `cargo test` and the fuzz targets exercise it without Node.
#![forbid(unsafe_code)]

mod error;
mod hasher;
mod key_cache;
mod secret;

pub use error::{SecretError, SecretSource};
pub use hasher::{UserHasher, HASH_HEX_LEN};
pub use key_cache::KeyCache;
pub use secret::{check_secret_bytes, check_secret_text};
