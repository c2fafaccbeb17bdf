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
# Ask cargo where the executable is rather than assume target/: CARGO_TARGET_DIR may move it.
bin=$(cargo build --release --quiet --example ledger_powercut --message-format=json \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "powercut: cannot find the ledger_powercut binary" >&2; exit 1; }
if [ "${1:-}" = "--binary" ]; then echo "$bin"; exit 0; fi
rounds=${1:-20}
mode=${2:-write}
if [ "$(id -u)" != 0 ] || ! command -v mkfs.ext4 > /dev/null || ! losetup -f > /dev/null 2>&1; then
  echo "powercut: SKIPPED (needs root, mkfs.ext4 and a free loop device)"
  exit 0
fi
work=$(mktemp -d)
trap 'umount "$work/live" 2>/dev/null || true; umount "$work/copy" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/live" "$work/copy"
lost=0
for round in $(seq 1 "$rounds"); do
  dd if=/dev/zero of="$work/disk.img" bs=1M count=128 status=none
  mkfs.ext4 -q -F "$work/disk.img"
  mount -o loop "$work/disk.img" "$work/live"
  "$bin" "$mode" "$work/live/ledger.redb" > "$work/acked.txt" &
  writer=$!
  sleep "0.$(( (RANDOM % 8) + 2 ))"
  acked=$(tail -n 2 "$work/acked.txt" | head -n 1)   # the last complete line
  cp "$work/disk.img" "$work/copy.img"
  kill -9 "$writer"; wait "$writer" 2>/dev/null || true
  umount "$work/live"
  mount -o loop "$work/copy.img" "$work/copy"
  found=$("$bin" check "$work/copy/ledger.redb" || true)
  umount "$work/copy"
  verdict=ok
  if ! [[ "$found" =~ ^[0-9]+$ ]] || (( found < acked )); then verdict=LOST; lost=$((lost + 1)); fi
  printf 'round %2d: acknowledged before the cut %6s, in the copy %6s  %s\n' "$round" "$acked" "$found" "$verdict"
done
echo "redb ($mode): $lost of $rounds rounds lost acknowledged writes"
