//! The KPIs of `docs/reports.md`, as arithmetic over [`DayFacts`]. Days are added one at a time and
//! only numbers are kept (a wait per called ticket, a service time per served one), so a year of a
//! busy hall costs a few megabytes, whatever the period.
//!
//! Quantiles are nearest-rank (the `ceil(q·n)`-th smallest), as in the simulator.

use super::facts::{CaseFact, DayFacts, End, SessionFact, StepFact, TicketFact};
use crate::cases::CaseStep;
use crate::model::{Rating, TicketClass};
use crate::time::{Date, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// The ticket's matter at issue (cases by the rated ticket's matter).
    Matter,
    /// The window that served (or last called) the ticket.
    Window,
    /// The clerk signed in there.
    Clerk,
    /// The hour of issue.
    Hour,
    /// The weekday of the business day.
    Weekday,
    /// The ticket's class.
    Class,
    /// The business day.
    Day,
}

impl By {
    /// Every grouping, by name.
    pub const ALL: [(By, &'static str); 7] = [
        (By::Matter, "matter"),
        (By::Window, "window"),
        (By::Clerk, "clerk"),
        (By::Hour, "hour"),
        (By::Weekday, "weekday"),
        (By::Class, "class"),
        (By::Day, "day"),
    ];

    /// The grouping called `name`.
    pub fn from_name(name: &str) -> Option<By> {
        By::ALL.iter().find(|(_, n)| *n == name).map(|(b, _)| *b)
    }
}

/// Weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The weekday of `date`, Monday = 0.
pub fn weekday(date: Date) -> usize {
    (date.to_days() + 3).rem_euclid(7) as usize
}

/// The KPIs of one row (or the whole period). Times in seconds, shares in [0, 1]; a share or a time
/// with nothing to measure is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    /// Tickets issued (appointment check-ins included).
    pub issued: u64,
    /// Tickets served (a `service_finished`, any outcome).
    pub served: u64,
    /// Tickets that ended as no-shows.
    pub no_shows: u64,
    /// Tickets cancelled while waiting.
    pub cancelled: u64,
    /// Tickets transferred at least once.
    pub transferred: u64,
    /// Tickets still open when their day closed.
    pub closed_unserved: u64,
    /// Tickets called at least once: those with a wait.
    pub called: u64,
    /// Mean wait (issue → first call).
    pub wait_mean_s: Option<f64>,
    /// Median wait.
    pub wait_median_s: Option<f64>,
    /// 90th percentile of the wait.
    pub wait_p90_s: Option<f64>,
    /// Share of called tickets whose wait was within their matter's target.
    pub within_target: Option<f64>,
    /// Mean handling time (start → finish; call → finish when never started).
    pub handling_mean_s: Option<f64>,
    /// 90th percentile of the handling time.
    pub handling_p90_s: Option<f64>,
    /// Mean of the served matters' handling-time norms, to compare with the mean.
    pub norm_mean_s: Option<f64>,
    /// Share of served tickets handled within their matter's norm.
    pub within_norm: Option<f64>,
    /// Clerks' signed-in time at windows.
    pub signed_in_s: f64,
    /// Serving time (of tickets finished by a signed-in clerk).
    pub serving_s: f64,
    /// Serving time / signed-in time.
    pub utilisation: Option<f64>,
    /// Pauses taken.
    pub pauses: u64,
    /// Time paused.
    pub paused_s: f64,
    /// Green-channel tickets.
    pub green: u64,
    /// Their share of tickets issued.
    pub green_share: Option<f64>,
    /// Appointment tickets (checked in within their slot).
    pub appointment_tickets: u64,
    /// Their share of tickets issued.
    pub appointment_share: Option<f64>,
    /// Appointments booked for the period.
    pub appointments_booked: u64,
    /// Share of those the citizen came to, within the slot and its grace.
    pub appointments_kept: Option<f64>,
    /// Ratings given.
    pub rated: u64,
    /// Ratings per served ticket.
    pub response_rate: Option<f64>,
    /// Share of ratings that were 满意 or 非常满意 (好评率).
    pub good_rate: Option<f64>,
    /// Ratings of 不满意 or 非常不满意 (差评).
    pub bad: u64,
    /// Rectification cases opened.
    pub cases_opened: u64,
    /// Of those, resolved (as of the report).
    pub cases_resolved: u64,
    /// Of those, resolved by their deadline.
    pub cases_on_time: u64,
    /// Share of cases opened that were resolved by their deadline.
    pub cases_on_time_rate: Option<f64>,
    /// Tickets called that had a printed estimate.
    pub printed: u64,
    /// Share of those whose wait, in the whole minutes a ticket shows, was within the printed 80th
    /// percentile (goal 75–85%).
    pub within_printed_p80: Option<f64>,
    /// Mean of (actual wait − printed median): positive when waits were longer than printed.
    pub estimate_error_mean_s: Option<f64>,
}

/// A grouped row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The group: a matter key, a window number, a clerk's 工号, an hour `09`, a weekday `Mon`, a
    /// class, a date.
    pub key: String,
    /// Its KPIs.
    #[serde(flatten)]
    pub kpis: Kpis,
}

/// The busiest hour of a weekday.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    /// `Mon` … `Sun`.
    pub weekday: String,
    /// Local hour, 0–23.
    pub hour: u32,
    /// Tickets issued in that hour over the period's days of that weekday, per day.
    pub issued_per_day: f64,
    /// Days of that weekday in the period.
    pub days: u64,
}

/// A rectification case in the period, with where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRow {
    /// The case as opened.
    #[serde(flatten)]
    pub case: CaseFact,
    /// Who it was assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    /// When the citizen was contacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacted_at: Option<i64>,
    /// When it was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<i64>,
    /// How.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// Resolved by its deadline.
    pub on_time: bool,
}

/// A report: the period's KPIs, grouped rows, peaks, low-rating reasons, cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// Business days in the ledger within the period.
    pub days: u64,
    /// The grouping of `rows`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<By>,
    /// The whole period.
    pub total: Kpis,
    /// By group, in key order.
    #[serde(default)]
    pub rows: Vec<Row>,
    /// The busiest hour of each weekday with tickets.
    pub peaks: Vec<Peak>,
    /// 差评 reasons and how often each was given.
    pub low_reasons: BTreeMap<String, u64>,
    /// The cases opened in the period.
    pub cases: Vec<CaseRow>,
}

/// Raw sums of one group.
#[derive(Debug, Default, Clone)]
struct Acc {
    k: Kpis,
    waits: Vec<i64>,
    within_target: u64,
    services: Vec<i64>,
    norms: i64,
    within_norm: u64,
    signed_in_ms: i64,
    serving_ms: i64,
    paused_ms: i64,
    kept: u64,
    good: u64,
    errors_ms: i64,
    within_p80: u64,
}

impl Acc {
    fn ticket(&mut self, t: &TicketFact) {
        let k = &mut self.k;
        k.issued += 1;
        match t.end {
            End::Served { .. } => k.served += 1,
            End::NoShow => k.no_shows += 1,
            End::Cancelled => k.cancelled += 1,
            End::ClosedUnserved => k.closed_unserved += 1,
            End::Open => {}
        }
        k.transferred += u64::from(t.transfers > 0);
        if let Some(wait) = t.wait_ms() {
            k.called += 1;
            self.waits.push(wait);
            self.within_target += u64::from(wait <= t.target_ms);
            if let Some(p) = t.printed {
                k.printed += 1;
                self.within_p80 += u64::from(within_printed(wait, p.p80_ms));
                self.errors_ms += wait - p.median_ms;
            }
        }
        if let (End::Served { .. }, Some(service)) = (t.end, t.service_ms) {
            self.services.push(service);
            self.norms += t.norm_ms;
            self.within_norm += u64::from(service <= t.norm_ms);
        }
        k.green += u64::from(t.class == TicketClass::Green);
        k.appointment_tickets += u64::from(t.class == TicketClass::Appointment);
        if let Some(r) = t.rating {
            k.rated += 1;
            self.good += u64::from(matches!(r, Rating::VerySatisfied | Rating::Satisfied));
            k.bad += u64::from(crate::cases::is_low(r));
        }
    }

    fn session(&mut self, s: &SessionFact) {
        self.signed_in_ms += s.signed_in_ms;
        self.serving_ms += s.serving_ms;
        self.paused_ms += s.paused_ms;
        self.k.pauses += u64::from(s.pauses);
    }

    fn case(&mut self, c: &CaseRow) {
        self.k.cases_opened += 1;
        self.k.cases_resolved += u64::from(c.resolved_at.is_some());
        self.k.cases_on_time += u64::from(c.on_time);
    }

    fn appointment(&mut self, kept: bool) {
        self.k.appointments_booked += 1;
        self.kept += u64::from(kept);
    }

    fn finish(mut self) -> Kpis {
        let share = |n: u64, of: u64| (of > 0).then(|| round(n as f64 / of as f64, 4));
        let secs = |ms: f64| round(ms / 1000.0, 1);
        let mean = |v: &[i64]| (!v.is_empty()).then(|| secs(v.iter().sum::<i64>() as f64 / v.len() as f64));
        self.waits.sort_unstable();
        self.services.sort_unstable();
        let k = &mut self.k;
        k.wait_mean_s = mean(&self.waits);
        k.wait_median_s = quantile(&self.waits, 0.5).map(|ms| secs(ms as f64));
        k.wait_p90_s = quantile(&self.waits, 0.9).map(|ms| secs(ms as f64));
        k.within_target = share(self.within_target, k.called);
        k.handling_mean_s = mean(&self.services);
        k.handling_p90_s = quantile(&self.services, 0.9).map(|ms| secs(ms as f64));
        let handled = self.services.len() as u64;
        k.norm_mean_s = (handled > 0).then(|| secs(self.norms as f64 / handled as f64));
        k.within_norm = share(self.within_norm, handled);
        k.signed_in_s = secs(self.signed_in_ms as f64);
        k.serving_s = secs(self.serving_ms as f64);
        k.utilisation = (self.signed_in_ms > 0).then(|| round(self.serving_ms as f64 / self.signed_in_ms as f64, 4));
        k.paused_s = secs(self.paused_ms as f64);
        k.green_share = share(k.green, k.issued);
        k.appointment_share = share(k.appointment_tickets, k.issued);
        k.appointments_kept = share(self.kept, k.appointments_booked);
        k.response_rate = share(k.rated, k.served);
        k.good_rate = share(self.good, k.rated);
        k.cases_on_time_rate = share(k.cases_on_time, k.cases_opened);
        k.within_printed_p80 = share(self.within_p80, k.printed);
        k.estimate_error_mean_s = (k.printed > 0).then(|| secs(self.errors_ms as f64 / k.printed as f64));
        self.k
    }
}

/// Whether a wait kept to the printed upper figure, at the resolution it was printed in: whole
/// minutes ("约 5–8 分钟"), so a wait of 8 min 20 s kept an 8-minute promise and a wait of seconds a
/// "0 分钟" one.
pub fn within_printed(wait_ms: i64, p80_ms: i64) -> bool {
    let minutes = |ms: i64| (ms + 30_000).div_euclid(60_000);
    minutes(wait_ms) <= minutes(p80_ms)
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// The nearest-rank `q`-quantile of sorted values.
pub fn quantile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// Builds a report from days given one at a time, in date order.
pub struct Builder {
    from: Date,
    to: Date,
    by: Option<By>,
    offset_min: i32,
    days: u64,
    total: Acc,
    rows: BTreeMap<String, Acc>,
    /// Issues by (weekday, hour), and days by weekday.
    hours: BTreeMap<(usize, u32), u64>,
    weekdays: [u64; 7],
    low_reasons: BTreeMap<String, u64>,
    cases: Vec<CaseRow>,
}

impl Builder {
    /// A report of `from..=to`, grouped `by`, for a hall `offset_min` east of UTC.
    pub fn new(from: Date, to: Date, by: Option<By>, offset_min: i32) -> Builder {
        Builder {
            from,
            to,
            by,
            offset_min,
            days: 0,
            total: Acc::default(),
            rows: BTreeMap::new(),
            hours: BTreeMap::new(),
            weekdays: [0; 7],
            low_reasons: BTreeMap::new(),
            cases: Vec::new(),
        }
    }

    fn row(&mut self, key: Option<String>) -> Option<&mut Acc> {
        self.by?;
        Some(self.rows.entry(key.unwrap_or_else(|| "-".into())).or_default())
    }

    /// Adds a day: its facts count if it is in the period; its case steps count whenever it is (a
    /// case opened in the period may be resolved after it).
    pub fn add(&mut self, day: &DayFacts) {
        if (self.from..=self.to).contains(&day.date) {
            self.add_in_period(day);
        }
        self.steps(&day.steps);
        // Appointments count by the date of their slot.
        for a in &day.appointments {
            let (date, minute) = Timestamp(a.start).local(self.offset_min);
            if !(self.from..=self.to).contains(&date) {
                continue;
            }
            self.total.appointment(a.kept);
            let key = self.by.and_then(|by| match by {
                By::Matter => Some(a.matter.clone()),
                By::Hour => Some(format!("{:02}", minute / 60)),
                By::Class => Some(class_name(TicketClass::Appointment).to_owned()),
                By::Weekday => Some(WEEKDAYS[weekday(date)].to_owned()),
                By::Day => Some(date.to_string()),
                By::Window | By::Clerk => None,
            });
            if let Some(acc) = key.and_then(|k| self.row(Some(k))) {
                acc.appointment(a.kept);
            }
        }
    }

    fn add_in_period(&mut self, day: &DayFacts) {
        self.days += 1;
        let weekday = weekday(day.date);
        self.weekdays[weekday] += 1;
        let by = self.by;
        let offset = self.offset_min;
        let hour = move |at: i64| Timestamp(at).local(offset).1 / 60;
        let day_key = |by: By| match by {
            By::Weekday => Some(WEEKDAYS[weekday].to_owned()),
            By::Day => Some(day.date.to_string()),
            _ => None,
        };
        for t in &day.tickets {
            self.total.ticket(t);
            *self.hours.entry((weekday, hour(t.issued_at))).or_default() += 1;
            if let (Some(Rating::Dissatisfied | Rating::VeryDissatisfied), Some(reason)) = (t.rating, &t.reason) {
                *self.low_reasons.entry(reason.clone()).or_default() += 1;
            }
            let key = by.map(|by| match by {
                By::Matter => Some(t.matter.clone()),
                By::Window => t.window.map(|w| w.to_string()),
                By::Clerk => t.clerk.clone(),
                By::Hour => Some(format!("{:02}", hour(t.issued_at))),
                By::Class => Some(class_name(t.class).to_owned()),
                other => day_key(other),
            });
            if let Some(acc) = key.and_then(|k| self.row(k)) {
                acc.ticket(t);
            }
        }
        for s in &day.sessions {
            self.total.session(s);
            let key = by.and_then(|by| match by {
                By::Window => Some(s.window.to_string()),
                By::Clerk => Some(s.clerk.clone()),
                other => day_key(other),
            });
            if let Some(acc) = key.and_then(|k| self.row(Some(k))) {
                acc.session(s);
            }
        }
        self.cases.extend(day.cases.iter().map(|c| CaseRow {
            case: c.clone(),
            assigned_to: None,
            contacted_at: None,
            resolved_at: None,
            resolution: None,
            on_time: false,
        }));
    }

    fn steps(&mut self, steps: &[StepFact]) {
        for step in steps {
            let Some(case) = self.cases.iter_mut().find(|c| c.case.id == step.case) else { continue };
            match &step.step {
                CaseStep::Assigned { to } => case.assigned_to = Some(to.clone()),
                CaseStep::Contacted => case.contacted_at = Some(step.at),
                CaseStep::Resolved => {
                    case.resolved_at = Some(step.at);
                    case.resolution = Some(step.note.clone());
                    case.on_time = step.at <= case.case.resolve_by;
                }
            }
        }
    }

    /// The report.
    pub fn finish(mut self) -> Report {
        let cases = std::mem::take(&mut self.cases);
        for c in &cases {
            self.total.case(c);
            let key = self.by.and_then(|by| match by {
                By::Matter => Some(c.case.matter.clone()),
                By::Window => Some(c.case.window.to_string()),
                By::Clerk => c.case.clerk.clone(),
                By::Hour => Some(format!("{:02}", Timestamp(c.case.opened_at).local(self.offset_min).1 / 60)),
                By::Weekday => Some(WEEKDAYS[weekday(Timestamp(c.case.opened_at).local(self.offset_min).0)].to_owned()),
                By::Day => Some(Timestamp(c.case.opened_at).local(self.offset_min).0.to_string()),
                By::Class => None,
            });
            if let Some(acc) = key.and_then(|k| self.row(Some(k))) {
                acc.case(c);
            }
        }
        let mut peaks = Vec::new();
        for (weekday, days) in self.weekdays.iter().enumerate().filter(|(_, d)| **d > 0) {
            let busiest = self
                .hours
                .range((weekday, 0)..=(weekday, 23))
                .max_by_key(|((_, hour), n)| (**n, std::cmp::Reverse(*hour)));
            if let Some(((_, hour), n)) = busiest {
                peaks.push(Peak {
                    weekday: WEEKDAYS[weekday].to_owned(),
                    hour: *hour,
                    issued_per_day: round(*n as f64 / *days as f64, 1),
                    days: *days,
                });
            }
        }
        Report {
            from: self.from,
            to: self.to,
            days: self.days,
            by: self.by,
            total: self.total.finish(),
            rows: self.rows.into_iter().map(|(key, acc)| Row { key, kpis: acc.finish() }).collect(),
            peaks,
            low_reasons: self.low_reasons,
            cases,
        }
    }
}

/// A class as reports name it.
pub fn class_name(class: TicketClass) -> &'static str {
    match class {
        TicketClass::Normal => "normal",
        TicketClass::Green => "green",
        TicketClass::Appointment => "appointment",
    }
}
