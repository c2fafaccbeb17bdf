//! The `onewindow` command line: serve a hall, verify its ledger, check a hall configuration, make PIN
//! hashes and device tokens, report from a ledger, and the operator's commands on a running server.

// A command-line tool prints its results; the server code in the library never does.
#![allow(clippy::print_stdout)]

use clap::{Parser, Subcommand};
use onewindow::config;
use onewindow::core::{HallConfig, MatterId, WindowKind};
use onewindow::pin;
use std::path::PathBuf;
use std::process::ExitCode;

mod operator;
mod send;
mod serve;

/// onewindow: queue-and-ticketing engine for government service halls.
#[derive(Parser)]
#[command(name = "onewindow", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve a hall: WebSocket terminals on /ws, /healthz, /metrics, /api/state.
    ///
    /// Without --config, serves the embedded demo hall and writes demo device tokens to
    /// <data>/demo-tokens.txt.
    Serve {
        /// Hall configuration (TOML), with its [[device]] tokens.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Where the ledger and keys live.
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
        /// Address to listen on (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// The ID-hash key file [default: <data>/id-key].
        #[arg(long)]
        id_key: Option<PathBuf>,
        /// Log as JSON lines (for log collectors) instead of text.
        #[arg(long)]
        log_json: bool,
        /// Start a new hall in this data directory even though it held one (ticket numbers begin
        /// again; the old ledger is kept aside as ledger.redb.replaced-<time>).
        #[arg(long)]
        new_hall: bool,
        /// Run the hall's clock from this moment (ms since the epoch) instead of the system's:
        /// rehearsals and tests of many days only, never a real hall.
        #[arg(long, hide = true)]
        clock_from: Option<i64>,
    },
    /// Check a ledger: every record against its checksum chain, seq continuity, its recorded layout,
    /// and that its snapshot equals a replay of its events. Changes nothing.
    ///
    /// Give a ledger file (a backup) or --data (a stopped server's data directory). Exits non-zero on
    /// any problem.
    Verify {
        /// A ledger file, e.g. a backup [default: <data>/ledger.redb].
        file: Option<PathBuf>,
        /// The data directory.
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
        /// The hall configuration the ledger was written under (its rules shape the replay) [default:
        /// the demo hall].
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Apply the hall configuration file to the running server: devices, PINs, texts, layout.
    ///
    /// Prints what changed; a layout change that is unsafe now (a retired window still signed in) is
    /// scheduled and applied by itself once safe. Same as sending SIGHUP.
    Reload {
        /// The running server's data directory.
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
    },
    /// Copy the running server's ledger into a new file, without stopping it.
    Backup {
        /// The running server's data directory.
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
        /// The new file (never overwritten).
        #[arg(long)]
        to: PathBuf,
    },
    /// List the supervisor, clerk and operator actions of a business day, with who did each.
    Audit {
        /// The data directory (of a running server, or a stopped one).
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
        /// The business day, YYYY-MM-DD.
        #[arg(long)]
        day: String,
        /// The hall configuration, for its time zone [default: the demo hall's].
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Report the hall's KPIs from its ledger for a day, month, quarter or year (docs/reports.md):
    /// through the running server, or from a stopped one's ledger.
    ///
    /// Example: onewindow report --month 2026-10 --by matter --format csv
    Report {
        /// The data directory (of a running server, or a stopped one).
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
        /// The hall configuration, for a stopped server [default: the demo hall's].
        #[arg(long)]
        config: Option<PathBuf>,
        /// One business day, YYYY-MM-DD.
        #[arg(long, group = "period")]
        day: Option<String>,
        /// A month, YYYY-MM.
        #[arg(long, group = "period")]
        month: Option<String>,
        /// A quarter, YYYY-Qn.
        #[arg(long, group = "period")]
        quarter: Option<String>,
        /// A year, YYYY.
        #[arg(long, group = "period")]
        year: Option<String>,
        /// The first day of a period of your own (with --to).
        #[arg(long, group = "period", requires = "to")]
        from: Option<String>,
        /// Its last day.
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// Rows by matter, window, clerk, hour, weekday, class or day.
        #[arg(long)]
        by: Option<String>,
        /// table, csv or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Write a rehearsal ledger into a new data directory: DAYS days of PER_DAY citizens played
    /// through the core (reports' tests and benchmarks only, never a real hall).
    #[command(hide = true)]
    Rehearse {
        /// A data directory without a hall.
        #[arg(long)]
        data: PathBuf,
        /// The hall configuration [default: the demo hall's].
        #[arg(long)]
        config: Option<PathBuf>,
        /// The first day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Days.
        #[arg(long)]
        days: u32,
        /// Citizens a day.
        #[arg(long, default_value_t = 1000)]
        per_day: u32,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Talk to a running server as a device: say hello, send each request, print every answer.
    ///
    /// Example: onewindow send --token ow_... '{"type":"issue_ticket","matter":"tax"}'
    Send {
        /// The server's WebSocket URL.
        #[arg(long, default_value = "ws://127.0.0.1:8080/ws")]
        url: String,
        /// The device token (see <data>/demo-tokens.txt for the demo hall).
        #[arg(long)]
        token: String,
        /// Keep printing live events after the requests, until Ctrl-C.
        #[arg(long)]
        follow: bool,
        /// Requests as JSON objects; `id` is added when missing.
        requests: Vec<String>,
    },
    /// Device tokens.
    Token {
        #[command(subcommand)]
        command: TokenCmd,
    },
    /// Clerks in a hall config: add, remove, reset a PIN; a running server is reloaded.
    ///
    /// PINs are read from the terminal (not echoed) or stdin, never from the command line.
    Clerk {
        #[command(subcommand)]
        command: ClerkCmd,
    },
    /// Validate a hall configuration and print its matters and windows.
    ///
    /// Without --config, checks the embedded demo hall (docs/hall.example.toml).
    CheckConfig {
        /// Hall configuration (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Also say what this configuration would change in this data directory's hall (asks the
        /// running server, or reads a stopped server's ledger).
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Print the `pin_hash` value (argon2id) for a clerk's PIN, to paste into the hall configuration.
    ///
    /// The PIN is read from the terminal (not echoed) or from stdin, never from the command line,
    /// where shell history and the process list would keep it.
    PinHash,
}

#[derive(Subcommand)]
enum ClerkCmd {
    /// Add a clerk (asks for their PIN).
    Add {
        /// The hall config.
        #[arg(long)]
        config: PathBuf,
        /// The clerk's 工号 (key).
        #[arg(long)]
        key: String,
        /// The clerk's name.
        #[arg(long)]
        name: String,
        /// The running server's data directory (reloaded when a server runs there).
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
    },
    /// Remove a clerk (refused while they are signed in; then scheduled).
    Remove {
        /// The hall config.
        #[arg(long)]
        config: PathBuf,
        /// The clerk's 工号 (key).
        #[arg(long)]
        key: String,
        /// The running server's data directory.
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
    },
    /// Give a clerk a new PIN (asks for it); a lock after wrong PINs stays until it ends.
    ResetPin {
        /// The hall config.
        #[arg(long)]
        config: PathBuf,
        /// The clerk's 工号 (key).
        #[arg(long)]
        key: String,
        /// The running server's data directory.
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// List the devices of a hall config: name, role, windows (tokens are stored only as hashes).
    List {
        /// The hall config.
        #[arg(long)]
        config: PathBuf,
    },
    /// Remove a device from the hall config; with a running server, reload it so the device's open
    /// sessions end at once (code `token_revoked`).
    Revoke {
        /// The hall config.
        #[arg(long)]
        config: PathBuf,
        /// The device's name.
        #[arg(long)]
        name: String,
        /// The running server's data directory (reloaded when a server runs there).
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
    },
    /// Make a device token: prints the token once, and its [[device]] block for the hall config.
    Add {
        /// kiosk, clerk, display, evaluator, supervisor or integration (the online channel, docs/api.md).
        #[arg(long)]
        role: String,
        /// Window numbers a clerk terminal (one or more) or evaluator pad (one) is bound to.
        #[arg(long = "window")]
        windows: Vec<u16>,
        /// Device name [default: role and windows, e.g. clerk-w5].
        #[arg(long)]
        name: Option<String>,
        /// Append the block to this hall config (checked before it is written).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The running server's data directory, reloaded after the config is written.
        #[arg(long, default_value = "./onewindow-data")]
        data: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Serve { config, data, listen, id_key, log_json, new_hall, clock_from } => {
            serve::run(serve::Args { config, data, listen, id_key, log_json, new_hall, clock_from })
        }
        Cmd::Verify { file, data, config } => verify(file.as_deref(), &data, config.as_deref()),
        Cmd::Reload { data } => operator::reload(&data),
        Cmd::Backup { data, to } => operator::backup(&data, &to),
        Cmd::Audit { data, day, config } => operator::audit(&data, &day, config.as_deref()),
        Cmd::Rehearse { data, config, from, days, per_day, seed } => {
            operator::rehearse(&data, config.as_deref(), &from, days, per_day, seed)
        }
        Cmd::Report { data, config, day, month, quarter, year, from, to, by, format } => {
            let named =
                [(day, 10), (month, 7), (quarter, 7), (year, 4)].into_iter().find_map(|(p, len)| p.map(|p| (p, len)));
            if let Some((name, len)) = &named {
                if name.trim().len() != *len {
                    eprintln!("error: `{name}` is not that kind of period (--day 2026-10-08, --month 2026-10, --quarter 2026-Q4, --year 2026)");
                    return ExitCode::from(2);
                }
            }
            match onewindow::report::query(
                named.map(|(p, _)| p).as_deref(),
                from.as_deref(),
                to.as_deref(),
                by.as_deref(),
            ) {
                Ok(query) => operator::report(&data, config.as_deref(), query, &format),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Cmd::Token { command: TokenCmd::List { config } } => operator::token_list(&config),
        Cmd::Clerk { command } => {
            let (config, key, change, data) = match command {
                ClerkCmd::Add { config, key, name, data } => (config, key, operator::ClerkChange::Add(name), data),
                ClerkCmd::Remove { config, key, data } => (config, key, operator::ClerkChange::Remove, data),
                ClerkCmd::ResetPin { config, key, data } => (config, key, operator::ClerkChange::ResetPin, data),
            };
            let pin = match change {
                operator::ClerkChange::Remove => None,
                _ => match read_pin() {
                    Ok(pin) => Some(pin),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                },
            };
            operator::clerk(&config, &key, change, pin.as_deref(), &data)
        }
        Cmd::Token { command: TokenCmd::Revoke { config, name, data } } => {
            operator::token_revoke(&config, &name, &data)
        }
        Cmd::Send { url, token, follow, requests } => send::run(&url, &token, follow, &requests),
        Cmd::Token { command: TokenCmd::Add { role, windows, name, config, data } } => {
            token_add(&role, &windows, name, config, &data)
        }
        Cmd::CheckConfig { config, data } => {
            let checked = check_config(config.clone());
            match data {
                Some(data) if checked == ExitCode::SUCCESS => operator::check_against(&data, config.as_deref()),
                _ => checked,
            }
        }
        Cmd::PinHash => match read_pin() {
            Ok(pin) => {
                println!("{}", pin::hash_pin(&pin));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
    }
}

fn token_add(
    role: &str,
    windows: &[u16],
    name: Option<String>,
    config: Option<PathBuf>,
    data: &std::path::Path,
) -> ExitCode {
    let Ok(role) = serde_json::from_value::<kiosk_protocol::Role>(serde_json::Value::from(role)) else {
        eprintln!("error: --role is one of kiosk, clerk, display, evaluator, supervisor, integration");
        return ExitCode::from(2);
    };
    let name = name.unwrap_or_else(|| {
        let bound: Vec<String> = windows.iter().map(|w| format!("w{w}")).collect();
        if bound.is_empty() {
            format!("{}-{}", role.name(), &onewindow::auth::new_token()[3..9])
        } else {
            format!("{}-{}", role.name(), bound.join("-"))
        }
    });
    let (token, block) = onewindow::launch::new_device_block(&name, role, windows);
    let done = match config {
        Some(path) => operator::add_block(&path, &block, &format!("device `{name}` added"), data),
        None => {
            println!("add this to the hall config:{block}");
            ExitCode::SUCCESS
        }
    };
    if done == ExitCode::SUCCESS {
        println!("token (shown once; give it to the device): {token}");
    }
    done
}

fn verify(file: Option<&std::path::Path>, data: &std::path::Path, config: Option<&std::path::Path>) -> ExitCode {
    let ledger = file.map_or_else(|| data.join("ledger.redb"), std::path::Path::to_path_buf);
    match onewindow::store::RedbStore::verify_file(&ledger) {
        Ok(report) => {
            println!("{}: hall {}, events 1 to {}", ledger.display(), report.hall_id, report.last_seq);
            if file.is_none() {
                if let Ok(marker) = std::fs::read_to_string(data.join("hall-id")) {
                    if marker.trim() != report.hall_id {
                        println!("REPLACED: the data directory's hall-id is {}, not this ledger's", marker.trim());
                        return ExitCode::FAILURE;
                    }
                }
            }
            if !report.problems.is_empty() {
                for p in &report.problems {
                    println!("DAMAGED: {p}");
                }
                println!(
                    "{} problem(s); restore ledger.redb from the last backup (docs/operations.md)",
                    report.problems.len()
                );
                return ExitCode::FAILURE;
            }
            println!("every record matches its checksum");
            operator::replay_check(&ledger, config)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check_config(path: Option<PathBuf>) -> ExitCode {
    let (source, loaded) = match &path {
        None => ("embedded demo hall".to_owned(), config::parse_full(config::DEMO_HALL_TOML)),
        Some(p) => match std::fs::read_to_string(p) {
            Ok(text) => (p.display().to_string(), config::parse_full(&text)),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
    };
    match loaded {
        Ok((hall, settings)) => {
            print!("{}", describe(&source, &hall));
            let weak: Vec<&str> =
                settings.pins.iter().filter(|(_, h)| pin::is_legacy(h)).map(|(k, _)| k.as_str()).collect();
            if !weak.is_empty() {
                println!(
                    "warning: {} clerk(s) have a PIN hash from before argon2 ({}): give each a new PIN with \
                     `onewindow clerk reset-pin`",
                    weak.len(),
                    weak.join(", ")
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {source}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn describe(source: &str, hall: &HallConfig) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({source}): configuration OK", hall.name);
    let _ = writeln!(out, "policy: {}", hall.rules.policy.name());
    let _ = writeln!(out, "\nmatters ({}):", hall.matters.len());
    let _ = writeln!(out, "  prefix  key               target  norm  cap   name");
    for m in &hall.matters {
        let cap = m.daily_cap.map_or_else(|| "-".to_owned(), |c| c.to_string());
        let _ = writeln!(
            out,
            "  {:<6}  {:<16}  {:>4}m  {:>3}m  {:<4}  {} / {}",
            m.prefix,
            m.key,
            m.target_wait_ms / 60_000,
            m.handling_norm_ms / 60_000,
            cap,
            m.name_zh,
            m.name_en
        );
    }
    let _ = writeln!(out, "\nwindows ({}):", hall.windows.len());
    for w in &hall.windows {
        let kind = match w.kind {
            WindowKind::Regular => "regular",
            WindowKind::GreenChannel => "green channel",
            WindowKind::Standby => "standby",
        };
        let serves: Vec<&str> = w.skills.iter().map(|m: MatterId| hall.matter(m).key.as_str()).collect();
        let _ = writeln!(out, "  {:>3}  {:<16} {:<6} {:<13} {}", w.number, w.name, w.zone, kind, serves.join(", "));
    }
    let _ = writeln!(out, "\nclerks: {}", hall.clerks.len());
    out
}

/// A PIN from the terminal (echo off, asked twice) or from the first line of stdin.
fn read_pin() -> Result<String, String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let ask = |prompt: &str| -> Result<String, String> {
        if terminal {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
            let _ = std::process::Command::new("stty").arg("-echo").stdin(std::process::Stdio::inherit()).status();
        }
        let mut line = String::new();
        let read = stdin.lock().read_line(&mut line);
        if terminal {
            let _ = std::process::Command::new("stty").arg("echo").stdin(std::process::Stdio::inherit()).status();
            eprintln!();
        }
        read.map_err(|e| format!("cannot read the PIN: {e}"))?;
        Ok(line.trim().to_owned())
    };
    let pin = ask("PIN (4–12 digits): ")?;
    if !pin::valid_pin(&pin) {
        return Err("a PIN is 4 to 12 digits".into());
    }
    if terminal && ask("again: ")? != pin {
        return Err("the two PINs differ".into());
    }
    Ok(pin)
}
