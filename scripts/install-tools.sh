#!/usr/bin/env bash
# Installs the pinned build/lint tools of scripts/requirements-tools.txt into .tools/venv
# (gitignored). `npm run package` and `npm run lint:workflows` put .tools/venv/bin on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tools/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
  -r scripts/requirements-tools.txt
"$venv/bin/cargo-zigbuild" --version
"$venv/bin/python" -m ziglang version | sed 's/^/zig /'
"$venv/bin/actionlint" -version | head -1
