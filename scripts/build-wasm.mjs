// The WebAssembly fallback (`atlas-user-hash-wasm32-wasi`): the crate built for wasm32-wasip1
// (single-threaded WASI; napi-rs calls this flavour `wasm32-wasip1`) by Debian's Rust with
// -Zbuild-std, linked with emnapi's napi-rs archive (npm `emnapi`, scripts/tools) and Debian's
// wasi-libc, and loaded in Node through `@napi-rs/wasm-runtime` by npm/wasm32-wasi/loader.cjs.
// The threaded flavour (`wasm32-wasip1-threads`) needs a threads build of wasi-libc, which
// Debian does not ship. The emnapi it links (C) and the one the package runs on (JavaScript)
// are pinned to one version (`emnapiMismatch`). What keeps any wasm build of this crate alive
// at the edge of the JavaScript stack is in lib/engines/native.js (stack headroom before each
// call), whichever loader loaded it.
//
// Debian's Rust has no wasm32-wasip1 standard library, so there is no
// `<sysroot>/lib/rustlib/wasm32-wasip1/lib/self-contained/` holding wasi-libc's crt1-reactor.o
// and libc.a, where rustc and napi-build look for them. The build gets a sysroot of its own
// under the cargo target dir: links to Debian's host libraries and std source, and that
// folder filled from Debian's wasi-libc (/usr/lib/wasm32-wasi); rustc is run through a
// two-line wrapper that passes it.
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

import { RUST_TOOLS, debianRustEnv } from './build-native.mjs'

const WASI_LIBC = '/usr/lib/wasm32-wasi'

/**
 * Builds the .wasm binary to `out`, with the package's loader (npm/wasm32-wasi/*.cjs) beside it.
 * The caller checks `wasmTools(root, build)` first (scripts/package.mjs, for every build at once).
 */
export function buildWasm(root, build, out) {
  const mismatch = emnapiMismatch(root)
  if (mismatch) throw new Error(`package: ${mismatch}`)
  const emnapi = emnapiDir(root, build)

  const env = debianRustEnv(root, build.target)
  const rustc = wasmRustc(env.CARGO_TARGET_DIR, build.target)
  Object.assign(env, { RUSTC: rustc, EMNAPI_LINK_DIR: emnapi, RUSTFLAGS: '' })
  // panic = "abort" for this build only: unwinding on wasm needs the exception-handling
  // proposal in the std build and the engine; a panic here traps (a RuntimeError in JS).
  execFileSync('/usr/bin/cargo', [
    'build', '--release', '--lib', '--locked', '--target', build.target,
    '--config', 'profile.release.panic="abort"',
    // std's default features less `backtrace`, as for the native targets (build-native.mjs).
    '-Zbuild-std=std,panic_abort', '-Zbuild-std-features=panic-unwind',
  ], { cwd: root, env, stdio: 'inherit' })
  copyFileSync(join(env.CARGO_TARGET_DIR, build.target, 'release', 'atlas_user_hash.wasm'), out)
  for (const file of readdirSync(join(root, 'npm', 'wasm32-wasi'))) {
    if (file.endsWith('.cjs')) copyFileSync(join(root, 'npm', 'wasm32-wasi', file), join(dirname(out), file))
  }
}

/** What the wasm build runs: Debian's Rust, wasi-libc, rust-lld and emnapi. */
export function wasmTools(root, build) {
  return [
    ...RUST_TOOLS,
    { file: join(WASI_LIBC, 'crt1-reactor.o'), what: `wasi-libc (${WASI_LIBC})` },
    { file: '/usr/bin/rust-lld', what: "rust-lld, rustc's wasm linker (rust-web-llvm, and lld-22 that it links to)" },
    { file: join(emnapiDir(root, build), 'libemnapi-basic-napi-rs.a'), what: 'emnapi 2 (scripts/tools, npm)' },
  ]
}

/**
 * Why the emnapi the build links and the emnapi JavaScript the package runs on differ, or
 * `null` when they are one version. The C half (npm `emnapi`, scripts/tools/package.json) and
 * the JavaScript half (`@emnapi/core` and `@emnapi/runtime`, the peers of
 * @napi-rs/wasm-runtime) are released together and must match, as `napi build` insists; the
 * peer range of @napi-rs/wasm-runtime lets npm pick any of several, so the wasm package names
 * the exact ones (npm/wasm32-wasi/package.json), and the tests run on the same
 * (package.json devDependencies). Read from the committed manifests.
 */
export function emnapiMismatch(root) {
  const manifest = (...path) => JSON.parse(readFileSync(join(root, ...path), 'utf8'))
  const linked = manifest('scripts', 'tools', 'package.json').devDependencies.emnapi
  const wasmPackage = manifest('npm', 'wasm32-wasi', 'package.json').dependencies
  const tests = manifest('package.json').devDependencies
  const found = {
    'emnapi (scripts/tools/package.json, linked)': linked,
    '@emnapi/core (npm/wasm32-wasi/package.json)': wasmPackage['@emnapi/core'],
    '@emnapi/runtime (npm/wasm32-wasi/package.json)': wasmPackage['@emnapi/runtime'],
    '@emnapi/core (package.json, tests)': tests['@emnapi/core'],
    '@emnapi/runtime (package.json, tests)': tests['@emnapi/runtime'],
  }
  if (Object.values(found).every((version) => version === linked)) return null
  return `emnapi versions differ: ${Object.entries(found).map(([what, version]) => `${what} ${version}`).join(', ')}; pin one exact version in all three files`
}

const emnapiDir = (root, build) => join(root, 'scripts', 'tools', 'node_modules', 'emnapi', 'lib', build.target)

/** A rustc wrapper with a sysroot that has wasi-libc where rustc and napi-build look for it. */
function wasmRustc(targetDir, target) {
  const sysroot = join(targetDir, `${target}-sysroot`)
  const rustlib = join(sysroot, 'lib', 'rustlib')
  const selfContained = join(rustlib, target, 'lib', 'self-contained')
  if (!existsSync(join(selfContained, 'crt1-reactor.o'))) {
    rmSync(sysroot, { recursive: true, force: true })
    mkdirSync(selfContained, { recursive: true })
    for (const entry of readdirSync('/usr/lib/rustlib')) symlinkSync(join('/usr/lib/rustlib', entry), join(rustlib, entry))
    for (const file of readdirSync(WASI_LIBC)) symlinkSync(join(WASI_LIBC, file), join(selfContained, file))
  }
  const wrapper = join(targetDir, `${target}-rustc`)
  const script = `#!/bin/sh\nexec /usr/bin/rustc --sysroot ${JSON.stringify(sysroot)} "$@"\n`
  if (!existsSync(wrapper) || readFileSync(wrapper, 'utf8') !== script) {
    writeFileSync(wrapper, script)
    chmodSync(wrapper, 0o755)
  }
  execFileSync(wrapper, ['--print', 'sysroot'], { stdio: 'ignore' })
  return wrapper
}
