// The hash engines under the contract: the native addon and the pure-JS engine check secrets
// and hashes alike, and a panic in the addon becomes an Error while the process lives on.
// (Keys across panics and secret switches: keys.test.mjs.)
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'

import { jsEngine } from '../lib/engines/js.mjs'
import secretText from '../lib/secret-text.js'
import status from '../lib/status.js'
import { createUserHash, generateAtlasUserObject, verifyUserHash } from '../index.js'
import { apis, assertAtlasError, isWhiteSpaceOrBom, referenceHash, runs, withSecret } from './helpers.mjs'

const require = createRequire(import.meta.url)
const { binding } = require('../lib/load-binding.js').loadBinding()
const { STATUS } = status

describe('secret checks', () => {
  const isKey = (key) => typeof key === 'object' && key !== null
  const status = (engine, secret) => (isKey(engine.createKey(secret)) ? 'ok' : engine.createKey(secret))

  it('both engines reject exactly the Unicode white space (and BOM) at either end, for every BMP code point', () => {
    const disagreements = []
    // Under ATLAS_TEST_QUICK every 61st code point, and every white space one, are enough.
    const step = runs(10) === 1 ? 61 : 1
    for (let point = 0; point <= 0xffff; point++) {
      if ((point >= 0xd800 && point <= 0xdfff) || (point % step !== 0 && !isWhiteSpaceOrBom(point))) continue
      const c = String.fromCharCode(point)
      const expected = isWhiteSpaceOrBom(point) ? STATUS.SECRET_WHITESPACE : 'ok'
      for (const secret of [`${c}k`, `k${c}`]) {
        for (const engine of [binding, jsEngine]) {
          if (status(engine, secret) !== expected) disagreements.push(`U+${point.toString(16)} in ${JSON.stringify(secret)}`)
        }
      }
    }
    assert.deepEqual(disagreements, [])
  })

  it('the JavaScript rule (lib/secret-text.js) answers for exactly one character', () => {
    for (const c of [' ', '\n', '\u3000', '\ufeff']) {
      assert.equal(secretText.isSecretSpace(c), true, JSON.stringify(c))
      assert.equal(secretText.isSecretSpace(`${c}x`), false, `${JSON.stringify(c)} then more`)
      assert.equal(secretText.isSecretSpace(`x${c}`), false, `more, then ${JSON.stringify(c)}`)
    }
    assert.equal(secretText.hasSurroundingSpace('a b'), false, 'inner spaces are part of the key')
  })

  it('report empty secrets, text or bytes, as SECRET_EMPTY', () => {
    for (const engine of [binding, jsEngine]) {
      assert.equal(engine.createKey(''), STATUS.SECRET_EMPTY)
      assert.equal(engine.createKey(new Uint8Array(0)), STATUS.SECRET_EMPTY)
      assert.equal(status(engine, new Uint8Array([0x20])), 'ok', 'bytes are never trimmed')
      assert.equal(status(engine, '\uD800'), 'ok', 'a lone surrogate is no white space')
    }
  })
})

// lib/status.js is the JavaScript table; src/engine.rs's `Status` is the native engine's. They
// agree when the addon, made to fail each check, returns the table's number for it.
describe('the STATUS table and the native engine agree by value', () => {
  const key = binding.createKey('status-test-secret')
  const hookMissing = typeof binding.armTestPanic !== 'function' && 'this addon has no armTestPanic: it was built without the cargo feature test-hooks (npm test builds with it)'

  it('SECRET_EMPTY and SECRET_WHITESPACE are what the addon returns for an empty and a padded secret', () => {
    assert.equal(binding.createKey(''), STATUS.SECRET_EMPTY)
    assert.equal(binding.createKey(new Uint8Array(0)), STATUS.SECRET_EMPTY)
    assert.equal(binding.createKey(' status-test-secret'), STATUS.SECRET_WHITESPACE)
    assert.equal(binding.createKey('status-test-secret\n'), STATUS.SECRET_WHITESPACE)
  })

  it('PANIC is what the addon returns from a call that panicked, on every export', { skip: hookMissing }, () => {
    for (const [name, call] of Object.entries({
      createKey: () => binding.createKey('status-test-secret'),
      hash: () => binding.hash('u', key),
      verify: () => binding.verify('u', '0'.repeat(64), key),
    })) {
      binding.armTestPanic()
      assert.equal(call(), STATUS.PANIC, name)
    }
  })

  it('the table has exactly those entries, distinct and negative (so no hash or boolean is taken for one)', () => {
    assert.deepEqual(Object.keys(STATUS), ['SECRET_EMPTY', 'SECRET_WHITESPACE', 'PANIC'])
    const values = Object.values(STATUS)
    assert.equal(new Set(values).size, values.length)
    for (const value of values) assert.ok(Number.isSafeInteger(value) && value < 0, `${value}`)
    assert.ok(Object.isFrozen(STATUS))
  })
})

describe('verification', () => {
  it('accepts exactly 64 hex digits: no sign, space or extra character that parseInt would let pass', () => {
    for (const { engine, api } of apis) {
      const good = referenceHash('strict-secret', 'u')
      assert.equal(api.verifyUserHash('u', good, { secret: 'strict-secret' }), true, engine)
      // A byte below 0x10, written with a sign or a space instead of its leading 0.
      const position = [...good].findIndex((digit, i) => i % 2 === 0 && digit === '0')
      assert.ok(position >= 0, 'this secret and id give a hash with such a byte')
      for (const lookalike of ['+', ' ', '\t']) {
        const claimed = good.slice(0, position) + lookalike + good.slice(position + 1)
        assert.equal(api.verifyUserHash('u', claimed, { secret: 'strict-secret' }), false, `${engine}: ${JSON.stringify(claimed)}`)
      }
      for (const claimed of [`${good}0`, `0${good}`, `${good} `, ` ${good}`, good.slice(1)]) {
        assert.equal(api.verifyUserHash('u', claimed, { secret: 'strict-secret' }), false, `${engine}: ${JSON.stringify(claimed)}`)
      }
    }
  })

  it('each entry names its engine', () => {
    assert.deepEqual(apis.map(({ api }) => api.engine), ['native', 'js'])
  })
})

describe('a panic in the addon', () => {
  const expectInternalError = (call) =>
    assertAtlasError(call, Error, 'ERR_ATLAS_INTERNAL', /^atlas-user-hash: an internal error \(a caught Rust panic\) stopped this call; the process and later calls are unaffected/)

  it('becomes ERR_ATLAS_INTERNAL on every path, and the next call works', () => {
    withSecret('panic-test-secret', () => {
      const paths = {
        'the raw hash export, ATLAS_SECRET': () => createUserHash('u'),
        'the raw hash export, { secret }': () => generateAtlasUserObject({ id: 'u' }, { secret: 'panic-test-other' }).userHash,
        'verify, ATLAS_SECRET': () => verifyUserHash('u', referenceHash('panic-test-secret', 'u')),
        'verify, { secret }': () => verifyUserHash('u', referenceHash('k2', 'u'), { secret: 'k2' }),
        'createKey, byte secret': () => createUserHash('u', { secret: new Uint8Array([1, 2]) }),
      }
      const expected = {
        'the raw hash export, ATLAS_SECRET': referenceHash('panic-test-secret', 'u'),
        'the raw hash export, { secret }': referenceHash('panic-test-other', 'u'),
        'verify, ATLAS_SECRET': true,
        'verify, { secret }': true,
        'createKey, byte secret': referenceHash(new Uint8Array([1, 2]), 'u'),
      }
      for (const [path, call] of Object.entries(paths)) {
        assert.equal(call(), expected[path], `${path} before`)
        binding.armTestPanic()
        expectInternalError(call)
        assert.equal(call(), expected[path], `${path} after the panic`)
      }
    })
  })
})

describe('two copies of the package on one addon (e.g. after jest.resetModules)', () => {
  it('each keeps its own keys, and both give node:crypto\'s hashes as secrets rotate through them', () => {
    const entry = require.resolve('../index.js')
    const contractFile = require.resolve('../lib/contract.js')
    const engineFile = require.resolve('../lib/engines/native.js')
    for (const file of [entry, contractFile, engineFile]) delete require.cache[file]
    const second = require('../index.js')
    assert.notEqual(second.createUserHash, createUserHash, 'a second contract layer')
    const secrets = Array.from({ length: 12 }, (_, i) => `shared-addon-secret-${i}`)
    for (let round = 0; round < 3; round++) {
      for (const [i, secret] of secrets.entries()) {
        const [mine, theirs] = round % 2 ? [createUserHash, second.createUserHash] : [second.createUserHash, createUserHash]
        assert.equal(mine(`a${i}`, { secret }), referenceHash(secret, `a${i}`))
        const other = secrets[(i * 5 + round) % secrets.length]
        assert.equal(theirs(`b${i}`, { secret: other }), referenceHash(other, `b${i}`))
      }
    }
  })
})
