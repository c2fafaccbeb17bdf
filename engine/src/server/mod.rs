//! The thin async shell around the core: [`listen`] accepts and bounds connections, axum routes `/ws`
//! (one [`session`] per socket) and a few HTTP endpoints; one [`writer`] task owns the hall and the ledger.
//!
//! ```text
//! accept (caps, timeouts) ─ socket ─ session ─(bounded mpsc: Submission)─> writer ─ decide/apply ─ store.append (fsync)
//!    ^                                              │
//!    └──── broadcast (events, serialised once) <────┘ then watch (hall state) for new subscribers
//! ```

mod api;
mod booking;
pub mod clock;
pub mod control;
#[cfg(feature = "export")]
pub mod export;
mod follow;
pub mod gateway;
mod guard;
mod http;
pub mod listen;
pub mod metrics;
mod pages;
mod pins;
mod plan;
mod reports;
mod session;
pub mod writer;

use crate::auth::IdKeys;
use crate::config::{Device, Language, Limits, Terminals};
use crate::core::{Command, HallConfig};
use crate::store::{Store, StoreError};
use crate::wire;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use kiosk_protocol::ErrorCode;
use metrics::Metrics;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch};
use wire::WireError;
use writer::{Accepted, Caller, Clock, HallState, Published, StateWanted, Submission, Work, Writer};

/// Commands waiting for the writer, at most.
const COMMAND_QUEUE: usize = 4_096;
/// The largest frame the transport reads; frames over 16 KiB but under this are closed with 1009.
const TRANSPORT_MAX_FRAME: usize = 64 * 1024;

/// What a running server shares with its sessions and handlers.
#[derive(Clone)]
pub struct App {
    devices: Arc<Devices>,
    commands: mpsc::Sender<Submission>,
    events: broadcast::Sender<Arc<Published>>,
    /// Asks the writer for the hall as it stands.
    wanted: mpsc::Sender<StateWanted>,
    /// The latest `estimates` message.
    estimates: watch::Receiver<Arc<str>>,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    admission: guard::Admission,
    health: Arc<Health>,
    shutdown: watch::Receiver<bool>,
    texts: Arc<std::sync::RwLock<Arc<str>>>,
    /// The terminals' settings (the rating reasons a pad may send).
    terminals: Arc<Terminals>,
    /// Clerks' PIN hashes and wrong-PIN counts.
    pins: Arc<pins::Pins>,
    /// The hall's time zone, minutes east of UTC (for the audit's times).
    utc_offset_min: i32,
    /// Reports, on their own thread at idle priority.
    reporter: Arc<reports::Reporter>,
    /// The server's clock, for reports of today.
    clock: Clock,
    /// Where the window plan shown on /reports is written (`DATA/plan`).
    plan: std::path::PathBuf,
    /// Mobile tickets: who follows which ticket, and their views.
    following: Arc<follow::Following>,
}

impl App {
    /// Hands `work` to the writer and waits for its answer (durable when `Ok`).
    pub(crate) async fn submit(&self, caller: Caller, work: Work) -> Result<Accepted, WireError> {
        let stopping = || WireError { code: ErrorCode::Unavailable, message: "the server is stopping".into() };
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.commands.send(Submission { caller, body: work, reply }).await.map_err(|_| stopping())?;
        answer.await.unwrap_or_else(|_| Err(stopping()))
    }

    /// A report, from read transactions on the report thread (never on the writer's task).
    pub(crate) async fn report(&self, query: crate::report::Query) -> Result<crate::core::report::Report, String> {
        self.reporter.report(query, (self.clock)()).await
    }

    /// The hall as it stands, from the writer (which builds the message at most once per change);
    /// `None` when the writer has stopped.
    async fn state(&self) -> Option<Arc<HallState>> {
        let (asker, answer) = tokio::sync::oneshot::channel();
        self.wanted.send(asker).await.ok()?;
        answer.await.ok()
    }
}

/// The devices allowed to connect, replaced by a reload; sessions watch for a change and end themselves
/// when their token is gone.
pub struct Devices {
    list: std::sync::RwLock<Arc<Vec<Device>>>,
    changed: watch::Sender<u64>,
}

impl Devices {
    fn new(list: Vec<Device>) -> Devices {
        Devices { list: std::sync::RwLock::new(Arc::new(list)), changed: watch::channel(0).0 }
    }
    /// The devices now.
    pub fn now(&self) -> Arc<Vec<Device>> {
        self.list.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
    /// Whether `device` may still connect as it did (same token, role and windows).
    pub fn still(&self, device: &Device) -> bool {
        self.now().iter().any(|d| d == device)
    }
    /// Replaces the list; sessions of devices no longer in it end.
    fn replace(&self, list: Vec<Device>) {
        *self.list.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(list);
        self.changed.send_modify(|n| *n += 1);
    }
}

/// Whether the ledger takes writes; `/healthz` reads it, the writer sets it.
#[derive(Default)]
pub struct Health {
    refusing: AtomicBool,
    reason: Mutex<String>,
}

impl Health {
    /// The ledger refuses writes, for this reason.
    pub fn set_refusing(&self, reason: String) {
        *self.reason.lock().unwrap_or_else(|p| p.into_inner()) = reason;
        self.refusing.store(true, Ordering::SeqCst);
    }

    /// The ledger takes writes.
    pub fn set_ok(&self) {
        self.refusing.store(false, Ordering::SeqCst);
    }

    /// Whether the ledger refuses writes.
    pub fn refusing(&self) -> bool {
        self.refusing.load(Ordering::SeqCst)
    }

    /// Why it last refused.
    pub fn reason(&self) -> String {
        self.reason.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Everything a server needs.
pub struct Options {
    /// The hall.
    pub config: HallConfig,
    /// Devices allowed to connect.
    pub devices: Vec<Device>,
    /// Clerks' PIN hashes by clerk key.
    pub pins: std::collections::BTreeMap<String, String>,
    /// Limits.
    pub limits: Limits,
    /// Display and voice texts, the first the default.
    pub languages: Vec<Language>,
    /// How the terminal pages behave.
    pub terminals: Terminals,
    /// The ledger.
    pub store: Arc<dyn Store>,
    /// Keyed hash for ID numbers.
    pub hasher: Arc<IdKeys>,
    /// The folder the terminals' pages are unpacked into and served from (`DATA/web`).
    pub web: std::path::PathBuf,
    /// The folder `onewindow-sim plan --svg` writes the next weeks' window plan into (`DATA/plan`),
    /// shown on /reports.
    pub plan: std::path::PathBuf,
    /// Where to listen (port 0 picks one).
    pub listen: SocketAddr,
    /// The control socket and how to read the configuration again (`onewindow serve` passes both;
    /// tests that need no operator pass `None`).
    pub control: Option<(std::path::PathBuf, control::Reloader)>,
    /// Time.
    pub clock: Clock,
    /// Where "your turn is near" messages go (`[gateway]`); none: the hall sends no messages.
    pub gateway: Option<gateway::Gateway>,
    /// Where events are exported for the province (`[export]`); none: not exported.
    pub export: Option<crate::config::ExportConfig>,
}

/// A server that is running.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    served: tokio::task::JoinHandle<()>,
    written: tokio::task::JoinHandle<()>,
    reporter: Arc<reports::Reporter>,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The ledger could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The terminals' pages could not be written.
    #[error("cannot write the terminals' pages into {0}: {1}")]
    Web(std::path::PathBuf, std::io::Error),
    /// The configuration cannot be laid over the ledger's layout.
    #[error("{0}")]
    Layout(String),
    /// The address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
}

/// The value of the ledger's `layout` meta once layouts are events in the ledger (decision 0009).
pub const LAYOUT_IN_LEDGER: &str = "in-ledger";

/// How ledgers written before decision 0009 recorded their layout: keys in index order. Such a ledger
/// opens only under a configuration with the same keys in the same order; its first start records the
/// layout as an event, and from then on the configuration may change.
pub fn layout_fingerprint(config: &HallConfig) -> String {
    let matters: Vec<&str> = config.matters.iter().map(|m| m.key.as_str()).collect();
    let windows: Vec<&str> = config.windows.iter().map(|w| w.key.as_str()).collect();
    let clerks: Vec<&str> = config.clerks.iter().map(|c| c.key.as_str()).collect();
    format!("matters={};windows={};clerks={}", matters.join(","), windows.join(","), clerks.join(","))
}

impl Running {
    /// Stops accepting, ends every session, lets the writer commit and answer what it has, and waits.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.served.await;
        let _ = self.written.await;
        let reporter = self.reporter;
        let _ = tokio::task::spawn_blocking(move || reporter.stop()).await;
    }
}

/// Starts a server: loads the hall from the ledger, binds, spawns the writer and the HTTP service.
pub async fn start(options: Options) -> Result<Running, StartError> {
    let Options {
        config,
        devices,
        pins,
        mut limits,
        languages,
        terminals,
        store,
        hasher,
        web,
        plan: plan_dir,
        listen,
        control,
        clock,
        gateway,
        export,
    } = options;
    let mut terminals = terminals;
    terminals.messages = gateway.is_some();
    pages::unpack(&web).map_err(|e| StartError::Web(web.clone(), e))?;
    // Never more connections than file descriptors, with a reserve for the ledger, logs and accept.
    if let Some(fit) = listen::raise_file_limit(64) {
        if fit < limits.max_connections {
            tracing::info!(max_connections = fit, "connections capped by the open-file limit");
            limits.max_connections = fit.max(1);
        }
    }
    let texts = serde_json::json!({ "languages": languages, "terminals": &terminals }).to_string();
    let recorded = store.meta("layout")?;
    if let Some(old) = recorded.as_deref().filter(|r| *r != LAYOUT_IN_LEDGER && *r != layout_fingerprint(&config)) {
        return Err(StartError::Layout(format!(
            "this ledger was written before layouts were recorded in it, under {old}; start once with that \
             configuration (same keys, same order) to record it, then change the configuration"
        )));
    }
    let (hall, seq) = writer::load(&config, store.as_ref())?;
    tracing::info!(seq, "hall loaded from the ledger");
    let plan = crate::core::layout::plan(&hall.config().layout(), &config).map_err(StartError::Layout)?;
    let record_layout =
        (recorded.as_deref() != Some(LAYOUT_IN_LEDGER) || !plan.changes.is_empty()).then(|| plan.layout.clone());
    let pins = pins::Pins::new(pins, limits.pin_attempts, Duration::from_secs(u64::from(limits.pin_lock_minutes) * 60));
    let now = clock();
    for (clerk, until) in hall.locked_clerks(now) {
        let key = &hall.config().clerks[usize::from(clerk.0)].key;
        pins.lock(key, Duration::from_millis(u64::try_from(until.since(now)).unwrap_or(0)));
    }
    let metrics = Arc::new(Metrics::default());
    let (events, _) = broadcast::channel(limits.socket_queue.max(16));
    let writer_time = clock::CheckedClock::new(clock(), std::time::Duration::ZERO, crate::core::Timestamp(0));
    let view = wire::hall_view(&hall, clock());
    let (estimates_out, estimates) = watch::channel(Arc::<str>::from(""));
    let (wanted, wanted_rx) = mpsc::channel(COMMAND_QUEUE);
    let (commands, rx) = mpsc::channel(COMMAND_QUEUE);
    let (stop, shutdown) = watch::channel(false);
    let health = Arc::new(Health::default());
    let app_clock = clock.clone();
    let reporter = Arc::new(reports::Reporter::start(store.clone(), Arc::new(config.clone())));
    let following = follow::Following::new(hasher.clone(), hall.day().map(|d| d.date));
    let (outbox_out, outbox) = watch::channel(Arc::new(gateway::outbox(&hall)));
    let writer = Writer {
        following: following.clone(),
        outbox_out,
        hall,
        seq,
        store: store.clone(),
        hasher,
        events: events.clone(),
        view,
        unfolded: Vec::new(),
        printed: Default::default(),
        state: None,
        estimates_out,
        metrics: metrics.clone(),
        health: health.clone(),
        clock,
        retry: None,
        masked: Default::default(),
        unstored_masks: Vec::new(),
        time: writer_time,
        started: std::time::Instant::now(),
        clock_warning: None,
        pending_layout: None,
        id_retention_days: limits.id_retention_days,
    };
    let app = App {
        devices: Arc::new(Devices::new(devices)),
        commands,
        events,
        wanted,
        estimates,
        store,
        metrics,
        admission: guard::Admission::new(limits),
        health,
        shutdown: shutdown.clone(),
        texts: Arc::new(std::sync::RwLock::new(texts.into())),
        terminals: Arc::new(terminals),
        pins: Arc::new(pins),
        utc_offset_min: config.utc_offset_min,
        reporter: reporter.clone(),
        clock: app_clock,
        plan: plan_dir,
        following,
    };
    keep_reports(&app);
    if let Some(gateway) = gateway {
        gateway::spawn(app.clone(), gateway, app.following.keys.clone(), outbox);
    }
    if let Some(config) = export {
        #[cfg(feature = "export")]
        {
            app.metrics.export_start(config.lag_alert_s);
            export::spawn(app.clone(), config);
        }
        #[cfg(not(feature = "export"))]
        tracing::error!(hall = %config.hall_id, "[export] is set but this build has no export (feature `export`)");
    }
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| StartError::Listen(listen, e))?;
    let addr = listener.local_addr().map_err(|e| StartError::Listen(listen, e))?;
    let written = tokio::spawn(writer.run(rx, wanted_rx));
    if let Some(layout) = record_layout {
        for change in &plan.changes {
            tracing::info!(change = %change, "layout change");
        }
        match app.submit(Caller::operator(), Work::Command(Command::ChangeLayout { layout })).await {
            Ok(_) => store_meta_layout(&app.store)?,
            Err(e) if e.code == ErrorCode::LayoutNotNow => {
                tracing::warn!(reason = %e.message, "layout change scheduled")
            }
            Err(e) => return Err(StartError::Layout(format!("the layout change was not recorded: {}", e.message))),
        }
    }
    let admission = app.admission.clone();
    let app_for_control = app.clone();
    let router = Router::new()
        .route("/ws", get(ws))
        .route("/healthz", get(http::healthz))
        .route("/metrics", get(http::metrics))
        .route("/api/export", get(http::export))
        .route("/api/state", get(http::state))
        .route("/api/report", get(http::report))
        .route("/api/plan", get(plan::list))
        .route("/api/plan/{name}", get(plan::chart))
        .route("/api/texts", get(pages::texts))
        .merge(
            Router::new()
                .route("/api/v1/availability", get(api::availability))
                .route("/api/v1/bookings", axum::routing::post(api::book))
                .route("/api/v1/bookings/{code}", get(api::look_up).delete(api::cancel))
                .route("/api/v1/bookings/{code}/reschedule", axum::routing::post(api::reschedule))
                .layer(axum::extract::DefaultBodyLimit::max(api::MAX_BODY_BYTES)),
        )
        .merge(pages::router(&web, app.terminals.voice_clips.as_deref()))
        .with_state(app);
    if let Some((path, reload)) = control {
        // The hall serves without its operator's door (a path too long for a Unix socket, say); the
        // operator still has SIGTERM and the config at the next start, and the log says why.
        if let Err(e) = control::serve(path.clone(), app_for_control, reload).await {
            tracing::error!(path = %path.display(), error = %e, "no control socket: onewindow reload, backup and audit cannot reach this server; a changed config applies at the next start");
        }
    }
    // When it returns every connection has ended, so no command sender is left: the writer drains and stops.
    let served = tokio::spawn(listen::serve(listener, router, admission, shutdown));
    Ok(Running { addr, stop, served, written, reporter })
}

/// Notes in the ledger that its layout is recorded as events (once; idempotent).
fn store_meta_layout(store: &Arc<dyn Store>) -> Result<(), StoreError> {
    if store.meta("layout")?.as_deref() != Some(LAYOUT_IN_LEDGER) {
        store.set_meta("layout", LAYOUT_IN_LEDGER)?;
    }
    Ok(())
}

async fn ws(
    upgrade: WebSocketUpgrade,
    Extension(admitted): Extension<listen::Admitted>,
    State(app): State<App>,
) -> Response {
    // Small buffers: a hall holds thousands of mostly idle sockets, and the defaults (128 KiB each way)
    // cost ~136 KiB a connection (measured with onewindow-bench, docs/performance.md). Writes gather up
    // to 8 KiB: the session flushes after each burst of events, so a burst is one write, not one each.
    upgrade
        .max_message_size(TRANSPORT_MAX_FRAME)
        .max_frame_size(TRANSPORT_MAX_FRAME)
        .read_buffer_size(4096)
        .write_buffer_size(8192)
        .on_upgrade(move |socket| session::run(socket, app, admitted.0))
}

/// Keeps the reports' facts of closed days current: once at start, then as each day closes.
fn keep_reports(app: &App) {
    let reporter = app.reporter.clone();
    let mut events = app.events.subscribe();
    let mut stop = app.shutdown.clone();
    reporter.refresh();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                published = events.recv() => match published {
                    Ok(p) if p.is_event && p.text.contains("\"kind\":\"day_closed\"") => reporter.refresh(),
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = stop.changed() => break,
            }
        }
    });
}
