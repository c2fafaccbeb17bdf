//! The simulator against exact queueing theory (`../shared/validation/THEORY.md`, scenario files copied
//! to `simulator/scenarios/`). Acceptance as THEORY.md states it: a mean within max(3 standard errors,
//! 3%) of the exact value, a probability within 0.01. Run in release by `scripts/test-all`
//! (`cargo test --release -p simulator`); in a debug build they are slow but still correct.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use simulator::report::{run, Options, Report};
use simulator::scenario::Scenario;
use simulator::stats::Stats;

fn scenario(name: &str) -> Scenario {
    let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    Scenario::parse(&std::fs::read_to_string(&path).expect("scenario file")).expect("valid scenario")
}

/// Erlang C: P(wait) for c servers and offered load a (Erlangs), by the stable Erlang B recursion.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    f64::from(c) * b / (f64::from(c) - a * (1.0 - b))
}

fn assert_mean(label: &str, stats: &Stats, exact: f64) {
    let se = stats.wait_mean_ci95_min / 2.045; // 30 batch means: t(0.975, 29)
    let tolerance = (3.0 * se).max(0.03 * exact);
    let diff = (stats.wait_mean_min - exact).abs();
    assert!(
        diff <= tolerance,
        "{label}: mean {:.4} vs exact {exact:.4} (|diff| {diff:.4} > {tolerance:.4})",
        stats.wait_mean_min
    );
}

fn assert_prob(label: &str, got: f64, exact: f64) {
    assert!((got - exact).abs() <= 0.01, "{label}: {got:.4} vs exact {exact:.4}");
}

fn check_mmc(name: &str, lambda: f64, mean_service: f64, c: u32) -> Report {
    let s = scenario(name);
    let report = run(&s, &Options::default()).expect("runs");
    let a = lambda * mean_service;
    let pw = erlang_c(c, a);
    let rate = f64::from(c) / mean_service - lambda;
    assert_mean(name, &report.overall, pw / rate);
    assert_prob(&format!("{name} P(wait)"), report.overall.p_wait, pw);
    for (t, p) in &report.overall.p_wait_over_min {
        let t: f64 = t.parse().expect("threshold");
        assert_prob(&format!("{name} P(W>{t})"), *p, pw * (-rate * t).exp());
    }
    report
}

#[test]
fn mm1_matches_erlang_c() {
    let r = check_mmc("mm1-v1", 0.08, 10.0, 1);
    // The closed forms THEORY.md lists, as a check on the formula used here.
    assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
    assert!(r.tickets > 2_000_000);
}

#[test]
fn mm2_matches_erlang_c() {
    check_mmc("mm2-v3", 0.1, 10.0, 2);
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn mm5_matches_erlang_c() {
    check_mmc("mm5-v4", 0.4, 10.0, 5);
    assert!((erlang_c(5, 4.0) - 0.554_112_554_1).abs() < 1e-9);
}

#[test]
fn mm5_with_a_green_channel_matches_cobham() {
    let s = scenario("mm5-prio-p2");
    let report = run(&s, &Options::default()).expect("runs");
    let (lambda, mu, c) = (0.45, 0.1, 5.0);
    let (l_green, l_normal) = (0.09, 0.36);
    let pw = erlang_c(5, lambda / mu);
    let s1 = l_green / (c * mu);
    let s2 = (l_green + l_normal) / (c * mu);
    let w_green = pw / (c * mu * (1.0 - 0.0) * (1.0 - s1));
    let w_normal = pw / (c * mu * (1.0 - s1) * (1.0 - s2));
    assert!((w_green - 1.859_740).abs() < 1e-5 && (w_normal - 18.597_396).abs() < 1e-5, "formula as in THEORY.md");
    let classes = report.matters["A"].classes.as_ref().expect("classes");
    assert_mean("green", &classes["green"], w_green);
    assert_mean("normal", &classes["normal"], w_normal);
}

#[test]
fn md1_matches_pollaczek_khinchine() {
    let s = scenario("md1-pk");
    let report = run(&s, &Options::default()).expect("runs");
    let (rho, es) = (0.8, 10.0);
    assert_mean("M/D/1", &report.overall, rho / (1.0 - rho) * 0.5 * es);
    assert_prob("M/D/1 P(W<=20)", 1.0 - report.overall.p_wait_over_min["20"], 0.634_519_94);
}

#[test]
fn the_same_seed_gives_the_same_output_bit_for_bit() {
    let mut s = scenario("mm5-prio-p2");
    s.customers = 50_000;
    s.warmup = 5_000;
    let strip = |r: Report| {
        let mut v = serde_json::to_value(&r).expect("json");
        v["tickets_per_second"] = serde_json::Value::Null;
        v.to_string()
    };
    let first = strip(run(&s, &Options::default()).unwrap());
    assert_eq!(first, strip(run(&s, &Options::default()).unwrap()), "same seed, same output");
    s.seed += 1;
    assert_ne!(first, strip(run(&s, &Options::default()).unwrap()), "another seed, other citizens");
}

#[test]
fn a_hall_day_runs_with_slots_and_window_hours() {
    let mut s = scenario("hall-day-800");
    s.days = 3;
    let report = run(&s, &Options::variant("fifo")).expect("runs");
    let slots = report.slots.as_ref().expect("day mode has slots");
    assert_eq!(slots.len(), 18, "08:30–17:30 in 30-minute slots");
    assert_eq!(slots[0].start, "08:30");
    let arrivals: f64 = slots.iter().map(|s| s.arrivals).sum();
    assert!((600.0..1000.0).contains(&arrivals), "about 800 a day, got {arrivals}");
    assert!(report.window_hours > 0.0);
    assert_eq!(report.overall.served, report.tickets, "everyone who got a ticket is served");
}

#[test]
#[ignore = "long: about 6 million tickets per case; run with --release -- --ignored"]
fn long_runs_tighten_every_case() {
    for (name, lambda, es, c) in [("mm5-v4", 0.4, 10.0, 5), ("mm2-v3", 0.1, 10.0, 2)] {
        let mut s = scenario(name);
        s.customers = 6_000_000;
        s.warmup = 500_000;
        let report = run(&s, &Options::default()).expect("runs");
        let pw = erlang_c(c, lambda * es);
        assert_mean(name, &report.overall, pw / (f64::from(c) / es - lambda));
    }
}

#[test]
fn the_printed_estimate_holds_on_mm5() {
    let mut s = scenario("mm5-v4");
    s.customers = 100_000;
    s.warmup = 10_000;
    let report = run(&s, &Options { estimates: true, ..Options::default() }).expect("runs");
    let e = report.estimates.expect("estimates recorded");
    assert_eq!(e.count, 100_000);
    // Goal 75–85% at or below the printed 80th percentile, among tickets printed a wait; a looser band
    // here, as 100,000 tickets leave noise.
    assert!((0.72..=0.88).contains(&e.within_p80_waiting), "{e:?}");
    assert!(e.bias_min.abs() < 1.0, "{e:?}");
}
