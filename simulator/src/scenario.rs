//! Scenarios (TOML), per `../shared/validation/SCENARIO-FORMAT.md`: parsed strictly (unknown keys are
//! errors that name the key) and validated into a typed [`Scenario`].

use onewindow_core::time::parse_hhmm;
use serde::Deserialize;

/// A scenario that cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Not TOML, an unknown key or a wrong type.
    #[error("{0}")]
    Parse(String),
    /// A value that cannot be right.
    #[error("{key}: {message}")]
    Invalid {
        /// Where.
        key: String,
        /// What.
        message: String,
    },
}

fn invalid(key: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid { key: key.into(), message: message.into() }
}

/// Stationary arrivals measured after a warm-up, or replicated days with opening hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Stationary.
    Steady,
    /// Opening hours, time-varying arrivals, replicated days.
    Day,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRun {
    mode: Mode,
    seed: u64,
    customers: Option<u64>,
    warmup: Option<u64>,
    days: Option<u32>,
    slot_min: Option<f64>,
    #[serde(default)]
    wait_thresholds_min: Vec<f64>,
    #[serde(default = "default_policy")]
    policy: String,
    /// (realism) How long a window waits for an absent holder before marking 过号.
    no_show_wait_min: Option<f64>,
}

fn default_policy() -> String {
    "default".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    open: String,
    close: String,
}

/// A service-time distribution.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Service {
    /// Exponential with this mean.
    Exponential {
        /// Mean, minutes.
        mean_min: f64,
    },
    /// Always this long.
    Deterministic {
        /// Minutes.
        mean_min: f64,
    },
    /// Lognormal with this mean and coefficient of variation.
    Lognormal {
        /// Mean, minutes.
        mean_min: f64,
        /// Standard deviation / mean.
        cv: f64,
    },
}

impl Service {
    /// The mean, minutes.
    pub fn mean(&self) -> f64 {
        match *self {
            Service::Exponential { mean_min }
            | Service::Deterministic { mean_min }
            | Service::Lognormal { mean_min, .. } => mean_min,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatter {
    id: String,
    name: Option<String>,
    arrivals_per_hour: Option<f64>,
    profile: Option<Vec<(String, f64)>>,
    share: Option<f64>,
    service: Service,
    #[serde(default)]
    green_share: f64,
    target_wait_min: f64,
    /// (realism) Share of tickets whose holder has left when called.
    #[serde(default)]
    no_show_share: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    serves: Vec<String>,
    #[serde(default = "one")]
    count: u32,
    #[serde(default)]
    kind: Option<String>,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    rates: Vec<(String, f64)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStaffing {
    min_open_min: Option<f64>,
    /// (realism) A standby clerk reaches the window this long after it is opened.
    arrival_delay_min: Option<f64>,
    schedule: Option<Vec<(String, u32)>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    run: RawRun,
    hours: Option<RawHours>,
    #[serde(default)]
    matter: Vec<RawMatter>,
    #[serde(default)]
    window: Vec<RawWindow>,
    profile: Option<RawProfile>,
    staffing: Option<RawStaffing>,
}

/// Arrival rate over the day: `(from minute of the day, per hour)`, piecewise constant.
pub type Profile = Vec<(f64, f64)>;

/// One matter.
#[derive(Debug, Clone)]
pub struct Matter {
    /// Id, e.g. `A`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Arrivals per minute (steady mode), or the profile scaled to this matter (day mode).
    pub rate: Rate,
    /// Service time.
    pub service: Service,
    /// Fraction in the green channel.
    pub green_share: f64,
    /// Target wait, minutes.
    pub target_wait_min: f64,
    /// Share of tickets whose holder has left when called (realism).
    pub no_show_share: f64,
}

/// Arrivals of one matter.
#[derive(Debug, Clone)]
pub enum Rate {
    /// A constant rate per minute.
    Constant(f64),
    /// Piecewise-constant per-minute rates from minute-of-day boundaries.
    Profile(Vec<(f64, f64)>),
}

/// One window (after `count` expansion).
#[derive(Debug, Clone)]
pub struct Window {
    /// Indices into [`Scenario::matters`].
    pub serves: Vec<usize>,
    /// A standby window (opened by the staffing policy; not simulated yet).
    pub standby: bool,
}

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Mode.
    pub mode: Mode,
    /// Seed.
    pub seed: u64,
    /// Steady: tickets measured.
    pub customers: u64,
    /// Steady: tickets discarded first.
    pub warmup: u64,
    /// Day: replicated days.
    pub days: u32,
    /// Day: slot width, minutes.
    pub slot_min: f64,
    /// P(wait > t) is reported for each t.
    pub thresholds: Vec<f64>,
    /// Routing policy name.
    pub policy: String,
    /// Day: opening hours, minutes of the day.
    pub hours: Option<(f64, f64)>,
    /// Matters.
    pub matters: Vec<Matter>,
    /// Windows.
    pub windows: Vec<Window>,
    /// Day mode: the planned-staffing baseline, `(from minute of the day, windows open)`; standby
    /// windows fill the gap above the regular ones.
    pub schedule: Option<Vec<(f64, u32)>>,
    /// A standby window, once opened, stays open at least this long (the staffing policy; parsed for it).
    pub min_open_min: Option<f64>,
    /// A standby clerk reaches an opened window this long after the opening, minutes (realism; 0 by
    /// default). The window counts as open (window-hours) from the opening.
    pub arrival_delay_min: f64,
    /// How long a window waits for an absent holder before marking the ticket 过号, minutes (realism;
    /// default 1).
    pub no_show_wait_min: f64,
}

fn minute(key: &str, s: &str) -> Result<f64, ScenarioError> {
    parse_hhmm(s).map(f64::from).ok_or_else(|| invalid(key, format!("`{s}` is not HH:MM")))
}

fn profile(key: &str, raw: &[(String, f64)]) -> Result<Profile, ScenarioError> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, (at, rate)) in raw.iter().enumerate() {
        let m = minute(&format!("{key}[{i}]"), at)?;
        if !(rate.is_finite() && *rate >= 0.0) {
            return Err(invalid(format!("{key}[{i}]"), "a rate is zero or more per hour"));
        }
        if out.last().is_some_and(|(prev, _)| *prev >= m) {
            return Err(invalid(format!("{key}[{i}]"), "times must increase"));
        }
        out.push((m, *rate));
    }
    Ok(out)
}

impl Scenario {
    /// Parses and validates a scenario.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let raw: RawScenario =
            toml::from_str(text).map_err(|e| ScenarioError::Parse(e.to_string().trim().to_owned()))?;
        let run = raw.run;
        if run.policy != "default" && onewindow_core::Policy::from_name(&run.policy).is_none() {
            return Err(invalid("run.policy", format!("unknown policy `{}`", run.policy)));
        }
        let hours = match (&raw.hours, run.mode) {
            (Some(h), _) => {
                let (open, close) = (minute("hours.open", &h.open)?, minute("hours.close", &h.close)?);
                if close <= open {
                    return Err(invalid("hours.close", "must be after hours.open"));
                }
                Some((open, close))
            }
            (None, Mode::Day) => return Err(invalid("hours", "day mode needs [hours]")),
            (None, Mode::Steady) => None,
        };
        let hall_profile = raw.profile.as_ref().map(|p| profile("profile.rates", &p.rates)).transpose()?;
        let mut matters = Vec::with_capacity(raw.matter.len());
        for (i, m) in raw.matter.into_iter().enumerate() {
            let at = |f: &str| format!("matter[{i}].{f}");
            if m.id.is_empty() || matters.iter().any(|x: &Matter| x.id == m.id) {
                return Err(invalid(at("id"), format!("`{}` must be unique and not empty", m.id)));
            }
            if m.target_wait_min.is_nan() || m.target_wait_min <= 0.0 {
                return Err(invalid(at("target_wait_min"), "must be positive"));
            }
            if !(0.0..=1.0).contains(&m.green_share) {
                return Err(invalid(at("green_share"), "must be between 0 and 1"));
            }
            if !(0.0..1.0).contains(&m.no_show_share) {
                return Err(invalid(at("no_show_share"), "must be at least 0 and below 1"));
            }
            let mean = m.service.mean();
            if !(mean > 0.0 && mean.is_finite()) {
                return Err(invalid(at("service.mean_min"), "must be positive"));
            }
            if let Service::Lognormal { cv, .. } = m.service {
                if !(cv > 0.0 && cv.is_finite()) {
                    return Err(invalid(at("service.cv"), "must be positive"));
                }
            }
            let rate = match (m.arrivals_per_hour, &m.profile, m.share, &hall_profile) {
                (Some(r), None, None, _) if r > 0.0 && r.is_finite() => Rate::Constant(r / 60.0),
                (None, Some(p), None, _) => {
                    Rate::Profile(profile(&at("profile"), p)?.into_iter().map(|(t, r)| (t, r / 60.0)).collect())
                }
                (None, None, Some(share), Some(hall)) if (0.0..=1.0).contains(&share) => {
                    Rate::Profile(hall.iter().map(|(t, r)| (*t, r * share / 60.0)).collect())
                }
                _ => {
                    return Err(invalid(
                        at("arrivals_per_hour"),
                        "give one of arrivals_per_hour (> 0), profile, or share (0–1) with a hall [profile]",
                    ))
                }
            };
            if run.mode == Mode::Steady && !matches!(rate, Rate::Constant(_)) {
                return Err(invalid(at("arrivals_per_hour"), "steady mode needs a constant arrivals_per_hour"));
            }
            matters.push(Matter {
                id: m.id.clone(),
                name: m.name.unwrap_or(m.id),
                rate,
                service: m.service,
                green_share: m.green_share,
                target_wait_min: m.target_wait_min,
                no_show_share: m.no_show_share,
            });
        }
        if matters.is_empty() {
            return Err(invalid("matter", "at least one [[matter]]"));
        }
        let mut windows = Vec::new();
        for (i, w) in raw.window.into_iter().enumerate() {
            let serves = w
                .serves
                .iter()
                .map(|id| {
                    matters
                        .iter()
                        .position(|m| &m.id == id)
                        .ok_or_else(|| invalid(format!("window[{i}].serves"), format!("unknown matter `{id}`")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if serves.is_empty() {
                return Err(invalid(format!("window[{i}].serves"), "serves at least one matter"));
            }
            let standby = match w.kind.as_deref() {
                None | Some("regular") => false,
                Some("standby") => true,
                Some(other) => return Err(invalid(format!("window[{i}].kind"), format!("unknown kind `{other}`"))),
            };
            for _ in 0..w.count {
                windows.push(Window { serves: serves.clone(), standby });
            }
        }
        if windows.is_empty() {
            return Err(invalid("window", "at least one [[window]]"));
        }
        let min_open_min = raw.staffing.as_ref().and_then(|s| s.min_open_min);
        let arrival_delay_min = raw.staffing.as_ref().and_then(|s| s.arrival_delay_min).unwrap_or(0.0);
        if !(arrival_delay_min.is_finite() && (0.0..=240.0).contains(&arrival_delay_min)) {
            return Err(invalid("staffing.arrival_delay_min", "must be 0 to 240 minutes"));
        }
        let no_show_wait_min = run.no_show_wait_min.unwrap_or(1.0);
        if !(no_show_wait_min.is_finite() && (0.0..=60.0).contains(&no_show_wait_min)) {
            return Err(invalid("run.no_show_wait_min", "must be 0 to 60 minutes"));
        }
        let schedule = match raw.staffing.and_then(|s| s.schedule) {
            None => None,
            Some(entries) => {
                let mut out: Vec<(f64, u32)> = Vec::with_capacity(entries.len());
                for (i, (at, n)) in entries.iter().enumerate() {
                    let m = minute(&format!("staffing.schedule[{i}]"), at)?;
                    if out.last().is_some_and(|(prev, _)| *prev >= m) {
                        return Err(invalid(format!("staffing.schedule[{i}]"), "times must increase"));
                    }
                    out.push((m, *n));
                }
                Some(out)
            }
        };
        let (customers, warmup, days) = match run.mode {
            Mode::Steady => (
                run.customers
                    .filter(|c| *c > 0)
                    .ok_or_else(|| invalid("run.customers", "steady mode needs customers > 0"))?,
                run.warmup.unwrap_or(0),
                0,
            ),
            Mode::Day => {
                (0, 0, run.days.filter(|d| *d > 0).ok_or_else(|| invalid("run.days", "day mode needs days > 0"))?)
            }
        };
        Ok(Scenario {
            mode: run.mode,
            seed: run.seed,
            customers,
            warmup,
            days,
            slot_min: run.slot_min.unwrap_or(30.0),
            thresholds: run.wait_thresholds_min,
            policy: run.policy,
            hours,
            matters,
            windows,
            schedule,
            min_open_min,
            arrival_delay_min,
            no_show_wait_min,
        })
    }
}
