'use strict'

// atlas-user-hash-wasm32-wasi: the addon built for wasm32-wasip1 (single-threaded WASI),
// instantiated in Node through @napi-rs/wasm-runtime (emnapi's Node-API on
// WebAssembly). atlas-user-hash's loader uses it where no native binary loads. The module
// exports what the native binary exports.

const { readFileSync } = require('node:fs')
const { join } = require('node:path')
const { WASI, emnapiAsyncWorkPlugin, emnapiTSFNPlugin, getDefaultContext, instantiateNapiModuleSync } = require('@napi-rs/wasm-runtime')

// @tybys/wasm-util's WASI (through the runtime), not node:wasi, which warns that it is
// experimental on every load. The addon needs no file system and no environment (the
// contract reads ATLAS_SECRET in JavaScript): no preopened folder, and an empty environment,
// so none of the process's secrets is copied into the module's memory.
const wasi = new WASI({ version: 'preview1', env: {} })
// The module imports its memory (napi-build links it with --import-memory and a 64 MB stack):
// 1024 pages of 64 KiB to start, growing as napi-rs's generated loaders allow.
const memory = new WebAssembly.Memory({ initial: 1024, maximum: 65536 })

const { napiModule } = instantiateNapiModuleSync(readFileSync(join(__dirname, 'atlas-user-hash.wasm32-wasip1.wasm')), {
  context: getDefaultContext(),
  asyncWorkPoolSize: 0,
  // Single-threaded: async work and thread-safe functions are done in JavaScript.
  plugins: [emnapiAsyncWorkPlugin, emnapiTSFNPlugin],
  wasi,
  overwriteImports(importObject) {
    importObject.env = { ...importObject.env, ...importObject.napi, ...importObject.emnapi, memory }
    return importObject
  },
  beforeInit({ instance }) {
    for (const name of Object.keys(instance.exports)) {
      if (name.startsWith('__napi_register__')) instance.exports[name]()
    }
  },
})

// Node's napi_get_value_string_utf8 writes a lone surrogate as U+FFFD, as node:crypto hashes
// it; emnapi's does not, so such an id or secret hashed differently here. Strings are made
// well-formed (lone surrogates to U+FFFD) before they reach the module, whatever it exports.
const wellFormed = typeof String.prototype.toWellFormed === 'function'
  ? (value) => (typeof value === 'string' ? value.toWellFormed() : value)
  : (value) => (typeof value === 'string' ? value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD') : value)

const exported = {}
for (const [name, value] of Object.entries(napiModule.exports)) {
  exported[name] = typeof value === 'function'
    ? { [name](...args) { return value.apply(this, args.map(wellFormed)) } }[name]
    : value
}
module.exports = exported
