//! Three halls and the province view over a real three-node NATS JetStream cluster with a replicated
//! (R3) stream (docs/events.md, docs/operations.md "A province"). In the middle of a busy day one NATS
//! node is killed, then the whole cluster, which is started again, then a hall and the province view
//! are restarted. In the end the province's counts equal each hall's own report, every `seq` of every
//! hall was applied exactly once, and no message in the stream carries an ID number, a masked ID or a
//! phone number.
//!
//! Needs Debian's `nats-server` (scripts/test-all installs it) and the release `onewindow-province`
//! (`ONEWINDOW_PROVINCE_BIN`, set by scripts/test-all).

#![allow(clippy::unwrap_used)]

mod binary;
mod client;

use client::Client;
use display_client::process::{Launch, Served};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Tuesday 2026-10-13, 10:00 in the hall (UTC+8): a business day, the hall open.
const FROM_MS: i64 = 1_791_856_800_000;
const DATE: &str = "2026-10-13";
const ID_NUMBER: &str = "530102199001011231";
const PHONE: &str = "13800138000";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn province_binary() -> PathBuf {
    std::env::var_os("ONEWINDOW_PROVINCE_BIN")
        .map_or_else(|| binary::binary().with_file_name("onewindow-province"), PathBuf::from)
}

/// A three-node JetStream cluster on loopback.
struct Cluster {
    dir: PathBuf,
    ports: Vec<(u16, u16)>,
    nodes: Vec<Option<Child>>,
}

impl Cluster {
    fn new(dir: &Path) -> Cluster {
        let ports = (0..3).map(|_| (free_port(), free_port())).collect();
        let mut c = Cluster { dir: dir.to_owned(), ports, nodes: vec![None, None, None] };
        for i in 0..3 {
            c.start(i);
        }
        c
    }

    fn urls(&self) -> String {
        self.ports.iter().map(|(p, _)| format!("nats://127.0.0.1:{p}")).collect::<Vec<_>>().join(",")
    }

    fn start(&mut self, i: usize) {
        let routes: Vec<String> = self.ports.iter().map(|(_, r)| format!("nats://127.0.0.1:{r}")).collect();
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join(format!("n{i}.log"))).unwrap();
        let child = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &self.ports[i].0.to_string(), "-n", &format!("n{i}")])
            .args(["-sd", self.dir.join(format!("n{i}")).to_str().unwrap(), "--cluster_name", "province"])
            .args(["--cluster", &format!("nats://127.0.0.1:{}", self.ports[i].1), "--routes", &routes.join(",")])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("nats-server runs (apt install nats-server; scripts/test-all does)");
        self.nodes[i] = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.ports[i].0)).is_err() {
            assert!(Instant::now() < deadline, "nats node {i} did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        (0..3).for_each(|i| self.kill(i));
    }
}

/// One hall: the real binary on its own data, exporting to the cluster.
struct Hall {
    id: String,
    data: PathBuf,
    config: PathBuf,
    tokens: Vec<(String, String)>,
    served: Option<Served>,
    started: Instant,
}

impl Hall {
    fn new(dir: &Path, id: &str, nats: &str) -> Hall {
        let dir = dir.join(id);
        std::fs::create_dir_all(&dir).unwrap();
        let (config, tokens) = binary::hall_config(&dir, &[]);
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str(&format!("\n[export]\nnats_url = \"{nats}\"\nhall_id = \"{id}\"\n"));
        std::fs::write(&config, text).unwrap();
        let mut hall =
            Hall { id: id.into(), data: dir.join("data"), config, tokens, served: None, started: Instant::now() };
        hall.start();
        hall
    }

    /// Starts (again) with the hall's clock where it would be had it run all along.
    fn start(&mut self) {
        let now = FROM_MS + self.started.elapsed().as_millis() as i64;
        let args = ["--config", self.config.to_str().unwrap(), "--clock-from", &now.to_string()];
        self.served = Some(binary::serve(&self.data, &args, None).expect("the hall starts"));
    }

    fn stop(&mut self) {
        let mut served = self.served.take().unwrap();
        assert!(served.terminate());
        assert!(served.exited_within(Duration::from_secs(20)), "the hall stops");
    }

    fn token(&self, device: &str) -> &str {
        &self.tokens.iter().find(|(d, _)| d == device).unwrap().1
    }

    fn addr(&self) -> &str {
        &self.served.as_ref().unwrap().addr
    }

    async fn connect(&self, device: &str) -> Client {
        let mut c = Client::open(&format!("ws://{}/ws", self.addr())).await;
        c.conn.hello(self.token(device), None).await.expect("hello");
        c
    }

    async fn get(&self, path: &str) -> Value {
        http_json(self.addr(), path, Some(self.token("supervisor"))).await
    }

    /// A round of a busy day: tickets (the first with an ID number, if `id`), calls, services, a no-show.
    async fn round(&self, n: usize, id: bool) {
        let mut kiosk = self.connect("kiosk-1").await;
        let mut clerk = self.connect("clerk-w9").await;
        clerk.request(json!({"type": "sign_in", "window": 9, "clerk": "c09", "pin": "1234"})).await;
        for i in 0..n {
            let mut issue = json!({"type": "issue_ticket", "matter": if i % 2 == 0 { "tax" } else { "real_estate" }});
            if id && i == 0 {
                issue["id_number"] = json!(ID_NUMBER);
            }
            let reply = kiosk.request(issue).await;
            assert_eq!(reply["type"], "reply", "{reply}");
        }
        for i in 0..n {
            let called = clerk.request(json!({"type": "call_next", "window": 9})).await;
            if called["type"] != "reply" {
                break;
            }
            let end = if i == 1 {
                json!({"type": "no_show", "window": 9})
            } else {
                json!({"type": "finish", "window": 9, "outcome": "completed"})
            };
            assert_eq!(clerk.request(end).await["type"], "reply");
        }
    }
}

impl Drop for Hall {
    fn drop(&mut self) {
        if let Some(mut s) = self.served.take() {
            s.kill();
        }
    }
}

/// `GET path` on `addr`, as JSON.
async fn http_json(addr: &str, path: &str, token: Option<&str>) -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}\n{body}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

fn province(dir: &Path, nats: &str, port: u16) -> Served {
    let listen = format!("127.0.0.1:{port}");
    let data = dir.join("province");
    let args = ["--nats", nats, "--replicas", "3", "--data", data.to_str().unwrap()];
    Served::start(&province_binary(), &args, &Launch { log: Some("info"), listen: Some(&listen), ..Launch::default() })
        .expect("the province view starts")
}

/// Waits until the province has applied every hall's last event.
async fn caught_up(halls: &[Hall], province: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mut behind = Vec::new();
        let seen = http_json(province, "/api/halls", None).await;
        for h in halls {
            let last = h.get("/api/export").await["lag"]["last"].as_u64().unwrap();
            let at =
                seen["halls"].as_array().unwrap().iter().find(|r| r["id"] == h.id.as_str()).map(|r| r["seq"].clone());
            if at != Some(json!(last)) {
                behind.push(format!("{}: {at:?} of {last}", h.id));
            }
        }
        if behind.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "the province did not catch up: {behind:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_halls_and_the_province_through_node_kill_cluster_restart_and_hall_restart() {
    let dir = std::env::temp_dir().join(format!("onewindow-province-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut cluster = Cluster::new(&dir);
    let nats = cluster.urls();
    let port = free_port();
    let mut view = province(&dir, &nats, port);
    let addr = format!("127.0.0.1:{port}");
    let mut halls: Vec<Hall> =
        ["km-wuhua", "qj-qilin", "dl-dali"].iter().map(|id| Hall::new(&dir, id, &nats)).collect();
    for h in &halls {
        h.round(6, true).await;
    }
    // The notice a supervisor posts may hold a phone number: it reaches the province masked.
    let mut supervisor = halls[0].connect("supervisor").await;
    let posted = supervisor.request(json!({"type": "post_notice", "text": format!("咨询电话 {PHONE}")})).await;
    assert_eq!(posted["type"], "reply", "{posted}");
    drop(supervisor);

    // One node dies in the middle of the day: R3 keeps the stream.
    cluster.kill(1);
    for h in &halls {
        h.round(4, false).await;
    }
    cluster.start(1);
    // The whole cluster dies: the halls keep working, their exports wait.
    (0..3).for_each(|i| cluster.kill(i));
    for h in &halls {
        h.round(4, false).await;
    }
    let lag = halls[0].get("/api/export").await;
    assert!(lag["lag"]["lag_events"].as_u64().unwrap() > 0, "events wait while the cluster is down: {lag}");
    (0..3).for_each(|i| cluster.start(i));
    // A hall and the province view restart.
    halls[1].stop();
    halls[1].start();
    assert!(view.terminate() && view.exited_within(Duration::from_secs(20)), "the province view stops");
    for h in &halls {
        h.round(4, false).await;
    }
    view = province(&dir, &nats, port);
    caught_up(&halls, &addr).await;

    // Every seq once: applied = the sum of the halls' last seqs, no gap.
    let stats = http_json(&addr, "/api/stats", None).await;
    let seen = http_json(&addr, "/api/halls", None).await;
    for row in seen["halls"].as_array().unwrap() {
        assert_eq!(row["gaps"], 0, "{row}");
    }
    let mut last_total = 0;
    for h in &halls {
        last_total += h.get("/api/export").await["lag"]["last"].as_u64().unwrap();
    }
    // The restarted view counts only what it applied after its restart; its store has all of them.
    let kpi = http_json(&addr, &format!("/api/kpi?period={DATE}&by=hall"), None).await;
    for h in &halls {
        let report = h.get(&format!("/api/report?period={DATE}")).await;
        let own = &report["total"];
        let row = kpi["rows"].as_array().unwrap().iter().find(|r| r["key"] == h.id.as_str()).expect("the hall's row");
        for (theirs, ours) in [
            ("issued", "issued"),
            ("served", "served"),
            ("called", "called"),
            ("no_shows", "no_shows"),
            ("cancelled", "cancelled"),
            ("rated", "rated"),
        ] {
            assert_eq!(row["counts"][ours], own[theirs], "{}: {ours} (province {row}, hall {own})", h.id);
        }
        for (theirs, ours) in [("wait_mean_s", "wait_mean_s"), ("handling_mean_s", "handling_mean_s")] {
            let (a, b) = (row[ours].as_f64().unwrap(), own[theirs].as_f64().unwrap());
            // The hall's report rounds times to a tenth of a second.
            assert!((a - b).abs() <= 0.05 + 1e-9, "{}: {ours} province {a} hall {b}", h.id);
        }
        assert!(own["issued"].as_u64().unwrap() >= 18, "a busy day: {own}");
    }
    let by_province = http_json(&addr, "/api/kpi?period=2026-10&by=province", None).await;
    let issued: u64 = kpi["rows"].as_array().unwrap().iter().map(|r| r["counts"]["issued"].as_u64().unwrap()).sum();
    assert_eq!(by_province["total"]["counts"]["issued"], json!(issued));

    // Every message in the stream, read back: one per (hall, seq), and none carries personal data.
    let client = async_nats::connect(nats.split(',').collect::<Vec<_>>().as_slice()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let stream = js.get_stream("ONEWINDOW").await.unwrap();
    let consumer: async_nats::jetstream::consumer::PullConsumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            ack_policy: async_nats::jetstream::consumer::AckPolicy::None,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut seen_ids = std::collections::BTreeSet::new();
    let mut messages = consumer.fetch().max_messages(100_000).messages().await.unwrap();
    let mut masked_notice = false;
    while let Some(m) = messages.next().await {
        let m = m.unwrap();
        let body = String::from_utf8(m.payload.to_vec()).unwrap();
        // The ID number, its birth date (what a masked ID shows) and the phone number appear nowhere.
        for personal in [ID_NUMBER, "19900101", PHONE] {
            assert!(!body.contains(personal), "{personal} in {body}");
        }
        masked_notice |= body.contains("咨询电话 ***********");
        assert!(!body.contains("id_masked") && !body.contains("holder") && !body.contains("phone"), "{body}");
        let e: kiosk_protocol::export::ExportedEvent = serde_json::from_str(&body).unwrap();
        assert!(seen_ids.insert((e.hall.clone(), e.seq)), "({}, {}) twice in the stream", e.hall, e.seq);
    }
    assert!(masked_notice, "the notice was exported, its phone number masked");
    assert_eq!(seen_ids.len() as u64, last_total, "every event of every hall, once: {stats}");
    drop(view);
    drop(halls);
}
