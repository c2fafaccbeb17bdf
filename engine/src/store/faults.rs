//! Fault injection for the ledger file, in the spirit of redb's own crash tests: a [`StorageBackend`]
//! that passes everything to the real file until told to fail. Tests use it to make a disk fill up
//! (ENOSPC), fail (EIO) or tear a write half-way at every point of a commit, and then heal.
//!
//! Production code opens the ledger without it ([`Faults::none`] costs one atomic load per write).

use redb::backends::FileBackend;
use redb::{BackendError, StorageBackend};
use std::ops::Bound;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, Ordering};
use std::sync::Arc;

/// What an injected fault looks like to redb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// No space left on device.
    Full,
    /// An I/O error.
    Io,
    /// The write reaches the disk only half-way, then ENOSPC.
    Torn,
}

#[derive(Debug, Default)]
struct State {
    /// Mutating operations (write, set_len, sync) allowed before the fault; negative: no fault armed.
    budget: AtomicI64,
    kind: AtomicU8,
    /// Set once the fault fired: every mutating operation fails until [`Faults::heal`].
    failing: AtomicBool,
    /// Mutating operations seen, for tests that want to know how many a commit takes.
    ops: AtomicI64,
}

/// A switch shared by a test and the ledger it controls. Clones share the switch.
#[derive(Debug, Clone)]
pub struct Faults(Arc<State>);

impl Default for Faults {
    fn default() -> Faults {
        Faults::none()
    }
}

impl Faults {
    /// A switch that never fires until armed.
    pub fn none() -> Faults {
        let state = State::default();
        state.budget.store(-1, Ordering::SeqCst);
        Faults(Arc::new(state))
    }

    /// After `ops` more mutating operations succeed, the next fails with `fault`, and every one after
    /// it, until [`Faults::heal`].
    pub fn arm(&self, ops: i64, fault: Fault) {
        self.0.kind.store(fault as u8, Ordering::SeqCst);
        self.0.budget.store(ops.max(0), Ordering::SeqCst);
    }

    /// The disk works again.
    pub fn heal(&self) {
        self.0.budget.store(-1, Ordering::SeqCst);
        self.0.failing.store(false, Ordering::SeqCst);
    }

    /// Mutating operations passed to the file so far.
    pub fn ops(&self) -> i64 {
        self.0.ops.load(Ordering::SeqCst)
    }

    /// Whether the next mutating operation fails, and how.
    fn take(&self) -> Option<Fault> {
        self.0.ops.fetch_add(1, Ordering::SeqCst);
        if self.0.failing.load(Ordering::SeqCst) {
            return Some(self.kind());
        }
        let left = self.0.budget.load(Ordering::SeqCst);
        if left < 0 {
            return None;
        }
        if left == 0 {
            self.0.failing.store(true, Ordering::SeqCst);
            return Some(self.kind());
        }
        self.0.budget.store(left - 1, Ordering::SeqCst);
        None
    }

    fn kind(&self) -> Fault {
        match self.0.kind.load(Ordering::SeqCst) {
            x if x == Fault::Io as u8 => Fault::Io,
            x if x == Fault::Torn as u8 => Fault::Torn,
            _ => Fault::Full,
        }
    }
}

fn error(fault: Fault) -> std::io::Error {
    match fault {
        Fault::Io => std::io::Error::other("Input/output error (injected)"),
        Fault::Full | Fault::Torn => {
            std::io::Error::new(std::io::ErrorKind::StorageFull, "No space left on device (injected)")
        }
    }
}

/// The ledger file with a fault switch in front of it.
#[derive(Debug)]
pub struct FaultyBackend {
    inner: FileBackend,
    faults: Faults,
}

impl FaultyBackend {
    /// Wraps an open file.
    pub fn new(file: std::fs::File, faults: Faults) -> Result<FaultyBackend, redb::DatabaseError> {
        Ok(FaultyBackend { inner: FileBackend::new(file)?, faults })
    }
}

impl StorageBackend for FaultyBackend {
    fn len(&self) -> Result<u64, std::io::Error> {
        self.inner.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), std::io::Error> {
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> Result<(), std::io::Error> {
        match self.faults.take() {
            Some(fault) => Err(error(fault)),
            None => self.inner.set_len(len),
        }
    }

    fn sync_data(&self) -> Result<(), std::io::Error> {
        match self.faults.take() {
            Some(fault) => Err(error(fault)),
            None => self.inner.sync_data(),
        }
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), std::io::Error> {
        match self.faults.take() {
            Some(Fault::Torn) => {
                // Half the bytes reach the file, as when the disk fills in the middle of a write.
                let _ = self.inner.write(offset, &data[..data.len() / 2]);
                Err(error(Fault::Torn))
            }
            Some(fault) => Err(error(fault)),
            None => self.inner.write(offset, data),
        }
    }

    fn close(&self) -> Result<(), std::io::Error> {
        self.inner.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }

    fn try_lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}
