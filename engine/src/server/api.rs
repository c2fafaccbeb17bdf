//! `/api/v1`: the province's online channel over HTTP JSON (docs/api.md), for `integration` tokens
//! only. Each handler checks the token, reads its input (bad input is a 400 with a stable code), and
//! hands the work to the writer ([`super::booking`]), which answers with the booking.

use super::booking::BookingWork;
use super::writer::{Caller, Work};
use super::App;
use crate::core::time::parse_hhmm;
use crate::core::Date;
use crate::wire::WireError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kiosk_protocol::{ErrorCode, Role};
use serde::Deserialize;

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 4 * 1024;

/// A refusal: its HTTP status and `{"code", "message"}`.
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "code": self.code.as_str(), "message": self.message });
        (self.status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }
}

impl From<WireError> for ApiError {
    fn from(WireError { code, message }: WireError) -> ApiError {
        ApiError { status: status(code), code, message }
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError { status: StatusCode::BAD_REQUEST, code: ErrorCode::BadRequest, message: message.into() }
}

/// The HTTP status of a refusal.
fn status(code: ErrorCode) -> StatusCode {
    use ErrorCode as E;
    match code {
        E::SlotFull | E::AlreadyBooked | E::KeyReused | E::AppointmentUsed | E::AppointmentExists => {
            StatusCode::CONFLICT
        }
        E::Unauthorized => StatusCode::UNAUTHORIZED,
        E::Forbidden | E::BookingBlocked => StatusCode::FORBIDDEN,
        E::UnknownAppointment => StatusCode::NOT_FOUND,
        E::StorageUnavailable | E::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        E::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// The caller, if the request carries an `integration` token: 401 without a known token, 403 with
/// another role's, 429 past `server.api_requests_per_minute`.
fn integration(app: &App, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let refuse = |code, message: &str| ApiError::from(WireError { code, message: message.into() });
    let Some(device) = super::http::bearer(app, headers) else {
        return Err(refuse(ErrorCode::Unauthorized, "an integration token is required"));
    };
    if device.role != Role::Integration {
        return Err(refuse(ErrorCode::Forbidden, "only integration tokens use /api/v1"));
    }
    if !app.admission.take_api(&device.name) {
        return Err(refuse(ErrorCode::RateLimited, "too many requests from this token; slow down"));
    }
    Ok(Caller { device: device.name, role: Some(Role::Integration) })
}

/// Hands `work` to the writer: `created` is the status of an answer that changed the hall.
async fn run(app: &App, caller: Caller, work: BookingWork, created: StatusCode) -> Result<Response, ApiError> {
    let accepted = app.submit(caller, Work::Booking(work)).await?;
    let status = if accepted.seq.is_some() { created } else { StatusCode::OK };
    let body = accepted.body.unwrap_or(serde_json::Value::Null).to_string();
    Ok((status, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

fn date(text: &str) -> Result<Date, ApiError> {
    text.parse().map_err(|_| bad(format!("`{text}` is not a date like 2026-10-12")))
}

fn minute(text: &str) -> Result<u32, ApiError> {
    parse_hhmm(text).ok_or_else(|| bad(format!("`{text}` is not a time like 09:00")))
}

/// The query of `GET /api/v1/availability`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    matter: String,
    date: String,
}

/// `GET /api/v1/availability?matter=real_estate&date=2026-10-12`.
pub async fn availability(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<AvailabilityQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let caller = integration(&app, &headers)?;
    let Query(q) = query.map_err(|e| bad(e.body_text()))?;
    let date = date(&q.date)?;
    run(&app, caller, BookingWork::Availability { matter: q.matter, date }, StatusCode::OK).await
}

/// The body of `POST /api/v1/bookings`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookBody {
    client_key: String,
    matter: String,
    date: String,
    start: String,
    id_number: String,
}

/// `POST /api/v1/bookings`: 201 with the booking, or 200 with the same booking for a repeated key.
pub async fn book(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Json<BookBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let caller = integration(&app, &headers)?;
    let Json(b) = body.map_err(|e| bad(e.body_text()))?;
    let (date, start_min) = (date(&b.date)?, minute(&b.start)?);
    let work =
        BookingWork::Book { client_key: b.client_key, matter: b.matter, date, start_min, id_number: b.id_number };
    run(&app, caller, work, StatusCode::CREATED).await
}

/// `GET /api/v1/bookings/{code}`.
pub async fn look_up(
    State(app): State<App>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let caller = integration(&app, &headers)?;
    run(&app, caller, BookingWork::LookUp { code }, StatusCode::OK).await
}

/// `DELETE /api/v1/bookings/{code}`.
pub async fn cancel(
    State(app): State<App>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let caller = integration(&app, &headers)?;
    run(&app, caller, BookingWork::Cancel { code }, StatusCode::OK).await
}

/// The body of `POST /api/v1/bookings/{code}/reschedule`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBody {
    date: String,
    start: String,
    id_number: Option<String>,
}

/// `POST /api/v1/bookings/{code}/reschedule`.
pub async fn reschedule(
    State(app): State<App>,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Result<Json<RescheduleBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let caller = integration(&app, &headers)?;
    let Json(b) = body.map_err(|e| bad(e.body_text()))?;
    let (date, start_min) = (date(&b.date)?, minute(&b.start)?);
    let work = BookingWork::Reschedule { code, date, start_min, id_number: b.id_number };
    run(&app, caller, work, StatusCode::OK).await
}
