//! Hall configuration from TOML: parsed strictly (unknown keys are errors), then validated into the
//! core's typed [`HallConfig`]. Every error names the key it is about.
//!
//! The embedded demo hall is `docs/hall.example.toml`, the commented reference, so the reference can
//! never drift from what the code accepts.

use crate::core::calendar::Calendar;
use crate::core::config::{ClerkSpec, HallConfig, Hours, MatterSpec, PerId, Policy, RealName, Rules, WindowSpec};
use crate::core::model::{MatterId, MatterSet, WindowKind, MAX_MATTERS};
use crate::core::staffing::{StaffingMode, StaffingRules};
use crate::core::time::Date;
use crate::core::time::{parse_hhmm, parse_offset, MINUTE_MS};
use crate::pin::check_pin_hash;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};

mod server;
mod terminals;
pub use server::{default_languages, Device, Language, Limits, ServerSettings};
pub use terminals::{Line, MatterNotice, RatingReason, Terminals};

/// The demo hall, embedded in the binary.
pub const DEMO_HALL_TOML: &str = include_str!("../../../docs/hall.example.toml");

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// Not TOML, an unknown key, or a value of the wrong type.
    #[error("{0}")]
    Parse(String),
    /// A value that parses but cannot be right.
    #[error("{key}: {message}")]
    Invalid {
        /// Where, e.g. `window[3].serves`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

pub(crate) fn invalid(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key: key.into(), message: message.into() }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    hall: RawHall,
    hours: Option<RawHours>,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    staffing: RawStaffing,
    #[serde(default)]
    cases: RawCases,
    booking: Option<RawBooking>,
    #[serde(default)]
    matter: Vec<RawMatter>,
    #[serde(default)]
    window: Vec<RawWindow>,
    #[serde(default)]
    clerk: Vec<RawClerk>,
    #[serde(default)]
    device: Vec<server::RawDevice>,
    server: Option<server::RawServer>,
    privacy: Option<RawPrivacy>,
    gateway: Option<GatewayConfig>,
    export: Option<ExportConfig>,
    calendar: Option<RawCalendar>,
    #[serde(default)]
    language: Vec<server::Language>,
    #[serde(default)]
    terminals: Terminals,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHall {
    name: String,
    #[serde(default = "default_offset")]
    utc_offset: String,
}

fn default_offset() -> String {
    "+08:00".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    open: String,
    close: String,
    extension_min: Option<u32>,
    lunch: Option<String>,
    days: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    workdays: Vec<String>,
}

/// `[cases]`: how long each step of a 差评's rectification case may take, in hours from its opening.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCases {
    assign_hours: Option<f64>,
    contact_hours: Option<f64>,
    resolve_hours: Option<f64>,
}

/// `[booking]`: the online channel (docs/api.md). Its presence, with `[hours]`, opens it.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBooking {
    slot_min: Option<u32>,
    days_ahead: Option<u32>,
    missed_limit: Option<u32>,
    missed_within_days: Option<u32>,
    block_days: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    policy: Option<String>,
    max_wait_min: Option<f64>,
    no_show_requeue_places: Option<u32>,
    no_show_max_requeues: Option<u32>,
    appointment_grace_min: Option<f64>,
    aht_alpha: Option<f64>,
    notice_max_chars: Option<usize>,
    ended_tickets_kept: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawStaffing {
    mode: Option<StaffingMode>,
    open_at: Option<f64>,
    close_below: Option<f64>,
    min_open_min: Option<f64>,
    /// `[["08:30", 53.3], ...]`: expected arrivals per hour from each time of day on.
    forecast: Option<Vec<(String, f64)>>,
    forecast_horizon_min: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatter {
    key: String,
    name_zh: String,
    name_en: String,
    prefix: String,
    target_wait_min: f64,
    handling_norm_min: f64,
    daily_cap: Option<u32>,
    booking_per_slot: Option<u32>,
    #[serde(default)]
    real_name: RealName,
    #[serde(default)]
    one_ticket_per_id: PerId,
    /// 一次性告知: the documents to bring ...
    #[serde(default)]
    documents: Vec<Line>,
    /// ... and the conditions to meet.
    #[serde(default)]
    conditions: Vec<Line>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    key: String,
    number: u16,
    name: String,
    #[serde(default)]
    zone: String,
    serves: Vec<String>,
    #[serde(default = "default_kind")]
    kind: WindowKind,
    shift: Option<String>,
}

fn default_kind() -> WindowKind {
    WindowKind::Regular
}

/// Where "your turn is near" messages go (`[gateway]`): the hall's SMS or WeChat service, over HTTP.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// `http://host:port/path`.
    pub url: String,
    /// A file holding the shared signing secret (kept outside the data directory, like the ID key).
    pub secret_file: std::path::PathBuf,
    /// This hall's name among the gateway's halls, first in every message's key (default: the hall's name).
    pub sender: Option<String>,
}

/// Where the hall exports its events for the province (`[export]`, docs/events.md): NATS JetStream.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportConfig {
    /// `nats://host:port` (several, comma-separated: the cluster's nodes).
    pub nats_url: String,
    /// First token of every subject (default `onewindow`).
    #[serde(default = "default_prefix")]
    pub subject_prefix: String,
    /// This hall's id in the province: the second token of its subjects, first of its message ids.
    pub hall_id: String,
    /// The supervisor wall shows an alert once the export is this many seconds behind (red from ten
    /// times it); default 60.
    #[serde(default = "default_lag_alert")]
    pub lag_alert_s: u32,
}

fn default_prefix() -> String {
    "onewindow".into()
}

fn default_lag_alert() -> u32 {
    60
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrivacy {
    id_retention_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClerk {
    key: String,
    name: String,
    pin_hash: String,
}

/// Parses and validates a hall configuration.
pub fn parse(text: &str) -> Result<HallConfig, ConfigError> {
    parse_full(text).map(|(hall, _)| hall)
}

/// Parses and validates a hall configuration with its server part: devices and limits.
pub fn parse_full(text: &str) -> Result<(HallConfig, ServerSettings), ConfigError> {
    let mut raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string().trim().to_owned()))?;
    let devices = std::mem::take(&mut raw.device);
    let server = raw.server.take();
    let languages = std::mem::take(&mut raw.language);
    let mut terminals = terminals::validate(std::mem::take(&mut raw.terminals))?;
    for (i, m) in raw.matter.iter_mut().enumerate() {
        let (documents, conditions) = (std::mem::take(&mut m.documents), std::mem::take(&mut m.conditions));
        if let Some(notice) = terminals::notice(i, documents, conditions)? {
            terminals.notices.insert(m.key.clone(), notice);
        }
    }
    let clerks = std::mem::take(&mut raw.clerk);
    let privacy = raw.privacy.take();
    let gateway = raw.gateway.take();
    if let Some(g) = &gateway {
        if !g.url.starts_with("http://") {
            return Err(invalid(
                "gateway.url",
                "must be http://host:port/path (a TLS relay on the hall's network for https)",
            ));
        }
    }
    let export = raw.export.take();
    if let Some(e) = &export {
        for (field, value) in [("export.hall_id", &e.hall_id), ("export.subject_prefix", &e.subject_prefix)] {
            if !kiosk_protocol::export::is_token(value) {
                return Err(invalid(field, "must be 1–32 of the letters A–Z, a–z, digits, `_` and `-`"));
            }
        }
        if e.lag_alert_s == 0 {
            return Err(invalid("export.lag_alert_s", "must be at least 1"));
        }
        if !e.nats_url.split(',').all(|u| u.trim().starts_with("nats://")) {
            return Err(invalid("export.nats_url", "must be nats://host:port (comma-separated for a cluster)"));
        }
    }
    let mut hall = validate(raw)?;
    let (clerks, pins) = validate_clerks(clerks)?;
    hall.clerks = clerks;
    hall.rules.notify_near_ahead = terminals.near_ahead;
    let mut settings = server::validate(devices, server, languages, terminals, &hall)?;
    settings.pins = pins;
    settings.gateway = gateway;
    settings.export = export;
    if let Some(days) = privacy.and_then(|p| p.id_retention_days) {
        if days == 0 {
            return Err(invalid("privacy.id_retention_days", "must be at least 1 (the day's own tickets need it)"));
        }
        settings.limits.id_retention_days = days;
    }
    Ok((hall, settings))
}

/// The embedded demo hall.
pub fn demo() -> Result<HallConfig, ConfigError> {
    parse(DEMO_HALL_TOML)
}

fn validate(raw: RawConfig) -> Result<HallConfig, ConfigError> {
    if raw.hall.name.trim().is_empty() {
        return Err(invalid("hall.name", "must not be empty"));
    }
    let utc_offset_min = parse_offset(&raw.hall.utc_offset)
        .ok_or_else(|| invalid("hall.utc_offset", format!("`{}` is not an offset like +08:00", raw.hall.utc_offset)))?;
    let hours = raw.hours.map(validate_hours).transpose()?;
    let calendar = validate_calendar(raw.calendar.unwrap_or_default())?;
    if hours.is_none() && !(calendar.holidays.is_empty() && calendar.workdays.is_empty()) {
        return Err(invalid("calendar", "holidays and workdays need [hours]"));
    }
    let mut rules = validate_rules(raw.rules)?;
    rules.forecast = validate_forecast(&raw.staffing)?;
    rules.staffing = validate_staffing(raw.staffing)?;
    rules.cases = validate_cases(raw.cases)?;
    let booking = raw.booking.is_some();
    if booking && hours.is_none() {
        return Err(invalid("booking", "online booking needs [hours]: slots run from opening to closing time"));
    }
    rules.booking = validate_booking(raw.booking.unwrap_or_default(), hours.as_ref())?;
    let matters = validate_matters(raw.matter)?;
    if !booking {
        if let Some(i) = matters.iter().position(|m| m.booking_per_slot.is_some()) {
            return Err(invalid(format!("matter[{i}].booking_per_slot"), "needs a [booking] section"));
        }
    }
    let windows = validate_windows(raw.window, &matters)?;
    let (clerks, _) = validate_clerks(raw.clerk)?;
    Ok(HallConfig { name: raw.hall.name, utc_offset_min, hours, calendar, matters, windows, clerks, rules })
}

fn validate_hours(raw: RawHours) -> Result<Hours, ConfigError> {
    let open_min = parse_hhmm(&raw.open).ok_or_else(|| invalid("hours.open", "expected HH:MM"))?;
    let close_min = parse_hhmm(&raw.close).ok_or_else(|| invalid("hours.close", "expected HH:MM"))?;
    if close_min <= open_min {
        return Err(invalid("hours.close", "must be after hours.open"));
    }
    if raw.extension_min.is_some_and(|e| e > 6 * 60) {
        return Err(invalid("hours.extension_min", "must be 0 to 360 minutes"));
    }
    let lunch = raw.lunch.as_deref().map(|l| parse_span("hours.lunch", l)).transpose()?;
    if lunch.is_some_and(|(from, to)| from < open_min || to > close_min) {
        return Err(invalid("hours.lunch", "must lie within opening hours"));
    }
    let mut weekdays = [true; 7];
    if let Some(days) = raw.days {
        const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        weekdays = [false; 7];
        for day in days {
            let i = NAMES.iter().position(|n| day.eq_ignore_ascii_case(n)).ok_or_else(|| {
                invalid("hours.days", format!("`{day}` is not one of mon, tue, wed, thu, fri, sat, sun"))
            })?;
            weekdays[i] = true;
        }
    }
    Ok(Hours { open_min, close_min, extension_min: raw.extension_min, lunch, weekdays })
}

/// `HH:MM-HH:MM`, a non-empty span of local minutes.
fn parse_span(key: &str, text: &str) -> Result<(u32, u32), ConfigError> {
    let (from, to) = text.split_once('-').ok_or_else(|| invalid(key, "expected HH:MM-HH:MM"))?;
    match (parse_hhmm(from.trim()), parse_hhmm(to.trim())) {
        (Some(from), Some(to)) if from < to => Ok((from, to)),
        _ => Err(invalid(key, format!("`{text}` is not HH:MM-HH:MM with the end after the start"))),
    }
}

fn validate_calendar(raw: RawCalendar) -> Result<Calendar, ConfigError> {
    let dates = |key: &str, list: Vec<String>| {
        list.into_iter()
            .map(|d| d.parse::<Date>().map_err(|_| invalid(key, format!("`{d}` is not a date (YYYY-MM-DD)"))))
            .collect::<Result<BTreeSet<Date>, _>>()
    };
    let calendar = Calendar {
        holidays: dates("calendar.holidays", raw.holidays)?,
        workdays: dates("calendar.workdays", raw.workdays)?,
    };
    if let Some(d) = calendar.holidays.intersection(&calendar.workdays).next() {
        return Err(invalid("calendar.workdays", format!("{d} is also a holiday")));
    }
    Ok(calendar)
}

/// Minutes from config to milliseconds; must be positive and finite.
fn positive_minutes(key: &str, minutes: f64) -> Result<i64, ConfigError> {
    if !(minutes.is_finite() && minutes > 0.0) {
        return Err(invalid(key, "must be a positive number of minutes"));
    }
    Ok((minutes * MINUTE_MS as f64).round() as i64)
}

fn validate_rules(raw: RawRules) -> Result<Rules, ConfigError> {
    let defaults = Rules::default();
    let policy = match raw.policy {
        None => defaults.policy,
        Some(name) => Policy::from_name(&name).ok_or_else(|| {
            let known: Vec<&str> = Policy::ALL.iter().map(|p| p.name()).collect();
            invalid("rules.policy", format!("unknown policy `{name}`; known: default, {}", known.join(", ")))
        })?,
    };
    let max_wait_ms = raw.max_wait_min.map(|m| positive_minutes("rules.max_wait_min", m)).transpose()?;
    let grace_ms = match raw.appointment_grace_min {
        Some(m) if !(m.is_finite() && m >= 0.0) => {
            return Err(invalid("rules.appointment_grace_min", "must be zero or more minutes"))
        }
        Some(m) => Some((m * MINUTE_MS as f64).round() as i64),
        None => None,
    };
    let aht_alpha = raw.aht_alpha.unwrap_or(defaults.aht_alpha);
    if !(aht_alpha > 0.0 && aht_alpha <= 1.0) {
        return Err(invalid("rules.aht_alpha", "must be in (0, 1]"));
    }
    let notice_max_chars = raw.notice_max_chars.unwrap_or(defaults.notice_max_chars);
    if notice_max_chars == 0 || notice_max_chars > 2000 {
        return Err(invalid("rules.notice_max_chars", "must be 1 to 2000"));
    }
    let ended_tickets_kept = raw.ended_tickets_kept.unwrap_or(defaults.ended_tickets_kept);
    if !(100..=100_000).contains(&ended_tickets_kept) {
        return Err(invalid("rules.ended_tickets_kept", "must be 100 to 100000"));
    }
    Ok(Rules {
        policy,
        max_wait_ms: max_wait_ms.unwrap_or(defaults.max_wait_ms),
        no_show_requeue_places: raw.no_show_requeue_places.unwrap_or(defaults.no_show_requeue_places),
        no_show_max_requeues: raw.no_show_max_requeues.unwrap_or(defaults.no_show_max_requeues),
        appointment_grace_ms: grace_ms.unwrap_or(defaults.appointment_grace_ms),
        aht_alpha,
        notice_max_chars,
        ended_tickets_kept,
        staffing: defaults.staffing,
        forecast: defaults.forecast,
        cases: defaults.cases,
        booking: defaults.booking,
        notify_near_ahead: defaults.notify_near_ahead,
    })
}

fn validate_cases(raw: RawCases) -> Result<onewindow_core::cases::CaseDeadlines, ConfigError> {
    let defaults = onewindow_core::cases::CaseDeadlines::default();
    let hours = |field: &str, value: Option<f64>, default: i64| match value {
        None => Ok(default),
        Some(h) if h.is_finite() && h > 0.0 && h <= 24.0 * 366.0 => Ok((h * 60.0 * MINUTE_MS as f64).round() as i64),
        Some(_) => Err(invalid(format!("cases.{field}"), "must be more than 0 and at most a year of hours (8784)")),
    };
    let d = onewindow_core::cases::CaseDeadlines {
        assign_ms: hours("assign_hours", raw.assign_hours, defaults.assign_ms)?,
        contact_ms: hours("contact_hours", raw.contact_hours, defaults.contact_ms)?,
        resolve_ms: hours("resolve_hours", raw.resolve_hours, defaults.resolve_ms)?,
    };
    if !(d.assign_ms <= d.contact_ms && d.contact_ms <= d.resolve_ms) {
        return Err(invalid("cases", "deadlines must not shrink: assign_hours ≤ contact_hours ≤ resolve_hours"));
    }
    Ok(d)
}

fn validate_booking(raw: RawBooking, hours: Option<&Hours>) -> Result<onewindow_core::BookingRules, ConfigError> {
    let d = onewindow_core::BookingRules::default();
    let within = |field: &str, value: Option<u32>, default: u32, max: u32| match value {
        None => Ok(default),
        Some(v) if (1..=max).contains(&v) => Ok(v),
        Some(_) => Err(invalid(format!("booking.{field}"), format!("must be 1–{max}"))),
    };
    let rules = onewindow_core::BookingRules {
        slot_min: within("slot_min", raw.slot_min, d.slot_min, 240)?,
        days_ahead: within("days_ahead", raw.days_ahead, d.days_ahead, 90)?,
        missed_limit: within("missed_limit", raw.missed_limit, d.missed_limit, 100)?,
        missed_within_days: within("missed_within_days", raw.missed_within_days, d.missed_within_days, 366)?,
        block_days: within("block_days", raw.block_days, d.block_days, 366)?,
    };
    match hours {
        Some(h) if rules.slot_min > h.close_min.saturating_sub(h.open_min) => {
            Err(invalid("booking.slot_min", "is longer than the opening hours"))
        }
        _ => Ok(rules),
    }
}

/// Forecasts longer than this many entries are refused (a day in minutes would be 1,440).
const FORECAST_MAX_ENTRIES: usize = 96;

fn validate_forecast(raw: &RawStaffing) -> Result<onewindow_core::Forecast, ConfigError> {
    let Some(entries) = &raw.forecast else {
        if raw.forecast_horizon_min.is_some() {
            return Err(invalid("staffing.forecast_horizon_min", "needs staffing.forecast"));
        }
        return Ok(Default::default());
    };
    if entries.is_empty() || entries.len() > FORECAST_MAX_ENTRIES {
        return Err(invalid(
            "staffing.forecast",
            format!("give 1 to {FORECAST_MAX_ENTRIES} [\"HH:MM\", arrivals per hour] pairs"),
        ));
    }
    let mut rates: Vec<(u32, f64)> = Vec::with_capacity(entries.len());
    for (i, (at, rate)) in entries.iter().enumerate() {
        let key = format!("staffing.forecast[{i}]");
        let minute =
            onewindow_core::time::parse_hhmm(at).ok_or_else(|| invalid(&key, format!("`{at}` is not HH:MM")))?;
        if !(rate.is_finite() && (0.0..=100_000.0).contains(rate)) {
            return Err(invalid(&key, "arrivals per hour must be 0 to 100000"));
        }
        if rates.last().is_some_and(|(prev, _)| *prev >= minute) {
            return Err(invalid(&key, "times must increase"));
        }
        rates.push((minute, *rate));
    }
    let horizon_min = raw.forecast_horizon_min.unwrap_or(60);
    if horizon_min > 240 {
        return Err(invalid("staffing.forecast_horizon_min", "must be 0 to 240 minutes"));
    }
    Ok(onewindow_core::Forecast { rates, horizon_min })
}

fn validate_staffing(raw: RawStaffing) -> Result<StaffingRules, ConfigError> {
    let defaults = StaffingRules::default();
    let open_at = raw.open_at.unwrap_or(defaults.open_at);
    if !(open_at > 0.0 && open_at <= 10.0) {
        return Err(invalid("staffing.open_at", "must be a share of the target wait in (0, 10]"));
    }
    let close_below = raw.close_below.unwrap_or(defaults.close_below);
    if !(close_below >= 0.0 && close_below < open_at) {
        return Err(invalid("staffing.close_below", "must be zero or more and below staffing.open_at"));
    }
    let min_open_ms = match raw.min_open_min {
        Some(m) if !(m.is_finite() && (0.0..=600.0).contains(&m)) => {
            return Err(invalid("staffing.min_open_min", "must be 0 to 600 minutes"))
        }
        Some(m) => (m * MINUTE_MS as f64).round() as i64,
        None => defaults.min_open_ms,
    };
    Ok(StaffingRules { mode: raw.mode.unwrap_or(defaults.mode), open_at, close_below, min_open_ms })
}

pub(crate) fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 32
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Checks that `key` is well formed and not seen before.
fn unique_key(seen: &mut HashSet<String>, at: &str, key: &str) -> Result<(), ConfigError> {
    if !valid_key(key) {
        return Err(invalid(at, format!("`{key}` must be 1–32 of a-z, 0-9, _ and -")));
    }
    if !seen.insert(key.to_owned()) {
        return Err(invalid(at, format!("`{key}` is used twice")));
    }
    Ok(())
}

fn validate_matters(raw: Vec<RawMatter>) -> Result<Vec<MatterSpec>, ConfigError> {
    if raw.is_empty() {
        return Err(invalid("matter", "a hall needs at least one [[matter]]"));
    }
    if raw.len() > MAX_MATTERS {
        return Err(invalid("matter", format!("at most {MAX_MATTERS} matters")));
    }
    let (mut keys, mut prefixes) = (HashSet::new(), HashSet::new());
    raw.into_iter()
        .enumerate()
        .map(|(i, m)| {
            let at = |field: &str| format!("matter[{i}].{field}");
            unique_key(&mut keys, &at("key"), &m.key)?;
            for (field, name) in [("name_zh", &m.name_zh), ("name_en", &m.name_en)] {
                if name.trim().is_empty() {
                    return Err(invalid(at(field), "must not be empty"));
                }
            }
            let prefix = match m.prefix.as_bytes() {
                [b] if b.is_ascii_uppercase() => char::from(*b),
                _ => return Err(invalid(at("prefix"), format!("`{}` must be one letter A–Z", m.prefix))),
            };
            if !prefixes.insert(prefix) {
                return Err(invalid(at("prefix"), format!("`{prefix}` is used by another matter")));
            }
            if m.daily_cap == Some(0) {
                return Err(invalid(at("daily_cap"), "must be positive (leave it out for no cap)"));
            }
            if m.booking_per_slot.is_some_and(|n| n == 0 || n > 1_000) {
                return Err(invalid(at("booking_per_slot"), "must be 1–1000 (leave it out: not bookable online)"));
            }
            Ok(MatterSpec {
                key: m.key,
                name_zh: m.name_zh,
                name_en: m.name_en,
                prefix,
                target_wait_ms: positive_minutes(&at("target_wait_min"), m.target_wait_min)?,
                handling_norm_ms: positive_minutes(&at("handling_norm_min"), m.handling_norm_min)?,
                daily_cap: m.daily_cap,
                booking_per_slot: m.booking_per_slot,
                real_name: m.real_name,
                per_id: m.one_ticket_per_id,
                retired: false,
            })
        })
        .collect()
}

fn validate_windows(raw: Vec<RawWindow>, matters: &[MatterSpec]) -> Result<Vec<WindowSpec>, ConfigError> {
    if raw.is_empty() {
        return Err(invalid("window", "a hall needs at least one [[window]]"));
    }
    let (mut keys, mut numbers) = (HashSet::new(), HashSet::new());
    raw.into_iter()
        .enumerate()
        .map(|(i, w)| {
            let at = |field: &str| format!("window[{i}].{field}");
            unique_key(&mut keys, &at("key"), &w.key)?;
            if w.number == 0 || !numbers.insert(w.number) {
                return Err(invalid(at("number"), format!("{} must be positive and unique", w.number)));
            }
            if w.name.trim().is_empty() {
                return Err(invalid(at("name"), "must not be empty"));
            }
            if w.serves.is_empty() {
                return Err(invalid(at("serves"), "a window must serve at least one matter"));
            }
            let mut skills = Vec::with_capacity(w.serves.len());
            for key in &w.serves {
                let m = matters
                    .iter()
                    .position(|m| &m.key == key)
                    .ok_or_else(|| invalid(at("serves"), format!("unknown matter `{key}`")))?;
                if skills.contains(&MatterId(m as u16)) {
                    return Err(invalid(at("serves"), format!("`{key}` is listed twice")));
                }
                skills.push(MatterId(m as u16));
            }
            Ok(WindowSpec {
                key: w.key,
                number: w.number,
                name: w.name,
                zone: w.zone,
                home: skills.first().copied(),
                skills: MatterSet::of(skills),
                kind: w.kind,
                shift: w.shift.as_deref().map(|s| parse_span(&at("shift"), s)).transpose()?,
                retired: false,
            })
        })
        .collect()
}

/// The clerks, and their PIN hashes by key (the server keeps those; the core and the ledger never see them).
fn validate_clerks(raw: Vec<RawClerk>) -> Result<(Vec<ClerkSpec>, BTreeMap<String, String>), ConfigError> {
    let mut keys = HashSet::new();
    let mut pins = BTreeMap::new();
    let clerks = raw
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            unique_key(&mut keys, &format!("clerk[{i}].key"), &c.key)?;
            if c.name.trim().is_empty() {
                return Err(invalid(format!("clerk[{i}].name"), "must not be empty"));
            }
            if let Err(e) = check_pin_hash(&c.pin_hash) {
                return Err(invalid(format!("clerk[{i}].pin_hash"), e));
            }
            pins.insert(c.key.clone(), c.pin_hash);
            Ok(ClerkSpec { key: c.key, name: c.name, retired: false })
        })
        .collect::<Result<_, _>>()?;
    Ok((clerks, pins))
}
