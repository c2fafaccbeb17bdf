//! The `onewindow` command line: check a hall configuration, make PIN hashes. (`serve`, `replay` and
//! `report` arrive with the issues that build them.)

// A command-line tool prints its results; the server code in the library never does.
#![allow(clippy::print_stdout)]

use clap::{Parser, Subcommand};
use onewindow::config;
use onewindow::core::{pin, HallConfig, MatterId, WindowKind};
use std::path::PathBuf;
use std::process::ExitCode;

/// onewindow: queue-and-ticketing engine for government service halls.
#[derive(Parser)]
#[command(name = "onewindow", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Validate a hall configuration and print its matters and windows.
    ///
    /// Without --config, checks the embedded demo hall (docs/hall.example.toml).
    CheckConfig {
        /// Hall configuration (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Print the `pin_hash` value for a clerk's PIN, to paste into the hall configuration.
    PinHash {
        /// The clerk's key in the configuration (it salts the hash).
        #[arg(long)]
        clerk: String,
        /// The PIN (4–12 digits).
        pin: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::CheckConfig { config } => check_config(config),
        Cmd::PinHash { clerk, pin } => {
            if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
                eprintln!("error: a PIN is 4 to 12 digits");
                return ExitCode::from(2);
            }
            println!("{}", pin::hash_pin(&clerk, &pin));
            ExitCode::SUCCESS
        }
    }
}

fn check_config(path: Option<PathBuf>) -> ExitCode {
    let (source, loaded) = match &path {
        None => ("embedded demo hall".to_owned(), config::demo()),
        Some(p) => match std::fs::read_to_string(p) {
            Ok(text) => (p.display().to_string(), config::parse(&text)),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
    };
    match loaded {
        Ok(hall) => {
            print!("{}", describe(&source, &hall));
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
