'use strict'

// The one contract layer of atlas-user-hash: the public functions, the validation of every
// argument, and every error class, code and message. It runs on a hash engine — the native
// addon (lib/engines/native.js) or the pure-JavaScript engine for edge runtimes
// (lib/engines/js.mjs) — that only makes keys, hashes, verifies and reports which check
// failed, as a STATUS number.
//
// An engine is { name, createKey(secret), hash(idText, key), verify(idText, hashText, key),
// dropKey(key) }. `createKey` takes a string, or a Uint8Array that this layer made (a plain
// copy of the caller's bytes), and returns a key (an object the engine made) or a STATUS.
// `hash` returns the hex user hash and `verify` a boolean, or a STATUS. `dropKey` frees a
// key that this layer will not use again. Keys are the engine's values, held here: nothing
// but this layer's Map says which secret a key belongs to.
//
// Fields of the caller's objects — a user's `id`, `name` and `email`, `options.secret` — are
// read by one rule (`field`): a value counts when the object itself or a prototype in its
// chain holds the key, such as a class's getter (a Mongoose document's `id`), but never when
// only the root of the chain holds it: that root is Object.prototype (of any realm), where a
// polluted `Object.prototype.id = 'admin'` would otherwise name every user. An object that is
// itself a root (`Object.create(null)`) has its own keys counted.
//
// The secret is `options.secret` when the options have that field, else
// `process.env.ATLAS_SECRET` read on every call (as Atlas's documented helper reads it) when
// that is an own property and a string. A `secret` field that is `undefined` (a variable that
// is not set, such as `process.env.ATLAS_SECRET_OLD`) is a missing secret, never a fallback.

/** The STATUS table (lib/status.js), loaded by the first failed check: a cold start loads no file it does not use (~0.2 ms each). */
const status = () => require('./status.js').STATUS

// Taken once, at load: code that replaces Object's functions later does not change these.
const { getPrototypeOf } = Object
const ObjectPrototype = Object.prototype
/**
 * `Object.hasOwn(object, key)`, as hasOwnProperty called on `object`: V8 runs it in about 8 ns
 * where Object.hasOwn takes 10 (Node 20 to 24), and the user object's fields take three.
 */
const hasOwn = Function.prototype.call.bind(ObjectPrototype.hasOwnProperty)

/** What `field` returns for a key the object does not have by the rule. */
const ABSENT = Symbol('absent')
/** Longer prototype chains than any class hierarchy: beyond it (a Proxy inventing prototypes), a key is absent. */
const MAX_PROTOTYPE_DEPTH = 256

/**
 * `object[key]` (getters run on `object`, read once) when `object` or a prototype in its chain
 * holds `key`, except the chain's root (Object.prototype) unless that root is `object` itself;
 * else ABSENT. The rule of the header comment.
 */
function field(object, key) {
  // The usual case first: the object's own property.
  if (hasOwn(object, key)) return object[key]
  const proto = getPrototypeOf(object)
  if (proto === null) return ABSENT
  if (!(key in proto)) {
    // Nothing `object` inherits has `key`: a value can only be a Proxy's answer, its own.
    const value = object[key]
    return value === undefined ? ABSENT : value
  }
  // A prototype has `key`: one before the root must hold it.
  for (let holder = proto, depth = 0; depth < MAX_PROTOTYPE_DEPTH; depth++) {
    const next = getPrototypeOf(holder)
    if (next === null) return ABSENT // the root never counts
    if (hasOwn(holder, key)) return object[key]
    holder = next
  }
  return ABSENT
}

/** `field(object, key)`, with `undefined` for ABSENT. */
function fieldValue(object, key) {
  const value = field(object, key)
  return value === ABSENT ? undefined : value
}

// Where a secret came from: the messages tell the user what to fix.
const FROM_ENV = 'env'
const FROM_OPTIONS = 'options'

/** How many text secrets keep their key between calls (per contract, so per thread). */
const KEYS_KEPT = 8

/** Builds the public API on `engine`. */
function createApi(engine) {
  // Text secret → the engine's key for it. A key is made from the secret itself and never
  // changes, so no reset or failure anywhere can make it stand for another secret.
  const keys = new Map()
  let lastSecret
  let lastKey
  // The key of a byte secret, made for one call and dropped after it.
  let oneCallKey

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
    // Each field by its written-out name, where the user owns it (the usual case: a named
    // load V8 keeps fast at this call site); `fieldValue` rules on the rest.
    const userId = hasOwn(user, 'id') ? user.id : fieldValue(user, 'id')
    const name = hasOwn(user, 'name') ? user.name : fieldValue(user, 'name')
    const email = hasOwn(user, 'email') ? user.email : fieldValue(user, 'email')
    const idText = userIdText(userId, 'user.id')
    checkOptionalText(name, 'user.name')
    checkOptionalText(email, 'user.email')
    return { userId, name, email, userHash: hashWith(idText, keyFor(options)) }
  }

  /**
   * Returns the user hash of `userId`: lowercase hex HMAC-SHA256 keyed with the secret.
   * @param {string | number | bigint} userId
   * @param {{ secret?: string | Uint8Array }} [options]
   */
  function createUserHash(userId, options) {
    return hashWith(userIdText(userId, 'userId'), keyFor(options))
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
    const key = keyFor(options)
    const outcome = engine.verify(idText, hashText, key)
    if (key === oneCallKey) dropOneCallKey()
    return result(outcome)
  }

  function hashWith(idText, key) {
    const outcome = engine.hash(idText, key)
    if (key === oneCallKey) dropOneCallKey()
    return result(outcome)
  }

  function dropOneCallKey() {
    engine.dropKey(oneCallKey)
    oneCallKey = undefined
  }

  /** The engine's key for the secret of this call: `options.secret`, else ATLAS_SECRET. */
  function keyFor(options) {
    const given = optionsSecret(options)
    if (given !== undefined) return secretKey(given, FROM_OPTIONS)
    return secretKey(envSecret(), FROM_ENV)
  }

  /**
   * The key for `secret`. A text secret keeps its key (the engine checked the secret when it
   * made it); bytes are a fresh copy each call, keyed anew.
   */
  function secretKey(secret, source) {
    if (typeof secret !== 'string') {
      oneCallKey = newKey(secret, source)
      return oneCallKey
    }
    // The secret of the last call first: a string compare is cheaper than a Map lookup,
    // which hashes a string that process.env hands out anew on every read.
    if (secret === lastSecret) return lastKey
    let key = keys.get(secret)
    if (key === undefined) {
      key = newKey(secret, source)
      if (keys.size >= KEYS_KEPT) dropAllKeys()
      keys.set(secret, key)
    }
    lastSecret = secret
    lastKey = key
    return key
  }

  function dropAllKeys() {
    // Forgotten first: should a drop throw (a wasm call at the edge of the stack), no dropped
    // key stays in use.
    const dropped = [...keys.values()]
    keys.clear()
    lastSecret = undefined
    lastKey = undefined
    for (const key of dropped) engine.dropKey(key)
  }

  function newKey(secret, source) {
    // Checked here, when a secret is keyed (its first call, or every call with bytes), not on
    // every call: each read of process.env costs about as much as a hash.
    if (publicSecretIsSet()) throw publicSecretError()
    if (secret === undefined) throw secretError(status().SECRET_EMPTY, source)
    const key = engine.createKey(secret)
    if (typeof key === 'number') throw secretError(key, source)
    return key
  }

  return { generateAtlasUserObject, createUserHash, verifyUserHash, engine: engine.name }
}

/** `outcome` itself, unless it is a STATUS: then the error that status stands for. */
function result(outcome) {
  if (typeof outcome === 'number') throw secretError(outcome)
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

/**
 * `options.secret` — a string, or a copy of its bytes — or `undefined` when the secret
 * comes from `ATLAS_SECRET` (the options have no `secret` field, by the rule of `field`).
 */
function optionsSecret(options) {
  if (options === undefined || options === null) return undefined
  if (typeof options !== 'object') {
    throw atlasError(TypeError, 'ERR_ATLAS_SECRET_INVALID', `options must be an object such as { secret }; got ${describeSecret(options)}`)
  }
  const secret = hasOwn(options, 'secret') ? options.secret : field(options, 'secret')
  if (secret === ABSENT) {
    // A secret's bytes in place of the options (`createUserHash(id, key)`, as createHmac takes
    // a key) would otherwise hash with ATLAS_SECRET.
    if (isBytes(options)) throw atlasError(TypeError, 'ERR_ATLAS_SECRET_INVALID', 'options must be an object such as { secret }; got bytes (a typed array, DataView or ArrayBuffer): pass them as { secret: bytes }')
    return undefined
  }
  if (secret === undefined) {
    throw atlasError(
      Error,
      'ERR_ATLAS_SECRET_MISSING',
      'options.secret is undefined (often a variable that is not set, such as process.env.ATLAS_SECRET_OLD): pass your Atlas identity verification secret, or leave the secret key out of the options to use process.env.ATLAS_SECRET',
    )
  }
  if (typeof secret === 'string') return secret
  const bytes = copyOfBytes(secret)
  if (bytes !== undefined) return bytes
  throw atlasError(TypeError, 'ERR_ATLAS_SECRET_INVALID', `options.secret must be a string or a Uint8Array; got ${describeSecret(secret)}`)
}

// The built-in getters behind every typed array's Symbol.toStringTag and byteLength: they
// read the typed array's internal slots, whatever its prototype, realm or own properties
// say, and a plain object or a Proxy cannot fake them.
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype)
const uncurryGetter = (key) => Function.prototype.call.bind(Object.getOwnPropertyDescriptor(TypedArrayPrototype, key).get)
const typedArrayKind = uncurryGetter(Symbol.toStringTag)
const typedArrayByteLength = uncurryGetter('byteLength')
const OwnUint8Array = Uint8Array

/**
 * A plain Uint8Array of this realm holding a copy of `value`'s bytes when `value` is a
 * Uint8Array (of any realm, prototype or subclass, Buffers included); `undefined` otherwise.
 * The engines key the copy, so both see the same bytes and nothing can change them mid-call.
 */
function copyOfBytes(value) {
  if (typedArrayKind(value) !== 'Uint8Array') return undefined
  // A detached buffer has no bytes (the constructor would throw on it).
  if (typedArrayByteLength(value) === 0) return new OwnUint8Array(0)
  // Constructed from a typed array, a Uint8Array copies from the internal slots.
  return new OwnUint8Array(value)
}

/** Whether `value` is a typed array, DataView, ArrayBuffer or SharedArrayBuffer (of any realm). */
function isBytes(value) {
  if (ArrayBuffer.isView(value)) return true
  const tag = ObjectToString(value)
  return tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]'
}
const ObjectToString = Function.prototype.call.bind(Object.prototype.toString)

/**
 * Whether `object[key]` is `object`'s own property: nothing on its prototype chain has
 * `key` (the usual case, checked without asking `object`), or `object` says it owns `key`.
 * For process.env, a host object whose keys are all its own.
 */
function isOwn(object, key) {
  const proto = getPrototypeOf(object)
  return proto === null || !(key in proto) || hasOwn(object, key)
}

function checkOptionalText(value, label) {
  if (value === undefined || value === null || typeof value === 'string') return
  throw atlasError(TypeError, 'ERR_ATLAS_INVALID_USER', `${label} must be a string, null or undefined; got ${describe(value)}`)
}

// `process`, or `undefined` in a runtime without one (Cloudflare Workers without nodejs_compat),
// and where the only `process` is a polluted `Object.prototype.process`, which the global
// object inherits.
const processObject =
  typeof process === 'object' && process !== null && !(hasOwn(Object.prototype, 'process') && field(globalThis, 'process') === ABSENT) ? process : undefined

/**
 * `process.env` as it is now (test setups replace it), or `undefined` where there is none.
 * Read by name unless Object.prototype has an `env` (polluted): only then could the value
 * come from there, and `fieldValue` rules. (`hasOwn(process, 'env')` on every call cost
 * ~100 ns of a ~1 µs ATLAS_SECRET call, measured.)
 */
function processEnv() {
  if (processObject === undefined) return undefined
  const env = hasOwn(ObjectPrototype, 'env') ? fieldValue(processObject, 'env') : processObject.env
  return typeof env === 'object' && env !== null ? env : undefined
}

/**
 * `process.env.ATLAS_SECRET` read now, or `undefined` when it is not an own string property;
 * a runtime without `process.env` is told how to pass the secret.
 */
function envSecret() {
  const env = processEnv()
  if (env === undefined) throw atlasError(Error, 'ERR_ATLAS_SECRET_MISSING', `ATLAS_SECRET cannot be read: ${runtimeName()} has no process.env. ${PASS_THE_SECRET}`)
  const secret = env.ATLAS_SECRET
  return typeof secret === 'string' && isOwn(env, 'ATLAS_SECRET') ? secret : undefined
}

/**
 * Whether NEXT_PUBLIC_ATLAS_SECRET is a non-empty own property of `process.env`: Next.js has
 * then put its value into every client bundle that names it. An empty one exposes nothing.
 */
function publicSecretIsSet() {
  const env = processEnv()
  const value = env === undefined ? undefined : env.NEXT_PUBLIC_ATLAS_SECRET
  return typeof value === 'string' && value !== '' && isOwn(env, 'NEXT_PUBLIC_ATLAS_SECRET')
}

function publicSecretError() {
  return atlasError(
    Error,
    'ERR_ATLAS_SECRET_PUBLIC',
    'NEXT_PUBLIC_ATLAS_SECRET is set in the server environment, and Next.js inlines every NEXT_PUBLIC_ variable into the JavaScript it sends to browsers, so treat that secret as public. Rename the variable to ATLAS_SECRET (without NEXT_PUBLIC_), rotate the secret in Atlas, and redeploy. While it is set, secrets are refused (checked when one is first used in a process, and on every call with a Uint8Array), even with { secret } in the options.',
  )
}

const PASS_THE_SECRET = 'Pass the secret in the options instead, e.g. in a Cloudflare Worker: generateAtlasUserObject(user, { secret: env.ATLAS_SECRET })'

/** The runtime, as its users call it, for messages about what it cannot do. */
function runtimeName() {
  if (typeof navigator === 'object' && navigator !== null && navigator.userAgent === 'Cloudflare-Workers') return 'Cloudflare Workers (workerd)'
  if (typeof EdgeRuntime === 'string') return 'the Edge runtime'
  return 'this runtime'
}

/** The error that a STATUS from the engine stands for, for a secret from `source`. */
function secretError(code, source) {
  const STATUS = status()
  switch (code) {
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
      return atlasError(Error, 'ERR_ATLAS_INTERNAL', `atlas-user-hash: the hash engine reported an unknown status ${code}`)
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

/** A short description of a value for an error message: its kind, and a number's value. */
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

/** A description of a value given where a secret belongs: its kind only, never its value. */
function describeSecret(value) {
  return typeof value === 'number' ? 'a number' : describe(value)
}

module.exports = { createApi }
