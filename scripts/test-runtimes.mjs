// npm run test:runtimes — runs __test__/installed/check.cjs (engine, hash vectors, error
// contract, prototype pollution, worker threads) and check-esm.mjs (the same engine through `import`) under every
// server runtime the package supports: this Node,
// Node 22 and 24, Bun and Deno (installed from npm by `npm run tools:runtimes`, pinned by
// scripts/runtimes/package-lock.json), then the Cloudflare Worker test
// (__test__/workerd.test.mjs, workerd through Miniflare), then the key soak under Deno
// (scripts/soak.mjs --keys: RSS within a bound over 4M calls that each make and drop a key,
// which grew ~50 bytes a call when keys were napi Externals). Prints a summary table; a runtime
// that is not installed is skipped with the reason, never silently. Needs the addon built
// (`npm run build`). Exit code 1 when anything failed, or with --require-all (as .ci/run
// runs it, right after installing the runtimes) when anything was skipped.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { scriptArgs } from './script-args.mjs'

const { values: options } = scriptArgs(`
Usage: npm run test:runtimes [-- --require-all]

Runs the installed-package checks (__test__/installed/check.cjs, check-esm.mjs) under this
Node, Node 22 and 24, Bun and Deno, then the Cloudflare Worker test in workerd, and prints a
summary. A runtime that is not installed (\`npm run tools:runtimes\`) is skipped, with the
reason. Needs the addon built (\`npm run build\`).

  --require-all   fail when any runtime was skipped (as .ci/run runs it)
  -h, --help      this text; nothing is run
`, { options: { 'require-all': { type: 'boolean', default: false } } })

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const tools = join(repo, 'scripts', 'runtimes', 'node_modules')
const check = join(repo, '__test__', 'installed', 'check.cjs')
const checkEsm = join(repo, '__test__', 'installed', 'check-esm.mjs')
const INSTALL = 'not installed: run `npm run tools:runtimes` (npm ci --prefix scripts/runtimes)'
// Deno keeps ~50 bytes for every napi External it ever made (scripts/runtimes/deno-external-leak/):
// 4M calls that each make and drop a key grew RSS by 257 MiB, 134 MiB of it in the second half,
// when keys were Externals. Under Deno keys are wrapped objects now (src/raw/mod.rs): +80 MiB
// over 4M calls, 16 MiB of it in the second half (8M calls: +85 MiB, 15 MiB in the last 4M: V8's
// heap settling). Bounds: 160 MiB overall, 48 MiB in the second half; 40 to 60 s here.
const SOAK = { calls: '4000000', boundMiB: '160', secondHalfMiB: '48' }

const runtimes = [
  { name: 'Node 20 (this node)', bin: process.execPath, args: [] },
  { name: 'Node 22', bin: join(tools, 'node22', 'bin', 'node'), args: [] },
  { name: 'Node 24', bin: join(tools, 'node24', 'bin', 'node'), args: [] },
  { name: 'Bun', bin: join(tools, '.bin', 'bun'), args: [] },
  { name: 'Deno', bin: join(tools, '.bin', 'deno'), args: ['run', '-A'] },
]
runtimes[0].name = `Node ${process.versions.node.split('.')[0]} (this node)`

// A consumer project with atlas-user-hash installed in node_modules as npm installs it: the
// files `npm pack` lists, the addon built here (standing in for the platform package) and the
// dependencies, by the Next.js example's installer. So each runtime resolves the package
// through package.json "exports", and treats it as a package in node_modules (Deno reads a
// linked folder outside node_modules as ESM source), as it would for a user.
const consumer = mkdtempSync(join(tmpdir(), 'atlas-runtimes-'))
const installer = join(repo, 'examples', 'nextjs', 'scripts', 'install-local-package.mjs')
const installed = spawnSync(process.execPath, [installer, join(consumer, 'node_modules')], { encoding: 'utf8' })
if (installed.status !== 0) {
  rmSync(consumer, { recursive: true, force: true })
  throw new Error(`${installer} failed:\n${installed.stdout}${installed.stderr}`)
}
writeFileSync(join(consumer, 'package.json'), '{ "name": "atlas-runtimes-consumer", "private": true }\n')
// Copies of the checks inside the consumer project, so that their imports resolve there.
const consumerCheck = join(consumer, 'check.cjs')
const consumerCheckEsm = join(consumer, 'check-esm.mjs')
copyFileSync(check, consumerCheck)
copyFileSync(checkEsm, consumerCheckEsm)


const rows = []
try {
  for (const runtime of runtimes) rows.push(runCheck(runtime))
  rows.push(runWorkerd())
  rows.push(runDenoSoak())
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
  const options = {
    cwd: consumer,
    encoding: 'utf8',
    env: { ...process.env, ATLAS_REPO_DIR: repo, ATLAS_EXPECT_ENGINE: 'native', NO_COLOR: '1' },
    timeout: 120_000,
  }
  const run = spawnSync(bin, [...args, consumerCheck], options)
  const esm = spawnSync(bin, [...args, consumerCheckEsm], options)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(`--- ${name}: ${[bin, ...args].join(' ')} check.cjs, then check-esm.mjs (${seconds}s)`)
  for (const out of [run, esm]) {
    process.stdout.write(out.stdout || '')
    process.stdout.write(out.stderr || '')
  }
  const line = (run.stdout || '').split('\n').find((l) => l.startsWith('ATLAS_RUNTIME_RESULT '))
  const parsed = line ? JSON.parse(line.slice('ATLAS_RUNTIME_RESULT '.length)) : null
  const esmLine = (esm.stdout || '').split('\n').find((l) => l.startsWith('ATLAS_RUNTIME_ESM '))
  const esmParsed = esmLine ? JSON.parse(esmLine.slice('ATLAS_RUNTIME_ESM '.length)) : null
  if (parsed) {
    parsed.results.esm =
      esm.status === 0 && esmParsed && esmParsed.problems.length === 0
        ? { status: 'pass' }
        : { status: 'fail', reason: esmParsed ? esmParsed.problems.join('; ') : `exit ${esm.status}` }
  }
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

function runDenoSoak() {
  const name = `Deno: RSS over ${Number(SOAK.calls) / 1e6}M calls that make and drop keys (scripts/soak.mjs --keys)`
  const bin = join(tools, '.bin', 'deno')
  if (!existsSync(bin)) return { name, version: '-', engine: '-', status: 'skip', note: INSTALL }
  const args = ['run', '-A', '--v8-flags=--expose-gc', join(repo, 'scripts', 'soak.mjs'), '--keys', '--calls', SOAK.calls, '--bound-mib', SOAK.boundMiB, '--second-half-mib', SOAK.secondHalfMiB]
  const started = Date.now()
  const run = spawnSync(bin, args, { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 })
  console.log(`--- ${name}: ${[bin, ...args].join(' ')} (${((Date.now() - started) / 1000).toFixed(1)}s)`)
  process.stdout.write(run.stdout || '')
  process.stdout.write(run.stderr || '')
  const line = (run.stdout || '').split('\n').find((l) => l.startsWith('{'))
  const report = line ? JSON.parse(line) : null
  const note = report ? `RSS ${report.rssMiB.join(' -> ')} MiB: +${report.growthMiB} MiB (bound ${report.boundMiB}), +${report.secondHalfGrowthMiB} MiB in the second half (bound ${report.secondHalfBoundMiB})` : `no report (exit ${run.status})`
  return { name, version: version(bin), engine: 'native', status: run.status === 0 && report ? 'pass' : 'fail', note }
}

console.log('\n--- runtime summary')
const header = ['runtime', 'version', 'engine', 'result', 'notes']
const table = [header, ...rows.map((r) => [r.name, r.version, r.engine, r.status, r.note])]
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)))
for (const row of table) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '))
const tally = (status) => rows.filter((r) => r.status === status).length
console.log(`${tally('pass')} passed, ${tally('fail')} failed, ${tally('skip')} skipped`)
const requireAll = options['require-all']
if (requireAll && tally('skip')) console.log('--require-all: a runtime was skipped, so this run fails')
process.exitCode = tally('fail') || (requireAll && tally('skip')) ? 1 : 0
