//! ID hashes, kept apart from the chained ledger so they can be forgotten (PIPL; `[privacy]
//! id_retention_days`). A ticket issued with an ID number stores its keyed ID hash here, one JSON line
//! per ticket in a file per UTC day (`<data>/ids/2026-12-01.jsonl`), written and synced before the
//! ledger commit that records the ticket; the ledger's own record has no holder. Reading the ledger
//! puts each holder back on its ticket. Forgetting a day deletes its file: nothing of it is left in a
//! page of a database file, as a deleted row of one would be.
//!
//! A line is matched to its record by `seq`, ticket id and time together, so a line left by a commit
//! that failed (its `seq` later reused) never lands on another ticket.

use crate::core::{Date, Event, HolderKey, MatterId, TicketId, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Line {
    seq: u64,
    ticket: u64,
    at: i64,
    matter: u16,
    holder: HolderKey,
}

/// The ID files of one ledger, and what they hold (a few hundred bytes per ticket with an ID).
pub struct IdFiles {
    dir: PathBuf,
    by_seq: HashMap<u64, Line>,
}

/// The UTC date of a time.
fn utc_date(at: Timestamp) -> Date {
    at.local(0).0
}

impl IdFiles {
    /// The ID files beside the ledger at `ledger`, read in full (a torn last line is skipped).
    pub fn open(ledger: &Path) -> std::io::Result<IdFiles> {
        let dir = ledger.parent().unwrap_or(Path::new(".")).join("ids");
        let mut by_seq = HashMap::new();
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for entry in entries {
                    let path = entry?.path();
                    if path.extension().is_some_and(|e| e == "jsonl") {
                        for line in std::fs::read_to_string(&path)?.lines() {
                            if let Ok(line) = serde_json::from_str::<Line>(line) {
                                by_seq.insert(line.seq, line);
                            }
                        }
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(IdFiles { dir, by_seq })
    }

    /// Takes the holders out of `events` (by seq) and stores them durably; returns the events as the
    /// ledger keeps them.
    pub fn take(&mut self, events: &[(u64, Event)]) -> std::io::Result<Vec<Event>> {
        let mut lines: Vec<Line> = Vec::new();
        let kept = events
            .iter()
            .map(|(seq, event)| match event {
                Event::TicketIssued { ticket, matter, holder: Some(holder), at, .. } => {
                    lines.push(Line {
                        seq: *seq,
                        ticket: ticket.0,
                        at: at.0,
                        matter: matter.0,
                        holder: holder.clone(),
                    });
                    let mut event = event.clone();
                    if let Event::TicketIssued { holder, .. } = &mut event {
                        *holder = None;
                    }
                    event
                }
                other => other.clone(),
            })
            .collect();
        if lines.is_empty() {
            return Ok(kept);
        }
        std::fs::create_dir_all(&self.dir)?;
        let mut by_file: HashMap<Date, Vec<&Line>> = HashMap::new();
        for line in &lines {
            by_file.entry(utc_date(Timestamp(line.at))).or_default().push(line);
        }
        for (date, lines) in by_file {
            let path = self.dir.join(format!("{date}.jsonl"));
            let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
            let mut text = String::new();
            for line in lines {
                text.push_str(&serde_json::to_string(line).map_err(std::io::Error::other)?);
                text.push('\n');
            }
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
        }
        let _ = std::fs::File::open(&self.dir).and_then(|d| d.sync_all());
        for line in lines {
            self.by_seq.insert(line.seq, line);
        }
        Ok(kept)
    }

    /// Puts its holder back on a ticket's record, if one is kept for it.
    pub fn restore(&self, seq: u64, event: &mut Event) {
        if let Event::TicketIssued { ticket, holder: holder @ None, at, .. } = event {
            if let Some(line) = self.by_seq.get(&seq).filter(|l| l.ticket == ticket.0 && l.at == at.0) {
                *holder = Some(line.holder.clone());
            }
        }
    }

    /// Every kept holder with its ticket and issue time (for a hall restored from a snapshot, which
    /// keeps none).
    pub fn holders(&self) -> Vec<(TicketId, Timestamp, MatterId, HolderKey)> {
        self.by_seq
            .values()
            .map(|l| (TicketId(l.ticket), Timestamp(l.at), MatterId(l.matter), l.holder.clone()))
            .collect()
    }

    /// Deletes the files of UTC days that ended more than `keep_days` days before `now`; returns how
    /// many tickets' holders were forgotten.
    pub fn forget(&mut self, now: Timestamp, keep_days: u32) -> std::io::Result<usize> {
        let cutoff = utc_date(Timestamp(now.0 - i64::from(keep_days) * DAY_MS));
        let mut forgotten = 0;
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let path = entry?.path();
            let date = path.file_stem().and_then(|s| s.to_str()).and_then(|s| s.parse::<Date>().ok());
            if date.is_some_and(|d| d < cutoff) {
                std::fs::remove_file(&path)?;
                forgotten += 1;
            }
        }
        let before = self.by_seq.len();
        self.by_seq.retain(|_, l| utc_date(Timestamp(l.at)) >= cutoff);
        if forgotten > 0 {
            let _ = std::fs::File::open(&self.dir).and_then(|d| d.sync_all());
        }
        Ok(before - self.by_seq.len())
    }
}
