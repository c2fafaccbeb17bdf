//! Where waiting tickets wait: ordered lanes per matter and per window.
//!
//! Each matter has four lanes in routing order (returning, appointment, green, normal); each window has
//! one lane for tickets sent to it specifically. A lane is a `BTreeMap` from [`QueueKey`] to ticket, so
//! the head is found in O(log n) and any ticket leaves in O(log n) when cancelled. A ticket remembers its
//! [`Place`], so nothing is ever searched for.

use super::model::{TicketId, WindowId};
use super::time::Timestamp;
use std::collections::{BTreeMap, BTreeSet};

/// A ticket's position in a lane: ordered by `pos`, then `after`, then ticket id.
///
/// `pos` is the issue time for ordinary and green lanes (so a transfer keeps its place in time), the slot
/// start for appointments, and the time of return for returning and targeted lanes. A no-show re-queued
/// N places back borrows the `pos` of the N-th ticket and sorts just after it through `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueKey {
    /// Primary order, in milliseconds (see the type's documentation).
    pub pos: i64,
    /// 0 for a ticket placed at its own time; one more than the ticket it was placed behind otherwise.
    pub after: u32,
    /// Last tie-break: the ticket's id.
    pub id: u64,
}

/// Which lane a ticket waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LaneKind {
    /// Sent to one window (transfer to a window, or a resumed hold).
    Targeted(WindowId),
    /// One of the lanes of the ticket's matter.
    Matter(MatterLane),
}

/// The lanes every matter has, in routing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// Where a waiting ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// The key that puts `id` behind the first `places` tickets (or last, if there are fewer).
    pub fn key_behind(&self, places: u32, id: TicketId, fallback_pos: i64) -> QueueKey {
        // The N-th ticket, or the last one when fewer wait.
        let ahead =
            (places as usize).checked_sub(1).and_then(|nth| self.0.keys().nth(nth).or(self.0.keys().next_back()));
        match ahead {
            Some(k) => QueueKey { pos: k.pos, after: k.after + 1, id: id.0 },
            None if places == 0 => {
                // Straight to the front: sort before the current head.
                let pos = self.head().map_or(fallback_pos, |(k, _)| k.pos.min(fallback_pos));
                QueueKey { pos: pos - 1, after: 0, id: id.0 }
            }
            None => QueueKey { pos: fallback_pos, after: 0, id: id.0 },
        }
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
            lane.insert(QueueKey { pos: id as i64 * 1000, after: 0, id }, TicketId(id));
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
