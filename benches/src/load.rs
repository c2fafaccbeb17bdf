//! The open-loop load generator: kiosks issue on a fixed schedule (total rate R), clerks call and
//! finish on a fixed schedule, displays listen. Every latency is measured from the moment the request
//! was *due*, not when it was sent, so a server that stalls is charged for the requests queued behind
//! the stall (no coordinated omission). Latencies are recorded in microseconds in HDR histograms.

use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Kiosk connections.
    pub kiosks: usize,
    /// Tickets issued per second, all kiosks together.
    pub rate: f64,
    /// Clerk terminals (windows 1..=clerks).
    pub clerks: usize,
    /// Calls per second per clerk (each call is followed by its finish).
    pub clerk_rate: f64,
    /// Displays listening.
    pub displays: usize,
    /// Seconds of load.
    pub seconds: f64,
}

/// Where to run it: a WebSocket URL and the device tokens it accepts.
#[derive(Debug, Clone)]
pub struct Target {
    /// `ws://host:port/ws`.
    pub url: String,
    /// One token per kiosk.
    pub kiosks: Vec<String>,
    /// `(window, clerk key, token)` per clerk terminal.
    pub clerks: Vec<(u16, String, String)>,
    /// One token per display.
    pub displays: Vec<String>,
    /// Matter keys kiosks issue for.
    pub matters: Vec<String>,
}

/// What a run measured.
pub struct Results {
    /// Kiosk issue round trip, µs.
    pub issue: Histogram<u64>,
    /// Clerk call round trip, µs.
    pub call: Histogram<u64>,
    /// Call (when due) → the event at a display, µs, one sample per display per call.
    pub delivery: Histogram<u64>,
    /// Tickets issued (replies received).
    pub issued: u64,
    /// Calls that called a ticket.
    pub calls: u64,
    /// Error replies and missing replies.
    pub errors: u64,
    /// Requests the displays sent (as the shipped page: `get_state` only after a gap in `seq`).
    pub display_requests: u64,
    /// Wall-clock seconds of the load phase.
    pub seconds: f64,
}

fn histogram() -> Histogram<u64> {
    // 1 µs to 60 s, 3 significant digits.
    Histogram::new_with_bounds(1, 60_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!()))
}

/// Opens a socket and says hello; returns it after the welcome.
pub async fn connect(url: &str, token: &str) -> Result<Socket, String> {
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
        .await
        .map_err(|e| format!("connect {url}: {e}"))?;
    let hello = json!({"id": 0, "type": "hello", "protocol": 1, "token": token});
    ws.send(Message::text(hello.to_string())).await.map_err(|e| e.to_string())?;
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.map_err(|_| "no welcome in 10 s")?;
        let Some(Ok(Message::Text(text))) = msg else { return Err("socket closed before welcome".into()) };
        let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        if v["id"] == json!(0) {
            return if v["type"] == "reply" { Ok(ws) } else { Err(format!("hello refused: {v}")) };
        }
    }
}

/// Sends `body` with `id` and waits for its answer (events are skipped).
async fn ask(ws: &mut Socket, id: u64, mut body: Value) -> Option<Value> {
    body["id"] = json!(id);
    ws.send(Message::text(body.to_string())).await.ok()?;
    loop {
        let text = match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
            other => {
                eprintln!("  no answer to {body}: {other:?}");
                return None;
            }
        };
        if !text.contains("\"id\"") {
            continue;
        }
        let v: Value = serde_json::from_str(&text).ok()?;
        if v["id"] == json!(id) {
            return Some(v);
        }
    }
}

fn micros(d: Duration) -> u64 {
    (d.as_micros() as u64).max(1)
}

/// Runs `plan` against `target`. `opened` is called once every connection is open (to read memory).
pub async fn run(plan: &Plan, target: &Target, opened: impl FnOnce(usize)) -> Result<Results, String> {
    // Displays first, so they see every call.
    let mut displays = Vec::with_capacity(plan.displays);
    for token in target.displays.iter().take(plan.displays) {
        displays.push(connect(&target.url, token).await?);
    }
    let mut kiosks = Vec::new();
    for token in target.kiosks.iter().take(plan.kiosks) {
        kiosks.push(connect(&target.url, token).await?);
    }
    let mut clerks = Vec::new();
    for (window, clerk, token) in target.clerks.iter().take(plan.clerks) {
        let mut ws = connect(&target.url, token).await?;
        let signed = ask(&mut ws, 1, json!({"type": "sign_in", "window": window, "clerk": clerk, "pin": "1234"})).await;
        // A clerk still signed in from an earlier run on the same server is fine.
        let again = signed.as_ref().is_some_and(|v| v["code"] == "already_signed_in");
        if !again && signed.as_ref().is_none_or(|v| v["type"] != "reply") {
            return Err(format!("clerk {clerk} could not sign in: {signed:?}"));
        }
        clerks.push((*window, ws));
    }
    opened(displays.len() + kiosks.len() + clerks.len());

    let start = Instant::now() + Duration::from_millis(200);
    let end = start + Duration::from_secs_f64(plan.seconds);
    let sent_calls: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();

    let display_tasks: Vec<_> = displays
        .into_iter()
        .map(|mut ws| {
            tokio::spawn(async move {
                // As the shipped display page (engine/web/common.js): read every message, keep the last
                // `seq`, and ask for the hall only after a gap; it asks nothing after an event.
                let mut seen = Vec::new();
                let (mut last, mut requests) = (None::<u64>, 0u64);
                let stop = end + Duration::from_secs(3);
                while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(stop, ws.next()).await {
                    let Message::Text(text) = msg else { continue };
                    let at = Instant::now();
                    let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                    let seq = v["seq"].as_u64();
                    match v["type"].as_str() {
                        Some("snapshot") => last = seq,
                        Some("event") => {
                            if let (Some(prev), Some(seq)) = (last, seq) {
                                if seq > prev + 1 {
                                    requests += 1;
                                    let ask = json!({"id": requests, "type": "get_state"}).to_string();
                                    let _ = ws.send(Message::text(ask)).await;
                                }
                            }
                            last = seq.or(last);
                            if v["event"]["kind"] == "ticket_called" {
                                if let Some(ticket) = v["event"]["ticket"].as_str() {
                                    seen.push((ticket.to_owned(), at));
                                }
                            }
                        }
                        _ => {}
                    }
                }
                (seen, requests)
            })
        })
        .collect();

    let per_kiosk = plan.rate / plan.kiosks.max(1) as f64;
    let kiosk_count = plan.kiosks.max(1) as f64;
    let kiosk_tasks: Vec<_> = kiosks
        .into_iter()
        .enumerate()
        .map(|(k, ws)| {
            let matters = target.matters.clone();
            tokio::spawn(async move {
                let interval = Duration::from_secs_f64(1.0 / per_kiosk.max(1e-9));
                // Stagger kiosks so their schedules interleave.
                let first = start + interval.mul_f64(k as f64 / kiosk_count);
                let (mut tx, mut rx) = ws.split();
                let due = move |id: u64| first + interval * (id as u32 - 1);
                let total = ((end - first).as_secs_f64() / interval.as_secs_f64()).floor().max(0.0) as u64;
                let sender = tokio::spawn(async move {
                    for id in 1..=total {
                        tokio::time::sleep_until(due(id)).await;
                        let matter = &matters[(id as usize + k) % matters.len()];
                        let body = json!({"id": id, "type": "issue_ticket", "matter": matter});
                        if tx.send(Message::text(body.to_string())).await.is_err() {
                            break;
                        }
                    }
                    tx
                });
                let mut hist = histogram();
                let (mut got, mut errors) = (0u64, 0u64);
                let stop = end + Duration::from_secs(5);
                while got + errors < total {
                    let text = match tokio::time::timeout_at(stop, rx.next()).await {
                        Ok(Some(Ok(Message::Text(text)))) => text,
                        Ok(Some(Ok(_))) => continue,
                        other => {
                            if got + errors < total {
                                eprintln!("  kiosk {k}: stopped reading after {got} replies: {other:?}");
                            }
                            break;
                        }
                    };
                    if !text.contains("\"id\"") {
                        continue;
                    }
                    let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                    let Some(id) = v["id"].as_u64().filter(|id| *id >= 1) else { continue };
                    if v["type"] == "reply" {
                        let _ = hist.record(micros(Instant::now() - due(id)));
                        got += 1;
                    } else {
                        if errors == 0 {
                            eprintln!("  kiosk {k}: first error: {}", v["code"]);
                        }
                        errors += 1;
                    }
                }
                let _ = sender.await;
                (hist, got, errors + total.saturating_sub(got + errors))
            })
        })
        .collect();

    let clerk_tasks: Vec<_> = clerks
        .into_iter()
        .map(|(window, mut ws)| {
            let sent = sent_calls.clone();
            let interval = Duration::from_secs_f64(1.0 / plan.clerk_rate.max(1e-9));
            tokio::spawn(async move {
                let mut hist = histogram();
                let (mut calls, mut errors, mut id) = (0u64, 0u64, 10u64);
                let mut due = start;
                while due < end {
                    tokio::time::sleep_until(due).await;
                    id += 1;
                    let Some(reply) = ask(&mut ws, id, json!({"type": "call_next", "window": window})).await else {
                        errors += 1;
                        break;
                    };
                    let _ = hist.record(micros(Instant::now() - due));
                    if let Some(ticket) = reply["result"]["ticket"]["number"].as_str() {
                        sent.lock().map(|mut m| m.insert(ticket.to_owned(), due)).ok();
                        calls += 1;
                        id += 1;
                        let finish = json!({"type": "finish", "window": window, "outcome": "completed"});
                        if ask(&mut ws, id, finish).await.is_none_or(|v| v["type"] != "reply") {
                            errors += 1;
                        }
                    }
                    due += interval;
                }
                (hist, calls, errors)
            })
        })
        .collect();

    let mut results = Results {
        issue: histogram(),
        call: histogram(),
        delivery: histogram(),
        issued: 0,
        calls: 0,
        errors: 0,
        display_requests: 0,
        seconds: plan.seconds,
    };
    for task in kiosk_tasks {
        let (h, got, errors) = task.await.map_err(|e| e.to_string())?;
        results.issue.add(&h).map_err(|e| e.to_string())?;
        results.issued += got;
        results.errors += errors;
    }
    for task in clerk_tasks {
        let (h, calls, errors) = task.await.map_err(|e| e.to_string())?;
        results.call.add(&h).map_err(|e| e.to_string())?;
        results.calls += calls;
        results.errors += errors;
    }
    let sent = sent_calls.lock().map_err(|_| "poisoned")?.clone();
    for task in display_tasks {
        let (seen, requests) = task.await.map_err(|e| e.to_string())?;
        results.display_requests += requests;
        for (ticket, at) in seen {
            if let Some(due) = sent.get(&ticket) {
                let _ = results.delivery.record(micros(at.saturating_duration_since(*due)));
            }
        }
    }
    Ok(results)
}

/// Opens `n` idle display connections and keeps them until the returned sockets are dropped.
pub async fn hold(url: &str, tokens: &[String], n: usize) -> Result<Vec<Socket>, String> {
    let mut held = Vec::with_capacity(n);
    for i in 0..n {
        held.push(connect(url, &tokens[i % tokens.len()]).await?);
    }
    Ok(held)
}
