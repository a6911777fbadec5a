// A polluted Object.prototype never chooses the key: options.secret and ATLAS_SECRET count
// only as own properties, on the main thread and in a worker, on both engines. Nor does it
// choose the engine: the loader and binding.js read napi-rs's variables as own properties.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import { Worker } from 'node:worker_threads'

import { execFileSync } from './child-process.mjs'

import { apis, assertAtlasError, referenceHash, withSecret } from './helpers.mjs'

const attackerHash = referenceHash('attacker-key', 'victim')

/** Runs `fn` with `Object.prototype[name]` set to the attacker's key, then removes it. */
function withPollution(names, fn) {
  for (const name of names) Object.prototype[name] = 'attacker-key'
  try {
    return fn()
  } finally {
    for (const name of names) delete Object.prototype[name]
  }
}

describe('a polluted Object.prototype, on the main thread', () => {
  for (const { engine, api } of apis) {
    it(`${engine} engine: Object.prototype.secret is no options.secret`, () => {
      withPollution(['secret'], () => {
        withSecret(undefined, () => {
          assertAtlasError(() => api.verifyUserHash('victim', attackerHash, {}), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set/)
          assertAtlasError(() => api.createUserHash('victim', {}), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set/)
        })
        withSecret('the-real-secret', () => {
          assert.equal(api.verifyUserHash('victim', attackerHash, {}), false)
          assert.equal(api.createUserHash('victim', {}), referenceHash('the-real-secret', 'victim'))
          assert.equal(api.createUserHash('victim', { secret: 'own-secret' }), referenceHash('own-secret', 'victim'), 'an own secret still counts')
        })
      })
    })

    it(`${engine} engine: Object.prototype.ATLAS_SECRET is no ATLAS_SECRET`, () => {
      withPollution(['ATLAS_SECRET'], () => {
        withSecret(undefined, () => {
          assertAtlasError(() => api.verifyUserHash('victim', attackerHash), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set/)
          assertAtlasError(() => api.generateAtlasUserObject({ id: 'victim' }), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET is not set/)
        })
        withSecret('the-real-secret', () => {
          assert.equal(api.verifyUserHash('victim', attackerHash), false)
          assert.equal(api.createUserHash('victim'), referenceHash('the-real-secret', 'victim'), 'a real ATLAS_SECRET still counts')
        })
      })
    })

    it(`${engine} engine: Object.prototype.env is no process.env, even where process has no env of its own`, () => {
      Object.prototype.env = { ATLAS_SECRET: 'attacker-key' }
      try {
        withSecret('the-real-secret', () => {
          assert.equal(api.createUserHash('victim'), referenceHash('the-real-secret', 'victim'), 'process.env still counts')
          assert.equal(api.verifyUserHash('victim', attackerHash), false)
        })
        const own = Object.getOwnPropertyDescriptor(process, 'env')
        delete process.env
        try {
          assertAtlasError(() => api.createUserHash('victim'), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET cannot be read: .* has no process\.env/)
          assertAtlasError(() => api.verifyUserHash('victim', attackerHash), Error, 'ERR_ATLAS_SECRET_MISSING', /^ATLAS_SECRET cannot be read/)
        } finally {
          Object.defineProperty(process, 'env', own)
        }
      } finally {
        delete Object.prototype.env
      }
    })
  }
})

// Issue 25: `Object.prototype.id = 'admin'; generateAtlasUserObject({ name: 'x' })` returned
// userId 'admin' with a valid hash. The rule (index.d.ts, SECURITY.md): a field counts when the
// object or a prototype in its chain holds it (a class's getter, as on a Mongoose document),
// never when only the chain's root, Object.prototype, does.
const ID_MISSING = /^user\.id must be a non-empty string, a safe integer or a bigint; got undefined$/
const SECRET_UNDEFINED =
  /^options\.secret is undefined \(often a variable that is not set, such as process\.env\.ATLAS_SECRET_OLD\): pass your Atlas identity verification secret, or leave the secret key out of the options to use process\.env\.ATLAS_SECRET$/

/** A record as an ORM hands it out: fields behind getters on its class's prototype, two classes deep. */
class Document {
  #raw
  constructor(raw) {
    this.#raw = raw
  }
  get id() {
    return this.#raw._id
  }
}
class UserDocument extends Document {
  get name() {
    return this.#name()
  }
  #name() {
    return 'Ada'
  }
}

for (const { engine, api } of apis) {
  describe(`${engine} engine: user fields by the rule`, () => {
    it("the issue's repro: Object.prototype.id = 'admin' names no user", () => {
      withPollution(['id'], () => {
        for (const name of ['x', undefined]) {
          assertAtlasError(() => api.generateAtlasUserObject({ name }, { secret: 'k' }), TypeError, 'ERR_ATLAS_INVALID_USER_ID', ID_MISSING)
        }
        withSecret('k', () => assertAtlasError(() => api.generateAtlasUserObject({ name: 'x' }), TypeError, 'ERR_ATLAS_INVALID_USER_ID', ID_MISSING))
      })
      Object.prototype.id = 'admin'
      try {
        assertAtlasError(() => api.generateAtlasUserObject({ name: 'x' }, { secret: 'k' }), TypeError, 'ERR_ATLAS_INVALID_USER_ID', ID_MISSING)
      } finally {
        delete Object.prototype.id
      }
    })

    it('a polluted name or email is no field: the result has the user\'s own, or undefined', () => {
      withPollution(['name', 'email'], () => {
        assert.deepEqual(api.generateAtlasUserObject({ id: 'u' }, { secret: 'k' }), { userId: 'u', name: undefined, email: undefined, userHash: referenceHash('k', 'u') })
        assert.deepEqual(api.generateAtlasUserObject({ id: 'u', name: null, email: 'e' }, { secret: 'k' }), { userId: 'u', name: null, email: 'e', userHash: referenceHash('k', 'u') })
      })
    })

    it("a class's getters count, however deep, and over a polluted Object.prototype", () => {
      const doc = new UserDocument({ _id: 'user_42' })
      const expected = { userId: 'user_42', name: 'Ada', email: undefined, userHash: referenceHash('k', 'user_42') }
      assert.deepEqual(api.generateAtlasUserObject(doc, { secret: 'k' }), expected)
      withPollution(['id', 'name', 'email'], () => assert.deepEqual(api.generateAtlasUserObject(doc, { secret: 'k' }), expected))
      // An object made from a template object: the template is a prototype before the root.
      const template = { id: 'from-template', name: 'T', email: 't@example.com' }
      assert.deepEqual(api.generateAtlasUserObject(Object.create(template), { secret: 'k' }), { userId: 'from-template', name: 'T', email: 't@example.com', userHash: referenceHash('k', 'from-template') })
    })

    it('a prototype holds a field up to 256 links down the chain; past that (a Proxy inventing prototypes), it is absent', () => {
      // user → p1 → … → p<depth> → Object.prototype, the id on p<depth>.
      const chain = (depth) => {
        let object = { id: `at-${depth}` }
        for (let i = 1; i < depth; i++) object = Object.create(object)
        return Object.create(object)
      }
      assert.equal(api.generateAtlasUserObject(chain(256), { secret: 'k' }).userHash, referenceHash('k', 'at-256'))
      assertAtlasError(() => api.generateAtlasUserObject(chain(257), { secret: 'k' }), TypeError, 'ERR_ATLAS_INVALID_USER_ID', ID_MISSING)
    })

    it('a null-prototype user has its own fields; a null-prototype root under another object is the root, and does not count', () => {
      const bare = Object.assign(Object.create(null), { id: 'bare', email: 'b@example.com' })
      assert.deepEqual(api.generateAtlasUserObject(bare, { secret: 'k' }), { userId: 'bare', name: undefined, email: 'b@example.com', userHash: referenceHash('k', 'bare') })
      const onRoot = Object.create(Object.assign(Object.create(null), { id: 'on-the-root' }))
      assertAtlasError(() => api.generateAtlasUserObject(onRoot, { secret: 'k' }), TypeError, 'ERR_ATLAS_INVALID_USER_ID', ID_MISSING)
    })

    it("another realm's polluted Object.prototype names no user either", () => {
      const realm = vm.createContext({})
      const user = vm.runInContext("Object.prototype.id = 'admin'; ({ name: 'x' })", realm)
      assertAtlasError(() => api.generateAtlasUserObject(user, { secret: 'k' }), TypeError, 'ERR_ATLAS_INVALID_USER_ID', ID_MISSING)
      const own = vm.runInContext("({ id: 'own', name: 'x' })", realm)
      assert.equal(api.generateAtlasUserObject(own, { secret: 'k' }).userHash, referenceHash('k', 'own'))
    })
  })

  describe(`${engine} engine: options.secret by the rule`, () => {
    it("the issue's repro: { secret: process.env.ATLAS_SECRET_OLD } with that variable unset throws, naming the option", () => {
      withSecret('the-current-secret', () => {
        delete process.env.ATLAS_SECRET_OLD
        assertAtlasError(() => api.createUserHash('u', { secret: process.env.ATLAS_SECRET_OLD }), Error, 'ERR_ATLAS_SECRET_MISSING', SECRET_UNDEFINED)
        assertAtlasError(() => api.verifyUserHash('u', referenceHash('the-current-secret', 'u'), { secret: undefined }), Error, 'ERR_ATLAS_SECRET_MISSING', SECRET_UNDEFINED)
        assertAtlasError(() => api.generateAtlasUserObject({ id: 'u' }, { secret: undefined }), Error, 'ERR_ATLAS_SECRET_MISSING', SECRET_UNDEFINED)
        // Left out, or options left out: ATLAS_SECRET, as documented.
        assert.equal(api.createUserHash('u', {}), referenceHash('the-current-secret', 'u'))
        assert.equal(api.createUserHash('u'), referenceHash('the-current-secret', 'u'))
      })
    })

    it("a secret getter on the options' class prototype is used; one that gives undefined is a missing secret", () => {
      class RotatingOptions {
        constructor(secret) {
          this.current = secret
        }
        get secret() {
          return this.current
        }
      }
      withSecret('env-secret', () => {
        assert.equal(api.createUserHash('u', new RotatingOptions('class-secret')), referenceHash('class-secret', 'u'))
        assert.equal(api.verifyUserHash('u', referenceHash('class-secret', 'u'), new RotatingOptions('class-secret')), true)
        withPollution(['secret'], () => assert.equal(api.createUserHash('u', new RotatingOptions('class-secret')), referenceHash('class-secret', 'u')))
        assertAtlasError(() => api.createUserHash('u', new RotatingOptions(undefined)), Error, 'ERR_ATLAS_SECRET_MISSING', SECRET_UNDEFINED)
      })
    })

    it('a null-prototype options object has its own secret', () => {
      const options = Object.assign(Object.create(null), { secret: 'bare-secret' })
      assert.equal(api.createUserHash('u', options), referenceHash('bare-secret', 'u'))
    })
  })
}

describe('a polluted Object.prototype, in a worker thread without ATLAS_SECRET', () => {
  it('neither engine verifies the attacker\'s hash or hashes with the attacker\'s key', async () => {
    const worker = new Worker(new URL('./fixtures/polluted-worker.mjs', import.meta.url), { workerData: { attackerHash } })
    const results = await new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    await worker.terminate()
    const missing = { code: 'ERR_ATLAS_SECRET_MISSING' }
    for (const engine of ['native', 'js']) {
      assert.deepEqual(results[engine], { env: missing, emptyOptions: missing, hash: missing }, engine)
    }
  })
})

// Issue 25: `Object.prototype.NAPI_RS_NATIVE_LIBRARY_PATH = '/path/evil.js'` before the first
// require made the loader load that module as the engine: every hash what it says, every
// verification true. Each variable napi-rs's loader or ours reads, polluted in a fresh process.
describe('a polluted Object.prototype before the first require chooses no engine', () => {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-polluted-loader-'))
  after(() => rmSync(scratch, { recursive: true, force: true }))
  const evil = join(scratch, 'evil.js')
  writeFileSync(evil, "globalThis.evilLoaded = true\nmodule.exports = { createKey: () => ({}), hash: () => 'evil', verify: () => true, dropKey() {}, __napiBindingTarget: 'native' }\n")
  const { NAPI_RS_NATIVE_LIBRARY_PATH: _, NAPI_RS_FORCE_WASI: __, NAPI_RS_WASI_FLAVOR: ___, NAPI_RS_ENFORCE_VERSION_CHECK: ____, ...env } = process.env
  const polluted = {
    NAPI_RS_NATIVE_LIBRARY_PATH: evil,
    NAPI_RS_FORCE_WASI: '1',
    NAPI_RS_WASI_FLAVOR: 'wasm32-wasi',
    NAPI_RS_ENFORCE_VERSION_CHECK: '1',
    __napiBindingTarget: 'wasm32-wasi',
  }

  /** What `entry` (the package, or binding.js itself) gives in a process with `pollution` on Object.prototype. */
  function run(entry, pollution, prelude = '') {
    const probe = `${prelude}
      Object.assign(Object.prototype, ${JSON.stringify(pollution)})
      const outcome = (call) => { try { return call() } catch (error) { return error.code || error.message } }
      const api = outcome(() => require(${JSON.stringify(join(root, entry))}))
      const key = typeof api === 'object' && api.createKey ? api.createKey('k') : undefined
      console.log(JSON.stringify({
        engine: api.engine,
        hash: outcome(() => (api.createUserHash ? api.createUserHash('victim', { secret: 'k' }) : api.hash('victim', key))),
        verified: outcome(() => (api.verifyUserHash ? api.verifyUserHash('victim', 'f'.repeat(64), { secret: 'k' }) : api.verify('victim', 'f'.repeat(64), key))),
        evilLoaded: globalThis.evilLoaded === true,
      }))`
    return JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', env }))
  }
  const honest = { hash: referenceHash('k', 'victim'), verified: false, evilLoaded: false }

  it("the issue's repro: Object.prototype.NAPI_RS_NATIVE_LIBRARY_PATH names no module, for the package and for binding.js", () => {
    const pollution = { NAPI_RS_NATIVE_LIBRARY_PATH: evil }
    assert.deepEqual(run('index.js', pollution), { engine: 'native', ...honest })
    assert.deepEqual(run('binding.js', pollution), honest)
  })

  for (const [name, value] of Object.entries(polluted)) {
    it(`Object.prototype.${name} = ${JSON.stringify(value)}`, () => {
      assert.deepEqual(run('index.js', { [name]: value }), { engine: 'native', ...honest })
      assert.deepEqual(run('binding.js', { [name]: value }), honest)
    })
  }

  it('Object.prototype.env, with process.env deleted, is no environment for the loader', () => {
    const pollution = { env: { NAPI_RS_NATIVE_LIBRARY_PATH: evil } }
    assert.deepEqual(run('index.js', pollution, 'delete process.env'), { engine: 'native', ...honest })
    assert.deepEqual(run('binding.js', pollution, 'delete process.env'), honest)
  })

  it('all of them at once', () => {
    assert.deepEqual(run('index.js', polluted), { engine: 'native', ...honest })
    assert.deepEqual(run('binding.js', polluted), honest)
  })

  it('the probe can fail: the same variables as own properties of process.env do choose', () => {
    const probe = `process.env.NAPI_RS_NATIVE_LIBRARY_PATH = ${JSON.stringify(evil)}
      const api = require(${JSON.stringify(root)})
      console.log(JSON.stringify({ hash: api.createUserHash('victim', { secret: 'k' }), evilLoaded: globalThis.evilLoaded === true }))`
    assert.deepEqual(JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', env })), { hash: 'evil', evilLoaded: true })
  })
})
