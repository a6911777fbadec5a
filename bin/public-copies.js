'use strict'

// `doctor`'s search for a public copy of the secret: a variable that a framework puts into
// the code it sends to browsers or apps (Next.js NEXT_PUBLIC_*, Vite VITE_*, SvelteKit and
// Astro PUBLIC_*, Expo EXPO_PUBLIC_*) whose value is the secret, in the environment or in a
// .env file Next.js loads from the working directory; and NEXT_PUBLIC_ATLAS_SECRET set to
// anything but "" (as the package, which ignores an empty one: it exposes nothing). It
// names the variable and the file, never the value.

const path = require('node:path')
const { NEXT_ENV_FILES, NEXT_MODES, loadFilesLikeNextJs } = require('./env-file.js')
const { exists, isFifo, readEnvFile } = require('./read-env-file.js')
const { withoutSurroundingSpace } = require('./secret-check.js')

const PUBLIC_PREFIXES = ['NEXT_PUBLIC_', 'VITE_', 'PUBLIC_', 'EXPO_PUBLIC_']
const PUBLIC_SECRET_VAR = 'NEXT_PUBLIC_ATLAS_SECRET'
/** Whether a NEXT_PUBLIC_ATLAS_SECRET value counts as set: as for the package, not when empty. */
const publicSecretIsSet = (value) => typeof value === 'string' && value !== ''

const isPublicName = (name) => PUBLIC_PREFIXES.some((prefix) => name.startsWith(prefix))

/**
 * The public copies of the secret: `{ copies, scanned, secrets, notes }`, where `copies` are
 * `{ variable, file, modes }` (`file` null for the environment, `modes` the Next.js modes
 * that load that file), `scanned` the files read, `secrets` the ATLAS_SECRET values the
 * files give (for redaction), and `notes` files Next.js fails to load.
 * @param {{ env: object, cwd: string, secret: string | undefined, dotenv?: { name: string, text: string } }} where
 *   `secret` the secret doctor checks; `dotenv` the --dotenv file, checked as well
 */
function findPublicCopies({ env, cwd, secret, dotenv }) {
  const notes = []
  const texts = readNextEnvFiles(cwd, dotenv, notes)
  const loads = {}
  const secrets = [secret]
  for (const [mode, names] of Object.entries(NEXT_MODES)) {
    loads[mode] = loadFilesLikeNextJs(names.filter((name) => Object.hasOwn(texts, name)).map((name) => ({ name, text: texts[name] })), env)
    secrets.push(Object.hasOwn(env, 'ATLAS_SECRET') ? env.ATLAS_SECRET : loads[mode].final.ATLAS_SECRET)
  }
  if (dotenv && !Object.hasOwn(texts, path.relative(cwd, dotenv.name))) loads['--dotenv'] = loadFilesLikeNextJs([dotenv], env)
  const isSecret = secretMatcher(secrets)
  const copies = []
  const add = (variable, file, mode) => {
    const found = copies.find((copy) => copy.variable === variable && copy.file === file)
    if (found) {
      if (mode && !found.modes.includes(mode)) found.modes.push(mode)
    } else copies.push({ variable, file, modes: mode ? [mode] : [] })
  }
  const emptyPublic = (where) => {
    const note = `${PUBLIC_SECRET_VAR} is empty ${where}: that exposes nothing, and the package ignores it; remove it all the same`
    if (!notes.includes(note)) notes.push(note)
  }
  for (const name of Object.keys(env)) {
    if (name === PUBLIC_SECRET_VAR && env[name] === '') emptyPublic('in the environment')
    if (name === PUBLIC_SECRET_VAR ? publicSecretIsSet(env[name]) : isPublicName(name) && isSecret(env[name])) add(name, null)
  }
  for (const [mode, load] of Object.entries(loads)) {
    for (const file of load.files) {
      if (file.failed) {
        const note = `Next.js fails to load ${file.name} (${file.failed}), so it was not checked for a public copy of the secret`
        if (!notes.includes(note)) notes.push(note)
        continue
      }
      for (const [name, value] of Object.entries(file.values)) {
        if (name === PUBLIC_SECRET_VAR && value === '') emptyPublic(`in ${file.name}`)
        if (name === PUBLIC_SECRET_VAR ? publicSecretIsSet(value) : isPublicName(name) && isSecret(value)) add(name, file.name, mode === '--dotenv' ? null : mode)
      }
    }
  }
  return { copies, scanned: Object.keys(texts), secrets: secrets.filter(Boolean), notes }
}

/**
 * The text of each of Next.js's .env files in `cwd` that exists, by name: the --dotenv
 * file's text where it is one of them (a FIFO is read once), and no other FIFO, whose
 * writer may never come (a note says so).
 */
function readNextEnvFiles(cwd, dotenv, notes) {
  const texts = {}
  for (const name of NEXT_ENV_FILES) {
    const file = path.join(cwd, name)
    if (dotenv && path.resolve(dotenv.name) === file) texts[name] = dotenv.text
    else if (isFifo(file)) notes.push(`${name} is a FIFO: not read here, as its writer may never come; give it as --dotenv ${name} to check it`)
    else if (exists(file)) texts[name] = readEnvFile(file, file)
  }
  return texts
}

/** Whether a value is one of the secrets, with or without whitespace at its ends (never an empty one). */
function secretMatcher(secrets) {
  const cores = new Set(secrets.filter((s) => typeof s === 'string').map(withoutSurroundingSpace).filter((s) => s !== ''))
  return (value) => typeof value === 'string' && cores.has(withoutSurroundingSpace(value))
}

/** "NEXT_PUBLIC_KEY in .env.local (production, development)", "VITE_KEY in the environment". */
function describeCopy({ variable, file, modes }) {
  const where = file === null ? 'in the environment' : `in ${file}${modes.length ? ` (loaded by Next.js in ${modes.join(' and ')})` : ''}`
  return `${variable} ${where}`
}

/** The sentence for doctor's failure: what is public, and what to do. */
function publicCopiesProblem(copies) {
  const named = copies.map(describeCopy).join('; ')
  const onlyTheName = copies.every((copy) => copy.variable === PUBLIC_SECRET_VAR)
  return (
    `${onlyTheName ? 'the secret is set as' : 'the secret is public:'} ${named}. ` +
    'Next.js (NEXT_PUBLIC_), Vite (VITE_), SvelteKit and Astro (PUBLIC_) and Expo (EXPO_PUBLIC_) put such variables into the code they send to browsers and apps. ' +
    'Remove the variable (keep only ATLAS_SECRET, read on the server), rotate the secret in Atlas, and redeploy'
  )
}

module.exports = { findPublicCopies, describeCopy, publicCopiesProblem, publicSecretIsSet, PUBLIC_PREFIXES, PUBLIC_SECRET_VAR }
