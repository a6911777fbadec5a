// The README's Next.js section, checked in seconds (the end-to-end test, `npm run test:e2e`,
// builds and serves it): every code block for the app is a complete file that names its path,
// every local import it makes is another block, the blocks a create-next-app 16 app gets obey
// Cache Components' rules, and the config line goes into the template's config as a user adds it.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { addConfigLine, appFiles, nextjsSection } from '../examples/nextjs/scripts/readme-blocks.mjs'

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

const apps = { 'Next.js 16 (cacheComponents)': appFiles({ cacheComponents: true }), 'Next.js 15': appFiles({ cacheComponents: false }) }

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

describe("the README's Next.js section", () => {
  it('has the blocks the issue lists, each naming its path on its first line', () => {
    const paths = nextjsSection()
      .map((block) => block.path)
      .filter(Boolean)
    for (const path of ['next.config.ts', 'lib/auth.ts', 'app/api/atlas-user/route.ts', 'app/atlas-identify.tsx', 'app/actions.ts', 'proxy.ts', 'middleware.ts', 'pages/account.tsx']) {
      assert.ok(paths.includes(path), `${path} in ${paths}`)
    }
    assert.ok(paths.some((path) => path.startsWith('pages/api/')))
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
      if (server && code.includes('generateAtlasUserObject(')) {
        assert.ok(code.indexOf('await connection()') >= 0 && code.indexOf('await connection()') < code.indexOf('generateAtlasUserObject('), `${path}: await connection() first`)
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

describe('the section parser', () => {
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
      nextjsSection(markdown).map(({ lang, path }) => [lang, path]),
      [
        ['ts', 'app/a.ts'],
        ['', null],
        ['ts', 'b.ts'],
      ],
    )
    assert.deepEqual(
      appFiles({ cacheComponents: true }, nextjsSection(markdown)).map((file) => file.path),
      ['app/a.ts'],
    )
    assert.deepEqual(
      appFiles({ cacheComponents: false }, nextjsSection(markdown)).map((file) => file.path),
      ['app/a.ts', 'b.ts'],
    )
  })

  it('refuses a code block that names no path', () => {
    const blocks = nextjsSection('### Next.js\n```tsx\nexport default function Page() {}\n```\n')
    assert.throws(() => appFiles({ cacheComponents: true }, blocks), /names no path on its first line/)
  })

  it('refuses a README without the section', () => {
    assert.throws(() => nextjsSection('# Title\n'), /no heading that starts with "Next.js"/)
  })
})
