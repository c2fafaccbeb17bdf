//! The server over real sockets on 127.0.0.1: a hall morning across roles, the permission table, every
//! bad-input rule, resume by `seq`, a failing ledger, and the HTTP endpoints.

mod client;

use client::{becomes_healthy, code_of, http_get, Client, TestServer};
use kiosk_protocol::{ErrorCode, Request, Role};
use onewindow::config::Limits;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const SIGN_IN_5: &str = r#"{"type":"sign_in","window":5,"clerk":"c05","pin":"1234"}"#;

fn body(s: &str) -> Value {
    serde_json::from_str(s).expect("test JSON")
}

/// Skips the snapshot every fresh connection gets first.
async fn connect_past_snapshot(server: &TestServer, device: &str) -> Client {
    let mut client = server.connect(device, None).await;
    let snapshot = client.next_json().await;
    assert_eq!(snapshot["type"], "snapshot", "{snapshot}");
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_issues_a_clerk_calls_and_the_display_shows_it() {
    let server = TestServer::start(Limits::default()).await;
    let mut display = connect_past_snapshot(&server, "display-hall").await;
    let mut kiosk = connect_past_snapshot(&server, "kiosk-1").await;
    let mut clerk = connect_past_snapshot(&server, "clerk-w5").await;

    let signed = clerk.request(body(SIGN_IN_5)).await;
    assert_eq!(signed["type"], "reply", "{signed}");
    let issued =
        kiosk.request(json!({"type": "issue_ticket", "matter": "business", "id_number": "11010519491231002X"})).await;
    assert_eq!(issued["result"]["ticket"]["number"], "B001", "{issued}");
    assert!(issued["result"]["ticket"].get("id_masked").is_none(), "a kiosk never sees an ID back");
    let called = clerk.request(json!({"type": "call_next", "window": 5})).await;
    assert_eq!(called["result"]["ticket"]["number"], "B001", "{called}");
    assert_eq!(called["result"]["ticket"]["id_masked"], "110***********002X", "the clerk sees the masked ID");

    let seen = display.events_until(|e| e["event"]["kind"] == "ticket_called").await;
    let call = seen.last().expect("a call");
    assert_eq!(call["event"]["ticket"], "B001");
    assert_eq!(call["event"]["window"], 5);
    let text = serde_json::to_string(&seen).expect("json");
    assert!(!text.contains("11010519491231002X") && !text.contains("002X"), "no ID on a display: {text}");
    let seqs: Vec<u64> = seen.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "events arrive in order without gaps: {seqs:?}");
    server.stop().await;
}

/// One request of every type, naming window 5 where a window is named.
const SAMPLES: &[&str] = &[
    r#"{"type":"follow","protocol":1,"ticket":"00"}"#,
    r#"{"type":"get_state"}"#,
    r#"{"type":"issue_ticket","matter":"tax"}"#,
    r#"{"type":"check_in","code":"NOPE"}"#,
    r#"{"type":"subscribe","ticket":"E999","phone":"13800138000"}"#,
    r#"{"type":"get_ticket","ticket":"E999"}"#,
    r#"{"type":"cancel_ticket","ticket":"E999"}"#,
    r#"{"type":"request_help"}"#,
    r#"{"type":"accept_staffing","window":5}"#,
    r#"{"type":"book_appointment","code":"YY1","matter":"tax","start":4102444800000,"end":4102446600000}"#,
    r#"{"type":"sign_in","window":5,"clerk":"c05","pin":"0000"}"#,
    r#"{"type":"sign_out","window":5}"#,
    r#"{"type":"pause","window":5}"#,
    r#"{"type":"resume","window":5}"#,
    r#"{"type":"call_next","window":5}"#,
    r#"{"type":"call_number","window":5,"ticket":"E999"}"#,
    r#"{"type":"recall","window":5}"#,
    r#"{"type":"start_service","window":5}"#,
    r#"{"type":"finish","window":5,"outcome":"completed"}"#,
    r#"{"type":"no_show","window":5}"#,
    r#"{"type":"transfer","window":5,"matter":"tax"}"#,
    r#"{"type":"hold","window":5}"#,
    r#"{"type":"resume_held","window":5,"ticket":"E999"}"#,
    r#"{"type":"confirm_class","window":5,"keep":true}"#,
    r#"{"type":"rate","window":5,"ticket":"E999","rating":"satisfied"}"#,
    r#"{"type":"open_window","window":14}"#,
    r#"{"type":"close_window","window":14}"#,
    r#"{"type":"set_skills","window":16,"matters":["tax"]}"#,
    r#"{"type":"post_notice","text":"测试"}"#,
    r#"{"type":"answer_help","kiosk":"kiosk-1"}"#,
    r#"{"type":"progress_case","case":999,"step":"contacted"}"#,
    r#"{"type":"close_day"}"#,
    r#"{"type":"set_hall_date","date":"2026-03-02"}"#,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_times_every_request_follows_the_permission_table() {
    let server = TestServer::start(Limits::default()).await;
    let devices = [
        (Role::Kiosk, "kiosk-1"),
        (Role::Display, "display-hall"),
        (Role::Evaluator, "evaluator-w5"),
        (Role::Clerk, "clerk-w5"),
        (Role::Supervisor, "supervisor"),
    ];
    assert_eq!(SAMPLES.len(), kiosk_protocol::RequestBody::KINDS.len() - 1, "one sample per request type but hello");
    for (role, device) in devices {
        let mut client = connect_past_snapshot(&server, device).await;
        for sample in SAMPLES {
            let parsed: Request = serde_json::from_str(&format!("{{\"id\":0,{}", &sample[1..])).expect("sample parses");
            // close_day would end the day for the roles tested after it; only its permission matters here.
            let answer = if parsed.body.kind() == "close_day" && role.may(&parsed.body) {
                continue;
            } else {
                client.request(body(sample)).await
            };
            let forbidden = code_of(&answer) == Some(ErrorCode::Forbidden);
            assert_eq!(forbidden, !role.may(&parsed.body), "{} sending {}: {answer}", role.name(), parsed.body.kind());
        }
        // Bound devices act only on their own window.
        if role == Role::Clerk {
            let other = client.request(json!({"type": "call_next", "window": 6})).await;
            assert_eq!(code_of(&other), Some(ErrorCode::Forbidden), "{other}");
        }
        if role == Role::Evaluator {
            let other =
                client.request(json!({"type": "rate", "window": 6, "ticket": "A001", "rating": "satisfied"})).await;
            assert_eq!(code_of(&other), Some(ErrorCode::Forbidden), "{other}");
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_answer_and_harms_nothing() {
    let limits = Limits { kiosk_issues_per_minute: 3, ..Limits::default() };
    let server = TestServer::start(limits).await;
    let mut kiosk = connect_past_snapshot(&server, "kiosk-1").await;

    // Errors with a code; the connection stays open.
    kiosk.raw(Message::text("{not json")).await;
    let answer = kiosk.next_answer().await;
    assert_eq!(code_of(&answer), Some(ErrorCode::BadRequest), "{answer}");
    assert_eq!(answer["id"], Value::Null);
    for (bad, id) in [
        (json!({"id": 7, "type": "teleport"}), 7),
        (json!({"id": 8, "type": "issue_ticket"}), 8),
        (json!({"id": 9, "type": "issue_ticket", "matter": "tax", "colour": "red"}), 9),
    ] {
        kiosk.send_json(&bad).await;
        let answer = kiosk.next_answer().await;
        assert_eq!(code_of(&answer), Some(ErrorCode::BadRequest), "{bad} -> {answer}");
        assert_eq!(answer["id"], json!(id));
    }
    let answer =
        kiosk.request(json!({"type": "issue_ticket", "matter": "tax", "id_number": "110105194912310021"})).await;
    assert_eq!(code_of(&answer), Some(ErrorCode::InvalidIdNumber), "{answer}");
    // The rate limit: 3 a minute for this kiosk.
    for _ in 0..2 {
        let answer = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
        assert_eq!(answer["type"], "reply", "{answer}");
    }
    let answer = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(code_of(&answer), Some(ErrorCode::RateLimited), "{answer}");

    // Closing rules, each on its own connection.
    kiosk
        .raw(Message::text(format!("{{\"id\":1,\"type\":\"post_notice\",\"text\":\"{}\"}}", "x".repeat(17_000))))
        .await;
    assert_eq!(kiosk.close_code().await, Some(1009), "over 16 KiB");

    let mut binary = connect_past_snapshot(&server, "kiosk-2").await;
    binary.raw(Message::binary(vec![1, 2, 3])).await;
    assert_eq!(binary.close_code().await, Some(1003), "binary frames");

    // A `since` beyond the server's last seq (kept from before a restore) gets the hall as it is.
    let mut ahead = server.connect("display-hall", Some(999_999)).await;
    assert_eq!(ahead.next_json().await["type"], "snapshot", "since beyond the head");

    let mut silent = Client::open(&server.url()).await;
    assert_eq!(code_of(&silent.next_answer().await), Some(ErrorCode::NotAuthenticated), "said before closing");
    assert_eq!(silent.close_code().await, Some(1008), "no hello within 5 s");

    let mut wrong = Client::open(&server.url()).await;
    wrong.send_json(&json!({"id": 1, "type": "hello", "protocol": 1, "token": "ow_guess"})).await;
    assert_eq!(code_of(&wrong.next_answer().await), Some(ErrorCode::Unauthorized));
    assert_eq!(wrong.close_code().await, Some(1008));

    let mut early = Client::open(&server.url()).await;
    early.send_json(&json!({"id": 1, "type": "call_next", "window": 5})).await;
    assert_eq!(code_of(&early.next_answer().await), Some(ErrorCode::NotAuthenticated));
    assert_eq!(early.close_code().await, Some(1008));

    let mut old = Client::open(&server.url()).await;
    old.send_json(&json!({"id": 1, "type": "hello", "protocol": 99, "token": server.token("kiosk-1")})).await;
    assert_eq!(code_of(&old.next_answer().await), Some(ErrorCode::UnsupportedProtocol));

    // Still serving everyone else, and nothing was lost: the two tickets are there.
    let mut supervisor = server.connect("supervisor", None).await;
    let snapshot = supervisor.next_json().await;
    let tax = snapshot["hall"]["matters"].as_array().and_then(|m| m.iter().find(|m| m["key"] == "tax")).cloned();
    assert_eq!(tax.map(|t| t["waiting"].clone()), Some(json!(2)), "{snapshot}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_that_reconnects_with_since_sees_exactly_the_missed_events() {
    let server = TestServer::start(Limits::default()).await;
    let mut display = server.connect("display-hall", None).await;
    let snapshot = display.next_json().await;
    let seen_seq = snapshot["seq"].as_u64().expect("snapshot seq");
    drop(display);

    let mut clerk = connect_past_snapshot(&server, "clerk-w5").await;
    let mut kiosk = connect_past_snapshot(&server, "kiosk-1").await;
    clerk.request(body(SIGN_IN_5)).await;
    for _ in 0..2 {
        kiosk.request(json!({"type": "issue_ticket", "matter": "business"})).await;
    }
    for _ in 0..2 {
        let called = clerk.request(json!({"type": "call_next", "window": 5})).await;
        assert_eq!(called["type"], "reply", "{called}");
        clerk.request(json!({"type": "finish", "window": 5, "outcome": "completed"})).await;
    }

    let mut back = server.connect("display-hall", Some(seen_seq)).await;
    let missed =
        back.events_until(|e| e["event"]["kind"] == "service_finished" && e["event"]["ticket"] == "B002").await;
    let seqs: Vec<u64> = missed.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(seqs.first(), Some(&(seen_seq + 1)), "starts right after what it saw");
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "no gap, none twice: {seqs:?}");
    let calls: Vec<&Value> =
        missed.iter().filter(|e| e["event"]["kind"] == "ticket_called").map(|e| &e["event"]["ticket"]).collect();
    assert_eq!(calls, [&json!("B001"), &json!("B002")]);
    // Then live events follow.
    kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    let live = back.events_until(|e| e["event"]["kind"] == "ticket_issued").await;
    // (A staffing review's event may come first: the demo hall runs advisory staffing.)
    assert_eq!(live.first().and_then(|e| e["seq"].as_u64()), Some(seqs[seqs.len() - 1] + 1));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_ledger_refuses_commands_keeps_displays_and_loses_nothing() {
    let server = TestServer::start(Limits::default()).await;
    let addr = server.running.addr;
    let mut kiosk = connect_past_snapshot(&server, "kiosk-1").await;
    let first = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(first["result"]["ticket"]["number"], "E001");

    server.store.set_failing(true);
    let refused = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(code_of(&refused), Some(ErrorCode::StorageUnavailable), "{refused}");
    assert_eq!(http_get(addr, "/healthz", None).await.0, 503);
    // Displays are still served, with the durable state.
    let mut display = server.connect("display-hall", None).await;
    let snapshot = display.next_json().await;
    let waiting = |s: &Value| {
        s["hall"]["matters"].as_array().and_then(|m| m.iter().find(|m| m["key"] == "tax")).map(|t| t["waiting"].clone())
    };
    assert_eq!(waiting(&snapshot), Some(json!(1)), "the refused ticket was never shown");

    server.store.set_failing(false);
    // No command needed: the writer retries the ledger on its own and health follows.
    assert!(becomes_healthy(addr).await, "/healthz back to 200 by itself once the disk works");
    let again = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    assert_eq!(again["result"]["ticket"]["number"], "E002", "{again}");
    let shown = display.events_until(|e| e["event"]["kind"] == "ticket_issued").await;
    assert_eq!(shown.last().map(|e| e["event"]["ticket"]["number"].clone()), Some(json!("E002")));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_serves_health_metrics_and_state_for_supervisors_only() {
    let server = TestServer::start(Limits::default()).await;
    let addr = server.running.addr;
    let mut kiosk = connect_past_snapshot(&server, "kiosk-1").await;
    kiosk.request(json!({"type": "issue_ticket", "matter": "pickup"})).await;
    let (status, text) = http_get(addr, "/healthz", None).await;
    assert_eq!((status, text.trim()), (200, "ok"));
    let (status, metrics) = http_get(addr, "/metrics", None).await;
    assert_eq!(status, 200);
    for line in [
        "onewindow_tickets_issued_total{matter=\"pickup\"} 1",
        "onewindow_tickets_waiting{matter=\"pickup\"} 1",
        "onewindow_connections{role=\"kiosk\"} 1",
        "onewindow_commit_seconds_count",
    ] {
        assert!(metrics.contains(line), "missing `{line}` in\n{metrics}");
    }
    assert_eq!(http_get(addr, "/api/state", None).await.0, 401);
    assert_eq!(http_get(addr, "/api/state", Some(&server.token("kiosk-1"))).await.0, 401);
    let (status, state) = http_get(addr, "/api/state", Some(&server.token("supervisor"))).await;
    assert_eq!(status, 200);
    let state: Value = serde_json::from_str(&state).expect("JSON");
    assert_eq!(state["type"], "snapshot");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_falls_behind_is_closed_with_1013_and_resumes_without_a_gap() {
    let server = TestServer::start(Limits { socket_queue: 16, ..Limits::default() }).await;
    let mut supervisor = connect_past_snapshot(&server, "supervisor").await;
    let mut seen = 0;
    for kiosk in ["kiosk-1", "kiosk-2"] {
        let mut k = connect_past_snapshot(&server, kiosk).await;
        for _ in 0..12 {
            let answer = k.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
            seen = answer["seq"].as_u64().expect("seq");
        }
    }
    // The supervisor reads its events up to the last ticket, then closes the day: 24 tickets end in one
    // batch, more events than its socket may queue while it waits for its own reply.
    supervisor.events_until(|e| e["seq"].as_u64() == Some(seen)).await;
    let closed = supervisor.request(json!({"type": "close_day"})).await;
    assert_eq!(closed["type"], "reply", "{closed}");
    let end = closed["seq"].as_u64().expect("seq");
    assert!(end - seen > 16);
    assert_eq!(supervisor.close_code().await, Some(1013), "closed as too far behind");
    // It resumes from the last event it saw and gets exactly the rest.
    let mut back = server.connect("supervisor", Some(seen)).await;
    let rest = back.events_until(|e| e["seq"].as_u64() == Some(end)).await;
    let seqs: Vec<u64> = rest.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(seqs, (seen + 1..=end).collect::<Vec<_>>(), "resume fills exactly the rest");
    assert_eq!(rest.iter().filter(|e| e["event"]["kind"] == "ticket_ended").count(), 24);
    server.stop().await;
}

/// A burst of wrong PINs locks the clerk: the lock is an event the supervisor sees, the right PIN is
/// refused while it lasts, and `onewindow audit` lists it with the device that tried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_pin_burst_locks_the_clerk_for_everyone_to_see() {
    let limits = Limits { pin_attempts: 3, ..Limits::default() };
    let server = TestServer::start(limits).await;
    let mut supervisor = connect_past_snapshot(&server, "supervisor").await;
    let mut clerk = connect_past_snapshot(&server, "clerk-w5").await;
    let wrong = json!({"type": "sign_in", "window": 5, "clerk": "c05", "pin": "0000"});
    for _ in 0..2 {
        assert_eq!(code_of(&clerk.request(wrong.clone()).await), Some(ErrorCode::WrongPin));
    }
    assert_eq!(code_of(&clerk.request(wrong).await), Some(ErrorCode::ClerkLocked), "the third locks");
    assert_eq!(code_of(&clerk.request(body(SIGN_IN_5)).await), Some(ErrorCode::ClerkLocked), "even the right PIN");
    let seen = supervisor.events_until(|m| m["event"]["kind"] == "clerk_locked").await;
    let lock = &seen.last().expect("the lock")["event"];
    assert_eq!((lock["clerk"].as_str(), lock["failures"].as_u64()), (Some("c05"), Some(3)));
    use onewindow::store::Store;
    let records = server.store.read_after(0, 100_000).expect("ledger");
    let date = records.iter().find_map(|r| match &r.event {
        onewindow::core::Event::DayOpened { date, .. } => Some(date.to_string()),
        _ => None,
    });
    let lines = onewindow::audit::lines(&server.store, &date.expect("a day is open"), 480).expect("audit");
    assert!(
        lines.iter().any(|l| l.contains("clerk_locked") && l.contains("clerk-w5") && l.contains("clerk c05")),
        "{lines:#?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_plan_written_into_the_plan_folder_is_served_to_supervisors_only() {
    let server = TestServer::start(Limits::default()).await;
    let addr = server.running.addr;
    let supervisor = server.token("supervisor");
    // No plan written yet: an empty listing, not an error.
    let (status, body) = http_get(addr, "/api/plan", Some(&supervisor)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).expect("JSON"), json!({ "table": null, "charts": [] }));
    // What `onewindow-sim plan --svg DATA/plan` leaves there (its own test checks it writes these).
    let dir = server.dir().join("plan");
    std::fs::create_dir_all(&dir).expect("plan folder");
    let chart = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>周一</text></svg>";
    std::fs::write(dir.join("plan.txt"), "history 2026-11-02 to 2026-11-29\n\nMonday (4 days of history)\n")
        .expect("write");
    std::fs::write(dir.join("plan-weekday-1-windows.svg"), chart).expect("write");
    std::fs::write(dir.join("plan-weekday-1-slots.svg"), chart).expect("write");
    std::fs::write(dir.join("secret.svg"), chart).expect("write");
    std::fs::write(dir.parent().expect("data folder").join("plan-weekday-9-x.svg"), chart).expect("write");
    let (_, body) = http_get(addr, "/api/plan", Some(&supervisor)).await;
    let listing: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        listing["charts"],
        json!(["plan-weekday-1-slots.svg", "plan-weekday-1-windows.svg"]),
        "sorted, the plan's own"
    );
    assert!(listing["table"].as_str().is_some_and(|t| t.contains("Monday (4 days of history)")), "{listing}");
    let (status, body) = http_get(addr, "/api/plan/plan-weekday-1-slots.svg", Some(&supervisor)).await;
    assert_eq!((status, body.as_str()), (200, chart));
    // Only a supervisor; only the plan's charts, never a path out of the folder.
    for (path, token, expected) in [
        ("/api/plan", None, 401),
        ("/api/plan", Some(server.token("kiosk-1")), 401),
        ("/api/plan/plan-weekday-1-slots.svg", Some(server.token("clerk-w5")), 401),
        ("/api/plan/secret.svg", Some(supervisor.clone()), 404),
        ("/api/plan/plan.txt", Some(supervisor.clone()), 404),
        ("/api/plan/..%2Fplan-weekday-9-x.svg", Some(supervisor.clone()), 404),
        ("/api/plan/plan-weekday-2-slots.svg", Some(supervisor.clone()), 404),
    ] {
        assert_eq!(http_get(addr, path, token.as_deref()).await.0, expected, "{path}");
    }
    server.stop().await;
}
