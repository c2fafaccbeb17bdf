//! docs/api.md is a contract: its examples run in order against a real server on the demo hall at the
//! test morning (2026-03-02 10:00), and each answer must have the status shown and contain the JSON
//! shown (objects: every key shown, with its value; lists: every item shown, in some item of the
//! answer). The documented booking code stands for the server's own.

mod client;

use client::{http, TestServer};
use onewindow::config::Limits;
use serde_json::Value;

const DOC_CODE: &str = "K7M4Q2XP";

/// One documented exchange.
#[derive(Debug)]
struct Exchange {
    method: String,
    path: String,
    body: Option<String>,
    status: u16,
    answer: String,
}

/// The exchanges of the page, in order: `<!-- example: METHOD PATH -->` (a JSON block after it is the
/// body), then `<!-- example: STATUS -->` and the answer's JSON block.
fn exchanges(doc: &str) -> Vec<Exchange> {
    let mut out = Vec::new();
    let mut request: Option<(String, String, Option<String>)> = None;
    let mut status: Option<u16> = None;
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if let Some(tag) = line.strip_prefix("<!-- example: ").and_then(|l| l.strip_suffix(" -->")) {
            match tag.split_once(' ') {
                Some((method, path)) => request = Some((method.to_owned(), path.to_owned(), None)),
                None => status = Some(tag.parse().expect("a status")),
            }
            continue;
        }
        if line == "```json" {
            let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            let json = block.join("\n");
            match (status.take(), request.as_mut()) {
                (Some(status), Some(_)) => {
                    let (method, path, body) = request.take().expect("request");
                    out.push(Exchange { method, path, body, status, answer: json });
                }
                (None, Some((_, _, body))) => *body = Some(json),
                _ => panic!("a JSON block outside an example: {json}"),
            }
        }
    }
    out
}

/// Whether `actual` contains everything `shown` has.
fn contains(actual: &Value, shown: &Value) -> bool {
    match (actual, shown) {
        (Value::Object(a), Value::Object(s)) => s.iter().all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        (Value::Array(a), Value::Array(s)) => s.iter().all(|v| a.iter().any(|av| contains(av, v))),
        _ => actual == shown,
    }
}

#[tokio::test]
async fn every_example_of_the_api_page_answers_as_shown() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md")).expect("docs/api.md");
    let exchanges = exchanges(&doc);
    assert!(exchanges.len() >= 7, "{exchanges:#?}");
    for method in ["GET", "POST", "DELETE"] {
        assert!(exchanges.iter().any(|e| e.method == method), "an example of {method}");
    }
    let server = TestServer::start(Limits::default()).await;
    let token = server.token("integration");
    let mut code: Option<String> = None;
    for e in &exchanges {
        let real = |text: &str, code: &Option<String>| {
            code.as_ref().map_or_else(|| text.to_owned(), |c| text.replace(DOC_CODE, c))
        };
        let body = e.body.as_deref().map(|b| {
            let parsed: Value =
                serde_json::from_str(b).unwrap_or_else(|err| panic!("{} {}: body {err}", e.method, e.path));
            parsed.to_string()
        });
        let (status, answer) =
            http(server.running.addr, &e.method, &real(&e.path, &code), Some(&token), body.as_deref()).await;
        let answer: Value =
            serde_json::from_str(&answer).unwrap_or_else(|err| panic!("{} {}: {err}: {answer}", e.method, e.path));
        if code.is_none() {
            code = answer["code"].as_str().filter(|c| c.len() == 8).map(str::to_owned);
        }
        let shown: Value =
            serde_json::from_str(&real(&e.answer, &code)).unwrap_or_else(|err| panic!("{}: {err}", e.answer));
        assert_eq!(status, e.status, "{} {}: {answer}", e.method, e.path);
        assert!(contains(&answer, &shown), "{} {}:\n  answered {answer}\n  documented {shown}", e.method, e.path);
    }
    server.stop().await;
}
