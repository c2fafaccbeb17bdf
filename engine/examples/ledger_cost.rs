//! What the fault defences cost (docs/decisions/0004-record-checksums.md, 0005-doubted-clock.md), in one
//! run on one disk: durable commits through the checksummed ledger against the same records written
//! to a plain redb table without checksums, alternating in blocks so both see the same disk; then the
//! CPU time of sealing and checking one record, and of one reading of the checked clock.
//!
//! usage: cargo run --release --example ledger_cost [COMMITS_PER_BLOCK] [BLOCKS]   (default 200 × 5)

#![allow(clippy::print_stdout)]

use onewindow::core::{Event, Timestamp};
use onewindow::server::clock::CheckedClock;
use onewindow::store::faults::{Faults, FaultyBackend};
use onewindow::store::{chain, Record, RedbStore, Store};
use redb::{Database, Durability, TableDefinition};
use std::hint::black_box;
use std::time::{Duration, Instant};

const PLAIN: TableDefinition<u64, &[u8]> = TableDefinition::new("events");

/// A ticket-sized record (a `ticket_issued` wire text is about this long).
fn record(seq: u64) -> Record {
    let text = format!("notice {seq} {}", "x".repeat(200));
    Record {
        seq,
        event: Event::NoticePosted { text, at: Timestamp(1_772_412_480_000 + seq as i64) },
        wire: format!(
            "{{\"type\":\"event\",\"seq\":{seq},\"at\":1772412480000,\"event\":{{\"kind\":\"notice_posted\"}}}}"
        ),
        by: None,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let per_block = args.first().copied().unwrap_or(200);
    let blocks = args.get(1).copied().unwrap_or(5);
    let dir = std::env::temp_dir().join(format!("onewindow-ledger-cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (checked, _) = RedbStore::create(&dir.join("checked.redb"), Faults::none())?;
    // The plain side opens its file the same way (the fault switch in front, never armed).
    let file =
        std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(dir.join("plain.redb"))?;
    let plain: Database = redb::Builder::new().create_with_backend(FaultyBackend::new(file, Faults::none())?)?;
    let (mut with, mut without) = (Duration::ZERO, Duration::ZERO);
    let mut seq = 0;
    for _ in 0..blocks {
        let started = Instant::now();
        for i in 1..=per_block {
            let bytes = serde_json::to_vec(&record(seq + i))?;
            let mut txn = plain.begin_write()?;
            txn.set_durability(Durability::Immediate)?;
            txn.open_table(PLAIN)?.insert(seq + i, bytes.as_slice())?;
            txn.commit()?;
        }
        without += started.elapsed();
        let started = Instant::now();
        for i in 1..=per_block {
            checked.append(&[record(seq + i)])?;
        }
        with += started.elapsed();
        seq += per_block;
    }
    let total = (per_block * blocks) as f64;
    let (rate_with, rate_without) = (total / with.as_secs_f64(), total / without.as_secs_f64());
    println!("durable commits, one record each, {} per side, alternating blocks of {per_block}:", per_block * blocks);
    println!("  checksummed ledger   {rate_with:8.0} commits/s");
    println!("  plain redb table     {rate_without:8.0} commits/s");
    println!("  ratio                {:8.3} (checksummed / plain)", rate_with / rate_without);

    // CPU alone: seal and check one record, and replay-read the whole ledger.
    let body = serde_json::to_vec(&record(1))?;
    let genesis = chain::genesis("cost");
    let n = 200_000u32;
    let started = Instant::now();
    let mut link = genesis;
    for i in 0..n {
        link = black_box(chain::seal(&link, u64::from(i), black_box(&body))).0;
    }
    let seal_ns = started.elapsed().as_nanos() as f64 / f64::from(n);
    let (l, stored) = chain::seal(&genesis, 1, &body);
    let started = Instant::now();
    for _ in 0..n {
        black_box(chain::check(&genesis, 1, black_box(&stored)).map(|(x, _)| x == l).ok());
    }
    let check_ns = started.elapsed().as_nanos() as f64 / f64::from(n);
    let started = Instant::now();
    let read = checked.read_after(0, usize::MAX)?.len();
    let read_s = started.elapsed().as_secs_f64();
    println!("one record of {} bytes: seal {seal_ns:.0} ns, check {check_ns:.0} ns", body.len());
    println!("reading back {read} records with every checksum checked: {:.0} records/s", read as f64 / read_s);

    let mut clock = CheckedClock::new(Timestamp(0), Duration::ZERO, Timestamp(0));
    let origin = Instant::now();
    let started = Instant::now();
    for i in 0..n {
        black_box(clock.read(Timestamp(i64::from(i)), origin.elapsed()));
    }
    println!(
        "checked clock: {:.0} ns a reading (with the monotonic clock read)",
        started.elapsed().as_nanos() as f64 / f64::from(n)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
