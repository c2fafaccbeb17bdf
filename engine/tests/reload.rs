//! `onewindow reload` against a running server, through its control socket: a layout change that is
//! unsafe now (retiring a window a clerk is signed in at) is refused with what to do and scheduled, then
//! applied by itself once the clerk signs out; terminals get `layout_changed`; the audit lists it all.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;

use client::{code_of, test_clock, TestServer};
use kiosk_protocol::ErrorCode;
use onewindow::config::{self, Limits};
use onewindow::server::control::{self, ControlRequest};
use onewindow::store::MemoryStore;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// The demo hall without window 5's block.
fn without_window_5() -> String {
    let text = config::DEMO_HALL_TOML;
    let start = text.find("[[window]]\nkey = \"w05\"").expect("window 5");
    let end = start + 1 + text[start + 1..].find("\n[").expect("a block follows") + 1;
    format!("{}{}", &text[..start], &text[end..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsafe_layout_change_is_scheduled_and_applied_once_safe() {
    let text = Arc::new(Mutex::new(config::DEMO_HALL_TOML.to_owned()));
    let source = text.clone();
    let devices = Arc::new(Mutex::new(Vec::new()));
    let kept = devices.clone();
    let reload: control::Reloader = Arc::new(move || {
        let (hall, mut settings) = config::parse_full(&source.lock().unwrap()).map_err(|e| e.to_string())?;
        settings.devices = kept.lock().unwrap().clone();
        Ok((hall, settings))
    });
    let store = MemoryStore::new();
    let server = TestServer::launch_controlled(
        Limits::default(),
        Arc::new(store.clone()),
        store.clone(),
        config::demo().unwrap(),
        test_clock(Arc::default()),
        Some(reload),
    )
    .await;
    // The reloaded configuration keeps the demo devices (the demo hall's are not in its TOML).
    *devices.lock().unwrap() = onewindow::launch::demo_devices(&config::demo().unwrap(), &server.tokens).unwrap();
    let mut wall = server.connect("supervisor", None).await;
    let _ = wall.next_json().await;
    let mut clerk = server.connect("clerk-w5", None).await;
    let _ = clerk.next_json().await;
    clerk.request(json!({"type": "sign_in", "window": 5, "clerk": "c05", "pin": "1234"})).await;

    *text.lock().unwrap() = without_window_5();
    let plan = control::ask(server.dir(), &ControlRequest::Plan { config: None }).unwrap().unwrap();
    assert!(plan.lines.iter().any(|l| l.contains("window 5") && l.contains("retired")), "{:?}", plan.lines);
    let reply = control::ask(server.dir(), &ControlRequest::Reload).unwrap().unwrap();
    let why = reply.scheduled.expect("retiring a signed-in window waits");
    assert!(why.contains("window 5") && why.contains("sign it out") && why.contains("Scheduled"), "{why}");
    assert!(reply.error.is_none());

    // Once the clerk signs out, the tick applies it: terminals see window 5 gone.
    let out = clerk.request(json!({"type": "sign_out", "window": 5})).await;
    assert_eq!(out["type"], "reply", "{out}");
    let seen = wall.events_until(|m| m["event"]["kind"] == "layout_changed").await;
    let windows = seen.last().unwrap()["event"]["windows"].as_array().unwrap().clone();
    assert!(windows.iter().all(|w| w["number"] != 5) && windows.len() == 15, "{windows:?}");
    assert_eq!(
        code_of(&clerk.request(json!({"type": "sign_in", "window": 5, "clerk": "c05", "pin": "1234"})).await),
        Some(ErrorCode::UnknownWindow),
        "a retired window is gone"
    );

    // The audit lists the clerk's sign-in and sign-out and the operator's change, with who did each.
    use onewindow::store::Store;
    let date = store
        .read_after(0, 10_000)
        .unwrap()
        .into_iter()
        .find_map(|r| match r.event {
            onewindow::core::Event::DayOpened { date, .. } => Some(date.to_string()),
            _ => None,
        })
        .unwrap();
    let audit = control::ask(server.dir(), &ControlRequest::Audit { day: date }).unwrap().unwrap();
    let has = |kind: &str, who: &str| audit.lines.iter().any(|l| l.contains(kind) && l.contains(who));
    assert!(has("clerk_signed_in", "clerk-w5 (clerk) clerk c05"), "{:#?}", audit.lines);
    assert!(has("clerk_signed_out", "clerk-w5 (clerk) clerk c05"), "{:#?}", audit.lines);
    assert!(has("layout_changed", "operator (operator)"), "{:#?}", audit.lines);
    server.stop().await;
}
