//! Temporary windows (临时窗口) that open and close themselves: the staffing review.
//!
//! The review runs on [`super::Hall::tick`] every [`super::tick::REVIEW_EVERY_MS`] (the server and the
//! simulator tick alike; a supervisor may also send [`super::Command::ReviewStaffing`]); its decision
//! lives beside the other `decide` families (`decide/staffing.rs`). It asks the wait estimator
//! ([`super::estimate`]) what a new ticket of each matter would wait:
//!
//! - **Open** when a matter's predicted wait passes `open_at` × its target and no standby window for it
//!   is already on its way (the latest such matter that a closed standby window can serve): the closed
//!   standby window that serves it with the fewest other skills opens
//!   (automatic mode) or is asked for (advisory mode: the supervisor wall shows the request, the clerk
//!   of that window accepts it from the console).
//! - **Close** a standby window (automatic mode only) when it has been open at least `min_open`, has no
//!   ticket at its counter, and without it every matter it serves would still be predicted to wait
//!   less than `close_below` × its target. `close_below` < `open_at`: the gap is the hysteresis.
//!   With a [`Forecast`] (the arrivals the hall expects by time of day, from its history), nothing
//!   closes while the load expected within the forecast's horizon would need the windows open now:
//!   where standby clerks need minutes to come, a window kept through a short lull costs less than
//!   one closed and opened again (docs/policies.md, Goal 3).
//!
//! Every opening, request and closing carries the numbers that triggered it ([`StaffingTrigger`]).
//! At most one change per review, so a burst opens windows one review after another, each seeing the
//! last one's effect on the estimate.

use super::model::MatterId;
use super::time::MINUTE_MS;
use serde::{Deserialize, Serialize};

/// Who acts on the staffing review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffingMode {
    /// No review: standby windows open and close only when a supervisor says so.
    #[default]
    Off,
    /// The review asks; a clerk (or the supervisor) accepts. Closing stays with the supervisor.
    Advisory,
    /// The review opens and closes standby windows itself.
    Automatic,
}

impl StaffingMode {
    /// The name used in config files.
    pub fn name(self) -> &'static str {
        match self {
            StaffingMode::Off => "off",
            StaffingMode::Advisory => "advisory",
            StaffingMode::Automatic => "automatic",
        }
    }
}

/// The staffing rules of a hall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaffingRules {
    /// Off, advisory or automatic.
    pub mode: StaffingMode,
    /// Open when a new ticket's predicted median wait passes this share of its matter's target.
    pub open_at: f64,
    /// Close when, without the window, every matter it serves stays below this share of its target.
    pub close_below: f64,
    /// A standby window, once opened, stays open at least this long.
    pub min_open_ms: i64,
}

impl Default for StaffingRules {
    fn default() -> StaffingRules {
        StaffingRules { mode: StaffingMode::Off, open_at: 0.5, close_below: 0.25, min_open_ms: 30 * MINUTE_MS }
    }
}

/// The arrivals a hall expects by time of day (hall-wide), from its own history (`onewindow-sim plan`)
/// or a plan: the staffing review keeps standby windows it will need again within `horizon_min`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Forecast {
    /// From each minute of the local day on, expected arrivals per hour; minutes increasing.
    pub rates: Vec<(u32, f64)>,
    /// How far ahead the review looks before closing a standby window, minutes (0: it does not).
    pub horizon_min: u32,
}

impl Forecast {
    /// The highest expected arrival rate (per hour) from `minute` of the day to `horizon_min` later,
    /// and nothing from `issuing_ends` on (no ticket is issued then, whatever the last rate says);
    /// `None` without a forecast.
    pub fn peak(&self, minute: u32, issuing_ends: Option<u32>) -> Option<f64> {
        if self.rates.is_empty() || self.horizon_min == 0 {
            return None;
        }
        let end = minute + self.horizon_min;
        let end = issuing_ends.map_or(end, |last| end.min(last.saturating_sub(1)));
        if end < minute {
            return Some(0.0);
        }
        // The rate in force at `minute`, and every rate that starts before `end`.
        let current = self.rates.iter().rev().find(|(from, _)| *from <= minute).map_or(0.0, |(_, r)| *r);
        let later = self.rates.iter().filter(|(from, _)| *from > minute && *from <= end).map(|(_, r)| *r);
        Some(later.fold(current, f64::max))
    }
}

/// The numbers behind a staffing change, kept on its event so any opening can be explained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StaffingTrigger {
    /// The matter whose queue decided it.
    pub matter: MatterId,
    /// Its waiting tickets.
    pub waiting: u32,
    /// Active windows serving it (before the change).
    pub windows: u16,
    /// Predicted median wait of a new ticket, milliseconds (before an opening; without the window,
    /// for a closing). `None`: no open window serves it at all.
    pub predicted_ms: Option<i64>,
    /// Its target wait, milliseconds.
    pub target_ms: i64,
    /// Its average handling time, milliseconds.
    pub aht_ms: i64,
}
