//! The ledger: every event, durably, under its `seq`. A narrow trait with two implementations:
//! [`RedbStore`] on disk (the server) and [`MemoryStore`] in memory (tests, the simulator), which can
//! also be told to fail, to test a full or read-only disk. See `docs/decisions/0001-storage.md`.
//!
//! Each record keeps the core event (for replay) and the exact text sent to terminals (for resume:
//! a client that reconnects with `since` gets the very bytes live clients got).

mod memory;
mod redb_store;

pub use memory::MemoryStore;
pub use redb_store::RedbStore;

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
}

/// The ledger cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The disk refused (full, read-only, I/O error).
    #[error("storage: {0}")]
    Io(String),
    /// What is stored cannot be read back.
    #[error("storage is damaged: {0}")]
    Corrupt(String),
}

/// The ledger. Implementations are shared between the writer (appends) and sessions (reads for resume),
/// so every method takes `&self`.
pub trait Store: Send + Sync + 'static {
    /// Appends records in one durable transaction: when this returns `Ok`, they survive a power cut.
    /// Either all are stored or none.
    fn append(&self, records: &[Record]) -> Result<(), StoreError>;
    /// Up to `limit` records with `seq > after`, in order.
    fn read_after(&self, after: u64, limit: usize) -> Result<Vec<Record>, StoreError>;
    /// The last stored `seq` (0 when empty).
    fn last_seq(&self) -> Result<u64, StoreError>;
    /// A small named value (e.g. the fingerprint of the hall layout the ledger was written under).
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Sets a small named value, durably.
    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Saves the hall state as of `seq` (replaces the previous snapshot).
    fn save_snapshot(&self, seq: u64, state: &[u8]) -> Result<(), StoreError>;
    /// The latest snapshot, if any.
    fn load_snapshot(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError>;
}

/// Serialises a record for storage.
pub(crate) fn encode(record: &Record) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(record).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Reads a stored record back.
pub(crate) fn decode(bytes: &[u8]) -> Result<Record, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}
