//! A stolen data directory (issue 11, finding 9). A citizen gives an ID number at the kiosk, the clerk
//! sees it masked; then someone copies the data directory, and only it, and runs the known search:
//! the masked form's first three and last four characters, every region code and birth date, the check
//! digit, and the ID-hash key to confirm a guess. Nothing may be recovered.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod binary;
mod client;

use client::Client;
use onewindow::auth::IdHasher;
use onewindow::core::Date;
use onewindow::identity;
use serde_json::json;
use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

const ID: &str = "11010519491231002X";

fn files(dir: &Path) -> Vec<Vec<u8>> {
    client::files_under(dir).into_iter().map(|(_, bytes)| bytes).collect()
}

/// Masked IDs (`110***********002X`) anywhere in the bytes.
fn masked_ids(bytes: &[u8]) -> Vec<String> {
    bytes
        .windows(18)
        .filter(|w| {
            w[..3].iter().all(u8::is_ascii_digit)
                && w[3..14].iter().all(|b| *b == b'*')
                && w[14..17].iter().all(u8::is_ascii_digit)
                && (w[17].is_ascii_digit() || w[17] == b'X')
        })
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect()
}

/// Anything shaped like an ID-hash key: a word of 64 hex digits (a key file's lines are a date and a key).
fn keys(bytes: &[u8]) -> Vec<IdHasher> {
    String::from_utf8_lossy(bytes)
        .split_whitespace()
        .filter(|w| w.len() == 64 && w.bytes().all(|b| b.is_ascii_hexdigit()))
        .filter_map(IdHasher::from_hex)
        .collect()
}

/// Every run of exactly 32 hex digits (the ID-hash form) in the bytes.
fn hashes(bytes: &[u8]) -> HashSet<String> {
    bytes
        .split(|b| !b.is_ascii_hexdigit())
        .filter(|run| run.len() == 32)
        .map(|run| String::from_utf8_lossy(run).into_owned())
        .collect()
}

/// The attack: for each masked ID, every region suffix in `regions` and birth date in `years` that
/// passes the check digit, confirmed by a keyed hash found in the same files. (The test narrows the
/// ranges to stay short; an attacker searches them all in under a second in a release build.)
fn search(all: &[Vec<u8>], regions: Range<u32>, years: Range<i32>) -> Vec<String> {
    let masked: Vec<String> = all.iter().flat_map(|b| masked_ids(b)).collect();
    let hashers: Vec<IdHasher> = all.iter().flat_map(|b| keys(b)).collect();
    let known: HashSet<String> = all.iter().flat_map(|b| hashes(b)).collect();
    let first = Date::new(years.start, 1, 1).unwrap().to_days();
    let last = Date::new(years.end, 1, 1).unwrap().to_days();
    let mut found = Vec::new();
    for m in &masked {
        for hasher in &hashers {
            for region in regions.clone() {
                for days in first..last {
                    let date = Date::from_days(days);
                    let candidate =
                        format!("{}{region:03}{:04}{:02}{:02}{}", &m[..3], date.year, date.month, date.day, &m[14..]);
                    if identity::birth_date(&candidate).is_ok() && known.contains(&hasher.hash(&candidate).0) {
                        found.push(candidate);
                    }
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Books `real_estate` with [`ID`] on the first day ahead with a free slot; whether one was found.
async fn book_online(addr: std::net::SocketAddr, token: &str) -> bool {
    let today = onewindow::core::Timestamp(
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap(),
    )
    .local(480)
    .0;
    for ahead in 1..=7 {
        let date = Date::from_days(today.to_days() + ahead);
        let path = format!("/api/v1/availability?matter=real_estate&date={date}");
        let (status, body) = client::http(addr, "GET", &path, Some(token), None).await;
        assert_eq!(status, 200, "{body}");
        let day: serde_json::Value = serde_json::from_str(&body).unwrap();
        let Some(slot) = day["slots"].as_array().unwrap().iter().find(|s| s["available"].as_u64() > Some(0)) else {
            continue;
        };
        let request = json!({"client_key": "stolen-1", "matter": "real_estate", "date": date.to_string(),
            "start": slot["start"], "id_number": ID});
        let (status, body) =
            client::http(addr, "POST", "/api/v1/bookings", Some(token), Some(&request.to_string())).await;
        assert_eq!(status, 201, "{body}");
        return true;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_of_the_data_directory_gives_up_no_id_number() {
    let root = std::env::temp_dir().join(format!("onewindow-stolen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let data = root.join("data");
    let mut served = binary::serve(&data, &[], None).unwrap();
    let url = format!("ws://{}/ws", served.addr);
    let tokens = data.join("demo-tokens.txt");
    let token = |name: &str| onewindow::launch::demo_token(&tokens, name).unwrap();
    let mut kiosk = Client::open(&url).await;
    kiosk.send_json(&json!({"id": 0, "type": "hello", "protocol": 1, "token": token("kiosk-1")})).await;
    let _ = kiosk.next_json().await;
    let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "tax", "id_number": ID})).await;
    assert_eq!(issued["result"]["ticket"]["number"], "E001", "{issued}");
    let mut clerk = Client::open(&url).await;
    clerk.send_json(&json!({"id": 0, "type": "hello", "protocol": 1, "token": token("clerk-w9")})).await;
    let _ = clerk.next_json().await;
    clerk.request(json!({"type": "sign_in", "window": 9, "clerk": "c09", "pin": "1234"})).await;
    let called = clerk.request(json!({"type": "call_next", "window": 9})).await;
    assert_eq!(called["result"]["ticket"]["id_masked"], "110***********002X", "the clerk still sees it masked");
    drop((kiosk, clerk));
    // And books online with the same ID (its hashes go in the ledger's records, decision 0011).
    let booked = book_online(served.addr.parse().expect("an address"), &token("integration")).await;
    assert!(booked, "a booking was made on one of the next seven days");
    assert!(served.terminate(), "SIGTERM sent");
    assert!(served.exited_within(std::time::Duration::from_secs(20)));

    // The thief's copy: the data directory alone.
    let copy = root.join("stolen");
    std::fs::create_dir_all(&copy).unwrap();
    // The files (the terminals' pages in `web/` are the binary's own).
    for entry in std::fs::read_dir(&data).unwrap().filter_map(Result::ok).filter(|e| e.path().is_file()) {
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    let all = files(&copy);
    assert!(all.iter().all(|b| masked_ids(b).is_empty()), "no masked ID in the data directory");
    assert!(all.iter().all(|b| keys(b).is_empty()), "no ID-hash key in the data directory");
    assert!(all.iter().all(|b| !b.windows(ID.len()).any(|w| w == ID.as_bytes())), "no raw ID number");
    assert_eq!(
        search(&all, 0..1000, 1900..2026),
        Vec::<String>::new(),
        "the region × birth-date search recovers nothing"
    );

    // The search does work when its inputs are there: the masked ID and the key, as today's main kept them.
    let key_file = data.with_file_name("data-secrets").join("id-key");
    let mut with_key = all.clone();
    with_key.push(std::fs::read(&key_file).unwrap());
    let day_key = keys(&std::fs::read(&key_file).unwrap()).pop().expect("today's key is in the key file");
    with_key.push(format!("{} {}", identity::mask(ID), day_key.hash(ID).0).into_bytes());
    assert_eq!(search(&with_key, 100..110, 1945..1950), vec![ID.to_owned()], "the search is a real one");

    // A key inside the data directory is refused.
    let inside = data.join("id-key");
    std::fs::copy(&key_file, &inside).unwrap();
    let refused = binary::serve(&data, &[], None).err().expect("a key inside the data directory is refused");
    assert!(refused.contains("inside the data directory") && refused.contains("rm "), "{refused}");
    let _ = std::fs::remove_dir_all(&root);
}
