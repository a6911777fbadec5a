// Cloudflare Workers: a Worker that imports atlas-user-hash (__test__/runtimes/worker.mjs),
// bundled as wrangler bundles it (esbuild, the workerd/worker/browser conditions, ESM) and
// run in workerd through Miniflare with ATLAS_SECRET as a binding, with and without
// nodejs_compat, checked against node:crypto. Miniflare, workerd and esbuild come from
// `npm run tools:runtimes` (scripts/runtimes/workerd.mjs bundles and loads); without them
// the tests are skipped with the reason. `npm run test:runtimes` runs this file on Node 24 and
// fails when it is skipped there.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { before, describe, it } from 'node:test'

import { bundleWorker, loadMiniflare, workerToolsMissing } from '../scripts/runtimes/workerd.mjs'
import { referenceHash, vectors } from './helpers.mjs'

const SECRET = 'workerd-binding-secret-9Kq'
// Bindings reach process.env with nodejs_compat from this compatibility date on.
const COMPATIBILITY_DATE = '2025-09-01'

const skip = workerToolsMissing()
if (skip) {
  console.log(`# workerd tests skipped: ${skip}`)
  if (process.env.ATLAS_WORKERD_REQUIRED) throw new Error(`workerd tests required but skipped: ${skip}`)
}

// Skipped, it is one skipped test: node --test counts no skipped describe ("# skipped 0").
const suite = skip ? (name) => it(name, { skip }, () => {}) : describe
suite('Cloudflare Workers (workerd through Miniflare)', () => {
  let bundle
  let Miniflare

  before(async () => {
    ;({ Miniflare } = await loadMiniflare())
    bundle = await bundleWorker(readFileSync(new URL('./runtimes/worker.mjs', import.meta.url), 'utf8'))
  })

  async function withWorker(compatibilityFlags, fn) {
    const mf = new Miniflare({
      modules: true,
      script: bundle.code,
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags,
      bindings: { ATLAS_SECRET: SECRET },
    })
    try {
      await mf.ready
      return await fn(async (path, init) => {
        const response = await mf.dispatchFetch(`http://localhost${path}`, init)
        assert.equal(response.status, 200, `${path}: HTTP ${response.status}`)
        return response.json()
      })
    } finally {
      await mf.dispose()
    }
  }

  it('the bundle holds edge.mjs (the js engine), not the browser guard or the native loader, and no secret', () => {
    const ours = bundle.inputs.filter((input) => !input.includes('@noble'))
    assert.ok(ours.some((input) => input.endsWith('edge.mjs')), `edge.mjs bundled: ${ours.join(', ')}`)
    for (const file of ['browser.js', 'index.js', 'lib/load-binding.js', 'binding.js']) {
      assert.ok(!ours.some((input) => input.endsWith(`/${file}`) || input === file), `${file} must not be in the Worker bundle: ${ours.join(', ')}`)
    }
    assert.ok(!bundle.code.includes('server-only'), 'the browser guard is not in the bundle')
    assert.ok(!bundle.code.includes(SECRET), 'the secret is a binding, never in the bundle')
  })

  for (const compat of [['nodejs_compat'], []]) {
    const label = compat.length ? 'with nodejs_compat' : 'without nodejs_compat'

    it(`${label}: { secret: env.ATLAS_SECRET } gives node:crypto's hashes, for all ${vectors.length} vectors`, async () => {
      await withWorker(compat, async (fetchJson) => {
        const ids = ['user_100123', '42', 'ünïcødé-👩‍💻']
        for (const id of ids) {
          const out = await fetchJson(`/?id=${encodeURIComponent(id)}`)
          assert.equal(out.engine, 'js')
          assert.deepEqual(out.withOptions, { value: { userId: id, name: 'Ada', email: 'ada@example.com', userHash: referenceHash(SECRET, id) } })
          assert.deepEqual(out.verifyWithOptions, { value: true })
          assert.equal(out.invalidId.error.code, 'ERR_ATLAS_INVALID_USER_ID')
          assert.equal(out.invalidId.error.isTypeError, true)
          assert.deepEqual(out.noUser, { value: {} })
        }
        const body = JSON.stringify(vectors.map(({ id, secret, secretUtf8Hex }) => ({ id, secret, secretUtf8Hex })))
        const out = await fetchJson('/vectors', { method: 'POST', body, headers: { 'content-type': 'application/json' } })
        assert.equal(out.engine, 'js')
        assert.deepEqual(out.hashes, vectors.map((v) => [v.userHash, v.userHash]))
      })
    })
  }

  it('with nodejs_compat (compatibility date 2025-04-01 or later) the env-only call reads the binding from process.env', async () => {
    await withWorker(['nodejs_compat'], async (fetchJson) => {
      const out = await fetchJson('/?id=user_7')
      assert.equal(out.hasProcess, true)
      assert.deepEqual(out.fromEnv, { value: { userId: 'user_7', name: 'Ada', email: 'ada@example.com', userHash: referenceHash(SECRET, 'user_7') } })
      assert.deepEqual(out.hashFromEnv, { value: referenceHash(SECRET, 'user_7') })
    })
  })

  it('without nodejs_compat the env-only call throws ERR_ATLAS_SECRET_MISSING naming Cloudflare Workers and the fix', async () => {
    await withWorker([], async (fetchJson) => {
      const out = await fetchJson('/?id=user_7')
      assert.equal(out.hasProcess, false)
      for (const attempt of [out.fromEnv, out.hashFromEnv]) {
        assert.ok(attempt.error, `expected an error, got ${JSON.stringify(attempt)}`)
        assert.equal(attempt.error.code, 'ERR_ATLAS_SECRET_MISSING')
        assert.equal(attempt.error.name, 'Error')
        assert.equal(attempt.error.isTypeError, false)
        assert.match(attempt.error.message, /Cloudflare Workers \(workerd\)/)
        assert.ok(attempt.error.message.includes('generateAtlasUserObject(user, { secret: env.ATLAS_SECRET })'), attempt.error.message)
        assert.ok(!attempt.error.message.includes(SECRET))
      }
    })
  })
})
