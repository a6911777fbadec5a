'use strict'

// What `hash` and `verify` share: the package's API, the options that give it the secret,
// and the check of the user id.

const { CliError } = require('../errors.js')

/** The package's API (index.js), loaded only by the commands that hash. */
function api() {
  return require('../../index.js')
}

/** `{ secret }` for the package's functions: none for ATLAS_SECRET, which they read themselves. */
function hashOptions(secret) {
  return secret.source.kind === 'env' ? undefined : { secret: secret.value }
}

/** Notes about the user id (whitespace around it), or ERR_ATLAS_INVALID_USER_ID for an empty one. */
function checkUserId(userId) {
  if (userId === '') {
    throw new CliError('ERR_ATLAS_INVALID_USER_ID', 'the user id is empty: pass the id Atlas knows the user by, as in atlas-user-hash hash user_100123')
  }
  const notes = []
  if (userId.trim() !== userId) notes.push('the user id starts or ends with whitespace: it is hashed as given, whitespace included')
  return notes
}

module.exports = { api, hashOptions, checkUserId }
