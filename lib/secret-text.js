'use strict'

// The rule for the ends of a text secret, written once for JavaScript: the pure-JS engine
// (lib/engines/js.mjs) keys nothing that breaks it, and the CLI (bin/atlas-user-hash.js)
// names the characters that break it. The Rust copy of the rule is src/user_hash/secret.rs.

// Unicode White_Space and the byte order mark U+FEFF, which editors leave at a file's start.
const SPACE = /^[\p{White_Space}\uFEFF]$/u

/** Whether the character `c` is one a text secret may not start or end with. */
function isSecretSpace(c) {
  return SPACE.test(c)
}

/** Whether the non-empty text `secret` starts or ends with such a character (a pasted newline, say). */
function hasSurroundingSpace(secret) {
  return isSecretSpace(secret[0]) || isSecretSpace(secret[secret.length - 1])
}

module.exports = { isSecretSpace, hasSurroundingSpace }
