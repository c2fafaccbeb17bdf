//! The hall's calendar: which dates are business days (weekdays, public holidays, and the weekend
//! workdays that replace them, 调休), the lunch break, and per-window shifts (延时服务 past closing,
//! 错时服务 through lunch). Pure: dates and minutes in, answers out; the tick opens and closes days by it,
//! issuing follows it, and estimates step over the lunch break.
//!
//! ```text
//! date ─ workdays? yes ─> open │ holidays? yes ─> closed │ weekdays[weekday] ─> open / closed
//! ```

use super::config::Hours;
use super::model::MatterId;
use super::time::{Date, Timestamp};
use super::Hall;
use std::collections::BTreeSet;

/// Public holidays and 调休 workdays, from the State Council's notice, updated by the hall each year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Dates the hall is closed although their weekday is a business day.
    pub holidays: BTreeSet<Date>,
    /// Dates the hall is open although their weekday is not (调休).
    pub workdays: BTreeSet<Date>,
}

/// Monday = 0 … Sunday = 6.
pub fn weekday(date: Date) -> usize {
    // 1970-01-01 was a Thursday.
    (date.to_days() + 3).rem_euclid(7) as usize
}

impl Hall {
    /// Whether the hall opens on `date`. Without opening hours, every day.
    pub fn is_business_day(&self, date: Date) -> bool {
        let Some(hours) = self.config.hours else { return true };
        let calendar = &self.config.calendar;
        if calendar.workdays.contains(&date) {
            return true;
        }
        !calendar.holidays.contains(&date) && hours.weekdays[weekday(date)]
    }

    /// Whether kiosks issue `matter` at local minute `minute`: within opening hours (the lunch break
    /// included: people queue for the afternoon, and their estimate says so), or within the shift of a
    /// window in service that serves it (延时服务 / 错时服务).
    pub(crate) fn issues_at(&self, matter: MatterId, minute: u32) -> bool {
        let Some(hours) = self.config.hours else { return true };
        (hours.open_min..hours.close_min).contains(&minute)
            || self.shifts_serving(matter).any(|(from, to)| (from..to).contains(&minute))
    }

    /// The shifts of the windows in service that serve `matter`.
    fn shifts_serving(&self, matter: MatterId) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.config.windows.iter().filter(move |w| !w.retired && w.skills.contains(matter)).filter_map(|w| w.shift)
    }

    /// The minute from which no kiosk issues any matter (closing time, or the latest shift's end);
    /// `None` without opening hours.
    pub(crate) fn issuing_ends(&self) -> Option<u32> {
        let hours = self.config.hours?;
        let shifts = self.config.windows.iter().filter(|w| !w.retired).filter_map(|w| w.shift);
        Some(shifts.map(|(_, to)| to).fold(hours.close_min, u32::max))
    }

    /// The last minute of service for `matter` today: closing time, or a later shift's end.
    pub(crate) fn service_ends(&self, hours: &Hours, matter: MatterId) -> u32 {
        self.shifts_serving(matter).map(|(_, to)| to).fold(hours.close_min, u32::max)
    }

    /// A wait of `wait_ms` of service from `now`, as a wall-clock wait: the lunch break, when no
    /// window in service works through it, adds its length to any wait that reaches it.
    pub(crate) fn across_breaks(&self, now: Timestamp, wait_ms: i64) -> i64 {
        let Some(Hours { lunch: Some((from, to)), .. }) = self.config.hours else { return wait_ms };
        let covered =
            self.config.windows.iter().any(|w| !w.retired && w.shift.is_some_and(|(s, e)| s <= from && e >= to));
        if covered {
            return wait_ms;
        }
        let (date, _) = now.local(self.config.utc_offset_min);
        let (start, end) =
            (date.at_minute(from, self.config.utc_offset_min), date.at_minute(to, self.config.utc_offset_min));
        let done = now.plus_ms(wait_ms);
        if now >= end || done <= start {
            wait_ms
        } else if now >= start {
            // Asked during the break: service resumes at its end.
            end.since(now) + wait_ms
        } else {
            wait_ms + end.since(start)
        }
    }

    /// Whether the tick closes the day by itself at `now`: past the last service of every matter (closing
    /// time, extension and shifts), with no ticket left open.
    pub(crate) fn close_due(&self, now: Timestamp) -> bool {
        let Some(hours) = self.config.hours else { return false };
        let (_, minute) = now.local(self.config.utc_offset_min);
        let last = (0..self.config.matters.len())
            .map(|m| self.service_ends(&hours, MatterId(m as u16)))
            .fold(hours.close_min + hours.extension_min.unwrap_or(0), u32::max);
        // A hall open until midnight closes with the date change, as one without hours does.
        last < 24 * 60 && minute >= last && self.tickets.values().all(|t| t.state.is_ended())
    }
}
