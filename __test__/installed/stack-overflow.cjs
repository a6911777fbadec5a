'use strict'

// Calls every public function at the edge of the JavaScript stack, where a call may throw
// RangeError anywhere on its way: in the contract, the engine's loader, emnapi's glue or the
// WebAssembly itself. After each round of RangeErrors, every function called at a normal
// depth must give node:crypto's hash (or the right boolean), and the process must live
// through garbage collection and the finalizers it runs. Runs under Node and Bun, from a
// project where the package is installed (the packaged wasm engine, from __test__/package.test.mjs):
//   node --expose-gc stack-overflow.cjs [PACKAGE]      bun stack-overflow.cjs [PACKAGE]
// ATLAS_STACK_SEED replays a run (printed first); ATLAS_STACK_ROUNDS sets the rounds (200);
// ATLAS_STACK_DEBUG=1 reports stacks. Then a panic forced by the test hook, in a new key and
// in a hash, must surface as ERR_ATLAS_INTERNAL (the wasm build traps on a panic), and every
// call after it, and the collection after that, must go on as before. Prints one line
// `ATLAS_STACK_RESULT {…}`; exits 1 on any wrong result or unexpected error, or when no call
// threw RangeError or none at the edge succeeded (the edge was missed).

const { createHmac } = require('node:crypto')

const { createRequire } = require('node:module')
const { dirname, join } = require('node:path')

// Resolved from the working directory (the project the package is installed in), not from
// this file, which sits inside the repository's own package.
const entry = createRequire(join(process.cwd(), 'stack-overflow.cjs')).resolve(process.argv[2] || 'atlas-user-hash')
const api = require(entry)
const seed = Number(process.env.ATLAS_STACK_SEED || Math.floor(Math.random() * 2 ** 31))
const rounds = Number(process.env.ATLAS_STACK_ROUNDS || 200)
console.log(`stack-overflow: engine ${api.engine}, seed ${seed} (replay: ATLAS_STACK_SEED=${seed}), ${rounds} rounds`)

/** A small seeded generator (mulberry32), so that a failing run replays. */
let state = seed >>> 0
function random() {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
}
const pick = (n) => Math.floor(random() * n)

const gc = typeof globalThis.gc === 'function' ? () => globalThis.gc() : typeof Bun === 'object' ? () => Bun.gc(true) : () => {}
const hmac = (secret, id) => createHmac('sha256', secret).update(String(id)).digest('hex')

process.env.ATLAS_SECRET = 'stack-env-secret'
const byteSecret = Uint8Array.from([0, 1, 2, 250, 251, 252])
const claimed = hmac('stack-option-secret', 'user_7')

// Each operation: a call and the result it must give. The rotating secrets (more than the 8
// keys the contract keeps) make it create and drop keys; the byte secret makes one per call.
let rotation = 0
const operations = [
  () => [api.createUserHash('user_1'), hmac('stack-env-secret', 'user_1')],
  () => [api.createUserHash(42, { secret: 'stack-option-secret' }), hmac('stack-option-secret', 42)],
  () => [api.createUserHash('user_3', { secret: byteSecret }), hmac(byteSecret, 'user_3')],
  () => [api.verifyUserHash('user_7', claimed, { secret: 'stack-option-secret' }), true],
  () => [api.verifyUserHash('user_8', claimed, { secret: byteSecret }), false],
  () => [api.generateAtlasUserObject({ id: 'user_9', name: 'N' }).userHash, hmac('stack-env-secret', 'user_9')],
  () => {
    const secret = `rotating-${rotation++ % 13}`
    return [api.createUserHash('user_5', { secret }), hmac(secret, 'user_5')]
  },
]

const problems = []
let rangeErrors = 0
let edgeResults = 0

function check(where, operation) {
  const [got, want] = operation()
  if (got !== want) problems.push(`${where}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`)
}

/**
 * Calls `operation` at each of the `levels` deepest frames of a recursion that overflowed
 * (`padding` arguments shift each frame, so that the calls meet the edge at other offsets).
 */
function atTheEdge(operation, levels, padding) {
  let remaining = -1
  function down(depth, ...pad) {
    try {
      down(depth + 1, ...pad)
    } catch (error) {
      if (!(error instanceof RangeError)) throw error
      if (remaining < 0) remaining = levels
    }
    if (remaining-- > 0) {
      try {
        check(`at the edge (depth ${depth})`, operation)
        edgeResults++
      } catch (error) {
        if (error instanceof RangeError && !error.code) rangeErrors++
        else problems.push(`at the edge (depth ${depth}): ${error.constructor.name} ${error.code ?? '(no code)'}: ${process.env.ATLAS_STACK_DEBUG ? error.stack : error.message}`)
      }
    }
  }
  down(0, ...new Array(padding).fill(0))
}

async function main() {
  for (let round = 0; round < rounds && problems.length === 0; round++) {
    atTheEdge(operations[pick(operations.length)], 1 + pick(600), pick(24))
    for (const [index, operation] of operations.entries()) {
      try {
        check(`round ${round}, operation ${index}, at a normal depth`, operation)
      } catch (error) {
        problems.push(`round ${round}, operation ${index}, at a normal depth: ${error.constructor.name} ${error.code ?? '(no code)'}: ${error.message}`)
      }
    }
    if (round % 20 === 19) {
      gc()
      // Finalizers of collected keys run when the event loop turns.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  gc()
  await new Promise((resolve) => setTimeout(resolve, 10))
  for (const operation of operations) check('after the last collection', operation)
  // A release build may have no test hook (armTestPanic); the result says so.
  const { binding } = require(join(dirname(entry), 'lib', 'load-binding.js')).loadBinding()
  const hooks = typeof binding.armTestPanic === 'function'
  const panics = hooks ? [forcedPanic(binding, () => api.createUserHash('user_1', { secret: 'a-secret-never-used-before' })), forcedPanic(binding, operations[1])] : []
  const panic = panics.every((code) => code === 'ERR_ATLAS_INTERNAL') ? 'ERR_ATLAS_INTERNAL' : panics.join(', ')
  for (const operation of operations) check('after a panic', operation)
  gc()
  await new Promise((resolve) => setTimeout(resolve, 10))
  for (const operation of operations) check('after a panic and a collection', operation)
  const result = { engine: api.engine, seed, rounds, rangeErrors, edgeResults, hooks, panic, problems: problems.slice(0, 5) }
  console.log(`ATLAS_STACK_RESULT ${JSON.stringify(result)}`)
  if (problems.length || rangeErrors === 0 || edgeResults === 0 || panic !== 'ERR_ATLAS_INTERNAL') process.exitCode = 1
}

/** The code of the error that `call` gives with a panic forced in the engine (test hook). */
function forcedPanic(binding, call) {
  binding.armTestPanic()
  try {
    call()
    return 'no error'
  } catch (error) {
    return error.code ?? `${error.constructor.name} with no code: ${error.message}`
  }
}

main().catch((error) => {
  console.log(`ATLAS_STACK_RESULT ${JSON.stringify({ seed, problems: [`${error.constructor.name}: ${error.message}`] })}`)
  process.exitCode = 1
})
