#!/usr/bin/env bash
# A musl runtime for this glibc machine, so that the musl packages run here (called by
# scripts/install-tools.sh; __test__/registry.test.mjs runs the musl packages with it). For each of
# x86_64 and aarch64 it makes .tools/musl/<arch>/:
#   libc.so  musl 1.2.5's C library, which is also its loader, from Debian 13's `musl` package:
#            fetched with apt from the trixie suite into private lists and cache and unpacked,
#            never installed (Debian 12's musl 1.2.3 makes Bun's musl build crash);
#   lib/     libstdc++.so.6 and libgcc_s.so.1 built for musl, from numpy's musllinux wheels
#            (numpy.libs/, pinned with hashes in scripts/requirements-musl-libs.txt), and
#            libc.musl-<arch>.so.1 → ../libc.so.
# Bun's musl builds (npm, scripts/tools) then run as `libc.so --library-path lib bun …`
# (aarch64 under qemu-aarch64). Safe to run again: a finished arch is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/script-args.sh
source scripts/script-args.sh
script_args "bash scripts/install-musl-runtime.sh (npm run tools runs it)" "$@"

MUSL_VERSION=1.2.5
musl=.tools/musl
declare -A deb_arch=([x86_64]=amd64 [aarch64]=arm64)

ready=1
for arch in x86_64 aarch64; do [ -f "$musl/$arch/.ready" ] || ready=0; done
if [ "$ready" = 1 ]; then
  echo "tools: musl runtime present ($musl: musl $MUSL_VERSION, libstdc++ for x86_64 and aarch64)"
  exit 0
fi

work="$musl/download"
rm -rf "$work"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/sources" "$work/wheels"
cat >"$work/sources/trixie.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# apt with only the trixie list and its own state: nothing of the machine's apt is changed.
apt_private=(
  -o DPkg::Lock::Timeout=900
  -o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$PWD/$work/sources"
  -o "Dir::State::Lists=$PWD/$work/lists" -o "Dir::Cache=$PWD/$work/cache" -o Dir::State::status=/dev/null
  -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
  -o Acquire::Languages=none -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
  -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false
  -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false
)
echo "tools: musl $MUSL_VERSION from Debian 13 (trixie), downloaded into $work (not installed)"
apt-get "${apt_private[@]}" update -qq
# apt-get download writes to the working directory; as root it warns that _apt cannot write there.
(cd "$work" && apt-get "${apt_private[@]}" download -qq musl:amd64 musl:arm64 2>&1 | grep -v 'unsandboxed as root' || true)

.tools/venv/bin/python -m pip download --quiet --disable-pip-version-check --only-binary=:all: --no-deps \
  --python-version 3.11 --platform musllinux_1_2_x86_64 -r scripts/requirements-musl-libs.txt -d "$work/wheels"
.tools/venv/bin/python -m pip download --quiet --disable-pip-version-check --only-binary=:all: --no-deps \
  --python-version 3.11 --platform musllinux_1_2_aarch64 -r scripts/requirements-musl-libs.txt -d "$work/wheels"

for arch in x86_64 aarch64; do
  dir="$musl/$arch"
  rm -rf "$dir"
  mkdir -p "$dir/lib"
  deb=$(ls "$work"/musl_*_"${deb_arch[$arch]}".deb)
  version=$(dpkg-deb -f "$deb" Version)
  case "$version" in "$MUSL_VERSION"-*) ;; *)
    echo "tools: trixie's musl is $version, not $MUSL_VERSION: update MUSL_VERSION in $0 after checking Bun runs on it" >&2
    exit 1 ;;
  esac
  dpkg-deb -x "$deb" "$work/unpacked-$arch"
  cp "$work/unpacked-$arch/usr/lib/$arch-linux-musl/libc.so" "$dir/libc.so"
  ln -s ../libc.so "$dir/lib/libc.musl-$arch.so.1"
  # numpy.libs/ holds libstdc++-<hash>.so.6.* and libgcc_s-<hash>.so.1 under auditwheel's names.
  .tools/venv/bin/python - "$work"/wheels/numpy-*musllinux*_"$arch".whl "$dir/lib" <<'EOF'
import sys, zipfile, os
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if name.startswith('numpy.libs/') and base.startswith(('libstdc++', 'libgcc_s')):
            with open(os.path.join(out, base), 'wb') as f:
                f.write(z.read(name))
EOF
  stdcxx=$(cd "$dir/lib" && ls libstdc++-*.so.6*)
  ln -s "$stdcxx" "$dir/lib/libstdc++.so.6"
  # libgcc_s.so.1: the libgcc_s that this libstdc++ was linked against.
  gcc_s=$(readelf -d "$dir/lib/$stdcxx" | grep -o 'libgcc_s-[^]]*' | head -1)
  ln -s "$gcc_s" "$dir/lib/libgcc_s.so.1"
  echo "$version" >"$dir/.ready"
  echo "tools: $dir: musl $version, $stdcxx, libgcc_s.so.1 → $gcc_s"
done
rm -rf "$work"
