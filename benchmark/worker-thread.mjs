// Runs inside a worker thread for bench.mjs: times generateAtlasUserObject with the worker's
// own ATLAS_SECRET and with { secret }, and a bare read of process.env.ATLAS_SECRET, round
// by round, and posts the ns/op samples back.
import { parentPort, workerData } from 'node:worker_threads'

import { generateAtlasUserObject } from '../index.js'

const { rounds, ops, secret } = workerData
process.env.ATLAS_SECRET = secret
const users = Array.from({ length: 1024 }, (_, i) => ({ id: `user_${100000 + i}`, name: `User ${i}`, email: `user${i}@example.com` }))
const options = { secret }
const samples = { env: [], option: [], envRead: [] }
let sink = 0

function time(loop) {
  // As on the main thread: each sample starts on a collected heap (npm run bench: --expose-gc).
  globalThis.gc?.()
  const start = process.hrtime.bigint()
  loop()
  return Number(process.hrtime.bigint() - start) / ops
}

for (let round = 0; round < rounds; round++) {
  samples.env.push(time(() => {
    for (let i = 0; i < ops; i++) sink ^= generateAtlasUserObject(users[i & 1023]).userHash.charCodeAt(0)
  }))
  samples.option.push(time(() => {
    for (let i = 0; i < ops; i++) sink ^= generateAtlasUserObject(users[i & 1023], options).userHash.charCodeAt(0)
  }))
  samples.envRead.push(time(() => {
    for (let i = 0; i < ops; i++) sink ^= process.env.ATLAS_SECRET.charCodeAt(i & 7)
  }))
}
parentPort.postMessage({ ...samples, sink: sink & 1 })
