#!/usr/bin/env python3
"""An independent check of onewindow-sim against Ciw (a discrete-event queueing library on PyPI,
written by other people): mm5-v4 and mm5-prio-p2 in both, with the agreement and the speed ratio.

    pip install ciw            # once
    python3 simulator/ciw_check.py [TIME_MINUTES]

Ciw runs each model for TIME_MINUTES of simulated time (default 400,000: about 180,000 tickets) and
discards the first tenth; onewindow-sim runs its scenario file with the same number of measured tickets.
Results are recorded in docs/simulation.md.
"""
import json
import os
import subprocess
import sys
import time

import ciw

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIM = os.path.join(ROOT, "target", "release", "onewindow-sim")


def ciw_run(lam_by_class, mu, servers, horizon, seed=11):
    names = list(lam_by_class)
    network = ciw.create_network(
        arrival_distributions={n: [ciw.dists.Exponential(rate=lam_by_class[n])] for n in names},
        service_distributions={n: [ciw.dists.Exponential(rate=mu)] for n in names},
        priority_classes={n: i for i, n in enumerate(names)},
        number_of_servers=[servers],
    )
    ciw.seed(seed)
    started = time.perf_counter()
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    elapsed = time.perf_counter() - started
    records = [r for r in sim.get_all_records() if r.arrival_date > horizon / 10]
    by_class = {}
    for r in records:
        by_class.setdefault(r.customer_class, []).append(r.waiting_time)
    waits = [w for ws in by_class.values() for w in ws]
    return {
        "tickets": len(records),
        "seconds": elapsed,
        "mean": sum(waits) / len(waits),
        "p_wait": sum(1 for w in waits if w > 1e-12) / len(waits),
        "classes": {c: sum(ws) / len(ws) for c, ws in by_class.items()},
    }


def ours(scenario, customers):
    started = time.perf_counter()
    out = subprocess.run([SIM, "run", os.path.join(HERE, "scenarios", scenario + ".toml"), "--json",
                          "--customers", str(customers)], check=True, capture_output=True, text=True).stdout
    elapsed = time.perf_counter() - started
    report = json.loads(out)
    return report, elapsed


def main():
    horizon = float(sys.argv[1]) if len(sys.argv) > 1 else 400_000.0
    if not os.path.exists(SIM):
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "onewindow-sim"], check=True, cwd=ROOT)
    print(f"Ciw {ciw.__version__}, {horizon:.0f} simulated minutes per case")
    cases = [
        ("mm5-v4", {"Normal": 0.4}, "exact Wq 5.5411, P(wait) 0.5541"),
        ("mm5-prio-p2", {"Green": 0.09, "Normal": 0.36}, "exact W_green 1.8597, W_normal 18.5974"),
    ]
    for scenario, classes, exact in cases:
        c = ciw_run(classes, 0.1, 5, horizon)
        report, seconds = ours(scenario, c["tickets"])
        o = report["overall"]
        print(f"\n{scenario} ({exact})")
        print(f"  Ciw:           {c['tickets']:>8} tickets  mean {c['mean']:.4f}  P(wait) {c['p_wait']:.4f}  "
              + "  ".join(f"{k} {v:.4f}" for k, v in sorted(c["classes"].items())) + f"  {c['seconds']:.2f} s")
        cls = report["matters"]["A"]["classes"]
        extra = f"  Green {cls['green']['wait_mean_min']:.4f}  Normal {cls['normal']['wait_mean_min']:.4f}" if len(classes) > 1 else ""
        print(f"  onewindow-sim: {o['served']:>8} tickets  mean {o['wait_mean_min']:.4f} ± {o['wait_mean_ci95_min']:.4f}"
              f"  P(wait) {o['p_wait']:.4f}{extra}  {seconds:.2f} s (process, incl. start)")
        print(f"  agreement: means differ by {abs(c['mean'] - o['wait_mean_min']):.4f} min; "
              f"speed ratio {c['seconds'] / seconds:.0f}x (onewindow-sim faster)")


if __name__ == "__main__":
    main()
