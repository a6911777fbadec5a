// What the benchmark compares: Atlas's documented helper, the pure-JS alternatives a team
// would reach for, and this package. Each entry makes a user hash (or user object) per call.
import { createHmac, createSecretKey, webcrypto } from 'node:crypto'
import { createRequire } from 'node:module'

import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { createHMAC, createSHA256 } from 'hash-wasm'

const ours = createRequire(import.meta.url)('../index.js')
const edge = await import('../edge.mjs')

/** Atlas's documented Next.js helper, verbatim but for the types. */
export const generateAtlasUserObjectDocumented = (user) => {
  if (!user) return {}
  const hmac = createHmac('sha256', process.env.ATLAS_SECRET || '')
  hmac.update(user.id)
  return { userId: user.id, name: user.name, email: user.email, userHash: hmac.digest('hex') }
}

const toObject = (user, userHash) => ({ userId: user.id, name: user.name, email: user.email, userHash })

/**
 * Each competitor: `name`, `kind` ('object': user → user object, 'hash': id → hex) and
 * `make(secret)` → the per-call function; `async: true` when that function returns a promise.
 */
export const competitors = [
  {
    name: 'documented helper (createHmac, env read per call)',
    kind: 'object',
    baseline: true,
    make: () => generateAtlasUserObjectDocumented,
  },
  {
    name: 'createHmac, secret read once',
    kind: 'object',
    make: (secret) => (user) => toObject(user, createHmac('sha256', secret).update(user.id).digest('hex')),
  },
  {
    name: 'createHmac, KeyObject made once',
    kind: 'object',
    make: (secret) => {
      const key = createSecretKey(Buffer.from(secret))
      return (user) => toObject(user, createHmac('sha256', key).update(user.id).digest('hex'))
    },
  },
  {
    name: '@noble/hashes hmac',
    kind: 'object',
    make: (secret) => {
      const key = utf8ToBytes(secret)
      return (user) => toObject(user, bytesToHex(hmac(sha256, key, utf8ToBytes(user.id))))
    },
  },
  {
    name: 'hash-wasm HMAC (one reused hasher)',
    kind: 'object',
    make: async (secret) => {
      const hasher = await createHMAC(createSHA256(), secret)
      return (user) => {
        hasher.init()
        hasher.update(user.id)
        return toObject(user, hasher.digest('hex'))
      }
    },
  },
  {
    name: 'WebCrypto subtle.sign (awaited)',
    kind: 'object',
    async: true,
    make: async (secret) => {
      const encoder = new TextEncoder()
      const key = await webcrypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
      return async (user) => toObject(user, Buffer.from(await webcrypto.subtle.sign('HMAC', key, encoder.encode(user.id))).toString('hex'))
    },
  },
  {
    name: 'atlas-user-hash generateAtlasUserObject',
    kind: 'object',
    make: () => ours.generateAtlasUserObject,
  },
  {
    name: 'atlas-user-hash generateAtlasUserObject, { secret } option',
    kind: 'object',
    make: (secret) => (user) => ours.generateAtlasUserObject(user, { secret }),
  },
  {
    // What the ATLAS_SECRET path is held to: at most 1.1x this (npm run bench prints the ratio).
    name: 'atlas-user-hash: read process.env.ATLAS_SECRET, then the { secret } call',
    kind: 'object',
    make: () => (user) => ours.generateAtlasUserObject(user, { secret: process.env.ATLAS_SECRET }),
  },
  {
    name: 'atlas-user-hash edge engine (pure JS), ATLAS_SECRET',
    kind: 'object',
    make: () => edge.generateAtlasUserObject,
  },
  {
    name: 'atlas-user-hash edge engine (pure JS), { secret } option',
    kind: 'object',
    make: (secret) => (user) => edge.generateAtlasUserObject(user, { secret }),
  },
  {
    name: 'documented createHmac(…).update(id).digest("hex")',
    kind: 'hash',
    hashBaseline: true,
    make: () => (id) => createHmac('sha256', process.env.ATLAS_SECRET || '').update(id).digest('hex'),
  },
  {
    name: 'atlas-user-hash createUserHash',
    kind: 'hash',
    make: () => ours.createUserHash,
  },
  {
    name: 'process.env.ATLAS_SECRET read alone',
    kind: 'env',
    make: () => () => process.env.ATLAS_SECRET,
  },
]
