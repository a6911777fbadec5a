// The pure-JavaScript hash engine, for runtimes that cannot load a native addon: the
// Next.js Edge runtime, Vercel Edge Functions and Cloudflare Workers (workerd). HMAC-SHA256
// is @noble/hashes (audited, dependency-free); like the native engine it keys the HMAC once
// per secret and clones the keyed state for each hash, so a key never changes. It follows
// the engine interface that lib/contract.js describes, and imports nothing from it: it
// makes keys, hashes, verifies and reports which check failed (lib/status.js).
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

import secretText from '../secret-text.js'
import status from '../status.js'

const { STATUS } = status
const encoder = new TextEncoder()

const HEX64 = /^[0-9a-fA-F]{64}$/

/** The engine: what `createApi` of lib/contract.js runs on. */
export const jsEngine = {
  name: 'js',

  /**
   * A keyed HMAC state for `secret` (a string, or a Uint8Array that the contract copied),
   * or the STATUS of the check it fails.
   */
  createKey(secret) {
    if (typeof secret === 'string') {
      if (secret === '') return STATUS.SECRET_EMPTY
      if (secretText.hasSurroundingSpace(secret)) return STATUS.SECRET_WHITESPACE
      return hmac.create(sha256, encoder.encode(secret))
    }
    return secret.length === 0 ? STATUS.SECRET_EMPTY : hmac.create(sha256, secret)
  },

  /** The user hash of `idText` with `key`, as lowercase hex. */
  hash(idText, key) {
    return bytesToHex(mac(idText, key))
  },

  /** Whether `hashText` (64 hex digits, either case) is the user hash of `idText`, in constant time. */
  verify(idText, hashText, key) {
    if (!HEX64.test(hashText)) return false
    const digest = mac(idText, key)
    let difference = 0
    for (let i = 0; i < digest.length; i++) difference |= digest[i] ^ Number.parseInt(hashText.slice(2 * i, 2 * i + 2), 16)
    return difference === 0
  },

  /** Nothing to free: the garbage collector takes a key when the contract lets it go. */
  dropKey() {},
}

function mac(idText, key) {
  return key.clone().update(encoder.encode(idText)).digest()
}
