'use strict'

// The native hash engine: the Rust addon (or its wasm32-wasi build) that lib/load-binding.js
// finds, in the shape lib/contract.js runs on. `createKey` returns an opaque key (a napi
// External) that names a keyed HMAC state (freed by `dropKey`, or once the key is garbage);
// `hash` and `verify` take such a key and refuse anything else.

const { binding, engine } = require('../load-binding.js').loadBinding()

/** The engine: what `createApi` of lib/contract.js runs on; `name` is 'native' or 'wasm32-wasi'. */
const nativeEngine = Object.freeze({ name: engine, createKey: binding.createKey, hash: binding.hash, verify: binding.verify, dropKey: binding.dropKey })

module.exports = { nativeEngine }
