//! The real `onewindow` binary, started as an operator would (the release build when `ONEWINDOW_BIN`
//! points at it, as `scripts/test-all` does), with its log kept for the test to read.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

pub fn binary() -> PathBuf {
    std::env::var_os("ONEWINDOW_BIN").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_onewindow")), PathBuf::from)
}

/// A running `onewindow serve`.
pub struct Served {
    pub child: Child,
    pub addr: String,
    /// Everything it logged so far.
    pub log: Arc<Mutex<String>>,
}

impl Served {
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Waits up to `secs` for the process to exit; whether it did.
    pub fn exited_within(&mut self, secs: u64) -> bool {
        for _ in 0..secs * 10 {
            if self.child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `onewindow serve --listen 127.0.0.1:0 --data DATA ARGS`; with `files`, under that open-file
/// limit (soft and hard, as `ulimit -n` sets it). Returns once it prints its address, or the error
/// output if it exits first.
pub fn serve(data: &Path, args: &[&str], files: Option<u32>) -> Result<Served, String> {
    let mut command = match files {
        Some(n) => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(format!("ulimit -n {n} && exec \"$0\" \"$@\"")).arg(binary());
            c
        }
        None => Command::new(binary()),
    };
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start onewindow");
    let log = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().unwrap();
    let sink = log.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(addr) = line.trim().strip_prefix("listening on ") {
                    break addr.to_owned();
                }
            }
            _ => {
                let _ = child.wait();
                let _ = reader.join();
                return Err(log.lock().unwrap().clone());
            }
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok(Served { child, addr, log })
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
