// Writes __test__/fixtures/vectors.json: user hashes computed by node:crypto, the reference
// the Rust core (tests/node_crypto_vectors.rs) and the Node tests are checked against.
// Ids and secrets are stored as the UTF-8 bytes node:crypto hashes (hex), since JSON
// strings cannot carry lone surrogates into Rust.
//   node scripts/make-vectors.mjs   (the parity test checks the fixture equals makeVectors())
import { createHmac } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { scriptArgs } from './script-args.mjs'

const ids = [
  ['ascii', 'user_100123'],
  ['accents', 'José Müller-Ødegård'],
  ['cjk', '用户一二三'],
  ['emoji', 'user-👩🏽‍💻-🚀'],
  ['lone high surrogate', 'a\uD800b'],
  ['lone low surrogate', '\uDC00z'],
  ['nul', 'a\u0000b'],
  ['1000 characters', `${'x'.repeat(999)}é`],
  ['number text', String(100123)],
  ['negative number text', String(-42)],
  ['max safe integer text', String(Number.MAX_SAFE_INTEGER)],
  ['bigint text', String(2n ** 64n + 1n)],
]
const secrets = [
  ['1 byte', 'k'],
  ['typical', 'a9f4c2e1-atlas-secret'],
  ['64 bytes (one block)', 's'.repeat(64)],
  ['65 bytes (hashed first)', 's'.repeat(65)],
  ['200 bytes', `${'S3cr3t!'.repeat(28)}abcd`],
  ['unicode', 'clé-秘密-🔑'],
]

const utf8Hex = (text) => Buffer.from(text, 'utf8').toString('hex')

/** Every id kind with every secret kind, and node:crypto's user hash for each. */
export function makeVectors() {
  const vectors = []
  for (const [idKind, id] of ids) {
    for (const [secretKind, secret] of secrets) {
      vectors.push({
        name: `${idKind} id, ${secretKind} secret`,
        id,
        idUtf8Hex: utf8Hex(id),
        secret,
        secretUtf8Hex: utf8Hex(secret),
        userHash: createHmac('sha256', secret).update(id).digest('hex'),
      })
    }
  }
  return vectors
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  scriptArgs(`
Usage: node scripts/make-vectors.mjs

Writes __test__/fixtures/vectors.json: the node:crypto hashes of the test vectors
(__test__/parity.test.mjs checks that the file is what this computes today).

  -h, --help   this text; nothing is written
`)
  const out = new URL('../__test__/fixtures/vectors.json', import.meta.url)
  const vectors = makeVectors()
  writeFileSync(out, `${JSON.stringify(vectors, null, 1)}\n`)
  console.log(`wrote ${vectors.length} vectors to ${fileURLToPath(out)}`)
}
