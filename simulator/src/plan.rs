//! Next week's window plan from the last weeks of a ledger (`onewindow-sim plan`).
//!
//! ```text
//! ledger ──Folder──> closed days of the last N weeks ──> per weekday: arrivals per matter and half hour,
//!   handling time, no-shows, green share ──> a day scenario (the hall's own windows and targets)
//!   ──run, automatic staffing──> windows open per half hour ──rounded up──> a schedule
//!   ──run the schedule; a slot under the goal gets one more window, again──> the plan
//! ```
//!
//! The profile is what the weeks showed (each weekday's mean over the weeks it occurred); the plan is
//! what the staffing review did on simulated days drawn from that profile, rounded up to whole windows
//! per half hour, then checked as a fixed schedule on the same simulated days and raised where a slot
//! fell under the goal (every half hour at least `share` of tickets called within the hall's shortest
//! target).

use crate::report::{self, Options, Report};
use crate::scenario::Scenario;
use onewindow_core::report::facts::End;
use onewindow_core::report::{DayFacts, Folder};
use onewindow_core::{Date, Event, HallConfig, TicketClass, WindowKind};
use serde::Serialize;
use std::fmt::Write as _;

/// Half hours.
const SLOT_MIN: u32 = 30;
/// Rounds of raising slots under the goal, at most.
const MAX_ROUNDS: usize = 8;

/// What to plan from.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    /// Weeks of history.
    pub weeks: u32,
    /// The last day of history (default: the last closed day in the ledger).
    pub to: Option<Date>,
    /// Simulated days per weekday.
    pub days: u32,
    /// The goal: share of each half hour's tickets called within the target.
    pub share: f64,
    /// Minutes a standby clerk needs to reach an opened window.
    pub walk_min: f64,
    /// Seed of the simulated days.
    pub seed: u64,
    /// The goal's wait, minutes (default: the hall's shortest target).
    pub target_min: Option<f64>,
}

/// The closed days of a ledger's events (in order: `onewindow::store::events`) up to `to` (default:
/// the last closed one), the `keep_days` days before it included.
pub fn closed_days<E: std::fmt::Display>(
    events: impl IntoIterator<Item = Result<Event, E>>,
    config: &HallConfig,
    to: Option<Date>,
    keep_days: i64,
) -> Result<Vec<DayFacts>, String> {
    let mut folder = Folder::new(config.layout(), config.utc_offset_min);
    let mut days: Vec<DayFacts> = Vec::new();
    for event in events {
        let event = event.map_err(|e| e.to_string())?;
        if let (Event::DayOpened { date, .. }, Some(to)) = (&event, to) {
            if *date > to {
                break;
            }
        }
        if let Some(day) = folder.fold(&event).filter(|d| d.closed) {
            if to.is_none_or(|to| day.date <= to) {
                days.push(day);
            }
        }
    }
    let last = to.or_else(|| days.last().map(|d| d.date)).ok_or("the ledger has no closed business day")?;
    days.retain(|d| d.date.to_days() > last.to_days() - keep_days);
    if days.is_empty() {
        return Err(format!("the ledger has no closed business day in the {keep_days} days to {last}"));
    }
    Ok(days)
}

/// One matter on one weekday, as the weeks showed it.
#[derive(Debug, Clone, Serialize)]
pub struct MatterProfile {
    /// The matter's key.
    pub matter: String,
    /// Arrivals per half hour (mean over the weekday's days), from the first slot.
    pub arrivals: Vec<f64>,
    /// Mean handling time per half hour of issue, minutes (`None`: nobody served).
    pub handling_min: Vec<Option<f64>>,
}

/// One weekday's profile and plan.
#[derive(Debug, Serialize)]
pub struct WeekdayPlan {
    /// 0 = Monday.
    pub weekday: usize,
    /// Days of history it comes from.
    pub days: u32,
    /// The first half hour, `HH:MM`.
    pub first_slot: String,
    /// Per matter.
    pub matters: Vec<MatterProfile>,
    /// Windows to staff per half hour (regular ones included).
    pub windows: Vec<u32>,
    /// The plan's window-hours a day.
    pub window_hours: f64,
    /// The plan's worst half hour: share called within the target.
    pub worst_share: f64,
    /// Half hours (`HH:MM`) under the goal even with every window of the hall open.
    pub out_of_reach: Vec<String>,
    /// The staffing review's window-hours on the same simulated days, for comparison.
    pub review_window_hours: f64,
    /// The plan checked as a schedule (for charts).
    #[serde(skip)]
    pub checked: Option<Report>,
}

/// The week's plan.
#[derive(Debug, Serialize)]
pub struct Plan {
    /// History: first and last day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The goal's threshold, minutes (the hall's shortest target).
    pub target_min: f64,
    /// The goal's share.
    pub share: f64,
    /// Weekdays with history.
    pub weekdays: Vec<WeekdayPlan>,
}

/// Plans next week from `days` of history.
pub fn plan(config: &HallConfig, days: &[DayFacts], request: &Request) -> Result<Plan, String> {
    let offset = config.utc_offset_min;
    let shortest = config.matters.iter().filter(|m| !m.retired).map(|m| m.target_wait_ms).min();
    let target_min = request.target_min.unwrap_or(shortest.unwrap_or(1_200_000) as f64 / 60_000.0);
    let mut weekdays = Vec::new();
    for weekday in 0..7 {
        let these: Vec<&DayFacts> =
            days.iter().filter(|d| onewindow_core::report::kpi::weekday(d.date) == weekday).collect();
        if these.iter().all(|d| d.tickets.is_empty()) {
            continue;
        }
        weekdays.push(plan_weekday(config, weekday, &these, target_min, request, offset)?);
    }
    Ok(Plan {
        from: days.first().map_or(Date { year: 1970, month: 1, day: 1 }, |d| d.date),
        to: days.last().map_or(Date { year: 1970, month: 1, day: 1 }, |d| d.date),
        target_min,
        share: request.share,
        weekdays,
    })
}

/// Minute of the local day of `at` (ms since the epoch).
fn minute_of_day(at: i64, offset_min: i32) -> u32 {
    let local = at / 60_000 + i64::from(offset_min);
    local.rem_euclid(24 * 60) as u32
}

fn hhmm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn plan_weekday(
    config: &HallConfig,
    weekday: usize,
    days: &[&DayFacts],
    target_min: f64,
    request: &Request,
    offset: i32,
) -> Result<WeekdayPlan, String> {
    let slot = |at: i64| minute_of_day(at, offset) / SLOT_MIN;
    let tickets = || days.iter().flat_map(|d| d.tickets.iter());
    let first = tickets().map(|t| slot(t.issued_at)).min().unwrap_or(0);
    let last = tickets().map(|t| slot(t.issued_at)).max().unwrap_or(0);
    let slots = (last - first + 1) as usize;
    let n = days.len() as f64;
    let live: Vec<&onewindow_core::MatterSpec> = config.matters.iter().filter(|m| !m.retired).collect();
    let mut matters = Vec::new();
    let mut scenario = String::new();
    for spec in &live {
        let mine: Vec<_> = tickets().filter(|t| t.matter == spec.key).collect();
        let mut arrivals = vec![0.0; slots];
        let mut handling: Vec<(f64, u32)> = vec![(0.0, 0); slots];
        let (mut served, mut no_shows, mut green, mut service_sum) = (0u32, 0u32, 0u32, 0.0);
        for t in &mine {
            let i = (slot(t.issued_at) - first) as usize;
            arrivals[i] += 1.0 / n;
            green += u32::from(t.class == TicketClass::Green);
            match (t.end, t.service_ms) {
                (End::Served { .. }, Some(ms)) => {
                    served += 1;
                    service_sum += ms as f64 / 60_000.0;
                    handling[i].0 += ms as f64 / 60_000.0;
                    handling[i].1 += 1;
                }
                (End::NoShow, _) => no_shows += 1,
                _ => {}
            }
        }
        let mean_service =
            if served > 0 { service_sum / f64::from(served) } else { spec.handling_norm_ms as f64 / 60_000.0 };
        let handling_min = handling.iter().map(|(sum, k)| (*k > 0).then(|| sum / f64::from(*k))).collect();
        if !mine.is_empty() {
            // Per-hour rates by half hour, the scenario's piecewise profile; a last zero ends it.
            let mut profile: Vec<String> = arrivals
                .iter()
                .enumerate()
                .map(|(i, a)| format!("[\"{}\", {:.4}]", hhmm((first + i as u32) * SLOT_MIN), a * 2.0))
                .collect();
            profile.push(format!("[\"{}\", 0.0]", hhmm((last + 1) * SLOT_MIN)));
            let _ = writeln!(
                scenario,
                "[[matter]]\nid = {:?}\nprofile = [{}]\nservice = {{ dist = \"exponential\", mean_min = {:.4} }}\ngreen_share = {:.4}\nno_show_share = {:.4}\ntarget_wait_min = {:.4}\n",
                spec.key,
                profile.join(", "),
                mean_service.max(0.1),
                f64::from(green) / mine.len() as f64,
                f64::from(no_shows) / f64::from((served + no_shows).max(1)),
                spec.target_wait_ms as f64 / 60_000.0,
            );
        }
        matters.push(MatterProfile { matter: spec.key.clone(), arrivals, handling_min });
    }
    let in_scenario: Vec<&str> =
        live.iter().filter(|m| tickets().any(|t| t.matter == m.key)).map(|m| m.key.as_str()).collect();
    let (mut regular, mut all) = (0u32, 0u32);
    for w in config.windows.iter().filter(|w| !w.retired) {
        let serves: Vec<String> = w
            .skills
            .iter()
            .filter_map(|m| config.matters.get(usize::from(m.0)))
            .filter(|m| in_scenario.contains(&m.key.as_str()))
            .map(|m| format!("{:?}", m.key))
            .collect();
        if serves.is_empty() {
            continue;
        }
        let standby = w.kind == WindowKind::Standby;
        regular += u32::from(!standby);
        all += 1;
        let kind = if standby { "\nkind = \"standby\"" } else { "" };
        let _ = writeln!(scenario, "[[window]]\nserves = [{}]\ncount = 1{kind}\n", serves.join(", "));
    }
    let open = first * SLOT_MIN;
    let close = (last + 1) * SLOT_MIN;
    let head = format!(
        "[run]\nmode = \"day\"\nseed = {}\ndays = {}\nslot_min = {SLOT_MIN}\nwait_thresholds_min = [{target_min}]\npolicy = {:?}\n\n[hours]\nopen = \"{}\"\nclose = \"{}\"\n\n[staffing]\narrival_delay_min = {}\nmin_open_min = {}\n\n",
        request.seed,
        request.days,
        config.rules.policy.name(),
        hhmm(open),
        hhmm(close),
        request.walk_min,
        config.rules.staffing.min_open_ms as f64 / 60_000.0,
    );
    let text = head.clone() + &scenario;
    let rules = config.rules.staffing;
    let auto = Options {
        staffing: Some("auto".into()),
        open_at: Some(rules.open_at),
        close_below: Some(rules.close_below),
        ..Options::default()
    };
    let parsed = Scenario::parse(&text).map_err(|e| format!("the planned scenario: {e}\n{text}"))?;
    let review = report::run(&parsed, &auto)?;
    let threshold = format!("{target_min}");
    let mut windows: Vec<u32> =
        review.slots.iter().flatten().map(|s| (s.open_windows - 1e-6).ceil().max(f64::from(regular)) as u32).collect();
    windows.resize(slots, regular);
    for w in &mut windows {
        *w = (*w).min(all);
    }
    let mut checked = None;
    let mut out_of_reach = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let schedule: Vec<String> = windows
            .iter()
            .enumerate()
            .map(|(i, w)| format!("[\"{}\", {w}]", hhmm(open + i as u32 * SLOT_MIN)))
            .collect();
        let with_schedule =
            head.replace("[staffing]\n", &format!("[staffing]\nschedule = [{}]\n", schedule.join(", "))) + &scenario;
        let parsed = Scenario::parse(&with_schedule).map_err(|e| format!("the planned schedule: {e}"))?;
        let report = report::run(&parsed, &Options { staffing: Some("schedule".into()), ..Options::default() })?;
        let short: Vec<usize> = report
            .slots
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, s)| {
                s.arrivals > 0.0 && 1.0 - s.p_wait_over_min.get(&threshold).copied().unwrap_or(0.0) < request.share
            })
            .map(|(i, _)| i)
            .collect();
        checked = Some(report);
        // A queue that is too long in a half hour built up in it or the one before.
        let raise: Vec<usize> =
            short.iter().flat_map(|i| [i.saturating_sub(1), *i]).filter(|j| windows[*j] < all).collect();
        out_of_reach =
            short.iter().filter(|i| windows[**i] >= all).map(|i| hhmm(open + *i as u32 * SLOT_MIN)).collect();
        if raise.is_empty() {
            break;
        }
        for j in raise {
            windows[j] = (windows[j] + 1).min(all);
        }
    }
    let checked = checked.ok_or("no schedule was checked")?;
    let worst_share = checked
        .slots
        .iter()
        .flatten()
        .filter(|s| s.arrivals > 0.0)
        .map(|s| 1.0 - s.p_wait_over_min.get(&threshold).copied().unwrap_or(0.0))
        .fold(1.0, f64::min);
    Ok(WeekdayPlan {
        weekday,
        days: days.len() as u32,
        first_slot: hhmm(open),
        matters,
        window_hours: checked.window_hours,
        worst_share,
        out_of_reach,
        review_window_hours: review.window_hours,
        windows,
        checked: Some(checked),
    })
}

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// The plan as a table per weekday: each half hour's arrivals, handling time and windows.
pub fn table(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "history {} to {}; goal: every half hour ≥ {:.0}% called within {} min",
        plan.from,
        plan.to,
        plan.share * 100.0,
        plan.target_min
    );
    for w in &plan.weekdays {
        let _ = writeln!(
            out,
            "\n{} ({} days of history): {:.1} window-hours, worst half hour {:.3} (the staffing review: {:.1} window-hours)",
            WEEKDAYS[w.weekday], w.days, w.window_hours, w.worst_share, w.review_window_hours
        );
        // The weekday's expected arrivals as the staffing review's `[staffing] forecast` takes them,
        // ending with none after the last half hour.
        let first = w.first_slot.split(':').map(|p| p.parse::<u32>().unwrap_or(0)).fold(0, |a, p| a * 60 + p);
        let forecast: Vec<String> = (0..=w.windows.len())
            .map(|i| {
                let per_hour: f64 =
                    w.matters.iter().map(|m| m.arrivals.get(i).copied().unwrap_or(0.0)).sum::<f64>() * 2.0;
                format!("[\"{}\", {per_hour:.1}]", hhmm(first + i as u32 * SLOT_MIN))
            })
            .collect();
        let _ = writeln!(out, "forecast = [{}]", forecast.join(", "));
        if !w.out_of_reach.is_empty() {
            let _ = writeln!(out, "under the goal even with every window open: {}", w.out_of_reach.join(", "));
        }
        let _ = writeln!(out, "{:<8} {:>10} {:>14} {:>8}", "from", "arrivals", "handling (min)", "windows");
        for (i, windows) in w.windows.iter().enumerate() {
            let arrivals: f64 = w.matters.iter().map(|m| m.arrivals.get(i).copied().unwrap_or(0.0)).sum();
            let (sum, k) = w
                .matters
                .iter()
                .filter_map(|m| Some((m.handling_min.get(i).copied()??, m.arrivals.get(i).copied()?)))
                .fold((0.0, 0.0), |(s, k), (h, a)| (s + h * a, k + a));
            let handling = if k > 0.0 { format!("{:.1}", sum / k) } else { "—".into() };
            let _ = writeln!(
                out,
                "{:<8} {:>10.1} {:>14} {:>8}",
                hhmm(first + i as u32 * SLOT_MIN),
                arrivals,
                handling,
                windows
            );
        }
    }
    out
}
