//! The server part of a hall configuration: the devices allowed to connect (tokens stored hashed) and
//! the limits that keep one misbehaving terminal from hurting the others.

use super::{invalid, valid_key, ConfigError};
use crate::auth::is_token_hash;
use crate::core::HallConfig;
use kiosk_protocol::Role;
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDevice {
    name: String,
    role: Role,
    #[serde(default)]
    windows: Vec<u16>,
    token_hash: String,
}

/// Display and voice texts of one language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    /// Code, e.g. `zh`, `en`, `bo`.
    pub code: String,
    /// Its name in itself, for the language button, e.g. `中文`.
    pub name: String,
    /// What displays show for a call; `{ticket}` and `{window}` are filled in.
    pub call: String,
    /// What is spoken for a call (defaults to `call`).
    #[serde(default)]
    pub voice: Option<String>,
    /// The speech-synthesis language tag, e.g. `zh-CN` (defaults to `code`).
    #[serde(default)]
    pub voice_lang: Option<String>,
    /// What is shown and said when a temporary (standby) window opens; `{window}` and `{matters}`
    /// are filled in. Defaults to Chinese for `zh*` codes, else English.
    #[serde(default)]
    pub window_opened: Option<String>,
}

const OPENED_ZH: &str = "临时窗口 {window} 已开放，办理 {matters}";
const OPENED_EN: &str = "Temporary window {window} is now open for {matters}";

/// The languages a hall speaks when its config names none: Mandarin first, then English.
pub fn default_languages() -> Vec<Language> {
    vec![
        Language {
            code: "zh".into(),
            name: "中文".into(),
            call: "请 {ticket} 号 到 {window} 号窗口 办理".into(),
            voice: Some("请 {ticket} 号，到 {window} 号窗口办理".into()),
            voice_lang: Some("zh-CN".into()),
            window_opened: Some(OPENED_ZH.into()),
        },
        Language {
            code: "en".into(),
            name: "English".into(),
            // Short enough for one line of 120 px type across a 1080p wall; the voice says it in full.
            call: "Ticket {ticket} → Window {window}".into(),
            voice: Some("Ticket {ticket}, please go to window {window}".into()),
            voice_lang: Some("en-US".into()),
            window_opened: Some(OPENED_EN.into()),
        },
    ]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    max_connections: Option<usize>,
    max_connections_per_ip: Option<usize>,
    max_unauthenticated_per_ip: Option<usize>,
    kiosk_issues_per_minute: Option<u32>,
    follow_failures_per_minute: Option<u32>,
    api_requests_per_minute: Option<u32>,
    socket_queue: Option<usize>,
    pin_attempts: Option<u32>,
    pin_lock_minutes: Option<u32>,
}

/// A terminal allowed to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Unique name, used in logs and as the issuing kiosk of a ticket.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Window numbers it is bound to (clerk terminals, evaluator pads).
    pub windows: Vec<u16>,
    /// `sha256:` of its token.
    pub token_hash: String,
}

/// Limits on connections and request rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Open WebSocket connections at most.
    pub max_connections: usize,
    /// Open connections from one address at most.
    pub max_connections_per_ip: usize,
    /// Connections from one address that have not yet authenticated, at most.
    pub max_unauthenticated_per_ip: usize,
    /// Tickets (issue or check-in) one kiosk may take per minute.
    pub kiosk_issues_per_minute: u32,
    /// Wrong mobile-ticket capabilities one address may send per minute (a right one is never counted).
    pub follow_failures_per_minute: u32,
    /// `/api/v1` requests one integration token may make per minute.
    pub api_requests_per_minute: u32,
    /// Events one socket may fall behind before it is closed (1013) and must resume.
    pub socket_queue: usize,
    /// Wrong PINs in a row that lock a clerk out.
    pub pin_attempts: u32,
    /// How long a lock lasts, in minutes.
    pub pin_lock_minutes: u32,
    /// Days a ticket's ID hash is kept (`[privacy] id_retention_days`), then forgotten.
    pub id_retention_days: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 10_000,
            max_connections_per_ip: 2_000,
            max_unauthenticated_per_ip: 64,
            kiosk_issues_per_minute: 30,
            follow_failures_per_minute: 30,
            api_requests_per_minute: 1200,
            socket_queue: 1_024,
            pin_attempts: 5,
            pin_lock_minutes: 15,
            id_retention_days: 90,
        }
    }
}

/// Devices, limits and languages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerSettings {
    /// Allowed devices.
    pub devices: Vec<Device>,
    /// Limits.
    pub limits: Limits,
    /// Display and voice texts, the first the default.
    pub languages: Vec<Language>,
    /// How the terminal pages behave.
    pub terminals: super::Terminals,
    /// Clerks' PIN hashes (argon2id PHC strings) by clerk key.
    pub pins: std::collections::BTreeMap<String, String>,
    /// Where messages go, if the hall sends any.
    pub gateway: Option<super::GatewayConfig>,
    /// Where events are exported for the province (`[export]`); none: not exported.
    pub export: Option<super::ExportConfig>,
}

pub(super) fn validate(
    raw: Vec<RawDevice>,
    server: Option<RawServer>,
    languages: Vec<Language>,
    terminals: super::Terminals,
    hall: &HallConfig,
) -> Result<ServerSettings, ConfigError> {
    let mut codes = HashSet::new();
    for (i, l) in languages.iter().enumerate() {
        if l.code.is_empty() || !codes.insert(l.code.clone()) {
            return Err(invalid(format!("language[{i}].code"), format!("`{}` must be unique and not empty", l.code)));
        }
        for (field, text) in [("call", Some(&l.call)), ("voice", l.voice.as_ref())] {
            if text.is_some_and(|t| !t.contains("{ticket}") || !t.contains("{window}")) {
                return Err(invalid(format!("language[{i}].{field}"), "must contain {ticket} and {window}"));
            }
        }
    }
    let mut languages = if languages.is_empty() { default_languages() } else { languages };
    for (i, l) in languages.iter_mut().enumerate() {
        if l.window_opened.as_ref().is_some_and(|t| !t.contains("{window}")) {
            return Err(invalid(format!("language[{i}].window_opened"), "must contain {window}"));
        }
        let default = if l.code.starts_with("zh") { OPENED_ZH } else { OPENED_EN };
        l.window_opened.get_or_insert_with(|| default.into());
    }
    let mut names = HashSet::new();
    let mut devices = Vec::with_capacity(raw.len());
    for (i, d) in raw.into_iter().enumerate() {
        let at = |field: &str| format!("device[{i}].{field}");
        if !valid_key(&d.name) || !names.insert(d.name.clone()) {
            return Err(invalid(at("name"), format!("`{}` must be unique, 1–32 of a-z, 0-9, _ and -", d.name)));
        }
        if !is_token_hash(&d.token_hash) {
            return Err(invalid(
                at("token_hash"),
                "expected `sha256:` and 64 hex digits (make one with `onewindow token add`)",
            ));
        }
        if let Some(n) = d.windows.iter().find(|n| hall.window_by_number(**n).is_none()) {
            return Err(invalid(at("windows"), format!("no window number {n}")));
        }
        match (d.role, d.windows.len()) {
            (Role::Clerk, 0) => return Err(invalid(at("windows"), "a clerk terminal is bound to at least one window")),
            (Role::Evaluator, n) if n != 1 => {
                return Err(invalid(at("windows"), "an evaluator pad is bound to one window"))
            }
            (Role::Kiosk | Role::Display | Role::Supervisor | Role::Integration, n) if n > 0 => {
                return Err(invalid(at("windows"), "only clerk terminals and evaluator pads are bound to windows"))
            }
            _ => {}
        }
        devices.push(Device { name: d.name, role: d.role, windows: d.windows, token_hash: d.token_hash });
    }
    let defaults = Limits::default();
    let s = server.unwrap_or_default();
    let positive = |key: &str, v: Option<usize>, default: usize| match v {
        Some(0) => Err(invalid(format!("server.{key}"), "must be positive")),
        Some(v) => Ok(v),
        None => Ok(default),
    };
    let limits = Limits {
        max_connections: positive("max_connections", s.max_connections, defaults.max_connections)?,
        max_connections_per_ip: positive(
            "max_connections_per_ip",
            s.max_connections_per_ip,
            defaults.max_connections_per_ip,
        )?,
        max_unauthenticated_per_ip: positive(
            "max_unauthenticated_per_ip",
            s.max_unauthenticated_per_ip,
            defaults.max_unauthenticated_per_ip,
        )?,
        kiosk_issues_per_minute: positive(
            "kiosk_issues_per_minute",
            s.kiosk_issues_per_minute.map(|v| v as usize),
            defaults.kiosk_issues_per_minute as usize,
        )? as u32,
        follow_failures_per_minute: positive(
            "follow_failures_per_minute",
            s.follow_failures_per_minute.map(|v| v as usize),
            defaults.follow_failures_per_minute as usize,
        )? as u32,
        api_requests_per_minute: positive(
            "api_requests_per_minute",
            s.api_requests_per_minute.map(|v| v as usize),
            defaults.api_requests_per_minute as usize,
        )? as u32,
        socket_queue: positive("socket_queue", s.socket_queue, defaults.socket_queue)?,
        pin_attempts: positive("pin_attempts", s.pin_attempts.map(|v| v as usize), defaults.pin_attempts as usize)?
            as u32,
        pin_lock_minutes: positive(
            "pin_lock_minutes",
            s.pin_lock_minutes.map(|v| v as usize),
            defaults.pin_lock_minutes as usize,
        )? as u32,
        id_retention_days: defaults.id_retention_days,
    };
    Ok(ServerSettings { devices, limits, languages, terminals, pins: Default::default(), gateway: None, export: None })
}
