// Every script a user can start with `npm run <name>` that is one of ours (scripts/*.mjs,
// scripts/*.sh) answers `npm run <name> -- --help` with its usage, exit 0, and does nothing
// else: no file or folder of the checkout is created, deleted or touched (once,
// `npm run publish:local -- --help` wiped target/registry and published again). So does every
// script in scripts/ started directly; a module there that is no script prints nothing.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { spawnSync } from './child-process.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
// The install scripts are bash scripts for Debian: not run on Windows, nor where there is no
// bash (the release workflow's Alpine images).
const noBash = (process.platform === 'win32' && 'bash scripts for Debian') || (spawnSync('bash', ['--version'], { stdio: 'ignore' }).status !== 0 && 'no bash here')

/** package.json scripts that run one of our scripts (`node` on an .mjs or `bash` on an .sh file under scripts/), alone. */
const ours = Object.entries(pkg.scripts).filter(([, command]) => /^(node|bash) scripts\/[\w.-]+\.(mjs|sh)\b/.test(command) && !/&&|\|\||;/.test(command))

// The folders a script writes to (build output, tools, registry storage), with the checkout's
// root: a file or folder created or deleted in one changes its modification time.
const WATCHED = ['.', 'target', 'target/registry', 'target/registry/storage', 'target/publish', 'target/package', 'dist', 'dist/local', '.tools', 'scripts/tools', 'scripts/publishing', 'scripts/runtimes', 'scripts/windows']

/** Each watched folder's entries with their modification times and sizes. */
function snapshot() {
  const state = {}
  for (const folder of WATCHED) {
    const dir = join(root, folder)
    if (!existsSync(dir)) {
      state[folder] = 'absent'
      continue
    }
    state[folder] = { mtime: statSync(dir).mtimeMs, entries: readdirSync(dir).sort().map((name) => `${name} ${statSync(join(dir, name)).mtimeMs}`) }
  }
  return state
}

describe('npm run <script> -- --help: the usage, exit 0, and nothing done', () => {
  it('finds the scripts to check', () => {
    const names = ours.map(([name]) => name)
    for (const name of ['package', 'publish:local', 'check:packages', 'tools', 'test:runtimes']) assert.ok(names.includes(name), name)
  })

  for (const [name, command] of ours) {
    // npm is npm.cmd on Windows, started through a shell.
    const skip = command.startsWith('bash ') && noBash
    it(`npm run ${name} -- --help (${command})`, { skip }, () => {
      const before = snapshot()
      const result = spawnSync('npm', ['run', '--silent', name, '--', '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000, shell: process.platform === 'win32' })
      assert.equal(result.status, 0, `exit ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`)
      assert.match(result.stdout, new RegExp(`^Usage: npm run ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`), result.stdout)
      assert.deepEqual(snapshot(), before, 'nothing was created, deleted or written')
    })
  }

  const direct = readdirSync(join(root, 'scripts')).filter((file) => file.endsWith('.mjs') || (file.endsWith('.sh') && readFileSync(join(root, 'scripts', file), 'utf8').startsWith('#!')))
  for (const file of direct) {
    const skip = file.endsWith('.sh') && noBash
    it(`scripts/${file} --help`, { skip }, () => {
      const before = snapshot()
      const command = file.endsWith('.sh') ? 'bash' : process.execPath
      const result = spawnSync(command, [join(root, 'scripts', file), '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
      assert.equal(result.status, 0, `exit ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`)
      if (result.stdout !== '') assert.match(result.stdout, /^Usage: /, result.stdout)
      assert.deepEqual(snapshot(), before, 'nothing was created, deleted or written')
    })
  }

  it('an unknown option: exit 2 and the usage on stderr, nothing done', () => {
    const before = snapshot()
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'local-registry.mjs'), '--no-such-option'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
    assert.equal(result.status, 2)
    assert.match(result.stderr, /^Unknown option '--no-such-option'/)
    assert.match(result.stderr, /^Usage: npm run publish:local$/m)
    assert.deepEqual(snapshot(), before)
  })
})
