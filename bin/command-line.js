'use strict'

// The command line of `atlas-user-hash`: its options, its help text, and the parser that
// checks them. Messages name options only by their name and never repeat a value or an
// unexpected argument: it could be the secret.

const { parseArgs } = require('node:util')
const { CliError, usageError } = require('./errors.js')
const { MAX_FIFO_BYTES } = require('./read-env-file.js')

// `--dotenv` is the env-file option's name because Node.js never reads it: Node 20 to 24
// take `--env-file` from anywhere on the command line, even after the script's name, and
// read that file before the command starts. `--env-file` stays, for regular files only.
const OPTIONS = {
  dotenv: { type: 'string', short: 'e' },
  'env-file': { type: 'string' },
  'secret-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
}
const ENV_FILE_OPTIONS = ['dotenv', 'env-file']
const COMMANDS = { hash: ['userId'], verify: ['userId', 'userHash'], doctor: [], help: [] }

const HELP = `atlas-user-hash: Atlas support-chat user hashes, from a terminal

Usage:
  atlas-user-hash hash <userId>               print the user hash of <userId>
  atlas-user-hash verify <userId> <userHash>  print "ok" if <userHash> is the user hash of
                                              <userId> (exit 0), else "mismatch" (exit 1)
  atlas-user-hash doctor                      check the secret: set, not empty, no pasted
                                              whitespace, no public copy (NEXT_PUBLIC_*,
                                              VITE_*, PUBLIC_*, EXPO_PUBLIC_* here or in the
                                              .env files Next.js loads from this folder);
                                              print its length and a fingerprint, and the
                                              engine, platform package, libc and versions

The id is hashed exactly as typed: 123 is the text "123" (as Python's str(123) gives it),
and 00123 is another id. Put -- before an id that starts with "-": hash -- -42.

The secret, from one of (never from the command line: --secret is refused):
  ATLAS_SECRET          the environment variable (the default)
  --dotenv <path>, -e <path>
                        the ATLAS_SECRET a Next.js app started here gets with that file,
                        e.g. .env.local: KEY=value and export KEY=value lines, '…' "…"
                        \`…\` quotes (may span lines), # comments, \\n in "…", $VAR and
                        \${VAR} expanded (\\$ is a "$"). As in Next.js, an ATLAS_SECRET set
                        in the environment wins over the file's (and is expanded then):
                        the command says so. A regular file, or a pipe such as <(…) or a
                        FIFO (up to ${MAX_FIFO_BYTES / 1024 / 1024} MiB); anything else, a device such as
                        /dev/zero, is refused, as Next.js skips it.
  --env-file <path>     the same for a regular file. Node.js 20 to 24 read --env-file
                        themselves, even after the command's name: a missing or unreadable
                        file stops Node with its own error (exit 9) before this command
                        starts, and a pipe is drained. Use --dotenv.
  --secret-stdin        standard input. One final newline (\\n or \\r\\n) is removed, because
                        echo and most files end with one; anything else, a second newline
                        included, is kept and checked. doctor says when it removed one.
                        At a terminal the secret is read without echo, up to Enter, with a
                        warning for a paste of several lines or typed control characters.

Options:
  --json                print one JSON object instead of text
  -h, --help            print this help
  -v, --version         print the version

Exit codes: 0 done (ok, or doctor found nothing wrong); 1 verify: mismatch; 2 anything
went wrong, doctor found a problem included: the error's code and what to do go to
standard error. Codes: ERR_ATLAS_SECRET_MISSING, ERR_ATLAS_SECRET_INVALID,
ERR_ATLAS_SECRET_PUBLIC, ERR_ATLAS_INVALID_USER_ID, ERR_ATLAS_ENV_FILE, ERR_ATLAS_USAGE,
ERR_ATLAS_WORKING_DIRECTORY, ERR_ATLAS_BINDING_NOT_FOUND, ERR_ATLAS_UNEXPECTED (a bug).
A closed standard output (| head -c0, >/dev/full) changes none of them and prints nothing.

Examples:
  atlas-user-hash doctor --dotenv .env.local
  atlas-user-hash verify user_100123 "$HASH_FROM_THE_PAGE" --dotenv .env.local
  pbpaste | atlas-user-hash doctor --secret-stdin     # the secret Atlas shows, copied
`

/** Whether `--json` was given before any `--`, for reporting errors in the command line itself. */
function wantsJson(argv) {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}

/**
 * The command, its arguments and options, checked: `{ help: true }`, `{ version: true }`,
 * or `{ command, args, envFile?: { path, option }, secretStdin, json }`.
 */
function parseCommandLine(argv) {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true })
  const values = {}
  const rawNames = {}
  const positionals = []
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value)
    if (token.kind !== 'option') continue
    const value = checkOption(token, argv)
    if (ENV_FILE_OPTIONS.includes(token.name) && ENV_FILE_OPTIONS.some((name) => Object.hasOwn(values, name))) {
      throw usageError('give one --dotenv: this command reads one file')
    }
    values[token.name] = value
    rawNames[token.name] = token.rawName
  }
  if (values.help) return { help: true }
  if (values.version) return { version: true }
  const [command, ...args] = positionals
  if (command === undefined) throw usageError('no command given: use hash, verify or doctor')
  if (!Object.hasOwn(COMMANDS, command)) throw usageError('unknown command: the first argument must be hash, verify or doctor')
  if (command === 'help') return { help: true }
  const names = COMMANDS[command]
  if (args.length !== names.length) {
    const wanted = names.length === 0 ? 'no arguments' : names.map((n) => `<${n}>`).join(' ')
    throw usageError(`${command} takes ${wanted}, and got ${args.length} argument${args.length === 1 ? '' : 's'}`)
  }
  const envFileName = ENV_FILE_OPTIONS.find((name) => Object.hasOwn(values, name))
  const envFile = envFileName && { path: values[envFileName], option: rawNames[envFileName] }
  if (envFile && values['secret-stdin']) throw usageError(`use either ${envFile.option} or --secret-stdin, not both`)
  return { command, args, envFile, secretStdin: Boolean(values['secret-stdin']), json: Boolean(values.json) }
}

/** The value of one option token, or a usage error for an unknown or misused option. */
function checkOption(token, argv) {
  const { name, rawName } = token
  if (name === 'secret') {
    throw new CliError(
      'ERR_ATLAS_USAGE',
      'the secret is never taken from the command line, where ps shows it to every user of the machine and the shell keeps it in its history: ' +
        'set ATLAS_SECRET in the environment, or use --dotenv .env.local, or pipe it in with --secret-stdin ' +
        '(if you typed it on a command line, remove that line from your shell history)',
    )
  }
  if (!Object.hasOwn(OPTIONS, name)) {
    if (/^-\d/.test(argv[token.index])) throw usageError('an id that starts with "-" looks like an option: put -- before it, as in hash -- -42')
    throw usageError(`unknown option ${/^--?[a-z][a-z-]{0,24}$/.test(rawName) ? rawName : '(not repeated here)'}`)
  }
  if (OPTIONS[name].type === 'boolean') {
    if (token.value !== undefined) throw usageError(`${rawName} takes no value`)
    return true
  }
  if (token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('-'))) {
    throw usageError(`${rawName} needs a path, as in ${rawName} .env.local`)
  }
  return token.value
}

module.exports = { HELP, wantsJson, parseCommandLine }
