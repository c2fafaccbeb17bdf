//! Runs a scenario and builds the contract's result: steady (one long run, warm-up deleted, batch
//! means) or day (replicated days, per-slot statistics, intervals across days).

use crate::scenario::{Mode, Scenario};
use crate::sim::{hall_config, Run, Staffing};
use crate::stats::{batch_ci, ci95, estimate_report, key, summarise, Recorder, Stats, Wait};
use onewindow_core::{Policy, StaffingRules};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// A window's line in the result.
#[derive(Debug, Serialize)]
pub struct WindowReport {
    /// Matter ids it serves.
    pub serves: Vec<String>,
    /// Busy time / elapsed time.
    pub utilisation: f64,
}

/// A day slot's line in the result.
#[derive(Debug, Serialize)]
pub struct SlotReport {
    /// Slot start, `HH:MM`.
    pub start: String,
    /// Mean arrivals per day in the slot.
    pub arrivals: f64,
    /// P(wait > t) of tickets that arrived in the slot.
    pub p_wait_over_min: BTreeMap<String, f64>,
    /// Mean windows open in the slot.
    pub open_windows: f64,
}

/// What the automatic staffing review did, per day.
#[derive(Debug, Serialize)]
pub struct ReviewReport {
    /// Standby windows opened, per day.
    pub openings_per_day: f64,
    /// Standby windows closed by the review (not the end of the day), per day.
    pub closings_per_day: f64,
    /// The shortest time a standby window stayed open before the review closed it, minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortest_open_min: Option<f64>,
}

/// The result (SCENARIO-FORMAT.md); extra fields are additions.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The policy that ran.
    pub policy: String,
    /// How standby windows were staffed: `off`, `schedule` or `auto`.
    pub staffing: String,
    /// Tickets simulated (issued), warm-up included.
    pub tickets: u64,
    /// Simulated tickets per wall-clock second.
    pub tickets_per_second: f64,
    /// Every window's open time per day, hours (day mode; standby windows only while open, from their
    /// opening, the clerk's walk to the window included).
    pub window_hours: f64,
    /// Day mode: standby windows opened per day (by the staffing review or the schedule), each a clerk
    /// called forward from the back office.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standby_openings_per_day: Option<f64>,
    /// Counted tickets whose holder had left when called (过号); their waits are not in the statistics.
    pub no_shows: u64,
    /// All counted tickets.
    pub overall: Stats,
    /// By matter id.
    pub matters: BTreeMap<String, Stats>,
    /// By window, in scenario order.
    pub windows: Vec<WindowReport>,
    /// Day mode: per slot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slots: Option<Vec<SlotReport>>,
    /// Automatic staffing (day mode): what the staffing review did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staffing_review: Option<ReviewReport>,
    /// With `--estimates`: the wait estimate printed at issue against the actual wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimates: Option<crate::stats::EstimateReport>,
    /// Each matter's target wait, minutes (for tables).
    #[serde(skip)]
    pub targets: BTreeMap<String, f64>,
    /// With `--estimates`: up to [`SAMPLES`] (printed median, actual wait) pairs, for the scatter chart.
    #[serde(skip)]
    pub estimate_samples: Vec<(f64, f64)>,
}

/// Estimate samples kept for charts.
pub const SAMPLES: usize = 1500;

/// Every `n`-th estimate, at most [`SAMPLES`] of them.
fn samples(all: &[crate::stats::EstimateSample]) -> Vec<(f64, f64)> {
    let step = all.len().div_ceil(SAMPLES).max(1);
    all.iter().step_by(step).map(|e| (e.median, e.actual)).collect()
}

/// The policy a name selects (`default` is the engine's default).
pub fn policy(name: &str) -> Option<Policy> {
    Policy::from_name(name)
}

fn matter_stats(scenario: &Scenario, waits: &[Wait], ci: &dyn Fn(&[f64]) -> f64) -> BTreeMap<String, Stats> {
    scenario
        .matters
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let of = |pred: &dyn Fn(&Wait) -> bool| {
                waits.iter().filter(|w| w.matter == i && pred(w)).map(|w| w.wait).collect::<Vec<f64>>()
            };
            let all = of(&|_| true);
            let mut stats = summarise(&all, &scenario.thresholds, ci(&all));
            let classes = [("normal", false), ("green", true)]
                .into_iter()
                .map(|(name, green)| {
                    let w = of(&|x| x.green == green);
                    (name.to_owned(), summarise(&w, &scenario.thresholds, ci(&w)))
                })
                .collect();
            stats.classes = Some(classes);
            (m.id.clone(), stats)
        })
        .collect()
}

fn window_reports(scenario: &Scenario, busy: &[f64], elapsed: f64) -> Vec<WindowReport> {
    scenario
        .windows
        .iter()
        .zip(busy)
        .map(|(w, b)| WindowReport {
            serves: w.serves.iter().map(|m| scenario.matters[*m].id.clone()).collect(),
            utilisation: if elapsed > 0.0 { b / elapsed } else { 0.0 },
        })
        .collect()
}

/// How to run a scenario; the defaults are the scenario's own.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Routing policy name (`default`, `fifo`, ...); the scenario's if `None`.
    pub policy: Option<String>,
    /// `off`, `schedule` or `auto`; if `None`: the schedule when the scenario has one, else automatic
    /// staffing when it has standby windows.
    pub staffing: Option<String>,
    /// Staffing review: open at this share of the target (default: the engine's).
    pub open_at: Option<f64>,
    /// Staffing review: close below this share of the target (default: the engine's).
    pub close_below: Option<f64>,
    /// Starvation guard, minutes (off if `None`).
    pub max_wait_min: Option<f64>,
    /// Record the estimate every ticket would be printed at issue.
    pub estimates: bool,
    /// Show progress on stderr.
    pub progress: bool,
}

impl Options {
    /// Options for one `policy[@staffing]` variant, e.g. `fifo@schedule`.
    pub fn variant(name: &str) -> Options {
        let (policy, staffing) = match name.split_once('@') {
            Some((p, s)) => (p, Some(s.to_owned())),
            None => (name, None),
        };
        Options { policy: Some(policy.to_owned()), staffing, ..Options::default() }
    }
}

/// `open_at` of a simulated hall whose standby clerks need minutes to come.
pub const WALK_OPEN_AT: f64 = 1.0;

fn staffing(scenario: &Scenario, options: &Options) -> Result<Staffing, String> {
    let has_standby = scenario.windows.iter().any(|w| w.standby);
    let name = match options.staffing.as_deref() {
        Some(name) => name,
        None if scenario.schedule.is_some() => "schedule",
        None if has_standby => "auto",
        None => "off",
    };
    let defaults = StaffingRules::default();
    match name {
        "off" => Ok(Staffing::Off),
        "schedule" if scenario.schedule.is_some() => Ok(Staffing::Schedule),
        "schedule" => Err("the scenario has no [staffing] schedule".into()),
        "auto" => Ok(Staffing::Auto(StaffingRules {
            // A hall whose standby clerks need minutes to come opens one when the predicted wait
            // reaches the target, not half of it: each opening is a walk (docs/policies.md, Goal 3).
            open_at: options.open_at.unwrap_or(if scenario.arrival_delay_min > 0.0 {
                WALK_OPEN_AT
            } else {
                defaults.open_at
            }),
            close_below: options.close_below.unwrap_or(defaults.close_below),
            min_open_ms: scenario.min_open_min.map_or(defaults.min_open_ms, |m| (m * 60_000.0).round() as i64),
            ..defaults
        })),
        other => Err(format!("unknown staffing `{other}`; known: off, schedule, auto")),
    }
}

/// Runs the scenario with `options`.
pub fn run(scenario: &Scenario, options: &Options) -> Result<Report, String> {
    let name = options.policy.as_deref().unwrap_or(&scenario.policy);
    let policy = policy(name).ok_or_else(|| format!("unknown policy `{name}`"))?;
    let staffing = staffing(scenario, options)?;
    let config = hall_config(scenario, policy, options.max_wait_min, staffing);
    let started = Instant::now();
    let mut report = match scenario.mode {
        Mode::Steady => steady(scenario, config, options.estimates),
        Mode::Day => day(scenario, config, options, staffing),
    };
    let elapsed = started.elapsed().as_secs_f64();
    report.policy = policy.name().to_owned();
    report.targets = scenario.matters.iter().map(|m| (m.id.clone(), m.target_wait_min)).collect();
    report.staffing = staffing.name().to_owned();
    report.tickets_per_second = if elapsed > 0.0 { report.tickets as f64 / elapsed } else { 0.0 };
    Ok(report)
}

fn steady(scenario: &Scenario, config: onewindow_core::HallConfig, estimates: bool) -> Report {
    let mut run = Run::new(scenario, config, 0);
    run.estimates = estimates;
    let mut rec = Recorder::default();
    let warmup = scenario.warmup;
    let total = warmup + scenario.customers;
    run.start_arrivals(0.0, f64::INFINITY);
    // Stop issuing after `total` tickets: a run stops once every counted ticket has been called.
    let measure = move |index: u64| index >= warmup && index < total;
    let customers = scenario.customers;
    run.run(f64::INFINITY, &mut rec, &measure, &|r: &Run| r.measured_called >= customers);
    let waits: Vec<f64> = rec.waits.iter().map(|w| w.wait).collect();
    let overall = summarise(&waits, &scenario.thresholds, batch_ci(&waits));
    Report {
        policy: String::new(),
        staffing: String::new(),
        tickets: run.issued,
        tickets_per_second: 0.0,
        window_hours: 0.0,
        standby_openings_per_day: None,
        no_shows: rec.no_shows,
        overall,
        matters: matter_stats(scenario, &rec.waits, &batch_ci),
        windows: window_reports(scenario, run.busy_minutes(), run.last_event),
        slots: None,
        staffing_review: None,
        estimates: estimate_report(&rec.estimates),
        estimate_samples: samples(&rec.estimates),
        targets: BTreeMap::new(),
    }
}

fn day(scenario: &Scenario, config: onewindow_core::HallConfig, options: &Options, staffing: Staffing) -> Report {
    let mut all_estimates = Vec::new();
    let (open, close) = scenario.hours.unwrap_or((0.0, 24.0 * 60.0));
    let slots = (((close - open) / scenario.slot_min).ceil() as usize).max(1);
    let mut all: Vec<Wait> = Vec::new();
    let mut day_means = Vec::new();
    let mut slot_arrivals = vec![0u64; slots];
    let mut busy = vec![0.0; scenario.windows.len()];
    let mut elapsed = 0.0;
    let mut tickets = 0;
    let mut window_hours = 0.0;
    let mut slot_open = vec![0.0; slots];
    let (mut openings, mut closings, mut shortest) = (0u64, 0u64, f64::INFINITY);
    let (mut standby_openings, mut no_shows) = (0u64, 0u64);
    for d in 0..scenario.days {
        let mut run = Run::new(scenario, config.clone(), d + 1);
        run.open_regular_from(open);
        run.estimates = options.estimates;
        if staffing == Staffing::Schedule {
            run.start_schedule(open);
        }
        run.start_ticks(open);
        run.start_closing(close);
        let mut rec = Recorder { keep_arrivals: true, ..Recorder::default() };
        run.start_arrivals(open, close);
        run.run(close, &mut rec, &|_| true, &|_| false);
        tickets += run.issued;
        openings += u64::from(run.review_openings);
        standby_openings += u64::from(run.standby_openings);
        no_shows += rec.no_shows;
        closings += run.review_closed.len() as u64;
        shortest = run.review_closed.iter().map(|(a, b)| b - a).fold(shortest, f64::min);
        for (at, _) in &rec.arrivals {
            let slot = (((at - open) / scenario.slot_min) as usize).min(slots - 1);
            slot_arrivals[slot] += 1;
        }
        if !rec.waits.is_empty() {
            day_means.push(rec.waits.iter().map(|w| w.wait).sum::<f64>() / rec.waits.len() as f64);
        }
        // Windows count from opening (or being opened) until the last citizen is served, drain after
        // closing time included.
        let end = run.last_event.max(close);
        let intervals = run.open_intervals(end);
        window_hours += intervals.iter().map(|(a, b)| b - a).sum::<f64>() / 60.0;
        for (s, minutes) in slot_open.iter_mut().enumerate() {
            let (from, to) = (open + s as f64 * scenario.slot_min, open + (s + 1) as f64 * scenario.slot_min);
            *minutes += intervals.iter().map(|(a, b)| (b.min(to) - a.max(from)).max(0.0)).sum::<f64>();
        }
        elapsed += end - open;
        for (b, day_busy) in busy.iter_mut().zip(run.busy_minutes()) {
            *b += day_busy;
        }
        all.extend(rec.waits);
        all_estimates.extend(rec.estimates);
        // Long runs say how far they are, every tenth of the days.
        if options.progress && scenario.days >= 20 && (d + 1) % (scenario.days / 10).max(1) == 0 {
            eprintln!("  {}: day {} of {}", config.rules.policy.name(), d + 1, scenario.days);
        }
    }
    let days = f64::from(scenario.days.max(1));
    let slot_reports = (0..slots)
        .map(|s| {
            let in_slot: Vec<f64> = all
                .iter()
                .filter(|w| (((w.arrived - open) / scenario.slot_min) as usize).min(slots - 1) == s)
                .map(|w| w.wait)
                .collect();
            let start = open + s as f64 * scenario.slot_min;
            SlotReport {
                start: format!("{:02}:{:02}", (start / 60.0) as u32, (start % 60.0) as u32),
                arrivals: slot_arrivals[s] as f64 / days,
                p_wait_over_min: scenario
                    .thresholds
                    .iter()
                    .map(|t| {
                        let p = if in_slot.is_empty() {
                            0.0
                        } else {
                            in_slot.iter().filter(|w| **w > *t).count() as f64 / in_slot.len() as f64
                        };
                        (key(*t), p)
                    })
                    .collect(),
                open_windows: slot_open[s] / (scenario.slot_min * days),
            }
        })
        .collect();
    let waits: Vec<f64> = all.iter().map(|w| w.wait).collect();
    let per_day_ci = ci95(&day_means);
    // Across days for the overall mean; per matter, the same day-to-day spread is approximated by
    // batch means over the pooled days (days are independent, so batches are nearly so).
    Report {
        policy: String::new(),
        staffing: String::new(),
        tickets,
        tickets_per_second: 0.0,
        window_hours: window_hours / days,
        standby_openings_per_day: Some(standby_openings as f64 / days),
        no_shows,
        overall: summarise(&waits, &scenario.thresholds, per_day_ci),
        matters: matter_stats(scenario, &all, &batch_ci),
        windows: window_reports(scenario, &busy, elapsed),
        slots: Some(slot_reports),
        staffing_review: matches!(staffing, Staffing::Auto(_)).then(|| ReviewReport {
            openings_per_day: openings as f64 / days,
            closings_per_day: closings as f64 / days,
            shortest_open_min: shortest.is_finite().then_some(shortest),
        }),
        estimates: estimate_report(&all_estimates),
        estimate_samples: samples(&all_estimates),
        targets: BTreeMap::new(),
    }
}
