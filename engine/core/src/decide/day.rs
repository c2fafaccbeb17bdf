//! Opening and closing the business day.

use crate::event::Event;
use crate::model::{EndReason, TicketState};
use crate::rejection::Rejection;
use crate::time::{Date, Timestamp};
use crate::Hall;

impl Hall {
    pub(crate) fn decide_open_day(&self, date: Date, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let mut events = Vec::new();
        if let Some(day) = self.day {
            if day.date >= date {
                return Err(Rejection::DayAlreadyOpen);
            }
            // Yesterday was never closed (the hall ran through midnight): close it now, so no ticket
            // of another day lingers in today's queues.
            if !day.closed {
                events = self.closing_events(now);
            }
        }
        events.push(Event::DayOpened { date, at: now });
        Ok(events)
    }

    /// A day opened ahead of the true date is ended (its tickets closed, as at any day's end) and the
    /// true date opened. Only a day ahead of `date` can be corrected: a past day is never reopened.
    pub(super) fn decide_correct_date(&self, date: Date, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let Some(day) = self.day else { return Err(Rejection::DayNotOpen) };
        if day.date <= date {
            return Err(Rejection::DayAlreadyOpen);
        }
        let mut events = if day.closed { Vec::new() } else { self.closing_events(now) };
        events.push(Event::DayOpened { date, at: now });
        Ok(events)
    }

    pub(super) fn decide_close_day(&self, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        self.require_open_day()?;
        Ok(self.closing_events(now))
    }

    /// Every open ticket ends, every clerk signs out, then the day closes.
    pub(crate) fn closing_events(&self, at: Timestamp) -> Vec<Event> {
        let mut events: Vec<Event> = self
            .tickets
            .values()
            .filter_map(|t| {
                let reason = match t.state {
                    TicketState::Waiting => EndReason::DayClosedWaiting,
                    TicketState::Called | TicketState::Serving => EndReason::DayClosedAtWindow,
                    TicketState::Held => EndReason::DayClosedHeld,
                    _ => return None,
                };
                Some(Event::TicketEnded { ticket: t.id, reason, at })
            })
            .collect();
        events.extend(
            self.windows
                .iter()
                .enumerate()
                .filter(|(_, w)| w.clerk.is_some())
                .map(|(i, _)| Event::ClerkSignedOut { window: crate::WindowId(i as u16), at }),
        );
        events.push(Event::DayClosed { at });
        events
    }
}
