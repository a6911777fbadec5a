'use strict'

// The rule for the ends of a text secret, written once for JavaScript: the pure-JS engine
// (lib/engines/js.mjs) keys nothing that breaks it, and the CLI names the characters that
// break it. The Rust core keeps its own copy (src/user_hash/secret.rs), because it must stand
// alone; a test compares the two on every code point. Other files use only these two exports.

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
