//! Plain HTTP beside the WebSocket: liveness, Prometheus metrics, and for supervisors
//! (`Authorization: Bearer <supervisor token>`) a read-only hall snapshot and reports.

use super::App;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kiosk_protocol::Role;
use serde::Deserialize;

/// `GET /healthz`: 200 when the ledger accepts writes, 503 while it refuses them (reads still work).
pub async fn healthz(State(app): State<App>) -> Response {
    if app.health.refusing() {
        let reason = app.health.reason();
        let body =
            format!("storage unavailable: commands are refused, displays still served; retrying by itself\n{reason}\n");
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    } else {
        (StatusCode::OK, "ok\n").into_response()
    }
}

/// `GET /metrics`.
pub async fn metrics(State(app): State<App>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render((app.clock)().0)).into_response()
}

/// `GET /api/export`: how far the export to the province is behind (`{"configured": false}` when the
/// hall does not export), for a supervisor token: the supervisor wall shows it.
pub async fn export(State(app): State<App>, headers: HeaderMap) -> Response {
    if !supervisor(&app, &headers) {
        return unauthorized();
    }
    let body = match app.metrics.export((app.clock)().0) {
        None => serde_json::json!({ "configured": false }),
        Some(lag) => serde_json::json!({ "configured": true, "lag": lag }),
    };
    ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// The device whose token the request carries (`Authorization: Bearer <token>`), if any.
pub(super) fn bearer(app: &App, headers: &HeaderMap) -> Option<crate::config::Device> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)?;
    let hash = crate::auth::hash_token(token);
    app.devices.now().iter().find(|d| d.token_hash == hash).cloned()
}

/// Whether the request carries a supervisor's token.
pub(super) fn supervisor(app: &App, headers: &HeaderMap) -> bool {
    bearer(app, headers).is_some_and(|d| d.role == Role::Supervisor)
}

pub(super) fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, "a supervisor token is required\n").into_response()
}

/// `GET /api/state`: the latest `snapshot` message, for a supervisor token.
pub async fn state(State(app): State<App>, headers: HeaderMap) -> Response {
    if !supervisor(&app, &headers) {
        return unauthorized();
    }
    match app.state().await {
        Some(state) => ([(header::CONTENT_TYPE, "application/json")], state.message.to_string()).into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "the server is stopping\n").into_response(),
    }
}

/// The query of `GET /api/report`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// A day, month, quarter or year (`2026-10-08`, `2026-10`, `2026-Q4`, `2026`).
    period: Option<String>,
    /// Or the first and last day.
    from: Option<String>,
    to: Option<String>,
    /// `matter`, `window`, `clerk`, `hour`, `weekday`, `class` or `day`.
    by: Option<String>,
    /// `json` (default), `csv` or `table`.
    format: Option<String>,
}

/// `GET /api/report?period=2026-10&by=matter&format=csv`: a report, for a supervisor token. A wrong
/// parameter is a 400 with `{"code":"bad_request","message":…}`.
pub async fn report(
    State(app): State<App>,
    headers: HeaderMap,
    params: Result<Query<ReportParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if !supervisor(&app, &headers) {
        return unauthorized();
    }
    let bad = |message: String| {
        let body = serde_json::json!({ "code": "bad_request", "message": message });
        (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    };
    let params = match params {
        Ok(Query(p)) => p,
        Err(e) => return bad(e.body_text()),
    };
    let query = match crate::report::query(
        params.period.as_deref(),
        params.from.as_deref(),
        params.to.as_deref(),
        params.by.as_deref(),
    ) {
        Ok(q) => q,
        Err(e) => return bad(e),
    };
    let format = params.format.unwrap_or_else(|| "json".into());
    let content_type = match format.as_str() {
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "table" => "text/plain; charset=utf-8",
        other => return bad(format!("unknown format `{other}`: json, csv or table")),
    };
    let file = format!("attachment; filename=\"onewindow-{}-{}.csv\"", query.from, query.to);
    match app.report(query).await.and_then(|r| crate::report::render(&r, &format)) {
        Ok(text) if format == "csv" => {
            ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, file)], text)
                .into_response()
        }
        Ok(text) => ([(header::CONTENT_TYPE, content_type)], text).into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("the report could not be made: {e}\n")).into_response(),
    }
}
