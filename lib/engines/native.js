'use strict'

// The native hash engine: the Rust addon (or its wasm32-wasi build) that lib/load-binding.js
// finds, in the shape lib/contract.js runs on. `createKey` returns an opaque key (a napi
// External) that names a keyed HMAC state (freed by `dropKey`, or once the key is garbage);
// `hash` and `verify` take such a key and refuse anything else.

const { binding, engine } = require('../load-binding.js').loadBinding()

// Stryker disable all: the wasm guard below runs only on a wasm build, which the mutation
// suite does not load; it is tested on the real packaged wasm engine at the edge of the stack
// (__test__/installed/stack-overflow.cjs, in npm run test:package) and with a trapping
// stand-in (__test__/wasm-engine.test.mjs, in npm test).
// Stack headroom, for the wasm build. A call made at the edge of the JavaScript stack may throw
// RangeError anywhere on its way through emnapi's JavaScript and the WebAssembly, and one
// thrown there leaves the module half-way: napi-rs's borrow flags set, the wasm stack pointer
// moved, an emnapi reference half-disposed. Later calls then fail with a TypeError, a
// RuntimeError or "RefCell already borrowed", and emnapi's finalizer can take the process down
// at the next GC (__test__/installed/stack-overflow.cjs). So each call first pushes HEADROOM
// slots of stack in a call that does nothing (Reflect.apply checks the room for its arguments
// before it pushes them): at the edge, that throws the RangeError here, before anything has
// started. Most a call was seen to need: about 2 KiB in Node 20 and 22, 4 to 8 KiB in Bun
// (JavaScriptCore's frames are larger); HEADROOM is four times that. Its cost, ~0.2 ns a byte
// (about 2 µs a call in Node, 6 µs in Bun, on calls of 5 µs and more), is paid by the wasm
// build only. Here, not in the wasm package's loader, so that it guards whichever loader
// loaded the wasm (binding.js also loads the atlas-user-hash.wasip1.cjs that
// `napi build --target wasm32-wasip1` generates).
const HEADROOM = new Array(typeof Bun === 'object' ? 4096 : 1024).fill(0)
function roomForACall() {}

/**
 * Runs `wasmCall` (a call of the wasm build, which passes the arguments on) when the stack has
 * room for it, with a trap returned as STATUS.PANIC. WebAssembly has no unwinding here (the
 * wasm build is panic = "abort"), so a Rust panic traps: a WebAssembly.RuntimeError
 * ("unreachable") with no `code`, where the native build catches the panic and returns PANIC.
 */
function trapAsPanic(wasmCall) {
  Reflect.apply(roomForACall, undefined, HEADROOM)
  try {
    return wasmCall()
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) return PANIC
    throw error
  }
}

// The exports take an exact number of arguments: each is passed on as it came.
const wasmEngine = {
  createKey: (secret) => trapAsPanic(() => binding.createKey(secret)),
  hash: (idText, key) => trapAsPanic(() => binding.hash(idText, key)),
  verify: (idText, hashText, key) => trapAsPanic(() => binding.verify(idText, hashText, key)),
  dropKey: (key) => trapAsPanic(() => binding.dropKey(key)),
}
// A wasm build, whichever loader loaded it: napi-rs 3.10's generated loader (binding.js with a
// `napi build --target wasm32-wasip1*` build beside it) stamps `wasm32-wasip1`, which the
// engine name does not say (lib/load-binding.js looks for `wasm32-wasi`).
const target = Object.hasOwn(binding, '__napiBindingTarget') ? String(binding.__napiBindingTarget) : ''
const isWasm = engine === 'wasm32-wasi' || target.startsWith('wasm32')
// The status table (lib/status.js) only for a wasm build, which turns traps into PANIC: a
// native build returns its statuses itself, and each module a cold start loads costs ~0.2 ms.
const PANIC = isWasm ? require('../status.js').STATUS.PANIC : undefined
const calls = isWasm ? wasmEngine : binding
// Stryker restore all

/** The engine: what `createApi` of lib/contract.js runs on; `name` is 'native' or 'wasm32-wasi'. */
const nativeEngine = Object.freeze({
  name: engine,
  createKey: calls.createKey,
  hash: calls.hash,
  verify: calls.verify,
  dropKey: calls.dropKey,
})

module.exports = { nativeEngine }
