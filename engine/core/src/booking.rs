//! Online booking (预约, issue 16): the slots of a day and their places (号源), booking, cancelling and
//! rescheduling through the province's online channel, and the no-show rule that blocks an ID.
//!
//! ```text
//! hours, lunch, calendar ─> the day's slots (slot_min steps) ─ per matter: booking_per_slot places,
//!                                                               less bookings, within the daily cap
//! BookOnline ─ slot real? started? places? ID blocked? ─> AppointmentBooked { holder, client_key }
//! day closes ─> that day's bookings never checked in count as missed for their ID (apply)
//! ```
//!
//! Pure like the rest of the core: the shell makes the booking code and the ID's keyed hash.

use super::event::Event;
use super::model::{HolderKey, MatterId};
use super::rejection::Rejection;
use super::time::{Date, Timestamp, MINUTE_MS};
use super::Hall;
use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// The online channel's rules (`[booking]` in the hall config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRules {
    /// Slot length in minutes; slots start at opening time.
    pub slot_min: u32,
    /// Bookable days: today and this many days after it.
    pub days_ahead: u32,
    /// This many missed bookings ...
    pub missed_limit: u32,
    /// ... within this many days ...
    pub missed_within_days: u32,
    /// ... block the ID from booking for this many days after the last one.
    pub block_days: u32,
}

impl Default for BookingRules {
    fn default() -> BookingRules {
        BookingRules { slot_min: 30, days_ahead: 7, missed_limit: 3, missed_within_days: 30, block_days: 30 }
    }
}

/// One bookable slot of a day for one matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Local minute it starts.
    pub start_min: u32,
    /// Local minute it ends.
    pub end_min: u32,
    /// Its start.
    pub start: Timestamp,
    /// Its end.
    pub end: Timestamp,
    /// Places configured (`booking_per_slot`).
    pub capacity: u32,
    /// Places taken (cancelled bookings free theirs).
    pub booked: u32,
    /// Places left, the day's cap included.
    pub available: u32,
}

impl Hall {
    /// The slots of `date` for `matter`, as the online channel sees them at `now`: empty on a day the
    /// hall is closed. Refused for a matter not bookable online and for a date before today or past
    /// `days_ahead`.
    pub fn booking_slots(&self, matter: MatterId, date: Date, now: Timestamp) -> Result<Vec<Slot>, Rejection> {
        let capacity = self.bookable(matter)?;
        let offset = self.config.utc_offset_min;
        let (today, _) = now.local(offset);
        let ahead = date.to_days() - today.to_days();
        if ahead < 0 || ahead > i64::from(self.config.rules.booking.days_ahead) {
            return Err(Rejection::DateOutOfRange);
        }
        let Some(hours) = self.config.hours else { return Ok(Vec::new()) };
        if !self.is_business_day(date) {
            return Ok(Vec::new());
        }
        let step = self.config.rules.booking.slot_min.max(1);
        let day_left = self.day_left(matter, date, None);
        let mut slots = Vec::new();
        let mut start_min = hours.open_min;
        while start_min + step <= hours.close_min {
            let end_min = start_min + step;
            let in_lunch = hours.lunch.is_some_and(|(from, to)| start_min < to && end_min > from);
            if !in_lunch {
                let (start, end) = (date.at_minute(start_min, offset), date.at_minute(end_min, offset));
                let booked = self.booked_in(matter, start, None);
                let mut available = capacity.saturating_sub(booked);
                if let Some(left) = day_left {
                    available = available.min(left);
                }
                if start <= now {
                    available = 0;
                }
                slots.push(Slot { start_min, end_min, start, end, capacity, booked, available });
            }
            start_min = end_min;
        }
        Ok(slots)
    }

    /// Places per slot for `matter`, if it is bookable online.
    fn bookable(&self, matter: MatterId) -> Result<u32, Rejection> {
        let spec = self.config.matters.get(usize::from(matter.0)).filter(|m| !m.retired);
        spec.ok_or(Rejection::UnknownMatter)?.booking_per_slot.ok_or(Rejection::NotBookable)
    }

    /// Bookings of `matter` in the slot starting at `start`, not cancelled, other than `except`.
    fn booked_in(&self, matter: MatterId, start: Timestamp, except: Option<&str>) -> u32 {
        let count = self
            .appointments
            .iter()
            .filter(|(code, a)| a.matter == matter && a.start == start && !a.cancelled && Some(code.as_str()) != except)
            .count();
        count as u32
    }

    /// Bookings of `matter` on `date`, not cancelled, other than `except`.
    fn booked_on(&self, matter: MatterId, date: Date, except: Option<&str>) -> u32 {
        let offset = self.config.utc_offset_min;
        let count = self
            .appointments
            .iter()
            .filter(|(code, a)| {
                a.matter == matter && !a.cancelled && a.start.local(offset).0 == date && Some(code.as_str()) != except
            })
            .count();
        count as u32
    }

    /// Until when an ID may not book, given its hashes under every history key still kept:
    /// `missed_limit` misses within `missed_within_days` block it for `block_days` after the last.
    pub fn booking_blocked_until(&self, history: &[HolderKey], now: Timestamp) -> Option<Timestamp> {
        let rules = self.config.rules.booking;
        let missed: Vec<Timestamp> = history.iter().filter_map(|h| self.missed.get(h)).flatten().copied().collect();
        let within = now.plus_ms(-i64::from(rules.missed_within_days) * DAY_MS);
        let last = *missed.iter().max()?;
        let until = last.plus_ms(i64::from(rules.block_days) * DAY_MS);
        let recent = missed.iter().filter(|at| **at >= within).count();
        (rules.missed_limit > 0 && recent >= rules.missed_limit as usize && until > now).then_some(until)
    }

    /// The slot of `matter` starting at `start`, if `start` is a slot of its day that has places left
    /// (not counting the booking `except`, when rescheduling one).
    fn free_slot(
        &self,
        matter: MatterId,
        start: Timestamp,
        except: Option<&str>,
        now: Timestamp,
    ) -> Result<Slot, Rejection> {
        let (date, minute) = start.local(self.config.utc_offset_min);
        let slots = self.booking_slots(matter, date, now)?;
        let slot =
            slots.into_iter().find(|s| s.start_min == minute && s.start == start).ok_or(Rejection::NoSuchSlot)?;
        if slot.start <= now {
            return Err(Rejection::NoSuchSlot);
        }
        let capacity = self.bookable(matter)?;
        if self.booked_in(matter, start, except) >= capacity {
            return Err(Rejection::SlotFull);
        }
        if self.day_left(matter, date, except) == Some(0) {
            return Err(Rejection::SlotFull);
        }
        Ok(slot)
    }

    /// What the daily cap leaves of `date` for bookings of `matter` (other than `except`): the cap is
    /// shared by its bookings and, on the day itself, the tickets already issued. `None`: no cap.
    fn day_left(&self, matter: MatterId, date: Date, except: Option<&str>) -> Option<u32> {
        let issued =
            if Some(date) == self.day.map(|d| d.date) { self.matters[usize::from(matter.0)].issued_today } else { 0 };
        let cap = self.config.matter(matter).daily_cap?;
        Some(cap.saturating_sub(self.booked_on(matter, date, except)).saturating_sub(issued))
    }

    /// `BookOnline`: a booking from the online channel. The same `client_key` again is no change (the
    /// shell answers with the booking it made); with other details it is refused.
    pub(crate) fn decide_book_online(
        &self,
        code: &str,
        matter: MatterId,
        start: Timestamp,
        (holder, history): (&HolderKey, &[HolderKey]),
        client_key: &str,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        if code.is_empty()
            || code.len() > super::decide::issue::MAX_CODE_LEN
            || client_key.is_empty()
            || client_key.len() > 64
        {
            return Err(Rejection::BadText);
        }
        if let Some((_, a)) = self.appointments.iter().find(|(_, a)| a.client_key.as_deref() == Some(client_key)) {
            return if a.matter == matter && a.start == start && a.holder.as_ref() == Some(holder) {
                Ok(Vec::new())
            } else {
                Err(Rejection::KeyReused)
            };
        }
        if self.appointments.contains_key(code) {
            return Err(Rejection::AppointmentExists);
        }
        if self.booking_blocked_until(history, now).is_some() {
            return Err(Rejection::BookingBlocked);
        }
        let slot = self.free_slot(matter, start, None, now)?;
        let date = start.local(self.config.utc_offset_min).0;
        if self.holds_booking(holder, matter, date, None) {
            return Err(Rejection::AlreadyBooked);
        }
        Ok(vec![Event::AppointmentBooked {
            code: code.to_owned(),
            matter,
            start: slot.start,
            end: slot.end,
            holder: Some(holder.clone()),
            history: history.first().cloned(),
            client_key: Some(client_key.to_owned()),
        }])
    }

    /// Whether `holder` has a live booking for `matter` on `date`, other than `except`.
    fn holds_booking(&self, holder: &HolderKey, matter: MatterId, date: Date, except: Option<&str>) -> bool {
        let offset = self.config.utc_offset_min;
        self.appointments.iter().any(|(code, a)| {
            a.holder.as_ref() == Some(holder)
                && a.matter == matter
                && !a.cancelled
                && a.start.local(offset).0 == date
                && Some(code.as_str()) != except
        })
    }

    /// `CancelAppointment`: its place is free again. A checked-in booking is refused.
    pub(crate) fn decide_cancel_appointment(&self, code: &str, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let a = self.appointments.get(code).filter(|a| !a.cancelled).ok_or(Rejection::UnknownAppointment)?;
        if a.ticket.is_some() {
            return Err(Rejection::AppointmentUsed);
        }
        Ok(vec![Event::AppointmentCancelled { code: code.to_owned(), at: now }])
    }

    /// `RescheduleAppointment`: the same booking at another slot (of the same matter), checked as a new
    /// booking would be. A booking from the online channel moved to another day needs the ID's hash
    /// under that day's key (`holder`), which a kiosk will compare on the day.
    pub(crate) fn decide_reschedule(
        &self,
        code: &str,
        start: Timestamp,
        holder: Option<&HolderKey>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        let a = self.appointments.get(code).filter(|a| !a.cancelled).ok_or(Rejection::UnknownAppointment)?;
        if a.ticket.is_some() {
            return Err(Rejection::AppointmentUsed);
        }
        let slot = self.free_slot(a.matter, start, Some(code), now)?;
        let offset = self.config.utc_offset_min;
        let date = start.local(offset).0;
        let same_day = a.start.local(offset).0 == date;
        let holder = if same_day { None } else { holder };
        if a.holder.is_some() && !same_day && holder.is_none() {
            return Err(Rejection::IdRequired);
        }
        if holder.or(a.holder.as_ref()).is_some_and(|h| self.holds_booking(h, a.matter, date, Some(code))) {
            return Err(Rejection::AlreadyBooked);
        }
        Ok(vec![Event::AppointmentRescheduled {
            code: code.to_owned(),
            start: slot.start,
            end: slot.end,
            holder: holder.cloned(),
            at: now,
        }])
    }

    /// As the day `date` closes: its bookings never checked in (nor cancelled) count as missed for their
    /// ID (by its history hash); misses older than the rule looks back are forgotten.
    pub(crate) fn count_missed(&mut self, date: Date, at: Timestamp) {
        let offset = self.config.utc_offset_min;
        let missed: Vec<(HolderKey, Timestamp)> = self
            .appointments
            .values()
            .filter(|a| a.ticket.is_none() && !a.cancelled && a.start.local(offset).0 == date)
            .filter_map(|a| a.history.clone().map(|h| (h, a.start)))
            .collect();
        for (holder, start) in missed {
            self.missed.entry(holder).or_default().push(start);
        }
        let rules = self.config.rules.booking;
        let keep = i64::from(rules.missed_within_days.max(rules.block_days)) * DAY_MS;
        let oldest = at.plus_ms(-keep);
        self.missed.retain(|_, starts| {
            starts.retain(|s| *s >= oldest);
            !starts.is_empty()
        });
    }
}
