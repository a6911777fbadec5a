// The `atlas-user-hash` command, run as a user gets it: the main package and a platform
// package made from the local build are packed, installed offline into a fresh project,
// and `node_modules/.bin/atlas-user-hash` is spawned. Every result is checked against
// node:crypto, and no output of any run may contain any 6-character piece of a secret.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createHash, createHmac } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const { detectHost, platformSuffix } = require('../lib/load-binding.js')
const { parseEnvText, expandEnvValues } = require('../bin/env-file.js')
const cli = require('../bin/atlas-user-hash.js')

// No English words, and every 6-character piece has a letter past f: none can turn up in
// the help text or in hex output by chance.
const SECRET = 'Qx7vZk2mWp9tLr4nBj8hYc3s'
const OTHER_SECRET = 'Hv3KqZxR8mTj4WpLs9YbNc2g'
const SECRETS = [SECRET, OTHER_SECRET]
const WIN = process.platform === 'win32'

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

/**
 * Runs the installed command with `args`, `env` added to the base environment and `input`
 * on standard input; resolves to `{ status, stdout, stderr }` once it has checked that
 * nothing it printed contains a piece of a secret.
 */
function run(args, { env = {}, input = '', cwd = project } = {}) {
  const [command, prefix] = WIN
    ? [process.execPath, [join(project, 'node_modules', pkg.name, pkg.bin['atlas-user-hash'])]]
    : [join(project, 'node_modules', '.bin', 'atlas-user-hash'), []]
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...prefix, ...args], { cwd, env: { ...baseEnv, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text))
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text))
    child.on('error', reject)
    child.on('close', (status) => {
      try {
        assertNoSecret(`${stdout}${stderr}`, args)
        runs++
        resolvePromise({ status, stdout, stderr })
      } catch (error) {
        reject(error)
      }
    })
    child.stdin.on('error', () => {}) // a command that fails early may close its stdin first
    child.stdin.end(input)
  })
}

function assertNoSecret(output, args) {
  for (const secret of SECRETS) {
    for (let i = 0; i + 6 <= secret.length; i++) {
      const piece = secret.slice(i, i + 6)
      assert.ok(!output.includes(piece), `output of ${JSON.stringify(args)} contains ${JSON.stringify(piece)}:\n${output}`)
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
    assert.equal((await run(['--env-file', file, 'hash', 'u1'])).stdout, `${hmac(SECRET, 'u1')}\n`)
    assert.equal((await run(['hash', `--env-file=${file}`, 'u1'])).stdout, `${hmac(SECRET, 'u1')}\n`)
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

describe('--env-file: ATLAS_SECRET as Next.js reads it', parallel, () => {
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
      const hash = await run(['hash', 'user_7', '--env-file', file])
      assert.deepEqual([hash.status, hash.stdout], [0, `${hmac(secret, 'user_7')}\n`])
      if (note) assert.match(hash.stderr, note)
      else assert.equal(hash.stderr, '')
    })
  }

  it('verify reads it too', async () => {
    const file = envFile('verify.env', `export ATLAS_SECRET="${SECRET}" # c\r\n`)
    const verify = await run(['verify', 'user_7', hmac(SECRET, 'user_7'), '--env-file', file], { env: { ATLAS_SECRET: OTHER_SECRET } })
    assert.deepEqual([verify.status, verify.stdout], [0, 'ok\n'])
  })

  it('the file wins over ATLAS_SECRET in the environment, and doctor says Next.js would not use it', async () => {
    const file = envFile('both.env', `ATLAS_SECRET=${SECRET}\n`)
    const hash = await run(['hash', 'u', '--env-file', file], { env: { ATLAS_SECRET: OTHER_SECRET } })
    assert.equal(hash.stdout, `${hmac(SECRET, 'u')}\n`)
    const { json } = await runJson(['doctor', '--env-file', file], { env: { ATLAS_SECRET: OTHER_SECRET } })
    assert.equal(json.fingerprint, fingerprint(SECRET))
    assert.ok(json.notes.some((n) => n.includes('also set in this environment') && n.includes(fingerprint(OTHER_SECRET))), json.notes.join('\n'))
  })

  it('doctor notes a $ that Next.js expands, a # that cuts the value, and a NEXT_PUBLIC_ secret', async () => {
    const file = envFile('surprises.env', `NEXT_PUBLIC_ATLAS_SECRET=x\nATLAS_SECRET=${SECRET}$Zz#tail\n`)
    const { status, json } = await runJson(['doctor', '--env-file', file])
    assert.equal(status, 0)
    assert.equal(json.fingerprint, fingerprint(SECRET))
    assert.deepEqual(json.source, { kind: 'env-file', path: file, line: 2 })
    for (const part of ['has a $', 'has a # right after it', 'NEXT_PUBLIC_ATLAS_SECRET is defined in the file']) {
      assert.ok(json.notes.some((n) => n.includes(part)), `no note with ${part}: ${json.notes.join('\n')}`)
    }
  })

  it('a file without ATLAS_SECRET: ERR_ATLAS_SECRET_MISSING naming the file', async () => {
    const file = envFile('none.env', 'OTHER=1\n')
    assertFails(await run(['hash', 'u', '--env-file', file], withSecret), 'ERR_ATLAS_SECRET_MISSING', /none\.env is not set/)
  })

  it('a file that does not exist stops the command (Node itself stops first, exit 9, where it reads --env-file after a script)', async () => {
    const result = await run(['hash', 'u', '--env-file', join(scratch, 'missing.env')], withSecret)
    assert.equal(result.stdout, '')
    if (result.status === 9) assert.match(result.stderr, /missing\.env: not found/)
    else assertFails(result, 'ERR_ATLAS_ENV_FILE', /missing\.env: there is no such file/)
  })

  it('a file that cannot be read: ERR_ATLAS_ENV_FILE (in process, past Node\'s own check)', async () => {
    const printed = []
    const io = { out: (t) => printed.push(t), err: (t) => printed.push(t), env: {}, cwd: scratch, stdin: null }
    assert.equal(await cli.main(['hash', 'u', '--env-file', 'missing.env'], io), 2)
    assert.match(printed.join(''), /^atlas-user-hash: ERR_ATLAS_ENV_FILE: cannot read the --env-file .*missing\.env: there is no such file\n$/)
  })
})

describe('--env-file parser (as @next/env 16: dotenv 16.3 parse, then dotenv-expand 10)', () => {
  // Each expected object is what @next/env 16.4.6's processEnv made of the same text, with
  // the same environment.
  const env = { HOME_DIR: '/home/ada', EMPTY: '' }
  const cases = [
    ['A=plain\nB = spaced out  \nexport C=exported\n', { A: 'plain', B: 'spaced out', C: 'exported' }],
    ['# comment\nA=value # comment\nB=value#not-a-comment?\nC="quoted # kept" # comment\n', { A: 'value', B: 'value', C: 'quoted # kept' }],
    ["A='single'\nB=\"double\"\nC=`back`\nD=''\nE=\nF\n", { A: 'single', B: 'double', C: 'back', D: '', E: '' }],
    ['A="line1\\nline2"\nB=\'line1\\nline2\'\nC="tab\\tstays \\"quoted\\""\nD=`x\\ny`\n', { A: 'line1\nline2', B: 'line1\\nline2', C: 'tab\\tstays \\"quoted\\"', D: 'x\\ny' }],
    ['A="first\nsecond"\nB=after\n', { A: 'first\nsecond', B: 'after' }],
    ["A='multi\nline # not a comment\n'\nB=1\n", { A: 'multi\nline # not a comment\n', B: '1' }],
    ['A=one\r\nB="two"\r\nC=three\r\n', { A: 'one', B: 'two', C: 'three' }],
    ['A=old\nA=new\n', { A: 'new' }],
    ['A=  untrimmed "quotes" inside  \n', { A: 'untrimmed "quotes" inside' }],
    ['A="unclosed\nB=next\n', { A: '"unclosed', B: 'next' }],
    ['A="x" trailing\n', { A: '"x" trailing' }],
    ['A: yaml\nB:nospace\n', { A: 'yaml' }],
    ['\uFEFFA=bom\n  export   B = "spaced" \n', { A: 'bom', B: 'spaced' }],
    ['A=x\nB=${A}-$A-${MISSING:-fallback}-$HOME_DIR\n', { A: 'x', B: 'x-x-fallback-/home/ada' }],
    ['A=\\$literal\nB=price$5\nC=a$\nD=${EMPTY:-d}\n', { A: '$literal', B: 'price', C: 'a$', D: 'd' }],
    ["A='$HOME_DIR'\n", { A: '/home/ada' }],
    ['HOME_DIR=from-file\nB=$HOME_DIR\n', { HOME_DIR: '/home/ada', B: '/home/ada' }],
    ['A=$B\nB=b\n', { A: 'b', B: 'b' }],
    ['A=${B:-d}\nB=b\n', { A: 'd', B: 'b' }],
  ]
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => {
      assert.deepEqual(Object.fromEntries(expandEnvValues(parseEnvText(text).values, env)), expected)
    })
  }

  it('keeps a key\'s own value from the file when asked, where Next.js takes the environment\'s', () => {
    const { values } = parseEnvText('HOME_DIR=from-file\n')
    assert.equal(expandEnvValues(values, env, { fileWins: ['HOME_DIR'] }).get('HOME_DIR'), 'from-file')
  })

  it('gives the line of each definition, its quote, and whether a # cut an unquoted value', () => {
    assert.deepEqual(parseEnvText('# c\nA="x"\n\nB=y#z\nexport C=`w`\n').entries, [
      { key: 'A', line: 2, quote: '"', commentCut: false },
      { key: 'B', line: 4, quote: '', commentCut: true },
      { key: 'C', line: 5, quote: '`', commentCut: false },
    ])
  })

  it('throws for references that never finish expanding (Next.js fails to load such a file)', () => {
    assert.throws(() => expandEnvValues(parseEnvText('A=x$A\n').values, {}), /never finish expanding/)
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
    assert.deepEqual(json, {
      ok: true, status: 'fine', code: null, problem: null, source: { kind: 'env', variable: 'ATLAS_SECRET' },
      length: SECRET.length, bytes: SECRET.length, fingerprint: fingerprint(SECRET), withoutWhitespace: null, notes: [],
    })
  })

  it('the fingerprint is the same from all three sources, and differs for another secret', async () => {
    const file = envFile('fingerprint.env', `ATLAS_SECRET="${SECRET}"\n`)
    const sources = await Promise.all([
      runJson(['doctor'], withSecret),
      runJson(['doctor', '--env-file', file]),
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
    assert.match(result.stdout, /note: \.env\.local is here: .*check it with --env-file \.env\.local/)
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
    assert.equal(result.stdout, [
      'secret:      ATLAS_SECRET in the environment',
      'problem:     ends with a carriage return (\\r) and a newline (\\n)',
      `length:      ${SECRET.length + 2} characters`,
      `fingerprint: ${fingerprint(value)}`,
      `without the whitespace: ${SECRET.length} characters, fingerprint ${fingerprint(SECRET)}`,
      '',
    ].join('\n'))
    assert.match(result.stderr, /^atlas-user-hash: ERR_ATLAS_SECRET_INVALID: .*Atlas rejects every hash made with it/)
  })

  it('names its source: the env file\'s path and line, stdin and the newline it removed', async () => {
    const file = envFile('named.env', `\n\nATLAS_SECRET=${SECRET}\n`)
    assert.ok((await run(['doctor', '--env-file', file])).stdout.startsWith(`secret:      ATLAS_SECRET in ${file} (line 3)\n`))
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

describe('never from the command line', parallel, () => {
  for (const args of [['hash', 'u', '--secret', SECRET], [`--secret=${SECRET}`, 'doctor'], ['verify', 'u', 'h', '--secret']]) {
    it(`refuses ${args.map((a) => a.replace(SECRET, '<secret>')).join(' ')}`, async () => {
      assertFails(await run(args, withSecret), 'ERR_ATLAS_USAGE', /never taken from the command line.*ps.*history.*ATLAS_SECRET.*--env-file.*--secret-stdin/)
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

  it('no secret, or a bad one, for hash and verify', async () => {
    assertFails(await run(['hash', 'u']), 'ERR_ATLAS_SECRET_MISSING', /ATLAS_SECRET in the environment is not set/)
    assertFails(await run(['verify', 'u', 'x'], { env: { ATLAS_SECRET: `${SECRET}\n` } }), 'ERR_ATLAS_SECRET_INVALID', /ends with a newline/)
  })

  it('no secret where the app keeps a .env.local: the error points at --env-file', async () => {
    const dir = join(scratch, 'app-without-env')
    mkdirSync(dir)
    writeFileSync(join(dir, '.env.local'), '')
    assertFails(await run(['hash', 'u'], { cwd: dir }), 'ERR_ATLAS_SECRET_MISSING', /\. \.env\.local is here: .*check it with --env-file \.env\.local\n$/)
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
    [['hash', 'u', '--env-file', 'package.json', '--secret-stdin'], /either --env-file or --secret-stdin/],
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
      for (const part of ['hash <userId>', 'verify <userId> <userHash>', 'doctor', '--env-file <path>', '--secret-stdin', 'One final newline', '--json', 'Exit codes']) {
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

describe('the secret in no output', () => {
  it('was checked in every run above', () => {
    assert.ok(runs > 80, `only ${runs} runs`)
  })
})
