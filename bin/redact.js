'use strict'

// Hides a secret in a message the command prints, for an error whose text it did not write
// itself and that might quote the secret. Only the matching stretches are replaced, so the
// rest of the sentence still says what went wrong; and text the user typed (an argument, a
// path) is shown as typed even when it shares a few characters with the secret by chance
// (`newbie/bad.env` beside the secret `newbie-test-…`), unless it holds the whole secret.

// A stretch of the message this long that also occurs in the secret is taken to be from it.
const PIECE = 6
const HIDDEN = '[hidden: part of the secret]'

/**
 * `text` with every stretch that shares a piece of PIECE characters (or a whole shorter
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
    for (const core of new Set([secret, secret?.trim()])) {
      if (!core) continue
      // A whole secret is hidden wherever it is; a piece only outside what the user typed.
      for (const at of occurrences(text, core)) hidden.fill(true, at, at + core.length)
      if (core.length <= PIECE) continue
      for (let i = 0; i + PIECE <= text.length; i++) {
        if (core.includes(text.slice(i, i + PIECE))) {
          for (let j = i; j < i + PIECE; j++) if (!exempt[j]) hidden[j] = true
        }
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

module.exports = { redactSecrets }
