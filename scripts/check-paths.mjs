// `npm run lint:paths`: every repository path named in the docs (README.md, SECURITY.md, docs/,
// examples/*/README.md) or in a comment of the code (lib/, src/, bin/, scripts/, __test__/,
// tests/, benchmark/, examples/) exists, so that no doc or comment sends a reader to a file
// that was renamed or removed. A path counts when it starts with one of the repository's
// top-level folders (`scripts/package.mjs`, `src/raw/`), or with ./ or ../, or is a relative
// Markdown link; it may be written from the repository root or from the naming file's folder or
// one above it. Paths of the Next.js
// app the docs' blocks make (`lib/auth.ts`, `app/page.tsx`) are the app's, not the repository's.
//
//   node scripts/check-paths.mjs          prints each missing path with where it is named; exit 1 if any
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, extname, join, posix, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { nextjsBlocks } from '../examples/nextjs/scripts/readme-blocks.mjs'
import { scriptArgs } from './script-args.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const DOCS = /^(README\.md|SECURITY\.md|docs\/.*\.md|examples\/[^/]+\/README\.md)$/
const CODE_DIRS = /^(lib|src|bin|scripts|__test__|tests|benchmark|examples)\//
const CODE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.tsx', '.rs', '.sh', '.c', '.toml'])
// The last segment's extensions that make a token a file path (a folder path ends with "/").
const FILE_EXTENSIONS = /\.(js|mjs|cjs|ts|tsx|rs|sh|md|json|jsonc|toml|ya?ml|txt|c|h|lock|wasm|node)$/
// A path-like token not inside a URL or an absolute path: segments of word characters, dots
// and dashes, joined by "/". Placeholders (`<platform>`, `*`, `…`) end the token before them.
const TOKEN = /(?<![\w./:@~-])(?:\.{1,2}\/)*[\w.-]+(?:\/[\w.-]+)+\/?(?![\w<*…{$])/g

/** The repository's files (tracked, or new and not ignored), as paths from the root. */
export function repositoryFiles(root = ROOT) {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
  return out.split('\0').filter((file) => file && existsSync(join(root, file)))
}

/** The path-like tokens of `text` that start with one of `topDirs` (or ./, ../), with their line. */
export function pathTokens(text, topDirs) {
  const found = []
  text.split('\n').forEach((line, index) => {
    for (const [token] of line.matchAll(TOKEN)) {
      const bare = token.replace(/[.]+$/, '') // a sentence's full stop
      const first = bare.replace(/^(\.{1,2}\/)+/, '').split('/')[0]
      const relative = bare.startsWith('./') || bare.startsWith('../')
      if (!relative && !topDirs.has(first)) continue
      if (!bare.endsWith('/') && !FILE_EXTENSIONS.test(bare)) continue
      if (bare.split('/').includes('node_modules')) continue // an installed app's, as quoted in an error
      found.push({ path: bare, line: index + 1 })
    }
  })
  return found
}

/** Relative link targets of a Markdown text (`[x](target#anchor)`): `{ path, anchor, line }`. */
export function markdownLinks(text) {
  const found = []
  text.split('\n').forEach((line, index) => {
    for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue
      const [path, anchor = null] = target.split('#')
      found.push({ path, anchor, line: index + 1 })
    }
  })
  return found
}

/** The anchors GitHub gives a Markdown text's headings (`## The config line` → `the-config-line`). */
export function headingAnchors(text) {
  const anchors = new Set()
  let fenced = false
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const heading = !fenced && line.match(/^#{1,6} (.*)$/)
    if (!heading) continue
    const slug = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
    let unique = slug
    for (let n = 1; anchors.has(unique); n++) unique = `${slug}-${n}`
    anchors.add(unique)
  }
  return anchors
}

/** The comment text of a source file, one comment line per source line (others left empty). */
export function commentText(text, extension) {
  const hash = extension === '.sh' || extension === '.toml'
  return text
    .split('\n')
    .map((line) => {
      if (hash) return line.match(/(?:^|\s)#(?!!)(.*)$/)?.[1] ?? ''
      const block = line.match(/^\s*(?:\/\*+|\*)(.*)$/)
      if (block) return block[1]
      return line.match(/(?:^|[\s;,{}()])\/\/[/!]?(.*)$/)?.[1] ?? ''
    })
    .join('\n')
}

/**
 * Every path named in the docs or a code comment that does not exist: `{ file, line, path }`.
 * `files`: the repository's files; `read`: a file's text by its path from the root.
 */
export function missingPaths(files, read, exists) {
  const topDirs = new Set(files.filter((file) => file.includes('/')).map((file) => file.split('/')[0]))
  const appPaths = new Set(nextjsBlocks(read).map((block) => block.path).filter(Boolean))
  const missing = []
  for (const file of files) {
    const isDoc = DOCS.test(file)
    const isCode = CODE_DIRS.test(file) && CODE_EXTENSIONS.has(extname(file)) && !file.includes('/node_modules/')
    if (!isDoc && !isCode) continue
    const text = read(file)
    const named = isDoc ? [...pathTokens(text, topDirs), ...markdownLinks(text)] : pathTokens(commentText(text, extname(file)), topDirs)
    for (const { path, line, anchor } of named) {
      if (appPaths.has(path)) continue
      const target = path === '' ? file : folders(file, path).map((folder) => posix.normalize(posix.join(folder, path))).find(exists)
      if (!target) missing.push({ file, line, path })
      else if (anchor && target.endsWith('.md') && !headingAnchors(read(target)).has(anchor)) missing.push({ file, line, path: `${path}#${anchor}` })
    }
  }
  return missing
}

/** The folders a path named in `file` may be written from. */
function folders(file, path) {
  // Repository paths, as git lists them: '/'-separated on every OS.
  const own = posix.dirname(file)
  if (/^\.{1,2}\//.test(path)) return [own] // ./x, ../x: from the file's folder
  if (DOCS.test(file)) return [own, '.'] // a doc: from its folder or the root
  const above = []
  for (let folder = own; folder !== '.'; folder = posix.dirname(folder)) above.push(folder)
  return [...above, '.'] // a comment: from its folder, one above it, or the root
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  scriptArgs(`
Usage: npm run lint:paths   (node scripts/check-paths.mjs)

Checks that every repository path named in the docs (README.md, SECURITY.md, docs/) and in
comments under lib/, src/, bin/, scripts/, __test__/, tests/, benchmark/ and examples/ exists.
Exit 1, naming each missing path, otherwise 0. npm run lint runs it as lint:paths.

  -h, --help   this text; nothing is checked
`)
  const missing = missingPaths(
    repositoryFiles(),
    (file) => readFileSync(join(ROOT, file), 'utf8'),
    (path) => existsSync(join(ROOT, path)),
  )
  for (const { file, line, path } of missing) console.error(`${file}:${line}: ${path} does not exist`)
  if (missing.length) {
    console.error(`check-paths: ${missing.length} named path(s) missing`)
    process.exit(1)
  }
  console.log('check-paths: every path named in the docs and comments exists')
}
