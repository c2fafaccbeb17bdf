//! The operator's door into a running server: a Unix socket, `DATA/control.sock`, in the data
//! directory (mode 0700, so only the account that runs the hall reaches it; no token to leak). One
//! JSON request per line, one JSON answer per line. `onewindow reload | backup | audit | check-config
//! --data` use it when a server runs, and SIGHUP is the same as `reload`.
//!
//! ```text
//! {"op":"reload"}              re-read the hall config: devices (revoked tokens' sessions end), PINs,
//!                              texts, and the layout (recorded now, or scheduled when unsafe now)
//! {"op":"plan","config":TOML}  what that configuration would change, changing nothing
//! {"op":"backup","to":PATH}    a consistent copy of the ledger, while serving
//! {"op":"audit","day":DATE}    who did what that day (see `crate::audit`)
//! {"op":"report","query":{"from":DATE,"to":DATE,"by":"matter"}}   a report (see `crate::report`)
//! ```

use super::writer::{Caller, Work};
use super::App;
use crate::config::ServerSettings;
use crate::core::HallConfig;
use kiosk_protocol::ErrorCode;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// Reads the hall configuration again (from the file `serve` was given).
pub type Reloader = Arc<dyn Fn() -> Result<(HallConfig, ServerSettings), String> + Send + Sync>;

/// A request on the control socket.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ControlRequest {
    /// Apply the configuration file as it is now.
    Reload,
    /// Say what this configuration (TOML text; none: the server's own file) would change, changing
    /// nothing.
    Plan {
        /// The configuration.
        #[serde(default)]
        config: Option<String>,
    },
    /// Copy the ledger into a new file.
    Backup {
        /// The new file.
        to: PathBuf,
    },
    /// The actions of a day.
    Audit {
        /// `YYYY-MM-DD`, the hall's business date.
        day: String,
    },
    /// A report (see `crate::report`).
    Report {
        /// What it covers.
        query: crate::report::Query,
    },
}

/// The answer to a control request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ControlReply {
    /// Whether it was done (a scheduled layout change counts as done, and says so in `scheduled`).
    pub ok: bool,
    /// Lines for the operator.
    pub lines: Vec<String>,
    /// A layout change that must wait, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The report asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<crate::core::report::Report>,
}

impl ControlReply {
    fn failed(error: impl Into<String>) -> ControlReply {
        ControlReply { ok: false, error: Some(error.into()), ..ControlReply::default() }
    }
}

/// Serves the control socket at `path` (and SIGHUP) until the server stops; removes the socket then.
pub async fn serve(path: PathBuf, app: App, reload: Reloader) -> std::io::Result<()> {
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path)?;
    let mut stop = app.shutdown.clone();
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((socket, _)) = accepted else { continue };
                    let (app, reload) = (app.clone(), reload.clone());
                    tokio::spawn(async move { answer(socket, &app, &reload).await });
                }
                Some(()) = hangup.recv() => {
                    let reply = apply(&app, reload(), true).await;
                    tracing::info!(ok = reply.ok, lines = ?reply.lines, scheduled = ?reply.scheduled, error = ?reply.error, "SIGHUP: reload");
                }
                _ = stop.changed() => break,
            }
        }
        let _ = std::fs::remove_file(&path);
    });
    Ok(())
}

async fn answer(socket: tokio::net::UnixStream, app: &App, reload: &Reloader) {
    let (read, mut write) = socket.into_split();
    let mut line = String::new();
    // One short line, promptly: the socket is local, but a stuck client must not hold a task forever.
    let mut reader = BufReader::new(read.take(64 * 1024));
    let reply = match tokio::time::timeout(Duration::from_secs(5), reader.read_line(&mut line)).await {
        Ok(Ok(_)) => match serde_json::from_str::<ControlRequest>(&line) {
            Ok(request) => handle(app, reload, request).await,
            Err(e) => ControlReply::failed(format!("bad request: {e}")),
        },
        _ => ControlReply::failed("no request line within 5 s"),
    };
    let mut text = serde_json::to_string(&reply).unwrap_or_default();
    text.push('\n');
    let _ = write.write_all(text.as_bytes()).await;
}

async fn handle(app: &App, reload: &Reloader, request: ControlRequest) -> ControlReply {
    match request {
        ControlRequest::Reload => apply(app, reload(), true).await,
        ControlRequest::Plan { config: Some(text) } => {
            apply(app, crate::config::parse_full(&text).map_err(|e| e.to_string()), false).await
        }
        ControlRequest::Plan { config: None } => apply(app, reload(), false).await,
        ControlRequest::Backup { to } => backup(app, to).await,
        ControlRequest::Report { query } => match app.report(query).await {
            Ok(report) => ControlReply { ok: true, report: Some(report), ..ControlReply::default() },
            Err(e) => ControlReply::failed(e),
        },
        ControlRequest::Audit { day } => {
            let (store, offset) = (app.store.clone(), app.utc_offset_min);
            match tokio::task::spawn_blocking(move || crate::audit::lines(store.as_ref(), &day, offset)).await {
                Ok(Ok(lines)) => ControlReply { ok: true, lines, ..ControlReply::default() },
                Ok(Err(e)) => ControlReply::failed(e),
                Err(e) => ControlReply::failed(e.to_string()),
            }
        }
    }
}

async fn backup(app: &App, to: PathBuf) -> ControlReply {
    let store = app.store.clone();
    let target = to.clone();
    match tokio::task::spawn_blocking(move || store.backup(&target)).await {
        Ok(Ok(last)) => {
            tracing::info!(to = %to.display(), last_seq = last, "backup written");
            ControlReply {
                ok: true,
                lines: vec![format!("{}: events 1 to {last}", to.display())],
                ..Default::default()
            }
        }
        Ok(Err(e)) => ControlReply::failed(e.to_string()),
        Err(e) => ControlReply::failed(e.to_string()),
    }
}

/// Applies a configuration (or, without `apply`, says what it would change).
async fn apply(app: &App, loaded: Result<(HallConfig, ServerSettings), String>, apply: bool) -> ControlReply {
    let (config, mut settings) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => return ControlReply::failed(format!("the configuration was not applied: {e}")),
    };
    let mut reply = ControlReply { ok: true, ..ControlReply::default() };
    let planned = app.submit(Caller::operator(), Work::Plan { desired: Box::new(config), apply }).await;
    match planned {
        Ok(accepted) => reply.lines.extend(accepted.notes),
        Err(e) if e.code == ErrorCode::LayoutNotNow && apply => reply.scheduled = Some(e.message),
        Err(e) => return ControlReply::failed(e.message),
    }
    let old = app.devices.now();
    let gone: Vec<&str> = old.iter().filter(|d| !settings.devices.contains(d)).map(|d| d.name.as_str()).collect();
    let added: Vec<&str> = settings.devices.iter().filter(|d| !old.contains(d)).map(|d| d.name.as_str()).collect();
    let verb = if apply { "" } else { "would be " };
    reply.lines.extend(gone.iter().map(|d| format!("device `{d}` {verb}revoked (its open sessions end)")));
    reply.lines.extend(added.iter().map(|d| format!("device `{d}` {verb}added")));
    if apply {
        // The gateway is the server's from its start; a reload does not change it.
        settings.terminals.messages = app.terminals.messages;
        let texts =
            serde_json::json!({ "languages": settings.languages, "terminals": &settings.terminals }).to_string();
        *app.texts.write().unwrap_or_else(|p| p.into_inner()) = texts.into();
        let lock = Duration::from_secs(u64::from(settings.limits.pin_lock_minutes) * 60);
        app.pins.replace(settings.pins, settings.limits.pin_attempts, lock);
        let mut limits = settings.limits;
        if let Some(fit) = super::listen::raise_file_limit(64) {
            limits.max_connections = limits.max_connections.min(fit.max(1));
        }
        app.admission.set_limits(limits);
        app.devices.replace(settings.devices);
        tracing::info!(changes = ?reply.lines, scheduled = ?reply.scheduled, "configuration reloaded");
    }
    if reply.lines.is_empty() && reply.scheduled.is_none() {
        reply.lines.push(if apply { "nothing changed".into() } else { "nothing would change".into() });
    }
    reply
}

/// Sends `request` to the server whose data directory is `data`; `None` when no server runs there.
pub fn ask(data: &Path, request: &ControlRequest) -> Option<Result<ControlReply, String>> {
    use std::io::{BufRead, Write};
    let mut socket = std::os::unix::net::UnixStream::connect(data.join("control.sock")).ok()?;
    let mut text = serde_json::to_string(request).unwrap_or_default();
    text.push('\n');
    let result = socket.write_all(text.as_bytes()).map_err(|e| e.to_string()).and_then(|()| {
        let mut line = String::new();
        std::io::BufReader::new(socket).read_line(&mut line).map_err(|e| e.to_string())?;
        serde_json::from_str(&line).map_err(|e| format!("unreadable answer `{}`: {e}", line.trim()))
    });
    Some(result)
}
