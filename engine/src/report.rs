//! Reports from the ledger (`onewindow report`, the control socket's `report`, `GET /api/report`).
//! They read the ledger in read transactions, never on the writer's task. Each closed business day's
//! facts ([`crate::core::report::facts`]) are kept in the ledger file's `derived` table as the day is
//! first reported (and, in the server, as it closes), with the fold's state after it; a report then
//! reads the kept days of its period and folds only the events written since. Kept facts are never
//! the truth: unreadable, from another version, or ahead of the ledger, they are dropped and rebuilt.
//!
//! ```text
//! derived: report:day:DATE ──────────────────────────┐
//! ledger: events after report:state.scanned ──fold──>├─> Builder ──> Report ──> table | csv | json
//! today (open) ───────────────────────────────────────┘
//! ```

use crate::core::report::{Builder, By, DayFacts, Folder, Kpis, Report};
use crate::core::{Date, HallConfig, Timestamp};
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

/// Bumped whenever the facts change shape or meaning: kept facts of another version are rebuilt.
const FACTS_VERSION: u32 = 1;
/// Events read at a time.
const CHUNK: usize = 4096;
/// Closed days written to the derived table per transaction.
const DAYS_PER_WRITE: usize = 31;
const STATE_KEY: &str = "report:state";
const DAY_PREFIX: &str = "report:day:";

/// What a report covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// First business day.
    pub from: Date,
    /// Last business day.
    pub to: Date,
    /// How rows are grouped (none: totals only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<By>,
}

/// A period named as people name it: `2026-10-08` (a day), `2026-10` (a month), `2026-Q4` (a
/// quarter), `2026` (a year).
pub fn period(name: &str) -> Result<(Date, Date), String> {
    let bad = || {
        format!("`{name}` is not a period: give a day 2026-10-08, a month 2026-10, a quarter 2026-Q4 or a year 2026")
    };
    let name = name.trim();
    if let Ok(day) = name.parse::<Date>() {
        return Ok((day, day));
    }
    let month_range = |year: i32, first: u8, last: u8| -> Result<(Date, Date), String> {
        let from = Date::new(year, first, 1).ok_or_else(bad)?;
        let after = if last == 12 { Date::new(year + 1, 1, 1) } else { Date::new(year, last + 1, 1) };
        let to = Date::from_days(after.ok_or_else(bad)?.to_days() - 1);
        Ok((from, to))
    };
    let parts: Vec<&str> = name.split('-').collect();
    let year = |s: &str| s.parse::<i32>().ok().filter(|y| (1970..=9999).contains(y) && s.len() == 4);
    match parts.as_slice() {
        [y] => month_range(year(y).ok_or_else(bad)?, 1, 12),
        [y, q] if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
            let n: u8 = q[1..].parse().ok().filter(|n| (1..=4).contains(n)).ok_or_else(bad)?;
            month_range(year(y).ok_or_else(bad)?, 3 * n - 2, 3 * n)
        }
        [y, m] if m.len() == 2 => {
            let m: u8 = m.parse().ok().filter(|m| (1..=12).contains(m)).ok_or_else(bad)?;
            month_range(year(y).ok_or_else(bad)?, m, m)
        }
        _ => Err(bad()),
    }
}

/// A query from its parts, as the command line and `/api/report` take them: a `period`, or `from` and
/// `to`; `by` a grouping name.
pub fn query(
    period_name: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    by: Option<&str>,
) -> Result<Query, String> {
    let date = |s: &str| s.parse::<Date>().map_err(|_| format!("`{s}` is not a date (YYYY-MM-DD)"));
    let (from, to) = match (period_name, from, to) {
        (Some(p), None, None) => period(p)?,
        (None, Some(f), Some(t)) => (date(f)?, date(t)?),
        (None, Some(f), None) => (date(f)?, date(f)?),
        _ => return Err("give a period (a day, month, quarter or year), or from and to".into()),
    };
    if to < from {
        return Err(format!("the period ends ({to}) before it starts ({from})"));
    }
    if to.to_days() - from.to_days() > 3 * 366 {
        return Err("a report covers at most three years".into());
    }
    let by = match by {
        None | Some("") => None,
        Some(name) => Some(By::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = By::ALL.iter().map(|(_, n)| *n).collect();
            format!("cannot group by `{name}`: {}", names.join(", "))
        })?),
    };
    Ok(Query { from, to, by })
}

/// What is kept between reports: the fold as of `scanned`.
#[derive(Serialize, Deserialize)]
struct State {
    version: u32,
    scanned: u64,
    folder: Folder,
}

fn day_key(date: Date) -> String {
    format!("{DAY_PREFIX}{date}")
}

/// The report of `query` at `now`.
pub fn run(store: &dyn Store, config: &HallConfig, query: &Query, now: Timestamp) -> Result<Report, String> {
    run_until(store, config, query, now, &AtomicBool::new(false))
}

/// [`run`], given up (with an error) once `stop` is set.
pub fn run_until(
    store: &dyn Store,
    config: &HallConfig,
    query: &Query,
    now: Timestamp,
    stop: &AtomicBool,
) -> Result<Report, String> {
    let mut builder = Builder::new(query.from, query.to, query.by, config.utc_offset_min);
    let folder = match refresh(store, config, |day| builder.add(day), Some(query.from), true, stop) {
        Err(e) if e == START_OVER => {
            builder = Builder::new(query.from, query.to, query.by, config.utc_offset_min);
            refresh(store, config, |day| builder.add(day), Some(query.from), false, stop)?
        }
        other => other?,
    };
    if let Some(today) = folder.current(now) {
        builder.add(&today);
    }
    Ok(builder.finish())
}

/// The one kept value under `key`.
fn kept(store: &dyn Store, key: &str) -> Result<Option<Vec<u8>>, crate::store::StoreError> {
    let mut found = None;
    store.derived(key, key, &mut |_, bytes| found = Some(bytes.to_vec()))?;
    Ok(found)
}

/// What [`refresh`] answers when kept facts turned out unreadable after some were visited: the caller
/// drops what it was told and asks again without trusting them.
const START_OVER: &str = "start over";

/// What [`refresh`] answers once told to stop.
const STOPPED: &str = "the server is stopping";

/// One refresh at a time in this process: two folding the same new days would keep them twice.
static REFRESHING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Brings the kept facts up to the ledger's end, and hands every closed day from `from` on to
/// `visit` in date order (kept ones first, then those folded now; none without `from`). Returns the
/// fold at the ledger's end (today's open day in it). Without `trust_kept`, every day is folded again
/// from the events and the kept facts replaced. Once `stop` is set it gives up (what it kept stays
/// kept).
pub fn refresh(
    store: &dyn Store,
    config: &HallConfig,
    mut visit: impl FnMut(&DayFacts),
    from: Option<Date>,
    trust_kept: bool,
    stop: &AtomicBool,
) -> Result<Folder, String> {
    let stopping = || stop.load(Ordering::Relaxed);
    let _one = REFRESHING.lock().unwrap_or_else(|p| p.into_inner());
    let last = store.last_seq().map_err(|e| e.to_string())?;
    let state = kept(store, STATE_KEY)
        .map_err(|e| e.to_string())?
        .and_then(|bytes| serde_json::from_slice::<State>(&bytes).ok())
        .filter(|s| trust_kept && s.version == FACTS_VERSION && s.scanned <= last);
    let (mut folder, scanned, mut clear) = match state {
        Some(s) => (s.folder, s.scanned, false),
        None => (Folder::new(config.layout(), config.utc_offset_min), 0, true),
    };
    if let (false, Some(from)) = (clear, from) {
        // One day at a time. A day that does not read stops the visits: the caller starts over without
        // the kept facts (they are never the truth), which folds every day again and replaces them.
        let mut unreadable = None;
        store
            .derived(&day_key(from), &format!("{DAY_PREFIX}~"), &mut |key, bytes| {
                if unreadable.is_some() || stopping() {
                    return;
                }
                match serde_json::from_slice::<DayFacts>(bytes) {
                    Ok(day) => visit(&day),
                    Err(e) => unreadable = Some(format!("{key}: {e}")),
                }
            })
            .map_err(|e| e.to_string())?;
        if let Some(why) = unreadable {
            tracing::warn!(%why, "kept report facts are unreadable; rebuilding them from the ledger");
            return Err(START_OVER.into());
        }
    }
    // Closed days not written yet, and the fold just after the last of them.
    let mut unsaved: Vec<DayFacts> = Vec::new();
    let mut boundary: Option<(u64, Folder)> = None;
    let mut saving = true;
    let mut after = scanned;
    loop {
        if stopping() {
            return Err(STOPPED.into());
        }
        let records = store.read_after(after, CHUNK).map_err(|e| e.to_string())?;
        let Some(end) = records.last().map(|r| r.seq) else { break };
        for record in records {
            if let Some(day) = folder.fold(&record.event) {
                if from.is_some_and(|from| day.date >= from) {
                    visit(&day);
                }
                if saving {
                    unsaved.push(day);
                    boundary = Some((record.seq, folder.clone()));
                }
            }
        }
        after = end;
        if saving && unsaved.len() >= DAYS_PER_WRITE {
            saving = save(store, &mut unsaved, boundary.take(), clear);
            clear = false;
        }
    }
    if saving && !unsaved.is_empty() {
        save(store, &mut unsaved, boundary.take(), clear);
    }
    Ok(folder)
}

/// Writes closed days, with the fold just after the last of them, in one transaction (so the days and
/// the point to fold on from never disagree). A date seen twice (a day reopened after a date correction)
/// is kept as one. `false` when the disk refused: the report goes on, and folds these days again next
/// time.
fn save(store: &dyn Store, days: &mut Vec<DayFacts>, boundary: Option<(u64, Folder)>, clear: bool) -> bool {
    let mut merged: std::collections::BTreeMap<Date, DayFacts> = std::collections::BTreeMap::new();
    for day in days.drain(..) {
        let earlier = match merged.remove(&day.date) {
            Some(earlier) => Some(earlier),
            None if !clear => {
                let key = day_key(day.date);
                kept(store, &key).ok().flatten().and_then(|bytes| serde_json::from_slice::<DayFacts>(&bytes).ok())
            }
            None => None,
        };
        let day = match earlier {
            Some(earlier) => merge(earlier, day),
            None => day,
        };
        merged.insert(day.date, day);
    }
    let mut entries: Vec<(String, Vec<u8>)> =
        merged.values().map(|day| (day_key(day.date), serde_json::to_vec(day).unwrap_or_default())).collect();
    if let Some((scanned, folder)) = boundary {
        let state = State { version: FACTS_VERSION, scanned, folder };
        entries.push((STATE_KEY.to_owned(), serde_json::to_vec(&state).unwrap_or_default()));
    }
    match store.put_derived(&entries, clear) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "cannot keep report facts; reports fold the ledger again next time");
            false
        }
    }
}

/// Two parts of one date (a day reopened after a date correction).
fn merge(mut a: DayFacts, b: DayFacts) -> DayFacts {
    a.closed = b.closed;
    a.tickets.extend(b.tickets);
    a.sessions.extend(b.sessions);
    a.cases.extend(b.cases);
    a.steps.extend(b.steps);
    a.appointments.extend(b.appointments);
    a
}

/// The report as text.
pub fn render(report: &Report, format: &str) -> Result<String, String> {
    match format {
        "json" => serde_json::to_string_pretty(report).map_err(|e| e.to_string()),
        "csv" => Ok(csv(report)),
        "table" => Ok(table(report)),
        other => Err(format!("unknown format `{other}`: table, csv or json")),
    }
}

/// Every KPI's name, as in [`Kpis`] and docs/reports.md: the CSV's columns, in this order.
const KPI_COLUMNS: [&str; 37] = [
    "issued",
    "served",
    "no_shows",
    "cancelled",
    "transferred",
    "closed_unserved",
    "called",
    "wait_mean_s",
    "wait_median_s",
    "wait_p90_s",
    "within_target",
    "handling_mean_s",
    "handling_p90_s",
    "norm_mean_s",
    "within_norm",
    "signed_in_s",
    "serving_s",
    "utilisation",
    "pauses",
    "paused_s",
    "green",
    "green_share",
    "appointment_tickets",
    "appointment_share",
    "appointments_booked",
    "appointments_kept",
    "rated",
    "response_rate",
    "good_rate",
    "bad",
    "cases_opened",
    "cases_resolved",
    "cases_on_time",
    "cases_on_time_rate",
    "printed",
    "within_printed_p80",
    "estimate_error_mean_s",
];

fn kpi_names() -> Vec<&'static str> {
    KPI_COLUMNS.to_vec()
}

/// The KPIs in [`KPI_COLUMNS`] order; an absent share or time is an empty cell.
fn kpi_values(k: &Kpis) -> Vec<String> {
    let value = serde_json::to_value(k).unwrap_or_default();
    kpi_names().iter().map(|n| if value[n].is_null() { String::new() } else { value[n].to_string() }).collect()
}

fn csv(report: &Report) -> String {
    let key = report.by.map_or("period", |by| By::ALL.iter().find(|(b, _)| *b == by).map_or("key", |(_, n)| n));
    let mut out = format!("{key},{}\n", kpi_names().join(","));
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    for row in &report.rows {
        out += &format!("{},{}\n", quote(&row.key), kpi_values(&row.kpis).join(","));
    }
    out += &format!("total {}..{},{}\n", report.from, report.to, kpi_values(&report.total).join(","));
    out
}

fn table(report: &Report) -> String {
    let pct = |x: Option<f64>| x.map_or("—".into(), |x| format!("{:.1}%", x * 100.0));
    let min = |x: Option<f64>| x.map_or("—".into(), |x| format!("{:.1}", x / 60.0));
    let k = &report.total;
    let mut out = format!("onewindow report {} .. {} ({} business days)\n\n", report.from, report.to, report.days);
    let lines = [
        ("tickets issued", k.issued.to_string()),
        ("served / no-shows / cancelled", format!("{} / {} / {}", k.served, k.no_shows, k.cancelled)),
        ("transferred / closed unserved", format!("{} / {}", k.transferred, k.closed_unserved)),
        (
            "wait, min: mean / median / p90",
            format!("{} / {} / {}", min(k.wait_mean_s), min(k.wait_median_s), min(k.wait_p90_s)),
        ),
        ("waits within target", pct(k.within_target)),
        (
            "handling, min: mean / p90 (norm)",
            format!("{} / {} ({})", min(k.handling_mean_s), min(k.handling_p90_s), min(k.norm_mean_s)),
        ),
        ("handled within norm", pct(k.within_norm)),
        (
            "window utilisation",
            format!(
                "{} of {:.1} h signed in; {} pauses, {:.0} min",
                pct(k.utilisation),
                k.signed_in_s / 3600.0,
                k.pauses,
                k.paused_s / 60.0
            ),
        ),
        ("green channel / appointments", format!("{} / {}", pct(k.green_share), pct(k.appointment_share))),
        ("appointments kept", format!("{} of {}", pct(k.appointments_kept), k.appointments_booked)),
        ("ratings / response rate", format!("{} / {}", k.rated, pct(k.response_rate))),
        ("好评率 satisfied or better", pct(k.good_rate)),
        ("差评 dissatisfied or worse", k.bad.to_string()),
        (
            "rectification: opened / resolved / on time",
            format!("{} / {} / {}", k.cases_opened, k.cases_resolved, pct(k.cases_on_time_rate)),
        ),
        ("printed estimate: waits within P80", format!("{} of {}", pct(k.within_printed_p80), k.printed)),
        ("printed estimate: mean error, min", min(k.estimate_error_mean_s)),
    ];
    for (name, value) in lines {
        // Chinese characters take two columns.
        let width: usize = name.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        out += &format!("{name}{} {value}\n", " ".repeat(44usize.saturating_sub(width)));
    }
    if !report.peaks.is_empty() {
        out += "\npeak hour by weekday: ";
        let peaks: Vec<String> = report
            .peaks
            .iter()
            .map(|p| format!("{} {:02}:00 ({:.0}/day)", p.weekday, p.hour, p.issued_per_day))
            .collect();
        out += &peaks.join(", ");
        out += "\n";
    }
    if !report.low_reasons.is_empty() {
        let reasons: Vec<String> = report.low_reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
        out += &format!("差评 reasons: {}\n", reasons.join(", "));
    }
    if !report.rows.is_empty() {
        let w = report.rows.iter().map(|r| r.key.chars().count()).max().unwrap_or(0).max(8);
        out += &format!(
            "\n{:<w$} {:>7} {:>7} {:>6} {:>8} {:>8} {:>7} {:>8} {:>7} {:>6} {:>5} {:>9}\n",
            "", "issued", "served", "no-sh", "wait", "p90", "in tgt", "handling", "util", "rated", "bad", "in P80"
        );
        for row in &report.rows {
            let k = &row.kpis;
            out += &format!(
                "{:<w$} {:>7} {:>7} {:>6} {:>8} {:>8} {:>7} {:>8} {:>7} {:>6} {:>5} {:>9}\n",
                row.key,
                k.issued,
                k.served,
                k.no_shows,
                min(k.wait_mean_s),
                min(k.wait_p90_s),
                pct(k.within_target),
                min(k.handling_mean_s),
                pct(k.utilisation),
                k.rated,
                k.bad,
                pct(k.within_printed_p80)
            );
        }
    }
    if !report.cases.is_empty() {
        out += "\nrectification cases:\n";
        for c in &report.cases {
            let status = match (&c.resolved_at, c.on_time) {
                (Some(_), true) => "resolved on time",
                (Some(_), false) => "resolved late",
                (None, _) => "open",
            };
            let rating = serde_json::to_value(c.case.rating).ok();
            out += &format!(
                "  #{} {} {} window {} {} {}: {}{}\n",
                c.case.id,
                c.case.ticket,
                c.case.matter,
                c.case.window,
                rating.as_ref().and_then(|r| r.as_str()).unwrap_or("?"),
                c.case.reason.as_deref().unwrap_or("-"),
                status,
                c.resolution.as_deref().map(|r| format!(" — {r}")).unwrap_or_default()
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn rehearsed(days: u32) -> (MemoryStore, HallConfig) {
        let config = crate::config::demo().expect("the demo hall");
        let store = MemoryStore::new();
        let from = Date::new(2026, 3, 2).expect("a date");
        crate::rehearse::run(&store, &config, &crate::rehearse::Plan { from, days, per_day: 120, seed: 3 })
            .expect("rehearsed");
        (store, config)
    }

    fn month(by: Option<By>) -> Query {
        let (from, to) = period("2026-03").expect("a month");
        Query { from, to, by }
    }

    const NOW: Timestamp = Timestamp(1_775_000_000_000);

    fn all_kept(store: &MemoryStore) -> Vec<(String, Vec<u8>)> {
        let mut all = Vec::new();
        store
            .derived(DAY_PREFIX, &format!("{DAY_PREFIX}~"), &mut |k, v| all.push((k.to_owned(), v.to_vec())))
            .expect("read");
        all
    }

    fn kept_state(store: &MemoryStore) -> Vec<u8> {
        kept(store, STATE_KEY).expect("read").expect("a state")
    }

    #[test]
    fn periods_are_named_as_people_name_them() {
        let d = |s: &str| s.parse::<Date>().expect("a date");
        assert_eq!(period("2026-10-08"), Ok((d("2026-10-08"), d("2026-10-08"))));
        assert_eq!(period("2026-02"), Ok((d("2026-02-01"), d("2026-02-28"))));
        assert_eq!(period("2024-02"), Ok((d("2024-02-01"), d("2024-02-29"))));
        assert_eq!(period("2026-Q4"), Ok((d("2026-10-01"), d("2026-12-31"))));
        assert_eq!(period("2026"), Ok((d("2026-01-01"), d("2026-12-31"))));
        for bad in ["2026-13", "2026-Q5", "26", "2026-10-32", "October", ""] {
            assert!(period(bad).is_err(), "{bad}");
        }
        assert!(query(None, Some("2026-10-09"), Some("2026-10-08"), None).is_err(), "ends before it starts");
        assert!(query(Some("2026"), None, None, Some("colour")).is_err());
    }

    #[test]
    fn kept_facts_give_the_same_report_and_are_rebuilt_when_unreadable() {
        let (store, config) = rehearsed(4);
        let first = run(&store, &config, &month(Some(By::Matter)), NOW).expect("a report");
        assert_eq!(first.days, 4);
        let kept = all_kept(&store);
        assert_eq!(kept.len(), 4, "every closed day is kept");
        // From the kept facts: the same report, whatever the grouping asked for.
        assert_eq!(run(&store, &config, &month(Some(By::Matter)), NOW), Ok(first.clone()));
        let total = run(&store, &config, &month(None), NOW).expect("a report");
        assert_eq!(total.total, first.total);
        // A damaged kept day: dropped, the ledger folded again, the same report.
        store.put_derived(&[(kept[1].0.clone(), b"{not json".to_vec())], false).expect("written");
        assert_eq!(run(&store, &config, &month(Some(By::Matter)), NOW), Ok(first.clone()));
        // Facts of another version are not trusted either.
        let mut state: serde_json::Value = serde_json::from_slice(&kept_state(&store)).expect("json");
        state["version"] = serde_json::json!(FACTS_VERSION + 1);
        store
            .put_derived(
                &[(kept[0].0.clone(), b"[]".to_vec()), (STATE_KEY.into(), state.to_string().into_bytes())],
                false,
            )
            .expect("written");
        assert_eq!(run(&store, &config, &month(Some(By::Matter)), NOW), Ok(first));
    }

    #[test]
    fn a_disk_that_refuses_kept_facts_does_not_stop_a_report() {
        let (store, config) = rehearsed(2);
        store.set_failing(true);
        let refused = run(&store, &config, &month(None), NOW).expect("a report all the same");
        store.set_failing(false);
        assert_eq!(all_kept(&store), Vec::new());
        assert_eq!(run(&store, &config, &month(None), NOW), Ok(refused));
    }

    #[test]
    fn every_format_says_the_numbers() {
        let (store, config) = rehearsed(2);
        let report = run(&store, &config, &month(Some(By::Window)), NOW).expect("a report");
        let csv = render(&report, "csv").expect("csv");
        let header = csv.lines().next().expect("a header");
        assert!(header.starts_with("window,issued,served,"), "{header}");
        assert_eq!(csv.lines().count(), report.rows.len() + 2, "a row per window and the total");
        let columns = header.split(',').count();
        assert!(csv.lines().all(|l| l.split(',').count() == columns), "{csv}");
        let table = render(&report, "table").expect("table");
        assert!(table.contains(&format!("tickets issued{}{}", " ".repeat(31), report.total.issued)), "{table}");
        let json: Report = serde_json::from_str(&render(&report, "json").expect("json")).expect("parses back");
        assert_eq!(json, report);
        assert!(render(&report, "xml").is_err());
    }

    #[test]
    fn the_csv_has_every_kpi_once() {
        let value = serde_json::to_value(Kpis::default()).expect("json");
        let mut fields: Vec<&str> = value.as_object().expect("an object").keys().map(String::as_str).collect();
        let mut columns = kpi_names();
        fields.sort_unstable();
        columns.sort_unstable();
        assert_eq!(columns, fields);
    }
}
