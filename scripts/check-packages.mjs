// `npm run check:packages`, after `npm run package`: the checks a maintainer runs before
// publishing, on the tarballs in dist/ exactly as they would be published.
//   publint: the main package's package.json (exports, files, types) against what it ships;
//   @arethetypeswrong/cli (attw): its types resolve for every module resolution, CommonJS and ESM;
//   `npm publish --dry-run` of every tarball: npm accepts each package as it is.
// publint and attw are pinned in scripts/publishing (installed by `npm run tools`).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { scriptArgs } from './script-args.mjs'

scriptArgs(`
Usage: npm run check:packages

After \`npm run package\`: publint and attw on the main tarball in dist/, then
\`npm publish --dry-run\` of every tarball there. Tools: \`npm run tools\` (scripts/publishing).

  -h, --help   this text; nothing is checked
`)

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const dist = join(root, 'dist')
const bin = join(root, 'scripts', 'publishing', 'node_modules', '.bin')
const mainTarball = join(dist, `${pkg.name}-${pkg.version}.tgz`)

function run(label, cmd, args) {
  console.log(`\n=== ${label}`)
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' })
}

function main() {
  if (!existsSync(join(bin, 'publint'))) throw new Error('check:packages: publint and attw are not installed: run `npm run tools` (scripts/publishing)')
  if (!existsSync(mainTarball)) throw new Error(`check:packages: ${mainTarball} is missing: run \`npm run package\``)
  run('publint (main package)', join(bin, 'publint'), ['run', mainTarball, '--strict'])
  run('attw (main package)', join(bin, 'attw'), [mainTarball])
  const tarballs = readdirSync(dist).filter((file) => file.endsWith(`-${pkg.version}.tgz`)).sort()
  for (const file of tarballs) {
    // The registry is not contacted for a dry run but npm still wants one configured; the
    // user's own is left as it is.
    run(`npm publish --dry-run ${file}`, 'npm', ['publish', '--dry-run', '--access', 'public', '--ignore-scripts', join(dist, file)])
  }
  console.log(`\ncheck:packages: publint, attw and npm publish --dry-run passed for ${tarballs.length} packages`)
}

try {
  main()
} catch (error) {
  console.error(error.message)
  process.exitCode = 1
}
