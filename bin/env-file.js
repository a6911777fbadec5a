'use strict'

// Reads a .env file the way a Next.js app reads its .env files (`@next/env`, which runs
// dotenv 16's `parse` and then dotenv-expand 10's `expand` over each file's text, writing
// the results into `process.env`), so that `atlas-user-hash --dotenv .env.local` sees the
// value the app would see. No dependency: the rules, as those packages apply them:
//
// - Line ends: `\r\n` and a lone `\r` count as `\n`.
// - An entry is `KEY=value` or `KEY: value` (YAML style, a space after the colon), with an
//   optional `export ` in front. A key is letters, digits, `_`, `.` and `-`; whitespace
//   around `=` is allowed. Lines that are not entries (comments, junk) are skipped.
// - A value may be quoted with '…', "…" or `…`; a quoted value may span lines and keeps
//   its inner whitespace. After the closing quote only whitespace or a `# comment` may
//   follow on that line, or the value is read as unquoted text, quotes included.
// - An unquoted value ends at `#` (the rest of the line is a comment, even with no space
//   before it) or at the end of the line, and is trimmed.
// - A value that starts with `"` has `\n` and `\r` turned into a newline and a carriage
//   return. Nothing else is unescaped: `\"` stays as written.
// - A key defined twice takes the later value; the values land in a plain object, as in
//   dotenv (so a key `__proto__` is lost, and integer-like keys come first).
// - Then, key by key, `$NAME`, `${NAME}` and `${NAME:-default}` in the value (quoted or
//   not, single quotes included) are replaced by `process.env[NAME]` (looked up as a
//   property, so `$toString` finds the prototype's function, which `String.replace` then
//   calls), else the default, else the file's NAME as expanded so far, else ''. `\$` is a
//   literal `$`. A key that is set in the environment is expanded from the environment's
//   value instead of the file's: the environment wins, and its value is expanded.
// - Last, every value is stored in `process.env`, which keeps a C string: the value ends
//   at its first NUL character, and text that is not valid UTF-16 becomes U+FFFD.

/** JavaScript's `\s`: what dotenv's patterns treat as whitespace (line ends and BOM included). */
const isSpace = (c) => c === ' ' || (c !== undefined && (c < '!' || c > '~') && /\s/.test(c))
/** Where a pattern's `^` and `$` see a line break (`\r` is already gone). */
const isLineEnd = (c) => c === '\n' || c === '\u2028' || c === '\u2029'
/** JavaScript's `\w` (ASCII letters, digits, `_`), `.` and `-`. */
const isKeyChar = (c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '.' || c === '-'
const QUOTES = '\'"`'
// Expansion of one value stops after this many replacements: only a variable that refers
// to itself gets there, where dotenv-expand recurses until the stack overflows.
const MAX_EXPANSIONS = 1000
// Nor may a value grow past this many characters while expanding: a `$\`` or `$'` in the
// text that replaces a reference repeats the value around it, so a variable that refers to
// itself with one doubles at each step (Next.js then runs out of memory or stack, and fails).
const MAX_EXPANDED_LENGTH = 1024 * 1024

/** Why Next.js fails to load a file, for example references that never finish expanding. */
class EnvFileError extends Error {}

/**
 * Parses the text of a .env file in one pass. Returns `parsed`, key → value with quotes and
 * escapes resolved but `$` references not yet expanded, in a plain object as dotenv's
 * `parse` fills it, and `entries`: one `{ key, line, quote, commentCut }` per definition,
 * where `quote` is the quote character or '' and `commentCut` says that an unquoted value
 * ended at a `#` written right after it (`KEY=abc#def` reads as `abc`).
 * @param {string} text
 */
function parseEnvText(text) {
  const src = text.replace(/\r\n?/g, '\n')
  const parsed = {}
  const entries = []
  const lines = lineCounter(src)
  let pos = 0
  while (pos <= src.length) {
    // An entry may start several blank lines below the line start where its match began,
    // and whether there is one depends only on where those blank lines end. So when there
    // is none, every line start up to there is done with too: go on past it.
    const at = skipSpaces(src, pos)
    const entry = entryAt(src, at)
    if (entry) {
      parsed[entry.key] = entry.value
      entries.push({ key: entry.key, line: lines.lineOf(entry.keyAt), quote: entry.quote, commentCut: entry.commentCut })
      pos = nextLineStart(src, entry.end)
    } else {
      pos = nextLineStart(src, at + 1)
    }
  }
  return { parsed, entries }
}

/** The entry whose text (an optional `export`, then the key) starts at `at`, or null. */
function entryAt(src, at) {
  if (src.startsWith('export', at) && isSpace(src[at + 6])) {
    const entry = entryWithKeyAt(src, skipSpaces(src, at + 6))
    if (entry) return entry
  }
  return entryWithKeyAt(src, at)
}

function entryWithKeyAt(src, keyAt) {
  let keyEnd = keyAt
  while (isKeyChar(src[keyEnd])) keyEnd++
  if (keyEnd === keyAt) return null
  const key = src.slice(keyAt, keyEnd)
  const eq = skipSpaces(src, keyEnd)
  let valueAt
  if (src[eq] === '=') valueAt = eq + 1
  else if (src[keyEnd] === ':' && isSpace(src[keyEnd + 1])) valueAt = keyEnd + 2
  else return null
  const value = quotedValueAt(src, valueAt) || unquotedValueAt(src, valueAt)
  return { key, keyAt, ...value, value: finishValue(value.text) }
}

/** A quoted value (after optional whitespace, line breaks included) whose line ends cleanly after it. */
function quotedValueAt(src, valueAt) {
  const open = skipSpaces(src, valueAt)
  const quote = src[open]
  if (quote === undefined || !QUOTES.includes(quote)) return null
  // The closing quote is the first quote not preceded by a backslash, or, failing that,
  // an earlier one that is (a backslash may escape a quote or be text before the close).
  const candidates = []
  for (let i = src.indexOf(quote, open + 1); i !== -1; i = src.indexOf(quote, i + 1)) {
    candidates.push(i)
    if (src[i - 1] !== '\\') break
  }
  for (let c = candidates.length - 1; c >= 0; c--) {
    const close = candidates[c]
    const end = lineEndsCleanlyAfter(src, close + 1)
    if (end !== -1) return { text: src.slice(valueAt, close + 1), quote, commentCut: false, end }
  }
  return null
}

/** An unquoted value: up to a `#` or the end of the line. */
function unquotedValueAt(src, valueAt) {
  let end = valueAt
  while (end < src.length && src[end] !== '#' && src[end] !== '\n') end++
  const text = src.slice(valueAt, end)
  const commentCut = src[end] === '#' && end > valueAt && !isSpace(src[end - 1])
  let lineEnd = end
  if (src[end] === '#') while (lineEnd < src.length && !isLineEnd(src[lineEnd])) lineEnd++
  return { text, quote: '', commentCut, end: lineEnd }
}

/**
 * Where the line ends if, from `from`, only whitespace and then a line break, the end of
 * the text or a `# comment` follow; -1 otherwise.
 */
function lineEndsCleanlyAfter(src, from) {
  let i = from
  while (i < src.length && isSpace(src[i])) {
    if (isLineEnd(src[i])) return i
    i++
  }
  if (i === src.length) return i
  if (src[i] !== '#') return -1
  while (i < src.length && !isLineEnd(src[i])) i++
  return i
}

/** Trims a raw value, takes off matching outer quotes and resolves `\n`, `\r` in double quotes. */
function finishValue(text) {
  let value = text.trim()
  const first = value[0]
  value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2')
  if (first === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r')
  return value
}

/**
 * Expands `$` references in every value, key by key, as Next.js does after parsing a file.
 * Returns the values as dotenv-expand leaves them, before `process.env` stores them.
 * @param {Record<string, string>} parsed as `parseEnvText` returns it (not changed)
 * @param {object} environment the environment the app would start with: `process.env`
 *   itself, or an object with its prototype (see `withoutVariable`), for its look-ups
 * @returns {Record<string, string>}
 * @throws {EnvFileError} where Next.js fails to load the file and skips all of it
 */
function expandLikeNextJs(parsed, environment) {
  const expanded = Object.assign({}, parsed)
  for (const key in expanded) {
    const own = Object.hasOwn(environment, key) ? environment[key] : expanded[key]
    expanded[key] = interpolate(own, environment, expanded, key).replace(/\\\$/g, '$')
  }
  return expanded
}

/**
 * Replaces references from the last unescaped `$` backwards, one at a time, until none is
 * left or the last one is not a reference (then earlier ones stay as written, as in
 * dotenv-expand). Each replacement goes through `String.prototype.replace` with the
 * reference's text as the pattern, as there: it replaces the first occurrence of that
 * text, `$&`-style patterns in the substituted value are interpreted, and a function
 * found on the environment's prototype is called as a replacer.
 */
function interpolate(value, environment, expanded, key) {
  for (let steps = 0; steps < MAX_EXPANSIONS; steps++) {
    const at = lastUnescapedDollar(value)
    if (at === -1) return value
    const match = /^\$\{?(\w+)(?::-([^}\\]*))?\}?/.exec(value.slice(at))
    if (!match) return value
    const [reference, name, fallback] = match
    try {
      value = value.replace(reference, environment[name] || fallback || expanded[name] || '')
    } catch (error) {
      throw new EnvFileError(`$${name} in ${key} makes Next.js fail to load this file (${error.name}: ${error.message}), so it uses none of its values`)
    }
    if (value.length > MAX_EXPANDED_LENGTH) {
      throw new EnvFileError(`the $ references in ${key} expand it past ${MAX_EXPANDED_LENGTH / 1024 / 1024} Mi characters (a variable that refers to itself, with a $\` or $' that repeats it), so Next.js fails to load this file`)
    }
  }
  throw new EnvFileError(`the $ references in ${key} never finish expanding (a variable refers to itself), so Next.js fails to load this file`)
}

function lastUnescapedDollar(value) {
  for (let i = value.length - 1; i >= 0; i--) {
    if (value[i] === '$' && value[i - 1] !== '\\') return i
  }
  return -1
}

/**
 * What `process.env` keeps of a string assigned to it: a C string in UTF-8, so the text up
 * to the first NUL, with unpaired surrogates replaced by U+FFFD.
 */
function asStoredInEnvironment(value) {
  const bytes = Buffer.from(value, 'utf8')
  const nul = bytes.indexOf(0)
  return (nul === -1 ? bytes : bytes.subarray(0, nul)).toString('utf8')
}

/**
 * Whether `key` is an array index ('0' to '4294967294'): process.env has no interceptor for
 * those, so it keeps such a key's value as given, NUL and all, as a plain object does.
 */
function isArrayIndex(key) {
  return /^(0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1
}

/** A copy of `environment`, with its prototype, that lacks the variable `name` (a whole copy for `undefined`). */
function withoutVariable(environment, name) {
  const copy = Object.create(Object.getPrototypeOf(environment))
  for (const key of Object.keys(environment)) if (key !== name) Object.defineProperty(copy, key, { value: environment[key], enumerable: true, writable: true, configurable: true })
  return copy
}

/**
 * `process.env[name]` of a Next.js app started with `environment` and this file:
 * `{ value, expanded, wins }`, where `value` is the text or `undefined`, `expanded` the
 * text before `process.env` stored it, and `wins` says where it came from: 'environment'
 * (expanded when the file defines `name` too), 'file', or null when neither sets it.
 * @throws {EnvFileError} where Next.js fails to load the file
 */
function readLikeNextJs(parsed, environment, name) {
  const inEnvironment = Object.hasOwn(environment, name)
  if (!Object.hasOwn(parsed, name)) {
    const value = inEnvironment ? environment[name] : undefined
    return { value, expanded: value, wins: inEnvironment ? 'environment' : null }
  }
  const expanded = expandLikeNextJs(parsed, environment)[name]
  return { value: asStoredInEnvironment(expanded), expanded, wins: inEnvironment ? 'environment' : 'file' }
}

/**
 * What a Next.js app started with `environment` gets from several .env files, read in
 * Next's order (production: .env.production.local, .env.local, .env.production, .env).
 * As in @next/env, each file is expanded against the environment as the files before it
 * left it (their values are written into it, so a later file's `$NAME` sees them, and a
 * key set before is expanded again), and then the first file to define a key that the
 * starting environment lacks has its value put back. Returns `files`, one `{ name, values }`
 * per file (its values as stored), or `{ name, failed }` with the reason where Next.js fails
 * to load that file and skips it, and `final`: `process.env`'s value after loading, for
 * every key a loaded file defines.
 * @param {Array<{ name: string, text: string }>} files
 * @param {object} environment the starting environment (not changed): `process.env`, or an
 *   object with its prototype, whose look-ups (`$constructor`) are process.env's
 */
function loadFilesLikeNextJs(files, environment) {
  // Next.js copies process.env into a plain object for that test, and expands against process.env itself.
  const initial = Object.assign({}, environment)
  const live = withoutVariable(environment, undefined)
  const first = {}
  const results = []
  for (const { name, text } of files) {
    let expanded
    try {
      expanded = expandLikeNextJs(parseEnvText(text).parsed, live)
    } catch (error) {
      if (!(error instanceof EnvFileError)) throw error
      results.push({ name, failed: error.message })
      continue
    }
    const values = {}
    for (const key of Object.keys(expanded)) {
      values[key] = isArrayIndex(key) ? expanded[key] : asStoredInEnvironment(expanded[key])
      live[key] = values[key]
      // @next/env's test: `typeof initialEnv[key] === 'undefined'`, so an inherited name such as toString counts as set.
      if (typeof initial[key] === 'undefined' && !Object.hasOwn(first, key)) first[key] = values[key]
    }
    results.push({ name, values })
  }
  const final = {}
  for (const file of results) for (const key of Object.keys(file.values || {})) final[key] = Object.hasOwn(first, key) ? first[key] : live[key]
  return { files: results, final }
}

function skipSpaces(src, i) {
  while (isSpace(src[i])) i++
  return i
}

/** The first position at or after `i` where a line starts, or Infinity when none does. */
function nextLineStart(src, i) {
  for (; i <= src.length; i++) if (i === 0 || isLineEnd(src[i - 1])) return i
  return Infinity
}

/** 1-based line numbers (line breaks as `\n` after normalising) of positions asked for in increasing order. */
function lineCounter(src) {
  let line = 1
  let counted = 0
  return {
    lineOf(i) {
      for (; counted < i; counted++) if (src[counted] === '\n') line++
      return line
    },
  }
}

// The files `next build`/`next start` (production) and `next dev` (development) load from the
// app's folder, first one first: Next.js's loadEnvConfig.
const NEXT_MODES = {
  production: ['.env.production.local', '.env.local', '.env.production', '.env'],
  development: ['.env.development.local', '.env.local', '.env.development', '.env'],
}
// Every file of either mode, once.
const NEXT_ENV_FILES = [...new Set(Object.values(NEXT_MODES).flat())]

module.exports = { NEXT_MODES, NEXT_ENV_FILES, parseEnvText, expandLikeNextJs, readLikeNextJs, loadFilesLikeNextJs, withoutVariable, EnvFileError }
