'use strict'

// `atlas-user-hash verify <userId> <userHash>`: whether the hash is the user hash of the id,
// and on a mismatch, the likely reason.

const { createHmac } = require('node:crypto')
const { EXIT_MISMATCH, EXIT_OK } = require('../errors.js')
const { jsonLine, printNotes } = require('../output.js')
const { requireUsableSecret } = require('../secret-check.js')
const { api, checkUserId, hashOptions } = require('./common.js')

/** Prints ok or mismatch (or `{ ok, result, userId, source, notes }` with --json); returns 0 or 1. */
function runVerify(request, secret, io) {
  const [userId, given] = request.args
  const notes = checkUserId(userId)
  requireUsableSecret(secret)
  notes.push(...secret.warnings)
  const userHash = given.trim()
  const ok = api().verifyUserHash(userId, userHash, hashOptions(secret))
  if (!ok) notes.push(...mismatchNotes(userId, userHash, secret.value))
  if (request.json) {
    io.out(jsonLine({ ok, result: ok ? 'ok' : 'mismatch', userId, source: secret.source, notes }))
  } else {
    io.out(ok ? 'ok\n' : 'mismatch\n')
    printNotes(notes, io.err)
  }
  return ok ? EXIT_OK : EXIT_MISMATCH
}

/** Why a hash might not match: not a hash at all, or a hash made with a broken secret. */
function mismatchNotes(userId, userHash, secret) {
  if (!/^[0-9a-fA-F]{64}$/.test(userHash)) {
    const length = Array.from(userHash).length
    const nonHex = Array.from(userHash).filter((c) => !/[0-9a-fA-F]/.test(c)).length
    return [`the hash given is not a user hash: a user hash is 64 hex digits (0-9, a-f), and it has ${length} character${length === 1 ? '' : 's'}${nonHex ? `, ${nonHex} of them not hex digits` : ''}`]
  }
  const hmac = (key) => createHmac('sha256', key).update(userId).digest('hex')
  const given = userHash.toLowerCase()
  if (given === hmac('')) {
    return ['it is the hash of this id under an EMPTY secret: whatever made it had no secret (Atlas\'s documented helper hashes with "" when ATLAS_SECRET is not set)']
  }
  for (const [extra, name] of [['\n', 'a newline'], ['\r\n', 'a Windows line end (\\r\\n)'], [' ', 'a space']]) {
    if (given === hmac(secret + extra)) {
      return [`it was made with this secret followed by ${name}: the server that made it has that whitespace pasted into its ATLAS_SECRET (and uses a helper that does not check it)`]
    }
  }
  if (given === hmac(`\uFEFF${secret}`)) {
    return ['it was made with this secret preceded by a byte order mark (BOM): the server that made it read the secret from a file saved as "UTF-8 with BOM"']
  }
  return ['it is not the hash of this id under this secret: compare the secrets with atlas-user-hash doctor on both machines (the fingerprints must be equal), and check that both sides use the same id text']
}

module.exports = { runVerify }
