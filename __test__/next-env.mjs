// @next/env as the oracle for bin/env-file.js: what a Next.js app started with an
// environment gets from one or more .env texts, from @next/env itself (in a child process
// with a capped heap, a small stack and a time limit) and from the command's reader.
//
// @next/env's expansion recurses without bound on a variable that refers to itself, and a
// `$\`` in the text that replaces it doubles the value at each step: the oracle then runs
// out of stack (it fails to load the file, which the reader must say too) or of memory (one
// clean run took 4 GB and the test runner with it). So the oracle runs in children started
// with ORACLE_FLAGS; a case that kills its child is the oracle's, and the caller checks that
// the reader says Next.js fails to load that file, then the rest go on in a new child.
import { spawnSync } from './child-process.mjs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const NEXT_ENV = require.resolve('@next/env')
const { loadFilesLikeNextJs } = require('../bin/env-file.js')

/** The oracle child's limits: 256 MB of heap, a 200 KB stack (recursion fails fast), for every case. */
export const ORACLE_FLAGS = ['--max-old-space-size=256', '--stack-size=200']
/** The most one batch of oracle cases may take before its child is stopped: a minute. */
export const ORACLE_BATCH_MS = 60_000

/**
 * What a Next.js app started with `env` gets from these .env texts, loaded in this order
 * (as `next start` loads .env.production.local, .env.local, .env.production and .env):
 * `{ failed, values }`, with `failed[i]` true where Next.js fails to load file `i` (and
 * skips it), and `values` the final `process.env` value of every key a loaded file
 * defines. From the command's reader.
 * @param {{ texts: string[], env: Record<string, string> }} testCase
 */
export function weRead({ texts, env }) {
  const { files, final } = loadFilesLikeNextJs(texts.map((text, i) => ({ name: `.env${i}`, text })), asProcessEnv(env))
  return { failed: files.map((file) => Boolean(file.failed)), values: final }
}

/**
 * The same from @next/env, for each case, in children with ORACLE_FLAGS. Returns one entry
 * per case: `{ result }`, or `{ blewUp }` with how the oracle's child died on that case.
 * @param {Array<{ texts: string[], env: Record<string, string> }>} cases
 */
export function nextJsReads(cases) {
  const answers = []
  while (answers.length < cases.length) {
    const rest = cases.slice(answers.length)
    const child = spawnSync(process.execPath, [...ORACLE_FLAGS, fileURLToPath(import.meta.url)], {
      input: JSON.stringify(rest),
      encoding: 'utf8',
      timeout: ORACLE_BATCH_MS,
      maxBuffer: 256 * 1024 * 1024,
      env: { PATH: process.env.PATH },
    })
    const lines = child.stdout.split('\n').filter((line) => line.startsWith('{'))
    for (const line of lines) answers.push({ result: JSON.parse(line) })
    if (lines.length === rest.length) break
    if (child.error && child.error.code !== 'ETIMEDOUT') throw child.error
    // The case after the last answer killed the child (heap, stack, time): the oracle's.
    const how = child.error ? `no answer in ${ORACLE_BATCH_MS} ms` : `exit ${child.status ?? child.signal}: ${lastLine(child.stderr)}`
    answers.push({ blewUp: how })
  }
  return answers
}

/** `env` in an object with process.env's prototype, whose look-ups the reader's `$NAME` goes through, as in Next.js. */
export function asProcessEnv(env) {
  return Object.assign(Object.create(Object.getPrototypeOf(process.env)), env)
}

function lastLine(text) {
  const lines = text.trim().split('\n')
  return lines.find((line) => /heap|memory|stack/i.test(line)) || lines[lines.length - 1] || ''
}

/**
 * One case through @next/env's processEnv, in a fresh copy of the module (it keeps the
 * first environment it saw) and with `env` as the whole of process.env.
 */
function oracleCase({ texts, env }) {
  for (const key of Object.keys(process.env)) if (key !== 'PATH') delete process.env[key]
  Object.assign(process.env, env)
  delete require.cache[NEXT_ENV]
  const { processEnv } = require(NEXT_ENV)
  const failedPaths = new Set()
  const log = { error: (message) => failedPaths.add(String(message).replace(/^Failed to load env from /, '')), info() {}, warn() {} }
  const files = texts.map((text, i) => ({ path: `.env${i}`, contents: text, env: {} }))
  processEnv(files, '', log, true)
  const values = {}
  for (const file of files) for (const key of Object.keys(file.env)) values[key] = process.env[key]
  return { failed: files.map((file) => failedPaths.has(file.path)), values }
}

// As a script (the oracle's child): cases as JSON on stdin, one answer per line on stdout,
// each written before the next case starts, so that a case that kills the child is known.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fs = await import('node:fs')
  const cases = JSON.parse(fs.readFileSync(0, 'utf8'))
  for (const testCase of cases) fs.writeSync(1, `${JSON.stringify(oracleCase(testCase))}\n`)
}
