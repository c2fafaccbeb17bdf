//! A hall for a month through the real binary (issue 14): 30 business days, a restart every night, and
//! along the way a matter and two clerks added while serving, a window renamed, a window retired, a
//! kiosk's token revoked while it is connected, and a hot backup taken under load, restored elsewhere
//! and verified. Then every acknowledged ticket of every day is in the restored ledger, and old days
//! still carry their old names.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod binary;
mod client;

use client::{code_of, Client};
use kiosk_protocol::{ErrorCode, Role};
use onewindow::store::{faults::Faults, RedbStore, Store};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

/// 2026-03-02 09:00 at +08:00 (a Monday).
const FIRST_MORNING_MS: i64 = 1_772_413_200_000;
const DAY_MS: i64 = 86_400_000;
const DAYS: i64 = 30;

struct Hall {
    data: PathBuf,
    config: PathBuf,
    tokens: BTreeMap<String, String>,
}

impl Hall {
    fn start(&self, day: i64) -> binary::Served {
        let from = (FIRST_MORNING_MS + day * DAY_MS).to_string();
        let args = ["--config", self.config.to_str().unwrap(), "--clock-from", &from];
        binary::serve(&self.data, &args, None).unwrap_or_else(|e| panic!("day {day}: the server did not start: {e}"))
    }

    fn cli(&self, args: &[&str]) -> (bool, String) {
        self.cli_with_input(args, "")
    }

    /// Runs `onewindow ARGS` with `input` on stdin (a pipe, as a script would give a PIN).
    fn cli_with_input(&self, args: &[&str], input: &str) -> (bool, String) {
        let out = binary::run_with_input(args, input);
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text)
    }

    fn edit(&self, change: impl FnOnce(String) -> String) {
        let text = std::fs::read_to_string(&self.config).unwrap();
        std::fs::write(&self.config, change(text)).unwrap();
    }

    fn reload(&self) -> String {
        let (ok, out) = self.cli(&["reload", "--data", self.data.to_str().unwrap()]);
        assert!(ok, "reload: {out}");
        out
    }
}

async fn device(served: &binary::Served, token: &str) -> Client {
    let mut client = Client::open(&served.url()).await;
    client.send_json(&json!({"id": 0, "type": "hello", "protocol": 1, "token": token})).await;
    let welcome = client.next_json().await;
    assert_eq!(welcome["result"]["kind"], "welcome", "{welcome}");
    client
}

/// The block of `[[window]]` with this key, removed.
fn without_window(text: &str, key: &str) -> String {
    let start = text.find(&format!("[[window]]\nkey = \"{key}\"")).expect("the window");
    let end = text[start + 1..].find("\n[").map_or(text.len(), |i| start + 1 + i + 1);
    format!("{}{}", &text[..start], &text[end..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_of_layout_changes_revocations_and_a_hot_backup_loses_nothing() {
    let root = std::env::temp_dir().join(format!("onewindow-month-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let (config, tokens) = binary::hall_config(&root, &[]);
    let mut tokens: BTreeMap<String, String> = tokens.into_iter().collect();
    let (kiosk2, block) = onewindow::launch::new_device_block("kiosk-2", Role::Kiosk, &[]);
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&block);
    std::fs::write(&config, text).unwrap();
    tokens.insert("kiosk-2".into(), kiosk2);
    let hall = Hall { data: root.join("data"), config, tokens };
    let data = hall.data.to_str().unwrap().to_owned();

    // Every ticket a kiosk got an answer for, by business date.
    let mut acknowledged: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut backup_file = None;
    for day in 0..DAYS {
        let mut served = hall.start(day);
        let mut kiosk = device(&served, &hall.tokens["kiosk-1"]).await;
        let mut clerk = device(&served, &hall.tokens["clerk-w9"]).await;
        for _ in 0..3 {
            let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "tax"})).await;
            let number = issued["result"]["ticket"]["number"].as_str().unwrap_or_else(|| panic!("day {day}: {issued}"));
            acknowledged.entry(format!("day{day:02}")).or_default().push(number.to_owned());
        }
        let signed = clerk.request(json!({"type": "sign_in", "window": 9, "clerk": "c09", "pin": "1234"})).await;
        assert_eq!(signed["type"], "reply", "day {day}: {signed}");
        clerk.request(json!({"type": "call_next", "window": 9})).await;
        clerk.request(json!({"type": "finish", "window": 9, "outcome": "completed"})).await;
        clerk.request(json!({"type": "sign_out", "window": 9})).await;

        match day {
            // A department moves in: a matter, served at window 9, and two clerks, while serving.
            3 => {
                hall.edit(|t| {
                    let t = t.replacen(
                        "[[matter]]",
                        "[[matter]]\nkey = \"permits\"\nname_zh = \"许可审批\"\nname_en = \"Permits\"\nprefix = \"H\"\ntarget_wait_min = 30\nhandling_norm_min = 10\n\n[[matter]]",
                        1,
                    );
                    t.replacen("serves = [\"real_estate\", \"tax\"]\n", "serves = [\"real_estate\", \"tax\", \"permits\"]\n", 1)
                });
                let out = hall.reload();
                assert!(out.contains("matter `permits`"), "reload says the matter is added: {out}");
                // Two clerks join: `onewindow clerk add` writes the config and reloads the server.
                let config = hall.config.to_str().unwrap();
                for key in ["c20", "c21"] {
                    let args = ["clerk", "add", "--config", config, "--key", key, "--name", "新同事", "--data", &data];
                    let (ok, out) = hall.cli_with_input(&args, "5678\n");
                    assert!(ok && out.contains(&format!("clerk `{key}`")), "{out}");
                }
                let permit = kiosk.request(json!({"type": "issue_ticket", "matter": "permits"})).await;
                assert_eq!(permit["result"]["ticket"]["number"], "H001", "the new matter issues at once: {permit}");
                acknowledged.entry(format!("day{day:02}")).or_default().push("H001".into());
                let signed =
                    clerk.request(json!({"type": "sign_in", "window": 9, "clerk": "c20", "pin": "5678"})).await;
                assert_eq!(signed["type"], "reply", "a new clerk signs in with their PIN: {signed}");
                clerk.request(json!({"type": "sign_out", "window": 9})).await;
            }
            // Window 1 is renamed; the next start takes it.
            8 => hall.edit(|t| t.replacen("name = \"综合窗口 1\"", "name = \"综合窗口 1（不动产专窗）\"", 1)),
            // A supervisor posts a notice; someone tries PINs at window 9 until c09 is locked.
            10 => {
                let mut wall = device(&served, &hall.tokens["supervisor"]).await;
                let posted = wall.request(json!({"type": "post_notice", "text": "今日社保系统升级"})).await;
                assert_eq!(posted["type"], "reply", "{posted}");
                let wrong = json!({"type": "sign_in", "window": 9, "clerk": "c09", "pin": "0000"});
                let mut last = json!(null);
                for _ in 0..5 {
                    last = clerk.request(wrong.clone()).await;
                }
                assert_eq!(code_of(&last), Some(ErrorCode::ClerkLocked), "five wrong PINs lock: {last}");
            }
            // Window 12 is retired while serving (nobody is signed in there).
            12 => {
                hall.edit(|t| without_window(&t, "w12"));
                let out = hall.reload();
                assert!(out.contains("window 12") && out.contains("retired"), "{out}");
                assert_eq!(
                    code_of(&clerk.request(json!({"type": "pause", "window": 12})).await),
                    Some(ErrorCode::Forbidden),
                    "the terminal is bound to 9 only"
                );
            }
            // A tablet is lost: its token is revoked while it is connected.
            15 => {
                let mut lost = device(&served, &hall.tokens["kiosk-2"]).await;
                lost.request(json!({"type": "get_state"})).await;
                let (ok, out) = hall.cli(&[
                    "token",
                    "revoke",
                    "--config",
                    hall.config.to_str().unwrap(),
                    "--name",
                    "kiosk-2",
                    "--data",
                    &data,
                ]);
                assert!(ok && out.contains("kiosk-2"), "{out}");
                let mut refused = None;
                while refused.is_none() {
                    let message = lost.next_json().await;
                    if message["type"] == "error" {
                        refused = Some(message);
                    }
                }
                assert_eq!(code_of(refused.as_ref().unwrap()), Some(ErrorCode::TokenRevoked));
                assert!(lost.close_code().await.is_some(), "the revoked kiosk's connection is closed");
                let mut again = Client::open(&served.url()).await;
                again
                    .send_json(&json!({"id": 0, "type": "hello", "protocol": 1, "token": hall.tokens["kiosk-2"]}))
                    .await;
                assert_eq!(code_of(&again.next_json().await), Some(ErrorCode::Unauthorized));
            }
            // The last day: a hot backup while a kiosk issues as fast as it is answered.
            29 => {
                let file = root.join("backup.redb");
                let (data_dir, to) = (data.clone(), file.to_str().unwrap().to_owned());
                let backup = tokio::task::spawn_blocking(move || {
                    Command::new(binary::binary()).args(["backup", "--data", &data_dir, "--to", &to]).output()
                });
                let mut during = Vec::new();
                while !backup.is_finished() {
                    let issued = kiosk.request(json!({"type": "issue_ticket", "matter": "pickup"})).await;
                    during.push(issued["result"]["ticket"]["number"].as_str().unwrap().to_owned());
                }
                let out = backup.await.unwrap().unwrap();
                assert!(out.status.success(), "backup: {}", String::from_utf8_lossy(&out.stderr));
                assert!(!during.is_empty(), "the backup ran under load");
                backup_file = Some(file);
            }
            _ => {}
        }
        drop((kiosk, clerk));
        assert!(served.terminate() && served.exited_within(std::time::Duration::from_secs(20)), "day {day} stops");
    }

    // Restore elsewhere and verify.
    let restored = root.join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::copy(backup_file.unwrap(), restored.join("ledger.redb")).unwrap();
    std::fs::copy(hall.data.join("hall-id"), restored.join("hall-id")).unwrap();
    let ledger = restored.join("ledger.redb");
    let (ok, out) = hall.cli(&["verify", ledger.to_str().unwrap(), "--config", hall.config.to_str().unwrap()]);
    assert!(ok, "verify: {out}");
    assert!(out.contains("the snapshot equals a replay of every event: OK"), "{out}");

    // Every acknowledged ticket of every day (the backup's own day up to the backup) is in it.
    let (store, _) = RedbStore::open(&ledger, None, Faults::none()).unwrap();
    let records = store.read_after(0, 1_000_000).unwrap();
    let mut issued: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut names_by_day: Vec<BTreeMap<u16, String>> = Vec::new();
    let mut names: BTreeMap<u16, String> = BTreeMap::new();
    for record in &records {
        let wire: Value = serde_json::from_str(&record.wire).unwrap();
        let event = &wire["event"];
        match event["kind"].as_str() {
            Some("layout_changed") => {
                names = event["windows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| (w["number"].as_u64().unwrap() as u16, w["name"].as_str().unwrap().to_owned()))
                    .collect();
                if let Some(today) = names_by_day.last_mut() {
                    *today = names.clone();
                }
            }
            Some("day_opened") => names_by_day.push(names.clone()),
            Some("ticket_issued") => {
                issued
                    .entry(names_by_day.len() - 1)
                    .or_default()
                    .insert(event["ticket"]["number"].as_str().unwrap().to_owned());
            }
            _ => {}
        }
    }
    assert_eq!(names_by_day.len(), DAYS as usize, "one business day per night");
    for (day, numbers) in &acknowledged {
        let index: usize = day[3..].parse().unwrap();
        let stored = issued.get(&index).cloned().unwrap_or_default();
        for number in numbers {
            assert!(stored.contains(number), "{day}: acknowledged {number} is in the restored ledger ({stored:?})");
        }
    }
    // `onewindow audit` lists day 10's supervisor action and the lock, with who did each.
    let (ok, out) =
        hall.cli(&["audit", "--data", &data, "--day", "2026-03-12", "--config", hall.config.to_str().unwrap()]);
    assert!(ok, "audit: {out}");
    assert!(out.lines().any(|l| l.contains("notice_posted") && l.contains("supervisor (supervisor)")), "{out}");
    assert!(out.lines().any(|l| l.contains("clerk_locked") && l.contains("clerk-w9 (clerk) clerk c09")), "{out}");
    assert!(!out.contains("layout_changed"), "only that day's actions (layouts changed on days 3, 9 and 12)");

    // Old days carry their old names; a retired window is not on later days.
    assert_eq!(names_by_day[5][&1], "综合窗口 1", "day 5 under its name then");
    assert_eq!(names_by_day[20][&1], "综合窗口 1（不动产专窗）", "day 20 under the new name");
    assert!(names_by_day[5].contains_key(&12) && !names_by_day[20].contains_key(&12), "window 12 retired on day 12");
    let _ = std::fs::remove_dir_all(&root);
}
