//! `onewindow send`: a terminal in the shell. Says hello with a device token, sends each request,
//! prints the server's answers (and, with `--follow`, live events) one JSON line each.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

pub fn run(url: &str, token: &str, follow: bool, requests: &[String]) -> ExitCode {
    let mut parsed = Vec::with_capacity(requests.len());
    for (i, text) in requests.iter().enumerate() {
        match serde_json::from_str::<Value>(text) {
            Ok(mut v) if v.is_object() => {
                if v.get("id").is_none() {
                    v["id"] = json!(i + 1);
                }
                parsed.push(v);
            }
            _ => {
                eprintln!("error: request {} is not a JSON object: {text}", i + 1);
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(talk(url, token, follow, parsed)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Returns whether every request got a reply (not an error).
async fn talk(url: &str, token: &str, follow: bool, requests: Vec<Value>) -> Result<bool, Box<dyn std::error::Error>> {
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await?;
    let hello = json!({"id": 0, "type": "hello", "protocol": kiosk_protocol::PROTOCOL_VERSION, "token": token});
    ws.send(Message::text(hello.to_string())).await?;
    let mut all_ok = true;
    let mut pending: Vec<Value> = requests.iter().map(|r| r["id"].clone()).collect();
    pending.insert(0, json!(0));
    for request in &requests {
        ws.send(Message::text(request.to_string())).await?;
    }
    while let Some(frame) =
        tokio::time::timeout(Duration::from_secs(if follow { 86_400 } else { 5 }), ws.next()).await?
    {
        match frame? {
            Message::Text(text) => {
                println!("{text}");
                let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if value["type"] == "error" {
                    all_ok = false;
                }
                if matches!(value["type"].as_str(), Some("reply" | "error")) {
                    pending.retain(|id| *id != value["id"]);
                }
                if pending.is_empty() && !follow {
                    break;
                }
            }
            Message::Close(frame) => {
                eprintln!("closed by the server: {frame:?}");
                return Ok(false);
            }
            _ => {}
        }
    }
    let _ = ws.close(None).await;
    Ok(all_ok && pending.is_empty())
}
