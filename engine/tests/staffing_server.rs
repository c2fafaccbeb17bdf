//! Temporary windows over real sockets: a burst of tickets on the demo hall makes the staffing review
//! open a standby window (automatic) or ask for one (advisory, accepted from the window's clerk
//! terminal), and the hall display receives the opening with the numbers that triggered it.

mod client;

use client::{Client, TestServer};
use onewindow::config::{self, Limits};
use onewindow::core::StaffingMode;
use onewindow::store::MemoryStore;
use serde_json::{json, Value};

async fn start(mode: StaffingMode) -> TestServer {
    let mut hall = config::demo().expect("demo hall");
    hall.rules.staffing.mode = mode;
    let limits = Limits { kiosk_issues_per_minute: 1000, ..Limits::default() };
    TestServer::start_hall(limits, MemoryStore::new(), hall).await
}

async fn connect(server: &TestServer, device: &str) -> Client {
    let mut client = server.connect(device, None).await;
    let snapshot = client.next_json().await;
    assert_eq!(snapshot["type"], "snapshot", "{snapshot}");
    client
}

/// Window 1 (real estate and tax) staffed, then real-estate tickets until `until` is seen on `watcher`.
async fn burst(server: &TestServer, watcher: &mut Client, until: &str) -> (Vec<Value>, Value) {
    let mut clerk = connect(server, "clerk-w1").await;
    let signed = clerk.request(json!({"type": "sign_in", "window": 1, "clerk": "c01", "pin": "1234"})).await;
    assert_eq!(signed["type"], "reply", "{signed}");
    let mut kiosk = connect(server, "kiosk-1").await;
    let mut last = Value::Null;
    for _ in 0..6 {
        last = kiosk.request(json!({"type": "issue_ticket", "matter": "real_estate"})).await;
        assert_eq!(last["type"], "reply", "{last}");
    }
    (watcher.events_until(|e| e["event"]["kind"] == until).await, last)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_opens_a_standby_window_and_the_display_announces_it() {
    let server = start(StaffingMode::Automatic).await;
    let mut display = connect(&server, "display-hall").await;
    let (seen, last) = burst(&server, &mut display, "window_opened").await;
    let opened = &seen.last().expect("an opening")["event"];
    // Window 14 serves real estate with the fewest other skills (16 too, but 14 comes first).
    assert_eq!(opened["window"], 14, "{opened}");
    assert_eq!(opened["window_kind"], "standby");
    assert_eq!(opened["matters"], json!(["real_estate", "tax"]));
    let why = &opened["staffing"];
    assert_eq!(why["matter"], "real_estate", "{opened}");
    assert_eq!(why["target_ms"], 20 * 60_000);
    assert!(why["waiting"].as_u64().expect("waiting") >= 1, "{opened}");
    assert!(why["predicted_ms"].as_i64().expect("predicted") > 10 * 60_000, "past half the target: {opened}");
    // The kiosk printed an estimate with every ticket.
    let estimate = &last["result"]["ticket"]["estimate"];
    assert!(estimate["ahead"].as_u64().is_some(), "{last}");
    assert!(estimate["median_ms"].as_i64().is_some() && estimate["p80_ms"].as_i64().is_some(), "{last}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advisory_staffing_asks_the_supervisor_and_the_clerk_accepts() {
    let server = start(StaffingMode::Advisory).await;
    let mut supervisor = connect(&server, "supervisor").await;
    let (seen, _) = burst(&server, &mut supervisor, "staffing_requested").await;
    let request = &seen.last().expect("a request")["event"]["request"];
    assert_eq!(request["window"], 14, "{request}");
    assert_eq!(request["staffing"]["matter"], "real_estate", "{request}");
    assert!(!seen.iter().any(|e| e["event"]["kind"] == "window_opened"), "advisory opens nothing itself");
    // The snapshot `get_state` sends (before its reply).
    supervisor.send_json(&json!({"id": 99, "type": "get_state"})).await;
    let mut state = supervisor.next_json().await;
    while state["type"] != "snapshot" {
        state = supervisor.next_json().await;
    }
    let listed = &state["hall"]["staffing_requests"];
    assert_eq!(listed[0]["window"], 14, "the wall lists the request: {listed}");
    assert_eq!(listed[0]["staffing"]["matter"], "real_estate", "{listed}");

    let mut display = connect(&server, "display-hall").await;
    let mut clerk14 = connect(&server, "clerk-w14").await;
    let accepted = clerk14.request(json!({"type": "accept_staffing", "window": 14})).await;
    assert_eq!(accepted["type"], "reply", "{accepted}");
    let opened = display.events_until(|e| e["event"]["kind"] == "window_opened").await;
    let opened = &opened.last().expect("opened")["event"];
    assert_eq!((opened["window"].clone(), opened["staffing"]["matter"].clone()), (json!(14), json!("real_estate")));
    let again = clerk14.request(json!({"type": "accept_staffing", "window": 14})).await;
    assert_eq!(again["code"], "window_already_open", "{again}");
    let signed = clerk14.request(json!({"type": "sign_in", "window": 14, "clerk": "c14", "pin": "1234"})).await;
    assert_eq!(signed["type"], "reply", "the clerk then signs in: {signed}");
    server.stop().await;
}
