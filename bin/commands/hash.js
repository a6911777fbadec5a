'use strict'

// `atlas-user-hash hash <userId>`: prints the user hash of the id.

const { EXIT_OK } = require('../errors.js')
const { jsonLine, printNotes } = require('../output.js')
const { requireUsableSecret } = require('../secret-check.js')
const { api, checkUserId, hashOptions } = require('./common.js')

/** Prints the hash (or `{ ok, userId, userHash, source, notes }` with --json); returns the exit code. */
function runHash(request, secret, io) {
  const [userId] = request.args
  const notes = checkUserId(userId)
  requireUsableSecret(secret)
  notes.push(...secret.warnings)
  const userHash = api().createUserHash(userId, hashOptions(secret))
  if (request.json) {
    io.out(jsonLine({ ok: true, userId, userHash, source: secret.source, notes }))
  } else {
    io.out(`${userHash}\n`)
    printNotes(notes, io.err)
  }
  return EXIT_OK
}

module.exports = { runHash }
