// contract.js on engines made for the test: which engine call each path makes, how keys are
// kept, and the messages for runtimes without process.env, Cloudflare Workers and the Edge
// runtime (contract.js run in a fresh V8 context with just the globals such a runtime has).
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import vm from 'node:vm'

import contract from '../lib/contract.js'
import { jsEngine } from '../lib/engines/js.mjs'
import { assertAtlasError, withSecret } from './helpers.mjs'

const require = createRequire(import.meta.url)
const reference = (secret, id) => createHmac('sha256', secret).update(id).digest('hex')

/** The pure-JS engine, counting its createKey calls, and reading ATLAS_SECRET itself when told to. */
function countingEngine({ readsEnv = false } = {}) {
  const calls = { createKey: 0, envHash: 0 }
  const engine = {
    name: 'counting',
    createKey: (secret) => {
      calls.createKey++
      return jsEngine.createKey(secret)
    },
    hash: (idText, key) => {
      if (key !== undefined) return jsEngine.hash(idText, key)
      calls.envHash++
      return jsEngine.hash(idText, jsEngine.createKey(process.env.ATLAS_SECRET))
    },
    verify: (idText, hashText, key) => jsEngine.verify(idText, hashText, key ?? jsEngine.createKey(process.env.ATLAS_SECRET)),
    readsEnv: () => readsEnv,
  }
  return { api: contract.createApi(engine), calls }
}

describe('keys', () => {
  it('a text secret is keyed once, however often it is used', () => {
    const { api, calls } = countingEngine()
    for (let i = 0; i < 20; i++) assert.equal(api.createUserHash(`u${i}`, { secret: i % 2 ? 'k1' : 'k2' }), reference(i % 2 ? 'k1' : 'k2', `u${i}`))
    assert.equal(calls.createKey, 2)
  })

  it('eight text secrets keep their keys; a ninth starts the cache afresh', () => {
    const eight = countingEngine()
    const nine = countingEngine()
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 9; i++) {
        if (i < 8) eight.api.createUserHash('u', { secret: `s${i}` })
        nine.api.createUserHash('u', { secret: `s${i}` })
      }
    }
    assert.equal(eight.calls.createKey, 8)
    assert.ok(nine.calls.createKey > 9, `${nine.calls.createKey} keys made`)
  })

  it('a byte secret is keyed anew each call, so changing its bytes changes the hash', () => {
    const { api, calls } = countingEngine()
    const secret = new Uint8Array([1, 2, 3])
    assert.equal(api.createUserHash('u', { secret }), reference(secret, 'u'))
    secret[0] = 9
    assert.equal(api.createUserHash('u', { secret }), reference(secret, 'u'))
    assert.equal(api.verifyUserHash('u', reference(secret, 'u'), { secret }), true)
    assert.equal(calls.createKey, 3)
  })

  it('ATLAS_SECRET goes to an engine that reads the environment itself, with no key', () => {
    const { api, calls } = countingEngine({ readsEnv: true })
    withSecret('engine-reads-env', () => {
      assert.equal(api.createUserHash('u'), reference('engine-reads-env', 'u'))
      assert.equal(api.generateAtlasUserObject({ id: 'v' }).userHash, reference('engine-reads-env', 'v'))
      assert.equal(api.verifyUserHash('u', reference('engine-reads-env', 'u')), true)
    })
    assert.deepEqual(calls, { createKey: 0, envHash: 2 })
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
  /** contract.js evaluated with exactly `globals` (and the builtins of a fresh context). */
  function contractIn(globals) {
    const module = { exports: {} }
    // Stryker's switch for the mutant under test lives on the global object: hand it over, so
    // that mutation testing reaches the copy run in this context too.
    const stryker = Object.fromEntries(Object.keys(globalThis).filter((name) => name.startsWith('__stryker')).map((name) => [name, globalThis[name]]))
    vm.runInNewContext(source, { module, exports: module.exports, ...stryker, ...globals })
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

describe('the native engine and process.env', () => {
  const { binding } = require('../lib/load-binding.js').loadBinding()
  const { createUserHash } = require('../index.js')

  it('probes a process.env object once, then trusts the answer', () => {
    const probe = binding.nativeEnvHas
    let probes = 0
    binding.nativeEnvHas = (name) => {
      probes++
      return probe(name)
    }
    const realEnv = process.env
    try {
      const probesAfter = (call) => {
        const before = probes
        call()
        return probes - before
      }
      withSecret('probe-once', () => {
        // The first use of the real process.env in this process probes it: set, then delete.
        assert.ok([0, 2].includes(probesAfter(() => assert.equal(createUserHash('u'), reference('probe-once', 'u')))))
        for (let i = 0; i < 5; i++) assert.equal(probesAfter(() => assert.equal(createUserHash('u'), reference('probe-once', 'u'))), 0)
      })
      process.env = { ...realEnv, ATLAS_SECRET: 'replaced' }
      // A replaced process.env is probed once: the variable set through it never appears natively.
      assert.equal(probesAfter(() => assert.equal(createUserHash('u'), reference('replaced', 'u'))), 1)
      for (let i = 0; i < 5; i++) assert.equal(probesAfter(() => assert.equal(createUserHash('u'), reference('replaced', 'u'))), 0)
    } finally {
      process.env = realEnv
      binding.nativeEnvHas = probe
    }
  })

  it('a process.env that cannot be written is not the native environment', () => {
    withSecret('the-real-environment', () => {
      const realEnv = process.env
      try {
        process.env = Object.freeze({ ATLAS_SECRET: 'frozen-env' })
        assert.equal(createUserHash('u'), reference('frozen-env', 'u'))
      } finally {
        process.env = realEnv
      }
    })
  })
})
