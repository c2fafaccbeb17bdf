//! Where waiting tickets wait: ordered lanes per matter and per window.
//!
//! Each matter has four lanes in routing order (returning, appointment, green, normal); each window has
//! one lane for tickets sent to it specifically. A lane is a `BTreeMap` from [`QueueKey`] to ticket, so
//! the head is found in O(log n) and any ticket leaves in O(log n) when cancelled. A ticket remembers its
//! [`Place`], so nothing is ever searched for.

use super::model::{TicketId, WindowId};
use super::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound::{Excluded, Unbounded};

/// A ticket's position in a lane: ordered by `pos`, then `ord`.
///
/// `pos` is the issue time for ordinary and green lanes (so a transfer keeps its place in time), the slot
/// start for appointments, and the time of return for returning and targeted lanes. `ord` breaks ties:
/// each ticket owns the slot `[id · SPACING, (id + 1) · SPACING)` and is placed at its base; a no-show
/// re-queued behind another ticket takes a point strictly inside that ticket's slot, halving the room
/// left each time. So no two tickets ever share a key, and a ticket placed at its own time always sorts
/// after tickets of the same millisecond placed behind earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QueueKey {
    /// Primary order, in milliseconds (see the type's documentation).
    pub pos: i64,
    /// Tie-break within one `pos`.
    pub ord: u64,
}

/// Room each ticket owns for re-queued tickets placed right behind it: 24 halvings.
const SPACING: u64 = 1 << 24;

impl QueueKey {
    /// A ticket's key at its own position.
    pub fn own(pos: i64, id: TicketId) -> QueueKey {
        QueueKey { pos, ord: id.0.saturating_mul(SPACING) }
    }
}

/// Which lane a ticket waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LaneKind {
    /// Sent to one window (transfer to a window, or a resumed hold).
    Targeted(WindowId),
    /// One of the lanes of the ticket's matter.
    Matter(MatterLane),
}

/// The lanes every matter has, in routing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MatterLane {
    /// Returning from hold or transfer, flagged to go first.
    Returning,
    /// Checked-in appointments, by slot start.
    Appointment,
    /// Green channel, by issue time.
    Green,
    /// Everyone else, by issue time.
    Normal,
}

impl MatterLane {
    /// Every lane, in routing order.
    pub const ALL: [MatterLane; 4] =
        [MatterLane::Returning, MatterLane::Appointment, MatterLane::Green, MatterLane::Normal];
}

/// Where a waiting ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Place {
    /// The lane (a matter's lane belongs to the ticket's matter).
    pub lane: LaneKind,
    /// Its key there.
    pub key: QueueKey,
}

/// One ordered lane.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lane(BTreeMap<QueueKey, TicketId>);

impl Lane {
    /// The first ticket, with its key.
    pub fn head(&self) -> Option<(QueueKey, TicketId)> {
        self.0.first_key_value().map(|(k, t)| (*k, *t))
    }
    /// Tickets in order.
    pub fn iter(&self) -> impl Iterator<Item = (QueueKey, TicketId)> + '_ {
        self.0.iter().map(|(k, t)| (*k, *t))
    }
    /// Number of tickets.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether the lane is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub(crate) fn insert(&mut self, key: QueueKey, ticket: TicketId) {
        self.0.insert(key, ticket);
    }
    pub(crate) fn remove(&mut self, key: &QueueKey) {
        self.0.remove(key);
    }
    /// The key that puts `id` behind the first `places` tickets (or last, if fewer wait), or in front
    /// of everyone for 0 places. `own_pos` is its own position, used when the lane is empty.
    pub fn key_behind(&self, places: u32, id: TicketId, own_pos: i64) -> QueueKey {
        let Some(nth) = (places as usize).checked_sub(1) else {
            let pos = self.head().map_or(own_pos, |(k, _)| k.pos.min(own_pos)) - 1;
            return QueueKey::own(pos, id);
        };
        let Some(mut anchor) = self.0.keys().nth(nth).or(self.0.keys().next_back()).copied() else {
            return QueueKey::own(own_pos, id);
        };
        let following: Vec<QueueKey> =
            self.0.range((Excluded(anchor), Unbounded)).map(|(k, _)| *k).take_while(|k| k.pos == anchor.pos).collect();
        for next in following.into_iter().map(Some).chain(std::iter::once(None)) {
            // Stay inside the anchor's own slot, so no other ticket's key can ever be taken.
            let slot_end = (anchor.ord / SPACING).saturating_add(1).saturating_mul(SPACING);
            let bound = next.map_or(slot_end, |n| n.ord.min(slot_end));
            if bound - anchor.ord >= 2 {
                return QueueKey { pos: anchor.pos, ord: anchor.ord + (bound - anchor.ord) / 2 };
            }
            // No room left behind this one (24 re-queues behind one ticket): one place further.
            match next {
                Some(n) => anchor = n,
                None => break,
            }
        }
        QueueKey { pos: anchor.pos.saturating_add(1), ord: id.0.saturating_mul(SPACING) }
    }
}

/// The waiting tickets of one matter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MatterQueues {
    /// Returning from hold or transfer, first.
    pub returning: Lane,
    /// Checked-in appointments.
    pub appointment: Lane,
    /// Green channel.
    pub green: Lane,
    /// Ordinary tickets.
    pub normal: Lane,
    /// Every ticket in the four lanes by issue time, for the starvation guard.
    pub by_issue: BTreeSet<(Timestamp, TicketId)>,
}

impl MatterQueues {
    /// Number of tickets waiting in this matter's lanes.
    pub fn len(&self) -> usize {
        self.by_issue.len()
    }
    /// Whether nobody waits.
    pub fn is_empty(&self) -> bool {
        self.by_issue.is_empty()
    }
    /// The lane of that kind.
    pub(crate) fn lane_mut(&mut self, kind: MatterLane) -> &mut Lane {
        match kind {
            MatterLane::Returning => &mut self.returning,
            MatterLane::Appointment => &mut self.appointment,
            MatterLane::Green => &mut self.green,
            MatterLane::Normal => &mut self.normal,
        }
    }
    /// The lane of that kind, read-only.
    pub fn lane(&self, kind: MatterLane) -> &Lane {
        match kind {
            MatterLane::Returning => &self.returning,
            MatterLane::Appointment => &self.appointment,
            MatterLane::Green => &self.green,
            MatterLane::Normal => &self.normal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane(ids: &[u64]) -> Lane {
        let mut lane = Lane::default();
        for &id in ids {
            lane.insert(QueueKey::own(id as i64 * 1000, TicketId(id)), TicketId(id));
        }
        lane
    }

    #[test]
    fn key_behind_places_exactly_n_tickets_ahead() {
        let mut l = lane(&[1, 2, 3, 4, 5]);
        let key = l.key_behind(2, TicketId(9), 0);
        l.insert(key, TicketId(9));
        let order: Vec<u64> = l.iter().map(|(_, t)| t.0).collect();
        assert_eq!(order, vec![1, 2, 9, 3, 4, 5]);
        // Behind a re-queued ticket too.
        let key = l.key_behind(3, TicketId(10), 0);
        l.insert(key, TicketId(10));
        let order: Vec<u64> = l.iter().map(|(_, t)| t.0).collect();
        assert_eq!(order, vec![1, 2, 9, 10, 3, 4, 5]);
    }

    #[test]
    fn key_behind_holds_when_tickets_share_a_millisecond() {
        let mut l = Lane::default();
        for id in 1..=6 {
            l.insert(QueueKey::own(5_000, TicketId(id)), TicketId(id));
        }
        // Re-queue 24 tickets, each 2 places behind the head: every one lands exactly there.
        for id in 100..124 {
            let key = l.key_behind(2, TicketId(id), 5_000);
            l.insert(key, TicketId(id));
            let ahead = l.iter().take_while(|(_, t)| t.0 != id).count();
            assert_eq!(ahead, 2, "ticket {id}");
        }
        // Past 24 behind one ticket the room is spent: placement moves back, but no key is ever shared.
        for id in 124..400 {
            let key = l.key_behind(2, TicketId(id), 5_000);
            l.insert(key, TicketId(id));
            assert!(l.iter().take_while(|(_, t)| t.0 != id).count() >= 2);
        }
        assert_eq!(l.len(), 6 + 300, "no key was ever shared");
    }

    #[test]
    fn key_behind_a_short_lane_goes_last_and_zero_goes_first() {
        let mut l = lane(&[1, 2]);
        let key = l.key_behind(5, TicketId(9), 0);
        l.insert(key, TicketId(9));
        let key = l.key_behind(0, TicketId(10), 1_500);
        l.insert(key, TicketId(10));
        let order: Vec<u64> = l.iter().map(|(_, t)| t.0).collect();
        assert_eq!(order, vec![10, 1, 2, 9]);
        assert_eq!(Lane::default().key_behind(3, TicketId(1), 77).pos, 77);
    }
}
