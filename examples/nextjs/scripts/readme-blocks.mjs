// The code blocks of the README's Next.js section, as files for an app: every fenced block
// whose first line is a `// <path>` comment, from the heading that starts with "Next.js" down
// to the next heading of the same or a higher level. What create-app.mjs writes into an app
// made by create-next-app, and what the end-to-end test builds, so the README cannot drift
// from what is tested.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const README = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'README.md')

// A block for an app without Cache Components (Next.js 15's, say): not for create-next-app 16's.
const WITHOUT_CACHE_COMPONENTS = 'without cacheComponents'
// A block in the section that is not a file of the Next.js app (the Cloudflare Worker).
const NOT_NEXTJS = 'not a Next.js file'

/**
 * The Next.js section's code blocks: `{ lang, firstLine, code, path }`, `path` being the file
 * the first line names (null for a block that names none, such as an error message).
 */
export function nextjsSection(markdown = readFileSync(README, 'utf8')) {
  return sectionBlocks('Next.js', markdown)
}

/** The code blocks of the section whose heading starts with `title`, as nextjsSection gives them. */
export function sectionBlocks(title, markdown = readFileSync(README, 'utf8')) {
  const lines = markdown.split('\n')
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '').startsWith(title))
  if (start < 0) throw new Error(`README.md has no heading that starts with "${title}"`)
  const level = lines[start].match(/^#+/)[0].length
  const blocks = []
  let block = null
  for (const line of lines.slice(start + 1)) {
    if (block) {
      if (line.startsWith('```')) {
        const firstLine = block.lines[0] ?? ''
        const path = firstLine.match(/^\/\/ ([\w./[\]-]+\.(?:tsx?|jsx?|mjs))(?=$|[\s:(])/)?.[1] ?? null
        blocks.push({ lang: block.lang, firstLine, code: `${block.lines.join('\n')}\n`, path })
        block = null
      } else block.lines.push(line)
      continue
    }
    const heading = line.match(/^(#{1,6}) /)
    if (heading && heading[1].length <= level) break
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
 * Throws when a ts/tsx block names no path: each one must be a complete file.
 */
export function appFiles({ cacheComponents }, blocks = nextjsSection()) {
  const files = []
  for (const block of blocks) {
    if (!['ts', 'tsx', 'js'].includes(block.lang) || block.firstLine.includes(NOT_NEXTJS)) continue
    if (!block.path) throw new Error(`a ${block.lang} block of the README's Next.js section names no path on its first line: ${block.firstLine}`)
    if (block.path === 'next.config.ts') continue
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
export function addConfigLine(config, blocks = nextjsSection()) {
  const block = blocks.find((b) => b.path === 'next.config.ts')
  if (!block) throw new Error("the README's Next.js section has no next.config.ts block")
  const line = block.code.split('\n').find((l) => /^\s*serverExternalPackages:/.test(l))
  if (!line) throw new Error("the README's next.config.ts block has no serverExternalPackages line")
  const opening = 'const nextConfig: NextConfig = {\n'
  if (!config.includes(opening)) throw new Error(`the app's next.config.ts has no \`${opening.trim()}\`:\n${config}`)
  return config.replace(opening, `${opening}${line}\n`)
}
