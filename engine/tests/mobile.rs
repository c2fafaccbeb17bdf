//! The mobile ticket over real sockets (docs/protocol.md, "Mobile ticket"): the kiosk's reply carries
//! the capability, `follow` sees that ticket only (people ahead falling as the clerk calls, then the
//! call with its window), cancels it and nothing else; wrong capabilities are refused and rate limited;
//! the capability is never on the event stream and dies with the day; a phone that stops reading is
//! dropped while another following the same ticket keeps its views.

mod client;

use client::{code_of, http_get, test_clock, Client, TestServer};
use kiosk_protocol::ErrorCode;
use onewindow::auth::IdKeys;
use onewindow::config::{self, Limits};
use onewindow::store::{MemoryStore, Store};
use serde_json::{json, Value};
use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Opens a follow session; the first answer (reply or error).
async fn follow(server: &TestServer, capability: &str) -> (Client, Value) {
    let mut phone = Client::open(&server.url()).await;
    phone.send_json(&json!({"id": 0, "type": "follow", "protocol": 1, "ticket": capability})).await;
    let answer = phone.next_json().await;
    (phone, answer)
}

/// The next `ticket_view` for which `until` holds; every message before it must be a `ticket_view`.
async fn view_until(phone: &mut Client, until: impl Fn(&Value) -> bool) -> Value {
    loop {
        let msg = phone.next_json().await;
        assert_eq!(msg["type"], "ticket_view", "a mobile ticket gets its views only: {msg}");
        assert!(msg.to_string().len() < 1024, "small: {msg}");
        if until(&msg) {
            return msg;
        }
    }
}

fn hex48(s: &str) -> bool {
    s.len() == 48 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_follows_its_ticket_to_the_call_and_another_cancels_its_own() {
    let server = TestServer::start(Limits::default()).await;
    let mut display = server.connect("display-hall", None).await;
    let mut kiosk = server.connect("kiosk-1", None).await;
    let mut capabilities = Vec::new();
    for _ in 0..5 {
        let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
        let capability = issued["result"]["ticket"]["capability"].as_str().expect("capability").to_owned();
        assert!(hex48(&capability), "{capability}");
        capabilities.push(capability);
    }
    capabilities.dedup();
    assert_eq!(capabilities.len(), 5, "one capability per ticket");

    // The fourth ticket (E004): three ahead.
    let (mut phone, welcome) = follow(&server, &capabilities[3]).await;
    assert_eq!(welcome["result"], json!({"kind": "following", "protocol": 1, "ticket": "E004"}), "{welcome}");
    let first = view_until(&mut phone, |_| true).await;
    assert_eq!(first["ticket"]["number"], "E004");
    assert_eq!(
        (first["ticket"]["state"].as_str(), first["ticket"]["estimate"]["ahead"].as_u64()),
        (Some("waiting"), Some(3))
    );
    assert_eq!(first["ticket"]["name_zh"], "涉税服务");
    assert_eq!(
        (first["hall"]["name"].as_str(), first["hall"]["waiting"].as_u64()),
        (Some("示范政务服务大厅"), Some(5))
    );

    // The clerk calls: people ahead fall, then the call with its window.
    let mut clerk = server.connect("clerk-w9", None).await;
    clerk.request(json!({"type": "sign_in", "window": 9, "clerk": "c09", "pin": "1234"})).await;
    let mut ahead_seen = vec![3];
    for _ in 0..3 {
        let called = clerk.request(json!({"type": "call_next", "window": 9})).await;
        assert_eq!(called["type"], "reply", "{called}");
        let expected = ahead_seen.last().copied().unwrap_or(0) - 1;
        view_until(&mut phone, |v| v["ticket"]["estimate"]["ahead"].as_u64() == Some(expected)).await;
        ahead_seen.push(expected);
        clerk.request(json!({"type": "finish", "window": 9, "outcome": "completed"})).await;
    }
    assert_eq!(ahead_seen, [3, 2, 1, 0]);
    let called = clerk.request(json!({"type": "call_next", "window": 9})).await;
    assert_eq!(called["result"]["ticket"]["number"], "E004", "{called}");
    let call = view_until(&mut phone, |v| v["ticket"]["state"] == "called").await;
    assert_eq!(call["ticket"]["window"], 9);
    assert!(call["ticket"].get("estimate").is_none(), "no wait once called: {call}");

    // A phone may cancel its own ticket, and no other.
    let (mut other, _) = follow(&server, &capabilities[4]).await;
    view_until(&mut other, |_| true).await;
    let refused = other.request(json!({"type": "cancel_ticket", "ticket": "E001"})).await;
    assert_eq!(code_of(&refused), Some(ErrorCode::Forbidden), "{refused}");
    let refused = other.request(json!({"type": "get_state"})).await;
    assert_eq!(code_of(&refused), Some(ErrorCode::Forbidden), "no hall for a phone: {refused}");
    let cancelled = other.request(json!({"type": "cancel_ticket", "ticket": "E005"})).await;
    assert_eq!(cancelled["type"], "reply", "{cancelled}");
    view_until(&mut other, |v| v["ticket"]["state"] == "cancelled").await;

    // The capability never goes out on the event stream.
    let events = display.events_until(|e| e["event"]["kind"] == "ticket_cancelled").await;
    let issued: Vec<&Value> = events.iter().filter(|e| e["event"]["kind"] == "ticket_issued").collect();
    assert_eq!(issued.len(), 5);
    for event in &events {
        let text = event.to_string();
        assert!(capabilities.iter().all(|c| !text.contains(c.as_str())) && !text.contains("capability"), "{text}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_capabilities_are_refused_then_rate_limited_and_a_ticket_dies_with_its_day() {
    let store = MemoryStore::new();
    let ledger: Arc<dyn Store> = Arc::new(store.clone());
    // Five wrong ones a minute from one address (refilled one per 12 s: none comes back during the test).
    let limits = Limits { follow_failures_per_minute: 5, ..Limits::default() };
    let server =
        TestServer::launch(limits, ledger, store, config::demo().expect("demo"), test_clock(Arc::default())).await;
    let mut kiosk = server.connect("kiosk-1", None).await;
    let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    let capability = issued["result"]["ticket"]["capability"].as_str().expect("capability").to_owned();
    // The right one is never counted.
    for _ in 0..8 {
        let (_, welcome) = follow(&server, &capability).await;
        assert_eq!(welcome["result"]["kind"], "following", "{welcome}");
    }

    // One hex digit changed, the id part or the MAC part: unknown, and the socket closes (1008).
    for i in [3, 20, 47] {
        let mut wrong = capability.clone().into_bytes();
        wrong[i] = if wrong[i] == b'0' { b'1' } else { b'0' };
        let (mut phone, answer) = follow(&server, std::str::from_utf8(&wrong).expect("hex")).await;
        assert_eq!(code_of(&answer), Some(ErrorCode::Unauthorized), "{answer}");
        assert_eq!(phone.close_code().await, Some(1008));
    }
    let (_, answer) = follow(&server, "E001").await;
    assert_eq!(code_of(&answer), Some(ErrorCode::Unauthorized), "a number is not a capability: {answer}");
    // The fifth wrong one; then even the right one waits.
    let (_, answer) = follow(&server, &"0".repeat(48)).await;
    assert_eq!(code_of(&answer), Some(ErrorCode::Unauthorized), "{answer}");
    let (_, answer) = follow(&server, &capability).await;
    assert_eq!(code_of(&answer), Some(ErrorCode::RateLimited), "{answer}");
    server.stop().await;

    // Another server (the limit is per server) with the hall's ID keys, as the key file keeps them.
    let keys = Arc::new(IdKeys::in_memory());
    let store = MemoryStore::new();
    let ledger: Arc<dyn Store> = Arc::new(store.clone());
    let launch = |offset: i64| {
        let clock = test_clock(Arc::new(AtomicI64::new(offset)));
        TestServer::launch_keyed(
            Limits::default(),
            ledger.clone(),
            store.clone(),
            config::demo().expect("demo"),
            clock,
            None,
            Some(keys.clone()),
        )
    };
    let server = launch(0).await;
    let mut kiosk = server.connect("kiosk-1", None).await;
    let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    let capability = issued["result"]["ticket"]["capability"].as_str().expect("capability").to_owned();
    let (mut phone, welcome) = follow(&server, &capability).await;
    assert_eq!(welcome["result"]["kind"], "following", "{welcome}");
    view_until(&mut phone, |v| v["ticket"]["state"] == "waiting").await;
    // The supervisor closes the day: the phone says so.
    let mut wall = server.connect("supervisor", None).await;
    let closed = wall.request(json!({"type": "close_day"})).await;
    assert_eq!(closed["type"], "reply", "{closed}");
    view_until(&mut phone, |v| v["ticket"]["state"] == "closed").await;
    server.stop().await;
    // The next day (a restart on the same ledger and keys): yesterday's key is gone, the capability too.
    let server = launch(86_400_000).await;
    let mut wall = server.connect("supervisor", None).await;
    let snapshot = wall.next_json().await;
    if snapshot["hall"]["date"] != "2026-03-03" {
        wall.events_until(|e| e["event"]["kind"] == "day_opened").await;
    }
    let (_, answer) = follow(&server, &capability).await;
    assert_eq!(code_of(&answer), Some(ErrorCode::Unauthorized), "{answer}");
    server.stop().await;
}

/// `onewindow_connections{role="mobile"}` on `/metrics` (0 when the line is absent).
async fn phones_connected(server: &TestServer) -> u64 {
    let (status, metrics) = http_get(server.running.addr, "/metrics", None).await;
    assert_eq!(status, 200, "{metrics}");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("onewindow_connections{role=\"mobile\"} "))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_that_stops_reading_is_dropped_and_the_one_that_reads_keeps_its_views() {
    let server = TestServer::start(Limits::default()).await;
    let mut kiosk = server.connect("kiosk-1", None).await;
    let mut capability = String::new();
    for _ in 0..4 {
        let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
        capability = issued["result"]["ticket"]["capability"].as_str().expect("capability").to_owned();
    }
    // Two phones follow the fourth ticket (three ahead). The first reads its first view, then nothing
    // more: no views, and no pongs to the server's pings, as a phone whose browser tab was frozen.
    let (mut stuck, welcome) = follow(&server, &capability).await;
    assert_eq!(welcome["result"]["kind"], "following", "{welcome}");
    view_until(&mut stuck, |_| true).await;
    let (mut reader, _) = follow(&server, &capability).await;
    view_until(&mut reader, |v| v["ticket"]["estimate"]["ahead"] == 3).await;
    assert_eq!(phones_connected(&server).await, 2);

    // The clerk calls (the stuck phone's views queue up unread); the reader follows, and is read often
    // enough to answer pings, until the server has given up on the stuck one (silent 30 s: dropped at a
    // ping, every 10 s).
    let mut clerk = server.connect("clerk-w9", None).await;
    clerk.request(json!({"type": "sign_in", "window": 9, "clerk": "c09", "pin": "1234"})).await;
    let called = clerk.request(json!({"type": "call_next", "window": 9})).await;
    assert_eq!(called["type"], "reply", "{called}");
    view_until(&mut reader, |v| v["ticket"]["estimate"]["ahead"] == 2).await;
    clerk.request(json!({"type": "finish", "window": 9, "outcome": "completed"})).await;
    let given_up = Instant::now() + Duration::from_secs(90);
    while phones_connected(&server).await > 1 {
        assert!(Instant::now() < given_up, "a phone that stopped reading is still connected after 90 s");
        if let Some(msg) = reader.try_next_within(Duration::from_secs(1)).await {
            assert_eq!(msg["type"], "ticket_view", "{msg}");
        }
        // The clerk's terminal reads too (its events, and the pings).
        let _ = clerk.try_next_within(Duration::from_millis(100)).await;
    }
    assert_eq!(phones_connected(&server).await, 1, "the phone that reads is still connected");

    // The one that reads still gets every change.
    let called = clerk.request(json!({"type": "call_next", "window": 9})).await;
    assert_eq!(called["type"], "reply", "{called}");
    view_until(&mut reader, |v| v["ticket"]["estimate"]["ahead"] == 1).await;
    // The stuck one's socket ends after what was already in it.
    let mut left = 0;
    while let Some(msg) = stuck.try_next_within(Duration::from_secs(5)).await {
        assert_eq!(msg["type"], "ticket_view", "{msg}");
        left += 1;
        assert!(left < 100, "the dropped phone's socket keeps sending");
    }
    // Woken up, it follows again and sees where the ticket is now.
    let (mut back, welcome) = follow(&server, &capability).await;
    assert_eq!(welcome["result"]["kind"], "following", "{welcome}");
    view_until(&mut back, |v| v["ticket"]["estimate"]["ahead"] == 1).await;
    assert_eq!(phones_connected(&server).await, 2);
    server.stop().await;
}
