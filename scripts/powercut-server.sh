#!/usr/bin/env bash
# Simulated power cut of the running server (docs/decisions/0001-storage.md, issue 11). Needs root
# and loop devices; without them it says so and exits 0, so CI shows the skip.
#
# Each round: a fresh ext4 filesystem on a loop device holds the data directory; `onewindow serve`
# runs on it while a kiosk (`onewindow send`) takes tickets, each reply printed only once the server
# acknowledged it (after its fsync), and a supervisor posts notices as fast as they are acknowledged
# (kiosks are rate-limited; notices are not). At a random moment the server is frozen (SIGSTOP), the replies
# received so far are counted, and the filesystem *image* is copied: the copy holds exactly what had
# reached the disk, as after a power cut. The server is killed, the copy mounted (ext4 replays its
# journal) and `onewindow verify` checks the ledger's checksum chain and last seq. A round loses data
# when the copy's last seq is below the highest seq acknowledged before the freeze, or the chain breaks.
#
# usage: scripts/powercut-server.sh [ROUNDS]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
. scripts/loopdisk.sh
loopdisk_require powercut-server
bin=$(cargo_executable --bin onewindow)
loopdisk_init
lost=0
for round in $(seq 1 "$rounds"); do
  loopdisk_fresh
  "$bin" serve --data "$work/live/data" --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
  server=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.05; done
  addr=$(sed -n 's/^ *listening on //p' "$work/serve.out")
  tok() { awk -v d="$1" '$1==d {print $4}' "$work/live/data/demo-tokens.txt"; }
  tickets=(); notices=()
  for _ in $(seq 1 30); do tickets+=('{"type":"issue_ticket","matter":"inquiry"}'); done
  for i in $(seq 1 3000); do notices+=("{\"type\":\"post_notice\",\"text\":\"notice $i\"}"); done
  "$bin" send --url "ws://$addr/ws" --token "$(tok kiosk-1)" "${tickets[@]}" > "$work/acked-kiosk.txt" 2> /dev/null &
  kiosk=$!
  "$bin" send --url "ws://$addr/ws" --token "$(tok supervisor)" "${notices[@]}" > "$work/acked-supervisor.txt" 2> /dev/null &
  loopdisk_pids="$server $kiosk $!"
  sleep "0.$(( (RANDOM % 8) + 2 ))"
  kill -STOP "$server"
  # Everything printed now was acknowledged before the freeze.
  acked=$(cat "$work"/acked-*.txt | grep -o '"seq":[0-9]*' | cut -d: -f2 | sort -n | tail -n 1 || true)
  acked=${acked:-0}
  loopdisk_cut
  report=$("$bin" verify --data "$work/copy/data" 2>&1 || true)
  umount "$work/copy"
  found=$(printf '%s\n' "$report" | sed -n 's/.*events 1 to \([0-9]*\).*/\1/p' | head -n 1)
  verdict=ok
  if ! printf '%s\n' "$report" | grep -q "every record matches" || ! [[ "$found" =~ ^[0-9]+$ ]] || (( found < acked )); then
    verdict=LOST; lost=$((lost + 1))
    printf '%s\n' "$report" | sed 's/^/    /'
  fi
  printf 'round %2d: acknowledged before the cut up to seq %5s, in the copy %5s  %s\n' "$round" "$acked" "${found:-?}" "$verdict"
done
echo "onewindow serve: $lost of $rounds rounds lost acknowledged tickets"
[ "$lost" = 0 ]
