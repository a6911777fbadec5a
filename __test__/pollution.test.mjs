// A polluted Object.prototype never chooses the key: options.secret and ATLAS_SECRET count
// only as own properties, on the main thread and in a worker, on both engines.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Worker } from 'node:worker_threads'

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
