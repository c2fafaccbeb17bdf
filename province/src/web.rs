//! The province's page and its JSON: the wall of every hall (`/api/halls`), one hall
//! (`/api/halls/{id}`), KPIs by hall, city or province for a day, month, quarter or year
//! (`/api/kpi?period=2026-10&by=city`), and the consumer's counters (`/api/stats`).

use crate::fold::Counts;
use crate::Province;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

type App = Arc<Province>;

/// The routes.
pub fn router(province: App) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/api/halls", get(halls))
        .route("/api/halls/{id}", get(hall))
        .route("/api/kpi", get(kpi))
        .route("/api/stats", get(stats))
        .route("/api/stats/reset", post(reset))
        .with_state(province)
}

async fn page() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], include_str!("page.html")).into_response()
}

fn bad(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "code": "bad_request", "message": message }))).into_response()
}

fn unavailable(message: String) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "code": "storage_unavailable", "message": message })))
        .into_response()
}

/// The shares a page shows, beside the counts.
fn figures(c: &Counts) -> Value {
    let share = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
    json!({
        "counts": c,
        "wait_mean_s": (c.called > 0).then(|| c.wait_sum_ms as f64 / c.called as f64 / 1000.0),
        "handling_mean_s": (c.served > 0).then(|| c.handling_sum_ms as f64 / c.served as f64 / 1000.0),
        "within_target": share(c.within_target, c.called),
        "good_rate": share(c.good, c.rated),
    })
}

/// Every hall's counts of `date`.
fn day(app: &Province, date: &str) -> Result<BTreeMap<String, Counts>, String> {
    let mut out = BTreeMap::new();
    app.store.days(date, date, &mut |_, hall, c| {
        out.insert(hall.to_owned(), c);
    })?;
    Ok(out)
}

fn live(app: &Province, id: &str, state: &crate::fold::HallState, today: Option<&Counts>, now: i64) -> Value {
    let named = app.named(id);
    let longest = state.longest_wait(now);
    json!({
        "id": id,
        "name": named.name,
        "city": named.city,
        "date": state.date,
        "closed": state.closed,
        "seq": state.seq,
        "at": state.at,
        "waiting": state.waiting(),
        "longest_wait_ms": longest.map(|l| l.0),
        "longest_of_target": longest.map(|l| l.1).filter(|r| r.is_finite()),
        "windows_open": state.windows_open(),
        "alerts": state.alerts(now),
        "gaps": state.gaps,
        "forks": state.forks,
        "today": figures(&today.cloned().unwrap_or_default()),
    })
}

async fn halls(State(app): State<App>) -> Response {
    let now = crate::now_ms();
    let halls = match app.halls.read() {
        Ok(h) => h.clone(),
        Err(_) => return unavailable("poisoned".into()),
    };
    let mut days: BTreeMap<String, BTreeMap<String, Counts>> = BTreeMap::new();
    for date in halls.values().filter_map(|h| h.date.clone()) {
        if let std::collections::btree_map::Entry::Vacant(slot) = days.entry(date) {
            match day(&app, slot.key()) {
                Ok(d) => slot.insert(d),
                Err(e) => return unavailable(e),
            };
        }
    }
    let rows: Vec<Value> = halls
        .iter()
        .map(|(id, h)| {
            let today = h.date.as_ref().and_then(|d| days.get(d)).and_then(|d| d.get(id));
            live(&app, id, h, today, now)
        })
        .collect();
    Json(json!({ "now": now, "halls": rows })).into_response()
}

async fn hall(State(app): State<App>, Path(id): Path<String>) -> Response {
    let now = crate::now_ms();
    let Some(h) = app.halls.read().ok().and_then(|h| h.get(&id).cloned()) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "code": "unknown_hall", "message": format!("no events from hall `{id}`") })),
        )
            .into_response();
    };
    let today = match h.date.as_deref().map(|d| day(&app, d)).transpose() {
        Ok(d) => d.and_then(|mut d| d.remove(&id)),
        Err(e) => return unavailable(e),
    };
    let mut by_matter: BTreeMap<&str, (u32, i64)> = BTreeMap::new();
    for t in h.open.values().filter(|t| t.waiting) {
        let e = by_matter.entry(t.matter.as_str()).or_default();
        e.0 += 1;
        e.1 = e.1.max(now.saturating_sub(t.issued_at));
    }
    let mut out = live(&app, &id, &h, today.as_ref(), now);
    out["matters"] = by_matter
        .iter()
        .map(|(m, (n, longest))| json!({ "matter": m, "name": h.names.get(*m), "waiting": n, "longest_wait_ms": longest, "target_ms": h.targets.get(*m) }))
        .collect();
    out["windows"] = json!(h.staffed);
    out["paused"] = json!(h.paused);
    out["help"] = json!(h.help);
    out["staffing"] = json!(h.staffing);
    Json(out).into_response()
}

/// The query of `/api/kpi`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiParams {
    period: String,
    by: Option<String>,
}

/// The first and last day of `2026-10-08`, `2026-10`, `2026-Q4` or `2026`.
pub fn period(p: &str) -> Result<(String, String), String> {
    let wrong = || format!("period `{p}`: a day (2026-10-08), month (2026-10), quarter (2026-Q4) or year (2026)");
    let year = |y: &str| y.parse::<u16>().ok().filter(|y| (2000..=2999).contains(y)).ok_or_else(wrong);
    match p.split('-').collect::<Vec<_>>().as_slice() {
        [y] => Ok((format!("{}-01-01", year(y)?), format!("{}-12-31", year(y)?))),
        [y, q] if q.starts_with('Q') => {
            let q = q[1..].parse::<u8>().ok().filter(|q| (1..=4).contains(q)).ok_or_else(wrong)?;
            let y = year(y)?;
            Ok((format!("{y}-{:02}-01", q * 3 - 2), format!("{y}-{:02}-31", q * 3)))
        }
        [y, m] => {
            let m = m.parse::<u8>().ok().filter(|m| (1..=12).contains(m)).ok_or_else(wrong)?;
            Ok((format!("{}-{m:02}-01", year(y)?), format!("{}-{m:02}-31", year(y)?)))
        }
        [y, m, d] if m.len() == 2 && d.len() == 2 && m.parse::<u8>().is_ok() && d.parse::<u8>().is_ok() => {
            let date = format!("{}-{m}-{d}", year(y)?);
            Ok((date.clone(), date))
        }
        _ => Err(wrong()),
    }
}

async fn kpi(
    State(app): State<App>,
    params: Result<Query<KpiParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = match params {
        Ok(Query(p)) => p,
        Err(e) => return bad(e.body_text()),
    };
    let (from, to) = match period(&params.period) {
        Ok(p) => p,
        Err(e) => return bad(e),
    };
    let by = params.by.unwrap_or_else(|| "hall".into());
    if !["hall", "city", "province"].contains(&by.as_str()) {
        return bad(format!("by `{by}`: hall, city or province"));
    }
    let mut rows: BTreeMap<String, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    let result = app.store.days(&from, &to, &mut |_, hall, c| {
        let key = match by.as_str() {
            "hall" => hall.to_owned(),
            "city" => app.named(hall).city,
            _ => "province".to_owned(),
        };
        rows.entry(key).or_default().add(&c);
        total.add(&c);
    });
    if let Err(e) = result {
        return unavailable(e);
    }
    let rows: Vec<Value> = rows
        .iter()
        .map(|(key, c)| {
            let mut row = figures(c);
            row["key"] = json!(key);
            if by == "hall" {
                row["name"] = json!(app.named(key).name);
                row["city"] = json!(app.named(key).city);
            }
            row
        })
        .collect();
    Json(json!({ "from": from, "to": to, "by": by, "rows": rows, "total": figures(&total) })).into_response()
}

async fn stats(State(app): State<App>) -> Response {
    let Ok(s) = app.stats.lock() else { return unavailable("poisoned".into()) };
    Json(json!({
        "applied": s.applied,
        "repeats": s.repeats,
        "refused": s.refused,
        "interruptions": s.interruptions,
        "halls": app.halls.read().map(|h| h.len()).unwrap_or(0),
        "lag_ms": {
            "count": s.lag_ms.len(),
            "p50": s.lag_ms.value_at_quantile(0.5),
            "p99": s.lag_ms.value_at_quantile(0.99),
            "max": s.lag_ms.max(),
        },
    }))
    .into_response()
}

async fn reset(State(app): State<App>) -> Response {
    if let Ok(mut s) = app.stats.lock() {
        s.lag_ms.reset();
    }
    (StatusCode::NO_CONTENT, "").into_response()
}

#[cfg(test)]
mod tests {
    use super::period;

    #[test]
    fn periods_are_days_months_quarters_and_years() {
        assert_eq!(period("2026-10-08").expect("day"), ("2026-10-08".into(), "2026-10-08".into()));
        assert_eq!(period("2026-10").expect("month"), ("2026-10-01".into(), "2026-10-31".into()));
        assert_eq!(period("2026-Q4").expect("quarter"), ("2026-10-01".into(), "2026-12-31".into()));
        assert_eq!(period("2026").expect("year"), ("2026-01-01".into(), "2026-12-31".into()));
        for wrong in ["", "26", "2026-13", "2026-Q5", "2026-10-8", "x"] {
            assert!(period(wrong).is_err(), "{wrong}");
        }
    }
}
