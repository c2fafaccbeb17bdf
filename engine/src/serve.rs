//! `onewindow serve`: set up, start, print where terminals connect, stop cleanly on SIGINT/SIGTERM.

use onewindow::launch;
use onewindow::server::{self, writer::system_clock};
use onewindow::store::RedbStore;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(
    config: Option<PathBuf>,
    data: PathBuf,
    listen: std::net::SocketAddr,
    id_key: Option<PathBuf>,
    log_json: bool,
) -> ExitCode {
    init_logging(log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config, data, listen, id_key)) {
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

async fn serve(
    config: Option<PathBuf>,
    data: PathBuf,
    listen: std::net::SocketAddr,
    id_key: Option<PathBuf>,
) -> Result<(), Box<dyn std::error::Error>> {
    launch::prepare_data_dir(&data)?;
    let (hall, settings, demo) = launch::load_hall(config.as_deref(), &data)?;
    let hasher = launch::id_hasher(&id_key.unwrap_or_else(|| data.join("id-key")))?;
    let ledger = data.join("ledger.redb");
    let store = Arc::new(RedbStore::open(&ledger)?);
    let name = hall.name.clone();
    let running = server::start(server::Options {
        config: hall,
        devices: settings.devices,
        limits: settings.limits,
        languages: settings.languages,
        store,
        hasher,
        listen,
        clock: system_clock(),
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
    println!("  stop with Ctrl-C (SIGINT) or SIGTERM; commits in flight finish first");
    wait_for_signal().await;
    tracing::info!("stopping");
    running.stop().await;
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
