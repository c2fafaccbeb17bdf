//! The calendar's effect on what a citizen is told and allowed: estimates step over the lunch break
//! (unless a window works through it, 错时服务), and a window's later shift (延时服务) keeps its matters
//! issuing after closing time. Days opening and closing by themselves: `scenarios/08-calendar.hall`.

#![allow(clippy::unwrap_used)]

mod support;

use onewindow::core::{Command, Hall, HallConfig, Rejection, TicketClass};
use support::calendar_config;

/// A Wednesday in the calendar hall's year.
const DAY: onewindow::core::Date = onewindow::core::Date { year: 2026, month: 9, day: 30 };

fn at(hh: u32, mm: u32) -> onewindow::core::Timestamp {
    DAY.at_minute(hh * 60 + mm, 480)
}

/// The hall open, window 1 (estate, tax) signed in, one estate ticket waiting since 11:45.
fn morning(config: HallConfig) -> Hall {
    let mut hall = Hall::new(config);
    let run = |hall: &mut Hall, c: Command, t| hall.execute(&c, t).unwrap_or_else(|r| panic!("{r:?}"));
    run(&mut hall, Command::OpenDay { date: DAY }, at(8, 0));
    let (w1, c1) = (hall.config().window_by_number(1).unwrap(), hall.config().clerk_by_key("c1").unwrap());
    run(&mut hall, Command::SignIn { window: w1, clerk: c1 }, at(11, 0));
    let estate = hall.config().matter_by_key("estate").unwrap();
    run(&mut hall, Command::IssueTicket { matter: estate, green: None, holder: None, source: None }, at(11, 45));
    hall
}

fn median_min(hall: &Hall, key: &str, hh: u32, mm: u32) -> i64 {
    let matter = hall.config().matter_by_key(key).unwrap();
    hall.estimate(matter, TicketClass::Normal, at(hh, mm)).wait_ms.expect("an estimate").0 / 60_000
}

#[test]
fn a_ticket_taken_before_lunch_is_not_promised_a_call_during_it() {
    let mut no_lunch = calendar_config();
    if let Some(hours) = no_lunch.hours.as_mut() {
        hours.lunch = None;
    }
    let plain = median_min(&morning(no_lunch), "estate", 11, 50);
    assert!(plain < 60, "without a break the next estate ticket waits about one service: {plain} min");
    let with_lunch = median_min(&morning(calendar_config()), "estate", 11, 50);
    assert_eq!(with_lunch, plain + 120, "the two-hour break is added to a wait that reaches it");
    let after = median_min(&morning(calendar_config()), "estate", 14, 0);
    assert!(after < 60, "after the break, no break is added: {after} min");

    // A window that works through lunch (错时服务) keeps the hall serving: nothing is added.
    let mut staggered = calendar_config();
    staggered.windows[2].shift = Some((8 * 60 + 30, 17 * 60 + 30));
    assert_eq!(median_min(&morning(staggered), "estate", 11, 50), plain);
}

#[test]
fn a_later_shift_keeps_its_matters_issuing_after_closing_time() {
    let mut config = calendar_config();
    // Window 2 (tax, pickup) serves until 19:00 (延时服务).
    config.windows[1].shift = Some((8 * 60 + 30, 19 * 60));
    let mut hall = morning(config);
    let issue = |hall: &mut Hall, key: &str, hh, mm| {
        let matter = hall.config().matter_by_key(key).unwrap();
        hall.execute(&Command::IssueTicket { matter, green: None, holder: None, source: None }, at(hh, mm))
    };
    assert!(issue(&mut hall, "tax", 18, 0).is_ok(), "tax is served at window 2 until 19:00");
    assert_eq!(issue(&mut hall, "estate", 18, 0), Err(Rejection::OutsideHours), "estate closed at 17:30");
    assert_eq!(issue(&mut hall, "tax", 19, 0), Err(Rejection::OutsideHours), "the shift ends at 19:00");
}

#[test]
fn the_configured_calendar_says_which_days_open() {
    let hall = Hall::new(calendar_config());
    let day = |m, d| onewindow::core::Date { year: 2026, month: m, day: d };
    assert!(hall.is_business_day(day(9, 30)), "a Wednesday");
    assert!(!hall.is_business_day(day(10, 1)), "National Day");
    assert!(!hall.is_business_day(day(10, 3)), "a holiday Saturday");
    assert!(hall.is_business_day(day(10, 10)), "the Saturday worked in place of a holiday (调休)");
    assert!(!hall.is_business_day(day(10, 11)), "an ordinary Sunday");
    assert!(hall.is_business_day(day(10, 12)), "Monday");
}
