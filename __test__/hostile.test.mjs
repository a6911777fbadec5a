// Hostile input: getters that lie or throw, proxies, huge ids, and random values of every
// type in every argument. For random values an oracle, written from the README's API
// section and independent of contract.js, says what each call must give — the exact hash,
// `{}`, `true`/`false`, or the exact error code and class — and every input is checked
// against it, on both engines.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import { inspect } from 'node:util'

import fc from 'fast-check'

import { createUserHash, generateAtlasUserObject } from '../index.js'
import { apis, assertProperty, envCanHold, envRejectsMaxCodePoint, isWhiteSpaceOrBom, quick, referenceHash, runs, withSecret } from './helpers.mjs'

const SECRET = 'hostile-test-secret'

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
  it('an 8 MiB id hashes as node:crypto does', { skip: quick }, () => {
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

describe('random values in every argument, against an oracle', () => {
  // Every kind of JS value: fast-check's anything (nested objects, arrays, typed arrays,
  // Dates, Maps, Sets, bigints, boxed values, null prototypes), plus what it leaves out.
  const anyValue = fc.oneof(
    fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withObjectString: true, withTypedArray: true, withSparseArray: true, maxDepth: 2 }),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, 1e300, 1.5, Symbol('x'), () => 1, class {}, new Date(NaN), new Map([['id', 1]]), Buffer.from('k'), new ArrayBuffer(8), /id/, new Uint16Array(2), new String('s')),
  )
  const text = fc.string({ unit: 'binary', maxLength: 40 }) // lone surrogates included
  const space = fc.constantFrom(' ', '\n', '\r', '\t', '\u00a0', '\ufeff', '\u0085', '\u2028', '\u3000')
  // Ids, names, secrets and options that are mostly valid, so that most inputs get as far
  // as a hash, and sometimes anything at all.
  const id = fc.oneof({ arbitrary: text, weight: 5 }, { arbitrary: fc.integer(), weight: 2 }, { arbitrary: fc.bigInt(), weight: 1 }, { arbitrary: anyValue, weight: 2 })
  const field = fc.oneof({ arbitrary: text, weight: 5 }, { arbitrary: fc.constantFrom(null, undefined), weight: 3 }, { arbitrary: anyValue, weight: 1 })
  const textSecret = fc.oneof(
    { arbitrary: text, weight: 6 },
    { arbitrary: fc.tuple(space, text).map(([s, t]) => s + t), weight: 1 },
    { arbitrary: fc.tuple(text, space).map(([t, s]) => t + s), weight: 1 },
  )
  const secret = fc.oneof({ arbitrary: textSecret, weight: 6 }, { arbitrary: fc.uint8Array({ maxLength: 80 }), weight: 2 }, { arbitrary: anyValue, weight: 1 })
  const options = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 3 },
    { arbitrary: secret.map((s) => ({ secret: s })), weight: 4 },
    { arbitrary: fc.constant({}), weight: 1 },
    { arbitrary: anyValue, weight: 1 },
  )
  const user = fc.oneof({ arbitrary: fc.record({ id, name: field, email: field, role: field }, { requiredKeys: ['id'] }), weight: 8 }, { arbitrary: anyValue, weight: 2 })
  // The environment cuts a value at NUL: an environment secret has none, or is unset.
  const envSecret = fc.oneof({ arbitrary: textSecret.filter((t) => !t.includes('\0') && envCanHold(t)), weight: 5 }, { arbitrary: fc.constant(undefined), weight: 1 })
  const claimedHash = fc.oneof(anyValue, text, fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 64, maxLength: 64 }))

  /** What the README says an id is hashed as, or null for an invalid id. */
  function oracleIdText(value) {
    if (typeof value === 'string') return value === '' ? null : value
    if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null
    if (typeof value === 'bigint') return String(value)
    return null
  }

  const isSpaceAt = (textValue, index) => isWhiteSpaceOrBom(textValue.codePointAt(index))

  /** `object[key]` by the README's field rule — the object or a prototype but the chain's last, unless that is the object — else `absent`. */
  function byRule(object, key, absent) {
    const chain = []
    for (let o = object; o !== null; o = Object.getPrototypeOf(o)) chain.push(o)
    const counted = chain.length === 1 ? chain : chain.slice(0, -1)
    return counted.some((o) => Object.hasOwn(o, key)) ? object[key] : absent
  }
  const ABSENT = Symbol('absent')

  /** The secret a call uses — { key } — or the error it must throw — { code, type }. */
  function oracleSecret(opts, env) {
    if (opts !== undefined && opts !== null && typeof opts !== 'object') return { code: 'ERR_ATLAS_SECRET_INVALID', type: TypeError }
    const given = opts === undefined || opts === null ? ABSENT : byRule(opts, 'secret', ABSENT)
    if (given === undefined) return { code: 'ERR_ATLAS_SECRET_MISSING', type: Error } // { secret: undefined } is no fallback
    // A secret's bytes in place of the options, with no secret field, are no options.
    const bytes = ArrayBuffer.isView(opts) || opts instanceof ArrayBuffer || opts instanceof SharedArrayBuffer
    if (given === ABSENT && bytes) return { code: 'ERR_ATLAS_SECRET_INVALID', type: TypeError }
    if (given !== ABSENT && typeof given !== 'string' && !(given instanceof Uint8Array)) return { code: 'ERR_ATLAS_SECRET_INVALID', type: TypeError }
    const chosen = given === ABSENT ? env : given
    if (chosen === undefined || chosen.length === 0) return { code: 'ERR_ATLAS_SECRET_MISSING', type: Error }
    if (typeof chosen === 'string' && (isSpaceAt(chosen, 0) || isWhiteSpaceOrBom(chosen.charCodeAt(chosen.length - 1)))) {
      return { code: 'ERR_ATLAS_SECRET_INVALID', type: Error }
    }
    return { key: chosen }
  }

  const invalid = (code, type) => ({ code, type })
  const hmacHex = (key, idText) => createHmac('sha256', key).update(idText).digest('hex')

  function oracleUserObject(u, opts, env) {
    if (!u) return { value: {} }
    if (typeof u !== 'object') return invalid('ERR_ATLAS_INVALID_USER', TypeError)
    const [userId, name, email] = ['id', 'name', 'email'].map((key) => byRule(u, key, undefined))
    const idText = oracleIdText(userId)
    if (idText === null) return invalid('ERR_ATLAS_INVALID_USER_ID', TypeError)
    for (const value of [name, email]) {
      if (value !== undefined && value !== null && typeof value !== 'string') return invalid('ERR_ATLAS_INVALID_USER', TypeError)
    }
    const chosen = oracleSecret(opts, env)
    if (!chosen.key) return chosen
    return { value: { userId, name, email, userHash: hmacHex(chosen.key, idText) } }
  }

  function oracleHash(value, opts, env) {
    const idText = oracleIdText(value)
    if (idText === null) return invalid('ERR_ATLAS_INVALID_USER_ID', TypeError)
    const chosen = oracleSecret(opts, env)
    return chosen.key ? { value: hmacHex(chosen.key, idText) } : chosen
  }

  function oracleVerify(value, claimed, opts, env) {
    const hashed = oracleHash(value, opts, env)
    if (!('value' in hashed)) return hashed
    return { value: typeof claimed === 'string' && claimed.length === 64 && claimed.toLowerCase() === hashed.value }
  }

  /** Runs `call` and checks it against `expected`; returns the outcome's name for the tally. */
  function check(call, expected) {
    let actual
    try {
      actual = { value: call() }
    } catch (error) {
      assert.ok('code' in expected, `threw ${error?.code} (${error?.message}) where ${inspect(expected.value)} was due`)
      assert.equal(error.code, expected.code, error.message)
      assert.equal(Object.getPrototypeOf(error), expected.type.prototype, `${error.code} is a ${expected.type.name}`)
      return error.code
    }
    assert.ok('value' in expected, `returned ${inspect(actual.value)} where ${expected.code} was due`)
    assert.deepEqual(actual.value, expected.value)
    if (typeof expected.value === 'object') return Object.keys(expected.value).length === 0 ? '{}' : 'user object'
    return typeof expected.value === 'boolean' ? `verified ${expected.value}` : 'hash'
  }

  /**
   * Runs `numRuns` random inputs (fewer if time runs out), reports how many fell in each
   * outcome and returns the tally and how many ran.
   */
  function tallied(t, property, numRuns) {
    const tally = {}
    const ran = assertProperty(
      t,
      fc.property(...property.arbitraries, (...args) => {
        const outcome = property.run(...args)
        tally[outcome] = (tally[outcome] ?? 0) + 1
      }),
      numRuns,
    )
    t.diagnostic(`outcomes of ${ran} inputs: ${JSON.stringify(tally)}`)
    if (envRejectsMaxCodePoint) t.diagnostic(envRejectsMaxCodePoint)
    return { tally, ran }
  }

  /** Sets ATLAS_SECRET for one input and returns what process.env then holds (lone surrogates become U+FFFD). */
  function setEnv(value) {
    if (value === undefined) delete process.env.ATLAS_SECRET
    else process.env.ATLAS_SECRET = value
    return process.env.ATLAS_SECRET
  }

  for (const { engine, api } of apis) {
    it(`generateAtlasUserObject on the ${engine} engine`, (t) => {
      withSecret(undefined, () => {
        const { tally, ran } = tallied(t, {
          arbitraries: [user, options, envSecret],
          run: (u, opts, env) => check(() => api.generateAtlasUserObject(u, opts), oracleUserObject(u, opts, setEnv(env))),
        }, runs(6000))
        assert.ok(tally['user object'] > ran / 5, 'a good share of the inputs must get as far as a hash')
        for (const code of ['ERR_ATLAS_INVALID_USER', 'ERR_ATLAS_INVALID_USER_ID', 'ERR_ATLAS_SECRET_MISSING', 'ERR_ATLAS_SECRET_INVALID']) {
          assert.ok(tally[code] > ran / 200, `${code} must come up`)
        }
      })
    })

    it(`createUserHash and verifyUserHash on the ${engine} engine`, (t) => {
      withSecret(undefined, () => {
        const { tally, ran } = tallied(t, {
          arbitraries: [id, claimedHash, options, envSecret, fc.boolean(), fc.boolean()],
          run: (value, claimed, opts, env, rightHash, upper) => {
            const envValue = setEnv(env)
            const hashed = check(() => api.createUserHash(value, opts), oracleHash(value, opts, envValue))
            // Half the time the claimed hash is the right one, and then half the time in upper case.
            const expected = oracleHash(value, opts, envValue)
            const right = rightHash && 'value' in expected
            const claim = right ? (upper ? expected.value.toUpperCase() : expected.value) : claimed
            const verified = check(() => api.verifyUserHash(value, claim, opts), oracleVerify(value, claim, opts, envValue))
            return `${hashed} / ${verified}${right && upper ? ' (upper case)' : ''}`
          },
        }, runs(6000))
        assert.ok((tally['hash / verified true'] ?? 0) > ran * 0.075, 'a good share of the inputs must verify their own hash')
        assert.ok((tally['hash / verified true (upper case)'] ?? 0) > ran * 0.075, 'as many must verify it in upper case')
      })
    })
  }
})
