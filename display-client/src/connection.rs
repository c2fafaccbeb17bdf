//! One authenticated connection.

use futures_util::{SinkExt, StreamExt};
use kiosk_protocol::{ErrorCode, ReplyResult, ServerMessage, PROTOCOL_VERSION};
use serde_json::{json, Value};
use std::collections::VecDeque;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// What can go wrong talking to the server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The socket failed or closed.
    #[error("connection: {0}")]
    Socket(String),
    /// The server refused the device or a request.
    #[error("refused: {code}: {message}")]
    Refused {
        /// Stable code.
        code: ErrorCode,
        /// Detail.
        message: String,
    },
    /// The server sent something this client does not understand.
    #[error("unexpected message: {0}")]
    Protocol(String),
}

fn socket_error(e: impl std::fmt::Display) -> ClientError {
    ClientError::Socket(e.to_string())
}

/// An authenticated connection to `/ws`.
pub struct Connection {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Messages that arrived while waiting for an answer, in order.
    queued: VecDeque<ServerMessage>,
    /// The welcome: role and bound windows.
    pub welcome: ReplyResult,
}

impl Connection {
    /// Connects to `url` (e.g. `ws://127.0.0.1:8080/ws`) and says hello with `token`; with `since`,
    /// the server sends every event after it before live ones, else a snapshot first.
    pub async fn open(url: &str, token: &str, since: Option<u64>) -> Result<Connection, ClientError> {
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await.map_err(socket_error)?;
        let mut conn = Connection { ws, next_id: 1, queued: VecDeque::new(), welcome: ReplyResult::Ok {} };
        let mut hello = json!({"id": 0, "type": "hello", "protocol": PROTOCOL_VERSION, "token": token});
        if let Some(since) = since {
            hello["since"] = json!(since);
        }
        conn.send(&hello).await?;
        match conn.read().await? {
            ServerMessage::Reply { id: 0, result, .. } => conn.welcome = result,
            ServerMessage::Error { code, message, .. } => return Err(ClientError::Refused { code, message }),
            other => return Err(ClientError::Protocol(format!("{other:?}"))),
        }
        Ok(conn)
    }

    async fn send(&mut self, value: &Value) -> Result<(), ClientError> {
        self.ws.send(Message::text(value.to_string())).await.map_err(socket_error)
    }

    async fn read(&mut self) -> Result<ServerMessage, ClientError> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(&text).map_err(|e| ClientError::Protocol(format!("{e}: {text}")))
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(ClientError::Socket(format!("closed: {}", frame.map_or(1005, |f| u16::from(f.code)))))
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(socket_error(e)),
                None => return Err(ClientError::Socket("closed".into())),
            }
        }
    }

    /// The next message from the server (snapshot, event, or an unsolicited error).
    pub async fn next(&mut self) -> Result<ServerMessage, ClientError> {
        match self.queued.pop_front() {
            Some(message) => Ok(message),
            None => self.read().await,
        }
    }

    /// Sends a request (a JSON object without `id`) and waits for its answer; messages arriving
    /// meanwhile are kept for [`Connection::next`].
    pub async fn request(&mut self, mut body: Value) -> Result<(Option<u64>, ReplyResult), ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        body["id"] = json!(id);
        self.send(&body).await?;
        loop {
            match self.read().await? {
                ServerMessage::Reply { id: got, seq, result } if got == id => return Ok((seq, result)),
                ServerMessage::Error { id: Some(got), code, message } if got == id => {
                    return Err(ClientError::Refused { code, message })
                }
                other => self.queued.push_back(other),
            }
        }
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
