//! The online channel's work on the writer (docs/api.md): reads are answered from the hall as it
//! stands, writes become core commands (the ID number hashed here, at the edge, and dropped), and
//! every answer is the booking as the hall then has it.
//!
//! ```text
//! api.rs ─ Work::Booking ─> writer ─ step ─┬─ Answer(json)              (availability, look-up)
//!                                          └─ Command ─ decide/apply ─ answer(json)
//! ```

use crate::auth::IdKeys;
use crate::core::{Appointment, Command, Date, Hall, MatterId, Rejection, Timestamp};
use crate::identity;
use crate::wire::WireError;
use kiosk_protocol::ErrorCode;
use rand::Rng;
use serde_json::{json, Value};

/// Booking codes: 8 characters without look-alikes (no 0/O, 1/I/L): about 40 bits.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LEN: usize = 8;

/// What the online channel asks.
#[derive(Debug, Clone)]
pub enum BookingWork {
    /// The slots of a day.
    Availability {
        /// Matter key.
        matter: String,
        /// The day.
        date: Date,
    },
    /// Book a slot.
    Book {
        /// The online channel's key for this request.
        client_key: String,
        /// Matter key.
        matter: String,
        /// The day.
        date: Date,
        /// Slot start, local minutes.
        start_min: u32,
        /// The citizen's ID number (hashed at once, never kept).
        id_number: String,
    },
    /// A booking by its code.
    LookUp {
        /// Booking code.
        code: String,
    },
    /// Cancel a booking.
    Cancel {
        /// Booking code.
        code: String,
    },
    /// Move a booking.
    Reschedule {
        /// Booking code.
        code: String,
        /// The new day.
        date: Date,
        /// New slot start, local minutes.
        start_min: u32,
        /// The citizen's ID number, needed to move to another day.
        id_number: Option<String>,
    },
}

/// What the writer does with it.
pub enum Step {
    /// Answer at once: nothing changes.
    Answer(Value),
    /// Decide this command; then [`answer`].
    Command(Command),
}

fn matter(hall: &Hall, key: &str) -> Result<MatterId, WireError> {
    hall.config().matter_by_key(key).ok_or_else(|| Rejection::UnknownMatter.into())
}

fn checked_id(raw: &str) -> Result<&str, WireError> {
    identity::birth_date(raw)
        .map(|_| raw)
        .map_err(|e| WireError { code: ErrorCode::InvalidIdNumber, message: format!("ID number refused: {e:?}") })
}

/// The command or answer for `work` at `now`.
pub fn step(hall: &Hall, work: &BookingWork, keys: &IdKeys, now: Timestamp) -> Result<Step, WireError> {
    let offset = hall.config().utc_offset_min;
    let (today, _) = now.local(offset);
    Ok(match work {
        BookingWork::Availability { matter: key, date } => {
            let slots = hall.booking_slots(matter(hall, key)?, *date, now)?;
            let slots: Vec<Value> = slots
                .iter()
                .map(|s| {
                    json!({"start": hhmm(s.start_min), "end": hhmm(s.end_min), "start_ms": s.start.0,
                           "end_ms": s.end.0, "capacity": s.capacity, "booked": s.booked, "available": s.available})
                })
                .collect();
            Step::Answer(json!({"matter": key, "date": date.to_string(), "closed": slots.is_empty(), "slots": slots}))
        }
        BookingWork::LookUp { code } => {
            let a = hall.appointments().get(code).ok_or(Rejection::UnknownAppointment)?;
            Step::Answer(view(hall, code, a, now))
        }
        BookingWork::Book { client_key, matter: key, date, start_min, id_number } => {
            let raw = checked_id(id_number)?;
            Step::Command(Command::BookOnline {
                code: new_code(hall),
                matter: matter(hall, key)?,
                start: date.at_minute(*start_min, offset),
                holder: keys.hash(raw, *date),
                history: keys.history_hashes(raw, today),
                client_key: client_key.clone(),
            })
        }
        BookingWork::Cancel { code } => Step::Command(Command::CancelAppointment { code: code.clone() }),
        BookingWork::Reschedule { code, date, start_min, id_number } => {
            let holder = match id_number {
                Some(raw) => Some(keys.hash(checked_id(raw)?, *date)),
                None => None,
            };
            Step::Command(Command::RescheduleAppointment {
                code: code.clone(),
                start: date.at_minute(*start_min, offset),
                holder,
            })
        }
    })
}

/// The booking a decided `command` was about, as the hall now has it.
pub fn answer(hall: &Hall, command: &Command, now: Timestamp) -> Option<Value> {
    let (code, a) = match command {
        // A repeat of a request finds the booking its client key made.
        Command::BookOnline { client_key, .. } => {
            hall.appointments().iter().find(|(_, a)| a.client_key.as_deref() == Some(client_key.as_str()))?
        }
        Command::CancelAppointment { code } | Command::RescheduleAppointment { code, .. } => {
            (code, hall.appointments().get(code)?)
        }
        _ => return None,
    };
    Some(view(hall, code, a, now))
}

/// A booking as the API shows it: never the ID's hash or the client key.
fn view(hall: &Hall, code: &str, a: &Appointment, now: Timestamp) -> Value {
    let offset = hall.config().utc_offset_min;
    let ((date, start), (_, end)) = (a.start.local(offset), a.end.local(offset));
    let grace = hall.config().rules.appointment_grace_ms;
    let state = if a.cancelled {
        "cancelled"
    } else if a.ticket.is_some() {
        "checked_in"
    } else if a.end.plus_ms(grace) < now {
        "missed"
    } else {
        "booked"
    };
    json!({"code": code, "matter": hall.config().matter(a.matter).key, "date": date.to_string(),
           "start": hhmm(start), "end": hhmm(end), "start_ms": a.start.0, "end_ms": a.end.0, "state": state})
}

fn hhmm(minute: u32) -> String {
    crate::core::time::format_hhmm(minute)
}

/// A booking code no booking has.
fn new_code(hall: &Hall) -> String {
    let mut rng = rand::rng();
    loop {
        let code: String =
            (0..CODE_LEN).map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())])).collect();
        if !hall.appointments().contains_key(&code) {
            return code;
        }
    }
}
