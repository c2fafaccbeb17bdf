//! The pure part: one hall's exported events folded, in `seq` order, into its live state (what the
//! province's wall shows now) and its day's counts (the KPIs, additive, so a month, a city or the
//! province is a sum). No clock, no I/O: the consumer passes each event and stores what comes out.

use kiosk_protocol::export::ExportedEvent;
use kiosk_protocol::vocab::Rating;
use kiosk_protocol::WireEvent;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A day's counts of one hall (or a sum of them). Times in ms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Tickets issued (appointment check-ins included).
    pub issued: u64,
    /// Tickets called at least once.
    pub called: u64,
    /// Services finished (any outcome).
    pub served: u64,
    /// Tickets that ended as no-shows.
    pub no_shows: u64,
    /// Tickets cancelled while waiting.
    pub cancelled: u64,
    /// Sum of the waits from issue to first call.
    pub wait_sum_ms: u64,
    /// Longest of them.
    pub wait_max_ms: u64,
    /// First calls within their matter's target wait.
    pub within_target: u64,
    /// Sum of the services' handling times.
    #[serde(default)]
    pub handling_sum_ms: u64,
    /// Appointment tickets (checked in within their slot).
    #[serde(default)]
    pub appointment_tickets: u64,
    /// Green-channel tickets.
    pub green: u64,
    /// Ratings given.
    pub rated: u64,
    /// 满意 or 非常满意.
    pub good: u64,
    /// 不满意 or 非常不满意 (差评).
    pub bad: u64,
    /// Rectification cases opened.
    pub cases_opened: u64,
}

impl Counts {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &Counts) {
        self.issued += other.issued;
        self.called += other.called;
        self.served += other.served;
        self.no_shows += other.no_shows;
        self.cancelled += other.cancelled;
        self.wait_sum_ms += other.wait_sum_ms;
        self.wait_max_ms = self.wait_max_ms.max(other.wait_max_ms);
        self.within_target += other.within_target;
        self.handling_sum_ms += other.handling_sum_ms;
        self.appointment_tickets += other.appointment_tickets;
        self.green += other.green;
        self.rated += other.rated;
        self.good += other.good;
        self.bad += other.bad;
        self.cases_opened += other.cases_opened;
    }
}

/// A ticket not yet ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Open {
    /// Its matter.
    pub matter: String,
    /// When it was issued (ms).
    pub issued_at: i64,
    /// Waiting (not at a window, not held).
    pub waiting: bool,
    /// Called at least once.
    pub called: bool,
}

/// One hall as the province knows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HallState {
    /// The last `seq` applied: an event at or below it is a repeat.
    pub seq: u64,
    /// Its commit time (ms).
    pub at: i64,
    /// The business day (`YYYY-MM-DD`), once a `day_opened` was seen.
    pub date: Option<String>,
    /// Whether that day has closed.
    pub closed: bool,
    /// Matter targets (ms), from the layout.
    pub targets: BTreeMap<String, i64>,
    /// Matter names in Chinese, from the layout (what the page shows; the key when it has none).
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// Open tickets by number.
    pub open: BTreeMap<String, Open>,
    /// Windows with a clerk signed in.
    pub staffed: BTreeSet<u16>,
    /// Of those, paused.
    pub paused: BTreeSet<u16>,
    /// Kiosks asking for help.
    pub help: BTreeSet<String>,
    /// Standby windows the staffing review asks to open.
    pub staffing: BTreeSet<u16>,
    /// Events that came after a gap in `seq` (should stay 0).
    pub gaps: u64,
    /// Events dropped as repeats although newer than the last one applied: another ledger exporting
    /// under this `hall_id` (a new one, or a backup restored), whose `seq`s start below ours. Should
    /// stay 0; the page shows it.
    #[serde(default)]
    pub forks: u64,
}

/// What applying one event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// A repeat (`seq` already applied): nothing changed.
    Repeat,
    /// Applied; `Counts` is what it adds to the day `date`.
    New {
        /// The business day it counts for.
        date: String,
        /// What it adds.
        counts: Counts,
    },
}

/// The local date (UTC+8, the mainland's) of a time in ms, for events before any `day_opened`.
fn local_date(at: i64) -> String {
    onewindow_core::Timestamp(at).local(8 * 60).0.to_string()
}

impl HallState {
    /// Applies `e` (of this hall) once.
    pub fn apply(&mut self, e: &ExportedEvent) -> Applied {
        if e.seq <= self.seq {
            // A true repeat is one of ours again, never newer than the last we applied (a hall's
            // event times do not go back: its clock is checked against the monotonic one).
            if e.at > self.at {
                self.forks += 1;
            }
            return Applied::Repeat;
        }
        if e.seq != self.seq + 1 {
            self.gaps += 1;
        }
        self.seq = e.seq;
        self.at = e.at;
        let mut c = Counts::default();
        match &e.event {
            WireEvent::DayOpened { date, .. } => {
                self.date = Some(date.clone());
                self.closed = false;
                self.open.clear();
                self.staffed.clear();
                self.paused.clear();
                self.help.clear();
                self.staffing.clear();
            }
            WireEvent::DayClosed {} => {
                self.closed = true;
                self.open.clear();
                self.staffed.clear();
                self.paused.clear();
                self.staffing.clear();
            }
            WireEvent::LayoutChanged { matters, .. } => {
                self.targets = matters.iter().map(|m| (m.key.clone(), m.target_wait_ms)).collect();
                self.names = matters.iter().map(|m| (m.key.clone(), m.name_zh.clone())).collect();
            }
            WireEvent::TicketIssued { ticket, .. } => {
                c.issued = 1;
                c.green = u64::from(ticket.green.is_some());
                c.appointment_tickets = u64::from(ticket.class == kiosk_protocol::vocab::TicketClass::Appointment);
                let open =
                    Open { matter: ticket.matter.clone(), issued_at: ticket.issued_at, waiting: true, called: false };
                self.open.insert(ticket.number.clone(), open);
            }
            WireEvent::TicketCalled { ticket, matter, issued_at, .. } => {
                let first = self.open.get(ticket).is_none_or(|t| !t.called);
                if first {
                    c.called = 1;
                    let wait = e.at.saturating_sub(*issued_at).max(0);
                    c.wait_sum_ms = wait as u64;
                    c.wait_max_ms = wait as u64;
                    c.within_target = u64::from(self.targets.get(matter).is_none_or(|t| wait <= *t));
                }
                let t = self.open.entry(ticket.clone()).or_insert_with(|| Open {
                    matter: matter.clone(),
                    issued_at: *issued_at,
                    waiting: false,
                    called: true,
                });
                t.waiting = false;
                t.called = true;
            }
            WireEvent::ServiceFinished { ticket, service_ms, .. } => {
                c.served = 1;
                c.handling_sum_ms = (*service_ms).max(0) as u64;
                self.open.remove(ticket);
            }
            WireEvent::TicketNoShow { ticket, requeued, .. } => {
                if *requeued {
                    if let Some(t) = self.open.get_mut(ticket) {
                        t.waiting = true;
                    }
                } else {
                    c.no_shows = 1;
                    self.open.remove(ticket);
                }
            }
            WireEvent::TicketCancelled { ticket } => {
                c.cancelled = 1;
                self.open.remove(ticket);
            }
            WireEvent::TicketEnded { ticket, .. } => {
                self.open.remove(ticket);
            }
            WireEvent::TicketTransferred { ticket, matter, .. } => {
                if let Some(t) = self.open.get_mut(ticket) {
                    t.matter = matter.clone();
                    t.waiting = true;
                }
            }
            WireEvent::TicketHeld { ticket, .. } => {
                if let Some(t) = self.open.get_mut(ticket) {
                    t.waiting = false;
                }
            }
            WireEvent::TicketRated { rating, .. } => {
                c.rated = 1;
                c.good = u64::from(matches!(rating, Rating::VerySatisfied | Rating::Satisfied));
                c.bad = u64::from(matches!(rating, Rating::Dissatisfied | Rating::VeryDissatisfied));
            }
            WireEvent::CaseOpened { .. } => c.cases_opened = 1,
            WireEvent::ClerkSignedIn { window, .. } => {
                self.staffed.insert(*window);
                self.staffing.remove(window);
            }
            WireEvent::ClerkSignedOut { window } => {
                self.staffed.remove(window);
                self.paused.remove(window);
            }
            WireEvent::WindowPaused { window } => {
                self.paused.insert(*window);
            }
            WireEvent::WindowResumed { window } => {
                self.paused.remove(window);
            }
            WireEvent::HelpRequested { kiosk } => {
                self.help.insert(kiosk.clone());
            }
            WireEvent::HelpAnswered { kiosk } => {
                self.help.remove(kiosk);
            }
            WireEvent::StaffingRequested { request } => {
                self.staffing.insert(request.window);
            }
            WireEvent::StaffingWithdrawn { window } | WireEvent::WindowOpened { window, .. } => {
                self.staffing.remove(window);
            }
            _ => {}
        }
        Applied::New { date: self.date.clone().unwrap_or_else(|| local_date(e.at)), counts: c }
    }

    /// Tickets waiting now.
    pub fn waiting(&self) -> usize {
        self.open.values().filter(|t| t.waiting).count()
    }

    /// The longest wait now (ms) and its share of its matter's target.
    pub fn longest_wait(&self, now: i64) -> Option<(i64, f64)> {
        self.open
            .values()
            .filter(|t| t.waiting)
            .map(|t| {
                let wait = now.saturating_sub(t.issued_at).max(0);
                let target = self.targets.get(&t.matter).copied().filter(|t| *t > 0).unwrap_or(i64::MAX);
                (wait, wait as f64 / target as f64)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Windows open (staffed and not paused).
    pub fn windows_open(&self) -> usize {
        self.staffed.difference(&self.paused).count()
    }

    /// Alerts: kiosks asking for help, windows asked to open, and a wait past its target.
    pub fn alerts(&self, now: i64) -> usize {
        self.help.len() + self.staffing.len() + usize::from(self.longest_wait(now).is_some_and(|(_, r)| r > 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use kiosk_protocol::vocab::{Outcome, TicketClass, TicketState};
    use kiosk_protocol::{CallReasonView, TicketView};

    fn event(seq: u64, at: i64, event: WireEvent) -> ExportedEvent {
        ExportedEvent::new("h1", seq, at, event)
    }

    fn issued(number: &str, at: i64) -> WireEvent {
        WireEvent::TicketIssued {
            ticket: TicketView {
                number: number.into(),
                matter: "tax".into(),
                class: TicketClass::Normal,
                green: None,
                state: TicketState::Waiting,
                issued_at: at,
                window: None,
                ahead: None,
                id_masked: None,
                estimate: None,
                declared: false,
                capability: None,
            },
            kiosk: None,
        }
    }

    #[test]
    fn seqs_starting_again_under_the_same_hall_id_are_dropped_and_counted_as_forks() {
        let mut hall = HallState::default();
        for seq in 1..=3 {
            let at = seq as i64 * 1_000;
            assert!(matches!(hall.apply(&event(seq, at, issued(&format!("E00{seq}"), at))), Applied::New { .. }));
        }
        // Redelivered (a restart of the hall's export, or of this view): a repeat, nothing more.
        assert_eq!(hall.apply(&event(2, 2_000, issued("E002", 2_000))), Applied::Repeat);
        assert_eq!(hall.forks, 0);
        // A new ledger (or a backup restored) under the same hall_id: its seq 2 is newer than our seq 3.
        assert_eq!(hall.apply(&event(2, 60_000, issued("E001", 60_000))), Applied::Repeat);
        assert_eq!((hall.forks, hall.seq, hall.waiting()), (1, 3, 3), "dropped, counted, nothing else changed");
    }

    #[test]
    fn a_tickets_life_is_counted_once_and_a_repeat_changes_nothing() {
        let mut hall = HallState::default();
        let opened = WireEvent::DayOpened { date: "2026-10-13".into(), windows: vec![] };
        assert!(matches!(hall.apply(&event(1, 0, opened)), Applied::New { .. }));
        hall.targets.insert("tax".into(), 600_000);
        let Applied::New { date, counts } = hall.apply(&event(2, 1_000, issued("E001", 1_000))) else { panic!("new") };
        assert_eq!((date.as_str(), counts.issued), ("2026-10-13", 1));
        assert_eq!(hall.waiting(), 1);
        assert_eq!(hall.longest_wait(901_000).map(|l| l.0), Some(900_000));
        assert_eq!(hall.alerts(901_000), 1, "past its target");
        assert_eq!(hall.apply(&event(2, 1_000, issued("E001", 1_000))), Applied::Repeat);
        let called = WireEvent::TicketCalled {
            ticket: "E001".into(),
            matter: "tax".into(),
            window: 9,
            reason: CallReasonView::Targeted,
            issued_at: 1_000,
        };
        let Applied::New { counts, .. } = hall.apply(&event(3, 301_000, called.clone())) else { panic!("new") };
        assert_eq!((counts.called, counts.wait_sum_ms, counts.within_target), (1, 300_000, 1));
        // Called again (a recall after a requeue) is not a second first call.
        let Applied::New { counts, .. } = hall.apply(&event(4, 302_000, called)) else { panic!("new") };
        assert_eq!(counts.called, 0);
        let finished = WireEvent::ServiceFinished {
            ticket: "E001".into(),
            window: 9,
            outcome: Outcome::Completed,
            service_ms: 1,
            matter: "tax".into(),
            aht_ms: 1,
        };
        let Applied::New { counts, .. } = hall.apply(&event(5, 303_000, finished)) else { panic!("new") };
        assert_eq!(counts.served, 1);
        assert_eq!((hall.waiting(), hall.open.len(), hall.gaps), (0, 0, 0));
        // A gap is counted, never waited for.
        hall.apply(&event(7, 304_000, issued("E002", 304_000)));
        assert_eq!((hall.seq, hall.gaps), (7, 1));
    }

    #[test]
    fn local_dates_follow_the_mainland_clock() {
        // 2026-10-08 00:30 in UTC+8 is 2026-10-07 16:30 UTC.
        assert_eq!(local_date(1_791_390_600_000), "2026-10-08");
        assert_eq!(local_date(0), "1970-01-01");
    }
}
