// Shared by the Node test suites: the independent reference (node:crypto) and small helpers.
import assert from 'node:assert/strict'
import { spawnSync } from './child-process.mjs'
import { createHmac, randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'

import fc from 'fast-check'

/** The user hash as Atlas's documented helper computes it. */
export function referenceHash(secret, id) {
  return createHmac('sha256', secret).update(String(id)).digest('hex')
}

/** Atlas's documented Next.js helper, verbatim but for the types. */
export function documentedHelper(user) {
  if (!user) return {}
  const hmac = createHmac('sha256', process.env.ATLAS_SECRET || '')
  hmac.update(user.id)
  return { userId: user.id, name: user.name, email: user.email, userHash: hmac.digest('hex') }
}

/** The node:crypto vectors of __test__/fixtures/vectors.json. */
export const vectors = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'))

/**
 * Runs `fn` with `process.env.ATLAS_SECRET` set to `value` (unset for `undefined`), then
 * restores it: after `fn` returns, or after its promise settles.
 */
export function withSecret(value, fn) {
  return withEnv('ATLAS_SECRET', value, fn)
}

/** Runs `fn` with `process.env[name]` set to `value` (unset for `undefined`), then restores it, as withSecret does. */
export function withEnv(name, value, fn) {
  // Own only: a polluted Object.prototype's value must not be written back as a real variable.
  const saved = Object.hasOwn(process.env, name) ? process.env[name] : undefined
  const restore = () => {
    if (saved === undefined) delete process.env[name]
    else process.env[name] = saved
  }
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
  let result
  try {
    result = fn()
  } catch (error) {
    restore()
    throw error
  }
  if (typeof result?.then === 'function') return result.finally(restore)
  restore()
  return result
}

/** Asserts that `fn` throws an error of exactly `ErrorClass` with `code` and a message matching `message`. */
export function assertAtlasError(fn, ErrorClass, code, message) {
  let thrown
  assert.throws(fn, (error) => {
    thrown = error
    return true
  })
  assert.equal(Object.getPrototypeOf(thrown), ErrorClass.prototype, `expected a ${ErrorClass.name}, got ${thrown?.constructor?.name}`)
  assert.equal(thrown.code, code)
  assert.match(thrown.message, message)
  return thrown
}

/** The public API on each hash engine: the native addon (index.js) and the pure-JS edge engine. */
export const apis = [
  { engine: 'native', api: await import('../index.js') },
  { engine: 'js', api: await import('../edge.mjs') },
]

/**
 * Unicode's White_Space property as PropList.txt lists it, plus the byte order mark: the
 * characters a secret may not start or end with. Written out, not asked of a regex.
 */
export function isWhiteSpaceOrBom(codePoint) {
  return (
    (codePoint >= 0x09 && codePoint <= 0x0d) ||
    (codePoint >= 0x2000 && codePoint <= 0x200a) ||
    [0x20, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff].includes(codePoint)
  )
}

/**
 * How many random inputs a property test runs: `n`, or a tenth of it under
 * ATLAS_TEST_QUICK=1 (set by the mutation test, which runs the suite once per mutant).
 */
export function runs(n) {
  return quick ? Math.ceil(n / 10) : n
}

/**
 * The seed of every random test in this process: ATLAS_TEST_SEED when set, to replay a run,
 * else a new one. A 32-bit integer (signed or unsigned), as fast-check takes it.
 */
export const testSeed = parseSeed(process.env.ATLAS_TEST_SEED)

function parseSeed(text) {
  if (text === undefined || text === '') return randomInt(0, 2 ** 31)
  const seed = Number(text)
  // Signed or unsigned: some tests print their seed as an unsigned 32-bit number.
  if (!/^-?\d+$/.test(text) || seed < -(2 ** 31) || seed >= 2 ** 32) throw new Error(`ATLAS_TEST_SEED=${JSON.stringify(text)} is not a 32-bit integer (a seed a random test printed)`)
  return seed
}

/**
 * fast-check's `fc.assert` for test `t`: `property` on `numRuns` inputs drawn from testSeed,
 * with no new input started after `seconds` (a loaded machine runs fewer inputs rather than
 * time out; the diagnostics say how many ran). The seed goes to the test's diagnostics, so any
 * run, passed or failed, replays with `ATLAS_TEST_SEED=<seed> node --test <file>`; a failure's
 * message also gives fast-check's seed and path. Returns the number of inputs that ran.
 */
export function assertProperty(t, property, numRuns, { seconds = 60 } = {}) {
  t.diagnostic(`random inputs from seed ${testSeed}: replay with ATLAS_TEST_SEED=${testSeed}`)
  const details = fc.check(property, { seed: testSeed, numRuns, plugins: [fc.interruptAfterTimeLimit(seconds * 1000)] })
  if (details.failed) throw new Error(fc.defaultReportMessage(details), { cause: details.errorInstance })
  if (details.interrupted) t.diagnostic(`stopped after ${seconds} s: ${details.numRuns} of ${numRuns} inputs ran`)
  return details.numRuns
}

/** Under ATLAS_TEST_QUICK=1 the slowest checks (huge ids, Python) skip with this reason. */
export const quick = process.env.ATLAS_TEST_QUICK === '1' && 'skipped under ATLAS_TEST_QUICK=1 (the mutation test): slow, and no contract code of its own'

/**
 * Why this Node cannot take U+10FFFF into `process.env`, or false where it can. Windows Node
 * 22 aborts the whole process on `process.env.X = '\u{10FFFF}'` (`Assertion failed:
 * code_point < 0x10FFFF` in libuv's idna.c: libuv's uv_wtf8_to_utf16 off by one, fixed by
 * libuv/libuv#5021), on real Windows as under Wine. Probed once in a child, on Windows only,
 * so a Node with the fix takes these inputs again. Tests leave such values out of
 * `process.env` there and say so (`t.diagnostic`); everywhere else they stay in.
 */
export const envRejectsMaxCodePoint =
  process.platform === 'win32' &&
  spawnSync(process.execPath, ['-e', "process.env.ATLAS_PROBE = '\\u{10FFFF}'"], { stdio: 'ignore' }).status !== 0 &&
  `Windows Node ${process.version} aborts on U+10FFFF in process.env (libuv's uv_wtf8_to_utf16 assertion, libuv/libuv#5021): environment secrets with it are skipped here`

/** Whether `text` can be put into `process.env` by this Node (see envRejectsMaxCodePoint). */
export const envCanHold = (text) => !envRejectsMaxCodePoint || !text.includes('\u{10FFFF}')
