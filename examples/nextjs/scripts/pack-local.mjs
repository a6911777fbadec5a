// Packs atlas-user-hash from this repository as npm would publish it, for this machine only:
//   atlas-user-hash-<version>.tgz             the main package (package.json "files", README,
//                                             LICENSE), its optionalDependencies naming every
//                                             platform package, as `napi pre-publish` adds them
//   atlas-user-hash-<platform>-<version>.tgz  this machine's platform package: npm/<platform>/
//                                             with the addon `npm run build` made at the root
// `npm install <both tarballs>` then installs the package the way a registry install does
// (npm skips the unpublished platform packages the main one names).
//
// Usage: node examples/nextjs/scripts/pack-local.mjs <out-dir>, or import { packLocal }.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { stageMain, stagePlatform } from '../../../scripts/package.mjs'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** Packs both tarballs into `outDir`; returns their absolute paths, main package first. */
export function packLocal(outDir) {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
  const addons = readdirSync(repo).filter((name) => name.startsWith(`${pkg.napi.binaryName}.`) && name.endsWith('.node'))
  if (addons.length !== 1) throw new Error(`pack-local: expected one addon in ${repo}, found [${addons.join(', ')}]: run \`npm run build\` there`)
  const [addon] = addons
  const platform = addon.slice(pkg.napi.binaryName.length + 1, -'.node'.length)
  mkdirSync(outDir, { recursive: true })
  const work = mkdtempSync(join(tmpdir(), 'atlas-pack-'))
  try {
    const main = join(work, 'main')
    stageMain(main)
    const native = join(work, platform)
    mkdirSync(native)
    copyFileSync(join(repo, addon), join(native, addon))
    stagePlatform(platform, native)
    return [main, native].map((dir) => join(outDir, pack(dir, outDir)))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

function pack(dir, outDir) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const [packed] = JSON.parse(execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], { cwd: dir, encoding: 'utf8' }))
  return packed.filename
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv[2]) throw new Error('usage: node pack-local.mjs <out-dir>')
  for (const tarball of packLocal(resolve(process.argv[2]))) console.log(tarball)
}
