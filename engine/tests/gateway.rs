//! "Your turn is near" messages through the hall's gateway (docs/operations.md, "Messages"): a local
//! webhook receiver that refuses the first attempts, a server restart in the middle, and every expected
//! message found exactly once, signed, with the right phone number and words.

mod binary;
mod client;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use client::{code_of, test_clock, TestServer};
use kiosk_protocol::ErrorCode;
use onewindow::auth::IdKeys;
use onewindow::config::{self, Limits};
use onewindow::server::gateway::{signature, Gateway};
use onewindow::store::{MemoryStore, Store};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &[u8] = b"the hall and its gateway share this";
const PHONE_A: &str = "13800138000";
const PHONE_B: &str = "13912345678";

/// What the receiver saw: every request (id, signed right), and the ids it took (2xx).
#[derive(Default)]
struct Received {
    attempts: Vec<(String, bool)>,
    taken: Vec<Value>,
    refuse_first: usize,
}

async fn receive(State(seen): State<Arc<Mutex<Received>>>, headers: HeaderMap, body: String) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let signed = header("x-onewindow-signature")
        == format!("sha256={}", signature(SECRET, &header("x-onewindow-timestamp"), &body));
    let message: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(header("idempotency-key"), message["id"].as_str().expect("id"));
    let mut seen = seen.lock().expect("lock");
    seen.attempts.push((header("idempotency-key"), signed));
    if seen.attempts.len() <= seen.refuse_first {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    seen.taken.push(message);
    StatusCode::OK
}

/// A receiver refusing its first `refuse_first` requests; its address and what it saw.
async fn receiver(refuse_first: usize) -> (String, Arc<Mutex<Received>>) {
    let seen = Arc::new(Mutex::new(Received { refuse_first, ..Received::default() }));
    let app = axum::Router::new().route("/notify", axum::routing::post(receive)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/notify"), seen)
}

async fn wait_for(seen: &Arc<Mutex<Received>>, taken: usize) -> bool {
    for _ in 0..600 {
        if seen.lock().expect("lock").taken.len() >= taken {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_arrives_once_signed_through_refusals_and_a_restart() {
    let (url, seen) = receiver(3).await;
    let gateway = Gateway::new(&url, SECRET.to_vec(), "hall-1".into()).expect("gateway");
    let store = MemoryStore::new();
    let ledger: Arc<dyn Store> = Arc::new(store.clone());
    let keys = Arc::new(IdKeys::in_memory());
    let launch = || {
        let clock = test_clock(Arc::new(AtomicI64::new(0)));
        let (ledger, store, keys, gateway) = (ledger.clone(), store.clone(), keys.clone(), gateway.clone());
        TestServer::launch_gateway(
            Limits::default(),
            ledger,
            store,
            config::demo().expect("demo"),
            clock,
            None,
            Some(keys),
            Some(gateway),
        )
    };
    let server = launch().await;
    let mut kiosk = server.connect("kiosk-1", None).await;
    let mut capabilities = Vec::new();
    for _ in 0..5 {
        let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
        capabilities.push(issued["result"]["ticket"]["capability"].as_str().expect("capability").to_owned());
    }
    // E003 from the kiosk that issued it (2 ahead: near at once); E005 from its phone (4 ahead).
    let wrong = kiosk.request(json!({"type": "subscribe", "ticket": "E003", "phone": "1380013800"})).await;
    assert_eq!(code_of(&wrong), Some(ErrorCode::InvalidPhone), "{wrong}");
    let subscribed = kiosk.request(json!({"type": "subscribe", "ticket": "E003", "phone": PHONE_A})).await;
    assert_eq!(subscribed["type"], "reply", "{subscribed}");
    let mut other_kiosk = server.connect("kiosk-2", None).await;
    let not_its = other_kiosk.request(json!({"type": "subscribe", "ticket": "E004", "phone": PHONE_A})).await;
    assert_eq!(code_of(&not_its), Some(ErrorCode::NotYourTicket), "{not_its}");
    let mut phone = client::Client::open(&server.url()).await;
    phone.send_json(&json!({"id": 0, "type": "follow", "protocol": 1, "ticket": capabilities[4]})).await;
    assert_eq!(phone.next_json().await["result"]["kind"], "following");
    let subscribed = phone.request(json!({"type": "subscribe", "phone": PHONE_B})).await;
    assert_eq!(subscribed["type"], "reply", "{subscribed}");
    // The receiver refuses the first three attempts of E003's near message (retried 1, 2, 4 s later);
    // the server stops in the middle of them and starts again on the same ledger and keys.
    for _ in 0..100 {
        if !seen.lock().expect("lock").attempts.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop((kiosk, other_kiosk, phone));
    server.stop().await;
    assert!(seen.lock().expect("lock").taken.is_empty(), "refused so far");
    let server = launch().await;
    assert!(wait_for(&seen, 1).await, "the near message of E003 after the restart");

    // The clerk calls them all: E005 becomes near (3 ahead), then each is called at window 9.
    let mut clerk = server.connect("clerk-w9", None).await;
    clerk.request(json!({"type": "sign_in", "window": 9, "clerk": "c09", "pin": "1234"})).await;
    for _ in 0..5 {
        let called = clerk.request(json!({"type": "call_next", "window": 9})).await;
        assert_eq!(called["type"], "reply", "{called}");
        // A second for the tick to see each step (the called message is for the call, not the finish).
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        clerk.request(json!({"type": "finish", "window": 9, "outcome": "completed"})).await;
    }
    assert!(wait_for(&seen, 4).await, "four messages");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let seen = std::mem::take(&mut *seen.lock().expect("lock"));
    assert!(seen.attempts.iter().all(|(_, signed)| *signed), "every request signed: {:?}", seen.attempts);
    let mut by_id: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for m in &seen.taken {
        by_id.entry(m["id"].as_str().expect("id").to_owned()).or_default().push(m);
    }
    assert!(by_id.values().all(|v| v.len() == 1), "each taken once: {by_id:?}");
    let got: Vec<(String, String, String, Value)> = seen
        .taken
        .iter()
        .map(|m| (m["ticket"].to_string(), m["kind"].to_string(), m["phone"].to_string(), m["window"].clone()))
        .collect();
    let want = |t: &str, k: &str, p: &str, w: Value| (format!("\"{t}\""), format!("\"{k}\""), format!("\"{p}\""), w);
    assert_eq!(
        got,
        [
            want("E003", "near", PHONE_A, Value::Null),
            want("E005", "near", PHONE_B, Value::Null),
            want("E003", "called", PHONE_A, json!(9)),
            want("E005", "called", PHONE_B, json!(9)),
        ],
        "{:#?}",
        seen.taken
    );
    assert_eq!(
        seen.taken[0]["text_zh"],
        "【示范政务服务大厅】您的 E003 号（涉税服务）前面还有 2 人，请回到大厅等候叫号。"
    );
    assert_eq!(seen.taken[2]["text_zh"], "【示范政务服务大厅】请 E003 号到 9 号窗口办理涉税服务。");
    assert!(seen.attempts.len() >= 7, "three refused, then four taken: {:?}", seen.attempts);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_phone_or_id_number_is_left_in_clear_under_the_data_directory_after_the_day_closes() {
    let (url, seen) = receiver(0).await;
    let root = std::env::temp_dir().join(format!("onewindow-privacy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (data, secrets) = (root.join("data"), root.join("secrets"));
    std::fs::create_dir_all(&secrets).expect("dirs");
    let secret_file = secrets.join("gateway-secret");
    std::fs::write(&secret_file, SECRET).expect("secret");
    let (config, tokens) = binary::hall_config(&root, &[]);
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(&format!(
        "\n[gateway]\nurl = \"{url}\"\nsecret_file = \"{}\"\nsender = \"hall-9\"\n",
        secret_file.display()
    ));
    std::fs::write(&config, text).expect("config");
    let token = |name: &str| tokens.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).expect("token");
    let served = binary::serve(&data, &["--config", config.to_str().expect("path")], None).expect("serves");
    let ws = format!("ws://{}/ws", served.addr);
    let connect = |device: &'static str| {
        let ws = ws.clone();
        let token = token(device);
        async move {
            let mut c = client::Client::open(&ws).await;
            c.send_json(&json!({"id": 0, "type": "hello", "protocol": 1, "token": token})).await;
            assert_eq!(c.next_json().await["result"]["kind"], "welcome");
            c
        }
    };
    let (id, phone) = ("11010519491231002X", "13800138000");
    let mut kiosk = connect("kiosk-1").await;
    let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "tax", "id_number": id})).await;
    assert_eq!(issued["result"]["ticket"]["number"], "E001", "{issued}");
    let subscribed = kiosk.request(json!({"type": "subscribe", "ticket": "E001", "phone": phone})).await;
    assert_eq!(subscribed["type"], "reply", "{subscribed}");
    // A second ticket's holder asks on the mobile ticket, with another number.
    let second = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
    let mut mobile = client::Client::open(&ws).await;
    let capability = second["result"]["ticket"]["capability"].as_str().expect("capability");
    mobile.send_json(&json!({"id": 0, "type": "follow", "protocol": 1, "ticket": capability})).await;
    assert_eq!(mobile.next_json().await["result"]["kind"], "following");
    let subscribed = mobile.request(json!({"type": "subscribe", "phone": PHONE_B})).await;
    assert_eq!(subscribed["type"], "reply", "{subscribed}");
    assert!(wait_for(&seen, 2).await, "both near messages went to the gateway");
    assert_eq!(seen.lock().expect("lock").taken[0]["phone"], phone, "the gateway got the number");
    // The day closes and the server stops: what it left is all under the data directory.
    let mut wall = connect("supervisor").await;
    assert_eq!(wall.request(json!({"type": "close_day"})).await["type"], "reply");
    drop((kiosk, mobile, wall));
    let mut served = served;
    assert!(served.terminate() && served.exited_within(Duration::from_secs(20)), "stopped");
    let mut found = Vec::new();
    for (path, bytes) in client::files_under(&data) {
        for needle in [id, phone, PHONE_B] {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(format!("{needle} in {}", path.display()));
            }
        }
    }
    assert!(client::files_under(&data).len() >= 2, "the test looked at the ledger");
    assert_eq!(found, Vec::<String>::new(), "nothing in clear under the data directory");
    let _ = std::fs::remove_dir_all(&root);
}

/// A message queued while the gateway is down still names its ticket after the hall has forgotten the
/// ended ticket (`ended_tickets_kept`), however long the outage lasts.
#[test]
fn a_queued_message_keeps_its_ticket_number_after_the_ticket_is_forgotten() {
    use onewindow::core::{notify::SealedPhone, Command, Event, Hall, Outcome, Timestamp};
    let mut config = config::parse(include_str!("halls/small.toml")).expect("small hall");
    config.rules.ended_tickets_kept = 1;
    let date = onewindow::core::Date { year: 2026, month: 3, day: 2 };
    let at = |minute: u32| date.at_minute(9 * 60 + minute, 480);
    let mut hall = Hall::new(config);
    let run = |hall: &mut Hall, command: Command, now: Timestamp| hall.execute(&command, now).expect("accepted");
    run(&mut hall, Command::OpenDay { date }, at(0));
    let tax = hall.config().matter_by_key("tax").expect("tax");
    let window = hall.config().window_by_number(2).expect("window 2");
    let clerk = hall.config().clerk_by_key("c2").expect("c2");
    run(&mut hall, Command::SignIn { window, clerk }, at(0));
    let issue = || Command::IssueTicket { matter: tax, green: None, holder: None, source: None };
    let Some(Event::TicketIssued { ticket, .. }) = run(&mut hall, issue(), at(1)).first().cloned() else {
        panic!("a ticket")
    };
    let phone = SealedPhone { hash: "h".into(), sealed: "s".into() };
    run(&mut hall, Command::Subscribe { ticket, phone, by: None }, at(1));
    run(&mut hall, Command::CallNext { window }, at(2));
    let queued = hall.tick(at(2));
    assert!(queued.iter().any(|e| matches!(e, Event::MessageQueued { .. })), "the call is told: {queued:?}");
    queued.iter().for_each(|e| hall.apply(e));
    // The gateway stays down while the ticket ends and two more push it out of the kept ones.
    run(&mut hall, Command::Finish { window, outcome: Outcome::Completed }, at(3));
    for minute in 4..6 {
        run(&mut hall, issue(), at(minute));
        run(&mut hall, Command::CallNext { window }, at(minute));
        run(&mut hall, Command::Finish { window, outcome: Outcome::Completed }, at(minute));
    }
    assert!(hall.ticket(ticket).is_none(), "the first ticket is forgotten");
    let outbox = onewindow::server::gateway::outbox(&hall);
    let called: Vec<_> =
        outbox.messages.iter().filter(|m| m.kind == onewindow::core::notify::MessageKind::Called).collect();
    assert_eq!(called.len(), 1, "{:?}", outbox.messages);
    assert_eq!((called[0].ticket.as_str(), called[0].matter.0.as_str(), called[0].window), ("B001", "tax", Some(2)));
}
