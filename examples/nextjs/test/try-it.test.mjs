// The README's "Try it from a clone", as a newcomer runs it: a fresh clone of this commit, the
// README's block run there as written, and the `npm install` line it prints run as printed in a
// fresh create-next-app app (made first, as the newcomer's own app is), which then gets the
// native engine and node:crypto's hashes. The README promises under 2 minutes from the clone to
// the package in the app; the times are printed (the machine's load decides them, so they
// fail nothing). The clone is of HEAD: commit what you want this to try.
// Run by `npm run test:e2e`; needs git, Rust and the npm registry (the clone's `npm ci`,
// create-next-app and the app's dependencies).
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { createApp } from '../scripts/create-app.mjs'
import { sectionBlocks } from '../scripts/readme-blocks.mjs'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).name
const inGit = spawnSync('git', ['rev-parse', '--git-dir'], { cwd: ROOT }).status === 0

/** Runs `command` in a POSIX shell in `cwd`; returns its stdout, failing with its output. */
function sh(command, cwd, env = {}) {
  const result = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } })
  assert.equal(result.status, 0, `${command} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

const seconds = (since) => (performance.now() - since) / 1000

describe("the README's try-it path: a fresh clone, its block, the printed npm install line in a fresh create-next-app app", { skip: (!inGit && 'not a git checkout: nothing to clone') || (process.platform === 'win32' && 'the block and the printed line are POSIX shell') }, () => {
  const work = mkdtempSync(join(tmpdir(), 'atlas-try-it-'))
  const clone = join(work, 'clone')
  const app = join(work, 'app')
  after(() => rmSync(work, { recursive: true, force: true }))
  const times = {}
  let printed

  before(() => {
    // The newcomer's app exists before the clone: its making is not the path's time.
    createApp(app, 16, [])
  })

  it('the block, run as written in a fresh clone, prints one npm install line naming two tarballs', (t) => {
    let started = performance.now()
    execFileSync('git', ['clone', '--quiet', ROOT, clone])
    times.clone = seconds(started)
    const blocks = sectionBlocks('Try it from a clone', readFileSync(join(clone, 'README.md'), 'utf8'), 'README.md').filter((block) => block.lang === 'sh')
    assert.equal(blocks.length, 1, 'the section has one sh block')
    started = performance.now()
    // npm's own settings, as a CI or offline machine sets them: the block is run unchanged.
    const stdout = sh(blocks[0].code, clone, { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' })
    times.block = seconds(started)
    const lines = stdout.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('npm install '))
    assert.equal(lines.length, 1, `one install line:\n${stdout}`)
    printed = lines[0]
    assert.equal(printed.match(/\.tgz\b/g)?.length, 2, printed)
    t.diagnostic(`git clone ${times.clone.toFixed(1)} s; \`${blocks[0].code.trim()}\` ${times.block.toFixed(1)} s`)
  })

  it('that line, run as printed in the app, installs both packages; the app gets the native engine and node:crypto hashes', (t) => {
    assert.ok(printed, 'the line above was printed')
    const started = performance.now()
    sh(printed, app, { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' })
    times.install = seconds(started)
    const dependencies = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).dependencies
    const installed = Object.keys(dependencies).filter((name) => name.startsWith(PACKAGE))
    assert.equal(installed.length, 2, `the main and the platform package: ${installed.join(', ')}`)
    for (const name of installed) assert.match(dependencies[name], /^file:.*\.tgz$/, name)
    const probe = `const a = require(${JSON.stringify(PACKAGE)}); console.log(JSON.stringify({ engine: a.engine, user: a.generateAtlasUserObject({ id: 'user_100123' }) }))`
    const user = JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: app, encoding: 'utf8', env: { ...process.env, ATLAS_SECRET: 'try-it-secret' } }))
    const userHash = createHmac('sha256', 'try-it-secret').update('user_100123').digest('hex')
    assert.deepEqual(user, { engine: 'native', user: { userId: 'user_100123', userHash } })
    const total = times.clone + times.block + times.install
    t.diagnostic(`install in the app ${times.install.toFixed(1)} s; clone to the package in the app: ${total.toFixed(1)} s (the README says under 2 minutes)`)
  })
})
