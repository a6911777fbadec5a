//! The pure core of atlas-user-hash: Atlas user hashes (HMAC-SHA256 as lowercase hex),
//! their constant-time verification and the checks on the secret. No napi types live here,
//! so `cargo test` and the fuzz targets exercise it without Node.
#![forbid(unsafe_code)]

mod hasher;
mod problem;
mod secret;

pub use hasher::{UserHasher, HASH_HEX_LEN};
pub use problem::SecretProblem;
pub use secret::{check_secret_bytes, check_secret_text, Secret};
