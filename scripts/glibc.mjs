// The glibc symbol versions a shared object needs. Used by `npm run package`, the packaging
// test and the release workflow:
//   node scripts/glibc.mjs FILE...   fails when a file needs a glibc newer than MAX_GLIBC
// `objdump -T` (binutils) reads the dynamic symbols; `readelf` does the same for binaries of
// another architecture, which the host's objdump may not know (the CLI uses it).
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The glibc baseline of the Linux gnu binaries, as napi-rs releases target it. */
export const MAX_GLIBC = '2.17'

/** The distinct `GLIBC_x.y[.z]` versions that `file`'s dynamic symbols need, e.g. ['2.2.5', '2.14']. */
export function glibcVersions(file, tool = 'objdump') {
  const args = tool === 'readelf' ? ['-W', '--dyn-syms', file] : ['-T', file]
  const dump = execFileSync(tool, args, { encoding: 'utf8' })
  return [...new Set([...dump.matchAll(/\bGLIBC_(\d+(?:\.\d+)+)\b/g)].map((m) => m[1]))].sort(compareVersions)
}

export function compareVersions(a, b) {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

export const newerThan = (a, b) => compareVersions(a, b) > 0

export const maxVersion = (versions) => (versions.length ? [...versions].sort(compareVersions).at(-1) : null)

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2)
  if (files.length === 0) throw new Error('usage: node scripts/glibc.mjs FILE...')
  let failed = false
  for (const file of files) {
    const needed = maxVersion(glibcVersions(file, 'readelf'))
    const tooNew = needed === null || newerThan(needed, MAX_GLIBC)
    failed ||= tooNew
    console.log(`${file}: needs ${needed ? `GLIBC_${needed}` : 'no GLIBC_ symbol (not a glibc binary?)'}${tooNew ? `: FAIL, baseline is ${MAX_GLIBC}` : ''}`)
  }
  process.exitCode = failed ? 1 : 0
}
