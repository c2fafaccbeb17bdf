#!/usr/bin/env bash
# The Autobahn|Testsuite cases, driven by kosoku (PyPI), against `onewindow serve` on the demo hall:
# every WebSocket framing, fragmentation, UTF-8 and close-handling case but the performance ones (9, 12,
# 13). onewindow is not an echo server (its first message must be `hello`), so cases that expect their
# message echoed fail by design; what this checks is the close code of every other case against the
# codes RFC 6455 allows for it. Exits non-zero if any close code is not allowed. Results:
# docs/websocket-conformance.md.
#
# usage: scripts/autobahn.sh [REPORT_DIR]   (default: a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
command -v kosoku > /dev/null || pip install --quiet kosoku==0.1.0
bin=$(cargo build --release --quiet --bin onewindow --message-format=json \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
data=$(mktemp -d)/data
"$bin" serve --data "$data" --listen 127.0.0.1:0 > "$data.out" 2> /dev/null &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$(dirname "$data")"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$data.out" 2>/dev/null && break; sleep 0.05; done
addr=$(sed -n 's/^ *listening on //p' "$data.out")
kosoku "ws://$addr/ws" -x '9.*' -x '12.*' -x '13.*' -p 4 -o "$out" > /dev/null 2>&1 || true
python3 - "$out" <<'PY'
import collections, glob, json, sys
rows = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*_case_*.json")]
echo = lambda r: any(any(e[0] == "message" for e in v) for v in r["expected"].values())
protocol = [r for r in rows if not echo(r)]
wrong = [r for r in protocol
         if r["expectedClose"].get("closeCode") and r["remoteCloseCode"] not in r["expectedClose"]["closeCode"]
         and r["remoteCloseCode"] is not None]
by = collections.Counter(r["behavior"] for r in protocol)
print(f"{len(rows)} cases; {len(rows) - len(protocol)} expect an echo (not applicable: onewindow answers only hello first)")
print(f"{len(protocol)} protocol cases: " + ", ".join(f"{k} {v}" for k, v in sorted(by.items())))
print(f"close code not allowed by the case: {len(wrong)}")
for r in sorted(wrong, key=lambda r: r["id"]):
    print(f"  {r['id']}: closed {r['remoteCloseCode']}, allowed {r['expectedClose']['closeCode']}")
sys.exit(1 if wrong else 0)
PY
