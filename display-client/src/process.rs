//! A `onewindow serve` child process, started as an operator would and stopped with it: for the tests
//! that run the real binary, the crash test, and the load bench. It waits for the `listening on ADDR`
//! line, keeps the error output (the log) for the caller to read, and kills the child when dropped.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How to start it.
#[derive(Debug, Clone, Default)]
pub struct Launch<'a> {
    /// `RUST_LOG` for the child (`info` when `None`).
    pub log: Option<&'a str>,
    /// The open-file limit (soft and hard, as `ulimit -n` sets it), if it should be lowered.
    pub files: Option<u32>,
    /// Where to listen (`127.0.0.1:0`, any free port, when `None`): a restart on the same address.
    pub listen: Option<&'a str>,
}

/// A running `onewindow serve`.
pub struct Served {
    /// The child.
    pub child: Child,
    /// The address it listens on (`127.0.0.1:PORT`).
    pub addr: String,
    log: Arc<Mutex<String>>,
}

impl Served {
    /// Runs `bin serve --listen 127.0.0.1:0 ARGS` (or the address `launch` names) and returns once it says where it listens; if it exits
    /// first, its error output.
    pub fn start<S: AsRef<OsStr>>(bin: &Path, args: &[S], launch: &Launch) -> Result<Served, String> {
        let mut command = match launch.files {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(format!("ulimit -n {n} && exec \"$0\" \"$@\"")).arg(bin);
                c
            }
            None => Command::new(bin),
        };
        let mut child = command
            .args(["serve", "--listen", launch.listen.unwrap_or("127.0.0.1:0")])
            .args(args)
            .env("RUST_LOG", launch.log.unwrap_or("info"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let log = Arc::new(Mutex::new(String::new()));
        let (Some(mut stderr), Some(stdout)) = (child.stderr.take(), child.stdout.take()) else {
            return Err("no pipes to the child".into());
        };
        let sink = log.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut log) = sink.lock() {
                    log.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        let mut lines = BufReader::new(stdout).lines();
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
                    return Err(log.lock().map(|l| l.clone()).unwrap_or_default());
                }
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(Served { child, addr, log })
    }

    /// `ws://ADDR/ws`.
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Sends SIGTERM (what an operator's `systemctl stop` does); whether the signal was delivered.
    pub fn terminate(&self) -> bool {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().is_ok_and(|s| s.success())
    }

    /// Waits up to `wait` for the process to exit; whether it did.
    pub fn exited_within(&mut self, wait: Duration) -> bool {
        let deadline = std::time::Instant::now() + wait;
        while std::time::Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// Kills it at once (a power cut, as far as the ledger can tell) and waits for it to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}
