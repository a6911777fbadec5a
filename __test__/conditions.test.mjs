// The package's export conditions: Node gets the addon; edge runtimes get the pure-JavaScript
// engine; browser bundles get a module whose only job is to fail with the fix, at build time
// in webpack and Turbopack (checked for real by examples/nextjs/test/e2e.test.mjs) and at run
// time anywhere else.
import assert from 'node:assert/strict'
import { spawnSync } from './child-process.mjs'
import { createHmac } from 'node:crypto'
import { it } from 'node:test'

const SERVER_ONLY = 'atlas-user-hash is server-only: call it in a server component, route handler or server action'

/** Runs `code` in a fresh Node with extra export conditions (and flags), from the repository root. */
const run = (conditions, code, flags = []) =>
  spawnSync(process.execPath, [...flags, ...conditions.flatMap((c) => ['-C', c]), '-e', code], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
  })

it('plain Node require and import get the addon', () => {
  const result = run([], 'const api = require("atlas-user-hash"); console.log(typeof api.createUserHash, api.engine)')
  assert.equal(result.stdout.trim(), 'function native', result.stderr)
  const esm = run([], 'import { createUserHash, engine } from "atlas-user-hash"; console.log(typeof createUserHash, engine)', ['--input-type=module'])
  assert.equal(esm.stdout.trim(), 'function native', esm.stderr)
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
  it(`the ${condition} condition gets the pure-JavaScript engine with the same hashes`, () => {
    const code = `import { createUserHash, engine } from "atlas-user-hash"; console.log(engine, createUserHash("user_1", { secret: "k" }))`
    const result = run([condition], code, ['--input-type=module'])
    assert.equal(result.stdout.trim(), `js ${createHmac('sha256', 'k').update('user_1').digest('hex')}`, result.stderr)
  })
}

it('./package.json stays exported', () => {
  const result = run([], 'console.log(require("atlas-user-hash/package.json").name)')
  assert.equal(result.stdout.trim(), 'atlas-user-hash', result.stderr)
})
