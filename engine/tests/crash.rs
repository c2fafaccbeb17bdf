//! Crash test against the real binary (the release build when `ONEWINDOW_BIN` points at it, as
//! `scripts/test-all` does): kiosks and a clerk drive the demo hall, the server is killed with SIGKILL
//! at a random moment, restarted, and checked — every acknowledged ticket and call is in the ledger, no
//! ticket number is used twice, and a display resumes from its last `seq` without a gap.
//! `CRASH_ROUNDS` sets the number of rounds (default 20).

mod binary;
mod client;

use client::Client;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Starts `onewindow serve` on a free port; returns the server (SIGKILLed when dropped) and its address.
fn start(data: &Path) -> (binary::Served, String) {
    let served = binary::serve(data, &[], None).expect("onewindow serve starts");
    let addr = served.addr.clone();
    (served, addr)
}

fn token(data: &Path, device: &str) -> String {
    onewindow::launch::demo_token(&data.join("demo-tokens.txt"), device).expect("demo token")
}

async fn hello(addr: &str, token: &str, since: Option<u64>) -> Option<Client> {
    let mut conn = display_client::Connection::connect(&format!("ws://{addr}/ws")).await.ok()?;
    conn.hello(token, since).await.ok()?;
    Some(Client::from_connection(conn))
}

#[derive(Default)]
struct Acked {
    tickets: Vec<String>,
    calls: Vec<String>,
}

/// Issues tax tickets until the socket dies; records every acknowledged number.
async fn kiosk(addr: String, token: String, acked: Arc<Mutex<Acked>>) {
    let Some(mut k) = hello(&addr, &token, None).await else { return };
    for _ in 0..25 {
        let Some(reply) = k.try_request(json!({"type": "issue_ticket", "matter": "tax"})).await else { return };
        if let Some(number) = reply["result"]["ticket"]["number"].as_str() {
            acked.lock().expect("lock").tickets.push(number.to_owned());
        }
    }
}

/// Calls and finishes at window 1 until the socket dies; records every acknowledged call.
async fn clerk(addr: String, token: String, acked: Arc<Mutex<Acked>>) {
    let Some(mut c) = hello(&addr, &token, None).await else { return };
    // After a restart the clerk is still signed in (the ledger says so); the answer does not matter.
    if c.try_request(json!({"type": "sign_in", "window": 1, "clerk": "c01", "pin": "1234"})).await.is_none() {
        return;
    }
    let _ = c.try_request(json!({"type": "finish", "window": 1, "outcome": "completed"})).await;
    loop {
        let Some(reply) = c.try_request(json!({"type": "call_next", "window": 1})).await else { return };
        if let Some(number) = reply["result"]["ticket"]["number"].as_str() {
            acked.lock().expect("lock").calls.push(number.to_owned());
            if c.try_request(json!({"type": "finish", "window": 1, "outcome": "completed"})).await.is_none() {
                return;
            }
        } else {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// A display that resumes from `since` and reads until the server dies; returns what it saw.
async fn display(addr: String, token: String, since: u64, seen: Arc<Mutex<BTreeMap<u64, String>>>) {
    let Some(mut d) = hello(&addr, &token, Some(since)).await else { return };
    while let Some(msg) = d.try_next().await {
        if msg["type"] == "event" {
            if let Some(seq) = msg["seq"].as_u64() {
                seen.lock().expect("lock").insert(seq, msg.to_string());
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_moments_the_hall_loses_nothing_acknowledged() {
    let rounds: u32 = std::env::var("CRASH_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let data = std::env::temp_dir().join(format!("onewindow-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let acked = Arc::new(Mutex::new(Acked::default()));
    let seen: Arc<Mutex<BTreeMap<u64, String>>> = Arc::default();
    let mut rng_state = 0x9e37_79b9_7f4a_7c15u64 ^ u64::from(std::process::id());
    for round in 0..rounds {
        let (served, addr) = start(&data);
        // The display resumes from the last event it saw before the previous kill.
        let since = seen.lock().expect("lock").keys().next_back().copied().unwrap_or(0);
        let tasks = vec![
            tokio::spawn(display(addr.clone(), token(&data, "display-hall"), since, seen.clone())),
            tokio::spawn(kiosk(addr.clone(), token(&data, "kiosk-1"), acked.clone())),
            tokio::spawn(kiosk(addr.clone(), token(&data, "kiosk-2"), acked.clone())),
            tokio::spawn(clerk(addr.clone(), token(&data, "clerk-w1"), acked.clone())),
        ];
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        tokio::time::sleep(Duration::from_millis(30 + rng_state % 400)).await;
        drop(served); // SIGKILL
        for task in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        let seqs: Vec<u64> = seen.lock().expect("lock").keys().copied().collect();
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "round {round}: the display has a gap: {seqs:?}");
    }

    // The final check, from a fresh start: read the whole ledger as a resuming client does.
    let (served, addr) = start(&data);
    let mut reader = hello(&addr, &token(&data, "supervisor"), Some(0)).await.expect("connect");
    let mut all: Vec<Value> = Vec::new();
    let last_seen = seen.lock().expect("lock").keys().next_back().copied().unwrap_or(0);
    while all.last().and_then(|e| e["seq"].as_u64()).unwrap_or(0) < last_seen {
        let msg = reader.try_next().await.expect("the ledger replays");
        if msg["type"] == "event" {
            all.push(msg);
        }
    }
    // Everything the display saw is the ledger's own text, byte for byte.
    for event in &all {
        let seq = event["seq"].as_u64().expect("seq");
        if let Some(text) = seen.lock().expect("lock").get(&seq) {
            assert_eq!(serde_json::from_str::<Value>(text).ok().as_ref(), Some(event), "event {seq} differs");
        }
    }
    // Read on until the ledger's end: the reader is live now, so wait briefly for the rest.
    while let Some(msg) = reader.try_next_within(Duration::from_millis(500)).await {
        if msg["type"] == "event" {
            all.push(msg);
        }
    }
    drop(served); // SIGKILL

    let mut issued_per_day: Vec<BTreeSet<String>> = vec![BTreeSet::new()];
    let mut called = BTreeSet::new();
    for e in &all {
        match e["event"]["kind"].as_str() {
            Some("day_opened") => issued_per_day.push(BTreeSet::new()),
            Some("ticket_issued") => {
                let number = e["event"]["ticket"]["number"].as_str().expect("number").to_owned();
                let today = issued_per_day.last_mut().expect("a day");
                assert!(today.insert(number.clone()), "ticket number {number} issued twice in a day");
            }
            Some("ticket_called") => {
                called.insert(e["event"]["ticket"].as_str().expect("number").to_owned());
            }
            _ => {}
        }
    }
    let issued: BTreeSet<String> = issued_per_day.into_iter().flatten().collect();
    let acked = acked.lock().expect("lock");
    assert!(acked.tickets.len() >= rounds as usize, "the test drove too little: {} tickets", acked.tickets.len());
    for number in &acked.tickets {
        assert!(issued.contains(number), "acknowledged ticket {number} is not in the ledger");
    }
    for number in &acked.calls {
        assert!(called.contains(number), "acknowledged call of {number} is not in the ledger");
    }
    let seqs: Vec<u64> = all.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1) && seqs.first() == Some(&1), "the ledger has no gap");
    eprintln!(
        "crash test: {rounds} kills, {} tickets and {} calls acknowledged, {} events in the ledger",
        acked.tickets.len(),
        acked.calls.len(),
        seqs.len()
    );
    let _ = std::fs::remove_dir_all(&data);
}
