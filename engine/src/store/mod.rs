//! The ledger: every event, durably, under its `seq`. A narrow trait with two implementations:
//! [`RedbStore`] on disk (the server) and [`MemoryStore`] in memory (tests, the simulator), which can
//! also be told to fail, to test a full or read-only disk. See `docs/decisions/0001-storage.md` and
//! `docs/decisions/0004-record-checksums.md`.
//!
//! Each record keeps the core event (for replay) and the exact text sent to terminals (for resume:
//! a client that reconnects with `since` gets the very bytes live clients got). On disk each record
//! also carries a SHA-256 chained to the previous record's ([`chain`]), so a flipped bit, a dropped
//! record or a reordering is found by every read, never served.
//!
//! ```text
//! append(records) ──> [link(prev, seq, json) ‖ json] per seq, one fsynced transaction
//! read_after(n)   <── record n's link anchors n+1, n+2, ... each checked before it is returned
//! ```

pub mod chain;
pub mod faults;
mod ids;
mod memory;
mod redb_store;

pub use memory::MemoryStore;
pub use redb_store::{LedgerInfo, RedbStore, VerifyReport};

use crate::core::Event;
use serde::{Deserialize, Serialize};

/// One event in the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Position in the event stream, from 1, without gaps.
    pub seq: u64,
    /// The core event.
    pub event: Event,
    /// The `event` message as sent to terminals.
    pub wire: String,
    /// Who asked for it (absent for what time did: a new day, the staffing review). Covered by the
    /// record's checksum like the event, so the audit trail cannot be edited unnoticed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

/// Who asked for a change: a device (with the clerk signed in at its window), or the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The device's name, or `operator` for the control socket and the server's start.
    pub device: String,
    /// The device's role (absent for the operator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<kiosk_protocol::Role>,
    /// The clerk (工号) signed in at the window the request was for, or signing in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk: Option<String>,
}

/// What an operator does about a damaged ledger; every damage message ends with it.
pub const DAMAGE_REMEDY: &str = "nothing was changed; run `onewindow verify` on the data directory to list \
     the damage, then restore ledger.redb from the last backup (docs/operations.md, \"A damaged ledger\")";

/// The ledger cannot be read or written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The disk refused (full, read-only, I/O error). Retrying may work once the disk does.
    #[error("storage: {0}")]
    Io(String),
    /// What is stored is not what was written: a checksum, a sequence or a decoding failed.
    #[error("the ledger is damaged: {0}; {DAMAGE_REMEDY}")]
    Corrupt(String),
    /// The ledger file is gone, empty, or belongs to another hall: never silently a new hall.
    #[error("{0}")]
    Identity(String),
}

/// The ledger. Implementations are shared between the writer (appends) and sessions (reads for resume),
/// so every method takes `&self`.
pub trait Store: Send + Sync + 'static {
    /// Appends records in one durable transaction: when this returns `Ok`, they survive a power cut.
    /// Either all are stored or none.
    fn append(&self, records: &[Record]) -> Result<(), StoreError>;
    /// Up to `limit` records with `seq > after`, in order, each checked against its checksum.
    fn read_after(&self, after: u64, limit: usize) -> Result<Vec<Record>, StoreError>;
    /// The last stored `seq` (0 when empty).
    fn last_seq(&self) -> Result<u64, StoreError>;
    /// A small named value (e.g. the fingerprint of the hall layout the ledger was written under).
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Sets a small named value, durably.
    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Sets a small named value that becomes durable with the next durable write, without a sync of its
    /// own: for a progress marker a power cut may take back (the export's cursor; JetStream and the
    /// province drop what is sent again), written beside the writer without slowing it.
    fn set_meta_lazy(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.set_meta(key, value)
    }
    /// Saves the hall state as of `seq` (replaces the previous snapshot).
    fn save_snapshot(&self, seq: u64, state: &[u8]) -> Result<(), StoreError>;
    /// The latest snapshot, if any and if it is intact (a damaged snapshot is reported as none: the
    /// events rebuild the same state).
    fn load_snapshot(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError>;
    /// After a failed write: makes the ledger usable again if the disk allows (reopens the file).
    /// `Ok` means writes may be tried again.
    fn recover(&self) -> Result<(), StoreError>;
    /// Forgets the ID hashes of tickets issued more than `keep_days` days before `now`; returns how many.
    fn forget_ids(&self, now: crate::core::Timestamp, keep_days: u32) -> Result<usize, StoreError> {
        let _ = (now, keep_days);
        Ok(0)
    }
    /// The ID hashes kept, by ticket (a snapshot keeps none: they are put back from here).
    fn kept_holders(
        &self,
    ) -> Vec<(crate::core::TicketId, crate::core::Timestamp, crate::core::MatterId, crate::core::HolderKey)> {
        let mut out = Vec::new();
        let mut after = 0;
        while let Ok(records) = self.read_after(after, 4096) {
            let Some(last) = records.last().map(|r| r.seq) else { break };
            for r in records {
                if let crate::core::Event::TicketIssued { ticket, matter, holder: Some(h), at, .. } = r.event {
                    out.push((ticket, at, matter, h));
                }
            }
            after = last;
        }
        out
    }
    /// Derived data kept beside the ledger (reports' facts of closed days): `visit` sees each entry
    /// with a key in `from..=to`, in key order, one at a time (a year of them is too large to hold at
    /// once). Never the truth: it can be dropped and rebuilt from the events at any time.
    fn derived(&self, from: &str, to: &str, visit: &mut dyn FnMut(&str, &[u8])) -> Result<(), StoreError> {
        let _ = (from, to, visit);
        Ok(())
    }
    /// Stores derived data (after dropping all of it, with `clear`), in one transaction.
    fn put_derived(&self, entries: &[(String, Vec<u8>)], clear: bool) -> Result<(), StoreError> {
        let _ = (entries, clear);
        Ok(())
    }
    /// Copies the ledger, as of one moment, into a new file `to` while writes go on; returns the last
    /// `seq` copied. A ledger kept in memory cannot be copied to a file.
    fn backup(&self, to: &std::path::Path) -> Result<u64, StoreError> {
        Err(StoreError::Io(format!("this ledger is not a file; nothing was written to {}", to.display())))
    }
}

/// Serialises a record for storage.
pub(crate) fn encode(record: &Record) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(record).map_err(|e| StoreError::Io(format!("cannot encode event {}: {e}", record.seq)))
}

/// Every event of `store` from the first, read a chunk at a time (for tools that fold a whole ledger:
/// the simulator's replay and plan). A read error ends the stream with it.
pub fn events(store: &dyn Store) -> impl Iterator<Item = Result<Event, StoreError>> + '_ {
    let (mut after, mut buffer, mut done) = (0u64, std::collections::VecDeque::new(), false);
    std::iter::from_fn(move || loop {
        if let Some(event) = buffer.pop_front() {
            return Some(Ok(event));
        }
        if done {
            return None;
        }
        match store.read_after(after, 4096) {
            Ok(records) if records.is_empty() => done = true,
            Ok(records) => {
                after = records.last().map_or(after, |r| r.seq);
                buffer.extend(records.into_iter().map(|r| r.event));
            }
            Err(e) => {
                done = true;
                return Some(Err(e));
            }
        }
    })
}

/// Reads a stored record back.
pub fn decode(bytes: &[u8]) -> Result<Record, String> {
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}
