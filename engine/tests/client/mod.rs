//! A test terminal over a real socket (the protocol's Rust client, `display-client`), and an in-process
//! server on 127.0.0.1:0.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use display_client::{Connection, FrameKind, Socket};
use kiosk_protocol::{ErrorCode, ServerMessage};
use onewindow::auth::IdKeys;
use onewindow::config::{self, Limits};
use onewindow::core::Timestamp;
use onewindow::launch;
use onewindow::server::{self, writer::Clock, Running};
use onewindow::store::{MemoryStore, Store};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// An in-process demo-hall server with its demo tokens.
pub struct TestServer {
    pub running: Running,
    pub store: MemoryStore,
    pub tokens: PathBuf,
    dir: PathBuf,
}

impl TestServer {
    pub async fn start(limits: Limits) -> TestServer {
        let store = MemoryStore::new();
        TestServer::start_with(limits, store).await
    }

    pub async fn start_with(limits: Limits, store: MemoryStore) -> TestServer {
        TestServer::start_hall(limits, store, config::demo().unwrap()).await
    }

    /// A server on `hall` (the demo hall changed by a test), with demo tokens.
    pub async fn start_hall(limits: Limits, store: MemoryStore, hall: onewindow::core::HallConfig) -> TestServer {
        let ledger = Arc::new(store.clone()) as Arc<dyn Store>;
        TestServer::launch(limits, ledger, store, hall, test_clock(Arc::default())).await
    }

    /// The demo hall on any ledger and clock (`store` is what `self.store` refers to: pass the ledger
    /// itself when it is a `MemoryStore`).
    pub async fn launch(
        limits: Limits,
        ledger: Arc<dyn Store>,
        store: MemoryStore,
        hall: onewindow::core::HallConfig,
        clock: onewindow::server::writer::Clock,
    ) -> TestServer {
        TestServer::launch_controlled(limits, ledger, store, hall, clock, None).await
    }

    /// [`TestServer::launch`] with an operator's control socket in [`TestServer::dir`], reading the
    /// configuration with `reload`.
    pub async fn launch_controlled(
        limits: Limits,
        ledger: Arc<dyn Store>,
        store: MemoryStore,
        hall: onewindow::core::HallConfig,
        clock: onewindow::server::writer::Clock,
        reload: Option<server::control::Reloader>,
    ) -> TestServer {
        TestServer::launch_keyed(limits, ledger, store, hall, clock, reload, None).await
    }

    /// [`TestServer::launch_controlled`] with the ID-hash keys given (kept across restarts, as the key
    /// file is), or new ones in memory.
    pub async fn launch_keyed(
        limits: Limits,
        ledger: Arc<dyn Store>,
        store: MemoryStore,
        hall: onewindow::core::HallConfig,
        clock: onewindow::server::writer::Clock,
        reload: Option<server::control::Reloader>,
        keys: Option<Arc<IdKeys>>,
    ) -> TestServer {
        TestServer::launch_gateway(limits, ledger, store, hall, clock, reload, keys, None).await
    }

    /// [`TestServer::launch_keyed`] sending messages through `gateway`.
    #[allow(clippy::too_many_arguments)]
    pub async fn launch_gateway(
        limits: Limits,
        ledger: Arc<dyn Store>,
        store: MemoryStore,
        hall: onewindow::core::HallConfig,
        clock: onewindow::server::writer::Clock,
        reload: Option<server::control::Reloader>,
        keys: Option<Arc<IdKeys>>,
        gateway: Option<server::gateway::Gateway>,
    ) -> TestServer {
        let dir = std::env::temp_dir().join(format!("onewindow-it-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let tokens = dir.join("demo-tokens.txt");
        let devices = launch::demo_devices(&hall, &tokens).unwrap();
        let languages = config::default_languages();
        let running = server::start(server::Options {
            config: hall,
            devices,
            pins: config::parse_full(config::DEMO_HALL_TOML).expect("demo hall").1.pins,
            limits,
            languages,
            terminals: config::Terminals::default(),
            store: ledger,
            hasher: keys.unwrap_or_else(|| Arc::new(IdKeys::in_memory())),
            web: dir.join("web"),
            plan: dir.join("plan"),
            listen: "127.0.0.1:0".parse().unwrap(),
            control: reload.map(|r| (dir.join("control.sock"), r)),
            clock,
            gateway,
            export: None,
        })
        .await
        .expect("server starts");
        TestServer { running, store, tokens, dir }
    }

    /// The server's own folder (its pages, demo tokens and control socket).
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    pub fn token(&self, device: &str) -> String {
        launch::demo_token(&self.tokens, device).expect("demo device")
    }

    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.running.addr)
    }

    /// Connects and says hello as `device`; returns the client after the welcome.
    pub async fn connect(&self, device: &str, since: Option<u64>) -> Client {
        let mut client = Client::open(&self.url()).await;
        let mut hello = json!({"id": 0, "type": "hello", "protocol": 1, "token": self.token(device)});
        if let Some(since) = since {
            hello["since"] = json!(since);
        }
        client.send_json(&hello).await;
        let welcome = client.next_json().await;
        assert_eq!(welcome["result"]["kind"], "welcome", "{welcome}");
        client
    }

    pub async fn stop(self) {
        self.running.stop().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The local business morning every in-process server starts at: 2026-03-02 10:00 at +08:00, far from
/// midnight, so no test depends on the date or hour it runs at.
pub const TEST_MORNING: Timestamp = Timestamp(1_772_416_800_000);

/// The test's own clock: [`TEST_MORNING`], advanced by the monotonic clock as the test runs, plus
/// `offset` (ms), which a test moves to make the wall clock jump.
pub fn test_clock(offset: Arc<AtomicI64>) -> Clock {
    let started = std::time::Instant::now();
    Arc::new(move || {
        let elapsed = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        TEST_MORNING.plus_ms(elapsed + offset.load(Ordering::SeqCst))
    })
}

/// Unique within the process (two servers of one test can start in the same nanosecond) and across
/// runs.
fn rand_suffix() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    format!("{nanos}-{}", NEXT.fetch_add(1, Ordering::SeqCst))
}

/// One terminal, on the protocol's Rust client, speaking JSON: the tests read the wire as the docs
/// describe it.
pub struct Client {
    pub conn: Connection,
    /// Events seen, in order.
    pub events: Vec<Value>,
    /// The latest `estimates` message seen.
    pub estimates: Option<Value>,
}

/// How long a test waits for any one message: longer than any server timeout a test waits for.
const WAIT: Duration = Duration::from_secs(10);

impl Client {
    pub async fn open(url: &str) -> Client {
        Client::from_connection(Connection::connect(url).await.expect("connect"))
    }

    pub fn from_socket(ws: Socket) -> Client {
        Client::from_connection(Connection::from_socket(ws))
    }

    pub fn from_connection(conn: Connection) -> Client {
        Client { conn, events: Vec::new(), estimates: None }
    }

    /// Sends a WebSocket message as it is.
    pub async fn raw(&mut self, message: Message) {
        self.conn.sender().send_raw(message).await.expect("send");
    }

    /// Sends; `None` if the socket is gone.
    pub async fn try_send(&mut self, value: &Value) -> Option<()> {
        self.conn.sender().send_text(&value.to_string()).await.ok()
    }

    /// The next JSON text message; `None` when the socket ends or nothing comes within 10 s.
    pub async fn try_next(&mut self) -> Option<Value> {
        self.try_next_within(WAIT).await
    }

    /// The next JSON text message within `wait` (estimates kept aside); `None` when the socket ends or
    /// time runs out.
    pub async fn try_next_within(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let frame = tokio::time::timeout(wait, self.conn.next()).await.ok()?.ok()?;
            if frame.kind() == FrameKind::Estimates {
                self.estimates = Some(frame.json());
                continue;
            }
            return Some(frame.json());
        }
    }

    /// A request and its reply or error; `None` if the socket dies first.
    pub async fn try_request(&mut self, body: Value) -> Option<Value> {
        let id = self.conn.sender().send_json(body).await.ok()?;
        let answer = tokio::time::timeout(WAIT, self.conn.answer(id)).await.ok()?.ok()?;
        self.keep_queued();
        Some(answer.json())
    }

    /// Sends exactly this JSON (its own `id`, if any).
    pub async fn send_json(&mut self, value: &Value) {
        self.try_send(value).await.expect("send");
    }

    /// The next JSON text message, within 10 s; `estimates` messages (sent whenever the waits change)
    /// are kept aside in `estimates`.
    pub async fn next_json(&mut self) -> Value {
        self.try_next().await.expect("a message within 10 s")
    }

    /// The next JSON text message of any type, within 10 s.
    pub async fn next_message(&mut self) -> Value {
        let frame = tokio::time::timeout(WAIT, self.conn.next()).await.expect("a message within 10 s");
        frame.expect("socket open").json()
    }

    /// The next message that is not an event (a reply or an error), keeping events.
    pub async fn next_answer(&mut self) -> Value {
        loop {
            let msg = self.next_json().await;
            if msg["type"] == "event" {
                self.events.push(msg);
            } else {
                return msg;
            }
        }
    }

    /// Sends a request (its `id` set by the client) and returns its reply or error, keeping events
    /// that arrive before it (other messages before it are dropped).
    pub async fn request(&mut self, body: Value) -> Value {
        let id = self.conn.sender().send_json(body).await.expect("send");
        let answer = tokio::time::timeout(WAIT, self.conn.answer(id)).await.expect("an answer within 10 s");
        self.keep_queued();
        answer.expect("socket open").json()
    }

    /// Moves what arrived before an answer where `next_answer` would have put it.
    fn keep_queued(&mut self) {
        for frame in self.conn.take_queued() {
            match frame.kind() {
                FrameKind::Event => self.events.push(frame.json()),
                FrameKind::Estimates => self.estimates = Some(frame.json()),
                _ => {}
            }
        }
    }

    /// Events until one satisfies `until` (inclusive).
    pub async fn events_until(&mut self, until: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let msg = self.next_json().await;
            if msg["type"] == "event" {
                let done = until(&msg);
                self.events.push(msg.clone());
                seen.push(msg);
                if done {
                    return seen;
                }
            }
        }
    }

    /// The close code the server ends with, within 10 s.
    pub async fn close_code(&mut self) -> Option<u16> {
        let closed = tokio::time::timeout(WAIT, self.conn.close_code()).await;
        closed.expect("the server closes within 10 s").ok().flatten()
    }
}

/// The error code of an error message, if it is one.
pub fn code_of(msg: &Value) -> Option<ErrorCode> {
    match serde_json::from_value::<ServerMessage>(msg.clone()).ok()? {
        ServerMessage::Error { code, .. } => Some(code),
        _ => None,
    }
}

/// `GET path` on a fresh connection (with a bearer token if given): the status and the body.
pub async fn http_get(addr: std::net::SocketAddr, path: &str, auth: Option<&str>) -> (u16, String) {
    http(addr, "GET", path, auth, None).await
}

/// `method path` on a fresh connection, with a bearer token and a JSON body if given: the status and
/// the body.
pub async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    auth: Option<&str>,
    json: Option<&str>,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let auth = auth.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let body = json.map_or_else(String::new, |b| {
        format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}", b.len())
    });
    let end = if json.is_some() { "" } else { "\r\n" };
    let request = format!("{method} {path} HTTP/1.1\r\nHost: test\r\n{auth}Connection: close\r\n{end}{body}");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// Whether `/healthz` answers 200 within 10 s, asking every 100 ms.
pub async fn becomes_healthy(addr: std::net::SocketAddr) -> bool {
    for _ in 0..100 {
        if http_get(addr, "/healthz", None).await.0 == 200 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Every file under `dir`, at any depth, with its bytes (what a copy of the directory would hold).
pub fn files_under(dir: &std::path::Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}
