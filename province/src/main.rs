//! onewindow-province: every hall of a province, live, and their KPIs by hall, city and province.
//!
//! ```text
//! halls ──publish──> JetStream stream (R3) ──durable consumer──> fold (pure) ──> redb ──> ack
//!                                                                    │
//!                                          HTTP: the wall, one hall, KPIs by period <─┘
//! ```
//!
//! Each hall exports its ledger's events (docs/events.md); this program folds them, in each hall's
//! `seq` order, into the hall's live state and its day's counts, stores both before acknowledging,
//! and serves them. See docs/operations.md, "A province".

#![allow(clippy::print_stdout)] // the address line and nothing else

mod bench;
mod consume;
mod fold;
mod store;
mod web;

use clap::Parser;
use fold::HallState;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

/// A province's view of its halls.
#[derive(Debug, Parser)]
#[command(name = "onewindow-province", version, about)]
enum Cli {
    /// Consume the halls' events and serve the province's page.
    Serve(Args),
    /// Measure: N simulated halls into a JetStream node and a province view (docs/performance.md).
    Bench(bench::BenchArgs),
}

#[derive(Debug, clap::Args)]
struct Args {
    /// NATS URLs of the cluster's nodes, comma-separated.
    #[arg(long, default_value = "nats://127.0.0.1:4222")]
    nats: String,
    /// The halls' `[export] subject_prefix`.
    #[arg(long, default_value = "onewindow")]
    prefix: String,
    /// The JetStream stream (created over `<prefix>.>` when missing).
    #[arg(long, default_value = "ONEWINDOW")]
    stream: String,
    /// The stream's replicas when this program creates it (3 on a three-node cluster).
    #[arg(long, default_value_t = 1)]
    replicas: usize,
    /// The durable consumer's name (one per province view).
    #[arg(long, default_value = "province")]
    durable: String,
    /// Folder of the province's own store (`province.redb`).
    #[arg(long, default_value = "./province-data")]
    data: std::path::PathBuf,
    /// Where the page and its API listen.
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: std::net::SocketAddr,
    /// The halls' names and cities: a TOML file of `[[hall]] id, name, city`.
    #[arg(long)]
    halls: Option<std::path::PathBuf>,
}

/// A hall's name and city, from `--halls`.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    /// Its `[export] hall_id`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its city (prefecture).
    pub city: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Directory {
    #[serde(default)]
    hall: Vec<Named>,
}

/// Counters of the consumer.
pub struct Stats {
    /// Events applied.
    pub applied: u64,
    /// Repeats dropped (a `seq` already applied).
    pub repeats: u64,
    /// Messages that are not exported events of this schema.
    pub refused: u64,
    /// Times the consumer started again after an error.
    pub interruptions: u64,
    /// From a hall's commit (`at`) to this program's commit, ms.
    pub lag_ms: hdrhistogram::Histogram<u64>,
}

/// The state shared by the consumer and the page.
pub struct Province {
    /// Every hall that sent an event, by id.
    pub halls: RwLock<BTreeMap<String, HallState>>,
    /// Names and cities.
    pub directory: BTreeMap<String, Named>,
    /// The store.
    pub store: store::Store,
    /// Counters.
    pub stats: Mutex<Stats>,
}

/// Now, ms since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Province {
    /// A hall's name and city (its id and `?` when `--halls` does not name it).
    pub fn named(&self, id: &str) -> Named {
        self.directory.get(id).cloned().unwrap_or_else(|| Named { id: id.into(), name: id.into(), city: "?".into() })
    }
}

fn main() -> std::process::ExitCode {
    let args = match Cli::parse() {
        Cli::Serve(args) => args,
        Cli::Bench(args) => {
            return match bench::run(args) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("onewindow-province bench: {e}");
                    std::process::ExitCode::FAILURE
                }
            };
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("onewindow-province: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let directory = match &args.halls {
        None => BTreeMap::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let d: Directory = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            d.hall.into_iter().map(|h| (h.id.clone(), h)).collect()
        }
    };
    std::fs::create_dir_all(&args.data).map_err(|e| format!("{}: {e}", args.data.display()))?;
    let store = store::Store::open(&args.data.join("province.redb"))?;
    let halls = store.halls()?;
    let lag_ms = hdrhistogram::Histogram::new_with_bounds(1, 3_600_000, 3).map_err(|e| e.to_string())?;
    let province = Arc::new(Province {
        halls: RwLock::new(halls),
        directory,
        store,
        stats: Mutex::new(Stats { applied: 0, repeats: 0, refused: 0, interruptions: 0, lag_ms }),
    });
    let source = consume::Source {
        urls: args.nats.split(',').map(|u| u.trim().to_owned()).collect(),
        prefix: args.prefix,
        stream: args.stream,
        replicas: args.replicas,
        durable: args.durable,
    };
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(%addr, "province view listening");
        // Tests and scripts read the address from this line (as `onewindow serve` prints it).
        println!("listening on {addr}");
        tokio::spawn(consume::run(source, province.clone()));
        axum::serve(listener, web::router(province)).await.map_err(|e| e.to_string())
    })
}
