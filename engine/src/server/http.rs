//! Plain HTTP beside the WebSocket: liveness, Prometheus metrics, and a read-only hall snapshot for
//! supervisors (`Authorization: Bearer <supervisor token>`).

use super::App;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kiosk_protocol::Role;

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
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render()).into_response()
}

/// `GET /api/state`: the latest `snapshot` message, for a supervisor token.
pub async fn state(State(app): State<App>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let hash = token.map(crate::auth::hash_token);
    let allowed = app.devices.now().iter().any(|d| d.role == Role::Supervisor && Some(&d.token_hash) == hash.as_ref());
    if !allowed {
        return (StatusCode::UNAUTHORIZED, "a supervisor token is required\n").into_response();
    }
    match app.state().await {
        Some(state) => ([(header::CONTENT_TYPE, "application/json")], state.message.to_string()).into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "the server is stopping\n").into_response(),
    }
}
