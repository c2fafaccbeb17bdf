#!/usr/bin/env bash
# Simulated power cut for the ledger (docs/decisions/0001-storage.md). Needs root (loop mounts).
#
# Each round: a fresh ext4 filesystem on a loop device; `ledger_powercut write` appends events, one
# durable transaction each, printing every seq only after the ledger acknowledged it. At a random
# moment the filesystem *image* is copied while the writer runs: the copy holds exactly what had reached
# the "disk", as after a power cut. The writer is killed, the copy mounted (ext4 replays its journal)
# and `ledger_powercut check` opens the ledger as a restart would. A round loses data when the highest
# seq acknowledged before the copy started is missing from the copy.
#
# usage: scripts/powercut.sh [ROUNDS] [write|write-unsynced]   (default 20 rounds of `write`; the
#        `write-unsynced` control acknowledges commits that were not fsynced, and must lose some)
#        scripts/powercut.sh --binary   builds the tool and prints its path (wherever cargo puts it:
#        CARGO_TARGET_DIR, build.target-dir), without root
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/loopdisk.sh
# Ask cargo where the executable is rather than assume target/: CARGO_TARGET_DIR may move it.
bin=$(cargo_executable --example ledger_powercut)
[ -x "$bin" ] || { echo "powercut: cannot find the ledger_powercut binary" >&2; exit 1; }
if [ "${1:-}" = "--binary" ]; then echo "$bin"; exit 0; fi
rounds=${1:-20}
mode=${2:-write}
loopdisk_require powercut
loopdisk_init
lost=0
for round in $(seq 1 "$rounds"); do
  loopdisk_fresh
  "$bin" "$mode" "$work/live/ledger.redb" > "$work/acked.txt" &
  loopdisk_pids=$!
  sleep "0.$(( (RANDOM % 8) + 2 ))"
  acked=$(tail -n 2 "$work/acked.txt" | head -n 1)   # the last complete line
  loopdisk_cut
  found=$("$bin" check "$work/copy/ledger.redb" || true)
  umount "$work/copy"
  verdict=ok
  if ! [[ "$found" =~ ^[0-9]+$ ]] || (( found < acked )); then verdict=LOST; lost=$((lost + 1)); fi
  printf 'round %2d: acknowledged before the cut %6s, in the copy %6s  %s\n' "$round" "$acked" "$found" "$verdict"
done
echo "redb ($mode): $lost of $rounds rounds lost acknowledged writes"
