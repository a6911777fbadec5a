// Parity with node:crypto (and Python's hmac for numeric ids): the hashes must be bit for bit
// what Atlas's documented helpers produce.
import assert from 'node:assert/strict'
import { spawnSync } from './child-process.mjs'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import vm from 'node:vm'

import { makeVectors } from '../scripts/make-vectors.mjs'
import { apis, assertAtlasError, documentedHelper, quick, referenceHash, vectors, withSecret } from './helpers.mjs'

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

      // Uint8Arrays that are unusual on the outside: each is told by its internal slots, as
      // node:crypto tells it, and gives node:crypto's hash for its bytes.
      const unusual = () => {
        const nullPrototype = new Uint8Array([1, 2, 3])
        Object.setPrototypeOf(nullPrototype, null)
        const lengthZero = new Uint8Array([4, 5, 6])
        Object.defineProperty(lengthZero, 'length', { value: 0 })
        const foreignSubclass = vm.runInNewContext('class Key extends Uint8Array {}; new Key([7, 8, 9])')
        const lyingSubclass = new (class extends Uint8Array {
          get length() {
            return 0
          }
          static get [Symbol.species]() {
            throw new Error('species must not be asked')
          }
        })([10, 11])
        return [
          ['a null-prototype Uint8Array', nullPrototype, [1, 2, 3]],
          ["a Uint8Array whose own length property says 0", lengthZero, [4, 5, 6]],
          ['a subclass from another realm (node:vm)', foreignSubclass, [7, 8, 9]],
          ['a subclass whose length getter lies', lyingSubclass, [10, 11]],
          ['a Buffer', Buffer.from([12, 13]), [12, 13]],
          ['a Uint8Array on a SharedArrayBuffer', new Uint8Array(new SharedArrayBuffer(2)).fill(14), [14, 14]],
        ]
      }
      for (const [what, secret, bytes] of unusual()) {
        it(`${what} is hashed with its bytes`, () => {
          const want = referenceHash(Buffer.from(bytes), 'u')
          assert.equal(createUserHash('u', { secret }), want)
          assert.equal(verifyUserHash('u', want, { secret }), true)
          assert.equal(generateAtlasUserObject({ id: 'u' }, { secret }).userHash, want)
        })
      }

      it('a Uint8Array whose buffer was detached has no bytes: ERR_ATLAS_SECRET_MISSING', () => {
        const secret = new Uint8Array([1, 2])
        structuredClone(secret.buffer, { transfer: [secret.buffer] })
        assertAtlasError(() => createUserHash('u', { secret }), Error, 'ERR_ATLAS_SECRET_MISSING', /^options\.secret is empty/)
      })

      it('what only looks like a Uint8Array is no secret: a TypeError with ERR_ATLAS_SECRET_INVALID', () => {
        const lookalikes = [new Proxy(new Uint8Array([1]), {}), Object.create(Uint8Array.prototype), { length: 1, 0: 1, [Symbol.toStringTag]: 'Uint8Array' }, new Uint8ClampedArray([1]), new Int8Array([1])]
        for (const secret of lookalikes) {
          assertAtlasError(() => createUserHash('u', { secret }), TypeError, 'ERR_ATLAS_SECRET_INVALID', /^options\.secret must be a string or a Uint8Array; got an object$/)
        }
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
