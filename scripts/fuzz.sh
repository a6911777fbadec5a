#!/usr/bin/env bash
# Fuzzes the Rust core (fuzz/fuzz_targets/hash_verify.rs) with libFuzzer for a bounded time.
# Needs the nightly toolchain and cargo-fuzz (installed here when missing). Not part of
# every CI run: run it by hand or on a schedule.
#   scripts/fuzz.sh [seconds]        default 60
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  -h | --help)
    echo "Usage: scripts/fuzz.sh [seconds]"
    echo
    sed -n '2,/^[^#]/{/^#/{s/^# \{0,1\}//;p}}' "$0"
    exit 0
    ;;
  *[!0-9]*)
    echo "scripts/fuzz.sh: seconds must be a number, not '$1' (--help for usage)" >&2
    exit 2
    ;;
esac
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2 --locked
mkdir -p fuzz/corpus/hash_verify
cargo +nightly fuzz run hash_verify fuzz/corpus/hash_verify -- -max_total_time="$seconds" -max_len=4096
