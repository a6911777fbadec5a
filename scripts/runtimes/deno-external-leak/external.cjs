// node --expose-gc external.cjs external|wrapped [calls]
// deno run -A --v8-flags=--expose-gc external.cjs external|wrapped [calls]
// Makes and drops `calls` values (in slices, letting the event loop turn) and prints the RSS
// growth per value after full GCs, between 10 % and 100 % of the calls.
const addon = require(require('node:path').join(__dirname, 'external.node'))
const make = addon[process.argv[2]]
const calls = Number(process.argv[3] || 2_000_000)
const turn = () => new Promise((resolve) => setTimeout(resolve, 0))
async function rss() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc()
    await turn()
  }
  return process.memoryUsage().rss
}
async function run(n) {
  for (let done = 0; done < n; done += 10_000) {
    for (let i = 0; i < 10_000; i++) make()
    await turn()
  }
}
;(async () => {
  await run(calls / 10)
  const before = await rss()
  await run(calls - calls / 10)
  const after = await rss()
  const perCall = (after - before) / (calls - calls / 10)
  console.log(`${process.argv[2]}: ${calls} made, RSS ${(before / 2 ** 20).toFixed(1)} -> ${(after / 2 ** 20).toFixed(1)} MiB, ${perCall.toFixed(1)} bytes each`)
})()
