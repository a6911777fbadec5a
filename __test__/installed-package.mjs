// Runs checks on a package installed into a project folder, for the packaging test
// (package.test.mjs, from tarballs) and the install-by-name test (registry.test.mjs): one
// runner, whichever runtime runs it. `command` is the runtime and what it runs under, e.g.
// [process.execPath], ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu', node], or a musl loader
// with Bun.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
// The installed-package check runner: the contract check, or the runtime check if it replaces it.
const runner = [join(root, '__test__', 'fixtures', 'contract-check.cjs'), join(root, '__test__', 'runtimes', 'check.cjs')].find(existsSync)
// The children get no override that could make a missing binary load anyway.
const { NAPI_RS_NATIVE_LIBRARY_PATH: _, NAPI_RS_FORCE_WASI: __, ATLAS_SECRET: ___, ...cleanEnv } = process.env

/** The environment the checks run in: this one without the loader overrides and the secret. */
export const checkEnv = cleanEnv

/** Runs the installed-package contract check in `dir` with `command`; asserts it passed, returns its output. */
export function contractCheck(dir, command = [process.execPath]) {
  const [cmd, ...args] = [...command, runner, name]
  const result = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: cleanEnv })
  process.stderr.write(result.stdout ?? '')
  assert.equal(result.status, 0, `${command.join(' ')}: contract check failed:\n${result.stdout}\n${result.stderr}\n${result.error ?? ''}`)
  assert.match(result.stdout, /^6 passed, 0 failed$/m)
  return result.stdout
}

/** Which engine (`native`, `wasm32-wasi`) the package installed in `dir` gives `command`. */
export function engineOf(dir, command = [process.execPath]) {
  const probe = `console.log(require(require('path').resolve('node_modules/${name}/load-binding.js')).loadBinding().engine)`
  const [cmd, ...args] = [...command, '-e', probe]
  const result = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: cleanEnv })
  assert.equal(result.status, 0, `${command.join(' ')} -e …: ${result.stderr}${result.error ?? ''}`)
  return result.stdout.trim()
}
