// The Next.js blocks of the README and docs/nextjs.md, checked in seconds (the end-to-end test,
// `npm run test:e2e`, builds and serves them): every code block for the app is a complete file
// that names its path, every local import it makes is another block, the blocks a
// create-next-app 16 app gets obey Cache Components' rules, every hash-carrying route sets
// Cache-Control and reads no request, and the config line goes into the template's config as a
// user adds it.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { addConfigLine, appFiles, nextjsBlocks, readDoc, sectionBlocks } from '../examples/nextjs/scripts/readme-blocks.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

// create-next-app 16.4.3's next.config.ts, verbatim.
const TEMPLATE_CONFIG = `import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  /* config options here */
  cacheComponents: true,
  partialPrefetching: true,
  turbopack: {
    rules: {
      "*.css": {
        loaders: ["@tailwindcss/turbopack"],
        as: "*.css",
      },
    },
  },
};

export default nextConfig;
`

const apps = {
  'Next.js 16 (cacheComponents)': appFiles({ cacheComponents: true }),
  'Next.js 15': appFiles({ cacheComponents: false }),
  'Next.js 16 with the optional blocks': appFiles({ cacheComponents: true, optional: true }),
}
// What hashes, or hands out what hashed (a route's response).
const HASHES = /\b(generateAtlasUserObject|atlasUserFor|atlasUserResponse)\(/

/** The local modules `code` imports (`@/x`, `./x`, `../x`), as paths from the app root. */
function localImports(path, code) {
  const folder = path.split('/').slice(0, -1)
  const imports = []
  for (const [, spec] of code.matchAll(/^import [^"]*"((?:@\/|\.\.?\/)[^"]+)"/gm)) {
    if (spec.startsWith('@/')) imports.push(spec.slice(2))
    else {
      const parts = [...folder]
      for (const part of spec.split('/')) {
        if (part === '..') parts.pop()
        else if (part !== '.') parts.push(part)
      }
      imports.push(parts.join('/'))
    }
  }
  return imports
}

describe("the Next.js blocks of the README and docs/nextjs.md", () => {
  it('has the blocks the issue lists, each naming its path on its first line', () => {
    const paths = nextjsBlocks()
      .map((block) => block.path)
      .filter(Boolean)
    for (const path of ['next.config.ts', 'lib/auth.ts', 'app/api/atlas-user/route.ts', 'app/atlas-identify.tsx', 'app/actions.ts', 'proxy.ts', 'middleware.ts', 'pages/account.tsx', 'app/taint-secret.ts']) {
      assert.ok(paths.includes(path), `${path} in ${paths}`)
    }
    assert.ok(paths.some((path) => path.startsWith('pages/api/')))
  })

  it("the README's own blocks make an app that builds by themselves: their local imports are README blocks", () => {
    const readme = appFiles({ cacheComponents: true }, nextjsBlocks().filter((block) => block.source === 'README.md'))
    const paths = readme.map((file) => file.path)
    assert.ok(paths.length <= 6, `the README keeps the fewest blocks: ${paths}`)
    for (const { path, code } of readme) {
      for (const target of localImports(path, code)) assert.ok(['.ts', '.tsx'].some((ext) => paths.includes(`${target}${ext}`)), `${path} imports ${target}, which no README block writes`)
    }
  })

  it('every route that hands out the object sets Cache-Control: private, no-store and reads no request', () => {
    for (const { path, code } of appFiles({ cacheComponents: false })) {
      const route = /^(app\/.*\/route\.ts|pages\/api\/.*|proxy\.ts|middleware\.ts|lib\/atlas-response\.ts)$/.test(path)
      const delegates = code.includes('return atlasUserResponse()') // lib/atlas-response.ts sets it
      if (route && HASHES.test(code) && !delegates) assert.match(code, /"Cache-Control": "private, no-store"|"Cache-Control", "private, no-store"/, `${path}: Cache-Control`)
      // The id comes from the session alone: no block reads a query, a cookie or a header.
      assert.doesNotMatch(code, /searchParams|\bcookies\(|request\.(query|cookies|headers)|req\.(query|cookies)/, `${path} reads the request`)
    }
  })

  for (const [name, files] of Object.entries(apps)) {
    it(`${name}: one block per path, and every local import is one of the blocks`, () => {
      const paths = files.map((file) => file.path)
      assert.equal(new Set(paths).size, paths.length, `duplicate paths: ${paths}`)
      for (const { path, code } of files) {
        for (const target of localImports(path, code)) {
          assert.ok(['.ts', '.tsx'].some((ext) => paths.includes(`${target}${ext}`)), `${path} imports ${target}, which no block writes`)
        }
      }
    })
  }

  it('a create-next-app 16 app gets proxy.ts and nothing Cache Components forbids', () => {
    const files = apps['Next.js 16 (cacheComponents)']
    const paths = files.map((file) => file.path)
    assert.ok(paths.includes('proxy.ts'))
    assert.ok(!paths.includes('middleware.ts'), 'Next.js 16 refuses a middleware.ts beside proxy.ts')
    for (const { path, code } of files) {
      assert.doesNotMatch(code, /export const runtime/, `${path}: Cache Components forbids route segment config "runtime"`)
      // A server component or route handler that hashes must say it needs a request, or
      // Cache Components prerenders it at build time.
      const server = path.startsWith('app/') && !/^"use (client|server)"/m.test(code)
      const hashes = code.search(HASHES)
      if (server && hashes >= 0) {
        assert.ok(code.indexOf('await connection()') >= 0 && code.indexOf('await connection()') < hashes, `${path}: await connection() first`)
      }
    }
  })

  it('a Next.js 15 app gets middleware.ts and the Edge route instead of proxy.ts', () => {
    const paths = apps['Next.js 15'].map((file) => file.path)
    assert.ok(paths.includes('middleware.ts'))
    assert.ok(!paths.includes('proxy.ts'))
    assert.ok(apps['Next.js 15'].some(({ code }) => code.includes('export const runtime = "edge"')))
  })

  it("adds the config line to the template's config and keeps every line of it", () => {
    const config = addConfigLine(TEMPLATE_CONFIG)
    assert.match(config, /^ {2}serverExternalPackages: \["atlas-user-hash"\],/m)
    for (const line of TEMPLATE_CONFIG.split('\n')) assert.ok(config.includes(line), `kept: ${line}`)
    assert.throws(() => addConfigLine('export default {}\n'), /has no `const nextConfig: NextConfig = \{`/)
  })
})

describe('README.md, the page users read first (issue 22)', () => {
  const readme = readDoc('README.md')

  it('is at most 250 lines', () => {
    assert.ok(readme.split('\n').length - 1 <= 250, `README.md has ${readme.split('\n').length - 1} lines`)
  })

  it("the error table has a row for every ERR_ATLAS_* code the library's JavaScript names", () => {
    const sources = ['index.js', 'edge.mjs', 'browser.js', ...readdirSync(join(root, 'lib'), { recursive: true }).map((file) => join('lib', file))].filter((file) => /\.m?js$/.test(file))
    const codes = new Set(sources.flatMap((file) => readFileSync(join(root, file), 'utf8').match(/ERR_ATLAS_[A-Z_]+/g) ?? []))
    assert.ok(codes.size >= 7, [...codes].join(', '))
    for (const code of codes) assert.match(readme, new RegExp(`^\\| \`${code}\` \\| \`(Type)?Error\` \\|`, 'm'), `README's error table has no row for ${code}`)
  })

  it('keeps the order: what it fixes, Install, Next.js, Node scripts, API, the CLI, links', () => {
    const headings = readme.split('\n').filter((line) => line.startsWith('## ')).map((line) => line.slice(3))
    assert.deepEqual(headings, ['Install', 'Next.js', 'Node scripts', 'API', 'Debugging a rejected hash', 'More', 'License'])
    assert.ok(readme.indexOf('| the documented `createHmac` helper | atlas-user-hash |') < readme.indexOf('## Install'))
  })
})

describe('the block parser', () => {
  const markdown = [
    '## Usage',
    '### Next.js',
    '```ts',
    '// app/a.ts',
    'export const a = 1',
    '```',
    '```',
    'an error message',
    '```',
    '#### A subsection, still part of it',
    '```ts',
    '// b.ts (without cacheComponents)',
    'export const b = 2',
    '```',
    '### Node scripts',
    '```ts',
    '// c.ts',
    '```',
  ].join('\n')

  it('reads the blocks down to the next heading of the same level, with their paths', () => {
    assert.deepEqual(
      sectionBlocks('Next.js', markdown).map(({ lang, path }) => [lang, path]),
      [
        ['ts', 'app/a.ts'],
        ['', null],
        ['ts', 'b.ts'],
      ],
    )
    assert.deepEqual(
      appFiles({ cacheComponents: true }, sectionBlocks('Next.js', markdown)).map((file) => file.path),
      ['app/a.ts'],
    )
    assert.deepEqual(
      appFiles({ cacheComponents: false }, sectionBlocks('Next.js', markdown)).map((file) => file.path),
      ['app/a.ts', 'b.ts'],
    )
  })

  it('refuses a code block that names no path', () => {
    const blocks = sectionBlocks('Next.js', '### Next.js\n```tsx\nexport default function Page() {}\n```\n')
    assert.throws(() => appFiles({ cacheComponents: true }, blocks), /names no path on its first line/)
  })

  it('refuses a README without the section', () => {
    assert.throws(() => sectionBlocks('Next.js', '# Title\n', 'README.md'), /README\.md has no heading that starts with "Next.js"/)
  })

  it('reads every block of a whole file, a `# comment` in a block being no heading', () => {
    const files = { 'README.md': '## Next.js\n```ts\n// a.ts\n```\n## Other\n```ts\n// skipped.ts\n```\n', 'docs/nextjs.md': '# T\n```sh\n# not a heading\n```\n## S\n```ts\n// b.ts (optional, x)\n```\n' }
    const blocks = nextjsBlocks((file) => files[file])
    assert.deepEqual(
      blocks.map(({ path, source }) => [path, source]),
      [
        ['a.ts', 'README.md'],
        [null, 'docs/nextjs.md'],
        ['b.ts', 'docs/nextjs.md'],
      ],
    )
    assert.deepEqual(appFiles({ cacheComponents: true }, blocks).map((file) => file.path), ['a.ts'])
    assert.deepEqual(appFiles({ cacheComponents: true, optional: true }, blocks).map((file) => file.path), ['a.ts', 'b.ts'])
  })
})
