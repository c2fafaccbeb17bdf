//! `call next`: which waiting ticket a window takes, and the one ranking that decides it.
//!
//! [`rank`] is the only place the routing policy lives: the live `call next` ([`choose`]) and the wait
//! estimate's walk (`estimate.rs`, which runs the hall forward on copies of the queues) both hand it the
//! heads of the lanes a window may take from and take what it picks. A property test checks that the
//! walk's first pick is what `call next` would choose, for every policy.
//!
//! Tiers, first match wins:
//! 0. the starvation guard: the longest-waiting ticket the window may take, if past the hall's maximum
//!    wait (wherever it waits in its lane);
//! 1. tickets sent to this very window, then tickets returning from hold or transfer;
//! 2. appointments inside their slot (a green-channel window takes green tickets before these);
//! 3. green channel;
//! 4. ordinary tickets, by the configured [`Policy`] (`fifo`, `relative_wait`, `backlog` or
//!    `own_matter_first`);
//! 5. appointments checked in early, when nobody else is waiting.
//!
//! Within a lane the head is taken; across a window's matters heads are compared by key (issue time
//! for green and ordinary tickets), so only heads are ever looked at: O(skills · log n).

use super::event::CallReason;
use super::model::{MatterId, TicketId, WindowId, WindowKind};
use super::queue::{MatterLane, QueueKey};
use super::time::Timestamp;
use super::Hall;
use serde::{Deserialize, Serialize};

/// The routing policy for the ordinary tier of `call next`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Earliest issue time among the tickets the window may serve: the baseline.
    Fifo,
    /// Largest wait relative to the matter's target; a window that is the only open one serving a
    /// matter weighs that matter's queue double.
    RelativeWait,
    /// The matter with the most waiting tickets per active window, per minute of its average handling
    /// time and per minute of its target wait: a window serves the queue that depends on it most,
    /// quick matters and tight targets a little sooner (the cµ idea); the starvation guard bounds the
    /// wait of slow ones. While a closed standby window could still open for its matter, a ticket
    /// past [`LATE_SHARE`] of its target is called first (the latest against its target): the
    /// staffing review plans windows so that tickets are called within their targets, and this keeps
    /// that promise to the slow matter the index passes over, instead of the review opening a window
    /// for it. With fixed windows, or all of them open, it is off: there it would only make more
    /// tickets late. The default: on
    /// `chain-24` it beats both `fifo` and own-matter-first, and on `hall-day-800` and
    /// `hall-day-800-real` it meets every goal (docs/policies.md).
    #[default]
    Backlog,
    /// A window takes its own matter (the first it lists) first, then the others in issue order:
    /// the specialist-first rule halls use before any tuning; a baseline for comparisons.
    OwnMatterFirst,
}

impl Policy {
    /// Every policy, for listings and `--policy` parsing.
    pub const ALL: [Policy; 4] = [Policy::Fifo, Policy::RelativeWait, Policy::Backlog, Policy::OwnMatterFirst];

    /// The name used in config files, scenarios and call reasons.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Fifo => "fifo",
            Policy::RelativeWait => "relative_wait",
            Policy::Backlog => "backlog",
            Policy::OwnMatterFirst => "own_matter_first",
        }
    }

    /// The policy with this name; `default` names the engine's default.
    pub fn from_name(name: &str) -> Option<Policy> {
        if name == "default" {
            return Some(Policy::default());
        }
        Policy::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Where a head waits: a window's own lane, or one of its matter's lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadLane {
    /// Sent to this very window.
    Targeted,
    /// One of the matter's lanes.
    Matter(MatterLane),
}

/// The first ticket of one lane a window may take from: what the ranking looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Its lane.
    pub lane: HeadLane,
    /// Its matter (the ticket's current matter).
    pub matter: MatterId,
    /// Its key in the lane (`pos` is the slot start for appointments).
    pub key: QueueKey,
    /// The ticket.
    pub ticket: TicketId,
    /// When it was issued: waits and the starvation guard count from here.
    pub issued_at: Timestamp,
}

/// Which ticket the ranking picked: the oldest waiting one (the starvation guard), or one of the heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The `oldest` ticket passed in.
    Oldest,
    /// `heads[i]`.
    Head(usize),
}

/// The ticket `window` should call now and why, or `None` if nothing it may serve is waiting.
pub fn choose(hall: &Hall, window: WindowId, now: Timestamp) -> Option<(TicketId, CallReason)> {
    let mut found = Vec::new();
    heads(hall, window, &mut found);
    let oldest = oldest(hall, window);
    let len = |m: MatterId| hall.matters[usize::from(m.0)].queues.len();
    let (pick, reason) = rank(hall, window, oldest.map(|(issued, _)| issued), &found, &len, now)?;
    let ticket = match pick {
        Pick::Oldest => oldest?.1,
        Pick::Head(i) => found[i].ticket,
    };
    Some((ticket, reason))
}

/// The longest-waiting ticket `window` may take, in any of its lanes (not only at a head).
fn oldest(hall: &Hall, window: WindowId) -> Option<(Timestamp, TicketId)> {
    let state = hall.window(window)?;
    let from_matters =
        state.skills.iter().filter_map(|m| hall.matters[usize::from(m.0)].queues.by_issue.first().copied());
    let from_targeted = state.targeted.iter().filter_map(|(_, t)| hall.ticket(t).map(|t| (t.issued_at, t.id)));
    from_matters.chain(from_targeted).min()
}

/// The heads of every lane `window` may take from, in the live hall.
fn heads(hall: &Hall, window: WindowId, out: &mut Vec<Head>) {
    let Some(state) = hall.window(window) else { return };
    let issued = |t: TicketId| hall.ticket(t).map(|t| (t.issued_at, t.matter));
    if let Some((key, ticket)) = state.targeted.head() {
        if let Some((issued_at, matter)) = issued(ticket) {
            out.push(Head { lane: HeadLane::Targeted, matter, key, ticket, issued_at });
        }
    }
    for matter in state.skills.iter() {
        let queues = &hall.matters[usize::from(matter.0)].queues;
        for lane in MatterLane::ALL {
            if let Some((key, ticket)) = queues.lane(lane).head() {
                if let Some((issued_at, _)) = issued(ticket) {
                    out.push(Head { lane: HeadLane::Matter(lane), matter, key, ticket, issued_at });
                }
            }
        }
    }
}

/// The one ranking: which ticket `window` calls at `at`, and why: the oldest (issued at `oldest`: the
/// longest-waiting ticket the window may take, wherever it waits) if it waited past the hall's
/// maximum, else one of
/// `heads` (the lane heads the window may take from). `queue_len` is a matter's waiting tickets as the
/// caller sees them (the live hall, or the estimate's walk part-way through); everything else comes
/// from the hall.
pub fn rank(
    hall: &Hall,
    window: WindowId,
    oldest: Option<Timestamp>,
    heads: &[Head],
    queue_len: &dyn Fn(MatterId) -> usize,
    at: Timestamp,
) -> Option<(Pick, CallReason)> {
    if let Some(wait_ms) = oldest.map(|issued| at.since(issued)).filter(|w| *w > hall.config.rules.max_wait_ms) {
        return Some((Pick::Oldest, CallReason::MaxWait { wait_ms }));
    }
    rank_heads(hall, window, heads, queue_len, at).map(|(i, reason)| (Pick::Head(i), reason))
}

/// Tiers 1–5 over the lane heads.
fn rank_heads(
    hall: &Hall,
    window: WindowId,
    heads: &[Head],
    queue_len: &dyn Fn(MatterId) -> usize,
    at: Timestamp,
) -> Option<(usize, CallReason)> {
    let indexed = || heads.iter().enumerate();
    let in_lane = |lane: HeadLane| indexed().filter(move |(_, h)| h.lane == lane);
    let first_by_key =
        |it: &mut dyn Iterator<Item = (usize, &Head)>| it.min_by_key(|(_, h)| (h.key, h.ticket)).map(|(i, _)| i);

    if let Some(i) = first_by_key(&mut in_lane(HeadLane::Targeted)) {
        return Some((i, CallReason::Targeted));
    }
    if let Some(i) = first_by_key(&mut in_lane(HeadLane::Matter(MatterLane::Returning))) {
        return Some((i, CallReason::Returning));
    }
    let green = HeadLane::Matter(MatterLane::Green);
    if hall.config.window(window).kind == WindowKind::GreenChannel {
        if let Some(i) = first_by_key(&mut in_lane(green)) {
            return Some((i, CallReason::Green));
        }
    }
    let appointment = HeadLane::Matter(MatterLane::Appointment);
    if let Some(i) = first_by_key(&mut in_lane(appointment).filter(|(_, h)| h.key.pos <= at.0)) {
        return Some((i, CallReason::Appointment));
    }
    if let Some(i) = first_by_key(&mut in_lane(green)) {
        return Some((i, CallReason::Green));
    }
    if let Some(found) = by_policy(hall, window, heads, queue_len, at) {
        return Some(found);
    }
    first_by_key(&mut in_lane(appointment)).map(|i| (i, CallReason::EarlyAppointment))
}

/// Tier 4: the ordinary ticket the hall's policy prefers.
fn by_policy(
    hall: &Hall,
    window: WindowId,
    heads: &[Head],
    queue_len: &dyn Fn(MatterId) -> usize,
    at: Timestamp,
) -> Option<(usize, CallReason)> {
    let policy = hall.config.rules.policy;
    let candidates =
        heads.iter().enumerate().filter(|(_, h)| h.lane == HeadLane::Matter(MatterLane::Normal)).map(|(i, h)| {
            let state = &hall.matters[usize::from(h.matter.0)];
            let target_ms = hall.config.matter(h.matter).target_wait_ms;
            Candidate {
                index: i,
                matter: h.matter,
                order: (h.key, h.ticket),
                wait_ms: at.since(h.issued_at),
                target_ms,
                // This window is the only one calling for the matter if it is active and counted alone.
                protected: state.active_windows <= 1 && hall.is_active(window),
                // Waiting tickets per active window, per minute of handling time and per minute of
                // target: a window serves the queue that depends on it most, quick matters and tight
                // targets a little sooner.
                backlog: queue_len(h.matter) as f64
                    / (f64::from(state.active_windows.max(1)) * state.aht_ms.max(1.0) * target_ms.max(1) as f64),
            }
        });
    // Ties go to the earlier key, so every policy is a total order.
    let best = match policy {
        Policy::Fifo => candidates.min_by_key(|c| c.order),
        Policy::OwnMatterFirst => {
            let home = hall.config.window(window).home;
            candidates.min_by_key(|c| (Some(c.matter) != home, c.order))
        }
        Policy::Backlog => {
            // A closed standby window for the matter is asked only of a late ticket, which is rare:
            // the walk ranks thousands of times.
            let (late, busiest) = candidates.fold((None, None), |(late, busiest), c| {
                let late = if c.relative() >= LATE_SHARE && hall.standby_for(c.matter, &[]).is_some() {
                    larger(late, c, Candidate::relative)
                } else {
                    late
                };
                (late, larger(busiest, c, |c| c.backlog))
            });
            late.or(busiest)
        }
        Policy::RelativeWait => candidates.fold(None, |best, c| larger(best, c, Candidate::score)),
    }?;
    let reason = CallReason::Policy {
        policy,
        wait_ms: best.wait_ms,
        target_ms: best.target_ms,
        protected: best.protected && policy == Policy::RelativeWait,
    };
    Some((best.index, reason))
}

/// Under `backlog`, while a closed standby window could open for its matter, the share of its target past which a ticket is
/// called before the busiest queue (docs/policies.md, Goal 3: lower calls too many tickets out of
/// turn, 1.0 leaves the review opening windows for a lone slow ticket).
pub const LATE_SHARE: f64 = 0.75;

/// Of `best` and `c`, the one with the larger `key`; ties go to the earlier ticket, so every policy
/// is a total order.
fn larger(best: Option<Candidate>, c: Candidate, key: impl Fn(&Candidate) -> f64) -> Option<Candidate> {
    match best {
        Some(b) if key(&b).total_cmp(&key(&c)).then_with(|| c.order.cmp(&b.order)).is_ge() => Some(b),
        _ => Some(c),
    }
}

#[derive(Clone, Copy)]
struct Candidate {
    index: usize,
    matter: MatterId,
    order: (QueueKey, TicketId),
    wait_ms: i64,
    target_ms: i64,
    protected: bool,
    backlog: f64,
}

impl Candidate {
    /// Wait relative to target; a matter only this window serves counts double, so its queue is
    /// not left to grow while the window serves matters others can take.
    fn score(&self) -> f64 {
        if self.protected {
            2.0 * self.relative()
        } else {
            self.relative()
        }
    }

    /// Wait as a share of the matter's target.
    fn relative(&self) -> f64 {
        self.wait_ms as f64 / self.target_ms.max(1) as f64
    }
}
