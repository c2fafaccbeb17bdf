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

/// A morning rush then a quiet hour: two regular windows, six standby windows.
const RUSH: &str = r#"
[run]
mode = "day"
seed = 11
days = 60
slot_min = 30
wait_thresholds_min = [20]
policy = "fifo"

[hours]
open = "09:00"
close = "12:00"

[[matter]]
id = "A"
profile = [["09:00", 40.0], ["10:00", 6.0]]
service = { dist = "exponential", mean_min = 10.0 }
target_wait_min = 20

[[window]]
serves = ["A"]
count = 2

[[window]]
serves = ["A"]
count = 6
kind = "standby"

[staffing]
min_open_min = 30
"#;

#[test]
fn automatic_staffing_opens_for_the_rush_and_closes_after_it_never_within_the_minimum_open_time() {
    let scenario = Scenario::parse(RUSH).expect("valid");
    let auto = run(&scenario, &Options::variant("fifo@auto")).expect("runs");
    let off = run(&scenario, &Options::variant("fifo@off")).expect("runs");
    let review = auto.staffing_review.as_ref().expect("automatic staffing reports what it did");
    // 40 an hour on 10-minute services needs about 7 windows: standby windows open in the rush...
    assert!(review.openings_per_day >= 3.0, "{review:?}");
    let slots = auto.slots.as_ref().expect("slots");
    assert!(slots[1].open_windows > 4.0, "the rush is staffed: {}", slots[1].open_windows);
    // ... and close in the quiet hour, each after at least its minimum open time (hysteresis).
    assert!(review.closings_per_day >= 2.0, "{review:?}");
    let shortest = review.shortest_open_min.expect("some closed");
    assert!(shortest >= 30.0 - 1e-9, "a standby window closed after {shortest} min");
    assert!(slots[5].open_windows < slots[1].open_windows - 2.0, "fewer windows once the rush is over");
    // Waits: the target is kept; without standby windows the rush overflows.
    assert!(
        auto.overall.wait_mean_min < off.overall.wait_mean_min / 3.0,
        "{} vs {}",
        auto.overall.wait_mean_min,
        off.overall.wait_mean_min
    );
    assert!(auto.overall.p_wait_over_min["20"] < 0.05, "{:?}", auto.overall.p_wait_over_min);
    assert_eq!(auto.overall.served, auto.tickets, "everyone is served");
}

/// The realism keys of SCENARIO-FORMAT.md: holders who have left when called (过号 after the window
/// waits), and standby clerks who need minutes to reach their window.
#[test]
fn no_shows_and_a_clerk_walking_over_change_what_they_should() {
    let real = DAY
        .replace("target_wait_min = 20", "target_wait_min = 20\nno_show_share = 0.25")
        .replace("policy = \"fifo\"", "policy = \"fifo\"\nno_show_wait_min = 2.0");
    let schedule = "\n[staffing]\nschedule = [[\"09:00\", 2], [\"10:00\", 7], [\"11:00\", 3]]\n";
    let plain = run(&Scenario::parse(&format!("{DAY}{schedule}")).expect("valid"), &Options::default()).expect("runs");
    let scenario = Scenario::parse(&format!("{real}{schedule}arrival_delay_min = 10\n")).expect("valid");
    assert_eq!((scenario.arrival_delay_min, scenario.no_show_wait_min), (10.0, 2.0));
    let realistic = run(&scenario, &Options::default()).expect("runs");
    // A quarter of the holders have left: counted apart, their waits not in the statistics.
    let share = realistic.no_shows as f64 / realistic.tickets as f64;
    assert!((0.2..0.3).contains(&share), "no-show share {share}");
    assert_eq!(plain.no_shows, 0);
    assert_eq!(realistic.overall.served + realistic.no_shows, realistic.tickets, "every ticket is one or the other");
    // Five standby windows open at 10:00 each day (and are counted from the opening, the walk included).
    assert_eq!(realistic.standby_openings_per_day, Some(5.0));
    let slots = realistic.slots.as_ref().expect("slots");
    assert!((slots[1].open_windows - 7.0).abs() < 1e-9, "open from the opening: {}", slots[1].open_windows);
    // The walk alone costs the 10:00 citizens: they wait longer than when the clerks are there at once.
    let walking = Scenario::parse(&format!("{DAY}{schedule}arrival_delay_min = 10\n")).expect("valid");
    let walking = run(&walking, &Options::default()).expect("runs");
    let over = |r: &simulator::report::Report| r.slots.as_ref().expect("slots")[1].p_wait_over_min["20"];
    assert!(over(&walking) > over(&plain), "{} vs {}", over(&walking), over(&plain));
    for (bad, key) in [("no_show_share = 1.5", "no_show_share"), ("arrival_delay_min = -1", "arrival_delay_min")] {
        let text = if key == "no_show_share" {
            DAY.replace("target_wait_min = 20", &format!("target_wait_min = 20\n{bad}"))
        } else {
            format!("{DAY}\n[staffing]\n{bad}\n")
        };
        let e = Scenario::parse(&text).expect_err("refused").to_string();
        assert!(e.contains(key), "{e}");
    }
}
