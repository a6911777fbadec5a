// spawnSync and execFileSync for the test suites, with one difference from node:child_process:
// a child that never started is started again. Under Wine (npm run test:windows), Windows
// Node's CreateProcess now and then fails with UNKNOWN (pid 0, no status) while the machine is
// busy; that is the stand-in's fault, not the code under test. A child that started is never
// run twice, whatever it exited with.
import * as childProcess from 'node:child_process'

const TRIES = 3

/** Whether `result` is a child that never started for a reason that may pass (not ENOENT, EACCES…). */
const neverStarted = (result) => result.error?.code === 'UNKNOWN' && !result.pid

/** child_process.spawnSync, tried up to three times while the child does not start. */
export function spawnSync(command, args, options) {
  let result
  for (let attempt = 1; attempt <= TRIES; attempt++) {
    result = childProcess.spawnSync(command, args, options)
    if (!neverStarted(result)) break
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200 * attempt)
  }
  return result
}

/** child_process.execFileSync on top of this spawnSync: stdout, or a throw on a failed start or a non-zero exit. */
export function execFileSync(command, args, options = {}) {
  const result = spawnSync(command, args, { ...options, stdio: options.stdio ?? ['pipe', 'pipe', 'inherit'] })
  if (result.error) throw result.error
  if (result.status !== 0) {
    const error = new Error(`Command failed: ${command} ${args.join(' ')} (exit ${result.status ?? result.signal})`)
    Object.assign(error, { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr })
    throw error
  }
  return result.stdout
}

/** child_process.spawn, unchanged: the async children are started where a failed start shows as an 'error' event. */
export const { spawn } = childProcess
