//! The wait estimate on hand-made states of the small hall (tax: AHT 10 min; windows 1 [estate, tax],
//! 2 [tax, pickup], 3 green channel [all], 4 standby [estate]).

mod support;

use onewindow::core::{Command, Hall, MatterId, Policy, TicketClass, Timestamp};
use support::{open_hall, small_config, Script, DATE};

const ESTATE: MatterId = MatterId(0);
const TAX: MatterId = MatterId(1);
const PICKUP: MatterId = MatterId(2);
const MIN: f64 = 60_000.0;

fn script(lines: &[&str]) -> Script {
    script_on(open_hall(), lines)
}

fn script_on(hall: Hall, lines: &[&str]) -> Script {
    let mut script = Script { hall, date: DATE };
    for line in lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        let now = script.time(words[0]).expect("time");
        let command = script.command(&words[1..]).expect("command").expect("the PIN is right");
        script.hall.execute(&command, now).unwrap_or_else(|r| panic!("`{line}` refused: {r:?}"));
    }
    script
}

/// Window 1 staffed, then `n` tax tickets at 09:00; `more` lines after.
fn burst(n: usize, more: &[&str]) -> Script {
    let issues: Vec<String> = (0..n).map(|_| "09:00 issue tax".to_owned()).collect();
    let mut lines = vec!["08:30 sign-in 1 c1 1111"];
    lines.extend(issues.iter().map(String::as_str));
    lines.extend(more);
    script(&lines)
}

fn minutes(wait: Option<(i64, i64)>) -> Option<(f64, f64)> {
    wait.map(|(m, p)| (m as f64 / MIN, p as f64 / MIN))
}

fn at(s: &Script, hhmm: &str) -> Timestamp {
    s.time(hhmm).expect("time")
}

#[test]
fn with_no_window_open_only_the_people_ahead_are_given() {
    let s = script(&["09:00 issue tax", "09:01 issue tax"]);
    let e = s.hall.estimate(TAX, TicketClass::Normal, at(&s, "09:02"));
    assert_eq!((e.ahead, e.wait_ms), (2, None));
}

#[test]
fn with_every_window_paused_there_is_no_estimate() {
    let s = script(&["08:30 sign-in 1 c1 1111", "08:31 pause 1", "09:00 issue tax"]);
    assert_eq!(s.hall.estimate(TAX, TicketClass::Normal, at(&s, "09:01")).wait_ms, None);
}

#[test]
fn a_matter_no_open_window_serves_has_no_estimate() {
    let s = script(&["08:30 sign-in 1 c1 1111", "09:00 issue pickup"]);
    let e = s.hall.estimate(PICKUP, TicketClass::Normal, at(&s, "09:01"));
    assert_eq!((e.ahead, e.wait_ms), (1, None));
    assert!(s.hall.estimate(TAX, TicketClass::Normal, at(&s, "09:01")).wait_ms.is_some());
}

#[test]
fn a_free_window_and_an_empty_queue_mean_no_wait() {
    let s = script(&["08:30 sign-in 1 c1 1111"]);
    assert_eq!(s.hall.estimate(TAX, TicketClass::Normal, at(&s, "09:00")).wait_ms, Some((0, 0)));
}

#[test]
fn one_busy_window_gives_an_exponential_like_spread() {
    // The window just called a tax ticket (AHT 10 min): the next one waits about one service.
    let s = script(&["08:30 sign-in 1 c1 1111", "09:00 issue tax", "09:00 call-next 1"]);
    let (median, p80) = minutes(s.hall.estimate(TAX, TicketClass::Normal, at(&s, "09:00")).wait_ms).expect("estimate");
    assert!((median - 6.93).abs() < 0.3, "median {median}");
    assert!((p80 - 16.1).abs() < 0.5, "p80 {p80}");
}

#[test]
fn a_sudden_burst_raises_the_estimate_with_every_ticket() {
    let s = burst(12, &[]);
    let e = s.hall.estimate(TAX, TicketClass::Normal, at(&s, "09:00"));
    assert_eq!(e.ahead, 12);
    let (median, p80) = minutes(e.wait_ms).expect("estimate");
    // Twelve services of 10 minutes on one window: about 120 minutes, tighter relative spread.
    assert!((105.0..125.0).contains(&median), "median {median}");
    assert!(p80 > median && p80 < 1.3 * median, "p80 {p80}");
    let fewer = burst(6, &[]);
    let (m6, _) =
        minutes(fewer.hall.estimate(TAX, TicketClass::Normal, at(&fewer, "09:00")).wait_ms).expect("estimate");
    assert!(m6 < median, "fewer ahead, shorter wait: {m6} vs {median}");
}

#[test]
fn a_green_ticket_waits_only_behind_green_ones_and_more_windows_shorten_waits() {
    let s = burst(6, &[]);
    let normal = s.hall.estimate(TAX, TicketClass::Normal, at(&s, "09:00")).wait_ms.expect("estimate");
    let green = s.hall.estimate(TAX, TicketClass::Green, at(&s, "09:00")).wait_ms.expect("estimate");
    assert_eq!(green, (0, 0), "nobody green waits and window 1 is free");
    let two = burst(6, &["09:00 sign-in 2 c2 2222"]);
    let faster = two.hall.estimate(TAX, TicketClass::Normal, at(&two, "09:00")).wait_ms.expect("estimate");
    assert!(faster.0 < normal.0, "two windows: {faster:?} vs {normal:?}");
}

#[test]
fn the_walk_follows_the_live_routing_policy() {
    // Window 1 [estate, tax] idle, five estate tickets from 09:00. Under fifo a new tax ticket waits for
    // all five; under backlog (waiting per window, handling minute and target minute) tax's tight
    // target and short handling put it ahead of most of them.
    let lines = [
        "08:30 sign-in 1 c1 1111",
        "09:00 issue estate",
        "09:00 issue estate",
        "09:00 issue estate",
        "09:00 issue estate",
        "09:00 issue estate",
    ];
    let fifo = script(&lines);
    // Late enough that the morning's issue rate has decayed (no expected arrivals to speak of), early
    // enough that no estate ticket passes the 120-minute starvation guard before tax is called.
    let now = at(&fifo, "10:00");
    let (in_fifo, _) = minutes(fifo.hall.estimate(TAX, TicketClass::Normal, now).wait_ms).expect("estimate");
    let mut config = small_config();
    config.rules.policy = Policy::Backlog;
    // Fixed windows: with estate's standby window 4 free to open, backlog would call the estate
    // tickets first once past 3/4 of their target (engine/tests/staffing.rs).
    config.windows[3].retired = true;
    let mut hall = Hall::new(config);
    hall.execute(&Command::OpenDay { date: DATE }, at(&fifo, "08:00")).expect("day opens");
    let backlog = script_on(hall, &lines);
    let (in_backlog, _) = minutes(backlog.hall.estimate(TAX, TicketClass::Normal, now).wait_ms).expect("estimate");
    // Fifo: four more estate services (20 min each, one window) before it.
    assert!(in_fifo > 60.0, "fifo {in_fifo}");
    assert!(in_backlog < in_fifo / 2.0, "backlog {in_backlog} vs fifo {in_fifo}");
    let _ = ESTATE;
}

#[test]
fn a_waiting_ticket_is_given_the_estimate_it_was_printed_with_and_its_place_in_the_queue() {
    // Fifo (no later ticket passes): the walk for every waiting ticket at the moment the last was
    // issued gives each the estimate a new ticket got when it was issued then.
    let mut s = burst(0, &[]);
    let now = at(&s, "09:00");
    let mut printed = Vec::new();
    for _ in 0..4 {
        printed.push(s.hall.estimate(TAX, TicketClass::Normal, now));
        let issue = s.command(&["issue", "tax"]).expect("command").expect("command");
        s.hall.execute(&issue, now).expect("issued");
    }
    let all = s.hall.waiting_estimates(now);
    // Nobody called yet (window 1 idle): four wait, with 0 to 3 ahead.
    assert_eq!(all.iter().map(|(_, e)| e.ahead).collect::<Vec<_>>(), [0, 1, 2, 3]);
    let waits: Vec<_> = all.iter().map(|(_, e)| e.wait_ms).collect();
    assert_eq!(waits, printed.iter().map(|e| e.wait_ms).collect::<Vec<_>>(), "as printed");
    assert!(waits.windows(2).all(|w| w[0] < w[1]), "{waits:?}");
    // An estate ticket behind them: its own matter's queue is empty (none ahead), but window 1 serves
    // the tax tickets first (fifo), so it waits longer than the last of them.
    let estate = s.command(&["issue", "estate"]).expect("command").expect("command");
    s.hall.execute(&estate, now).expect("issued");
    let all = s.hall.waiting_estimates(now);
    let (_, last) = all.iter().find(|(t, _)| s.hall.ticket(*t).is_some_and(|t| t.matter == ESTATE)).expect("estate");
    assert_eq!(last.ahead, 0);
    assert!(last.wait_ms > waits[3], "{:?} after {:?}", last.wait_ms, waits[3]);
    // With no window staffed, the places only.
    let closed = script(&["09:00 issue tax", "09:01 issue tax"]);
    let all = closed.hall.waiting_estimates(at(&closed, "09:02"));
    assert_eq!(all.iter().map(|(_, e)| (e.ahead, e.wait_ms)).collect::<Vec<_>>(), [(0, None), (1, None)]);
}
