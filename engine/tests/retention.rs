//! Retention (PIPL): a ticket's ID hash is kept beside the ledger for `[privacy] id_retention_days`, then
//! deleted; after that nothing ID-derived (hash or masked number) is left anywhere under the data
//! directory, while the ticket itself stays in the ledger for the day's counts and waits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;

use client::{test_clock, TestServer};
use onewindow::config::{self, Limits};
use onewindow::core::{Date, Event};
use onewindow::store::{faults::Faults, MemoryStore, RedbStore, Store};
use serde_json::json;
use std::path::Path;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

const DAY_MS: i64 = 86_400_000;

fn containing(dir: &Path, needle: &str) -> Vec<String> {
    client::files_under(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(path, _)| path.display().to_string())
        .collect()
}

/// The server on `ledger`, `days` after the test morning (a restart each night: a wall clock that jumps
/// while serving is doubted for a minute, decision 0005), and the hall's date once it is open.
async fn serve_on_day(ledger: &Arc<dyn Store>, days: i64) -> (TestServer, String) {
    let limits = Limits { id_retention_days: 2, ..Limits::default() };
    let clock = test_clock(Arc::new(AtomicI64::new(days * DAY_MS)));
    let server = TestServer::launch(limits, ledger.clone(), MemoryStore::new(), config::demo().unwrap(), clock).await;
    // The hall as first sent may still be on the day before (its first tick opens the new one): wait for it.
    let today = Date::from_days(Date { year: 2026, month: 3, day: 2 }.to_days() + days).to_string();
    let mut wall = server.connect("supervisor", None).await;
    if wall.next_json().await["hall"]["date"].as_str() != Some(today.as_str()) {
        wall.events_until(|m| m["event"]["kind"] == "day_opened" && m["event"]["date"] == today.as_str()).await;
    }
    (server, today)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_retention_period_no_id_hash_or_masked_id_is_left_in_the_data_directory() {
    let data = std::env::temp_dir().join(format!("onewindow-retention-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let (ledger, _) = RedbStore::create(&data.join("ledger.redb"), Faults::none()).unwrap();
    let ledger: Arc<dyn Store> = Arc::new(ledger);
    let (server, first_day) = serve_on_day(&ledger, 0).await;

    let mut kiosk = server.connect("kiosk-1", None).await;
    let _ = kiosk.next_json().await;
    let issued =
        kiosk.request(json!({"type": "issue_ticket", "matter": "tax", "id_number": "11010519491231002X"})).await;
    assert!(issued["result"]["ticket"]["number"].is_string(), "{issued}");
    let mut clerk = server.connect("clerk-w9", None).await;
    let _ = clerk.next_json().await;
    clerk.request(json!({"type": "sign_in", "window": 9, "clerk": "c09", "pin": "1234"})).await;
    let called = clerk.request(json!({"type": "call_next", "window": 9})).await;
    let masked = called["result"]["ticket"]["id_masked"].as_str().expect("the clerk sees the masked ID").to_owned();

    // The ledger gives the ticket back with its ID hash, which lives in the ID files, not the records.
    let holder = ledger
        .read_after(0, 10_000)
        .unwrap()
        .into_iter()
        .find_map(|r| match r.event {
            Event::TicketIssued { holder: Some(h), .. } => Some(h.0),
            _ => None,
        })
        .expect("the ticket's ID hash is kept for the day");
    let kept = containing(&data, &holder);
    assert!(!kept.is_empty() && kept.iter().all(|f| f.contains("/ids/")), "kept only in the ID files: {kept:?}");
    assert!(containing(&data, &masked).is_empty(), "a masked ID is never stored");

    // Within the retention period it stays; past it, it is gone from every file.
    server.stop().await;
    let (server, second_day) = serve_on_day(&ledger, 1).await;
    assert!(second_day > first_day, "{second_day} follows {first_day}");
    assert!(!containing(&data, &holder).is_empty(), "kept within the retention period");
    server.stop().await;
    let (server, _) = serve_on_day(&ledger, 4).await;
    let mut left = containing(&data, &holder);
    for _ in 0..100 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = containing(&data, &holder);
    }
    assert!(left.is_empty(), "an ID hash past the retention period is left in {left:?}");
    assert!(containing(&data, &masked).is_empty());

    // The ticket itself is still in the ledger, for the day's counts and waits.
    let records = ledger.read_after(0, 10_000).unwrap();
    let issued_then = records.iter().filter(|r| matches!(r.event, Event::TicketIssued { .. })).count();
    assert_eq!(issued_then, 1);
    assert!(records.iter().all(|r| !matches!(r.event, Event::TicketIssued { holder: Some(_), .. })));
    server.stop().await;
    let _ = std::fs::remove_dir_all(&data);
}

/// The ID files cannot be written (here: `ids` is a file, not a folder; on a hall, a full or read-only
/// disk): a ticket with an ID is refused `storage_unavailable` and nothing of it is kept or shown; once the
/// disk works again the server carries on by itself, and the ticket is taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_file_that_cannot_be_written_refuses_the_ticket_and_heals() {
    let data = std::env::temp_dir().join(format!("onewindow-idfault-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let (ledger, _) = RedbStore::create(&data.join("ledger.redb"), Faults::none()).unwrap();
    let ledger: Arc<dyn Store> = Arc::new(ledger);
    let (server, _) = serve_on_day(&ledger, 0).await;
    std::fs::write(data.join("ids"), "not a folder").unwrap();
    let mut kiosk = server.connect("kiosk-1", None).await;
    let _ = kiosk.next_json().await;
    let with_id = json!({"type": "issue_ticket", "matter": "tax", "id_number": "11010519491231002X"});
    let refused = kiosk.request(with_id.clone()).await;
    assert_eq!(client::code_of(&refused), Some(kiosk_protocol::ErrorCode::StorageUnavailable), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("ID file"), "the log and the answer say why: {refused}");
    assert!(
        ledger.read_after(0, 10_000).unwrap().iter().all(|r| !matches!(r.event, Event::TicketIssued { .. })),
        "nothing of the refused ticket is in the ledger"
    );

    std::fs::remove_file(data.join("ids")).unwrap();
    assert!(client::becomes_healthy(server.running.addr).await, "the server takes writes again by itself");
    let issued = kiosk.request(with_id).await;
    assert_eq!(issued["result"]["ticket"]["number"], "E001", "the number was not used up: {issued}");
    assert_eq!(containing(&data, "11010519491231002X").len(), 0, "the raw number is nowhere");
    server.stop().await;
    let _ = std::fs::remove_dir_all(&data);
}
