//! The ledger on disk: one redb file. Every append is one write transaction committed with
//! `Durability::Immediate`, which fsyncs before `commit` returns — the guarantee the writer relies on
//! to acknowledge nothing that could be lost.

use super::{decode, encode, Record, Store, StoreError};
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;

const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");
const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
const SNAPSHOT: TableDefinition<u64, &[u8]> = TableDefinition::new("snapshot");

/// A [`Store`] in a redb file.
pub struct RedbStore {
    db: Database,
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(e.to_string())
}

impl RedbStore {
    /// Opens the ledger at `path`, creating it (and its tables) if it does not exist.
    pub fn open(path: &Path) -> Result<RedbStore, StoreError> {
        let db = Database::create(path).map_err(io)?;
        let store = RedbStore { db };
        store.write(|txn| {
            txn.open_table(EVENTS)?;
            txn.open_table(META)?;
            txn.open_table(SNAPSHOT)?;
            Ok(())
        })?;
        Ok(store)
    }

    /// Runs `f` in one write transaction and commits it durably.
    fn write(&self, f: impl FnOnce(&redb::WriteTransaction) -> Result<(), redb::Error>) -> Result<(), StoreError> {
        let mut txn = self.db.begin_write().map_err(io)?;
        txn.set_durability(Durability::Immediate).map_err(io)?;
        f(&txn).map_err(io)?;
        txn.commit().map_err(io)
    }
}

impl Store for RedbStore {
    fn append(&self, records: &[Record]) -> Result<(), StoreError> {
        let encoded = records.iter().map(|r| Ok((r.seq, encode(r)?))).collect::<Result<Vec<_>, StoreError>>()?;
        self.write(|txn| {
            let mut table = txn.open_table(EVENTS)?;
            for (seq, bytes) in &encoded {
                table.insert(seq, bytes.as_slice())?;
            }
            Ok(())
        })
    }

    fn read_after(&self, after: u64, limit: usize) -> Result<Vec<Record>, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(EVENTS).map_err(io)?;
        let mut out = Vec::new();
        for entry in table.range(after.saturating_add(1)..).map_err(io)?.take(limit) {
            let (_, value) = entry.map_err(io)?;
            out.push(decode(value.value())?);
        }
        Ok(out)
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(EVENTS).map_err(io)?;
        let last = table.last().map_err(io)?.map_or(0, |(k, _)| k.value());
        Ok(last)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(META).map_err(io)?;
        Ok(table.get(key).map_err(io)?.map(|v| v.value().to_owned()))
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|txn| {
            txn.open_table(META)?.insert(key, value)?;
            Ok(())
        })
    }

    fn save_snapshot(&self, seq: u64, state: &[u8]) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut table = txn.open_table(SNAPSHOT)?;
            table.retain(|_, _| false)?;
            table.insert(seq, state)?;
            Ok(())
        })
    }

    fn load_snapshot(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(SNAPSHOT).map_err(io)?;
        let snapshot = table.last().map_err(io)?.map(|(k, v)| (k.value(), v.value().to_vec()));
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Event, Timestamp};

    fn record(seq: u64) -> Record {
        Record { seq, event: Event::DayClosed { at: Timestamp(seq as i64) }, wire: format!("{{\"seq\":{seq}}}") }
    }

    #[test]
    fn records_survive_reopening_and_read_in_order() -> Result<(), StoreError> {
        let dir = std::env::temp_dir().join(format!("onewindow-redb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(io)?;
        let path = dir.join("ledger.redb");
        {
            let store = RedbStore::open(&path)?;
            store.append(&[record(1), record(2)])?;
            store.append(&[record(3)])?;
            store.set_meta("layout", "abc")?;
            store.save_snapshot(2, b"state-2")?;
            store.save_snapshot(3, b"state-3")?;
        }
        let store = RedbStore::open(&path)?;
        assert_eq!(store.last_seq()?, 3);
        assert_eq!(store.read_after(1, 10)?, vec![record(2), record(3)]);
        assert_eq!(store.read_after(0, 1)?, vec![record(1)]);
        assert_eq!(store.meta("layout")?.as_deref(), Some("abc"));
        assert_eq!(store.load_snapshot()?, Some((3, b"state-3".to_vec())));
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
