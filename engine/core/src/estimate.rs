//! How long a new ticket of a matter would wait: the hall's open windows are run forward from now,
//! each taking waiting tickets in routing order (tiers, then issue order) and serving each for its
//! matter's average handling time, until the new ticket would be called. That gives a central wait `T`
//! after `n` service completions. Completions arrive roughly as a Poisson stream, so the wait is taken as
//! Gamma(n) scaled to mean `T`; its median and 80th percentile come from the Wilson–Hilferty
//! approximation. The estimate is what a kiosk prints ("约 12–18 分钟").
//!
//! Pure and bounded: at most [`MAX_AHEAD`] tickets are walked; beyond that, or with no window open that
//! serves the matter, only the number of people ahead is given.

use super::model::{MatterId, MatterSet, TicketClass, TicketId, WindowId, WindowKind};
use super::queue::{MatterLane, QueueKey};
use super::routing::{rank, Head, HeadLane, Pick, Policy};
use super::staffing::StaffingMode;
use super::time::Timestamp;
use super::Hall;
use std::collections::VecDeque;

/// Tickets walked forward at most; a longer queue gets "N people ahead" only.
pub const MAX_AHEAD: usize = 500;

/// Passes of the walk with arrivals, each admitting the arrivals before the previous pass's wait.
const FIXED_POINT_STEPS: usize = 3;

/// Standby windows an estimate assumes the staffing review will open, at most.
const MAX_REACTION: usize = 8;

/// The estimate for a new ticket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Tickets that would be called before it.
    pub ahead: u32,
    /// Median wait and 80th percentile in milliseconds, when windows can serve it and the queue is
    /// short enough to walk.
    pub wait_ms: Option<(i64, i64)>,
}

/// The median and 80th percentile of a wait that is a sum of `completions` gaps with mean `central` in
/// all: how many tickets arrive and pass it is itself random (Poisson, variance = mean), which widens
/// the spread: Gamma with shape n² / (n + passed).
fn spread(central: f64, completions: u32, passed: u32) -> (i64, i64) {
    let n = f64::from(completions);
    let shape = if n > 0.0 { n * n / (n + f64::from(passed)) } else { 0.0 };
    let (median, p80) = (gamma_quantile(shape, central, 0.0), gamma_quantile(shape, central, Z80));
    (median.round() as i64, p80.round().max(median.round()) as i64)
}

/// z for the 80th percentile of a standard normal.
const Z80: f64 = 0.841_621_2;

/// The `z`-quantile of Gamma(n) scaled to mean `mean` (Wilson–Hilferty).
fn gamma_quantile(n: f64, mean: f64, z: f64) -> f64 {
    if n <= 0.0 {
        return 0.0;
    }
    let c = 1.0 - 1.0 / (9.0 * n) + z / (3.0 * n.sqrt());
    (mean * c.max(0.0).powi(3)).max(0.0)
}

#[derive(Clone)]
struct Free {
    /// When it is next free, for ordering the walk (`now` when idle).
    at: i64,
    /// The average handling time of the matter it serves now.
    aht: f64,
    window: WindowId,
}

impl Hall {
    /// The wait a new ticket of `matter` in `class` would have if issued at `now`. With automatic
    /// staffing, the standby windows the review would open for it count as open: the review runs right
    /// after the ticket is issued and opens windows until a new ticket's predicted wait is back under
    /// its threshold, so leaving them out would print waits that are too long whenever a queue grows.
    pub fn estimate(&self, matter: MatterId, class: TicketClass, now: Timestamp) -> Estimate {
        let rules = self.config.rules.staffing;
        let mut extra: Vec<WindowId> = Vec::new();
        let estimate = loop {
            let estimate = self.walk(matter, class, now, None, &extra);
            if rules.mode != StaffingMode::Automatic || extra.len() >= MAX_REACTION {
                break estimate;
            }
            let threshold = rules.open_at * self.config.matter(matter).target_wait_ms as f64;
            if estimate.wait_ms.is_some_and(|(median, _)| median as f64 <= threshold) {
                break estimate;
            }
            match self.standby_for(matter, &extra) {
                Some(w) => extra.push(w),
                None => break estimate,
            }
        };
        // Service stops for the lunch break: a wait that reaches it is longer by it.
        Estimate {
            wait_ms: estimate.wait_ms.map(|(m, p)| (self.across_breaks(now, m), self.across_breaks(now, p))),
            ..estimate
        }
    }

    /// The closed standby window the staffing review would open for `matter` (serves it, fewest other
    /// skills, lowest index), other than those in `taken`.
    pub(super) fn standby_for(&self, matter: MatterId, taken: &[WindowId]) -> Option<WindowId> {
        (0..self.windows.len())
            .map(|w| WindowId(w as u16))
            .filter(|w| {
                let state = &self.windows[usize::from(w.0)];
                self.config.window(*w).kind == WindowKind::Standby
                    && !state.open
                    && state.skills.contains(matter)
                    && !taken.contains(w)
            })
            .min_by_key(|w| (self.windows[usize::from(w.0)].skills.len(), *w))
    }

    /// The median wait of a new ticket, as if window `without` were closed; beyond [`MAX_AHEAD`], people
    /// ahead × handling time / windows. `None` when no active window serves the matter.
    pub fn median_wait(
        &self,
        matter: MatterId,
        class: TicketClass,
        now: Timestamp,
        without: Option<WindowId>,
    ) -> Option<i64> {
        let estimate = self.walk(matter, class, now, without, &[]);
        self.median_or_floor(matter, estimate, -i32::from(without.is_some()))
    }

    /// The median wait of a new ticket as if the windows in `coming` (opened or asked for, their clerk
    /// not there yet) were open and idle: what the staffing review weighs before opening one more.
    pub fn median_wait_with(&self, matter: MatterId, now: Timestamp, coming: &[WindowId]) -> Option<i64> {
        let estimate = self.walk(matter, TicketClass::Normal, now, None, coming);
        let serving = coming.iter().filter(|w| self.window(**w).is_some_and(|s| s.skills.contains(matter))).count();
        self.median_or_floor(matter, estimate, serving as i32)
    }

    /// The estimate's median; beyond [`MAX_AHEAD`], people ahead × handling time / active windows (plus
    /// `more`, which may be negative). `None` when no window serves the matter.
    fn median_or_floor(&self, matter: MatterId, estimate: Estimate, more: i32) -> Option<i64> {
        if let Some((median, _)) = estimate.wait_ms {
            return Some(median);
        }
        let state = self.matter(matter)?;
        let windows = f64::from(state.active_windows) + f64::from(more);
        (windows >= 1.0).then(|| (f64::from(estimate.ahead + 1) * state.aht_ms / windows) as i64)
    }

    /// Capacity cut-off (限号): whether a new ticket of `matter` issued now would be called after closing
    /// time plus the extension. Never with no hours or no extension set, nor while no window serving
    /// the matter is open (the estimate has nothing to go on; a supervisor may still open one).
    pub fn cut_off(&self, matter: MatterId, class: TicketClass, now: Timestamp) -> bool {
        let Some(hours) = self.config.hours else { return false };
        let Some(extension) = hours.extension_min else { return false };
        let (date, _) = now.local(self.config.utc_offset_min);
        let limit = date.at_minute(self.service_ends(&hours, matter) + extension, self.config.utc_offset_min);
        let wait = self.median_or_floor(matter, self.estimate(matter, class, now), 0);
        wait.is_some_and(|wait| now.plus_ms(wait) > limit)
    }

    /// The walk behind every estimate: as the hall stands, but with window `without` closed (the
    /// staffing review asks this before closing one) and the windows in `extra` open and idle.
    fn walk(
        &self,
        matter: MatterId,
        class: TicketClass,
        now: Timestamp,
        without: Option<WindowId>,
        extra: &[WindowId],
    ) -> Estimate {
        let Some(state) = self.matter(matter) else { return Estimate { ahead: 0, wait_ms: None } };
        // Windows that call for this matter now, and when each is next free.
        let free: Vec<Free> = self
            .windows
            .iter()
            .enumerate()
            .filter(|(i, w)| {
                let id = WindowId(*i as u16);
                w.skills.contains(matter) && (self.is_active(id) || extra.contains(&id)) && Some(id) != without
            })
            .map(|(i, w)| {
                // A service in progress ends after an exponential-like time: its elapsed part is
                // forgotten, so only its matter's handling rate matters.
                let aht = w.current.and_then(|t| self.ticket(t)).map(|t| self.matters[usize::from(t.matter.0)].aht_ms);
                Free {
                    at: aht.map_or(now.0, |a| now.0 + 1 + a as i64),
                    aht: aht.unwrap_or(1.0),
                    window: WindowId(i as u16),
                }
            })
            .collect();
        // Everyone these windows may call before the new ticket, lane by lane as they wait; the new
        // ticket joins the end of its own lane, with the key it would get.
        let served = MatterSet(free.iter().fold(0u64, |bits, f| bits | self.windows[usize::from(f.window.0)].skills.0));
        let windows: Vec<WindowId> = free.iter().map(|f| f.window).collect();
        let lane = match class {
            TicketClass::Appointment => MatterLane::Appointment,
            TicketClass::Green => MatterLane::Green,
            TicketClass::Normal => MatterLane::Normal,
        };
        // People ahead: its matter's lanes up to its own.
        let ahead =
            MatterLane::ALL.iter().take_while(|l| **l != lane).chain([&lane]).map(|l| state.queues.lane(*l).len());
        let ahead = ahead.sum::<usize>() as u32;
        // Bounded before any work: a queue too long to walk gets the people ahead only.
        let waiting: usize = served.iter().map(|m| self.matters[usize::from(m.0)].queues.len()).sum::<usize>()
            + windows.iter().map(|w| self.windows[usize::from(w.0)].targeted.len()).sum::<usize>();
        if free.is_empty() || waiting > MAX_AHEAD {
            return Estimate { ahead, wait_ms: None };
        }
        let mut queues = WalkQueues::of(self, served, &windows);
        let new = TicketId(self.next_ticket);
        let key = QueueKey::own(now.0, new);
        queues.push(Head { lane: HeadLane::Matter(lane), matter, key, ticket: new, issued_at: now });
        // Ordinary tickets keep arriving while it waits, at each matter's recent rate: under a policy
        // that lets a matter's later tickets go first (backlog, relative wait), they can pass it.
        // (Under fifo no later ticket ever goes first: no need to walk them.)
        let rates = if class == TicketClass::Normal { self.arrival_rates(served, now) } else { Vec::new() };
        // Passes: without arrivals, giving a first wait `T0`; then with the tickets expected to arrive
        // within the previous pass's wait (arrivals after it cannot pass a ticket already called), a
        // few fixed-point steps. A fixed number keeps the walk bounded when arrivals outpace the open
        // windows (the staffing review reacts to that; the walk does not).
        let mut until_new = |t: TicketId, _| t == new;
        let Some((first, n, _)) = self.walk_forward(now, &mut until_new, free.clone(), queues.clone(), &[], 0.0) else {
            return Estimate { ahead, wait_ms: None };
        };
        let (mut central, mut completions, mut passed) = (first, n, 0);
        let steps = if rates.is_empty() { 0 } else { FIXED_POINT_STEPS };
        for _ in 0..steps {
            match self.walk_forward(now, &mut until_new, free.clone(), queues.clone(), &rates, central) {
                Some(next) => (central, completions, passed) = next,
                None => break,
            }
        }
        Estimate { ahead, wait_ms: Some(spread(central, completions, passed)) }
    }

    /// Every ticket waiting in a queue (not at a window, not held): the people a window would call
    /// before it (its matter's lanes up to its own place, or its place in the one window's lane it
    /// waits for) and, where the queues are short enough to walk, its median and 80th-percentile wait
    /// from `now`. One walk for all of them, the same as a new ticket's (the open windows in routing
    /// order, ordinary arrivals at each matter's recent rate passing where the policy lets them); it
    /// leaves out the standby windows automatic staffing would open. What the mobile ticket shows.
    pub fn waiting_estimates(&self, now: Timestamp) -> Vec<(TicketId, Estimate)> {
        let mut out: Vec<(TicketId, Estimate)> = Vec::new();
        for m in &self.matters {
            let lanes = MatterLane::ALL.iter().flat_map(|l| m.queues.lane(*l).iter());
            out.extend(lanes.enumerate().map(|(i, (_, t))| (t, Estimate { ahead: i as u32, wait_ms: None })));
        }
        for w in &self.windows {
            out.extend(
                w.targeted.iter().enumerate().map(|(i, (_, t))| (t, Estimate { ahead: i as u32, wait_ms: None })),
            );
        }
        let windows: Vec<WindowId> =
            (0..self.windows.len()).map(|i| WindowId(i as u16)).filter(|w| self.is_active(*w)).collect();
        if out.is_empty() || windows.is_empty() || out.len() > MAX_AHEAD {
            return out;
        }
        let free: Vec<Free> = windows
            .iter()
            .map(|&window| {
                let aht = self.windows[usize::from(window.0)]
                    .current
                    .and_then(|t| self.ticket(t))
                    .map(|t| self.matters[usize::from(t.matter.0)].aht_ms);
                Free { at: aht.map_or(now.0, |a| now.0 + 1 + a as i64), aht: aht.unwrap_or(1.0), window }
            })
            .collect();
        let served = MatterSet(windows.iter().fold(0u64, |bits, w| bits | self.windows[usize::from(w.0)].skills.0));
        let queues = WalkQueues::of(self, served, &windows);
        let rates = self.arrival_rates(served, now);
        let index: std::collections::HashMap<TicketId, usize> =
            out.iter().enumerate().map(|(i, (t, _))| (*t, i)).collect();
        let mut walked: Vec<Option<(f64, u32, u32)>> = vec![None; out.len()];
        let mut left = out.len();
        let mut record = |t: TicketId, at: (f64, u32, u32)| {
            if let Some(&i) = index.get(&t) {
                walked[i] = Some(at);
                left -= 1;
            }
            left == 0
        };
        // Arrivals for as long as the walk goes: each ticket meets those that come before its call.
        self.walk_forward(now, &mut record, free, queues, &rates, f64::INFINITY);
        for ((_, estimate), walked) in out.iter_mut().zip(walked) {
            estimate.wait_ms = walked.map(|(central, completions, passed)| {
                let (median, p80) = spread(central, completions, passed);
                (self.across_breaks(now, median), self.across_breaks(now, p80))
            });
        }
        out
    }

    /// Each of `served`'s recent arrival rates (per ms), where ordinary tickets can pass earlier ones
    /// (none under fifo: no later ticket ever goes first, no need to walk them).
    fn arrival_rates(&self, served: MatterSet, now: Timestamp) -> Vec<(MatterId, f64)> {
        if self.config.rules.policy == Policy::Fifo {
            return Vec::new();
        }
        served
            .iter()
            .map(|m| (m, self.matters[usize::from(m.0)].arrival_rate_at(now)))
            .filter(|(_, r)| *r > 0.0)
            .collect()
    }

    /// What the estimate's walk has `window` call first at `now`, on its copy of the queues: by the same
    /// [`rank`] as `call next`, so it is what [`crate::routing::choose`] picks (property-tested).
    pub fn walk_first_pick(&self, window: WindowId, now: Timestamp) -> Option<TicketId> {
        let skills = self.window(window)?.skills;
        let mut queues = WalkQueues::of(self, skills, &[window]);
        queues.pick(self, window, now).map(|h| h.ticket)
    }

    /// Walks forward until `until` says stop, given each ticket the walk calls with `(central wait,
    /// completions before it, expected arrivals called before it)`; returns those of the ticket it
    /// stopped at, or `None` if it ran out of windows first. Idle windows take
    /// tickets at once; then, completion after completion, the window that would finish first takes the
    /// ticket the routing ranking gives it. Each completion adds the expected gap between completions,
    /// 1 / (sum of the busy windows' service rates): with exponential-like handling times, c busy windows
    /// finish one every AHT / c on average. Ordinary tickets arrive at `rates` until `horizon` ms.
    fn walk_forward(
        &self,
        now: Timestamp,
        until: &mut dyn FnMut(TicketId, (f64, u32, u32)) -> bool,
        mut free: Vec<Free>,
        mut queues: WalkQueues,
        rates: &[(MatterId, f64)],
        horizon: f64,
    ) -> Option<(f64, u32, u32)> {
        let mut central = 0.0f64;
        let mut completions = 0u32;
        let mut passed = 0u32;
        // Expected arrivals get ids after a new ticket's, as they would.
        let mut next_id = self.next_ticket + 1;
        let mut arrived = vec![0u32; rates.len()];
        // Expected arrivals admitted, at most [`MAX_AHEAD`] a pass: when tickets arrive far faster than
        // the windows call (a load test's thousands a second), the horizon would admit millions and
        // the walk would never end in time. Past the bound, later arrivals are left out (the wait is
        // already hours; the staffing review, not the estimate, answers that).
        let mut admitted = 0usize;
        loop {
            let (i, _) = free.iter().enumerate().min_by_key(|(_, f)| (f.at, f.window))?;
            if free[i].at > now.0 {
                let rate: f64 = free.iter().filter(|f| f.at > now.0).map(|f| 1.0 / f.aht.max(1.0)).sum();
                central += 1.0 / rate;
                completions += 1;
                // Time is counted in `central`; the window is free "now" in the walk's order.
                free[i].at = now.0;
            }
            let window = free[i].window;
            for ((m, rate), arrived) in rates.iter().zip(&mut arrived) {
                while admitted < MAX_AHEAD && f64::from(*arrived + 1) <= rate * central.min(horizon) {
                    *arrived += 1;
                    admitted += 1;
                    let at = now.plus_ms((f64::from(*arrived) / rate).round() as i64);
                    let ticket = TicketId(next_id);
                    next_id += 1;
                    let lane = HeadLane::Matter(MatterLane::Normal);
                    queues.push(Head { lane, matter: *m, key: QueueKey::own(at.0, ticket), ticket, issued_at: at });
                }
            }
            match queues.pick(self, window, now.plus_ms(central as i64)) {
                Some(head) => {
                    if until(head.ticket, (central, completions, passed)) {
                        return Some((central, completions, passed));
                    }
                    if head.issued_at > now {
                        passed += 1;
                    }
                    let aht = self.matters[usize::from(head.matter.0)].aht_ms;
                    free[i].aht = aht;
                    // Order among busy windows: the shortest job is the likeliest to end first.
                    free[i].at = now.0 + 1 + aht as i64 + completions as i64;
                }
                None => {
                    free.remove(i);
                }
            }
        }
    }
}

/// The walk's copy of the queues: per matter its four lanes (in [`MatterLane::ALL`] order), per
/// window its targeted lane, each in call order; and per matter its tickets by issue time, for the
/// starvation guard.
#[derive(Clone, Default)]
struct WalkQueues {
    matters: Vec<[VecDeque<Head>; 4]>,
    targeted: Vec<VecDeque<Head>>,
    /// Per matter, `(issued, ticket)` in issue order; entries already called are skipped lazily.
    by_issue: Vec<VecDeque<(Timestamp, TicketId)>>,
    /// Tickets the walk has called, by id from `base` (the smallest id in the queues walked).
    called: Vec<bool>,
    base: u64,
    /// Reused by every pick for its candidates and where each sits.
    heads: Vec<Head>,
    slots: Vec<Slot>,
}

/// A matter lane's place in [`WalkQueues::matters`].
fn lane_index(lane: MatterLane) -> usize {
    MatterLane::ALL.iter().position(|l| *l == lane).unwrap_or(MatterLane::ALL.len() - 1)
}

/// Where a candidate head sits in [`WalkQueues`].
#[derive(Clone, Copy)]
enum Slot {
    Matter(usize, usize),
    Targeted(usize),
}

impl WalkQueues {
    /// The live queues of `matters`, and the targeted lanes of `windows`.
    fn of(hall: &Hall, matters: MatterSet, windows: &[WindowId]) -> WalkQueues {
        let head = |lane: HeadLane, key: QueueKey, ticket: TicketId| {
            let t = hall.ticket(ticket)?;
            Some(Head { lane, matter: t.matter, key, ticket, issued_at: t.issued_at })
        };
        let mut queues = WalkQueues {
            matters: vec![Default::default(); hall.matters.len()],
            targeted: vec![VecDeque::new(); hall.windows.len()],
            by_issue: vec![VecDeque::new(); hall.matters.len()],
            called: Vec::new(),
            base: hall.next_ticket,
            heads: Vec::new(),
            slots: Vec::new(),
        };
        for m in matters.iter() {
            let live = &hall.matters[usize::from(m.0)].queues;
            queues.by_issue[usize::from(m.0)] = live.by_issue.iter().copied().collect();
            for (i, lane) in MatterLane::ALL.into_iter().enumerate() {
                queues.matters[usize::from(m.0)][i] =
                    live.lane(lane).iter().filter_map(|(k, t)| head(HeadLane::Matter(lane), k, t)).collect();
            }
        }
        for w in windows {
            queues.targeted[usize::from(w.0)] = hall.windows[usize::from(w.0)]
                .targeted
                .iter()
                .filter_map(|(k, t)| head(HeadLane::Targeted, k, t))
                .collect();
        }
        let queued = queues.matters.iter().flatten().chain(&queues.targeted).flatten();
        queues.base = queued.map(|h| h.ticket.0).min().unwrap_or(hall.next_ticket);
        queues
    }

    /// Adds a ticket issued after every other at the end of its matter's lane.
    fn push(&mut self, head: Head) {
        if let HeadLane::Matter(lane) = head.lane {
            let m = usize::from(head.matter.0);
            self.matters[m][lane_index(lane)].push_back(head);
            self.by_issue[m].push_back((head.issued_at, head.ticket));
        }
    }

    fn is_called(&self, ticket: TicketId) -> bool {
        ticket.0.checked_sub(self.base).and_then(|i| self.called.get(i as usize)).copied().unwrap_or(false)
    }

    fn mark_called(&mut self, ticket: TicketId) {
        if let Some(i) = ticket.0.checked_sub(self.base) {
            let i = i as usize;
            if self.called.len() <= i {
                self.called.resize(i + 1, false);
            }
            self.called[i] = true;
        }
    }

    /// The longest-waiting ticket `window` may take: the first not yet called in each of its matters'
    /// issue order, and anything in its targeted lane.
    fn oldest(&mut self, hall: &Hall, window: WindowId) -> Option<(Timestamp, TicketId, Option<usize>)> {
        let w = usize::from(window.0);
        let mut best: Option<(Timestamp, TicketId, Option<usize>)> = None;
        for m in hall.windows[w].skills.iter() {
            let m = usize::from(m.0);
            while let Some(&(_, t)) = self.by_issue[m].front() {
                if !self.is_called(t) {
                    break;
                }
                self.by_issue[m].pop_front();
            }
            if let Some(&(at, t)) = self.by_issue[m].front() {
                if best.is_none_or(|(b, bt, _)| (at, t) < (b, bt)) {
                    best = Some((at, t, Some(m)));
                }
            }
        }
        for h in &self.targeted[w] {
            if best.is_none_or(|(b, bt, _)| (h.issued_at, h.ticket) < (b, bt)) {
                best = Some((h.issued_at, h.ticket, None));
            }
        }
        best
    }

    /// Takes the ticket `window` calls at `at` off its lane, by the routing ranking.
    fn pick(&mut self, hall: &Hall, window: WindowId, at: Timestamp) -> Option<Head> {
        let w = usize::from(window.0);
        self.heads.clear();
        self.slots.clear();
        if let Some(h) = self.targeted[w].front() {
            self.heads.push(*h);
            self.slots.push(Slot::Targeted(w));
        }
        for m in hall.windows[w].skills.iter() {
            let m = usize::from(m.0);
            for (i, lane) in self.matters[m].iter().enumerate() {
                if let Some(h) = lane.front() {
                    self.heads.push(*h);
                    self.slots.push(Slot::Matter(m, i));
                }
            }
        }
        let oldest = self.oldest(hall, window);
        let matters = &self.matters;
        let len = |m: MatterId| matters[usize::from(m.0)].iter().map(VecDeque::len).sum();
        let (pick, _) = rank(hall, window, oldest.map(|(issued, _, _)| issued), &self.heads, &len, at)?;
        let taken = match (pick, oldest) {
            (Pick::Head(i), _) => match self.slots[i] {
                Slot::Targeted(w) => self.targeted[w].pop_front(),
                Slot::Matter(m, lane) => self.matters[m][lane].pop_front(),
            },
            // Past the maximum wait: found where it waits (rare, so a search is fine).
            (Pick::Oldest, Some((_, ticket, matter))) => {
                let lanes: &mut [VecDeque<Head>] = match matter {
                    Some(m) => &mut self.matters[m],
                    None => std::slice::from_mut(&mut self.targeted[w]),
                };
                lanes.iter_mut().find_map(|lane| {
                    let at = lane.iter().position(|h| h.ticket == ticket)?;
                    lane.remove(at)
                })
            }
            (Pick::Oldest, None) => None,
        };
        if let Some(head) = &taken {
            self.mark_called(head.ticket);
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::gamma_quantile;

    #[test]
    fn wilson_hilferty_is_close_to_the_exact_gamma() {
        // Exponential (n = 1, mean 10): median 6.931, p80 16.094.
        assert!((gamma_quantile(1.0, 10.0, 0.0) - 6.931).abs() < 0.2);
        assert!((gamma_quantile(1.0, 10.0, 0.841_621_2) - 16.094).abs() < 0.3);
        // Erlang-10 with mean 10: median 9.668, p80 12.44 (from tables).
        assert!((gamma_quantile(10.0, 10.0, 0.0) - 9.668).abs() < 0.05);
        assert!((gamma_quantile(10.0, 10.0, 0.841_621_2) - 12.44).abs() < 0.1);
        assert_eq!(gamma_quantile(0.0, 10.0, 0.0), 0.0);
    }
}
