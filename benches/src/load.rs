//! The open-loop load generator: kiosks issue on a fixed schedule (total rate R), clerks call and
//! finish on a fixed schedule, displays listen. Every latency is measured from the moment the request
//! was *due*, not when it was sent, so a server that stalls is charged for the requests queued behind
//! the stall (no coordinated omission). Latencies are recorded in microseconds in HDR histograms.

use display_client::protocol::vocab::Outcome;
use display_client::protocol::{ErrorCode, RequestBody};
use display_client::{ClientError, Connection, Frame, FrameKind, Sender};
use hdrhistogram::Histogram;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

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

/// Opens a connection and says hello; returns it after the welcome.
pub async fn connect(url: &str, token: &str) -> Result<Connection, String> {
    match tokio::time::timeout(Duration::from_secs(10), Connection::open(url, token, None)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(format!("connect {url}: {e}")),
        Err(_) => Err(format!("connect {url}: no welcome in 10 s")),
    }
}

/// A clerk terminal as the shipped page is one: it reads every message as it arrives (a reader task;
/// events are dropped, a clerk keeps no view here) and waits for the answer to each request it sends.
struct Terminal {
    tx: Sender,
    answers: mpsc::UnboundedReceiver<Frame>,
    reader: tokio::task::JoinHandle<()>,
}

impl Terminal {
    fn new(conn: Connection) -> Terminal {
        let (tx, mut rx, _) = conn.split();
        let (out, answers) = mpsc::unbounded_channel();
        let reader = tokio::spawn(async move {
            while let Ok(frame) = rx.next().await {
                if matches!(frame.kind(), FrameKind::Reply | FrameKind::Error) && out.send(frame).is_err() {
                    break;
                }
            }
        });
        Terminal { tx, answers, reader }
    }

    /// Sends `body` and waits (up to 10 s) for its answer.
    async fn ask(&mut self, body: &RequestBody) -> Option<Frame> {
        let answer = async {
            let id = self.tx.send(body).await.ok()?;
            loop {
                let frame = self.answers.recv().await?;
                if frame.id() == Some(id) {
                    return Some(frame);
                }
            }
        };
        let answer = tokio::time::timeout(Duration::from_secs(10), answer).await.ok().flatten();
        if answer.is_none() {
            eprintln!("  no answer to {}", body.kind());
        }
        answer
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.reader.abort();
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
        let mut conn = connect(&target.url, token).await?;
        let sign_in = RequestBody::SignIn { window: *window, clerk: clerk.clone(), pin: "1234".into() };
        match conn.request(&sign_in).await {
            // A clerk still signed in from an earlier run on the same server is fine.
            Ok(_) | Err(ClientError::Refused { code: ErrorCode::AlreadySignedIn, .. }) => {}
            Err(e) => return Err(format!("clerk {clerk} could not sign in: {e}")),
        }
        clerks.push((*window, Terminal::new(conn)));
    }
    opened(displays.len() + kiosks.len() + clerks.len());

    let start = Instant::now() + Duration::from_millis(200);
    let end = start + Duration::from_secs_f64(plan.seconds);
    let sent_calls: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();

    let display_tasks: Vec<_> = displays
        .into_iter()
        .map(|conn| {
            tokio::spawn(async move {
                // As the shipped display page (engine/web/common.js): read every message, keep the last
                // `seq`, and ask for the hall only after a gap; it asks nothing after an event.
                let (mut tx, mut rx, mut queued) = conn.split();
                let mut seen = Vec::new();
                let (mut last, mut requests) = (None::<u64>, 0u64);
                let stop = end + Duration::from_secs(3);
                loop {
                    let frame = match queued.pop_front() {
                        Some(frame) => frame,
                        None => match tokio::time::timeout_at(stop, rx.next()).await {
                            Ok(Ok(frame)) => frame,
                            _ => break,
                        },
                    };
                    let at = Instant::now();
                    match frame.kind() {
                        FrameKind::Snapshot => last = frame.seq(),
                        FrameKind::Event => {
                            // One parse per event, as the page's JSON.parse.
                            let v: Value = frame.json();
                            let seq = v["seq"].as_u64();
                            if let (Some(prev), Some(seq)) = (last, seq) {
                                if seq > prev + 1 {
                                    requests += 1;
                                    let _ = tx.send(&RequestBody::GetState {}).await;
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
        .map(|(k, conn)| {
            let matters = target.matters.clone();
            tokio::spawn(async move {
                let interval = Duration::from_secs_f64(1.0 / per_kiosk.max(1e-9));
                // Stagger kiosks so their schedules interleave.
                let first = start + interval.mul_f64(k as f64 / kiosk_count);
                let (mut tx, mut rx, _) = conn.split();
                // The n-th issue (from 1) goes out with id `base + n - 1`.
                let base = tx.next_id();
                let due = move |n: u64| first + interval * (n as u32 - 1);
                let total = ((end - first).as_secs_f64() / interval.as_secs_f64()).floor().max(0.0) as u64;
                let sender = tokio::spawn(async move {
                    for n in 1..=total {
                        tokio::time::sleep_until(due(n)).await;
                        let matter = matters[(n as usize + k) % matters.len()].clone();
                        let issue = RequestBody::IssueTicket { matter, green: None, id_number: None };
                        if tx.send(&issue).await.is_err() {
                            break;
                        }
                    }
                    tx
                });
                let mut hist = histogram();
                let (mut got, mut errors) = (0u64, 0u64);
                let stop = end + Duration::from_secs(5);
                while got + errors < total {
                    let frame = match tokio::time::timeout_at(stop, rx.next()).await {
                        Ok(Ok(frame)) => frame,
                        other => {
                            eprintln!("  kiosk {k}: stopped reading after {got} replies: {other:?}");
                            break;
                        }
                    };
                    if !matches!(frame.kind(), FrameKind::Reply | FrameKind::Error) {
                        continue;
                    }
                    let Some(n) = frame.id().filter(|id| *id >= base).map(|id| id - base + 1) else { continue };
                    match frame.kind() {
                        FrameKind::Reply => {
                            let _ = hist.record(micros(Instant::now() - due(n)));
                            got += 1;
                        }
                        FrameKind::Error => {
                            if errors == 0 {
                                eprintln!("  kiosk {k}: first error: {}", frame.text());
                            }
                            errors += 1;
                        }
                        _ => {}
                    }
                }
                let _ = sender.await;
                (hist, got, errors + total.saturating_sub(got + errors))
            })
        })
        .collect();

    let clerk_count = clerks.len().max(1) as f64;
    let clerk_tasks: Vec<_> = clerks
        .into_iter()
        .enumerate()
        .map(|(c, (window, mut terminal))| {
            let sent = sent_calls.clone();
            let interval = Duration::from_secs_f64(1.0 / plan.clerk_rate.max(1e-9));
            tokio::spawn(async move {
                let mut hist = histogram();
                let (mut calls, mut errors) = (0u64, 0u64);
                // Clerks are not in step: each one's schedule is staggered, as the kiosks' are.
                let mut due = start + interval.mul_f64(c as f64 / clerk_count);
                while due < end {
                    tokio::time::sleep_until(due).await;
                    let Some(reply) = terminal.ask(&RequestBody::CallNext { window }).await else {
                        errors += 1;
                        break;
                    };
                    let _ = hist.record(micros(Instant::now() - due));
                    // The number only: the floor's replies carry no more of the ticket.
                    if let Some(ticket) = reply.json()["result"]["ticket"]["number"].as_str() {
                        sent.lock().map(|mut m| m.insert(ticket.to_owned(), due)).ok();
                        calls += 1;
                        let finish = RequestBody::Finish { window, outcome: Outcome::Completed };
                        if terminal.ask(&finish).await.is_none_or(|f| f.kind() != FrameKind::Reply) {
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
pub async fn hold(url: &str, tokens: &[String], n: usize) -> Result<Vec<Connection>, String> {
    let mut held = Vec::with_capacity(n);
    for i in 0..n {
        held.push(connect(url, &tokens[i % tokens.len()]).await?);
    }
    Ok(held)
}

/// Issues `n` tickets through one kiosk connection (pipelined: a reader task takes the replies while
/// the requests go out) and returns each ticket's mobile capability.
pub async fn issue_many(url: &str, token: &str, n: usize, matters: &[String]) -> Result<Vec<String>, String> {
    let conn = connect(url, token).await?;
    let (mut tx, mut rx, _) = conn.split();
    let reader = tokio::spawn(async move {
        let mut capabilities = Vec::with_capacity(n);
        while capabilities.len() < n {
            let frame = match tokio::time::timeout(Duration::from_secs(30), rx.next()).await {
                Ok(Ok(frame)) => frame,
                other => return Err(format!("issuing: stopped after {} tickets: {other:?}", capabilities.len())),
            };
            match frame.kind() {
                FrameKind::Reply => {
                    let v = frame.json();
                    let capability =
                        v["result"]["ticket"]["capability"].as_str().ok_or("a ticket without capability")?;
                    capabilities.push(capability.to_owned());
                }
                FrameKind::Error => return Err(format!("issuing: {}", frame.text())),
                _ => {}
            }
        }
        Ok(capabilities)
    });
    for i in 0..n {
        let issue =
            RequestBody::IssueTicket { matter: matters[i % matters.len()].clone(), green: None, id_number: None };
        tx.send(&issue).await.map_err(|e| e.to_string())?;
    }
    reader.await.map_err(|e| e.to_string())?
}

/// Phones following their tickets: one connection each (`follow`), every message read and counted.
pub struct Phones {
    tasks: Vec<tokio::task::JoinHandle<u64>>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Phones {
    /// Opens a follow session per capability (at most 64 opening at once).
    pub async fn open(url: &str, capabilities: &[String]) -> Result<Phones, String> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::with_capacity(capabilities.len());
        for chunk in capabilities.chunks(64) {
            let opened: Vec<_> = chunk
                .iter()
                .map(|capability| {
                    let (url, capability) = (url.to_owned(), capability.clone());
                    tokio::spawn(async move {
                        let mut conn = Connection::connect(&url).await.map_err(|e| e.to_string())?;
                        let follow =
                            serde_json::json!({"id": 0, "type": "follow", "protocol": 1, "ticket": capability});
                        conn.sender().send_text(&follow.to_string()).await.map_err(|e| e.to_string())?;
                        let welcome = conn.next().await.map_err(|e| e.to_string())?;
                        if welcome.json()["result"]["kind"] != "following" {
                            return Err(format!("follow refused: {}", welcome.text()));
                        }
                        Ok(conn)
                    })
                })
                .collect();
            for task in opened {
                let mut conn = task.await.map_err(|e| e.to_string())??;
                let mut stopped = stopped.clone();
                tasks.push(tokio::spawn(async move {
                    let mut views = 0u64;
                    loop {
                        tokio::select! {
                            frame = conn.next() => match frame {
                                Ok(_) => views += 1,
                                Err(_) => break,
                            },
                            _ = stopped.changed() => break,
                        }
                    }
                    views
                }));
            }
        }
        Ok(Phones { tasks, stop })
    }

    /// Closes them all; the `ticket_view` messages they received in all.
    pub async fn close(self) -> u64 {
        let _ = self.stop.send(true);
        let mut views = 0;
        for task in self.tasks {
            views += task.await.unwrap_or(0);
        }
        views
    }
}
