#!/usr/bin/env bash
# Runs each fuzz target (fuzz/fuzz_targets: request, config, record) for SECONDS (default 20) from the
# seeds in fuzz/seeds, with cargo-fuzz and libFuzzer. Installs cargo-fuzz when missing. Uses the
# nightly toolchain when one is installed, else the stable one with RUSTC_BOOTSTRAP (cargo-fuzz passes
# unstable flags). A crash stops the run non-zero and leaves the input in fuzz/artifacts/<target>/:
# add it to fuzz/seeds/<target>/ and a regression test, then fix.
#
# --dev builds without optimisation: a third of the build time, fewer runs per second; CI's short
# smoke uses it, a long campaign should not.
#
# usage: scripts/fuzz.sh [--dev] [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=()
if [ "${1:-}" = "--dev" ]; then build=(--dev); shift; fi
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(request config record)
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked --version 0.13.2
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then toolchain=(+nightly); else export RUSTC_BOOTSTRAP=1; fi
for target in "${targets[@]}"; do
  work=$(mktemp -d)
  mkdir "$work/corpus"
  echo "fuzz $target: ${seconds}s from $(ls "fuzz/seeds/$target" | wc -l) seeds"
  if ! (cd fuzz && cargo "${toolchain[@]}" fuzz run "${build[@]}" --sanitizer none "$target" "$work/corpus" "seeds/$target" -- \
      -max_total_time="$seconds" -print_final_stats=1 > "$work/log" 2>&1); then
    tail -n 40 "$work/log"
    echo "fuzz $target: FAILED; the input is in fuzz/artifacts/$target/"
    rm -rf "$work"
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|new_units_added)" "$work/log" | sed 's/^/  /'
  rm -rf "$work"
done
