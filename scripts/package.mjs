// `npm run package`: builds the release binary for x86_64-unknown-linux-gnu against glibc 2.17
// (zig via cargo-zigbuild; a plain build on Debian 12 needs GLIBC_2.34) and packs what npm
// would publish:
//   dist/atlas-user-hash-<version>.tgz                the main package: loader, types, docs
//   dist/atlas-user-hash-linux-x64-gnu-<version>.tgz  the platform package: the .node alone
// The main package's package.json gets `optionalDependencies` on every platform package of
// `napi.targets` at the same version, as `napi pre-publish` adds them at release time (the
// repository's package.json must not list them: unpublished, they break `npm ci`).
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { MAX_GLIBC, glibcVersions, maxVersion, newerThan } from './glibc.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
// The one mapping from a target triple to napi-rs's platform name, shared with the loader.
const { targetSuffix } = createRequire(import.meta.url)('../load-binding.js')
const TARGET = 'x86_64-unknown-linux-gnu'
const PLATFORM = 'linux-x64-gnu'

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const { version } = pkg
const binaryName = pkg.napi.binaryName
const nodeFile = `${binaryName}.${PLATFORM}.node`
const work = join(root, 'target', 'package')
const dist = join(root, 'dist')

const env = { ...process.env, PATH: `${join(root, '.tools', 'venv', 'bin')}:${process.env.PATH}` }
const run = (cmd, args, options = {}) => execFileSync(cmd, args, { cwd: root, env, stdio: 'inherit', ...options })

function main() {
  requireZigbuild()
  rmSync(work, { recursive: true, force: true })
  mkdirSync(dist, { recursive: true })

  // 1. The binary, linked against glibc 2.17. The loader and types are generated beside it
  //    and must equal the committed ones, so the main package ships what this binary exports.
  const build = join(work, 'build')
  const started = Date.now()
  run(join(root, 'node_modules', '.bin', 'napi'), [
    'build', '--platform', '--release', '--cross-compile',
    '--target', `${TARGET}.${MAX_GLIBC}`,
    '--output-dir', build, '--js', 'binding.js', '--dts', 'binding.d.ts',
  ])
  console.log(`package: built ${nodeFile} for ${TARGET}.${MAX_GLIBC} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  for (const generated of ['binding.js', 'binding.d.ts']) {
    if (!readFileSync(join(build, generated)).equals(readFileSync(join(root, generated)))) {
      throw new Error(`${generated} is out of date with the Rust sources: run \`npm run build\` and commit it`)
    }
  }
  const versions = glibcVersions(join(build, nodeFile))
  const needed = maxVersion(versions)
  if (needed && newerThan(needed, MAX_GLIBC)) {
    throw new Error(`${nodeFile} needs GLIBC_${needed}, newer than the GLIBC_${MAX_GLIBC} baseline`)
  }
  console.log(`package: ${nodeFile} needs at most GLIBC_${needed ?? '(none)'} (baseline ${MAX_GLIBC})`)

  // 2. The platform package: npm/<platform>/ as `napi create-npm-dirs` made it, plus the binary.
  const platformDir = join(work, PLATFORM)
  const platformPkg = JSON.parse(readFileSync(join(root, 'npm', PLATFORM, 'package.json'), 'utf8'))
  if (platformPkg.version !== version) {
    throw new Error(`npm/${PLATFORM}/package.json is at ${platformPkg.version}, package.json at ${version}: run \`npx napi version\``)
  }
  mkdirSync(platformDir, { recursive: true })
  copyFileSync(join(root, 'npm', PLATFORM, 'package.json'), join(platformDir, 'package.json'))
  copyFileSync(join(root, 'npm', PLATFORM, 'README.md'), join(platformDir, 'README.md'))
  copyFileSync(join(root, 'LICENSE'), join(platformDir, 'LICENSE'))
  copyFileSync(join(build, nodeFile), join(platformDir, nodeFile))

  // 3. The main package: the `files` of package.json, README and LICENSE, and the manifest
  //    with the platform packages as optional dependencies.
  const mainDir = join(work, 'main')
  mkdirSync(mainDir, { recursive: true })
  for (const file of [...pkg.files, 'README.md', 'LICENSE']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} (package.json "files") does not exist`)
    copyFileSync(join(root, file), join(mainDir, file))
  }
  const optionalDependencies = { ...pkg.optionalDependencies }
  for (const dir of platformDirs()) optionalDependencies[`${pkg.name}-${dir}`] = version
  writeFileSync(join(mainDir, 'package.json'), `${JSON.stringify({ ...pkg, optionalDependencies }, null, 2)}\n`)

  for (const dir of [mainDir, platformDir]) {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dist], { cwd: dir, env, encoding: 'utf8' }))
    const size = statSync(join(dist, packed.filename)).size
    console.log(`package: dist/${packed.filename}  ${(size / 1024).toFixed(1)} KiB  (${packed.files.map((f) => f.path).join(', ')})`)
  }
}

/** The platform folders under npm/, one per `napi.targets` entry (`napi create-npm-dirs`). */
function platformDirs() {
  const dirs = []
  for (const target of pkg.napi.targets) {
    const dir = targetSuffix(target)
    if (!dir) throw new Error(`no npm/ folder name known for target ${target}`)
    if (!existsSync(join(root, 'npm', dir, 'package.json'))) throw new Error(`npm/${dir} is missing: run \`npx napi create-npm-dirs\``)
    dirs.push(dir)
  }
  return dirs
}


function requireZigbuild() {
  try {
    execFileSync('cargo', ['zigbuild', '--help'], { env, stdio: 'ignore' })
  } catch {
    throw new Error('cargo-zigbuild and zig are needed for the glibc 2.17 build: run `bash scripts/install-tools.sh`')
  }
}

main()
