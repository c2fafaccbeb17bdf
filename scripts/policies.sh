#!/usr/bin/env bash
# Every number and chart in docs/policies.md: routing policies and staffing on the shared validation
# halls, compared on common random numbers (same seed, same citizens), plus the wait-estimate checks.
# Takes about 15 minutes on 2 cores (1,000 simulated days of hall-day-800 per variant).
# Usage: scripts/policies.sh [DAYS]   (default 1000; the charts go to docs/policies/; the estimate runs
# come first so the comparison's slot charts, written later, are the ones kept)
set -euo pipefail
cd "$(dirname "$0")/.."
days="${1:-1000}"
sim=target/release/onewindow-sim
cargo build --release --quiet --bin onewindow-sim
mkdir -p docs/policies

echo "== chain-24: routing (steady, 3 million tickets)"
$sim compare simulator/scenarios/chain-24.toml \
  --policy fifo --policy own_matter_first --policy relative_wait --policy default

echo "== wait estimates: hall-day-800 (automatic staffing), M/M/12, M/M/5"
$sim run simulator/scenarios/hall-day-800-plan.toml --days "$days" --policy default --staffing auto --estimates --svg docs/policies
$sim run simulator/scenarios/mm12-estimate.toml --estimates --svg docs/policies
$sim run simulator/scenarios/mm5-v4.toml --estimates --customers 300000

echo "== hall-day-800: routing and staffing, $days days"
$sim compare simulator/scenarios/hall-day-800-plan.toml --days "$days" --svg docs/policies \
  --policy default@auto --policy fifo@auto --policy own_matter_first@auto \
  --policy default@schedule --policy fifo@schedule --policy default@off

echo "== hall-day-800: the staffing review's threshold (default routing, automatic staffing)"
for open_at in 0.25 0.5 0.75 1.0; do
  echo "-- open_at $open_at"
  $sim run simulator/scenarios/hall-day-800-plan.toml --days "$days" --policy default --staffing auto --open-at "$open_at" --json \
    | python3 -c 'import json,sys; r=json.load(sys.stdin); s=r["slots"]; print("window-hours %.1f  worst slot %.3f  mean wait %.2f  worst matter %.2f  openings/day %.1f" % (r["window_hours"], min(1-x["p_wait_over_min"]["20"] for x in s), r["overall"]["wait_mean_min"], max(m["wait_mean_min"] for m in r["matters"].values()), r["staffing_review"]["openings_per_day"]))'
done

echo "== hall-day-mixed (a hall nothing was tuned on): overlapping skills, tighter targets, $days days"
$sim compare simulator/scenarios/hall-day-mixed.toml --days "$days" --svg docs/policies \
  --policy default@auto --policy fifo@auto --policy own_matter_first@auto --policy relative_wait@auto

