// Issue 24 §3: a native binary that did not install, simulated in fresh projects installed from
// the packed tarballs (this machine's build only, scripts/pack-local.mjs):
// the platform package removed, a lockfile without it, and NAPI_RS_FORCE_WASI with and without
// the wasm package. Each failure must name this machine's platform package and the fixes.
// npm installs with --prefer-offline: the one dependency, @noble/hashes, comes from npm's cache
// where it is there (else the registry), and the unpublished platform packages the main one
// names are skipped, as optional dependencies that do not resolve.
// The wasm package is not built here (it needs `npm run tools`); give its tarball in
// ATLAS_TEST_WASM_TARBALL (`npm run package -- wasm32-wasi` makes dist/atlas-user-hash-wasm32-wasi-*.tgz)
// to run the case that loads it.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'

import { packLocal } from '../scripts/pack-local.mjs'
import { execFileSync } from './child-process.mjs'
import { quick } from './helpers.mjs'

const require = createRequire(import.meta.url)
const { expectedPackage, WASM_PACKAGE } = require('../lib/load-binding.js')
const pkg = require('../package.json')
// npm is npm.cmd on Windows, which Node starts only through a shell (CVE-2024-27980).
const onWindows = process.platform === 'win32'
// Resolved here: npm installs it from inside each project.
const wasmTarball = process.env.ATLAS_TEST_WASM_TARBALL && resolve(process.env.ATLAS_TEST_WASM_TARBALL)
const expected = createHmac('sha256', 'k').update('u').digest('hex')

// What a project's server meets at require time: the engine and a hash, or the error.
const probe = `try {
  const { engine, createUserHash } = require('atlas-user-hash')
  console.log(JSON.stringify({ engine, hash: createUserHash('u', { secret: 'k' }) }))
} catch (error) {
  console.log(JSON.stringify({ code: error.code, message: error.message }))
}`

// Under Wine (npm run test:windows) each npm for Windows install takes minutes: the run's time
// limit passed before these ended. npm's handling of a missing optional dependency is the
// same on every OS, and windows.test.mjs installs the package with npm for Windows.
const underWine = process.env.ATLAS_WINDOWS_WINE === '1' && 'under Wine: npm for Windows installs take minutes each (windows.test.mjs installs the package with it)'

describe('a native binary that did not install, in a project installed from the packed tarballs', { skip: quick || underWine }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-missing-binary-'))
  after(() => rmSync(scratch, { recursive: true, force: true }))
  const { NAPI_RS_FORCE_WASI: _, NAPI_RS_NATIVE_LIBRARY_PATH: __, ...env } = process.env
  const wanted = expectedPackage()
  let main
  let platform

  before(() => {
    ;[main, platform] = packLocal(join(scratch, 'tarballs'), { testBuild: true })
  })

  function project(name, dependencies = {}) {
    const dir = join(scratch, name)
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, dependencies }))
    return dir
  }
  const npmIn = (dir, ...args) => execFileSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, encoding: 'utf8', env, shell: onWindows })
  const run = (dir, extraEnv = {}) => JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8', env: { ...env, ...extraEnv } }))

  /** Checks the error a project without the platform package gets: its name, this machine, and every known fix. */
  function assertNamesPackageAndFixes(outcome) {
    assert.equal(outcome.code, 'ERR_ATLAS_BINDING_NOT_FOUND', JSON.stringify(outcome))
    const lines = outcome.message.split('\n')
    assert.equal(lines[0], `atlas-user-hash: no native binary loads on this machine (platform ${wanted.os}, arch ${wanted.cpu}${wanted.libc ? `, libc ${wanted.libc}` : ''}).`)
    assert.equal(lines[1], `It needs the package ${wanted.packageName}@${pkg.version}, an optional dependency of atlas-user-hash that was not installed or did not load. Known causes, and their fixes:`)
    assert.match(outcome.message, /^- npm's optional-dependencies bug \(https:\/\/github\.com\/npm\/cli\/issues\/4828\): delete node_modules and package-lock\.json, then run `npm install` again;$/m)
    assert.ok(outcome.message.includes(`- an install with --omit=optional (or npm config omit=optional): install without it, or add the package itself: \`npm install ${wanted.packageName}@${pkg.version}\`;`))
    assert.match(outcome.message, /^- a package-lock\.json made on another OS, CPU or libc/m)
    assert.match(outcome.message, /^- pnpm: its supportedArchitectures setting must include this machine/m)
    assert.match(outcome.message, new RegExp(`npm install --force ${WASM_PACKAGE}@${pkg.version.replaceAll('.', '\\.')}`))
  }

  it('installed as published, it loads the native engine', () => {
    const dir = project('complete')
    npmIn(dir, 'install', main, platform)
    assert.deepEqual(run(dir), { engine: 'native', hash: expected })
  })

  it('the platform package removed: ERR_ATLAS_BINDING_NOT_FOUND names it and the fixes', () => {
    const dir = project('removed')
    npmIn(dir, 'install', main, platform)
    rmSync(join(dir, 'node_modules', wanted.packageName), { recursive: true })
    assertNamesPackageAndFixes(run(dir))
  })

  it('a lockfile without the platform package (as a machine that skipped it writes one), installed anew from it: the same error', () => {
    const dir = project('lockfile', { 'atlas-user-hash': `file:${main}` })
    npmIn(dir, 'install')
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'))
    assert.ok(lock.packages['node_modules/atlas-user-hash'], 'the lockfile has the package')
    assert.ok(!Object.keys(lock.packages).some((path) => path.endsWith(`node_modules/${wanted.packageName}`)), 'and no platform package')
    rmSync(join(dir, 'node_modules'), { recursive: true })
    npmIn(dir, 'install')
    assertNamesPackageAndFixes(run(dir))
  })

  it('NAPI_RS_FORCE_WASI=1 without the wasm package: ERR_ATLAS_BINDING_NOT_FOUND saying to install it or unset the variable', () => {
    const dir = project('force-wasi-without')
    npmIn(dir, 'install', main, platform)
    const outcome = run(dir, { NAPI_RS_FORCE_WASI: '1' })
    assert.equal(outcome.code, 'ERR_ATLAS_BINDING_NOT_FOUND')
    assert.equal(
      outcome.message,
      [
        `atlas-user-hash: NAPI_RS_FORCE_WASI=1 asks for the WebAssembly build, and ${WASM_PACKAGE} is not installed.`,
        `Install it with \`npm install --force ${WASM_PACKAGE}@${pkg.version}\` (its cpu is "wasm32": npm installs it only when told to),`,
        "or unset NAPI_RS_FORCE_WASI to use this machine's native binary.",
      ].join('\n'),
    )
    assert.deepEqual(run(dir), { engine: 'native', hash: expected }, 'unset, the native binary')
  })

  it('NAPI_RS_FORCE_WASI=1 with the wasm package: the wasm engine, and its hashes', { skip: !wasmTarball && 'set ATLAS_TEST_WASM_TARBALL to a packed wasm package to run this' }, () => {
    const dir = project('force-wasi-with')
    npmIn(dir, 'install', '--force', main, platform, wasmTarball) // --force: the wasm package's cpu is wasm32
    assert.deepEqual(run(dir, { NAPI_RS_FORCE_WASI: '1' }), { engine: 'wasm32-wasi', hash: expected })
    assert.deepEqual(run(dir), { engine: 'native', hash: expected }, 'unset, the native binary')
    rmSync(join(dir, 'node_modules', wanted.packageName), { recursive: true })
    assert.deepEqual(run(dir), { engine: 'wasm32-wasi', hash: expected }, 'no native binary: the wasm package')
  })
})
