'use strict'

// `atlas-user-hash doctor`: is the secret set, clean and private, and which engine does
// this machine load? Prints the secret's length and fingerprint (never the secret), any
// public copy of it, and what a support request needs; exits 2 with the first problem's code.

const { CliError, EXIT_OK } = require('../errors.js')
const { jsonLine } = require('../output.js')
const { describeCopy, findPublicCopies, publicCopiesProblem } = require('../public-copies.js')
const { runtimeLines, runtimeReport } = require('../runtime-report.js')
const { describeLength, describeSource, diagnoseSecret, measure, remedy, suspiciousSecretNotes } = require('../secret-check.js')
const { api, hashOptions } = require('./common.js')

/**
 * Runs the checks and prints the report (one JSON object with --json); returns 0 when all
 * is well, else throws the first problem's error (already printed with --json).
 * @param {string} cwd the folder whose .env files Next.js would load
 * @param {string[]} secrets where to add secret values read on the way (for redaction)
 */
function runDoctor(request, secret, io, cwd, secrets) {
  const { value, source } = secret
  const runtime = runtimeReport()
  let diagnosis = diagnoseSecret(value)
  if (diagnosis.status === 'fine' && runtime.engine) diagnosis = confirmWithPackage(secret) || diagnosis
  const scan = findPublicCopies({ env: io.env, cwd, secret: value, dotenv: secret.file })
  secrets.push(...scan.secrets)
  const measured = value === undefined || value === '' ? null : measure(value)
  const withoutWhitespace = diagnosis.trimmed ? measure(diagnosis.trimmed) : null
  const notes = [...secret.warnings, ...secret.notes, ...(value ? suspiciousSecretNotes(value) : []), ...scan.notes]
  const failure = firstFailure(diagnosis, source, scan.copies, runtime)
  if (request.json) {
    io.out(jsonLine({
      ok: failure === null,
      status: diagnosis.status,
      code: failure ? failure.code : null,
      problem: failure ? failure.message : null,
      source,
      length: measured ? measured.length : value === '' ? 0 : null,
      bytes: measured ? measured.bytes : value === '' ? 0 : null,
      fingerprint: measured ? measured.fingerprint : null,
      withoutWhitespace,
      publicCopies: scan.copies,
      checkedFiles: scan.scanned,
      runtime,
      notes,
    }))
  } else {
    const lines = [`secret:      ${describeSource(source)}`, diagnosis.status === 'fine' ? 'status:      fine' : `problem:     ${diagnosis.problem}`]
    if (measured) lines.push(`length:      ${describeLength(measured)}`, `fingerprint: ${measured.fingerprint}`)
    if (withoutWhitespace) lines.push(`without the whitespace: ${describeLength(withoutWhitespace)}, fingerprint ${withoutWhitespace.fingerprint}`)
    for (const copy of scan.copies) lines.push(`public:      ${describeCopy(copy)}`)
    lines.push(...runtimeLines(runtime))
    for (const note of notes) lines.push(`note: ${note}`)
    if (failure === null) lines.push('The same fingerprint on another machine (or for the secret Atlas shows, via --secret-stdin) means the same secret.')
    io.out(`${lines.join('\n')}\n`)
  }
  if (failure === null) return EXIT_OK
  throw Object.assign(failure, { alreadyPrinted: request.json })
}

/** The error for the first problem found: the secret, then a public copy, then the engine; or null. */
function firstFailure(diagnosis, source, copies, runtime) {
  if (diagnosis.status !== 'fine') return new CliError(diagnosis.code, `${describeSource(source)} ${diagnosis.problem}: ${remedy(diagnosis, source)}`)
  if (copies.length > 0) return new CliError('ERR_ATLAS_SECRET_PUBLIC', publicCopiesProblem(copies))
  if (!runtime.engine) {
    const code = runtime.engineError.code?.startsWith('ERR_ATLAS_') ? runtime.engineError.code : 'ERR_ATLAS_BINDING_NOT_FOUND'
    const pkg = runtime.forceWasi ? null : runtime.expectedPackage.packageName
    return new CliError(code, `no hash engine loads here (${runtime.engineError.message.replace(/[.:]$/, '')})${pkg ? `: install ${pkg}` : ''}; the known causes and their fixes are in the report`)
  }
  return null
}

/**
 * Whether the package itself accepts the secret (hashing a fixed id with it): the doctor's
 * verdict never says "fine" for a secret the package would reject. A public secret is
 * reported by the search for public copies instead.
 */
function confirmWithPackage(secret) {
  try {
    api().createUserHash('atlas-user-hash doctor', hashOptions(secret))
    return null
  } catch (error) {
    if (error?.code === 'ERR_ATLAS_SECRET_PUBLIC') return null
    if (typeof error?.code === 'string' && error.code.startsWith('ERR_ATLAS_SECRET_')) {
      return { status: 'rejected', code: error.code, problem: `is rejected by the package (${error.code})` }
    }
    throw error
  }
}

module.exports = { runDoctor }
