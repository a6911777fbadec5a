// A local npm registry, as users will meet the package: verdaccio (scripts/publishing, pinned) on
// 127.0.0.1, serving the atlas-user-hash packages published to it and proxying every other
// package to the registry npm is configured with here.
//   `npm run publish:local`: starts it on fresh storage (target/registry/storage), publishes
//   every package in dist/ with scripts/publish.mjs, the release workflow's publish script,
//   given the registry and a token only through npm's configuration (npm_config_registry and
//   a user .npmrc named by NPM_CONFIG_USERCONFIG), then stops it.
// `startRegistry()` serves that storage again, for the install-by-name test.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { scriptArgs } from './script-args.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const verdaccio = join(root, 'scripts', 'publishing', 'node_modules', 'verdaccio', 'bin', 'verdaccio')
/** Where `npm run publish:local` keeps the published packages. */
export const STORAGE = join(root, 'target', 'registry', 'storage')

/**
 * Starts verdaccio on a free 127.0.0.1 port with STORAGE; resolves to `{ url, env(dir, base),
 * stop() }` once it answers. `env` is `base` (process.env) plus npm configuration that points at
 * it: npm_config_registry, and a user .npmrc in `dir` with a token line (verdaccio accepts any;
 * npm publishes only with one).
 */
export async function startRegistry() {
  if (!existsSync(verdaccio)) throw new Error('local registry: verdaccio is not installed: run `npm run tools` (scripts/publishing)')
  mkdirSync(STORAGE, { recursive: true })
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/`
  const uplink = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim()
  const config = join(dirname(STORAGE), 'config.yaml')
  // atlas-user-hash*: served only from STORAGE, never proxied (npm's real package of that name,
  // if any, must not stand in for the one under test). Everything else: from `uplink`.
  writeFileSync(config, `storage: ${JSON.stringify(STORAGE)}
uplinks:
  upstream:
    url: ${JSON.stringify(uplink)}
    timeout: 60s
packages:
  'atlas-user-hash*':
    access: $all
    publish: $anonymous
  '**':
    access: $all
    publish: $anonymous
    proxy: upstream
log: { type: stdout, format: pretty, level: warn }
`)
  const child = spawn(process.execPath, [verdaccio, '--config', config, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done()
      child.once('exit', done)
      child.kill('SIGTERM')
    })
  try {
    await waitUntilUp(url, child, () => output)
  } catch (error) {
    await stop()
    throw error
  }
  const env = (dir, base = process.env) => {
    mkdirSync(dir, { recursive: true })
    const npmrc = join(dir, '.npmrc')
    writeFileSync(npmrc, `//127.0.0.1:${port}/:_authToken=local-registry\n`)
    return { ...base, npm_config_registry: url, NPM_CONFIG_USERCONFIG: npmrc }
  }
  return { url, env, stop }
}

async function waitUntilUp(url, child, output) {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`local registry: verdaccio exited (${child.exitCode}):\n${output()}`)
    try {
      if ((await fetch(`${url}-/ping`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200))
  }
  throw new Error(`local registry: verdaccio did not answer on ${url} within 30 s:\n${output()}`)
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => done(port))
    })
  })
}

/** `npm run publish:local`: fresh storage, then scripts/publish.mjs against it. */
async function publishLocal() {
  rmSync(STORAGE, { recursive: true, force: true })
  const registry = await startRegistry()
  try {
    console.log(`local registry: verdaccio on ${registry.url} (storage ${STORAGE})`)
    const env = registry.env(join(root, 'target', 'registry', 'publisher'))
    execFileSync(process.execPath, [join(root, 'scripts', 'publish.mjs'), '--allow-missing'], { cwd: root, env, stdio: 'inherit' })
  } finally {
    await registry.stop()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  scriptArgs(`
Usage: npm run publish:local

Starts verdaccio on 127.0.0.1 with fresh storage (target/registry/storage: what was published
there before is deleted), publishes every package in dist/ with scripts/publish.mjs
--allow-missing (\`npm run package\` first), then stops it. \`npm run test:registry\` serves
that storage again and installs each platform by name. Tools: \`npm run tools\`.

  -h, --help   this text; nothing is deleted, started or published
`)
  publishLocal().catch((error) => {
    console.error(error.message)
    process.exitCode = 1
  })
}
