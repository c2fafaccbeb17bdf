//! The ledger folded into facts, one [`DayFacts`] per business day: a row per ticket (issue, first
//! call, service, how it ended, rating, the wait printed on it), a row per clerk session at a window
//! (signed-in, serving and paused time), the rectification cases and their steps, the appointments
//! booked. Every KPI is arithmetic over these rows ([`super::kpi`]), so reports of any period and
//! any grouping read facts, never the events again, and a closed day's facts can be kept.
//!
//! Names come from the layout in force when the event happened (`layout_changed`), so a matter
//! renamed or retired later still reports under the key it had.

use crate::cases::CaseStep;
use crate::event::{Event, PrintedWait};
use crate::layout::Layout;
use crate::model::{ClerkId, GreenReason, MatterId, Outcome, Rating, TicketClass, TicketId, TicketNumber, WindowId};
use crate::time::{Date, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a ticket ended, as reports count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// Served: a `service_finished`, with its outcome.
    Served {
        /// The outcome.
        outcome: Outcome,
    },
    /// Called and did not come, and not queued again.
    NoShow,
    /// Cancelled while it waited.
    Cancelled,
    /// Still waiting (or at a window, or held) when the day closed.
    ClosedUnserved,
    /// Not ended yet (today's open tickets).
    Open,
}

/// One ticket of the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketFact {
    /// The number people saw, e.g. `A023`.
    pub number: String,
    /// Its matter at issue.
    pub matter: String,
    /// Its matter when served (after transfers), if served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_matter: Option<String>,
    /// Its class at issue (a 自报 green ticket downgraded by its clerk counts as ordinary).
    pub class: TicketClass,
    /// Green-channel reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub green: Option<GreenReason>,
    /// The appointment code it was checked in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment: Option<String>,
    /// Issued at (ms since the epoch).
    pub issued_at: i64,
    /// First called at: where its wait ends, recalls and calls after a no-show notwithstanding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_called_at: Option<i64>,
    /// Service time, from start (or from the call when service was never started) to finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_ms: Option<i64>,
    /// The window that served it (or last called it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u16>,
    /// The clerk signed in at that window then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk: Option<String>,
    /// How it ended.
    pub end: End,
    /// Times it was transferred.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub transfers: u32,
    /// Its rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// The rating's reason key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The target wait of its matter at issue.
    pub target_ms: i64,
    /// The handling-time norm of the matter it was served under (of its matter at issue until served).
    pub norm_ms: i64,
    /// The wait printed on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed: Option<PrintedWait>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl TicketFact {
    /// Its wait (issue → first call), if called.
    pub fn wait_ms(&self) -> Option<i64> {
        self.first_called_at.map(|c| (c - self.issued_at).max(0))
    }
}

/// A clerk's time at a window during the day (all their sessions there together).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionFact {
    /// The window's number.
    pub window: u16,
    /// The clerk's 工号.
    pub clerk: String,
    /// Signed in, in total.
    pub signed_in_ms: i64,
    /// Serving (the service times of tickets finished there).
    pub serving_ms: i64,
    /// Pauses.
    pub pauses: u32,
    /// Paused, in total.
    pub paused_ms: i64,
}

/// A rectification case as opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFact {
    /// Its number.
    pub id: u32,
    /// The rated ticket's number.
    pub ticket: String,
    /// Its matter.
    pub matter: String,
    /// The window.
    pub window: u16,
    /// The clerk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk: Option<String>,
    /// The rating.
    pub rating: Rating,
    /// The reason key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The citizen's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Opened at.
    pub opened_at: i64,
    /// To be resolved by.
    pub resolve_by: i64,
}

/// A step of a case, on the day it was done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepFact {
    /// The case.
    pub case: u32,
    /// The step.
    #[serde(flatten)]
    pub step: CaseStep,
    /// The note.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// When.
    pub at: i64,
}

/// An appointment booked for this day (on whichever day it was booked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentFact {
    /// Its code.
    pub code: String,
    /// Its matter.
    pub matter: String,
    /// The slot's start.
    pub start: i64,
    /// The citizen checked in within the slot (and its grace): an appointment ticket.
    pub kept: bool,
}

/// Everything reports need of one business day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayFacts {
    /// The business date.
    pub date: Date,
    /// Whether the day closed (its facts no longer change).
    pub closed: bool,
    /// Its tickets, in issue order.
    pub tickets: Vec<TicketFact>,
    /// Clerks' time at windows.
    pub sessions: Vec<SessionFact>,
    /// Cases opened.
    pub cases: Vec<CaseFact>,
    /// Case steps done (of cases opened on any day).
    pub steps: Vec<StepFact>,
    /// Appointments booked for this day, and for days before it the hall did not open (reports count
    /// each by the date of its slot).
    pub appointments: Vec<AppointmentFact>,
}

impl DayFacts {
    fn new(date: Date) -> DayFacts {
        DayFacts {
            date,
            closed: false,
            tickets: Vec::new(),
            sessions: Vec::new(),
            cases: Vec::new(),
            steps: Vec::new(),
            appointments: Vec::new(),
        }
    }
}

/// A clerk at a window now.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Session {
    clerk: ClerkId,
    since: i64,
    paused_since: Option<i64>,
}

/// Folds events, in ledger order, into [`DayFacts`]. It can be saved between calls (serde), so
/// reports fold only the events written since the last closed day.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Folder {
    layout: Layout,
    /// The hall's offset from UTC, minutes.
    offset_min: i32,
    /// Appointments booked and not yet due: code → (matter key, slot start).
    booked: BTreeMap<String, (String, i64)>,
    day: Option<DayFacts>,
    /// Today's tickets: their index in `day.tickets`, and their matter now.
    open: BTreeMap<TicketId, (usize, MatterId)>,
    sessions: BTreeMap<WindowId, Session>,
    /// Today's session totals, by (window, clerk).
    totals: BTreeMap<(WindowId, ClerkId), SessionFact>,
}

impl Folder {
    /// A folder at the start of a ledger written under `layout` (the configuration's, for ledgers
    /// from before layouts were recorded).
    pub fn new(layout: Layout, offset_min: i32) -> Folder {
        Folder {
            layout,
            offset_min,
            booked: BTreeMap::new(),
            day: None,
            open: BTreeMap::new(),
            sessions: BTreeMap::new(),
            totals: BTreeMap::new(),
        }
    }

    /// The day being folded (not closed yet) as of `now`: open sessions count up to `now`, and the
    /// appointments of today and of days the hall did not open are in it. With no day open, a day of
    /// today with those appointments only; `None` when there is nothing to count.
    pub fn current(&self, now: Timestamp) -> Option<DayFacts> {
        let today = now.local(self.offset_min).0;
        let mut day = match &self.day {
            Some(day) => day.clone(),
            None if self.booked.is_empty() => return None,
            None => DayFacts::new(today),
        };
        let mut totals = self.totals.clone();
        for (window, session) in &self.sessions {
            close_session(&mut totals, &self.layout, *window, session, now.0);
        }
        day.sessions = totals.into_values().collect();
        day.appointments = self.due_appointments(&day, day.date.max(today));
        Some(day)
    }

    /// Folds one event; a day that closes (or is left by a new one) is returned.
    pub fn fold(&mut self, event: &Event) -> Option<DayFacts> {
        match event {
            Event::LayoutChanged { layout, .. } => self.layout = layout.clone(),
            Event::DayOpened { date, at } => {
                let left = self.end_day(at.0);
                self.day = Some(DayFacts::new(*date));
                return left;
            }
            Event::DayClosed { at } => return self.end_day(at.0),
            _ => self.fold_in_day(event),
        }
        None
    }

    fn fold_in_day(&mut self, event: &Event) {
        if let Event::AppointmentBooked { code, matter, start, .. } = event {
            let key = self.layout.matters.get(usize::from(matter.0)).map_or_else(String::new, |s| s.key.clone());
            self.booked.insert(code.clone(), (key, start.0));
            return;
        }
        if self.day.is_none() {
            return;
        }
        self.fold_session(event);
        let Folder { layout, day: Some(day), open, sessions, .. } = self else { return };
        let matter_key =
            |m: &MatterId| layout.matters.get(usize::from(m.0)).map_or_else(String::new, |s| s.key.clone());
        let window_number = |w: &WindowId| layout.windows.get(usize::from(w.0)).map_or(0, |s| s.number);
        let clerk_key = |c: &ClerkId| layout.clerks.get(usize::from(c.0)).map(|s| s.key.clone());
        match event {
            Event::TicketIssued { ticket: id, matter, seq, class, green, appointment, printed, at, .. } => {
                let spec = layout.matters.get(usize::from(matter.0));
                day.tickets.push(TicketFact {
                    number: TicketNumber { prefix: spec.map_or('?', |s| s.prefix), seq: *seq }.to_string(),
                    matter: matter_key(matter),
                    served_matter: None,
                    class: *class,
                    green: *green,
                    appointment: appointment.clone(),
                    issued_at: at.0,
                    first_called_at: None,
                    service_ms: None,
                    window: None,
                    clerk: None,
                    end: End::Open,
                    transfers: 0,
                    rating: None,
                    reason: None,
                    target_ms: spec.map_or(0, |s| s.target_wait_ms),
                    norm_ms: spec.map_or(0, |s| s.handling_norm_ms),
                    printed: *printed,
                });
                open.insert(*id, (day.tickets.len() - 1, *matter));
            }
            Event::ClassConfirmed { ticket: id, kept: false, .. } => {
                if let Some(t) = pick(open, &mut day.tickets, id) {
                    (t.class, t.green) = (TicketClass::Normal, None);
                }
            }
            Event::TicketCalled { ticket: id, window, at, .. } => {
                if let Some(t) = pick(open, &mut day.tickets, id) {
                    t.first_called_at.get_or_insert(at.0);
                    t.window = Some(window_number(window));
                }
            }
            Event::ServiceFinished { ticket: id, window, outcome, service_ms, .. } => {
                let clerk = sessions.get(window).and_then(|s| clerk_key(&s.clerk));
                let served_as = open.get(id).and_then(|(_, m)| layout.matters.get(usize::from(m.0)));
                if let Some(t) = pick(open, &mut day.tickets, id) {
                    t.end = End::Served { outcome: *outcome };
                    t.service_ms = Some(*service_ms);
                    t.window = Some(window_number(window));
                    t.clerk = clerk;
                    if let Some(spec) = served_as {
                        t.served_matter = Some(spec.key.clone());
                        t.norm_ms = spec.handling_norm_ms;
                    }
                }
            }
            Event::TicketNoShow { ticket: id, requeued: false, .. } => {
                if let Some(t) = pick(open, &mut day.tickets, id) {
                    t.end = End::NoShow;
                }
            }
            Event::TicketCancelled { ticket: id, .. } => {
                if let Some(t) = pick(open, &mut day.tickets, id) {
                    t.end = End::Cancelled;
                }
            }
            Event::TicketEnded { ticket: id, .. } => {
                if let Some(t) = pick(open, &mut day.tickets, id) {
                    t.end = End::ClosedUnserved;
                }
            }
            Event::TicketTransferred { ticket: id, matter, .. } => {
                if let Some(t) = pick(open, &mut day.tickets, id) {
                    t.transfers += 1;
                }
                if let Some((_, m)) = open.get_mut(id) {
                    *m = *matter;
                }
            }
            Event::TicketRated { ticket: id, rating, reason, .. } => {
                if let Some(t) = pick(open, &mut day.tickets, id) {
                    t.rating = Some(*rating);
                    t.reason.clone_from(reason);
                }
            }
            Event::CaseOpened { case } => day.cases.push(CaseFact {
                id: case.id,
                ticket: case.number.to_string(),
                matter: matter_key(&case.matter),
                window: window_number(&case.window),
                clerk: case.clerk.as_ref().and_then(clerk_key),
                rating: case.rating,
                reason: case.reason.clone(),
                comment: case.comment.clone(),
                opened_at: case.opened_at.0,
                resolve_by: case.due.resolve.0,
            }),
            Event::CaseProgressed { case, step, note, at } => {
                day.steps.push(StepFact { case: *case, step: step.clone(), note: note.clone(), at: at.0 });
            }
            _ => {}
        }
    }

    /// Clerks' time at windows: sessions, serving, pauses.
    fn fold_session(&mut self, event: &Event) {
        match event {
            Event::ClerkSignedIn { window, clerk, at } => {
                self.end_session(*window, at.0);
                self.sessions.insert(*window, Session { clerk: *clerk, since: at.0, paused_since: None });
            }
            Event::ClerkSignedOut { window, at } | Event::WindowClosed { window, at, .. } => {
                self.end_session(*window, at.0);
            }
            Event::WindowPaused { window, at } => {
                if let Some(s) = self.sessions.get_mut(window) {
                    s.paused_since = Some(at.0);
                    let clerk = s.clerk;
                    totals_for(&mut self.totals, &self.layout, *window, clerk).pauses += 1;
                }
            }
            Event::WindowResumed { window, at } => {
                if let Some(s) = self.sessions.get_mut(window) {
                    if let Some(since) = s.paused_since.take() {
                        let clerk = s.clerk;
                        totals_for(&mut self.totals, &self.layout, *window, clerk).paused_ms += (at.0 - since).max(0);
                    }
                }
            }
            Event::ServiceFinished { window, service_ms, .. } => {
                if let Some(s) = self.sessions.get(window) {
                    let clerk = s.clerk;
                    totals_for(&mut self.totals, &self.layout, *window, clerk).serving_ms += service_ms;
                }
            }
            _ => {}
        }
    }

    fn end_session(&mut self, window: WindowId, at: i64) {
        if let Some(session) = self.sessions.remove(&window) {
            close_session(&mut self.totals, &self.layout, window, &session, at);
        }
    }

    /// The appointments booked for `day` (or before), each kept or not.
    fn due_appointments(&self, day: &DayFacts, until: Date) -> Vec<AppointmentFact> {
        let kept: std::collections::BTreeSet<&str> = day
            .tickets
            .iter()
            .filter(|t| t.class == TicketClass::Appointment)
            .filter_map(|t| t.appointment.as_deref())
            .collect();
        self.booked
            .iter()
            .filter(|(_, (_, start))| Timestamp(*start).local(self.offset_min).0 <= until)
            .map(|(code, (matter, start))| AppointmentFact {
                kept: kept.contains(code.as_str()),
                code: code.clone(),
                matter: matter.clone(),
                start: *start,
            })
            .collect()
    }

    /// Ends the day at `at`: sessions still open count up to it.
    fn end_day(&mut self, at: i64) -> Option<DayFacts> {
        let windows: Vec<WindowId> = self.sessions.keys().copied().collect();
        for window in windows {
            self.end_session(window, at);
        }
        self.open.clear();
        let mut day = self.day.take()?;
        day.closed = true;
        // The appointments of this day (and any left from days before, which can no longer be kept).
        day.appointments = self.due_appointments(&day, day.date);
        let offset = self.offset_min;
        self.booked.retain(|_, (_, start)| Timestamp(*start).local(offset).0 > day.date);
        day.sessions = std::mem::take(&mut self.totals).into_values().collect();
        Some(day)
    }
}

/// The totals of `clerk` at `window` today.
fn totals_for<'a>(
    totals: &'a mut BTreeMap<(WindowId, ClerkId), SessionFact>,
    layout: &Layout,
    window: WindowId,
    clerk: ClerkId,
) -> &'a mut SessionFact {
    totals.entry((window, clerk)).or_insert_with(|| SessionFact {
        window: layout.windows.get(usize::from(window.0)).map_or(0, |s| s.number),
        clerk: layout.clerks.get(usize::from(clerk.0)).map_or_else(String::new, |s| s.key.clone()),
        signed_in_ms: 0,
        serving_ms: 0,
        pauses: 0,
        paused_ms: 0,
    })
}

/// Adds a session's time up to `at` (and a pause still running) to the totals.
fn close_session(
    totals: &mut BTreeMap<(WindowId, ClerkId), SessionFact>,
    layout: &Layout,
    window: WindowId,
    session: &Session,
    at: i64,
) {
    let total = totals_for(totals, layout, window, session.clerk);
    total.signed_in_ms += (at - session.since).max(0);
    if let Some(p) = session.paused_since {
        total.paused_ms += (at - p).max(0);
    }
}

/// Today's ticket `id`, if it is one.
fn pick<'a>(
    open: &BTreeMap<TicketId, (usize, MatterId)>,
    tickets: &'a mut [TicketFact],
    id: &TicketId,
) -> Option<&'a mut TicketFact> {
    open.get(id).and_then(|(i, _)| tickets.get_mut(*i))
}
