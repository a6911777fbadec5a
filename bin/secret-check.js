'use strict'

// What is wrong with a secret, in words: the rule itself (which characters may not end a
// secret) is lib/secret-text.js, the package's one JavaScript copy of it; this file only
// names what it finds, says what to do, and fingerprints the secret.

const { createHash } = require('node:crypto')
const { isSecretSpace } = require('../lib/secret-text.js')
const { CliError } = require('./errors.js')

// A fingerprint is SHA-256 over this label and the secret's UTF-8 bytes, cut to 12 hex
// digits. The label keeps it apart from any other SHA-256 of the secret; "v1" lets a later
// version change the recipe without two versions' fingerprints being mistaken for each other.
const FINGERPRINT_LABEL = 'atlas-user-hash fingerprint v1\0'
const FINGERPRINT_HEX_DIGITS = 12

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

/**
 * What is wrong with the secret, as `{ status, code, problem, trimmed? }`, or
 * `{ status: 'fine' }`. `problem` is a phrase to follow the source's name: "ends with a
 * carriage return (\r) and a newline (\n)"; `trimmed` the secret without that whitespace.
 */
function diagnoseSecret(value) {
  if (value === undefined) return { status: 'unset', code: 'ERR_ATLAS_SECRET_MISSING', problem: 'is not set' }
  if (value === '') return { status: 'empty', code: 'ERR_ATLAS_SECRET_MISSING', problem: 'is empty' }
  const chars = Array.from(value)
  const lead = chars.findIndex((c) => !isSecretSpace(c))
  if (lead === -1) return { status: 'whitespace', code: 'ERR_ATLAS_SECRET_INVALID', problem: `is nothing but whitespace (${nameSpaces(chars)})`, trimmed: '' }
  let trail = chars.length
  while (isSecretSpace(chars[trail - 1])) trail--
  const parts = []
  if (lead > 0) parts.push(`starts with ${nameSpaces(chars.slice(0, lead))}`)
  if (trail < chars.length) parts.push(`ends with ${nameSpaces(chars.slice(trail))}`)
  if (parts.length === 0) return { status: 'fine' }
  return { status: 'whitespace', code: 'ERR_ATLAS_SECRET_INVALID', problem: parts.join(', and '), trimmed: chars.slice(lead, trail).join('') }
}

/** The secret without the characters the rule forbids at its ends (the same text when there are none, '' when it is nothing else). */
function withoutSurroundingSpace(value) {
  return diagnoseSecret(value).trimmed ?? value
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
  return 'set it to your Atlas identity verification secret (in .env.local or your host\'s settings; never as NEXT_PUBLIC_ATLAS_SECRET), or check a file with --dotenv'
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
  if (/[\n\r\u2028\u2029]/.test(withoutSurroundingSpace(value))) {
    notes.push('the secret has a line break inside it: check that two values were not pasted together')
  }
  return notes
}

/** The user-visible fingerprint: 12 hex digits of SHA-256 over a fixed label and the secret. */
function fingerprintOf(secret) {
  return createHash('sha256').update(FINGERPRINT_LABEL).update(secret, 'utf8').digest('hex').slice(0, FINGERPRINT_HEX_DIGITS)
}

/** `{ length, bytes, fingerprint }` of a text: its characters, its UTF-8 bytes. */
function measure(text) {
  return { length: Array.from(text).length, bytes: Buffer.byteLength(text, 'utf8'), fingerprint: fingerprintOf(text) }
}

/** "24 characters", "3 characters (7 bytes as UTF-8)". */
function describeLength({ length, bytes }) {
  return `${length} character${length === 1 ? '' : 's'}${bytes === length ? '' : ` (${bytes} bytes as UTF-8)`}`
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

/** The error for a secret that is also in a NEXT_PUBLIC_ATLAS_SECRET (see secret-source.js's `publicSecret`). */
function publicSecretError(where) {
  return new CliError(
    'ERR_ATLAS_SECRET_PUBLIC',
    `NEXT_PUBLIC_ATLAS_SECRET ${where}: Next.js puts every NEXT_PUBLIC_ variable into the JavaScript it sends to browsers, so that secret is public. ` +
      'Rename the variable to ATLAS_SECRET, rotate the secret in Atlas, and redeploy',
  )
}

/**
 * Throws the command's own error for a secret that cannot be used, naming where it came
 * from: not set, empty, whitespace at its ends, or set as NEXT_PUBLIC_ATLAS_SECRET too.
 */
function requireUsableSecret(secret) {
  const diagnosis = diagnoseSecret(secret.value)
  if (diagnosis.status !== 'fine') {
    const hints = secret.hints || []
    throw new CliError(diagnosis.code, [`${describeSource(secret.source)} ${diagnosis.problem}: ${remedy(diagnosis, secret.source)}`, ...hints].join('. '))
  }
  if (secret.publicSecret) throw publicSecretError(secret.publicSecret)
}

module.exports = {
  diagnoseSecret,
  withoutSurroundingSpace,
  remedy,
  suspiciousSecretNotes,
  fingerprintOf,
  measure,
  describeLength,
  describeSource,
  publicSecretError,
  requireUsableSecret,
}
