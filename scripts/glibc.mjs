// The glibc symbol versions a shared object needs, read with `objdump -T` (binutils).
import { execFileSync } from 'node:child_process'

/** The glibc baseline of the Linux gnu binaries, as napi-rs releases target it. */
export const MAX_GLIBC = '2.17'

/** The distinct `GLIBC_x.y[.z]` versions that `file`'s dynamic symbols need, e.g. ['2.2.5', '2.14']. */
export function glibcVersions(file) {
  const dump = execFileSync('objdump', ['-T', file], { encoding: 'utf8' })
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
