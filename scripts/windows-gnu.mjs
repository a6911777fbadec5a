// The Windows x64 test stand-in (`npm run package -- win32-x64-gnu`): the crate built for
// x86_64-pc-windows-gnu by Debian's Rust with -Zbuild-std and Debian's MinGW-w64 gcc as the
// linker, so that its code paths, Node's DLL loader and the CLI can be run here under Wine
// (`npm run test:windows`). The published Windows package is the MSVC build of the release
// workflow's Windows runner; this one only stands in for it and is never published.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Debian's MinGW-w64 C compiler (gcc-mingw-w64-x86-64): the linker, and the stand-in DLL's compiler. */
export const MINGW_GCC = '/usr/bin/x86_64-w64-mingw32-gcc'
const MINGW_AR = '/usr/bin/x86_64-w64-mingw32-ar'

/**
 * The DLLs a Windows binary built here may import: Windows' own. A MinGW runtime DLL
 * (libgcc_s_seh-1.dll, libwinpthread-1.dll) would be missing on a user's machine.
 */
export const WINDOWS_SYSTEM_DLLS = /^(kernel32|ntdll|advapi32|bcrypt|bcryptprimitives|userenv|ws2_32|msvcrt|ucrtbase|shell32|ole32|oleaut32|synchronization|api-ms-win-[a-z0-9-]+)\.dll$/i

/**
 * The environment additions of a windows-gnu build: the MinGW linker, and LIBNODE_PATH.
 * napi's build script insists on a `libnode.dll` in a search path and then asks the linker for
 * `-lnode`; the addon needs neither (napi-sys finds the Node-API functions in node.exe at run
 * time), so an empty DLL and an empty archive under the build's target dir satisfy both.
 */
export function windowsGnuEnv(cargoTargetDir, target) {
  if (!existsSync(MINGW_GCC)) throw new Error(`package: ${target} needs MinGW-w64 (${MINGW_GCC}): run \`npm run tools\``)
  const libnode = join(cargoTargetDir, 'libnode-stub')
  mkdirSync(libnode, { recursive: true })
  writeFileSync(join(libnode, 'libnode.dll'), '')
  if (!existsSync(join(libnode, 'libnode.a'))) execFileSync(MINGW_AR, ['rcs', join(libnode, 'libnode.a')])
  const linkerVar = `CARGO_TARGET_${target.toUpperCase().replaceAll('-', '_')}_LINKER`
  return { [linkerVar]: MINGW_GCC, LIBNODE_PATH: libnode }
}

/**
 * Builds the stand-in bcryptprimitives.dll (scripts/windows/bcryptprimitives.c) to `out`:
 * Wine 8.0 has no such DLL, and Rust's std imports ProcessPrng from it.
 */
export function buildBcryptPrimitivesStandIn(root, out) {
  const source = join(root, 'scripts', 'windows', 'bcryptprimitives.c')
  execFileSync(MINGW_GCC, ['-shared', '-O2', '-s', '-Wall', '-Werror', '-o', out, source, '-ladvapi32'], { stdio: 'inherit' })
}

/** The DLLs a PE file imports and the names it exports, read with MinGW's objdump. */
export function peImportsAndExports(file) {
  const dump = execFileSync('/usr/bin/x86_64-w64-mingw32-objdump', ['-p', file], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const imports = [...dump.matchAll(/^\s*DLL Name: (\S+)$/gm)].map((m) => m[1])
  const table = dump.split('[Ordinal/Name Pointer] Table')[1] ?? ''
  const exports = [...table.split(/\n\s*\n/)[0].matchAll(/^\s*\[\s*\d+\] (\S+)$/gm)].map((m) => m[1])
  return { imports, exports }
}
