//! `onewindow-print`: the print agent of a kiosk with a raw ESC/POS thermal printer (docs/terminals.md).

use clap::Parser;
use display_client::print::{self, Agent, Printer};
use std::path::PathBuf;
use std::process::ExitCode;

/// Prints a kiosk's tickets on an ESC/POS printer.
#[derive(Parser)]
#[command(name = "onewindow-print", version, about)]
struct Cli {
    /// The server's WebSocket URL.
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws")]
    url: String,
    /// A device token: the kiosk's own, or a display's.
    #[arg(long)]
    token: String,
    /// The kiosk whose tickets to print (its device name, e.g. kiosk-1).
    #[arg(long)]
    kiosk: String,
    /// The printer: a device (/dev/usb/lp0) or tcp://HOST:9100.
    #[arg(long, default_value = "/dev/usb/lp0")]
    printer: String,
    /// Where the last printed ticket is remembered.
    #[arg(long, default_value = "onewindow-print.seq")]
    state: PathBuf,
    /// The start of the ticket page URL in the QR code (default: the server's http://HOST/t).
    #[arg(long)]
    ticket_url: Option<String>,
    /// The hall's offset from UTC, e.g. +08:00.
    #[arg(long, default_value = "+08:00")]
    utc_offset: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(utc_offset_min) = onewindow_core::time::parse_offset(&cli.utc_offset) else {
        eprintln!("error: --utc-offset is like +08:00");
        return ExitCode::FAILURE;
    };
    let ticket_url = cli.ticket_url.unwrap_or_else(|| {
        let http = cli.url.replacen("wss://", "https://", 1).replacen("ws://", "http://", 1);
        format!("{}/t", http.trim_end_matches("/ws"))
    });
    let agent = Agent {
        url: cli.url,
        token: cli.token,
        kiosk: cli.kiosk,
        printer: Printer::parse(&cli.printer),
        state: cli.state,
        ticket_url,
        utc_offset_min,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(print::run(agent)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
