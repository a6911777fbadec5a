'use strict'

// Hides a secret in a message the command prints. The command's own sentences are made of
// its own words, what the user typed (an argument, a path) and numbers: they never quote the
// secret, and share pieces with it only by chance (`newbie/bad.env`, or the word "secret",
// beside the secret `newbie-test-secret-4f9a2b`), so only a whole secret is hidden there.
// A message the command did not write (an unexpected error) might quote the secret: there,
// every stretch that matches a piece of it is hidden, but for text the user typed. Only the
// matching stretches are replaced, so the rest of the sentence still says what went wrong.

// A stretch of the message this long that also occurs in the secret is taken to be from it.
const { withoutSurroundingSpace } = require('./secret-check.js')

const PIECE = 6
const HIDDEN = '[hidden: part of the secret]'

/** `text` (the command's own sentence) with every whole secret of PIECE characters or more hidden. */
function hideWholeSecrets(text, secrets) {
  let out = text
  for (const secret of secrets) {
    for (const whole of new Set([secret, secret && withoutSurroundingSpace(secret)])) if (whole && whole.length >= PIECE) out = out.split(whole).join(HIDDEN)
  }
  return out
}

/**
 * `text` (a message from elsewhere) with every stretch that shares a piece of PIECE characters (or a whole shorter
 * secret) with one of `secrets` replaced by a marker; inside any occurrence of one of
 * `typed`, only whole secrets are replaced.
 * @param {string} text
 * @param {Array<string | undefined>} secrets
 * @param {string[]} typed text the user gave on the command line, and paths made of it
 */
function redactSecrets(text, secrets, typed = []) {
  const hidden = new Array(text.length).fill(false)
  const exempt = new Array(text.length).fill(false)
  for (const known of typed) {
    if (known.length >= PIECE) for (const at of occurrences(text, known)) exempt.fill(true, at, at + known.length)
  }
  for (const secret of secrets) {
    if (!secret) continue
    // A whole secret is hidden wherever it is; a piece of it (without the whitespace at its
    // ends, which messages are full of) only outside what the user typed.
    const core = withoutSurroundingSpace(secret)
    for (const whole of new Set([secret, core])) if (whole) for (const at of occurrences(text, whole)) hidden.fill(true, at, at + whole.length)
    if (core.length <= PIECE) continue
    for (let i = 0; i + PIECE <= text.length; i++) {
      if (core.includes(text.slice(i, i + PIECE))) {
        for (let j = i; j < i + PIECE; j++) if (!exempt[j]) hidden[j] = true
      }
    }
  }
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (!hidden[i]) out += text[i]
    else if (i === 0 || !hidden[i - 1]) out += HIDDEN
  }
  return out
}

function occurrences(text, part) {
  const found = []
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + 1)) found.push(at)
  return found
}

module.exports = { hideWholeSecrets, redactSecrets }
