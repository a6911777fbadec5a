#!/usr/bin/env node
'use strict'

// The `atlas-user-hash` command: the user hash of an id, a check of a hash, and a check of
// the secret (`doctor`), for the person debugging an "identity verification failed".
// It never prints the secret or any part of it, and never takes it from the command line.
// Run `atlas-user-hash --help` for the commands, the secret sources and the exit codes.

const { createHash, createHmac } = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { parseArgs } = require('node:util')

const { parseEnvText, readLikeNextJs, withoutVariable, EnvFileError } = require('./env-file.js')
const { readHiddenLine } = require('./prompt.js')
const { hideWholeSecrets, redactSecrets } = require('./redact.js')

const EXIT_OK = 0
const EXIT_MISMATCH = 1
const EXIT_ERROR = 2

const SECRET_VAR = 'ATLAS_SECRET'
const PUBLIC_SECRET_VAR = 'NEXT_PUBLIC_ATLAS_SECRET'
// A fingerprint is SHA-256 over this label and the secret's UTF-8 bytes, cut to 12 hex
// digits. The label keeps it apart from any other SHA-256 of the secret; "v1" lets a later
// version change the recipe without two versions' fingerprints being mistaken for each other.
const FINGERPRINT_LABEL = 'atlas-user-hash fingerprint v1\0'
const FINGERPRINT_HEX_DIGITS = 12
// The files a Next.js app reads, for the hint when ATLAS_SECRET is not set in the shell.
const NEXT_ENV_FILES = ['.env.local', '.env.production.local', '.env.development.local', '.env.production', '.env.development', '.env']

// `--dotenv` is the env-file option's name because Node.js never reads it: Node 20 to 24
// take `--env-file` from anywhere on the command line, even after the script's name, and
// read that file before the command starts. `--env-file` stays, for regular files only.
const OPTIONS = {
  dotenv: { type: 'string', short: 'e' },
  'env-file': { type: 'string' },
  'secret-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
}
const ENV_FILE_OPTIONS = ['dotenv', 'env-file']
const COMMANDS = { hash: ['userId'], verify: ['userId', 'userHash'], doctor: [], help: [] }

const HELP = `atlas-user-hash: Atlas support-chat user hashes, from a terminal

Usage:
  atlas-user-hash hash <userId>               print the user hash of <userId>
  atlas-user-hash verify <userId> <userHash>  print "ok" if <userHash> is the user hash of
                                              <userId> (exit 0), else "mismatch" (exit 1)
  atlas-user-hash doctor                      check the secret: set, not empty, no pasted
                                              whitespace; print its length and a fingerprint

The id is hashed exactly as typed: 123 is the text "123" (as Python's str(123) gives it),
and 00123 is another id. Put -- before an id that starts with "-": hash -- -42.

The secret, from one of (never from the command line: --secret is refused):
  ATLAS_SECRET          the environment variable (the default)
  --dotenv <path>, -e <path>
                        the ATLAS_SECRET a Next.js app started here gets with that file,
                        e.g. .env.local: KEY=value and export KEY=value lines, '…' "…"
                        \`…\` quotes (may span lines), # comments, \\n in "…", $VAR and
                        \${VAR} expanded (\\$ is a "$"). As in Next.js, an ATLAS_SECRET set
                        in the environment wins over the file's (and is expanded then):
                        the command says so. A pipe such as <(…) or a FIFO works too.
  --env-file <path>     the same for a regular file. Node.js 20 to 24 read --env-file
                        themselves, even after the command's name: a missing or unreadable
                        file stops Node with its own error (exit 9) before this command
                        starts, and a pipe is drained. Use --dotenv.
  --secret-stdin        standard input. One final newline (\\n or \\r\\n) is removed, because
                        echo and most files end with one; anything else, a second newline
                        included, is kept and checked. doctor says when it removed one.
                        At a terminal the secret is read without echo, up to Enter, with a
                        warning for a paste of several lines or typed control characters.

Options:
  --json                print one JSON object instead of text
  -h, --help            print this help
  -v, --version         print the version

Exit codes: 0 done (ok, or the secret is fine); 1 verify: mismatch; 2 anything went wrong,
doctor found a problem included: the error's code and what to do go to standard error.
A closed standard output (| head -c0, >/dev/full) changes none of them and prints nothing.

Examples:
  atlas-user-hash doctor --dotenv .env.local
  atlas-user-hash verify user_100123 "$HASH_FROM_THE_PAGE" --dotenv .env.local
  pbpaste | atlas-user-hash doctor --secret-stdin     # the secret Atlas shows, copied
`

/** A failure with a stable code and a sentence that never contains the secret. */
class CliError extends Error {
  constructor(code, message) {
    super(message)
    this.code = code
  }
}

const usageError = (message) => new CliError('ERR_ATLAS_USAGE', `${message}; see atlas-user-hash --help`)

/** Runs the command line `argv` and returns the exit code. Nothing it throws escapes. */
async function main(argv, io) {
  const json = wantsJson(argv)
  // What error messages must not show (see redact.js), and what the user typed, which they may.
  const secrets = [io.env[SECRET_VAR]]
  const typed = [...argv]
  try {
    const request = parseCommandLine(argv)
    if (request.envFile) typed.push(path.resolve(io.cwd, request.envFile.path))
    if (request.help) {
      io.out(HELP)
      return EXIT_OK
    }
    if (request.version) {
      const { version } = require('../package.json')
      io.out(json ? jsonLine({ ok: true, version }) : `${version}\n`)
      return EXIT_OK
    }
    const secret = await readSecret(request, io)
    secrets.push(secret.value, ...(secret.otherSecrets || []))
    const run = { hash: runHash, verify: runVerify, doctor: runDoctor }[request.command]
    return run(request, secret, io)
  } catch (error) {
    reportError(error, { json, secrets, typed }, io)
    return EXIT_ERROR
  }
}

/** Whether `--json` was given before any `--`, for reporting errors in the command line itself. */
function wantsJson(argv) {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}

/**
 * The command, its arguments and options, checked. Messages name options only by their
 * name and never repeat a value or an unexpected argument: it could be the secret.
 */
function parseCommandLine(argv) {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true })
  const values = {}
  const rawNames = {}
  const positionals = []
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value)
    if (token.kind !== 'option') continue
    const value = checkOption(token, argv)
    if (ENV_FILE_OPTIONS.includes(token.name) && ENV_FILE_OPTIONS.some((name) => Object.hasOwn(values, name))) {
      throw usageError('give one --dotenv: this command reads one file')
    }
    values[token.name] = value
    rawNames[token.name] = token.rawName
  }
  if (values.help) return { help: true }
  if (values.version) return { version: true }
  const [command, ...args] = positionals
  if (command === undefined) throw usageError('no command given: use hash, verify or doctor')
  if (!Object.hasOwn(COMMANDS, command)) throw usageError('unknown command: the first argument must be hash, verify or doctor')
  if (command === 'help') return { help: true }
  const names = COMMANDS[command]
  if (args.length !== names.length) {
    const wanted = names.length === 0 ? 'no arguments' : names.map((n) => `<${n}>`).join(' ')
    throw usageError(`${command} takes ${wanted}, and got ${args.length} argument${args.length === 1 ? '' : 's'}`)
  }
  const envFileName = ENV_FILE_OPTIONS.find((name) => Object.hasOwn(values, name))
  const envFile = envFileName && { path: values[envFileName], option: rawNames[envFileName] }
  if (envFile && values['secret-stdin']) throw usageError(`use either ${envFile.option} or --secret-stdin, not both`)
  return { command, args, envFile, secretStdin: Boolean(values['secret-stdin']), json: Boolean(values.json) }
}

/** The value of one option token, or a usage error for an unknown or misused option. */
function checkOption(token, argv) {
  const { name, rawName } = token
  if (name === 'secret') {
    throw new CliError(
      'ERR_ATLAS_USAGE',
      'the secret is never taken from the command line, where ps shows it to every user of the machine and the shell keeps it in its history: ' +
        'set ATLAS_SECRET in the environment, or use --dotenv .env.local, or pipe it in with --secret-stdin ' +
        '(if you typed it on a command line, remove that line from your shell history)',
    )
  }
  if (!Object.hasOwn(OPTIONS, name)) {
    if (/^-\d/.test(argv[token.index])) throw usageError('an id that starts with "-" looks like an option: put -- before it, as in hash -- -42')
    throw usageError(`unknown option ${/^--?[a-z][a-z-]{0,24}$/.test(rawName) ? rawName : '(not repeated here)'}`)
  }
  if (OPTIONS[name].type === 'boolean') {
    if (token.value !== undefined) throw usageError(`${rawName} takes no value`)
    return true
  }
  if (token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('-'))) {
    throw usageError(`${rawName} needs a path, as in ${rawName} .env.local`)
  }
  return token.value
}

// ---------------------------------------------------------------------------------------
// Where the secret comes from

/**
 * The secret to use: `{ value, source, warnings, notes, otherSecrets? }`, where `value` is
 * the text or `undefined` when none is set, `source` says where it came from (as printed
 * by --json), `warnings` are remarks every command prints, `notes` more for `doctor`, and
 * `otherSecrets` other secret values read on the way, which no message may show either.
 */
async function readSecret(request, io) {
  if (request.envFile !== undefined) return readEnvFileSecret(request.envFile, io.env, io.cwd)
  if (request.secretStdin) return readStdinSecret(io)
  const value = io.env[SECRET_VAR]
  const notes = []
  if (io.env[PUBLIC_SECRET_VAR] !== undefined) notes.push(publicSecretNote('is set in this environment'))
  // With no ATLAS_SECRET here, the app's own .env files are the next place to look.
  const filesHere = value ? [] : NEXT_ENV_FILES.filter((file) => isFile(path.join(io.cwd, file)))
  for (const file of filesHere) notes.push(envFileHereNote(file))
  return { value, source: { kind: 'env', variable: SECRET_VAR }, warnings: [], notes, filesHere }
}

const envFileHereNote = (file) => `${file} is here: a Next.js app reads ATLAS_SECRET from it itself; check it with --dotenv ${file}`

const publicSecretNote = (where) => `${PUBLIC_SECRET_VAR} ${where}: Next.js puts every NEXT_PUBLIC_ variable into the JavaScript it sends to browsers, so that secret is public: rotate it and keep only ATLAS_SECRET`

function isFile(file) {
  try {
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/**
 * ATLAS_SECRET as a Next.js app started with this environment gets it with this .env file
 * (see env-file.js): the environment's value wins over the file's, as there.
 */
function readEnvFileSecret({ path: file, option }, env, cwd) {
  const absolute = path.resolve(cwd, file)
  const { parsed, entries } = parseEnvText(readEnvFile(absolute, option))
  const definitions = entries.filter((entry) => entry.key === SECRET_VAR)
  const last = definitions[definitions.length - 1]
  let app
  let fileOwn
  try {
    app = readLikeNextJs(parsed, env, SECRET_VAR)
    fileOwn = app.wins === 'environment' && last ? readLikeNextJs(parsed, withoutVariable(env, SECRET_VAR), SECRET_VAR) : app
  } catch (error) {
    if (error instanceof EnvFileError) throw new CliError('ERR_ATLAS_ENV_FILE', `${absolute}: ${error.message}`)
    throw error
  }
  const source = { kind: 'env-file', path: absolute, line: last ? last.line : null, wins: app.wins === 'environment' ? 'environment' : 'file' }
  const warnings = []
  if (definitions.length > 1) {
    warnings.push(`ATLAS_SECRET is defined ${definitions.length} times in the file (lines ${definitions.map((d) => d.line).join(', ')}): the last one counts`)
  }
  if (last?.commentCut) {
    warnings.push(`the value on line ${last.line} is not quoted and has a # right after it: Next.js reads everything from the # on as a comment. If the # belongs to the secret, put the value in double quotes`)
  }
  if (last && fileOwn.expanded !== parsed[SECRET_VAR].replace(/\\\$/g, '$')) {
    warnings.push(`the value on line ${last.line} has a $ that Next.js reads as a reference to another variable, so the secret it uses is not the text in the file (this tool uses what Next.js uses). If the $ belongs to the secret, write it as \\$`)
  }
  if (app.wins === 'environment') warnings.push(...environmentWinsNotes(app, fileOwn, last, env[SECRET_VAR]))
  if (app.expanded?.includes('\0')) warnings.push(nulNote(app.expanded))
  if (Object.hasOwn(parsed, PUBLIC_SECRET_VAR)) warnings.push(publicSecretNote('is defined in the file'))
  return { value: app.value, source, warnings, notes: [], otherSecrets: [fileOwn.value, parsed[SECRET_VAR]] }
}

/** What to say when ATLAS_SECRET is set in the environment as well as (or not) in the file. */
function environmentWinsNotes(app, fileOwn, last, envText) {
  if (!last) return ['the file does not define ATLAS_SECRET: Next.js uses the one set in this environment, and so does this command']
  const notes = []
  const same = fileOwn.value === app.value
  notes.push(
    `ATLAS_SECRET is set in this environment as well as on line ${last.line} of the file: Next.js uses the environment's value, and so does this command` +
      (same
        ? ' (the file\'s is the same)'
        : `. The file's own value differs${fileOwn.value ? ` (fingerprint ${fingerprintOf(fileOwn.value)})` : ''}: to use it, run the command without ATLAS_SECRET, as in env -u ATLAS_SECRET atlas-user-hash …`),
  )
  if (app.expanded !== envText) {
    notes.push('the environment\'s ATLAS_SECRET has a $ that Next.js expands, because the file defines ATLAS_SECRET too: the secret it uses is not the environment\'s text')
  }
  return notes
}

/** Why the value is shorter than the text: process.env ends a value at its first NUL. */
function nulNote(text) {
  const before = Array.from(text.slice(0, text.indexOf('\0'))).length
  return `the value has a NUL character after its first ${before} characters: process.env ends a value there, so Next.js uses only the part before it`
}

/**
 * The text of the env file. `--env-file` is refused for a pipe or FIFO: Node.js read (and
 * drained) it before this command started.
 */
function readEnvFile(file, option) {
  if (option === '--env-file') {
    const stat = statOrNull(file)
    if (stat && !stat.isFile() && !stat.isDirectory()) {
      throw new CliError(
        'ERR_ATLAS_USAGE',
        `--env-file ${file} is not a regular file: Node.js reads an --env-file itself before this command starts, so a pipe such as <(…) or a FIFO is already drained: use --dotenv instead`,
      )
    }
  }
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (error) {
    const why = { ENOENT: 'there is no such file', EISDIR: 'it is a directory: give the path of a file such as .env.local', EACCES: 'permission denied' }[error.code]
    throw new CliError('ERR_ATLAS_ENV_FILE', `cannot read the ${option} ${file}: ${why || `it failed with ${error.code || 'an error'}`}`)
  }
}

function statOrNull(file) {
  try {
    return fs.statSync(file)
  } catch {
    return null
  }
}

/**
 * The secret from standard input. A pipe or file is read to its end and one final "\n" or
 * "\r\n" is removed (echo adds one); a terminal is read without echo, up to Enter.
 */
async function readStdinSecret(io) {
  const stdin = io.stdin
  if (stdin.isTTY && typeof stdin.setRawMode === 'function') {
    const cancelled = () => new CliError('ERR_ATLAS_USAGE', 'cancelled before a secret was entered')
    const { value, notes } = await readHiddenLine(stdin, io.err, cancelled)
    return { value, source: { kind: 'stdin', terminal: true, finalNewlineRemoved: false }, warnings: notes, notes: [] }
  }
  const chunks = []
  try {
    for await (const chunk of stdin) chunks.push(chunk)
  } catch (error) {
    throw new CliError('ERR_ATLAS_USAGE', `could not read standard input (${error.code || 'an error'}) for --secret-stdin`)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  const removed = text.endsWith('\r\n') ? '\r\n' : text.endsWith('\n') ? '\n' : ''
  const notes = []
  if (removed) {
    notes.push(
      `standard input ended with ${removed === '\n' ? 'a newline (\\n)' : 'a Windows line end (\\r\\n)'}, which was removed, as echo adds one. ` +
        'If the secret was pasted or copied with that line end (from a dashboard or a clipboard), a server given the same text would have it and reject it',
    )
  }
  return { value: text.slice(0, text.length - removed.length), source: { kind: 'stdin', terminal: false, finalNewlineRemoved: Boolean(removed) }, warnings: [], notes }
}

/** Describes the source in words: "ATLAS_SECRET in the environment", "standard input", … */
function describeSource(source) {
  switch (source.kind) {
    case 'env':
      return 'ATLAS_SECRET in the environment'
    case 'env-file':
      if (source.wins === 'environment') {
        return source.line ? `ATLAS_SECRET in the environment, which wins over line ${source.line} of ${source.path}` : `ATLAS_SECRET in the environment (${source.path} does not define it)`
      }
      return `ATLAS_SECRET in ${source.path}${source.line ? ` (line ${source.line})` : ''}`
    default:
      return source.terminal ? 'the secret typed at the terminal' : 'the secret on standard input'
  }
}

// ---------------------------------------------------------------------------------------
// What is wrong with a secret

// Names of the whitespace characters a secret picks up; others are named by code point.
const SPACE_NAMES = {
  '\n': 'newline (\\n)',
  '\r': 'carriage return (\\r)',
  ' ': 'space',
  '\t': 'tab (\\t)',
  '\uFEFF': 'byte order mark (BOM, U+FEFF)',
  '\u00A0': 'no-break space (U+00A0)',
  '\v': 'vertical tab (\\v)',
  '\f': 'form feed (\\f)',
  '\u0085': 'next-line character (U+0085)',
  '\u2028': 'line separator (U+2028)',
  '\u2029': 'paragraph separator (U+2029)',
}
// What the package rejects at either end of a secret: Unicode White_Space and the BOM.
const { isSecretSpace } = require('../lib/secret-text.js')

/**
 * What is wrong with the secret, as `{ status, code, problem, trimmed? }`, or
 * `{ status: 'fine' }`. `problem` is a phrase to follow the source's name: "ends with a
 * carriage return (\r) and a newline (\n)".
 */
function diagnoseSecret(value) {
  if (value === undefined) return { status: 'unset', code: 'ERR_ATLAS_SECRET_MISSING', problem: 'is not set' }
  if (value === '') return { status: 'empty', code: 'ERR_ATLAS_SECRET_MISSING', problem: 'is empty' }
  const chars = Array.from(value)
  const lead = chars.findIndex((c) => !isSecretSpace(c))
  if (lead === -1) return { status: 'whitespace', code: 'ERR_ATLAS_SECRET_INVALID', problem: `is nothing but whitespace (${nameSpaces(chars)})` }
  let trail = chars.length
  while (isSecretSpace(chars[trail - 1])) trail--
  const parts = []
  if (lead > 0) parts.push(`starts with ${nameSpaces(chars.slice(0, lead))}`)
  if (trail < chars.length) parts.push(`ends with ${nameSpaces(chars.slice(trail))}`)
  if (parts.length === 0) return { status: 'fine' }
  return { status: 'whitespace', code: 'ERR_ATLAS_SECRET_INVALID', problem: parts.join(', and '), trimmed: chars.slice(lead, trail).join('') }
}

/** "a carriage return (\r) and a newline (\n)", "3 spaces": whitespace characters in order. */
function nameSpaces(chars) {
  const runs = []
  for (const c of chars) {
    const last = runs[runs.length - 1]
    if (last && last.c === c) last.count++
    else runs.push({ c, count: 1 })
  }
  const names = runs.map(({ c, count }) => {
    const name = SPACE_NAMES[c] || `Unicode space (U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')})`
    if (count === 1) return `a ${name}`
    return `${count} ${name.replace(/^([^(]*?)( \(|$)/, '$1s$2')}`
  })
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}

/** What to do about a problem, after the problem itself. */
function remedy(diagnosis, source) {
  if (diagnosis.status === 'whitespace') {
    const bom = diagnosis.problem.includes('BOM') ? ' (a BOM comes from an editor that saved the file as "UTF-8 with BOM")' : ''
    return `Atlas rejects every hash made with it, so remove the whitespace from the value${bom}`
  }
  if (source.kind === 'env-file') return 'set ATLAS_SECRET=<your Atlas identity verification secret> in the file'
  if (source.kind === 'stdin') return 'pass the secret on standard input'
  return 'set it to your Atlas identity verification secret (in .env.local or your host\'s settings; never as NEXT_PUBLIC_ATLAS_SECRET), or check a file with --env-file'
}

/** Hints about a secret the package accepts but that still looks wrong. */
function suspiciousSecretNotes(value) {
  const notes = []
  const first = value[0]
  if (value.length >= 2 && '\'"`'.includes(first) && value.endsWith(first)) {
    notes.push('the secret starts and ends with a quote character: quotes typed into a hosting dashboard are part of the value, so remove them there')
  }
  if (/^(export\s+)?(NEXT_PUBLIC_)?ATLAS_SECRET\s*=/.test(value)) {
    notes.push('the secret starts with "ATLAS_SECRET=": a whole .env line was pasted as the value; keep only what follows the =')
  }
  if (/[\n\r\u2028\u2029]/.test(value.trim())) {
    notes.push('the secret has a line break inside it: check that two values were not pasted together')
  }
  return notes
}

/** The user-visible fingerprint: 12 hex digits of SHA-256 over a fixed label and the secret. */
function fingerprintOf(secret) {
  return createHash('sha256').update(FINGERPRINT_LABEL).update(secret, 'utf8').digest('hex').slice(0, FINGERPRINT_HEX_DIGITS)
}

/** Throws the CLI's own error for a secret that cannot be used, naming where it came from. */
function requireUsableSecret(secret) {
  const diagnosis = diagnoseSecret(secret.value)
  if (diagnosis.status === 'fine') return
  const hints = (secret.filesHere || []).map(envFileHereNote)
  throw new CliError(diagnosis.code, [`${describeSource(secret.source)} ${diagnosis.problem}: ${remedy(diagnosis, secret.source)}`, ...hints].join('. '))
}

// ---------------------------------------------------------------------------------------
// The commands

function api() {
  return require('../index.js')
}

/** `{ secret }` for the package's functions: none for ATLAS_SECRET, which they read themselves. */
function hashOptions(secret) {
  return secret.source.kind === 'env' ? undefined : { secret: secret.value }
}

function checkUserId(userId) {
  if (userId === '') {
    throw new CliError('ERR_ATLAS_INVALID_USER_ID', 'the user id is empty: pass the id Atlas knows the user by, as in atlas-user-hash hash user_100123')
  }
  const notes = []
  if (userId.trim() !== userId) notes.push('the user id starts or ends with whitespace: it is hashed as given, whitespace included')
  return notes
}

function runHash(request, secret, io) {
  const [userId] = request.args
  const notes = checkUserId(userId)
  requireUsableSecret(secret)
  notes.push(...secret.warnings)
  const userHash = api().createUserHash(userId, hashOptions(secret))
  if (request.json) {
    io.out(jsonLine({ ok: true, userId, userHash, source: secret.source, notes }))
  } else {
    io.out(`${userHash}\n`)
    printNotes(notes, io.err)
  }
  return EXIT_OK
}

function runVerify(request, secret, io) {
  const [userId, given] = request.args
  const notes = checkUserId(userId)
  requireUsableSecret(secret)
  notes.push(...secret.warnings)
  const userHash = given.trim()
  const ok = api().verifyUserHash(userId, userHash, hashOptions(secret))
  if (!ok) notes.push(...mismatchNotes(userId, userHash, secret.value))
  if (request.json) {
    io.out(jsonLine({ ok, result: ok ? 'ok' : 'mismatch', userId, source: secret.source, notes }))
  } else {
    io.out(ok ? 'ok\n' : 'mismatch\n')
    printNotes(notes, io.err)
  }
  return ok ? EXIT_OK : EXIT_MISMATCH
}

/** Why a hash might not match: not a hash at all, or a hash made with a broken secret. */
function mismatchNotes(userId, userHash, secret) {
  if (!/^[0-9a-fA-F]{64}$/.test(userHash)) {
    const length = Array.from(userHash).length
    const nonHex = Array.from(userHash).filter((c) => !/[0-9a-fA-F]/.test(c)).length
    return [`the hash given is not a user hash: a user hash is 64 hex digits (0-9, a-f), and it has ${length} character${length === 1 ? '' : 's'}${nonHex ? `, ${nonHex} of them not hex digits` : ''}`]
  }
  const hmac = (key) => createHmac('sha256', key).update(userId).digest('hex')
  const given = userHash.toLowerCase()
  if (given === hmac('')) {
    return ['it is the hash of this id under an EMPTY secret: whatever made it had no secret (Atlas\'s documented helper hashes with "" when ATLAS_SECRET is not set)']
  }
  for (const [extra, name] of [['\n', 'a newline'], ['\r\n', 'a Windows line end (\\r\\n)'], [' ', 'a space']]) {
    if (given === hmac(secret + extra)) {
      return [`it was made with this secret followed by ${name}: the server that made it has that whitespace pasted into its ATLAS_SECRET (and uses a helper that does not check it)`]
    }
  }
  if (secret !== undefined && given === hmac(`\uFEFF${secret}`)) {
    return ['it was made with this secret preceded by a byte order mark (BOM): the server that made it read the secret from a file saved as "UTF-8 with BOM"']
  }
  return ['it is not the hash of this id under this secret: compare the secrets with atlas-user-hash doctor on both machines (the fingerprints must be equal), and check that both sides use the same id text']
}

function runDoctor(request, secret, io) {
  const { value, source } = secret
  let diagnosis = diagnoseSecret(value)
  if (diagnosis.status === 'fine') diagnosis = confirmWithPackage(secret) || diagnosis
  const ok = diagnosis.status === 'fine'
  const measured = value === undefined || value === '' ? null : measure(value)
  const withoutWhitespace = diagnosis.trimmed ? measure(diagnosis.trimmed) : null
  const notes = [...secret.warnings, ...secret.notes, ...(value ? suspiciousSecretNotes(value) : [])]
  const problem = ok ? null : `${describeSource(source)} ${diagnosis.problem}: ${remedy(diagnosis, source)}`
  if (request.json) {
    io.out(jsonLine({
      ok,
      status: diagnosis.status,
      code: ok ? null : diagnosis.code,
      problem,
      source,
      length: measured ? measured.length : value === '' ? 0 : null,
      bytes: measured ? measured.bytes : value === '' ? 0 : null,
      fingerprint: measured ? measured.fingerprint : null,
      withoutWhitespace,
      notes,
    }))
  } else {
    const lines = [`secret:      ${describeSource(source)}`, ok ? 'status:      fine' : `problem:     ${diagnosis.problem}`]
    if (measured) {
      lines.push(`length:      ${describeLength(measured)}`, `fingerprint: ${measured.fingerprint}`)
    }
    if (withoutWhitespace) {
      lines.push(`without the whitespace: ${describeLength(withoutWhitespace)}, fingerprint ${withoutWhitespace.fingerprint}`)
    }
    for (const note of notes) lines.push(`note: ${note}`)
    if (ok) lines.push('The same fingerprint on another machine (or for the secret Atlas shows, via --secret-stdin) means the same secret.')
    io.out(`${lines.join('\n')}\n`)
  }
  if (ok) return EXIT_OK
  throw Object.assign(new CliError(diagnosis.code, problem), { alreadyPrinted: request.json })
}

/**
 * Whether the package itself accepts the secret (hashing a fixed id with it): the doctor's
 * verdict never says "fine" for a secret the package would reject.
 */
function confirmWithPackage(secret) {
  try {
    api().createUserHash('atlas-user-hash doctor', hashOptions(secret))
    return null
  } catch (error) {
    if (typeof error.code === 'string' && error.code.startsWith('ERR_ATLAS_SECRET_')) {
      return { status: 'rejected', code: error.code, problem: `is rejected by the package (${error.code})` }
    }
    throw error
  }
}

function measure(text) {
  return { length: Array.from(text).length, bytes: Buffer.byteLength(text, 'utf8'), fingerprint: fingerprintOf(text) }
}

function describeLength({ length, bytes }) {
  return `${length} character${length === 1 ? '' : 's'}${bytes === length ? '' : ` (${bytes} bytes as UTF-8)`}`
}

// ---------------------------------------------------------------------------------------
// Output

function jsonLine(value) {
  return `${JSON.stringify(value)}\n`
}

function printNotes(notes, write) {
  for (const note of notes) write(`note: ${note}\n`)
}

/**
 * Prints a failure as its code and a sentence, on standard error (and as JSON on standard
 * output with --json). Only the code and message are printed, never a stack, with the
 * secret hidden (see redact.js): in the command's own sentences a whole secret, in any other
 * message every stretch that matches a piece of one, in case it quoted one. A code that is
 * not the command's own becomes ERR_ATLAS_UNEXPECTED: a bug.
 */
function reportError(error, { json, secrets = [], typed = [] }, io) {
  const code = error && typeof error.code === 'string' && /^ERR_ATLAS_[A-Z0-9_]+$/.test(error.code) ? error.code : 'ERR_ATLAS_UNEXPECTED'
  const text = error && typeof error.message === 'string' && error.message ? error.message : 'an unexpected error'
  let message = error instanceof CliError ? hideWholeSecrets(text, secrets) : redactSecrets(text, secrets, typed)
  if (code === 'ERR_ATLAS_UNEXPECTED') message = `unexpected ${error?.name ? error.name : 'error'} (a bug in atlas-user-hash: please report it): ${message}`
  if (json && !error.alreadyPrinted) io.out(jsonLine({ ok: false, error: { code, message } }))
  io.err(`atlas-user-hash: ${code}: ${message}\n`)
}

if (require.main === module) {
  const io = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
  }
  // A closed standard output or error (| head -c0, >/dev/full) is no failure of the command:
  // what is left unprinted is dropped, and the exit code stays the result's.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})
  process.on('uncaughtException', (error) => {
    reportError(error, { json: false, secrets: [process.env[SECRET_VAR]] }, io)
    process.exit(EXIT_ERROR)
  })
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code
  })
}

module.exports = { main, diagnoseSecret, fingerprintOf }
