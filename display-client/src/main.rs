//! `onewindow-display`: a hall or window display in a terminal, or with `--plain` one line per call
//! (`TICKET<TAB>WINDOW<TAB>called|recalled`) for LED boards and speaker boxes.

// A terminal program prints its screen.
#![allow(clippy::print_stdout)]

use clap::Parser;
use display_client::{Board, Follower, ServerMessage, WireEvent};
use std::io::Write as _;
use std::process::ExitCode;

/// A onewindow display in the terminal.
#[derive(Parser)]
#[command(name = "onewindow-display", version, about)]
struct Cli {
    /// The server's WebSocket URL.
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws")]
    url: String,
    /// A display device token.
    #[arg(long)]
    token: String,
    /// Only this window's calls.
    #[arg(long)]
    window: Option<u16>,
    /// One line per call instead of a screen.
    #[arg(long)]
    plain: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let mut follower = Follower::new(cli.url, cli.token);
        let mut board = Board::default();
        let mut out = std::io::stdout().lock();
        loop {
            let message = match follower.next().await {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let kind = match &message {
                ServerMessage::Event { event: WireEvent::TicketRecalled { .. }, .. } => "recalled",
                _ => "called",
            };
            let call = board.apply(&message).filter(|(_, w)| cli.window.is_none_or(|only| only == *w));
            let written = if cli.plain {
                match call {
                    Some((ticket, window)) => writeln!(out, "{ticket}\t{window}\t{kind}"),
                    None => Ok(()),
                }
            } else {
                // Clear the screen and draw it again.
                write!(out, "\x1b[2J\x1b[H{}", board.render())
            };
            if written.and_then(|()| out.flush()).is_err() {
                return ExitCode::SUCCESS;
            }
        }
    })
}
