// End to end, as a new user does it: apps made by create-next-app (pinned, Next.js 16 and 15,
// default options), the Next.js blocks of README.md and docs/nextjs.md written into them
// (scripts/readme-blocks.mjs), atlas-user-hash installed from this repository's packed
// tarballs, each app built with Turbopack and with webpack (`output: "standalone"`), served
// on a loopback port and checked against node:crypto: the route handler, proxy.ts (16) or
// middleware.ts (15), the Edge route (15), the Pages API route over HTTP; the server component
// page, the server action and the getServerSideProps page in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core). Every response that carries the hash must say
// `Cache-Control: private, no-store`; no query parameter or cookie may change the hash; with a
// missing, dirty or public secret every page still answers 200 without an identify call and
// every route 503 { code }. The webpack builds also carry React's taint hardening (the optional
// block), and a server component handing ATLAS_SECRET to a client component must fail. Then no
// file under .next may hold the secret.
// Run from the repository root with `npm run test:e2e` after `npm install && npm run build`;
// needs the npm registry (create-next-app and the apps' dependencies).
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { CREATE_NEXT_APP, createApp } from '../scripts/create-app.mjs'
import { packLocal } from '../../../scripts/pack-local.mjs'
import { appFiles, readDoc, sectionBlocks } from '../scripts/readme-blocks.mjs'

const example = fileURLToPath(new URL('..', import.meta.url))
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const SECRET = `e2e-secret-${randomBytes(16).toString('hex')}`
// Read from .env.local by `next start`; the standalone server gets no .env.local.
const APP_ID = `e2e-app-${randomBytes(4).toString('hex')}`
const APP_ID_FALLBACK = 'your-atlas-app-id' // what the README's blocks use without ATLAS_APP_ID
const SERVER_ONLY = 'atlas-user-hash is server-only: call it in a server component, route handler or server action'
// lib/auth.ts's placeholder user, as the Atlas object.
const ADA = { userId: 'user_100123', name: 'Ada Lovelace', email: 'ada@example.com' }
const expected = (fields = {}) => ({ ...ADA, ...fields, userHash: createHmac('sha256', SECRET).update(ADA.userId).digest('hex') })
const ADDON = /atlas-user-hash\.[\w-]+\.node$/
// The routes that hand out the object, and the engine each one hashes with.
const ROUTES = {
  16: { '/api/atlas-user': 'native', '/api/atlas-user-proxy': 'native', '/api/atlas-user-pages': 'native' },
  15: { '/api/atlas-user': 'native', '/api/atlas-user-proxy': 'js', '/api/atlas-user-edge': 'js', '/api/atlas-user-pages': 'native' },
}
// The pages that render the identify call.
const PAGES = ['/', '/account']
const REPO = fileURLToPath(new URL('../../..', import.meta.url))
// Whether the package being tested refuses NEXT_PUBLIC_ATLAS_SECRET (issue 24's ERR_ATLAS_SECRET_PUBLIC).
const REFUSES_PUBLIC = readdirSync(join(REPO, 'lib'), { recursive: true }).some((file) => /\.m?js$/.test(file) && readFileSync(join(REPO, 'lib', file), 'utf8').includes('ERR_ATLAS_SECRET_PUBLIC'))
// A secret refused: the server's environment, and the code every route must answer with.
const REFUSED = [
  { name: 'missing', env: {}, code: 'ERR_ATLAS_SECRET_MISSING' },
  { name: 'dirty (a trailing newline)', env: { ATLAS_SECRET: `${SECRET}\n` }, code: 'ERR_ATLAS_SECRET_INVALID' },
  { name: 'public (NEXT_PUBLIC_ATLAS_SECRET set too)', env: { ATLAS_SECRET: SECRET, NEXT_PUBLIC_ATLAS_SECRET: SECRET }, code: 'ERR_ATLAS_SECRET_PUBLIC', skip: !REFUSES_PUBLIC && 'the package has no ERR_ATLAS_SECRET_PUBLIC yet' },
]
// React's taint hardening (docs/nextjs.md's optional block): what it makes React throw, and a
// variable that is not tainted, which the same page must ship (so that the test can fail).
const TAINT_MESSAGE = /experimental_taintUniqueValue\("([^"]+)"/.exec(appFiles({ cacheComponents: true, optional: true }).find((file) => file.path === 'app/taint-secret.ts')?.code ?? '')?.[1]
const UNTAINTED = `e2e-untainted-${randomBytes(8).toString('hex')}`
// Test-only files, no block of the docs: what Next.js sends with no header of the blocks, and
// the pages a leaking server component is tried on.
const PLAIN_FILES = {
  'app/api/e2e-plain/route.ts': 'import { connection } from "next/server"\n\nexport async function GET() {\n  await connection()\n  return Response.json({ plain: true })\n}\n',
  'pages/api/e2e-plain-pages.ts': 'import type { NextApiRequest, NextApiResponse } from "next"\n\nexport default function handler(_request: NextApiRequest, response: NextApiResponse) {\n  response.json({ plain: true })\n}\n',
  'pages/e2e-plain.tsx': 'export const getServerSideProps = async () => ({ props: { plain: true } })\n\nexport default function Plain({ plain }: { plain: boolean }) {\n  return <p>{String(plain)}</p>\n}\n',
}
const leakPage = (variable) =>
  `import { connection } from "next/server"\nimport { Suspense } from "react"\n\nimport { Show } from "../show"\n\nasync function Value() {\n  await connection()\n  return <Show value={process.env.${variable}} />\n}\n\nexport default function Page() {\n  return (\n    <Suspense fallback={null}>\n      <Value />\n    </Suspense>\n  )\n}\n`
const TAINT_FILES = {
  'app/e2e-taint/show.tsx': '"use client"\n\nexport function Show({ value }: { value?: string }) {\n  return <p id="shown">{value}</p>\n}\n',
  'app/e2e-taint/secret/page.tsx': leakPage('ATLAS_SECRET'),
  'app/e2e-taint/untainted/page.tsx': leakPage('ATLAS_E2E_UNTAINTED'),
}

const work = mkdtempSync(join(tmpdir(), 'atlas-e2e-'))
// Everything this file starts, so that it can all be stopped however the tests end.
const servers = new Set()
process.on('exit', () => {
  for (const server of servers) killGroup(server, 'SIGKILL')
  // Two apps' node_modules and builds: removed in the background (tens of seconds of rmSync).
  if (!process.env.ATLAS_E2E_KEEP) spawn('rm', ['-rf', work], { detached: true, stdio: 'ignore' }).unref()
})

let tarballs
let chromium

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`)
  // playwright-core, pinned by this folder's lockfile.
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: example, stdio: 'pipe' })
  ;({ chromium } = await import('playwright-core'))
  tarballs = packLocal(join(work, 'tarballs'), { testBuild: true })
})

// `next build`'s flag for each bundler: Next.js 16 builds with Turbopack unless told
// `--webpack`; 15 with webpack unless told `--turbopack` (its template's build script says so).
const BUNDLER_FLAGS = { 16: { turbopack: [], webpack: ['--webpack'] }, 15: { turbopack: ['--turbopack'], webpack: [] } }

/** Runs `next build` in `dir` with Next.js `major`'s flag for `bundler`; returns { ok, output }. */
function nextBuild(dir, major, bundler) {
  try {
    const output = execFileSync(process.execPath, [nextBin(dir), 'build', ...BUNDLER_FLAGS[major][bundler]], {
      cwd: dir,
      encoding: 'utf8',
      stdio: 'pipe',
      maxBuffer: 64 << 20,
      // The secret is in the build's environment too, as on a real host, to show that nothing
      // copies it into the output; and as NEXT_PUBLIC_ATLAS_SECRET, the mistake the package
      // refuses at run time: no block names it, so Next.js inlines it nowhere, and a server
      // started without it hashes (the package reads it at run time, not as a literal
      // process.env.NEXT_PUBLIC_… that the build would replace).
      env: { ...process.env, ATLAS_SECRET: SECRET, NEXT_PUBLIC_ATLAS_SECRET: SECRET, NEXT_TELEMETRY_DISABLED: '1' },
    })
    return { ok: true, output }
  } catch (error) {
    return { ok: false, output: `${error.stdout}${error.stderr}` }
  }
}

const nextBin = (dir) => join(dir, 'node_modules', 'next', 'dist', 'bin', 'next')

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

/**
 * Serves the build on a free loopback port, with `next start` or (`standalone`) with the
 * standalone output's server.js, after copying the static files beside it as Next.js's docs
 * say; resolves once it answers HTTP.
 */
async function startServer(dir, standalone, secretEnv = { ATLAS_SECRET: SECRET }) {
  const port = await freePort()
  let command = [nextBin(dir), 'start', '-H', '127.0.0.1', '-p', String(port)]
  let cwd = dir
  if (standalone) {
    cwd = join(dir, '.next', 'standalone')
    cpSync(join(dir, '.next', 'static'), join(cwd, '.next', 'static'), { recursive: true })
    cpSync(join(dir, 'public'), join(cwd, 'public'), { recursive: true })
    command = ['server.js']
  }
  const { ATLAS_SECRET: _, NEXT_PUBLIC_ATLAS_SECRET: __, ...env } = process.env
  const server = spawn(process.execPath, command, {
    cwd,
    env: { ...env, ...secretEnv, ATLAS_E2E_UNTAINTED: UNTAINTED, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port), HOSTNAME: '127.0.0.1' },
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
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}:\n${log}`)
    try {
      await fetch(`${origin}/api/atlas-user`) // any answer: 200, or 503 with a refused secret
      break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not answer within 60 s:\n${log}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { server, origin, log: () => log }
}

/** Whether a process of `server`'s group has the native addon mapped (Linux: /proc/<pid>/maps). */
function addonLoaded(server) {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
      if (group !== server.pid) continue
      if (readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').some((line) => ADDON.test(line))) return true
    } catch {
      // the process ended meanwhile
    }
  }
  return false
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

/**
 * Asserts that a response carrying a user's hash tells caches not to keep it: `private` and
 * `no-store` (or `no-cache`). `post`: a server action's answer, to a POST, which Next.js sends
 * as `no-cache, no-store, max-age=0, must-revalidate`: no `private`, but `no-store` forbids
 * every cache, shared or not, to store it, which is stricter.
 */
function assertNoStore(cacheControl, what, { post = false } = {}) {
  const directives = (cacheControl ?? '').split(',').map((directive) => directive.trim().toLowerCase())
  const ok = post ? directives.includes('no-store') : directives.includes('private') && (directives.includes('no-store') || directives.includes('no-cache'))
  assert.ok(ok, `${what}: Cache-Control ${cacheControl}`)
}

/**
 * GET `path` as JSON (with `headers`, such as a cookie); returns { body, engine } (the
 * x-atlas-engine header), after checking the status and the Cache-Control header.
 */
async function getJson(origin, path, { status = 200, headers = {} } = {}) {
  const response = await fetch(`${origin}${path}`, { headers })
  assert.equal(response.status, status, `${path}: ${response.status}`)
  assertNoStore(response.headers.get('cache-control'), path)
  return { body: await response.json(), engine: response.headers.get('x-atlas-engine') }
}

/** Writes `files` ({ path: code }) into the app `dir`. */
function writeFiles(dir, files) {
  for (const [path, code] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), code)
  }
}

/** Waits until `condition()` holds, for up to 10 s. */
async function waitFor(condition, what) {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited 10 s for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The page's Atlas queue: { appId, identify: the identify calls' arguments }. */
const atlasQueue = (page) =>
  page.evaluate(() => ({
    appId: window.Atlas?.appId,
    identify: (window.Atlas?.q ?? []).filter(([method]) => method === 'identify').map(([, user]) => user),
  }))

// ATLAS_E2E_NEXT=16 (or 15) tests one version only, while iterating; CI tests both.
const MAJORS = (process.env.ATLAS_E2E_NEXT ?? '16,15').split(',').map(Number)

for (const major of MAJORS) {
  describe(`create-next-app@${CREATE_NEXT_APP[major]} --yes with the Next.js blocks of the README and docs/nextjs.md`, () => {
    const dir = join(work, `next${major}`)
    const routes = ROUTES[major]
    let cacheComponents

    before(() => {
      ;({ cacheComponents } = createApp(dir, major, tarballs))
      writeFileSync(join(dir, '.env.local'), `ATLAS_APP_ID=${APP_ID}\n`)
      writeFileSync(join(dir, '.env.production'), 'ATLAS_E2E_ENV_PRODUCTION=1\n') // which standalone copies
      writeFiles(dir, PLAIN_FILES)
    })

    it(`kept the template's config and added the README's line${major === 16 ? ' (Cache Components on)' : ''}`, () => {
      const config = readFileSync(join(dir, 'next.config.ts'), 'utf8')
      assert.match(config, /serverExternalPackages: \["atlas-user-hash"\]/)
      assert.equal(existsSync(join(dir, 'next.config.mjs')), false)
      if (major === 16) {
        assert.equal(cacheComponents, true)
        for (const setting of ['partialPrefetching: true', 'turbopack: {', '@tailwindcss/turbopack']) assert.ok(config.includes(setting), `${setting} kept:\n${config}`)
      }
      assert.equal(existsSync(join(dir, 'proxy.ts')), major === 16)
      assert.equal(existsSync(join(dir, 'middleware.ts')), major === 15)
    })

    for (const bundler of ['turbopack', 'webpack']) {
      // The Turbopack build is served by `next start`, the webpack one by the standalone
      // server: both are built with output: "standalone", the setting Docker images use. The
      // webpack build also has React's taint hardening on.
      const standalone = bundler === 'webpack'
      const taint = bundler === 'webpack'
      describe(`built with ${bundler}${taint ? ' and experimental.taint' : ''}, served by ${standalone ? '.next/standalone/server.js' : 'next start'}`, () => {
        let served
        let browser
        let buildOutput
        const userDataDir = join(work, `chromium-${major}-${bundler}`)
        const configFile = join(dir, 'next.config.ts')
        const layoutFile = join(dir, 'app', 'layout.tsx')
        const originals = {}

        before(async () => {
          rmSync(join(dir, '.next'), { recursive: true, force: true })
          let config = readFileSync(configFile, 'utf8')
          if (!config.includes('output: "standalone"')) config = config.replace('serverExternalPackages:', 'output: "standalone",\n  serverExternalPackages:')
          writeFileSync(configFile, config)
          if (taint) {
            originals.config = config
            originals.layout = readFileSync(layoutFile, 'utf8')
            // As docs/nextjs.md says: the flag in the config, the block, imported from the root layout.
            writeFileSync(configFile, config.replace('serverExternalPackages:', 'experimental: { taint: true },\n  serverExternalPackages:'))
            const optional = appFiles({ cacheComponents, optional: true }).filter(({ path }) => !appFiles({ cacheComponents }).some((file) => file.path === path))
            assert.deepEqual(
              optional.map(({ path }) => path),
              ['app/taint-secret.ts'],
            )
            writeFiles(dir, { ...Object.fromEntries(optional.map(({ path, code }) => [path, code])), ...TAINT_FILES })
            writeFileSync(layoutFile, originals.layout.replace('import "./globals.css";', 'import "./globals.css";\nimport "./taint-secret";'))
          }
          const build = nextBuild(dir, major, bundler)
          assert.ok(build.ok, build.output)
          buildOutput = build.output
          served = await startServer(dir, standalone)
          browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS })
        })

        after(async () => {
          await browser?.close()
          if (served) await stopServer(served.server)
          rmSync(userDataDir, { recursive: true, force: true })
          if (taint) {
            writeFileSync(configFile, originals.config)
            writeFileSync(layoutFile, originals.layout)
            for (const path of ['app/taint-secret.ts', 'app/e2e-taint']) rmSync(join(dir, path), { recursive: true, force: true })
          }
        })

        it('output: "standalone" holds the package and the addon (traced), .env.production but not .env.local', () => {
          const modules = join(dir, '.next', 'standalone', 'node_modules')
          assert.ok(existsSync(join(modules, 'atlas-user-hash', 'index.js')))
          const platformPackages = readdirSync(modules).filter((name) => name.startsWith('atlas-user-hash-'))
          assert.equal(platformPackages.length, 1, `one platform package traced: ${platformPackages}`)
          assert.ok(readdirSync(join(modules, platformPackages[0])).some((file) => ADDON.test(file)), 'the .node file is traced')
          // As docs/nextjs.md's Troubleshooting says: .env.production is copied, .env.local is not.
          assert.equal(existsSync(join(dir, '.next', 'standalone', '.env.production')), true)
          assert.equal(existsSync(join(dir, '.next', 'standalone', '.env.local')), false)
        })

        for (const [route, engine] of Object.entries(routes)) {
          it(`${route}: node:crypto's hash, ${engine} engine, Cache-Control private no-store`, async () => {
            assert.deepEqual(await getJson(served.origin, route), { body: expected(), engine })
          })

          it(`${route}: a query parameter or cookie naming another id changes nothing`, async () => {
            const other = 'user_999999'
            const query = `?userId=${other}&id=${other}&user=${other}`
            const cookie = `userId=${other}; id=${other}; user=${other}; user_id=${other}`
            assert.deepEqual(await getJson(served.origin, `${route}${query}`, { headers: { cookie } }), { body: expected(), engine })
          })
        }

        it('server component page, in Chromium: identifies the user once; the server action re-identifies with its result; both answers uncacheable', async () => {
          const page = await browser.newPage()
          try {
            const response = await page.goto(served.origin)
            assertNoStore(response.headers()['cache-control'], '/')
            await page.waitForFunction(() => window.Atlas?.q.length > 0)
            assert.equal(await page.locator('script[src*="atlas"]').count(), 1)
            assert.deepEqual(await atlasQueue(page), { appId: standalone ? APP_ID_FALLBACK : APP_ID, identify: [expected()] })

            await page.getByLabel('Name').fill('Ada King')
            const action = page.waitForResponse((answer) => answer.request().method() === 'POST')
            await page.getByRole('button', { name: 'Save' }).click()
            assertNoStore((await action).headers()['cache-control'], 'the server action', { post: true })
            await page.waitForFunction(() => window.Atlas.q.length > 1)
            assert.deepEqual((await atlasQueue(page)).identify, [expected(), expected({ name: 'Ada King' })])
          } finally {
            await page.close()
          }
        })

        it('getServerSideProps page (pages/account.tsx), in Chromium: identifies the user; uncacheable', async () => {
          const page = await browser.newPage()
          try {
            const response = await page.goto(`${served.origin}/account`)
            assertNoStore(response.headers()['cache-control'], '/account')
            await page.waitForFunction(() => window.Atlas?.q.length > 0)
            assert.deepEqual(await atlasQueue(page), { appId: standalone ? APP_ID_FALLBACK : APP_ID, identify: [expected()] })
          } finally {
            await page.close()
          }
        })

        it('what Next.js sends by itself: no Cache-Control on a route handler or Pages API route; private, no-store on a per-request page', async (t) => {
          const sent = {}
          for (const path of ['/api/e2e-plain', '/api/e2e-plain-pages', '/e2e-plain', ...PAGES]) sent[path] = (await fetch(`${served.origin}${path}`)).headers.get('cache-control')
          t.diagnostic(`Next.js ${major}, ${bundler}: ${JSON.stringify(sent)}`)
          // docs/nextjs.md's Cache headers section says so: hence the header in the route blocks.
          assert.equal(sent['/api/e2e-plain'], null)
          assert.equal(sent['/api/e2e-plain-pages'], null)
          assertNoStore(sent['/e2e-plain'], 'a getServerSideProps page')
        })

        it('the server process loaded the native addon', () => {
          if (process.platform !== 'linux') return
          assert.ok(addonLoaded(served.server), 'no process of the server has the .node file mapped')
        })

        if (taint) {
          it('React taint: a server component handing ATLAS_SECRET to a client component fails, and ships nothing', async () => {
            assert.ok(TAINT_MESSAGE, "docs/nextjs.md's app/taint-secret.ts block names its message")
            const html = await (await fetch(`${served.origin}/e2e-taint/secret`)).text()
            assert.ok(!html.includes(SECRET), 'the page holds ATLAS_SECRET')
            // The shell streams with status 200 before the component renders; React then throws.
            await waitFor(() => served.log().includes(TAINT_MESSAGE), `"${TAINT_MESSAGE}" in the server log:\n${served.log()}`)
            // The same page with a variable that is not tainted ships it: the test can fail.
            assert.ok((await (await fetch(`${served.origin}/e2e-taint/untainted`)).text()).includes(UNTAINTED))
          })
        }

        it('no file under .next, no page and no log holds ATLAS_SECRET', async () => {
          const files = filesUnder(join(dir, '.next'))
          assert.ok(files.length > 0)
          for (const file of files) assert.ok(!readFileSync(file).includes(SECRET), `${file} holds ATLAS_SECRET`)
          for (const path of PAGES) {
            const html = await (await fetch(`${served.origin}${path}`)).text()
            assert.ok(html.includes(expected().userHash), `${path} carries the hash`)
            assert.ok(!html.includes(SECRET), `${path} holds ATLAS_SECRET`)
          }
          assert.ok(!served.log().includes(SECRET), 'the server log holds ATLAS_SECRET')
          assert.ok(!buildOutput.includes(SECRET), 'the build log holds ATLAS_SECRET')
        })

        for (const { name, env, code, skip } of REFUSED) {
          it(`a ${name} secret: every page 200 without an identify call, every route 503 { code: ${code} }, the code in the log and not the secret`, { skip }, async () => {
            await stopServer(served.server)
            const refused = await startServer(dir, standalone, env)
            served = refused // stopped by after() if this test fails
            for (const route of Object.keys(routes)) {
              assert.deepEqual((await getJson(refused.origin, route, { status: 503 })).body, { code })
            }
            const page = await browser.newPage()
            try {
              for (const path of PAGES) {
                const response = await page.goto(`${refused.origin}${path}`)
                assert.equal(response.status(), 200, path)
                // The widget still loads, anonymous, as for a signed-out visitor.
                await page.waitForFunction(() => window.Atlas !== undefined)
                assert.deepEqual((await atlasQueue(page)).identify, [], `${path} identifies no one`)
              }
              await page.goto(refused.origin)
              await page.waitForFunction(() => window.Atlas !== undefined)
              await page.getByLabel('Name').fill('Ada King')
              const action = page.waitForResponse((answer) => answer.request().method() === 'POST')
              await page.getByRole('button', { name: 'Save' }).click()
              assert.equal((await action).status(), 200)
              await page.waitForTimeout(500) // time for the form's callback to run, had it identified anyone
              assert.deepEqual((await atlasQueue(page)).identify, [], 'the server action identifies no one')
            } finally {
              await page.close()
            }
            await waitFor(() => refused.log().includes(code), `${code} in the server log:\n${refused.log()}`)
            assert.ok(!refused.log().includes(SECRET), 'the server log holds the secret')
          })
        }

        if (major === 16) {
          it('importing the package in a Client Component fails the build with the server-only sentence', () => {
            writeFileSync(join(dir, 'app', 'client-import.tsx'), '"use client"\nimport { createUserHash } from "atlas-user-hash"\nexport function Hash() { return <p>{createUserHash("user_1")}</p> }\n')
            mkdirSync(join(dir, 'app', 'client-import'))
            writeFileSync(join(dir, 'app', 'client-import', 'page.tsx'), 'import { Hash } from "../client-import"\nexport default function Page() { return <Hash /> }\n')
            try {
              const { ok, output } = nextBuild(dir, major, bundler)
              assert.equal(ok, false, output)
              assert.ok(output.includes(SERVER_ONLY), output)
              assert.match(output, /client-import/, 'the error names the client file')
              assert.doesNotMatch(output, /non-ecmascript placeable asset|Module parse failed/)
            } finally {
              rmSync(join(dir, 'app', 'client-import'), { recursive: true, force: true })
              rmSync(join(dir, 'app', 'client-import.tsx'), { force: true })
            }
          })
        }
      })
    }

    if (major === 16) {
      describe("without the config line, next build fails with the errors docs/nextjs.md's Troubleshooting quotes", () => {
        const configFile = join(dir, 'next.config.ts')
        let config
        before(() => {
          rmSync(join(dir, '.next'), { recursive: true, force: true })
          config = readFileSync(configFile, 'utf8')
          writeFileSync(configFile, config.replace(/^\s*(serverExternalPackages|output):.*\n/gm, ''))
        })
        after(() => writeFileSync(configFile, config))

        for (const [bundler, marker] of [
          ['turbopack', 'non-ecmascript placeable asset'],
          ['webpack', 'Module parse failed'],
        ]) {
          it(bundler, () => {
            const quote = sectionBlocks('Troubleshooting', readDoc('docs/nextjs.md'), 'docs/nextjs.md').find((block) => block.lang === '' && block.code.includes(marker))
            assert.ok(quote, `the Troubleshooting section quotes ${marker}`)
            const platform = readdirSync(join(dir, 'node_modules')).find((name) => name.startsWith('atlas-user-hash-')).slice('atlas-user-hash-'.length)
            const { ok, output } = nextBuild(dir, major, bundler)
            assert.equal(ok, false, output)
            for (const line of quote.code.trim().split('\n')) {
              // The docs show this machine's kind of platform package, and webpack's 0x7F as ''.
              const printed = line.replaceAll('linux-x64-gnu', platform).replace("character ''", "character '\x7f'")
              assert.ok(output.includes(printed), `the build prints the docs' line ${JSON.stringify(printed)}:\n${output}`)
            }
          })
        }
      })
    }
  })
}
