//! The message gateway (到号提醒): sends the ledger's outbox to the hall's SMS or WeChat service.
//!
//! ```text
//!   writer ── after a commit that changed the outbox ──> Outbox (watch) ──> this task
//!   this task ── POST JSON, HMAC-signed, Idempotency-Key ──> the hall's gateway
//!             ── 2xx ──> `MessageSent` command ──> ledger (the message leaves the outbox)
//!             ── else ──> retried after 1, 2, 4 … 60 s
//! ```
//!
//! A message is in the ledger from the moment it is due until the gateway took it: a restart or an
//! outage loses none, and its key (`<sender>:<number>`) lets the gateway drop a repeat (a crash between
//! its 2xx and our record). The phone number is opened from its sealed form just before the request
//! and is in memory only for it.

use super::writer::{Caller, Work};
use super::App;
use crate::auth::IdKeys;
use crate::core::notify::{MessageKind, SealedPhone};
use crate::core::{Command, Date};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// One request's time limit (connect, send, answer).
const REQUEST_WITHIN: Duration = Duration::from_secs(5);
/// First wait before a failed message is sent again; doubles up to [`RETRY_MAX`].
const RETRY_MIN: Duration = Duration::from_secs(1);
/// Longest wait between two attempts.
const RETRY_MAX: Duration = Duration::from_secs(60);

/// Where messages go: `[gateway]` in the hall config.
#[derive(Debug, Clone)]
pub struct Gateway {
    /// `host:port` of the gateway (plain HTTP: a relay on the hall's network).
    pub authority: String,
    /// The path it takes messages at.
    pub path: String,
    /// The key messages are signed with (HMAC-SHA256), shared with the gateway.
    pub secret: Vec<u8>,
    /// The first part of every message's key: this hall, among the gateway's halls.
    pub sender: String,
}

impl Gateway {
    /// From `http://host:port/path`.
    pub fn new(url: &str, secret: Vec<u8>, sender: String) -> Result<Gateway, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or("the gateway's url must start with http:// (put a TLS relay on the hall's network for https)")?;
        let (authority, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
        if authority.is_empty() || !authority.contains(':') {
            return Err("the gateway's url needs host:port".into());
        }
        if secret.len() < 16 {
            return Err("the gateway's secret must be at least 16 bytes".into());
        }
        Ok(Gateway { authority: authority.to_owned(), path, secret, sender })
    }
}

/// A message as the writer publishes it: everything the request needs but the opened phone number.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Its number.
    pub message: u64,
    /// Near or called.
    pub kind: MessageKind,
    /// Ticket number.
    pub ticket: String,
    /// Matter key and names.
    pub matter: (String, String, String),
    /// People ahead (near).
    pub ahead: Option<u32>,
    /// Window number (called).
    pub window: Option<u16>,
    /// The sealed phone number.
    pub phone: SealedPhone,
    /// When it was queued (ms).
    pub queued_at: i64,
}

/// The outbox as of one commit.
#[derive(Debug, Default)]
pub struct Outbox {
    /// The business day (whose key opens the phone numbers).
    pub date: Option<Date>,
    /// The hall's name, said in the message.
    pub hall: String,
    /// Messages not yet acknowledged, oldest first.
    pub messages: Vec<Pending>,
}

/// The outbox of `hall`.
pub fn outbox(hall: &crate::core::Hall) -> Outbox {
    let config = hall.config();
    let messages = hall
        .outbox()
        .iter()
        .map(|(number, m)| {
            let spec = config.matter(m.matter);
            Pending {
                message: *number,
                kind: m.kind,
                ticket: m.number.to_string(),
                matter: (spec.key.clone(), spec.name_zh.clone(), spec.name_en.clone()),
                ahead: m.ahead,
                window: m.window.and_then(|w| config.windows.get(usize::from(w.0))).map(|w| w.number),
                phone: m.phone.clone(),
                queued_at: m.at.0,
            }
        })
        .collect();
    Outbox { date: hall.day().map(|d| d.date), hall: config.name.clone(), messages }
}

/// The JSON body of a message to `phone`.
fn body(gateway: &Gateway, outbox: &Outbox, m: &Pending, phone: &str) -> String {
    let (key, zh, en) = &m.matter;
    let (text_zh, text_en) = match m.kind {
        MessageKind::Near => {
            let ahead = m.ahead.unwrap_or(0);
            (
                format!("【{}】您的 {} 号（{zh}）前面还有 {ahead} 人，请回到大厅等候叫号。", outbox.hall, m.ticket),
                format!("{}: ticket {} ({en}) has {ahead} ahead. Please come back to the hall.", outbox.hall, m.ticket),
            )
        }
        MessageKind::Called => {
            let window = m.window.unwrap_or(0);
            (
                format!("【{}】请 {} 号到 {window} 号窗口办理{zh}。", outbox.hall, m.ticket),
                format!("{}: ticket {}, please go to window {window} ({en}).", outbox.hall, m.ticket),
            )
        }
    };
    serde_json::json!({
        "id": format!("{}:{}", gateway.sender, m.message),
        "kind": m.kind,
        "phone": phone,
        "ticket": m.ticket,
        "matter": key,
        "ahead": m.ahead,
        "window": m.window,
        "hall": outbox.hall,
        "text_zh": text_zh,
        "text_en": text_en,
        "queued_at": m.queued_at,
    })
    .to_string()
}

/// The signature of a request: HMAC-SHA256 of `timestamp.body` under the shared secret, hex.
pub fn signature(secret: &[u8], timestamp: &str, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return String::new() };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// One POST; `Ok` on a 2xx.
async fn post(gateway: &Gateway, id: &str, body: String) -> Result<(), String> {
    let attempt = async {
        let stream = tokio::net::TcpStream::connect(&gateway.authority).await.map_err(|e| e.to_string())?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let timestamp =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis()).to_string();
        let request = axum::http::Request::post(&gateway.path)
            .header("host", &gateway.authority)
            .header("content-type", "application/json")
            .header("idempotency-key", id)
            .header("x-onewindow-timestamp", &timestamp)
            .header("x-onewindow-signature", format!("sha256={}", signature(&gateway.secret, &timestamp, &body)))
            .body(axum::body::Body::from(body))
            .map_err(|e| e.to_string())?;
        let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("the gateway answered {}", response.status()))
        }
    };
    tokio::time::timeout(REQUEST_WITHIN, attempt).await.map_err(|_| "no answer within 5 s".to_owned())?
}

/// Sends the outbox until the server stops.
pub fn spawn(app: App, gateway: Gateway, keys: Arc<IdKeys>, mut outbox: watch::Receiver<Arc<Outbox>>) {
    let mut stop = app.shutdown.clone();
    tokio::spawn(async move {
        // Per message: when to try again and the wait after that.
        let mut retry: HashMap<u64, (Instant, Duration)> = HashMap::new();
        // Taken by the gateway, not yet recorded (the ledger refused): never sent again.
        let mut taken: HashSet<u64> = HashSet::new();
        loop {
            let current = outbox.borrow_and_update().clone();
            let mut wake: Option<Instant> = None;
            for m in &current.messages {
                if *stop.borrow() {
                    return;
                }
                let now = Instant::now();
                if let Some((at, _)) = retry.get(&m.message).filter(|(at, _)| *at > now) {
                    wake = Some(wake.map_or(*at, |w: Instant| w.min(*at)));
                    continue;
                }
                let sent = taken.contains(&m.message)
                    || {
                        let phone = current.date.and_then(|d| keys.open_phone(&m.phone, d));
                        let Some(phone) = phone else {
                            // Its day's key is gone: it can never be sent (the next day drops it).
                            continue;
                        };
                        let id = format!("{}:{}", gateway.sender, m.message);
                        match post(&gateway, &id, body(&gateway, &current, m, &phone)).await {
                            Ok(()) => true,
                            Err(e) => {
                                let wait = retry.get(&m.message).map_or(RETRY_MIN, |(_, w)| (*w * 2).min(RETRY_MAX));
                                tracing::warn!(message = m.message, error = %e, retry_in_s = wait.as_secs(), "message not taken by the gateway");
                                app.metrics.gateway_failure();
                                retry.insert(m.message, (Instant::now() + wait, wait));
                                wake = Some(wake.map_or(Instant::now() + wait, |w| w.min(Instant::now() + wait)));
                                false
                            }
                        }
                    };
                if sent {
                    taken.insert(m.message);
                    let caller = Caller { device: "gateway".into(), role: None };
                    match app.submit(caller, Work::Command(Command::MessageSent { message: m.message })).await {
                        Ok(_) => {
                            taken.remove(&m.message);
                            retry.remove(&m.message);
                        }
                        Err(e) => {
                            tracing::warn!(message = m.message, error = %e.message, "a message sent could not be recorded yet");
                            wake = Some(wake.map_or(Instant::now() + RETRY_MIN, |w| w.min(Instant::now() + RETRY_MIN)));
                        }
                    }
                }
            }
            let keep: HashSet<u64> = current.messages.iter().map(|m| m.message).collect();
            retry.retain(|id, _| keep.contains(id));
            taken.retain(|id| keep.contains(id));
            let until = wake.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                changed = outbox.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep_until(until) => {}
                _ = super::listen::stopped(&mut stop) => return,
            }
        }
    });
}
