//! The province's own redb: each hall's state (with the last `seq` applied) and each hall's counts per
//! day, written in one durable transaction per batch of events, before the batch is acknowledged to
//! JetStream. A batch delivered again after a crash finds its `seq`s applied and changes nothing.

use crate::fold::{Counts, HallState};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::collections::BTreeMap;

const HALLS: TableDefinition<&str, &[u8]> = TableDefinition::new("halls");
/// Key `YYYY-MM-DD|hall`: a period's days are one key range.
const DAYS: TableDefinition<&str, &[u8]> = TableDefinition::new("days");

/// The province's store.
pub struct Store {
    db: Database,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Store {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &std::path::Path) -> Result<Store, String> {
        let db = Database::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let txn = db.begin_write().map_err(err)?;
        txn.open_table(HALLS).map_err(err)?;
        txn.open_table(DAYS).map_err(err)?;
        txn.commit().map_err(err)?;
        Ok(Store { db })
    }

    /// Every hall's state.
    pub fn halls(&self) -> Result<BTreeMap<String, HallState>, String> {
        let txn = self.db.begin_read().map_err(err)?;
        let table = txn.open_table(HALLS).map_err(err)?;
        let mut out = BTreeMap::new();
        for row in table.iter().map_err(err)? {
            let (k, v) = row.map_err(err)?;
            out.insert(k.value().to_owned(), serde_json::from_slice(v.value()).map_err(err)?);
        }
        Ok(out)
    }

    /// Stores the halls' new states and adds `days` (by date and hall) to the stored counts, in one
    /// durable transaction.
    pub fn commit(
        &self,
        halls: &BTreeMap<String, HallState>,
        days: &BTreeMap<(String, String), Counts>,
    ) -> Result<(), String> {
        let txn = self.db.begin_write().map_err(err)?;
        {
            let mut table = txn.open_table(HALLS).map_err(err)?;
            for (id, state) in halls {
                table.insert(id.as_str(), serde_json::to_vec(state).map_err(err)?.as_slice()).map_err(err)?;
            }
            let mut table = txn.open_table(DAYS).map_err(err)?;
            for ((date, hall), add) in days {
                let key = format!("{date}|{hall}");
                let mut counts: Counts = match table.get(key.as_str()).map_err(err)? {
                    Some(v) => serde_json::from_slice(v.value()).map_err(err)?,
                    None => Counts::default(),
                };
                counts.add(add);
                table.insert(key.as_str(), serde_json::to_vec(&counts).map_err(err)?.as_slice()).map_err(err)?;
            }
        }
        txn.commit().map_err(err)
    }

    /// Every hall's counts of each day from `from` to `to` (`YYYY-MM-DD`, inclusive): `visit(date,
    /// hall, counts)`.
    pub fn days(&self, from: &str, to: &str, visit: &mut dyn FnMut(&str, &str, Counts)) -> Result<(), String> {
        let txn = self.db.begin_read().map_err(err)?;
        let table = txn.open_table(DAYS).map_err(err)?;
        let end = format!("{to}|\u{10ffff}");
        for row in table.range(from..end.as_str()).map_err(err)? {
            let (k, v) = row.map_err(err)?;
            let Some((date, hall)) = k.value().split_once('|') else { continue };
            visit(date, hall, serde_json::from_slice(v.value()).map_err(err)?);
        }
        Ok(())
    }
}
