//! The text-secret rule is written twice: `src/user_hash/secret.rs` (the Rust core stands
//! alone) and `lib/secret-text.js` (`isSecretSpace`, for the pure-JS engine and the CLI). This
//! asks Node for every Unicode scalar value (U+0000..=U+10FFFF less the surrogates) that the
//! JavaScript rule refuses at a secret's end, and checks that the Rust core refuses exactly
//! those, at either end: every code point, not a sample. Node is part of this project's test
//! setup; without it the test fails and says so.
use std::process::Command;

use atlas_user_hash::user_hash::{check_secret_text, SecretProblem};

/// The code points `isSecretSpace` refuses, and how many code points Node tried.
fn refused_by_javascript() -> (Vec<u32>, u32) {
  let rule = concat!(env!("CARGO_MANIFEST_DIR"), "/lib/secret-text.js");
  let script = format!(
    "const {{ isSecretSpace }} = require({rule:?})
const refused = []
let tried = 0
for (let c = 0; c <= 0x10ffff; c++) {{
  if (c >= 0xd800 && c <= 0xdfff) continue
  tried++
  if (isSecretSpace(String.fromCodePoint(c))) refused.push(c)
}}
console.log(JSON.stringify({{ refused, tried }}))"
  );
  let output = Command::new("node")
    .args(["-e", &script])
    .output()
    .unwrap_or_else(|error| {
      panic!("this test runs `node` (on PATH) to read lib/secret-text.js: {error}")
    });
  assert!(
    output.status.success(),
    "node failed: {}",
    String::from_utf8_lossy(&output.stderr)
  );
  let answer: serde_json::Value = serde_json::from_slice(&output.stdout).expect("node's JSON");
  let refused = answer["refused"]
    .as_array()
    .expect("refused")
    .iter()
    .map(|c| u32::try_from(c.as_u64().expect("a code point")).expect("a code point"))
    .collect();
  let tried = u32::try_from(answer["tried"].as_u64().expect("tried")).expect("a count");
  (refused, tried)
}

#[test]
fn the_rust_and_javascript_rules_refuse_the_same_code_points() {
  let (refused, tried) = refused_by_javascript();
  let scalars: Vec<char> = (0..=0x10FFFF).filter_map(char::from_u32).collect();
  assert_eq!(
    tried as usize,
    scalars.len(),
    "Node tried every scalar value"
  );
  assert_eq!(scalars.len(), 0x110000 - 0x800);
  let mut disagreements = Vec::new();
  for c in scalars {
    let javascript = refused.binary_search(&(c as u32)).is_ok();
    for (secret, end) in [(format!("{c}k"), "first"), (format!("k{c}"), "last")] {
      let rust = check_secret_text(&secret) == Err(SecretProblem::Whitespace);
      if rust != javascript {
        disagreements.push(format!(
          "U+{:04X} {end}: Rust {rust}, JavaScript {javascript}",
          c as u32
        ));
      }
    }
  }
  assert!(
    disagreements.is_empty(),
    "{} disagreements: {:?}",
    disagreements.len(),
    &disagreements[..disagreements.len().min(20)]
  );
  assert!(
    refused.len() > 20,
    "the JavaScript rule refuses {} code points",
    refused.len()
  );
}
