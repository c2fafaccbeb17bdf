//! The real `onewindow` binary, started as an operator would (the release build when `ONEWINDOW_BIN`
//! points at it, as `scripts/test-all` does), with its log kept for the test to read.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use display_client::process::Launch;
pub use display_client::process::Served;
use std::path::{Path, PathBuf};

pub fn binary() -> PathBuf {
    std::env::var_os("ONEWINDOW_BIN").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_onewindow")), PathBuf::from)
}

/// Starts `onewindow serve --listen 127.0.0.1:0 --data DATA ARGS` (the shared helper of the tests, the
/// crash test and the bench); with `files`, under that open-file limit. Returns once it prints its
/// address, or the error output if it exits first.
pub fn serve(data: &Path, args: &[&str], files: Option<u32>) -> Result<Served, String> {
    let mut all: Vec<&std::ffi::OsStr> = vec!["--data".as_ref(), data.as_os_str()];
    all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
    Served::start(&binary(), &all, &Launch { log: Some("info"), files, ..Launch::default() })
}

/// A hall config: the demo hall with `rules` lines replaced, plus a supervisor, a kiosk, a clerk at
/// window 9 and a display with known tokens. Returns the file and the tokens by device name.
pub fn hall_config(dir: &Path, replace: &[(&str, &str)]) -> (PathBuf, Vec<(String, String)>) {
    let mut text = onewindow::config::DEMO_HALL_TOML.to_owned();
    for (from, to) in replace {
        assert!(text.contains(from), "the demo hall has `{from}`");
        text = text.replace(from, to);
    }
    let mut tokens = Vec::new();
    for (name, role, windows) in [
        ("supervisor", kiosk_protocol::Role::Supervisor, vec![]),
        ("kiosk-1", kiosk_protocol::Role::Kiosk, vec![]),
        ("clerk-w9", kiosk_protocol::Role::Clerk, vec![9]),
        ("display-hall", kiosk_protocol::Role::Display, vec![]),
    ] {
        let (token, block) = onewindow::launch::new_device_block(name, role, &windows);
        text.push_str(&block);
        tokens.push((name.to_owned(), token));
    }
    let path = dir.join("hall.toml");
    std::fs::write(&path, text).unwrap();
    (path, tokens)
}

/// Runs `onewindow ARGS` to its end with `input` on its stdin (a pipe, not a terminal: how a script gives
/// a PIN).
pub fn run_with_input(args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run onewindow");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("onewindow ends")
}
