'use strict'

// The command's failures and exit codes. Every failure it reports has a stable `code`
// (ERR_ATLAS_*) and a sentence that says what to do, and never the secret.

const EXIT_OK = 0
/** `verify`: the hash is not the user hash of the id. */
const EXIT_MISMATCH = 1
/** Anything went wrong, a problem `doctor` found included. */
const EXIT_ERROR = 2

/** A failure with a stable code and a sentence that never contains the secret. */
class CliError extends Error {
  constructor(code, message) {
    super(message)
    this.code = code
  }
}

/** A mistake in the command line, with the pointer to --help. */
const usageError = (message) => new CliError('ERR_ATLAS_USAGE', `${message}; see atlas-user-hash --help`)

module.exports = { CliError, usageError, EXIT_OK, EXIT_MISMATCH, EXIT_ERROR }
