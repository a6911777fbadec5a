// The ESM side of the runtime check: `import { … } from 'atlas-user-hash'` must give the named
// exports and the same engine as require() in every runtime (Node, Bun and Deno each find a
// CommonJS package's named exports their own way). Run by scripts/test-runtimes.mjs from the
// consumer project beside check.cjs; prints ATLAS_RUNTIME_ESM {json}.
import { createHmac } from 'node:crypto'

import api, { createUserHash, engine, generateAtlasUserObject, verifyUserHash } from 'atlas-user-hash'

const expected = process.env.ATLAS_EXPECT_ENGINE || 'native'
const secret = 'esm-check-secret'
const hash = createHmac('sha256', secret).update('user_100123').digest('hex')
const problems = []
if (engine !== expected) problems.push(`engine: got ${engine}, expected ${expected}`)
if (api.engine !== engine) problems.push(`default export's engine ${api.engine} differs from the named export's ${engine}`)
for (const [name, fn] of Object.entries({ createUserHash, generateAtlasUserObject, verifyUserHash })) {
  if (typeof fn !== 'function') problems.push(`named export ${name} is ${typeof fn}`)
}
if (!problems.length) {
  process.env.ATLAS_SECRET = secret
  if (createUserHash('user_100123') !== hash) problems.push('createUserHash with ATLAS_SECRET gave a wrong hash')
  if (generateAtlasUserObject({ id: 'user_100123' }, { secret }).userHash !== hash) problems.push('generateAtlasUserObject with { secret } gave a wrong hash')
  if (verifyUserHash('user_100123', hash) !== true) problems.push('verifyUserHash rejected the right hash')
}
for (const problem of problems) console.log(`FAIL esm: ${problem}`)
if (!problems.length) console.log(`ok   esm: import { … } from 'atlas-user-hash' gives the named exports, engine === '${engine}'`)
console.log(`ATLAS_RUNTIME_ESM ${JSON.stringify({ engine, problems })}`)
process.exitCode = problems.length ? 1 : 0
