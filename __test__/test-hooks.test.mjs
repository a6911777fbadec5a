// The test hooks (armTestPanic, liveKeyCount, useWrappedKeys) are in test builds only. This builds the addon
// both ways, as `npm run build` (the user's build, and the example's) and as `npm run build:test`,
// into scratch folders (the addon the other tests load is left alone), and checks each by its
// bytes (scripts/binary-checks.mjs testHooksIn, the check every packaged binary gets) and by
// loading it in a child process: the release build has neither hook, the test build both, so
// the byte check is seen to find hooks where they are. Cargo has the work cached after
// `npm test`'s own builds: seconds. Skipped where there is no Rust toolchain (the release
// workflow's test jobs run the suite on downloaded binaries).
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { TEST_HOOKS, testHooksIn } from '../scripts/binary-checks.mjs'
import { spawnSync } from './child-process.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const napi = createRequire(import.meta.url).resolve('@napi-rs/cli/package.json').replace(/package\.json$/, 'dist/cli.js')
const noCargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' }).status !== 0 && 'no cargo here: the suite runs on a downloaded binary'

/** Builds the addon with `flags` (besides package.json's `build` ones) into a scratch folder; its path. */
function build(scratch, flags) {
  const out = join(scratch, flags.length ? 'test' : 'release')
  const result = spawnSync(process.execPath, [napi, 'build', '--platform', '--release', '--no-js', '--dts', 'index.d.ts', '--output-dir', out, ...flags], { cwd: root, encoding: 'utf8' })
  assert.equal(result.status, 0, `napi build ${flags.join(' ')}:\n${result.stderr}`)
  const [binary] = readdirSync(out).filter((name) => name.endsWith('.node'))
  return join(out, binary)
}

/** The test hooks `binary` exports as functions once loaded (in a child process). */
function loadedHooks(binary) {
  const script = `const b = require(${JSON.stringify(binary)}); console.log(JSON.stringify(Object.keys(b).filter((k) => typeof b[k] === 'function')))`
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  const exported = JSON.parse(result.stdout)
  assert.ok(exported.includes('createKey') && exported.includes('hash'), `loaded: ${exported}`)
  return TEST_HOOKS.filter((hook) => exported.includes(hook))
}

describe('the test hooks', { skip: noCargo }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-test-hooks-'))
  after(() => rmSync(scratch, { recursive: true, force: true }))

  it('are not in the release build (`npm run build`): neither in its bytes nor among its exports', () => {
    const binary = build(scratch, [])
    assert.deepEqual(testHooksIn(binary), [])
    assert.deepEqual(loadedHooks(binary), [])
  })

  it('are in the test build (`npm run build:test`, cargo feature test-hooks): both in its bytes and among its exports', () => {
    const binary = build(scratch, ['--features', 'test-hooks', '--target-dir', join(root, 'target', 'test-hooks')])
    assert.deepEqual(testHooksIn(binary), TEST_HOOKS)
    assert.deepEqual(loadedHooks(binary), TEST_HOOKS)
  })
})
