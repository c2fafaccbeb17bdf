//! `/api/v1` over real sockets (docs/api.md): the demo hall (open 00:00–24:00 every day, real estate
//! bookable with 4 places a half hour, 7 days ahead, 3 misses in 30 days block for 30), the demo's
//! `integration` token, the test morning 2026-03-02 10:00.

mod client;

use client::{http, test_clock, TestServer, TEST_MORNING};
use onewindow::auth::IdKeys;
use onewindow::config::{self, Limits};
use onewindow::core::Date;
use onewindow::store::{MemoryStore, Store};
use serde_json::{json, Value};
use std::sync::atomic::AtomicI64;
use std::sync::Arc;

const DAY_MS: i64 = 86_400_000;
/// Valid ID numbers (check digits right).
const IDS: [&str; 6] = [
    "11010519491231002X",
    "110101199003077774",
    "110101199003076050",
    "110101199003071890",
    "110101199003079219",
    "440524198001010013",
];

async fn call(server: &TestServer, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let text = body.map(|b| b.to_string());
    let (status, body) = http(server.running.addr, method, path, token, text.as_deref()).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
}

fn booking(key: &str, date: &str, start: &str, id: &str) -> Value {
    json!({"client_key": key, "matter": "real_estate", "date": date, "start": start, "id_number": id})
}

#[tokio::test]
async fn the_online_channel_books_once_per_key_until_a_slot_is_full_and_cancels_and_moves_bookings() {
    let server = TestServer::start(Limits::default()).await;
    let token = server.token("integration");
    let t = Some(token.as_str());
    let (status, day) = call(&server, "GET", "/api/v1/availability?matter=real_estate&date=2026-03-03", t, None).await;
    assert_eq!(status, 200, "{day}");
    let slots = day["slots"].as_array().expect("slots");
    assert_eq!(slots.len(), 48, "00:00–24:00 in half hours");
    assert_eq!(
        slots[18],
        json!({"start": "09:00", "end": "09:30", "start_ms": 1772499600000i64, "end_ms": 1772501400000i64,
                                 "capacity": 4, "booked": 0, "available": 4})
    );
    // Booked once; the same request again is the same booking.
    let (status, first) =
        call(&server, "POST", "/api/v1/bookings", t, Some(booking("k1", "2026-03-03", "09:00", IDS[0]))).await;
    assert_eq!(status, 201, "{first}");
    let code = first["code"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 8);
    assert_eq!((first["state"].as_str(), first["end"].as_str()), (Some("booked"), Some("09:30")));
    let (status, again) =
        call(&server, "POST", "/api/v1/bookings", t, Some(booking("k1", "2026-03-03", "09:00", IDS[0]))).await;
    assert_eq!((status, &again), (200, &first));
    let refused = |body: &Value| body["code"].as_str().map(str::to_owned);
    let (status, other) =
        call(&server, "POST", "/api/v1/bookings", t, Some(booking("k1", "2026-03-03", "10:00", IDS[0]))).await;
    assert_eq!((status, refused(&other).as_deref()), (409, Some("key_reused")));
    let (status, twice) =
        call(&server, "POST", "/api/v1/bookings", t, Some(booking("k2", "2026-03-03", "15:00", IDS[0]))).await;
    assert_eq!((status, refused(&twice).as_deref()), (409, Some("already_booked")));
    // Three more fill the slot; the fifth is refused; the day shows it.
    for (i, id) in IDS[1..4].iter().enumerate() {
        let (status, b) =
            call(&server, "POST", "/api/v1/bookings", t, Some(booking(&format!("f{i}"), "2026-03-03", "09:00", id)))
                .await;
        assert_eq!(status, 201, "{b}");
    }
    let (status, full) =
        call(&server, "POST", "/api/v1/bookings", t, Some(booking("k5", "2026-03-03", "09:00", IDS[4]))).await;
    assert_eq!((status, refused(&full).as_deref()), (409, Some("slot_full")));
    let (_, day) = call(&server, "GET", "/api/v1/availability?matter=real_estate&date=2026-03-03", t, None).await;
    assert_eq!((day["slots"][18]["booked"].as_u64(), day["slots"][18]["available"].as_u64()), (Some(4), Some(0)));
    // Looked up, cancelled (its place free again), then unknown codes.
    let path = format!("/api/v1/bookings/{code}");
    assert_eq!(call(&server, "GET", &path, t, None).await, (200, first.clone()));
    let (status, cancelled) = call(&server, "DELETE", &path, t, None).await;
    assert_eq!((status, cancelled["state"].as_str()), (200, Some("cancelled")));
    let (status, _) =
        call(&server, "POST", "/api/v1/bookings", t, Some(booking("k5", "2026-03-03", "09:00", IDS[4]))).await;
    assert_eq!(status, 201);
    let (status, unknown) = call(&server, "GET", "/api/v1/bookings/ZZZZZZZZ", t, None).await;
    assert_eq!((status, refused(&unknown).as_deref()), (404, Some("unknown_appointment")));
    // Moved within its day, then to another day (which needs the ID number again).
    let (status, b) =
        call(&server, "POST", "/api/v1/bookings", t, Some(booking("m1", "2026-03-04", "09:00", IDS[5]))).await;
    assert_eq!(status, 201, "{b}");
    let moving = format!("/api/v1/bookings/{}/reschedule", b["code"].as_str().expect("code"));
    let (status, moved) =
        call(&server, "POST", &moving, t, Some(json!({"date": "2026-03-04", "start": "11:30"}))).await;
    assert_eq!((status, moved["start"].as_str(), moved["code"].as_str()), (200, Some("11:30"), b["code"].as_str()));
    let (status, no_id) =
        call(&server, "POST", &moving, t, Some(json!({"date": "2026-03-05", "start": "11:30"}))).await;
    assert_eq!((status, refused(&no_id).as_deref()), (400, Some("id_required")));
    let to_friday = json!({"date": "2026-03-06", "start": "08:00", "id_number": IDS[5]});
    let (status, moved) = call(&server, "POST", &moving, t, Some(to_friday)).await;
    assert_eq!((status, moved["date"].as_str(), moved["start"].as_str()), (200, Some("2026-03-06"), Some("08:00")));
    // Wrong input: each with its code, nothing booked.
    let cases = [
        (booking("x1", "2026-3-3", "09:00", IDS[4]), 400, "bad_request"),
        (booking("x2", "2026-03-03", "9 am", IDS[4]), 400, "bad_request"),
        (booking("x3", "2026-03-03", "09:10", IDS[4]), 400, "no_such_slot"),
        (booking("x4", "2026-03-02", "08:00", IDS[4]), 400, "no_such_slot"),
        (booking("x5", "2026-03-10", "09:00", IDS[4]), 400, "date_out_of_range"),
        (booking("x6", "2026-03-03", "09:30", "110101199003077770"), 400, "invalid_id_number"),
        (
            json!({"client_key": "x7", "matter": "business", "date": "2026-03-03", "start": "09:00", "id_number": IDS[4]}),
            400,
            "not_bookable",
        ),
        (
            json!({"client_key": "x8", "matter": "real_estate", "date": "2026-03-03", "start": "09:00"}),
            400,
            "bad_request",
        ),
        (
            json!({"client_key": "x9", "matter": "real_estate", "date": "2026-03-03", "start": "09:00", "id_number": IDS[4], "name": "张三"}),
            400,
            "bad_request",
        ),
    ];
    for (body, want_status, want_code) in cases {
        let (status, answer) = call(&server, "POST", "/api/v1/bookings", t, Some(body.clone())).await;
        assert_eq!((status, refused(&answer).as_deref()), (want_status, Some(want_code)), "{body}");
    }
    let big = json!({"client_key": "x".repeat(5000), "matter": "real_estate", "date": "2026-03-03", "start": "09:00", "id_number": IDS[4]});
    assert_eq!(call(&server, "POST", "/api/v1/bookings", t, Some(big)).await.0, 400, "over 4 KiB");
    server.stop().await;
}

#[tokio::test]
async fn only_an_integration_token_uses_the_api_and_it_has_no_websocket_or_reports() {
    let server = TestServer::start(Limits::default()).await;
    let path = "/api/v1/availability?matter=real_estate&date=2026-03-03";
    let (status, body) = call(&server, "GET", path, None, None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    for device in ["supervisor", "kiosk-1", "display-hall", "clerk-w5"] {
        let token = server.token(device);
        let (status, body) = call(&server, "GET", path, Some(&token), None).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")), "{device}");
    }
    let integration = server.token("integration");
    for path in ["/api/state", "/api/report?period=2026-03", "/api/plan"] {
        assert_eq!(call(&server, "GET", path, Some(&integration), None).await.0, 401, "{path}");
    }
    // Its hello is refused and the socket closed.
    let mut ws = client::Client::open(&server.url()).await;
    ws.send_json(&json!({"id": 1, "type": "hello", "protocol": 1, "token": integration})).await;
    let answer = ws.next_json().await;
    assert_eq!(client::code_of(&answer), Some(kiosk_protocol::ErrorCode::Forbidden), "{answer}");
    assert!(ws.close_code().await.is_some());
    server.stop().await;
}

/// The server on `ledger` `days` after the test morning, with the hall's ID keys (kept across restarts,
/// as the key file is).
async fn serve_on_day(ledger: &Arc<dyn Store>, keys: &Arc<IdKeys>, days: i64) -> TestServer {
    let clock = test_clock(Arc::new(AtomicI64::new(days * DAY_MS)));
    let hall = config::demo().expect("demo hall");
    let server = TestServer::launch_keyed(
        Limits::default(),
        ledger.clone(),
        MemoryStore::new(),
        hall,
        clock,
        None,
        Some(keys.clone()),
    )
    .await;
    let today = Date::from_days(Date { year: 2026, month: 3, day: 2 }.to_days() + days).to_string();
    let mut wall = server.connect("supervisor", None).await;
    if wall.next_json().await["hall"]["date"].as_str() != Some(today.as_str()) {
        wall.events_until(|m| m["event"]["kind"] == "day_opened" && m["event"]["date"] == today.as_str()).await;
    }
    server
}

#[tokio::test]
async fn three_missed_bookings_block_the_id_and_a_kept_one_does_not_count() {
    let store = MemoryStore::new();
    let ledger: Arc<dyn Store> = Arc::new(store);
    let keys = Arc::new(IdKeys::in_memory());
    // Three days: the same ID books 23:00 that day and never comes; another books and checks in.
    for day in 0..3 {
        let server = serve_on_day(&ledger, &keys, day).await;
        let token = server.token("integration");
        let date = Date::from_days(Date { year: 2026, month: 3, day: 2 }.to_days() + day).to_string();
        let (status, b) = call(
            &server,
            "POST",
            "/api/v1/bookings",
            Some(&token),
            Some(booking(&format!("miss{day}"), &date, "23:00", IDS[0])),
        )
        .await;
        assert_eq!(status, 201, "day {day}: {b}");
        let (status, kept) = call(
            &server,
            "POST",
            "/api/v1/bookings",
            Some(&token),
            Some(booking(&format!("kept{day}"), &date, "10:30", IDS[1])),
        )
        .await;
        assert_eq!(status, 201, "{kept}");
        let mut kiosk = server.connect("kiosk-1", None).await;
        // By code, or (day 2) by the ID number it was booked with.
        let by = if day == 2 { json!({"id_number": IDS[1]}) } else { json!({"code": kept["code"]}) };
        let checked =
            kiosk.request(json!({"type": "check_in", "code": by["code"], "id_number": by["id_number"]})).await;
        assert!(checked["result"]["ticket"].is_object(), "{checked}");
        if day == 0 {
            // Booked today for tomorrow 10:00, checked in tomorrow by ID number (the booking's day key).
            let tomorrow = booking("ahead", "2026-03-03", "10:00", IDS[2]);
            assert_eq!(call(&server, "POST", "/api/v1/bookings", Some(&token), Some(tomorrow)).await.0, 201);
            let early = kiosk.request(json!({"type": "check_in", "id_number": IDS[2]})).await;
            assert_eq!(early["code"], "no_booking_today", "{early}");
        }
        if day == 1 {
            let checked = kiosk.request(json!({"type": "check_in", "id_number": IDS[2]})).await;
            assert_eq!(checked["result"]["ticket"]["class"], "appointment", "{checked}");
            let again = kiosk.request(json!({"type": "check_in", "id_number": IDS[2]})).await;
            assert_eq!(again["code"], "appointment_used", "{again}");
            let both = kiosk.request(json!({"type": "check_in", "id_number": IDS[2], "code": "X"})).await;
            assert_eq!(both["code"], "bad_request", "{both}");
        }
        server.stop().await;
    }
    // Day 3 (the third miss counted when day 2 closed): the ID is blocked, the other is not.
    let server = serve_on_day(&ledger, &keys, 3).await;
    let token = server.token("integration");
    let (status, blocked) =
        call(&server, "POST", "/api/v1/bookings", Some(&token), Some(booking("b1", "2026-03-06", "12:00", IDS[0])))
            .await;
    assert_eq!((status, blocked["code"].as_str()), (403, Some("booking_blocked")), "{blocked}");
    let (status, fine) =
        call(&server, "POST", "/api/v1/bookings", Some(&token), Some(booking("b2", "2026-03-06", "12:00", IDS[1])))
            .await;
    assert_eq!(status, 201, "{fine}");
    let _ = TEST_MORNING;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_books_nothing_and_says_503_then_the_same_request_books_once() {
    use onewindow::store::faults::{Fault, Faults};
    use onewindow::store::RedbStore;
    let dir = std::env::temp_dir().join(format!("onewindow-api-full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let faults = Faults::none();
    let (ledger, _) = RedbStore::create(&dir.join("ledger.redb"), faults.clone()).expect("ledger");
    let ledger: Arc<dyn Store> = Arc::new(ledger);
    let server = TestServer::launch(
        Limits::default(),
        ledger,
        MemoryStore::new(),
        config::demo().expect("demo"),
        test_clock(Arc::default()),
    )
    .await;
    let token = server.token("integration");
    let t = Some(token.as_str());
    let places = |day: &Value| day["slots"][18]["available"].as_u64();
    let (_, before) = call(&server, "GET", "/api/v1/availability?matter=real_estate&date=2026-03-03", t, None).await;
    assert_eq!(places(&before), Some(4));

    faults.arm(0, Fault::Full);
    let request = booking("full-1", "2026-03-03", "09:00", IDS[3]);
    let (status, refused) = call(&server, "POST", "/api/v1/bookings", t, Some(request.clone())).await;
    assert_eq!((status, refused["code"].as_str()), (503, Some("storage_unavailable")), "{refused}");

    faults.heal();
    let mut booked = None;
    for _ in 0..100 {
        // The server reopens the ledger by itself; until then the same refusal.
        let (status, body) = call(&server, "POST", "/api/v1/bookings", t, Some(request.clone())).await;
        if status != 503 {
            booked = Some((status, body));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (status, body) = booked.expect("books once the disk has room again");
    assert_eq!(status, 201, "the refused attempt booked nothing, so this is the first: {body}");
    let (_, after) = call(&server, "GET", "/api/v1/availability?matter=real_estate&date=2026-03-03", t, None).await;
    assert_eq!(places(&after), Some(3), "one place taken, not two");
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_token_past_its_requests_per_minute_gets_429() {
    let server = TestServer::start(Limits { api_requests_per_minute: 3, ..Limits::default() }).await;
    let token = server.token("integration");
    let path = "/api/v1/availability?matter=real_estate&date=2026-03-03";
    for _ in 0..3 {
        assert_eq!(call(&server, "GET", path, Some(&token), None).await.0, 200);
    }
    // Refilled at 3 a minute: none comes back during the test.
    let (status, refused) = call(&server, "GET", path, Some(&token), None).await;
    assert_eq!((status, refused["code"].as_str()), (429, Some("rate_limited")), "{refused}");
    let (status, _) = call(&server, "GET", path, None, None).await;
    assert_eq!(status, 401, "a request without a token is refused as before, not counted");
    server.stop().await;
}
