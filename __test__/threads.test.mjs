// Worker threads keep their own process.env: each must hash with its own ATLAS_SECRET.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { SHARE_ENV, Worker } from 'node:worker_threads'

import { createUserHash } from '../index.js'
import { referenceHash, withSecret } from './helpers.mjs'

const workerScript = new URL('./fixtures/hash-in-worker.mjs', import.meta.url)
const ids = Array.from({ length: 200 }, (_, i) => `user_${i}`)

function runWorker(workerData, options = {}) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerScript, { workerData, ...options })
    worker.once('message', resolve)
    worker.once('error', reject)
  })
}

it('four workers hashing at once each use the secret set inside them; the main thread keeps its own', async () => {
  await withSecret('main-thread-secret', async () => {
    const workers = [0, 1, 2, 3].map((n) => ({ secret: `worker-${n}-secret`, nextSecret: `worker-${n}-rotated`, ids }))
    const running = workers.map((data) => runWorker(data))
    // Hash on the main thread while the workers run.
    for (const id of ids) assert.equal(createUserHash(id), referenceHash('main-thread-secret', id))
    const results = await Promise.all(running)
    for (const [n, result] of results.entries()) {
      assert.deepEqual(result.first, ids.map((id) => referenceHash(`worker-${n}-secret`, id)), `worker ${n}`)
      assert.deepEqual(result.second, ids.map((id) => referenceHash(`worker-${n}-rotated`, id)), `worker ${n} after its change`)
    }
    assert.equal(process.env.ATLAS_SECRET, 'main-thread-secret')
    assert.equal(createUserHash('u'), referenceHash('main-thread-secret', 'u'))
  })
})

it('a worker that inherits the environment uses the inherited secret', async () => {
  await withSecret('inherited-secret', async () => {
    const result = await runWorker({ secret: undefined, nextSecret: 'changed-in-worker', ids: ['a', 'b'] })
    assert.deepEqual(result.first, ['a', 'b'].map((id) => referenceHash('inherited-secret', id)))
    assert.deepEqual(result.second, ['a', 'b'].map((id) => referenceHash('changed-in-worker', id)))
    assert.equal(process.env.ATLAS_SECRET, 'inherited-secret')
  })
})

it('a worker sharing the environment (SHARE_ENV) hashes with the shared secret', async () => {
  await withSecret('before-share', async () => {
    const result = await runWorker({ secret: 'shared-secret', nextSecret: 'shared-rotated', ids: ['x'] }, { env: SHARE_ENV })
    assert.deepEqual(result.first, [referenceHash('shared-secret', 'x')])
    assert.deepEqual(result.second, [referenceHash('shared-rotated', 'x')])
    assert.equal(process.env.ATLAS_SECRET, 'shared-rotated', 'the worker wrote the shared environment')
    assert.equal(createUserHash('x'), referenceHash('shared-rotated', 'x'))
  })
})

it('calls alternating among many secrets, in four threads at once, never get another secret\'s hash', async () => {
  const alternating = new URL('./fixtures/alternate-secrets-worker.mjs', import.meta.url)
  const run = (workerData) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(alternating, { workerData })
      worker.once('message', resolve)
      worker.once('error', reject)
    })
  // More secrets than the per-thread cache holds, shared between threads and unique to each.
  const shared = Array.from({ length: 9 }, (_, i) => `shared-secret-${i}`)
  const runs = [0, 1, 2, 3].map((n) => run({ secrets: [...shared, `own-secret-${n}`], ids: Array.from({ length: 500 }, (_, i) => `t${n}-user-${i}`) }))
  await withSecret('main-secret', async () => {
    for (let i = 0; i < 500; i++) {
      const secret = shared[(i * 7) % shared.length]
      assert.equal(createUserHash(`main-${i}`, { secret }), referenceHash(secret, `main-${i}`))
      assert.equal(createUserHash(`main-${i}`), referenceHash('main-secret', `main-${i}`))
    }
    for (const results of await Promise.all(runs)) {
      assert.equal(results.length, 500)
      for (const [secret, id, hash] of results) assert.equal(hash, referenceHash(secret, id), `${id} with ${secret}`)
    }
  })
})
