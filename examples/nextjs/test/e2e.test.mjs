// End to end, as a new user does it: apps made by create-next-app (pinned, Next.js 16 and 15,
// default options), the README's Next.js blocks written into them by reading README.md
// (scripts/readme-blocks.mjs), atlas-user-hash installed from this repository's packed
// tarballs, each app built with Turbopack and with webpack (`output: "standalone"`), served
// on a loopback port and checked against node:crypto: the route handler, proxy.ts (16) or
// middleware.ts (15), the Edge route (15), the Pages API route over HTTP; the server component
// page, the server action and the getServerSideProps page in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core). Then no file under .next may hold the secret.
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
import { packLocal } from '../scripts/pack-local.mjs'
import { readDoc, sectionBlocks } from '../scripts/readme-blocks.mjs'

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
  tarballs = packLocal(join(work, 'tarballs'))
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
      // copies it into the output.
      env: { ...process.env, ATLAS_SECRET: SECRET, NEXT_TELEMETRY_DISABLED: '1' },
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
async function startServer(dir, standalone) {
  const port = await freePort()
  let command = [nextBin(dir), 'start', '-H', '127.0.0.1', '-p', String(port)]
  let cwd = dir
  if (standalone) {
    cwd = join(dir, '.next', 'standalone')
    cpSync(join(dir, '.next', 'static'), join(cwd, '.next', 'static'), { recursive: true })
    cpSync(join(dir, 'public'), join(cwd, 'public'), { recursive: true })
    command = ['server.js']
  }
  const server = spawn(process.execPath, command, {
    cwd,
    env: { ...process.env, ATLAS_SECRET: SECRET, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port), HOSTNAME: '127.0.0.1' },
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
      if ((await fetch(`${origin}/api/atlas-user`)).ok) break
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

/** GET `path` as JSON; returns { body, engine } (the x-atlas-engine header). */
async function getJson(origin, path) {
  const response = await fetch(`${origin}${path}`)
  assert.equal(response.status, 200, `${path}: ${response.status}`)
  return { body: await response.json(), engine: response.headers.get('x-atlas-engine') }
}

/** The page's Atlas queue: { appId, identify: the identify calls' arguments }. */
const atlasQueue = (page) =>
  page.evaluate(() => ({
    appId: window.Atlas?.appId,
    identify: (window.Atlas?.q ?? []).filter(([method]) => method === 'identify').map(([, user]) => user),
  }))

for (const major of [16, 15]) {
  describe(`create-next-app@${CREATE_NEXT_APP[major]} --yes with the README's Next.js blocks`, () => {
    const dir = join(work, `next${major}`)
    let cacheComponents

    before(() => {
      ;({ cacheComponents } = createApp(dir, major, tarballs))
      writeFileSync(join(dir, '.env.local'), `ATLAS_APP_ID=${APP_ID}\n`)
      writeFileSync(join(dir, '.env.production'), 'ATLAS_E2E_ENV_PRODUCTION=1\n') // which standalone copies
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
      // server: both are built with output: "standalone", the setting Docker images use.
      const standalone = bundler === 'webpack'
      describe(`built with ${bundler}, served by ${standalone ? '.next/standalone/server.js' : 'next start'}`, () => {
        let served
        let browser
        let buildOutput
        const userDataDir = join(work, `chromium-${major}-${bundler}`)

        before(async () => {
          rmSync(join(dir, '.next'), { recursive: true, force: true })
          const configFile = join(dir, 'next.config.ts')
          const config = readFileSync(configFile, 'utf8')
          if (!config.includes('output: "standalone"')) writeFileSync(configFile, config.replace('serverExternalPackages:', 'output: "standalone",\n  serverExternalPackages:'))
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
        })

        it('output: "standalone" holds the package and the addon (traced), .env.production but not .env.local', () => {
          const modules = join(dir, '.next', 'standalone', 'node_modules')
          assert.ok(existsSync(join(modules, 'atlas-user-hash', 'index.js')))
          const platformPackages = readdirSync(modules).filter((name) => name.startsWith('atlas-user-hash-'))
          assert.equal(platformPackages.length, 1, `one platform package traced: ${platformPackages}`)
          assert.ok(readdirSync(join(modules, platformPackages[0])).some((file) => ADDON.test(file)), 'the .node file is traced')
          // As the README's Troubleshooting says: .env.production is copied, .env.local is not.
          assert.equal(existsSync(join(dir, '.next', 'standalone', '.env.production')), true)
          assert.equal(existsSync(join(dir, '.next', 'standalone', '.env.local')), false)
        })

        it('route handler (app/api/atlas-user/route.ts): node:crypto\'s hash, native engine', async () => {
          assert.deepEqual(await getJson(served.origin, '/api/atlas-user'), { body: expected(), engine: 'native' })
        })

        const proxyFile = major === 16 ? 'proxy.ts (Node.js runtime)' : 'middleware.ts (Edge runtime)'
        const proxyEngine = major === 16 ? 'native' : 'js'
        it(`${proxyFile}: node:crypto's hash, ${proxyEngine} engine`, async () => {
          assert.deepEqual(await getJson(served.origin, '/api/atlas-user-proxy'), { body: expected(), engine: proxyEngine })
        })

        if (major === 15) {
          it('Edge route handler (app/api/atlas-user-edge/route.ts, without cacheComponents): node:crypto\'s hash, js engine', async () => {
            assert.deepEqual(await getJson(served.origin, '/api/atlas-user-edge'), { body: expected(), engine: 'js' })
          })
        }

        it('Pages API route (pages/api/atlas-user-pages.ts): node:crypto\'s hash, native engine', async () => {
          assert.deepEqual(await getJson(served.origin, '/api/atlas-user-pages'), { body: expected(), engine: 'native' })
        })

        it('server component page, in Chromium: identifies the user once; the server action re-identifies with its result', async () => {
          const page = await browser.newPage()
          try {
            await page.goto(served.origin)
            await page.waitForFunction(() => window.Atlas?.q.length > 0)
            assert.equal(await page.locator('script[src*="atlas"]').count(), 1)
            assert.deepEqual(await atlasQueue(page), { appId: standalone ? APP_ID_FALLBACK : APP_ID, identify: [expected()] })

            await page.getByLabel('Name').fill('Ada King')
            await page.getByRole('button', { name: 'Save' }).click()
            await page.waitForFunction(() => window.Atlas.q.length > 1)
            assert.deepEqual((await atlasQueue(page)).identify, [expected(), expected({ name: 'Ada King' })])
          } finally {
            await page.close()
          }
        })

        it('getServerSideProps page (pages/account.tsx), in Chromium: identifies the user', async () => {
          const page = await browser.newPage()
          try {
            await page.goto(`${served.origin}/account`)
            await page.waitForFunction(() => window.Atlas?.q.length > 0)
            assert.deepEqual(await atlasQueue(page), { appId: standalone ? APP_ID_FALLBACK : APP_ID, identify: [expected()] })
          } finally {
            await page.close()
          }
        })

        it('the server process loaded the native addon', () => {
          if (process.platform !== 'linux') return
          assert.ok(addonLoaded(served.server), 'no process of the server has the .node file mapped')
        })

        it('no file under .next, no page and no log holds ATLAS_SECRET', async () => {
          const files = filesUnder(join(dir, '.next'))
          assert.ok(files.length > 0)
          for (const file of files) assert.ok(!readFileSync(file).includes(SECRET), `${file} holds ATLAS_SECRET`)
          for (const path of ['/', '/account']) {
            const html = await (await fetch(`${served.origin}${path}`)).text()
            assert.ok(html.includes(expected().userHash), `${path} carries the hash`)
            assert.ok(!html.includes(SECRET), `${path} holds ATLAS_SECRET`)
          }
          assert.ok(!served.log().includes(SECRET), 'the server log holds ATLAS_SECRET')
          assert.ok(!buildOutput.includes(SECRET), 'the build log holds ATLAS_SECRET')
        })

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
      describe("without the config line, next build fails with the errors the README's Troubleshooting quotes", () => {
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
              // The README shows this machine's kind of platform package, and webpack's 0x7F as ''.
              const printed = line.replaceAll('linux-x64-gnu', platform).replace("character ''", "character '\x7f'")
              assert.ok(output.includes(printed), `the build prints the README's line ${JSON.stringify(printed)}:\n${output}`)
            }
          })
        }
      })
    }
  })
}
