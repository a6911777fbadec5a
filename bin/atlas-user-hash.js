#!/usr/bin/env node
'use strict'

// The `atlas-user-hash` command: the user hash of an id, a check of a hash, and a check of
// the secret and the install (`doctor`), for the person debugging an "identity
// verification failed". It never prints the secret or any part of it, and never takes it
// from the command line. Run `atlas-user-hash --help` for the commands, the secret sources
// and the exit codes; docs/cli.md is the manual.

const path = require('node:path')
const { parseCommandLine, wantsJson, HELP } = require('./command-line.js')
const { runDoctor } = require('./commands/doctor.js')
const { runHash } = require('./commands/hash.js')
const { runVerify } = require('./commands/verify.js')
const { CliError, EXIT_ERROR, EXIT_OK } = require('./errors.js')
const { jsonLine, reportError } = require('./output.js')
const { readSecret, SECRET_VAR } = require('./secret-source.js')

/**
 * Runs the command line `argv` and returns the exit code. Nothing it throws escapes.
 * @param {string[]} argv
 * @param {{ out: Function, err: Function, env: object, cwd: () => string, stdin: object }} io
 */
async function main(argv, io) {
  const json = wantsJson(argv)
  // What error messages must not show (see redact.js), and what the user typed, which they may.
  const secrets = [ownValue(io.env, SECRET_VAR)]
  const typed = [...argv]
  try {
    const request = parseCommandLine(argv)
    if (request.help) {
      io.out(HELP)
      return EXIT_OK
    }
    if (request.version) {
      const { version } = require('../package.json')
      io.out(json ? jsonLine({ ok: true, version }) : `${version}\n`)
      return EXIT_OK
    }
    const cwd = workingDirectory(io)
    if (request.envFile) typed.push(path.resolve(cwd, request.envFile.path))
    const secret = await readSecret(request, io, cwd)
    secrets.push(secret.value, ...secret.otherSecrets)
    if (request.command === 'doctor') return runDoctor(request, secret, io, cwd, secrets)
    return (request.command === 'hash' ? runHash : runVerify)(request, secret, io)
  } catch (error) {
    reportError(error, { json, secrets, typed }, io)
    return EXIT_ERROR
  }
}

/**
 * The working directory, or ERR_ATLAS_WORKING_DIRECTORY where it is gone (deleted, or
 * replaced by a new folder of the same name, which this process cannot see).
 */
function workingDirectory(io) {
  try {
    return io.cwd()
  } catch (error) {
    throw new CliError(
      'ERR_ATLAS_WORKING_DIRECTORY',
      `the working directory cannot be read (${error?.code || 'an error'}): it was deleted or replaced after this shell entered it. Enter it again (cd "$PWD") or cd to the app's folder, and run the command again`,
    )
  }
}

const ownValue = (object, key) => (Object.hasOwn(object, key) ? object[key] : undefined)

if (require.main === module) {
  const io = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: () => process.cwd(),
    stdin: process.stdin,
  }
  // A closed standard output or error (| head -c0, >/dev/full) is no failure of the command:
  // what is left unprinted is dropped, and the exit code stays the result's.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})
  process.on('uncaughtException', (error) => {
    reportError(error, { json: false, secrets: [ownValue(process.env, SECRET_VAR)] }, io)
    process.exit(EXIT_ERROR)
  })
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code
  })
}

module.exports = { main }
