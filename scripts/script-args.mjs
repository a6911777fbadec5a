// The command line of every script `npm run <name>` starts: `--help` (or `-h`) prints the
// script's usage and exits 0 before the script does anything; an unknown option prints the
// usage to stderr and exits 2, also before anything is done.
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

/**
 * Parses process.argv for a script: `{ values, positionals }` from node:util's parseArgs with
 * `options` (`help` added) and positionals allowed when `positionals` is true. Exits on
 * `--help` (usage to stdout, 0) and on a bad command line (message and usage to stderr, 2).
 */
export function scriptArgs(usage, { options = {}, positionals = false, args = process.argv.slice(2) } = {}) {
  let parsed
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals, strict: true })
  } catch (error) {
    // --help anywhere wins over whatever else is wrong with the line.
    if (args.includes('--help') || args.includes('-h')) exitWithUsage(usage, 0)
    process.stderr.write(`${error.message}\n\n`)
    exitWithUsage(usage, 2)
  }
  if (parsed.values.help) exitWithUsage(usage, 0)
  return parsed
}

/**
 * Runs `main` (sync or async) when the module of `meta` (its import.meta) is the script node
 * started, not when it is imported; an error ends the script with its message and exit code 1.
 */
export function runScript(meta, main) {
  if (process.argv[1] !== fileURLToPath(meta.url)) return
  Promise.resolve()
    .then(main)
    .catch((error) => {
      console.error(error.message)
      process.exitCode = 1
    })
}

function exitWithUsage(usage, code) {
  const text = `${usage.trim()}\n`
  if (code === 0) process.stdout.write(text)
  else process.stderr.write(text)
  process.exit(code)
}
