//! The floor: the least a WebSocket broadcast server can do on this machine — axum, no hall logic, no
//! disk. It answers every request at once and broadcasts an event for each issue and call, in the
//! onewindow protocol's shapes, so the same load generator drives it and onewindow alike.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast;

#[derive(Clone)]
struct Floor {
    events: broadcast::Sender<Arc<str>>,
    seq: Arc<AtomicU64>,
}

/// Starts the floor server on 127.0.0.1 (any port); returns its address.
pub async fn start() -> std::io::Result<SocketAddr> {
    let (events, _) = broadcast::channel(65_536);
    let floor = Floor { events, seq: Arc::new(AtomicU64::new(0)) };
    let app = Router::new().route("/ws", get(upgrade)).with_state(floor);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // As onewindow does: small frames leave at once, no Nagle delay.
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

async fn upgrade(ws: WebSocketUpgrade, State(floor): State<Floor>) -> axum::response::Response {
    // The same socket buffers as onewindow, so the comparison is like for like.
    ws.read_buffer_size(4096).write_buffer_size(0).on_upgrade(move |socket| session(socket, floor))
}

async fn session(socket: WebSocket, floor: Floor) {
    let (mut tx, mut rx) = socket.split();
    let mut events = floor.events.subscribe();
    loop {
        tokio::select! {
            msg = rx.next() => {
                let Some(Ok(Message::Text(text))) = msg else { break };
                let Ok(request) = serde_json::from_str::<Value>(&text) else { continue };
                let id = request["id"].clone();
                // `type` first, as the server writes its messages (clients read the kind from the front).
                let reply = |seq: Option<u64>, result: Value| {
                    let seq = seq.map(|s| format!("\"seq\":{s},")).unwrap_or_default();
                    format!("{{\"type\":\"reply\",\"id\":{id},{seq}\"result\":{result}}}")
                };
                let reply = match request["type"].as_str() {
                    // A welcome the protocol's client accepts; the floor checks no token and no role.
                    Some("hello") => reply(None, json!({"kind": "welcome", "protocol": 1, "role": "display", "windows": []})),
                    Some(kind @ ("issue_ticket" | "call_next")) => {
                        let seq = floor.seq.fetch_add(1, Ordering::Relaxed) + 1;
                        let ticket = format!("F{seq}");
                        let event = if kind == "call_next" {
                            json!({"kind": "ticket_called", "ticket": ticket, "window": request["window"]})
                        } else {
                            json!({"kind": "ticket_issued", "ticket": {"number": ticket}})
                        };
                        let text = format!("{{\"type\":\"event\",\"seq\":{seq},\"event\":{event}}}");
                        let _ = floor.events.send(text.into());
                        reply(Some(seq), json!({"kind": "ticket", "ticket": {"number": ticket}}))
                    }
                    _ => reply(None, json!({"kind": "ok"})),
                };
                if tx.send(Message::text(reply)).await.is_err() {
                    break;
                }
            }
            event = events.recv() => match event {
                Ok(text) => {
                    if tx.send(Message::text(text.to_string())).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
}
