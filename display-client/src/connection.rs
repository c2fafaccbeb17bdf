//! One connection to `/ws`: typed requests out ([`RequestBody`], each given the next `id`), frames in.
//!
//! A [`Frame`] is one text message from the server: its kind read from the front, the rest left as
//! text, so a caller that only routes messages (a load generator skipping events, a test that reads the
//! JSON itself) pays for no more parsing than it needs, and [`Frame::message`] gives the typed
//! [`ServerMessage`] to those who want it. [`Connection::split`] hands out the two halves for open-loop
//! use (one task sends on a schedule while another reads).

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use kiosk_protocol::{ErrorCode, ReplyResult, Request, RequestBody, ServerMessage, PROTOCOL_VERSION};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::VecDeque;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The socket a connection runs on.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What can go wrong talking to the server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The socket failed.
    #[error("connection: {0}")]
    Socket(String),
    /// The server closed the connection, with this close code if it gave one.
    #[error("closed by the server ({})", code.map_or_else(|| "no code".to_owned(), |c| c.to_string()))]
    Closed {
        /// The close code (1008 policy, 1013 too slow, …).
        code: Option<u16>,
    },
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

/// The kind of a server message (its `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// `reply`.
    Reply,
    /// `error`.
    Error,
    /// `snapshot`.
    Snapshot,
    /// `estimates`.
    Estimates,
    /// `event`.
    Event,
    /// Anything else (or not JSON).
    Other,
}

/// One text message from the server. Its kind is read from the front of the text (the server writes
/// `type` first); `id` and `seq` are read only when asked for.
#[derive(Debug, Clone)]
pub struct Frame {
    text: Utf8Bytes,
    kind: FrameKind,
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    id: Option<u64>,
    seq: Option<u64>,
}

fn kind_named(name: &str) -> FrameKind {
    match name {
        "reply" => FrameKind::Reply,
        "error" => FrameKind::Error,
        "snapshot" => FrameKind::Snapshot,
        "estimates" => FrameKind::Estimates,
        "event" => FrameKind::Event,
        _ => FrameKind::Other,
    }
}

impl Frame {
    /// A frame of `text`.
    pub fn new(text: impl Into<Utf8Bytes>) -> Frame {
        let text = text.into();
        let front = text.as_str().strip_prefix("{\"type\":\"").and_then(|rest| rest.split_once('"'));
        let kind = match front {
            Some((name, _)) => kind_named(name),
            // Not in the server's own layout: read the whole header.
            None => {
                Frame::header_of(text.as_str()).and_then(|h| h.kind.map(|k| kind_named(&k))).unwrap_or(FrameKind::Other)
            }
        };
        Frame { text, kind }
    }
    fn header_of(text: &str) -> Option<Header<'_>> {
        serde_json::from_str(text).ok()
    }
    /// The message as sent.
    pub fn text(&self) -> &str {
        self.text.as_str()
    }
    /// Its `type`.
    pub fn kind(&self) -> FrameKind {
        self.kind
    }
    /// Its `id` (replies and errors).
    pub fn id(&self) -> Option<u64> {
        Frame::header_of(self.text()).and_then(|h| h.id)
    }
    /// Its `seq` (events, snapshots, and replies to requests that caused events).
    pub fn seq(&self) -> Option<u64> {
        Frame::header_of(self.text()).and_then(|h| h.seq)
    }
    /// Whether it answers the request `id` (a reply or an error carrying it).
    pub fn answers(&self, id: u64) -> bool {
        matches!(self.kind, FrameKind::Reply | FrameKind::Error) && self.id() == Some(id)
    }
    /// The typed message.
    pub fn message(&self) -> Result<ServerMessage, ClientError> {
        serde_json::from_str(self.text()).map_err(|e| ClientError::Protocol(format!("{e}: {}", self.text())))
    }
    /// The message as JSON (`null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(self.text()).unwrap_or(Value::Null)
    }
}

/// The sending half: requests, each with the next `id`.
pub struct Sender {
    sink: SplitSink<Socket, Message>,
    next_id: u64,
}

impl Sender {
    /// Sends a request; returns the `id` its answer will carry.
    pub async fn send(&mut self, body: &RequestBody) -> Result<u64, ClientError> {
        let id = self.take_id();
        let text = serde_json::to_string(&Request { id, body: body.clone() }).map_err(socket_error)?;
        self.send_text(&text).await?;
        Ok(id)
    }

    /// Sends a request with the `id` it already has (the caller keeps its own numbering).
    pub async fn send_request(&mut self, request: &Request) -> Result<(), ClientError> {
        self.next_id = self.next_id.max(request.id.saturating_add(1));
        let text = serde_json::to_string(request).map_err(socket_error)?;
        self.send_text(&text).await
    }

    /// Sends a JSON object as a request, its `id` set to the next one (for requests this client's
    /// types would not let through: tests of the server's refusals).
    pub async fn send_json(&mut self, mut body: Value) -> Result<u64, ClientError> {
        let id = self.take_id();
        body["id"] = Value::from(id);
        self.send_text(&body.to_string()).await?;
        Ok(id)
    }

    /// Sends text as it is.
    pub async fn send_text(&mut self, text: &str) -> Result<(), ClientError> {
        self.sink.send(Message::text(text)).await.map_err(socket_error)
    }

    /// Sends a WebSocket message as it is (pings, binary frames, closes).
    pub async fn send_raw(&mut self, message: Message) -> Result<(), ClientError> {
        self.sink.send(message).await.map_err(socket_error)
    }

    /// The `id` the next request will carry.
    pub fn next_id(&self) -> u64 {
        self.next_id
    }

    fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}

/// The receiving half.
pub struct Receiver {
    stream: SplitStream<Socket>,
}

impl Receiver {
    /// The next text message (pings, pongs and binary frames are skipped).
    pub async fn next(&mut self) -> Result<Frame, ClientError> {
        loop {
            match self.stream.next().await {
                Some(Ok(Message::Text(text))) => return Ok(Frame::new(text)),
                Some(Ok(Message::Close(frame))) => {
                    return Err(ClientError::Closed { code: frame.map(|f| u16::from(f.code)) })
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(socket_error(e)),
                None => return Err(ClientError::Closed { code: None }),
            }
        }
    }
}

/// A connection to `/ws`.
pub struct Connection {
    tx: Sender,
    rx: Receiver,
    /// Messages that arrived while waiting for an answer, in order.
    queued: VecDeque<Frame>,
    /// The welcome, once `hello` was answered: role and bound windows.
    pub welcome: Option<ReplyResult>,
}

impl Connection {
    /// Connects to `url` (e.g. `ws://127.0.0.1:8080/ws`) without saying hello.
    pub async fn connect(url: &str) -> Result<Connection, ClientError> {
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await.map_err(socket_error)?;
        Ok(Connection::from_socket(ws))
    }

    /// A connection on a WebSocket the caller opened (its own TCP options), not yet said hello on.
    pub fn from_socket(ws: Socket) -> Connection {
        let (sink, stream) = ws.split();
        Connection { tx: Sender { sink, next_id: 1 }, rx: Receiver { stream }, queued: VecDeque::new(), welcome: None }
    }

    /// Connects and says hello with `token`; with `since`, the server sends every event after it
    /// before live ones, else a snapshot first.
    pub async fn open(url: &str, token: &str, since: Option<u64>) -> Result<Connection, ClientError> {
        let mut conn = Connection::connect(url).await?;
        conn.hello(token, since).await?;
        Ok(conn)
    }

    /// Says hello; returns the welcome as sent (an error answer is `Err(Refused)`).
    pub async fn hello(&mut self, token: &str, since: Option<u64>) -> Result<Frame, ClientError> {
        let body = RequestBody::Hello { protocol: PROTOCOL_VERSION, token: token.to_owned(), since };
        let id = self.tx.send(&body).await?;
        let frame = self.answer(id).await?;
        match frame.message()? {
            ServerMessage::Reply { result, .. } => self.welcome = Some(result),
            ServerMessage::Error { code, message, .. } => return Err(ClientError::Refused { code, message }),
            other => return Err(ClientError::Protocol(format!("{other:?}"))),
        }
        Ok(frame)
    }

    /// Sends a request without waiting; returns its `id` (for [`Connection::answer`]).
    pub async fn send(&mut self, body: &RequestBody) -> Result<u64, ClientError> {
        self.tx.send(body).await
    }

    /// The sending half, for raw sends ([`Sender::send_json`], [`Sender::send_text`]).
    pub fn sender(&mut self) -> &mut Sender {
        &mut self.tx
    }

    /// The answer (reply or error) to request `id`; messages arriving meanwhile are kept for
    /// [`Connection::next`].
    pub async fn answer(&mut self, id: u64) -> Result<Frame, ClientError> {
        if let Some(at) = self.queued.iter().position(|f| f.answers(id)) {
            return self.queued.remove(at).ok_or_else(|| ClientError::Protocol("queue".into()));
        }
        loop {
            let frame = self.rx.next().await?;
            if frame.answers(id) {
                return Ok(frame);
            }
            self.queued.push_back(frame);
        }
    }

    /// Sends a request and waits for its answer: the `seq` of the last event it caused, and its result;
    /// a refusal is `Err(Refused)`.
    pub async fn request(&mut self, body: &RequestBody) -> Result<(Option<u64>, ReplyResult), ClientError> {
        let id = self.send(body).await?;
        match self.answer(id).await?.message()? {
            ServerMessage::Reply { seq, result, .. } => Ok((seq, result)),
            ServerMessage::Error { code, message, .. } => Err(ClientError::Refused { code, message }),
            other => Err(ClientError::Protocol(format!("{other:?}"))),
        }
    }

    /// The next message not yet taken (snapshot, event, estimates, an unsolicited error, or an answer
    /// nobody waited for).
    pub async fn next(&mut self) -> Result<Frame, ClientError> {
        match self.queued.pop_front() {
            Some(frame) => Ok(frame),
            None => self.rx.next().await,
        }
    }

    /// Takes the messages kept aside while waiting for answers, in order.
    pub fn take_queued(&mut self) -> VecDeque<Frame> {
        std::mem::take(&mut self.queued)
    }

    /// [`Connection::next`], typed.
    pub async fn next_message(&mut self) -> Result<ServerMessage, ClientError> {
        self.next().await?.message()
    }

    /// Reads until the server closes; its close code, if it gave one.
    pub async fn close_code(&mut self) -> Result<Option<u16>, ClientError> {
        self.queued.clear();
        loop {
            match self.rx.next().await {
                Ok(_) => continue,
                Err(ClientError::Closed { code }) => return Ok(code),
                Err(e) => return Err(e),
            }
        }
    }

    /// The two halves, for a sender and a reader running apart. Messages already kept aside are
    /// returned with them.
    pub fn split(self) -> (Sender, Receiver, VecDeque<Frame>) {
        (self.tx, self.rx, self.queued)
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.tx.sink.close().await;
    }
}
