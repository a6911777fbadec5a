// The Next.js code blocks a user copies, as files for an app: every fenced block whose first
// line is a `// <path>` comment, in the README's Next.js section (from its heading down to the
// next heading of the same or a higher level) and in all of docs/nextjs.md. What
// create-app.mjs writes into an app made by create-next-app, and what the end-to-end test
// builds, so the docs cannot drift from what is tested.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
/** The files whose Next.js blocks are written into the apps, and the heading each starts at. */
export const SOURCES = [
  { file: 'README.md', heading: 'Next.js' },
  { file: 'docs/nextjs.md', heading: null }, // the whole file
]

// A block for an app without Cache Components (Next.js 15's, say): not for create-next-app 16's.
const WITHOUT_CACHE_COMPONENTS = 'without cacheComponents'
// A block that is optional hardening (React's taint API): written only where a test asks for it.
const OPTIONAL = '(optional'

/** The text of `file` (a path from the repository root). */
export const readDoc = (file) => readFileSync(join(ROOT, file), 'utf8')

/**
 * Every Next.js block a user copies, from each of SOURCES in turn: `{ lang, firstLine, code,
 * path, source }`, `path` being the file the first line names (null for a block that names
 * none, such as an error message) and `source` the document it is in.
 */
export function nextjsBlocks(read = readDoc) {
  return SOURCES.flatMap(({ file, heading }) => {
    const markdown = read(file)
    const blocks = heading === null ? fencedBlocks(markdown.split('\n')) : sectionBlocks(heading, markdown, file)
    return blocks.map((block) => ({ ...block, source: file }))
  })
}

/** The code blocks of the section whose heading starts with `title`, as nextjsBlocks gives them. */
export function sectionBlocks(title, markdown, file = 'the document') {
  const lines = markdown.split('\n')
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '').startsWith(title))
  if (start < 0) throw new Error(`${file} has no heading that starts with "${title}"`)
  const level = lines[start].match(/^#+/)[0].length
  const end = lines.findIndex((line, i) => i > start && (line.match(/^(#{1,6}) /)?.[1].length ?? 7) <= level && !insideFence(lines, i))
  return fencedBlocks(lines.slice(start + 1, end < 0 ? undefined : end))
}

/** Whether line `i` of `lines` is inside a fenced block (a `# comment` there is no heading). */
function insideFence(lines, i) {
  return lines.slice(0, i).filter((line) => line.startsWith('```')).length % 2 === 1
}

/** The fenced code blocks of `lines`. */
function fencedBlocks(lines) {
  const blocks = []
  let block = null
  for (const line of lines) {
    if (block) {
      if (line.startsWith('```')) {
        const firstLine = block.lines[0] ?? ''
        const path = firstLine.match(/^\/\/ ([\w./[\]-]+\.(?:tsx?|jsx?|mjs))(?=$|[\s:(])/)?.[1] ?? null
        blocks.push({ lang: block.lang, firstLine, code: `${block.lines.join('\n')}\n`, path })
        block = null
      } else block.lines.push(line)
      continue
    }
    const fence = line.match(/^```(\w*)/)
    if (fence) block = { lang: fence[1], lines: [] }
  }
  return blocks
}

/**
 * The files to write into an app: `next.config.ts` apart (it is an edit of the app's own
 * config, see addConfigLine), every ts/tsx block as `{ path, code }`. `cacheComponents`: the
 * app has Cache Components on (create-next-app 16), so the `without cacheComponents` blocks
 * are left out; without it (Next.js 15), `proxy.ts` is, since 15 runs `middleware.ts`.
 * `optional`: also the blocks marked `(optional`, such as React's taint hardening.
 * Throws when a ts/tsx block names no path: each one must be a complete file.
 */
export function appFiles({ cacheComponents, optional = false }, blocks = nextjsBlocks()) {
  const files = []
  for (const block of blocks) {
    if (!['ts', 'tsx', 'js'].includes(block.lang)) continue
    if (!block.path) throw new Error(`a ${block.lang} block of ${block.source ?? 'the Next.js docs'} names no path on its first line: ${block.firstLine}`)
    if (block.path === 'next.config.ts') continue
    if (block.firstLine.includes(OPTIONAL) && !optional) continue
    const withoutCacheComponents = block.firstLine.includes(WITHOUT_CACHE_COMPONENTS)
    if (cacheComponents ? withoutCacheComponents : block.path === 'proxy.ts') continue
    files.push({ path: block.path, code: block.code })
  }
  return files
}

/**
 * The app's `next.config.ts` with the README's config line added, as a user adds it: the
 * `serverExternalPackages` line of the README's `next.config.ts` block, put first in the
 * object the template's config already has, whose other settings stay.
 */
export function addConfigLine(config, blocks = nextjsBlocks()) {
  const block = blocks.find((b) => b.path === 'next.config.ts' && b.source === 'README.md')
  if (!block) throw new Error("the README's Next.js section has no next.config.ts block")
  const line = block.code.split('\n').find((l) => /^\s*serverExternalPackages:/.test(l))
  if (!line) throw new Error("the README's next.config.ts block has no serverExternalPackages line")
  const opening = 'const nextConfig: NextConfig = {\n'
  if (!config.includes(opening)) throw new Error(`the app's next.config.ts has no \`${opening.trim()}\`:\n${config}`)
  return config.replace(opening, `${opening}${line}\n`)
}
