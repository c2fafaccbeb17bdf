//! Clients that do not play along (issue 11, findings 6 and 7), against the real binary: a display that
//! stops reading while the hall is busy, a half-sent HTTP request, and more idle connections than the
//! process has file descriptors. The server must drop the stuck, stop on SIGTERM whatever clients do,
//! and keep letting terminals and `/healthz` in.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod binary;
mod client;

use client::Client;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("onewindow-stuck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn token(tokens: &[(String, String)], name: &str) -> String {
    tokens.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).unwrap()
}

/// A WebSocket client over a socket with a tiny receive buffer, so a client that stops reading blocks
/// the server's sends after a few frames, as a hung display does.
async fn tiny_client(addr: &str, token: &str, since: Option<u64>) -> Client {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(addr.parse().unwrap()).await.unwrap();
    let mut client = over(addr, stream).await;
    let mut hello = json!({"id": 0, "type": "hello", "protocol": 1, "token": token});
    if let Some(since) = since {
        hello["since"] = json!(since);
    }
    client.send_json(&hello).await;
    assert_eq!(client.next_json().await["result"]["kind"], "welcome");
    client
}

/// A WebSocket client over a socket the test made.
async fn over(addr: &str, stream: TcpStream) -> Client {
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
    let (ws, _) = tokio_tungstenite::client_async(format!("ws://{addr}/ws"), stream).await.unwrap();
    Client::from_socket(ws)
}

/// `count` notices of 2,000 characters (6 KB each), pipelined over a few supervisor connections;
/// returns the last `seq` acknowledged.
async fn flood(addr: &str, token: &str, count: usize) -> u64 {
    let text: String = "公告".repeat(990);
    let mut tasks = Vec::new();
    for part in 0..4 {
        let (addr, token, text) = (addr.to_owned(), token.to_owned(), text.clone());
        tasks.push(tokio::spawn(async move {
            let mut sup = Client::open(&format!("ws://{addr}/ws")).await;
            sup.send_json(&json!({"id": 0, "type": "hello", "protocol": 1, "token": token})).await;
            let _ = sup.next_json().await;
            let mut last = 0;
            for i in (part..count).step_by(4) {
                let reply = sup.request(json!({"type": "post_notice", "text": format!("{i} {text}")})).await;
                last = last.max(reply["seq"].as_u64().expect("the notice is posted"));
            }
            last
        }));
    }
    let mut last = 0;
    for task in tasks {
        last = last.max(task.await.unwrap());
    }
    last
}

fn busy_hall(name: &str) -> (std::path::PathBuf, std::path::PathBuf, Vec<(String, String)>) {
    let data = temp_dir(name);
    let (config, tokens) = binary::hall_config(&data, &[("notice_max_chars = 200", "notice_max_chars = 2000")]);
    (data.join("data"), config, tokens)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_that_stops_reading_is_dropped_and_resumes_with_since() {
    let (data, config, tokens) = busy_hall("reader");
    let served = binary::serve(&data, &["--config", config.to_str().unwrap()], None).unwrap();
    let addr = served.addr.clone();
    let mut stuck = tiny_client(&addr, &token(&tokens, "display-hall"), None).await;
    let snapshot = stuck.next_json().await;
    assert_eq!(snapshot["type"], "snapshot");

    let last = flood(&addr, &token(&tokens, "supervisor"), 1_000).await;
    // The display has read nothing since its snapshot: the server must give up on it (10 s).
    tokio::time::sleep(Duration::from_secs(14)).await;
    let mut got = 0;
    while let Some(msg) = stuck.try_next_within(Duration::from_secs(5)).await {
        if let Some(seq) = msg["seq"].as_u64() {
            got = seq;
        }
    }
    assert!(got < last, "the stuck display was dropped before it got everything (got {got} of {last})");
    assert!(served.log().contains("stopped reading"), "the drop is logged");

    // Back, it resumes from what it has and misses nothing.
    let mut back = tiny_client(&addr, &token(&tokens, "display-hall"), Some(got)).await;
    let mut next = got;
    while next < last {
        let msg = back.next_json().await;
        let seq = msg["seq"].as_u64().expect("only events after since");
        assert_eq!(seq, next + 1, "no gap");
        next = seq;
    }
    drop(served);
    let _ = std::fs::remove_dir_all(data.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_server_whatever_its_clients_do() {
    let (data, config, tokens) = busy_hall("sigterm");
    let mut served = binary::serve(&data, &["--config", config.to_str().unwrap()], None).unwrap();
    let addr = served.addr.clone();
    // A request that never finishes, and a display that never reads while the hall is busy.
    let mut partial = TcpStream::connect(&addr).await.unwrap();
    partial.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut stuck = tiny_client(&addr, &token(&tokens, "display-hall"), None).await;
    let _ = stuck.next_json().await;
    flood(&addr, &token(&tokens, "supervisor"), 600).await;

    assert!(served.terminate(), "SIGTERM sent");
    assert!(served.exited_within(Duration::from_secs(20)), "SIGTERM ends the process (it promises 10 s)");
    assert!(served.child.try_wait().unwrap().is_some_and(|s| s.success()), "a clean exit");
    drop((partial, stuck));
    let _ = std::fs::remove_dir_all(data.parent().unwrap());
}

async fn connect_from(local: [u8; 4], addr: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((local, 0)))?;
    socket.connect(addr).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_idle_connections_than_file_descriptors_lock_nobody_out() {
    // The test holds 1,100 sockets; make sure it may.
    if let Ok((soft, hard)) = rlimit::Resource::NOFILE.get() {
        if soft < 4096 {
            let _ = rlimit::Resource::NOFILE.set(hard.min(8192), hard);
        }
    }
    let data = temp_dir("files");
    let served = binary::serve(&data.join("data"), &[], Some(1024)).unwrap();
    let addr: SocketAddr = served.addr.parse().unwrap();
    let mut idle = Vec::new();
    for _ in 0..1_100 {
        if let Ok(stream) = connect_from([127, 0, 0, 1], addr).await {
            idle.push(stream);
        }
    }
    // Health from another address answers.
    let mut health = connect_from([127, 0, 0, 2], addr).await.unwrap();
    health.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), health.read_to_string(&mut answer)).await.unwrap().unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // A new terminal gets in.
    let tokens = data.join("data").join("demo-tokens.txt");
    let display_token = onewindow::launch::demo_token(&tokens, "display-hall").unwrap();
    let stream = connect_from([127, 0, 0, 3], addr).await.unwrap();
    let mut display = over(&addr.to_string(), stream).await;
    display.send_json(&json!({"id": 0, "type": "hello", "protocol": 1, "token": display_token})).await;
    assert_eq!(display.next_json().await["result"]["kind"], "welcome");
    assert!(served.log().contains("connections refused"), "refusals are logged:\n{}", served.log());
    drop(idle);
    drop(served);
    let _ = std::fs::remove_dir_all(&data);
}
