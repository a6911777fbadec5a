'use strict'

// The one contract layer of atlas-user-hash: the public functions, the validation of every
// argument, and every error class, code and message. It runs on a hash engine — the native
// addon (index.js) or the pure-JavaScript engine for edge runtimes (edge.mjs) — that only
// makes keys, hashes, verifies and reports which check failed, as a STATUS number.
//
// An engine is { name, createKey(secret), hash(idText, key), verify(idText, hashText, key),
// readsEnv(env) }. `createKey` takes a string or Uint8Array secret and returns a key (any
// value but a negative number) or a STATUS. `hash` returns the hex user hash and `verify` a
// boolean, or a STATUS. When `readsEnv(env)` is true, `key` may be left out: the engine
// then reads ATLAS_SECRET from the environment itself (where that is cheaper than reading
// `process.env` from JavaScript).

/** What an engine returns instead of a result: which check failed. */
const STATUS = Object.freeze({
  SECRET_EMPTY: -1,
  SECRET_WHITESPACE: -2,
  KEY_STALE: -3,
  PANIC: -4,
})

// Where a secret came from: the messages tell the user what to fix.
const FROM_ENV = 'env'
const FROM_OPTIONS = 'options'

/** How many text secrets keep their engine key between calls (per thread). */
const KEYS_KEPT = 8

/** Builds the public API on `engine`. */
function createApi(engine) {
  const keys = new Map()
  let lastSecret
  let lastKey

  /**
   * Returns the object to pass to `window.Atlas.call("identify", …)`, or `{}` for no user.
   * @param {unknown} user
   * @param {{ secret?: string | Uint8Array }} [options]
   */
  function generateAtlasUserObject(user, options) {
    if (!user) return {}
    if (typeof user !== 'object') {
      throw atlasError(TypeError, 'ERR_ATLAS_INVALID_USER', `user must be an object with an id, or a falsy value for "no user"; got ${describe(user)}`)
    }
    const userId = user.id
    const name = user.name
    const email = user.email
    const idText = userIdText(userId, 'user.id')
    checkOptionalText(name, 'user.name')
    checkOptionalText(email, 'user.email')
    return { userId, name, email, userHash: hashIdText(idText, options) }
  }

  /**
   * Returns the user hash of `userId`: lowercase hex HMAC-SHA256 keyed with the secret.
   * @param {string | number | bigint} userId
   * @param {{ secret?: string | Uint8Array }} [options]
   */
  function createUserHash(userId, options) {
    return hashIdText(userIdText(userId, 'userId'), options)
  }

  /**
   * Whether `userHash` is the user hash of `userId`, compared in constant time.
   * @param {string | number | bigint} userId
   * @param {unknown} userHash
   * @param {{ secret?: string | Uint8Array }} [options]
   */
  function verifyUserHash(userId, userHash, options) {
    const idText = userIdText(userId, 'userId')
    // Anything but a string is no hash; the secret is still resolved so that a missing or
    // malformed secret is reported rather than hidden behind `false`.
    const hashText = typeof userHash === 'string' ? userHash : ''
    const secret = optionsSecret(options)
    if (secret !== undefined) return verifyWith(idText, hashText, secret, FROM_OPTIONS)
    const env = processEnv()
    if (engine.readsEnv(env)) return result(engine.verify(idText, hashText), FROM_ENV)
    return verifyWith(idText, hashText, envSecret(env), FROM_ENV)
  }

  /** Hashes an id's text with `options.secret`, or with `ATLAS_SECRET` read where it is cheapest. */
  function hashIdText(idText, options) {
    const secret = optionsSecret(options)
    if (secret !== undefined) return hashWith(idText, secret, FROM_OPTIONS)
    const env = processEnv()
    if (engine.readsEnv(env)) return result(engine.hash(idText), FROM_ENV)
    return hashWith(idText, envSecret(env), FROM_ENV)
  }

  // A key the engine no longer holds (KEY_STALE) is made again, once.
  function hashWith(idText, secret, source) {
    const outcome = engine.hash(idText, keyFor(secret, source))
    return result(outcome === STATUS.KEY_STALE ? engine.hash(idText, newKey(secret, source)) : outcome, source)
  }

  function verifyWith(idText, hashText, secret, source) {
    const outcome = engine.verify(idText, hashText, keyFor(secret, source))
    return result(outcome === STATUS.KEY_STALE ? engine.verify(idText, hashText, newKey(secret, source)) : outcome, source)
  }

  /**
   * The engine's key for `secret`. A text secret keeps its key (the engine checked the
   * secret when it made it); bytes can change in place, so they are keyed anew each call.
   */
  function keyFor(secret, source) {
    if (typeof secret === 'string') {
      // The secret of the last call first: a string compare is cheaper than a Map lookup,
      // which hashes a string that process.env hands out anew on every read.
      if (secret === lastSecret) return lastKey
      const key = keys.get(secret)
      if (key !== undefined) return remember(secret, key)
    }
    return newKey(secret, source)
  }

  function newKey(secret, source) {
    if (secret === undefined) throw secretError(STATUS.SECRET_EMPTY, source)
    const key = result(engine.createKey(secret), source)
    if (typeof secret !== 'string') return key
    if (keys.size >= KEYS_KEPT) keys.clear()
    keys.set(secret, key)
    return remember(secret, key)
  }

  function remember(secret, key) {
    lastSecret = secret
    lastKey = key
    return key
  }

  return { generateAtlasUserObject, createUserHash, verifyUserHash, engine: engine.name }
}

/** `outcome` itself, unless it is a STATUS: then the error that status stands for. */
function result(outcome, source) {
  if (typeof outcome === 'number' && outcome < 0) throw secretError(outcome, source)
  return outcome
}

/** The text that is hashed for an id: the string itself, or a number's decimal digits. */
function userIdText(userId, label) {
  switch (typeof userId) {
    case 'string':
      if (userId !== '') return userId
      break
    case 'number':
      if (Number.isSafeInteger(userId)) return String(userId)
      break
    case 'bigint':
      return String(userId)
  }
  throw atlasError(TypeError, 'ERR_ATLAS_INVALID_USER_ID', `${label} must be a non-empty string, a safe integer or a bigint; got ${describe(userId)}`)
}

/** `options.secret`, or `undefined` when the secret comes from `ATLAS_SECRET`. */
function optionsSecret(options) {
  if (options === undefined || options === null) return undefined
  if (typeof options !== 'object') {
    throw atlasError(TypeError, 'ERR_ATLAS_SECRET_INVALID', `options must be an object such as { secret }; got ${describe(options)}`)
  }
  const secret = options.secret
  if (secret === undefined || typeof secret === 'string' || typedArrayKind(secret) === 'Uint8Array') return secret
  throw atlasError(TypeError, 'ERR_ATLAS_SECRET_INVALID', `options.secret must be a string or a Uint8Array; got ${describe(secret)}`)
}

// The built-in getter behind every typed array's Symbol.toStringTag: it names the real kind
// of a typed array (from any realm, Buffers included) and cannot be faked by a plain object.
const typedArrayKind = Function.prototype.call.bind(
  Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get,
)

function checkOptionalText(value, label) {
  if (value === undefined || value === null || typeof value === 'string') return
  throw atlasError(TypeError, 'ERR_ATLAS_INVALID_USER', `${label} must be a string, null or undefined; got ${describe(value)}`)
}

// `process`, or `undefined` in a runtime without one (Cloudflare Workers without nodejs_compat).
const processObject = typeof process === 'object' && process !== null ? process : undefined

/** `process.env` as it is now (test setups replace it), or `undefined` where there is none. */
function processEnv() {
  const env = processObject === undefined ? undefined : processObject.env
  return typeof env === 'object' && env !== null ? env : undefined
}

/** `ATLAS_SECRET` from `env`, or `undefined`; a runtime without `process.env` is told how to pass the secret. */
function envSecret(env) {
  if (env === undefined) throw atlasError(Error, 'ERR_ATLAS_SECRET_MISSING', `ATLAS_SECRET cannot be read: ${runtimeName()} has no process.env. ${PASS_THE_SECRET}`)
  const secret = env.ATLAS_SECRET
  return typeof secret === 'string' ? secret : undefined
}

const PASS_THE_SECRET = 'Pass the secret in the options instead, e.g. in a Cloudflare Worker: generateAtlasUserObject(user, { secret: env.ATLAS_SECRET })'

/** The runtime, as its users call it, for messages about what it cannot do. */
function runtimeName() {
  if (typeof navigator === 'object' && navigator !== null && navigator.userAgent === 'Cloudflare-Workers') return 'Cloudflare Workers (workerd)'
  if (typeof EdgeRuntime === 'string') return 'the Edge runtime'
  return 'this runtime'
}

/** The error that a STATUS from the engine stands for, for a secret from `source`. */
function secretError(status, source) {
  switch (status) {
    case STATUS.SECRET_EMPTY:
      if (source === FROM_OPTIONS) {
        return atlasError(Error, 'ERR_ATLAS_SECRET_MISSING', 'options.secret is empty: pass your Atlas identity verification secret, or leave options.secret out to use process.env.ATLAS_SECRET')
      }
      return atlasError(Error, 'ERR_ATLAS_SECRET_MISSING', `ATLAS_SECRET is not set or is empty: set it in the server environment to your Atlas identity verification secret (never with a NEXT_PUBLIC_ prefix), or pass { secret } in the options${missingEnvHint()}`)
    case STATUS.SECRET_WHITESPACE:
      if (source === FROM_OPTIONS) {
        return atlasError(Error, 'ERR_ATLAS_SECRET_INVALID', 'options.secret starts or ends with whitespace (often a newline read from a file), so every hash made with it would be rejected by Atlas: trim the value')
      }
      return atlasError(Error, 'ERR_ATLAS_SECRET_INVALID', 'ATLAS_SECRET starts or ends with whitespace (often a newline pasted into .env or a hosting dashboard), so every hash made with it would be rejected by Atlas: remove the whitespace from the value')
    case STATUS.PANIC:
      return atlasError(Error, 'ERR_ATLAS_INTERNAL', 'atlas-user-hash: an internal error (a caught Rust panic) stopped this call; the process and later calls are unaffected. Please report it with the stderr line that names the panic.')
    default:
      return atlasError(Error, 'ERR_ATLAS_INTERNAL', `atlas-user-hash: the hash engine reported an unknown status ${status}`)
  }
}

/** Where the secret is usually missing from, in runtimes whose process.env is special. */
function missingEnvHint() {
  const runtime = runtimeName()
  if (runtime === 'this runtime') return ''
  return `. In ${runtime}, process.env may not hold your secrets (in Cloudflare Workers it does only with nodejs_compat and a compatibility date of 2025-04-01 or later). ${PASS_THE_SECRET}`
}

function atlasError(ErrorClass, code, message) {
  const error = new ErrorClass(message)
  error.code = code
  return error
}

/** A short description of a value for an error message (never the value of a secret). */
function describe(value) {
  if (value === null) return 'null'
  if (value === '') return 'an empty string'
  switch (typeof value) {
    case 'undefined':
      return 'undefined'
    case 'number':
      return `the number ${value}`
    case 'object':
      return Array.isArray(value) ? 'an array' : 'an object'
    default:
      return `a ${typeof value}`
  }
}

module.exports = { createApi, STATUS }
