'use strict'

// The one status table of JavaScript: what a hash engine returns instead of a result, to say
// which check failed. The contract (lib/contract.js) turns each into its error; the engines
// (lib/engines/*) return them. The native engine's numbers are `Status` in src/engine.rs;
// __test__/engines.test.mjs makes that engine return each status and compares the values.
// Negative, so that no hash or boolean is taken for one.

/** Engine status numbers: the secret is empty, has surrounding whitespace, or the call panicked. */
const STATUS = Object.freeze({
  SECRET_EMPTY: -1,
  SECRET_WHITESPACE: -2,
  PANIC: -3,
})

module.exports = { STATUS }
