// `npm run pack:local`, the README's way to try the package from a clone: the install line it
// prints, run as printed in a fresh project, gives an app the native engine and node:crypto's
// hashes. With --addon: a release build made into a scratch folder (cargo has it cached after
// npm test's own `npm run build`), since a build at the root would rewrite the addon other test
// files have loaded, and the root one is npm test's test build, which pack:local refuses.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { testHooksIn } from '../scripts/binary-checks.mjs'
import { builtAddon } from '../scripts/pack-local.mjs'
import { spawnSync } from './child-process.mjs'
import { referenceHash } from './helpers.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const onWindows = process.platform === 'win32'
const napi = createRequire(import.meta.url).resolve('@napi-rs/cli/package.json').replace(/package\.json$/, 'dist/cli.js')
const hasCargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' }).status === 0

/** This machine's release addon: built into `dir`, or, with no Rust here, the root one (then a downloaded release binary). */
function releaseAddon(dir) {
  if (!hasCargo) return builtAddon().file
  const result = spawnSync(process.execPath, [napi, 'build', '--platform', '--release', '--no-js', '--dts', 'index.d.ts', '--output-dir', dir], { cwd: root, encoding: 'utf8' })
  assert.equal(result.status, 0, `napi build:\n${result.stderr}`)
  return join(dir, readdirSync(dir).find((name) => name.endsWith('.node')))
}

/** `npm run pack:local -- <args>`. */
const packLocal = (args) => spawnSync('npm', ['run', '--silent', 'pack:local', '--', ...args], { cwd: root, encoding: 'utf8', shell: onWindows })

describe('npm run pack:local', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-pack-local-'))
  after(() => rmSync(scratch, { recursive: true, force: true }))
  let printed

  it('packs the main package and this machine\'s platform package and prints one npm install line naming both', () => {
    const out = join(scratch, 'tarballs')
    const result = packLocal(['--addon', releaseAddon(join(scratch, 'release')), '--out', out])
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`)
    const lines = result.stdout.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('npm install '))
    assert.equal(lines.length, 1, `one install line:\n${result.stdout}`)
    printed = lines[0]
    const tarballs = printed.slice('npm install '.length).match(/"[^"]*"|'[^']*'|\S+/g).map((word) => word.replace(/^(["'])(.*)\1$/, '$2'))
    assert.equal(tarballs.length, 2, printed)
    assert.equal(tarballs[0], join(out, `${pkg.name}-${pkg.version}.tgz`))
    assert.match(tarballs[1], new RegExp(`${pkg.name}-[a-z0-9-]+-${pkg.version.replaceAll('.', '\\.')}\\.tgz$`))
    assert.match(result.stdout, /install both tarballs together \(the main one alone cannot load the addon\)/)
  })

  it('that line, run in a fresh project, gives the native engine and hashes as node:crypto does', { skip: onWindows && 'the printed paths are POSIX-quoted' }, () => {
    assert.ok(printed, 'the line above was printed')
    const app = join(scratch, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-local-app', version: '1.0.0', private: true }))
    // As printed; --prefer-offline takes @noble/hashes from npm's cache where `npm ci` left it.
    const install = spawnSync('sh', ['-c', `${printed} --prefer-offline --no-audit --no-fund`], { cwd: app, encoding: 'utf8' })
    assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`)
    const probe = `const a = require('${pkg.name}'); console.log(JSON.stringify({ engine: a.engine, hash: a.createUserHash('user_100123', { secret: 'try-it' }) }))`
    const run = spawnSync(process.execPath, ['-e', probe], { cwd: app, encoding: 'utf8' })
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), { engine: 'native', hash: referenceHash('try-it', 'user_100123') })
  })

  const rootIsTestBuild = testHooksIn(builtAddon().file).length > 0
  it('refuses a test build (npm test leaves one at the root): it is never packed', { skip: !rootIsTestBuild && 'the root addon is a release build: `npm run build:test` makes the test build this refuses' }, () => {
    const out = join(scratch, 'refused')
    const result = packLocal(['--no-build', '--out', out])
    assert.equal(result.status, 1, result.stdout)
    assert.match(result.stderr, /is a test build \(it exports armTestPanic, liveKeyCount, useWrappedKeys; npm test leaves one at the root\), which is never packed: run npm run pack:local without --no-build/)
    assert.equal(existsSync(out), false, 'nothing was packed')
  })
})
