// The package's export conditions: Node gets the addon; browser and edge bundles get a module
// whose only job is to fail with the fix, at build time in webpack and Turbopack (checked for
// real by examples/nextjs/test/e2e.test.mjs) and at run time anywhere else.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { it } from 'node:test'

const SERVER_ONLY = 'atlas-user-hash is server-only: call it in a server component, route handler or server action'
const NODE_RUNTIME = 'atlas-user-hash needs the Node.js runtime, not the Edge runtime: add export const runtime = "nodejs"'

/** Runs `code` in a fresh Node with extra export conditions (and flags), from the repository root. */
const run = (conditions, code, flags = []) =>
  spawnSync(process.execPath, [...flags, ...conditions.flatMap((c) => ['-C', c]), '-e', code], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
  })

it('plain Node require and import get the addon', () => {
  const result = run([], 'console.log(typeof require("atlas-user-hash").createUserHash)')
  assert.equal(result.stdout.trim(), 'function', result.stderr)
  const esm = run([], 'import { createUserHash } from "atlas-user-hash"; console.log(typeof createUserHash)', ['--input-type=module'])
  assert.equal(esm.stdout.trim(), 'function', esm.stderr)
})

it('react-server (server components) gets the addon', () => {
  const result = run(['react-server'], 'console.log(typeof require("atlas-user-hash").generateAtlasUserObject)')
  assert.equal(result.stdout.trim(), 'function', result.stderr)
})

it('the browser condition fails with the server-only message', () => {
  const result = run(['browser'], 'require("atlas-user-hash")')
  assert.notEqual(result.status, 0)
  assert.ok(result.stderr.includes(SERVER_ONLY), result.stderr)
})

for (const condition of ['edge-light', 'workerd', 'worker']) {
  it(`the ${condition} condition fails with the Node.js runtime message`, () => {
    const result = run([condition], 'require("atlas-user-hash")')
    assert.notEqual(result.status, 0)
    assert.ok(result.stderr.includes(NODE_RUNTIME), result.stderr)
  })
}

it('./package.json stays exported', () => {
  const result = run([], 'console.log(require("atlas-user-hash/package.json").name)')
  assert.equal(result.stdout.trim(), 'atlas-user-hash', result.stderr)
})
