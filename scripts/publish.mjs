// `node scripts/publish.mjs [--from DIR] [--stage DIR] [--allow-missing] [--dry-run]`: publishes a
// release, the one way it is ever published: by the release workflow to npm, and by
// `npm run publish:local` to a local registry (scripts/local-registry.mjs). The registry and
// its credentials are npm's own configuration (npm_config_registry, the user .npmrc that
// NPM_CONFIG_USERCONFIG names, NODE_AUTH_TOKEN through setup-node's .npmrc): this script
// never names a registry.
//
// 1. Stages the release in target/publish/ (or --stage DIR): the main package from DIR's main
//    tarball, and under npm/<platform>/ each platform package, from DIR's tarballs (the ones
//    `npm run package` built and tested) or else from the repository's npm/<platform>/ when
//    its binary is there (the runners' binaries, put there by `napi artifacts`).
// 2. Checks every staged package as npm will meet it (scripts/release-checks.mjs: repository,
//    homepage and bugs, the files its entry points need, bin shebang, engines, publishConfig,
//    tarball size) and refuses the whole release, before the first package goes out, if any
//    package has a problem.
// 3. Runs `napi pre-publish` on the staged main package: napi-rs checks each platform package
//    (name, version, binary) and writes the main package's optionalDependencies. The wasm32-wasi
//    package, not a napi target, is added beside them. Then checks again, as published.
// 4. Publishes every platform package, then the main package last, so that no published main
//    package names a package that is not there yet (with --dry-run: `npm publish --dry-run`).
// Every napi target must be present, unless --allow-missing (the local registry: Windows and
// FreeBSD are built only on their runners); then the main package names only those present.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { publishProblems, tarballSizeProblem } from './release-checks.mjs'
import { scriptArgs } from './script-args.mjs'
import { WASM_PLATFORM, allPlatformPackages, targetSuffix } from './targets.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

const USAGE = `
Usage: node scripts/publish.mjs [--from DIR] [--stage DIR] [--allow-missing] [--dry-run]

Publishes a release to the registry npm is configured with: every platform package, then the
main package, from DIR's tarballs (default dist/, as \`npm run package\` leaves them) or from
npm/<platform>/ where \`napi artifacts\` put a runner's binary. Refuses the whole release,
before anything is published, when a package is missing or has a problem npm would meet.

  --from DIR        where the tarballs are (default: dist)
  --stage DIR       where the packages are unpacked and checked (default: target/publish)
  --allow-missing   publish without the platforms that are not built (a local registry only)
  --dry-run         stage and check everything, then \`npm publish --dry-run\` each package
  -h, --help        this text; nothing is staged or published

The release workflow runs it on a tag; \`npm run publish:local\` runs it against a local registry.
`
const { values: options } = scriptArgs(USAGE, { options: { from: { type: 'string', default: 'dist' }, stage: { type: 'string', default: join('target', 'publish') }, 'allow-missing': { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false } } })
const from = resolve(root, options.from)
const stage = resolve(root, options.stage)
const tarball = (platform) => join(from, `${pkg.name}${platform ? `-${platform}` : ''}-${pkg.version}.tgz`)

function main() {
  if (!existsSync(tarball(null))) throw new Error(`publish: ${tarball(null)} is missing: run \`npm run package\` first`)
  rmSync(stage, { recursive: true, force: true })
  const mainDir = join(stage, 'main')
  unpack(tarball(null), mainDir)

  const present = []
  const missing = []
  for (const platform of allPlatformPackages(root, pkg)) {
    const dir = join(mainDir, 'npm', platform)
    if (existsSync(tarball(platform))) unpack(tarball(platform), dir)
    else if (hasBinary(join(root, 'npm', platform))) cpSync(join(root, 'npm', platform), dir, { recursive: true })
    else {
      missing.push(platform)
      continue
    }
    present.push(platform)
  }
  if (missing.length && !options['allow-missing']) throw new Error(`publish: no package for ${missing.join(', ')} in ${from} or npm/: a release publishes every platform`)
  if (missing.length) console.log(`publish: not published (not built here): ${missing.join(', ')}`)

  // Checked as staged (a refusal before napi runs), then as napi pre-publish leaves the main package.
  refuseProblems(mainDir, present)
  writeOptionalDependencies(mainDir, present)
  refuseProblems(mainDir, present)
  for (const platform of present) npmPublish(join(mainDir, 'npm', platform))
  npmPublish(mainDir)
}

/** Throws every problem of every staged package and tarball (release-checks.mjs) at once; nothing has been published yet. */
function refuseProblems(mainDir, present) {
  const problems = publishProblems(mainDir, pkg)
  for (const platform of present) problems.push(...publishProblems(join(mainDir, 'npm', platform), pkg, platform))
  for (const [platform, kind] of [[null, 'main'], ...present.map((platform) => [platform, 'platform'])]) {
    const problem = existsSync(tarball(platform)) && tarballSizeProblem(tarball(platform), kind)
    if (problem) problems.push(problem)
  }
  if (problems.length) throw new Error(`publish: refused, nothing was published:\n  ${problems.join('\n  ')}`)
  console.log(`publish: ${present.length + 1} packages checked (scripts/release-checks.mjs)`)
}

/** `napi pre-publish` writes optionalDependencies for the napi targets present; the wasm package is added after. */
function writeOptionalDependencies(mainDir, present) {
  const manifestPath = join(mainDir, 'package.json')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  const { optionalDependencies: _, ...withoutOptional } = manifest
  const targets = manifest.napi.targets.filter((target) => present.includes(targetSuffix(target)))
  writeFileSync(manifestPath, `${JSON.stringify({ ...withoutOptional, napi: { ...manifest.napi, targets } }, null, 2)}\n`)
  // --skip-optional-publish: the packages are published below, as they were tested (napi would
  // publish from npm/ with the lifecycle scripts of the main package run).
  execFileSync(join(root, 'node_modules', '.bin', 'napi'), ['pre-publish', '-t', 'npm', '--no-gh-release', '--skip-optional-publish'], { cwd: mainDir, stdio: 'inherit' })
  const written = JSON.parse(readFileSync(manifestPath, 'utf8'))
  const optionalDependencies = { ...written.optionalDependencies }
  if (present.includes(WASM_PLATFORM)) optionalDependencies[`${pkg.name}-${WASM_PLATFORM}`] = pkg.version
  const expected = present.map((platform) => `${pkg.name}-${platform}`).sort()
  if (JSON.stringify(Object.keys(optionalDependencies).sort()) !== JSON.stringify(expected)) {
    throw new Error(`publish: napi pre-publish wrote optionalDependencies ${JSON.stringify(written.optionalDependencies)}, wanted ${expected.join(', ')}`)
  }
  // The published napi.targets stay the full list: it is the package's documentation of what it ships.
  writeFileSync(manifestPath, `${JSON.stringify({ ...written, napi: manifest.napi, optionalDependencies }, null, 2)}\n`)
  console.log(`publish: optionalDependencies ${Object.keys(optionalDependencies).join(', ')}`)
}

function npmPublish(dir) {
  const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const dryRun = options['dry-run'] ? ['--dry-run'] : []
  console.log(`publish: ${name}@${version}${dryRun.length ? ' (dry run)' : ''}`)
  // --ignore-scripts: the main package's prepublishOnly would run napi pre-publish again.
  execFileSync('npm', ['publish', '--access', 'public', '--ignore-scripts', ...dryRun], { cwd: dir, stdio: 'inherit' })
}

function hasBinary(dir) {
  return existsSync(dir) && readdirSync(dir).some((file) => file.endsWith('.node') || file.endsWith('.wasm'))
}

function unpack(file, dir) {
  mkdirSync(dir, { recursive: true })
  execFileSync('tar', ['-xzf', file, '-C', dir, '--strip-components=1'])
}

try {
  main()
} catch (error) {
  console.error(error.message)
  process.exitCode = 1
}
