//! One WebSocket connection: authenticate, send the hall (or the missed events), then serve requests
//! and forward live events until either side leaves.
//!
//! Rules it enforces: `hello` within 5 s or close 1008; text frames over 16 KiB close 1009; binary
//! frames close 1003; invalid UTF-8 closes 1007 and other protocol violations 1002 (RFC 6455 7.4.1); a
//! bad request gets an error reply and the connection stays; a socket more than `socket_queue` events
//! behind is closed 1013 and resumes by `seq`; a peer silent for 30 s, or that takes more than 10 s to
//! take one frame (it stopped reading), is dropped; at stop, a blocked send is abandoned at once.

use super::guard;
use super::pins::PinCheck;
use super::writer::{Accepted, Caller, HallState, Work};
use super::App;
use crate::config::Device;
use crate::wire::WireError;
use axum::extract::ws::{close_code, CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use kiosk_protocol::{
    ErrorCode, ReplyResult, Request, RequestBody, Role, ServerMessage, MAX_FRAME_BYTES, PROTOCOL_VERSION,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

/// Time a new connection has to authenticate.
const HELLO_WITHIN: Duration = Duration::from_secs(5);
/// How often the server pings.
pub(super) const PING_EVERY: Duration = Duration::from_secs(10);
/// A peer silent this long is gone.
pub(super) const DEAD_AFTER: Duration = Duration::from_secs(30);
/// Records read from the ledger at a time when resuming.
const RESUME_CHUNK: usize = 1_000;
/// A peer that does not take one frame within this has stopped reading: it is dropped, and resumes
/// with `since` when it comes back.
pub const SEND_WITHIN: Duration = Duration::from_secs(10);
/// Events sent with one flush at most (a terminal that fell behind catches up in steps of this many).
const COALESCE_AT_MOST: usize = 64;
/// How long a closing connection may take to send its close frame.
const CLOSE_WITHIN: Duration = Duration::from_secs(1);

/// The sending half, with the server's stop signal: no send outlives [`SEND_WITHIN`] or the stop.
pub(super) struct Sink {
    inner: SplitSink<WebSocket, Message>,
    stop: watch::Receiver<bool>,
}

impl Sink {
    pub(super) async fn send(&mut self, message: Message) -> Result<(), End> {
        self.send_all(std::iter::once(message)).await
    }

    /// Sends messages with one flush: as few writes to the socket as fit its write buffer.
    async fn send_all(&mut self, messages: impl IntoIterator<Item = Message>) -> Result<(), End> {
        let Sink { inner, stop } = self;
        let all = async {
            for message in messages {
                inner.feed(message).await?;
            }
            inner.flush().await
        };
        tokio::select! {
            sent = tokio::time::timeout(SEND_WITHIN, all) => match sent {
                Ok(Ok(())) => Ok(()),
                Ok(Err(_)) => Err(End::Gone),
                Err(_) => {
                    tracing::info!("peer stopped reading; dropped");
                    Err(End::Gone)
                }
            },
            // A send cut short by the stop still ends in a 1001 for a peer that reads (`finish`).
            _ = super::listen::stopped(stop) => Err(End::Close(close_code::AWAY, "server stopping")),
        }
    }
}

/// Why a session ends.
pub(super) enum End {
    /// Close with this code and reason.
    Close(u16, &'static str),
    /// The peer is gone; nothing to send.
    Gone,
}

pub(super) async fn send_text(sink: &mut Sink, text: impl Into<Utf8Bytes>) -> Result<(), End> {
    sink.send(Message::Text(text.into())).await
}

pub(super) async fn send_message(sink: &mut Sink, message: &ServerMessage) -> Result<(), End> {
    let text = serde_json::to_string(message).map_err(|_| End::Close(close_code::ERROR, "encoding"))?;
    send_text(sink, text).await
}

pub(super) fn error(id: Option<u64>, code: ErrorCode, message: impl Into<String>) -> ServerMessage {
    ServerMessage::Error { id, code, message: message.into() }
}

/// Runs one connection to its end.
pub async fn run(socket: WebSocket, app: App, admitted: Arc<guard::Ticket>) {
    let (sink, mut stream) = socket.split();
    let mut sink = Sink { inner: sink, stop: app.shutdown.clone() };
    let device = match authenticate(&mut sink, &mut stream, &app, admitted.ip()).await {
        Ok(Who::Device(device, since, hello_id)) => (device, since, hello_id),
        Ok(Who::Follower { ticket, day, id }) => {
            admitted.authenticated();
            app.metrics.connection("mobile", 1);
            let end = super::follow::serve(&mut sink, &mut stream, &app, ticket, day, id).await;
            app.metrics.connection("mobile", -1);
            return finish(sink, end).await;
        }
        Err(end) => return finish(sink, end).await,
    };
    admitted.authenticated();
    let (device, since, hello_id) = device;
    let role = device.role.name();
    app.metrics.connection(role, 1);
    let span = tracing::info_span!("session", device = %device.name, role);
    let end = {
        let _entered = span.enter();
        tracing::info!("connected");
        drop(_entered);
        serve(&mut sink, &mut stream, &app, &device, since, hello_id).await
    };
    app.metrics.connection(role, -1);
    tracing::info!(device = %device.name, "disconnected");
    finish(sink, end).await;
}

/// Sends the close frame, if any, and closes; a peer gets [`CLOSE_WITHIN`] for each (also at stop,
/// when other sends are abandoned: the 1001 still goes out to a peer that reads).
async fn finish(mut sink: Sink, end: End) {
    if let End::Close(code, reason) = end {
        let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
        if !matches!(tokio::time::timeout(CLOSE_WITHIN, sink.inner.send(Message::Close(Some(frame)))).await, Ok(Ok(())))
        {
            return;
        }
    }
    let _ = tokio::time::timeout(CLOSE_WITHIN, sink.inner.close()).await;
}

/// The close for a frame the transport could not accept (RFC 6455 7.4.1).
pub(super) fn frame_error(error: axum::Error) -> End {
    use tokio_tungstenite::tungstenite::Error;
    let inner = error.into_inner();
    match inner.downcast_ref::<Error>() {
        Some(Error::Capacity(_)) => End::Close(close_code::SIZE, "frame too large"),
        Some(Error::Utf8(_)) => End::Close(close_code::INVALID, "text is not valid UTF-8"),
        Some(Error::Protocol(_)) => End::Close(close_code::PROTOCOL, "protocol violation"),
        Some(Error::ConnectionClosed | Error::AlreadyClosed | Error::Io(_)) | None => End::Gone,
        Some(_) => End::Close(close_code::PROTOCOL, "protocol violation"),
    }
}

/// A frame a session read: its text, `None` for a ping or pong, or how the session ends (binary
/// frames, oversize text, a close, a transport error).
pub(super) fn incoming_text(incoming: Option<Result<Message, axum::Error>>) -> Result<Option<Utf8Bytes>, End> {
    match incoming {
        Some(Ok(Message::Text(text))) if text.len() > MAX_FRAME_BYTES => {
            Err(End::Close(close_code::SIZE, "message over 16 KiB"))
        }
        Some(Ok(Message::Text(text))) => Ok(Some(text)),
        Some(Ok(Message::Binary(_))) => Err(End::Close(close_code::UNSUPPORTED, "text frames only")),
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(None),
        Some(Ok(Message::Close(_))) | None => Err(End::Gone),
        Some(Err(e)) => {
            tracing::debug!(error = %e, "socket error");
            Err(frame_error(e))
        }
    }
}

/// Reads the next text frame, answering pings; binary frames and oversize text end the session.
async fn next_text(stream: &mut SplitStream<WebSocket>) -> Result<Utf8Bytes, End> {
    loop {
        if let Some(text) = incoming_text(stream.next().await)? {
            return Ok(text);
        }
    }
}

/// Who a session serves.
enum Who {
    /// A device: its token's entry, `since`, and the `hello`'s id.
    Device(Device, Option<u64>, u64),
    /// A mobile ticket (`follow`): the ticket, its day, and the request's id.
    Follower { ticket: u64, day: crate::core::Date, id: u64 },
}

/// The first frame must be a valid `hello` with a known token (or `follow` with a ticket's
/// capability), within 5 s.
async fn authenticate(
    sink: &mut Sink,
    stream: &mut SplitStream<WebSocket>,
    app: &App,
    from: std::net::IpAddr,
) -> Result<Who, End> {
    let text = match tokio::time::timeout(HELLO_WITHIN, next_text(stream)).await {
        Err(_) => {
            send_message(sink, &error(None, ErrorCode::NotAuthenticated, "send hello within 5 s")).await?;
            return Err(End::Close(close_code::POLICY, "authenticate within 5 s"));
        }
        Ok(result) => result?,
    };
    let request = match Request::parse(&text) {
        Ok(r) => r,
        Err((id, e)) => {
            send_message(sink, &error(id, ErrorCode::BadRequest, e)).await?;
            return Err(End::Close(close_code::POLICY, "the first message must be hello"));
        }
    };
    if let RequestBody::Follow { protocol, ticket } = &request.body {
        let found = if *protocol == PROTOCOL_VERSION {
            super::follow::check(app, ticket, from)
        } else {
            Err((ErrorCode::UnsupportedProtocol, "unsupported protocol"))
        };
        return match found {
            Ok((ticket, day)) => Ok(Who::Follower { ticket, day, id: request.id }),
            Err((code, why)) => {
                send_message(sink, &error(Some(request.id), code, why)).await?;
                Err(End::Close(close_code::POLICY, why))
            }
        };
    }
    let RequestBody::Hello { protocol, token, since } = request.body else {
        send_message(sink, &error(Some(request.id), ErrorCode::NotAuthenticated, "send hello first")).await?;
        return Err(End::Close(close_code::POLICY, "the first message must be hello"));
    };
    if protocol != PROTOCOL_VERSION {
        let message = format!("this server speaks protocol {PROTOCOL_VERSION}");
        send_message(sink, &error(Some(request.id), ErrorCode::UnsupportedProtocol, message)).await?;
        return Err(End::Close(close_code::POLICY, "unsupported protocol"));
    }
    let hash = crate::auth::hash_token(&token);
    let Some(device) = app.devices.now().iter().find(|d| d.token_hash == hash).cloned() else {
        send_message(sink, &error(Some(request.id), ErrorCode::Unauthorized, "unknown device token")).await?;
        return Err(End::Close(close_code::POLICY, "unknown device token"));
    };
    if device.role == Role::Integration {
        let message = "the integration role has no WebSocket session: it uses /api/v1 (docs/api.md)";
        send_message(sink, &error(Some(request.id), ErrorCode::Forbidden, message)).await?;
        return Err(End::Close(close_code::POLICY, "role has no WebSocket session"));
    }
    Ok(Who::Device(device, since, request.id))
}

/// After `hello`: welcome, catch up, then requests and live events.
async fn serve(
    sink: &mut Sink,
    stream: &mut SplitStream<WebSocket>,
    app: &App,
    device: &Device,
    since: Option<u64>,
    hello_id: u64,
) -> End {
    // Subscribe before reading the state, so every event after that state arrives here.
    let mut events = app.events.subscribe();
    let welcome = ServerMessage::Reply {
        id: hello_id,
        seq: None,
        result: ReplyResult::Welcome { protocol: PROTOCOL_VERSION, role: device.role, windows: device.windows.clone() },
    };
    if let Err(end) = send_message(sink, &welcome).await {
        return end;
    }
    let mut last = match catch_up(sink, app, since).await {
        Ok(last) => last,
        Err(end) => return end,
    };
    let mut shutdown = app.shutdown.clone();
    let mut devices = app.devices.changed.subscribe();
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            // Events first: a busy terminal still gets every event before its next request is taken,
            // so its own requests never push it behind.
            biased;
            received = events.recv() => {
                // Everything already published goes out with one flush: under load a terminal gets
                // several events per commit, and one write per event was most of the server's time.
                let mut pending = Vec::new();
                use broadcast::error::{RecvError, TryRecvError};
                let mut next = received.map_err(|e| match e {
                    RecvError::Lagged(n) => TryRecvError::Lagged(n),
                    RecvError::Closed => TryRecvError::Closed,
                });
                loop {
                    match next {
                        Ok(event) => {
                            if !event.is_event || event.seq > last {
                                last = last.max(event.seq);
                                pending.push(Message::Text(event.text.as_ref().into()));
                            }
                        }
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Lagged(_)) => {
                            return End::Close(close_code::AGAIN, "too far behind; reconnect with since");
                        }
                        Err(TryRecvError::Closed) => {
                            return End::Close(close_code::AWAY, "server stopping")
                        }
                    }
                    if pending.len() >= COALESCE_AT_MOST {
                        break;
                    }
                    next = events.try_recv();
                }
                if let Err(end) = sink.send_all(pending).await {
                    return end;
                }
            }
            incoming = stream.next() => {
                heard = Instant::now();
                let text = match incoming_text(incoming) {
                    Ok(Some(text)) => text,
                    Ok(None) => continue,
                    Err(end) => return end,
                };
                let (state, answer) = handle(app, device, &text).await;
                if let Some(state) = state {
                    // `get_state`: the state first, then the reply that says it was sent. It includes
                    // every event up to its `seq`; later ones follow as usual.
                    if let Err(end) = send_text(sink, state.message.as_ref()).await {
                        return end;
                    }
                    last = last.max(state.seq);
                }
                if let Err(end) = send_message(sink, &answer).await {
                    return end;
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > DEAD_AFTER {
                    return End::Gone;
                }
                if let Err(end) = sink.send(Message::Ping(Default::default())).await {
                    return end;
                }
            }
            _ = shutdown.changed() => return End::Close(close_code::AWAY, "server stopping"),
            _ = devices.changed() => {
                if !app.devices.still(device) {
                    tracing::warn!(device = %device.name, "token revoked; closing its session");
                    let _ = send_message(sink, &error(None, ErrorCode::TokenRevoked, "this device's token was revoked")).await;
                    return End::Close(close_code::POLICY, "token revoked");
                }
            }
        }
    }
}

/// Sends the snapshot, or every event after `since`; returns the last `seq` sent. When the ledger
/// cannot be read (refusing after a disk error, or damaged), the terminal gets the current hall instead
/// of the missed events: it shows the truth, only without replaying what it missed.
async fn catch_up(sink: &mut Sink, app: &App, since: Option<u64>) -> Result<u64, End> {
    let Some(state) = app.state().await else { return Err(End::Close(close_code::AWAY, "server stopping")) };
    let last = replay(sink, app, since, &state).await?;
    // The estimates as they are now: a resuming terminal's may be old.
    let estimates = app.estimates.borrow().clone();
    if !estimates.is_empty() {
        send_text(sink, estimates.as_ref()).await?;
    }
    Ok(last)
}

/// The snapshot, or the events after `since` up to `state`; returns the last `seq` sent.
async fn replay(sink: &mut Sink, app: &App, since: Option<u64>, state: &HallState) -> Result<u64, End> {
    match since {
        Some(since) if since <= state.seq => {
            let mut last = since;
            while last < state.seq {
                let store = app.store.clone();
                let after = last;
                let read = tokio::task::spawn_blocking(move || store.read_after(after, RESUME_CHUNK)).await;
                let records = match read {
                    Ok(Ok(records)) => records,
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, after, "cannot resume from the ledger; sending the hall instead");
                        send_text(sink, state.message.as_ref()).await?;
                        return Ok(state.seq);
                    }
                    Err(_) => return Err(End::Close(close_code::ERROR, "ledger read failed")),
                };
                if records.is_empty() {
                    break;
                }
                for record in records.into_iter().take_while(|r| r.seq <= state.seq) {
                    last = record.seq;
                    send_text(sink, record.wire).await?;
                }
            }
            Ok(last)
        }
        _ => {
            send_text(sink, state.message.as_ref()).await?;
            Ok(state.seq)
        }
    }
}

/// One request after `hello`, with the hall state to send first for `get_state`.
async fn handle(app: &App, device: &Device, text: &str) -> (Option<Arc<HallState>>, ServerMessage) {
    let request = match Request::parse(text) {
        Ok(r) => r,
        Err((id, e)) => return (None, error(id, ErrorCode::BadRequest, e)),
    };
    if matches!(request.body, RequestBody::GetState {}) {
        return match app.state().await {
            Some(state) => {
                (Some(state), ServerMessage::Reply { id: request.id, seq: None, result: ReplyResult::Ok {} })
            }
            None => (None, error(Some(request.id), ErrorCode::Unavailable, "the server is stopping")),
        };
    }
    (None, command(app, device, request).await)
}

/// A request for the writer: permission, rate, then the writer's answer.
async fn command(app: &App, device: &Device, request: Request) -> ServerMessage {
    let id = request.id;
    tracing::debug!(device = %device.name, id, kind = request.body.kind(), "request");
    if matches!(request.body, RequestBody::Hello { .. }) {
        return error(Some(id), ErrorCode::BadRequest, "already authenticated");
    }
    if !device.role.may(&request.body) {
        let message = format!("a {} may not {}", device.role.name(), request.body.kind());
        tracing::warn!(device = %device.name, kind = request.body.kind(), "forbidden request refused");
        return error(Some(id), ErrorCode::Forbidden, message);
    }
    if let Some(window) = request.body.window() {
        if matches!(device.role, Role::Clerk | Role::Evaluator) && !device.windows.contains(&window) {
            tracing::warn!(device = %device.name, kind = request.body.kind(), window, "forbidden request refused");
            return error(Some(id), ErrorCode::Forbidden, format!("this device is not bound to window {window}"));
        }
    }
    let caller = Caller { device: device.name.clone(), role: Some(device.role) };
    if let RequestBody::SignIn { clerk, pin, window } = &request.body {
        if let Err((code, message)) = check_pin(app, &caller, clerk, pin, *window).await {
            return error(Some(id), code, message);
        }
    }
    if let RequestBody::Rate { reason: Some(reason), .. } = &request.body {
        if !app.terminals.is_reason(reason) {
            let message = format!("`{reason}` is not one of the hall's rating reasons (`/api/texts`)");
            return error(Some(id), ErrorCode::BadRequest, message);
        }
    }
    if matches!(request.body, RequestBody::Subscribe { .. }) && !app.terminals.messages {
        return error(Some(id), ErrorCode::BadRequest, "this hall sends no messages (it has no [gateway])");
    }
    let issues = matches!(request.body, RequestBody::IssueTicket { .. } | RequestBody::CheckIn { .. });
    if issues && !app.admission.take_issue(&device.name) {
        return error(Some(id), ErrorCode::RateLimited, "too many tickets from this kiosk; wait a moment");
    }
    match app.submit(caller, Work::Request(request.body)).await {
        Ok(Accepted { seq, result, .. }) => ServerMessage::Reply { id, seq, result },
        Err(WireError { code, message }) => error(Some(id), code, message),
    }
}

/// A sign-in's PIN, checked before the writer sees the request; refused sign-ins are logged with the
/// device, and the wrong PIN that completes a burst locks the clerk (a ledger event).
async fn check_pin(app: &App, caller: &Caller, clerk: &str, pin: &str, window: u16) -> Result<(), (ErrorCode, String)> {
    let device = &caller.device;
    match app.pins.check(clerk, pin).await {
        PinCheck::Right => Ok(()),
        PinCheck::UnknownClerk => {
            tracing::warn!(device = %device, clerk, window, "sign-in refused: unknown clerk");
            Err((ErrorCode::UnknownClerk, "unknown clerk".into()))
        }
        PinCheck::Locked => {
            tracing::warn!(device = %device, clerk, window, "sign-in refused: clerk locked");
            Err((ErrorCode::ClerkLocked, "locked after too many wrong PINs; a supervisor can see until when".into()))
        }
        PinCheck::Wrong { failures } => {
            tracing::warn!(device = %device, clerk, window, failures, "sign-in refused: wrong PIN");
            Err((ErrorCode::WrongPin, format!("wrong PIN ({failures} in a row)")))
        }
        PinCheck::LocksNow { failures, lock } => {
            tracing::warn!(device = %device, clerk, window, failures, "sign-in refused: wrong PIN; clerk locked");
            let lock_ms = i64::try_from(lock.as_millis()).unwrap_or(i64::MAX);
            let work = Work::Lock { clerk: clerk.to_owned(), failures, lock_ms };
            if let Err(e) = app.submit(caller.clone(), work).await {
                tracing::error!(clerk, error = %e.message, "the lock could not be recorded");
            }
            let minutes = lock.as_secs().div_ceil(60);
            Err((ErrorCode::ClerkLocked, format!("{failures} wrong PINs in a row: locked for {minutes} min")))
        }
    }
}
