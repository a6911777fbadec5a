'use strict'

// `doctor`'s report of what a support request needs: the engine this machine loads, the
// platform package it needs (decided by lib/load-binding.js, as the loader decides it) and
// whether it is installed, the C library, the Node.js and package versions; and, where no
// engine loads, the known causes of a missing binary with their fixes.

const fs = require('node:fs')
const path = require('node:path')
const { BINARY_NAME, WASM_PACKAGE, expectedPackage, ownEnv } = require('../lib/load-binding.js')

const PACKAGE_ROOT = path.join(__dirname, '..')

// Why the platform package is missing, as users meet it, and what fixes it: the causes and
// fixes of lib/load-binding.js's missingBindingMessage, in the same words (a test in
// __test__/cli-internals.test.mjs checks that its message still gives these fixes).
function knownCauses(expected, version) {
  const wanted = expected.packageName ? `${expected.packageName}@${version}` : 'this platform\'s package'
  const machine = [`os ${expected.os}`, `cpu ${expected.cpu}`, ...(expected.libc ? [`libc ${expected.libc}`] : [])].join(', ')
  return [
    {
      cause: 'npm\'s optional-dependencies bug (https://github.com/npm/cli/issues/4828)',
      fix: 'delete node_modules and package-lock.json, then run `npm install` again',
    },
    {
      cause: 'an install with --omit=optional (or npm config omit=optional)',
      fix: `install without it, or add the package itself: \`npm install ${wanted}\``,
    },
    {
      cause: 'a package-lock.json made on another OS, CPU or libc, or node_modules copied from another machine (a Mac, or a glibc image into Alpine): npm skips the optional dependencies of other platforms',
      fix: 'delete node_modules and package-lock.json and install on the machine (in Docker: inside the image) that runs the app',
    },
    {
      cause: 'pnpm installs platform packages only for the architectures it is told about',
      fix: `its supportedArchitectures setting must include this machine (${machine}); then run \`pnpm install\` again`,
    },
  ]
}

// Where NAPI_RS_FORCE_WASI is set, the loader may have asked for the WebAssembly build.
const forcedWasiCause = (value) => ({
  cause: `NAPI_RS_FORCE_WASI=${value} is set: napi-rs's 1, true and error ask for the WebAssembly build, ${WASM_PACKAGE}, instead of this machine's native package`,
  fix: `install it (npm install --force ${WASM_PACKAGE}: its cpu is wasm32), or unset NAPI_RS_FORCE_WASI`,
})

/**
 * `{ engine, engineError, expectedPackage, installed, installedVersion, wasmPackageInstalled,
 * forceWasi, localBuild, libc, node, packageVersion, causes }`: `engine` is 'native',
 * 'wasm32-wasi' or null with `engineError` `{ code, message }`; `installed` says whether
 * `expectedPackage.packageName` resolves from this package; `forceWasi` is
 * NAPI_RS_FORCE_WASI's value or null; `localBuild` whether a binary built in this folder is
 * there; `causes` are the known causes where no engine loads, else empty.
 */
function runtimeReport() {
  const expected = expectedPackage()
  const version = require('../package.json').version
  let engine = null
  let engineError = null
  try {
    engine = require('../index.js').engine
  } catch (error) {
    engineError = { code: typeof error?.code === 'string' ? error.code : null, message: String(error?.message ?? error).split('\n')[0] }
  }
  const installedVersion = expected.packageName ? versionOf(expected.packageName) : null
  const forceWasi = ownEnv('NAPI_RS_FORCE_WASI') || null
  const localBuild = Boolean(expected.suffix) && fs.existsSync(path.join(PACKAGE_ROOT, `${BINARY_NAME}.${expected.suffix}.node`))
  return {
    engine,
    engineError,
    expectedPackage: { packageName: expected.packageName, os: expected.os, cpu: expected.cpu, libc: expected.libc },
    installed: installedVersion !== null,
    installedVersion,
    wasmPackageInstalled: versionOf(WASM_PACKAGE) !== null,
    forceWasi,
    localBuild,
    libc: expected.libc,
    node: process.versions.node,
    packageVersion: version,
    causes: engine ? [] : [...(forceWasi ? [forcedWasiCause(forceWasi)] : []), ...knownCauses(expected, version)],
  }
}

/** The version of the package `name` as this package resolves it, or null when it is not installed. */
function versionOf(name) {
  try {
    return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [PACKAGE_ROOT] }), 'utf8')).version ?? null
  } catch {
    return null
  }
}

/** The report as `label: value` lines for doctor's text output. */
function runtimeLines(report) {
  const { expectedPackage: expected } = report
  const platform = [expected.os, expected.cpu, expected.libc].filter(Boolean).join(' ')
  const pkg = expected.packageName
    ? `${expected.packageName}, ${report.installed ? `installed (${report.installedVersion})` : `not installed${report.localBuild ? ' (a binary built in this folder is used instead)' : ''}`}`
    : 'none: napi-rs names no package for this platform'
  const lines = [
    `engine:      ${report.engine ?? `none (${report.engineError.code ?? 'no code'}: ${report.engineError.message})`}`,
    `platform:    ${platform}: needs ${pkg}`,
    ...(report.forceWasi ? [`force wasi:  NAPI_RS_FORCE_WASI=${report.forceWasi}; ${WASM_PACKAGE} ${report.wasmPackageInstalled ? 'installed' : 'not installed'}`] : []),
    `libc:        ${report.libc ?? 'not Linux'}`,
    `node:        ${report.node}`,
    `package:     atlas-user-hash ${report.packageVersion}`,
  ]
  for (const { cause, fix } of report.causes) lines.push(`cause?       ${cause}. Fix: ${fix}`)
  return lines
}

module.exports = { runtimeReport, runtimeLines, knownCauses }
