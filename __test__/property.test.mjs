// Property tests: for random ids and secrets our hashes equal node:crypto's and verify.
// Each prints its seed; ATLAS_TEST_SEED=<seed> replays it (helpers.mjs, assertProperty).
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { it } from 'node:test'

import fc from 'fast-check'

import { createUserHash, generateAtlasUserObject, verifyUserHash } from '../index.js'
import { assertProperty, envCanHold, envRejectsMaxCodePoint, runs, withSecret } from './helpers.mjs'

// Any UTF-16 code unit (lone surrogates included) or any code point, in runs up to 300 long.
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit))
const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point))
const anyText = fc.array(fc.oneof(codeUnit, codePoint), { maxLength: 300 }).map((parts) => parts.join(''))
const stringId = anyText.filter((id) => id !== '')
const numericId = fc.oneof(fc.maxSafeInteger(), fc.bigInt())
// A usable text secret: anything between two non-space characters.
const textSecret = fc.tuple(fc.constantFrom('k', 'Z', '9', 'é', '秘'), anyText, fc.constantFrom('x', '!', '7', '🔑')).map((parts) => parts.join(''))
const hexText = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: 80 })
// The environment cuts a value at NUL, so an environment secret has none.
const envSecret = textSecret.filter((secret) => !secret.includes('\0') && envCanHold(secret))
const byteSecret = fc.uint8Array({ minLength: 1, maxLength: 200 })

const reference = (secret, id) => createHmac('sha256', secret).update(String(id)).digest('hex')

it('createUserHash equals node:crypto for random ids and text secrets', (t) => {
  assertProperty(
    t,
    fc.property(fc.oneof(stringId, numericId), textSecret, (id, secret) => {
      assert.equal(createUserHash(id, { secret }), reference(secret, id))
    }),
    runs(3000),
  )
})

it('createUserHash equals node:crypto for random byte secrets', (t) => {
  assertProperty(
    t,
    fc.property(stringId, byteSecret, (id, secret) => {
      assert.equal(createUserHash(id, { secret }), reference(secret, id))
    }),
    runs(2000),
  )
})

it('generateAtlasUserObject with ATLAS_SECRET equals node:crypto and keeps the fields', (t) => {
  if (envRejectsMaxCodePoint) t.diagnostic(envRejectsMaxCodePoint)
  assertProperty(
    t,
    fc.property(fc.oneof(stringId, numericId), envSecret, fc.option(anyText), (id, secret, name) => {
      // What process.env holds is what the documented helper hashes with: the environment
      // stores lone surrogates as U+FFFD.
      const [object, envSecret] = withSecret(secret, () => [generateAtlasUserObject({ id, name, email: null, extra: secret }), process.env.ATLAS_SECRET])
      assert.deepEqual(object, { userId: id, name, email: null, userHash: reference(envSecret, id) })
    }),
    runs(2000),
  )
})

it('verifyUserHash accepts the right hash in either case and rejects any other', (t) => {
  assertProperty(
    t,
    fc.property(stringId, textSecret, fc.nat(63), hexText, (id, secret, position, junk) => {
      const good = reference(secret, id)
      assert.equal(verifyUserHash(id, good, { secret }), true)
      assert.equal(verifyUserHash(id, good.toUpperCase(), { secret }), true)
      const digit = good[position] === '0' ? '1' : '0'
      assert.equal(verifyUserHash(id, good.slice(0, position) + digit + good.slice(position + 1), { secret }), false)
      assert.equal(verifyUserHash(id, junk, { secret }), junk.toLowerCase() === good)
    }),
    runs(2000),
  )
})
