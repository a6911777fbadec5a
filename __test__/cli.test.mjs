// The `atlas-user-hash` command, run as a user gets it: the main package and a platform
// package made from the local build are packed, installed offline into a fresh project,
// and `node_modules/.bin/atlas-user-hash` is spawned (through its `#!/usr/bin/env node`, so
// the Node first on PATH runs it). Every result is checked against node:crypto or against
// @next/env, and no output of any run may contain any 6-character piece of a secret. The
// env-file cases run under Node 20, 22 and 24 (`npm run tools:runtimes` installs 22 and 24;
// ATLAS_TEST_ALL_NODES=1, as .ci/run sets it, fails where one is missing).
import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from './child-process.mjs'
import { createHash, createHmac } from 'node:crypto'
import { chmodSync, closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ORACLE_BATCH_MS, ORACLE_FLAGS } from './next-env.mjs'

const require = createRequire(import.meta.url)
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const { detectHost, expectedPackage, platformSuffix } = require('../lib/load-binding.js')

// No English words, and every 6-character piece has a letter past f: none can turn up in
// the help text or in hex output by chance.
const SECRET = 'Qx7vZk2mWp9tLr4nBj8hYc3s'
const OTHER_SECRET = 'Hv3KqZxR8mTj4WpLs9YbNc2g'
const SECRETS = [SECRET, OTHER_SECRET]
const WIN = process.platform === 'win32'
const POSIX = WIN && 'needs a POSIX shell (process substitution, mkfifo, /dev/full)'

const hmac = (secret, id) => createHmac('sha256', secret).update(String(id)).digest('hex')
const fingerprint = (secret) => createHash('sha256').update('atlas-user-hash fingerprint v1\0').update(secret).digest('hex').slice(0, 12)

const scratch = mkdtempSync(join(tmpdir(), 'atlas-user-hash-cli-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

// The children see this Node first on PATH (the bin's `#!/usr/bin/env node`), no secret and
// no override that could load a binary from elsewhere.
const { ATLAS_SECRET: _s, NEXT_PUBLIC_ATLAS_SECRET: _p, NAPI_RS_NATIVE_LIBRARY_PATH: _n, NODE_OPTIONS: _o, ...inherited } = process.env
const pathKey = Object.keys(inherited).find((key) => key.toUpperCase() === 'PATH') || 'PATH'
const baseEnv = { ...inherited, [pathKey]: `${dirname(process.execPath)}${delimiter}${inherited[pathKey] || ''}` }

let project
let runs = 0

function sh(cmd, args, options) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', env: baseEnv, shell: WIN, ...options })
  assert.equal(result.status, 0, `${cmd} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/** `npm pack` of `dir` into the scratch folder; returns the tarball's path. */
function pack(dir) {
  const [packed] = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: dir }))
  return join(scratch, packed.filename)
}

before(() => {
  const suffix = platformSuffix(detectHost())
  const nodeFile = `${pkg.napi.binaryName}.${suffix}.node`
  assert.ok(existsSync(join(root, nodeFile)), `${nodeFile} is missing: run \`npm run build\` first`)
  const platformDir = join(scratch, 'platform')
  mkdirSync(platformDir)
  copyFileSync(join(root, 'npm', suffix, 'package.json'), join(platformDir, 'package.json'))
  copyFileSync(join(root, nodeFile), join(platformDir, nodeFile))
  // The package's one dependency is packed from node_modules, so the install asks no registry.
  const tarballs = [pack(root), pack(platformDir), pack(join(root, 'node_modules', '@noble', 'hashes'))]
  project = join(scratch, 'project')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'cli-test', version: '1.0.0', private: true }))
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(scratch, 'npm-cache'), ...tarballs], { cwd: project })
})

const bin = () => join(project, 'node_modules', '.bin', 'atlas-user-hash')

// The Nodes that run the command: this one, and Node 22 and 24 from scripts/runtimes.
const runtimes = join(root, 'scripts', 'runtimes', 'node_modules')
const NODES = [
  { name: `Node ${process.versions.node.split('.')[0]} (this node)`, dir: dirname(process.execPath) },
  { name: 'Node 22', dir: join(runtimes, 'node22', 'bin') },
  { name: 'Node 24', dir: join(runtimes, 'node24', 'bin') },
].filter((node, i, all) => all.findIndex((other) => other.name.slice(0, 7) === node.name.slice(0, 7)) === i)
const ALL_NODES = process.env.ATLAS_TEST_ALL_NODES === '1'
const missingNode = (node) => !existsSync(join(node.dir, WIN ? 'node.exe' : 'node')) && `${node.name} is not installed: run \`npm run tools:runtimes\``

/**
 * Runs the installed command with `args`, `env` added to the base environment and `input`
 * on standard input; resolves to `{ status, stdout, stderr, ms }` once it has checked that
 * nothing it printed contains a piece of a secret (`secrets` adds more to SECRETS; the
 * `typed` text, a path the user gave, may be echoed). `node` picks the Node first on PATH;
 * `stdout: 'closed'` closes the read end of its standard output at once, `'full'` makes it
 * /dev/full; `bash` runs that script instead, with the command's path in $BIN;
 * `unprivileged` runs it without root's power to read any file.
 */
function run(args, { env = {}, input = '', cwd = project, node, stdout = 'pipe', bash, unprivileged, secrets = [], typed = [], timeout = 30_000 } = {}) {
  let [command, argv] = bash
    ? ['bash', ['-c', bash]]
    : WIN
      ? [process.execPath, [join(project, 'node_modules', pkg.name, pkg.bin['atlas-user-hash']), ...args]]
      : [bin(), args]
  if (unprivileged && process.getuid?.() === 0) [command, argv] = ['setpriv', ['--bounding-set=-dac_override,-dac_read_search', command, ...argv]]
  const path = node ? `${node.dir}${delimiter}${baseEnv[pathKey]}` : baseEnv[pathKey]
  const full = stdout === 'full' ? openSync('/dev/full', 'w') : null
  return new Promise((resolvePromise, reject) => {
    const started = performance.now()
    const child = spawn(command, argv, {
      cwd,
      env: { ...baseEnv, [pathKey]: path, BIN: bin(), ...env },
      stdio: ['pipe', full ?? 'pipe', 'pipe'],
      timeout,
    })
    if (full !== null) closeSync(full)
    let out = ''
    let stderr = ''
    if (stdout === 'closed') child.stdout.destroy()
    else child.stdout?.setEncoding('utf8').on('data', (text) => (out += text))
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text))
    child.on('error', reject)
    child.on('close', (status, signal) => {
      const ms = performance.now() - started
      try {
        assert.equal(signal, null, `${JSON.stringify(bash || args)} was killed by ${signal} (timeout ${timeout} ms):\n${out}${stderr}`)
        assertNoSecret(`${out}${stderr}`, bash || args, [...SECRETS, ...secrets], typed)
        runs++
        resolvePromise({ status, stdout: out, stderr, ms })
      } catch (error) {
        reject(error)
      }
    })
    child.stdin.on('error', () => {}) // a command that fails early may close its stdin first
    child.stdin.end(input)
  })
}

/** No 6-character piece of a secret in `output`, but for `typed` text without the whole secret. */
function assertNoSecret(output, args, secrets, typed = []) {
  let rest = output
  for (const text of typed) if (!secrets.some((secret) => text.includes(secret))) rest = rest.split(text).join('')
  for (const secret of secrets) {
    for (let i = 0; i + 6 <= secret.length; i++) {
      const piece = secret.slice(i, i + 6)
      assert.ok(!rest.includes(piece), `output of ${JSON.stringify(args)} contains ${JSON.stringify(piece)}:\n${output}`)
    }
  }
}

/** Runs with `--json` and resolves to the result with the one JSON object it printed. */
async function runJson(args, options) {
  const result = await run([...args, '--json'], options)
  assert.match(result.stdout, /^[^\n]*\n$/, 'exactly one line of JSON')
  return { ...result, json: JSON.parse(result.stdout) }
}

/** Asserts a failure: exit 2, nothing on stdout, `code` and a sentence on stderr. */
function assertFails(result, code, message) {
  assert.equal(result.status, 2, result.stderr)
  assert.equal(result.stdout, '')
  assert.match(result.stderr, new RegExp(`^atlas-user-hash: ${code}: \\S.*\\n$`))
  if (message) assert.match(result.stderr, message)
}

const withSecret = { env: { ATLAS_SECRET: SECRET } }

function envFile(name, text) {
  const file = join(scratch, name)
  writeFileSync(file, text)
  return file
}


// The runs are independent child processes: a few at a time keep both cores busy.
const parallel = { concurrency: 4 }

describe('hash', parallel, () => {
  it('prints the user hash of an id with ATLAS_SECRET and a newline', async () => {
    const result = await run(['hash', 'user_100123'], withSecret)
    assert.deepEqual([result.status, result.stdout, result.stderr], [0, `${hmac(SECRET, 'user_100123')}\n`, ''])
  })

  it('hashes a numeric id as its text, like str(user_id)', async () => {
    assert.equal((await run(['hash', '123'], withSecret)).stdout, `${hmac(SECRET, 123)}\n`)
  })

  it('hashes UTF-8 ids and, after --, ids that start with -', async () => {
    assert.equal((await run(['hash', 'ümlaut 用户'], withSecret)).stdout, `${hmac(SECRET, 'ümlaut 用户')}\n`)
    assert.equal((await run(['hash', '--', '-42'], withSecret)).stdout, `${hmac(SECRET, '-42')}\n`)
  })

  it('takes options before or after the command, with = or a space', async () => {
    const file = envFile('anywhere.env', `ATLAS_SECRET=${SECRET}\n`)
    for (const args of [['--dotenv', file, 'hash', 'u1'], ['hash', `--dotenv=${file}`, 'u1'], ['hash', 'u1', '-e', file], ['hash', '--env-file', file, 'u1']]) {
      assert.equal((await run(args)).stdout, `${hmac(SECRET, 'u1')}\n`, args.join(' '))
    }
  })

  it('--json prints { ok, userId, userHash, source, notes }', async () => {
    const { status, json } = await runJson(['hash', 'user_1'], withSecret)
    assert.equal(status, 0)
    assert.deepEqual(json, { ok: true, userId: 'user_1', userHash: hmac(SECRET, 'user_1'), source: { kind: 'env', variable: 'ATLAS_SECRET' }, notes: [] })
  })

  it('notes on stderr an id with whitespace around it, and hashes it as given', async () => {
    const result = await run(['hash', ' user_1'], withSecret)
    assert.equal(result.stdout, `${hmac(SECRET, ' user_1')}\n`)
    assert.match(result.stderr, /^note: the user id starts or ends with whitespace/)
  })
})

describe('--dotenv: ATLAS_SECRET as Next.js reads it', parallel, () => {
  const cut = (middle) => `${SECRET.slice(0, 12)}${middle}${SECRET.slice(12)}`
  const files = [
    ['plain', `ATLAS_SECRET=${SECRET}\n`, SECRET],
    ['double quotes, comments', `# Atlas\nOTHER=1\nATLAS_SECRET="${SECRET}" # from the dashboard\n`, SECRET],
    ['single quotes, export', `export ATLAS_SECRET='${SECRET}'\n`, SECRET],
    ['backticks, spaces around =', `ATLAS_SECRET = \`${SECRET}\`\n`, SECRET],
    ['CRLF line ends', `OTHER=1\r\nATLAS_SECRET=${SECRET}\r\nMORE=2\r\n`, SECRET],
    ['lone CR line ends', `OTHER=1\rATLAS_SECRET="${SECRET}"\r`, SECRET],
    ['a BOM before the first line', `\uFEFFATLAS_SECRET=${SECRET}\n`, SECRET],
    ['YAML style', `ATLAS_SECRET: ${SECRET}\n`, SECRET],
    ['multi-line double quotes', `ATLAS_SECRET="${cut('\n')}"\nNEXT=1\n`, cut('\n')],
    ['\\n in double quotes', `ATLAS_SECRET="${cut('\\n')}"\n`, cut('\n')],
    ['\\n in single quotes stays', `ATLAS_SECRET='${cut('\\n')}'\n`, cut('\\n')],
    ['the last definition wins', `ATLAS_SECRET=${OTHER_SECRET}\nATLAS_SECRET=${SECRET}\n`, SECRET, /^note: ATLAS_SECRET is defined 2 times in the file \(lines 1, 2\): the last one counts\n$/],
    ['# ends an unquoted value', `ATLAS_SECRET=${SECRET}#comment\n`, SECRET, /^note: the value on line 1 is not quoted and has a # right after it/],
    ['${VAR} expanded', `HALF=${SECRET.slice(12)}\nATLAS_SECRET=${SECRET.slice(0, 12)}\${HALF}\n`, SECRET, /^note: the value on line 2 has a \$ that Next.js reads as a reference/],
    ['\\$ is a literal $', `ATLAS_SECRET=${cut('\\$')}\n`, cut('$')],
  ]
  for (const [name, text, secret, note] of files) {
    it(`${name}${note ? ', with a note on stderr' : ''}`, async () => {
      const file = envFile(`${name.replace(/\W+/g, '-')}.env`, text)
      const hash = await run(['hash', 'user_7', '--dotenv', file])
      assert.deepEqual([hash.status, hash.stdout], [0, `${hmac(secret, 'user_7')}\n`])
      if (note) assert.match(hash.stderr, note)
      else assert.equal(hash.stderr, '')
    })
  }

  it('verify reads it too', async () => {
    const file = envFile('verify.env', `export ATLAS_SECRET="${SECRET}" # c\r\n`)
    const verify = await run(['verify', 'user_7', hmac(SECRET, 'user_7'), '--dotenv', file])
    assert.deepEqual([verify.status, verify.stdout, verify.stderr], [0, 'ok\n', ''])
  })

  it('doctor notes a $ that Next.js expands and a # that cuts the value', async () => {
    const file = envFile('surprises.env', `ATLAS_SECRET=${SECRET}$Zz#tail\n`)
    const { status, json } = await runJson(['doctor', '--dotenv', file])
    assert.equal(status, 0)
    assert.equal(json.fingerprint, fingerprint(SECRET))
    assert.deepEqual(json.source, { kind: 'env-file', path: file, line: 1, wins: 'file' })
    for (const part of ['has a $', 'has a # right after it']) {
      assert.ok(json.notes.some((n) => n.includes(part)), `no note with ${part}: ${json.notes.join('\n')}`)
    }
  })

  it('a NEXT_PUBLIC_ATLAS_SECRET in the file: ERR_ATLAS_SECRET_PUBLIC from hash, verify and doctor, naming the file', async () => {
    const file = envFile('public-in-file.env', `NEXT_PUBLIC_ATLAS_SECRET=x\nATLAS_SECRET=${SECRET}\n`)
    for (const args of [['hash', 'u'], ['verify', 'u', hmac(SECRET, 'u')]]) {
      assertFails(await run([...args, '--dotenv', file]), 'ERR_ATLAS_SECRET_PUBLIC', /NEXT_PUBLIC_ATLAS_SECRET is defined in .*public-in-file\.env: .*Rename the variable to ATLAS_SECRET, rotate the secret in Atlas, and redeploy\n$/)
    }
    const doctor = await runJson(['doctor', '--dotenv', file])
    assert.deepEqual([doctor.status, doctor.json.ok, doctor.json.code], [2, false, 'ERR_ATLAS_SECRET_PUBLIC'])
    assert.deepEqual(doctor.json.publicCopies, [{ variable: 'NEXT_PUBLIC_ATLAS_SECRET', file, modes: [] }])
  })

  it('a file without ATLAS_SECRET, and none in the environment: ERR_ATLAS_SECRET_MISSING naming the file', async () => {
    const file = envFile('none.env', 'OTHER=1\n')
    assertFails(await run(['hash', 'u', '--dotenv', file]), 'ERR_ATLAS_SECRET_MISSING', /none\.env is not set/)
  })
})

describe('--secret-stdin', parallel, () => {
  for (const [name, input] of [['echo\'s \\n', `${SECRET}\n`], ['a \\r\\n', `${SECRET}\r\n`], ['no line end', SECRET]]) {
    it(`removes one final line end: ${name}`, async () => {
      const result = await run(['hash', 'user_1', '--secret-stdin'], { input })
      assert.deepEqual([result.status, result.stdout], [0, `${hmac(SECRET, 'user_1')}\n`])
    })
  }

  it('keeps anything more, which is then an invalid secret', async () => {
    assertFails(await run(['hash', 'u', '--secret-stdin'], { input: `${SECRET}\n\n` }), 'ERR_ATLAS_SECRET_INVALID', /standard input ends with a newline/)
  })

  it('wins over ATLAS_SECRET, and verify reads it too', async () => {
    const result = await run(['verify', 'u', hmac(OTHER_SECRET, 'u'), '--secret-stdin'], { input: `${OTHER_SECRET}\n`, ...withSecret })
    assert.deepEqual([result.status, result.stdout], [0, 'ok\n'])
  })

  it('empty input: ERR_ATLAS_SECRET_MISSING', async () => {
    assertFails(await run(['hash', 'u', '--secret-stdin']), 'ERR_ATLAS_SECRET_MISSING', /standard input is empty/)
  })
})

describe('verify', parallel, () => {
  const hash = hmac(SECRET, 'user_1')

  for (const [name, given] of [['lower-case', hash], ['upper-case', hash.toUpperCase()], ['with whitespace around', ` ${hash}\n`]]) {
    it(`prints ok and exits 0 on a match: ${name}`, async () => {
      const result = await run(['verify', 'user_1', given], withSecret)
      assert.deepEqual([result.status, result.stdout, result.stderr], [0, 'ok\n', ''])
    })
  }

  it('prints mismatch and exits 1 for another secret\'s hash, with a hint on stderr', async () => {
    const result = await run(['verify', 'user_1', hmac(OTHER_SECRET, 'user_1')], withSecret)
    assert.deepEqual([result.status, result.stdout], [1, 'mismatch\n'])
    assert.match(result.stderr, /^note: it is not the hash of this id under this secret.*doctor/)
  })

  it('numeric ids compare as their text', async () => {
    assert.equal((await run(['verify', '123', hmac(SECRET, 123)], withSecret)).stdout, 'ok\n')
    assert.equal((await run(['verify', '0123', hmac(SECRET, 123)], withSecret)).stdout, 'mismatch\n')
  })

  const notHashes = [['abc', /has 3 characters\n/], [hash.slice(0, 63), /has 63 characters\n/], [`${hash.slice(0, 63)}g`, /has 64 characters, 1 of them not hex digits/]]
  for (const [given, detail] of notHashes) {
    it(`a hash that is not 64 hex digits is a mismatch, and it says so: ${detail.source}`, async () => {
      const result = await run(['verify', 'user_1', given], withSecret)
      assert.deepEqual([result.status, result.stdout], [1, 'mismatch\n'])
      assert.match(result.stderr, /^note: the hash given is not a user hash: a user hash is 64 hex digits/)
      assert.match(result.stderr, detail)
    })
  }

  it('recognises a hash made with an empty secret, or with the secret and a newline', async () => {
    const empty = await run(['verify', 'user_1', hmac('', 'user_1')], withSecret)
    assert.deepEqual([empty.status, empty.stdout], [1, 'mismatch\n'])
    assert.match(empty.stderr, /EMPTY secret/)
    const newline = await run(['verify', 'user_1', hmac(`${SECRET}\n`, 'user_1')], withSecret)
    assert.match(newline.stderr, /made with this secret followed by a newline/)
  })

  it('--json prints { ok, result, userId, source, notes }', async () => {
    const match = await runJson(['verify', 'user_1', hash], withSecret)
    assert.deepEqual([match.status, match.json], [0, { ok: true, result: 'ok', userId: 'user_1', source: { kind: 'env', variable: 'ATLAS_SECRET' }, notes: [] }])
    const mismatch = await runJson(['verify', 'user_1', 'nope'], withSecret)
    assert.deepEqual([mismatch.status, mismatch.stderr], [1, ''])
    assert.deepEqual({ ...mismatch.json, notes: mismatch.json.notes.length }, { ok: false, result: 'mismatch', userId: 'user_1', source: { kind: 'env', variable: 'ATLAS_SECRET' }, notes: 1 })
  })
})

describe('doctor', parallel, () => {
  it('a good secret: fine, its length and fingerprint, exit 0', async () => {
    const result = await run(['doctor'], withSecret)
    assert.deepEqual([result.status, result.stderr], [0, ''])
    assert.deepEqual(result.stdout.split('\n').slice(0, 4), [
      'secret:      ATLAS_SECRET in the environment',
      'status:      fine',
      `length:      ${SECRET.length} characters`,
      `fingerprint: ${fingerprint(SECRET)}`,
    ])
  })

  it('--json for a good secret', async () => {
    const { status, json } = await runJson(['doctor'], withSecret)
    assert.equal(status, 0)
    assert.deepEqual({ ...json, runtime: typeof json.runtime }, {
      ok: true, status: 'fine', code: null, problem: null, source: { kind: 'env', variable: 'ATLAS_SECRET' },
      length: SECRET.length, bytes: SECRET.length, fingerprint: fingerprint(SECRET), withoutWhitespace: null,
      publicCopies: [], checkedFiles: [], runtime: 'object', notes: [],
    })
  })

  it('the fingerprint is the same from all three sources, and differs for another secret', async () => {
    const file = envFile('fingerprint.env', `ATLAS_SECRET="${SECRET}"\n`)
    const sources = await Promise.all([
      runJson(['doctor'], withSecret),
      runJson(['doctor', '--dotenv', file]),
      runJson(['doctor', '--secret-stdin'], { input: `${SECRET}\n` }),
    ])
    assert.deepEqual(sources.map(({ json }) => json.source.kind), ['env', 'env-file', 'stdin'])
    for (const { json } of sources) {
      assert.deepEqual([json.ok, json.status, json.length, json.fingerprint], [true, 'fine', SECRET.length, fingerprint(SECRET)])
    }
    const other = (await runJson(['doctor'], { env: { ATLAS_SECRET: OTHER_SECRET } })).json
    assert.equal(other.fingerprint, fingerprint(OTHER_SECRET))
    assert.notEqual(other.fingerprint, fingerprint(SECRET))
  })

  it('unset: says so, exit 2, ERR_ATLAS_SECRET_MISSING, and points at a .env.local beside it', async () => {
    const dir = join(scratch, 'app')
    mkdirSync(dir)
    writeFileSync(join(dir, '.env.local'), 'ATLAS_SECRET=x\n')
    const result = await run(['doctor'], { cwd: dir })
    assert.equal(result.status, 2)
    assert.match(result.stdout, /^secret: {6}ATLAS_SECRET in the environment\nproblem: {5}is not set\n/)
    assert.match(result.stdout, /note: \.env\.local is here: .*check it with --dotenv \.env\.local/)
    assert.match(result.stderr, /^atlas-user-hash: ERR_ATLAS_SECRET_MISSING: ATLAS_SECRET in the environment is not set: /)
    const { json } = await runJson(['doctor'])
    assert.deepEqual([json.ok, json.status, json.code, json.length, json.fingerprint], [false, 'unset', 'ERR_ATLAS_SECRET_MISSING', null, null])
  })

  it('empty: exit 2, ERR_ATLAS_SECRET_MISSING, length 0', async () => {
    const result = await runJson(['doctor'], { env: { ATLAS_SECRET: '' } })
    assert.equal(result.status, 2)
    assert.match(result.stderr, /^atlas-user-hash: ERR_ATLAS_SECRET_MISSING: ATLAS_SECRET in the environment is empty: /)
    assert.deepEqual([result.json.status, result.json.length, result.json.fingerprint], ['empty', 0, null])
  })

  const whitespace = [
    ['', '\n', 'ends with a newline (\\n)'],
    ['', '\r\n', 'ends with a carriage return (\\r) and a newline (\\n)'],
    ['', '\r', 'ends with a carriage return (\\r)'],
    ['', ' ', 'ends with a space'],
    ['', '  ', 'ends with 2 spaces'],
    ['', '\t', 'ends with a tab (\\t)'],
    ['\uFEFF', '', 'starts with a byte order mark (BOM, U+FEFF)'],
    ['', '\u00A0', 'ends with a no-break space (U+00A0)'],
    ['\u2003', '', 'starts with a Unicode space (U+2003)'],
    [' ', '\n', 'starts with a space, and ends with a newline (\\n)'],
  ]
  for (const [lead, trail, words] of whitespace) {
    it(`whitespace: ${words}`, async () => {
      const value = `${lead}${SECRET}${trail}`
      const { status, json, stderr } = await runJson(['doctor'], { env: { ATLAS_SECRET: value } })
      assert.equal(status, 2)
      assert.ok(stderr.startsWith(`atlas-user-hash: ERR_ATLAS_SECRET_INVALID: ATLAS_SECRET in the environment ${words}: `), stderr)
      assert.deepEqual(
        [json.ok, json.status, json.code, json.length, json.bytes, json.fingerprint, json.withoutWhitespace],
        [false, 'whitespace', 'ERR_ATLAS_SECRET_INVALID', Array.from(value).length, Buffer.byteLength(value), fingerprint(value),
          { length: SECRET.length, bytes: SECRET.length, fingerprint: fingerprint(SECRET) }],
      )
    })
  }

  it('whitespace, as text: the problem, the fingerprints with and without it', async () => {
    const value = `${SECRET}\r\n`
    const result = await run(['doctor'], { env: { ATLAS_SECRET: value } })
    assert.equal(result.status, 2)
    assert.deepEqual(result.stdout.split('\n').slice(0, 6), [
      'secret:      ATLAS_SECRET in the environment',
      'problem:     ends with a carriage return (\\r) and a newline (\\n)',
      `length:      ${SECRET.length + 2} characters`,
      `fingerprint: ${fingerprint(value)}`,
      `without the whitespace: ${SECRET.length} characters, fingerprint ${fingerprint(SECRET)}`,
      'engine:      native',
    ])
    assert.match(result.stderr, /^atlas-user-hash: ERR_ATLAS_SECRET_INVALID: .*Atlas rejects every hash made with it/)
  })

  it('names its source: the env file\'s path and line, stdin and the newline it removed', async () => {
    const file = envFile('named.env', `\n\nATLAS_SECRET=${SECRET}\n`)
    assert.ok((await run(['doctor', '--dotenv', file])).stdout.startsWith(`secret:      ATLAS_SECRET in ${file} (line 3)\n`))
    const stdin = await run(['doctor', '--secret-stdin'], { input: `${SECRET}\n` })
    assert.match(stdin.stdout, /^secret: {6}the secret on standard input\n/)
    assert.match(stdin.stdout, /note: standard input ended with a newline \(\\n\), which was removed/)
    assert.equal((await runJson(['doctor', '--secret-stdin'], { input: SECRET })).json.source.finalNewlineRemoved, false)
  })

  it('a pasted line end on stdin is reported when echo added its own', async () => {
    const result = await run(['doctor', '--secret-stdin'], { input: `${SECRET}\r\n\n` })
    assert.equal(result.status, 2)
    assert.match(result.stdout, /problem: {5}ends with a carriage return \(\\r\) and a newline \(\\n\)/)
  })

  it('notes a secret the package accepts but that looks pasted wrong', async () => {
    const quoted = (await runJson(['doctor'], { env: { ATLAS_SECRET: `"${SECRET}"` } }))
    assert.equal(quoted.status, 0)
    assert.ok(quoted.json.notes.some((n) => n.includes('starts and ends with a quote')), quoted.json.notes.join('\n'))
    const line = (await runJson(['doctor'], { env: { ATLAS_SECRET: `ATLAS_SECRET=${SECRET}` } })).json
    assert.ok(line.notes.some((n) => n.includes('whole .env line was pasted')), line.notes.join('\n'))
  })
})

/** A folder in the scratch space holding these .env files, as a Next.js app's folder would. */
function appWith(name, files) {
  const dir = join(scratch, name)
  mkdirSync(dir)
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
  return dir
}

describe('doctor: a public copy of the secret (issue 24)', parallel, () => {
  const publicProblem = /^atlas-user-hash: ERR_ATLAS_SECRET_PUBLIC: .*Remove the variable \(keep only ATLAS_SECRET, read on the server\), rotate the secret in Atlas, and redeploy\n$/

  it('a NEXT_PUBLIC_, VITE_, PUBLIC_ or EXPO_PUBLIC_ variable equal to the secret in the environment: named, exit 2', async () => {
    for (const variable of ['NEXT_PUBLIC_ATLAS_KEY', 'VITE_ATLAS', 'PUBLIC_SECRET', 'EXPO_PUBLIC_X']) {
      const result = await run(['doctor'], { env: { ATLAS_SECRET: SECRET, [variable]: SECRET } })
      assert.equal(result.status, 2, result.stderr)
      assert.match(result.stdout, new RegExp(`\\npublic: {6}${variable} in the environment\\n`))
      assert.match(result.stderr, publicProblem)
      assert.ok(result.stderr.includes(variable))
    }
  })

  it('in the .env files Next.js loads, expanded as Next.js expands them, with the modes that load each', async () => {
    const app = appWith('public-app', {
      '.env.local': `ATLAS_SECRET=${SECRET}\nNEXT_PUBLIC_ATLAS_KEY=$ATLAS_SECRET\nNEXT_PUBLIC_OTHER=not-the-secret\n`,
      '.env.production': `PUBLIC_KEY="${SECRET}"\n`,
      '.env.development.local': `EXPO_PUBLIC_KEY=${SECRET}\n`,
      '.env.test': `VITE_KEY=${SECRET}\n`, // next dev, build and start never load .env.test
    })
    const { status, json, stderr } = await runJson(['doctor'], { cwd: app })
    assert.equal(status, 2)
    assert.deepEqual([json.status, json.code], ['unset', 'ERR_ATLAS_SECRET_MISSING'], 'the secret itself is not in the environment')
    assert.deepEqual(json.publicCopies, [
      { variable: 'NEXT_PUBLIC_ATLAS_KEY', file: '.env.local', modes: ['production', 'development'] },
      { variable: 'PUBLIC_KEY', file: '.env.production', modes: ['production'] },
      { variable: 'EXPO_PUBLIC_KEY', file: '.env.development.local', modes: ['development'] },
    ])
    assert.deepEqual(json.checkedFiles.sort(), ['.env.development.local', '.env.local', '.env.production'])
    assert.match(stderr, /ERR_ATLAS_SECRET_MISSING/)
    const withSecretSet = await run(['doctor'], { cwd: app, env: { ATLAS_SECRET: SECRET } })
    assert.equal(withSecretSet.status, 2)
    assert.match(withSecretSet.stdout, /\npublic: {6}NEXT_PUBLIC_ATLAS_KEY in \.env\.local \(loaded by Next\.js in production and development\)\n/)
    assert.match(withSecretSet.stderr, publicProblem)
  })

  it('a copy with whitespace around it counts; another value, or a public name with no secret, does not', async () => {
    const padded = await run(['doctor'], { env: { ATLAS_SECRET: SECRET, VITE_KEY: ` ${SECRET}\n` } })
    assert.match(padded.stderr, /ERR_ATLAS_SECRET_PUBLIC: .*VITE_KEY in the environment/)
    const app = appWith('public-fine', { '.env': `NEXT_PUBLIC_KEY=${OTHER_SECRET}\nNEXT_PUBLIC_EMPTY=\n` })
    const fine = await runJson(['doctor'], { cwd: app, env: { ATLAS_SECRET: SECRET, VITE_EMPTY: '' }, secrets: [OTHER_SECRET] })
    assert.deepEqual([fine.status, fine.json.ok, fine.json.publicCopies, fine.json.checkedFiles], [0, true, [], ['.env']])
  })

  it('NEXT_PUBLIC_ATLAS_SECRET set at all: flagged by doctor, refused by hash and verify', async () => {
    const env = { ATLAS_SECRET: SECRET, NEXT_PUBLIC_ATLAS_SECRET: 'anything' }
    const doctor = await runJson(['doctor'], { env })
    assert.deepEqual([doctor.status, doctor.json.code, doctor.json.publicCopies], [2, 'ERR_ATLAS_SECRET_PUBLIC', [{ variable: 'NEXT_PUBLIC_ATLAS_SECRET', file: null, modes: [] }]])
    assertFails(await run(['hash', 'u'], { env }), 'ERR_ATLAS_SECRET_PUBLIC', /NEXT_PUBLIC_ATLAS_SECRET is set in this environment: .*rotate the secret in Atlas, and redeploy\n$/)
    assertFails(await run(['verify', 'u', hmac(SECRET, 'u')], { env }), 'ERR_ATLAS_SECRET_PUBLIC')
    const app = appWith('public-name', { '.env.local': 'NEXT_PUBLIC_ATLAS_SECRET=something-else\n' })
    const inFile = await runJson(['doctor'], { cwd: app, env: { ATLAS_SECRET: SECRET } })
    assert.deepEqual([inFile.status, inFile.json.publicCopies], [2, [{ variable: 'NEXT_PUBLIC_ATLAS_SECRET', file: '.env.local', modes: ['production', 'development'] }]])
  })

  it('an empty NEXT_PUBLIC_ATLAS_SECRET exposes nothing: hash, verify and doctor accept it, as the package does', async () => {
    const env = { ATLAS_SECRET: SECRET, NEXT_PUBLIC_ATLAS_SECRET: '' }
    const hashed = await run(['hash', 'u'], { env })
    assert.deepEqual([hashed.status, hashed.stdout], [0, `${hmac(SECRET, 'u')}\n`])
    assert.equal((await run(['verify', 'u', hmac(SECRET, 'u')], { env })).status, 0)
    const file = envFile('public-empty.env', `NEXT_PUBLIC_ATLAS_SECRET=\nATLAS_SECRET=${SECRET}\n`)
    assert.equal((await run(['hash', 'u', '--dotenv', file])).status, 0)
    const doctor = await runJson(['doctor', '--dotenv', file], { env })
    assert.deepEqual([doctor.status, doctor.json.ok, doctor.json.publicCopies], [0, true, []])
    for (const where of ['in the environment', `in ${file}`]) {
      assert.ok(doctor.json.notes.includes(`NEXT_PUBLIC_ATLAS_SECRET is empty ${where}: that exposes nothing, and the package ignores it; remove it all the same`), doctor.json.notes.join('\n'))
    }
  })

  it('a public copy in the --dotenv file is named by its path', async () => {
    const file = envFile('public-dotenv.env', `ATLAS_SECRET=${SECRET}\nVITE_ATLAS=\${ATLAS_SECRET}\n`)
    const { status, json } = await runJson(['doctor', '--dotenv', file])
    assert.deepEqual([status, json.code, json.publicCopies], [2, 'ERR_ATLAS_SECRET_PUBLIC', [{ variable: 'VITE_ATLAS', file, modes: [] }]])
  })
})

describe('doctor: what a support request needs (issue 24)', parallel, () => {
  const expected = expectedPackage()

  it('--json: the engine, the expected platform package and whether it is installed, libc, Node and package versions', async () => {
    const { status, json } = await runJson(['doctor'], withSecret)
    assert.equal(status, 0)
    assert.deepEqual(json.runtime, {
      engine: 'native',
      engineError: null,
      expectedPackage: { packageName: expected.packageName, os: expected.os, cpu: expected.cpu, libc: expected.libc },
      installed: true,
      installedVersion: pkg.version,
      wasmPackageInstalled: false,
      forceWasi: null,
      localBuild: false,
      libc: expected.libc,
      node: process.versions.node,
      packageVersion: pkg.version,
      causes: [],
    })
  })

  it('as text', async () => {
    const result = await run(['doctor'], withSecret)
    const platform = [expected.os, expected.cpu, expected.libc].filter(Boolean).join(' ')
    for (const line of ['engine:      native', `platform:    ${platform}: needs ${expected.packageName}, installed (${pkg.version})`, `node:        ${process.versions.node}`, `package:     atlas-user-hash ${pkg.version}`]) {
      assert.ok(result.stdout.split('\n').includes(line), `no line ${line}:\n${result.stdout}`)
    }
  })

  it('with the platform package removed: the missing package, the known causes and their fixes, exit 2', { skip: WIN && 'runs the broken project\'s command through bash' }, async () => {
    const broken = join(scratch, 'project-without-binary')
    cpSync(project, broken, { recursive: true, verbatimSymlinks: true })
    rmSync(join(broken, 'node_modules', expected.packageName), { recursive: true })
    const bash = `node "${join(broken, 'node_modules', pkg.name, pkg.bin['atlas-user-hash'])}" doctor`
    const { status, stdout, stderr } = await run([], { bash: `${bash} --json`, ...withSecret })
    const json = JSON.parse(stdout)
    assert.equal(status, 2)
    assert.deepEqual([json.ok, json.status, json.code], [false, 'fine', 'ERR_ATLAS_BINDING_NOT_FOUND'])
    assert.deepEqual([json.runtime.engine, json.runtime.engineError.code, json.runtime.installed, json.runtime.expectedPackage.packageName], [null, 'ERR_ATLAS_BINDING_NOT_FOUND', false, expected.packageName])
    const causes = json.runtime.causes.map(({ cause, fix }) => `${cause} ${fix}`).join('\n')
    for (const part of ['https://github.com/npm/cli/issues/4828', 'delete node_modules and package-lock.json', '--omit=optional', 'another OS', 'supportedArchitectures']) assert.ok(causes.includes(part), `no ${part} in\n${causes}`)
    assert.match(stderr, new RegExp(`^atlas-user-hash: ERR_ATLAS_BINDING_NOT_FOUND: no hash engine loads here .*install ${expected.packageName}`))
    const text = await run([], { bash, ...withSecret })
    assert.equal(text.status, 2)
    assert.match(text.stdout, /\nengine: {6}none \(ERR_ATLAS_BINDING_NOT_FOUND: /)
    assert.match(text.stdout, new RegExp(`needs ${expected.packageName}, not installed\\n`))
    assert.match(text.stdout, /\ncause\? {7}npm's optional-dependencies bug \(https:\/\/github\.com\/npm\/cli\/issues\/4828\)\. Fix: delete node_modules and package-lock\.json, then run `npm install` again/)
  })
  it('NAPI_RS_FORCE_WASI=1 without the wasm package: no engine, exit 2, and the first cause says what the variable asks for', async () => {
    const { status, json, stderr } = await runJson(['doctor'], { env: { ATLAS_SECRET: SECRET, NAPI_RS_FORCE_WASI: '1' } })
    assert.deepEqual([status, json.code, json.runtime.engine, json.runtime.forceWasi, json.runtime.wasmPackageInstalled], [2, 'ERR_ATLAS_BINDING_NOT_FOUND', null, '1', false])
    assert.match(json.runtime.causes[0].cause, /^NAPI_RS_FORCE_WASI=1 is set: .*atlas-user-hash-wasm32-wasi/)
    assert.match(json.runtime.causes[0].fix, /npm install --force atlas-user-hash-wasm32-wasi.*or unset NAPI_RS_FORCE_WASI/)
    assert.doesNotMatch(stderr, /install atlas-user-hash-linux/, 'the native package is not what is missing')
    const text = await run(['doctor'], { env: { ATLAS_SECRET: SECRET, NAPI_RS_FORCE_WASI: '1' } })
    assert.match(text.stdout, /\nforce wasi: {2}NAPI_RS_FORCE_WASI=1; atlas-user-hash-wasm32-wasi not installed\n/)
  })
})

describe('the command where its folder or file is not what it expects (issue 25)', parallel, () => {
  const gone = (command) => `d=$(mktemp -d) && cd "$d" && rmdir "$d" && ${command}`

  it('a deleted working directory: ERR_ATLAS_WORKING_DIRECTORY, exit 2, no stack', { skip: POSIX }, async () => {
    for (const command of ['"$BIN" doctor', '"$BIN" hash u', '"$BIN" verify u x', '"$BIN" hash u --dotenv .env.local', '"$BIN" doctor --secret-stdin </dev/null']) {
      const result = await run([], { bash: gone(command), ...withSecret })
      assertFails(result, 'ERR_ATLAS_WORKING_DIRECTORY', /the working directory cannot be read \(ENOENT\): it was deleted or replaced .*cd "\$PWD"/)
    }
  })

  it('a deleted working directory, with --json: the JSON error; --version and --help still answer', { skip: POSIX }, async () => {
    const json = await run([], { bash: gone('"$BIN" doctor --json'), ...withSecret })
    assert.equal(json.status, 2)
    assert.equal(JSON.parse(json.stdout).error.code, 'ERR_ATLAS_WORKING_DIRECTORY')
    const version = await run([], { bash: gone('"$BIN" --version') })
    assert.deepEqual([version.status, version.stdout], [0, `${pkg.version}\n`])
    assert.equal((await run([], { bash: gone('"$BIN" --help') })).status, 0)
  })

  const deviceError = /cannot read the .*: it is a character device, not a regular file or a FIFO: Next\.js skips such a file/
  it('--dotenv /dev/zero, /dev/null, /dev/urandom: ERR_ATLAS_ENV_FILE, exit 2, at once', { skip: POSIX }, async () => {
    for (const device of ['/dev/zero', '/dev/null', '/dev/urandom']) {
      // Not --env-file: Node.js itself reads that file before the command starts, and reads /dev/zero without end.
      for (const args of [['hash', 'u', '--dotenv', device], ['doctor', '-e', device], ['verify', 'u', 'x', `--dotenv=${device}`]]) {
        const result = await run(args, { timeout: 10_000 })
        assertFails(result, 'ERR_ATLAS_ENV_FILE', deviceError)
      }
    }
  })

  it('.env.local symlinked to a device: refused by --dotenv .env.local and by doctor\'s search of the folder', { skip: POSIX }, async () => {
    const app = join(scratch, 'device-app')
    mkdirSync(app)
    symlinkSync('/dev/zero', join(app, '.env.local'))
    assertFails(await run(['hash', 'u', '--dotenv', '.env.local'], { cwd: app, timeout: 10_000 }), 'ERR_ATLAS_ENV_FILE', deviceError)
    const doctor = await run(['doctor'], { cwd: app, timeout: 10_000, ...withSecret })
    assert.equal(doctor.status, 2)
    assert.match(doctor.stderr, /^atlas-user-hash: ERR_ATLAS_ENV_FILE: cannot read the .*device-app\/\.env\.local: it is a character device/)
    // A link to nothing is no file at all: Next.js skips it, and so does the search.
    const dangling = join(scratch, 'dangling-app')
    mkdirSync(dangling)
    symlinkSync(join(dangling, 'nowhere'), join(dangling, '.env'))
    assert.equal((await run(['doctor'], { cwd: dangling, ...withSecret })).status, 0)
  })

  it(`a FIFO may deliver up to 1 MiB: one that does not stop is refused (ERR_ATLAS_ENV_FILE, exit 2), one just under works`, { skip: POSIX }, async () => {
    const endless = await run([], { bash: '"$BIN" hash u --dotenv <(yes ATLAS_SECRET=x)', timeout: 20_000 })
    assertFails(endless, 'ERR_ATLAS_ENV_FILE', /: it is a FIFO that delivered more than 1 MiB, which no \.env file is: this command stops there\n$/)
    const script = (bytes) => `"$BIN" hash u --dotenv <(head -c ${bytes} /dev/zero | tr '\\0' '\\n'; printf 'ATLAS_SECRET=%s\\n' "$S")`
    const under = await run([], { bash: script(1024 * 1024 - 64), env: { S: SECRET }, timeout: 20_000 })
    assert.deepEqual([under.status, under.stdout], [0, `${hmac(SECRET, 'u')}\n`], under.stderr)
    assertFails(await run([], { bash: script(1024 * 1024), env: { S: SECRET }, timeout: 20_000 }), 'ERR_ATLAS_ENV_FILE', /more than 1 MiB/)
  })

  it('a FIFO among the folder\'s .env files: doctor does not wait for a writer, and reads a --dotenv FIFO once', { skip: POSIX }, async () => {
    const app = join(scratch, 'fifo-app')
    mkdirSync(app)
    execFileSync('mkfifo', [join(app, '.env.local')])
    const alone = await runJson(['doctor'], { cwd: app, timeout: 15_000, ...withSecret })
    assert.deepEqual([alone.status, alone.json.checkedFiles], [0, []])
    assert.ok(alone.json.notes.some((note) => note.startsWith('.env.local is a FIFO: not read here')), alone.json.notes.join('\n'))
    const bash = `{ printf 'ATLAS_SECRET=%s\\nVITE_K=%s\\n' "$S" "$S" > .env.local & } && w=$! && timeout 10 "$BIN" doctor --dotenv .env.local --json; s=$?; kill $w 2>/dev/null; exit $s`
    const once = await run([], { bash, cwd: app, env: { S: SECRET }, timeout: 15_000 })
    const json = JSON.parse(once.stdout)
    assert.deepEqual([once.status, json.fingerprint, json.publicCopies], [2, fingerprint(SECRET), [{ variable: 'VITE_K', file: '.env.local', modes: ['production', 'development'] }]])
  })

  it('a regular file of any size is read whole, as Next.js reads it', async () => {
    const file = envFile('big.env', `${'# padding\n'.repeat(200_000)}ATLAS_SECRET=${SECRET}\n`)
    assert.equal((await run(['hash', 'u', '--dotenv', file])).stdout, `${hmac(SECRET, 'u')}\n`)
  })
})

describe('never from the command line', parallel, () => {
  for (const args of [['hash', 'u', '--secret', SECRET], [`--secret=${SECRET}`, 'doctor'], ['verify', 'u', 'h', '--secret']]) {
    it(`refuses ${args.map((a) => a.replace(SECRET, '<secret>')).join(' ')}`, async () => {
      assertFails(await run(args, withSecret), 'ERR_ATLAS_USAGE', /never taken from the command line.*ps.*history.*ATLAS_SECRET.*--dotenv.*--secret-stdin/)
    })
  }

  it('--json: the refusal is a JSON error too', async () => {
    const { status, json, stderr } = await runJson(['hash', 'u', '--secret', SECRET])
    assert.deepEqual([status, json.ok, json.error.code], [2, false, 'ERR_ATLAS_USAGE'])
    assert.match(stderr, /^atlas-user-hash: ERR_ATLAS_USAGE: /)
  })
})

describe('errors: exit 2, a code and a sentence on stderr', parallel, () => {
  it('an empty id: ERR_ATLAS_INVALID_USER_ID', async () => {
    assertFails(await run(['hash', ''], withSecret), 'ERR_ATLAS_INVALID_USER_ID')
    assertFails(await run(['verify', '', 'x'], withSecret), 'ERR_ATLAS_INVALID_USER_ID')
  })

  it('no secret, or a bad one, for hash and verify; the hint names --dotenv, the option that exists', async () => {
    const missing = await run(['hash', 'u'])
    assertFails(missing, 'ERR_ATLAS_SECRET_MISSING', /ATLAS_SECRET in the environment is not set: .*or check a file with --dotenv\n$/)
    assert.doesNotMatch(missing.stderr, /--env-file/)
    assertFails(await run(['verify', 'u', 'x'], { env: { ATLAS_SECRET: `${SECRET}\n` } }), 'ERR_ATLAS_SECRET_INVALID', /ends with a newline/)
  })

  it('no secret where the app keeps a .env.local: the error points at --dotenv', async () => {
    const dir = join(scratch, 'app-without-env')
    mkdirSync(dir)
    writeFileSync(join(dir, '.env.local'), '')
    assertFails(await run(['hash', 'u'], { cwd: dir }), 'ERR_ATLAS_SECRET_MISSING', /\. \.env\.local is here: .*check it with --dotenv \.env\.local\n$/)
  })

  const usage = [
    [[], /no command given/],
    [['hsah', 'u'], /unknown command/],
    [['hash'], /hash takes <userId>, and got 0 arguments/],
    [['hash', 'a', 'b'], /hash takes <userId>, and got 2 arguments/],
    [['verify', 'u'], /verify takes <userId> <userHash>, and got 1 argument;/],
    [['doctor', 'extra'], /doctor takes no arguments/],
    [['hash', 'u', '--frobnicate'], /unknown option --frobnicate/],
    [['hash', '-42'], /put -- before it/],
    [['hash', 'u', '--env-file'], /--env-file needs a path/],
    [['hash', 'u', '--dotenv', '--secret-stdin'], /--dotenv needs a path/],
    [['hash', 'u', '-e'], /-e needs a path/],
    [['hash', 'u', '--dotenv', 'package.json', '--secret-stdin'], /either --dotenv or --secret-stdin/],
    [['hash', 'u', '--dotenv', 'a.env', '--env-file', 'package.json'], /give one --dotenv/],
    [['hash', 'u', '-e', 'a.env', '-e', 'b.env'], /give one --dotenv/],
    [['hash', 'u', '--secret-stdin=yes'], /--secret-stdin takes no value/],
    [['hash', 'u', `--${SECRET}`], /unknown option \(not repeated here\)/],
  ]
  for (const [args, message] of usage) {
    it(`usage: ${JSON.stringify(args).replace(SECRET, '<secret>')}`, async () => {
      assertFails(await run(args, withSecret), 'ERR_ATLAS_USAGE', message)
    })
  }

  it('--json: { ok: false, error: { code, message } } on stdout, the same on stderr', async () => {
    const { status, json, stderr } = await runJson(['hash', ''], withSecret)
    assert.equal(status, 2)
    assert.deepEqual(Object.keys(json.error), ['code', 'message'])
    assert.equal(json.error.code, 'ERR_ATLAS_INVALID_USER_ID')
    assert.equal(stderr, `atlas-user-hash: ${json.error.code}: ${json.error.message}\n`)
    const doctor = await runJson(['doctor'], { env: { ATLAS_SECRET: ' ' } })
    assert.equal(doctor.json.status, 'whitespace', 'doctor prints its own report, not a second object')
  })
})

describe('--help and --version', parallel, () => {
  for (const args of [['--help'], ['-h'], ['help'], ['hash', '--help']]) {
    it(`${args.join(' ')} prints the usage and exits 0`, async () => {
      const result = await run(args)
      assert.deepEqual([result.status, result.stderr], [0, ''])
      for (const part of ['hash <userId>', 'verify <userId> <userHash>', 'doctor', '--dotenv <path>', '--env-file <path>', '--secret-stdin', 'One final newline', '--json', 'Exit codes']) {
        assert.ok(result.stdout.includes(part), `help lacks ${part}`)
      }
    })
  }

  it('--version and -v print the package version', async () => {
    assert.equal((await run(['--version'])).stdout, `${pkg.version}\n`)
    assert.equal((await run(['-v'])).stdout, `${pkg.version}\n`)
    assert.deepEqual((await runJson(['--version'])).json, { ok: true, version: pkg.version })
  })

  // npx runs the bin through npm's .cmd shim, which Wine 8.0's cmd cannot run (windows.test.mjs).
  const underWine = process.env.ATLAS_WINDOWS_WINE === '1' && "under Wine: its cmd stops at the .cmd shim's goto construct (windows.test.mjs runs the shim)"
  it('npx --offline atlas-user-hash --version works in the project', { skip: underWine }, () => {
    const result = spawnSync('npx', ['--offline', '--cache', join(scratch, 'npm-cache'), 'atlas-user-hash', '--version'], { cwd: project, env: baseEnv, encoding: 'utf8', shell: WIN })
    assert.deepEqual([result.status, result.stdout], [0, `${pkg.version}\n`], result.stderr)
  })
})

// ---------------------------------------------------------------------------------------
// The env file on Node 20, 22 and 24, which read --env-file themselves (issue 18, case 1),
// and a closed standard output (case 4)


/**
 * A bash script that writes an env file into a FIFO from one background writer and runs the
 * command on it with `option`. The command gets 10 s (a hang exits 124), and the writer is
 * killed at the end, should nothing have read it.
 */
const fifoScript = (option) =>
  `d=$(mktemp -d) && mkfifo "$d/f" && { printf 'ATLAS_SECRET=%s\\n' "$S" > "$d/f" 2>/dev/null & } && w=$! && ` +
  `timeout 10 "$BIN" hash u ${option} "$d/f"; s=$?; kill $w 2>/dev/null; rm -r "$d"; exit $s`

for (const node of NODES) {
  const absent = missingNode(node)
  describe(`through ${node.name}`, { ...parallel, skip: !ALL_NODES && absent }, () => {
    const good = `ATLAS_SECRET=${SECRET}\n`
    const hash = `${hmac(SECRET, 'u')}\n`
    const inNode = (options) => ({ node, ...options })

    it('is installed, and runs the command', { skip: POSIX }, async () => {
      assert.equal(absent, false)
      const which = await run([], inNode({ bash: 'command -v node; "$BIN" --version' }))
      assert.equal(which.stdout, `${join(node.dir, 'node')}\n${pkg.version}\n`)
    })

    it('--dotenv <file>, --dotenv=<file>, -e <file>, and --env-file <file> for a regular file', async () => {
      const file = envFile(`regular-${node.name.slice(5, 7)}.env`, good)
      for (const args of [['hash', 'u', '--dotenv', file], ['hash', 'u', `--dotenv=${file}`], ['hash', 'u', '-e', file], ['hash', 'u', '--env-file', file]]) {
        const result = await run(args, inNode())
        assert.deepEqual([result.status, result.stdout, result.stderr], [0, hash, ''], args.join(' '))
      }
    })

    it('--dotenv <(…): process substitution', { skip: POSIX }, async () => {
      const result = await run([], inNode({ bash: `"$BIN" hash u --dotenv <(printf 'ATLAS_SECRET=%s\\n' "$S")`, env: { S: SECRET } }))
      assert.deepEqual([result.status, result.stdout, result.stderr], [0, hash, ''])
    })

    it('--dotenv <FIFO> with one writer, no hang', { skip: POSIX }, async () => {
      const script = fifoScript('--dotenv')
      const result = await run([], inNode({ bash: script, env: { S: SECRET }, timeout: 15_000 }))
      assert.deepEqual([result.status, result.stdout, result.stderr], [0, hash, ''])
    })

    it('--dotenv <unreadable file>: ERR_ATLAS_ENV_FILE, exit 2', { skip: POSIX }, async () => {
      const file = envFile(`unreadable-${node.name.slice(5, 7)}.env`, good)
      chmodSync(file, 0o000)
      assertFails(await run(['hash', 'u', '--dotenv', file], inNode({ unprivileged: true })), 'ERR_ATLAS_ENV_FILE', /cannot read the --dotenv .*unreadable-\d\d\.env: permission denied\n$/)
    })

    it('--dotenv <directory>, and a missing file: ERR_ATLAS_ENV_FILE, exit 2', async () => {
      assertFails(await run(['doctor', '--dotenv', scratch], inNode()), 'ERR_ATLAS_ENV_FILE', /: it is a directory: give the path of a file such as \.env\.local\n$/)
      assertFails(await run(['hash', 'u', '--dotenv', join(scratch, 'missing.env')], inNode(withSecret)), 'ERR_ATLAS_ENV_FILE', /missing\.env: there is no such file\n$/)
    })

    it('--env-file <(…) or <FIFO>: refused (Node drained it), never "not set", never a hang', { skip: POSIX }, async () => {
      const piped = await run([], inNode({ bash: `"$BIN" hash u --env-file <(printf 'ATLAS_SECRET=%s\\n' "$S")`, env: { S: SECRET } }))
      assertFails(piped, 'ERR_ATLAS_USAGE', /--env-file \/dev\/fd\/\d+ is not a regular file: Node\.js reads an --env-file itself .*: use --dotenv instead\n$/)
      const script = fifoScript('--env-file')
      assertFails(await run([], inNode({ bash: script, env: { S: SECRET }, timeout: 15_000 })), 'ERR_ATLAS_USAGE', /use --dotenv instead/)
    })

    it('--env-file <missing file>: Node stops before the command (exit 9), as the README says', async () => {
      const result = await run(['hash', 'u', '--env-file', join(scratch, 'missing.env')], inNode(withSecret))
      assert.deepEqual([result.status, result.stdout], [9, ''])
      assert.match(result.stderr, /missing\.env: not found/)
    })

    it('a closed standard output (read end closed, /dev/full): no error, the exit code of the result', { skip: POSIX }, async () => {
      const cases = [[['verify', 'u', hmac(SECRET, 'u')], 0], [['verify', 'u', hmac(OTHER_SECRET, 'u')], 1], [['hash', 'u'], 0], [['doctor', '--json'], 0]]
      for (const stdout of ['closed', 'full']) {
        for (const [args, status] of cases) {
          const result = await run(args, inNode({ ...withSecret, stdout }))
          assert.equal(result.status, status, `${args.join(' ')} with stdout ${stdout}: ${result.stderr}`)
          assert.doesNotMatch(result.stderr, /ERR_ATLAS|EPIPE|ENOSPC/)
        }
      }
    })
  })
}

// ---------------------------------------------------------------------------------------
// The parser's time grows with the file, not with its square (case 2)

describe('the .env parser, through the command: time about in proportion to the file', () => {
  const files = {
    entries: (n) => `${Array.from({ length: n }, (_, i) => `KEY_${i}=value_${i}`).join('\n')}\nATLAS_SECRET=${SECRET}\n`,
    'blank lines before a # line': (n) => `${'\n'.repeat(n)}# comment\nATLAS_SECRET=${SECRET}\n`,
  }
  const SIZES = [10_000, 20_000, 40_000]
  const ROUNDS = 3
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  for (const [name, make] of Object.entries(files)) {
    it(`${name}: 10k, 20k, 40k, ${ROUNDS} runs each, interleaved; the median for 40k is well under 8 times the one for 10k`, async (t) => {
      const paths = SIZES.map((n) => envFile(`linear-${name.length}-${n}.env`, make(n)))
      // Each run includes Node's start, so a linear reader gives well under 4; a square, 16 for the parse.
      let report
      for (let attempt = 1; attempt <= 3; attempt++) {
        const readings = SIZES.map(() => [])
        for (let round = 0; round < ROUNDS; round++) {
          for (const [i, file] of paths.entries()) {
            const result = await run(['hash', 'u', '--dotenv', file], { timeout: 120_000 })
            assert.deepEqual([result.status, result.stdout], [0, `${hmac(SECRET, 'u')}\n`], result.stderr)
            assert.ok(Number.isFinite(result.ms) && result.ms > 0, `a run of ${result.ms} ms`)
            readings[i].push(result.ms)
          }
        }
        const [t10, t20, t40] = readings.map(median)
        report = `attempt ${attempt}: medians 10k: ${t10.toFixed(0)} ms, 20k: ${t20.toFixed(0)} ms, 40k: ${t40.toFixed(0)} ms (ratio ${(t40 / t10).toFixed(1)}, ${ROUNDS} runs each)`
        t.diagnostic(report)
        if (t40 / t10 < 8) return
      }
      assert.fail(report)
    })
  }
})

// ---------------------------------------------------------------------------------------
// The secret Next.js uses (case 3), checked against @next/env itself

/** What a Next.js app started with `env` gets in process.env.ATLAS_SECRET from this .env text: @next/env, in a child with the oracle's limits. */
function nextJsSecret(text, env = {}) {
  const script = `const { processEnv } = require(${JSON.stringify(require.resolve('@next/env'))})
let failed = false
processEnv([{ path: '.env', contents: require('node:fs').readFileSync(0, 'utf8'), env: {} }], '.', { error: () => { failed = true }, info() {}, warn() {} }, true)
process.stdout.write(JSON.stringify({ failed, value: process.env.ATLAS_SECRET ?? null }))`
  const result = spawnSync(process.execPath, [...ORACLE_FLAGS, '-e', script], { input: text, encoding: 'utf8', env: { ...baseEnv, ...env }, timeout: ORACLE_BATCH_MS })
  assert.equal(result.status, 0, result.stderr)
  return JSON.parse(result.stdout)
}

// Compared with @next/env in child processes, which hung under Windows Node 20 in Wine (its
// expansion recurses without bound on self-references); the parser is the same on every
// platform, and windows.test.mjs checks what differs there.
const nextEnvSkip = WIN && 'the @next/env comparison runs on Linux (it hung under Windows Node 20 in Wine)'

describe('--dotenv: the secret Next.js uses, as @next/env computes it', { ...parallel, skip: nextEnvSkip }, () => {
  const head = SECRET.slice(0, 12)
  const tail = SECRET.slice(12)
  const cases = [
    ['ATLAS_SECRET in the environment wins, and its $VAR is expanded', `ATLAS_SECRET=${OTHER_SECRET}\n`, { ATLAS_SECRET: `${head}$TAIL`, TAIL: tail }, SECRET, 'environment',
      [`Next.js uses the environment's value, and so does this command. The file's own value differs (fingerprint ${fingerprint(OTHER_SECRET)})`, 'the environment\'s ATLAS_SECRET has a $ that Next.js expands']],
    ['… and its ${VAR}, even where the file has the same value', `ATLAS_SECRET=${head}\${TAIL}\n`, { ATLAS_SECRET: `${head}\${TAIL}`, TAIL: tail }, SECRET, 'environment', ['(the file\'s is the same)']],
    ['an environment ATLAS_SECRET, unexpanded, where the file has none', 'OTHER=1\n', { ATLAS_SECRET: `${SECRET}$TAIL`, TAIL: tail }, `${SECRET}$TAIL`, 'environment', ['the file does not define ATLAS_SECRET']],
    ['a NUL character ends the value', `ATLAS_SECRET="${SECRET}\0${OTHER_SECRET}"\n`, {}, SECRET, 'file', [`a NUL character after its first ${SECRET.length} characters`]],
    ['$toString resolves through process.env\'s prototype', `ATLAS_SECRET=${SECRET}$toString\n`, {}, `${SECRET}[object Undefined]`, 'file', ['has a $']],
    ['${constructor} too', `ATLAS_SECRET=${SECRET}\${constructor}\n`, {}, `${SECRET}[object global]`, 'file', ['has a $']],
    ['$__proto__ too', `ATLAS_SECRET=${SECRET}$__proto__\n`, {}, `${SECRET}[object Object]`, 'file', ['has a $']],
  ]
  for (const [name, text, env, expected, wins, notes] of cases) {
    it(name, async () => {
      assert.deepEqual(nextJsSecret(text, env), { failed: false, value: expected }, '@next/env agrees with the expected value')
      const file = envFile(`next-${name.replace(/\W+/g, '-')}.env`, text)
      const doctor = await runJson(['doctor', '--dotenv', file], { env })
      assert.deepEqual([doctor.status, doctor.json.fingerprint, doctor.json.length, doctor.json.source.wins], [0, fingerprint(expected), Array.from(expected).length, wins])
      for (const note of notes) assert.ok(doctor.json.notes.some((n) => n.includes(note)), `no note with ${note}:\n${doctor.json.notes.join('\n')}`)
      const text2 = await run(['doctor', '--dotenv', file], { env })
      assert.match(text2.stdout, wins === 'environment' ? /^secret: {6}ATLAS_SECRET in the environment[ ,]/ : /^secret: {6}ATLAS_SECRET in .* \(line 1\)\n/)
      const hash = await run(['hash', 'u', '--dotenv', file], { env })
      assert.deepEqual([hash.status, hash.stdout], [0, `${hmac(expected, 'u')}\n`])
    })
  }

  it('$hasOwnProperty makes Next.js fail to load the file: ERR_ATLAS_ENV_FILE', async () => {
    const text = `ATLAS_SECRET=${SECRET}$hasOwnProperty\n`
    assert.deepEqual(nextJsSecret(text), { failed: true, value: null })
    const file = envFile('next-fails.env', text)
    assertFails(await run(['doctor', '--dotenv', file]), 'ERR_ATLAS_ENV_FILE', /\$hasOwnProperty in ATLAS_SECRET makes Next\.js fail to load this file \(TypeError: .*\), so it uses none of its values\n$/)
  })
})

// ---------------------------------------------------------------------------------------
// Redaction hides the secret, not the message (case 5)

describe('redaction', parallel, () => {
  it('a path that shares pieces with the secret still gets the whole sentence, and no output holds the secret', async () => {
    const secret = 'newbie-test-secret-4f9a2b'
    const dir = join(scratch, 'redaction')
    mkdirSync(join(dir, 'newbie'), { recursive: true })
    writeFileSync(join(dir, 'newbie', 'bad.env'), `ATLAS_SECRET="${secret}\\n"\n`)
    const file = join(dir, 'newbie', 'bad.env')
    const sentence = `ATLAS_SECRET in ${file} (line 1) ends with a newline (\\n): Atlas rejects every hash made with it, so remove the whitespace from the value`
    for (const command of [['hash', 'u'], ['verify', 'u', hmac(secret, 'u')], ['doctor']]) {
      const result = await run([...command, '--dotenv', 'newbie/bad.env'], { cwd: dir })
      assert.equal(result.status, 2)
      assert.ok(result.stderr.endsWith(`: ${sentence}\n`), result.stderr)
      for (const piece of [secret, secret.slice(6), '4f9a2b']) assert.ok(!`${result.stdout}${result.stderr}`.includes(piece), `${piece} in the output`)
    }
  })
})

// ---------------------------------------------------------------------------------------
// The README's and docs/cli.md's lines, as a Next.js user runs them (case 6)

/** The `npx atlas-user-hash …` lines of the ```sh blocks of a Markdown file. */
function commandLines(file) {
  const text = readFileSync(join(root, file), 'utf8')
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1])
  return blocks.flatMap((block) => block.split('\n')).filter((line) => line.startsWith('npx atlas-user-hash '))
}

for (const doc of ['README.md', 'docs/cli.md']) {
  describe(`${doc}: the debugging lines work in a Next.js app, whose secret is in .env.local`, () => {
    const lines = commandLines(doc)

    it('has the three lines, each with --dotenv .env.local', () => {
      assert.deepEqual(lines.map((line) => line.split(' ')[2]), ['doctor', 'hash', 'verify'])
      for (const line of lines) assert.match(line, / --dotenv \.env\.local /)
    })

    for (const line of lines) {
      it(line.replace(/\s+#.*$/, ''), async () => {
        const app = join(scratch, 'next-app')
        mkdirSync(app, { recursive: true })
        writeFileSync(join(app, '.env.local'), `ATLAS_SECRET=${SECRET}\n`)
        const args = line.replace(/\s+#.*$/, '').split(/\s+/).slice(2).map((arg) => (arg === '3f0c…' ? hmac(SECRET, 'user_100123') : arg))
        const result = await run(args, { cwd: app })
        assert.deepEqual([result.status, result.stderr], [0, ''], args.join(' '))
        if (args[0] === 'hash') assert.equal(result.stdout, `${hmac(SECRET, 'user_100123')}\n`)
      })
    }
  })
}

it('docs/cli.md: doctor\'s text output has the lines its example shows, in that order', async () => {
  const example = /```text\n([\s\S]*?)```/.exec(readFileSync(join(root, 'docs', 'cli.md'), 'utf8'))[1]
  const labels = example.trim().split('\n').map((line) => line.slice(0, line.indexOf(':') + 1))
  const app = join(scratch, 'docs-app')
  mkdirSync(app)
  writeFileSync(join(app, '.env.local'), `\n\nATLAS_SECRET=${SECRET}\n`)
  const { status, stdout } = await run(['doctor', '--dotenv', '.env.local'], { cwd: app })
  assert.equal(status, 0)
  const outputLabels = stdout.split('\n').map((line) => line.slice(0, line.indexOf(':') + 1)).filter((label) => labels.includes(label))
  assert.deepEqual(outputLabels, labels, stdout)
  assert.match(stdout, /^secret: {6}ATLAS_SECRET in .*[\\/]docs-app[\\/]\.env\.local \(line 3\)\n/)
})

// ---------------------------------------------------------------------------------------
// The secret prompt at a terminal (case 7), through a real pseudo-terminal

/**
 * Runs the installed command under `script` (util-linux), so that its standard input is a
 * terminal; types `keys` once the prompt shows. Resolves to `{ status, output }`.
 */
function runInTerminal(args, keys) {
  return new Promise((resolvePromise, reject) => {
    const command = [bin(), ...args].map((arg) => `'${arg}'`).join(' ')
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: project, env: baseEnv, timeout: 20_000 })
    let output = ''
    let typed = false
    child.stdout.setEncoding('utf8').on('data', (text) => {
      output += text
      if (!typed && output.includes('press Enter when done')) {
        typed = true
        child.stdin.write(keys)
      }
    })
    child.stderr.setEncoding('utf8').on('data', (text) => (output += text))
    child.on('error', reject)
    child.on('close', (status) => {
      try {
        assertNoSecret(output, args, SECRETS)
        resolvePromise({ status, output: output.replace(/\r\n/g, '\n') })
      } catch (error) {
        reject(error)
      }
    })
  })
}

describe('--secret-stdin at a terminal', { ...parallel, skip: process.platform !== 'linux' && 'needs util-linux script' }, () => {
  it('reads a typed secret without echo', async () => {
    const { status, output } = await runInTerminal(['doctor', '--secret-stdin'], `${SECRET}\r`)
    assert.equal(status, 0, output)
    assert.match(output, /^ATLAS_SECRET \(typing is not shown; press Enter when done\): \nsecret: {6}the secret typed at the terminal\nstatus: {6}fine\n/)
    assert.match(output, new RegExp(`fingerprint: ${fingerprint(SECRET)}\\n`))
    assert.doesNotMatch(output, /note:/)
  })

  it('warns about a paste of several lines: only the first is the secret', async () => {
    const { status, output } = await runInTerminal(['hash', 'u', '--secret-stdin'], `${SECRET}\r${OTHER_SECRET}\rOTHER=1\r`)
    assert.equal(status, 0, output)
    assert.match(output, new RegExp(`\\n${hmac(SECRET, 'u')}\\nnote: the paste had 2 more lines after the first: only the first line was taken as the secret, and the rest was dropped\\.`))
  })

  it('warns about control characters, such as an arrow key\'s escape sequence', async () => {
    const typed = `${SECRET.slice(0, 8)}\u001b[D${SECRET.slice(8)}`
    const { status, output } = await runInTerminal(['doctor', '--secret-stdin', '--json'], `${typed}\r`)
    assert.equal(status, 0, output)
    const json = JSON.parse(output.slice(output.indexOf('{')))
    assert.equal(json.fingerprint, fingerprint(typed))
    assert.ok(json.notes.some((note) => note.startsWith('the secret typed has 1 control character in it, such as the escape sequences that the arrow keys send')), json.notes.join('\n'))
  })
})

describe('the secret in no output', () => {
  it('was checked in every run above', () => {
    assert.ok(runs > 80, `only ${runs} runs`)
  })
})
