// Two million calls through every path leave RSS flat (scripts/soak.mjs, in its own process).
import assert from 'node:assert/strict'
import { spawnSync } from './child-process.mjs'
import { it } from 'node:test'
import { fileURLToPath } from 'node:url'

it('RSS stays flat over two million calls', () => {
  const soak = fileURLToPath(new URL('../scripts/soak.mjs', import.meta.url))
  const result = spawnSync(process.execPath, ['--expose-gc', soak, '--calls', '2000000', '--bound-mib', '64'], { encoding: 'utf8' })
  const report = JSON.parse(result.stdout)
  assert.equal(result.status, 0, `RSS grew too much: ${result.stdout}`)
  assert.equal(report.calls, 2_000_000)
  assert.ok(report.growthMiB < 64 && report.secondHalfGrowthMiB < 8, result.stdout)
})
