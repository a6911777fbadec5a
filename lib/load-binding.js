'use strict'

// Loads the native addon (directly, else through napi-rs's generated loader `binding.js`),
// else its WebAssembly build when that package is installed, and turns a failure into one
// actionable Error: which platform package this machine needs and why it is usually missing.
// Runs once, at `require("atlas-user-hash")`; never on the hot path.

const { detectHost, platformSuffix, supportedSuffixes, PACKAGE_NAME, BINARY_NAME, WASM_ENGINE, WASM_PACKAGE } = require('./platform.js')

/**
 * The hash engine for this machine: `{ binding, engine }`, where `binding` is the addon's
 * exports and `engine` names what was loaded: `'native'` (a native binary) or
 * `'wasm32-wasi'` (the WebAssembly package, when it is installed and no native binary fits).
 */
function loadBinding() {
  const native = loadThisPlatformsBinary()
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
  throw missingBindingError(loaderError, wasmError)
}

/** Whether `binding` came from the wasm package (napi-rs's loader stamps what it loaded). */
function isWasmBinding(binding) {
  if (binding && binding.__napiBindingTarget === WASM_ENGINE) return true
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
 * This machine's binary, looked up where napi-rs's loader looks first: beside this file
 * (a local build), then the platform package. The generated loader does the same search,
 * but it is 800 lines that Node compiles at every start (~1.3 ms, half of a cold require);
 * it stays the path for everything else: an override in NAPI_RS_NATIVE_LIBRARY_PATH, an
 * unknown platform, a binary that fails to load (its errors make the message).
 */
function loadThisPlatformsBinary() {
  if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH) return null
  const suffix = platformSuffix(detectHost())
  if (!suffix) return null
  for (const candidate of [`../${BINARY_NAME}.${suffix}.node`, `${PACKAGE_NAME}-${suffix}`]) {
    try {
      return require(candidate)
    } catch {
      // not here, or it does not load: try the next place, then the generated loader
    }
  }
  return null
}

/** The message of the Error thrown when no binary fits `host` (`wasmError`: the wasm package's load error). */
function missingBindingMessage(host, pkg, loadErrors = [], wasmError = null) {
  const version = pkg.version
  const suffix = platformSuffix(host)
  const where = `platform ${host.platform}, arch ${host.arch}${host.libc ? `, libc ${host.libc}` : ''}`
  const supported = supportedSuffixes(pkg)
  const lines = [`${PACKAGE_NAME}: no native binary loads on this machine (${where}).`]
  if (suffix && supported.includes(suffix)) {
    const wanted = `${PACKAGE_NAME}-${suffix}`
    lines.push(
      `It needs the package ${wanted}@${version}, an optional dependency of ${PACKAGE_NAME} that was not installed or did not load.`,
      'Usual cause: a package-lock.json made on another OS, CPU or libc (npm skips the optional dependencies of other platforms, https://github.com/npm/cli/issues/4828),',
      'or an install with --omit=optional, or node_modules copied from another machine (a Mac, or a glibc image into Alpine).',
      `Fix: run \`npm install --include=optional\` on the machine that runs the app (in Docker: inside the image), or \`npm install ${wanted}@${version}\`;`,
      'if that does not help, delete node_modules and package-lock.json and run `npm install` again.',
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

function missingBindingError(error, wasmError) {
  let pkg
  try {
    pkg = require('../package.json')
  } catch {
    pkg = { version: 'unknown' }
  }
  const result = new Error(missingBindingMessage(detectHost(), pkg, flattenCauses(error), wasmError))
  result.code = 'ERR_ATLAS_BINDING_NOT_FOUND'
  result.cause = error
  return result
}

/** napi-rs chains its load errors through `cause`, the last one outermost; list them in order. */
function flattenCauses(error) {
  const errors = []
  for (let e = error?.cause; e && errors.length < 16; e = e.cause) errors.unshift(e)
  return errors.length > 0 ? errors : [error]
}

function firstLine(error) {
  const message = error && typeof error.message === 'string' ? error.message : String(error)
  return message.split('\n')[0].trim()
}

module.exports = { loadBinding, missingBindingMessage }
