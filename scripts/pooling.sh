#!/usr/bin/env bash
# The pooling effect on the demo hall's five hot matters (docs/simulation.md): the same load and the same
# citizens (seed) with one matter per window, with comprehensive windows in overlapping pairs, and with
# fully comprehensive windows.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin onewindow-sim
for layout in dedicated pairs comprehensive; do
  echo "== $layout"
  target/release/onewindow-sim run "simulator/scenarios/pooling-$layout.toml"
done
