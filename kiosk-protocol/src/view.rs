//! How a terminal keeps its [`HallView`] current: take a `snapshot` once (on connecting, or after a
//! gap in `seq`), then [`HallView::fold`] every event into it and [`HallView::set_estimates`] every
//! `estimates` message. Never ask for the whole hall again after an event: the events carry what the
//! view needs. The server keeps the view it sends with this same fold, and the web pages
//! (`engine/web/common.js`) with a line-by-line port of it; a property test checks the fold against
//! the view built from the engine's own state.

use crate::server::{CallView, HallView, HelpView, LockView, MatterEstimate, OpenTicketView, WindowView, WireEvent};
use crate::vocab::CaseStepKind;
use crate::vocab::{TicketState, WindowKind, WindowStatus};
use std::cmp::Ordering;

/// Calls a view keeps, newest first.
pub const RECENT_CALLS: usize = 8;
/// Waiting numbers listed per matter in [`crate::MatterView::queue`].
pub const QUEUE_SHOWN: usize = 10;
/// Help requests a view keeps, newest first.
pub const HELP_SHOWN: usize = 20;

/// The order of open tickets: issue time, then number (prefix, then sequence), so every terminal and
/// the server list them alike.
pub fn ticket_order(a: &OpenTicketView, b: &OpenTicketView) -> Ordering {
    a.issued_at.cmp(&b.issued_at).then_with(|| number_order(&a.ticket, &b.ticket))
}

/// `A009` before `A010` before `B001`.
fn number_order(a: &str, b: &str) -> Ordering {
    fn split(n: &str) -> (&str, u64) {
        let digits = n.trim_start_matches(|c: char| !c.is_ascii_digit());
        (&n[..n.len() - digits.len()], digits.parse::<u64>().unwrap_or(0))
    }
    split(a).cmp(&split(b))
}

impl HallView {
    /// Folds one event (with its `at`) into the view.
    pub fn fold(&mut self, event: &WireEvent, at: i64) {
        self.fold_unsettled(event, at);
        self.settle();
    }

    /// [`HallView::fold`] without [`HallView::settle`]: for folding many events, then settling once.
    pub fn fold_unsettled(&mut self, event: &WireEvent, at: i64) {
        use WireEvent as E;
        match event {
            E::DayOpened { date, windows } => {
                self.date = Some(date.clone());
                self.tickets.clear();
                self.recent_calls.clear();
                self.staffing_requests.clear();
                for w in &mut self.windows {
                    w.status = if w.kind == WindowKind::Standby { WindowStatus::Closed } else { WindowStatus::Open };
                    (w.current, w.current_since, w.clerk, w.paused, w.served_today) = (None, None, None, false, 0);
                    if let Some(layout) = windows.iter().find(|l| l.window == w.number) {
                        w.matters.clone_from(&layout.matters);
                    }
                }
            }
            E::TicketIssued { ticket, .. } => {
                self.insert(OpenTicketView {
                    ticket: ticket.number.clone(),
                    matter: ticket.matter.clone(),
                    issued_at: ticket.issued_at,
                    state: TicketState::Waiting,
                    window: None,
                });
            }
            E::TicketCancelled { ticket } | E::TicketEnded { ticket, .. } => {
                self.tickets.retain(|t| t.ticket != *ticket);
                for w in self.windows.iter_mut().filter(|w| w.current.as_ref() == Some(ticket)) {
                    (w.current, w.current_since) = (None, None);
                }
            }
            E::ClerkSignedIn { window, clerk } => {
                // Signed in: any lock of theirs is over.
                self.locked.retain(|l| l.clerk != *clerk);
                self.with_window(*window, |w| {
                    w.clerk = Some(clerk.clone());
                    w.paused = false;
                });
            }
            E::ClerkSignedOut { window } => self.with_window(*window, |w| {
                w.clerk = None;
                w.paused = false;
            }),
            E::WindowPaused { window } => self.with_window(*window, |w| w.paused = true),
            E::WindowResumed { window } => self.with_window(*window, |w| w.paused = false),
            E::TicketCalled { ticket, matter, window, issued_at, .. } => {
                if self.ticket_mut(ticket).is_none() {
                    // Called back by number after it ended (过号 then 特呼): open again.
                    let (ticket, matter) = (ticket.clone(), matter.clone());
                    self.insert(OpenTicketView {
                        ticket,
                        matter,
                        issued_at: *issued_at,
                        state: TicketState::Called,
                        window: None,
                    });
                }
                if let Some(t) = self.ticket_mut(ticket) {
                    (t.state, t.window, t.matter) = (TicketState::Called, Some(*window), matter.clone());
                }
                self.with_window(*window, |w| (w.current, w.current_since) = (Some(ticket.clone()), Some(at)));
                self.called(ticket, *window, at);
            }
            E::TicketRecalled { ticket, window, .. } => {
                self.with_window(*window, |w| w.current_since = Some(at));
                self.called(ticket, *window, at);
            }
            E::ServiceStarted { ticket, .. } => {
                if let Some(t) = self.ticket_mut(ticket) {
                    t.state = TicketState::Serving;
                }
            }
            E::ServiceFinished { ticket, window, matter, aht_ms, .. } => {
                self.tickets.retain(|t| t.ticket != *ticket);
                self.with_window(*window, |w| {
                    (w.current, w.current_since) = (None, None);
                    w.served_today += 1;
                });
                if let Some(m) = self.matters.iter_mut().find(|m| m.key == *matter) {
                    m.aht_ms = *aht_ms;
                }
            }
            E::TicketNoShow { ticket, window, requeued } => {
                self.with_window(*window, |w| (w.current, w.current_since) = (None, None));
                if *requeued {
                    self.wait(ticket, None);
                } else {
                    self.tickets.retain(|t| t.ticket != *ticket);
                }
            }
            E::TicketTransferred { ticket, from_window, matter, to_window, .. } => {
                self.with_window(*from_window, |w| (w.current, w.current_since) = (None, None));
                if let Some(t) = self.ticket_mut(ticket) {
                    t.matter.clone_from(matter);
                }
                self.wait(ticket, *to_window);
            }
            E::TicketHeld { ticket, window } => {
                self.with_window(*window, |w| (w.current, w.current_since) = (None, None));
                if let Some(t) = self.ticket_mut(ticket) {
                    (t.state, t.window) = (TicketState::Held, None);
                }
            }
            E::HeldTicketResumed { ticket, window } => self.wait(ticket, Some(*window)),
            E::WindowOpened { window, matters, .. } => {
                self.with_window(*window, |w| {
                    w.status = WindowStatus::Open;
                    w.matters.clone_from(matters);
                });
                self.staffing_requests.retain(|r| r.window != *window);
            }
            E::WindowClosed { window, .. } => {
                self.with_window(*window, |w| {
                    w.status = WindowStatus::Closed;
                    w.paused = false;
                });
                self.release(*window);
            }
            E::SkillsChanged { window, matters } => {
                self.with_window(*window, |w| w.matters.clone_from(matters));
                self.release(*window);
            }
            E::StaffingRequested { request } => {
                self.staffing_requests.retain(|r| r.window != request.window);
                self.staffing_requests.push(request.clone());
                let place = |n: u16| self.windows.iter().position(|w| w.number == n);
                let order: Vec<Option<usize>> = self.staffing_requests.iter().map(|r| place(r.window)).collect();
                let mut paired: Vec<_> = order.into_iter().zip(std::mem::take(&mut self.staffing_requests)).collect();
                paired.sort_by_key(|(p, _)| *p);
                self.staffing_requests = paired.into_iter().map(|(_, r)| r).collect();
            }
            E::StaffingWithdrawn { window } => self.staffing_requests.retain(|r| r.window != *window),
            E::HelpRequested { kiosk } => {
                self.help.insert(0, HelpView { kiosk: kiosk.clone(), at });
                self.help.truncate(HELP_SHOWN);
            }
            E::HelpAnswered { kiosk } => self.help.retain(|h| h.kiosk != *kiosk),
            E::NoticePosted { text } => self.notice.clone_from(text),
            E::IssuingStopped { matter } => {
                if !self.cut_off.contains(matter) {
                    self.cut_off.push(matter.clone());
                    let keys: Vec<&str> = self.matters.iter().map(|m| m.key.as_str()).collect();
                    self.cut_off.sort_by_key(|k| keys.iter().position(|m| *m == k));
                }
            }
            E::IssuingResumed { matter } => self.cut_off.retain(|m| m != matter),
            E::DayClosed {} => self.staffing_requests.clear(),
            E::LayoutChanged { matters, windows } => {
                self.matters.clone_from(matters);
                self.windows.clone_from(windows);
                let keys: Vec<&str> = matters.iter().map(|m| m.key.as_str()).collect();
                self.cut_off.retain(|m| keys.contains(&m.as_str()));
            }
            E::ClerkLocked { clerk, until, .. } => {
                self.locked.retain(|l| l.clerk != *clerk);
                self.locked.push(LockView { clerk: clerk.clone(), until: *until });
            }
            E::CaseOpened { case } => {
                self.cases.retain(|c| c.id != case.id);
                self.cases.push(case.clone());
            }
            E::CaseProgressed { case, step, to, .. } => match step {
                CaseStepKind::Resolved => self.cases.retain(|c| c.id != *case),
                CaseStepKind::Assigned => {
                    if let Some(c) = self.cases.iter_mut().find(|c| c.id == *case) {
                        c.assigned_to.clone_from(to);
                    }
                }
                CaseStepKind::Contacted => {
                    if let Some(c) = self.cases.iter_mut().find(|c| c.id == *case) {
                        c.contacted_at = Some(at);
                    }
                }
            },
            E::AppointmentBooked { .. }
            | E::AppointmentCancelled { .. }
            | E::AppointmentRescheduled { .. }
            | E::TicketRated { .. }
            | E::ClassConfirmed { .. }
            | E::Subscribed { .. }
            | E::MessageQueued { .. }
            | E::MessageSent { .. } => {}
        }
    }

    /// Takes the server's latest estimates.
    pub fn set_estimates(&mut self, estimates: &[MatterEstimate]) {
        for e in estimates {
            if let Some(m) = self.matters.iter_mut().find(|m| m.key == e.matter) {
                m.estimate = e.estimate;
            }
        }
    }

    /// Recomputes what follows from the tickets and windows: each window's status, each matter's
    /// queue, people waiting, longest wait and active windows. One pass over the open tickets.
    pub fn settle(&mut self) {
        for w in &mut self.windows {
            let open = w.status != WindowStatus::Closed;
            w.status = match (open, &w.current, w.paused) {
                (false, _, _) => WindowStatus::Closed,
                (true, Some(_), _) => WindowStatus::Serving,
                (true, None, true) => WindowStatus::Paused,
                (true, None, false) => WindowStatus::Open,
            };
        }
        for m in &mut self.matters {
            (m.waiting, m.oldest_issued_at) = (0, None);
            m.queue.clear();
            let active = |w: &&WindowView| {
                w.status != WindowStatus::Closed && !w.paused && w.clerk.is_some() && w.matters.contains(&m.key)
            };
            m.active_windows = self.windows.iter().filter(active).count() as u16;
        }
        for t in self.tickets.iter().filter(|t| t.state == TicketState::Waiting && t.window.is_none()) {
            let Some(m) = self.matters.iter_mut().find(|m| m.key == t.matter) else { continue };
            m.waiting += 1;
            // Tickets are in issue order: the first one seen waited longest.
            m.oldest_issued_at.get_or_insert(t.issued_at);
            if m.queue.len() < QUEUE_SHOWN {
                m.queue.push(t.ticket.clone());
            }
        }
    }

    fn with_window(&mut self, number: u16, change: impl FnOnce(&mut WindowView)) {
        if let Some(w) = self.windows.iter_mut().find(|w| w.number == number) {
            change(w);
        }
    }

    /// Adds an open ticket in its place.
    fn insert(&mut self, open: OpenTicketView) {
        let at = self.tickets.partition_point(|t| ticket_order(t, &open) != Ordering::Greater);
        self.tickets.insert(at, open);
    }

    fn ticket_mut(&mut self, number: &str) -> Option<&mut OpenTicketView> {
        self.tickets.iter_mut().find(|t| t.ticket == number)
    }

    /// The ticket waits again: for its matter, or for one window.
    fn wait(&mut self, ticket: &str, window: Option<u16>) {
        if let Some(t) = self.ticket_mut(ticket) {
            (t.state, t.window) = (TicketState::Waiting, window);
        }
    }

    /// Tickets waiting for a window that closed or no longer serves their matter go back to their
    /// matter (as the engine does).
    fn release(&mut self, number: u16) {
        let Some(w) = self.windows.iter().find(|w| w.number == number) else { return };
        let (open, matters) = (w.status != WindowStatus::Closed, w.matters.clone());
        for t in self.tickets.iter_mut() {
            if t.state == TicketState::Waiting && t.window == Some(number) && (!open || !matters.contains(&t.matter)) {
                t.window = None;
            }
        }
    }

    fn called(&mut self, ticket: &str, window: u16, at: i64) {
        self.recent_calls.retain(|c| c.ticket != ticket);
        self.recent_calls.insert(0, CallView { ticket: ticket.to_owned(), window, at });
        self.recent_calls.truncate(RECENT_CALLS);
    }
}
