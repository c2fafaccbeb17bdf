//! How long a new ticket of a matter would wait: the hall's open windows are run forward from now,
//! each taking waiting tickets in routing order (tiers, then issue order) and serving each for its
//! matter's average handling time, until the new ticket would be called. That gives a central wait `T`
//! after `n` service completions. Completions arrive roughly as a Poisson stream, so the wait is taken as
//! Gamma(n) scaled to mean `T`; its median and 80th percentile come from the Wilson–Hilferty
//! approximation. The estimate is what a kiosk prints ("约 12–18 分钟").
//!
//! Pure and bounded: at most [`MAX_AHEAD`] tickets are walked; beyond that, or with no window open that
//! serves the matter, only the number of people ahead is given.

use super::config::Policy;
use super::model::{MatterId, MatterSet, TicketClass, WindowId, WindowKind};
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
        loop {
            let estimate = self.walk(matter, class, now, None, &extra);
            if rules.mode != StaffingMode::Automatic || extra.len() >= MAX_REACTION {
                return estimate;
            }
            let threshold = rules.open_at * self.config.matter(matter).target_wait_ms as f64;
            if estimate.wait_ms.is_some_and(|(median, _)| median as f64 <= threshold) {
                return estimate;
            }
            match self.standby_for(matter, &extra) {
                Some(w) => extra.push(w),
                None => return estimate,
            }
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
        self.median_or_floor(matter, estimate, without.is_some())
    }

    /// The estimate's median; beyond [`MAX_AHEAD`], people ahead × handling time / active windows (one
    /// fewer if `one_closed`). `None` when no active window serves the matter.
    fn median_or_floor(&self, matter: MatterId, estimate: Estimate, one_closed: bool) -> Option<i64> {
        if let Some((median, _)) = estimate.wait_ms {
            return Some(median);
        }
        let state = self.matter(matter)?;
        let windows = f64::from(state.active_windows) - f64::from(u8::from(one_closed));
        (windows >= 1.0).then(|| (f64::from(estimate.ahead + 1) * state.aht_ms / windows) as i64)
    }

    /// Capacity cut-off (限号): whether a new ticket of `matter` issued now would be called after closing
    /// time plus the extension. Never with no hours or no extension set, nor while no window serving
    /// the matter is open (the estimate has nothing to go on; a supervisor may still open one).
    pub fn cut_off(&self, matter: MatterId, class: TicketClass, now: Timestamp) -> bool {
        let Some(hours) = self.config.hours else { return false };
        let Some(extension) = hours.extension_min else { return false };
        let (date, _) = now.local(self.config.utc_offset_min);
        let limit = date.at_minute(hours.close_min + extension, self.config.utc_offset_min);
        let wait = self.median_or_floor(matter, self.estimate(matter, class, now), false);
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
        // Everyone these windows may call before the new ticket: a green ticket waits only behind
        // green (and returning, appointment) tickets; a normal one behind all. Per matter, in the order
        // its lanes are served (tier, then issue time); the new ticket goes last in its own matter.
        let served = MatterSet(free.iter().fold(0u64, |bits, f| bits | self.windows[usize::from(f.window.0)].skills.0));
        let rank = |c: TicketClass| match c {
            TicketClass::Appointment => 0,
            TicketClass::Green => 1,
            TicketClass::Normal => 2,
        };
        let mine = rank(class);
        // Bounded before any work: a queue too long to walk gets the people ahead only.
        let waiting: usize = served.iter().map(|m| self.matters[usize::from(m.0)].queues.len()).sum();
        if free.is_empty() || waiting > MAX_AHEAD {
            return Estimate { ahead: state.queues.len() as u32, wait_ms: None };
        }
        let mut lanes: Vec<Lane> = vec![Lane::default(); self.matters.len()];
        for m in served.iter() {
            let lane = &mut lanes[usize::from(m.0)];
            lane.tickets = self.matters[usize::from(m.0)]
                .queues
                .by_issue
                .iter()
                .filter_map(|(_, id)| self.ticket(*id))
                .filter(|t| rank(t.class) <= mine || t.first)
                .map(|t| (if t.first { 0 } else { rank(t.class) }, t.issued_at, false))
                .collect();
            lane.tickets.make_contiguous().sort();
        }
        let ahead = lanes[usize::from(matter.0)].tickets.len() as u32;
        lanes[usize::from(matter.0)].tickets.push_back((mine, now, true));
        // Ordinary tickets keep arriving while it waits, at each matter's recent rate: under a policy
        // that lets a matter's later tickets go first (backlog, relative wait), they can pass it.
        // (Under fifo no later ticket ever goes first: no need to walk them.)
        let reorders = self.config.rules.policy != Policy::Fifo;
        let rates: Vec<(MatterId, f64)> = if mine == 2 && reorders {
            served
                .iter()
                .map(|m| (m, self.matters[usize::from(m.0)].arrival_rate_at(now)))
                .filter(|(_, r)| *r > 0.0)
                .collect()
        } else {
            Vec::new()
        };
        // Passes: without arrivals, giving a first wait `T0`; then with the tickets expected to arrive
        // within the previous pass's wait (arrivals after it cannot pass a ticket already called), a
        // few fixed-point steps. A fixed number keeps the walk bounded when arrivals outpace the open
        // windows (the staffing review reacts to that; the walk does not).
        let Some((first, n, _)) = self.walk_forward(now, free.clone(), lanes.clone(), &[], 0.0) else {
            return Estimate { ahead, wait_ms: None };
        };
        let (mut central, mut completions, mut passed) = (first, n, 0);
        let steps = if rates.is_empty() { 0 } else { FIXED_POINT_STEPS };
        for _ in 0..steps {
            match self.walk_forward(now, free.clone(), lanes.clone(), &rates, central) {
                Some(next) => (central, completions, passed) = next,
                None => break,
            }
        }
        // The wait is a sum of `completions` gaps; how many tickets arrive and pass it is itself
        // random (Poisson, variance = mean), which widens the spread: Gamma with shape n² / (n + passed).
        let n = f64::from(completions);
        let shape = if n > 0.0 { n * n / (n + f64::from(passed)) } else { 0.0 };
        let (median, p80) = (gamma_quantile(shape, central, 0.0), gamma_quantile(shape, central, Z80));
        Estimate { ahead, wait_ms: Some((median.round() as i64, p80.round().max(median.round()) as i64)) }
    }

    /// Walks forward until the new ticket is called: `(central wait, completions before it, expected
    /// arrivals called before it)`, or `None` if no window would call it. Idle windows take tickets at once; then, completion after
    /// completion, the window that would finish first takes the ticket the live routing policy would
    /// give it. Each completion adds the expected gap between completions, 1 / (sum of the busy
    /// windows' service rates): with exponential-like handling times, c busy windows finish one every
    /// AHT / c on average. Ordinary tickets arrive at `rates` until `horizon` ms.
    fn walk_forward(
        &self,
        now: Timestamp,
        mut free: Vec<Free>,
        mut lanes: Vec<Lane>,
        rates: &[(MatterId, f64)],
        horizon: f64,
    ) -> Option<(f64, u32, u32)> {
        let mut central = 0.0f64;
        let mut completions = 0u32;
        let mut passed = 0u32;
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
            for (m, rate) in rates {
                let lane = &mut lanes[usize::from(m.0)];
                while f64::from(lane.arrived + 1) <= rate * central.min(horizon) {
                    lane.arrived += 1;
                    let at = now.plus_ms((f64::from(lane.arrived) / rate).round() as i64);
                    lane.tickets.push_back((2, at, false));
                }
            }
            match self.walk_pick(window, &lanes, now.plus_ms(central as i64)) {
                Some(m) => {
                    let popped = lanes[usize::from(m.0)].tickets.pop_front();
                    if popped.is_some_and(|(_, _, new)| new) {
                        return Some((central, completions, passed));
                    }
                    if popped.is_some_and(|(_, at, _)| at > now) {
                        passed += 1;
                    }
                    let aht = self.matters[usize::from(m.0)].aht_ms;
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

    /// The matter whose head `window` would call next in the walk: the starvation guard, priority tiers
    /// (returning, appointment, green: earliest), then ordinary tickets as the hall's policy ranks them, judged on
    /// the walk's remaining queues at the walk's time `at`.
    fn walk_pick(&self, window: WindowId, lanes: &[Lane], at: Timestamp) -> Option<MatterId> {
        let skills = self.windows[usize::from(window.0)].skills;
        let heads =
            || skills.iter().filter_map(|m| lanes.get(usize::from(m.0))?.tickets.front().map(|(r, t, _)| (m, *r, *t)));
        // The starvation guard first, as in routing: a head that has waited past the maximum.
        let max_wait = self.config.rules.max_wait_ms;
        let starved = heads().filter(|(_, _, t)| at.since(*t) > max_wait).min_by_key(|(m, _, t)| (*t, *m));
        if let Some((m, _, _)) = starved {
            return Some(m);
        }
        if let Some((m, _, _)) = heads().filter(|(_, r, _)| *r < 2).min_by_key(|(m, r, t)| (*r, *t, *m)) {
            return Some(m);
        }
        let target = |m: MatterId| self.config.matter(m).target_wait_ms.max(1) as f64;
        let ordinary = heads().filter(|(_, r, _)| *r == 2);
        match self.config.rules.policy {
            Policy::Fifo => ordinary.min_by_key(|(m, _, t)| (*t, *m)).map(|(m, _, _)| m),
            Policy::OwnMatterFirst => {
                let home = self.config.window(window).home;
                ordinary.min_by_key(|(m, _, t)| (Some(*m) != home, *t, *m)).map(|(m, _, _)| m)
            }
            Policy::RelativeWait => ordinary
                .max_by(|a, b| (at.since(a.2) as f64 / target(a.0)).total_cmp(&(at.since(b.2) as f64 / target(b.0))))
                .map(|(m, _, _)| m),
            Policy::Backlog => {
                let score = |m: MatterId| {
                    let state = &self.matters[usize::from(m.0)];
                    lanes[usize::from(m.0)].tickets.len() as f64
                        / (f64::from(state.active_windows.max(1)) * state.aht_ms.max(1.0) * target(m))
                };
                ordinary.max_by(|a, b| score(a.0).total_cmp(&score(b.0))).map(|(m, _, _)| m)
            }
        }
    }
}

/// One matter's waiting tickets in the walk, `(tier, issued, is the new ticket)`, in call order.
#[derive(Clone, Default)]
struct Lane {
    tickets: VecDeque<(u8, Timestamp, bool)>,
    /// Expected arrivals added so far.
    arrived: u32,
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
