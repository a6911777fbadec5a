'use strict'

// The one definition of which atlas-user-hash binary fits the running process: its os, cpu
// and C library (decided from the process itself, not from the host's files), the napi-rs
// platform suffix that names the local build and the platform package, and how a target
// triple of package.json `napi.targets` maps to that suffix. The loader (lib/load-binding.js),
// its error message, the CLI's `doctor` and the packaging scripts all ask here.
//
// Also how the loader reads the environment variables that steer it: `ownEnv`, own properties
// of process.env only. A missing key of process.env is looked up on Object.prototype, so
// without it a polluted prototype (`Object.prototype.NAPI_RS_NATIVE_LIBRARY_PATH = '/x/evil.js'`)
// would choose the module loaded as the hash engine. lib/load-binding.js and the generated
// binding.js (patched by scripts/patch-binding.mjs) read every variable through it. (One file
// rather than two: each module costs a cold start about 0.15 ms.)

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

module.exports = {
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
