//! The mobile ticket (`/t/<capability>`): a citizen's phone follows their own ticket, with no login.
//!
//! ```text
//!   kiosk reply ── capability (ticket id + MAC under the day's key) ──> QR code ──> phone
//!   phone ── follow {ticket: capability} ──> session: MAC checked, the ticket registered as followed
//!   writer ── each tick (1 s), and at once for a new follower ──> Board (watch): one `ticket_view`
//!            message per followed ticket, serialised once ──> each session sends its own when it changed
//! ```
//!
//! A follow session sees its ticket and the hall's public figures, never the event stream, and may only
//! cancel its own ticket. Capabilities are checked in constant time; failed ones are rate limited per
//! address; they die with the day's key.

use super::session::{self, End, Sink};
use super::writer::{Caller, Work};
use super::App;
use crate::auth::IdKeys;
use crate::core::{Command, Date, Hall, TicketId, Timestamp};
use crate::wire;
use axum::extract::ws::{close_code, Message, WebSocket};
use futures_util::stream::SplitStream;
use futures_util::StreamExt;
use kiosk_protocol::{ErrorCode, FollowedTicket, PublicHall, ReplyResult, Request, RequestBody, ServerMessage};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};

/// How long a new follower waits for its first view before giving up.
const FIRST_VIEW_WITHIN: Duration = Duration::from_secs(5);

/// The followed tickets' views, as of one writer tick.
#[derive(Debug, Default)]
pub struct Board {
    /// The hall's business day: a capability of another day is refused, and a session of it ends.
    pub date: Option<Date>,
    /// Each followed ticket's `ticket_view` message, by ticket id (absent: forgotten by the hall).
    pub views: HashMap<u64, Arc<str>>,
}

/// What the writer and the follow sessions share.
pub struct Following {
    /// Followed ticket ids, with how many sessions follow each.
    followed: Mutex<HashMap<u64, usize>>,
    /// The latest board.
    pub board: watch::Sender<Arc<Board>>,
    /// A new follower wants a board now, not at the next tick.
    pub wanted: Notify,
    /// The keys that make and check capabilities.
    pub keys: Arc<IdKeys>,
}

impl Following {
    /// Nobody following yet; the board as of `date`.
    pub fn new(keys: Arc<IdKeys>, date: Option<Date>) -> Following {
        let (board, _) = watch::channel(Arc::new(Board { date, views: HashMap::new() }));
        Following { followed: Mutex::default(), board, wanted: Notify::new(), keys }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, usize>> {
        self.followed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Publishes the views of the followed tickets (and the day), when anyone follows or the day changed.
    pub fn publish(&self, hall: &Hall, now: Timestamp) {
        let ids: Vec<u64> = self.lock().keys().copied().collect();
        let date = hall.day().map(|d| d.date);
        if ids.is_empty() && self.board.borrow().date == date {
            return;
        }
        self.board.send_replace(Arc::new(board(hall, &ids, now)));
    }
}

/// The `ticket_view` messages of tickets `ids`.
fn board(hall: &Hall, ids: &[u64], now: Timestamp) -> Board {
    let tickets: Vec<_> = ids.iter().filter_map(|id| hall.ticket(TicketId(*id))).collect();
    let estimates: HashMap<TicketId, _> = if tickets.iter().any(|t| t.state == crate::core::TicketState::Waiting) {
        hall.waiting_estimates(now).into_iter().collect()
    } else {
        HashMap::new()
    };
    let config = hall.config();
    let date = hall.day().map(|d| d.date);
    let views = tickets
        .into_iter()
        .map(|t| {
            let view = wire::ticket_view(hall, t);
            let spec = &config.matters[usize::from(t.matter.0)];
            let called = matches!(t.state, crate::core::TicketState::Called | crate::core::TicketState::Serving);
            let message = ServerMessage::TicketView {
                ticket: FollowedTicket {
                    number: view.number,
                    matter: view.matter,
                    name_zh: spec.name_zh.clone(),
                    name_en: spec.name_en.clone(),
                    state: view.state,
                    issued_at: view.issued_at,
                    window: view.window.filter(|_| called),
                    estimate: estimates.get(&t.id).map(|e| wire::wait_estimate(*e)),
                },
                hall: PublicHall {
                    name: config.name.clone(),
                    date: date.map(|d| d.to_string()).unwrap_or_default(),
                    waiting: hall.waiting(t.matter) as u32,
                    notice: hall.notice().to_owned(),
                },
            };
            (t.id.0, serde_json::to_string(&message).unwrap_or_default().into())
        })
        .collect();
    Board { date, views }
}

/// One session's place among the followers, given back when it ends.
struct Registered<'a> {
    following: &'a Following,
    ticket: u64,
}

impl<'a> Registered<'a> {
    fn new(following: &'a Following, ticket: u64) -> Registered<'a> {
        *following.lock().entry(ticket).or_insert(0) += 1;
        following.wanted.notify_one();
        Registered { following, ticket }
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        let mut followed = self.following.lock();
        if let Some(n) = followed.get_mut(&self.ticket) {
            *n -= 1;
            if *n == 0 {
                followed.remove(&self.ticket);
            }
        }
    }
}

/// The ticket a `follow` names, or the refusal to send before closing. Wrong capabilities are counted
/// per address (`server.follow_failures_per_minute`, a burst of a minute's worth), and past that even a
/// right one waits; right ones are never counted, so a thousand phones behind one carrier address are
/// not limited.
pub fn check(app: &App, capability: &str, from: std::net::IpAddr) -> Result<(u64, Date), (ErrorCode, &'static str)> {
    let bucket = format!("follow-failed:{from}");
    if !app.admission.has_failure_left(&bucket) {
        return Err((ErrorCode::RateLimited, "too many unknown tickets from this address; wait a minute"));
    }
    let date = app.following.board.borrow().date;
    match date.and_then(|d| app.following.keys.ticket_of(capability, d).map(|t| (t, d))) {
        Some(found) => Ok(found),
        None => {
            app.admission.take_failure(&bucket);
            Err((ErrorCode::Unauthorized, "no ticket of today has this address"))
        }
    }
}

/// A follow session: the first view with the reply, then each changed view, and the citizen's cancel.
pub async fn serve(
    sink: &mut Sink,
    stream: &mut SplitStream<WebSocket>,
    app: &App,
    ticket: u64,
    day: Date,
    id: u64,
) -> End {
    let _registered = Registered::new(&app.following, ticket);
    let mut board = app.following.board.subscribe();
    let first = tokio::time::timeout(FIRST_VIEW_WITHIN, async {
        loop {
            if let Some(view) = board.borrow_and_update().views.get(&ticket) {
                return Some(view.clone());
            }
            board.changed().await.ok()?;
        }
    });
    let Ok(Some(mut last)) = first.await else { return End::Close(close_code::AWAY, "ticket not found") };
    let number = serde_json::from_str::<ServerMessage>(&last).ok().and_then(|m| match m {
        ServerMessage::TicketView { ticket, .. } => Some(ticket.number),
        _ => None,
    });
    let Some(number) = number else { return End::Close(close_code::ERROR, "encoding") };
    let welcome = ReplyResult::Following { protocol: kiosk_protocol::PROTOCOL_VERSION, ticket: number.clone() };
    if let Err(end) = session::send_message(sink, &ServerMessage::Reply { id, seq: None, result: welcome }).await {
        return end;
    }
    if let Err(end) = session::send_text(sink, last.as_ref()).await {
        return end;
    }
    let mut shutdown = app.shutdown.clone();
    let mut ping = tokio::time::interval(session::PING_EVERY);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            changed = board.changed() => {
                if changed.is_err() {
                    return End::Close(close_code::AWAY, "server stopping");
                }
                let view = {
                    let now = board.borrow_and_update();
                    if now.date != Some(day) {
                        return End::Close(close_code::POLICY, "the ticket's day is over");
                    }
                    now.views.get(&ticket).cloned()
                };
                match view {
                    Some(view) if view != last => {
                        if let Err(end) = session::send_text(sink, view.as_ref()).await {
                            return end;
                        }
                        last = view;
                    }
                    Some(_) => {}
                    None => return End::Close(close_code::NORMAL, "the ticket has ended"),
                }
            }
            incoming = stream.next() => {
                heard = Instant::now();
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Binary(_))) => return End::Close(close_code::UNSUPPORTED, "text frames only"),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => return End::Gone,
                    Some(Err(e)) => return session::frame_error(e),
                };
                if text.len() > kiosk_protocol::MAX_FRAME_BYTES {
                    return End::Close(close_code::SIZE, "message over 16 KiB");
                }
                let answer = request(app, ticket, &number, &text).await;
                if let Err(end) = session::send_message(sink, &answer).await {
                    return end;
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > session::DEAD_AFTER {
                    return End::Gone;
                }
                if let Err(end) = sink.send(Message::Ping(Default::default())).await {
                    return end;
                }
            }
            _ = shutdown.changed() => return End::Close(close_code::AWAY, "server stopping"),
        }
    }
}

/// A follower's request: only `cancel_ticket` and `subscribe` of its own ticket.
async fn request(app: &App, ticket: u64, number: &str, text: &str) -> ServerMessage {
    let request = match Request::parse(text) {
        Ok(r) => r,
        Err((id, e)) => return session::error(id, ErrorCode::BadRequest, e),
    };
    let id = request.id;
    match request.body {
        RequestBody::CancelTicket { ticket: asked } if asked == number => {
            let caller = Caller { device: format!("mobile ticket {number}"), role: None };
            let cancel = Command::CancelTicket { ticket: TicketId(ticket), by: None };
            match app.submit(caller, Work::Command(cancel)).await {
                Ok(accepted) => ServerMessage::Reply { id, seq: accepted.seq, result: ReplyResult::Ok {} },
                Err(e) => session::error(Some(id), e.code, e.message),
            }
        }
        RequestBody::Subscribe { ticket: asked, phone } if asked.as_deref().is_none_or(|a| a == number) => {
            if !app.terminals.messages {
                return session::error(Some(id), ErrorCode::BadRequest, "this hall sends no messages");
            }
            let Some(day) = app.following.board.borrow().date else {
                return session::error(Some(id), ErrorCode::DayNotOpen, "no day is open");
            };
            let phone = match wire::sealed_phone(&phone, &|p| app.following.keys.seal_phone(p, day)) {
                Ok(phone) => phone,
                Err(e) => return session::error(Some(id), e.code, e.message),
            };
            let caller = Caller { device: format!("mobile ticket {number}"), role: None };
            let subscribe = Command::Subscribe { ticket: TicketId(ticket), phone, by: None };
            match app.submit(caller, Work::Command(subscribe)).await {
                Ok(accepted) => ServerMessage::Reply { id, seq: accepted.seq, result: ReplyResult::Ok {} },
                Err(e) => session::error(Some(id), e.code, e.message),
            }
        }
        other => session::error(Some(id), ErrorCode::Forbidden, format!("a mobile ticket may not {}", other.kind())),
    }
}
