// What a release binary must be, read from the file itself: used by `npm run package` on every
// binary it builds, by the packaging test and by the release workflow, for binaries that
// cannot run here (musl, darwin) as much as for those that do.
//   node scripts/binary-checks.mjs PLATFORM FILE   prints the file's facts, fails on a problem
//   node scripts/binary-checks.mjs --test-build     checks that the addon at the repository root
//                                                  is a test build (`npm run build:test`)
// ELF and Mach-O headers are parsed here; `readelf` (binutils) lists an ELF file's dynamic
// symbols and NEEDED libraries for any architecture, `llvm-nm` a Mach-O file's exports.
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { WINDOWS_SYSTEM_DLLS, peImportsAndExports } from './windows-gnu.mjs'

import { scriptArgs } from './script-args.mjs'

/** The glibc baseline of the Linux gnu binaries, as napi-rs releases target it. */
export const MAX_GLIBC = '2.17'

/**
 * The addon's test hooks: exported only by a build with the cargo feature `test-hooks`
 * (`npm run build:test`), never by a binary that ships.
 */
export const TEST_HOOKS = ['armTestPanic', 'liveKeyCount', 'useWrappedKeys']

/** The largest Linux binary that ships (bytes): more means something unwanted got linked in. */
export const MAX_LINUX_BYTES = 500 * 1000

/** What each platform's binary is: its format, and the CPU its header must name. */
export const EXPECTED = {
  'linux-x64-gnu': { format: 'elf', arch: 'x86_64', libc: 'glibc' },
  'linux-arm64-gnu': { format: 'elf', arch: 'aarch64', libc: 'glibc' },
  'linux-arm-gnueabihf': { format: 'elf', arch: 'arm', libc: 'glibc' },
  'linux-x64-musl': { format: 'elf', arch: 'x86_64', libc: 'musl' },
  'linux-arm64-musl': { format: 'elf', arch: 'aarch64', libc: 'musl' },
  'darwin-x64': { format: 'macho', arch: 'x86_64' },
  'darwin-arm64': { format: 'macho', arch: 'arm64' },
  'wasm32-wasi': { format: 'wasm', arch: 'wasm32' },
  // The test stand-in for win32-x64-msvc (scripts/windows-gnu.mjs).
  'win32-x64-gnu': { format: 'pe', arch: 'x86_64' },
}

const ELF_MACHINES = { 3: 'x86', 40: 'arm', 62: 'x86_64', 183: 'aarch64' }
// IMAGE_FILE_MACHINE_AMD64 (0x8664), _ARM64 (0xaa64), _I386 (0x14c).
const PE_MACHINES = { 34404: 'x86_64', 43620: 'aarch64', 332: 'x86' }
const MACHO_CPUS = { 16777223: 'x86_64', 16777228: 'arm64', 7: 'x86', 12: 'arm' }

/** `{ format, arch }` from the file's header: 'elf' | 'macho' | 'pe' | 'wasm' | 'unknown'. */
export function readHeader(file) {
  const b = readFileSync(file)
  if (b.length >= 64 && b.toString('latin1', 0, 2) === 'MZ') {
    const pe = b.readUInt32LE(0x3c)
    if (b.length >= pe + 6 && b.readUInt32BE(pe) === 0x50450000) {
      const machine = b.readUInt16LE(pe + 4)
      return { format: 'pe', arch: PE_MACHINES[machine] ?? `machine 0x${machine.toString(16)}` }
    }
  }
  if (b.length >= 20 && b.readUInt32BE(0) === 0x7f454c46) {
    const little = b[5] === 1
    const machine = little ? b.readUInt16LE(18) : b.readUInt16BE(18)
    return { format: 'elf', arch: ELF_MACHINES[machine] ?? `e_machine ${machine}` }
  }
  if (b.length >= 8 && (b.readUInt32LE(0) === 0xfeedfacf || b.readUInt32LE(0) === 0xfeedface)) {
    const cpu = b.readUInt32LE(4)
    return { format: 'macho', arch: MACHO_CPUS[cpu] ?? `cputype 0x${cpu.toString(16)}` }
  }
  if (b.length >= 8 && b.toString('latin1', 0, 4) === '\0asm') return { format: 'wasm', arch: 'wasm32' }
  return { format: 'unknown', arch: 'unknown' }
}

const readelf = (args) => execFileSync('readelf', ['-W', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })

/** The distinct `GLIBC_x.y[.z]` versions an ELF file's dynamic symbols need, oldest first. */
export function glibcVersions(file) {
  const dump = readelf(['--dyn-syms', file])
  return [...new Set([...dump.matchAll(/\bGLIBC_(\d+(?:\.\d+)+)\b/g)].map((m) => m[1]))].sort(compareVersions)
}

/** The NEEDED libraries of an ELF file, e.g. ['libc.so.6', 'libgcc_s.so.1']. */
export function neededLibraries(file) {
  return [...readelf(['-d', file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1])
}

/** Whether an ELF file still has a symbol table (.symtab) or debug sections: not stripped. */
export function elfHasSymbolTable(file) {
  return /\s\.(symtab|debug_\w+)\s/.test(readelf(['-S', file]))
}

/** The names a binary exports: ELF dynamic symbols, Mach-O external symbols, wasm exports. */
export function exportedNames(file) {
  const { format } = readHeader(file)
  if (format === 'elf') {
    const names = []
    for (const line of readelf(['--dyn-syms', file]).split('\n')) {
      const f = line.trim().split(/\s+/)
      // Num: Value Size Type Bind Vis Ndx Name — defined (Ndx not UND), global or weak.
      if (f.length >= 8 && /^\d+:$/.test(f[0]) && f[6] !== 'UND' && (f[4] === 'GLOBAL' || f[4] === 'WEAK')) names.push(f[7].split('@')[0])
    }
    return names
  }
  if (format === 'macho') {
    const dump = execFileSync(llvmNm(), ['--extern-only', '--defined-only', '--format=just-symbols', file], { encoding: 'utf8' })
    return dump.split('\n').filter(Boolean).map((name) => name.replace(/^_/, ''))
  }
  if (format === 'pe') return peImportsAndExports(file).exports
  if (format === 'wasm') return WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(file))).map((e) => e.name)
  return []
}

function llvmNm() {
  for (const tool of ['llvm-nm', 'llvm-nm-22', 'llvm-nm-16', 'llvm-nm-14']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' })
      return tool
    } catch {
      // try the next name
    }
  }
  throw new Error('llvm-nm is needed to read Mach-O exports: run `npm run tools` (Debian package llvm)')
}

/**
 * The test hooks whose names are in `file`'s bytes. napi-rs does not export a `#[napi]`
 * function as a symbol: the addon registers each under its JavaScript name when it loads, and
 * that name is a plain ASCII string in the binary's read-only data (ELF .rodata, Mach-O
 * __cstring, PE .rdata, a wasm data segment), whatever the format or CPU. So a binary that
 * holds neither name cannot register either hook; one that does is a test build. Loading is
 * the other check, where the binary can be loaded here (`__test__/installed/check.cjs`).
 */
export function testHooksIn(file) {
  const bytes = readFileSync(file)
  return TEST_HOOKS.filter((name) => bytes.includes(name, 0, 'latin1'))
}

/**
 * The facts of `file` as the binary of `platform` and the problems found: wrong format or CPU,
 * not stripped, over MAX_LINUX_BYTES, glibc newer than MAX_GLIBC, a musl build that needs
 * glibc, a Windows DLL importing a DLL that is not Windows' own, no `napi_register_module_v1` (native) / `napi_register_wasm_v1` (wasm) export,
 * a test hook (TEST_HOOKS) in it.
 */
export function checkBinary(file, platform) {
  const expected = EXPECTED[platform]
  if (!expected) throw new Error(`no binary checks for platform ${platform}`)
  const problems = []
  const header = readHeader(file)
  const size = statSync(file).size
  const facts = { size, ...header }
  if (header.format !== expected.format || header.arch !== expected.arch) {
    problems.push(`is ${header.format}/${header.arch}, wanted ${expected.format}/${expected.arch}`)
    return { facts, problems }
  }
  if (header.format === 'elf') {
    if (size > MAX_LINUX_BYTES) problems.push(`is ${size} bytes, over the ${MAX_LINUX_BYTES} limit`)
    if (elfHasSymbolTable(file)) problems.push('is not stripped (.symtab or debug sections)')
    const needed = neededLibraries(file)
    const glibc = glibcVersions(file)
    facts.needed = needed
    facts.glibc = maxVersion(glibc)
    if (expected.libc === 'glibc') {
      if (glibc.length === 0) problems.push('needs no GLIBC_ symbol: not a glibc build?')
      else if (newerThan(facts.glibc, MAX_GLIBC)) problems.push(`needs GLIBC_${facts.glibc}, newer than the ${MAX_GLIBC} baseline`)
    } else {
      if (glibc.length > 0) problems.push(`is a musl build that needs GLIBC_${facts.glibc}`)
      if (!needed.some((lib) => lib === 'libc.so' || lib.startsWith('libc.musl-'))) problems.push(`NEEDs ${needed.join(', ') || 'nothing'}, not musl's libc.so`)
    }
  }
  if (header.format === 'pe') {
    const { imports } = peImportsAndExports(file)
    facts.imports = imports
    const foreign = imports.filter((dll) => !WINDOWS_SYSTEM_DLLS.test(dll))
    if (foreign.length) problems.push(`imports ${foreign.join(', ')}, which Windows does not have`)
  }
  const exports = exportedNames(file)
  const entry = header.format === 'wasm' ? 'napi_register_wasm_v1' : 'napi_register_module_v1'
  facts.exports = exports.length
  if (!exports.includes(entry)) problems.push(`does not export ${entry}`)
  const hooks = testHooksIn(file)
  if (hooks.length) problems.push(`holds the test hooks ${hooks.join(', ')}: a test build (cargo feature test-hooks)`)
  return { facts, problems }
}

export function compareVersions(a, b) {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

export const newerThan = (a, b) => compareVersions(a, b) > 0

export const maxVersion = (versions) => (versions.length ? [...versions].sort(compareVersions).at(-1) : null)

/**
 * Checks that the addon at the repository root (the one the Node tests load) is a test build:
 * its bytes hold both hooks' names and, loaded, it exports both as functions. Throws otherwise.
 */
export function checkTestBuild(root) {
  const binaries = readdirSync(root).filter((name) => /^atlas-user-hash\..+\.node$/.test(name))
  if (binaries.length === 0) throw new Error(`binary-checks: no addon at ${root}: \`npm run build:test\` makes one`)
  for (const name of binaries) {
    const file = join(root, name)
    const found = testHooksIn(file)
    if (found.length !== TEST_HOOKS.length) throw new Error(`binary-checks: ${name} holds the test hooks [${found.join(', ')}], not all of ${TEST_HOOKS.join(', ')}`)
    const loaded = createRequire(import.meta.url)(file)
    const missing = TEST_HOOKS.filter((hook) => typeof loaded[hook] !== 'function')
    if (missing.length) throw new Error(`binary-checks: ${name}, loaded, exports no ${missing.join(', ')}`)
    console.log(`${name}: a test build (exports ${TEST_HOOKS.join(', ')})`)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--test-build') {
  checkTestBuild(join(dirname(fileURLToPath(import.meta.url)), '..'))
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const usage = `
Usage: node scripts/binary-checks.mjs PLATFORM FILE

Checks a built binary as npm run package does: its kind and CPU, its entry point, and for
Linux its size, strip and glibc or musl needs. Exit 1 on a problem.

  PLATFORM     ${Object.keys(EXPECTED).join(', ')}
  -h, --help   this text
`
  const [platform, file, ...rest] = scriptArgs(usage, { positionals: true }).positionals
  if (!platform || !file || rest.length) throw new Error(usage.trim())
  const { facts, problems } = checkBinary(file, platform)
  console.log(`${file}: ${JSON.stringify(facts)}`)
  for (const problem of problems) console.log(`${file}: FAIL: ${problem}`)
  process.exitCode = problems.length ? 1 : 0
}
