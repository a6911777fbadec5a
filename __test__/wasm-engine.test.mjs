// The engine layer's handling of a wasm build (lib/engines/native.js), whichever loader loaded
// it: a trap, which is how a Rust panic surfaces in WebAssembly (panic = "abort"), becomes
// ERR_ATLAS_INTERNAL, as for a caught panic in the native addon. Here the binding is a
// stand-in stamped as binding.js stamps a `napi build --target wasm32-wasip1` build (which
// lib/load-binding.js names engine "native"); the packaged wasm engine itself is tested at the
// edge of the stack, with a real panic, by __test__/installed/stack-overflow.cjs in the
// packaging test (npm run test:package).
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { spawnSync } from './child-process.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const standIn = join(root, '__test__', 'fixtures', 'trapping-wasm-binding.cjs')

/** Runs `source` in a child whose binding is the trapping stand-in; returns its JSON line. */
function withTrappingBinding(source) {
  const { NAPI_RS_FORCE_WASI: _, ...env } = process.env
  const result = spawnSync(process.execPath, ['-e', source], { cwd: root, encoding: 'utf8', env: { ...env, NAPI_RS_NATIVE_LIBRARY_PATH: standIn } })
  assert.equal(result.status, 0, result.stderr)
  return JSON.parse(result.stdout)
}

describe('a wasm build whose calls trap', () => {
  it('gives ERR_ATLAS_INTERNAL for a new key, a hash and a verification, never a RuntimeError', () => {
    const errors = withTrappingBinding(`
      const api = require('./index.js')
      const out = []
      for (const call of [() => api.createUserHash('u', { secret: 'k' }), () => api.verifyUserHash('u', 'ab'.repeat(32), { secret: new Uint8Array([1]) })]) {
        try { call(); out.push('no error') } catch (error) { out.push([error.constructor.name, error.code]) }
      }
      console.log(JSON.stringify(out))`)
    assert.deepEqual(errors, [
      ['Error', 'ERR_ATLAS_INTERNAL'],
      ['Error', 'ERR_ATLAS_INTERNAL'],
    ])
  })

  it('returns the PANIC status from each engine call', () => {
    const statuses = withTrappingBinding(`
      const { nativeEngine } = require('./lib/engines/native.js')
      const { STATUS } = require('./lib/status.js')
      const calls = [nativeEngine.createKey('k'), nativeEngine.hash('u', {}), nativeEngine.verify('u', 'h', {}), nativeEngine.dropKey({})]
      console.log(JSON.stringify(calls.map((status) => status === STATUS.PANIC)))`)
    assert.deepEqual(statuses, [true, true, true, true])
  })
})
