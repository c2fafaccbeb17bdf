//! `onewindow-bench`: open-loop load over real WebSockets against `onewindow serve` (started here with
//! a fresh data directory and a generated device list) and against the floor (a bare axum broadcast
//! server in this process), with the same generator; prints a table with every latency as a ratio to
//! the floor's, and optionally JSON. Its displays behave as the shipped display page does (every
//! message read, `get_state` only after a gap in `seq`), so the latency phases are the pages as shipped.

// A command-line tool prints its results.
#![allow(clippy::print_stdout)]

use benches::floor;
use benches::load::{self, Plan, Results, Target};
use clap::Parser;
use display_client::process::{Launch, Served};
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Latency and capacity of onewindow against the bare-socket floor on this machine.
#[derive(Parser)]
#[command(name = "onewindow-bench", version, about)]
struct Cli {
    /// Seconds of load per phase.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Tickets issued per second (all kiosks) in the throughput phase.
    #[arg(long, default_value_t = 2000.0)]
    rate: f64,
    /// Tickets issued per second in the latency phases (a busy hall's morning is ~2 a second).
    #[arg(long, default_value_t = 20.0)]
    latency_rate: f64,
    /// Displays listening in the throughput phase.
    #[arg(long, default_value_t = 10)]
    throughput_displays: usize,
    /// Kiosk connections.
    #[arg(long, default_value_t = 8)]
    kiosks: usize,
    /// Clerk terminals (at most 13 on the demo hall).
    #[arg(long, default_value_t = 10)]
    clerks: usize,
    /// Calls per second per clerk.
    #[arg(long, default_value_t = 2.0)]
    clerk_rate: f64,
    /// Display counts, one latency phase each.
    #[arg(long, value_delimiter = ',', default_value = "100,1000")]
    displays: Vec<usize>,
    /// Idle connections to hold for the memory measurement.
    #[arg(long, default_value_t = 2000)]
    idle: usize,
    /// Events for the memory-against-history phase (server RSS after 1,000 events and after this
    /// many, tickets issued, called and finished at `memory_rate` a second); 0 skips it.
    #[arg(long, default_value_t = 200_000)]
    memory_events: u64,
    /// Tickets a second in the memory phase (13 clerks keep up with them).
    #[arg(long, default_value_t = 600.0)]
    memory_rate: f64,
    /// Days of 1,000 tickets each in the reports phase: the server runs on a rehearsal ledger of that
    /// many days, and the kiosk latency of the same load is measured without and with a supervisor
    /// asking for the whole period's report over and over; 0 skips it.
    #[arg(long, default_value_t = 0)]
    report_days: u32,
    /// Phones following their own tickets (mobile tickets) beside 100 displays, in a phase of their
    /// own after the others; 0 skips it.
    #[arg(long, default_value_t = 0)]
    phones: usize,
    /// The onewindow binary (default: target/release/onewindow beside this one).
    #[arg(long)]
    bin: Option<PathBuf>,
    /// Also write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Fail (exit 1) if any onewindow request went unanswered or was refused, no call reached a
    /// display, a display had to ask for the hall, a phone got no view, or memory grew more than 32 MiB
    /// with history: the smoke test `.ci/run` runs.
    #[arg(long)]
    check: bool,
}

/// What `--check` finds wrong with a run, if anything.
fn problems(v: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for phase in v["phases"].as_array().into_iter().flatten() {
        let ours = &phase["onewindow"];
        if ours["errors"].as_u64() != Some(0) {
            found.push(format!("{} displays: {} requests refused or unanswered", phase["displays"], ours["errors"]));
        }
        if ours["display_requests"].as_u64() != Some(0) {
            found.push(format!("{} displays: the displays had to ask for the hall (a gap in seq)", phase["displays"]));
        }
        if ours["call_to_display"]["count"].as_u64().unwrap_or(0) == 0 && phase["displays"].as_u64() != Some(0) {
            found.push(format!("{} displays: no call reached a display", phase["displays"]));
        }
    }
    let phones = &v["phones"];
    if !phones.is_null() {
        if phones["onewindow"]["errors"].as_u64() != Some(0) {
            found.push(format!("beside phones: {} requests refused or unanswered", phones["onewindow"]["errors"]));
        }
        if phones["views_received"].as_u64().unwrap_or(0) < phones["phones"].as_u64().unwrap_or(1) {
            found.push(format!("{} phones received only {} views", phones["phones"], phones["views_received"]));
        }
    }
    let reports = &v["reports"];
    if reports["failed"].as_u64().unwrap_or(0) > 0 {
        found.push(format!("{} reports failed under load", reports["failed"]));
    }
    let history = &v["history"];
    let grown =
        history["rss_bytes"].as_u64().unwrap_or(0).saturating_sub(history["rss_early_bytes"].as_u64().unwrap_or(0));
    if grown > HISTORY_GROWTH_MAX {
        found.push(format!(
            "memory grew {:.1} MiB from {} to {} events (at most {} MiB)",
            grown as f64 / 1048576.0,
            history["early_events"],
            history["events"],
            HISTORY_GROWTH_MAX >> 20
        ));
    }
    found
}

/// How much the server's RSS may grow between 1,000 events and the end of the memory phase: memory
/// follows the configuration (tickets kept, socket queues, redb's cache), not the history.
const HISTORY_GROWTH_MAX: u64 = 32 << 20;

/// `socket_queue` of the load phases: a thousand displays each a few hundred events behind under
/// 2,000 issues a second must not be dropped.
const LOAD_SOCKET_QUEUE: usize = 65_536;

/// A `onewindow serve` child with its data directory.
struct Server {
    served: Served,
    dir: PathBuf,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.served.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Devices for the bench: kiosks, clerks for windows 1–13, displays, a supervisor; tokens kept here,
/// hashes in the config.
struct Devices {
    kiosks: Vec<String>,
    clerks: Vec<(u16, String, String)>,
    displays: Vec<String>,
    supervisor: String,
}

impl Devices {
    /// The server at `url` as a load's target: every kiosk and clerk, the first `displays` displays.
    fn target(&self, url: &str, displays: usize, matters: &[String]) -> Target {
        Target {
            url: url.to_owned(),
            kiosks: self.kiosks.clone(),
            clerks: self.clerks.clone(),
            displays: self.displays.iter().take(displays).cloned().collect(),
            matters: matters.to_vec(),
        }
    }
}

fn devices(kiosks: usize, displays: usize) -> (Devices, String) {
    let mut toml = String::new();
    let mut add = |name: &str, role: &str, windows: &str| {
        let token = onewindow::auth::new_token();
        toml.push_str(&format!(
            "\n[[device]]\nname = \"{name}\"\nrole = \"{role}\"\nwindows = [{windows}]\ntoken_hash = \"{}\"\n",
            onewindow::auth::hash_token(&token)
        ));
        token
    };
    let kiosks = (0..kiosks).map(|i| add(&format!("kiosk-{i}"), "kiosk", "")).collect();
    let clerks =
        (1..=13u16).map(|w| (w, format!("c{w:02}"), add(&format!("clerk-w{w}"), "clerk", &w.to_string()))).collect();
    let displays = (0..displays).map(|i| add(&format!("display-{i}"), "display", "")).collect();
    let supervisor = add("supervisor", "supervisor", "");
    (Devices { kiosks, clerks, displays, supervisor }, toml)
}

/// `socket_queue`: events a slow socket may fall behind (the broadcast buffer holds that many).
fn start_server(bin: &std::path::Path, devices_toml: &str, socket_queue: usize) -> Result<Server, String> {
    start_server_after(bin, devices_toml, socket_queue, |_, _| Ok(()))
}

/// [`start_server`], with `prepare(config, data)` run on the new directory before the server starts.
fn start_server_after(
    bin: &std::path::Path,
    devices_toml: &str,
    socket_queue: usize,
    prepare: impl FnOnce(&std::path::Path, &std::path::Path) -> Result<(), String>,
) -> Result<Server, String> {
    let dir = std::env::temp_dir().join(format!("onewindow-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let limits =
        "\n[server]\nmax_connections = 20000\nmax_connections_per_ip = 20000\nmax_unauthenticated_per_ip = 64\n\
                  kiosk_issues_per_minute = 1000000\n";
    // The demo hall without its daily caps (限号 would refuse most of a benchmark's tickets).
    let hall: String = onewindow::config::DEMO_HALL_TOML
        .lines()
        .filter(|l| !l.trim_start().starts_with("daily_cap"))
        .map(|l| format!("{l}\n"))
        .collect();
    let config = format!("{hall}{limits}socket_queue = {socket_queue}\n{devices_toml}");
    let path = dir.join("hall.toml");
    std::fs::write(&path, config).map_err(|e| e.to_string())?;
    let data = dir.join("data");
    prepare(&path, &data)?;
    let args = [OsStr::new("--config"), path.as_os_str(), OsStr::new("--data"), data.as_os_str()];
    let served = Served::start(bin, &args, &Launch { log: Some("warn"), ..Launch::default() })?;
    let addr = served.addr.clone();
    Ok(Server { served, dir, addr })
}

/// Resident memory of a process, bytes (Linux).
fn rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `GET path` on the server: the whole response (status line, headers, body).
fn http_get(addr: &str, path: &str, token: Option<&str>) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: bench\r\n{auth}Connection: close\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    Some(text)
}

/// `(durable commits, events, seconds spent committing)` from `/metrics`.
fn commits(addr: &str) -> Option<(f64, f64, f64)> {
    let text = http_get(addr, "/metrics", None)?;
    let value = |name: &str| {
        text.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().last()?.parse::<f64>().ok())
    };
    Some((
        value("onewindow_commit_seconds_count")?,
        value("onewindow_events_total")?,
        value("onewindow_commit_seconds_sum")?,
    ))
}

fn quantiles(h: &Histogram<u64>) -> Value {
    let ms = |v: u64| v as f64 / 1000.0;
    json!({
        "count": h.len(),
        "p50_ms": ms(h.value_at_quantile(0.5)),
        "p99_ms": ms(h.value_at_quantile(0.99)),
        "p999_ms": ms(h.value_at_quantile(0.999)),
        "max_ms": ms(h.max()),
    })
}

fn summary(r: &Results) -> Value {
    json!({
        "issue_rtt": quantiles(&r.issue),
        "call_rtt": quantiles(&r.call),
        "call_to_display": quantiles(&r.delivery),
        "issued_per_second": r.issued as f64 / r.seconds,
        "calls": r.calls,
        "errors": r.errors,
        "display_requests": r.display_requests,
    })
}

async fn bench(cli: Cli) -> Result<Value, String> {
    let bin = cli.bin.clone().unwrap_or_else(|| {
        let me = std::env::current_exe().unwrap_or_default();
        me.with_file_name("onewindow")
    });
    let most = cli.displays.iter().copied().max().unwrap_or(0).max(cli.idle);
    let (devices, toml) = devices(cli.kiosks, most);
    let matters: Vec<String> =
        onewindow::config::demo().map_err(|e| e.to_string())?.matters.iter().map(|m| m.key.clone()).collect();
    let floor_addr = floor::start().await.map_err(|e| e.to_string())?;
    let floor = Target {
        url: format!("ws://{floor_addr}/ws"),
        kiosks: vec!["floor".into(); cli.kiosks],
        clerks: devices.clerks.iter().map(|(w, c, _)| (*w, c.clone(), "floor".into())).collect(),
        displays: vec!["floor".into(); most],
        matters: matters.clone(),
    };
    let mut phases = Vec::new();
    let runs =
        cli.displays.iter().map(|d| (*d, cli.latency_rate)).chain(std::iter::once((cli.throughput_displays, cli.rate)));
    for (displays, rate) in runs {
        let plan = Plan {
            kiosks: cli.kiosks,
            rate,
            clerks: cli.clerks.min(13),
            clerk_rate: cli.clerk_rate,
            displays,
            seconds: cli.seconds,
        };
        eprintln!("phase: {displays} displays, {} issues/s, {} clerks — floor", plan.rate, plan.clerks);
        let floor_results = load::run(&plan, &floor, |_| {}).await?;
        // A fresh server per phase: the same empty hall each time.
        eprintln!("phase: {displays} displays — onewindow");
        let server = start_server(&bin, &toml, LOAD_SOCKET_QUEUE)?;
        let target = devices.target(&format!("ws://{}/ws", server.addr), devices.displays.len(), &matters);
        let before = commits(&server.addr);
        let ours = load::run(&plan, &target, |_| {}).await?;
        let after = commits(&server.addr);
        let (commit_rate, events_per_commit, commit_ms) = match (before, after) {
            (Some((c0, e0, s0)), Some((c1, e1, s1))) if c1 > c0 => {
                ((c1 - c0) / plan.seconds, (e1 - e0) / (c1 - c0), (s1 - s0) / (c1 - c0) * 1000.0)
            }
            _ => (0.0, 0.0, 0.0),
        };
        phases.push(json!({
            "displays": displays,
            "plan": {"rate": plan.rate, "kiosks": plan.kiosks, "clerks": plan.clerks, "clerk_rate": plan.clerk_rate, "seconds": plan.seconds},
            "onewindow": summary(&ours),
            "floor": summary(&floor_results),
            "durable_commits_per_second": commit_rate,
            "events_per_commit": events_per_commit,
            "mean_commit_ms": commit_ms,
        }));
        drop(server);
    }
    let reports = reports_under_load(&cli, &bin, &toml, &devices, &matters).await?;
    let history = memory_against_history(&cli, &bin, &toml, &devices, &matters).await?;
    let phones = phones_beside_displays(&cli, &bin, &toml, &devices, &matters).await?;
    // Idle connections: memory held by the server.
    eprintln!("phase: {} idle connections", cli.idle);
    let server = start_server(&bin, &toml, LOAD_SOCKET_QUEUE)?;
    let pid = server.served.child.id();
    let empty = rss(pid).unwrap_or(0);
    let held = load::hold(&format!("ws://{}/ws", server.addr), &devices.displays, cli.idle).await?;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let full = rss(pid).unwrap_or(0);
    drop(held);
    drop(server);
    Ok(json!({
        "machine": {"cores": std::thread::available_parallelism().map_or(0, |n| n.get())},
        "phases": phases,
        "history": history,
        "reports": reports,
        "phones": phones,
        "idle": {"connections": cli.idle, "rss_empty_bytes": empty, "rss_bytes": full,
                 "bytes_per_connection": (full.saturating_sub(empty)) as f64 / cli.idle.max(1) as f64},
    }))
}

/// The first latency phase's load (100 displays, `latency_rate`) against the server at `url`.
fn hundred_displays(cli: &Cli, url: &str, devices: &Devices, matters: &[String]) -> (Target, Plan) {
    let target = devices.target(url, 100, matters);
    let plan = Plan {
        kiosks: cli.kiosks,
        rate: cli.latency_rate,
        clerks: cli.clerks.min(13),
        clerk_rate: cli.clerk_rate,
        displays: 100.min(devices.displays.len()),
        seconds: cli.seconds,
    };
    (target, plan)
}

/// Reports never slow the hall: a server on a rehearsal ledger of `report_days` days of 1,000 tickets,
/// the latency load of the first phase on it without reports, then the same load while a supervisor asks
/// for the whole period's report again and again (each timed).
async fn reports_under_load(
    cli: &Cli,
    bin: &std::path::Path,
    toml: &str,
    devices: &Devices,
    matters: &[String],
) -> Result<Value, String> {
    if cli.report_days == 0 {
        return Ok(Value::Null);
    }
    eprintln!("phase: reports of {} days of 1,000 tickets, under load", cli.report_days);
    let days = cli.report_days.to_string();
    let server = start_server_after(bin, toml, LOAD_SOCKET_QUEUE, |config, data| {
        let out = std::process::Command::new(bin)
            .args([OsStr::new("rehearse"), OsStr::new("--config"), config.as_os_str(), OsStr::new("--data")])
            .arg(data)
            .args(["--from", "2025-01-01", "--days", &days, "--per-day", "1000"])
            .output()
            .map_err(|e| e.to_string())?;
        eprintln!("  {}", String::from_utf8_lossy(&out.stdout).trim());
        out.status.success().then_some(()).ok_or_else(|| String::from_utf8_lossy(&out.stderr).into_owned())
    })?;
    let last = onewindow::core::Date::from_days(
        "2025-01-01".parse::<onewindow::core::Date>().map_err(|_| "date")?.to_days() + i64::from(cli.report_days) - 1,
    );
    let path = format!("/api/report?from=2025-01-01&to={last}&by=matter");
    let (addr, token) = (server.addr.clone(), devices.supervisor.clone());
    // One report first: the server folds the ledger once (cold), then keeps each closed day's facts.
    let cold = std::time::Instant::now();
    let first = http_get(&addr, &path, Some(&token)).unwrap_or_default();
    if !first.starts_with("HTTP/1.1 200") {
        return Err(format!("the report failed: {}", first.lines().next().unwrap_or("no answer")));
    }
    let cold_s = cold.elapsed().as_secs_f64();
    let (target, plan) = hundred_displays(cli, &format!("ws://{addr}/ws"), devices, matters);
    let quiet = load::run(&plan, &target, |_| {}).await?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let asking = {
        let (stop, addr, path, token) = (stop.clone(), addr.clone(), path.clone(), token.clone());
        std::thread::spawn(move || {
            let mut times = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let started = std::time::Instant::now();
                let ok = http_get(&addr, &path, Some(&token)).is_some_and(|r| r.starts_with("HTTP/1.1 200"));
                times.push((ok, started.elapsed().as_secs_f64()));
            }
            times
        })
    };
    let busy = load::run(&plan, &target, |_| {}).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let times = asking.join().map_err(|_| "the report thread failed")?;
    let busy = busy?;
    let mut seconds: Vec<f64> = times.iter().map(|(_, s)| *s).collect();
    seconds.sort_by(f64::total_cmp);
    let p99 = |r: &Results| r.issue.value_at_quantile(0.99) as f64 / 1000.0;
    eprintln!(
        "  kiosk p99 {:.2} ms without reports, {:.2} ms with {} reports (max {:.2} s each)",
        p99(&quiet),
        p99(&busy),
        seconds.len(),
        seconds.last().copied().unwrap_or(0.0)
    );
    Ok(json!({
        "days": cli.report_days,
        "events": commits(&addr).map_or(0.0, |(_, e, _)| e),
        "cold_report_s": cold_s,
        "reports": seconds.len(),
        "failed": times.iter().filter(|(ok, _)| !ok).count(),
        "report_median_s": seconds.get(seconds.len() / 2).copied().unwrap_or(0.0),
        "report_max_s": seconds.last().copied().unwrap_or(0.0),
        "without_reports": summary(&quiet),
        "with_reports": summary(&busy),
        "kiosk_p99_ratio": p99(&busy) / p99(&quiet),
    }))
}

/// Phones following their own tickets beside 100 displays: `phones` tickets issued, a `follow`
/// session for each, then the latency load of the 100-display phase, the displays' call latency and
/// the server's memory measured with the phones there.
async fn phones_beside_displays(
    cli: &Cli,
    bin: &std::path::Path,
    toml: &str,
    devices: &Devices,
    matters: &[String],
) -> Result<Value, String> {
    if cli.phones == 0 {
        return Ok(Value::Null);
    }
    eprintln!(
        "phase: {} phones following their tickets beside {} displays",
        cli.phones,
        100.min(devices.displays.len())
    );
    let server = start_server(bin, toml, LOAD_SOCKET_QUEUE)?;
    let (pid, url) = (server.served.child.id(), format!("ws://{}/ws", server.addr));
    let rss_empty = rss(pid).unwrap_or(0);
    let capabilities = load::issue_many(&url, &devices.kiosks[0], cli.phones, matters).await?;
    let phones = load::Phones::open(&url, &capabilities).await?;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let rss_phones = rss(pid).unwrap_or(0);
    let (target, plan) = hundred_displays(cli, &url, devices, matters);
    let ours = load::run(&plan, &target, |_| {}).await?;
    let rss_load = rss(pid).unwrap_or(0);
    let views = phones.close().await;
    eprintln!(
        "  {} phones: RSS {:.1} MiB (empty {:.1}), call → display p99 {:.2} ms, {views} views sent",
        cli.phones,
        rss_phones.max(rss_load) as f64 / 1048576.0,
        rss_empty as f64 / 1048576.0,
        ours.delivery.value_at_quantile(0.99) as f64 / 1000.0
    );
    Ok(json!({
        "phones": cli.phones,
        "displays": plan.displays,
        "onewindow": summary(&ours),
        "rss_empty_bytes": rss_empty,
        "rss_bytes": rss_phones.max(rss_load),
        "views_received": views,
    }))
}

/// Server memory as events accumulate: RSS after the first 1,000 events and after `memory_events`,
/// with the hall kept busy but its queue short (what a hall's months look like, compressed).
async fn memory_against_history(
    cli: &Cli,
    bin: &std::path::Path,
    toml: &str,
    devices: &Devices,
    matters: &[String],
) -> Result<Value, String> {
    if cli.memory_events == 0 {
        return Ok(Value::Null);
    }
    eprintln!("phase: memory over {} events", cli.memory_events);
    // The default socket queue: its buffer is the one structure sized by `socket_queue`.
    let server = start_server(bin, toml, 1024)?;
    let pid = server.served.child.id();
    let target = devices.target(&format!("ws://{}/ws", server.addr), 10, matters);
    let plan = Plan {
        kiosks: cli.kiosks,
        rate: cli.memory_rate,
        clerks: 13,
        // Clerks call a little faster than tickets arrive, so the queue stays short.
        clerk_rate: cli.memory_rate * 1.2 / 13.0,
        displays: 10,
        seconds: 2.0,
    };
    let events = |addr: &str| commits(addr).map_or(0.0, |(_, e, _)| e) as u64;
    let mut first: Option<(u64, u64)> = None;
    // The first run is short: about 1,000 events (an issue, a call and a finish per ticket).
    let warm = Plan { seconds: 1000.0 / (3.0 * cli.memory_rate), ..plan };
    loop {
        load::run(if first.is_none() { &warm } else { &plan }, &target, |_| {}).await?;
        let done = events(&server.addr);
        if first.is_none() && done >= 1000 {
            first = Some((done, rss(pid).unwrap_or(0)));
        }
        if done >= cli.memory_events {
            let last = rss(pid).unwrap_or(0);
            let (early_events, early) = first.unwrap_or((done, last));
            eprintln!(
                "  {done} events: RSS {:.1} MiB (after {early_events}: {:.1} MiB)",
                last as f64 / 1048576.0,
                early as f64 / 1048576.0
            );
            return Ok(
                json!({"early_events": early_events, "rss_early_bytes": early, "events": done, "rss_bytes": last}),
            );
        }
    }
}

fn table(v: &Value) -> String {
    let mut out = String::new();
    let f = |x: &Value| x.as_f64().unwrap_or(f64::NAN);
    for phase in v["phases"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "\n{} displays, {} issues/s from {} kiosks, {} clerks calling {}/s each, {} s\n",
            phase["displays"],
            phase["plan"]["rate"],
            phase["plan"]["kiosks"],
            phase["plan"]["clerks"],
            phase["plan"]["clerk_rate"],
            phase["plan"]["seconds"]
        ));
        out.push_str(&format!("{:<34}{:>12}{:>12}{:>10}\n", "latency (ms)", "onewindow", "floor", "ratio"));
        for (name, key) in [
            ("kiosk issue round trip", "issue_rtt"),
            ("clerk call round trip", "call_rtt"),
            ("call → every display", "call_to_display"),
        ] {
            for q in ["p50_ms", "p99_ms", "p999_ms", "max_ms"] {
                let (a, b) = (f(&phase["onewindow"][key][q]), f(&phase["floor"][key][q]));
                out.push_str(&format!(
                    "{:<34}{a:>12.3}{b:>12.3}{:>10.2}\n",
                    format!("{name} {}", &q[..q.len() - 3]),
                    a / b
                ));
            }
        }
        out.push_str(&format!(
            "issued/s {:.0} (floor {:.0}); durable commits/s {:.0}, events per commit {:.1}, mean commit {:.2} ms; errors {} (floor {}); requests from displays {}\n",
            f(&phase["onewindow"]["issued_per_second"]), f(&phase["floor"]["issued_per_second"]),
            f(&phase["durable_commits_per_second"]), f(&phase["events_per_commit"]), f(&phase["mean_commit_ms"]),
            phase["onewindow"]["errors"], phase["floor"]["errors"], phase["onewindow"]["display_requests"]
        ));
    }
    let history = &v["history"];
    if !history.is_null() {
        out.push_str(&format!(
            "\nmemory against history: RSS {:.1} MiB after {} events, {:.1} MiB after {} ({:+.1} MiB)\n",
            f(&history["rss_early_bytes"]) / 1048576.0,
            history["early_events"],
            f(&history["rss_bytes"]) / 1048576.0,
            history["events"],
            (f(&history["rss_bytes"]) - f(&history["rss_early_bytes"])) / 1048576.0
        ));
    }
    let reports = &v["reports"];
    if !reports.is_null() {
        out.push_str(&format!(
            "\nreports of {} days of 1,000 tickets: first (cold) {:.2} s; then {} reports under load, median {:.2} s, max {:.2} s, {} failed\n\
             kiosk issue p99 {:.3} ms without reports, {:.3} ms with them: ratio {:.2}\n",
            reports["days"],
            f(&reports["cold_report_s"]),
            reports["reports"],
            f(&reports["report_median_s"]),
            f(&reports["report_max_s"]),
            reports["failed"],
            f(&reports["without_reports"]["issue_rtt"]["p99_ms"]),
            f(&reports["with_reports"]["issue_rtt"]["p99_ms"]),
            f(&reports["kiosk_p99_ratio"])
        ));
    }
    let phones = &v["phones"];
    if !phones.is_null() {
        // Against the floor of the 100-display phase (no phones there, and none on the floor).
        let floor = v["phases"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["displays"] == phones["displays"])
            .map_or(f64::NAN, |p| f(&p["floor"]["call_to_display"]["p99_ms"]));
        let p99 = f(&phones["onewindow"]["call_to_display"]["p99_ms"]);
        out.push_str(&format!(
            "\n{} phones following their tickets beside {} displays: call → every display p99 {p99:.3} ms, floor (no phones) {floor:.3} ms, ratio {:.2}; server RSS {:.1} MiB; {} views sent; errors {}\n",
            phones["phones"],
            phones["displays"],
            p99 / floor,
            f(&phones["rss_bytes"]) / 1048576.0,
            phones["views_received"],
            phones["onewindow"]["errors"]
        ));
    }
    let idle = &v["idle"];
    out.push_str(&format!(
        "\n{} idle connections: server RSS {:.1} MiB (empty {:.1} MiB), {:.1} KiB per connection\n",
        idle["connections"],
        f(&idle["rss_bytes"]) / 1048576.0,
        f(&idle["rss_empty_bytes"]) / 1048576.0,
        f(&idle["bytes_per_connection"]) / 1024.0
    ));
    out
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_path = cli.json.clone();
    let check = cli.check;
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(bench(cli)) {
        Ok(v) => {
            println!("{}", table(&v));
            if let Some(path) = json_path {
                if let Err(e) = std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap_or_default()) {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
            let found = if check { problems(&v) } else { Vec::new() };
            for problem in &found {
                eprintln!("check failed: {problem}");
            }
            if found.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
