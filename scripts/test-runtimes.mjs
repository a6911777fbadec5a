// npm run test:runtimes — runs __test__/runtimes/check.cjs (engine, hash vectors, error
// contract, worker threads) under every server runtime the package supports: this Node,
// Node 22 and 24, Bun and Deno (installed from npm by `npm run tools:runtimes`, pinned by
// scripts/runtimes/package-lock.json), then the Cloudflare Worker test
// (__test__/workerd.test.mjs, workerd through Miniflare). Prints a summary table; a runtime
// that is not installed is skipped with the reason, never silently. Needs the addon built
// (`npm run build`). Exit code 1 when anything failed, or with --require-all (as .ci/run
// runs it, right after installing the runtimes) when anything was skipped.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const tools = join(repo, 'scripts', 'runtimes', 'node_modules')
const check = join(repo, '__test__', 'runtimes', 'check.cjs')
const INSTALL = 'not installed: run `npm run tools:runtimes` (npm ci --prefix scripts/runtimes)'

const runtimes = [
  { name: 'Node 20 (this node)', bin: process.execPath, args: [check] },
  { name: 'Node 22', bin: join(tools, 'node22', 'bin', 'node'), args: [check] },
  { name: 'Node 24', bin: join(tools, 'node24', 'bin', 'node'), args: [check] },
  { name: 'Bun', bin: join(tools, '.bin', 'bun'), args: [check] },
  { name: 'Deno', bin: join(tools, '.bin', 'deno'), args: ['run', '-A', check] },
]
runtimes[0].name = `Node ${process.versions.node.split('.')[0]} (this node)`

// A consumer project: node_modules/atlas-user-hash links to this repository, so each runtime
// resolves `require('atlas-user-hash')` through package.json "exports" as it would for a user.
const consumer = mkdtempSync(join(tmpdir(), 'atlas-runtimes-'))
mkdirSync(join(consumer, 'node_modules'))
symlinkSync(repo, join(consumer, 'node_modules', 'atlas-user-hash'), 'dir')
writeFileSync(join(consumer, 'package.json'), '{ "name": "atlas-runtimes-consumer", "private": true }\n')
// A copy of the check inside the consumer project, so that its require resolves there.
const consumerCheck = join(consumer, 'check.cjs')
copyFileSync(check, consumerCheck)

const rows = []
try {
  for (const runtime of runtimes) rows.push(runCheck(runtime))
  rows.push(runWorkerd())
} finally {
  rmSync(consumer, { recursive: true, force: true })
}

function version(bin) {
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  return (out.stdout || '').split('\n')[0].replace(/^deno /, '').replace(/ \(.*$/, '').trim() || '?'
}

function runCheck({ name, bin, args }) {
  if (!existsSync(bin)) return { name, version: '-', engine: '-', status: 'skip', note: INSTALL }
  const started = Date.now()
  const run = spawnSync(bin, args.map((arg) => (arg === check ? consumerCheck : arg)), {
    cwd: consumer,
    encoding: 'utf8',
    env: { ...process.env, ATLAS_REPO_DIR: repo, ATLAS_EXPECT_ENGINE: 'native', NO_COLOR: '1' },
    timeout: 120_000,
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(`--- ${name}: ${bin} ${args.join(' ')} (${seconds}s)`)
  process.stdout.write(run.stdout || '')
  process.stdout.write(run.stderr || '')
  const line = (run.stdout || '').split('\n').find((l) => l.startsWith('ATLAS_RUNTIME_RESULT '))
  const parsed = line ? JSON.parse(line.slice('ATLAS_RUNTIME_RESULT '.length)) : null
  const checks = parsed ? Object.entries(parsed.results) : []
  const failedChecks = checks.filter(([, r]) => r.status === 'fail').map(([c]) => c)
  const skipped = checks.filter(([, r]) => r.status === 'skip').map(([c, r]) => `${c} skipped: ${r.reason}`)
  const ok = run.status === 0 && parsed && failedChecks.length === 0
  const note = ok
    ? `${checks.filter(([, r]) => r.status === 'pass').map(([c]) => c).join(', ')} passed${skipped.length ? `; ${skipped.join('; ')}` : ''}`
    : `failed: ${failedChecks.join(', ') || `exit ${run.status}${run.error ? ` (${run.error.message})` : ''}`}`
  return { name, version: version(bin), engine: parsed ? parsed.engine : '?', status: ok ? 'pass' : 'fail', note }
}

// The Worker test runs on the newest Node installed: Miniflare 4 wants Node 22 or later.
function runWorkerd() {
  const name = 'Cloudflare Workers (workerd via Miniflare)'
  const node = [join(tools, 'node24', 'bin', 'node'), join(tools, 'node22', 'bin', 'node')].find(existsSync)
  if (!node || !existsSync(join(tools, 'miniflare')) || !existsSync(join(tools, 'esbuild'))) {
    return { name, version: '-', engine: '-', status: 'skip', note: INSTALL }
  }
  const test = join(repo, '__test__', 'workerd.test.mjs')
  const started = Date.now()
  const run = spawnSync(node, ['--test', test], { cwd: repo, encoding: 'utf8', env: { ...process.env, ATLAS_WORKERD_REQUIRED: '1' }, timeout: 300_000 })
  console.log(`--- ${name}: ${node} --test ${test} (${((Date.now() - started) / 1000).toFixed(1)}s)`)
  process.stdout.write(run.stdout || '')
  process.stdout.write(run.stderr || '')
  const workerd = spawnSync(join(tools, '.bin', 'workerd'), ['--version'], { encoding: 'utf8' }).stdout?.trim() || '?'
  const count = (label) => Number(((run.stdout || '').match(new RegExp(`^(?:#|\u2139) ${label} (\\d+)`, 'm')) || [])[1] || 0)
  const ok = run.status === 0 && count('pass') > 0
  return { name, version: workerd, engine: 'js', status: ok ? 'pass' : 'fail', note: ok ? `${count('pass')} tests passed, ${count('skipped')} skipped` : `failed (exit ${run.status})` }
}

console.log('\n--- runtime summary')
const header = ['runtime', 'version', 'engine', 'result', 'notes']
const table = [header, ...rows.map((r) => [r.name, r.version, r.engine, r.status, r.note])]
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)))
for (const row of table) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '))
const tally = (status) => rows.filter((r) => r.status === status).length
console.log(`${tally('pass')} passed, ${tally('fail')} failed, ${tally('skip')} skipped`)
const requireAll = process.argv.includes('--require-all')
if (requireAll && tally('skip')) console.log('--require-all: a runtime was skipped, so this run fails')
process.exitCode = tally('fail') || (requireAll && tally('skip')) ? 1 : 0
