'use strict'

// Loads the native addon (directly, else through napi-rs's generated loader `binding.js`),
// else its WebAssembly build when that package is installed, and turns a failure into one
// actionable Error: which platform package this machine needs and why it is usually missing.
// Runs once, at `require("atlas-user-hash")`; never on the hot path. Which binary fits this
// process is lib/platform.js's decision; environment variables are read as own properties
// of process.env only (lib/platform.js's ownEnv), so a polluted Object.prototype chooses no module.

const { ownEnv, detectHost, platformSuffix, supportedSuffixes, PACKAGE_NAME, BINARY_NAME, WASM_ENGINE, WASM_PACKAGE } = require('./platform.js')

// NAPI_RS_FORCE_WASI values that ask for the WebAssembly build: napi-rs's 'true' and 'error',
// and '1'. Unset, '', '0', 'false' or anything else: the native binary, as in napi-rs.
const FORCE_WASI = new Set(['1', 'true', 'error'])
// Variables that only napi-rs's generated loader handles: with one set, it does the loading.
const GENERATED_LOADER_VARIABLES = ['NAPI_RS_NATIVE_LIBRARY_PATH', 'NAPI_RS_WASI_FLAVOR', 'NAPI_RS_ENFORCE_VERSION_CHECK']

/**
 * The hash engine for this machine: `{ binding, engine }`, where `binding` is the addon's
 * exports and `engine` names what was loaded: `'native'` (a native binary) or
 * `'wasm32-wasi'` (the WebAssembly package, when it is installed and no native binary fits,
 * or when NAPI_RS_FORCE_WASI asks for it).
 * @throws {Error} `ERR_ATLAS_BINDING_NOT_FOUND` when nothing loads.
 */
function loadBinding() {
  const forceWasi = ownEnv('NAPI_RS_FORCE_WASI')
  if (FORCE_WASI.has(forceWasi)) return loadForcedWasm(forceWasi)
  const native = GENERATED_LOADER_VARIABLES.some(ownEnv) ? null : loadThisPlatformsBinary()
  if (native) return { binding: native, engine: 'native' }
  let loaderError
  try {
    const binding = require('../binding.js')
    return { binding, engine: isWasmBinding(binding) ? WASM_ENGINE : 'native' }
  } catch (error) {
    loaderError = error
  }
  // The generated loader tries the wasm package too (and fails with its own message); try it
  // here as well, so that its load error, if any, is the one reported.
  let wasmError
  try {
    return { binding: require(WASM_PACKAGE), engine: WASM_ENGINE }
  } catch (error) {
    wasmError = resolves(WASM_PACKAGE) ? error : null // installed, but it did not load
  }
  throw missingBindingError(missingBindingMessage(detectHost(), packageManifest(), flattenCauses(loaderError), wasmError), loaderError)
}

/** The wasm package, which NAPI_RS_FORCE_WASI=`value` asks for, or the error that says it is missing. */
function loadForcedWasm(value) {
  if (!resolves(WASM_PACKAGE)) throw missingBindingError(forcedWasmMessage(value, packageManifest(), null))
  try {
    return { binding: require(WASM_PACKAGE), engine: WASM_ENGINE }
  } catch (error) {
    throw missingBindingError(forcedWasmMessage(value, packageManifest(), error), error)
  }
}

/** Whether `binding` came from the wasm package (napi-rs's loader stamps what it loaded). */
function isWasmBinding(binding) {
  if (binding && Object.hasOwn(binding, '__napiBindingTarget') && binding.__napiBindingTarget === WASM_ENGINE) return true
  const entry = resolves(WASM_PACKAGE)
  return Boolean(entry && require.cache[entry] && require.cache[entry].exports === binding)
}

function resolves(request) {
  try {
    return require.resolve(request)
  } catch {
    return null
  }
}

/**
 * The modules napi-rs's generated loader tries first for `host`'s binary, as this file names
 * them: the local build beside the package, then the platform package. Empty where napi-rs
 * knows no such platform. __test__/load-binding.test.mjs checks them against binding.js for
 * every target of package.json.
 */
function nativeCandidates(host) {
  const suffix = platformSuffix(host)
  return suffix ? [`../${BINARY_NAME}.${suffix}.node`, `${PACKAGE_NAME}-${suffix}`] : []
}

/**
 * This machine's binary, looked up where napi-rs's loader looks first. The generated loader
 * does the same search, but it is 800 lines that Node compiles at every start (~1.3 ms, half
 * of a cold require); it stays the path for everything else: the napi-rs variables, an
 * unknown platform, a binary that fails to load (its errors make the message).
 */
function loadThisPlatformsBinary() {
  const [localBuild, platformPackage] = nativeCandidates(detectHost())
  if (!platformPackage) return null
  // A local build exists only in a clone: a stat (~10 µs) spares installed projects a failed require (~200 µs).
  if (require('node:fs').statSync(require('node:path').join(__dirname, localBuild), { throwIfNoEntry: false })) {
    try {
      return require(localBuild)
    } catch {
      // it does not load: try the platform package, then the generated loader
    }
  }
  try {
    return require(platformPackage)
  } catch {
    return null // not installed, or it does not load: the generated loader tries again, and its errors make the message
  }
}

/** The message of the Error thrown when no binary fits `host` (`wasmError`: the wasm package's load error). */
function missingBindingMessage(host, pkg, loadErrors = [], wasmError = null) {
  const version = pkg.version
  const suffix = platformSuffix(host)
  const where = describeHost(host)
  const supported = supportedSuffixes(pkg)
  const lines = [`${PACKAGE_NAME}: no native binary loads on this machine (${where}).`]
  if (suffix && supported.includes(suffix)) {
    const wanted = `${PACKAGE_NAME}-${suffix}`
    lines.push(
      `It needs the package ${wanted}@${version}, an optional dependency of ${PACKAGE_NAME} that was not installed or did not load. Known causes, and their fixes:`,
      "- npm's optional-dependencies bug (https://github.com/npm/cli/issues/4828): delete node_modules and package-lock.json, then run `npm install` again;",
      `- an install with --omit=optional (or npm config omit=optional): install without it, or add the package itself: \`npm install ${wanted}@${version}\`;`,
      '- a package-lock.json made on another OS, CPU or libc, or node_modules copied from another machine (a Mac, or a glibc image into Alpine): npm skips the optional dependencies of other platforms, so delete node_modules and package-lock.json and install on the machine (in Docker: inside the image) that runs the app;',
      `- pnpm: its supportedArchitectures setting must include this machine (os ${host.platform}, cpu ${host.arch}${host.libc ? `, libc ${host.libc}` : ''}); then run \`pnpm install\` again.`,
    )
  } else {
    lines.push(
      `There is no prebuilt ${PACKAGE_NAME} binary for ${suffix ? `${suffix}` : 'this platform'}.`,
      `Prebuilt: ${supported.join(', ')}. Elsewhere, build it from source with a Rust toolchain (see the README).`,
    )
  }
  const sibling = host.platform === 'linux' ? installedOtherLibc(host) : null
  if (sibling) lines.push(`Installed instead: ${sibling.name}, built for ${sibling.libc}, which does not load on ${host.libc}: the packages were installed on another Linux (Debian/Ubuntu is glibc, Alpine is musl).`)
  lines.push(`Slower, but with no native code: the WebAssembly build, \`npm install --force ${WASM_PACKAGE}@${version}\` (its cpu is "wasm32": npm installs it only when told to).`)
  // The generated loader also looks for the wasm package: that it is not installed is said above.
  const reasons = loadErrors.map(firstLine).filter((reason) => reason && !/wasi/i.test(reason))
  if (reasons.length > 0) lines.push(`Load errors: ${reasons.slice(0, 4).join(' | ')}`)
  if (wasmError) lines.push(`${WASM_PACKAGE} is installed but did not load: ${firstLine(wasmError)}`)
  return lines.join('\n')
}

/** The message of the Error thrown when NAPI_RS_FORCE_WASI=`value` asks for a wasm package that is missing or broken. */
function forcedWasmMessage(value, pkg, wasmError) {
  const problem = wasmError ? `is installed but did not load: ${firstLine(wasmError)}` : 'is not installed'
  return [
    `${PACKAGE_NAME}: NAPI_RS_FORCE_WASI=${value} asks for the WebAssembly build, and ${WASM_PACKAGE} ${problem}.`,
    `Install it with \`npm install --force ${WASM_PACKAGE}@${pkg.version}\` (its cpu is "wasm32": npm installs it only when told to),`,
    "or unset NAPI_RS_FORCE_WASI to use this machine's native binary.",
  ].join('\n')
}

/** `platform linux, arch x64, libc glibc`: the host, as npm's `os`, `cpu` and `libc` fields name it. */
function describeHost(host) {
  return `platform ${host.platform}, arch ${host.arch}${host.libc ? `, libc ${host.libc}` : ''}`
}

/** The same platform's package for the other libc, when that one is installed. */
function installedOtherLibc(host) {
  const libc = host.libc === 'musl' ? 'glibc' : 'musl'
  const suffix = platformSuffix({ ...host, libc })
  const name = `${PACKAGE_NAME}-${suffix}`
  try {
    require.resolve(`${name}/package.json`)
    return { name, libc }
  } catch {
    return null
  }
}

function packageManifest() {
  try {
    return require('../package.json')
  } catch {
    return { version: 'unknown' }
  }
}

function missingBindingError(message, cause) {
  const result = new Error(message)
  result.code = 'ERR_ATLAS_BINDING_NOT_FOUND'
  if (cause !== undefined) result.cause = cause
  return result
}

/** napi-rs chains its load errors through `cause`, the last one outermost; list them in order. */
function flattenCauses(error) {
  const errors = []
  for (let e = ownCause(error); e && errors.length < 16; e = ownCause(e)) errors.unshift(e)
  return errors.length > 0 ? errors : [error]
}

/** `error.cause` when the error has one of its own (not a polluted Object.prototype.cause). */
function ownCause(error) {
  return error !== null && typeof error === 'object' && Object.hasOwn(error, 'cause') ? error.cause : undefined
}

function firstLine(error) {
  const message = error && typeof error.message === 'string' ? error.message : String(error)
  return message.split('\n')[0].trim()
}

module.exports = { loadBinding, nativeCandidates, missingBindingMessage, forcedWasmMessage }
