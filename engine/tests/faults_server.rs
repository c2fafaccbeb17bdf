//! Faults seen from outside an in-process server, over real sockets (issue 11): a disk that fills and
//! heals (finding 4), a wall clock that jumps (5), a hall day left in the future (5), idle and partial
//! connections (7), and WebSocket frames that break the protocol (8).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;

use client::{becomes_healthy, code_of, test_clock, TestServer};
use kiosk_protocol::ErrorCode;
use onewindow::config::{self, Limits};
use onewindow::store::faults::{Fault, Faults};
use onewindow::store::{MemoryStore, RedbStore, Store};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;

/// Connects from a chosen loopback address (127.0.0.x), so per-address caps can be told apart.
async fn connect_from(local: [u8; 4], addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.bind(SocketAddr::from((local, 0))).expect("bind");
    socket.connect(addr).await.expect("connect")
}

async fn http_get_from(local: [u8; 4], addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut stream = connect_from(local, addr).await;
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut out)).await.ok()?.ok()?;
    let status = out.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, out))
}

/// Whether the server closes `stream` (EOF or reset) within `within`, sending nothing else first.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 256];
    matches!(tokio::time::timeout(within, stream.read(&mut buf)).await, Ok(Ok(0) | Err(_)))
}

fn waiting_tax(snapshot: &Value) -> Option<i64> {
    snapshot["hall"]["matters"].as_array()?.iter().find(|m| m["key"] == "tax")?["waiting"].as_i64()
}

/// The hall now: the snapshot `get_state` sends just before its reply (earlier ones are skipped).
async fn snapshot(client: &mut client::Client) -> Value {
    client.send_json(&json!({"id": 900, "type": "get_state"})).await;
    let mut last = Value::Null;
    loop {
        let msg = client.next_json().await;
        if msg["type"] == "snapshot" {
            last = msg;
        } else if msg["type"] == "reply" && msg["id"] == 900 {
            return last;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_then_heals_by_itself_without_a_restart() {
    let dir = std::env::temp_dir().join(format!("onewindow-full-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ledger.redb");
    let _ = std::fs::remove_file(&path);
    let faults = Faults::none();
    let (ledger, _) = RedbStore::create(&path, faults.clone()).unwrap();
    let ledger: Arc<dyn Store> = Arc::new(ledger);
    let server = TestServer::launch(
        Limits::default(),
        ledger,
        MemoryStore::new(),
        config::demo().unwrap(),
        test_clock(Arc::default()),
    )
    .await;
    let addr = server.running.addr;
    let mut kiosk = server.connect("kiosk-1", None).await;
    let first = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(first["result"]["ticket"]["number"], "E001", "{first}");

    faults.arm(0, Fault::Full);
    let refused = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(code_of(&refused), Some(ErrorCode::StorageUnavailable), "{refused}");
    let (status, body) = http_get_from([127, 0, 0, 1], addr, "/healthz").await.unwrap();
    assert_eq!(status, 503);
    assert!(body.contains("No space left"), "health says why: {body}");

    faults.heal();
    assert!(becomes_healthy(addr).await, "the server reopened the ledger by itself");
    let again = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(again["result"]["ticket"]["number"], "E002", "{again}");
    server.stop().await;

    let (reopened, info) = RedbStore::open(&path, None, Faults::none()).unwrap();
    let issued: Vec<String> = reopened
        .read_after(0, 100)
        .unwrap()
        .iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.wire).ok())
        .filter(|m| m["event"]["kind"] == "ticket_issued")
        .map(|m| m["event"]["ticket"]["number"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(issued, ["E001", "E002"], "ledger through seq {}", info.last_seq);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wall_clock_jumping_a_year_for_seconds_moves_nothing() {
    let offset = Arc::new(AtomicI64::new(0));
    let store = MemoryStore::new();
    let ledger = Arc::new(store.clone()) as Arc<dyn Store>;
    let server =
        TestServer::launch(Limits::default(), ledger, store, config::demo().unwrap(), test_clock(offset.clone())).await;
    let mut kiosk = server.connect("kiosk-1", None).await;
    let mut wall = server.connect("supervisor", None).await;
    assert_eq!(
        kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await["result"]["ticket"]["number"],
        "E001"
    );
    // The day is open once the first command was taken.
    let date = snapshot(&mut wall).await["hall"]["date"].clone();
    assert!(date.is_string(), "a day is open");

    offset.store(YEAR_MS, Ordering::SeqCst);
    let during = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(during["result"]["ticket"]["number"], "E002", "numbering goes on: {during}");
    let seen = snapshot(&mut wall).await;
    assert_eq!(seen["hall"]["date"], date, "the business day did not move");
    let warning = seen["hall"]["clock_warning"].as_str().unwrap_or_default().to_owned();
    assert!(warning.contains("时钟") && warning.contains("jumped"), "the supervisor sees the doubt: {}", seen["hall"]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    offset.store(0, Ordering::SeqCst);

    let after = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(after["result"]["ticket"]["number"], "E003", "{after}");
    let end = snapshot(&mut wall).await;
    assert_eq!(end["hall"]["date"], date);
    assert_eq!(waiting_tax(&end), Some(3), "nobody's ticket was closed");
    assert!(end["hall"].get("clock_warning").is_none(), "back in step");
    let kinds: Vec<Value> = server
        .store
        .read_after(0, 1000)
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str::<Value>(&r.wire).unwrap()["event"]["kind"].clone())
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "day_opened").count(), 1, "{kinds:?}");
    assert!(!kinds.iter().any(|k| k == "day_closed" || k == "ticket_closed"), "{kinds:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_opened_in_the_future_is_corrected_by_the_supervisor() {
    // A server once started with its clock a year ahead opened that day and issued a ticket.
    let store = MemoryStore::new();
    let ahead = Arc::new(AtomicI64::new(YEAR_MS));
    let ledger = Arc::new(store.clone()) as Arc<dyn Store>;
    let first =
        TestServer::launch(Limits::default(), ledger, store.clone(), config::demo().unwrap(), test_clock(ahead)).await;
    let mut kiosk = first.connect("kiosk-1", None).await;
    assert_eq!(
        kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await["result"]["ticket"]["number"],
        "E001"
    );
    drop(kiosk);
    first.stop().await;

    // Restarted on the right clock: the hall's day is ahead of the server's date, and stays so.
    let ledger = Arc::new(store.clone()) as Arc<dyn Store>;
    let server =
        TestServer::launch(Limits::default(), ledger, store, config::demo().unwrap(), test_clock(Arc::default())).await;
    let mut wall = server.connect("supervisor", None).await;
    let state = snapshot(&mut wall).await;
    let (date, today) = (state["hall"]["date"].clone(), state["hall"]["server_date"].clone());
    assert_ne!(date, today, "the supervisor sees the hall's day is not today: {}", state["hall"]);
    assert_eq!(wall.request(json!({"type": "close_day"})).await["type"], "reply");
    let mut kiosk = server.connect("kiosk-1", None).await;
    let closed = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(code_of(&closed), Some(ErrorCode::DayClosed), "{closed}");

    let wrong = wall.request(json!({"type": "set_hall_date", "date": "2030-01-01"})).await;
    assert_eq!(code_of(&wrong), Some(ErrorCode::BadRequest), "only the server's date: {wrong}");
    let fixed = wall.request(json!({"type": "set_hall_date", "date": today})).await;
    assert_eq!(fixed["type"], "reply", "{fixed}");
    let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(issued["result"]["ticket"]["number"], "E001", "today's numbering: {issued}");
    assert_eq!(snapshot(&mut wall).await["hall"]["date"], today);
    let again = wall.request(json!({"type": "set_hall_date", "date": today})).await;
    assert_eq!(code_of(&again), Some(ErrorCode::DayAlreadyOpen), "a day not ahead is not reopened: {again}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_partial_connections_are_capped_per_address_and_timed_out() {
    let limits = Limits { max_unauthenticated_per_ip: 4, ..Limits::default() };
    let server = TestServer::start(limits).await;
    let addr = server.running.addr;
    // Ten idle TCP connections from one address: four are held, the rest closed at once.
    let mut idle = Vec::new();
    for _ in 0..10 {
        idle.push(connect_from([127, 0, 0, 5], addr).await);
    }
    let mut closed_at_once = 0;
    for stream in &mut idle {
        if closed_within(stream, Duration::from_millis(500)).await {
            closed_at_once += 1;
        }
    }
    assert_eq!(closed_at_once, 6, "over the per-address cap, connections are refused");
    // Other addresses are not locked out.
    assert_eq!(http_get_from([127, 0, 0, 6], addr, "/healthz").await.map(|r| r.0), Some(200));

    // A request that never finishes its headers is closed by the server (header read timeout).
    let mut partial = connect_from([127, 0, 0, 7], addr).await;
    partial.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    assert!(closed_within(&mut partial, Duration::from_secs(30)).await, "a half-sent request is not held forever");
    // The idle ones went the same way, freeing their address.
    for stream in &mut idle {
        assert!(closed_within(stream, Duration::from_secs(30)).await, "an idle connection is not held forever");
    }
    assert_eq!(http_get_from([127, 0, 0, 5], addr, "/healthz").await.map(|r| r.0), Some(200));
    server.stop().await;
}

/// A raw WebSocket client: the handshake by hand, then frames exactly as a test writes them.
struct RawWs(TcpStream);

impl RawWs {
    async fn open(addr: SocketAddr) -> RawWs {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let handshake = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        stream.write_all(handshake.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            head.push(stream.read_u8().await.unwrap());
        }
        assert!(head.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&head));
        RawWs(stream)
    }

    /// Sends one frame: `first` is FIN, RSV and opcode; `masked` with a zero key (payload as is).
    async fn frame(&mut self, first: u8, payload: &[u8], masked: bool) {
        let mut out = vec![first];
        let mask = if masked { 0x80 } else { 0 };
        match payload.len() {
            n if n < 126 => out.push(mask | n as u8),
            n if n < 65_536 => {
                out.push(mask | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(mask | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        if masked {
            out.extend_from_slice(&[0, 0, 0, 0]);
        }
        out.extend_from_slice(payload);
        self.0.write_all(&out).await.unwrap();
    }

    /// The next frame from the server: (opcode, payload); `None` when the connection ends.
    async fn next(&mut self) -> Option<(u8, Vec<u8>)> {
        let read = async {
            let first = self.0.read_u8().await.ok()?;
            let len = match self.0.read_u8().await.ok()? & 0x7f {
                126 => u64::from(self.0.read_u16().await.ok()?),
                127 => self.0.read_u64().await.ok()?,
                n => u64::from(n),
            };
            let mut payload = vec![0; len as usize];
            self.0.read_exact(&mut payload).await.ok()?;
            Some((first & 0x0f, payload))
        };
        tokio::time::timeout(Duration::from_secs(10), read).await.ok()?
    }

    /// The close code the server sends, skipping other frames.
    async fn close_code(&mut self) -> Option<u16> {
        loop {
            let (opcode, payload) = self.next().await?;
            if opcode == 8 {
                return Some(u16::from_be_bytes([*payload.first()?, *payload.get(1)?]));
            }
        }
    }

    async fn hello(&mut self, token: &str) {
        let hello = json!({"id": 0, "type": "hello", "protocol": 1, "token": token}).to_string();
        self.frame(0x81, hello.as_bytes(), true).await;
        let (opcode, welcome) = self.next().await.unwrap();
        assert_eq!(opcode, 1);
        assert!(String::from_utf8_lossy(&welcome).contains("welcome"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frame_errors_close_with_the_rfc_6455_codes() {
    let server = TestServer::start(Limits::default()).await;
    let addr = server.running.addr;
    let token = server.token("display-hall");
    let cases: [(&str, u8, Vec<u8>, bool, u16); 7] = [
        ("invalid UTF-8 text", 0x81, vec![b'{', 0xff, 0xfe, b'}'], true, 1007),
        ("a reserved bit set", 0xC1, b"{}".to_vec(), true, 1002),
        ("a reserved opcode", 0x83, b"{}".to_vec(), true, 1002),
        ("a fragmented ping", 0x09, b"x".to_vec(), true, 1002),
        ("an unmasked client frame", 0x81, b"{}".to_vec(), false, 1002),
        ("a continuation with nothing to continue", 0x80, b"{}".to_vec(), true, 1002),
        ("a text frame over 16 KiB", 0x81, vec![b' '; 20 * 1024], true, 1009),
    ];
    for (what, first, payload, masked, code) in cases {
        let mut ws = RawWs::open(addr).await;
        ws.hello(&token).await;
        ws.frame(first, &payload, masked).await;
        assert_eq!(ws.close_code().await, Some(code), "{what}");
    }
    // Before hello too.
    let mut ws = RawWs::open(addr).await;
    ws.frame(0x81, &[0xc3, 0x28], true).await;
    assert_eq!(ws.close_code().await, Some(1007), "invalid UTF-8 before hello");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_ticket_leaves_no_masked_id_for_the_next_one() {
    // The refused ticket's internal id is handed out again after the ledger comes back: the clerk who
    // calls that next ticket must not see the first citizen's masked ID.
    let server = TestServer::start(Limits::default()).await;
    let addr = server.running.addr;
    let mut kiosk = server.connect("kiosk-1", None).await;
    server.store.set_failing(true);
    let refused =
        kiosk.request(json!({"type": "issue_ticket", "matter": "tax", "id_number": "11010519491231002X"})).await;
    assert_eq!(code_of(&refused), Some(ErrorCode::StorageUnavailable), "{refused}");
    server.store.set_failing(false);
    assert!(becomes_healthy(addr).await);
    let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(issued["result"]["ticket"]["number"], "E001", "{issued}");
    let mut clerk = server.connect("clerk-w9", None).await;
    clerk.request(json!({"type": "sign_in", "window": 9, "clerk": "c09", "pin": "1234"})).await;
    let called = clerk.request(json!({"type": "call_next", "window": 9})).await;
    assert_eq!(called["result"]["ticket"]["number"], "E001", "{called}");
    assert!(called["result"]["ticket"].get("id_masked").is_none(), "no one else's ID: {called}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_closes_reading_terminals_with_1001_whatever_the_others_do() {
    let server = TestServer::start(Limits::default()).await;
    let addr = server.running.addr;
    let mut display = server.connect("display-hall", None).await;
    let _snapshot = display.next_json().await;
    let mut partial = connect_from([127, 0, 0, 8], addr).await;
    partial.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    server.stop().await;
    assert_eq!(display.close_code().await, Some(1001), "a terminal that reads is told the server is stopping");
    assert!(closed_within(&mut partial, Duration::from_secs(5)).await, "the half-sent request was dropped");
}
