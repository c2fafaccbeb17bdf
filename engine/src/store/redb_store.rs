//! The ledger on disk: one redb file. Every append is one write transaction committed with
//! `Durability::Immediate`, which fsyncs before `commit` returns — the guarantee the writer relies on
//! to acknowledge nothing that could be lost.
//!
//! Opening never trusts the file and never changes it before it is known good: it is opened read-only
//! first and every record from the snapshot on is checked against the chain ([`super::chain`]); a file
//! that needs redb's crash repair is repaired on a copy, checked, and only then put in place. Every redb
//! call runs under `catch_unwind`, so a damaged page that makes redb panic becomes a clear error.
//! After a failed write the database is closed; [`Store::recover`] reopens it when the disk works again.
//! A ledger file deleted or replaced under the running server is noticed after the next commit.

use super::chain::{self, Link};
use super::faults::{Faults, FaultyBackend};
use super::ids::IdFiles;
use super::{decode, encode, Record, Store, StoreError};
use crate::core::{Event, HolderKey, MatterId, TicketId, Timestamp};
use redb::{Builder, Database, DatabaseError, Durability, ReadableDatabase, ReadableTable, TableDefinition};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// redb's page cache: fixed, so the server's memory does not grow with the ledger (redb's default is
/// 1 GiB, which a ledger of months fills). Reads past it go to the page cache of the kernel.
pub const LEDGER_CACHE_BYTES: usize = 8 << 20;

fn ledger_builder() -> Builder {
    let mut builder = Builder::new();
    builder.set_cache_size(LEDGER_CACHE_BYTES);
    builder
}

const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");
const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
const SNAPSHOT: TableDefinition<u64, &[u8]> = TableDefinition::new("snapshot");
/// Derived data (reports' facts of closed days): rebuilt from the events whenever missing or unreadable.
const DERIVED: TableDefinition<&str, &[u8]> = TableDefinition::new("derived");
/// A ledger deleted or replaced under the running server is noticed within this (at the first
/// commit after it, at most this long after the previous look).
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(50);
/// The on-disk format: 2 is checksummed records bound to a hall id.
const FORMAT: &str = "2";

/// What opening found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerInfo {
    /// The hall this ledger belongs to (random, made when the hall was created).
    pub hall_id: String,
    /// The last `seq`.
    pub last_seq: u64,
    /// Checked from this `seq` on (the snapshot's; 0 when every record was checked).
    pub checked_from: u64,
    /// Whether redb's crash repair ran (on a copy, put in place after it checked out).
    pub repaired: bool,
}

/// A [`Store`] in a redb file.
pub struct RedbStore {
    path: PathBuf,
    faults: Faults,
    inner: Mutex<Inner>,
    /// ID hashes, kept beside the ledger so they can be forgotten ([`super::ids`]).
    ids: Mutex<IdFiles>,
}

struct Inner {
    /// `None` after a failed write, until [`Store::recover`] reopens the file.
    db: Option<Arc<Database>>,
    hall_id: String,
    genesis: Link,
    /// The last stored `seq` and its link.
    last: (u64, Link),
    /// A handle on the file as opened: when its link count drops to 0 the path no longer leads to it
    /// (deleted, or replaced by a rename).
    watch: Option<std::fs::File>,
    /// When the link count was last looked at. A stat right after an fsync waits for the journal
    /// (~40 µs here, 15–20% of a one-record commit), so it is looked at most every [`WATCH_EVERY`].
    watched_at: Option<std::time::Instant>,
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(e.to_string())
}

/// Runs redb code; a panic inside it (redb asserts on pages it cannot make sense of) becomes an error.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Err(StoreError::Corrupt(format!(
                "{}: the storage engine stopped on a damaged page ({what})",
                path.display()
            )))
        }
    }
}

fn watch(path: &Path) -> Option<std::fs::File> {
    std::fs::File::open(path).ok()
}

/// Whether the watched file is still reachable by its path (always, where link counts are unknown).
fn still_linked(file: &std::fs::File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        file.metadata().map_or(true, |m| m.nlink() > 0)
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        true
    }
}

/// A ledger file that is missing or empty where a hall's ledger should be.
fn check_present(path: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::Identity(format!(
            "{}: the ledger is missing, though this data directory has held a hall",
            path.display()
        ))),
        Err(e) => Err(io(format!("{}: {e}", path.display()))),
        Ok(m) if m.len() == 0 => Err(StoreError::Identity(format!(
            "{}: the ledger is empty (0 bytes), though this data directory has held a hall",
            path.display()
        ))),
        Ok(_) => Ok(()),
    }
}

/// Opens the file read-write (redb repairs it if it was not closed cleanly).
fn open_rw(path: &Path, faults: &Faults) -> Result<Database, StoreError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| io(format!("{}: {e}", path.display())))?;
    let backend = FaultyBackend::new(file, faults.clone()).map_err(io)?;
    ledger_builder().create_with_backend(backend).map_err(|e| match e {
        DatabaseError::Storage(redb::StorageError::Io(e)) => io(format!("{}: {e}", path.display())),
        DatabaseError::Storage(e) => StoreError::Corrupt(format!("{}: {e}", path.display())),
        e => io(format!("{}: {e}", path.display())),
    })
}

/// What a read of the whole ledger state finds.
struct Inspection {
    hall_id: String,
    last: (u64, Link),
    checked_from: u64,
}

/// Reads the identity and checks every record from the snapshot on (or from the start), without writing.
fn inspect(db: &impl ReadableDatabase, path: &Path, expect: Option<&str>) -> Result<Inspection, StoreError> {
    let damaged = |what: String| StoreError::Corrupt(format!("{}: {what}", path.display()));
    let txn = db.begin_read().map_err(|e| damaged(e.to_string()))?;
    let meta = txn.open_table(META).map_err(|e| damaged(format!("no meta table ({e})")))?;
    let get = |key: &str| -> Result<Option<String>, StoreError> {
        Ok(meta.get(key).map_err(|e| damaged(e.to_string()))?.map(|v| v.value().to_owned()))
    };
    let Some(hall_id) = get("hall_id")? else {
        return Err(StoreError::Identity(format!(
            "{}: this file is not a onewindow ledger of this version (no hall id); start a new hall with \
             `onewindow serve --new-hall` and keep the old file for its records",
            path.display()
        )));
    };
    if get("format")?.as_deref() != Some(FORMAT) {
        return Err(damaged(format!("unknown ledger format {:?}", get("format")?)));
    }
    if let Some(expected) = expect.filter(|e| *e != hall_id) {
        return Err(StoreError::Identity(format!(
            "{}: this ledger belongs to another hall (hall id {hall_id}, this data directory's is {expected}): \
             it was replaced. Put this hall's ledger back (restore it from backup), or start a new hall with \
             `--new-hall`",
            path.display()
        )));
    }
    let genesis = chain::genesis(&hall_id);
    let events = txn.open_table(EVENTS).map_err(|e| damaged(e.to_string()))?;
    let snapshots = txn.open_table(SNAPSHOT).map_err(|e| damaged(e.to_string()))?;
    let snapshot_seq = match snapshots.last().map_err(|e| damaged(e.to_string()))? {
        Some((k, v)) if snapshot_intact(v.value()).is_some() => k.value(),
        _ => 0,
    };
    let prev = anchor(&events, snapshot_seq, &genesis, path)?
        .ok_or_else(|| damaged(format!("event {snapshot_seq}, where the snapshot was taken, is missing")))?;
    let last = walk_checked(&events, snapshot_seq, prev, usize::MAX, path, |_| {})?;
    Ok(Inspection { hall_id, last, checked_from: snapshot_seq })
}

type Events = redb::ReadOnlyTable<u64, &'static [u8]>;

/// A failed read: the disk's (may pass) or the file's content (damage, with the remedy).
fn read_error(e: redb::StorageError, path: &Path) -> StoreError {
    match e {
        redb::StorageError::Io(e) => io(format!("{}: {e}", path.display())),
        e => StoreError::Corrupt(format!("{}: {e}", path.display())),
    }
}

/// The link that anchors the records after `after`: the genesis, or record `after`'s stored link.
/// `None` when `after` is at or past the end; a missing record with later ones is damage.
fn anchor(events: &Events, after: u64, genesis: &Link, path: &Path) -> Result<Option<Link>, StoreError> {
    let damaged = |what: String| StoreError::Corrupt(format!("{}: {what}", path.display()));
    if after == 0 {
        return Ok(Some(*genesis));
    }
    match events.get(after).map_err(|e| read_error(e, path))? {
        Some(v) => Ok(Some(chain::split(v.value()).ok_or_else(|| damaged(format!("event {after} is truncated")))?.0)),
        None if events.last().map_err(|e| read_error(e, path))?.is_some_and(|(k, _)| k.value() > after) => {
            Err(damaged(format!("event {after} is missing")))
        }
        None => Ok(None),
    }
}

/// Up to `limit` records after `after`, in order and without gaps, each checked against the link before
/// it (`prev` for the first) and decoded, handed to `each`; returns the last `seq` and link.
fn walk_checked(
    events: &Events,
    after: u64,
    mut prev: Link,
    limit: usize,
    path: &Path,
    mut each: impl FnMut(Record),
) -> Result<(u64, Link), StoreError> {
    let damaged = |what: String| StoreError::Corrupt(format!("{}: {what}", path.display()));
    let mut seq = after;
    for entry in events.range(after.saturating_add(1)..).map_err(|e| read_error(e, path))?.take(limit) {
        let (k, v) = entry.map_err(|e| read_error(e, path))?;
        if k.value() != seq + 1 {
            return Err(damaged(format!("event {} is missing (the next stored is {})", seq + 1, k.value())));
        }
        seq = k.value();
        let (l, body) = chain::check(&prev, seq, v.value()).map_err(damaged)?;
        let record = decode(body).map_err(|e| damaged(format!("event {seq} cannot be read: {e}")))?;
        if record.seq != seq {
            return Err(damaged(format!("event {seq} says it is event {}", record.seq)));
        }
        prev = l;
        each(record);
    }
    Ok((seq, prev))
}

/// A stored snapshot's state if its digest matches.
fn snapshot_intact(stored: &[u8]) -> Option<&[u8]> {
    let (digest, state) = chain::split(stored)?;
    (chain::digest(state) == digest).then_some(state)
}

impl RedbStore {
    /// Creates the ledger of a new hall at `path`, which must not exist or be empty. Returns the store
    /// and the new hall's id.
    pub fn create(path: &Path, faults: Faults) -> Result<(RedbStore, String), StoreError> {
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            return Err(StoreError::Identity(format!("{}: a ledger already exists here", path.display())));
        }
        let db = guarded(path, || {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(|e| io(format!("{}: {e}", path.display())))?;
            let backend = FaultyBackend::new(file, faults.clone()).map_err(io)?;
            ledger_builder().create_with_backend(backend).map_err(io)
        })?;
        let hall_id = crate::auth::new_hall_id();
        let store = RedbStore {
            ids: Mutex::new(
                IdFiles::open(path).map_err(|e| io(format!("the ID files beside {}: {e}", path.display())))?,
            ),
            path: path.to_owned(),
            faults,
            inner: Mutex::new(Inner {
                db: Some(Arc::new(db)),
                genesis: chain::genesis(&hall_id),
                hall_id: hall_id.clone(),
                last: (0, chain::genesis(&hall_id)),
                watch: watch(path),
                watched_at: None,
            }),
        };
        store.write(|txn| {
            txn.open_table(EVENTS)?;
            txn.open_table(SNAPSHOT)?;
            let mut meta = txn.open_table(META)?;
            meta.insert("hall_id", hall_id.as_str())?;
            meta.insert("format", FORMAT)?;
            Ok(())
        })?;
        Ok((store, hall_id))
    }

    /// Opens an existing ledger, checking it as described in the module header. `expect` is the hall id
    /// the data directory says it holds, if it knows. A refusal leaves the file as it was.
    pub fn open(path: &Path, expect: Option<&str>, faults: Faults) -> Result<(RedbStore, LedgerInfo), StoreError> {
        check_present(path)?;
        let read_only = guarded(path, || {
            let file = std::fs::File::open(path).map_err(|e| io(format!("{}: {e}", path.display())))?;
            let backend = FaultyBackend::new(file, faults.clone()).map_err(io)?;
            match ledger_builder().open_read_only_with_backend(backend) {
                Ok(db) => Ok(Some(inspect(&db, path, expect)?)),
                Err(DatabaseError::RepairAborted) => Ok(None),
                Err(DatabaseError::DatabaseAlreadyOpen) => Err(io(format!(
                    "{}: the ledger is in use by another process (is another onewindow running on this data directory?)",
                    path.display()
                ))),
                Err(e) => Err(StoreError::Corrupt(format!("{}: {e}", path.display()))),
            }
        })?;
        let (inspection, repaired) = match read_only {
            Some(inspection) => (inspection, false),
            None => (RedbStore::repair_on_copy(path, expect)?, true),
        };
        let db = guarded(path, || open_rw(path, &faults))?;
        let info = LedgerInfo {
            hall_id: inspection.hall_id.clone(),
            last_seq: inspection.last.0,
            checked_from: inspection.checked_from,
            repaired,
        };
        let store = RedbStore {
            ids: Mutex::new(
                IdFiles::open(path).map_err(|e| io(format!("the ID files beside {}: {e}", path.display())))?,
            ),
            path: path.to_owned(),
            faults,
            inner: Mutex::new(Inner {
                db: Some(Arc::new(db)),
                genesis: chain::genesis(&inspection.hall_id),
                hall_id: inspection.hall_id,
                last: inspection.last,
                watch: watch(path),
                watched_at: None,
            }),
        };
        Ok((store, info))
    }

    /// The file was not closed cleanly (a crash or power cut): redb must repair it, which writes. The
    /// repair runs on a copy; only a copy that then checks out replaces the original.
    fn repair_on_copy(path: &Path, expect: Option<&str>) -> Result<Inspection, StoreError> {
        let copy = path.with_extension("redb.repairing");
        let _ = std::fs::remove_file(&copy);
        std::fs::copy(path, &copy).map_err(|e| io(format!("cannot copy {} to repair it: {e}", path.display())))?;
        let checked = guarded(path, || {
            let db = open_rw(&copy, &Faults::none())?;
            let inspection = inspect(&db, path, expect)?;
            drop(db);
            Ok(inspection)
        });
        let inspection = match checked {
            Ok(inspection) => inspection,
            Err(e) => {
                let _ = std::fs::remove_file(&copy);
                return Err(e);
            }
        };
        let synced = std::fs::File::open(&copy).and_then(|f| f.sync_all());
        let renamed = synced.and_then(|()| std::fs::rename(&copy, path));
        if let Err(e) = renamed {
            let _ = std::fs::remove_file(&copy);
            return Err(io(format!("cannot put the repaired {} in place: {e}", path.display())));
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        tracing::warn!(ledger = %path.display(), "the ledger was not closed cleanly; repaired and checked");
        Ok(inspection)
    }

    /// This hall's id.
    pub fn hall_id(&self) -> String {
        self.lock().hall_id.clone()
    }

    fn ids_lock(&self) -> MutexGuard<'_, IdFiles> {
        self.ids.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change to Inner is a plain assignment after the I/O, so a panic cannot leave it torn.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The open database, or the reason there is none.
    fn db(&self) -> Result<Arc<Database>, StoreError> {
        self.lock()
            .db
            .clone()
            .ok_or_else(|| io("the ledger is closed after a failed write; reopening when the disk works"))
    }

    /// Runs `f` in one write transaction and commits it durably; a failure closes the database.
    fn write(&self, f: impl FnOnce(&redb::WriteTransaction) -> Result<(), redb::Error>) -> Result<(), StoreError> {
        self.write_with(Durability::Immediate, f)
    }

    fn write_with(
        &self,
        durability: Durability,
        f: impl FnOnce(&redb::WriteTransaction) -> Result<(), redb::Error>,
    ) -> Result<(), StoreError> {
        let db = self.db()?;
        let result = guarded(&self.path, || {
            let mut txn = db.begin_write().map_err(io)?;
            txn.set_durability(durability).map_err(io)?;
            f(&txn).map_err(io)?;
            txn.commit().map_err(io)
        });
        drop(db);
        let result = result.and_then(|()| self.check_file());
        if result.is_err() {
            // redb refuses everything after an I/O error until reopened; close it now.
            self.lock().db = None;
        }
        result
    }

    /// The file is still the one that was opened: not deleted, not replaced.
    fn check_file(&self) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner.watched_at.is_some_and(|at| at.elapsed() < WATCH_EVERY) {
            return Ok(());
        }
        inner.watched_at = Some(std::time::Instant::now());
        if !inner.watch.as_ref().is_none_or(still_linked) {
            return Err(StoreError::Identity(format!(
                "{}: the ledger file was deleted or replaced while the server was running; nothing more is acknowledged until \
                 this hall's ledger is back in place",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// Copies the ledger as one read transaction sees it (a consistent moment: the writer goes on
    /// committing meanwhile, redb's reads never block its writes) into a new file `to`, written as
    /// `to.partial`, synced, then renamed. Returns the last `seq` copied. Never overwrites a file.
    pub fn backup_to(&self, to: &Path) -> Result<u64, StoreError> {
        if to.exists() {
            return Err(io(format!("{} exists; a backup never overwrites a file", to.display())));
        }
        let partial = to.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        let db = self.db()?;
        let copied = guarded(&self.path, || {
            let read = db.begin_read().map_err(io)?;
            let target = ledger_builder().create(&partial).map_err(io)?;
            let mut txn = target.begin_write().map_err(io)?;
            txn.set_durability(Durability::Immediate).map_err(io)?;
            let mut last = 0;
            {
                let events = read.open_table(EVENTS).map_err(io)?;
                let mut copy = txn.open_table(EVENTS).map_err(io)?;
                for entry in events.iter().map_err(io)? {
                    let (seq, bytes) = entry.map_err(io)?;
                    last = seq.value();
                    copy.insert(seq.value(), bytes.value()).map_err(io)?;
                }
                let meta = read.open_table(META).map_err(io)?;
                let mut copy = txn.open_table(META).map_err(io)?;
                for entry in meta.iter().map_err(io)? {
                    let (key, value) = entry.map_err(io)?;
                    copy.insert(key.value(), value.value()).map_err(io)?;
                }
                if let Ok(snapshots) = read.open_table(SNAPSHOT) {
                    let mut copy = txn.open_table(SNAPSHOT).map_err(io)?;
                    for entry in snapshots.iter().map_err(io)? {
                        let (seq, bytes) = entry.map_err(io)?;
                        copy.insert(seq.value(), bytes.value()).map_err(io)?;
                    }
                }
            }
            txn.commit().map_err(io)?;
            Ok(last)
        });
        let last = copied.inspect_err(|_| {
            let _ = std::fs::remove_file(&partial);
        })?;
        std::fs::rename(&partial, to).map_err(|e| io(format!("{}: {e}", to.display())))?;
        if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(last)
    }

    /// Checks every record of the ledger at `path` from the first, reporting each damaged one, without
    /// changing the file (for `onewindow verify`). A file that needs crash repair is checked on a copy.
    pub fn verify_file(path: &Path) -> Result<VerifyReport, StoreError> {
        check_present(path)?;
        guarded(path, || {
            let file = std::fs::File::open(path).map_err(|e| io(format!("{}: {e}", path.display())))?;
            let backend = FaultyBackend::new(file, Faults::none()).map_err(io)?;
            match ledger_builder().open_read_only_with_backend(backend) {
                Ok(db) => walk_all(&db, path),
                Err(DatabaseError::RepairAborted) => {
                    let copy = std::env::temp_dir().join(format!("onewindow-verify-{}.redb", std::process::id()));
                    std::fs::copy(path, &copy).map_err(|e| io(format!("cannot copy {}: {e}", path.display())))?;
                    let report = open_rw(&copy, &Faults::none()).and_then(|db| walk_all(&db, path));
                    let _ = std::fs::remove_file(&copy);
                    report
                }
                Err(DatabaseError::DatabaseAlreadyOpen) => Err(io(format!(
                    "{}: the ledger is open in a running server; stop it first (or verify a backup copy)",
                    path.display()
                ))),
                Err(e) => Err(StoreError::Corrupt(format!("{}: {e}", path.display()))),
            }
        })
    }
}

/// What `onewindow verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// The hall the ledger says it belongs to.
    pub hall_id: String,
    /// The last stored `seq`.
    pub last_seq: u64,
    /// Every damaged or missing record, in order.
    pub problems: Vec<String>,
}

/// Every record from the first, going on past damage to find all of it.
fn walk_all(db: &impl ReadableDatabase, path: &Path) -> Result<VerifyReport, StoreError> {
    let damaged = |what: String| StoreError::Corrupt(format!("{}: {what}", path.display()));
    let txn = db.begin_read().map_err(|e| damaged(e.to_string()))?;
    let meta = txn.open_table(META).map_err(|e| damaged(e.to_string()))?;
    let hall_id =
        meta.get("hall_id").map_err(|e| damaged(e.to_string()))?.map(|v| v.value().to_owned()).ok_or_else(|| {
            StoreError::Identity(format!("{}: not a onewindow ledger of this version (no hall id)", path.display()))
        })?;
    let events = txn.open_table(EVENTS).map_err(|e| damaged(e.to_string()))?;
    let mut problems = Vec::new();
    let (mut prev, mut seq) = (chain::genesis(&hall_id), 0u64);
    for entry in events.range(1..).map_err(|e| damaged(e.to_string()))? {
        let (k, v) = entry.map_err(|e| damaged(e.to_string()))?;
        if k.value() != seq + 1 {
            problems.push(format!("events {} to {} are missing", seq + 1, k.value() - 1));
        }
        match chain::check(&prev, k.value(), v.value()) {
            Ok((l, body)) => {
                if let Err(e) = decode(body) {
                    problems.push(format!("event {} cannot be read: {e}", k.value()));
                }
                prev = l;
            }
            Err(e) => {
                problems.push(e);
                // Go on from the stored link, to find every damaged record, not just the first.
                prev = chain::split(v.value()).map_or(prev, |(l, _)| l);
            }
        }
        seq = k.value();
    }
    Ok(VerifyReport { hall_id, last_seq: seq, problems })
}

impl Store for RedbStore {
    fn append(&self, records: &[Record]) -> Result<(), StoreError> {
        let (mut next, mut prev) = self.lock().last;
        // ID hashes go to their own files first (synced), never into the chained records.
        let with_ids = records.iter().any(|r| matches!(r.event, Event::TicketIssued { holder: Some(_), .. }));
        let kept = if with_ids {
            let events: Vec<(u64, Event)> = records.iter().map(|r| (r.seq, r.event.clone())).collect();
            let kept = self.ids_lock().take(&events).map_err(|e| io(format!("cannot write an ID file: {e}")))?;
            Some(kept)
        } else {
            None
        };
        let mut sealed = Vec::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            next += 1;
            if record.seq != next {
                return Err(StoreError::Io(format!("event {} appended where {next} was due", record.seq)));
            }
            let body = match kept.as_ref().and_then(|k| k.get(i)) {
                Some(event) => encode(&Record { event: event.clone(), ..record.clone() })?,
                None => encode(record)?,
            };
            let (l, bytes) = chain::seal(&prev, record.seq, &body);
            prev = l;
            sealed.push((record.seq, bytes));
        }
        self.write(|txn| {
            let mut table = txn.open_table(EVENTS)?;
            for (seq, bytes) in &sealed {
                table.insert(seq, bytes.as_slice())?;
            }
            Ok(())
        })?;
        self.lock().last = (next, prev);
        Ok(())
    }

    fn read_after(&self, after: u64, limit: usize) -> Result<Vec<Record>, StoreError> {
        let db = self.db()?;
        let genesis = self.lock().genesis;
        guarded(&self.path, || {
            let txn = db.begin_read().map_err(io)?;
            let events = txn.open_table(EVENTS).map_err(io)?;
            let Some(prev) = anchor(&events, after, &genesis, &self.path)? else { return Ok(Vec::new()) };
            let mut out = Vec::new();
            let ids = self.ids_lock();
            walk_checked(&events, after, prev, limit, &self.path, |mut record| {
                ids.restore(record.seq, &mut record.event);
                out.push(record);
            })?;
            Ok(out)
        })
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        Ok(self.lock().last.0)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let db = self.db()?;
        guarded(&self.path, || {
            let txn = db.begin_read().map_err(io)?;
            let table = txn.open_table(META).map_err(io)?;
            Ok(table.get(key).map_err(io)?.map(|v| v.value().to_owned()))
        })
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|txn| {
            txn.open_table(META)?.insert(key, value)?;
            Ok(())
        })
    }

    fn set_meta_lazy(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write_with(Durability::None, |txn| {
            txn.open_table(META)?.insert(key, value)?;
            Ok(())
        })
    }

    fn save_snapshot(&self, seq: u64, state: &[u8]) -> Result<(), StoreError> {
        let mut stored = Vec::with_capacity(chain::LINK_LEN + state.len());
        stored.extend_from_slice(&chain::digest(state));
        stored.extend_from_slice(state);
        self.write(|txn| {
            let mut table = txn.open_table(SNAPSHOT)?;
            table.retain(|_, _| false)?;
            table.insert(seq, stored.as_slice())?;
            Ok(())
        })
    }

    fn load_snapshot(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let db = self.db()?;
        guarded(&self.path, || {
            let txn = db.begin_read().map_err(io)?;
            let table = txn.open_table(SNAPSHOT).map_err(io)?;
            let Some((k, v)) = table.last().map_err(io)? else { return Ok(None) };
            match snapshot_intact(v.value()) {
                Some(state) => Ok(Some((k.value(), state.to_vec()))),
                None => {
                    tracing::warn!(
                        seq = k.value(),
                        "the snapshot does not match its checksum; replaying every event instead"
                    );
                    Ok(None)
                }
            }
        })
    }

    fn derived(&self, from: &str, to: &str, visit: &mut dyn FnMut(&str, &[u8])) -> Result<(), StoreError> {
        let db = self.db()?;
        guarded(&self.path, || {
            let txn = db.begin_read().map_err(io)?;
            let table = match txn.open_table(DERIVED) {
                Ok(table) => table,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
                Err(e) => return Err(io(e)),
            };
            for entry in table.range(from..=to).map_err(io)? {
                let (k, v) = entry.map_err(io)?;
                visit(k.value(), v.value());
            }
            Ok(())
        })
    }

    fn put_derived(&self, entries: &[(String, Vec<u8>)], clear: bool) -> Result<(), StoreError> {
        self.write(|txn| {
            if clear {
                txn.delete_table(DERIVED)?;
            }
            let mut table = txn.open_table(DERIVED)?;
            for (k, v) in entries {
                table.insert(k.as_str(), v.as_slice())?;
            }
            Ok(())
        })
    }

    fn forget_ids(&self, now: Timestamp, keep_days: u32) -> Result<usize, StoreError> {
        self.ids_lock().forget(now, keep_days).map_err(|e| io(format!("cannot delete an ID file: {e}")))
    }

    fn kept_holders(&self) -> Vec<(TicketId, Timestamp, MatterId, HolderKey)> {
        self.ids_lock().holders()
    }

    fn backup(&self, to: &Path) -> Result<u64, StoreError> {
        self.backup_to(to)
    }

    fn recover(&self) -> Result<(), StoreError> {
        if self.lock().db.is_some() {
            return self.check_file();
        }
        check_present(&self.path)?;
        let hall_id = self.hall_id();
        let (db, inspection) = guarded(&self.path, || {
            let db = open_rw(&self.path, &self.faults)?;
            let inspection = inspect(&db, &self.path, Some(&hall_id))?;
            Ok((db, inspection))
        })?;
        let mut inner = self.lock();
        inner.db = Some(Arc::new(db));
        inner.last = inspection.last;
        inner.watch = watch(&self.path);
        inner.watched_at = None;
        tracing::info!(seq = inspection.last.0, "ledger reopened");
        Ok(())
    }
}
