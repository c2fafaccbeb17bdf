//! The staffing review and the capacity cut-off on hand-made states of the small hall (estate: target
//! 20 min, AHT 20; window 1 [estate, tax], 2 [tax, pickup], 3 green channel [all], 4 standby [estate]),
//! with a second standby window 5 [estate] where a test needs two.

mod support;

use onewindow::core::{
    Command, Hall, HallConfig, Hours, MatterId, MatterSet, Rejection, StaffingMode, TicketClass, WindowKind, WindowSpec,
};
use support::{small_config, Script, DATE};

const ESTATE: MatterId = MatterId(0);

fn config(mode: StaffingMode, second_standby: bool) -> HallConfig {
    let mut config = small_config();
    config.rules.staffing.mode = mode;
    config.matters[usize::from(ESTATE.0)].daily_cap = None;
    if second_standby {
        config.windows.push(WindowSpec {
            key: "w5".into(),
            number: 5,
            name: "临时窗口 5".into(),
            zone: String::new(),
            skills: MatterSet::of([ESTATE]),
            home: Some(ESTATE),
            kind: WindowKind::Standby,
            shift: None,
            retired: false,
        });
    }
    config
}

/// Runs `lines` (`HH:MM command ...`) on a fresh day; every line must be accepted. Returns the script
/// and the rendered events of the last line.
fn run(config: HallConfig, lines: &[&str]) -> (Script, Vec<String>) {
    let mut script = Script::new(config, DATE);
    let open = script.time("08:00").expect("time");
    script.hall.execute(&Command::OpenDay { date: DATE }, open).expect("day opens");
    let mut last = Vec::new();
    for line in lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        let now = script.time(words[0]).expect("time");
        let command = script.command(&words[1..]).expect("command").expect("the PIN is right");
        let events = script.hall.execute(&command, now).unwrap_or_else(|r| panic!("`{line}` refused: {r:?}"));
        last = events.iter().map(|e| script.render(e)).collect();
    }
    (script, last)
}

/// Window 1 staffed at 08:30, then `n` estate tickets at 09:00.
fn estate_burst(n: usize) -> Vec<String> {
    let mut lines = vec!["08:30 sign-in 1 c1 1111".to_owned()];
    lines.extend((0..n).map(|_| "09:00 issue estate".to_owned()));
    lines
}

fn with<'a>(base: &'a [String], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().map(String::as_str).chain(more.iter().copied()).collect()
}

#[test]
fn with_staffing_off_the_review_decides_nothing() {
    let burst = estate_burst(6);
    let (_, events) = run(config(StaffingMode::Off, false), &with(&burst, &["09:01 review-staffing"]));
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn a_burst_opens_the_standby_window_that_serves_the_matter_with_its_numbers() {
    let burst = estate_burst(3);
    let (s, events) = run(config(StaffingMode::Automatic, false), &with(&burst, &["09:01 review-staffing"]));
    // One window serves estate (AHT 20 min) with three waiting: a new ticket waits about an hour.
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].starts_with("window-opened w4 (estate waiting 3 windows 1 predicted "), "{events:?}");
    assert!(events[0].ends_with("target 20m)"), "{events:?}");
    let opened = s.hall.window(onewindow::core::WindowId(3)).expect("w4");
    assert!(opened.open && opened.opened_at == Some(s.time("09:01").expect("time")));
    assert!(opened.clerk.is_none(), "its clerk comes forward and signs in");
}

#[test]
fn short_waits_open_nothing() {
    // Windows 1 and 3 (green channel, serves all) are both free: a new estate ticket waits no time.
    let lines = ["08:30 sign-in 1 c1 1111", "08:30 sign-in 3 c3 3333", "09:00 issue estate", "09:01 review-staffing"];
    let (_, events) = run(config(StaffingMode::Automatic, false), &lines);
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn an_opened_window_nobody_staffs_yet_counts_as_open_and_a_burst_opens_the_next_at_once() {
    let burst = estate_burst(8);
    let cfg = config(StaffingMode::Automatic, true);
    let (_, first) = run(cfg.clone(), &with(&burst, &["09:01 review-staffing"]));
    assert!(first[0].starts_with("window-opened w4"), "{first:?}");
    // Window 4 is open, its clerk still on the way (a standby clerk walks over from the back office):
    // the review counts it as open and idle. Eight waiting on two windows is still far too long, so
    // window 5 opens now, not one walk later (before, a realistic day's morning rush opened one
    // window per walk and most of its citizens waited past the target).
    let (_, second) = run(cfg.clone(), &with(&burst, &["09:01 review-staffing", "09:02 review-staffing"]));
    assert_eq!(second.len(), 1, "{second:?}");
    assert!(second[0].starts_with("window-opened w5 (estate waiting 8 windows 1 "), "{second:?}");
    // Once staffed the same: the queue is still long.
    let (_, third) =
        run(cfg, &with(&burst, &["09:01 review-staffing", "09:03 sign-in 4 c4 4444", "09:04 review-staffing"]));
    assert!(third[0].starts_with("window-opened w5 (estate waiting 8 windows 2 "), "{third:?}");
}

#[test]
fn a_window_on_its_way_that_is_enough_opens_no_other() {
    // Three waiting: window 4 opens. Then two of them give up and cancel: with window 4 counted as
    // open, a new ticket would wait little, so nothing more opens while its clerk is on the way.
    let burst = estate_burst(3);
    let cfg = config(StaffingMode::Automatic, true);
    let lines =
        with(&burst, &["09:01 review-staffing", "09:02 cancel A002", "09:02 cancel A003", "09:03 review-staffing"]);
    let (_, events) = run(cfg, &lines);
    assert!(events.iter().all(|e| !e.starts_with("window-opened")), "{events:?}");
}

#[test]
fn with_every_window_paused_the_standby_window_opens() {
    let lines = ["08:30 sign-in 1 c1 1111", "08:31 pause 1", "09:00 issue estate", "09:01 review-staffing"];
    let (_, events) = run(config(StaffingMode::Automatic, false), &lines);
    assert_eq!(events, ["window-opened w4 (estate waiting 1 windows 0 predicted none target 20m)"]);
}

#[test]
fn a_matter_no_open_window_serves_gets_its_standby_window() {
    let lines = ["08:30 sign-in 2 c2 2222", "09:00 issue estate", "09:01 review-staffing"];
    let (_, events) = run(config(StaffingMode::Automatic, false), &lines);
    assert_eq!(events, ["window-opened w4 (estate waiting 1 windows 0 predicted none target 20m)"]);
}

#[test]
fn advisory_mode_asks_once_and_a_clerk_accepts() {
    let burst = estate_burst(3);
    let cfg = config(StaffingMode::Advisory, false);
    let (s, asked) = run(cfg.clone(), &with(&burst, &["09:01 review-staffing"]));
    assert!(asked[0].starts_with("staffing-requested w4 (estate waiting 3 windows 1 "), "{asked:?}");
    assert_eq!(s.hall.staffing_requests().len(), 1);
    assert!(!s.hall.window(onewindow::core::WindowId(3)).expect("w4").open, "advisory opens nothing itself");
    let (_, again) = run(cfg.clone(), &with(&burst, &["09:01 review-staffing", "09:02 review-staffing"]));
    assert!(again.is_empty(), "asked once: {again:?}");
    let (s, accepted) = run(cfg.clone(), &with(&burst, &["09:01 review-staffing", "09:03 accept-staffing 4"]));
    assert!(accepted[0].starts_with("window-opened w4 (estate waiting 3 windows 1 "), "{accepted:?}");
    assert!(s.hall.staffing_requests().is_empty());
    // Without a request there is nothing to accept.
    let (s, _) = run(cfg, &burst.iter().map(String::as_str).collect::<Vec<_>>());
    let now = s.time("09:05").expect("time");
    let refused = s.hall.decide(&Command::AcceptStaffing { window: onewindow::core::WindowId(3) }, now);
    assert_eq!(refused, Err(Rejection::NoStaffingRequest));
}

#[test]
fn a_request_no_longer_needed_is_withdrawn() {
    let lines = [
        "08:30 sign-in 1 c1 1111",
        "09:00 issue estate",
        "09:00 issue estate",
        "09:01 review-staffing",
        "09:02 cancel A001",
        "09:02 cancel A002",
        "09:03 review-staffing",
    ];
    let (s, events) = run(config(StaffingMode::Advisory, false), &lines);
    assert_eq!(events, ["staffing-withdrawn w4"]);
    assert!(s.hall.staffing_requests().is_empty());
}

#[test]
fn a_standby_window_closes_only_idle_after_its_minimum_open_time_with_its_numbers() {
    let opened = [
        "08:30 sign-in 1 c1 1111",
        "09:00 issue estate",
        "09:00 issue estate",
        "09:00 issue estate",
        "09:01 review-staffing",
        "09:01 sign-in 4 c4 4444",
        "09:02 call-next 4",
        "09:02 call-next 1",
    ];
    let cfg = config(StaffingMode::Automatic, false);
    // Busy: never closed.
    let (_, busy) = run(cfg.clone(), &with(&opened.map(str::to_owned), &["09:45 review-staffing"]));
    assert!(busy.is_empty(), "{busy:?}");
    // Idle, but open only 19 minutes: hysteresis keeps it.
    let base = opened.map(str::to_owned);
    let (_, early) = run(
        cfg.clone(),
        &with(&base, &["09:15 finish 4", "09:15 finish 1", "09:15 call-next 1", "09:20 review-staffing"]),
    );
    assert!(early.is_empty(), "within the minimum open time: {early:?}");
    // Idle, open 30 minutes, and window 1 alone keeps a new estate wait short: it closes.
    let (s, closed) = run(
        cfg,
        &with(
            &base,
            &["09:15 finish 4", "09:15 finish 1", "09:15 call-next 1", "09:20 finish 1", "09:31 review-staffing"],
        ),
    );
    assert_eq!(closed[0], "signed-out w4", "{closed:?}");
    assert!(closed[1].starts_with("window-closed w4 (estate waiting 0 windows 2 predicted 0.0m"), "{closed:?}");
    assert!(!s.hall.window(onewindow::core::WindowId(3)).expect("w4").open);
    // State after staffing events survives a snapshot.
    let restored = Hall::restore(s.hall.config().clone(), s.hall.snapshot()).expect("fits");
    assert_eq!(restored, s.hall);
}

#[test]
fn a_standby_window_stays_while_the_queue_would_be_long_without_it() {
    let mut lines = vec![
        "08:30 sign-in 1 c1 1111".to_owned(),
        "09:00 issue estate".to_owned(),
        "09:01 review-staffing".to_owned(),
        "09:01 sign-in 4 c4 4444".to_owned(),
        "09:01 call-next 1".to_owned(),
    ];
    // Window 1 busy; five more estate tickets wait; window 4 is idle between two citizens at 09:40.
    lines.extend((0..5).map(|_| "09:30 issue estate".to_owned()));
    lines.push("09:40 review-staffing".to_owned());
    let (_, events) =
        run(config(StaffingMode::Automatic, false), &lines.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn the_kiosk_estimate_counts_the_windows_automatic_staffing_will_open() {
    let burst = estate_burst(4);
    let (off, _) = run(config(StaffingMode::Off, true), &with(&burst, &[]));
    let (auto, _) = run(config(StaffingMode::Automatic, true), &with(&burst, &[]));
    let now = off.time("09:01").expect("time");
    let alone = off.hall.estimate(ESTATE, TicketClass::Normal, now).wait_ms.expect("estimate").0;
    let helped = auto.hall.estimate(ESTATE, TicketClass::Normal, now).wait_ms.expect("estimate").0;
    assert!(helped < alone, "with standby windows coming: {helped} < {alone}");
}

#[test]
fn the_capacity_cut_off_stops_a_matter_whose_new_ticket_would_not_be_called_in_time() {
    let mut cfg = config(StaffingMode::Off, false);
    if let Some(hours) = cfg.hours.as_mut() {
        hours.extension_min = Some(0);
    }
    // 16:45: window 1 alone, three estate tickets waiting: a fourth would be called after 17:30.
    let late = [
        "16:30 sign-in 1 c1 1111",
        "16:30 sign-in 2 c2 2222",
        "16:45 issue estate",
        "16:45 issue estate",
        "16:45 issue estate",
    ];
    let (s, _) = run(cfg.clone(), &late);
    let issue = Command::IssueTicket { matter: ESTATE, green: None, holder: None, source: None };
    assert_eq!(s.hall.decide(&issue, s.time("16:46").expect("time")), Err(Rejection::CapacityReached));
    assert!(s.hall.cut_off(ESTATE, TicketClass::Normal, s.time("16:46").expect("time")));
    // Tax still fits: window 2 serves it too, and is free.
    let tax = Command::IssueTicket { matter: MatterId(1), green: None, holder: None, source: None };
    assert!(s.hall.decide(&tax, s.time("16:46").expect("time")).is_ok());
    // The same queue in the morning is fine; so is the afternoon with an hour of extended service.
    let morning = ["08:30 sign-in 1 c1 1111", "09:00 issue estate", "09:00 issue estate", "09:00 issue estate"];
    let (s, _) = run(cfg.clone(), &morning);
    assert!(s.hall.decide(&issue, s.time("09:01").expect("time")).is_ok());
    if let Some(hours) = cfg.hours.as_mut() {
        hours.extension_min = Some(60);
    }
    let (s, _) = run(cfg, &late);
    assert!(s.hall.decide(&issue, s.time("16:46").expect("time")).is_ok());
}

#[test]
fn a_late_matter_without_a_standby_window_does_not_block_another_that_has_one() {
    // Tax (target 10) is the latest but no standby window serves it; estate is late too, and window 4
    // serves it: window 4 opens for estate.
    let lines = [
        "08:30 sign-in 1 c1 1111",
        "09:00 issue tax",
        "09:00 issue tax",
        "09:00 issue tax",
        "09:00 issue tax",
        "09:00 issue estate",
        "09:01 review-staffing",
    ];
    let (_, events) = run(config(StaffingMode::Automatic, false), &lines);
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].starts_with("window-opened w4 (estate waiting 1 windows 1 "), "{events:?}");
}

#[test]
fn with_a_forecast_a_standby_window_stays_for_the_load_expected_within_the_horizon() {
    let lines = [
        "08:30 sign-in 1 c1 1111",
        "09:00 issue estate",
        "09:00 issue estate",
        "09:00 issue estate",
        "09:01 review-staffing",
        "09:01 sign-in 4 c4 4444",
        "09:02 call-next 4",
        "09:02 call-next 1",
        "09:15 finish 4",
        "09:15 finish 1",
        "09:15 call-next 1",
        "09:20 finish 1",
        "09:31 review-staffing",
    ];
    let with_forecast = |rates: Vec<(u32, f64)>, horizon_min: u32| {
        let mut cfg = config(StaffingMode::Automatic, false);
        cfg.rules.forecast = onewindow::core::Forecast { rates, horizon_min };
        run(cfg, &lines).1
    };
    // Estate's norm is 20 minutes: 6 arrivals an hour need two windows, and two are active.
    let busy_at_ten = vec![(8 * 60, 1.0), (10 * 60, 6.0)];
    assert!(with_forecast(busy_at_ten.clone(), 60).is_empty(), "10:00 is within the hour: w4 stays");
    let closed = with_forecast(busy_at_ten.clone(), 20);
    assert_eq!(closed.first().map(String::as_str), Some("signed-out w4"), "10:00 is past 20 minutes: {closed:?}");
    let closed = with_forecast(busy_at_ten, 0);
    assert_eq!(closed.len(), 2, "no horizon, no forecast: {closed:?}");
    // A quiet forecast keeps nothing: 3 an hour is one window's load.
    let closed = with_forecast(vec![(8 * 60, 3.0)], 60);
    assert_eq!(closed.len(), 2, "{closed:?}");
    // Nor does a rate for after the kiosks stop issuing (kiosks stop at 09:30, the forecast busy from 08:00
    // on): nobody can arrive then.
    let mut cfg = config(StaffingMode::Automatic, false);
    cfg.rules.forecast = onewindow::core::Forecast { rates: vec![(8 * 60, 6.0)], horizon_min: 60 };
    assert!(run(cfg.clone(), &lines).1.is_empty(), "open all day: w4 stays");
    cfg.hours =
        Some(Hours { open_min: 8 * 60, close_min: 9 * 60 + 30, extension_min: None, lunch: None, weekdays: [true; 7] });
    let closed = run(cfg, &lines).1;
    assert_eq!(closed.first().map(String::as_str), Some("signed-out w4"), "issuing ended at 09:30: {closed:?}");
}

#[test]
fn a_forecast_peaks_over_its_horizon() {
    let f = onewindow::core::Forecast { rates: vec![(510, 50.0), (540, 120.0), (720, 30.0)], horizon_min: 60 };
    assert_eq!(f.peak(480, None), Some(120.0), "08:00 sees 09:00 within the hour");
    assert_eq!(f.peak(700, None), Some(120.0));
    assert_eq!(f.peak(720, None), Some(30.0));
    assert_eq!(f.peak(400, None), Some(0.0), "before the first entry and beyond the hour: nothing expected");
    assert_eq!(f.peak(480, Some(540)), Some(50.0), "issuing ends at 09:00, before 09:00's rate starts");
    assert_eq!(f.peak(700, Some(720)), Some(120.0), "11:40 still sees its own rate until 12:00");
    assert_eq!(f.peak(720, Some(720)), Some(0.0), "nothing once issuing has ended, whatever the last rate");
    assert_eq!(onewindow::core::Forecast::default().peak(600, None), None);
}

/// Backlog calls a ticket past 3/4 of its target before the busiest queue while a closed standby
/// window could still open for its matter (the review plans windows for the targets; this keeps the
/// slow matter's), and only then: with fixed windows, or every standby window for the matter already
/// open, the busiest queue comes first as always (there the guard would only make more tickets late).
#[test]
fn under_backlog_a_ticket_past_three_quarters_of_its_target_comes_first_while_a_window_could_open_for_it() {
    // One estate ticket (target 20 min) at 08:31, four tax tickets (target 10 min) at 08:40: by
    // backlog's index tax's queue depends on window 1 far more. Window 4 is estate's standby window.
    let mut lines = vec!["08:30 sign-in 1 c1 1111".to_owned(), "08:31 issue estate".to_owned()];
    lines.extend((0..4).map(|_| "08:40 issue tax".to_owned()));
    let called = |mode: StaffingMode, standby: bool, more: &[&str]| {
        let mut config = config(mode, false);
        config.rules.policy = onewindow::core::Policy::Backlog;
        config.windows[3].retired = !standby;
        let (_, events) = run(config, &with(&lines, more));
        assert_eq!(events.len(), 1, "{events:?}");
        events[0].clone()
    };
    // 08:47: estate has waited 16 of 20 minutes (0.8), the first tax ticket 7 of 10 (0.7).
    for mode in [StaffingMode::Automatic, StaffingMode::Advisory, StaffingMode::Off] {
        let late = called(mode, true, &["08:47 call-next 1"]);
        assert!(late.starts_with("called A001 w1 backlog(wait 16m of 20m)"), "{mode:?}: {late}");
    }
    // 08:44: estate 13 of 20 (0.65) is not late yet.
    assert!(called(StaffingMode::Automatic, true, &["08:44 call-next 1"]).starts_with("called B001 w1"));
    // Fixed windows, or estate's standby window already open: no guard.
    assert!(called(StaffingMode::Off, false, &["08:47 call-next 1"]).starts_with("called B001 w1"));
    let open = called(StaffingMode::Off, true, &["08:45 open-window 4", "08:47 call-next 1"]);
    assert!(open.starts_with("called B001 w1"), "{open}");
}
