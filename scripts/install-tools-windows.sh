#!/usr/bin/env bash
# The Windows part of `npm run tools` (scripts/install-tools.sh runs it; `npm run tools:windows`
# alone): what `npm run package -- win32-x64-gnu` and `npm run test:windows` need.
#   Debian (apt-get): MinGW-w64 gcc (gcc-mingw-w64-x86-64: the linker of the windows-gnu build
#     and the compiler of the stand-in bcryptprimitives.dll) and Wine 8 (wine, wine64), each
#     checked by the file that is used.
#   npm (scripts/windows/node_modules, from scripts/windows/package-lock.json): Node 20 and 22
#     for Windows x64 and npm 10, run under Wine.
# Safe to run again: each step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/script-args.sh
source scripts/script-args.sh
script_args "npm run tools:windows" "$@"
# shellcheck source=scripts/apt-install.sh
source scripts/apt-install.sh

declare -A apt_files=(
  [/usr/bin/x86_64-w64-mingw32-gcc]=gcc-mingw-w64-x86-64
  [/usr/bin/x86_64-w64-mingw32-objdump]=binutils-mingw-w64-x86-64
  [/usr/bin/wine]=wine
  [/usr/lib/wine/wine64]=wine64
)
missing=()
for file in "${!apt_files[@]}"; do
  [ -e "$file" ] || missing+=("${apt_files[$file]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "tools (Windows): apt-get install ${missing[*]}"
  apt_install "${missing[@]}"
else
  echo "tools (Windows): MinGW-w64 and Wine present"
fi

stamp=scripts/windows/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ scripts/windows/package-lock.json -nt "$stamp" ]; then
  # --force: Node for Windows declares os win32 and cpu x64, which this machine is not.
  npm ci --prefix scripts/windows --force --no-audit --no-fund --loglevel=error
else
  echo "tools (Windows): npm tools present (scripts/windows/node_modules)"
fi

x86_64-w64-mingw32-gcc --version | head -1
WINEDEBUG=-all wine --version
