// Keys: each secret's key is a value the contract holds, so no panic, eviction or secret
// switch can make one secret give another secret's hash. Panics are forced with the addon's
// test hook (armTestPanic) at random points of long random sequences of calls, on every
// path, and every result is checked against node:crypto. The addon's hash and verify refuse
// anything but a live key it made; dropKey leaves anything else alone.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { types } from 'node:util'
import { spawnSync } from './child-process.mjs'
import { describe, it } from 'node:test'

import fc from 'fast-check'

import { jsEngine } from '../lib/engines/js.mjs'
import { createUserHash, generateAtlasUserObject, verifyUserHash } from '../index.js'
import { assertAtlasError, assertProperty, referenceHash, runs, withSecret } from './helpers.mjs'
import { needsHooks } from './test-hooks.mjs'

const require = createRequire(import.meta.url)
const { binding } = require('../lib/load-binding.js').loadBinding()

const INTERNAL = /^atlas-user-hash: an internal error \(a caught Rust panic\) stopped this call/

describe('a caught panic', needsHooks, () => {
  it("never gives one secret another secret's hash (secret-A, panic, secret-B, secret-A)", () => {
    const hashA = referenceHash('secret-A', 'u')
    const hashB = referenceHash('secret-B', 'u')
    assert.equal(createUserHash('u', { secret: 'secret-A' }), hashA)
    binding.armTestPanic()
    assertAtlasError(() => createUserHash('u', { secret: 'secret-A' }), Error, 'ERR_ATLAS_INTERNAL', INTERNAL)
    assert.equal(createUserHash('u', { secret: 'secret-B' }), hashB)
    assert.equal(createUserHash('u', { secret: 'secret-A' }), hashA)
    assert.equal(verifyUserHash('u', hashB, { secret: 'secret-A' }), false, "A must not accept B's hash")
    assert.equal(verifyUserHash('u', hashA, { secret: 'secret-A' }), true)
  })

  // More text secrets than the contract keeps keys for, so keys are dropped and made again.
  const TEXT_SECRETS = Array.from({ length: 11 }, (_, i) => `panic-sequence-secret-${i}`)
  const step = fc.record({
    secret: fc.nat({ max: TEXT_SECRETS.length - 1 }),
    bytes: fc.boolean(), // the secret as a Uint8Array of its UTF-8 (options only)
    fromEnv: fc.boolean(), // the secret in ATLAS_SECRET rather than in options
    call: fc.constantFrom('createUserHash', 'generateAtlasUserObject', 'verify right', 'verify other'),
    id: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    panic: fc.nat({ max: 9 }).map((n) => n === 0), // about one call in ten panics
  })

  it('panics at random points of long random secret switches, on every path: each call gives node:crypto\'s answer or ERR_ATLAS_INTERNAL', (t) => {
    const tally = { panicked: 0, right: 0 }
    const ran = assertProperty(
      t,
      fc.property(fc.array(step, { minLength: 100, maxLength: 300 }), (steps) => {
        withSecret(undefined, () => {
          for (const { secret: index, bytes, fromEnv, call, id, panic } of steps) {
            const text = TEXT_SECRETS[index]
            const other = TEXT_SECRETS[(index + 1) % TEXT_SECRETS.length]
            let options
            if (fromEnv) process.env.ATLAS_SECRET = text
            else options = { secret: bytes ? new TextEncoder().encode(text) : text }
            const run = {
              createUserHash: () => createUserHash(id, options),
              generateAtlasUserObject: () => generateAtlasUserObject({ id }, options).userHash,
              'verify right': () => verifyUserHash(id, referenceHash(text, id), options),
              'verify other': () => verifyUserHash(id, referenceHash(other, id), options),
            }[call]
            const expected = { 'verify right': true, 'verify other': false }[call] ?? referenceHash(text, id)
            if (panic) {
              binding.armTestPanic()
              assertAtlasError(run, Error, 'ERR_ATLAS_INTERNAL', INTERNAL)
              tally.panicked++
            } else {
              assert.equal(run(), expected, `${call} with ${fromEnv ? 'ATLAS_SECRET' : bytes ? 'bytes' : 'options.secret'} ${text}`)
              tally.right++
            }
          }
        })
      }),
      runs(20),
    )
    // About one call in ten of 100 to 300 per sequence panics.
    assert.ok(tally.panicked > ran * 5, `panics forced: ${JSON.stringify(tally)}`)
  })
})

describe('the addon takes only its own keys', () => {
  const key = binding.createKey('own-key-secret')
  const good = referenceHash('own-key-secret', 'u')
  const refused = (call) => assertAtlasError(call, TypeError, 'ERR_ATLAS_ENGINE_ARGUMENT', /^atlas-user-hash: the native hash, verify or dropKey was called with arguments it does not take/)

  it('a key is an opaque frozen value (a Node-API External) that hashes and verifies with its secret', () => {
    assert.equal(typeof key, 'object')
    assert.ok(Object.isFrozen(key))
    assert.equal(Object.getPrototypeOf(key), null)
    assert.deepEqual(Reflect.ownKeys(key), [])
    assert.throws(() => structuredClone(key), { name: 'DataCloneError' })
    assert.equal(binding.hash('u', key), good)
    assert.equal(binding.verify('u', good, key), true)
    assert.equal(binding.verify('u', good.toUpperCase(), key), true)
    assert.equal(binding.verify('v', good, key), false)
  })

  it('anything else where the key belongs is a TypeError, never a hash (and dropKey leaves it alone)', () => {
    // Not Object.create(key): V8 in Node 24 and in Deno crashes when any napi External is made
    // a prototype (an engine bug; the public API never hands a key out).
    const lookalikes = [undefined, null, 0, 1, 'own-key-secret', {}, Object.freeze({}), { ...key }, Object.freeze(Object.create(null)), new Uint8Array(32), jsEngine.createKey('own-key-secret'), Symbol('key'), () => key]
    for (const value of lookalikes) {
      refused(() => binding.hash('u', value))
      refused(() => binding.verify('u', good, value))
      assert.equal(binding.dropKey(value), undefined)
    }
    assert.equal(binding.hash('u', key), good, 'the key it copies or inherits from is untouched')
    refused(() => binding.hash('u'))
    refused(() => binding.hash('u', key, 'extra'))
    refused(() => binding.hash(42, key))
    refused(() => binding.verify('u', 42, key))
    refused(() => binding.dropKey())
  })

  it('a dropped key is refused, and dropping it again does nothing', () => {
    const dropped = binding.createKey('dropped-key-secret')
    assert.equal(binding.hash('u', dropped), referenceHash('dropped-key-secret', 'u'))
    assert.equal(binding.dropKey(dropped), undefined)
    refused(() => binding.hash('u', dropped))
    refused(() => binding.verify('u', good, dropped))
    assert.equal(binding.dropKey(dropped), undefined)
    assert.equal(binding.hash('u', key), good, 'other keys are untouched')
  })

  it('createKey reports bad secrets as a STATUS number, not a key', () => {
    assert.equal(binding.createKey(''), -1)
    assert.equal(binding.createKey(' x'), -2)
    assert.equal(binding.createKey(new Uint8Array(0)), -1)
  })

  it('createKey, hash and verify report a caught panic as the PANIC status', needsHooks, () => {
    binding.armTestPanic()
    assert.equal(binding.createKey('x'), -3)
    binding.armTestPanic()
    assert.equal(binding.hash('u', key), -3)
    binding.armTestPanic()
    assert.equal(binding.verify('u', good, key), -3)
    assert.equal(binding.hash('u', key), good, 'the key is the same after the panics')
  })
})

// The addon's test hook liveKeyCount() says how many keys this thread holds: what a leak of
// key state would make grow, measured exactly rather than through RSS.
describe('the addon frees every key', needsHooks, () => {
  it('a key dropped is freed at once, with nothing left for the event loop', () => {
    const before = binding.liveKeyCount()
    for (let i = 0; i < 10_000; i++) {
      const key = binding.createKey(`churn-${i % 17}`)
      assert.equal(binding.liveKeyCount(), before + 1)
      binding.dropKey(key)
    }
    assert.equal(binding.liveKeyCount(), before)
  })

  it('the contract holds at most 8 text keys, whatever it is given', () => {
    const before = binding.liveKeyCount()
    const secrets = Array.from({ length: 11 }, (_, i) => `rotating-${i}`)
    for (let i = 0; i < 5_000; i++) {
      createUserHash(`u${i}`, { secret: secrets[i % secrets.length] })
      createUserHash(`u${i}`, { secret: new Uint8Array([1, 2, i & 255]) })
      assert.ok(binding.liveKeyCount() <= before + 8, `${binding.liveKeyCount() - before} keys more than before`)
    }
  })

  it('a key never dropped is freed once the garbage collector has taken it', () => {
    assert.deepEqual(forgottenKeys(''), { made: 1000, left: 0 })
  })
})

/**
 * Makes 1,000 keys and drops none, in a child with --expose-gc (`setup`: code run first), then
 * collects: how many keys were made, and how many are left once their finalizers ran (they run
 * when the event loop turns after a GC).
 */
function forgottenKeys(setup) {
  const script = `const { binding } = require(${JSON.stringify(require.resolve('../lib/load-binding.js'))}).loadBinding()
${setup}
const before = binding.liveKeyCount()
for (let i = 0; i < 1000; i++) binding.createKey('forgotten-' + i)
const made = binding.liveKeyCount() - before
const settle = (n) => { globalThis.gc(); if (n === 0) return console.log(JSON.stringify({ made, left: binding.liveKeyCount() - before })); setImmediate(() => settle(n - 1)) }
settle(3)`
  const result = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  return JSON.parse(result.stdout)
}

// Under Deno a key is a wrapped object, not an External (Deno never frees an External:
// scripts/runtimes/deno-external-leak/). The test hook useWrappedKeys makes this thread's keys
// that kind in Node too, so that the same checks run on it here; Deno runs them in
// `npm run test:runtimes`.
describe('keys as wrapped objects (as under Deno)', needsHooks, () => {
  const refused = (call) => assertAtlasError(call, TypeError, 'ERR_ATLAS_ENGINE_ARGUMENT', /^atlas-user-hash: the native hash, verify or dropKey was called/)
  const wrapped = (run) => {
    binding.useWrappedKeys(true)
    try {
      return run()
    } finally {
      binding.useWrappedKeys(false)
    }
  }

  it('hash, verify and dropKey take a wrapped key as they take an External, and refuse its look-alikes', () => {
    const [key, dropped] = wrapped(() => [binding.createKey('wrapped-secret'), binding.createKey('wrapped-dropped')])
    const external = binding.createKey('external-secret')
    assert.ok(!types.isExternal(key) && types.isExternal(external), 'one key of each kind')
    const good = referenceHash('wrapped-secret', 'u')
    assert.equal(binding.hash('u', key), good)
    assert.equal(binding.verify('u', good, key), true)
    assert.equal(binding.verify('v', good, key), false)
    assert.equal(binding.hash('u', external), referenceHash('external-secret', 'u'), 'both kinds work side by side')
    const before = binding.liveKeyCount()
    assert.equal(binding.dropKey(dropped), undefined)
    assert.equal(binding.liveKeyCount(), before - 1, 'dropKey freed it')
    for (const value of [dropped, { ...key }, {}, Object.create(null)]) {
      refused(() => binding.hash('u', value))
      refused(() => binding.verify('u', good, value))
      assert.equal(binding.dropKey(value), undefined)
    }
    assert.equal(binding.liveKeyCount(), before - 1, 'nothing else was dropped')
    assert.equal(binding.hash('u', key), good, 'the key is untouched')
    binding.dropKey(key)
    binding.dropKey(external)
  })

  it('the contract hashes with wrapped keys, and keeps using them once keys are Externals again', () => {
    const secrets = Array.from({ length: 11 }, (_, i) => `wrapped-rotating-${i}`)
    const before = binding.liveKeyCount()
    wrapped(() => {
      for (let i = 0; i < 2_000; i++) {
        const secret = secrets[i % secrets.length]
        assert.equal(createUserHash(`u${i}`, { secret }), referenceHash(secret, `u${i}`))
        assert.equal(createUserHash('b', { secret: new Uint8Array([7, i & 255]) }), referenceHash(Buffer.from([7, i & 255]), 'b'))
      }
    })
    for (const secret of secrets) assert.equal(verifyUserHash('w', referenceHash(secret, 'w'), { secret }), true)
    assert.ok(binding.liveKeyCount() <= before + 8, `${binding.liveKeyCount() - before} keys more than before`)
  })

  it('a wrapped key never dropped is freed once the garbage collector has taken it', () => {
    assert.deepEqual(forgottenKeys('binding.useWrappedKeys(true)'), { made: 1000, left: 0 })
  })
})
