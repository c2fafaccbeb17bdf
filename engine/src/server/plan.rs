//! The window plan on the /reports page. Planning is a weekly job off the hall's server
//! (`onewindow backup`, then `onewindow-sim plan --ledger <backup> --svg DATA/plan`, docs/reports.md);
//! the server only lists and serves what it wrote, to a supervisor's token:
//!
//! DATA/plan/plan.txt, plan-weekday-N-{slots,windows}.svg ──read on request (blocking pool)──> /api/plan[/name]
//!
//! Bounded: at most [`MAX_CHARTS`] charts listed and [`MAX_BYTES`] per file; a chart name is checked
//! before any path is built from it.

use super::http::{supervisor, unauthorized};
use super::App;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// Charts listed at most.
const MAX_CHARTS: usize = 64;
/// Bytes read from one file at most (a week's plan table and its charts are a few kilobytes).
const MAX_BYTES: u64 = 1 << 20;

/// Whether `name` is one of the plan's charts: `plan-weekday-…svg` of lowercase letters, digits and
/// dashes (never a path).
fn chart_name(name: &str) -> bool {
    name.len() <= 80
        && name.starts_with("plan-weekday-")
        && name
            .strip_suffix(".svg")
            .is_some_and(|stem| stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

fn read_bounded(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(MAX_BYTES).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The plan as the directory holds it: `{"table": "…" | null, "charts": ["plan-weekday-1-slots.svg", …]}`.
fn listing(dir: &std::path::Path) -> serde_json::Value {
    let table = read_bounded(&dir.join("plan.txt")).ok().map(|b| String::from_utf8_lossy(&b).into_owned());
    let mut charts: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| chart_name(n)).collect()
        })
        .unwrap_or_default();
    charts.sort();
    charts.truncate(MAX_CHARTS);
    serde_json::json!({ "table": table, "charts": charts })
}

/// `GET /api/plan`: the latest plan's table and chart names (empty when none was written).
pub async fn list(State(app): State<App>, headers: HeaderMap) -> Response {
    if !supervisor(&app, &headers) {
        return unauthorized();
    }
    let dir = app.plan.clone();
    match tokio::task::spawn_blocking(move || listing(&dir)).await {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "the plan could not be read\n").into_response(),
    }
}

/// `GET /api/plan/{name}`: one chart, as SVG; 404 for any other name.
pub async fn chart(State(app): State<App>, headers: HeaderMap, Path(name): Path<String>) -> Response {
    if !supervisor(&app, &headers) {
        return unauthorized();
    }
    let not_found = || (StatusCode::NOT_FOUND, "no such chart in the plan\n").into_response();
    if !chart_name(&name) {
        return not_found();
    }
    let path = app.plan.join(&name);
    match tokio::task::spawn_blocking(move || read_bounded(&path)).await {
        Ok(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                // Shown as an image; were it opened alone, nothing in it may run.
                (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        _ => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::chart_name;

    #[test]
    fn only_the_plans_own_chart_names_are_served() {
        assert!(chart_name("plan-weekday-1-slots.svg"));
        assert!(chart_name("plan-weekday-5-windows.svg"));
        for bad in [
            "plan.txt",
            "../plan-weekday-1.svg",
            "plan-weekday-1/../../x.svg",
            "plan-weekday-1.SVG",
            "x.svg",
            "plan-weekday-.svg.txt",
        ] {
            assert!(!chart_name(bad), "{bad}");
        }
    }
}
