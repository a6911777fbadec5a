'use strict'

// atlas-user-hash for Node.js, Bun and Deno: the contract layer (contract.js) on the native
// hash engine, the Rust addon that napi-rs builds (binding.js loads it; load-binding.js
// finds it, or the wasm fallback, and explains when there is none).

const { createApi } = require('./lib/contract.js')
const { binding, engine: name } = require('./lib/load-binding.js').loadBinding()

// `process.env` objects known to write through to the native environment, or not to.
// On the main thread `process.env` is the native environment unless code replaced it
// (as Jest and some test setups do), so the first time an env object is seen it is
// probed: a variable set through it must appear natively and go again when deleted.
// Worker threads keep their own copy of the environment (or, with SHARE_ENV, share it with
// writers on other threads): there the secret is always read in JavaScript.
let nativeEnv = null
let otherEnv = null
let mainThread = null

/** Whether the addon can read ATLAS_SECRET itself: `env` is the process's native environment. */
function readsEnv(env) {
  if (env === nativeEnv) return true
  if (env === otherEnv) return false
  // `node:worker_threads` is loaded only now, once, to keep `require` of this package fast.
  if (mainThread === null) mainThread = require('node:worker_threads').isMainThread
  const isNative = mainThread && probeEnv(env)
  if (isNative) nativeEnv = env
  else otherEnv = env
  return isNative
}

function probeEnv(env) {
  const probe = `ATLAS_USER_HASH_PROBE_${process.pid}_${Date.now()}`
  try {
    env[probe] = '1'
    const seenWhenSet = binding.nativeEnvHas(probe)
    delete env[probe]
    return seenWhenSet && !binding.nativeEnvHas(probe)
  } catch {
    return false
  }
}

const api = createApi({ name, createKey: binding.createKey, hash: binding.hash, verify: binding.verify, readsEnv })

// One assignment each, so that Node's ESM loader finds the named exports of this CommonJS file.
exports.generateAtlasUserObject = api.generateAtlasUserObject
exports.createUserHash = api.createUserHash
exports.verifyUserHash = api.verifyUserHash
/** Which hash engine this import got: 'native' (the Rust addon) or 'wasm32-wasi'. */
exports.engine = api.engine
