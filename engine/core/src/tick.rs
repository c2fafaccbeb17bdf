//! `Hall::tick`: what happens because time passed, not because anyone asked.
//!
//! Like a raft node's `tick`, the shell calls it at a fixed cadence ([`TICK_EVERY_MS`]): the server's
//! writer on its one-second timer, the simulator on its virtual clock. So the policy the simulator
//! measures is the one that runs in a hall. On each tick:
//!
//! 1. **Day rollover**: a new local date (or no day yet) opens the new business day, closing yesterday
//!    if it was left open. Nothing else happens on that tick; the next one sees the new day.
//! 2. Every tick, while the day is open: the **messages** due (到号提醒, see `notify.rs`).
//! 3. Every [`REVIEW_EVERY_MS`], while the day is open: the **capacity cut-off** (限号) is rechecked
//!    per matter ([`Event::IssuingStopped`] / [`Event::IssuingResumed`] when it changes), and the
//!    **staffing review** runs (see `staffing.rs`), at most one change per review.
//!
//! The events are returned, not applied: the caller stores them and then applies them, as it does
//! `decide`'s. The tick itself only remembers when it next reviews ([`Cadence`], not hall state: a
//! replayed hall equals the live one whatever its timers).

use super::event::Event;
use super::model::{MatterId, TicketClass};
use super::staffing::StaffingMode;
use super::time::Timestamp;
use super::Hall;

/// How often the shell calls [`Hall::tick`]: once a second.
pub const TICK_EVERY_MS: i64 = 1_000;

/// How often a tick reviews staffing and the cut-off. Each review runs the wait estimate for every
/// matter with a queue; staffing moves in minutes, and ten seconds keeps a year of simulated days
/// affordable while reacting well inside a citizen's patience.
pub const REVIEW_EVERY_MS: i64 = 10_000;

/// When the tick next reviews. Timers are not hall state: every cadence compares equal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cadence {
    review_at: Option<Timestamp>,
}

impl PartialEq for Cadence {
    fn eq(&self, _: &Cadence) -> bool {
        true
    }
}

impl Hall {
    /// What happens at `now` because time passed: the events to store and then apply.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Event> {
        let (today, _) = now.local(self.config.utc_offset_min);
        if self.day.is_none_or(|d| d.date < today) {
            if self.is_business_day(today) {
                return self.decide_open_day(today, now).unwrap_or_default();
            }
            // A holiday or weekend: yesterday ends if it was left open; no day opens.
            return match self.day {
                Some(day) if !day.closed => self.closing_events(now),
                _ => Vec::new(),
            };
        }
        if self.require_open_day().is_ok() && self.close_due(now) {
            // Past the last service with every ticket served: the day closes by itself.
            return self.closing_events(now);
        }
        let open = self.require_open_day().is_ok();
        // Messages every tick: a citizen walking back to the hall needs every second.
        let mut events = if open { self.due_messages(now) } else { Vec::new() };
        if self.ticks.review_at.is_some_and(|at| now < at) {
            return events;
        }
        self.ticks.review_at = Some(now.plus_ms(REVIEW_EVERY_MS));
        if !open {
            return events;
        }
        events.extend(self.cut_off_changes(now));
        if self.config.rules.staffing.mode != StaffingMode::Off {
            events.extend(self.decide_review_staffing(now).unwrap_or_default());
        }
        events
    }

    /// Matters whose cut-off changed since the last check.
    fn cut_off_changes(&self, now: Timestamp) -> Vec<Event> {
        (0..self.config.matters.len())
            .map(|m| MatterId(m as u16))
            .filter_map(|matter| {
                let cut = self.cut_off(matter, TicketClass::Normal, now);
                match (cut, self.cut_off.contains(matter)) {
                    (true, false) => Some(Event::IssuingStopped { matter, at: now }),
                    (false, true) => Some(Event::IssuingResumed { matter, at: now }),
                    _ => None,
                }
            })
            .collect()
    }
}
