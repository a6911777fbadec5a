'use strict'

// Which atlas-user-hash binary fits the running process, and loading it. One definition of the
// platform decision: os, cpu and C library (from the process itself, not from the host's
// files), the napi-rs platform suffix that names the local build and the platform package, and
// how a target triple of package.json `napi.targets` maps to that suffix. The CLI's `doctor`
// and the packaging scripts ask here too.
//
// Loads the native addon (directly, else through napi-rs's generated loader `binding.js`), else
// its WebAssembly build when that package is installed, and turns a failure into one
// actionable Error: which platform package this machine needs and why it is usually missing.
// Runs once, at `require("atlas-user-hash")`; never on the hot path.
//
// Environment variables are read as own properties of process.env only (`ownEnv`): a missing
// key of process.env is looked up on Object.prototype, so a polluted prototype
// (`Object.prototype.NAPI_RS_NATIVE_LIBRARY_PATH = '/x/evil.js'`) would choose the module loaded
// as the hash engine. The generated binding.js (patched by scripts/patch-binding.mjs) reads every
// variable through it too. (One file, not a platform module beside the loader: each module a
// cold start loads costs it about 0.2 ms.)

const PACKAGE_NAME = 'atlas-user-hash'
// package.json `napi.binaryName`: the local build is `<binary>.<platform suffix>.node`.
const BINARY_NAME = 'atlas-user-hash'
// The WebAssembly build (npm/wasm32-wasi): slower, but runs where no native binary fits.
const WASM_ENGINE = 'wasm32-wasi'
const WASM_PACKAGE = `${PACKAGE_NAME}-${WASM_ENGINE}`

/**
 * The platform package this process needs: `{ packageName, suffix, os, cpu, libc }`, where
 * `os` and `cpu` are `process.platform` and `process.arch` (what npm matches a package's
 * `os`/`cpu` against), `libc` is `'glibc'`, `'musl'` or null (not Linux), and `packageName`
 * (`atlas-user-hash-<suffix>`) and `suffix` are null where napi-rs names no such platform.
 */
function expectedPackage() {
  const host = detectHost()
  const suffix = platformSuffix(host)
  return { packageName: suffix ? `${PACKAGE_NAME}-${suffix}` : null, suffix, os: host.platform, cpu: host.arch, libc: host.libc }
}

// Taken at load: code that replaces Object.hasOwn later does not change what is read.
const { hasOwn } = Object

/**
 * `process.env[name]` when it is an own string property of `process.env`, and `env` an own
 * property of `process` (else a polluted `Object.prototype.env` would stand in for a deleted
 * one); otherwise `undefined`.
 */
function ownEnv(name) {
  const env = typeof process === 'object' && process !== null && hasOwn(process, 'env') ? process.env : undefined
  if (typeof env !== 'object' || env === null || !hasOwn(env, name)) return undefined
  const value = env[name]
  return typeof value === 'string' ? value : undefined
}

/** The platform, arch and libc of this process, as napi-rs's loader names them. */
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
    const libc = libcOfReport(process.report)
    if (libc) return libc
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
 * `'musl'`, `'glibc'` or null: the C library the process report names. The report is made
 * without its network section (slow where DNS is), and the user's setting is put back.
 */
function libcOfReport(report) {
  const excludeNetwork = report.excludeNetwork
  report.excludeNetwork = true
  try {
    const made = report.getReport()
    return libcOfMappedObjects((made.sharedObjects || []).join('\n')) ?? (made.header?.glibcVersionRuntime ? 'glibc' : null)
  } finally {
    report.excludeNetwork = excludeNetwork
  }
}

/**
 * `'musl'`, `'glibc'` or null: the C library among `mapped`, one object path per line (the
 * lines of /proc/self/maps, or the process report's sharedObjects). musl wins: a glibc program
 * run on musl through gcompat maps musl's loader and no glibc.
 */
function libcOfMappedObjects(mapped) {
  // One search over the whole text (a quarter of the time of a split into lines): the last
  // path segment of a line, before a ` (deleted)` that marks a library replaced on disk since.
  if (MUSL_OBJECT.test(mapped)) return 'musl'
  return GLIBC_OBJECT.test(mapped) ? 'glibc' : null
}

// Alpine: ld-musl-<arch>.so.1 (libc.musl-<arch>.so.1 links to it). musl's libc.so is also its
// loader (Debian's musl package: /usr/lib/<arch>-linux-musl/libc.so, run directly); glibc's
// libc.so is a linker script, never mapped.
const MUSL_OBJECT = /\/(?:ld-musl-|libc\.musl-)[^/\n]*$|\/libc\.so(?: \(deleted\))?$/m
const GLIBC_OBJECT = /\/(?:libc\.so\.6|libc-2\.\d+\.so|ld-linux[-.])[^/\n]*$/m

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

/** `x86_64-unknown-linux-gnu` → `linux-x64-gnu`, as napi-rs names the target's package. */
function targetSuffix(triple) {
  return platformSuffix(targetHost(triple) || {})
}

/** The `{ platform, arch, libc }` a target triple builds for, or null for one napi-rs names no package for. */
function targetHost(triple) {
  const [rawArch, , sys, abi] = triple.split('-')
  const arch = { x86_64: 'x64', aarch64: 'arm64', armv7: 'arm', i686: 'ia32' }[rawArch] || rawArch
  if (triple.includes('-apple-darwin')) return { platform: 'darwin', arch, libc: null }
  if (triple.includes('-windows-')) return { platform: 'win32', arch, libc: null }
  if (triple.includes('-freebsd')) return { platform: 'freebsd', arch, libc: null }
  if (sys === 'linux') return { platform: 'linux', arch, libc: abi?.startsWith('musl') ? 'musl' : 'glibc' }
  return null
}

/** The platform suffixes this release ships a package for (`pkg.napi.targets`). */
function supportedSuffixes(pkg) {
  return (pkg.napi?.targets || []).map(targetSuffix).filter(Boolean)
}

// NAPI_RS_FORCE_WASI values that ask for the WebAssembly build: napi-rs's 'true' and 'error',
// and '1'. Unset, '', '0', 'false' or anything else: the native binary, as in napi-rs.
const FORCE_WASI = new Set(['1', 'true', 'error'])
// Whether this file runs from an installed package rather than a clone of the repository.
const INSTALLED = /[\\/]node_modules[\\/]/.test(__dirname)

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
  // A local build exists only in a clone: the published package has no .node file, so an
  // installed copy (under node_modules) skips the failed require (~200 µs) and a clone the stat.
  // (A clone linked into a project is loaded from its real path, outside node_modules.)
  if (!INSTALLED) {
    try {
      return require(localBuild)
    } catch {
      // not built, or it does not load: try the platform package, then the generated loader
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

module.exports = {
  loadBinding,
  nativeCandidates,
  missingBindingMessage,
  forcedWasmMessage,
  expectedPackage,
  ownEnv,
  detectHost,
  libcOfMappedObjects,
  libcOfReport,
  platformSuffix,
  targetSuffix,
  targetHost,
  supportedSuffixes,
  PACKAGE_NAME,
  BINARY_NAME,
  WASM_ENGINE,
  WASM_PACKAGE,
}
