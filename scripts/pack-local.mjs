// `npm run pack:local`: the package from this clone, for this machine, before it is published.
// Builds this machine's addon (`npm run build`, rustup's Rust), packs the main package and this
// machine's platform package as npm would publish them (scripts/package.mjs stageMain and
// stagePlatform, with their publish checks) and prints the one `npm install` line, naming
// both tarballs, that puts them into an app. The main tarball alone installs but cannot load
// the addon (ERR_ATLAS_BINDING_NOT_FOUND), so it is never offered alone.
// For every platform and the release binaries: `npm run package`.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { testHooksIn } from './binary-checks.mjs'
import { stageMain, stagePlatform } from './package.mjs'
import { runScript, scriptArgs } from './script-args.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const { binaryName } = pkg.napi
// npm is npm.cmd on Windows, which Node starts only through a shell.
const npm = (args, options) => execFileSync('npm', args, { cwd: root, shell: process.platform === 'win32', ...options })

const USAGE = `
Usage: npm run pack:local [-- --out DIR] [--no-build | --addon FILE]

Tries the package from this clone before it is published, on this machine only: builds this
machine's addon (npm run build: needs Rust from rustup), packs the main package and this
machine's platform package into DIR (default dist/local), and prints the npm install line
that puts both into an app. Takes about a minute from a fresh clone after npm ci.

  --out DIR    where the two tarballs go (default: dist/local)
  --no-build   use the addon already built at the root instead of building it
  --addon FILE use this built addon (<binaryName>.<platform>.node) instead of building one
  -h, --help   this text; nothing is built or packed

Every platform, with the release binaries: npm run package.
`

/** The one addon at the root (`<binaryName>.<platform>.node`, as `npm run build` names it): `{ file, platform }`. */
export function builtAddon() {
  const addons = readdirSync(root).filter((name) => name.startsWith(`${binaryName}.`) && name.endsWith('.node'))
  if (addons.length === 0) throw new Error(`pack:local: no ${binaryName}.<platform>.node at ${root}: run \`npm run build\` (or npm run pack:local without --no-build)`)
  if (addons.length > 1) throw new Error(`pack:local: several addons at ${root} (${addons.join(', ')}): delete all but this machine's`)
  return { file: join(root, addons[0]), platform: addons[0].slice(binaryName.length + 1, -'.node'.length) }
}

/** `file` as a built addon (`<binaryName>.<platform>.node`): `{ file, platform }`. */
export function givenAddon(file) {
  const name = basename(file)
  if (!name.startsWith(`${binaryName}.`) || !name.endsWith('.node')) throw new Error(`pack:local: --addon ${file} is not named ${binaryName}.<platform>.node`)
  return { file: resolve(file), platform: name.slice(binaryName.length + 1, -'.node'.length) }
}

/**
 * Packs the main package and the platform package of `addon` (default: the one at the root)
 * into `outDir`; returns both tarballs' paths, the main package's first. A test build (one
 * with the test hooks, as `npm test` leaves at the root) is refused unless `testBuild` says
 * the caller is a test that installs the tarballs only into scratch projects
 * (__test__/missing-binary.test.mjs, the e2e test).
 */
export function packLocal(outDir, { addon = builtAddon(), testBuild = false } = {}) {
  const { file, platform } = addon
  const hooks = testHooksIn(file)
  if (hooks.length > 0 && !testBuild) throw new Error(`pack:local: ${relative(process.cwd(), file)} is a test build (it exports ${hooks.join(', ')}; npm test leaves one at the root), which is never packed: run npm run pack:local without --no-build, which builds a release addon`)
  mkdirSync(outDir, { recursive: true })
  const work = mkdtempSync(join(tmpdir(), 'atlas-pack-local-'))
  try {
    stageMain(join(work, 'main'))
    mkdirSync(join(work, platform))
    copyFileSync(file, join(work, platform, `${binaryName}.${platform}.node`))
    stagePlatform(platform, join(work, platform))
    return ['main', platform].map((dir) => {
      const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], { cwd: join(work, dir), encoding: 'utf8' }))
      return join(outDir, packed.filename)
    })
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * The command that installs `tarballs` into an app, a path quoted where this platform's shell
 * would split or expand it: in single quotes for a POSIX shell, in double quotes on Windows.
 */
export function installLine(tarballs, platform = process.platform) {
  const quote = platform === 'win32' ? quoteForWindows : quoteForPosix
  return `npm install ${tarballs.map(quote).join(' ')}`
}

const quoteForPosix = (file) => (/^[\w@%+=:,./-]+$/.test(file) ? file : `'${file.replaceAll("'", "'\\''")}'`)
const quoteForWindows = (file) => (/^[\w@%+=:,./\\-]+$/.test(file) ? file : `"${file}"`)

function main() {
  const { values } = scriptArgs(USAGE, { options: { out: { type: 'string', default: join('dist', 'local') }, 'no-build': { type: 'boolean', default: false }, addon: { type: 'string' } } })
  const started = Date.now()
  if (!values['no-build'] && !values.addon) npm(['run', 'build'], { stdio: ['ignore', 2, 2] })
  const addon = values.addon ? givenAddon(values.addon) : builtAddon()
  const tarballs = packLocal(resolve(root, values.out), { addon })
  const { platform } = addon
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(`\npack:local: ${pkg.name}@${pkg.version} for ${platform} (this machine only), in ${seconds} s:`)
  for (const tarball of tarballs) console.log(`  ${relative(process.cwd(), tarball)}`)
  console.log('\nIn your app, install both tarballs together (the main one alone cannot load the addon):\n')
  console.log(`  ${installLine(tarballs)}\n`)
}

runScript(import.meta, main)
