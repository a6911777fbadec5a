// `npm run package [-- PLATFORM...]`: builds the release binaries this machine can build and
// packs what npm would publish:
//   dist/atlas-user-hash-<version>.tgz             the main package: loader, types, docs; its
//                                                  optionalDependencies name every platform package
//   dist/atlas-user-hash-<platform>-<version>.tgz  one per platform built: the binary alone
// With no PLATFORM it builds all of BUILDS (scripts/targets.mjs); a test stand-in of STAND_INS
// (win32-x64-gnu) only when named, packed as a private package. Tools: `npm run tools`.
// Every binary is built the same way, by Debian's Rust 1.96 with -Zbuild-std (std built from
// source without its backtrace symbolizer, which would add ~150 kB) and zig as the linker
// (cargo-zigbuild; glibc 2.17 for the gnu targets), then checked by scripts/binary-checks.mjs.
// The release workflow runs this same command for the Linux targets.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { checkBinary } from './binary-checks.mjs'
import { publishProblems, tarballSizeProblem } from './release-checks.mjs'
import { runScript, scriptArgs } from './script-args.mjs'
import { BUILDS, STAND_INS, UNBUILDABLE, allPlatformPackages } from './targets.mjs'
import { buildNative, nativeTools, requireTools } from './build-native.mjs'
import { buildWasm, wasmTools } from './build-wasm.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const { version } = pkg
const { binaryName } = pkg.napi
const work = join(root, 'target', 'package')
const dist = join(root, 'dist')

const USAGE = `
Usage: npm run package [-- PLATFORM...]

Builds the release binaries this machine can build (Debian's Rust with -Zbuild-std, zig as the
linker; tools: \`npm run tools\`), checks each, and packs into dist/ the main package and one
package per platform built. With no PLATFORM: every platform of scripts/targets.mjs BUILDS
(about 16 minutes); a test stand-in (win32-x64-gnu) only when named.

  PLATFORM     a platform package name: ${[...Object.keys(BUILDS), ...Object.keys(STAND_INS)].join(', ')}
  -h, --help   this text; nothing is built or packed

To try the package in an app, this machine's binary only: \`npm run pack:local\`.
`

function main() {
  const { positionals } = scriptArgs(USAGE, { positionals: true })
  const platforms = selectPlatforms(positionals)
  mkdirSync(dist, { recursive: true })
  mkdirSync(work, { recursive: true })
  const builds = platforms.map((platform) => [platform, BUILDS[platform] ?? STAND_INS[platform]])
  // Every tool of every build, checked before the first starts rather than minutes into the run.
  for (const [platform, build] of builds) requireTools(platform, build.kind === 'wasm' ? wasmTools(root, build) : nativeTools(root, build))
  const summary = []
  for (const [platform, build] of builds) {
    const started = Date.now()
    const dir = join(work, platform)
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    console.log(`\n=== package: ${platform} (${build.target})`)
    const binary = join(dir, build.kind === 'wasm' ? `${binaryName}.${build.target}.wasm` : `${binaryName}.${platform}.node`)
    if (build.kind === 'wasm') buildWasm(root, build, binary)
    else buildNative(root, build, binary)
    const seconds = (Date.now() - started) / 1000
    const { facts, problems } = checkBinary(binary, platform)
    console.log(`package: ${platform}: ${JSON.stringify(facts)}`)
    if (problems.length) throw new Error(`${platform}: ${binary} ${problems.join('; ')}`)
    const tarball = packPlatform(platform, dir)
    summary.push({ platform, seconds, bytes: facts.size, tarball })
  }
  const mainDir = join(work, 'main')
  rmSync(mainDir, { recursive: true, force: true })
  stageMain(mainDir)
  const mainTarball = pack(mainDir, 'main')
  console.log('\npackage: summary')
  for (const { platform, seconds, bytes, tarball } of summary) {
    console.log(`  ${platform.padEnd(20)} built in ${seconds.toFixed(1).padStart(6)} s  binary ${(bytes / 1000).toFixed(1).padStart(7)} kB  dist/${tarball}`)
  }
  console.log(`  main package${' '.repeat(21)}dist/${mainTarball}`)
}

/** The platforms named on the command line (all of BUILDS when none), or an Error saying why not. */
function selectPlatforms(args) {
  if (args.length === 0) return Object.keys(BUILDS)
  for (const platform of args) {
    if (BUILDS[platform] || STAND_INS[platform]) continue
    if (UNBUILDABLE[platform]) throw new Error(`package: ${platform} cannot be built on this machine: ${UNBUILDABLE[platform]}`)
    throw new Error(`package: unknown platform ${platform}; known: ${[...Object.keys(BUILDS), ...Object.keys(STAND_INS), ...Object.keys(UNBUILDABLE)].join(', ')}`)
  }
  return [...new Set(args)]
}

/** npm/<platform>/ (package.json, README) plus LICENSE and the binary, packed into dist/. */
function packPlatform(platform, dir) {
  stagePlatform(platform, dir)
  return pack(dir, 'platform')
}

/**
 * Puts npm/<platform>/'s package.json and README and the LICENSE beside the binary already in
 * `dir`, and checks that the package's "files" are all there (a stand-in gets its own manifest).
 */
export function stagePlatform(platform, dir) {
  const standsInFor = STAND_INS[platform]?.standsInFor
  const npmDir = join(root, 'npm', standsInFor ?? platform)
  const manifest = JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8'))
  if (manifest.version !== version) {
    throw new Error(`${npmDir}/package.json is at ${manifest.version}, package.json at ${version}: run \`npx napi version\``)
  }
  if (standsInFor) {
    Object.assign(manifest, standInManifest(platform, manifest))
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    writeFileSync(join(dir, 'README.md'), `# ${manifest.name}\n\n${manifest.description}\n`)
  } else {
    copyFileSync(join(npmDir, 'package.json'), join(dir, 'package.json'))
    copyFileSync(join(npmDir, 'README.md'), join(dir, 'README.md'))
  }
  copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'))
  for (const file of manifest.files) {
    if (!existsSync(join(dir, file))) throw new Error(`${platform}: ${file} ("files" of ${standsInFor ? 'its stand-in manifest' : `npm/${platform}/package.json`}) was not built`)
  }
  if (!standsInFor) refuseProblems(publishProblems(dir, pkg, platform))
}

/** Throws the problems a first publish of a staged package would meet (scripts/release-checks.mjs), if any. */
function refuseProblems(problems) {
  if (problems.length) throw new Error(`package: npm would refuse or mispublish this:\n  ${problems.join('\n  ')}`)
}

/** A stand-in's manifest fields: its own name and binary, private (npm refuses to publish it). */
function standInManifest(platform, manifest) {
  const binary = `${binaryName}.${platform}.node`
  return {
    name: `${pkg.name}-${platform}`,
    private: true,
    main: binary,
    files: [binary],
    description: `Test stand-in for ${manifest.name}, never published: the ${platform} build made by \`npm run package -- ${platform}\` for \`npm run test:windows\`.`,
  }
}

/** Puts into `dir` the `files` of package.json, README and LICENSE, and a package.json with every platform package as optional dependency. */
export function stageMain(dir) {
  mkdirSync(dir, { recursive: true })
  for (const file of [...pkg.files, 'README.md', 'LICENSE']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} (package.json "files") does not exist`)
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    copyFileSync(join(root, file), join(dir, file))
  }
  // As `napi pre-publish` adds them at release time: the repository's package.json must not
  // list them (unpublished, they break `npm ci`).
  const optionalDependencies = { ...pkg.optionalDependencies }
  for (const platform of allPlatformPackages(root, pkg)) optionalDependencies[`${pkg.name}-${platform}`] = version
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ ...pkg, optionalDependencies }, null, 2)}\n`)
  refuseProblems(publishProblems(dir, pkg))
}

/** Packs `dir` (a `kind` package: main or platform) into dist/, within its size bound. */
function pack(dir, kind) {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dist], { cwd: dir, encoding: 'utf8' }))
  const tooBig = tarballSizeProblem(join(dist, packed.filename), kind)
  if (tooBig) throw new Error(`package: ${tooBig}`)
  const size = statSync(join(dist, packed.filename)).size
  console.log(`package: dist/${packed.filename}  ${(size / 1000).toFixed(1)} kB  (${packed.files.map((f) => f.path).join(', ')})`)
  return packed.filename
}

runScript(import.meta, main)
