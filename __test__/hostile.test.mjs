// Hostile input: getters that lie or throw, proxies, huge ids, and random values of every
// type in every argument. Each call returns a result or throws one of the four documented
// errors (or, for a throwing getter, the getter's own error) — never a crash, never a
// wrong hash.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'

import fc from 'fast-check'

import { createUserHash, generateAtlasUserObject, verifyUserHash } from '../index.js'
import { referenceHash, withSecret } from './helpers.mjs'

const SECRET = 'hostile-test-secret'
const CODES = new Set(['ERR_ATLAS_SECRET_MISSING', 'ERR_ATLAS_SECRET_INVALID', 'ERR_ATLAS_INVALID_USER_ID', 'ERR_ATLAS_INVALID_USER'])

describe('lying and throwing records', () => {
  it('an id getter that returns a new value on every read is read once', () => {
    let reads = 0
    const user = new Proxy({}, { get: (_, key) => (key === 'id' ? `id-${++reads}` : undefined) })
    const object = generateAtlasUserObject(user, { secret: SECRET })
    assert.equal(reads, 1)
    assert.equal(object.userHash, referenceHash(SECRET, object.userId))
  })

  it('a getter or proxy trap that throws propagates its error and the addon keeps working', () => {
    const boom = new Error('getter failed')
    const throwingGetter = { get id() { throw boom } }
    const throwingProxy = new Proxy({}, { get() { throw boom } })
    const throwingOptions = { get secret() { throw boom } }
    assert.throws(() => generateAtlasUserObject(throwingGetter, { secret: SECRET }), (error) => error === boom)
    assert.throws(() => generateAtlasUserObject(throwingProxy, { secret: SECRET }), (error) => error === boom)
    assert.throws(() => createUserHash('u', throwingOptions), (error) => error === boom)
    assert.equal(createUserHash('u', { secret: SECRET }), referenceHash(SECRET, 'u'))
  })

  it('an id whose toString or valueOf lies is not an id', () => {
    const sneaky = { toString: () => 'admin', valueOf: () => 1 }
    assert.throws(() => createUserHash(sneaky, { secret: SECRET }), { code: 'ERR_ATLAS_INVALID_USER_ID' })
  })
})

describe('unusual ids', () => {
  it('an 8 MiB id hashes as node:crypto does', () => {
    const id = 'ü'.repeat(4 * 1024 * 1024) // 8 MiB of UTF-8
    assert.equal(createUserHash(id, { secret: SECRET }), referenceHash(SECRET, id))
    withSecret(SECRET, () => assert.equal(generateAtlasUserObject({ id }).userHash, referenceHash(SECRET, id)))
  })

  it('ids with NUL, lone surrogates and emoji, on both sides of the stack-buffer size', () => {
    for (const core of ['a\u0000b', '\uD800', '\uDFFF\uD800', '👩‍👩‍👧‍👦', 'x\uD83D', '\uDE00y']) {
      for (let pad = 110; pad <= 135; pad++) {
        const id = 'p'.repeat(pad) + core
        assert.equal(createUserHash(id, { secret: SECRET }), referenceHash(SECRET, id), `${pad} + ${JSON.stringify(core)}`)
        withSecret(SECRET, () => assert.equal(createUserHash(id), referenceHash(SECRET, id)))
      }
    }
  })
})

describe('random values in every argument', () => {
  // Every kind of JS value: fast-check's anything (nested objects, arrays, typed arrays,
  // Dates, Maps, Sets, bigints, boxed values, null prototypes), plus what it leaves out.
  const value = fc.oneof(
    fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withObjectString: true, withTypedArray: true, withSparseArray: true, maxDepth: 3 }),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, 1e300, Symbol('x'), () => 1, class {}, new Date(NaN), new Map([['id', 1]]), Buffer.from('k'), new ArrayBuffer(8), /id/),
    fc.string(),
    fc.integer(),
    fc.bigInt(),
  )
  const record = fc.record({ id: value, name: value, email: value }, { requiredKeys: [] })
  const options = fc.oneof(fc.constant(undefined), value, fc.record({ secret: value }, { requiredKeys: [] }))
  const userHashLike = fc.oneof(value, fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 64, maxLength: 64 }))

  function expectResultOrAtlasError(call, check) {
    let result
    try {
      result = call()
    } catch (error) {
      assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`)
      assert.ok(CODES.has(error.code), `unexpected error ${error.code}: ${error.message}`)
      return
    }
    check(result)
  }

  const secretOf = (opts) => (opts && typeof opts === 'object' && opts.secret !== undefined ? opts.secret : process.env.ATLAS_SECRET)
  const isHex64 = (text) => typeof text === 'string' && /^[0-9a-f]{64}$/.test(text)

  it('generateAtlasUserObject returns a correct object or a documented error', () => {
    withSecret(SECRET, () => {
      fc.assert(
        fc.property(fc.oneof(record, value), options, (user, opts) => {
          expectResultOrAtlasError(
            () => generateAtlasUserObject(user, opts),
            (result) => {
              if (!user) return assert.deepEqual(result, {})
              assert.deepEqual(Object.keys(result), ['userId', 'name', 'email', 'userHash'])
              assert.ok(isHex64(result.userHash))
              assert.equal(result.userHash, createHmac('sha256', secretOf(opts)).update(String(result.userId)).digest('hex'))
            },
          )
        }),
        { numRuns: 20000 },
      )
    })
  })

  it('createUserHash and verifyUserHash return a hash or a boolean, or a documented error', () => {
    withSecret(SECRET, () => {
      fc.assert(
        fc.property(value, userHashLike, options, (id, hash, opts) => {
          expectResultOrAtlasError(() => createUserHash(id, opts), (result) => assert.ok(isHex64(result)))
          expectResultOrAtlasError(() => verifyUserHash(id, hash, opts), (result) => assert.equal(typeof result, 'boolean'))
        }),
        { numRuns: 20000 },
      )
    })
  })
})
