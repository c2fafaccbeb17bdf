//! The planned-staffing baseline: `[staffing] schedule` opens and closes standby windows through the
//! core's commands, and window-hours count each window's real open time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use simulator::report::{run, Options};
use simulator::scenario::Scenario;

const DAY: &str = r#"
[run]
mode = "day"
seed = 5
days = 40
slot_min = 60
wait_thresholds_min = [20]
policy = "fifo"

[hours]
open = "09:00"
close = "12:00"

[[matter]]
id = "A"
arrivals_per_hour = 30.0
service = { dist = "exponential", mean_min = 10.0 }
target_wait_min = 20

[[window]]
serves = ["A"]
count = 2

[[window]]
serves = ["A"]
count = 6
kind = "standby"
"#;

#[test]
fn a_schedule_opens_and_closes_standby_windows_and_counts_their_hours() {
    let without = Scenario::parse(DAY).expect("valid");
    let schedule = format!("{DAY}\n[staffing]\nschedule = [[\"09:00\", 2], [\"10:00\", 7], [\"11:00\", 3]]\n");
    let with = Scenario::parse(&schedule).expect("valid");
    assert_eq!(with.schedule.as_ref().map(Vec::len), Some(3));

    let off = Options { staffing: Some("off".into()), ..Options::default() };
    let base = run(&without, &off).expect("runs");
    let planned = run(&with, &Options::default()).expect("runs");
    let slots = planned.slots.as_ref().expect("slots");
    // 09:00 two regular windows; 10:00 five standby join; 11:00 four of them leave (after their service).
    assert!((slots[0].open_windows - 2.0).abs() < 1e-9, "{}", slots[0].open_windows);
    assert!((slots[1].open_windows - 7.0).abs() < 1e-9, "{}", slots[1].open_windows);
    assert!(
        slots[2].open_windows >= 3.0 && slots[2].open_windows < 4.0,
        "busy windows close after their service: {}",
        slots[2].open_windows
    );
    assert!(
        (base.slots.as_ref().expect("slots")[1].open_windows - 2.0).abs() < 1e-9,
        "no schedule: standby stays closed"
    );
    // 30 an hour on 2 windows of 10 minutes each is overload (rho 2.5): the schedule must shorten waits.
    assert!(planned.overall.wait_mean_min < base.overall.wait_mean_min / 2.0);
    // Window-hours: 2 regular windows through the drain, plus the standby windows' real open time.
    assert!(planned.window_hours > 2.0 * 3.0 + 5.0 - 1e-9, "{}", planned.window_hours);
    assert!(base.window_hours >= 2.0 * 3.0, "{}", base.window_hours);
    assert_eq!(planned.overall.served, planned.tickets, "everyone is served");
}
