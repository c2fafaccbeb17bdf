//! `onewindow audit`: who changed the hall on a given business day, from the ledger. Every record a
//! device or the operator caused carries `by` (device, role, and the clerk signed in at its window),
//! covered by the record's checksum; locks after wrong PINs are events of their own. What terminals'
//! requests were refused (forbidden, wrong PIN) is in the server log, with the device.

use crate::core::{Date, Event, Timestamp};
use crate::store::Store;
use kiosk_protocol::Role;

/// Records read at a time.
const CHUNK: usize = 4096;

/// One line per supervisor, clerk and operator action (and clerk lock) of business day `day`
/// (`YYYY-MM-DD`), times in the hall's zone (`offset_min` east of UTC).
pub fn lines(store: &dyn Store, day: &str, offset_min: i32) -> Result<Vec<String>, String> {
    let wanted: Date = day.parse().map_err(|_| format!("`{day}` is not a date (YYYY-MM-DD)"))?;
    let mut out = Vec::new();
    let mut current: Option<Date> = None;
    let mut after = 0;
    loop {
        let records = store.read_after(after, CHUNK).map_err(|e| e.to_string())?;
        let Some(last) = records.last().map(|r| r.seq) else { break };
        for record in records {
            if let Event::DayOpened { date, .. } = record.event {
                current = Some(date);
            }
            if current != Some(wanted) {
                continue;
            }
            let audited = match &record.by {
                Some(by) => matches!(by.role, None | Some(Role::Supervisor | Role::Clerk)),
                None => matches!(record.event, Event::ClerkLocked { .. }),
            };
            if !audited {
                continue;
            }
            let wire: serde_json::Value = serde_json::from_str(&record.wire).unwrap_or_default();
            let at = Timestamp(wire["at"].as_i64().unwrap_or(0));
            let (_, minute) = at.local(offset_min);
            let seconds = (at.0.rem_euclid(60_000)) / 1000;
            let mut event = wire["event"].clone();
            let kind = event["kind"].as_str().unwrap_or("?").to_owned();
            if let Some(fields) = event.as_object_mut() {
                fields.remove("kind");
                if kind == "layout_changed" {
                    // Long; the audit says that it changed (the event stream has it whole).
                    fields.clear();
                }
            }
            let who = match &record.by {
                Some(by) => {
                    let role = by.role.map_or("operator", |r| r.name());
                    let clerk = by.clerk.as_ref().map(|c| format!(" clerk {c}")).unwrap_or_default();
                    format!("{} ({role}){clerk}", by.device)
                }
                None => "(hall)".to_owned(),
            };
            out.push(format!(
                "{:02}:{:02}:{seconds:02}  #{:<7} {who:<36} {kind} {event}",
                minute / 60,
                minute % 60,
                record.seq
            ));
        }
        after = last;
    }
    Ok(out)
}
