// The packaging test (`npm run test:package`): builds the release tarballs with
// `npm run package`, installs them into fresh projects the way a user would (offline: no
// registry is asked for anything), and checks what a user gets. Not under __test__/, so the
// quick `node --test __test__/` run does not pick it up.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { MAX_GLIBC, glibcVersions, newerThan } from './glibc.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const mainTarball = join(root, 'dist', `${pkg.name}-${pkg.version}.tgz`)
const platformName = `${pkg.name}-linux-x64-gnu`
const platformTarball = join(root, 'dist', `${platformName}-${pkg.version}.tgz`)
const nodeFile = `${pkg.napi.binaryName}.linux-x64-gnu.node`
const SECRET = 'package-test-secret'

const scratch = mkdtempSync(join(tmpdir(), 'atlas-user-hash-package-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

// The children get no override that could make a missing binary load anyway.
const { NAPI_RS_NATIVE_LIBRARY_PATH: _, ATLAS_SECRET: __, ...baseEnv } = process.env

function sh(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', env: baseEnv, ...options })
  assert.equal(result.status, 0, `${cmd} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`)
  return result
}

/** A fresh project with `tarballs` installed from disk, with an empty npm cache and --offline. */
function installInto(name, tarballs) {
  const dir = join(scratch, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `package-test-${name}`, version: '1.0.0', private: true }))
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(scratch, `npm-cache-${name}`), ...tarballs], { cwd: dir })
  return dir
}

function runNode(dir, file, source) {
  writeFileSync(join(dir, file), source)
  return spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', env: { ...baseEnv, ATLAS_SECRET: SECRET } })
}

const expected = (id) => createHmac('sha256', SECRET).update(String(id)).digest('hex')

before(() => {
  const started = Date.now()
  const result = spawnSync('npm', ['run', 'package'], { cwd: root, encoding: 'utf8', env: baseEnv })
  assert.equal(result.status, 0, `npm run package failed:\n${result.stdout}\n${result.stderr}`)
  process.stderr.write(`npm run package: ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
})

describe('npm run package', () => {
  it('writes the main and the linux-x64-gnu tarballs to dist/', () => {
    assert.ok(existsSync(mainTarball), mainTarball)
    assert.ok(existsSync(platformTarball), platformTarball)
  })

  it(`builds a binary that needs no glibc symbol newer than GLIBC_${MAX_GLIBC}`, () => {
    const dir = join(scratch, 'unpacked-platform')
    mkdirSync(dir)
    execFileSync('tar', ['-xzf', platformTarball, '-C', dir])
    const versions = glibcVersions(join(dir, 'package', nodeFile))
    assert.ok(versions.length > 0, 'objdump -T found no GLIBC_ versions: not a glibc-linked binary?')
    assert.deepEqual(versions.filter((v) => newerThan(v, MAX_GLIBC)), [], `needs ${versions.join(', ')}`)
  })

  it('ships the platform package with its os, cpu and libc', () => {
    const files = execFileSync('tar', ['-tzf', platformTarball], { encoding: 'utf8' }).trim().split('\n').sort()
    assert.deepEqual(files, ['package/LICENSE', 'package/README.md', `package/${nodeFile}`, 'package/package.json'])
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', platformTarball, 'package/package.json'], { encoding: 'utf8' }))
    assert.equal(manifest.name, platformName)
    assert.equal(manifest.version, pkg.version)
    assert.deepEqual([manifest.os, manifest.cpu, manifest.libc], [['linux'], ['x64'], ['glibc']])
    assert.equal(manifest.main, nodeFile)
  })

  it('ships only the loader, the types, the bundler guards and the docs in the main package', () => {
    const files = execFileSync('tar', ['-tzf', mainTarball], { encoding: 'utf8' }).trim().split('\n').sort()
    assert.deepEqual(files, [
      'package/LICENSE',
      'package/README.md',
      'package/binding.d.ts',
      'package/binding.js',
      'package/browser.js',
      'package/edge.js',
      'package/index.d.ts',
      'package/index.js',
      'package/load-binding.js',
      'package/package.json',
    ])
  })

  it('lists every platform package as an optional dependency of the main package, at its version', () => {
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', mainTarball, 'package/package.json'], { encoding: 'utf8' }))
    const platformDirs = readdirSync(join(root, 'npm')).sort()
    assert.deepEqual(Object.keys(manifest.optionalDependencies).sort(), platformDirs.map((dir) => `${pkg.name}-${dir}`))
    for (const version of Object.values(manifest.optionalDependencies)) assert.equal(version, pkg.version)
    for (const dir of platformDirs) {
      assert.equal(JSON.parse(readFileSync(join(root, 'npm', dir, 'package.json'), 'utf8')).version, pkg.version, `npm/${dir}`)
    }
    // …while the repository's package.json does not: unpublished, they would break `npm ci`.
    assert.equal(pkg.optionalDependencies, undefined)
  })
})

describe('installed from the two tarballs, offline', () => {
  let dir
  before(() => {
    dir = installInto('both', [mainTarball, platformTarball])
  })

  it('takes the binary from the platform package', () => {
    assert.ok(existsSync(join(dir, 'node_modules', platformName, nodeFile)))
    assert.deepEqual(readdirSync(join(dir, 'node_modules', pkg.name)).filter((f) => f.endsWith('.node')), [])
  })

  it('works with require() from CommonJS', () => {
    const result = runNode(dir, 'check.cjs', `
      const { createUserHash, generateAtlasUserObject, verifyUserHash } = require('atlas-user-hash')
      console.log(JSON.stringify({
        hash: createUserHash('user_100123'),
        object: generateAtlasUserObject({ id: 42, name: 'Ada', email: null, role: 'admin' }),
        verified: verifyUserHash('user_100123', createUserHash('user_100123')),
      }))
    `)
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), {
      hash: expected('user_100123'),
      object: { userId: 42, name: 'Ada', email: null, userHash: expected(42) },
      verified: true,
    })
  })

  it('works with import from ESM', () => {
    const result = runNode(dir, 'check.mjs', `
      import { createUserHash, verifyUserHash } from 'atlas-user-hash'
      import atlas from 'atlas-user-hash'
      console.log(JSON.stringify({
        hash: createUserHash(100123n),
        viaDefault: atlas.generateAtlasUserObject({ id: 'ümlaut' }).userHash,
        rejected: verifyUserHash('user_1', '0'.repeat(64)),
      }))
    `)
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), { hash: expected(100123), viaDefault: expected('ümlaut'), rejected: false })
  })
})

describe('installed from the main tarball alone (no platform package)', () => {
  let dir
  before(() => {
    dir = installInto('main-only', [mainTarball])
  })

  const checkError = (error) => {
    assert.equal(error.name, 'Error')
    assert.equal(error.code, 'ERR_ATLAS_BINDING_NOT_FOUND')
    for (const part of ['platform linux', 'arch x64', 'libc glibc', `${platformName}@${pkg.version}`, 'npm install --include=optional', 'package-lock.json', 'https://github.com/npm/cli/issues/4828']) {
      assert.ok(error.message.includes(part), `message lacks ${JSON.stringify(part)}:\n${error.message}`)
    }
    assert.ok(error.hasCause, 'the original load error is kept as cause')
  }

  it('require() throws one Error naming the platform, the package to install and the usual cause', () => {
    const result = runNode(dir, 'missing.cjs', `
      try {
        require('atlas-user-hash')
        console.log('null')
      } catch (error) {
        console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message, hasCause: error.cause instanceof Error }))
      }
    `)
    assert.equal(result.status, 0, result.stderr)
    checkError(JSON.parse(result.stdout))
  })

  it('import throws the same Error', () => {
    const result = runNode(dir, 'missing.mjs', `
      try {
        await import('atlas-user-hash')
        console.log('null')
      } catch (error) {
        console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message, hasCause: error.cause instanceof Error }))
      }
    `)
    assert.equal(result.status, 0, result.stderr)
    checkError(JSON.parse(result.stdout))
  })
})
