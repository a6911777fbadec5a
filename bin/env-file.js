'use strict'

// Reads a .env file the way a Next.js app reads its .env files (`@next/env`, which runs
// dotenv 16's `parse` and then dotenv-expand 10's `expand` over each file's text), so that
// `atlas-user-hash --env-file .env.local` sees the value the app would see. No dependency:
// the rules, as those two packages apply them:
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
// - A key defined twice takes the later value.
// - Then `$NAME`, `${NAME}` and `${NAME:-default}` in every value (quoted or not, single
//   quotes included) are replaced by the environment variable NAME, else the default, else
//   the file's NAME, else ''. `\$` is a literal `$`. A variable that is set in the
//   environment keeps its environment value (the file's line is ignored), as Next.js lets
//   the environment win; callers can ask for the file's own value of a key instead.

/** JavaScript's `\s`: what dotenv's patterns treat as whitespace (line ends and BOM included). */
const isSpace = (c) => c !== undefined && /\s/.test(c)
/** Where a pattern's `^` and `$` see a line break (`\r` is already gone). */
const isLineEnd = (c) => c === '\n' || c === '\u2028' || c === '\u2029'
const isKeyChar = (c) => c !== undefined && /[\w.-]/.test(c)
const QUOTES = '\'"`'
// Expansion of one value stops after this many replacements: only a variable that refers
// to itself gets there, where dotenv-expand recurses until the stack overflows.
const MAX_EXPANSIONS = 1000

/** Why a file's text cannot be used, for example references that never finish expanding. */
class EnvFileError extends Error {}

/**
 * Parses the text of a .env file. Returns `values`, key → value with quotes and escapes
 * resolved but `$` references not yet expanded (in the order keys first appear, as a
 * JavaScript object keeps them), and `entries`: one `{ key, line, quote, commentCut }` per
 * definition, where `quote` is the quote character or '' and `commentCut` says that an
 * unquoted value ended at a `#` written right after it (`KEY=abc#def` reads as `abc`).
 * @param {string} text
 */
function parseEnvText(text) {
  const src = text.replace(/\r\n?/g, '\n')
  const values = new Map()
  const entries = []
  let pos = 0
  while (pos <= src.length) {
    const entry = entryAt(src, pos)
    if (entry) {
      values.set(entry.key, entry.value)
      entries.push({ key: entry.key, line: lineOf(src, entry.keyAt), quote: entry.quote, commentCut: entry.commentCut })
      pos = nextLineStart(src, entry.end)
    } else {
      pos = nextLineStart(src, pos + 1)
    }
  }
  return { values, entries }
}

/** The entry that starts at line start `start` (after any whitespace, blank lines included), or null. */
function entryAt(src, start) {
  const at = skipSpaces(src, start)
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
  for (let i = open + 1; i < src.length; i++) {
    if (src[i] !== quote) continue
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
 * Expands `$` references in every value, in order, as Next.js does after parsing a file.
 * @param {Map<string, string>} values as `parseEnvText` returns them (not changed)
 * @param {Record<string, string | undefined>} env the environment the app would start with
 * @param {{ fileWins?: string[] }} [options] keys whose own value comes from the file even
 *   when `env` sets them (where Next.js would take the environment's value)
 * @returns {Map<string, string>}
 */
function expandEnvValues(values, env, options = {}) {
  const fileWins = new Set(options.fileWins || [])
  const expanded = new Map(values)
  for (const [key, value] of expanded) {
    const own = Object.hasOwn(env, key) && !fileWins.has(key) ? env[key] : value
    expanded.set(key, interpolate(own, env, expanded, key).replace(/\\\$/g, '$'))
  }
  return expanded
}

/**
 * Replaces references from the last unescaped `$` backwards, one at a time, until none is
 * left or the last one is not a reference (then earlier ones stay as written, as in
 * dotenv-expand). Each replacement goes through `String.prototype.replace` with the
 * reference's text as the pattern, as there: it replaces the first occurrence of that
 * text, and `$&`-style patterns in the substituted value are interpreted.
 */
function interpolate(value, env, fileValues, key) {
  for (let steps = 0; steps < MAX_EXPANSIONS; steps++) {
    const at = lastUnescapedDollar(value)
    if (at === -1) return value
    const match = /^\$\{?(\w+)(?::-([^}\\]*))?\}?/.exec(value.slice(at))
    if (!match) return value
    const [reference, name, fallback] = match
    const fromEnv = Object.hasOwn(env, name) ? env[name] : undefined
    value = value.replace(reference, fromEnv || fallback || fileValues.get(name) || '')
  }
  throw new EnvFileError(`the $ references in ${key} never finish expanding (a variable refers to itself), so Next.js fails to load this file`)
}

function lastUnescapedDollar(value) {
  for (let i = value.length - 1; i >= 0; i--) {
    if (value[i] === '$' && value[i - 1] !== '\\') return i
  }
  return -1
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

/** The 1-based line number of position `i` (line breaks as `\n` after normalising). */
function lineOf(src, i) {
  let line = 1
  for (let j = 0; j < i; j++) if (src[j] === '\n') line++
  return line
}

module.exports = { parseEnvText, expandEnvValues, EnvFileError }
