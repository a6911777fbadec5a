// A polluted Object.prototype never chooses the key: options.secret and ATLAS_SECRET count
// only as own properties, on the main thread and in a worker, on both engines. Nor does it
// choose the engine: the loader and binding.js read napi-rs's variables as own properties.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

import { execFileSync } from './child-process.mjs'

import { apis, assertAtlasError, referenceHash, withSecret } from './helpers.mjs'

const attackerHash = referenceHash('attacker-key', 'victim')

/** Runs `fn` with `Object.prototype[name]` set to the attacker's key, then removes it. */
function withPollution(names, fn) {
  for (const name of names) Object.prototype[name] = 'attacker-key'
  try {
    return fn()
  } finally {
    for (const name of names) delete Object.prototype[name]
  }
}

describe('a polluted Object.prototype, on the main thread', () => {
  for (const { engine, api } of apis) {
    it(`${engine} engine: Object.prototype.secret is no options.secret`, () => {
      withPollution(['secret'], () => {
        withSecret(undefined, () => {
          assertAtlasError(() => api.verifyUserHash('victim', attackerHash, {}), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set/)
          assertAtlasError(() => api.createUserHash('victim', {}), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set/)
        })
        withSecret('the-real-secret', () => {
          assert.equal(api.verifyUserHash('victim', attackerHash, {}), false)
          assert.equal(api.createUserHash('victim', {}), referenceHash('the-real-secret', 'victim'))
          assert.equal(api.createUserHash('victim', { secret: 'own-secret' }), referenceHash('own-secret', 'victim'), 'an own secret still counts')
        })
      })
    })

    it(`${engine} engine: Object.prototype.ATLAS_SECRET is no ATLAS_SECRET`, () => {
      withPollution(['ATLAS_SECRET'], () => {
        withSecret(undefined, () => {
          assertAtlasError(() => api.verifyUserHash('victim', attackerHash), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set/)
          assertAtlasError(() => api.generateAtlasUserObject({ id: 'victim' }), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set/)
        })
        withSecret('the-real-secret', () => {
          assert.equal(api.verifyUserHash('victim', attackerHash), false)
          assert.equal(api.createUserHash('victim'), referenceHash('the-real-secret', 'victim'), 'a real ATLAS_SECRET still counts')
        })
      })
    })
  }
})

describe('a polluted Object.prototype, in a worker thread without ATLAS_SECRET', () => {
  it('neither engine verifies the attacker\'s hash or hashes with the attacker\'s key', async () => {
    const worker = new Worker(new URL('./fixtures/polluted-worker.mjs', import.meta.url), { workerData: { attackerHash } })
    const results = await new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    await worker.terminate()
    const missing = { code: 'ERR_ATLAS_SECRET_MISSING' }
    for (const engine of ['native', 'js']) {
      assert.deepEqual(results[engine], { env: missing, emptyOptions: missing, hash: missing }, engine)
    }
  })
})

// Issue 25: `Object.prototype.NAPI_RS_NATIVE_LIBRARY_PATH = '/path/evil.js'` before the first
// require made the loader load that module as the engine: every hash what it says, every
// verification true. Each variable napi-rs's loader or ours reads, polluted in a fresh process.
describe('a polluted Object.prototype before the first require chooses no engine', () => {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-polluted-loader-'))
  after(() => rmSync(scratch, { recursive: true, force: true }))
  const evil = join(scratch, 'evil.js')
  writeFileSync(evil, "globalThis.evilLoaded = true\nmodule.exports = { createKey: () => ({}), hash: () => 'evil', verify: () => true, dropKey() {}, __napiBindingTarget: 'native' }\n")
  const { NAPI_RS_NATIVE_LIBRARY_PATH: _, NAPI_RS_FORCE_WASI: __, NAPI_RS_WASI_FLAVOR: ___, NAPI_RS_ENFORCE_VERSION_CHECK: ____, ...env } = process.env
  const polluted = {
    NAPI_RS_NATIVE_LIBRARY_PATH: evil,
    NAPI_RS_FORCE_WASI: '1',
    NAPI_RS_WASI_FLAVOR: 'wasm32-wasi',
    NAPI_RS_ENFORCE_VERSION_CHECK: '1',
    __napiBindingTarget: 'wasm32-wasi',
  }

  /** What `entry` (the package, or binding.js itself) gives in a process with `pollution` on Object.prototype. */
  function run(entry, pollution) {
    const probe = `Object.assign(Object.prototype, ${JSON.stringify(pollution)})
      const outcome = (call) => { try { return call() } catch (error) { return error.code || error.message } }
      const api = outcome(() => require(${JSON.stringify(join(root, entry))}))
      const key = typeof api === 'object' && api.createKey ? api.createKey('k') : undefined
      console.log(JSON.stringify({
        engine: api.engine,
        hash: outcome(() => (api.createUserHash ? api.createUserHash('victim', { secret: 'k' }) : api.hash('victim', key))),
        verified: outcome(() => (api.verifyUserHash ? api.verifyUserHash('victim', 'f'.repeat(64), { secret: 'k' }) : api.verify('victim', 'f'.repeat(64), key))),
        evilLoaded: globalThis.evilLoaded === true,
      }))`
    return JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', env }))
  }
  const honest = { hash: referenceHash('k', 'victim'), verified: false, evilLoaded: false }

  it("the issue's repro: Object.prototype.NAPI_RS_NATIVE_LIBRARY_PATH names no module, for the package and for binding.js", () => {
    const pollution = { NAPI_RS_NATIVE_LIBRARY_PATH: evil }
    assert.deepEqual(run('index.js', pollution), { engine: 'native', ...honest })
    assert.deepEqual(run('binding.js', pollution), honest)
  })

  for (const [name, value] of Object.entries(polluted)) {
    it(`Object.prototype.${name} = ${JSON.stringify(value)}`, () => {
      assert.deepEqual(run('index.js', { [name]: value }), { engine: 'native', ...honest })
      assert.deepEqual(run('binding.js', { [name]: value }), honest)
    })
  }

  it('all of them at once', () => {
    assert.deepEqual(run('index.js', polluted), { engine: 'native', ...honest })
    assert.deepEqual(run('binding.js', polluted), honest)
  })

  it('the probe can fail: the same variables as own properties of process.env do choose', () => {
    const probe = `process.env.NAPI_RS_NATIVE_LIBRARY_PATH = ${JSON.stringify(evil)}
      const api = require(${JSON.stringify(root)})
      console.log(JSON.stringify({ hash: api.createUserHash('victim', { secret: 'k' }), evilLoaded: globalThis.evilLoaded === true }))`
    assert.deepEqual(JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', env })), { hash: 'evil', evilLoaded: true })
  })
})
