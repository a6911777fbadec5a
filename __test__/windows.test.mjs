// What is particular to Windows, run under Windows Node: by `npm run test:windows` (the
// win32-x64-gnu stand-in under Wine, Node 20 and 22, with ATLAS_WINDOWS_APP naming the project
// that npm for Windows installed the packed package into) and by the Windows runners'
// `npm run test:node` (the msvc build; the tests of the installed project skip there).
// Skipped elsewhere. `process.env` is case-insensitive; paths have drive letters and
// backslashes; .env files have CRLF line ends; the CLI runs through npm's .cmd shim.
import assert from 'node:assert/strict'
import { spawnSync } from './child-process.mjs'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { referenceHash, withSecret } from './helpers.mjs'

const WIN = process.platform === 'win32'
const skip = !WIN && 'Windows only: runs under Windows Node (`npm run test:windows` runs it under Wine)'
const app = process.env.ATLAS_WINDOWS_APP
const skipApp = skip || (!app && 'needs ATLAS_WINDOWS_APP: the project `npm run test:windows` installs the packed package into')
// The CLI's option naming a .env file (bin/atlas-user-hash.js): --dotenv, which Node itself
// never reads (it takes --env-file from anywhere in its argv, the script's arguments included).
const ENV_FILE_OPTION = '--dotenv'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const SECRET = 'win-Qx7vZk2mWp9t'
const ID = 'user_100123'

// The children get no secret under any spelling of its name, and no binary override.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !['ATLAS_SECRET', 'NAPI_RS_NATIVE_LIBRARY_PATH'].includes(key.toUpperCase())))

/** `node -e code` in a child with `env` added; its stdout, asserted to exit 0. */
function node(code, env = {}) {
  const result = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...baseEnv, ...env } })
  assert.equal(result.status, 0, `node -e failed:\n${result.stdout}\n${result.stderr}`)
  return result.stdout.trim()
}

let shimForThisRun

/**
 * The installed command, as a Windows user runs it: npm's `node_modules\.bin\atlas-user-hash.cmd`
 * through cmd.exe. Wine 8.0's cmd ends a batch file at a `goto` to a missing label without
 * running the rest of that line, which npm's shim relies on (a cmd quirk that spares the
 * "Terminate batch job?" prompt); under Wine (ATLAS_WINDOWS_WINE=1) a copy of the shim with just
 * that construct taken out is run, its node lookup, %* and exit code as npm wrote them.
 */
function shimPath() {
  shimForThisRun ??= makeShimPath()
  return shimForThisRun
}

function makeShimPath() {
  const shim = join(app, 'node_modules', '.bin', 'atlas-user-hash.cmd')
  const text = readFileSync(shim, 'utf8')
  const quirk = 'goto #_undefined_# 2>NUL || title %COMSPEC% & '
  assert.match(text, /"%dp0%\\\.\.\\atlas-user-hash\\bin\\atlas-user-hash\.js" %\*\r?\n?$/, 'npm made a shim that runs the package bin')
  if (process.env.ATLAS_WINDOWS_WINE !== '1') return shim
  assert.ok(text.includes(quirk), `npm's shim has the construct Wine's cmd cannot run: ${quirk}`)
  const forWine = join(dirname(shim), 'atlas-user-hash.wine.cmd')
  writeFileSync(forWine, text.replace(quirk, ''))
  return forWine
}

/** Runs the CLI with `args` (through the shim when ATLAS_WINDOWS_APP is set, else this repo's bin). */
function cli(args, { env = {}, cwd } = {}) {
  const options = { encoding: 'utf8', env: { ...baseEnv, ...env }, cwd }
  const result = app
    ? spawnSync(`"${shimPath()}"`, args.map((arg) => `"${arg}"`), { ...options, shell: true })
    : spawnSync(process.execPath, [join(root, 'bin', 'atlas-user-hash.js'), ...args], options)
  assert.ok(!`${result.stdout}${result.stderr}`.includes(SECRET), 'the secret is in no output')
  return result
}

describe('Windows', { skip }, () => {
  const scratch = WIN ? mkdtempSync(join(tmpdir(), 'atlas-windows-')) : ''
  after(() => WIN && rmSync(scratch, { recursive: true, force: true }))
  const index = join(root, 'index.js')

  describe('process.env is case-insensitive', () => {
    it('atlas_secret set in JavaScript is ATLAS_SECRET to the package, and unset with it', () => {
      const { createUserHash, engine, verifyUserHash } = require(index)
      assert.equal(engine, 'native')
      withSecret(undefined, () => {
        process.env.atlas_secret = SECRET
        try {
          assert.equal(process.env.ATLAS_SECRET, SECRET)
          assert.equal(createUserHash(ID), referenceHash(SECRET, ID))
          assert.equal(verifyUserHash(ID, referenceHash(SECRET, ID)), true)
        } finally {
          delete process.env.atlas_secret
        }
        assert.throws(() => createUserHash(ID), { code: 'ERR_ATLAS_SECRET_MISSING' })
      })
    })

    it('a process started with atlas_secret in its environment hashes with it', () => {
      const out = node(`const a = require(${JSON.stringify(index)}); console.log(a.engine, a.createUserHash(${JSON.stringify(ID)}))`, { atlas_secret: SECRET })
      assert.equal(out, `native ${referenceHash(SECRET, ID)}`)
    })

    it('the CLI takes atlas_secret as ATLAS_SECRET', () => {
      const result = cli(['hash', ID], { env: { atlas_secret: SECRET } })
      assert.equal(result.status, 0, result.stderr)
      assert.equal(result.stdout, `${referenceHash(SECRET, ID)}\n`)
    })
  })

  describe('paths with drive letters and backslashes', () => {
    it('this checkout is on a drive letter, with backslashes', () => {
      assert.match(root, /^[A-Za-z]:\\/)
    })

    it('the package loads by its backslash path and by the forward-slash one', () => {
      const code = (path) => `const a = require(${JSON.stringify(path)}); console.log(a.engine, a.createUserHash('u', { secret: 'k' }))`
      for (const path of [index, index.replaceAll('\\', '/')]) assert.equal(node(code(path)), `native ${referenceHash('k', 'u')}`, path)
    })

    it('NAPI_RS_NATIVE_LIBRARY_PATH takes a backslash path, and a wrong one is a clear error', () => {
      const binary = readdirSync(root).find((name) => /^atlas-user-hash\.win32-.+\.node$/.test(name))
      assert.ok(binary, `a Windows build beside index.js in ${root}`)
      const code = `try { const a = require(${JSON.stringify(index)}); console.log(a.engine, a.createUserHash('u', { secret: 'k' })) } catch (e) { console.log(e.code) }`
      assert.equal(node(code, { NAPI_RS_NATIVE_LIBRARY_PATH: join(root, binary) }), `native ${referenceHash('k', 'u')}`)
      assert.equal(node(code, { NAPI_RS_NATIVE_LIBRARY_PATH: join(root, 'no-such-dir', binary) }), 'ERR_ATLAS_BINDING_NOT_FOUND')
    })

    it(`the CLI reads ${ENV_FILE_OPTION} by a backslash path, a forward-slash one and a relative one`, () => {
      const dir = join(scratch, 'paths', 'config')
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, '.env.local'), `ATLAS_SECRET=${SECRET}\n`)
      const file = join(dir, '.env.local')
      for (const [path, cwd] of [[file, undefined], [file.replaceAll('\\', '/'), undefined], ['.\\config\\.env.local', dirname(dir)]]) {
        const result = cli(['hash', ID, ENV_FILE_OPTION, path], { cwd })
        assert.equal(result.status, 0, `${path}: ${result.stderr}`)
        assert.equal(result.stdout, `${referenceHash(SECRET, ID)}\n`, path)
      }
    })
  })

  describe('.env files with CRLF line ends', () => {
    const files = [
      ['KEY=value lines', `# Atlas\r\nOTHER=1\r\nATLAS_SECRET=${SECRET}\r\nLAST=2\r\n`],
      ['the last line', `OTHER=1\r\nATLAS_SECRET=${SECRET}\r\n`],
      ['double quotes', `ATLAS_SECRET="${SECRET}"\r\n`],
      ['single quotes and export', `export ATLAS_SECRET='${SECRET}'\r\n`],
      ['a comment after the value', `ATLAS_SECRET=${SECRET} # from the dashboard\r\n`],
    ]
    for (const [what, text] of files) {
      it(`${what}: the secret has no \\r (hash, and doctor finds no problem)`, () => {
        const file = join(scratch, `crlf-${files.findIndex(([w]) => w === what)}.env`)
        writeFileSync(file, text)
        const hash = cli(['hash', ID, ENV_FILE_OPTION, file])
        assert.equal(hash.status, 0, hash.stderr)
        assert.equal(hash.stdout, `${referenceHash(SECRET, ID)}\n`)
        const doctor = cli(['doctor', ENV_FILE_OPTION, file])
        assert.equal(doctor.status, 0, `${doctor.stdout}${doctor.stderr}`)
      })
    }
  })

  describe("the installed CLI through npm's .cmd shim", { skip: skipApp }, () => {
    let good
    before(() => {
      good = join(scratch, 'good.env')
      writeFileSync(good, `ATLAS_SECRET=${SECRET}\r\n`)
    })

    it('hash: the user hash, exit 0', () => {
      const result = cli(['hash', ID], { env: { ATLAS_SECRET: SECRET } })
      assert.deepEqual([result.status, result.stdout], [0, `${referenceHash(SECRET, ID)}\n`])
    })

    it('verify: ok and exit 0, mismatch and exit 1, upper case accepted', () => {
      const env = { ATLAS_SECRET: SECRET }
      const ok = cli(['verify', ID, referenceHash(SECRET, ID).toUpperCase()], { env })
      assert.deepEqual([ok.status, ok.stdout], [0, 'ok\n'])
      const mismatch = cli(['verify', ID, referenceHash('other', ID)], { env })
      assert.deepEqual([mismatch.status, mismatch.stdout], [1, 'mismatch\n'])
    })

    it(`doctor: exit 0 for a good secret from ${ENV_FILE_OPTION}, exit 2 and the code for a bad one or none`, () => {
      assert.equal(cli(['doctor', ENV_FILE_OPTION, good]).status, 0)
      const padded = cli(['doctor'], { env: { ATLAS_SECRET: ` ${SECRET}` } })
      assert.equal(padded.status, 2)
      assert.match(padded.stderr, /ERR_ATLAS_SECRET_INVALID/)
      const unset = cli(['doctor'])
      assert.equal(unset.status, 2)
      assert.match(unset.stderr, /ERR_ATLAS_SECRET_MISSING/)
    })

    it('a usage error: exit 2', () => {
      assert.equal(cli(['hsah', ID], { env: { ATLAS_SECRET: SECRET } }).status, 2)
    })

    it(`${ENV_FILE_OPTION} of a missing file: exit 2 and the CLI's message`, () => {
      const result = cli(['hash', ID, ENV_FILE_OPTION, join(scratch, 'missing.env')])
      assert.equal(result.status, 2, result.stderr)
      assert.match(result.stderr, /ERR_ATLAS_ENV_FILE/)
    })

    it('the main package without its platform package: ERR_ATLAS_BINDING_NOT_FOUND names win32-x64-msvc', () => {
      const modules = join(scratch, 'main-only', 'node_modules')
      for (const name of ['atlas-user-hash', '@noble']) cpSync(join(app, 'node_modules', name), join(modules, name), { recursive: true })
      const installed = JSON.parse(readFileSync(join(modules, 'atlas-user-hash', 'package.json'), 'utf8'))
      const code = `try { require(${JSON.stringify(join(modules, 'atlas-user-hash'))}); console.log('loaded') } catch (e) { console.log(JSON.stringify([e.code, e.message])) }`
      const [errorCode, message] = JSON.parse(node(code))
      assert.equal(errorCode, 'ERR_ATLAS_BINDING_NOT_FOUND')
      for (const part of ['platform win32, arch x64', `atlas-user-hash-win32-x64-msvc@${installed.version}`]) assert.ok(message.includes(part), `${part} in:\n${message}`)
    })

    it('--version: the version of the installed package', () => {
      const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'atlas-user-hash', 'package.json'), 'utf8'))
      const result = cli(['--version'])
      assert.deepEqual([result.status, result.stdout], [0, `${installed.version}\n`])
    })
  })
})
