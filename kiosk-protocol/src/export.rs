//! The events a hall exports to its province (docs/events.md): every ledger event in its public wire
//! form, wrapped with the hall and the schema version, published to NATS JetStream on
//! `<prefix>.<hall>.<kind>` with the message id `<hall>:<seq>`, so JetStream drops a repeat.
//!
//! The privacy rule: nothing exported carries an ID hash, a masked ID or a phone number. The wire form
//! has none of them (they stay in the hall's ledger); free text a citizen or clerk typed (a rating
//! comment, a case note, a notice) has any run of 7 or more digits masked, since people type phone and
//! ID numbers into text boxes.

use crate::server::WireEvent;
use serde::{Deserialize, Serialize};

/// The version of [`ExportedEvent`]; a consumer refuses a message of another.
pub const EXPORT_SCHEMA: u32 = 1;

/// One exported event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedEvent {
    /// [`EXPORT_SCHEMA`].
    pub schema: u32,
    /// The hall's id in the province (`[export] hall_id`).
    pub hall: String,
    /// The event's position in the hall's ledger, from 1, without gaps.
    pub seq: u64,
    /// When the hall committed it (ms since the Unix epoch, the hall's clock).
    pub at: i64,
    /// The event, as the hall's terminals receive it (docs/protocol.md).
    pub event: WireEvent,
}

/// The subject of a hall's event of `kind` (a [`WireEvent::KINDS`] entry).
pub fn subject(prefix: &str, hall: &str, kind: &str) -> String {
    format!("{prefix}.{hall}.{kind}")
}

/// The JetStream message id of a hall's event: `<hall>:<seq>`.
pub fn message_id(hall: &str, seq: u64) -> String {
    format!("{hall}:{seq}")
}

/// Whether `id` can be a hall id or a subject prefix token: 1–32 of `A-Z a-z 0-9 _ -` (a NATS subject
/// token may not hold `.`, `*`, `>` or white space).
pub fn is_token(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `text` with every run of 7 or more digits (an ID number's final `X` included) replaced by `*`s.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if digits >= 7 {
            out.extend(std::iter::repeat_n('*', run.chars().count()));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || ((c == 'X' || c == 'x') && !run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

impl ExportedEvent {
    /// The event of a hall's wire `event` message, with its free text scrubbed.
    pub fn new(hall: &str, seq: u64, at: i64, mut event: WireEvent) -> ExportedEvent {
        match &mut event {
            WireEvent::TicketRated { comment: Some(text), .. }
            | WireEvent::NoticePosted { text }
            | WireEvent::CaseProgressed { note: text, .. } => *text = scrub(text),
            WireEvent::CaseOpened { case } => case.comment = case.comment.as_deref().map(scrub),
            _ => {}
        }
        ExportedEvent { schema: EXPORT_SCHEMA, hall: hall.to_owned(), seq, at, event }
    }

    /// The event's `kind`, as in its JSON.
    pub fn kind(&self) -> String {
        serde_json::to_value(&self.event)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_and_id_numbers_in_free_text_are_masked_and_short_numbers_kept() {
        assert_eq!(scrub("call me 13800138000 ok"), "call me *********** ok");
        assert_eq!(scrub("ID 53010219900101123X, window 12"), "ID ******************, window 12");
        assert_eq!(scrub("2 hours at 窗口 3"), "2 hours at 窗口 3");
    }
}

#[cfg(test)]
mod docs {
    use super::ExportedEvent;

    #[test]
    fn examples_in_docs_events_md_are_exported_events() {
        let text = include_str!("../../docs/events.md");
        let examples: Vec<&str> = text.split("```json\n").skip(1).filter_map(|b| b.split("\n```").next()).collect();
        assert!(examples.len() >= 3, "docs/events.md has its examples");
        for example in examples {
            let parsed: ExportedEvent = serde_json::from_str(example).unwrap_or_else(|e| panic!("{e}: {example}"));
            let again: serde_json::Value = serde_json::to_value(&parsed).expect("serializes");
            let written: serde_json::Value = serde_json::from_str(example).expect("JSON");
            assert_eq!(again, written, "the example is exactly what a hall sends");
            assert_eq!(parsed.schema, super::EXPORT_SCHEMA);
        }
    }
}
