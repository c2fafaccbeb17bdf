//! Tickets in and out: issue at a kiosk, appointments booked and checked in, cancellation.

use crate::command::Holder;
use crate::config::{PerId, RealName};
use crate::event::Event;
use crate::model::{Appointment, GreenReason, HolderKey, MatterId, TicketClass, TicketId, TicketState, ELDERLY_AGE};
use crate::rejection::Rejection;
use crate::time::Timestamp;
use crate::Hall;

/// Longest appointment code accepted.
pub(crate) const MAX_CODE_LEN: usize = 64;

impl Hall {
    pub(super) fn decide_issue(
        &self,
        matter: MatterId,
        green: Option<GreenReason>,
        holder: Option<&Holder>,
        source: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        self.require_open_day()?;
        let state = self.matter(matter).ok_or(Rejection::UnknownMatter)?;
        self.require_hours(matter, now)?;
        if self.config.matter(matter).daily_cap.is_some_and(|cap| state.issued_today >= cap) {
            return Err(Rejection::DailyCapReached);
        }
        let spec = self.config.matter(matter);
        let holder = match spec.real_name {
            RealName::Required if holder.is_none() => return Err(Rejection::IdRequired),
            // A matter that takes no ID keeps none.
            RealName::Off => None,
            _ => holder,
        };
        if let Some(holder) = holder {
            let key = (matter, holder.key.clone());
            if self.holders.contains_key(&key) || (spec.per_id == PerId::Day && self.day_holders.contains(&key)) {
                return Err(Rejection::DuplicateHolder);
            }
            if green == Some(GreenReason::Elderly) {
                let today = self.day.map(|d| d.date);
                let age = holder.birth_date.zip(today).map(|(born, today)| born.years_until(today));
                if age.is_some_and(|age| age < ELDERLY_AGE) {
                    return Err(Rejection::GreenNotEligible);
                }
            }
        }
        let class = if green.is_some() { TicketClass::Green } else { TicketClass::Normal };
        if self.cut_off(matter, class, now) {
            return Err(Rejection::CapacityReached);
        }
        Ok(vec![Event::TicketIssued {
            ticket: TicketId(self.next_ticket),
            matter,
            seq: state.issued_today + 1,
            class,
            green,
            holder: holder.map(|h| h.key.clone()),
            appointment: None,
            source: source.map(str::to_owned),
            // A green channel without an ID to prove it: the clerk confirms or downgrades it (自报).
            declared: green.is_some() && holder.is_none(),
            printed: None,
            at: now,
        }])
    }

    pub(super) fn decide_book(
        &self,
        code: &str,
        matter: MatterId,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        if code.is_empty() || code.len() > MAX_CODE_LEN {
            return Err(Rejection::BadText);
        }
        self.matter(matter).ok_or(Rejection::UnknownMatter)?;
        if end <= start {
            return Err(Rejection::AppointmentSlotInvalid);
        }
        if self.appointments.contains_key(code) {
            return Err(Rejection::AppointmentExists);
        }
        Ok(vec![Event::AppointmentBooked {
            code: code.to_owned(),
            matter,
            start,
            end,
            holder: None,
            history: None,
            client_key: None,
        }])
    }

    pub(super) fn decide_check_in(
        &self,
        code: &str,
        source: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        self.require_open_day()?;
        let appointment = self.appointments.get(code).ok_or(Rejection::UnknownAppointment)?;
        if appointment.cancelled {
            return Err(Rejection::AppointmentCancelled);
        }
        if appointment.ticket.is_some() {
            return Err(Rejection::AppointmentUsed);
        }
        let today = self.day.map(|d| d.date);
        if Some(appointment.start.local(self.config.utc_offset_min).0) != today {
            return Err(Rejection::AppointmentNotToday);
        }
        let grace = self.config.rules.appointment_grace_ms;
        let on_time = now >= appointment.start.plus_ms(-grace) && now <= appointment.end.plus_ms(grace);
        if !on_time {
            // Outside the slot it is an ordinary ticket, so it follows the ordinary rules.
            self.require_hours(appointment.matter, now)?;
        }
        // The daily cap does not refuse a booked appointment: its capacity was promised when it was
        // booked. It still counts toward the day's tickets.
        let state = self.matter(appointment.matter).ok_or(Rejection::UnknownMatter)?;
        Ok(vec![Event::TicketIssued {
            ticket: TicketId(self.next_ticket),
            matter: appointment.matter,
            seq: state.issued_today + 1,
            class: if on_time { TicketClass::Appointment } else { TicketClass::Normal },
            green: None,
            holder: None,
            appointment: Some(code.to_owned()),
            source: source.map(str::to_owned),
            declared: false,
            printed: None,
            at: now,
        }])
    }

    /// The code of today's booking made with `holder` that is not yet checked in, the earliest slot
    /// first; `AppointmentUsed` if every one is.
    pub(super) fn todays_booking(&self, holder: &HolderKey) -> Result<String, Rejection> {
        self.require_open_day()?;
        let today = self.day.map(|d| d.date);
        let mine: Vec<(&String, &Appointment)> = self
            .appointments
            .iter()
            .filter(|(_, a)| {
                a.holder.as_ref() == Some(holder)
                    && !a.cancelled
                    && Some(a.start.local(self.config.utc_offset_min).0) == today
            })
            .collect();
        let waiting = mine.iter().filter(|(_, a)| a.ticket.is_none()).min_by_key(|(code, a)| (a.start, code.as_str()));
        match waiting {
            Some((code, _)) => Ok((*code).clone()),
            None if mine.is_empty() => Err(Rejection::NoBookingToday),
            None => Err(Rejection::AppointmentUsed),
        }
    }

    pub(super) fn decide_cancel(
        &self,
        ticket: TicketId,
        by: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        let t = self.known_ticket(ticket)?;
        if by.is_some() && t.source.as_deref() != by {
            return Err(Rejection::NotYourTicket);
        }
        match t.state {
            TicketState::Waiting | TicketState::Held => Ok(vec![Event::TicketCancelled { ticket, at: now }]),
            state => Err(Rejection::TicketState { state }),
        }
    }

    /// Refuses outside the hours `matter` is issued (opening hours, or a shift of a window serving it).
    fn require_hours(&self, matter: MatterId, now: Timestamp) -> Result<(), Rejection> {
        let (_, minute) = now.local(self.config.utc_offset_min);
        if self.issues_at(matter, minute) {
            Ok(())
        } else {
            Err(Rejection::OutsideHours)
        }
    }
}
