// The shape of generateAtlasUserObject's result and where its secret comes from.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { apis, documentedHelper, referenceHash, withSecret } from './helpers.mjs'

const SECRET = 'user-object-test-secret'

for (const { engine, api: { createUserHash, generateAtlasUserObject } } of apis) {
  describe(`${engine} engine`, () => {
    describe('no user', () => {
      it('returns a fresh {} for every falsy value, as the documented helper does', () => {
        withSecret(undefined, () => {
          for (const user of [null, undefined, false, 0, -0, 0n, '', NaN]) {
            const first = generateAtlasUserObject(user)
            assert.deepEqual(first, {}, String(user))
            assert.equal(Object.getPrototypeOf(first), Object.prototype)
            assert.notEqual(generateAtlasUserObject(user), first, 'each call returns its own object')
          }
        })
      })
    })

    describe('a user', () => {
      it('gives the same object as the documented helper', () => {
        const user = { id: 'user_100123', name: 'Ada Lovelace', email: 'ada@example.com' }
        withSecret(SECRET, () => assert.deepEqual(generateAtlasUserObject(user), documentedHelper(user)))
      })

      it('copies exactly the four documented fields from a full record', () => {
        const record = { id: 'u1', name: 'Ada', email: 'ada@example.com', passwordHash: 'argon2…', role: 'admin', sessionToken: 't0k', secret: SECRET }
        const object = generateAtlasUserObject(record, { secret: SECRET })
        assert.deepEqual(Object.keys(object), ['userId', 'name', 'email', 'userHash'])
        assert.deepEqual(object, { userId: 'u1', name: 'Ada', email: 'ada@example.com', userHash: referenceHash(SECRET, 'u1') })
        assert.ok(!JSON.stringify(object).includes(SECRET))
      })

      it('passes name and email through as given: string, null or undefined', () => {
        for (const [name, email] of [['', ''], [null, null], [undefined, undefined], ['Zoë', null], [undefined, 'z@x']]) {
          const object = generateAtlasUserObject({ id: 7, name, email }, { secret: SECRET })
          assert.deepEqual(Object.keys(object), ['userId', 'name', 'email', 'userHash'])
          assert.equal(object.name, name)
          assert.equal(object.email, email)
        }
      })

      it('reads the id once and hashes the value it returns as userId', () => {
        let reads = 0
        const user = {
          get id() {
            reads += 1
            return `user_${reads}`
          },
        }
        const object = generateAtlasUserObject(user, { secret: SECRET })
        assert.equal(reads, 1)
        assert.equal(object.userId, 'user_1')
        assert.equal(object.userHash, referenceHash(SECRET, 'user_1'))
      })

      it('accepts class instances and objects without a prototype', () => {
        class User {
          constructor(id) {
            this.id = id
          }
        }
        const bare = Object.assign(Object.create(null), { id: 'b' })
        assert.equal(generateAtlasUserObject(new User('a'), { secret: SECRET }).userHash, referenceHash(SECRET, 'a'))
        assert.equal(generateAtlasUserObject(bare, { secret: SECRET }).userHash, referenceHash(SECRET, 'b'))
      })
    })

    describe('the secret', () => {
      it('is read from process.env.ATLAS_SECRET at call time', () => {
        withSecret('first-secret', () => {
          assert.equal(createUserHash('u'), referenceHash('first-secret', 'u'))
          process.env.ATLAS_SECRET = 'second-secret'
          assert.equal(createUserHash('u'), referenceHash('second-secret', 'u'))
          assert.equal(generateAtlasUserObject({ id: 'u' }).userHash, referenceHash('second-secret', 'u'))
        })
      })

      it('options.secret overrides ATLAS_SECRET; options without a secret use it', () => {
        withSecret('env-secret', () => {
          assert.equal(createUserHash('u', { secret: 'option-secret' }), referenceHash('option-secret', 'u'))
          assert.equal(createUserHash('u', {}), referenceHash('env-secret', 'u'))
          assert.equal(createUserHash('u', null), referenceHash('env-secret', 'u'))
        })
      })

      it('keeps each secret right when calls alternate between many secrets', () => {
        const secrets = Array.from({ length: 12 }, (_, i) => `secret-${i}`)
        for (let round = 0; round < 5; round++) {
          for (const [i, secret] of secrets.entries()) {
            const id = `user_${round}_${i}`
            assert.equal(createUserHash(id, { secret }), referenceHash(secret, id))
            withSecret(secrets[(i + round) % secrets.length], () => assert.equal(createUserHash(id), referenceHash(process.env.ATLAS_SECRET, id)))
          }
        }
      })

      it('follows a process.env that test setups replace with a plain object (as Jest does)', () => {
        const realEnv = process.env
        try {
          process.env = { ...realEnv, ATLAS_SECRET: 'replaced-env-secret' }
          assert.equal(createUserHash('u'), referenceHash('replaced-env-secret', 'u'))
          process.env.ATLAS_SECRET = 'changed-in-replaced-env'
          assert.equal(createUserHash('u'), referenceHash('changed-in-replaced-env', 'u'))
        } finally {
          process.env = realEnv
        }
        withSecret('real-env-again', () => assert.equal(createUserHash('u'), referenceHash('real-env-again', 'u')))
      })
    })
  })
}
