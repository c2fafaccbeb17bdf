//! `docs/protocol.md` cannot drift from the code: every JSON example parses as the type it illustrates
//! and serialises back to the same JSON; every request type, event kind, reply kind and error code is
//! shown; the permission table is `Role::may`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kiosk_protocol::{ErrorCode, Request, RequestBody, Role, ServerMessage, WireEvent};
use serde_json::Value;
use std::collections::BTreeSet;

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");
    std::fs::read_to_string(path).expect("docs/protocol.md")
}

/// `(marker, json)` for every fenced block preceded by `<!-- example: MARKER -->`.
fn examples(doc: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = doc.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(marker) = line.trim().strip_prefix("<!-- example: ").and_then(|r| r.strip_suffix(" -->")) else {
            continue;
        };
        assert_eq!(lines.next().map(str::trim), Some("```json"), "a ```json block follows the marker");
        let mut body = String::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        out.push((marker.to_owned(), body));
    }
    out
}

#[test]
fn every_example_round_trips_through_its_type() {
    let doc = doc();
    let examples = examples(&doc);
    assert!(examples.len() > 40, "found only {} examples", examples.len());
    for (marker, json) in examples {
        let original: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("not JSON: {e}\n{json}"));
        let back = match marker.as_str() {
            "request" => {
                let r: Request = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}\n{json}"));
                serde_json::to_value(r).unwrap()
            }
            "server" => {
                let m: ServerMessage = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}\n{json}"));
                serde_json::to_value(m).unwrap()
            }
            other => panic!("unknown example marker `{other}`"),
        };
        assert_eq!(back, original, "example does not round-trip:\n{json}");
    }
}

#[test]
fn every_request_event_reply_and_code_is_shown() {
    let doc = doc();
    let mut requests = BTreeSet::new();
    let mut events = BTreeSet::new();
    let mut messages = BTreeSet::new();
    let mut replies = BTreeSet::new();
    for (marker, json) in examples(&doc) {
        if marker == "request" {
            let r: Request = serde_json::from_str(&json).unwrap();
            assert!(RequestBody::KINDS.contains(&r.body.kind()), "{} not in KINDS", r.body.kind());
            requests.insert(r.body.kind().to_owned());
        } else {
            let v: Value = serde_json::from_str(&json).unwrap();
            messages.insert(v["type"].as_str().unwrap().to_owned());
            if let Some(kind) = v["event"]["kind"].as_str() {
                events.insert(kind.to_owned());
            }
            if let Some(kind) = v["result"]["kind"].as_str() {
                replies.insert(kind.to_owned());
            }
        }
    }
    let want = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(requests, want(RequestBody::KINDS), "request types with an example");
    assert_eq!(events, want(WireEvent::KINDS), "event kinds with an example");
    assert_eq!(messages, want(&["error", "estimates", "event", "reply", "snapshot", "ticket_view"]));
    assert_eq!(replies, want(&["following", "ok", "ticket", "welcome"]));
    for code in ErrorCode::ALL {
        assert!(doc.contains(&format!("| `{}` |", code.as_str())), "error code {code} is not in the table");
    }
}

#[test]
fn the_permission_table_is_role_may() {
    let doc = doc();
    let bodies: Vec<RequestBody> = examples(&doc)
        .into_iter()
        .filter(|(m, _)| m == "request")
        .map(|(_, json)| serde_json::from_str::<Request>(&json).unwrap().body)
        .collect();
    let header = "| request | kiosk | clerk | display | evaluator | supervisor | integration |";
    assert!(doc.contains(header), "the table's header names the roles in Role::ALL order");
    let mut rows = 0;
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let kind = cells[0].trim_matches('`');
        let Some(body) = bodies.iter().find(|b| b.kind() == kind) else { continue };
        rows += 1;
        for (role, cell) in Role::ALL.iter().zip(&cells[1..]) {
            assert_eq!(*cell == "✓", role.may(body), "{kind} for {}", role.name());
        }
    }
    assert_eq!(rows, RequestBody::KINDS.len() - 1, "one row per request but hello");
}

#[test]
fn inbound_requests_refuse_unknown_and_missing_fields() {
    let unknown = r#"{"id": 1, "type": "call_next", "window": 5, "windw": 6}"#;
    assert!(Request::parse(unknown).is_err_and(|(id, e)| id == Some(1) && e.contains("windw")));
    let missing = r#"{"id": 2, "type": "call_next"}"#;
    assert!(Request::parse(missing).is_err_and(|(id, e)| id == Some(2) && e.contains("window")));
    let unknown_type = r#"{"id": 3, "type": "teleport"}"#;
    assert!(Request::parse(unknown_type).is_err_and(|(id, _)| id == Some(3)));
    assert!(Request::parse("not json").is_err_and(|(id, _)| id.is_none()));
    assert!(Request::parse(r#"{"type": "call_next", "window": 5}"#).is_err(), "id is required");
    assert!(Request::parse(r#"{"id": -1, "type": "call_next", "window": 5}"#).is_err());
}
