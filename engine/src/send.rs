//! `onewindow send`: a terminal in the shell, on the protocol's Rust client (`display-client`). Says
//! hello with a device token, sends each request (checked against the protocol's types first), prints
//! the server's answers (and, with `--follow`, live events) one JSON line each.

use display_client::protocol::Request;
use display_client::{ClientError, Connection, FrameKind};
use serde_json::{json, Value};
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(url: &str, token: &str, follow: bool, requests: &[String]) -> ExitCode {
    let mut parsed = Vec::with_capacity(requests.len());
    for (i, text) in requests.iter().enumerate() {
        let request = match serde_json::from_str::<Value>(text) {
            Ok(mut v) if v.is_object() => {
                if v.get("id").is_none() {
                    v["id"] = json!(i + 1);
                }
                Request::parse(&v.to_string()).map_err(|(_, why)| why)
            }
            _ => Err("not a JSON object".to_owned()),
        };
        match request {
            Ok(request) => parsed.push(request),
            Err(why) => {
                eprintln!("error: request {} is not a request ({why}): {text}", i + 1);
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
async fn talk(url: &str, token: &str, follow: bool, requests: Vec<Request>) -> Result<bool, ClientError> {
    let mut conn = Connection::connect(url).await?;
    match conn.hello(token, None).await {
        Ok(welcome) => println!("{}", welcome.text()),
        Err(ClientError::Refused { code, message }) => {
            println!("{}", json!({"type": "error", "id": 0, "code": code, "message": message}));
            return Ok(false);
        }
        Err(e) => return Err(e),
    }
    let mut pending: Vec<u64> = requests.iter().map(|r| r.id).collect();
    for request in &requests {
        conn.sender().send_request(request).await?;
    }
    let mut all_ok = true;
    let wait = Duration::from_secs(if follow { 86_400 } else { 5 });
    while follow || !pending.is_empty() {
        let frame = match tokio::time::timeout(wait, conn.next()).await {
            Ok(Ok(frame)) => frame,
            Ok(Err(ClientError::Closed { code })) => {
                eprintln!("closed by the server: {code:?}");
                return Ok(false);
            }
            Ok(Err(e)) => return Err(e),
            Err(_) => break,
        };
        // A reader that went away (`| head`) ends the conversation, not the program with a panic.
        if writeln!(std::io::stdout(), "{}", frame.text()).is_err() {
            break;
        }
        if frame.kind() == FrameKind::Error {
            all_ok = false;
        }
        if matches!(frame.kind(), FrameKind::Reply | FrameKind::Error) {
            pending.retain(|id| Some(*id) != frame.id());
        }
    }
    conn.close().await;
    Ok(all_ok && pending.is_empty())
}
