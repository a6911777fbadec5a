// One native release binary, built by Debian's Rust (rustc-web 1.96, /usr/bin) with the
// standard library compiled from source (-Zbuild-std) and zig as the linker (cargo-zigbuild).
// rustup's toolchain has no other targets and cannot fetch them here; the host's
// `npm run build` and `cargo test` stay on it.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'

import { MINGW_GCC, windowsGnuEnv } from './windows-gnu.mjs'

/**
 * Where a target's build keeps its work: one cargo target dir per target, so that its std
 * (-Zbuild-std) and dependencies are built once and reused by later runs. Not one shared dir:
 * for x86_64 targets cargo-zigbuild also links the build scripts with zig, which makes cargo
 * rebuild them, and everything after them, for every other target.
 */
export const targetDir = (root, target) => join(root, 'target', 'package-cargo', target)

// std without its `backtrace` feature: the symbolizer (gimli, addr2line, miniz, demangler)
// is ~150 kB of each binary and only prints panic backtraces. Unwinding stays: the release
// profile's `panic = "unwind"` lets src/ catch panics at the boundary into JavaScript.
export const BUILD_STD = ['-Zbuild-std=std,panic_unwind', '-Zbuild-std-features=panic-unwind']

/** The environment of a build of `target` with Debian's Rust: /usr/bin and .tools/venv first on PATH. */
export function debianRustEnv(root, target, extra = {}) {
  const { RUSTFLAGS: _, CARGO_ENCODED_RUSTFLAGS: __, RUSTUP_TOOLCHAIN: ___, ...env } = process.env
  return {
    ...env,
    PATH: `${join(root, '.tools', 'venv', 'bin')}:/usr/bin:${process.env.PATH}`,
    RUSTC: '/usr/bin/rustc',
    CARGO: '/usr/bin/cargo',
    // -Zbuild-std is unstable: Debian's stable compiler accepts it with this.
    RUSTC_BOOTSTRAP: '1',
    CARGO_TARGET_DIR: targetDir(root, target),
    ...extra,
  }
}

/**
 * Builds `build` (scripts/targets.mjs) and copies the library to `out` (`<binaryName>.<platform>.node`).
 * The caller checks `nativeTools(root, build)` first (scripts/package.mjs, for every build at once).
 */
export function buildNative(root, build, out) {
  const windows = build.target.endsWith('-windows-gnu')
  const env = debianRustEnv(root, build.target, { RUSTFLAGS: build.rustflags ?? '' })
  // windows-gnu links with MinGW's gcc (scripts/windows-gnu.mjs), everything else with zig.
  if (windows) Object.assign(env, windowsGnuEnv(env.CARGO_TARGET_DIR, build.target))
  const [command, target] = windows ? ['build', build.target] : ['zigbuild', build.zigTarget]
  execFileSync('/usr/bin/cargo', [command, '--release', '--lib', '--locked', '--target', target, ...BUILD_STD], { cwd: root, env, stdio: 'inherit' })
  const release = join(env.CARGO_TARGET_DIR, build.target, 'release')
  const library = windows ? 'atlas_user_hash.dll' : build.target.includes('apple-darwin') ? 'libatlas_user_hash.dylib' : 'libatlas_user_hash.so'
  copyFileSync(join(release, library), out)
}

/** The host tools every build uses: Debian's Rust 1.96 and its std source. */
export const RUST_TOOLS = [
  { file: '/usr/bin/rustc', what: "Debian's Rust (rustc-web)" },
  { file: '/usr/bin/cargo', what: "Debian's cargo (cargo-web)" },
  { file: '/usr/lib/rustlib/src/rust/library/std/Cargo.toml', what: "the standard library's source (rust-web-src)" },
]

/**
 * Throws, naming each missing tool and the fix, unless every file of `tools` ({ file, what })
 * exists (following links: /usr/bin/rust-lld → lld-22 must resolve). Run before a build starts,
 * so that a missing tool is not met minutes into it.
 */
export function requireTools(platform, tools) {
  const missing = tools.filter(({ file }) => !existsSync(file)).map(({ file, what }) => `${what} (${file})`)
  if (missing.length) throw new Error(`package: ${platform} needs ${missing.join(', ')}: run \`npm run tools\``)
}

/**
 * What a native build of `build` runs: cargo-zigbuild and zig, for Mach-O rust-objcopy, and
 * for the windows-gnu stand-in MinGW-w64 instead of zig.
 */
export function nativeTools(root, build) {
  if (build.target.endsWith('-windows-gnu')) {
    return [
      ...RUST_TOOLS,
      { file: MINGW_GCC, what: 'MinGW-w64 gcc, the windows-gnu linker (gcc-mingw-w64-x86-64)' },
      { file: '/usr/bin/x86_64-w64-mingw32-objdump', what: 'MinGW-w64 objdump, for the binary checks (binutils-mingw-w64-x86-64)' },
    ]
  }
  const venv = join(root, '.tools', 'venv', 'bin')
  const tools = [
    ...RUST_TOOLS,
    { file: join(venv, 'cargo-zigbuild'), what: 'cargo-zigbuild (.tools/venv, PyPI)' },
    { file: join(venv, 'python-zig'), what: 'zig (ziglang in .tools/venv, PyPI)' },
    { file: '/usr/bin/readelf', what: 'readelf, for the binary checks (binutils)' },
  ]
  if (build.target.includes('apple-darwin')) {
    // rustc runs it to strip Mach-O output; llvm-nm reads the exports in the binary checks.
    tools.push({ file: '/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-objcopy', what: "rust-objcopy, rustc's Mach-O strip (rust-web-llvm)" })
    tools.push({ file: '/usr/bin/llvm-nm', what: 'llvm-nm, for the binary checks (llvm)' })
  }
  return tools
}
