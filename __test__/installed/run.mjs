// Runs checks on a package installed into a project folder, for the packaging test
// (package.test.mjs, from tarballs) and the install-by-name test (registry.test.mjs): one
// runner, whichever runtime runs it. `command` is the runtime and what it runs under, e.g.
// [process.execPath], ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu', node], or a musl loader
// with Bun.
import assert from 'node:assert/strict'
import { spawnSync } from '../child-process.mjs'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const { name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
// The one installed-package check, the same one the runtime matrix runs.
const runner = join(root, '__test__', 'installed', 'check.cjs')
/** What check.cjs reports, in order: each must pass wherever the package is installed. */
const CHECKS = ['engine', 'vectors', 'errors', 'pollution', 'keys', 'threads']
// The children get no override that could make a missing binary load anyway.
const { NAPI_RS_NATIVE_LIBRARY_PATH: _, NAPI_RS_FORCE_WASI: __, ATLAS_SECRET: ___, ...cleanEnv } = process.env

/** The environment the checks run in: this one without the loader overrides and the secret. */
export const checkEnv = cleanEnv

/**
 * Runs the installed-package check in `dir` with `command`, expecting the hash engine
 * `engine`; asserts that every check passed and returns its output.
 */
export function contractCheck(dir, command = [process.execPath], engine = 'native') {
  const [cmd, ...args] = [...command, runner, name]
  // Installed from release tarballs: loaded, the binary must export no test hook.
  const env = { ...cleanEnv, ATLAS_EXPECT_ENGINE: engine, ATLAS_EXPECT_TEST_HOOKS: 'absent', ATLAS_REPO_DIR: root }
  const result = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env, timeout: 600_000 })
  process.stderr.write(result.stdout ?? '')
  assert.equal(result.status, 0, `${command.join(' ')}: installed-package check failed:\n${result.stdout}\n${result.stderr}\n${result.error ?? ''}`)
  const line = result.stdout.split('\n').find((l) => l.startsWith('ATLAS_RUNTIME_RESULT '))
  assert.ok(line, `no ATLAS_RUNTIME_RESULT line:\n${result.stdout}`)
  const { results } = JSON.parse(line.slice('ATLAS_RUNTIME_RESULT '.length))
  assert.deepEqual(Object.entries(results).map(([check, r]) => [check, r.status]), CHECKS.map((check) => [check, 'pass']))
  return result.stdout
}

/** Which engine (`native`, `wasm32-wasi`) the package installed in `dir` gives `command`. */
export function engineOf(dir, command = [process.execPath]) {
  const probe = `console.log(require(require('path').resolve('node_modules/${name}/lib/load-binding.js')).loadBinding().engine)`
  const [cmd, ...args] = [...command, '-e', probe]
  const result = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: cleanEnv })
  assert.equal(result.status, 0, `${command.join(' ')} -e …: ${result.stderr}${result.error ?? ''}`)
  return result.stdout.trim()
}
