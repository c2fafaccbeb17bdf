//! The ledger under the faults a hall meets (issue 11, findings 1–4): a missing, empty or swapped
//! ledger; flipped bits; a damaged page that made redb panic; a disk that fills or fails at every point
//! of a commit. Each test works on a real redb file in a temporary data directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use onewindow::core::{Event, Timestamp};
use onewindow::launch::{self, LaunchError};
use onewindow::store::faults::{Fault, Faults};
use onewindow::store::{Record, RedbStore, Store, StoreError};
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("onewindow-ledger-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Event `seq`: a notice whose text can be found in the file (`notice-000005`).
fn record(seq: u64) -> Record {
    let text = format!("notice-{seq:06}");
    let event = Event::NoticePosted { text, at: Timestamp(seq as i64) };
    Record { seq, wire: format!("{{\"type\":\"event\",\"seq\":{seq}}}"), event, by: None }
}

fn text_of(r: &Record) -> String {
    match &r.event {
        Event::NoticePosted { text, .. } => text.clone(),
        other => panic!("unexpected {other:?}"),
    }
}

/// A data directory holding a hall with `events` events, cleanly closed.
fn hall_with(name: &str, events: u64) -> PathBuf {
    let data = temp_dir(name);
    let (store, info) = launch::open_ledger(&data, false).expect("a new directory starts a hall");
    assert_eq!(info.last_seq, 0);
    for seq in 1..=events {
        store.append(&[record(seq)]).unwrap();
    }
    data
}

fn refusal(data: &Path) -> String {
    match launch::open_ledger(data, false) {
        Ok(_) => panic!("the ledger was accepted"),
        Err(e) => e.to_string(),
    }
}

fn read_all(store: &dyn Store) -> Result<Vec<Record>, StoreError> {
    store.read_after(0, usize::MAX)
}

/// Flips one bit of the first occurrence of `needle` in the file.
fn flip_bit_in(path: &Path, needle: &[u8]) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.windows(needle.len()).position(|w| w == needle).expect("the text is in the file");
    bytes[at + needle.len() - 1] ^= 0x02;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_missing_or_empty_ledger_is_refused_not_started_again() {
    let data = hall_with("missing", 5);
    let ledger = data.join("ledger.redb");

    std::fs::remove_file(&ledger).unwrap();
    let message = refusal(&data);
    assert!(message.contains("missing") && message.contains("--new-hall") && message.contains("backup"), "{message}");
    assert!(!ledger.exists(), "a refused start creates nothing");

    std::fs::write(&ledger, b"").unwrap();
    let message = refusal(&data);
    assert!(message.contains("empty"), "{message}");
    assert_eq!(std::fs::metadata(&ledger).unwrap().len(), 0, "a refused start changes nothing");

    // Asked explicitly, a new hall starts; the old file is kept aside, not deleted.
    let (store, info) = launch::open_ledger(&data, true).expect("--new-hall");
    assert_eq!((info.last_seq, store.last_seq().unwrap()), (0, 0));
    let kept = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().starts_with("ledger.redb.replaced-"));
    assert!(kept, "the previous ledger is kept aside");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn another_halls_ledger_is_refused() {
    let ours = hall_with("ours", 3);
    let theirs = hall_with("theirs", 7);
    std::fs::copy(theirs.join("ledger.redb"), ours.join("ledger.redb")).unwrap();
    let message = refusal(&ours);
    assert!(message.contains("another hall") && message.contains("replaced"), "{message}");
    for dir in [ours, theirs] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn a_ledger_deleted_while_running_stops_acknowledging_until_it_is_back() {
    let data = hall_with("deleted", 2);
    let (store, _) = launch::open_ledger(&data, false).unwrap();
    let ledger = data.join("ledger.redb");
    let backup = data.join("backup.redb");
    std::fs::copy(&ledger, &backup).unwrap();
    std::fs::remove_file(&ledger).unwrap();
    let refused = store.append(&[record(3)]).expect_err("a write into a deleted file is not acknowledged");
    assert!(refused.to_string().contains("deleted"), "{refused}");
    assert!(store.recover().is_err(), "nothing to reopen while the file is gone");
    std::fs::rename(&backup, &ledger).unwrap();
    store.recover().expect("this hall's ledger is back");
    assert_eq!(store.last_seq().unwrap(), 2, "the restored file is the truth");
    store.append(&[record(3)]).expect("acknowledging again");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_flipped_bit_is_found_at_start_and_by_every_read() {
    let data = hall_with("bitflip", 12);
    let ledger = data.join("ledger.redb");
    flip_bit_in(&ledger, b"notice-000005");
    let message = refusal(&data);
    assert!(
        message.contains("ledger.redb") && message.contains("event 5") && message.contains("onewindow verify"),
        "names the file, the seq and the remedy: {message}"
    );

    // `onewindow verify` lists it, and nothing else.
    let report = RedbStore::verify_file(&ledger).unwrap();
    assert_eq!(report.last_seq, 12);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0].contains("event 5"), "{:?}", report.problems);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_damaged_record_before_the_snapshot_is_refused_when_read_for_resume() {
    let data = hall_with("resume", 8);
    {
        let (store, _) = launch::open_ledger(&data, false).unwrap();
        store.save_snapshot(8, b"{}").unwrap();
    }
    // Opening checks from the snapshot on; event 3 is older, and is checked when a display resumes.
    flip_bit_in(&data.join("ledger.redb"), b"notice-000003");
    let (store, info) = launch::open_ledger(&data, false).expect("the records after the snapshot are intact");
    assert_eq!(info.checked_from, 8);
    let refused = read_all(&store).expect_err("a resume from since 0 does not get a damaged record");
    assert!(refused.to_string().contains("event 3"), "{refused}");
    let from_four = store.read_after(3, 10).expect("event 3's own link anchors what follows");
    assert_eq!(from_four.len(), 5);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_record_moved_to_another_place_is_found() {
    // A record swapped with another keeps its bytes intact, but no longer its place in the chain.
    let data = hall_with("reorder", 6);
    let ledger = data.join("ledger.redb");
    let mut bytes = std::fs::read(&ledger).unwrap();
    let find = |b: &[u8], n: &[u8]| b.windows(n.len()).position(|w| w == n).unwrap();
    let (a, b) = (find(&bytes, b"notice-000002"), find(&bytes, b"notice-000004"));
    bytes[a + 12] = b'4';
    bytes[b + 12] = b'2';
    std::fs::write(&ledger, bytes).unwrap();
    let message = refusal(&data);
    assert!(message.contains("event 2"), "{message}");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_damaged_page_never_panics_and_a_failed_start_changes_nothing() {
    let data = hall_with("zeroed", 300);
    let ledger = data.join("ledger.redb");
    let mut bytes = std::fs::read(&ledger).unwrap();
    let len = bytes.len();
    bytes[len - 4096..].fill(0);
    std::fs::write(&ledger, &bytes).unwrap();
    for attempt in 1..=2 {
        let started = std::panic::catch_unwind(|| launch::open_ledger(&data, false).map(|_| ()));
        let Ok(result) = started else { panic!("attempt {attempt}: opening panicked") };
        // A zeroed tail may hold only free pages; then the ledger is intact and must read whole.
        if let Err(e) = result {
            eprintln!("attempt {attempt}: {e}");
            assert!(matches!(e, LaunchError::Ledger(_)), "{e}");
        } else {
            let (store, _) = launch::open_ledger(&data, false).unwrap();
            assert_eq!(read_all(&store).unwrap().len(), 300);
            break;
        }
        assert_eq!(std::fs::read(&ledger).unwrap(), bytes, "attempt {attempt}: a failed start changed the file");
    }
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn every_damaged_page_is_refused_or_read_whole_never_a_panic() {
    // Zero each 4 KiB page of a small ledger in turn: opening either refuses cleanly, leaving the file
    // as it was, or finds every record intact (the page was free). Never a panic, never a wrong record.
    let data = hall_with("pages", 60);
    let ledger = data.join("ledger.redb");
    let clean = std::fs::read(&ledger).unwrap();
    let (mut refused, mut intact) = (0, 0);
    for page in 0..clean.len() / 4096 {
        let mut bytes = clean.clone();
        bytes[page * 4096..(page + 1) * 4096].fill(0);
        std::fs::write(&ledger, &bytes).unwrap();
        let _ = std::fs::remove_file(data.join("hall-id"));
        let opened = std::panic::catch_unwind(|| {
            launch::open_ledger(&data, false)
                .map(|(store, _)| read_all(&store).map(|r| r.iter().map(text_of).collect::<Vec<_>>()))
        });
        match opened {
            Err(_) => panic!("page {page}: panicked"),
            Ok(Err(_)) => {
                refused += 1;
                assert_eq!(std::fs::read(&ledger).unwrap(), bytes, "page {page}: a refused start changed the file");
            }
            Ok(Ok(Err(_))) => refused += 1,
            Ok(Ok(Ok(texts))) => {
                let expected: Vec<String> = (1..=60).map(|s| text_of(&record(s))).collect();
                assert_eq!(texts, expected, "page {page}: opened, so every record must be right");
                intact += 1;
            }
        }
    }
    assert!(refused > 0, "zeroing the pages that hold records must be noticed");
    eprintln!("{refused} pages refused, {intact} free");
    let _ = std::fs::remove_dir_all(&data);
}

/// A ledger behind a fault switch, with `before` events.
fn faulty(name: &str, before: u64) -> (PathBuf, RedbStore, Faults) {
    let data = temp_dir(name);
    let path = data.join("ledger.redb");
    let faults = Faults::none();
    let (store, _) = RedbStore::create(&path, faults.clone()).unwrap();
    for seq in 1..=before {
        store.append(&[record(seq)]).unwrap();
    }
    (data, store, faults)
}

#[test]
fn a_full_or_failing_disk_at_every_point_of_a_commit_loses_nothing_and_heals() {
    // How many mutating operations one commit of two records takes.
    let (data, store, faults) = faulty("count", 3);
    let before = faults.ops();
    store.append(&[record(4), record(5)]).unwrap();
    let per_commit = faults.ops() - before;
    eprintln!("one commit: {per_commit} mutating operations");
    assert!(per_commit >= 2, "a durable commit writes and syncs");
    drop(store);
    let _ = std::fs::remove_dir_all(&data);

    for fault in [Fault::Full, Fault::Io, Fault::Torn] {
        for point in 0..per_commit {
            let (data, store, faults) = faulty("fault", 3);
            faults.arm(point, fault);
            let failed = store.append(&[record(4), record(5)]);
            assert!(failed.is_err(), "{fault:?} at op {point}: the commit cannot succeed");
            // Still failing: every command is refused, and reopening fails too.
            assert!(store.append(&[record(4)]).is_err());
            assert!(store.recover().is_err(), "{fault:?} at op {point}: the disk still fails");
            faults.heal();
            store.recover().unwrap_or_else(|e| panic!("{fault:?} at op {point}: no recovery: {e}"));
            // All or nothing: the acknowledged three are there, the failed batch wholly or not at all.
            let texts: Vec<String> = read_all(&store).unwrap().iter().map(text_of).collect();
            let n = texts.len() as u64;
            assert!(n == 3 || n == 5, "{fault:?} at op {point}: {n} records");
            let expected: Vec<String> = (1..=n).map(|s| text_of(&record(s))).collect();
            assert_eq!(texts, expected);
            store.append(&[record(n + 1)]).expect("writes work again");
            assert_eq!(read_all(&store).unwrap().len() as u64, n + 1);
            drop(store);
            // And a restart finds the same.
            let (reopened, info) = RedbStore::open(&data.join("ledger.redb"), None, Faults::none()).unwrap();
            assert_eq!(info.last_seq, n + 1);
            assert_eq!(read_all(&reopened).unwrap().len() as u64, n + 1);
            drop(reopened);
            let _ = std::fs::remove_dir_all(&data);
        }
    }
}
