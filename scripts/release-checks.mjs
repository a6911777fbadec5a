// What a first publish meets on npm, checked on a package folder laid out as it will be
// published (a staged or unpacked tarball), before anything goes out: scripts/publish.mjs
// refuses a release with any problem found here, and __test__/package.test.mjs runs the same
// checks on what `npm pack` would pack.
//   - repository, homepage and bugs: the main package's, in every package (npm's provenance
//     check compares `repository` with the repository the workflow ran in); a platform
//     package's repository also names its folder (`directory: npm/<platform>`);
//   - every file an entry point (main, types, bin, browser, exports) needs, followed through
//     its relative require/import/export-from specifiers, is in the package, and each bare
//     one is a Node builtin, a dependency, or one of our own platform packages;
//   - the bin files start with a Node shebang; no test files; engines and publishConfig as
//     the main package has them; the tarball under its size bound.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, posix, relative } from 'node:path'

/** The packed size bounds (npm pack's `size`): the main package is JavaScript and docs; a platform package one binary. */
export const MAX_TARBALL_BYTES = { main: 100 * 1000, platform: 1000 * 1000 }

/** Paths that are test or build material and must never be packed. */
const TEST_MATERIAL = /(^|\/)(__test__|tests?|examples|benchmark|fuzz|scripts|src|target|\.github|\.ci)\/|\.(test|spec)\.[cm]?[jt]s$/

/** The release metadata every package carries, from the main package.json: `{ repository, homepage, bugs }`, repository's `directory` per platform. */
export function releaseMetadata(pkg, platform) {
  const { repository, homepage, bugs } = pkg
  return { repository: platform ? { ...repository, directory: `npm/${platform}` } : repository, homepage, bugs }
}

/**
 * Problems a first publish of the package in `dir` would meet, as sentences naming the package
 * (an empty list when there are none). `main`: the repository's package.json, whose release
 * metadata, engines and publishConfig every package must carry; `platform`: the npm/<platform>
 * name for a platform package, undefined for the main package.
 */
export function publishProblems(dir, main, platform) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const name = manifest.name ?? dir
  const problems = []
  const want = releaseMetadata(main, platform)
  if (!main.repository?.url) problems.push(`the repository's package.json has no repository.url`)
  for (const field of ['repository', 'homepage', 'bugs']) {
    if (JSON.stringify(manifest[field]) !== JSON.stringify(want[field])) {
      problems.push(`${field} is ${JSON.stringify(manifest[field])}, wanted ${JSON.stringify(want[field])}`)
    }
  }
  if (JSON.stringify(manifest.engines) !== JSON.stringify(main.engines)) problems.push(`engines is ${JSON.stringify(manifest.engines)}, wanted ${JSON.stringify(main.engines)}`)
  if (manifest.publishConfig?.access !== 'public' || manifest.publishConfig.registry) {
    problems.push(`publishConfig is ${JSON.stringify(manifest.publishConfig)}, wanted { "access": "public" } and no registry (npm's configuration names it)`)
  }
  if (manifest.private) problems.push('is private')
  if (manifest.version !== main.version) problems.push(`is at version ${manifest.version}, the release at ${main.version}`)
  const { missing, bare } = requireGraph(dir, manifest)
  for (const file of missing) problems.push(`lacks ${file}`)
  const allowed = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})])
  for (const { specifier, from } of bare) {
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]
    const ours = name === main.name || name.startsWith(`${main.name}-`)
    if (!ours && !allowed.has(name) && !builtinModules.includes(name.replace(/^node:/, ''))) problems.push(`${from} imports ${specifier}, which is not among its dependencies`)
  }
  for (const bin of binFiles(manifest)) {
    if (existsSync(join(dir, bin)) && !readFileSync(join(dir, bin), 'utf8').startsWith('#!/usr/bin/env node\n')) problems.push(`bin ${bin} does not start with #!/usr/bin/env node`)
  }
  for (const file of listFiles(dir)) if (TEST_MATERIAL.test(file)) problems.push(`ships test or build material: ${file}`)
  return problems.map((problem) => `${name}: ${problem}`)
}

/** The size problem of tarball `file` (a main or platform package), or undefined. */
export function tarballSizeProblem(file, kind) {
  const size = statSync(file).size
  if (size > MAX_TARBALL_BYTES[kind]) return `${file} is ${size} bytes, over the ${MAX_TARBALL_BYTES[kind]}-byte bound of a ${kind} package`
}

function binFiles(manifest) {
  if (!manifest.bin) return []
  return typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin)
}

/** Every string target of an `exports` map, whatever its conditions. */
function exportTargets(value) {
  if (typeof value === 'string') return [value]
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets)
  return []
}

/** The package's entry points: main, types, browser, bin and exports, as paths inside it. */
export function entryPoints(manifest) {
  const entries = [manifest.main ?? 'index.js', manifest.types, typeof manifest.browser === 'string' ? manifest.browser : undefined, ...binFiles(manifest), ...exportTargets(manifest.exports)]
  return [...new Set(entries.filter(Boolean).map((entry) => posix.normalize(entry)))]
}

// require('x'), import('x'), import … from 'x', export … from 'x', import 'x', import('x') in types.
const SPECIFIERS = /\brequire\(\s*(['"])([^'"\n]+)\1\s*\)|\bimport\(\s*(['"])([^'"\n]+)\3\s*\)|\bfrom\s+(['"])([^'"\n]+)\5|^\s*import\s+(['"])([^'"\n]+)\7/gm

/** The string specifiers of a JavaScript or TypeScript text, comments left out. */
export function specifiersOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  return [...code.matchAll(SPECIFIERS)].map((match) => match[2] ?? match[4] ?? match[6] ?? match[8])
}

/** Where Node (or TypeScript, for a .d.ts) finds relative `specifier` from `from`, inside `dir`; undefined if nowhere. */
function resolveRelative(dir, from, specifier) {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier))
  const types = from.endsWith('.d.ts') ? [`${base}.d.ts`, base.replace(/\.[cm]?js$/, '.d.ts')] : []
  return [base, `${base}.js`, `${base}.json`, `${base}/index.js`, ...types].find((file) => existsSync(join(dir, file)) && statSync(join(dir, file)).isFile())
}

/**
 * Walks the package in `dir` from its entry points through every relative require, import and
 * export-from it can read: `{ files, missing, bare }`, the files reached, the entry points and
 * relative specifiers that name no file in `dir`, and the bare specifiers with where they are.
 * A module's `.d.ts` beside it counts as reached with it.
 * The build's own artifacts (`./<napi.binaryName>.*`: the .node and .wasi.cjs files that napi's
 * loader tries beside itself) are the platform packages' and are not followed; a specifier
 * built at run time (a variable) cannot be read and is not followed either. browser.js's
 * deliberate `require('./atlas-user-hash is server-only: …')` is a message to bundlers, not a file.
 */
export function requireGraph(dir, manifest) {
  const files = new Set()
  const missing = []
  const bare = []
  const queue = []
  const artifact = manifest.napi?.binaryName && `./${manifest.napi.binaryName}.`
  for (const entry of entryPoints(manifest)) {
    if (existsSync(join(dir, entry))) queue.push(entry)
    else missing.push(`${entry} (an entry point)`)
  }
  while (queue.length) {
    const file = queue.shift()
    if (files.has(file)) continue
    files.add(file)
    // A module's types beside it (binding.d.ts for binding.js) go with it.
    const types = file.replace(/\.[cm]?js$/, '.d.ts')
    if (types !== file && existsSync(join(dir, types))) queue.push(types)
    if (!/\.([cm]?js|ts)$/.test(file)) continue
    for (const specifier of specifiersOf(readFileSync(join(dir, file), 'utf8'))) {
      if (specifier.endsWith('.node') || / is server-only: /.test(specifier) || (artifact && specifier.startsWith(artifact))) continue
      if (!specifier.startsWith('.')) {
        bare.push({ specifier, from: file })
        continue
      }
      const resolved = resolveRelative(dir, file, specifier)
      if (resolved) queue.push(resolved)
      else missing.push(`${posix.normalize(posix.join(posix.dirname(file), specifier))} (needed by ${file})`)
    }
  }
  return { files: [...files].sort(), missing, bare }
}

function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? listFiles(path, base) : [relative(base, path).split('\\').join('/')]
  })
}
