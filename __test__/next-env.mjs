// @next/env as the oracle for bin/env-file.js: what a Next.js app started with an
// environment gets from a .env text, from @next/env itself and from the command's reader.
// Run as a script (`node --stack-size=200 __test__/next-env.mjs <runs>`), it compares the two
// on random texts and environments. The small stack matters: a text that refers to itself
// makes @next/env recurse until the stack overflows (then it fails to load the file, as
// the reader says), which with Node's usual stack takes up to a second each time.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'

const require = createRequire(import.meta.url)
const { processEnv } = require('@next/env')
const { parseEnvText, readLikeNextJs, EnvFileError } = require('../bin/env-file.js')

/**
 * Runs `fn` with `env` in process.env and none of the variables the .env texts here name
 * but those, then puts the environment back. The tests here are synchronous, so nothing
 * else sees the change. (Only those variables are touched: setting all of process.env
 * each time would take most of the time.)
 */
function withEnvironment(env, fn) {
  const named = ['A', 'B', 'C', 'D', 'E', 'F', 'ATLAS_SECRET', 'HOME_X', 'HOME_DIR', 'EMPTY', 'MISSING', '__NEXT_PROCESSED_ENV', ...Object.keys(env)]
  const before = new Set(Object.keys(process.env))
  const saved = {}
  for (const key of named) {
    if (Object.hasOwn(process.env, key)) saved[key] = process.env[key]
    delete process.env[key]
  }
  Object.assign(process.env, env)
  try {
    return fn()
  } finally {
    for (const key of Object.keys(process.env)) if (!before.has(key) || named.includes(key)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

/**
 * What a Next.js app started with `env` gets from this .env text, per key the file defines:
 * `{ failed }` where @next/env fails to load it, else `{ values }`. From @next/env itself.
 */
export function nextJsReads(text, env) {
  return withEnvironment(env, () => {
    let failed = false
    const log = { error: () => (failed = true), info() {}, warn() {} }
    const file = { path: '.env', contents: text, env: {} }
    processEnv([file], '.', log, true)
    if (failed) return { failed }
    const values = {}
    for (const key of Object.keys(file.env)) values[key] = process.env[key]
    return { values }
  })
}

/**
 * The result without integer-named keys such as `1`, which process.env keeps as plain
 * properties (a NUL does not cut them) and the command never reads.
 */
export function namedKeys(result) {
  if (!result.values) return result
  return { values: Object.fromEntries(Object.entries(result.values).filter(([key]) => !/^\d+$/.test(key))) }
}

/** The same, from bin/env-file.js. */
export function weRead(text, env) {
  return withEnvironment(env, () => {
    const { parsed } = parseEnvText(text)
    const values = {}
    try {
      for (const key of Object.keys(parsed)) values[key] = readLikeNextJs(parsed, process.env, key).value
    } catch (error) {
      if (error instanceof EnvFileError) return { failed: true }
      throw error
    }
    return { values }
  })
}


/** Random .env texts and environments, full of what the reader must get right. */
function randomCases() {
  const piece = fc.constantFrom('x', 'Y7', ' ', '  ', '$A', '${ATLAS_SECRET}', '${B:-d}', '${A:-}', '$HOME_X', '${HOME_X}x', '\\$A', '$', '#', ' # c', '"', "'", '`',
    '\\n', '\\', '$toString', '${constructor}', '$__proto__', '$valueOf', '$&', '$1', '=', ':', '\0', 'é', '\uFEFF', '\t', '\n')
  const value = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''))
  const quoted = fc.tuple(fc.constantFrom('', '', '"', "'", '`'), value).map(([quote, text]) => `${quote}${text}${quote}`)
  const key = fc.constantFrom('A', 'ATLAS_SECRET', 'ATLAS_SECRET', 'C', 'toString', 'constructor', '__proto__', '1', 'a.b-c')
  const entry = fc.tuple(fc.constantFrom('', 'export ', '  '), key, fc.constantFrom('=', ' = ', ': ', ':'), quoted, fc.constantFrom('\n', '\r\n', '\r', '\n\n', ' # note\n', ''))
  const line = fc.oneof({ weight: 4, arbitrary: entry.map((parts) => parts.join('')) }, fc.constantFrom('# comment\n', '\n', '   \n', 'junk\n', '"\n'))
  const file = fc.array(line, { maxLength: 8 }).map((lines) => lines.join(''))
  const envValue = fc.array(fc.constantFrom('x', '$A', '${B}', '$HOME_X', '\\$', '$toString', ' ', '#'), { maxLength: 3 }).map((parts) => parts.join(''))
  const environment = fc.record({ ATLAS_SECRET: envValue, A: envValue, B: envValue, HOME_X: envValue }, { requiredKeys: [] })
  return [file, environment]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const numRuns = Number(process.argv[2] || 300)
  fc.assert(
    fc.property(...randomCases(), (text, env) => {
      assert.deepEqual(namedKeys(weRead(text, env)), namedKeys(nextJsReads(text, env)))
    }),
    { numRuns },
  )
  console.log(`${numRuns} random files: the same values as @next/env`)
}
