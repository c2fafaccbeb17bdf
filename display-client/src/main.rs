//! `onewindow-display`: a hall or window display in a terminal, or with `--plain` one line per call
//! (`TICKET<TAB>WINDOW<TAB>called|recalled`) for LED boards and speaker boxes. With `--clips DIR` it also
//! says every call on the box's speaker: the recorded clips of the call (the hall display's sequence,
//! [`display_client::voice`]) played one call after the other by `--play` (`aplay -q` by default).

// A terminal program prints its screen.
#![allow(clippy::print_stdout)]

use clap::Parser;
use display_client::{Board, Follower, ServerMessage, WireEvent};
use std::io::Write as _;
use std::path::PathBuf;
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
    /// A folder of voice clips (`zh/qing.wav`, ...: a copy of the server's `DATA/web/voice`, or the hall's own).
    #[arg(long)]
    clips: Option<PathBuf>,
    /// The languages said, in order.
    #[arg(long, default_value = "zh,en", value_delimiter = ',')]
    languages: Vec<String>,
    /// The program that plays WAV files given as arguments, in order.
    #[arg(long, default_value = "aplay -q")]
    play: String,
}

/// Plays each call's clips in turn on its own thread: the screen never waits for the speaker, and two
/// calls never overlap.
fn speaker(clips: PathBuf, languages: Vec<String>, play: String) -> std::sync::mpsc::Sender<(String, u16, bool)> {
    let (tx, rx) = std::sync::mpsc::channel::<(String, u16, bool)>();
    std::thread::spawn(move || {
        let mut words = play.split_whitespace();
        let Some(program) = words.next() else { return };
        let fixed: Vec<&str> = words.collect();
        for (ticket, window, recall) in rx {
            let files: Vec<PathBuf> = languages
                .iter()
                .filter_map(|l| display_client::voice::clips_for(&ticket, window, l, recall))
                .flatten()
                .map(|c| clips.join(format!("{c}.wav")))
                .collect();
            match std::process::Command::new(program).args(&fixed).args(&files).status() {
                Ok(status) if status.success() => {}
                Ok(status) => eprintln!("onewindow-display: {play} ended {status}"),
                Err(e) => eprintln!("onewindow-display: cannot run {program}: {e}"),
            }
        }
    });
    tx
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
        let voice = cli.clips.map(|dir| speaker(dir, cli.languages, cli.play));
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
            if let (Some(voice), Some((ticket, window))) = (&voice, &call) {
                let _ = voice.send((ticket.clone(), *window, kind == "recalled"));
            }
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
