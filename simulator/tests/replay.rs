//! `onewindow-sim replay`: a rehearsed day (written by the core as the server writes it, with the
//! automatic staffing review opening standby windows) replayed under its own policy and staffing, and
//! under `fifo` with staffing off. The command itself: `sim-cli/tests/replay.rs`.

// Tests fail loudly on what they did not expect.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use onewindow::core::report::facts::End;
use onewindow::core::{Date, HallConfig, Policy};
use onewindow::rehearse::{self, Plan};
use onewindow::store::{events, MemoryStore, Store};
use simulator::replay::{self, Options, Staffing};

const DAY: Date = Date { year: 2026, month: 10, day: 12 };

/// The demo hall with the staffing review in automatic mode.
fn auto_hall_toml() -> String {
    let text = onewindow::config::DEMO_HALL_TOML.replace("mode = \"advisory\"", "mode = \"automatic\"");
    assert!(text.contains("mode = \"automatic\""), "the demo hall's staffing mode line moved");
    text
}

fn hall() -> HallConfig {
    onewindow::config::parse(&auto_hall_toml()).expect("the demo hall parses")
}

/// A busy day: 700 citizens for 12 regular windows, so the review opens standby windows.
fn rehearsed(store: &dyn Store, config: &HallConfig) {
    rehearse::run(store, config, &Plan { from: DAY, days: 1, per_day: 700, seed: 3 }).expect("rehearsal written");
}

fn options(policy: Policy, staffing: Staffing) -> Options {
    Options { policy, staffing, walk_ms: 5 * 60_000 }
}

#[test]
fn a_replay_under_the_recorded_policy_reproduces_the_day_and_what_if_shows_the_difference() {
    let config = hall();
    let store = MemoryStore::new();
    rehearsed(&store, &config);
    let day = replay::load(events(&store), &config, DAY).expect("the day is in the ledger");
    assert_eq!(day.facts.date, DAY);
    assert!(day.facts.closed);
    let by_review = day.sessions.iter().filter(|s| s.by_review).count();
    assert!(by_review > 0, "the review opened standby windows that day: {:?}", day.sessions);
    let recorded = replay::kpis(&config, &day.facts);

    // Under its own policy and sessions: the same citizens, and waits close to the recorded ones.
    let same = replay::replay(&config, &day, options(config.rules.policy, Staffing::Recorded));
    let kpis = replay::kpis(&config, &same.facts);
    assert_eq!(same.refused, 0);
    assert_eq!((kpis.issued, kpis.cancelled), (recorded.issued, recorded.cancelled));
    assert_eq!(kpis.no_shows, recorded.no_shows);
    let (mean, replayed_mean) = (recorded.wait_mean_s.unwrap(), kpis.wait_mean_s.unwrap());
    assert!(mean > 600.0, "a busy day: mean wait {mean} s");
    assert!((replayed_mean - mean).abs() < 0.02 * mean, "recorded {mean} s, replayed {replayed_mean} s");
    let error = replay::wait_error(&day.facts, &same.facts);
    assert!(error.tickets as f64 > 0.95 * recorded.called as f64, "{error:?}");
    assert!(error.mean_abs_s < 0.02 * mean, "{error:?} against a mean wait of {mean} s");
    assert!((kpis.served as f64 - recorded.served as f64).abs() <= 0.01 * recorded.served as f64);
    // Signed-in time follows the recorded sessions (a session ending mid-service ends after it).
    assert!((kpis.signed_in_s - recorded.signed_in_s).abs() < 0.02 * recorded.signed_in_s);

    // Without the windows the review opened, under fifo: fewer window-hours, far longer waits.
    let off = replay::replay(&config, &day, options(Policy::Fifo, Staffing::Off));
    let off_kpis = replay::kpis(&config, &off.facts);
    assert_eq!(off_kpis.issued, recorded.issued);
    assert!(off_kpis.signed_in_s < kpis.signed_in_s, "{} vs {}", off_kpis.signed_in_s, kpis.signed_in_s);
    assert!(off_kpis.wait_mean_s.unwrap() > 1.5 * mean, "{off_kpis:?}");
    assert!(off_kpis.closed_unserved > recorded.closed_unserved);

    // The core's own review, with a 5-minute walk: it opens windows, and waits come back down.
    let auto = replay::replay(&config, &day, options(config.rules.policy, Staffing::Auto));
    assert!(auto.openings > 0);
    assert!(replay::kpis(&config, &auto.facts).wait_mean_s.unwrap() < off_kpis.wait_mean_s.unwrap());
}

#[test]
fn a_replay_keeps_every_ticket_in_issue_order_with_its_matter_and_class() {
    let config = hall();
    let store = MemoryStore::new();
    rehearsed(&store, &config);
    let day = replay::load(events(&store), &config, DAY).unwrap();
    let same = replay::replay(&config, &day, options(config.rules.policy, Staffing::Recorded));
    assert_eq!(same.facts.tickets.len(), day.facts.tickets.len());
    for (a, b) in day.facts.tickets.iter().zip(&same.facts.tickets) {
        assert_eq!((&a.number, &a.matter, a.class, a.issued_at), (&b.number, &b.matter, b.class, b.issued_at));
        if let (End::Served { .. }, End::Served { .. }) = (a.end, b.end) {
            assert_eq!(a.service_ms, b.service_ms, "{} keeps its handling time", a.number);
        }
    }
}

#[test]
fn a_day_the_ledger_does_not_hold_is_a_clear_error() {
    let config = hall();
    let store = MemoryStore::new();
    rehearsed(&store, &config);
    let missing = Date { year: 2026, month: 11, day: 1 };
    let err = replay::load(events(&store), &config, missing).unwrap_err();
    assert!(err.contains("2026-11-01"), "{err}");
}
