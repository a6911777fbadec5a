// Parity with node:crypto (and Python's hmac for numeric ids): the hashes must be bit for bit
// what Atlas's documented helpers produce.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'

import { makeVectors } from '../scripts/make-vectors.mjs'
import { apis, documentedHelper, quick, referenceHash, vectors, withSecret } from './helpers.mjs'

for (const { engine, api: { createUserHash, generateAtlasUserObject, verifyUserHash } } of apis) {
  describe(`${engine} engine`, () => {
    describe('node:crypto vectors', () => {
      it('is what scripts/make-vectors.mjs computes with node:crypto today', () => {
        assert.deepEqual(vectors, makeVectors())
      })

      for (const v of vectors) {
        it(v.name, () => {
          assert.equal(referenceHash(v.secret, v.id), v.userHash, 'the fixture agrees with node:crypto here')
          assert.equal(createUserHash(v.id, { secret: v.secret }), v.userHash)
          assert.equal(createUserHash(v.id, { secret: Buffer.from(v.secretUtf8Hex, 'hex') }), v.userHash)
          withSecret(v.secret, () => {
            assert.equal(createUserHash(v.id), v.userHash)
            assert.deepEqual(generateAtlasUserObject({ id: v.id, name: 'N', email: 'e@x' }), documentedHelper({ id: v.id, name: 'N', email: 'e@x' }))
            assert.equal(verifyUserHash(v.id, v.userHash), true)
            assert.equal(verifyUserHash(v.id, v.userHash.toUpperCase()), true)
          })
        })
      }
    })

    describe('numeric ids are hashed as their decimal text', () => {
      const secret = 'numeric-secret'
      const ids = [0, -0, 1, 100123, -42, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0n, 100123n, -7n, 2n ** 64n, -(10n ** 40n)]

      it('as node:crypto hashes String(id)', () => {
        for (const id of ids) {
          assert.equal(createUserHash(id, { secret }), referenceHash(secret, String(id)), String(id))
          const object = generateAtlasUserObject({ id }, { secret })
          assert.equal(object.userId, id, 'userId keeps the type and value of the id')
          assert.equal(object.userHash, referenceHash(secret, String(id)))
        }
      })

      it("as Atlas's Python helper hashes str(user_id)", { skip: quick }, (t) => {
        // The node:*-alpine and *-bookworm-slim images of the release workflow have no Python.
        const python = process.platform === 'win32' ? 'python' : 'python3'
        if (spawnSync(python, ['--version']).status !== 0) return t.skip(`no ${python} on this machine to run Atlas's Python helper`)
        const script = 'import hmac, hashlib, sys\nfor line in sys.stdin.read().split():\n    print(hmac.new(b"numeric-secret", str(int(line)).encode(), hashlib.sha256).hexdigest())'
        const input = ids.map(String).join('\n')
        const result = spawnSync(python, ['-c', script], { input, encoding: 'utf8' })
        assert.equal(result.status, 0, result.stderr)
        assert.deepEqual(result.stdout.trim().split('\n'), ids.map((id) => createUserHash(id, { secret })))
      })

      it('a numeric id and its string form give the same hash', () => {
        assert.equal(createUserHash(100123, { secret }), createUserHash('100123', { secret }))
        assert.equal(createUserHash(100123n, { secret }), createUserHash('100123', { secret }))
      })
    })

    describe('binary secrets', () => {
      it('a Uint8Array or Buffer key equals node:crypto with the same key bytes', () => {
        const keys = [new Uint8Array([0]), new Uint8Array([0xff, 0xfe, 0x80, 0x00, 0x20]), new Uint8Array(64).fill(7), new Uint8Array(200).map((_, i) => i)]
        for (const key of keys) {
          const want = createHmac('sha256', key).update('user_1').digest('hex')
          assert.equal(createUserHash('user_1', { secret: key }), want)
          assert.equal(createUserHash('user_1', { secret: Buffer.from(key) }), want)
          assert.equal(verifyUserHash('user_1', want, { secret: key }), true)
        }
      })

      it('a view onto part of a buffer uses only the viewed bytes', () => {
        const backing = Buffer.from('xxKEYxx')
        const view = backing.subarray(2, 5)
        assert.equal(createUserHash('u', { secret: view }), referenceHash('KEY', 'u'))
      })
    })

    describe('long ids', () => {
      it('hashes a 1 MiB id as node:crypto does', { skip: quick }, () => {
        const id = 'é'.repeat(512 * 1024)
        assert.equal(createUserHash(id, { secret: 's' }), referenceHash('s', id))
      })
    })
  })
}
