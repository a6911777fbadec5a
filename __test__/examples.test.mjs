// The plain-Node examples run as a user would run them and print a correct user object.
import assert from 'node:assert/strict'
import { spawnSync } from './child-process.mjs'
import { it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { referenceHash } from './helpers.mjs'

const run = (script, env) => spawnSync(process.execPath, [fileURLToPath(new URL(`../examples/node/${script}`, import.meta.url))], { encoding: 'utf8', env })

for (const script of ['user-object.mjs', 'user-object.cjs']) {
  it(`${script} prints the user object for ATLAS_SECRET`, () => {
    const { ATLAS_SECRET: _, ...env } = process.env
    const result = run(script, { ...env, ATLAS_SECRET: 'example-secret' })
    assert.equal(result.status, 0, result.stderr)
    assert.equal(result.stderr, '')
    const id = script.endsWith('.mjs') ? 'user_100123' : '100123'
    assert.ok(result.stdout.includes(`userHash: '${referenceHash('example-secret', id)}'`), result.stdout)
    assert.ok(!result.stdout.includes('example-secret'))
    assert.ok(!result.stdout.includes('passwordHash'))
  })

  it(`${script} falls back to a demo secret and says so on stderr`, () => {
    const { ATLAS_SECRET: _, ...env } = process.env
    const result = run(script, env)
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stderr, /ATLAS_SECRET is not set: using a demo secret/)
    assert.match(result.stdout, /userHash: '[0-9a-f]{64}'/)
  })
}
