// Installs atlas-user-hash from this repository into node_modules as a real folder, the way
// `npm install atlas-user-hash` would: the files the published package holds (as `npm pack`
// lists them) plus the addon built at the repository root by `npm run build`, which stands in
// for the platform package (atlas-user-hash-linux-x64-gnu, …) a registry install brings, and
// the package's runtime dependencies (@noble/hashes, for the Edge runtime), copied from the
// repository's node_modules as npm would install them beside it.
//
// Why not npm's symlink for "file:../..": Next.js externalizes serverExternalPackages only
// when they resolve to a folder inside node_modules; a symlink to the repository resolves to
// plain project source, which Turbopack then tries to bundle, .node file and all.
//
// scripts/test-runtimes.mjs runs it with a folder argument: it installs into that
// node_modules (without one, into this folder's). The Next.js end-to-end test installs the
// packed tarballs instead (pack-local.mjs), as a registry install would.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const example = join(dirname(fileURLToPath(import.meta.url)), '..')
const repo = join(example, '..', '..')
const nodeModules = process.argv[2] ? resolve(process.argv[2]) : join(example, 'node_modules')
const target = join(nodeModules, 'atlas-user-hash')

const addons = readdirSync(repo).filter((name) => /^atlas-user-hash\..+\.node$/.test(name))
if (addons.length === 0) {
  console.error(`install-local-package: no addon in ${repo}: run \`npm install && npm run build\` there first.`)
  process.exit(1)
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const [pack] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, encoding: 'utf8' }))

rmSync(target, { recursive: true, force: true })
for (const file of [...pack.files.map((entry) => entry.path), ...addons]) {
  mkdirSync(dirname(join(target, file)), { recursive: true })
  cpSync(join(repo, file), join(target, file))
}
// The dependencies, and theirs: Turbopack resolves inside the app only, so they must be here.
const dependencies = new Set()
const addDependencies = (packageDir) => {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (dependencies.has(name)) continue
    const source = join(repo, 'node_modules', name)
    if (!existsSync(source)) {
      console.error(`install-local-package: ${name} is missing from ${join(repo, 'node_modules')}: run \`npm install\` there first.`)
      process.exit(1)
    }
    dependencies.add(name)
    rmSync(join(nodeModules, name), { recursive: true, force: true })
    cpSync(source, join(nodeModules, name), { recursive: true, dereference: true })
    addDependencies(source)
  }
}
addDependencies(repo)

console.log(`install-local-package: copied ${pack.id} (${pack.files.length} files + ${addons.join(', ')}) and its dependencies (${[...dependencies].join(', ') || 'none'}) into ${nodeModules}`)
