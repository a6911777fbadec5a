// npm run bench: the documented Atlas helper, pure-JS alternatives and atlas-user-hash, in
// one process, interleaved round by round; prints ns/op (median of rounds), ops/s and the
// speed-up over the documented helper, the ratios the package is held to, then cold start
// (whole processes, ours and the documented helper's side by side) and binary size.
//   npm run bench                 full run (about a minute)
//   npm run bench -- --quick      a few short rounds: checks the benchmark still works
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'


const quick = process.argv.includes('--quick')
const ROUNDS = quick ? 3 : Number(process.env.BENCH_ROUNDS ?? 15)
const OPS = quick ? 2_000 : Number(process.env.BENCH_OPS ?? 200_000)
const ASYNC_OPS = Math.max(1, Math.floor(OPS / 10))
const repoRoot = fileURLToPath(new URL('..', import.meta.url))

const secret = process.env.ATLAS_SECRET || 'benchmark-secret-0123456789abcdef'
process.env.ATLAS_SECRET = secret
const users = Array.from({ length: 1024 }, (_, i) => ({ id: `user_${100000 + i}`, name: `User ${i}`, email: `user${i}@example.com`, role: 'member' }))

// Startup first, while this process is small and idle: the competitors' modules (hash-wasm
// compiling WebAssembly) and the garbage collector after the rounds below run on the other
// core and would slow the child processes down.
const startupLines = measureStartupAndSize()
const { competitors } = await import('./competitors.mjs')

const entries = await Promise.all(competitors.map(async (c) => ({ ...c, fn: await c.make(secret), samples: [] })))
await checkAllAgree(entries)

let sink = 0
for (let round = 0; round < ROUNDS; round++) {
  for (const entry of entries) {
    // Each sample starts on a collected heap, so that no competitor pays for the garbage the
    // one before it left (npm run bench passes --expose-gc; without it, nothing is collected).
    collectGarbage()
    entry.samples.push(entry.async ? await timeAsync(entry) : timeSync(entry))
  }
}

printTable(entries)
printTargets(entries)
await printWorkerThreadCosts(entries)
console.log(startupLines.join('\n'))
if (sink === 0.5) console.log(sink) // keeps the results alive

function collectGarbage() {
  globalThis.gc?.()
}

function timeSync({ fn, kind }) {
  const start = process.hrtime.bigint()
  if (kind === 'object') for (let i = 0; i < OPS; i++) sink ^= fn(users[i & 1023]).userHash.charCodeAt(0)
  else if (kind === 'env') for (let i = 0; i < OPS; i++) sink ^= fn().charCodeAt(i & 7)
  else for (let i = 0; i < OPS; i++) sink ^= fn(users[i & 1023].id).charCodeAt(0)
  return Number(process.hrtime.bigint() - start) / OPS
}

async function timeAsync({ fn }) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < ASYNC_OPS; i++) sink ^= (await fn(users[i & 1023])).userHash.charCodeAt(0)
  return Number(process.hrtime.bigint() - start) / ASYNC_OPS
}

/** Every competitor must compute the same hashes, or the comparison means nothing. */
async function checkAllAgree(list) {
  for (const user of users.slice(0, 8)) {
    const hashes = await Promise.all(list.filter(({ kind }) => kind !== 'env').map(async ({ fn, kind }) => (kind === 'object' ? (await fn(user)).userHash : fn(user.id))))
    if (new Set(hashes).size !== 1) throw new Error(`competitors disagree for ${user.id}: ${hashes.join(' ')}`)
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function printTable(list) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  console.log(`CPU: ${cpu} (${cpus().length} cores), Node ${process.version}, ${process.platform}-${process.arch}`)
  console.log(`${ROUNDS} rounds x ${OPS} ops (${ASYNC_OPS} for async), interleaved; ns/op is the median of the rounds\n`)
  for (const kind of ['object', 'hash']) {
    const rows = list.filter((e) => e.kind === kind)
    const base = median(rows.find((e) => e.baseline || e.hashBaseline).samples)
    console.log(kind === 'object' ? '| user object (user → { userId, name, email, userHash }) | ns/op | ops/s | vs documented helper |' : '| user hash only (id → hex) | ns/op | ops/s | vs documented createHmac |')
    console.log('|---|---:|---:|---:|')
    for (const e of rows) {
      const ns = median(e.samples)
      console.log(`| ${e.name} | ${ns.toFixed(0)} | ${Math.round(1e9 / ns).toLocaleString('en-US')} | ${(base / ns).toFixed(2)}x |`)
    }
    console.log('')
  }
}

/** The ratios the package is held to (issue 16), from the rounds above. */
function printTargets(list) {
  const ns = (name) => median(list.find((e) => e.name === name).samples)
  const documented = ns('documented helper (createHmac, env read per call)')
  const envPath = ns('atlas-user-hash generateAtlasUserObject')
  const option = ns('atlas-user-hash generateAtlasUserObject, { secret } option')
  const readThenOption = ns('atlas-user-hash: read process.env.ATLAS_SECRET, then the { secret } call')
  const envRead = ns('process.env.ATLAS_SECRET read alone')
  const verdict = (ok) => (ok ? 'met' : 'NOT MET')
  console.log('| target | measured | |')
  console.log('|---|---:|---|')
  console.log(`| ATLAS_SECRET path ≤ 1.10x (one process.env.ATLAS_SECRET read + one { secret } call) | ${(envPath / readThenOption).toFixed(2)}x | ${verdict(envPath / readThenOption <= 1.1)} |`)
  console.log(`| { secret } call ≥ 7x the documented helper | ${(documented / option).toFixed(2)}x | ${verdict(documented / option >= 7)} |`)
  console.log(`| (reading process.env.ATLAS_SECRET alone: ${envRead.toFixed(0)} ns; the ATLAS_SECRET path costs ${(envPath - option).toFixed(0)} ns more than { secret }) | | |`)
  console.log('')
}

/**
 * The same user-object calls inside a worker thread, whose `process.env` is its own copy:
 * there ATLAS_SECRET is read in JavaScript on every call, which should be all it costs on top.
 */
async function printWorkerThreadCosts(list) {
  const { Worker } = await import('node:worker_threads')
  const worker = new Worker(new URL('./worker-thread.mjs', import.meta.url), { workerData: { rounds: ROUNDS, ops: OPS, secret } })
  const samples = await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  const mainEnv = median(list.find((e) => e.name === 'atlas-user-hash generateAtlasUserObject').samples)
  const mainOption = median(list.find((e) => e.name === 'atlas-user-hash generateAtlasUserObject, { secret } option').samples)
  const envRead = median(samples.envRead)
  console.log('| atlas-user-hash, per path | ns/op | vs main thread, ATLAS_SECRET |')
  console.log('|---|---:|---:|')
  const row = (name, ns) => console.log(`| ${name} | ${ns.toFixed(0)} | ${(ns / mainEnv).toFixed(2)}x |`)
  row('main thread, ATLAS_SECRET (read from process.env)', mainEnv)
  row('main thread, { secret } option', mainOption)
  row('worker thread, ATLAS_SECRET (read from its process.env)', median(samples.env))
  row('worker thread, { secret } option', median(samples.option))
  console.log(`| worker thread: reading process.env.ATLAS_SECRET alone | ${envRead.toFixed(0)} | |`)
  console.log('')
}

/**
 * Cold start as a user's server meets it: a whole Node process that loads the hashing code
 * and makes one user object, ours (require + first call) and the documented helper's
 * (node:crypto + first call), run alternately; the medians of wall time from spawn to exit.
 */
function coldStartSideBySide() {
  const user = "{ id: 'user_100123', name: 'Ada', email: 'ada@example.com' }"
  const scripts = {
    ours: `const { generateAtlasUserObject } = require(${JSON.stringify(repoRoot)}); generateAtlasUserObject(${user})`,
    documented: `const { createHmac } = require('node:crypto'); const u = ${user}; const h = createHmac('sha256', process.env.ATLAS_SECRET || ''); h.update(u.id); ({ userId: u.id, name: u.name, email: u.email, userHash: h.digest('hex') })`,
  }
  const samples = { ours: [], documented: [] }
  const runs = quick ? 3 : 31
  for (let i = 0; i < runs; i++) {
    for (const name of i % 2 ? ['ours', 'documented'] : ['documented', 'ours']) {
      const start = process.hrtime.bigint()
      execFileSync(process.execPath, ['-e', scripts[name]])
      samples[name].push(Number(process.hrtime.bigint() - start) / 1e6)
    }
  }
  const [ours, documented] = [median(samples.ours), median(samples.documented)]
  return [
    `cold start, whole process (node -e: load + one user object), medians of ${runs} alternating runs: atlas-user-hash ${ours.toFixed(1)} ms, the documented helper ${documented.toFixed(1)} ms: ${(ours / documented).toFixed(3)}x (${(ours - documented).toFixed(1)} ms)`,
  ]
}

function measureStartupAndSize() {
  // A fresh process per sample. The first require of any module also warms up Node's module
  // loader, so that cost is measured apart (an empty module) and the package is timed both
  // as the very first require and after the loader is warm.
  const empty = fileURLToPath(new URL('./empty-module.cjs', import.meta.url))
  const timeRequire = (warmFirst, target) =>
    // The elapsed time is taken before `process.stdout` is touched: its first use sets up the stream (~2 ms).
    `${warmFirst ? `require(${JSON.stringify(empty)});` : ''} const t = process.hrtime.bigint(); require(${JSON.stringify(target)}); const ms = Number(process.hrtime.bigint() - t) / 1e6; process.stdout.write(String(ms))`
  const sample = (code) => median(Array.from({ length: quick ? 3 : 21 }, () => Number(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }))))
  const loaderWarmUp = sample(timeRequire(false, empty))
  const first = sample(timeRequire(false, repoRoot))
  const warm = sample(timeRequire(true, repoRoot))
  const lines = [
    `cold require("atlas-user-hash") in a fresh process: ${warm.toFixed(2)} ms once Node's loader is warm; ${first.toFixed(2)} ms as the process's first require (an empty module's first require: ${loaderWarmUp.toFixed(2)} ms); medians of ${quick ? 3 : 21} processes`,
  ]
  lines.push(...coldStartSideBySide())
  for (const file of readdirSync(repoRoot).filter((f) => f.endsWith('.node'))) {
    const bytes = statSync(repoRoot + file).size
    lines.push(`binary ${file}: ${bytes.toLocaleString('en-US')} bytes (${(bytes / 1000).toFixed(0)} kB, stripped)`)
  }
  return lines
}
