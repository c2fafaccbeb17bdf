//! The client against a real `onewindow serve` (ONEWINDOW_BIN, or the workspace's debug build).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use display_client::process::{Launch, Served};
use display_client::protocol::vocab::Outcome;
use display_client::protocol::{ReplyResult, RequestBody};
use display_client::{Connection, Follower, ServerMessage, WireEvent};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    served: Served,
    url: String,
    data: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.served.kill();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

fn serve(name: &str) -> Server {
    let bin = std::env::var_os("ONEWINDOW_BIN")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/onewindow"), PathBuf::from);
    assert!(bin.exists(), "build onewindow first (cargo build), or set ONEWINDOW_BIN: {}", bin.display());
    let data = std::env::temp_dir().join(format!("onewindow-display-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let served = Served::start(&bin, &[OsStr::new("--data"), data.as_os_str()], &Launch::default()).expect("serve");
    Server { url: served.url(), served, data }
}

fn token(server: &Server, device: &str) -> String {
    let text = std::fs::read_to_string(server.data.join("demo-tokens.txt")).unwrap();
    let line = text.lines().find(|l| l.starts_with(&format!("{device} "))).unwrap();
    line.split_whitespace().nth(3).unwrap().to_owned()
}

fn ticket_number(result: &ReplyResult) -> String {
    match result {
        ReplyResult::Ticket { ticket } => ticket.number.clone(),
        other => panic!("not a ticket: {other:?}"),
    }
}

async fn issue_and_call(kiosk: &mut Connection, clerk: &mut Connection) -> String {
    let issue = RequestBody::IssueTicket { matter: "tax".into(), green: None, id_number: None };
    let number = ticket_number(&kiosk.request(&issue).await.unwrap().1);
    let (_, called) = clerk.request(&RequestBody::CallNext { window: 9 }).await.unwrap();
    assert_eq!(ticket_number(&called), number);
    clerk.request(&RequestBody::Finish { window: 9, outcome: Outcome::Completed }).await.unwrap();
    number
}

fn sign_in() -> RequestBody {
    RequestBody::SignIn { window: 9, clerk: "c09".into(), pin: "1234".into() }
}

/// The calls among the next messages, up to and including the call of `last`.
async fn calls_until(follower: &mut Follower, last: &str) -> Vec<(u64, String)> {
    let mut calls = Vec::new();
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), follower.next()).await.expect("in time").unwrap();
        if let ServerMessage::Event { seq, event: WireEvent::TicketCalled { ticket, .. }, .. } = message {
            let done = ticket == last;
            calls.push((seq, ticket));
            if done {
                return calls;
            }
        }
    }
}

#[tokio::test]
async fn a_follower_sees_every_call_once_across_a_dropped_connection() {
    let server = serve("follow");
    let mut follower = Follower::new(server.url.clone(), token(&server, "display-hall"));
    assert!(matches!(follower.next().await.unwrap(), ServerMessage::Snapshot { .. }));
    let mut kiosk = Connection::open(&server.url, &token(&server, "kiosk-1"), None).await.unwrap();
    let mut clerk = Connection::open(&server.url, &token(&server, "clerk-w9"), None).await.unwrap();
    clerk.request(&sign_in()).await.unwrap();

    let first = issue_and_call(&mut kiosk, &mut clerk).await;
    assert_eq!(calls_until(&mut follower, &first).await.last().map(|c| c.1.clone()), Some(first));
    let before = follower.last_seq().unwrap();

    follower.drop_connection();
    let second = issue_and_call(&mut kiosk, &mut clerk).await;
    let third = issue_and_call(&mut kiosk, &mut clerk).await;
    let missed = calls_until(&mut follower, &third).await;
    let tickets: Vec<&str> = missed.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(tickets, [second.as_str(), third.as_str()], "both calls, once, in order");
    assert!(missed[0].0 > before, "nothing delivered twice");

    // A refused token is an error, not an endless retry.
    let mut wrong = Follower::new(server.url.clone(), "ow_wrong");
    assert!(wrong.next().await.is_err());
}

#[tokio::test]
async fn the_plain_display_prints_one_line_per_call() {
    let server = serve("plain");
    let (number, line, display) = a_call_on_a_plain_display(&server, &[]).await;
    stop(display);
    assert_eq!(line, format!("{number}\t9\tcalled"));
}

/// Starts `onewindow-display --plain EXTRA…`, calls one ticket at window 9 once it is connected, and
/// returns the ticket, the line the display printed for it, and the display, still running.
async fn a_call_on_a_plain_display(server: &Server, extra: &[&OsStr]) -> (String, String, Child) {
    let mut display = Command::new(env!("CARGO_BIN_EXE_onewindow-display"))
        .args(["--plain", "--url", &server.url, "--token", &token(server, "display-hall")])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start onewindow-display");
    let mut lines = BufReader::new(display.stdout.take().unwrap()).lines();
    let mut kiosk = Connection::open(&server.url, &token(server, "kiosk-2"), None).await.unwrap();
    let mut clerk = Connection::open(&server.url, &token(server, "clerk-w9"), None).await.unwrap();
    clerk.request(&sign_in()).await.unwrap();
    until_a_display_is_connected(server).await;
    let number = issue_and_call(&mut kiosk, &mut clerk).await;
    let line = tokio::task::spawn_blocking(move || lines.next()).await.unwrap().expect("a line").unwrap();
    (number, line, display)
}

fn stop(mut display: Child) {
    let _ = display.kill();
    let _ = display.wait();
}

/// Call only once the display is connected (the server counts it), so the call is live for it.
async fn until_a_display_is_connected(server: &Server) {
    let http = server.url.trim_start_matches("ws://").trim_end_matches("/ws").to_owned();
    for _ in 0..200 {
        let metrics = tokio::task::spawn_blocking({
            let http = http.clone();
            move || {
                use std::io::{Read, Write};
                let mut s = std::net::TcpStream::connect(&http).ok()?;
                s.write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").ok()?;
                let mut text = String::new();
                s.read_to_string(&mut text).ok()?;
                Some(text)
            }
        })
        .await
        .unwrap()
        .unwrap_or_default();
        if metrics.contains("onewindow_connections{role=\"display\"} 1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn with_clips_the_display_says_each_call_with_the_clips_in_order() {
    let server = serve("voice");
    let clips = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/web/voice");
    // The player: records the files it is given, one line per call (no sound card needed).
    let said = server.data.join("said.txt");
    let player = server.data.join("player.sh");
    std::fs::write(&player, format!("#!/bin/sh\necho \"$@\" >> {}\n", said.display())).unwrap();
    std::fs::set_permissions(&player, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let extra = [OsStr::new("--play"), player.as_os_str(), OsStr::new("--clips"), clips.as_os_str()];
    // The player runs on its own thread and may finish after the line is printed: wait for what it said.
    let (number, _, display) = a_call_on_a_plain_display(&server, &extra).await;
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&said).unwrap_or_default();
        if !text.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop(display);
    let expected: Vec<String> = ["zh", "en"]
        .iter()
        .flat_map(|l| display_client::voice::clips_for(&number, 9, l, false).unwrap())
        .map(|c| clips.join(format!("{c}.wav")).display().to_string())
        .collect();
    assert_eq!(text.trim_end(), expected.join(" "));
    for file in &expected {
        assert!(Path::new(file).exists(), "{file} is shipped");
    }
}
