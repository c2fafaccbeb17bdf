//! The staffing review's decision (the rules and their numbers are in `staffing.rs`): one change per
//! review, each with the numbers that triggered it; and a clerk accepting an advisory request.

use crate::event::Event;
use crate::model::{MatterId, TicketClass, TicketState, WindowId, WindowKind};
use crate::rejection::Rejection;
use crate::staffing::{StaffingMode, StaffingTrigger};
use crate::time::Timestamp;
use crate::Hall;

/// What one review would change.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    Open(WindowId, StaffingTrigger),
    Close(WindowId, StaffingTrigger),
    Withdraw(WindowId),
}

impl Hall {
    pub(crate) fn decide_review_staffing(&self, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        self.require_open_day()?;
        let mode = self.config.rules.staffing.mode;
        Ok(match self.staffing_change(now) {
            None => Vec::new(),
            Some(Change::Open(window, trigger)) if mode == StaffingMode::Automatic => {
                vec![Event::WindowOpened { window, trigger: Some(trigger), at: now }]
            }
            Some(Change::Open(window, trigger)) => vec![Event::StaffingRequested { window, trigger, at: now }],
            Some(Change::Close(window, trigger)) => {
                let mut events = Vec::with_capacity(2);
                if self.window(window).is_some_and(|w| w.clerk.is_some()) {
                    events.push(Event::ClerkSignedOut { window, at: now });
                }
                events.push(Event::WindowClosed { window, trigger: Some(trigger), at: now });
                events
            }
            Some(Change::Withdraw(window)) => vec![Event::StaffingWithdrawn { window, at: now }],
        })
    }

    /// A clerk or supervisor accepts the open request for `window`: it opens with the request's numbers.
    pub(super) fn decide_accept_staffing(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        self.require_open_day()?;
        if self.window_state(window)?.open {
            return Err(Rejection::WindowAlreadyOpen);
        }
        let trigger = self.staffing_requests.get(&window).copied().ok_or(Rejection::NoStaffingRequest)?;
        Ok(vec![Event::WindowOpened { window, trigger: Some(trigger), at: now }])
    }

    /// The trigger numbers for `matter` as the hall stands, with `predicted` wait.
    fn trigger(&self, matter: MatterId, predicted: Option<i64>) -> StaffingTrigger {
        let spec = self.config.matter(matter);
        let state = &self.matters[usize::from(matter.0)];
        StaffingTrigger {
            matter,
            waiting: state.queues.len() as u32,
            windows: state.active_windows,
            predicted_ms: predicted,
            target_ms: spec.target_wait_ms,
            aht_ms: state.aht_ms.round() as i64,
        }
    }

    /// Whether the hall's forecast expects, within its horizon, a load that needs every window active
    /// now: the highest expected arrival rate × the matters' handling norms (weighted by each
    /// matter's tickets today) × the share of calls served (not 过号), against the active windows
    /// less one.
    fn expects_more(&self, now: Timestamp) -> bool {
        let minute = now.local(self.config.utc_offset_min).1;
        let Some(per_hour) = self.config.rules.forecast.peak(minute, self.issuing_ends()) else { return false };
        // The forecast is a plan: it is weighed with the matters' handling norms, as plans are made.
        let (weighted, issued) = self.matters.iter().zip(&self.config.matters).fold((0.0, 0.0), |(w, n), (m, spec)| {
            (w + spec.handling_norm_ms as f64 * f64::from(m.issued_today), n + f64::from(m.issued_today))
        });
        if issued == 0.0 {
            return false;
        }
        // A holder who has left takes a minute, not a service: count the share of calls that were served.
        let (served, gone) = self.tickets().fold((0.0, 0.0), |(s, g), t| match t.state {
            TicketState::Done => (s + 1.0, g),
            TicketState::NoShow => (s, g + 1.0),
            _ => (s, g),
        });
        let served_share = if served + gone > 0.0 { served / (served + gone) } else { 1.0 };
        let load = per_hour / 3_600_000.0 * (weighted / issued) * served_share;
        let active = (0..self.windows.len()).filter(|w| self.is_active(WindowId(*w as u16))).count();
        load > active.saturating_sub(1) as f64
    }

    /// The one change the review makes now, if any.
    fn staffing_change(&self, now: Timestamp) -> Option<Change> {
        let rules = self.config.rules.staffing;
        if rules.mode == StaffingMode::Off {
            return None;
        }
        let standby =
            |w: &usize| self.config.windows[*w].kind == WindowKind::Standby && !self.config.windows[*w].retired;
        // Capacity on its way: opened standby windows nobody has signed in to yet (a clerk walking over
        // from the back office), and open requests. The review counts them as open: one more opens only
        // if the wait is still too long with them, so a burst is met at once, not one window per walk.
        let coming: Vec<WindowId> = (0..self.windows.len())
            .filter(|i| standby(i))
            .filter(|i| {
                let w = &self.windows[*i];
                (w.open && w.clerk.is_none()) || self.staffing_requests.contains_key(&WindowId(*i as u16))
            })
            .map(|i| WindowId(i as u16))
            .collect();
        // Openings: the matter furthest past its threshold that a closed standby window can help.
        let mut late: Vec<(f64, MatterId, Option<i64>)> = Vec::new();
        for (i, state) in self.matters.iter().enumerate() {
            let matter = MatterId(i as u16);
            if state.queues.is_empty() {
                continue;
            }
            let target = self.config.matter(matter).target_wait_ms.max(1) as f64;
            let predicted = if coming.is_empty() {
                self.median_wait(matter, TicketClass::Normal, now, None)
            } else {
                self.median_wait_with(matter, now, &coming)
            };
            let ratio = predicted.map_or(f64::INFINITY, |p| p as f64 / target);
            if ratio > rules.open_at {
                late.push((ratio, matter, predicted));
            }
        }
        late.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let asked: Vec<WindowId> = self.staffing_requests.keys().copied().collect();
        for (_, matter, predicted) in late {
            if let Some(w) = self.standby_for(matter, &asked) {
                return Some(Change::Open(w, self.trigger(matter, predicted)));
            }
        }
        // Requests no longer needed are withdrawn (hysteresis as for closing).
        for (window, trigger) in &self.staffing_requests {
            let target = self.config.matter(trigger.matter).target_wait_ms as f64;
            let predicted = self.median_wait(trigger.matter, TicketClass::Normal, now, None);
            if predicted.is_some_and(|p| (p as f64) < rules.close_below * target) {
                return Some(Change::Withdraw(*window));
            }
        }
        if rules.mode != StaffingMode::Automatic {
            return None;
        }
        // Closings: the idle standby window opened longest ago that the hall can do without.
        let mut idle: Vec<(Timestamp, usize)> = (0..self.windows.len())
            .filter(|w| standby(w) && self.windows[*w].open && self.windows[*w].current.is_none())
            .filter_map(|w| self.windows[w].opened_at.map(|at| (at, w)))
            .filter(|(at, _)| now.0 - at.0 >= rules.min_open_ms)
            .collect();
        idle.sort();
        for (_, w) in idle {
            let window = WindowId(w as u16);
            let mut worst: Option<(f64, MatterId, Option<i64>)> = None;
            for matter in self.windows[w].skills.iter() {
                let target = self.config.matter(matter).target_wait_ms.max(1) as f64;
                let predicted = self.median_wait(matter, TicketClass::Normal, now, Some(window));
                // A matter nobody else serves counts only if someone waits for it.
                let ratio = match predicted {
                    Some(p) => p as f64 / target,
                    None if self.waiting(matter) == 0 => 0.0,
                    None => f64::INFINITY,
                };
                if worst.is_none_or(|(r, _, _)| ratio > r) {
                    worst = Some((ratio, matter, predicted));
                }
            }
            // The forecast is asked last, and once: only when a window would close.
            let close = match worst {
                Some((ratio, matter, predicted)) if ratio < rules.close_below => Some((matter, predicted)),
                None => Some((MatterId(0), None)),
                Some(_) => None,
            };
            if let Some((matter, predicted)) = close {
                if self.expects_more(now) {
                    return None;
                }
                return Some(Change::Close(window, self.trigger(matter, predicted)));
            }
        }
        None
    }
}
