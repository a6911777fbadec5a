// Cloudflare Workers tooling shared by __test__/workerd.test.mjs and bench-engines.mjs:
// Miniflare (workerd) and esbuild from this folder's node_modules (`npm run tools:runtimes`),
// and a Worker bundled from a user's project as wrangler bundles it.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..')
const requireTool = createRequire(join(here, 'package.json'))

/** Why the Worker tools cannot be used here, or null when they can. */
export function workerToolsMissing() {
  if (!existsSync(join(here, 'node_modules', 'miniflare')) || !existsSync(join(here, 'node_modules', 'esbuild'))) {
    return 'miniflare and esbuild are not installed: run `npm run tools:runtimes` (npm ci --prefix scripts/runtimes)'
  }
  return null
}

/** Miniflare's class and version. */
export async function loadMiniflare() {
  const { Miniflare } = await import(pathToFileURL(requireTool.resolve('miniflare')).href)
  return { Miniflare, version: requireTool('miniflare/package.json').version }
}

/**
 * Bundles `source`, a Worker's module text that imports 'atlas-user-hash', as wrangler does:
 * esbuild, ESM, the workerd/worker/browser conditions, from a project whose
 * node_modules/atlas-user-hash is this repository. Returns { code, inputs } (the metafile's
 * input paths).
 */
export async function bundleWorker(source) {
  const esbuild = requireTool('esbuild')
  const project = mkdtempSync(join(tmpdir(), 'atlas-worker-'))
  try {
    mkdirSync(join(project, 'node_modules'))
    symlinkSync(repo, join(project, 'node_modules', 'atlas-user-hash'), 'dir')
    writeFileSync(join(project, 'package.json'), '{ "name": "atlas-worker", "private": true, "type": "module" }\n')
    writeFileSync(join(project, 'worker.mjs'), source)
    const result = await esbuild.build({
      entryPoints: [join(project, 'worker.mjs')],
      absWorkingDir: project,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['browser', 'module', 'main'],
      external: ['node:*', 'cloudflare:*'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    })
    return { code: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs) }
  } finally {
    rmSync(project, { recursive: true, force: true })
  }
}
