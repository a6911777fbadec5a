// Soak: millions of calls through every path (ATLAS_SECRET, rotating option secrets, byte
// secrets, verification, errors) and the RSS growth they leave, measured after a GC at
// 10 %, 55 % and 100 % of the calls. V8 grows its heap to a plateau in the first half; a
// leak keeps growing in the second. Prints one JSON line; exits 1 when RSS grew by the
// bound or more overall, or by the second-half bound (an eighth of it unless given) in the
// second half.
//   node --expose-gc scripts/soak.mjs [--calls 2000000] [--bound-mib 64] [--second-half-mib 8] [--keys]
//   deno run -A --v8-flags=--expose-gc scripts/soak.mjs --keys --calls 4000000 --bound-mib 160 --second-half-mib 48
// --keys: every call makes and drops a key (a Uint8Array secret, and one call in 16 a text
// secret of 13 that rotate, more than the 8 kept): the calls whose keys leaked in Deno.
import { createRequire } from 'node:module'
import { scriptArgs } from './script-args.mjs'

// Required, not imported: Deno gives a CommonJS file outside node_modules no named exports.
const { createUserHash, generateAtlasUserObject, verifyUserHash } = createRequire(import.meta.url)('../index.js')

const { values } = scriptArgs(`
Usage: node --expose-gc scripts/soak.mjs [--calls N] [--bound-mib M] [--second-half-mib S] [--keys]

Makes N calls (default 2000000) through every path and prints one JSON line with the RSS growth
measured after a GC; exits 1 when RSS grew by M MiB (default 64) or more, or by S MiB (default
an eighth of M) in the second half. --keys: every call makes and drops a key.
__test__/memory.test.mjs runs it.

  -h, --help   this text; nothing is run
`, { options: { calls: { type: 'string', default: '2000000' }, 'bound-mib': { type: 'string', default: '64' }, 'second-half-mib': { type: 'string' }, keys: { type: 'boolean', default: false } } })
const calls = Number(values.calls)
const boundMiB = Number(values['bound-mib'])
const secondHalfBoundMiB = values['second-half-mib'] === undefined ? boundMiB / 8 : Number(values['second-half-mib'])
const gc = globalThis.gc ?? (() => {})

process.env.ATLAS_SECRET = 'soak-secret'
// With ATLAS_SECRET and the option secret, 13 text secrets: more than the 8 keys the contract
// keeps, so each rotation drops keys and makes them again (about 90,000 keys in 2 million
// calls), and they must be freed at once, not at the next tick.
const textSecrets = Array.from({ length: 11 }, (_, i) => `rotating-secret-${i}`)
const byteSecret = new Uint8Array([1, 2, 3, 4, 5])
let sink = 0

function call(i) {
  const user = { id: `user_${i % 100_000}`, name: 'Soak', email: null }
  switch (i % 8) {
    case 0:
    case 1:
    case 2:
      return generateAtlasUserObject(user).userHash
    case 3:
      // One call in 64 takes the next rotating secret (one in 8 made RSS depend on how often
      // V8 runs a full GC more than on what is freed).
      return createUserHash(i, { secret: i % 64 === 3 ? textSecrets[(i >> 6) % textSecrets.length] : 'soak-option-secret' })
    case 4:
      return createUserHash(user.id, { secret: byteSecret })
    case 5:
      return String(verifyUserHash(user.id, 'ab'.repeat(32)))
    case 6:
      return createUserHash(BigInt(i) * 1_000_000_007n)
    default:
      if (i % 64 !== 7) return generateAtlasUserObject(user).userHash
      try {
        return createUserHash(i % 128 === 7 ? '' : 'x', { secret: ' bad ' })
      } catch (error) {
        return error.code
      }
  }
}

/** A call that makes and drops a key: a byte secret, or one time in 16 a rotating text secret. */
function keyCall(i) {
  const secret = i % 16 === 0 ? textSecrets[(i >> 4) % textSecrets.length] : byteSecret
  return createUserHash(`user_${i % 100_000}`, { secret })
}

const each = values.keys ? keyCall : call
function run(from, to) {
  for (let i = from; i < to; i++) sink ^= each(i).length
}

const rssMiB = () => {
  gc()
  return process.memoryUsage().rss / 2 ** 20
}
const [warm, middle] = [Math.floor(calls / 10), Math.floor(calls * 0.55)]
run(0, warm)
const atWarm = rssMiB()
run(warm, middle)
const atMiddle = rssMiB()
run(middle, calls)
const atEnd = rssMiB()
const mib = (value) => Number(value.toFixed(1))
const report = { calls, keys: values.keys, rssMiB: [mib(atWarm), mib(atMiddle), mib(atEnd)], growthMiB: mib(atEnd - atWarm), secondHalfGrowthMiB: mib(atEnd - atMiddle), boundMiB, secondHalfBoundMiB, sink: sink & 1 }
console.log(JSON.stringify(report))
if (report.growthMiB >= boundMiB || report.secondHalfGrowthMiB >= secondHalfBoundMiB) process.exit(1)
