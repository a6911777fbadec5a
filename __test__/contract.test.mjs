// lib/contract.js on engines made for the test: which engine call each path makes, how keys
// are kept and dropped, how process.env is read, and the messages for runtimes without
// process.env, Cloudflare Workers and the Edge runtime (the contract run in a fresh V8
// context with just the globals such a runtime has).
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import vm from 'node:vm'

import contract from '../lib/contract.js'
import { jsEngine } from '../lib/engines/js.mjs'
import { apis, assertAtlasError, withSecret } from './helpers.mjs'

const require = createRequire(import.meta.url)
const reference = (secret, id) => createHmac('sha256', secret).update(id).digest('hex')

/** The pure-JS engine, counting its createKey and dropKey calls and keeping the keys it made. */
function countingEngine() {
  const calls = { createKey: 0, dropKey: 0 }
  const made = []
  const dropped = new Set()
  const engine = {
    name: 'counting',
    createKey: (secret) => {
      calls.createKey++
      const key = jsEngine.createKey(secret)
      if (typeof key !== 'number') made.push(key)
      return key
    },
    hash: (idText, key) => {
      assert.ok(!dropped.has(key), 'a dropped key is never used')
      return jsEngine.hash(idText, key)
    },
    verify: (idText, hashText, key) => {
      assert.ok(!dropped.has(key), 'a dropped key is never used')
      return jsEngine.verify(idText, hashText, key)
    },
    dropKey: (key) => {
      calls.dropKey++
      dropped.add(key)
    },
  }
  return { api: contract.createApi(engine), calls, made, dropped }
}

describe('keys', () => {
  it('a text secret is keyed once, however often it is used', () => {
    const { api, calls } = countingEngine()
    for (let i = 0; i < 20; i++) assert.equal(api.createUserHash(`u${i}`, { secret: i % 2 ? 'k1' : 'k2' }), reference(i % 2 ? 'k1' : 'k2', `u${i}`))
    for (let i = 0; i < 4; i++) assert.equal(api.verifyUserHash('u', reference('k1', 'u'), { secret: i % 2 ? 'k1' : 'k2' }), i % 2 === 1)
    assert.deepEqual(calls, { createKey: 2, dropKey: 0 }, 'kept keys are never dropped after a call')
  })

  it('eight text secrets keep their keys; a ninth drops them all and starts the cache afresh', () => {
    const eight = countingEngine()
    const nine = countingEngine()
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 9; i++) {
        if (i < 8) assert.equal(eight.api.createUserHash('u', { secret: `s${i}` }), reference(`s${i}`, 'u'))
        assert.equal(nine.api.createUserHash('u', { secret: `s${i}` }), reference(`s${i}`, 'u'))
      }
    }
    assert.deepEqual(eight.calls, { createKey: 8, dropKey: 0 })
    // Each ninth secret drops the eight kept keys: every key made but those still kept.
    assert.equal(nine.calls.createKey, 27)
    assert.equal(nine.calls.dropKey, 24)
    assert.equal(nine.made.filter((key) => !nine.dropped.has(key)).length, 3)
  })

  it('a drop that throws while the cache is emptied (a wasm call at the stack edge) leaves no dropped key in use', () => {
    const { api, dropped } = countingEngine()
    for (let i = 0; i < 8; i++) api.createUserHash('u', { secret: `s${i}` })
    let throwOnce = true
    // The engine marks the key dropped and then throws, as a trap after the native drop would.
    dropped.add = function add(key) {
      Set.prototype.add.call(this, key)
      if (throwOnce) {
        throwOnce = false
        throw new RangeError('Maximum call stack size exceeded')
      }
      return this
    }
    assert.throws(() => api.createUserHash('u', { secret: 's8' }), RangeError)
    // s7 first: it was the last secret used, whose key the contract keeps at hand.
    for (const i of [7, 0, 1, 2, 3, 4, 5, 6, 8]) assert.equal(api.createUserHash('u', { secret: `s${i}` }), reference(`s${i}`, 'u'), `s${i} after the failed drop`)
  })

  it('a byte secret is keyed anew each call and its key dropped after the call, so changing its bytes changes the hash', () => {
    const { api, calls, made, dropped } = countingEngine()
    const secret = new Uint8Array([1, 2, 3])
    assert.equal(api.createUserHash('u', { secret }), reference(secret, 'u'))
    secret[0] = 9
    assert.equal(api.createUserHash('u', { secret }), reference(secret, 'u'))
    assert.equal(api.verifyUserHash('u', reference(secret, 'u'), { secret }), true)
    assert.equal(api.generateAtlasUserObject({ id: 'u' }, { secret }).userHash, reference(secret, 'u'))
    assert.deepEqual(calls, { createKey: 4, dropKey: 4 })
    assert.deepEqual([...dropped], made)
  })

  it('an engine status the contract does not know is an internal error, not a result', () => {
    for (const status of [-99, 0, 1]) {
      const api = contract.createApi({ name: 'broken', createKey: () => ({}), hash: () => status, verify: () => status, dropKey() {} })
      assertAtlasError(() => api.createUserHash('u', { secret: 'k' }), Error, 'ERR_ATLAS_INTERNAL', new RegExp(`unknown status ${status}$`))
      assertAtlasError(() => api.verifyUserHash('u', 'x', { secret: 'k' }), Error, 'ERR_ATLAS_INTERNAL', new RegExp(`unknown status ${status}$`))
    }
  })

  it('an ATLAS_SECRET that is not a string (a replaced process.env) is a missing secret', () => {
    const realEnv = process.env
    try {
      for (const value of [42, null, { toString: () => 'k' }]) {
        process.env = { ATLAS_SECRET: value }
        assertAtlasError(() => contract.createApi(jsEngine).createUserHash('u'), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set or is empty/)
      }
    } finally {
      process.env = realEnv
    }
  })
})

describe('runtimes without a usual process.env', () => {
  const source = readFileSync(require.resolve('../lib/contract.js'), 'utf8')
  // Its own imports (lib/status.js, …), resolved as the real module would.
  const contractRequire = createRequire(require.resolve('../lib/contract.js'))
  /** contract.js evaluated with exactly `globals` (and the builtins of a fresh context), after `prelude` ran there. */
  function contractIn(globals, prelude = '') {
    const module = { exports: {} }
    // Stryker's switch for the mutant under test lives on the global object: hand it over, so
    // that mutation testing reaches the copy run in this context too.
    const stryker = Object.fromEntries(Object.keys(globalThis).filter((name) => name.startsWith('__stryker')).map((name) => [name, globalThis[name]]))
    // An ordinary global object (not one that forwards to a sandbox), as a runtime's is.
    const context = vm.createContext(vm.constants.DONT_CONTEXTIFY)
    Object.assign(context, { module, exports: module.exports, require: contractRequire, ...stryker, ...globals })
    vm.runInContext(prelude, context)
    vm.runInContext(source, context)
    return module.exports.createApi(jsEngine)
  }
  /** assertAtlasError for an error of another realm: its class is told by name. */
  function missing(call) {
    let thrown
    assert.throws(call, (error) => {
      thrown = error
      return true
    })
    assert.equal(thrown.constructor.name, 'Error')
    assert.equal(thrown.code, 'ERR_ATLAS_SECRET_MISSING')
    return thrown.message
  }
  const PASS = 'Pass the secret in the options instead, e.g. in a Cloudflare Worker: generateAtlasUserObject(user, { secret: env.ATLAS_SECRET })'

  it('without process (Cloudflare Workers without nodejs_compat): { secret } works, ATLAS_SECRET is a missing secret that names the runtime and the fix', () => {
    const workers = contractIn({ navigator: { userAgent: 'Cloudflare-Workers' } })
    assert.equal(workers.createUserHash('u', { secret: 'k' }), reference('k', 'u'))
    assert.equal(missing(() => workers.createUserHash('u')), `ATLAS_SECRET cannot be read: Cloudflare Workers (workerd) has no process.env. ${PASS}`)
    const elsewhere = contractIn({})
    assert.equal(missing(() => elsewhere.verifyUserHash('u', 'x')), `ATLAS_SECRET cannot be read: this runtime has no process.env. ${PASS}`)
  })

  it('a process that is null, has no env or a null env is treated as no process.env', () => {
    for (const process of [null, {}, { env: null }, { env: 'ATLAS_SECRET=k' }]) {
      assert.match(missing(() => contractIn({ process }).createUserHash('u')), /^ATLAS_SECRET cannot be read: this runtime has no process\.env/)
    }
  })

  it('a polluted Object.prototype.process or .env is no process.env (the global object and a bare process inherit them)', () => {
    const attacker = "{ env: { ATLAS_SECRET: 'attacker-key' } }"
    const noProcess = contractIn({}, `Object.prototype.process = ${attacker}`)
    assert.match(missing(() => noProcess.createUserHash('u')), /^ATLAS_SECRET cannot be read: this runtime has no process\.env/)
    assert.equal(noProcess.createUserHash('u', { secret: 'k' }), reference('k', 'u'))
    const bareProcess = contractIn({ process: {} }, "Object.prototype.env = { ATLAS_SECRET: 'attacker-key' }")
    assert.match(missing(() => bareProcess.createUserHash('u')), /^ATLAS_SECRET cannot be read: this runtime has no process\.env/)
    // A real process, with the same pollution: its own env counts.
    const real = contractIn({ process: { env: { ATLAS_SECRET: 'k' } } }, `Object.prototype.process = ${attacker}; Object.prototype.env = {}`)
    assert.equal(real.createUserHash('u'), reference('k', 'u'))
  })

  it('with process.env but no ATLAS_SECRET, Workers and the Edge runtime are told where secrets live', () => {
    const hint = (runtime) =>
      `ATLAS_SECRET is not set or is empty: set it in the server environment to your Atlas identity verification secret (never with a NEXT_PUBLIC_ prefix), or pass { secret } in the options. In ${runtime}, process.env may not hold your secrets (in Cloudflare Workers it does only with nodejs_compat and a compatibility date of 2025-04-01 or later). ${PASS}`
    const workers = contractIn({ process: { env: {} }, navigator: { userAgent: 'Cloudflare-Workers' } })
    assert.equal(missing(() => workers.createUserHash('u')), hint('Cloudflare Workers (workerd)'))
    const edge = contractIn({ process: { env: {} }, EdgeRuntime: 'edge-runtime' })
    assert.equal(missing(() => edge.createUserHash('u')), hint('the Edge runtime'))
    const node = contractIn({ process: { env: { ATLAS_SECRET: 'k' } }, navigator: { userAgent: 'Node.js/22' } })
    assert.equal(node.createUserHash('u'), reference('k', 'u'))
    // Node 21+ has a navigator too; neither it nor a null one is Cloudflare Workers.
    for (const navigator of [null, { userAgent: 'Node.js/22' }]) {
      assert.equal(
        missing(() => contractIn({ process: { env: {} }, navigator }).createUserHash('u')),
        'ATLAS_SECRET is not set or is empty: set it in the server environment to your Atlas identity verification secret (never with a NEXT_PUBLIC_ prefix), or pass { secret } in the options',
      )
    }
  })
})

describe('process.env', () => {
  /** Runs `fn` with `process.env` replaced by `env`, then puts the real one back. */
  function withEnv(env, fn) {
    const realEnv = process.env
    process.env = env
    try {
      return fn()
    } finally {
      process.env = realEnv
    }
  }

  it('ATLAS_SECRET is read once per call, on every call, through whatever process.env is', () => {
    for (const { engine, api } of apis) {
      let reads = 0
      const counting = new Proxy(process.env, {
        get(target, key) {
          if (key === 'ATLAS_SECRET') reads++
          return Reflect.get(target, key)
        },
        set: (target, key, value) => Reflect.set(target, key, value),
      })
      withSecret('read-per-call', () =>
        withEnv(counting, () => {
          assert.equal(api.createUserHash('u'), reference('read-per-call', 'u'), engine)
          assert.equal(api.verifyUserHash('u', reference('read-per-call', 'u')), true, engine)
          assert.equal(api.generateAtlasUserObject({ id: 'u' }).userHash, reference('read-per-call', 'u'), engine)
          process.env.ATLAS_SECRET = 'changed-between-calls'
          assert.equal(api.createUserHash('u'), reference('changed-between-calls', 'u'), `${engine}: a changed secret is used at once`)
          assert.equal(reads, 4, `${engine}: one read for each of the four calls`)
        }),
      )
    }
  })

  it("a Proxy over process.env that overrides reads of ATLAS_SECRET gives the Proxy's value's hash on both engines", () => {
    withSecret('the-real-environment', () => {
      // Writes go through to the real environment; reads of ATLAS_SECRET are the Proxy's.
      const overriding = new Proxy(process.env, {
        get: (target, key) => (key === 'ATLAS_SECRET' ? 'the-proxy-value' : Reflect.get(target, key)),
        set: (target, key, value) => Reflect.set(target, key, value),
      })
      withEnv(overriding, () => {
        for (const { engine, api } of apis) {
          assert.equal(api.createUserHash('u'), reference('the-proxy-value', 'u'), engine)
          assert.equal(api.generateAtlasUserObject({ id: 'u' }).userHash, reference('the-proxy-value', 'u'), engine)
          assert.equal(api.verifyUserHash('u', reference('the-proxy-value', 'u')), true, engine)
          assert.equal(api.verifyUserHash('u', reference('the-real-environment', 'u')), false, engine)
        }
      })
    })
  })

  it('a process.env that cannot be written, or a plain object, is read like any other', () => {
    withSecret('the-real-environment', () => {
      for (const env of [Object.freeze({ ATLAS_SECRET: 'frozen-env' }), { ATLAS_SECRET: 'frozen-env' }]) {
        withEnv(env, () => {
          for (const { engine, api } of apis) assert.equal(api.createUserHash('u'), reference('frozen-env', 'u'), engine)
        })
      }
    })
  })

  it("a Proxy over process.env that answers ATLAS_SECRET the real environment lacks gives the Proxy's value", () => {
    withSecret(undefined, () => {
      const overriding = new Proxy(process.env, {
        get: (target, key) => (key === 'ATLAS_SECRET' ? 'only-the-proxy-has-it' : Reflect.get(target, key)),
      })
      withEnv(overriding, () => {
        for (const { engine, api } of apis) assert.equal(api.createUserHash('u'), reference('only-the-proxy-has-it', 'u'), engine)
      })
    })
  })

  it('a process.env or options object with no prototype is read like any other', () => {
    withEnv(Object.assign(Object.create(null), { ATLAS_SECRET: 'null-prototype-env' }), () => {
      for (const { engine, api } of apis) {
        assert.equal(api.createUserHash('u'), reference('null-prototype-env', 'u'), engine)
        assert.equal(api.createUserHash('u', Object.assign(Object.create(null), { secret: 'null-prototype-options' })), reference('null-prototype-options', 'u'), engine)
      }
    })
  })

  it('an ATLAS_SECRET that process.env only inherits is no secret', () => {
    withEnv(Object.create({ ATLAS_SECRET: 'inherited' }), () => {
      for (const { api } of apis) assertAtlasError(() => api.createUserHash('u'), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set or is empty/)
    })
  })
})
