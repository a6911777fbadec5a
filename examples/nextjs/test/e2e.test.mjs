// End to end: the example app built with `next build` (Turbopack, then webpack), served by
// `next start` on a loopback port, checked over HTTP and in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core). Run from the repository root with
// `npm run test:e2e` after `npm install && npm run build` there.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const app = fileURLToPath(new URL('..', import.meta.url))
const next = join(app, 'node_modules', 'next', 'dist', 'bin', 'next')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
const SECRET = `e2e-secret-${randomBytes(16).toString('hex')}`
const SERVER_ONLY = 'atlas-user-hash is server-only: call it in a server component, route handler or server action'
// What an Edge import of the package used to fail the build with, before the Edge runtime got
// the pure-JavaScript engine: no build may say it now.
const OLD_EDGE_ERROR = 'needs the Node.js runtime'
// What the bundlers say when they meet the addon itself, which the guard is there to replace.
const ADDON_ERROR = /non-ecmascript placeable asset|\.linux-x64-gnu\.node/
const ADA = { userId: 'user_100123', name: 'Ada Lovelace', email: 'ada@example.com' }
const GRACE = { userId: 4711, name: 'Grace Hopper', email: null }

const referenceHash = (id) => createHmac('sha256', SECRET).update(String(id)).digest('hex')

// Everything this file starts, so that it can all be stopped however the tests end.
const servers = new Set()
process.on('exit', () => {
  for (const server of servers) killGroup(server, 'SIGKILL')
})

/** Runs a command to completion, returning its combined output; throws with it on failure. */
function run(command, args, options = {}) {
  return execFileSync(command, args, { cwd: app, encoding: 'utf8', stdio: 'pipe', maxBuffer: 64 << 20, ...options })
}

/** Runs `next build` in `dir` and returns { ok, output }. */
function nextBuild(dir, bundler, env = {}) {
  try {
    const output = run(process.execPath, [next, 'build', ...(bundler === 'webpack' ? ['--webpack'] : []), dir], {
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    })
    return { ok: true, output }
  } catch (error) {
    return { ok: false, output: `${error.stdout}${error.stderr}` }
  }
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

async function stopServer(server) {
  if (!servers.has(server)) return
  servers.delete(server)
  if (server.exitCode !== null || server.signalCode !== null) return
  const exited = new Promise((resolve) => server.once('exit', resolve))
  killGroup(server, 'SIGTERM')
  const timer = setTimeout(() => killGroup(server, 'SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

/** Starts `next start` on a free loopback port; resolves once it answers HTTP. */
async function startServer() {
  const port = await freePort()
  const server = spawn(process.execPath, [next, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: app,
    env: { ...process.env, ATLAS_SECRET: SECRET, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so that stopping it stops anything it started
  })
  servers.add(server)
  let log = ''
  server.stdout.on('data', (chunk) => (log += chunk))
  server.stderr.on('data', (chunk) => (log += chunk))
  const origin = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}:\n${log}`)
    try {
      if ((await fetch(`${origin}/api/atlas-user`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${log}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { server, origin, log: () => log }
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

/** The identify calls in the page's Atlas queue, as plain arrays. */
const identifyCalls = (page) =>
  page.evaluate(() => (window.Atlas?.q ?? []).map((args) => Array.from(args)).filter(([method]) => method === 'identify'))

before(() => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`)
  // Installs the example's dependencies from its lockfile; its postinstall copies the addon
  // built at the repository root into node_modules/atlas-user-hash.
  run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'])
})

describe('importing atlas-user-hash in browser code fails the build with the fix; an Edge import builds', () => {
  // A throwaway app beside the example (so that it shares its node_modules): a Client
  // Component and an Edge route handler that import the package. The client import must
  // fail the build with the server-only sentence; the Edge route is no error (the example
  // app's own Edge route is built, served and checked below).
  const fixture = join(app, `.guard-check-${process.pid}`)
  const write = (file, text) => {
    mkdirSync(join(fixture, file, '..'), { recursive: true })
    writeFileSync(join(fixture, file), text)
  }
  before(() => {
    write('next.config.mjs', `export default { serverExternalPackages: ["atlas-user-hash"], turbopack: { root: ${JSON.stringify(app)} }, outputFileTracingRoot: ${JSON.stringify(app)} }\n`)
    write('app/layout.js', 'export default function Layout({ children }) { return <html><body>{children}</body></html> }\n')
    write('app/page.js', 'import { Hash } from "./hash"\nexport default function Page() { return <Hash /> }\n')
    write('app/hash.js', '"use client"\nimport { createUserHash } from "atlas-user-hash"\nexport function Hash() { return <p>{createUserHash("user_1")}</p> }\n')
    write('app/edge/route.js', 'import { createUserHash } from "atlas-user-hash"\nexport const runtime = "edge"\nexport function GET() { return new Response(createUserHash("user_1")) }\n')
  })
  after(() => rmSync(fixture, { recursive: true, force: true }))

  for (const bundler of ['turbopack', 'webpack']) {
    it(`${bundler}: the Client Component import fails with the server-only sentence, the Edge route import does not fail`, () => {
      const { ok, output } = nextBuild(fixture, bundler)
      assert.equal(ok, false, output)
      assert.ok(output.includes(SERVER_ONLY), output)
      assert.ok(!output.includes(OLD_EDGE_ERROR), output)
      assert.doesNotMatch(output, ADDON_ERROR)
      assert.doesNotMatch(output, /app\/edge\/route/, 'the Edge route is not among the errors')
    })
  }
})

for (const bundler of ['turbopack', 'webpack']) {
  describe(`the example app built with ${bundler}`, () => {
    let served
    let browser
    let userDataDir
    let buildOutput

    before(async () => {
      rmSync(join(app, '.next'), { recursive: true, force: true })
      // The secret is in the build's environment too, as on a real host, to show that nothing
      // copies it into the output.
      const build = nextBuild('.', bundler, { ATLAS_SECRET: SECRET })
      assert.ok(build.ok, build.output)
      buildOutput = build.output
      served = await startServer()
      const { chromium } = await import('playwright-core')
      userDataDir = mkdtempSync(join(tmpdir(), 'atlas-e2e-chromium-'))
      browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS })
    })

    after(async () => {
      await browser?.close()
      if (served) await stopServer(served.server)
      if (userDataDir) rmSync(userDataDir, { recursive: true, force: true })
    })

    it('the route handler returns the signed-in user with node:crypto\'s hash, {} signed out', async () => {
      const get = async (cookie) => (await fetch(`${served.origin}/api/atlas-user`, { headers: cookie ? { cookie } : {} })).json()
      assert.deepEqual(await get(), {})
      assert.deepEqual(await get('demo-user=nobody'), {})
      assert.deepEqual(await get('demo-user=user_100123'), { ...ADA, userHash: referenceHash(ADA.userId) })
      assert.deepEqual(await get('demo-user=4711'), { ...GRACE, userHash: referenceHash(GRACE.userId) })
    })

    it('the Edge route handler (export const runtime = "edge") runs the js engine and returns the same as the Node route', async () => {
      const get = async (cookie) => {
        const response = await fetch(`${served.origin}/api/atlas-user-edge`, { headers: cookie ? { cookie } : {} })
        assert.equal(response.status, 200)
        assert.equal(response.headers.get('x-atlas-engine'), 'js', 'the Edge route got the edge-light export')
        return response.json()
      }
      assert.deepEqual(await get(), {})
      assert.deepEqual(await get('demo-user=nobody'), {})
      assert.deepEqual(await get('demo-user=user_100123'), { ...ADA, userHash: referenceHash(ADA.userId) })
      assert.deepEqual(await get('demo-user=4711'), { ...GRACE, userHash: referenceHash(GRACE.userId) })
      // next build compiled it for the Edge runtime: an edge function in the middleware manifest.
      const manifest = JSON.parse(readFileSync(join(app, '.next', 'server', 'middleware-manifest.json'), 'utf8'))
      assert.ok(Object.keys(manifest.functions ?? {}).some((route) => route.includes('atlas-user-edge')), JSON.stringify(manifest))
    })

    it('signed out, the page installs Atlas and identifies no one', async () => {
      await browser.clearCookies()
      const page = await browser.newPage()
      try {
        await page.goto(served.origin)
        await page.waitForFunction(() => Array.isArray(window.Atlas?.q))
        assert.equal(await page.evaluate(() => window.Atlas.v), 2)
        assert.equal(await page.locator('script[src*="atlas"]').count(), 1)
        await page.waitForTimeout(300)
        assert.deepEqual(await identifyCalls(page), [])

        // Signing in through the page's server action identifies the user once.
        await page.getByRole('button', { name: 'Sign in as Grace Hopper' }).click()
        await page.waitForFunction(() => window.Atlas.q.length > 0)
        await page.waitForTimeout(300)
        assert.deepEqual(await identifyCalls(page), [['identify', { ...GRACE, userHash: referenceHash(GRACE.userId) }]])
      } finally {
        await page.close()
      }
    })

    it('signed in, the page identifies once, and again once after the rename action', async () => {
      await browser.clearCookies()
      await browser.addCookies([{ name: 'demo-user', value: 'user_100123', url: served.origin }])
      const page = await browser.newPage()
      try {
        await page.goto(served.origin)
        await page.waitForFunction(() => window.Atlas?.q.length > 0)
        await page.waitForTimeout(300)
        const userHash = referenceHash(ADA.userId)
        assert.deepEqual(await identifyCalls(page), [['identify', { ...ADA, userHash }]])

        await page.getByLabel('Name').fill('Ada King')
        await page.getByRole('button', { name: 'Rename' }).click()
        await page.waitForFunction(() => window.Atlas.q.length > 1)
        await page.getByText('Ada King', { exact: true }).waitFor() // the server-rendered part caught up
        await page.waitForTimeout(300)
        assert.deepEqual(await identifyCalls(page), [
          ['identify', { ...ADA, userHash }],
          ['identify', { ...ADA, name: 'Ada King', userHash }],
        ])
      } finally {
        await page.close()
      }
    })

    it('the secret appears nowhere in .next/static, the server bundles (Edge ones too), the HTML or the logs', async () => {
      const statics = filesUnder(join(app, '.next', 'static'))
      assert.ok(statics.length > 0)
      for (const file of statics) assert.ok(!readFileSync(file).includes(SECRET), `${file} holds ATLAS_SECRET`)
      // The build ran with ATLAS_SECRET set: no server bundle, the Edge route's included, may
      // have inlined it. It is read from process.env when a request comes.
      const server = filesUnder(join(app, '.next', 'server'))
      const manifest = JSON.parse(readFileSync(join(app, '.next', 'server', 'middleware-manifest.json'), 'utf8'))
      const edgeFiles = Object.values(manifest.functions ?? {}).flatMap((fn) => fn.files ?? [])
      assert.ok(edgeFiles.length > 0, 'the Edge route has bundle files')
      for (const file of edgeFiles) assert.ok(existsSync(join(app, '.next', file)), `${file} exists`)
      for (const file of server) assert.ok(!readFileSync(file).includes(SECRET), `${file} holds ATLAS_SECRET`)
      for (const cookie of [undefined, 'demo-user=user_100123']) {
        const html = await (await fetch(served.origin, { headers: cookie ? { cookie } : {} })).text()
        assert.ok(html.includes('<html'), html)
        assert.ok(!html.includes(SECRET), 'the HTML holds ATLAS_SECRET')
        if (cookie) assert.ok(html.includes(referenceHash(ADA.userId)))
      }
      assert.ok(!served.log().includes(SECRET), 'the server log holds ATLAS_SECRET')
      assert.ok(!buildOutput.includes(SECRET), 'the build log holds ATLAS_SECRET')
    })
  })
}
