//! At the window: call, recall, serve, finish, no-show, transfer, hold, resume, rate.

use crate::command::TransferTo;
use crate::event::{CallReason, Event};
use crate::model::{Outcome, Rating, TicketId, TicketNumber, TicketState, WindowId};
use crate::rejection::Rejection;
use crate::routing;
use crate::time::Timestamp;
use crate::Hall;

impl Hall {
    /// A window that may call now: staffed, not paused, nothing called or in service.
    fn ready_to_call(&self, window: WindowId) -> Result<(), Rejection> {
        self.require_open_day()?;
        let state = self.staffed_window(window)?;
        if state.paused {
            return Err(Rejection::WindowPaused);
        }
        if state.current.is_some() {
            return Err(Rejection::WindowBusy);
        }
        Ok(())
    }

    pub(super) fn decide_call_next(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        self.ready_to_call(window)?;
        let (ticket, reason) = routing::choose(self, window, now).ok_or(Rejection::QueueEmpty)?;
        Ok(vec![Event::TicketCalled { ticket, window, reason, at: now }])
    }

    pub(super) fn decide_call_number(
        &self,
        window: WindowId,
        number: TicketNumber,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        self.ready_to_call(window)?;
        let ticket = self.ticket_by_number(number).ok_or(Rejection::UnknownTicket)?;
        // A no-show may come back later in the day; the clerk calls it by number (特呼).
        if !matches!(ticket.state, TicketState::Waiting | TicketState::NoShow) {
            return Err(Rejection::TicketState { state: ticket.state });
        }
        if !self.windows[usize::from(window.0)].skills.contains(ticket.matter) {
            return Err(Rejection::MatterNotServed);
        }
        Ok(vec![Event::TicketCalled { ticket: ticket.id, window, reason: CallReason::ByNumber, at: now }])
    }

    pub(super) fn decide_recall(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let ticket = self.current_ticket(window)?;
        if ticket.state != TicketState::Called {
            return Err(Rejection::TicketState { state: ticket.state });
        }
        Ok(vec![Event::TicketRecalled { ticket: ticket.id, window, recalls: ticket.recalls + 1, at: now }])
    }

    pub(super) fn decide_start(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let ticket = self.current_ticket(window)?;
        if ticket.state != TicketState::Called {
            return Err(Rejection::TicketState { state: ticket.state });
        }
        Ok(vec![Event::ServiceStarted { ticket: ticket.id, window, at: now }])
    }

    /// Finishing a ticket that was only called is allowed: a quick matter is often done before anyone
    /// presses "start"; its service time then counts from the call.
    pub(super) fn decide_finish(
        &self,
        window: WindowId,
        outcome: Outcome,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        let ticket = self.current_ticket(window)?;
        let started = match ticket.state {
            TicketState::Serving => ticket.service_started_at,
            _ => ticket.called_at,
        };
        let service_ms = started.map_or(0, |s| now.since(s));
        Ok(vec![Event::ServiceFinished { ticket: ticket.id, window, outcome, service_ms, at: now }])
    }

    pub(super) fn decide_no_show(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let ticket = self.current_ticket(window)?;
        if ticket.state != TicketState::Called {
            return Err(Rejection::TicketState { state: ticket.state });
        }
        let requeued = ticket.no_shows < self.config.rules.no_show_max_requeues;
        Ok(vec![Event::TicketNoShow { ticket: ticket.id, window, requeued, at: now }])
    }

    pub(super) fn decide_transfer(
        &self,
        window: WindowId,
        to: TransferTo,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        let ticket = self.current_ticket(window)?;
        let matter = match to.matter {
            Some(m) => self.matter(m).map(|_| m).ok_or(Rejection::UnknownMatter)?,
            None => ticket.matter,
        };
        if let Some(target) = to.window {
            let state = self.window_state(target)?;
            if !state.open {
                return Err(Rejection::WindowClosed);
            }
            if !state.skills.contains(matter) {
                return Err(Rejection::MatterNotServed);
            }
        }
        if matter == ticket.matter && to.window.is_none_or(|w| w == window) {
            return Err(Rejection::TransferUnchanged);
        }
        Ok(vec![Event::TicketTransferred {
            ticket: ticket.id,
            from_window: window,
            matter,
            to_window: to.window,
            first: to.first,
            at: now,
        }])
    }

    pub(super) fn decide_hold(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let ticket = self.current_ticket(window)?;
        if ticket.state != TicketState::Serving {
            return Err(Rejection::TicketState { state: ticket.state });
        }
        Ok(vec![Event::TicketHeld { ticket: ticket.id, window, at: now }])
    }

    pub(super) fn decide_resume_held(
        &self,
        window: WindowId,
        ticket: TicketId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        let state = self.staffed_window(window)?;
        let held = self.known_ticket(ticket)?;
        if held.state != TicketState::Held {
            return Err(Rejection::TicketState { state: held.state });
        }
        if !state.skills.contains(held.matter) {
            return Err(Rejection::MatterNotServed);
        }
        Ok(vec![Event::HeldTicketResumed { ticket, window, at: now }])
    }

    pub(super) fn decide_rate(
        &self,
        window: WindowId,
        ticket: TicketId,
        rating: Rating,
        reason: Option<String>,
        comment: Option<String>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        self.window_state(window)?;
        let comment = comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
        if comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > crate::cases::MAX_NOTE_CHARS || c.chars().any(char::is_control))
        {
            return Err(Rejection::BadText);
        }
        let served = self.known_ticket(ticket)?;
        if served.state != TicketState::Done {
            return Err(Rejection::TicketState { state: served.state });
        }
        if served.window != Some(window) {
            return Err(Rejection::NotServedHere);
        }
        if served.rating.is_some() {
            return Err(Rejection::AlreadyRated);
        }
        let case = self.case_for(ticket, window, rating, reason.clone(), comment.clone(), now);
        Ok(std::iter::once(Event::TicketRated { ticket, window, rating, reason, comment, at: now })
            .chain(case)
            .collect())
    }
}
