// The platforms `npm run package` builds, how, and those it cannot build here and why.
// Platform names are napi-rs's (the `atlas-user-hash-<platform>` packages under npm/).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'

// The one mapping from a target triple to napi-rs's platform name, shared with the loader.
const { targetSuffix } = createRequire(import.meta.url)('../lib/load-binding.js')
export { targetSuffix }

/** The WebAssembly fallback package, for machines with no native binary (not in napi.targets). */
export const WASM_PLATFORM = 'wasm32-wasi'

// musl: without -crt-static rustc drops the cdylib ("dropping unsupported crate type");
// with it the library NEEDs libc.so, which musl's loader maps to itself.
const MUSL_RUSTFLAGS = '-C target-feature=-crt-static'

/**
 * platform → { target, zigTarget, rustflags, kind }: `target` is the Rust triple, `zigTarget`
 * what cargo-zigbuild is given (`.2.17`: link against glibc 2.17, the napi-rs baseline).
 */
export const BUILDS = {
  'linux-x64-gnu': { target: 'x86_64-unknown-linux-gnu', zigTarget: 'x86_64-unknown-linux-gnu.2.17', kind: 'native' },
  'linux-arm64-gnu': { target: 'aarch64-unknown-linux-gnu', zigTarget: 'aarch64-unknown-linux-gnu.2.17', kind: 'native' },
  'linux-arm-gnueabihf': { target: 'armv7-unknown-linux-gnueabihf', zigTarget: 'armv7-unknown-linux-gnueabihf.2.17', kind: 'native' },
  'linux-x64-musl': { target: 'x86_64-unknown-linux-musl', zigTarget: 'x86_64-unknown-linux-musl', rustflags: MUSL_RUSTFLAGS, kind: 'native' },
  'linux-arm64-musl': { target: 'aarch64-unknown-linux-musl', zigTarget: 'aarch64-unknown-linux-musl', rustflags: MUSL_RUSTFLAGS, kind: 'native' },
  'darwin-x64': { target: 'x86_64-apple-darwin', zigTarget: 'x86_64-apple-darwin', kind: 'native' },
  'darwin-arm64': { target: 'aarch64-apple-darwin', zigTarget: 'aarch64-apple-darwin', kind: 'native' },
  [WASM_PLATFORM]: { target: 'wasm32-wasip1', kind: 'wasm' },
}

/**
 * Test stand-ins: built only when named (`npm run package -- win32-x64-gnu`), never by a bare
 * `npm run package`, never published. Not in napi.targets, so no optionalDependency names
 * them; their manifest is `npm/<standsInFor>/package.json` renamed and made `"private": true`,
 * which npm refuses to publish. win32-x64-gnu: the Windows x64 code paths, run here under Wine
 * by `npm run test:windows`, where the released win32-x64-msvc binary cannot be built.
 */
export const STAND_INS = {
  'win32-x64-gnu': { target: 'x86_64-pc-windows-gnu', kind: 'native', standsInFor: 'win32-x64-msvc' },
}

/** Platforms of napi.targets that only their own runners build, and why not here. */
export const UNBUILDABLE = {
  'win32-x64-msvc': 'the MSVC targets need the Windows SDK and MSVC linker; built on the windows-latest runner (win32-x64-gnu is its test stand-in here)',
  'win32-arm64-msvc': 'the MSVC targets need the Windows SDK and MSVC linker; built on the windows-latest runner',
  'freebsd-x64': 'no FreeBSD libc or sysroot is to be had from the registries; built in the FreeBSD VM of the release workflow',
}

/** Every platform package the main package names: one per napi.targets entry, and the wasm one. */
export function allPlatformPackages(root, pkg) {
  const platforms = []
  for (const target of pkg.napi.targets) {
    const platform = targetSuffix(target)
    if (!platform) throw new Error(`no npm/ folder name known for target ${target}`)
    platforms.push(platform)
  }
  platforms.push(WASM_PLATFORM)
  for (const platform of platforms) {
    if (!existsSync(join(root, 'npm', platform, 'package.json'))) throw new Error(`npm/${platform} is missing: run \`npx napi create-npm-dirs\``)
  }
  return platforms
}
