//! `call next`: which waiting ticket a window takes.
//!
//! Tiers, first match wins:
//! 0. the starvation guard: a ticket past the hall's maximum wait, the longest-waiting first;
//! 1. tickets sent to this very window, then tickets returning from hold or transfer;
//! 2. appointments inside their slot (a green-channel window takes green tickets before these);
//! 3. green channel;
//! 4. ordinary tickets, by the configured [`Policy`] (`fifo`, `relative_wait` or `backlog`);
//! 5. appointments checked in early, when nobody else is waiting.
//!
//! Within a lane the head is taken; across a window's matters lanes are compared by key (issue time
//! for green and ordinary tickets), so only heads are ever looked at: O(skills · log n).

use super::config::Policy;
use super::event::CallReason;
use super::model::{MatterId, TicketId, WindowId, WindowKind};
use super::queue::{MatterLane, QueueKey};
use super::time::Timestamp;
use super::Hall;

/// The ticket `window` should call now and why, or `None` if nothing it may serve is waiting.
pub fn choose(hall: &Hall, window: WindowId, now: Timestamp) -> Option<(TicketId, CallReason)> {
    let state = hall.window(window)?;
    let skills = state.skills;

    if let Some((ticket, wait_ms)) = starving(hall, window, now) {
        return Some((ticket, CallReason::MaxWait { wait_ms }));
    }
    if let Some((_, ticket)) = state.targeted.head() {
        return Some((ticket, CallReason::Targeted));
    }
    if let Some(ticket) = first_head(hall, skills.iter(), MatterLane::Returning, |_| true) {
        return Some((ticket, CallReason::Returning));
    }
    let in_slot = |key: QueueKey| key.pos <= now.0;
    let green_window = hall.config.window(window).kind == WindowKind::GreenChannel;
    if green_window {
        if let Some(ticket) = first_head(hall, skills.iter(), MatterLane::Green, |_| true) {
            return Some((ticket, CallReason::Green));
        }
    }
    if let Some(ticket) = first_head(hall, skills.iter(), MatterLane::Appointment, in_slot) {
        return Some((ticket, CallReason::Appointment));
    }
    if let Some(ticket) = first_head(hall, skills.iter(), MatterLane::Green, |_| true) {
        return Some((ticket, CallReason::Green));
    }
    if let Some(found) = by_policy(hall, window, now) {
        return Some(found);
    }
    first_head(hall, skills.iter(), MatterLane::Appointment, |_| true).map(|t| (t, CallReason::EarlyAppointment))
}

/// The longest-waiting ticket this window may take, if it waited past the maximum.
fn starving(hall: &Hall, window: WindowId, now: Timestamp) -> Option<(TicketId, i64)> {
    let state = hall.window(window)?;
    let max_wait = hall.config.rules.max_wait_ms;
    let from_matters =
        state.skills.iter().filter_map(|m| hall.matters[usize::from(m.0)].queues.by_issue.first().copied());
    let from_targeted = state.targeted.iter().filter_map(|(_, t)| hall.ticket(t).map(|t| (t.issued_at, t.id)));
    from_matters
        .chain(from_targeted)
        .min()
        .map(|(issued_at, ticket)| (ticket, now.since(issued_at)))
        .filter(|(_, wait)| *wait > max_wait)
}

/// The lowest-keyed head among the matters' lanes of one kind that passes `eligible`.
fn first_head(
    hall: &Hall,
    matters: impl Iterator<Item = MatterId>,
    kind: MatterLane,
    eligible: impl Fn(QueueKey) -> bool,
) -> Option<TicketId> {
    matters
        .filter_map(|m| hall.matters[usize::from(m.0)].queues.lane(kind).head())
        .filter(|(key, _)| eligible(*key))
        .min()
        .map(|(_, ticket)| ticket)
}

/// Tier 4: the ordinary ticket the hall's policy prefers.
fn by_policy(hall: &Hall, window: WindowId, now: Timestamp) -> Option<(TicketId, CallReason)> {
    let skills = hall.window(window)?.skills;
    let policy = hall.config.rules.policy;
    let candidates = skills.iter().filter_map(|m| {
        let (key, ticket) = hall.matters[usize::from(m.0)].queues.normal.head()?;
        let issued_at = hall.ticket(ticket)?.issued_at;
        // This window is the only one calling for the matter if it is active and counted alone.
        let protected = hall.matters[usize::from(m.0)].active_windows <= 1 && hall.is_active(window);
        let state = &hall.matters[usize::from(m.0)];
        Some(Candidate {
            matter: m,
            key,
            ticket,
            wait_ms: now.since(issued_at),
            target_ms: hall.config.matter(m).target_wait_ms,
            protected,
            // Waiting tickets per active window, per minute of handling time and per minute of target:
            // a window serves the queue that depends on it most, quick matters and tight targets a
            // little sooner.
            backlog: state.queues.len() as f64
                / (f64::from(state.active_windows.max(1))
                    * state.aht_ms.max(1.0)
                    * hall.config.matter(m).target_wait_ms.max(1) as f64),
        })
    });
    let best = match policy {
        Policy::Fifo => candidates.min_by_key(|c| c.key),
        Policy::OwnMatterFirst => {
            let home = hall.config.window(window).home;
            candidates.min_by_key(|c| (Some(c.matter) != home, c.key))
        }
        Policy::Backlog => candidates.max_by(|a, b| a.backlog.total_cmp(&b.backlog).then_with(|| b.key.cmp(&a.key))),
        Policy::RelativeWait => {
            candidates.max_by(|a, b| a.score().total_cmp(&b.score()).then_with(|| b.key.cmp(&a.key)))
        }
    }?;
    let reason = CallReason::Policy {
        policy,
        wait_ms: best.wait_ms,
        target_ms: best.target_ms,
        protected: best.protected && policy == Policy::RelativeWait,
    };
    Some((best.ticket, reason))
}

struct Candidate {
    matter: MatterId,
    key: QueueKey,
    ticket: TicketId,
    wait_ms: i64,
    target_ms: i64,
    protected: bool,
    backlog: f64,
}

impl Candidate {
    /// Wait relative to target; a matter only this window serves counts double, so its queue is
    /// not left to grow while the window serves matters others can take.
    fn score(&self) -> f64 {
        let relative = self.wait_ms as f64 / self.target_ms as f64;
        if self.protected {
            2.0 * relative
        } else {
            relative
        }
    }
}
