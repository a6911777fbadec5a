'use strict'

// How the command prints: one JSON object per run with --json, notes on standard error,
// and a failure as its code and a sentence, with the secret hidden (see redact.js).

const { CliError } = require('./errors.js')
const { hideWholeSecrets, redactSecrets } = require('./redact.js')

/** `value` as one line of JSON. */
function jsonLine(value) {
  return `${JSON.stringify(value)}\n`
}

/** Each note as a `note: …` line. */
function printNotes(notes, write) {
  for (const note of notes) write(`note: ${note}\n`)
}

/**
 * Prints a failure as its code and a sentence, on standard error (and as JSON on standard
 * output with --json). Only the code and message are printed, never a stack, with the
 * secret hidden (see redact.js): in the command's own sentences a whole secret, in any other
 * message every stretch that matches a piece of one, in case it quoted one. A code that is
 * not the package's own becomes ERR_ATLAS_UNEXPECTED: a bug.
 */
function reportError(error, { json, secrets = [], typed = [] }, io) {
  const code = error && typeof error.code === 'string' && /^ERR_ATLAS_[A-Z0-9_]+$/.test(error.code) ? error.code : 'ERR_ATLAS_UNEXPECTED'
  const text = error && typeof error.message === 'string' && error.message ? error.message : 'an unexpected error'
  let message = error instanceof CliError ? hideWholeSecrets(text, secrets) : redactSecrets(text, secrets, typed)
  if (code === 'ERR_ATLAS_UNEXPECTED') message = `unexpected ${error?.name ? error.name : 'error'} (a bug in atlas-user-hash: please report it): ${message}`
  if (json && !error?.alreadyPrinted) io.out(jsonLine({ ok: false, error: { code, message } }))
  io.err(`atlas-user-hash: ${code}: ${message}\n`)
}

module.exports = { jsonLine, printNotes, reportError }
