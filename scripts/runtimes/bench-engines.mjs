// What one createUserHash call costs on the pure-JavaScript engine (edge.mjs: the Edge
// runtime, Cloudflare Workers) against the native addon (index.js: Node, Bun, Deno), in this
// Node and, when `npm run tools:runtimes` installed Miniflare, inside workerd.
//   node scripts/runtimes/bench-engines.mjs [--calls N] [--runs R]
// Prints ns per call, the median of R runs, for ATLAS_SECRET and for { secret }.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { bundleWorker, loadMiniflare, workerToolsMissing } from './workerd.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..')
const arg = (name, fallback) => {
  const at = process.argv.indexOf(name)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const CALLS = arg('--calls', 200_000)
const RUNS = arg('--runs', 5)
const SECRET = 'bench-secret-a9f4c2e1'

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

function timeCalls(fn) {
  for (let i = 0; i < 10_000; i++) fn(`user_${i}`) // warm up
  const samples = []
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < CALLS; i++) fn(`user_${100000 + i}`)
    samples.push(Number(process.hrtime.bigint() - start) / CALLS)
  }
  return median(samples)
}

const rows = []
process.env.ATLAS_SECRET = SECRET
const native = createRequire(import.meta.url)(join(repo, 'index.js'))
const js = await import(pathToFileURL(join(repo, 'edge.mjs')).href)
for (const [label, api] of [['native (index.js)', native], ['js (edge.mjs)', js]]) {
  const options = { secret: SECRET }
  rows.push([`Node ${process.versions.node}`, label, 'ATLAS_SECRET', timeCalls((id) => api.createUserHash(id))])
  rows.push([`Node ${process.versions.node}`, label, '{ secret }', timeCalls((id) => api.createUserHash(id, options))])
}

// workerd: its clock stands still while a request computes, so the request is timed from
// outside, once with no calls and once with CALLS calls; the difference is the calls' cost.
const missing = workerToolsMissing()
if (missing) {
  console.log(`workerd skipped: ${missing}`)
} else {
  const { Miniflare, version } = await loadMiniflare()
  const bundle = await bundleWorker(`import { createUserHash } from 'atlas-user-hash'
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const n = Number(url.searchParams.get('n'))
    const options = url.searchParams.get('env') ? undefined : { secret: env.ATLAS_SECRET }
    let last = ''
    for (let i = 0; i < n; i++) last = createUserHash('user_' + (100000 + i), options)
    return new Response(last)
  },
}
`)
  const mf = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings: { ATLAS_SECRET: SECRET },
  })
  await mf.ready
  const request = async (n, env) => {
    const start = process.hrtime.bigint()
    await (await mf.dispatchFetch(`http://localhost/?n=${n}${env ? '&env=1' : ''}`)).text()
    return Number(process.hrtime.bigint() - start)
  }
  for (const env of [true, false]) {
    await request(10_000, env) // warm up
    const samples = []
    for (let run = 0; run < RUNS; run++) {
      const empty = await request(0, env)
      samples.push(((await request(CALLS, env)) - empty) / CALLS)
    }
    rows.push([`workerd (Miniflare ${version})`, 'js (edge.mjs)', env ? 'ATLAS_SECRET (nodejs_compat)' : '{ secret: env.ATLAS_SECRET }', median(samples)])
  }
  await mf.dispose()
}

console.log(`createUserHash, ns per call: median of ${RUNS} runs of ${CALLS} calls, ids like user_100123`)
for (const [where, engine, secret, ns] of rows) console.log(`${where.padEnd(28)} ${engine.padEnd(18)} ${secret.padEnd(30)} ${Math.round(ns)}`)
