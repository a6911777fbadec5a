'use strict'

// atlas-user-hash for Node.js, Bun and Deno: the contract layer (lib/contract.js) on the
// native hash engine (lib/engines/native.js: the Rust addon that lib/load-binding.js finds,
// or its wasm fallback).

const { createApi } = require('./lib/contract.js')
const { nativeEngine } = require('./lib/engines/native.js')

const api = createApi(nativeEngine)

// One assignment each, so that Node's ESM loader finds the named exports of this CommonJS file.
exports.generateAtlasUserObject = api.generateAtlasUserObject
exports.createUserHash = api.createUserHash
exports.verifyUserHash = api.verifyUserHash
/** Which hash engine this import got: 'native' (the Rust addon) or 'wasm32-wasi'. */
exports.engine = api.engine
