'use strict'

// The one check of an installed atlas-user-hash: a self-contained CommonJS file that every
// runtime runs as it is (`node check.cjs`, `bun check.cjs`, `deno run -A check.cjs`, and Node
// for another CPU under qemu-user), so each is held to the same checks. It resolves the
// package as a file in the working directory would: run it in a project whose node_modules
// holds the package as npm installs it, so `atlas-user-hash` resolves through package.json
// "exports" as that runtime resolves it for a user. Used by __test__/package.test.mjs (the
// release tarballs, installed per platform) and scripts/test-runtimes.mjs (Node 20-24, Bun,
// Deno). Usage: `node check.cjs [package name or path]` (default `atlas-user-hash`);
// ATLAS_EXPECT_ENGINE names the engine it must get (default `native`);
// ATLAS_EXPECT_TEST_HOOKS=absent makes an exported test hook a failure.
//
// Checks: which engine the runtime got; all node:crypto vectors of fixtures/vectors.json with
// ATLAS_SECRET and with { secret } (text and Uint8Array), numeric and bigint ids; every error
// code with its class, and that no message holds the secret; a polluted Object.prototype
// choosing no key; the addon refusing look-alike and dropped keys, and either no test hook
// exported (a release build) or a caught panic changing no key (a test build); worker threads
// each with their own ATLAS_SECRET. It prints one line per check and, last, a line
// `ATLAS_RUNTIME_RESULT {json}` for the runner. Exit code 1 when a check failed.

const assert = require('node:assert/strict')
const { createHmac } = require('node:crypto')
const fs = require('node:fs')
const { createRequire } = require('node:module')
const path = require('node:path')

const repo = process.env.ATLAS_REPO_DIR || path.resolve(__dirname, '..', '..')
const target = process.argv[2] || 'atlas-user-hash'
// Resolved as a file in the working directory would resolve it: not from this file, which may
// sit inside the repository's own package (whose name a bare `require` resolves to itself).
const requireFromCwd = createRequire(path.join(process.cwd(), 'check.cjs'))
const entry = requireFromCwd.resolve(target.startsWith('.') || target.startsWith('/') ? path.resolve(target) : target)

let threads = null
try {
  threads = require('node:worker_threads')
} catch (error) {
  threads = { unavailable: `node:worker_threads cannot be loaded: ${error.message}` }
}

if (threads.isMainThread === false && threads.workerData && threads.workerData.atlasWorker) {
  runAsWorker(threads.workerData)
} else {
  main().then(
    (failed) => {
      process.exitCode = failed ? 1 : 0
    },
    (error) => {
      console.log(`FAIL check.cjs itself: ${error?.stack}`)
      process.exitCode = 1
    },
  )
}

function reference(secret, id) {
  return createHmac('sha256', secret).update(String(id)).digest('hex')
}

async function main() {
  const api = require(entry)
  const expectedEngine = process.env.ATLAS_EXPECT_ENGINE || 'native'
  const results = {}
  let failed = false

  async function check(name, fn) {
    try {
      const detail = await fn()
      if (detail?.skip) {
        results[name] = { status: 'skip', reason: detail.skip }
        console.log(`SKIP ${name}: ${detail.skip}`)
      } else {
        results[name] = { status: 'pass', detail }
        console.log(`ok   ${name}${detail ? `: ${detail}` : ''}`)
      }
    } catch (error) {
      failed = true
      results[name] = { status: 'fail', reason: String(error?.message).slice(0, 2000) }
      console.log(`FAIL ${name}: ${error?.stack}`)
    }
  }

  await check('engine', () => {
    assert.equal(api.engine, expectedEngine, `engine: got ${api.engine}, expected ${expectedEngine}`)
    return `engine === '${api.engine}'`
  })
  await check('vectors', () => checkVectors(api))
  await check('errors', () => checkErrors(api))
  await check('pollution', () => checkPollution(api))
  await check('keys', () => checkKeys())
  await check('threads', () => checkThreads(api))

  console.log(`check.cjs: ${entry} on ${process.platform}-${process.arch}, ${typeof Bun === 'object' ? 'Bun' : typeof Deno === 'object' ? 'Deno' : 'Node'} ${process.version}`)
  console.log(`ATLAS_RUNTIME_RESULT ${JSON.stringify({ engine: api.engine, results })}`)
  return failed
}

function withSecret(value, fn) {
  const saved = process.env.ATLAS_SECRET
  if (value === undefined) delete process.env.ATLAS_SECRET
  else process.env.ATLAS_SECRET = value
  try {
    return fn()
  } finally {
    if (saved === undefined) delete process.env.ATLAS_SECRET
    else process.env.ATLAS_SECRET = saved
  }
}

function checkVectors(api) {
  const vectors = JSON.parse(fs.readFileSync(path.join(repo, '__test__', 'fixtures', 'vectors.json'), 'utf8'))
  assert.ok(vectors.length >= 72, `expected at least 72 vectors, found ${vectors.length}`)
  for (const v of vectors) assert.equal(reference(v.secret, v.id), v.userHash, `vectors.json disagrees with node:crypto for ${JSON.stringify(v.id)}`)
  let calls = 0
  for (const v of vectors) {
    const bytes = Uint8Array.from(Buffer.from(v.secretUtf8Hex, 'hex'))
    const label = `vector "${v.name}"`
    // The id as a string, and as a number or bigint where the id is an integer's text.
    const ids = [v.id]
    if (/^-?[0-9]+$/.test(v.id)) {
      ids.push(BigInt(v.id))
      if (Number.isSafeInteger(Number(v.id))) ids.push(Number(v.id))
    }
    for (const id of ids) {
      const idLabel = `${label} with a ${typeof id} id`
      withSecret(v.secret, () => {
        assert.equal(api.createUserHash(id), v.userHash, `${idLabel}, ATLAS_SECRET: createUserHash`)
        assert.equal(api.generateAtlasUserObject({ id, name: 'N', email: null }).userHash, v.userHash, `${idLabel}, ATLAS_SECRET: generateAtlasUserObject`)
        assert.equal(api.verifyUserHash(id, v.userHash), true, `${idLabel}, ATLAS_SECRET: verifyUserHash`)
        assert.equal(api.verifyUserHash(id, v.userHash.toUpperCase()), true, `${idLabel}, ATLAS_SECRET: verifyUserHash of upper case`)
        calls += 4
      })
      withSecret(undefined, () => {
        assert.equal(api.createUserHash(id, { secret: v.secret }), v.userHash, `${idLabel}, { secret: string }`)
        assert.equal(api.createUserHash(id, { secret: bytes }), v.userHash, `${idLabel}, { secret: Uint8Array }`)
        assert.equal(api.generateAtlasUserObject({ id }, { secret: v.secret }).userHash, v.userHash, `${idLabel}, generateAtlasUserObject { secret }`)
        assert.equal(api.verifyUserHash(id, v.userHash, { secret: bytes }), true, `${idLabel}, verifyUserHash { secret: Uint8Array }`)
        const wrong = (v.userHash[0] === '0' ? '1' : '0') + v.userHash.slice(1)
        assert.equal(api.verifyUserHash(id, wrong, { secret: v.secret }), false, `${idLabel}, verifyUserHash of a wrong hash`)
        calls += 5
      })
    }
  }
  // The object generateAtlasUserObject returns, and "no user".
  withSecret('object-secret', () => {
    assert.deepEqual(api.generateAtlasUserObject({ id: 'u1', name: 'Ada', email: 'ada@example.com' }), {
      userId: 'u1',
      name: 'Ada',
      email: 'ada@example.com',
      userHash: reference('object-secret', 'u1'),
    })
    assert.deepEqual(api.generateAtlasUserObject(null), {})
    assert.equal(api.verifyUserHash('u1', 42), false)
  })
  return `${vectors.length} vectors, ${calls} calls equal to node:crypto`
}

// A secret that no message may contain, with a marker easy to spot in any text.
const SECRET = 'sEcReT-marker-7Qx'

function expectError(fn, ErrorClass, code, label, secrets = [SECRET]) {
  let thrown
  try {
    fn()
  } catch (error) {
    thrown = error
  }
  assert.ok(thrown, `${label}: expected ${code}, but nothing was thrown`)
  assert.equal(Object.getPrototypeOf(thrown), ErrorClass.prototype, `${label}: expected a ${ErrorClass.name}, got ${thrown?.constructor?.name}`)
  assert.equal(thrown.code, code, `${label}: code`)
  assert.ok(typeof thrown.message === 'string' && thrown.message.length > 20, `${label}: a message that says what to fix`)
  for (const secret of secrets) {
    const trimmed = secret.trim()
    for (const text of [thrown.message, String(thrown.stack)]) {
      assert.ok(!text.includes(trimmed), `${label}: the message or stack holds the secret`)
    }
  }
  return thrown
}

function checkErrors(api) {
  const { createUserHash, generateAtlasUserObject, verifyUserHash } = api
  const codes = new Set()
  const seen = (error) => codes.add(error.code)
  withSecret(undefined, () => {
    seen(expectError(() => createUserHash('u'), Error, 'ERR_ATLAS_SECRET_MISSING', 'no ATLAS_SECRET'))
    seen(expectError(() => generateAtlasUserObject({ id: 'u' }), Error, 'ERR_ATLAS_SECRET_MISSING', 'no ATLAS_SECRET (user object)'))
    seen(expectError(() => verifyUserHash('u', 'x'), Error, 'ERR_ATLAS_SECRET_MISSING', 'no ATLAS_SECRET (verify)'))
    seen(expectError(() => createUserHash('u', { secret: '' }), Error, 'ERR_ATLAS_SECRET_MISSING', 'empty options.secret'))
    seen(expectError(() => createUserHash('u', { secret: new Uint8Array(0) }), Error, 'ERR_ATLAS_SECRET_MISSING', 'empty Uint8Array secret'))
    seen(expectError(() => createUserHash('u', { secret: `${SECRET}\n` }), Error, 'ERR_ATLAS_SECRET_INVALID', 'options.secret with a newline'))
    seen(expectError(() => createUserHash('u', { secret: 42 }), TypeError, 'ERR_ATLAS_SECRET_INVALID', 'a number secret'))
    seen(expectError(() => createUserHash('u', 'secret'), TypeError, 'ERR_ATLAS_SECRET_INVALID', 'options as a string', ['secret-in-place-of-options']))
  })
  withSecret('', () => {
    seen(expectError(() => createUserHash('u'), Error, 'ERR_ATLAS_SECRET_MISSING', 'empty ATLAS_SECRET'))
  })
  withSecret(` ${SECRET}`, () => {
    seen(expectError(() => createUserHash('u'), Error, 'ERR_ATLAS_SECRET_INVALID', 'ATLAS_SECRET with a leading space'))
    seen(expectError(() => verifyUserHash('u', '00'), Error, 'ERR_ATLAS_SECRET_INVALID', 'ATLAS_SECRET with a leading space (verify)'))
  })
  withSecret(SECRET, () => {
    for (const [id, what] of [['', 'an empty id'], [1.5, 'a fraction'], [Number.MAX_SAFE_INTEGER + 1, 'an unsafe integer'], [null, 'null'], [{}, 'an object'], [true, 'a boolean']]) {
      seen(expectError(() => createUserHash(id), TypeError, 'ERR_ATLAS_INVALID_USER_ID', `createUserHash of ${what}`))
    }
    seen(expectError(() => generateAtlasUserObject({ name: 'no id' }), TypeError, 'ERR_ATLAS_INVALID_USER_ID', 'a user without an id'))
    seen(expectError(() => verifyUserHash(undefined, 'x'), TypeError, 'ERR_ATLAS_INVALID_USER_ID', 'verifyUserHash without an id'))
    seen(expectError(() => generateAtlasUserObject('user_1'), TypeError, 'ERR_ATLAS_INVALID_USER', 'a string user'))
    seen(expectError(() => generateAtlasUserObject({ id: 'u', name: 5 }), TypeError, 'ERR_ATLAS_INVALID_USER', 'a number name'))
    seen(expectError(() => generateAtlasUserObject({ id: 'u', email: {} }), TypeError, 'ERR_ATLAS_INVALID_USER', 'an object email'))
  })
  // ERR_ATLAS_INTERNAL is what an engine failure (a caught panic) becomes; no valid call makes
  // one, so the package's own contract layer is run on an engine that reports it.
  const { createApi } = require(path.join(path.dirname(entry), 'lib', 'contract.js'))
  const { STATUS } = require(path.join(path.dirname(entry), 'lib', 'status.js'))
  const failing = createApi({ name: 'failing', createKey: () => ({}), hash: () => STATUS.PANIC, verify: () => STATUS.PANIC, dropKey() {} })
  seen(expectError(() => failing.createUserHash('u', { secret: SECRET }), Error, 'ERR_ATLAS_INTERNAL', 'an engine panic'))
  const all = ['ERR_ATLAS_SECRET_MISSING', 'ERR_ATLAS_SECRET_INVALID', 'ERR_ATLAS_INVALID_USER_ID', 'ERR_ATLAS_INVALID_USER', 'ERR_ATLAS_INTERNAL']
  assert.deepEqual([...codes].sort(), [...all].sort())
  return `${all.length} codes, each with its class; no message or stack holds the secret`
}

// Object.prototype.secret and Object.prototype.ATLAS_SECRET must never choose the key.
function checkPollution(api) {
  const attackerHash = reference('attacker-key', 'victim')
  Object.prototype.secret = 'attacker-key'
  Object.prototype.ATLAS_SECRET = 'attacker-key'
  try {
    withSecret(undefined, () => {
      expectError(() => api.verifyUserHash('victim', attackerHash, {}), Error, 'ERR_ATLAS_SECRET_MISSING', 'polluted, no ATLAS_SECRET')
    })
    withSecret('the-real-secret', () => {
      assert.equal(api.verifyUserHash('victim', attackerHash, {}), false, 'polluted, with ATLAS_SECRET')
      assert.equal(api.createUserHash('victim', {}), reference('the-real-secret', 'victim'))
    })
  } finally {
    delete Object.prototype.secret
    delete Object.prototype.ATLAS_SECRET
  }
  return 'Object.prototype.secret and .ATLAS_SECRET choose no key'
}

// The addon's own key checks, as this runtime's Node-API runs them: look-alikes and dropped keys
// are refused with an error, and a caught panic leaves every key as it was.
function checkKeys() {
  const { binding, engine } = require(path.join(path.dirname(entry), 'lib', 'load-binding.js')).loadBinding()
  const key = binding.createKey('keys-check-secret')
  const good = reference('keys-check-secret', 'u')
  assert.equal(binding.hash('u', key), good)
  const dropped = binding.createKey('keys-check-dropped')
  binding.dropKey(dropped)
  // Not Object.create(key): V8 in Node 24 and in Deno crashes when any napi External (from any
  // addon) is made a prototype, an engine bug that only code holding a key could reach, and
  // the public API never hands a key out.
  for (const value of [{}, Object.freeze(Object.create(null)), { ...key }, 1, undefined, null, 'keys-check-secret', dropped]) {
    assert.throws(() => binding.hash('u', value), { code: 'ERR_ATLAS_ENGINE_ARGUMENT' })
    assert.throws(() => binding.verify('u', good, value), { code: 'ERR_ATLAS_ENGINE_ARGUMENT' })
  }
  // The test hooks exist only in a test build (`npm run build:test`): a packaged binary must
  // not export them (ATLAS_EXPECT_TEST_HOOKS=absent, as __test__/installed/run.mjs sets it for
  // the tarballs); a test build installed here (test-runtimes.mjs after `npm test`) gets the
  // panic check in this runtime.
  const hooks = TEST_HOOKS.filter((hook) => binding[hook] !== undefined)
  if (process.env.ATLAS_EXPECT_TEST_HOOKS === 'absent') assert.deepEqual(hooks, [], 'a packaged binary exports no test hook')
  if (hooks.length === 0) return `${engine}: look-alike and dropped keys refused; no test hook exported`
  // WebAssembly builds abort on a panic (no unwinding): the panic check is for native builds.
  if (engine === 'wasm32-wasi') return `${engine}: look-alike and dropped keys refused (a test build)`
  binding.armTestPanic()
  assert.equal(binding.hash('u', key), -3, 'a forced panic becomes the PANIC status')
  assert.equal(binding.hash('u', key), good, 'and the key is the same after it')
  return `${engine}: look-alike and dropped keys refused; a caught panic changes no key (a test build)`
}

/** The addon's test hooks, which only a test build exports (scripts/binary-checks.mjs TEST_HOOKS). */
const TEST_HOOKS = ['armTestPanic', 'liveKeyCount', 'useWrappedKeys']

const THREAD_IDS = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? i : `user_${i}`))

function runAsWorker({ secret, nextSecret, ids }) {
  const api = require(entry)
  let out
  try {
    if (secret !== undefined) process.env.ATLAS_SECRET = secret
    const first = ids.map((id, i) => (i % 2 ? api.createUserHash(id) : api.generateAtlasUserObject({ id }).userHash))
    process.env.ATLAS_SECRET = nextSecret
    const second = ids.map((id) => api.createUserHash(id))
    const withOptions = ids.map((id) => api.createUserHash(id, { secret: `${nextSecret}-options` }))
    out = { first, second, withOptions, engine: api.engine, envSecret: process.env.ATLAS_SECRET }
  } catch (error) {
    out = { error: `${error?.code} ${error?.stack}` }
  }
  threads.parentPort.postMessage(out)
}

function runWorker(workerData) {
  return new Promise((resolve, reject) => {
    const worker = new threads.Worker(__filename, { argv: process.argv.slice(2), workerData: { atlasWorker: true, ...workerData } })
    worker.once('message', (message) => {
      resolve(message)
      worker.terminate()
    })
    worker.once('error', reject)
  })
}

async function checkThreads(api) {
  if (threads.unavailable) return { skip: threads.unavailable }
  if (typeof threads.Worker !== 'function') return { skip: 'node:worker_threads has no Worker in this runtime' }
  const saved = process.env.ATLAS_SECRET
  process.env.ATLAS_SECRET = 'main-thread-secret'
  try {
    const count = 4
    const running = Array.from({ length: count }, (_, n) => runWorker({ secret: `worker-${n}-secret`, nextSecret: `worker-${n}-rotated`, ids: THREAD_IDS }))
    // The main thread hashes while the workers run.
    for (const id of THREAD_IDS) assert.equal(api.createUserHash(id), reference('main-thread-secret', id), `main thread, id ${id}`)
    const results = await Promise.all(running)
    for (const [n, result] of results.entries()) {
      assert.ok(!result.error, `worker ${n} threw: ${result.error}`)
      assert.equal(result.engine, api.engine, `worker ${n} got the same engine`)
      assert.deepEqual(result.first, THREAD_IDS.map((id) => reference(`worker-${n}-secret`, id)), `worker ${n}: its own ATLAS_SECRET`)
      assert.deepEqual(result.second, THREAD_IDS.map((id) => reference(`worker-${n}-rotated`, id)), `worker ${n}: after it changed ATLAS_SECRET`)
      assert.deepEqual(result.withOptions, THREAD_IDS.map((id) => reference(`worker-${n}-rotated-options`, id)), `worker ${n}: { secret }`)
    }
    assert.equal(process.env.ATLAS_SECRET, 'main-thread-secret', 'the main thread keeps its ATLAS_SECRET')
    assert.equal(api.createUserHash('u'), reference('main-thread-secret', 'u'), 'the main thread hashes with its own secret after the workers')
    // A worker that sets nothing inherits the main thread's secret.
    const inherited = await runWorker({ secret: undefined, nextSecret: 'inherit-then-change', ids: ['a', 7] })
    assert.ok(!inherited.error, `inheriting worker threw: ${inherited.error}`)
    assert.deepEqual(inherited.first, ['a', 7].map((id) => reference('main-thread-secret', id)), 'a worker inherits the main thread\'s ATLAS_SECRET')
    assert.equal(process.env.ATLAS_SECRET, 'main-thread-secret')
    return `${count} workers at once, each with its own ATLAS_SECRET (${THREAD_IDS.length} ids, then a changed secret, then { secret }); the main thread kept its own`
  } finally {
    if (saved === undefined) delete process.env.ATLAS_SECRET
    else process.env.ATLAS_SECRET = saved
  }
}
