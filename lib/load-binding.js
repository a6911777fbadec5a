'use strict'

// Loads the native addon (directly, else through napi-rs's generated loader `binding.js`),
// else its WebAssembly build when that package is installed, and turns a failure into one
// actionable Error: which platform package this machine needs and why it is usually missing.
// Runs once, at `require("atlas-user-hash")`; never on the hot path.

const PACKAGE_NAME = 'atlas-user-hash'
// package.json `napi.binaryName`: the local build is `<binary>.<platform suffix>.node`.
const BINARY_NAME = 'atlas-user-hash'
// The WebAssembly build (npm/wasm32-wasi): slower, but runs where no native binary fits.
const WASM_ENGINE = 'wasm32-wasi'
const WASM_PACKAGE = `${PACKAGE_NAME}-${WASM_ENGINE}`

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

/** The platform, arch and libc of this process, as napi-rs's loader sees them. */
function detectHost() {
  const platform = process.platform
  return { platform, arch: process.arch, libc: platform === 'linux' ? detectLinuxLibc() : null }
}

function detectLinuxLibc() {
  // The C library this process runs on, not the host's (/usr/bin/ldd describes the host: a musl
  // runtime started by its own loader on Debian, or a glibc Node on Alpine with gcompat, would be
  // misjudged). First the objects mapped into the process, then the process report, then ldd.
  try {
    const libc = libcOfMappedObjects(require('node:fs').readFileSync('/proc/self/maps', 'utf8'))
    if (libc) return libc
  } catch {
    // no /proc (a sandbox): ask the process report
  }
  try {
    process.report.excludeNetwork = true
    const report = process.report.getReport()
    const libc = libcOfMappedObjects((report.sharedObjects || []).join('\n'))
    if (libc) return libc
    if (report.header?.glibcVersionRuntime) return 'glibc'
  } catch {
    // no report (not every runtime has one): ask ldd
  }
  try {
    return require('node:fs').readFileSync('/usr/bin/ldd', 'utf8').includes('musl') ? 'musl' : 'glibc'
  } catch {
    return 'glibc' // as the generated loader assumes
  }
}

/**
 * `'musl'`, `'glibc'` or null: the C library among `mapped`, one object path per line (the
 * lines of /proc/self/maps, or the process report's sharedObjects). musl wins: a glibc program
 * run on musl through gcompat maps musl's loader and no glibc.
 */
function libcOfMappedObjects(mapped) {
  let glibc = false
  for (const line of mapped.split('\n')) {
    const at = line.indexOf('/')
    if (at < 0) continue // anonymous mappings, [heap], [stack]
    const path = line.slice(at).replace(/ \(deleted\)$/, '') // a library replaced on disk since
    const name = path.slice(path.lastIndexOf('/') + 1)
    // Alpine: ld-musl-<arch>.so.1 (libc.musl-<arch>.so.1 links to it). musl's libc.so is also
    // its loader (Debian's musl package: /usr/lib/<arch>-linux-musl/libc.so, run directly);
    // glibc's libc.so is a linker script, never mapped.
    if (/^(ld-musl-|libc\.musl-)/.test(name) || name === 'libc.so') return 'musl'
    if (/^(libc\.so\.6|libc-2\.\d+\.so|ld-linux[-.])/.test(name)) glibc = true
  }
  return glibc ? 'glibc' : null
}

/**
 * The platform suffix napi-rs gives the binary and its package on `host` (the
 * `atlas-user-hash-<suffix>` package), or null where napi-rs knows no such platform.
 */
function platformSuffix({ platform, arch, libc }) {
  switch (platform) {
    case 'darwin':
      return `darwin-${arch}`
    case 'win32':
      return `win32-${arch}-msvc`
    case 'freebsd':
      return `freebsd-${arch}`
    case 'android':
      return arch === 'arm' ? 'android-arm-eabi' : `android-${arch}`
    case 'linux': {
      const musl = libc === 'musl'
      if (arch === 'arm') return musl ? 'linux-arm-musleabihf' : 'linux-arm-gnueabihf'
      return `linux-${arch}-${musl ? 'musl' : 'gnu'}`
    }
    default:
      return null
  }
}

/** The platform suffixes this release ships a package for (package.json `napi.targets`). */
function supportedSuffixes(pkg) {
  return ((pkg.napi?.targets) || []).map(targetSuffix).filter(Boolean)
}

/** `x86_64-unknown-linux-gnu` → `linux-x64-gnu`, as napi-rs names the target's package. */
function targetSuffix(triple) {
  const [rawArch, , sys, abi] = triple.split('-')
  const arch = { x86_64: 'x64', aarch64: 'arm64', armv7: 'arm', i686: 'ia32' }[rawArch] || rawArch
  if (triple.includes('-apple-darwin')) return platformSuffix({ platform: 'darwin', arch })
  if (triple.includes('-windows-')) return platformSuffix({ platform: 'win32', arch })
  if (triple.includes('-freebsd')) return platformSuffix({ platform: 'freebsd', arch })
  if (sys === 'linux') return platformSuffix({ platform: 'linux', arch, libc: abi?.startsWith('musl') ? 'musl' : 'glibc' })
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

module.exports = { loadBinding, detectHost, libcOfMappedObjects, platformSuffix, targetSuffix, missingBindingMessage, WASM_PACKAGE }
