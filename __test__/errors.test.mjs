// Every bad input gets a clear error with a stable code, and no error ever shows the secret.
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import vm from 'node:vm'
import { describe, it } from 'node:test'

import { apis, assertAtlasError, referenceHash, withEnv, withSecret } from './helpers.mjs'

const SECRET = 'Zq9x-K7vW-pR2m-Lt84-Hy6c' // no English words, so no 6-character piece of it can occur by chance
const ID_MESSAGE = /must be a non-empty string, a safe integer or a bigint; got /

for (const { engine, api: { createUserHash, generateAtlasUserObject, verifyUserHash } } of apis) {
  describe(`${engine} engine`, () => {
    describe('ERR_ATLAS_INVALID_USER_ID', () => {
      const badIds = [
        [undefined, 'undefined'],
        [null, 'null'],
        ['', 'an empty string'],
        [1.5, 'the number 1.5'],
        [NaN, 'the number NaN'],
        [Infinity, 'the number Infinity'],
        [2 ** 53, 'the number 9007199254740992'],
        [{}, 'an object'],
        [[1], 'an array'],
        [true, 'a boolean'],
        [Symbol('id'), 'a symbol'],
        [() => 1, 'a function'],
        [new String('u'), 'an object'],
      ]
      for (const [id, described] of badIds) {
        it(`user.id ${described}`, () => {
          const error = withSecret(SECRET, () => assertAtlasError(() => generateAtlasUserObject({ id }), TypeError, 'ERR_ATLAS_INVALID_USER_ID', ID_MESSAGE))
          assert.ok(error.message.startsWith('user.id '))
          assert.ok(error.message.endsWith(described))
          withSecret(SECRET, () => assertAtlasError(() => createUserHash(id), TypeError, 'ERR_ATLAS_INVALID_USER_ID', /^userId must be/))
          withSecret(SECRET, () => assertAtlasError(() => verifyUserHash(id, 'a'.repeat(64)), TypeError, 'ERR_ATLAS_INVALID_USER_ID', /^userId must be/))
        })
      }

      it('a user with no id at all', () => {
        assertAtlasError(() => generateAtlasUserObject({ name: 'Ada' }, { secret: SECRET }), TypeError, 'ERR_ATLAS_INVALID_USER_ID', /^user\.id must be .*got undefined$/)
      })
    })

    describe('ERR_ATLAS_INVALID_USER', () => {
      for (const [user, described] of [['user_1', 'a string'], [42, 'the number 42'], [true, 'a boolean'], [Symbol('u'), 'a symbol'], [() => {}, 'a function'], [5n, 'a bigint']]) {
        it(`a user that is ${described}`, () => {
          assertAtlasError(() => generateAtlasUserObject(user, { secret: SECRET }), TypeError, 'ERR_ATLAS_INVALID_USER', new RegExp(`^user must be an object with an id.*; got ${described}$`))
        })
      }
      for (const field of ['name', 'email']) {
        for (const [value, described] of [[42, 'the number 42'], [{}, 'an object'], [['a'], 'an array'], [false, 'a boolean']]) {
          it(`user.${field} that is ${described}`, () => {
            assertAtlasError(
              () => generateAtlasUserObject({ id: 'u', [field]: value }, { secret: SECRET }),
              TypeError,
              'ERR_ATLAS_INVALID_USER',
              new RegExp(`^user\\.${field} must be a string, null or undefined; got ${described}$`),
            )
          })
        }
      }
    })

    describe('ERR_ATLAS_SECRET_MISSING', () => {
      it('ATLAS_SECRET unset or empty', () => {
        for (const value of [undefined, '']) {
          withSecret(value, () => {
            for (const call of [() => generateAtlasUserObject({ id: 'u' }), () => createUserHash('u'), () => verifyUserHash('u', 'a'.repeat(64)), () => verifyUserHash('u', 42)]) {
              assertAtlasError(call, Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set or is empty: set it in the server environment/)
            }
          })
        }
      })

      it('an empty options.secret, as text or bytes', () => {
        for (const secret of ['', new Uint8Array(0), Buffer.alloc(0)]) {
          withSecret(SECRET, () => assertAtlasError(() => createUserHash('u', { secret }), Error, 'ERR_ATLAS_SECRET_MISSING', /^options\.secret is empty/))
        }
      })
    })

    describe('ERR_ATLAS_SECRET_INVALID', () => {
      it('ATLAS_SECRET with surrounding whitespace', () => {
        for (const value of [`${SECRET}\n`, ` ${SECRET}`, `${SECRET}\r\n`, `\t${SECRET}`, `\uFEFF${SECRET}`, `${SECRET}\u00A0`]) {
          withSecret(value, () => {
            assertAtlasError(() => generateAtlasUserObject({ id: 'u' }), Error, 'ERR_ATLAS_SECRET_INVALID', /^ATLAS_SECRET starts or ends with whitespace/)
            assertAtlasError(() => verifyUserHash('u', 'a'.repeat(64)), Error, 'ERR_ATLAS_SECRET_INVALID', /^ATLAS_SECRET starts or ends/)
          })
        }
      })

      it('options.secret with surrounding whitespace', () => {
        assertAtlasError(() => createUserHash('u', { secret: `${SECRET} ` }), Error, 'ERR_ATLAS_SECRET_INVALID', /^options\.secret starts or ends with whitespace/)
      })

      it('options.secret of another type, or options that are not an object', () => {
        for (const [secret, described] of [[42, 'a number'], [null, 'null'], [new ArrayBuffer(4), 'an object'], [[1, 2], 'an array'], [new Uint16Array(2), 'an object']]) {
          assertAtlasError(() => createUserHash('u', { secret }), TypeError, 'ERR_ATLAS_SECRET_INVALID', new RegExp(`^options\\.secret must be a string or a Uint8Array; got ${described}$`))
        }
        for (const [options, described] of [['secret', 'a string'], [1, 'a number'], [true, 'a boolean']]) {
          assertAtlasError(() => createUserHash('u', options), TypeError, 'ERR_ATLAS_SECRET_INVALID', new RegExp(`^options must be an object such as \\{ secret \\}; got ${described}$`))
        }
      })

      it("a secret's bytes in place of the options, never a hash under ATLAS_SECRET", () => {
        const BYTES = /^options must be an object such as \{ secret \}; got bytes \(a typed array, DataView or ArrayBuffer\): pass them as \{ secret: bytes \}$/
        const bytes = new TextEncoder().encode(SECRET)
        for (const options of [bytes, Buffer.from(SECRET), new Uint16Array(2), new DataView(bytes.buffer), bytes.buffer, new SharedArrayBuffer(4), vm.runInNewContext('new Uint8Array(4)')]) {
          withSecret('the-env-secret', () => {
            assertAtlasError(() => createUserHash('u', options), TypeError, 'ERR_ATLAS_SECRET_INVALID', BYTES)
            assertAtlasError(() => verifyUserHash('u', 'x', options), TypeError, 'ERR_ATLAS_SECRET_INVALID', BYTES)
            assertAtlasError(() => generateAtlasUserObject({ id: 'u' }, options), TypeError, 'ERR_ATLAS_SECRET_INVALID', BYTES)
          })
        }
        assert.equal(createUserHash('u', { secret: bytes }), referenceHash(SECRET, 'u'), 'as { secret } they key')
      })
    })

    describe('a number given where a secret belongs', () => {
      // A numeric secret (digits from a config file, say) must not appear in any message.
      const NUMBER_SECRET = 48151623420815
      const cases = [
        ['as options.secret', () => createUserHash('u', { secret: NUMBER_SECRET }), /^options\.secret must be a string or a Uint8Array; got a number$/],
        ['as options.secret, verifying', () => verifyUserHash('u', 'x', { secret: NUMBER_SECRET }), /^options\.secret must be a string or a Uint8Array; got a number$/],
        ['as options.secret, user object', () => generateAtlasUserObject({ id: 'u' }, { secret: NUMBER_SECRET }), /^options\.secret must be a string or a Uint8Array; got a number$/],
        ['in place of the options', () => createUserHash('u', NUMBER_SECRET), /^options must be an object such as \{ secret \}; got a number$/],
        ['in place of the options, verifying', () => verifyUserHash('u', 'x', NUMBER_SECRET), /^options must be an object such as \{ secret \}; got a number$/],
        ['a fraction in place of the options', () => createUserHash('u', 4815.1623), /^options must be an object such as \{ secret \}; got a number$/],
      ]
      for (const [where, call, message] of cases) {
        it(`${where}: a TypeError with ERR_ATLAS_SECRET_INVALID that does not hold the number`, () => {
          const error = assertAtlasError(call, TypeError, 'ERR_ATLAS_SECRET_INVALID', message)
          for (const text of [error.message, error.stack, inspect(error, { showHidden: true })]) {
            assert.ok(!/\d{4}/.test(text.split('\n    at ')[0]), `the message holds digits: ${error.message}`)
          }
        })
      }
    })

    describe('verifyUserHash', () => {
      it('is false, not an error, for anything that is not 64 hex characters', () => {
        withSecret(SECRET, () => {
          for (const hash of [undefined, null, 42, {}, '', 'abc', 'g'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), ' '.repeat(64), 'é'.repeat(32)]) {
            assert.equal(verifyUserHash('u', hash), false, String(hash))
          }
        })
      })
    })

    describe('no error shows the secret', () => {
      it('in its message, stack, properties or inspection', () => {
        const secretPieces = (secret) => Array.from({ length: secret.length - 5 }, (_, i) => secret.slice(i, i + 6))
        const errors = []
        const collect = (fn) => {
          try {
            fn()
          } catch (error) {
            errors.push(error)
          }
        }
        for (const value of [`${SECRET}\n`, ` ${SECRET}`]) {
          withSecret(value, () => collect(() => generateAtlasUserObject({ id: 'u' })))
          collect(() => createUserHash('u', { secret: value }))
        }
        withSecret(SECRET, () => {
          collect(() => generateAtlasUserObject({ id: 1.5 }))
          collect(() => generateAtlasUserObject('x'))
          collect(() => generateAtlasUserObject({ id: 'u', name: 1 }))
        })
        collect(() => createUserHash('u', { secret: 1 }))
        withSecret(undefined, () => collect(() => createUserHash('u')))
        assert.equal(errors.length, 9)
        for (const error of errors) {
          const shown = [error.message, error.stack, inspect(error, { showHidden: true, depth: 5 }), JSON.stringify(error)].join('\n')
          for (const piece of secretPieces(SECRET)) assert.ok(!shown.includes(piece), `error ${error.code} shows part of the secret`)
        }
      })
    })
  })
}

// Issue 24: NEXT_PUBLIC_ATLAS_SECRET set in the server environment means Next.js has put it into
// client bundles. Each call below keys a secret never keyed before in this process: the check
// runs when a secret is keyed.
describe('ERR_ATLAS_SECRET_PUBLIC', () => {
  const PUBLIC_MESSAGE =
    'NEXT_PUBLIC_ATLAS_SECRET is set in the server environment, and Next.js inlines every NEXT_PUBLIC_ variable into the JavaScript it sends to browsers, so treat that secret as public. Rename the variable to ATLAS_SECRET (without NEXT_PUBLIC_), rotate the secret in Atlas, and redeploy. While it is set, secrets are refused (checked when one is first used in a process, and on every call with a Uint8Array), even with { secret } in the options.'
  let made = 0
  const fresh = () => `public-test-secret-${++made}-Zq9x`

  const withPublic = (value, fn) => withEnv('NEXT_PUBLIC_ATLAS_SECRET', value, fn)

  function assertPublic(call, secret) {
    const error = assertAtlasError(call, Error, 'ERR_ATLAS_SECRET_PUBLIC', /^NEXT_PUBLIC_ATLAS_SECRET is set/)
    assert.equal(error.message, PUBLIC_MESSAGE)
    assert.ok(!error.message.includes(secret) && !inspect(error).includes(secret), 'the message never holds the secret')
  }

  for (const { engine, api } of apis) {
    describe(`${engine} engine`, () => {
      it('thrown by every function when it holds the same secret as ATLAS_SECRET', () => {
        const secret = fresh()
        withSecret(secret, () =>
          withPublic(secret, () => {
            assertPublic(() => api.createUserHash('u'), secret)
            assertPublic(() => api.verifyUserHash('u', 'a'.repeat(64)), secret)
            assertPublic(() => api.generateAtlasUserObject({ id: 'u' }), secret)
          }),
        )
      })

      it('whatever ATLAS_SECRET holds: another value, or nothing', () => {
        const secret = fresh()
        withSecret(secret, () => withPublic(fresh(), () => assertPublic(() => api.createUserHash('u'), secret)))
        withSecret(undefined, () => withPublic('anything', () => assertPublic(() => api.createUserHash('u'), 'anything')))
      })

      it('even with { secret } in the options, text or bytes: the secret is public either way', () => {
        const secret = fresh()
        withPublic(secret, () => {
          assertPublic(() => api.createUserHash('u', { secret }), secret)
          assertPublic(() => api.generateAtlasUserObject({ id: 'u' }, { secret: new TextEncoder().encode(secret) }), secret)
        })
      })

      it('not for an empty value (nothing is exposed), nor for one inherited from Object.prototype; hashing works again once it is gone', () => {
        withSecret(fresh(), () => {
          withPublic('', () => assert.match(api.createUserHash('u'), /^[0-9a-f]{64}$/))
          Object.prototype.NEXT_PUBLIC_ATLAS_SECRET = 'polluted'
          try {
            withPublic(undefined, () => assert.match(api.createUserHash('u', { secret: fresh() }), /^[0-9a-f]{64}$/))
          } finally {
            delete Object.prototype.NEXT_PUBLIC_ATLAS_SECRET
          }
          const secret = fresh()
          withPublic(' ', () => assertPublic(() => api.createUserHash('u', { secret }), secret))
          withPublic(undefined, () => assert.match(api.createUserHash('u', { secret }), /^[0-9a-f]{64}$/))
        })
      })
    })
  }
})
