//! The in-memory ledger: the same contract without a disk, and a switch that makes writes fail.

use super::{Record, Store, StoreError};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Default)]
struct Inner {
    records: Vec<Record>,
    meta: BTreeMap<String, String>,
    snapshot: Option<(u64, Vec<u8>)>,
    derived: BTreeMap<String, Vec<u8>>,
}

/// An in-memory [`Store`]. Clones share the same ledger.
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
    failing: Arc<AtomicBool>,
}

impl MemoryStore {
    /// An empty ledger.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// While `true`, every write fails as a full disk would; reads keep working.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the ledger half-written (each write is one push),
        // so a poisoned lock is safe to use.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::Io("No space left on device (simulated)".into()));
        }
        Ok(())
    }
}

impl Store for MemoryStore {
    fn append(&self, records: &[Record]) -> Result<(), StoreError> {
        self.check_writable()?;
        self.lock().records.extend_from_slice(records);
        Ok(())
    }

    fn derived(&self, from: &str, to: &str, visit: &mut dyn FnMut(&str, &[u8])) -> Result<(), StoreError> {
        let entries: Vec<(String, Vec<u8>)> = {
            let inner = self.lock();
            inner.derived.range(from.to_owned()..=to.to_owned()).map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        entries.iter().for_each(|(k, v)| visit(k, v));
        Ok(())
    }

    fn put_derived(&self, entries: &[(String, Vec<u8>)], clear: bool) -> Result<(), StoreError> {
        self.check_writable()?;
        let mut inner = self.lock();
        if clear {
            inner.derived.clear();
        }
        inner.derived.extend(entries.iter().cloned());
        Ok(())
    }

    fn read_after(&self, after: u64, limit: usize) -> Result<Vec<Record>, StoreError> {
        let inner = self.lock();
        let start = inner.records.partition_point(|r| r.seq <= after);
        Ok(inner.records[start..].iter().take(limit).cloned().collect())
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        Ok(self.lock().records.last().map_or(0, |r| r.seq))
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.lock().meta.get(key).cloned())
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.check_writable()?;
        self.lock().meta.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn save_snapshot(&self, seq: u64, state: &[u8]) -> Result<(), StoreError> {
        self.check_writable()?;
        self.lock().snapshot = Some((seq, state.to_vec()));
        Ok(())
    }

    fn load_snapshot(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        Ok(self.lock().snapshot.clone())
    }

    fn recover(&self) -> Result<(), StoreError> {
        self.check_writable()
    }
}
