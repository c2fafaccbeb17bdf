//! Every command, and every rejection code the core can produce, each reached on purpose.

mod support;

use kiosk_protocol::ErrorCode;
use onewindow::core::{Command, Date, Event, Hall, MatterId, Rejection, TicketState, WindowId};
use std::collections::BTreeSet;
use support::{open_hall, small_config, Script, DATE};

/// Runs `setup` (each line `HH:MM command`, which must succeed) on the small hall with the test day
/// open, then decides `last` and returns what it was refused with.
fn refusal(setup: &[&str], last: &str) -> Rejection {
    let mut script = Script { hall: open_hall(), date: DATE };
    for line in setup {
        run(&mut script, line).unwrap_or_else(|r| panic!("setup `{line}` refused: {r:?}"));
    }
    match run(&mut script, last) {
        Err(r) => r,
        Ok(events) => panic!("`{last}` was accepted: {events:?}"),
    }
}

fn run(script: &mut Script, line: &str) -> Result<Vec<Event>, Rejection> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let now = script.time(words[0]).expect("time");
    script.command(&words[1..]).expect("command").and_then(|command| script.hall.execute(&command, now))
}

const SIGNED_IN: &str = "08:30 sign-in 1 c1 1111";

/// The cases, one per core rejection code.
/// An online booking of `matter` at `start` by ID `who`, its client key its code.
fn online(code: &str, matter: MatterId, start: onewindow::core::Timestamp, who: u32) -> Command {
    let holder = onewindow::core::HolderKey(format!("id-{who}"));
    let history = vec![onewindow::core::HolderKey(format!("history-{who}"))];
    Command::BookOnline { code: code.into(), matter, start, holder, history, client_key: code.into() }
}

/// The refusal of a booking (`YYYY-MM-DD HH:MM`, client key `key`, ID `who`) on Monday 2 March at 08:00,
/// after two bookings of Tuesday 09:00 (IDs 1 and 2, keys `b1` and `b2`).
fn booking(matter: MatterId, at: &str, key: &str, who: u32) -> Rejection {
    let mut hall = Hall::new(support::booking_config());
    let now = DATE.at_minute(8 * 60, 480);
    hall.execute(&Command::OpenDay { date: DATE }, now).expect("opens");
    let tuesday_nine = Date { year: 2026, month: 3, day: 3 }.at_minute(9 * 60, 480);
    for n in 1..=2 {
        hall.execute(&online(&format!("b{n}"), MatterId(0), tuesday_nine, n), now).expect("booked");
    }
    let (date, time) = at.split_once(' ').expect("date and time");
    let date: Date = date.parse().expect("date");
    let minute = onewindow::core::time::parse_hhmm(time).expect("time");
    let mut command = online("NEW", matter, date.at_minute(minute, 480), who);
    if let Command::BookOnline { client_key, .. } = &mut command {
        *client_key = key.into();
    }
    hall.decide(&command, now).expect_err("refused")
}

/// The refusal of a kiosk check-in on Monday 2 March at 15:55, after ID 5 booked Monday 16:00 (code
/// `m5`) and cancelled it.
fn check_in(command: &Command) -> Rejection {
    let mut hall = Hall::new(support::booking_config());
    let now = DATE.at_minute(8 * 60, 480);
    hall.execute(&Command::OpenDay { date: DATE }, now).expect("opens");
    hall.execute(&online("m5", MatterId(0), DATE.at_minute(16 * 60, 480), 5), now).expect("booked");
    hall.execute(&Command::CancelAppointment { code: "m5".into() }, now).expect("cancelled");
    hall.decide(command, DATE.at_minute(15 * 60 + 55, 480)).expect_err("refused")
}

fn cases() -> Vec<(ErrorCode, Rejection)> {
    let closed = || {
        let mut hall = open_hall();
        hall.execute(&Command::CloseDay, support::at(18, 0)).expect("close");
        hall
    };
    vec![
        (ErrorCode::DayNotOpen, {
            let hall = Hall::new(small_config());
            hall.decide(
                &Command::IssueTicket { matter: MatterId(0), green: None, holder: None, source: None },
                support::at(9, 0),
            )
            .expect_err("no day")
        }),
        (
            ErrorCode::DayAlreadyOpen,
            open_hall().decide(&Command::OpenDay { date: DATE }, support::at(9, 0)).expect_err("twice"),
        ),
        (
            ErrorCode::DayClosed,
            closed().decide(&Command::CallNext { window: WindowId(0) }, support::at(18, 1)).expect_err("closed"),
        ),
        (ErrorCode::OutsideHours, refusal(&[], "08:29 issue estate")),
        (ErrorCode::UnknownMatter, {
            open_hall()
                .decide(
                    &Command::IssueTicket { matter: MatterId(42), green: None, holder: None, source: None },
                    support::at(9, 0),
                )
                .expect_err("unknown")
        }),
        (ErrorCode::UnknownWindow, refusal(&[], "09:00 call-next 42")),
        (ErrorCode::UnknownClerk, refusal(&[], "09:00 sign-in 1 c42 1111")),
        (ErrorCode::UnknownTicket, refusal(&[], "09:00 cancel A001")),
        (ErrorCode::UnknownAppointment, refusal(&[], "09:00 check-in X9")),
        (ErrorCode::AppointmentCancelled, check_in(&Command::CheckIn { code: "m5".into(), source: None })),
        (
            ErrorCode::NoBookingToday,
            check_in(&Command::CheckInById { holder: onewindow::core::HolderKey("id-5".into()), source: None }),
        ),
        (ErrorCode::NotBookable, booking(MatterId(1), "2026-03-03 09:00", "k", 1)),
        (ErrorCode::DateOutOfRange, booking(MatterId(0), "2026-03-20 09:00", "k", 1)),
        (ErrorCode::NoSuchSlot, booking(MatterId(0), "2026-03-03 09:10", "k", 1)),
        (ErrorCode::SlotFull, booking(MatterId(0), "2026-03-03 09:00", "k", 3)),
        (ErrorCode::AlreadyBooked, booking(MatterId(0), "2026-03-03 10:00", "k", 1)),
        (ErrorCode::KeyReused, booking(MatterId(0), "2026-03-03 10:00", "b1", 9)),
        (ErrorCode::BookingBlocked, {
            // Two missed bookings (Monday, Tuesday) block the ID on Wednesday.
            let mut hall = Hall::new(support::booking_config());
            for day in 2..4u8 {
                let date = Date { year: 2026, month: 3, day };
                hall.execute(&Command::OpenDay { date }, date.at_minute(8 * 60, 480)).expect("opens");
                let book = online(&format!("m{day}"), MatterId(0), date.at_minute(16 * 60, 480), 7);
                hall.execute(&book, date.at_minute(9 * 60, 480)).expect("booked");
                hall.execute(&Command::CloseDay, date.at_minute(18 * 60, 480)).expect("closes");
            }
            let date = Date { year: 2026, month: 3, day: 4 };
            hall.execute(&Command::OpenDay { date }, date.at_minute(8 * 60, 480)).expect("opens");
            let again = online("m4", MatterId(0), date.at_minute(16 * 60, 480), 7);
            hall.decide(&again, date.at_minute(9 * 60, 480)).expect_err("blocked")
        }),
        (
            ErrorCode::DailyCapReached,
            refusal(
                &[
                    "09:00 issue estate",
                    "09:01 issue estate",
                    "09:02 issue estate",
                    "09:03 issue estate",
                    "09:04 issue estate",
                ],
                "09:05 issue estate",
            ),
        ),
        (ErrorCode::DuplicateHolder, refusal(&["09:00 issue tax id=k"], "09:01 issue tax id=k")),
        (ErrorCode::GreenNotEligible, refusal(&[], "09:00 issue tax green=elderly id=k born=1980-01-01")),
        (ErrorCode::AppointmentExists, refusal(&["08:00 book X tax 09:00 09:30"], "08:01 book X tax 10:00 10:30")),
        (ErrorCode::AppointmentSlotInvalid, refusal(&[], "08:00 book X tax 09:00 09:00")),
        (
            ErrorCode::AppointmentUsed,
            refusal(&["08:00 book X tax 09:00 09:30", "09:00 check-in X"], "09:01 check-in X"),
        ),
        (ErrorCode::AppointmentNotToday, {
            let mut hall = open_hall();
            let tomorrow = Date::from_days(DATE.to_days() + 1);
            let start = tomorrow.at_minute(9 * 60, 480);
            let book = Command::BookAppointment {
                code: "T".into(),
                matter: MatterId(1),
                start,
                end: start.plus_ms(1_800_000),
            };
            hall.execute(&book, support::at(8, 0)).expect("book");
            hall.decide(&Command::CheckIn { code: "T".into(), source: None }, support::at(9, 0)).expect_err("not today")
        }),
        (ErrorCode::WrongPin, refusal(&[], "08:30 sign-in 1 c1 1234")),
        (ErrorCode::NotSignedIn, refusal(&[], "09:00 call-next 1")),
        (ErrorCode::AlreadySignedIn, refusal(&[SIGNED_IN], "08:31 sign-in 1 c1 1111")),
        (ErrorCode::WindowTaken, refusal(&[SIGNED_IN], "08:31 sign-in 1 c2 2222")),
        (ErrorCode::ClerkElsewhere, refusal(&[SIGNED_IN], "08:31 sign-in 2 c1 1111")),
        (ErrorCode::WindowClosed, refusal(&[], "08:30 sign-in 4 c4 4444")),
        (ErrorCode::WindowAlreadyOpen, refusal(&[], "08:30 open-window 1")),
        (ErrorCode::WindowPaused, refusal(&[SIGNED_IN, "08:31 pause 1"], "08:32 pause 1")),
        (ErrorCode::WindowNotPaused, refusal(&[SIGNED_IN], "08:31 resume 1")),
        (ErrorCode::WindowBusy, refusal(&[SIGNED_IN, "08:31 issue tax", "08:32 call-next 1"], "08:33 sign-out 1")),
        (ErrorCode::NoCurrentTicket, refusal(&[SIGNED_IN], "08:31 finish 1")),
        (ErrorCode::QueueEmpty, refusal(&[SIGNED_IN, "08:31 issue pickup"], "08:32 call-next 1")),
        (ErrorCode::MatterNotServed, refusal(&[SIGNED_IN, "08:31 issue pickup"], "08:32 call-number 1 C001")),
        (ErrorCode::TicketState, refusal(&[SIGNED_IN, "08:31 issue tax", "08:32 call-next 1"], "08:33 cancel B001")),
        (
            ErrorCode::NotServedHere,
            refusal(
                &[SIGNED_IN, "08:31 issue tax", "08:32 call-next 1", "08:40 finish 1"],
                "08:41 rate 2 B001 satisfied",
            ),
        ),
        (ErrorCode::NotYourTicket, {
            let mut hall = open_hall();
            let issue =
                Command::IssueTicket { matter: MatterId(1), green: None, holder: None, source: Some("kiosk-1".into()) };
            let events = hall.execute(&issue, support::at(9, 0)).expect("issue");
            let Some(Event::TicketIssued { ticket, .. }) = events.first() else { panic!("{events:?}") };
            let own = Command::CancelTicket { ticket: *ticket, by: Some("kiosk-1".into()) };
            assert!(hall.decide(&own, support::at(9, 1)).is_ok(), "the issuing kiosk may cancel");
            hall.decide(&Command::CancelTicket { ticket: *ticket, by: Some("kiosk-2".into()) }, support::at(9, 1))
                .expect_err("another kiosk may not")
        }),
        (
            ErrorCode::AlreadyRated,
            refusal(
                &[SIGNED_IN, "08:31 issue tax", "08:32 call-next 1", "08:40 finish 1", "08:41 rate 1 B001 satisfied"],
                "08:42 rate 1 B001 dissatisfied",
            ),
        ),
        (ErrorCode::UnknownCase, refusal(&[], "09:00 case 1 contacted")),
        (
            ErrorCode::CaseStepDone,
            refusal(
                &[
                    SIGNED_IN,
                    "08:31 issue tax",
                    "08:32 call-next 1",
                    "08:40 finish 1",
                    "08:41 rate 1 B001 dissatisfied",
                    "09:00 case 1 contacted",
                ],
                "09:30 case 1 contacted",
            ),
        ),
        (
            ErrorCode::NoteRequired,
            refusal(
                &[
                    SIGNED_IN,
                    "08:31 issue tax",
                    "08:32 call-next 1",
                    "08:40 finish 1",
                    "08:41 rate 1 B001 very_dissatisfied",
                ],
                "09:00 case 1 resolved",
            ),
        ),
        (
            ErrorCode::TransferUnchanged,
            refusal(&[SIGNED_IN, "08:31 issue tax", "08:32 call-next 1"], "08:33 transfer 1 matter=tax window=1"),
        ),
        (ErrorCode::EmptySkills, refusal(&[], "09:00 skills 1")),
        (ErrorCode::NoStaffingRequest, refusal(&[], "09:00 accept-staffing 4")),
        // Answered once: the second answer finds nothing open.
        (
            ErrorCode::NoHelpRequest,
            refusal(&["09:00 help kiosk-1", "09:01 answer-help kiosk-1"], "09:02 answer-help kiosk-1"),
        ),
        (ErrorCode::CapacityReached, {
            // 17:00, one window for estate (AHT 20 min), two waiting: a third would be called after 17:30.
            let mut config = small_config();
            if let Some(hours) = config.hours.as_mut() {
                hours.extension_min = Some(0);
            }
            let mut script = Script::new(config, DATE);
            for line in ["08:00 open-day 2026-03-02", SIGNED_IN, "17:00 issue estate", "17:00 issue estate"] {
                run(&mut script, line).unwrap_or_else(|r| panic!("`{line}` refused: {r:?}"));
            }
            run(&mut script, "17:01 issue estate").expect_err("past closing")
        }),
        // A window in use is not retired under its clerk; a locked clerk does not sign in, whatever the PIN.
        (ErrorCode::LayoutNotNow, refusal(&[SIGNED_IN], "08:31 retire window 1")),
        (ErrorCode::ClerkLocked, refusal(&["08:20 lock c1 5 08:35"], "08:30 sign-in 1 c1 1111")),
        (
            ErrorCode::ClassNotDeclared,
            refusal(&[SIGNED_IN, "08:31 issue estate", "08:32 call-next 1"], "08:33 confirm-class 1 keep"),
        ),
        (ErrorCode::IdRequired, {
            let mut config = small_config();
            config.matters[0].real_name = onewindow::core::config::RealName::Required;
            let mut script = Script::new(config, DATE);
            run(&mut script, "08:00 open-day 2026-03-02").expect("open");
            run(&mut script, "08:31 issue estate").expect_err("estate needs an ID")
        }),
        (ErrorCode::NoticeTooLong, refusal(&[], &format!("09:00 notice {}", "长".repeat(201)))),
        (ErrorCode::SubscriptionLimit, {
            // One phone number follows five tickets; the sixth is refused.
            let mut hall = open_hall();
            let phone = onewindow::core::notify::SealedPhone { hash: "p".into(), sealed: "s".into() };
            let mut subscribe = |i: u32| {
                let issue = Command::IssueTicket { matter: MatterId(1), green: None, holder: None, source: None };
                let events = hall.execute(&issue, support::at(9, i)).expect("issued");
                let Some(onewindow::core::Event::TicketIssued { ticket, .. }) = events.first() else {
                    panic!("a ticket")
                };
                let command = Command::Subscribe { ticket: *ticket, phone: phone.clone(), by: None };
                hall.execute(&command, support::at(9, i))
            };
            (0..5).for_each(|i| drop(subscribe(i).expect("followed")));
            subscribe(5).expect_err("a sixth")
        }),
        (ErrorCode::BadText, refusal(&[], &format!("08:00 book {} tax 09:00 09:30", "x".repeat(65)))),
    ]
}

/// Codes that only the protocol layer produces, never the core.
const PROTOCOL_ONLY: &[ErrorCode] = &[
    ErrorCode::BadRequest,
    ErrorCode::UnsupportedProtocol,
    ErrorCode::NotAuthenticated,
    ErrorCode::Unauthorized,
    ErrorCode::Forbidden,
    ErrorCode::RateLimited,
    ErrorCode::InvalidIdNumber,
    ErrorCode::InvalidPhone,
    ErrorCode::StorageUnavailable,
    ErrorCode::Unavailable,
    ErrorCode::TokenRevoked,
];

#[test]
fn every_core_rejection_code_is_reached_by_its_case() {
    let mut covered = BTreeSet::new();
    for (expected, got) in cases() {
        assert_eq!(got.code(), expected, "case for {expected} got {got:?}");
        assert!(!got.to_string().is_empty());
        covered.insert(expected.as_str());
    }
    let all: BTreeSet<&str> =
        ErrorCode::ALL.iter().filter(|c| !PROTOCOL_ONLY.contains(c)).map(|c| c.as_str()).collect();
    let missing: Vec<_> = all.difference(&covered).collect();
    assert!(missing.is_empty(), "core codes without a case: {missing:?}");
}

#[test]
fn a_refusal_changes_nothing() {
    let mut script = Script { hall: open_hall(), date: DATE };
    run(&mut script, SIGNED_IN).expect("sign in");
    let before = script.hall.clone();
    assert!(run(&mut script, "08:31 call-next 1").is_err());
    assert!(run(&mut script, "08:31 sign-in 2 c1 1111").is_err());
    assert_eq!(script.hall, before);
}

#[test]
fn sign_out_frees_the_window_and_the_clerk() {
    let mut script = Script { hall: open_hall(), date: DATE };
    run(&mut script, SIGNED_IN).expect("sign in");
    let events = run(&mut script, "08:40 sign-out 1").expect("sign out");
    assert!(matches!(events.as_slice(), [Event::ClerkSignedOut { .. }]));
    assert_eq!(script.hall.window(WindowId(0)).and_then(|w| w.clerk), None);
    run(&mut script, "08:41 sign-in 2 c1 1111").expect("the clerk may sign in elsewhere now");
}

#[test]
fn opening_the_next_day_closes_a_forgotten_one_and_restarts_numbers_but_not_ids() {
    let mut script = Script { hall: open_hall(), date: DATE };
    run(&mut script, SIGNED_IN).expect("sign in");
    run(&mut script, "09:00 issue tax").expect("issue");
    run(&mut script, "09:01 issue tax").expect("issue");
    run(&mut script, "09:02 call-next 1").expect("call");
    let first_id = script.hall.tickets().next().expect("a ticket").id;
    let next = Date::from_days(DATE.to_days() + 1);
    let events = script.hall.execute(&Command::OpenDay { date: next }, next.at_minute(8 * 60, 480)).expect("next day");
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            Event::TicketEnded { .. } => "ended",
            Event::ClerkSignedOut { .. } => "signed-out",
            Event::DayClosed { .. } => "day-closed",
            Event::DayOpened { .. } => "day-opened",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["ended", "ended", "signed-out", "day-closed", "day-opened"]);
    script.date = next;
    run(&mut script, "09:00 issue tax").expect("issue on the new day");
    let ticket = script.hall.tickets().next().expect("a ticket");
    assert_eq!(script.hall.number(ticket).to_string(), "B001", "numbers restart each day");
    assert!(ticket.id > first_id, "ids never restart");
    assert_eq!(script.hall.tickets().count(), 1, "yesterday's tickets are gone from today's state");
}

#[test]
fn average_handling_time_is_an_exponential_mean_seeded_from_the_norm() {
    let mut script = Script { hall: open_hall(), date: DATE };
    run(&mut script, SIGNED_IN).expect("sign in");
    let tax = MatterId(1);
    assert_eq!(script.hall.matter(tax).map(|m| m.aht_ms), Some(600_000.0), "seeded from the 10 min norm");
    run(&mut script, "09:00 issue tax").expect("issue");
    run(&mut script, "09:00 call-next 1").expect("call");
    run(&mut script, "09:00 start 1").expect("start");
    run(&mut script, "09:20 finish 1").expect("finish");
    // α = 0.1 (the default): 600 000 + 0.1 · (1 200 000 − 600 000)
    assert_eq!(script.hall.matter(tax).map(|m| m.aht_ms), Some(660_000.0));
}

#[test]
fn cancelling_a_waiting_ticket_removes_it_from_the_queue_and_frees_the_id() {
    let mut script = Script { hall: open_hall(), date: DATE };
    run(&mut script, "09:00 issue tax id=k").expect("issue");
    assert_eq!(script.hall.waiting(MatterId(1)), 1);
    run(&mut script, "09:01 cancel B001").expect("cancel");
    assert_eq!(script.hall.waiting(MatterId(1)), 0);
    assert_eq!(script.hall.tickets().next().expect("the ticket").state, TicketState::Cancelled);
    run(&mut script, "09:02 issue tax id=k").expect("the ID may take a new ticket");
}

#[test]
fn the_hall_forgets_ended_tickets_past_the_number_kept_and_nothing_else() {
    let mut config = small_config();
    config.rules.ended_tickets_kept = 3;
    let mut script = Script::new(config.clone(), DATE);
    script.hall.execute(&Command::OpenDay { date: DATE }, support::at(8, 0)).expect("open day");
    run(&mut script, SIGNED_IN).expect("sign in");
    run(&mut script, "08:59 issue tax").expect("a ticket that waits all along");
    for minute in 0..10 {
        let t = format!("09:{minute:02}");
        run(&mut script, &format!("{t} issue tax")).expect("issue");
        run(&mut script, &format!("{t} call-number 1 B{:03}", minute + 2)).expect("call by number");
        run(&mut script, &format!("{t} start 1")).expect("start");
        run(&mut script, &format!("{t} finish 1")).expect("finish");
    }
    let kept: Vec<String> = script.hall.tickets().map(|t| script.hall.number(t).to_string()).collect();
    assert_eq!(kept, ["B001", "B009", "B010", "B011"], "the open ticket and the last three ended");
    assert_eq!(script.hall.window(WindowId(0)).map(|w| w.served_today), Some(10), "the count outlives the tickets");
    let calls: Vec<String> = script.hall.recent_calls().iter().map(|c| c.number.to_string()).collect();
    assert_eq!(calls, ["B011", "B010", "B009", "B008", "B007", "B006", "B005", "B004"], "calls outlive their tickets");
    assert_eq!(script.hall.matter(MatterId(1)).map(|m| m.issued_today), Some(11), "numbers go on");
    // A forgotten ticket is unknown; a kept one still takes its rating.
    assert_eq!(run(&mut script, "09:20 rate 1 B002 satisfied").expect_err("forgotten"), Rejection::UnknownTicket);
    run(&mut script, "09:20 rate 1 B011 satisfied").expect("the latest ended ticket is kept");
    // A restore keeps exactly what was kept; the first ticket still waits.
    let restored = Hall::restore(config, script.hall.snapshot()).expect("fits");
    assert_eq!(restored, script.hall);
    assert_eq!(script.hall.waiting(MatterId(1)), 1);
}

#[test]
fn a_ticket_called_back_after_it_ended_is_kept_when_it_ends_again() {
    let mut config = small_config();
    config.rules.ended_tickets_kept = 2;
    let mut script = Script::new(config, DATE);
    script.hall.execute(&Command::OpenDay { date: DATE }, support::at(8, 0)).expect("open day");
    run(&mut script, SIGNED_IN).expect("sign in");
    run(&mut script, "09:00 issue tax").expect("B001");
    // Two no-shows end it (过号: the first puts it back in the queue).
    for minute in ["09:01", "09:02"] {
        run(&mut script, &format!("{minute} call-number 1 B001")).expect("called");
        run(&mut script, &format!("{minute} no-show 1")).expect("no-show");
    }
    assert!(script.hall.tickets().any(|t| t.state == TicketState::NoShow), "B001 ended as a no-show");
    // 特呼: called back by number after it ended; another ticket ends meanwhile; then B001 ends again.
    run(&mut script, "09:03 call-number 1 B001").expect("called back");
    run(&mut script, "09:03 issue tax").expect("B002");
    run(&mut script, "09:04 start 1").expect("started");
    run(&mut script, "09:05 finish 1").expect("B001 ends again");
    run(&mut script, "09:06 call-number 1 B002").expect("B002");
    run(&mut script, "09:06 start 1").expect("started");
    run(&mut script, "09:07 finish 1").expect("B002 ends");
    // Both are among the two kept: the second end of B001 counts, not its first.
    let kept: Vec<String> = script.hall.tickets().map(|t| script.hall.number(t).to_string()).collect();
    assert_eq!(kept, ["B001", "B002"]);
    run(&mut script, "09:08 rate 1 B001 satisfied").expect("B001 is kept for its rating");
}

/// `one_ticket_per_id = "day"` (against ticket scalping): once an ID has taken a ticket for the matter
/// today, it takes no other that day, even after the first ended; other matters and the next day are
/// unaffected, and a restored snapshot keeps the rule.
#[test]
fn one_ticket_per_id_per_day_holds_after_the_first_ended() {
    let mut config = small_config();
    config.matters[1].per_id = onewindow::core::config::PerId::Day;
    let mut script = Script::new(config, DATE);
    for line in ["08:00 open-day 2026-03-02", SIGNED_IN, "08:31 issue tax id=k1", "08:32 call-next 1", "08:40 finish 1"]
    {
        run(&mut script, line).unwrap_or_else(|r| panic!("`{line}` refused: {r:?}"));
    }
    assert_eq!(run(&mut script, "08:41 issue tax id=k1"), Err(Rejection::DuplicateHolder), "one a day");
    run(&mut script, "08:41 issue estate id=k1").expect("another matter");
    let restored = onewindow::core::Hall::restore(script.hall.config().clone(), script.hall.snapshot()).expect("fits");
    assert_eq!(restored, script.hall, "the day's IDs survive a snapshot");
    run(&mut script, "08:42 open-day 2026-03-03").expect("next day");
    run(&mut script, "08:43 issue tax id=k1").expect("a new day, a new ticket");
}
