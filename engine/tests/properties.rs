//! Property tests over random command sequences on the small hall (10,000 cases by default; set
//! `PROPTEST_CASES` to change). After every step: no ticket is lost or duplicated, every called ticket's
//! matter is one the calling window serves, under `fifo` one matter and class are called in issue
//! order, no ticket past the maximum wait is passed over, a re-queued no-show has exactly N tickets
//! ahead of it, ticket numbers are unique within the day, `decide` is deterministic, the wait
//! estimate's walk picks first what `call next` would choose for every window (one ranking); at the end,
//! replaying the emitted events from empty rebuilds exactly the live hall, and the log survives JSON.

mod support;

use kiosk_protocol::HallView;
use onewindow::core::queue::LaneKind;
use onewindow::core::routing;
use onewindow::core::{
    CallReason, ClerkId, Command, Event, GreenReason, Hall, HallConfig, Holder, HolderKey, MatterId, MatterSet,
    Outcome, Policy, Rating, StaffingMode, Ticket, TicketClass, TicketId, TicketState, Timestamp, TransferTo, WindowId,
};
use onewindow::wire;
use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap};

const MATTERS: u16 = 3;
const WINDOWS: u16 = 4;

#[derive(Debug, Clone)]
enum Op {
    Issue {
        matter: u16,
        green: bool,
        holder: Option<u8>,
    },
    SignIn {
        window: u16,
        clerk: u16,
    },
    SignOut(u16),
    Pause(u16),
    Resume(u16),
    CallNext(u16),
    CallNumber {
        window: u16,
        ticket: usize,
    },
    Recall(u16),
    Start(u16),
    Finish(u16),
    NoShow(u16),
    Transfer {
        window: u16,
        matter: Option<u16>,
        to: Option<u16>,
        first: bool,
    },
    Hold(u16),
    ResumeHeld {
        window: u16,
        ticket: usize,
    },
    Cancel(usize),
    Rate {
        window: u16,
        ticket: usize,
    },
    /// A step of an open rectification case: 0 assign, 1 contact, 2 resolve.
    Case {
        case: u32,
        step: u8,
    },
    OpenWindow(u16),
    ReviewStaffing,
    AcceptStaffing(u16),
    CloseWindow(u16),
    SetSkills {
        window: u16,
        bits: u64,
    },
    Book {
        code: u8,
        matter: u16,
        offset_min: i64,
    },
    CheckIn(u8),
    CloseAndReopen,
}

fn op() -> impl Strategy<Value = Op> {
    let w = 0..WINDOWS;
    let m = 0..MATTERS;
    prop_oneof![
        12 => (m.clone(), any::<bool>(), proptest::option::of(0u8..4))
            .prop_map(|(matter, green, holder)| Op::Issue { matter, green, holder }),
        3 => (w.clone(), 0u16..4).prop_map(|(window, clerk)| Op::SignIn { window, clerk }),
        1 => w.clone().prop_map(Op::SignOut),
        1 => w.clone().prop_map(Op::Pause),
        1 => w.clone().prop_map(Op::Resume),
        14 => w.clone().prop_map(Op::CallNext),
        1 => (w.clone(), 0usize..40).prop_map(|(window, ticket)| Op::CallNumber { window, ticket }),
        1 => w.clone().prop_map(Op::Recall),
        6 => w.clone().prop_map(Op::Start),
        10 => w.clone().prop_map(Op::Finish),
        3 => w.clone().prop_map(Op::NoShow),
        2 => (w.clone(), proptest::option::of(m.clone()), proptest::option::of(w.clone()), any::<bool>())
            .prop_map(|(window, matter, to, first)| Op::Transfer { window, matter, to, first }),
        2 => w.clone().prop_map(Op::Hold),
        2 => (w.clone(), 0usize..40).prop_map(|(window, ticket)| Op::ResumeHeld { window, ticket }),
        1 => (0usize..40).prop_map(Op::Cancel),
        1 => (w.clone(), 0usize..40).prop_map(|(window, ticket)| Op::Rate { window, ticket }),
        1 => (1u32..6, 0u8..3).prop_map(|(case, step)| Op::Case { case, step }),
        1 => w.clone().prop_map(Op::OpenWindow),
        3 => Just(Op::ReviewStaffing),
        1 => w.clone().prop_map(Op::AcceptStaffing),
        1 => w.clone().prop_map(Op::CloseWindow),
        1 => (w, 0u64..8).prop_map(|(window, bits)| Op::SetSkills { window, bits }),
        1 => (0u8..4, m, -60i64..120).prop_map(|(code, matter, offset_min)| Op::Book { code, matter, offset_min }),
        1 => (0u8..4).prop_map(Op::CheckIn),
        1 => Just(Op::CloseAndReopen),
    ]
}

fn config(policy: Policy) -> HallConfig {
    let mut config = support::small_config();
    config.hours = None;
    config.rules.policy = policy;
    // Every staffing mode is exercised, each under some policy (its events must replay and snapshot).
    config.rules.staffing.mode = match policy {
        Policy::Fifo => StaffingMode::Off,
        Policy::RelativeWait => StaffingMode::Advisory,
        Policy::Backlog | Policy::OwnMatterFirst => StaffingMode::Automatic,
    };
    config.rules.staffing.min_open_ms = 20 * 60_000;
    // A short guard so the starvation rule fires within a sequence.
    config.rules.max_wait_ms = 45 * 60_000;
    // Few ended tickets kept, so forgetting them is exercised too (replay, snapshot and view must agree).
    config.rules.ended_tickets_kept = 4;
    config
}

/// The nth of today's tickets in one of `states` (any state if none is), or an id that does not exist,
/// so the commands that name a ticket mostly name one they can act on.
fn nth_ticket(hall: &Hall, n: usize, states: &[TicketState]) -> TicketId {
    let fitting: Vec<&Ticket> = hall.tickets().filter(|t| states.contains(&t.state)).collect();
    let pool: Vec<&Ticket> = if fitting.is_empty() { hall.tickets().collect() } else { fitting };
    if pool.is_empty() {
        TicketId(u64::MAX)
    } else {
        pool[n % pool.len()].id
    }
}

fn command(hall: &Hall, op: &Op, now: Timestamp) -> Command {
    let w = |i: &u16| WindowId(*i);
    match op {
        Op::Issue { matter, green, holder } => Command::IssueTicket {
            matter: MatterId(*matter),
            green: green.then_some(GreenReason::Pregnant),
            holder: holder.map(|h| Holder { key: HolderKey(format!("k{h}")), birth_date: None }),
            source: None,
        },
        Op::SignIn { window, clerk } => Command::SignIn { window: w(window), clerk: ClerkId(*clerk) },
        Op::SignOut(i) => Command::SignOut { window: w(i) },
        Op::Pause(i) => Command::Pause { window: w(i) },
        Op::Resume(i) => Command::Resume { window: w(i) },
        Op::CallNext(i) => Command::CallNext { window: w(i) },
        Op::CallNumber { window, ticket } => {
            let id = nth_ticket(hall, *ticket, &[TicketState::Waiting, TicketState::NoShow]);
            match hall.ticket(id) {
                Some(t) => Command::CallNumber { window: w(window), number: hall.number(t) },
                None => Command::CallNext { window: w(window) },
            }
        }
        Op::Recall(i) => Command::Recall { window: w(i) },
        Op::Start(i) => Command::StartService { window: w(i) },
        Op::Finish(i) => Command::Finish { window: w(i), outcome: Outcome::Completed },
        Op::NoShow(i) => Command::NoShow { window: w(i) },
        Op::Transfer { window, matter, to, first } => Command::Transfer {
            window: w(window),
            to: TransferTo { matter: matter.map(MatterId), window: to.map(WindowId), first: *first },
        },
        Op::Hold(i) => Command::Hold { window: w(i) },
        Op::ResumeHeld { window, ticket } => {
            Command::ResumeHeld { window: w(window), ticket: nth_ticket(hall, *ticket, &[TicketState::Held]) }
        }
        Op::Cancel(ticket) => {
            Command::CancelTicket { ticket: nth_ticket(hall, *ticket, &[TicketState::Waiting]), by: None }
        }
        Op::Rate { window, ticket } => {
            let id = nth_ticket(hall, *ticket, &[TicketState::Done]);
            // Mostly the pad of the window that served it; sometimes another, which must be refused.
            let pad = hall.ticket(id).and_then(|t| t.window).filter(|_| window % 2 == 0).unwrap_or(w(window));
            // Every third rating a 差评, which opens a case.
            let rating = if ticket % 3 == 0 { Rating::Dissatisfied } else { Rating::Satisfied };
            Command::Rate { window: pad, ticket: id, rating, reason: None, comment: None }
        }
        Op::Case { case, step } => Command::ProgressCase {
            case: *case,
            step: match step {
                0 => onewindow::core::cases::CaseStep::Assigned { to: "王".into() },
                1 => onewindow::core::cases::CaseStep::Contacted,
                _ => onewindow::core::cases::CaseStep::Resolved,
            },
            note: "called back".into(),
        },
        Op::OpenWindow(i) => Command::OpenWindow { window: w(i) },
        Op::ReviewStaffing => Command::ReviewStaffing,
        Op::AcceptStaffing(i) => Command::AcceptStaffing { window: w(i) },
        Op::CloseWindow(i) => Command::CloseWindow { window: w(i) },
        Op::SetSkills { window, bits } => Command::SetSkills { window: w(window), skills: MatterSet(*bits) },
        Op::Book { code, matter, offset_min } => Command::BookAppointment {
            code: format!("X{code}"),
            matter: MatterId(*matter),
            start: now.plus_ms(offset_min * 60_000),
            end: now.plus_ms((offset_min + 30) * 60_000),
        },
        Op::CheckIn(code) => Command::CheckIn { code: format!("X{code}"), source: None },
        Op::CloseAndReopen => Command::CloseDay,
    }
}

/// Every ticket is in exactly one place that matches its state.
fn check_places(hall: &Hall) -> Result<(), TestCaseError> {
    let mut in_lanes: HashMap<TicketId, usize> = HashMap::new();
    for m in 0..MATTERS {
        let queues = &hall.matter(MatterId(m)).expect("matter").queues;
        let lanes = [&queues.returning, &queues.appointment, &queues.green, &queues.normal];
        let mut count = 0;
        for lane in lanes {
            for (_, t) in lane.iter() {
                *in_lanes.entry(t).or_default() += 1;
                count += 1;
                let ticket = hall.ticket(t).expect("queued tickets exist");
                prop_assert_eq!(ticket.matter, MatterId(m), "a ticket waits in its own matter's lanes");
            }
        }
        prop_assert_eq!(queues.by_issue.len(), count, "by_issue mirrors the lanes");
    }
    let mut at_windows: HashMap<TicketId, WindowId> = HashMap::new();
    for (i, w) in hall.windows().iter().enumerate() {
        for (_, t) in w.targeted.iter() {
            *in_lanes.entry(t).or_default() += 1;
        }
        if let Some(t) = w.current {
            prop_assert!(at_windows.insert(t, WindowId(i as u16)).is_none(), "a ticket at two windows");
        }
    }
    let mut numbers = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for t in hall.tickets() {
        prop_assert!(numbers.insert(hall.number(t).to_string()), "ticket number {} twice", hall.number(t));
        prop_assert!(ids.insert(t.id), "ticket id twice");
        let queued = in_lanes.get(&t.id).copied().unwrap_or(0);
        let at_window = at_windows.get(&t.id);
        match t.state {
            TicketState::Waiting => {
                prop_assert_eq!(queued, 1, "waiting ticket {} must be in exactly one lane", hall.number(t));
                prop_assert!(at_window.is_none());
                let place = t.place.expect("a waiting ticket knows its place");
                if let LaneKind::Targeted(w) = place.lane {
                    prop_assert!(hall.window(w).is_some_and(|s| s.open && s.skills.contains(t.matter)));
                }
            }
            TicketState::Called | TicketState::Serving => {
                prop_assert_eq!(queued, 0);
                prop_assert_eq!(at_window.copied(), t.window, "at its window and only there");
            }
            _ => {
                prop_assert_eq!(queued, 0, "ticket {} in state {:?} is in a lane", hall.number(t), t.state);
                prop_assert!(at_window.is_none());
            }
        }
    }
    let waiting = hall.tickets().filter(|t| t.state == TicketState::Waiting).count();
    prop_assert_eq!(in_lanes.values().sum::<usize>(), waiting, "nothing else is queued");
    Ok(())
}

/// The view folded from events is the view built from the hall (estimates and the server's date aside,
/// which the server sets itself), and its counts are the hall's.
fn check_view(hall: &Hall, folded: &HallView, now: Timestamp) -> Result<(), TestCaseError> {
    let normal = |view: &HallView| {
        let mut view = view.clone();
        view.server_date = None;
        view.matters.iter_mut().for_each(|m| m.estimate = None);
        // Calls in one millisecond are listed in event order by the fold, by ticket id by the hall.
        view.recent_calls.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.ticket.cmp(&b.ticket)));
        view
    };
    let built = wire::hall_view(hall, now);
    let (f, b) = (normal(folded), normal(&built));
    prop_assert_eq!(&f.tickets, &b.tickets, "open tickets");
    prop_assert_eq!(&f.windows, &b.windows, "windows");
    prop_assert_eq!(&f.matters, &b.matters, "matters");
    prop_assert_eq!(&f.recent_calls, &b.recent_calls, "recent calls");
    prop_assert_eq!(f, b, "the folded view is the hall's");
    for (i, m) in built.matters.iter().enumerate() {
        let state = hall.matter(MatterId(i as u16)).expect("matter");
        prop_assert_eq!(m.waiting as usize, state.queues.len(), "waiting {}", &m.key);
        prop_assert_eq!(m.active_windows, state.active_windows, "active windows {}", &m.key);
        prop_assert_eq!(m.oldest_issued_at, state.queues.by_issue.first().map(|(at, _)| at.0));
    }
    Ok(())
}

/// Opens the day and signs clerks 1–3 in at windows 1–3, so calls happen from the first step.
fn start_day(hall: &mut Hall, day: onewindow::core::Date, now: Timestamp) -> Vec<Event> {
    let mut log = hall.execute(&Command::OpenDay { date: day }, now).expect("open day");
    for i in 0..3u16 {
        let sign_in = Command::SignIn { window: WindowId(i), clerk: ClerkId(i) };
        log.extend(hall.execute(&sign_in, now).expect("sign in"));
    }
    log
}

fn run(policy: Policy, ops: &[(Op, u8)]) -> Result<(), TestCaseError> {
    let config = config(policy);
    let mut hall = Hall::new(config.clone());
    let mut now = support::at(8, 0);
    let mut day = support::DATE;
    let mut log = start_day(&mut hall, day, now);
    // What a terminal keeps: the hall once, then every event folded in.
    let mut folded = wire::hall_view(&hall, now);
    // Tickets whose order was changed on purpose (re-queued, transferred, resumed, called by number).
    let mut disturbed: BTreeSet<TicketId> = BTreeSet::new();
    for (op, minutes) in ops {
        now = now.plus_ms(i64::from(*minutes) * 60_000);
        let cmd = command(&hall, op, now);
        let decided = hall.decide(&cmd, now);
        prop_assert_eq!(&decided, &hall.decide(&cmd, now), "decide is deterministic");
        let Ok(events) = decided else { continue };
        for event in &events {
            match event {
                Event::TicketCalled { ticket, window, reason, .. } => {
                    let t = hall.ticket(*ticket).expect("called ticket exists");
                    let skills = hall.window(*window).expect("window").skills;
                    prop_assert!(skills.contains(t.matter), "window called a matter it does not serve");
                    let ordered = matches!(t.class, TicketClass::Normal | TicketClass::Green);
                    if policy == Policy::Fifo
                        && ordered
                        && *reason != CallReason::ByNumber
                        && !disturbed.contains(ticket)
                    {
                        let earlier = hall.tickets().find(|o| {
                            o.state == TicketState::Waiting
                                && !disturbed.contains(&o.id)
                                && o.matter == t.matter
                                && o.class == t.class
                                && (o.issued_at, o.id) < (t.issued_at, t.id)
                        });
                        prop_assert!(
                            earlier.is_none(),
                            "fifo called {} before the earlier {:?}",
                            hall.number(t),
                            earlier.map(|o| hall.number(o).to_string())
                        );
                    }
                    if *reason == CallReason::ByNumber {
                        disturbed.insert(*ticket);
                    } else {
                        // Starvation guard: nobody past the maximum wait is passed over.
                        let eligible = |o: &&Ticket| match o.place.map(|p| p.lane) {
                            Some(LaneKind::Targeted(w)) => w == *window,
                            Some(LaneKind::Matter(_)) => skills.contains(o.matter),
                            None => false,
                        };
                        let longest = hall.tickets().filter(eligible).map(|o| now.since(o.issued_at)).max();
                        if let Some(longest) = longest.filter(|w| *w > hall.config().rules.max_wait_ms) {
                            prop_assert_eq!(
                                now.since(t.issued_at),
                                longest,
                                "{} passed over a starving ticket",
                                hall.number(t)
                            );
                        }
                    }
                }
                Event::TicketNoShow { ticket, .. }
                | Event::TicketTransferred { ticket, .. }
                | Event::HeldTicketResumed { ticket, .. }
                | Event::TicketHeld { ticket, .. } => {
                    disturbed.insert(*ticket);
                }
                Event::WindowClosed { window, .. } | Event::SkillsChanged { window, .. } => {
                    // Tickets waiting for this window may be released to their matter's returning lane.
                    disturbed.extend(hall.window(*window).expect("window").targeted.iter().map(|(_, t)| t));
                }
                _ => {}
            }
            hall.apply(event);
            folded.fold(&wire::event(&hall, event), now.0);
            if let Event::TicketNoShow { ticket, requeued: true, .. } = event {
                // A re-queued no-show has exactly N tickets ahead of it in its lane, or all of them if fewer.
                let t = hall.ticket(*ticket).expect("ticket");
                let place = t.place.expect("re-queued tickets wait");
                let LaneKind::Matter(kind) = place.lane else {
                    return Err(TestCaseError::fail("not in a matter lane"));
                };
                let lane = hall.matter(t.matter).expect("matter").queues.lane(kind);
                let ahead = lane.iter().take_while(|(_, id)| id != ticket).count();
                let places = hall.config().rules.no_show_requeue_places as usize;
                prop_assert_eq!(ahead, places.min(lane.len() - 1), "re-queued {} places back", places);
            }
        }
        log.extend(events);
        check_places(&hall)?;
        check_view(&hall, &folded, now)?;
        // One ranking: the estimate's walk picks first what `call next` would choose, now and later
        // (when the starvation guard may have something to say).
        for later in [0, 50 * 60_000] {
            let at = now.plus_ms(later);
            for w in 0..WINDOWS {
                let chosen = routing::choose(&hall, WindowId(w), at).map(|(ticket, _)| ticket);
                prop_assert_eq!(hall.walk_first_pick(WindowId(w), at), chosen, "window {} at +{}ms", w, later);
            }
        }
        if matches!(op, Op::CloseAndReopen) && hall.day().is_some_and(|d| d.closed) {
            day = onewindow::core::Date::from_days(day.to_days() + 1);
            now = day.at_minute(8 * 60, 480);
            let started = start_day(&mut hall, day, now);
            for event in &started {
                folded.fold(&wire::event(&hall, event), now.0);
            }
            log.extend(started);
            disturbed.clear();
        }
    }
    let replayed = Hall::replay(config.clone(), &log);
    prop_assert_eq!(&replayed, &hall, "replaying the log rebuilds the live hall");
    // A snapshot, through JSON as the ledger stores it, restores the same hall.
    let json = serde_json::to_vec(&hall.snapshot()).expect("snapshot serialises");
    let snapshot = serde_json::from_slice(&json).expect("snapshot deserialises");
    let restored = Hall::restore(config.clone(), snapshot).expect("fits its own config");
    prop_assert_eq!(&restored, &hall, "restoring a snapshot rebuilds the live hall");
    // The log survives serialisation unchanged (the ledger will store it as JSON).
    let json = serde_json::to_string(&log).expect("events serialise");
    let back: Vec<Event> = serde_json::from_str(&json).expect("events deserialise");
    prop_assert_eq!(back, log);
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn fifo_hall_keeps_every_invariant(ops in prop::collection::vec((op(), 0u8..8), 1..80)) {
        run(Policy::Fifo, &ops)?;
    }

    #[test]
    fn backlog_hall_keeps_every_invariant(ops in prop::collection::vec((op(), 0u8..8), 1..80)) {
        run(Policy::Backlog, &ops)?;
    }

    #[test]
    fn relative_wait_hall_keeps_every_invariant(ops in prop::collection::vec((op(), 0u8..8), 1..80)) {
        run(Policy::RelativeWait, &ops)?;
    }

    #[test]
    fn own_matter_first_hall_keeps_every_invariant(ops in prop::collection::vec((op(), 0u8..8), 1..80)) {
        run(Policy::OwnMatterFirst, &ops)?;
    }
}
