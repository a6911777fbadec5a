// scripts/check-paths.mjs (`npm run lint:paths`) finds a missing path or anchor wherever the
// docs or a comment name one, and leaves alone what is not a repository path.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { commentText, headingAnchors, missingPaths } from '../scripts/check-paths.mjs'

const README = `## Next.js
\`\`\`ts
// lib/auth.ts
export {}
\`\`\`
`
const NEXTJS = '# Next.js\n\n## The config line\n\n```sh\n# not a heading\n```\n'

/** missingPaths over an in-memory repository: `tree` maps each file to its text. */
function check(tree) {
  const files = { 'README.md': README, 'docs/nextjs.md': NEXTJS, 'scripts/real.mjs': '', 'src/raw/mod.rs': '', ...tree }
  const exists = (path) => path in files || Object.keys(files).some((file) => file.startsWith(`${path.replace(/\/$/, '')}/`))
  return missingPaths(Object.keys(files), (file) => files[file], exists).map(({ file, line, path }) => `${file}:${line}: ${path}`)
}

describe('check-paths', () => {
  it('reports a missing path in a doc, in a comment, in a link and in a link anchor', () => {
    const found = check({
      'docs/a.md': 'See scripts/gone.mjs and [x](../scripts/real.mjs), [y](nextjs.md#nope), [z](nextjs.md#the-config-line).\n[w](missing.md)',
      'scripts/b.sh': 'echo scripts/gone2.mjs # uses scripts/gone3.mjs\n',
      'src/raw/c.rs': '/// see `src/raw/gone.rs`\nlet a = "src/raw/not-a-comment.rs";\n',
      'lib/d.js': '// lib/e.js, then ./sibling.js\n/*\n * scripts/real.mjs\n */\n',
    })
    assert.deepEqual(found, [
      'docs/a.md:1: scripts/gone.mjs',
      'docs/a.md:1: nextjs.md#nope',
      'docs/a.md:2: missing.md',
      'scripts/b.sh:1: scripts/gone3.mjs',
      'src/raw/c.rs:1: src/raw/gone.rs',
      'lib/d.js:1: lib/e.js',
      'lib/d.js:1: ./sibling.js',
    ])
  })

  it("leaves alone URLs, absolute paths, placeholders, the Next.js app's paths and other folders", () => {
    const doc = [
      'https://github.com/o/r/blob/main/scripts/x.mjs and /usr/bin/chromium',
      'npm/<platform>/package.json, lib/engines/*, scripts/… and lib/auth.ts',
      '.next/standalone/server.js, app/page.tsx, ./node_modules/atlas-user-hash/binding.js',
      'src/raw/ and scripts/real.mjs.',
    ].join('\n')
    assert.deepEqual(check({ 'docs/a.md': doc }), [])
  })

  it('reads comments, not code, from source files', () => {
    assert.equal(commentText('const a = "x/y.js" // z/w.js\n# not a comment in JS\n', '.js'), ' z/w.js\n\n')
    assert.equal(commentText('#!/bin/sh\nx=1 # a/b.sh\n', '.sh'), '\n a/b.sh\n')
  })

  it("gives headings GitHub's anchors", () => {
    assert.deepEqual([...headingAnchors('# A `b` c\n## `ERR_X`\n## A b c\n```\n# no\n```\n## "use cache"')], ['a-b-c', 'err_x', 'a-b-c-1', 'use-cache'])
  })
})
