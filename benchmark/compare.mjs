// npm run bench:compare -- <before> [<after>]: two builds of atlas-user-hash (checkouts with
// their addon built) side by side, for a change's before and after on one machine. The calls
// run in one process, interleaved round by round and alternating which goes first, so load
// from elsewhere falls on both alike; cold start alternates whole processes. Prints medians
// and after/before ratios (under 1: the after build is faster).
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { runScript, scriptArgs } from '../scripts/script-args.mjs'

const USAGE = `
Usage: npm run bench:compare -- <before> [<after>] [--rounds N] [--cold N]

Compares two builds of atlas-user-hash on this machine: <before> and <after> are checkouts
with their addon built (npm run build); <after> defaults to this one. Times
generateAtlasUserObject, createUserHash and verifyUserHash with ATLAS_SECRET and with
{ secret } (median of N interleaved rounds of 200,000 calls, default 21), then cold start:
a whole process that loads the package and makes one user object (median of N alternating
runs each, default 31). Run with node --expose-gc (npm run bench:compare does).

  --rounds N   rounds of calls (default 21)
  --cold N     cold-start runs of each build (default 31; 0 skips them)
  -h, --help   this text
`

const OPS = 200_000
const secret = 'benchmark-secret-0123456789abcdef'
const users = Array.from({ length: 1024 }, (_, i) => ({ id: `user_${100000 + i}`, name: `User ${i}`, email: `user${i}@example.com`, role: 'member' }))
let sink = 0

/** What is timed: each case runs OPS calls on one build's API. */
const CASES = {
  'generateAtlasUserObject, ATLAS_SECRET': (api) => {
    for (let i = 0; i < OPS; i++) sink ^= api.generateAtlasUserObject(users[i & 1023]).userHash.charCodeAt(0)
  },
  'generateAtlasUserObject, { secret }': (api) => {
    for (let i = 0; i < OPS; i++) sink ^= api.generateAtlasUserObject(users[i & 1023], { secret }).userHash.charCodeAt(0)
  },
  'createUserHash, ATLAS_SECRET': (api) => {
    for (let i = 0; i < OPS; i++) sink ^= api.createUserHash(users[i & 1023].id).charCodeAt(0)
  },
  'createUserHash, { secret }': (api) => {
    for (let i = 0; i < OPS; i++) sink ^= api.createUserHash(users[i & 1023].id, { secret }).charCodeAt(0)
  },
  'verifyUserHash, { secret }': (api) => {
    const hash = api.createUserHash('user_1', { secret })
    for (let i = 0; i < OPS; i++) sink ^= api.verifyUserHash('user_1', hash, { secret }) ? 1 : 0
  },
}

/** The median of `values`. */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]
}

/** ns per call of each case for each build: `{ [case]: { before: [...], after: [...] } }`. */
function timeCalls(builds, rounds) {
  for (const { api } of builds) for (const run of Object.values(CASES)) run(api) // warm up
  const samples = {}
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...builds].reverse() : builds
    for (const [name, run] of Object.entries(CASES)) {
      for (const { label, api } of order) {
        globalThis.gc?.()
        const start = process.hrtime.bigint()
        run(api)
        samples[name] ??= { before: [], after: [] }
        samples[name][label].push(Number(process.hrtime.bigint() - start) / OPS)
      }
    }
  }
  return samples
}

/**
 * Cold start of `dir` in fresh processes, alternating builds: milliseconds of the whole process
 * (Node's own start included) and of the require plus first user object, as the child times it
 * (the package's own cost, without the noise of Node's start).
 */
function timeColdStarts(builds, runs) {
  const whole = { before: [], after: [] }
  const own = { before: [], after: [] }
  for (let i = 0; i < runs; i++) {
    for (const { label, dir } of i % 2 ? [...builds].reverse() : builds) {
      const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(dir)}).generateAtlasUserObject({ id: 'user_1' }); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6))`
      const start = process.hrtime.bigint()
      const child = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ATLAS_SECRET: secret }, encoding: 'utf8' })
      if (child.status !== 0) throw new Error(`bench:compare: ${dir} failed to start:\n${child.stderr}`)
      whole[label].push(Number(process.hrtime.bigint() - start) / 1e6)
      own[label].push(Number(child.stdout))
    }
  }
  return { whole, own }
}

function line(name, { before, after }, unit, digits) {
  const [b, a] = [median(before), median(after)]
  return `${name.padEnd(40)} before ${b.toFixed(digits).padStart(8)} ${unit}  after ${a.toFixed(digits).padStart(8)} ${unit}  after/before ${(a / b).toFixed(3)}`
}

function main() {
  const { values, positionals } = scriptArgs(USAGE, { options: { rounds: { type: 'string', default: '21' }, cold: { type: 'string', default: '31' } }, positionals: true })
  if (positionals.length < 1 || positionals.length > 2) throw new Error(`bench:compare: give one or two checkouts${USAGE}`)
  const [before, after = fileURLToPath(new URL('..', import.meta.url))] = positionals.map((dir) => resolve(dir))
  process.env.ATLAS_SECRET = secret
  const require = createRequire(import.meta.url)
  const builds = [
    { label: 'before', dir: before, api: require(before) },
    { label: 'after', dir: after, api: require(after) },
  ]
  console.log(`bench:compare: before ${before}, after ${after}; Node ${process.version}`)
  const calls = timeCalls(builds, Number(values.rounds))
  for (const [name, samples] of Object.entries(calls)) console.log(line(name, samples, 'ns', 0))
  const coldRuns = Number(values.cold)
  if (coldRuns > 0) {
    const { whole, own } = timeColdStarts(builds, coldRuns)
    console.log(line('cold start, whole process', whole, 'ms', 2))
    console.log(line('cold start, require + one user object', own, 'ms', 2))
  }
  if (sink === 0.5) console.log(sink) // keeps the results alive
}

runScript(import.meta, main)
