//! Rectification of a 差评 (整改): a rating of 不满意 or 非常不满意 opens a case in the same decision as
//! the rating, so no low rating goes unanswered. A case is assigned to someone, the citizen is
//! contacted, and it is resolved with a note, each step by its deadline from the moment the case
//! opened (`[ratings]` in the hall config; due times are in the event, so a later change of the
//! deadlines does not move an open case's). The hall keeps open cases only; the ledger keeps them all,
//! and reports count those resolved on time.
//!
//! ```text
//! Rate(不满意) ──decide──> TicketRated + CaseOpened{due}
//! ProgressCase{assigned|contacted|resolved, note} ──> CaseProgressed   (resolved: the case leaves the hall)
//! ```

use super::event::Event;
use super::model::{ClerkId, MatterId, Rating, TicketId, TicketNumber, WindowId};
use super::rejection::Rejection;
use super::time::{Timestamp, MINUTE_MS};
use super::Hall;
use serde::{Deserialize, Serialize};

/// Longest note on a case step, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// Open cases the hall keeps at most; beyond it a new low rating still records its rating and the
/// oldest open case stays open, but no new case opens (the wall says so). Far above any hall's month.
pub const MAX_OPEN_CASES: usize = 1000;

/// How long each step may take, from the case's opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDeadlines {
    /// Someone is made responsible.
    pub assign_ms: i64,
    /// The citizen is contacted.
    pub contact_ms: i64,
    /// It is resolved.
    pub resolve_ms: i64,
}

impl Default for CaseDeadlines {
    /// Assigned within 2 hours, the citizen contacted within 1 day, resolved within 5 days.
    fn default() -> CaseDeadlines {
        CaseDeadlines {
            assign_ms: 120 * MINUTE_MS,
            contact_ms: 24 * 60 * MINUTE_MS,
            resolve_ms: 5 * 24 * 60 * MINUTE_MS,
        }
    }
}

/// When each step of a case is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDue {
    /// Assigned by.
    pub assign: Timestamp,
    /// Citizen contacted by.
    pub contact: Timestamp,
    /// Resolved by.
    pub resolve: Timestamp,
}

/// A step of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum CaseStep {
    /// Made someone's responsibility.
    Assigned {
        /// Who (a name or 工号, as the supervisor writes it).
        to: String,
    },
    /// The citizen was contacted.
    Contacted,
    /// Resolved; the note says how.
    Resolved,
}

/// An open case, as the hall keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Its number, from 1, never reused.
    pub id: u32,
    /// The rated ticket.
    pub ticket: TicketId,
    /// Its number, kept here because the ticket is forgotten long before the case closes.
    pub number: TicketNumber,
    /// Its matter when served.
    pub matter: MatterId,
    /// The window that served it.
    pub window: WindowId,
    /// The clerk signed in there when it was rated.
    pub clerk: Option<ClerkId>,
    /// The rating.
    pub rating: Rating,
    /// The reason chosen on the pad.
    pub reason: Option<String>,
    /// The citizen's comment.
    pub comment: Option<String>,
    /// When it opened.
    pub opened_at: Timestamp,
    /// When each step is due.
    pub due: CaseDue,
    /// Who it is assigned to.
    pub assigned_to: Option<String>,
    /// When the citizen was contacted.
    pub contacted_at: Option<Timestamp>,
}

impl Case {
    /// The steps past their due time at `now` and not done, by name (`assign`, `contact`, `resolve`).
    pub fn overdue(&self, now: Timestamp) -> Vec<&'static str> {
        let mut late = Vec::new();
        if self.assigned_to.is_none() && now > self.due.assign {
            late.push("assign");
        }
        if self.contacted_at.is_none() && now > self.due.contact {
            late.push("contact");
        }
        if now > self.due.resolve {
            late.push("resolve");
        }
        late
    }
}

/// Whether a rating is a 差评 and opens a case.
pub fn is_low(rating: Rating) -> bool {
    matches!(rating, Rating::Dissatisfied | Rating::VeryDissatisfied)
}

impl Hall {
    /// Open cases, oldest first.
    pub fn open_cases(&self) -> impl Iterator<Item = &Case> {
        self.cases.values()
    }

    /// The case a low rating of `ticket` opens now, if room is left.
    pub(crate) fn case_for(
        &self,
        ticket: TicketId,
        window: WindowId,
        rating: Rating,
        reason: Option<String>,
        comment: Option<String>,
        now: Timestamp,
    ) -> Option<Event> {
        let t = self.ticket(ticket)?;
        if !is_low(rating) || self.cases.len() >= MAX_OPEN_CASES {
            return None;
        }
        let d = self.config.rules.cases;
        Some(Event::CaseOpened {
            case: Case {
                id: self.next_case,
                ticket,
                number: self.number(t),
                matter: t.matter,
                window,
                clerk: self.window(window).and_then(|w| w.clerk),
                rating,
                reason,
                comment,
                opened_at: now,
                due: CaseDue {
                    assign: now.plus_ms(d.assign_ms),
                    contact: now.plus_ms(d.contact_ms),
                    resolve: now.plus_ms(d.resolve_ms),
                },
                assigned_to: None,
                contacted_at: None,
            },
        })
    }

    pub(super) fn decide_progress_case(
        &self,
        case: u32,
        step: &CaseStep,
        note: &str,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        let open = self.cases.get(&case).ok_or(Rejection::UnknownCase)?;
        if note.chars().count() > MAX_NOTE_CHARS || note.chars().any(char::is_control) {
            return Err(Rejection::BadText);
        }
        let done = match step {
            CaseStep::Assigned { to } => {
                if to.trim().is_empty() || to.chars().count() > 64 || to.chars().any(char::is_control) {
                    return Err(Rejection::BadText);
                }
                open.assigned_to.as_deref() == Some(to.trim())
            }
            CaseStep::Contacted => open.contacted_at.is_some(),
            // How it was resolved is the point of the record.
            CaseStep::Resolved if note.trim().is_empty() => return Err(Rejection::NoteRequired),
            CaseStep::Resolved => false,
        };
        if done {
            return Err(Rejection::CaseStepDone);
        }
        let step = match step {
            CaseStep::Assigned { to } => CaseStep::Assigned { to: to.trim().to_owned() },
            other => other.clone(),
        };
        Ok(vec![Event::CaseProgressed { case, step, note: note.trim().to_owned(), at: now }])
    }

    pub(super) fn apply_case(&mut self, event: &Event) {
        match event {
            Event::CaseOpened { case } => {
                self.next_case = self.next_case.max(case.id + 1);
                self.cases.insert(case.id, case.clone());
            }
            Event::CaseProgressed { case, step, at, .. } => match step {
                CaseStep::Resolved => {
                    self.cases.remove(case);
                }
                CaseStep::Assigned { to } => {
                    if let Some(c) = self.cases.get_mut(case) {
                        c.assigned_to = Some(to.clone());
                    }
                }
                CaseStep::Contacted => {
                    if let Some(c) = self.cases.get_mut(case) {
                        c.contacted_at = Some(*at);
                    }
                }
            },
            _ => {}
        }
    }
}
