//! Rehearsal ledgers: days of a hall played through the core on a virtual clock and written as the
//! server writes them (same records, same checksums), for reports' tests and benchmarks
//! (`onewindow rehearse`, hidden: never a real hall). Citizens arrive through the day; every regular
//! window with a clerk calls, starts and finishes; some citizens do not come, cancel, are transferred;
//! most rate, a few 差评 each open a case that the supervisor assigns, follows up and resolves; half
//! the clerks take a pause at noon; one citizen in twenty books the next day's appointment, and most of
//! them come. Each ticket carries the estimate a kiosk would have printed. With automatic staffing in
//! the hall's configuration, the core's review runs on the server's cadence and a standby clerk
//! reaches each window it opens five minutes later.
//!
//! ```text
//! timeline (open day, arrivals, window free, finish, rate, case step, close day)
//!    ──decide + apply──> events ──wire──> records ──append (one transaction a day)──> ledger.redb
//! ```

use crate::core::cases::CaseStep;
use crate::core::event::PrintedWait;
use crate::core::{
    ClerkId, Command, Date, Event, Hall, HallConfig, MatterId, Outcome, Rating, StaffingMode, TicketClass, TicketId,
    Timestamp, TransferTo, WindowId, WindowKind,
};
use crate::store::{Record, Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const MINUTE: i64 = 60_000;

/// What to rehearse.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The first day.
    pub from: Date,
    /// Days, one after the other (every calendar day is a business day here).
    pub days: u32,
    /// Citizens a day.
    pub per_day: u32,
    /// The random seed: the same seed gives the same ledger.
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    OpenDay(u32),
    Arrive(u16, bool),
    Cancel(TicketId),
    Free(u16),
    Finish(u16, TicketId, u8),
    NoShow(u16),
    Pause(u16),
    Resume(u16),
    Book(String, u16, i64),
    CheckIn(String),
    Rate(u16, TicketId),
    Case(u32, u8),
    /// The hall's staffing review (automatic staffing only), every [`REVIEW_EVERY_MS`].
    Review,
    /// A standby clerk reaches the window the review opened.
    StaffIn(u16),
    CloseDay,
}

/// The server's review cadence.
const REVIEW_EVERY_MS: i64 = crate::core::tick::REVIEW_EVERY_MS;
/// A standby clerk's walk from the back office to the window the review opened.
const WALK_MS: i64 = 5 * MINUTE;

/// Plays `plan` through the core and appends it to `store` (which must be empty, or hold only what a
/// previous rehearsal of the same hall wrote). Returns the number of events written.
pub fn run(store: &dyn Store, config: &HallConfig, plan: &Plan) -> Result<u64, StoreError> {
    let mut hall = Hall::new(config.clone());
    let mut seq = store.last_seq()?;
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let mut timeline: BinaryHeap<Reverse<(i64, u64, Action)>> = BinaryHeap::new();
    let mut order = 0u64;
    let mut at = |timeline: &mut BinaryHeap<_>, when: i64, action: Action| {
        order += 1;
        timeline.push(Reverse((when, order, action)));
    };
    let offset = config.utc_offset_min;
    let morning = |day: u32| Date::from_days(plan.from.to_days() + i64::from(day)).at_minute(8 * 60, offset).0;
    let mut staged: Vec<Record> = Vec::new();
    let layout = Event::LayoutChanged { layout: config.layout(), at: Timestamp(morning(0)) };
    stage(&mut hall, &mut staged, &mut seq, vec![layout], morning(0));
    at(&mut timeline, morning(0), Action::OpenDay(0));
    let regular: Vec<u16> = (0..config.windows.len() as u16)
        .filter(|w| config.windows[usize::from(*w)].kind == WindowKind::Regular)
        .take(config.clerks.len())
        .collect();
    let matters = config.matters.len() as u16;
    // Windows with nobody to call: woken when a ticket arrives or comes back.
    let mut idle: Vec<u16> = Vec::new();
    let mut written = 0;
    while let Some(Reverse((now, _, action))) = timeline.pop() {
        let open = hall.day().is_some_and(|d| !d.closed);
        let command = match action {
            Action::OpenDay(day) => {
                if !staged.is_empty() {
                    store.append(&staged)?;
                    written += staged.len() as u64;
                    staged.clear();
                }
                if day >= plan.days {
                    break;
                }
                idle.clear();
                let date = Date::from_days(plan.from.to_days() + i64::from(day));
                run_command(&mut hall, &mut staged, &mut seq, &Command::OpenDay { date }, now);
                for (i, w) in regular.iter().enumerate() {
                    let sign_in = Command::SignIn { window: WindowId(*w), clerk: ClerkId(i as u16) };
                    run_command(&mut hall, &mut staged, &mut seq, &sign_in, now);
                    at(&mut timeline, now + 30 * MINUTE, Action::Free(*w));
                }
                // Arrivals from 08:30 to 17:00, busier in the morning.
                for _ in 0..plan.per_day {
                    let u: f64 = rng.random::<f64>();
                    let minute = 30.0 + 510.0 * u.powf(1.3);
                    let matter = rng.random_range(0..matters);
                    let green = rng.random_bool(0.05);
                    at(&mut timeline, now + (minute * MINUTE as f64) as i64, Action::Arrive(matter, green));
                }
                for w in &regular {
                    if rng.random_bool(0.5) {
                        let pause = now + (4 * 60 + rng.random_range(0..60)) * MINUTE;
                        at(&mut timeline, pause, Action::Pause(*w));
                        at(&mut timeline, pause + 15 * MINUTE, Action::Resume(*w));
                    }
                }
                // Tomorrow's appointments, booked today; most are kept within their slot.
                for k in 0..i64::from(plan.per_day / 20) {
                    let (code, matter) = (format!("R{}-{k}", day + 1), rng.random_range(0..matters));
                    let start = morning(day + 1) + 60 * MINUTE + (k % 24) * 20 * MINUTE;
                    at(&mut timeline, now + 60 * MINUTE, Action::Book(code.clone(), matter, start));
                    if rng.random_bool(0.85) {
                        at(&mut timeline, start - 5 * MINUTE + rng.random_range(0..10) * MINUTE, Action::CheckIn(code));
                    }
                }
                if config.rules.staffing.mode == StaffingMode::Automatic {
                    at(&mut timeline, now, Action::Review);
                }
                at(&mut timeline, now + 11 * 60 * MINUTE, Action::CloseDay);
                at(&mut timeline, morning(day + 1), Action::OpenDay(day + 1));
                continue;
            }
            _ if !open && !matches!(action, Action::Case(..) | Action::Book(..)) => continue,
            Action::Arrive(matter, green) => {
                let command = Command::IssueTicket {
                    matter: MatterId(matter),
                    green: green.then_some(crate::core::GreenReason::Elderly),
                    holder: None,
                    source: Some("kiosk-1".into()),
                };
                let class = if green { TicketClass::Green } else { TicketClass::Normal };
                let estimate = hall.estimate(MatterId(matter), class, Timestamp(now));
                let Ok(mut events) = hall.decide(&command, Timestamp(now)) else { continue };
                if let Some(Event::TicketIssued { printed, ticket, .. }) = events.first_mut() {
                    *printed = estimate.wait_ms.map(|(median_ms, p80_ms)| PrintedWait { median_ms, p80_ms });
                    if rng.random_bool(0.01) {
                        at(&mut timeline, now + 10 * MINUTE, Action::Cancel(*ticket));
                    }
                }
                stage(&mut hall, &mut staged, &mut seq, events, now);
                for w in idle.drain(..) {
                    at(&mut timeline, now, Action::Free(w));
                }
                continue;
            }
            Action::Cancel(ticket) => Command::CancelTicket { ticket, by: None },
            Action::Review => {
                let events = hall.tick(Timestamp(now));
                for event in &events {
                    if let Event::WindowOpened { window, .. } = event {
                        at(&mut timeline, now + WALK_MS, Action::StaffIn(window.0));
                    }
                }
                stage(&mut hall, &mut staged, &mut seq, events, now);
                at(&mut timeline, now + REVIEW_EVERY_MS, Action::Review);
                continue;
            }
            Action::StaffIn(w) => {
                let free = (0..config.clerks.len() as u16).map(ClerkId).find(|c| {
                    !config.clerks[usize::from(c.0)].retired && hall.windows().iter().all(|s| s.clerk != Some(*c))
                });
                let window_open = hall.window(WindowId(w)).is_some_and(|s| s.open && s.clerk.is_none());
                if let (Some(clerk), true) = (free, window_open) {
                    run_command(&mut hall, &mut staged, &mut seq, &Command::SignIn { window: WindowId(w), clerk }, now);
                    at(&mut timeline, now, Action::Free(w));
                }
                continue;
            }
            Action::Pause(w) => Command::Pause { window: WindowId(w) },
            Action::Resume(w) => {
                run_command(&mut hall, &mut staged, &mut seq, &Command::Resume { window: WindowId(w) }, now);
                at(&mut timeline, now, Action::Free(w));
                continue;
            }
            Action::Book(code, matter, start) => Command::BookAppointment {
                code,
                matter: MatterId(matter),
                start: Timestamp(start),
                end: Timestamp(start + 30 * MINUTE),
            },
            Action::CheckIn(code) => {
                run_command(
                    &mut hall,
                    &mut staged,
                    &mut seq,
                    &Command::CheckIn { code, source: Some("kiosk-1".into()) },
                    now,
                );
                for w in idle.drain(..) {
                    at(&mut timeline, now, Action::Free(w));
                }
                continue;
            }
            Action::Free(w) => {
                let events =
                    run_command(&mut hall, &mut staged, &mut seq, &Command::CallNext { window: WindowId(w) }, now);
                let called = events.iter().find_map(|e| match e {
                    Event::TicketCalled { ticket, .. } => Some(*ticket),
                    _ => None,
                });
                match called {
                    None => idle.push(w),
                    // One in thirty does not come when called; half of those not the second time either.
                    Some(ticket)
                        if rng.random_bool(if hall.ticket(ticket).is_some_and(|t| t.no_shows > 0) {
                            0.5
                        } else {
                            0.03
                        }) =>
                    {
                        at(&mut timeline, now + 2 * MINUTE, Action::NoShow(w))
                    }
                    Some(ticket) => {
                        let matter = hall.ticket(ticket).map_or(MatterId(0), |t| t.matter);
                        let norm = config.matter(matter).handling_norm_ms as f64;
                        let service = (-(1.0 - rng.random::<f64>()).ln() * norm).max(30_000.0) as i64;
                        let start = Command::StartService { window: WindowId(w) };
                        run_command(&mut hall, &mut staged, &mut seq, &start, now + 30_000);
                        let kind = u8::from(rng.random_bool(0.02));
                        at(&mut timeline, now + 30_000 + service, Action::Finish(w, ticket, kind));
                    }
                }
                continue;
            }
            Action::NoShow(w) => {
                run_command(&mut hall, &mut staged, &mut seq, &Command::NoShow { window: WindowId(w) }, now);
                at(&mut timeline, now, Action::Free(w));
                continue;
            }
            Action::Finish(w, ticket, kind) => {
                let window = WindowId(w);
                let command = if kind == 1 {
                    let to = MatterId((hall.ticket(ticket).map_or(0, |t| t.matter.0) + 1) % matters);
                    Command::Transfer { window, to: TransferTo { matter: Some(to), window: None, first: true } }
                } else {
                    if rng.random_bool(0.6) {
                        at(&mut timeline, now + 5_000, Action::Rate(w, ticket));
                    }
                    Command::Finish { window, outcome: Outcome::Completed }
                };
                run_command(&mut hall, &mut staged, &mut seq, &command, now);
                at(&mut timeline, now, Action::Free(w));
                for w in idle.drain(..) {
                    at(&mut timeline, now, Action::Free(w));
                }
                continue;
            }
            Action::Rate(w, ticket) => {
                let r: f64 = rng.random();
                let rating = match r {
                    r if r < 0.70 => Rating::VerySatisfied,
                    r if r < 0.90 => Rating::Satisfied,
                    r if r < 0.96 => Rating::Neutral,
                    r if r < 0.99 => Rating::Dissatisfied,
                    _ => Rating::VeryDissatisfied,
                };
                let low = crate::core::cases::is_low(rating);
                let command = Command::Rate {
                    window: WindowId(w),
                    ticket,
                    rating,
                    reason: low.then(|| "long_wait".to_owned()),
                    comment: None,
                };
                for event in run_command(&mut hall, &mut staged, &mut seq, &command, now) {
                    if let Event::CaseOpened { case } = event {
                        // Most cases are seen to in time; one in five is resolved after its deadline.
                        let late = if rng.random_bool(0.2) { 6 * 24 * 60 } else { 26 * 60 };
                        at(&mut timeline, now + 30 * MINUTE, Action::Case(case.id, 0));
                        at(&mut timeline, now + 3 * 60 * MINUTE, Action::Case(case.id, 1));
                        at(&mut timeline, now + late * MINUTE, Action::Case(case.id, 2));
                    }
                }
                continue;
            }
            Action::Case(case, step) => Command::ProgressCase {
                case,
                step: match step {
                    0 => CaseStep::Assigned { to: "值班长".into() },
                    1 => CaseStep::Contacted,
                    _ => CaseStep::Resolved,
                },
                note: if step == 2 { "explained the wait; the citizen accepted".into() } else { String::new() },
            },
            Action::CloseDay => Command::CloseDay,
        };
        run_command(&mut hall, &mut staged, &mut seq, &command, now);
    }
    if !staged.is_empty() {
        store.append(&staged)?;
        written += staged.len() as u64;
    }
    let mut snapshot = hall.snapshot();
    snapshot.forget_holders();
    if let Ok(bytes) = serde_json::to_vec(&snapshot) {
        store.save_snapshot(seq, &bytes)?;
    }
    Ok(written)
}

/// Decides and stages `command` at `now`; a refusal stages nothing.
fn run_command(hall: &mut Hall, staged: &mut Vec<Record>, seq: &mut u64, command: &Command, now: i64) -> Vec<Event> {
    match hall.decide(command, Timestamp(now)) {
        Ok(events) => {
            stage(hall, staged, seq, events.clone(), now);
            events
        }
        Err(_) => Vec::new(),
    }
}

/// Applies events and stages their records as the server's writer does.
fn stage(hall: &mut Hall, staged: &mut Vec<Record>, seq: &mut u64, events: Vec<Event>, now: i64) {
    for event in events {
        hall.apply(&event);
        *seq += 1;
        staged.push(crate::wire::record(hall, *seq, now, event, None).0);
    }
}
