//! The nouns of the hall: identifiers, matters, windows, clerks, tickets and their small enums.
//!
//! Identifiers are dense indices into the hall's configuration (matters, windows, clerks) or a
//! monotonic counter (tickets), so routing is array work. Names, ticket numbers like `A023` and
//! masked IDs are derived for people at the edges.

use super::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Index of a matter in the hall configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MatterId(pub u16);

/// Index of a window in the hall configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WindowId(pub u16);

/// Index of a clerk in the hall configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClerkId(pub u16);

/// A ticket's identity: a counter that never restarts and is never reused, not even across days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(pub u64);

/// The most matters one hall may define; a window's skills are a 64-bit set.
pub const MAX_MATTERS: usize = 64;

/// A set of matters (a window's skills), as a bit set over [`MatterId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MatterSet(pub u64);

impl MatterSet {
    /// The set of the given matters (ids past [`MAX_MATTERS`] cannot be members and are left out).
    pub fn of(matters: impl IntoIterator<Item = MatterId>) -> MatterSet {
        MatterSet(matters.into_iter().fold(0, |bits, m| bits | 1u64.checked_shl(u32::from(m.0)).unwrap_or(0)))
    }
    /// Adds `m` (ids past the set's capacity are ignored).
    pub fn insert(&mut self, m: MatterId) {
        if usize::from(m.0) < MAX_MATTERS {
            self.0 |= 1 << m.0;
        }
    }
    /// Removes `m`.
    pub fn remove(&mut self, m: MatterId) {
        if usize::from(m.0) < MAX_MATTERS {
            self.0 &= !(1 << m.0);
        }
    }
    /// Whether `m` is in the set.
    pub fn contains(self, m: MatterId) -> bool {
        usize::from(m.0) < MAX_MATTERS && self.0 & (1u64 << m.0) != 0
    }
    /// The number of matters in the set.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }
    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The matters in the set, in index order.
    pub fn iter(self) -> impl Iterator<Item = MatterId> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let m = bits.trailing_zeros() as u16;
                bits &= bits - 1;
                MatterId(m)
            })
        })
    }
}

pub use kiosk_protocol::vocab::{
    EndReason, GreenReason, Outcome, Rating, TicketClass, TicketState, WindowKind, WindowStatus, ELDERLY_AGE,
};

/// A keyed hash of a citizen's ID number: enough to enforce one ticket per ID per matter, useless to
/// anyone without the key. The shell computes it; the core only compares.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HolderKey(pub String);

/// A ticket number as people see it: the matter's prefix letter and the day's sequence, `A023`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TicketNumber {
    /// The prefix letter of the matter that issued the ticket.
    pub prefix: char,
    /// The sequence within that matter and day, from 1.
    pub seq: u32,
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:03}", self.prefix, self.seq)
    }
}

impl std::str::FromStr for TicketNumber {
    type Err = ();
    fn from_str(s: &str) -> Result<TicketNumber, ()> {
        let mut chars = s.chars();
        let prefix = chars.next().filter(char::is_ascii_uppercase).ok_or(())?;
        let digits = chars.as_str();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        let seq = digits.parse().map_err(|_| ())?;
        Ok(TicketNumber { prefix, seq })
    }
}

/// A ticket: one citizen's visit for one matter.
///
/// Every call and recall is an event in the log; the ticket keeps the counts and the times that
/// routing and reports need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// Identity.
    pub id: TicketId,
    /// The matter whose prefix and sequence give the number (a transfer does not renumber).
    pub issued_matter: MatterId,
    /// Sequence within `issued_matter` and the day.
    pub seq: u32,
    /// The matter it waits for now (changed by a transfer).
    pub matter: MatterId,
    /// Priority class.
    pub class: TicketClass,
    /// Why it is green channel, if it is.
    pub green: Option<GreenReason>,
    /// Issue time; a transfer keeps it.
    pub issued_at: Timestamp,
    /// The keyed ID hash, if an ID was given.
    pub holder: Option<HolderKey>,
    /// The appointment it was checked in for, if any.
    pub appointment: Option<String>,
    /// The kiosk that issued it, if known.
    pub source: Option<String>,
    /// A green channel asked for without an ID to prove it (自报), not yet seen to by a clerk.
    pub declared: bool,
    /// Where it is in its life.
    pub state: TicketState,
    /// The window it is at or was last at.
    pub window: Option<WindowId>,
    /// Number of calls (a recall counts here too).
    pub calls: u32,
    /// Number of recalls (重呼).
    pub recalls: u32,
    /// When it was first called: the end of its wait.
    pub first_called_at: Option<Timestamp>,
    /// When it was last called.
    pub called_at: Option<Timestamp>,
    /// When the current or last service started.
    pub service_started_at: Option<Timestamp>,
    /// Times it was a no-show.
    pub no_shows: u32,
    /// Times it was transferred.
    pub transfers: u32,
    /// How it ended, if it was served.
    pub outcome: Option<Outcome>,
    /// Why it ended without service, if so.
    pub end_reason: Option<EndReason>,
    /// Its rating, once given.
    pub rating: Option<Rating>,
    /// Whether, while waiting, it goes ahead of ordinary tickets (returning from hold or transfer).
    pub first: bool,
    /// The window it waits for specifically (transferred or resumed to that window).
    pub target_window: Option<WindowId>,
    /// Where it waits, while it waits.
    pub place: Option<super::queue::Place>,
}

/// A booked appointment (预约).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// The matter booked.
    pub matter: MatterId,
    /// Slot start.
    pub start: Timestamp,
    /// Slot end.
    pub end: Timestamp,
    /// The ticket it was checked in as, once checked in.
    pub ticket: Option<TicketId>,
    /// The booker's ID, hashed under the key of the booking's day (as a kiosk hashes it that day), for
    /// bookings from the online channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<HolderKey>,
    /// The booker's ID hashed under the month's history key, for the no-show rule across days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HolderKey>,
    /// The online channel's own key for the booking request (a repeat is no second booking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    /// Cancelled: kept for a lookup until the day passes, its place free.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}
