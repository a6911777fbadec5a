// `npm run pack:local`, the README's way to try the package from a clone: the install line it
// prints, run as printed in a fresh project, gives an app the native engine and node:crypto's
// hashes. With --no-build: the suite runs after `npm run build` (npm test), and a build here
// would rewrite the addon other test files have loaded.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { spawnSync } from './child-process.mjs'
import { referenceHash } from './helpers.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const onWindows = process.platform === 'win32'

describe('npm run pack:local', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-pack-local-'))
  after(() => rmSync(scratch, { recursive: true, force: true }))
  let printed

  it('packs the main package and this machine\'s platform package and prints one npm install line naming both', () => {
    const out = join(scratch, 'tarballs')
    const result = spawnSync('npm', ['run', '--silent', 'pack:local', '--', '--no-build', '--out', out], { cwd: root, encoding: 'utf8', shell: onWindows })
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
})
