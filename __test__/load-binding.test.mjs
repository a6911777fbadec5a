// load-binding.js: how it finds the binary (directly, or through the generated loader, with
// which its fast path agrees on every target), NAPI_RS_FORCE_WASI, its missing-binary error
// for hosts other than this one, and lib/load-binding.js's names against the npm/ folders that
// `napi create-npm-dirs` made.
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { execFileSync } from './child-process.mjs'
import { createHmac } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import vm from 'node:vm'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const { missingBindingMessage, nativeCandidates } = require('../lib/load-binding.js')
const { expectedPackage, platformSuffix, targetHost, targetSuffix, detectHost, libcOfMappedObjects, libcOfReport, WASM_PACKAGE } = require('../lib/load-binding.js')
const { patchBinding } = await import('../scripts/patch-binding.mjs')
const pkg = require('../package.json')
const npmDir = new URL('../npm/', import.meta.url)

it('names the platform package as napi-rs does', () => {
  const cases = [
    [{ platform: 'linux', arch: 'x64', libc: 'glibc' }, 'linux-x64-gnu'],
    [{ platform: 'linux', arch: 'x64', libc: 'musl' }, 'linux-x64-musl'],
    [{ platform: 'linux', arch: 'arm64', libc: 'musl' }, 'linux-arm64-musl'],
    [{ platform: 'linux', arch: 'arm', libc: 'glibc' }, 'linux-arm-gnueabihf'],
    [{ platform: 'darwin', arch: 'arm64', libc: null }, 'darwin-arm64'],
    [{ platform: 'win32', arch: 'x64', libc: null }, 'win32-x64-msvc'],
    [{ platform: 'freebsd', arch: 'x64', libc: null }, 'freebsd-x64'],
    [{ platform: 'aix', arch: 'ppc64', libc: null }, null],
  ]
  for (const [host, suffix] of cases) assert.equal(platformSuffix(host), suffix, JSON.stringify(host))
})

it('has an npm/ folder with matching os, cpu and libc for every napi target and the wasm package, and no other', () => {
  const dirs = pkg.napi.targets.map(targetSuffix)
  assert.deepEqual([...dirs, 'wasm32-wasi'].sort(), readdirSync(npmDir).sort())
  const wasm = JSON.parse(readFileSync(new URL('wasm32-wasi/package.json', npmDir), 'utf8'))
  assert.deepEqual([wasm.name, wasm.version, wasm.cpu], [WASM_PACKAGE, pkg.version, ['wasm32']])
  assert.ok(wasm.dependencies['@napi-rs/wasm-runtime'], 'the wasm package brings its runtime')
  for (const dir of dirs) {
    const manifest = JSON.parse(readFileSync(new URL(`${dir}/package.json`, npmDir), 'utf8'))
    assert.equal(manifest.name, `${pkg.name}-${dir}`)
    assert.equal(manifest.version, pkg.version)
    const [os, cpu] = dir.split('-')
    assert.deepEqual(manifest.os, [os])
    assert.deepEqual(manifest.cpu, [cpu])
    // napi-rs sets libc for the -gnu and -musl packages (not for arm-gnueabihf, whose only
    // flavour is glibc), so npm skips a musl package on glibc and the other way round.
    if (dir.endsWith('-gnu') || dir.endsWith('-musl')) assert.deepEqual(manifest.libc, [dir.endsWith('-musl') ? 'musl' : 'glibc'])
  }
})

it('tells a musl host that installed the glibc packages which package it needs, and every known cause with its fix', () => {
  const message = missingBindingMessage({ platform: 'linux', arch: 'x64', libc: 'musl' }, pkg, [new Error("Cannot find module 'atlas-user-hash-linux-x64-musl'\nRequire stack: …")])
  const version = pkg.version.replaceAll('.', '\\.')
  const lines = message.split('\n')
  assert.equal(lines[0], 'atlas-user-hash: no native binary loads on this machine (platform linux, arch x64, libc musl).')
  assert.match(lines[1], new RegExp(`^It needs the package atlas-user-hash-linux-x64-musl@${version}, an optional dependency of atlas-user-hash that was not installed or did not load\\. Known causes, and their fixes:$`))
  assert.match(lines[2], /^- npm's optional-dependencies bug \(https:\/\/github\.com\/npm\/cli\/issues\/4828\): delete node_modules and package-lock\.json, then run `npm install` again;$/)
  assert.match(lines[3], new RegExp(`^- an install with --omit=optional .*\`npm install atlas-user-hash-linux-x64-musl@${version}\`;$`))
  assert.match(lines[4], /^- a package-lock\.json made on another OS, CPU or libc.*delete node_modules and package-lock\.json and install on the machine/)
  assert.match(lines[5], /^- pnpm: its supportedArchitectures setting must include this machine \(os linux, cpu x64, libc musl\); then run `pnpm install` again\.$/)
  assert.match(message, /Load errors: Cannot find module 'atlas-user-hash-linux-x64-musl'$/m)
  assert.match(message, new RegExp(`the WebAssembly build, \`npm install --force atlas-user-hash-wasm32-wasi@${version}\``))
  assert.doesNotMatch(message, /Require stack/)
})

it('says when a platform has no prebuilt binary at all', () => {
  const message = missingBindingMessage({ platform: 'linux', arch: 's390x', libc: 'glibc' }, pkg)
  assert.match(message, /platform linux, arch s390x, libc glibc/)
  assert.match(message, /no prebuilt atlas-user-hash binary for linux-s390x-gnu/)
  assert.match(message, /Prebuilt: .*linux-x64-gnu.*win32-x64-msvc/)
})

it('detects the libc this very process runs on, as /proc/self/maps shows it', { skip: process.platform !== 'linux' && 'only Linux has a libc to detect' }, () => {
  // An independent witness: the C library actually mapped into this process.
  const maps = readFileSync('/proc/self/maps', 'utf8')
  const mapped = /ld-musl-|libc\.musl-/.test(maps) ? 'musl' : /\/libc\.so\.6|\/libc-2\.\d+\.so/.test(maps) ? 'glibc' : null
  assert.ok(mapped, 'no C library found in /proc/self/maps')
  assert.equal(detectHost().libc, mapped)
  assert.ok(readdirSync(npmDir).includes(platformSuffix(detectHost())), 'this machine has a platform package')
})

describe('the libc of the running process, from its mapped objects', () => {
  const maps = (...paths) => paths.map((path, i) => `7f${i}000-7f${i}fff r-xp 00000000 08:01 ${1000 + i}    ${path}`).join('\n')
  const cases = [
    ['Debian (glibc)', maps('/usr/bin/node', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'), 'glibc'],
    ['an old glibc', maps('/lib64/libc-2.17.so', '/lib64/ld-2.17.so'), 'glibc'],
    ['musl replaced on disk since it was mapped', maps('/x/x86_64-linux-musl/libc.so (deleted)'), 'musl'],
    ['armhf glibc under qemu', maps('/usr/arm-linux-gnueabihf/lib/ld-linux-armhf.so.3'), 'glibc'],
    ['Alpine (musl)', maps('/usr/local/bin/node', '/lib/ld-musl-x86_64.so.1'), 'musl'],
    ["Alpine's libc.musl link", maps('/usr/lib/libc.musl-aarch64.so.1'), 'musl'],
    // A glibc Node on Alpine through gcompat: glibc's names may be mapped too, musl runs it.
    ['glibc Node on Alpine with gcompat', maps('/lib/libgcompat.so.0', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/lib/ld-musl-x86_64.so.1'), 'musl'],
    // Bun's musl build started by Debian 13's musl loader (the musl run of the packaging test).
    ["Debian's musl package, loader run directly", maps('/x/bun-linux-x64-musl/bin/bun', '/x/musl/usr/lib/x86_64-linux-musl/libc.so'), 'musl'],
    ['a musl runtime in a folder named musl, on glibc', maps('/opt/bun-linux-x64-musl/bin/bun', '/usr/lib/x86_64-linux-gnu/libc.so.6'), 'glibc'],
    ["musl's loader copied elsewhere (glibc never maps its libc.so, a linker script)", maps('/opt/musl/libc.so'), 'musl'],
    ['no C library (a static binary), anonymous mappings', '7f00-7fff rw-p 00000000 00:00 0 \n7f00-7fff rw-p 00000000 00:00 0    [heap]', null],
    ['the process report: one path per line', ['/usr/bin/node', '/lib/ld-musl-aarch64.so.1'].join('\n'), 'musl'],
  ]
  for (const [name, mapped, libc] of cases) {
    it(`${name} → ${libc}`, () => assert.equal(libcOfMappedObjects(mapped), libc))
  }

  it("the process report (where there is no /proc): made without its network section, and the user's setting put back", () => {
    for (const [made, libc] of [
      [{ sharedObjects: ['/usr/bin/node', '/lib/ld-musl-x86_64.so.1'] }, 'musl'],
      [{ sharedObjects: [], header: { glibcVersionRuntime: '2.36' } }, 'glibc'],
      [{ header: {} }, null],
    ]) {
      for (const setting of [false, true]) {
        const report = { excludeNetwork: setting, getReport() { assert.equal(this.excludeNetwork, true, 'no network section'); return made } }
        assert.equal(libcOfReport(report), libc)
        assert.equal(report.excludeNetwork, setting)
      }
    }
    const failing = { excludeNetwork: false, getReport() { throw new Error('no report here') } }
    assert.throws(() => libcOfReport(failing), /no report here/)
    assert.equal(failing.excludeNetwork, false, 'put back when the report fails too')
  })
})

// binding.js run for a made-up host: a process with that platform and arch, a file system whose
// /usr/bin/ldd says its libc, and a require that finds only the modules in `present`.
const generatedSource = readFileSync(new URL('../binding.js', import.meta.url), 'utf8')
function generatedLoaderFor(host, present) {
  const tried = []
  const notFound = (specifier) => Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' })
  const fakeRequire = (specifier) => {
    if (specifier === 'fs') return { readFileSync: () => (host.libc === 'musl' ? 'musl libc (x86_64)' : 'GNU C Library') }
    if (specifier === './lib/load-binding.js') return { ownEnv: () => undefined }
    const packageJson = /^(.*)\/package\.json$/.exec(specifier)
    if (packageJson && present.includes(packageJson[1])) return { version: pkg.version }
    tried.push(specifier)
    if (present.includes(specifier)) return { loaded: specifier }
    throw notFound(specifier)
  }
  fakeRequire.resolve = (specifier) => {
    if (present.includes(specifier)) return specifier
    throw notFound(specifier)
  }
  const module = { exports: {} }
  const process = { platform: host.platform, arch: host.arch, env: {}, config: { variables: {} } }
  try {
    vm.runInNewContext(generatedSource, { require: fakeRequire, module, exports: module.exports, process })
    return { loaded: module.exports.loaded, tried }
  } catch {
    return { loaded: null, tried }
  }
}

describe("the fast path agrees with napi-rs's generated loader on every target of package.json", () => {
  // The fast path names the local build from lib/, the generated loader from the package root.
  const asGenerated = (candidate) => candidate.replace(/^\.\.\//, './')
  for (const triple of pkg.napi.targets) {
    it(triple, () => {
      const host = targetHost(triple)
      const candidates = nativeCandidates(host).map(asGenerated)
      assert.deepEqual(candidates, [`./${pkg.napi.binaryName}.${targetSuffix(triple)}.node`, `${pkg.name}-${targetSuffix(triple)}`])
      // Whichever of the two is installed, or both, the generated loader loads what the fast
      // path would: the first one present.
      for (const present of [[candidates[0]], [candidates[1]], candidates]) {
        assert.equal(generatedLoaderFor(host, present).loaded, present[0], `${triple} with ${present.join(' and ')}`)
      }
      // With neither, it looks in both places too, in the same order (and then elsewhere).
      const { loaded, tried } = generatedLoaderFor(host, [])
      assert.equal(loaded, null)
      assert.deepEqual(
        tried.filter((specifier) => candidates.includes(specifier)),
        candidates,
      )
    })
  }

  it('the harness can fail: a host of another libc loads nothing of this one', () => {
    const musl = targetHost('x86_64-unknown-linux-musl')
    const gnu = nativeCandidates(targetHost('x86_64-unknown-linux-gnu')).map(asGenerated)
    assert.equal(generatedLoaderFor(musl, gnu).loaded, null)
  })
})

it("expectedPackage() is this process's platform package", () => {
  const host = detectHost()
  const expected = expectedPackage()
  assert.deepEqual(expected, {
    packageName: `${pkg.name}-${platformSuffix(host)}`,
    suffix: platformSuffix(host),
    os: process.platform,
    cpu: process.arch,
    libc: host.libc,
  })
  const manifest = JSON.parse(readFileSync(new URL(`${expected.suffix}/package.json`, npmDir), 'utf8'))
  assert.equal(manifest.name, expected.packageName)
  assert.deepEqual([manifest.os, manifest.cpu], [[expected.os], [expected.cpu]])
})

describe('binding.js, as patched after napi build', () => {
  it('reads no process.env itself: every variable goes through ownEnv (lib/load-binding.js)', () => {
    assert.doesNotMatch(generatedSource, /process\.env/)
    assert.match(generatedSource, /^const \{ ownEnv: __atlasOwnEnv \} = require\('\.\/lib\/load-binding\.js'\)$/m)
    assert.match(generatedSource, /__atlasOwnEnv\('NAPI_RS_NATIVE_LIBRARY_PATH'\)/)
    assert.equal(patchBinding(generatedSource), generatedSource, 'patching again changes nothing')
  })

  it('the patch rewrites every read of a freshly generated file, and refuses one it cannot rewrite', () => {
    const fresh = "/* auto-generated by NAPI-RS */\nif (process.env.NAPI_RS_FORCE_WASI === 'true' || process.env.NAPI_RS_WASI_FLAVOR) {}\n"
    const patched = patchBinding(fresh)
    assert.match(patched, /__atlasOwnEnv\('NAPI_RS_FORCE_WASI'\) === 'true' \|\| __atlasOwnEnv\('NAPI_RS_WASI_FLAVOR'\)/)
    assert.doesNotMatch(patched, /process\.env/)
    assert.throws(() => patchBinding("/* auto-generated by NAPI-RS */\nconst a = process.env['NAPI_RS_FORCE_WASI']\n"), /does not rewrite/)
    assert.throws(() => patchBinding('/* auto-generated by NAPI-RS */\nconst { env } = process; env.NAPI_RS_X\n'), /does not rewrite/)
  })
})

describe('loading', () => {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const probe = `const { createUserHash } = require(${JSON.stringify(root)});
    const viaGenerated = Object.keys(require.cache).some((file) => file.endsWith(require('node:path').sep + 'binding.js'));
    console.log(JSON.stringify({ viaGenerated, hash: createUserHash('u', { secret: 'k' }) }))`
  const run = (env) => JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', env }))
  const { NAPI_RS_NATIVE_LIBRARY_PATH: _, ...env } = process.env
  const expected = createHmac('sha256', 'k').update('u').digest('hex')

  it("loads this machine's binary directly, without compiling the generated loader", () => {
    assert.deepEqual(run(env), { viaGenerated: false, hash: expected })
  })

  it("falls back to napi-rs's generated loader, e.g. for NAPI_RS_NATIVE_LIBRARY_PATH", () => {
    const binary = readdirSync(new URL('..', import.meta.url)).find((file) => file.endsWith('.node'))
    assert.ok(binary, 'npm run build makes the binary')
    assert.deepEqual(run({ ...env, NAPI_RS_NATIVE_LIBRARY_PATH: join(root, binary) }), { viaGenerated: true, hash: expected })
  })
})

// A copy of the package's JavaScript with no native binary, and a stand-in for the wasm package
// (the real one is built and run by __test__/package.test.mjs).
describe('the wasm package as the fallback', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-load-binding-'))
  after(() => rmSync(scratch, { recursive: true, force: true }))
  const { NAPI_RS_NATIVE_LIBRARY_PATH: _, NAPI_RS_FORCE_WASI: __, ...env } = process.env

  const nativeBinary = readdirSync(new URL('..', import.meta.url)).find((file) => file.endsWith('.node'))

  /** A project with the package's JavaScript, the wasm stand-in `wasmMain` if given, and this machine's binary if `native`. */
  function project(name, wasmMain, { native = false } = {}) {
    const dir = join(scratch, name)
    const main = join(dir, 'node_modules', pkg.name)
    mkdirSync(main, { recursive: true })
    mkdirSync(join(main, 'lib'))
    if (native) copyFileSync(fileURLToPath(new URL(`../${nativeBinary}`, import.meta.url)), join(main, nativeBinary))
    for (const file of ['package.json', 'lib/load-binding.js', 'binding.js']) copyFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), join(main, file))
    if (wasmMain !== undefined) {
      const wasm = join(dir, 'node_modules', WASM_PACKAGE)
      mkdirSync(wasm, { recursive: true })
      writeFileSync(join(wasm, 'package.json'), JSON.stringify({ name: WASM_PACKAGE, version: pkg.version, main: 'loader.cjs' }))
      writeFileSync(join(wasm, 'loader.cjs'), wasmMain)
    }
    return dir
  }
  const probe = `try {
      const { binding, engine } = require(require('node:path').resolve('node_modules', ${JSON.stringify(pkg.name)}, 'lib', 'load-binding.js')).loadBinding()
      console.log(JSON.stringify({ engine, fake: binding.fake }))
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message }))
    }`
  const run = (dir, extraEnv = {}) => JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8', env: { ...env, ...extraEnv } }))

  it("loads the wasm package when it is installed and no native binary fits, as engine 'wasm32-wasi'", () => {
    assert.deepEqual(run(project('with-wasm', "module.exports = { fake: 'wasm' }")), { engine: 'wasm32-wasi', fake: 'wasm' })
  })

  it('throws ERR_ATLAS_BINDING_NOT_FOUND naming the wasm package when neither is there', () => {
    const { code, message } = run(project('neither'))
    assert.equal(code, 'ERR_ATLAS_BINDING_NOT_FOUND')
    assert.match(message, /npm install --force atlas-user-hash-wasm32-wasi@/)
    assert.doesNotMatch(message, /is installed but did not load/)
  })

  it('says so when the wasm package is installed but does not load', () => {
    const { code, message } = run(project('broken-wasm', "throw new Error('no WebAssembly here')"))
    assert.equal(code, 'ERR_ATLAS_BINDING_NOT_FOUND')
    assert.match(message, /atlas-user-hash-wasm32-wasi is installed but did not load: no WebAssembly here/)
  })

  describe('NAPI_RS_FORCE_WASI', () => {
    const both = project('native-and-wasm', "module.exports = { fake: 'wasm' }", { native: true })
    const nativeOnly = project('native-only', undefined, { native: true })

    it("'1', 'true' and 'error' load the wasm package where it is installed, even beside a native binary", () => {
      assert.equal(run(both).engine, 'native', 'unset: the native binary')
      for (const value of ['1', 'true', 'error']) {
        assert.deepEqual(run(both, { NAPI_RS_FORCE_WASI: value }), { engine: 'wasm32-wasi', fake: 'wasm' }, value)
      }
    })

    it("'', '0', 'false' or anything else leave the native binary, as in napi-rs", () => {
      for (const value of ['', '0', 'false', 'yes']) assert.equal(run(both, { NAPI_RS_FORCE_WASI: value }).engine, 'native', JSON.stringify(value))
    })

    it('where the wasm package is not installed: ERR_ATLAS_BINDING_NOT_FOUND saying what to install or unset, not a silent native engine', () => {
      const { code, message } = run(nativeOnly, { NAPI_RS_FORCE_WASI: '1' })
      assert.equal(code, 'ERR_ATLAS_BINDING_NOT_FOUND')
      assert.equal(
        message,
        [
          'atlas-user-hash: NAPI_RS_FORCE_WASI=1 asks for the WebAssembly build, and atlas-user-hash-wasm32-wasi is not installed.',
          `Install it with \`npm install --force atlas-user-hash-wasm32-wasi@${pkg.version}\` (its cpu is "wasm32": npm installs it only when told to),`,
          "or unset NAPI_RS_FORCE_WASI to use this machine's native binary.",
        ].join('\n'),
      )
    })

    it('where the wasm package is installed but does not load: its error, coded', () => {
      const { code, message } = run(project('native-and-broken-wasm', "throw new Error('no WebAssembly here')", { native: true }), { NAPI_RS_FORCE_WASI: 'true' })
      assert.equal(code, 'ERR_ATLAS_BINDING_NOT_FOUND')
      assert.match(message, /^atlas-user-hash: NAPI_RS_FORCE_WASI=true asks for the WebAssembly build, and atlas-user-hash-wasm32-wasi is installed but did not load: no WebAssembly here\.$/m)
    })
  })
})

describe('the wasm package\'s loader (npm/wasm32-wasi/loader.cjs)', () => {
  it('gives the WASI instance an empty environment, whatever process.env holds', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'atlas-wasi-env-'))
    try {
      const pkgDir = join(scratch, 'node_modules', WASM_PACKAGE)
      const runtime = join(scratch, 'node_modules', '@napi-rs', 'wasm-runtime')
      mkdirSync(pkgDir, { recursive: true })
      mkdirSync(runtime, { recursive: true })
      copyFileSync(fileURLToPath(new URL('../npm/wasm32-wasi/loader.cjs', import.meta.url)), join(pkgDir, 'loader.cjs'))
      writeFileSync(join(pkgDir, 'atlas-user-hash.wasm32-wasip1.wasm'), '')
      // A stand-in for the runtime that records what the loader gives WASI.
      writeFileSync(
        join(runtime, 'index.js'),
        `exports.WASI = class { constructor(options) { globalThis.wasiOptions = options } }
exports.getDefaultContext = () => ({})
exports.instantiateNapiModuleSync = () => ({ napiModule: { exports: { hash: () => 'h' } } })`,
      )
      const probe = `require(${JSON.stringify(join(pkgDir, 'loader.cjs'))}); console.log(JSON.stringify(globalThis.wasiOptions))`
      const options = JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: scratch, encoding: 'utf8', env: { ...process.env, ATLAS_SECRET: 'must-not-reach-wasi' } }))
      assert.deepEqual(options, { version: 'preview1', env: {} })
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })
})
