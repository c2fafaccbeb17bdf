//! `onewindow serve`: set up, start, print where terminals connect, stop on SIGINT/SIGTERM: cleanly when
//! clients allow, and within [`STOP_WITHIN`] whatever they do.

use onewindow::launch;
use onewindow::server::{self, writer::system_clock};
use onewindow::store::RedbStore;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// After SIGTERM the process exits within this, even if a client or a disk hangs.
const STOP_WITHIN: Duration = Duration::from_secs(8);

/// What `serve` was asked.
pub struct Args {
    pub config: Option<PathBuf>,
    pub data: PathBuf,
    pub listen: std::net::SocketAddr,
    pub id_key: Option<PathBuf>,
    pub log_json: bool,
    pub new_hall: bool,
    pub clock_from: Option<i64>,
}

pub fn run(args: Args) -> ExitCode {
    let log_json = args.log_json;
    init_logging(log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(serve(args));
    // Blocking tasks (a commit, a resume read) get a moment; the process does not wait on a hung disk.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let Args { config, data, listen, id_key, new_hall, clock_from, .. } = args;
    launch::prepare_data_dir(&data)?;
    let (hall, settings, demo) = launch::load_hall(config.as_deref(), &data)?;
    let hasher = Arc::new(launch::id_keys(&launch::id_key_path(&data, id_key.as_deref())?)?);
    let ledger = data.join("ledger.redb");
    let (store, info) = launch::open_ledger(&data, new_hall)?;
    tracing::info!(hall_id = %info.hall_id, last_seq = info.last_seq, checked_from = info.checked_from, repaired = info.repaired, "ledger checked");
    let store: Arc<RedbStore> = Arc::new(store);
    let name = hall.name.clone();
    let gateway = match &settings.gateway {
        None => None,
        Some(g) => {
            let secret = std::fs::read(&g.secret_file)
                .map_err(|e| format!("the gateway's secret file {}: {e}", g.secret_file.display()))?;
            let secret = String::from_utf8_lossy(&secret).trim().as_bytes().to_vec();
            let sender = g.sender.clone().unwrap_or_else(|| name.clone());
            Some(server::gateway::Gateway::new(&g.url, secret, sender).map_err(|e| format!("[gateway]: {e}"))?)
        }
    };
    // `onewindow reload` and SIGHUP read the same file again (the demo hall: its embedded text and tokens).
    let reload: server::control::Reloader = {
        let (config, data) = (config.clone(), data.clone());
        Arc::new(move || launch::load_hall(config.as_deref(), &data).map(|(h, s, _)| (h, s)).map_err(|e| e.to_string()))
    };
    let running = server::start(server::Options {
        config: hall,
        devices: settings.devices,
        pins: settings.pins,
        limits: settings.limits,
        languages: settings.languages,
        terminals: settings.terminals,
        store,
        hasher,
        web: data.join("web"),
        plan: data.join("plan"),
        listen,
        control: Some((data.join("control.sock"), reload)),
        gateway,
        export: settings.export,
        clock: match clock_from {
            None => system_clock(),
            Some(from) => {
                tracing::warn!(from, "rehearsal clock: the hall's time is not the system's");
                let started = std::time::Instant::now();
                Arc::new(move || {
                    onewindow::core::Timestamp(
                        from.saturating_add(i64::try_from(started.elapsed().as_millis()).unwrap_or(0)),
                    )
                })
            }
        },
    })
    .await?;
    let addr = running.addr;
    println!("onewindow: {name} is open");
    println!("  listening on {addr}");
    println!("  terminals connect to ws://{addr}/ws (first message: hello with a device token)");
    println!("  health http://{addr}/healthz   metrics http://{addr}/metrics   state http://{addr}/api/state");
    println!("  ledger {}", ledger.display());
    if demo {
        println!("  demo device tokens: {}", data.join("demo-tokens.txt").display());
    }
    println!("  operator: onewindow reload | backup | audit --data {} (or SIGHUP to reload)", data.display());
    println!("  stop with Ctrl-C (SIGINT) or SIGTERM; commits in flight finish first");
    wait_for_signal().await;
    tracing::info!("stopping");
    if tokio::time::timeout(STOP_WITHIN, running.stop()).await.is_err() {
        tracing::warn!("clients or the disk did not finish in time; exiting anyway (nothing unacknowledged is lost)");
    }
    println!("onewindow: stopped");
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
