//! `onewindow-province bench`: the province at scale. Starts a JetStream node (Debian's `nats-server`)
//! and this program's `serve` as real processes, then publishes the event streams of N simulated
//! halls at a total rate (a ticket's life: issued, called, started, finished, half of them rated),
//! each event stamped with the time it is published as its hall's commit time. Reports the ingest
//! rate, the lag from that commit to the province's commit (its page shows an event from then on),
//! p50/p99/max, and both processes' peak memory. `--check` fails if an event was lost or applied
//! twice.
//!
//! Each simulated hall publishes its events in order on one connection, as a real hall does; unlike a
//! real hall it does not wait for each acknowledgement before the next (at two events a second per
//! hall the wait would change nothing but the bench's own thread count).

use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;
use kiosk_protocol::export::{message_id, subject, ExportedEvent};
use kiosk_protocol::vocab::{Outcome, Rating, TicketClass, TicketState};
use kiosk_protocol::{CallReasonView, TicketView, WindowLayout, WireEvent};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Simulated halls.
    #[arg(long, default_value_t = 2000)]
    halls: usize,
    /// Events a second, all halls together (a province's peak: 2 a second per hall).
    #[arg(long)]
    rate: Option<f64>,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Seconds published before measuring.
    #[arg(long, default_value_t = 5)]
    warmup: u64,
    /// Fail unless every event published was applied exactly once.
    #[arg(long)]
    check: bool,
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Peak resident memory of a process, MiB.
fn peak_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

async fn get(addr: &str, path: &str, method: &str) -> Result<Value, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await.map_err(|e| e.to_string())?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Ok(serde_json::from_str(body).unwrap_or(Value::Null))
}

/// One simulated hall's next events.
struct Sim {
    id: String,
    seq: u64,
    ticket: u32,
    step: u8,
    issued_at: i64,
}

impl Sim {
    fn next(&mut self, now: i64) -> ExportedEvent {
        let number = format!("A{:03}", self.ticket);
        let event = if self.seq == 0 {
            WireEvent::DayOpened {
                date: "2026-10-13".into(),
                windows: vec![WindowLayout { window: 1, matters: vec!["tax".into()] }],
            }
        } else {
            let e = match self.step {
                0 => {
                    self.issued_at = now;
                    WireEvent::TicketIssued {
                        ticket: TicketView {
                            number: number.clone(),
                            matter: "tax".into(),
                            class: TicketClass::Normal,
                            green: None,
                            state: TicketState::Waiting,
                            issued_at: now,
                            window: None,
                            ahead: Some(0),
                            id_masked: None,
                            estimate: None,
                            declared: false,
                            capability: None,
                        },
                        kiosk: Some("kiosk-1".into()),
                    }
                }
                1 => WireEvent::TicketCalled {
                    ticket: number.clone(),
                    matter: "tax".into(),
                    window: 1,
                    reason: CallReasonView::Targeted,
                    issued_at: self.issued_at,
                },
                2 => WireEvent::ServiceStarted { ticket: number.clone(), window: 1 },
                3 => WireEvent::ServiceFinished {
                    ticket: number.clone(),
                    window: 1,
                    outcome: Outcome::Completed,
                    service_ms: 300_000,
                    matter: "tax".into(),
                    aht_ms: 300_000,
                },
                _ => WireEvent::TicketRated {
                    ticket: number.clone(),
                    window: 1,
                    rating: Rating::Satisfied,
                    reason: None,
                    comment: None,
                },
            };
            // Half the tickets are rated.
            let last = if self.ticket % 2 == 0 { 4 } else { 3 };
            if self.step >= last {
                self.step = 0;
                self.ticket += 1;
            } else {
                self.step += 1;
            }
            e
        };
        self.seq += 1;
        ExportedEvent::new(&self.id, self.seq, now, event)
    }
}

/// Runs the bench; the result as JSON on stdout.
pub fn run(args: BenchArgs) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("onewindow-province-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let nats_port = free_port()?;
    let nats = Killed(
        Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &nats_port.to_string(), "-sd"])
            .arg(dir.join("js"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("nats-server: {e} (apt install nats-server)"))?,
    );
    let url = format!("nats://127.0.0.1:{nats_port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", nats_port)).is_err() {
        if Instant::now() > deadline {
            return Err("nats-server did not start".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut view = Command::new(exe)
        .args(["serve", "--nats", &url, "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.join("province"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let stdout = view.stdout.take().ok_or("no stdout")?;
    let view = Killed(view);
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(a) = line.strip_prefix("listening on ") {
                    break a.to_owned();
                }
            }
            _ => return Err("the province view did not start".into()),
        }
    };
    let rate = args.rate.unwrap_or(2.0 * args.halls as f64);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let result = runtime.block_on(publish(&args, rate, &url, &addr))?;
    let mut result = result;
    result["province_peak_mib"] = peak_mib(view.0.id()).into();
    result["nats_peak_mib"] = peak_mib(nats.0.id()).into();
    println!("{result}");
    drop(view);
    drop(nats);
    let _ = std::fs::remove_dir_all(&dir);
    if args.check && (result["lost"] != 0 || result["repeats"] != 0) {
        return Err(format!("events lost or applied twice: {result}"));
    }
    Ok(())
}

async fn publish(args: &BenchArgs, rate: f64, url: &str, addr: &str) -> Result<Value, String> {
    let client = async_nats::connect(url).await.map_err(|e| e.to_string())?;
    let js = async_nats::jetstream::new(client);
    // The view creates the stream; wait for it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while js.get_stream("ONEWINDOW").await.is_err() {
        if Instant::now() > deadline {
            return Err("the stream was not created".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut halls: Vec<Sim> =
        (0..args.halls).map(|i| Sim { id: format!("h{i:05}"), seq: 0, ticket: 1, step: 0, issued_at: 0 }).collect();
    let tick = Duration::from_millis(10);
    let per_tick = rate * tick.as_secs_f64();
    let (mut owed, mut next_hall, mut published) = (0.0, 0usize, 0u64);
    // Acknowledgements are awaited by a task of their own: the client allows 5,000 in flight, and a
    // publisher that waited for a permit while holding the futures that release them would stop.
    let (ack_out, mut ack_in) =
        tokio::sync::mpsc::unbounded_channel::<async_nats::jetstream::context::PublishAckFuture>();
    let acked = tokio::spawn(async move {
        let (mut pending, mut failed, mut open) = (FuturesUnordered::new(), 0u64, true);
        while open || !pending.is_empty() {
            tokio::select! {
                next = ack_in.recv(), if open => match next {
                    Some(ack) => pending.push(std::future::IntoFuture::into_future(ack)),
                    None => open = false,
                },
                Some(done) = pending.next(), if !pending.is_empty() => failed += u64::from(done.is_err()),
            }
        }
        failed
    });
    let start = Instant::now();
    let total = Duration::from_secs(args.warmup + args.seconds);
    let (mut measured_from, mut applied_from) = (None, 0u64);
    let mut interval = tokio::time::interval(tick);
    while start.elapsed() < total {
        interval.tick().await;
        if measured_from.is_none() && start.elapsed() >= Duration::from_secs(args.warmup) {
            let _ = get(addr, "/api/stats/reset", "POST").await;
            applied_from = get(addr, "/api/stats", "GET").await?["applied"].as_u64().unwrap_or(0);
            measured_from = Some(Instant::now());
        }
        owed += per_tick;
        while owed >= 1.0 {
            owed -= 1.0;
            let event = halls[next_hall].next(crate::now_ms());
            next_hall = (next_hall + 1) % halls.len();
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(async_nats::header::NATS_MESSAGE_ID, message_id(&event.hall, event.seq).as_str());
            let body = serde_json::to_vec(&event).map_err(|e| e.to_string())?;
            let ack = js
                .publish_with_headers(subject("onewindow", &event.hall, &event.kind()), headers, body.into())
                .await
                .map_err(|e| e.to_string())?;
            ack_out.send(ack).map_err(|e| e.to_string())?;
            published += 1;
        }
    }
    let measured = measured_from.map_or(0.0, |m| m.elapsed().as_secs_f64());
    let applied_in_time = get(addr, "/api/stats", "GET").await?["applied"].as_u64().unwrap_or(0);
    drop(ack_out);
    let not_acked = acked.await.map_err(|e| e.to_string())?;
    // Drain: every published event applied, or 30 s.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut stats = get(addr, "/api/stats", "GET").await?;
    while stats["applied"].as_u64().unwrap_or(0) < published && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        stats = get(addr, "/api/stats", "GET").await?;
    }
    let applied = stats["applied"].as_u64().unwrap_or(0);
    Ok(serde_json::json!({
        "halls": args.halls,
        "rate_asked": rate,
        "published": published,
        "applied": applied,
        "lost": published.saturating_sub(applied),
        "not_acked": not_acked,
        "repeats": stats["repeats"],
        "ingest_per_s": applied_in_time.saturating_sub(applied_from) as f64 / measured.max(1e-9),
        "lag_ms": stats["lag_ms"],
    }))
}
