'use strict'

// Where the secret comes from: ATLAS_SECRET in the environment, a .env file read as a
// Next.js app reads it (--dotenv), or standard input (--secret-stdin).

const path = require('node:path')
const { NEXT_ENV_FILES, parseEnvText, readLikeNextJs, withoutVariable, EnvFileError } = require('./env-file.js')
const { CliError } = require('./errors.js')
const { readHiddenLine } = require('./prompt.js')
const { readEnvFile, isReadableKind } = require('./read-env-file.js')
const { PUBLIC_SECRET_VAR, publicSecretIsSet } = require('./public-copies.js')
const { fingerprintOf } = require('./secret-check.js')

const SECRET_VAR = 'ATLAS_SECRET'

/**
 * The secret to use: `{ value, source, warnings, notes, hints, publicSecret, otherSecrets }`,
 * where `value` is the text or `undefined` when none is set, `source` says where it came
 * from (as printed by --json), `warnings` are remarks every command prints, `notes` more
 * for `doctor`, `hints` what to add to a missing-secret error, `publicSecret` where a
 * non-empty NEXT_PUBLIC_ATLAS_SECRET is set (or null; an empty one exposes nothing), and `otherSecrets` other secret values read on
 * the way, which no message may show either; with --dotenv, `file` is `{ name, text }`.
 * @param {{ envFile?: { path: string, option: string }, secretStdin: boolean }} request
 * @param {{ env: object, stdin: object, err: Function }} io
 * @param {string} cwd the working directory
 */
async function readSecret(request, io, cwd) {
  const inEnvironment = Object.hasOwn(io.env, PUBLIC_SECRET_VAR) && publicSecretIsSet(io.env[PUBLIC_SECRET_VAR]) ? 'is set in this environment' : null
  let secret
  if (request.envFile !== undefined) secret = readEnvFileSecret(request.envFile, io.env, cwd)
  else if (request.secretStdin) secret = await readStdinSecret(io)
  else secret = readEnvironmentSecret(io.env, cwd)
  return { hints: [], otherSecrets: [], ...secret, publicSecret: inEnvironment || secret.publicSecret || null }
}

function readEnvironmentSecret(env, cwd) {
  const value = Object.hasOwn(env, SECRET_VAR) ? env[SECRET_VAR] : undefined
  // With no ATLAS_SECRET here, the app's own .env files are the next place to look.
  const hints = value ? [] : NEXT_ENV_FILES.filter((file) => isReadableKind(path.join(cwd, file))).map(envFileHereNote)
  return { value, source: { kind: 'env', variable: SECRET_VAR }, warnings: [], notes: [...hints], hints }
}

const envFileHereNote = (file) => `${file} is here: a Next.js app reads ATLAS_SECRET from it itself; check it with --dotenv ${file}`

/**
 * ATLAS_SECRET as a Next.js app started with this environment gets it with this .env file
 * (see env-file.js): the environment's value wins over the file's, as there.
 */
function readEnvFileSecret({ path: file, option }, env, cwd) {
  const absolute = path.resolve(cwd, file)
  const text = readEnvFile(absolute, `${option} ${absolute}`, { fifoAllowed: option !== '--env-file' })
  const { parsed, entries } = parseEnvText(text)
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
  const publicSecret = Object.hasOwn(parsed, PUBLIC_SECRET_VAR) && publicSecretIsSet(parsed[PUBLIC_SECRET_VAR]) ? `is defined in ${absolute}` : null
  return { value: app.value, source, warnings, notes: [], publicSecret, otherSecrets: [fileOwn.value, parsed[SECRET_VAR]], file: { name: absolute, text } }
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

module.exports = { readSecret, SECRET_VAR }
