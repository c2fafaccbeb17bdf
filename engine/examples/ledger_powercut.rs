//! The ledger half of the power-cut measurement in `docs/decisions/0001-storage.md` (driven by
//! `scripts/powercut.sh`).
//!
//! `ledger_powercut write PATH` appends one event per durable transaction and prints each `seq` only
//! after `append` returned, i.e. once the ledger says it is on disk. `ledger_powercut check PATH` opens a
//! ledger (as a restart would), checks it has every `seq` from 1 without a gap, and prints the last.
//! `ledger_powercut write-unsynced PATH` is the control: the same table written with
//! `Durability::None` (no fsync), to show the harness does catch writes acknowledged too early.

#![allow(clippy::print_stdout)]

use onewindow::core::{Event, Timestamp};
use onewindow::store::{faults::Faults, Record, RedbStore, Store};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: ledger_powercut write|check PATH");
        return ExitCode::from(2);
    };
    // `write` makes a new ledger; `check` opens it as a restart would (checked, repaired on a copy).
    let opened = match mode.as_str() {
        "write" | "write-unsynced" => RedbStore::create(Path::new(path), Faults::none()).map(|(store, _)| store),
        _ => RedbStore::open(Path::new(path), None, Faults::none()).map(|(store, _)| store),
    };
    let store = match opened {
        Ok(store) => store,
        Err(e) => {
            println!("unreadable: {e}");
            return ExitCode::FAILURE;
        }
    };
    match mode.as_str() {
        "write-unsynced" => {
            let hall_id = store.hall_id();
            drop(store);
            unsynced(Path::new(path), &hall_id)
        }
        "write" => {
            let mut out = std::io::stdout().lock();
            for seq in 1.. {
                let record = Record {
                    seq,
                    event: Event::NoticePosted { text: format!("event {seq}"), at: Timestamp(seq as i64) },
                    wire: format!("{{\"type\":\"event\",\"seq\":{seq}}}"),
                    by: None,
                };
                if let Err(e) = store.append(&[record]) {
                    eprintln!("append failed: {e}");
                    return ExitCode::FAILURE;
                }
                // Acknowledged: only now may anyone be told.
                if writeln!(out, "{seq}").and_then(|()| out.flush()).is_err() {
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        "check" => {
            let mut expected = 1;
            loop {
                let records = match store.read_after(expected - 1, 10_000) {
                    Ok(records) => records,
                    Err(e) => {
                        println!("unreadable: {e}");
                        return ExitCode::FAILURE;
                    }
                };
                if records.is_empty() {
                    break;
                }
                for r in records {
                    if r.seq != expected {
                        println!("gap: expected {expected}, found {}", r.seq);
                        return ExitCode::FAILURE;
                    }
                    expected += 1;
                }
            }
            println!("{}", expected - 1);
            ExitCode::SUCCESS
        }
        _ => ExitCode::from(2),
    }
}

/// The control: acknowledges after a commit that is not fsynced.
fn unsynced(path: &Path, hall_id: &str) -> ExitCode {
    use onewindow::store::chain;
    let mut prev = chain::genesis(hall_id);
    use redb::{Database, Durability, TableDefinition};
    const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");
    let Ok(db) = Database::create(path) else { return ExitCode::FAILURE };
    let mut out = std::io::stdout().lock();
    for seq in 1u64.. {
        let record = Record {
            seq,
            event: Event::NoticePosted { text: format!("event {seq}"), at: Timestamp(seq as i64) },
            wire: format!("{{\"type\":\"event\",\"seq\":{seq}}}"),
            by: None,
        };
        let Ok(body) = serde_json::to_vec(&record) else { return ExitCode::FAILURE };
        let (link, bytes) = chain::seal(&prev, seq, &body);
        prev = link;
        let written = (|| -> Result<(), redb::Error> {
            let mut txn = db.begin_write()?;
            txn.set_durability(Durability::None)?;
            txn.open_table(EVENTS)?.insert(seq, bytes.as_slice())?;
            txn.commit()?;
            Ok(())
        })();
        if written.is_err() || writeln!(out, "{seq}").and_then(|()| out.flush()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
