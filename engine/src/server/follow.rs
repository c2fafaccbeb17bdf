//! The mobile ticket (`/t/<capability>`): a citizen's phone follows their own ticket, with no login.
//!
//! ```text
//!   kiosk reply ── capability (ticket id + MAC under the day's key) ──> QR code ──> phone
//!   phone ── follow {ticket: capability} ──> session: MAC checked, the ticket registered as followed
//!   writer ── each tick (1 s), and at once for a new follower ──> a few numbers per followed ticket
//!   board task ── one `ticket_view` message per followed ticket, written when it changed (far-back
//!                 places less often) ──> that ticket's watch ──> only its phones wake and send
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
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

/// How long a new follower waits for its first view before giving up.
const FIRST_VIEW_WITHIN: Duration = Duration::from_secs(5);

/// What the writer copies out of the hall for the followed tickets: a few numbers each, so its tick
/// stays short however many phones follow; the views are written by the board's own task.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Facts {
    number: crate::core::TicketNumber,
    matter: u16,
    state: crate::core::TicketState,
    issued_at: i64,
    window: Option<u16>,
    estimate: Option<kiosk_protocol::WaitEstimate>,
    waiting: u32,
}

/// One tick's facts of every followed ticket, with the hall's.
struct Copied {
    date: Option<Date>,
    /// The hall's name, and each matter's key and names (a layout change may add some).
    name: String,
    matters: Vec<(String, String, String)>,
    notice: String,
    tickets: Vec<(u64, Facts)>,
}

/// How often a ticket's people ahead are sent when only they changed: at once for the last
/// [`CLOSE_AHEAD`] places, then every 5 s to 50 ahead, every 30 s beyond (a state or window change
/// goes at once). 10,000 phones each told every second would cost the displays their latency.
fn ahead_every(ahead: u32) -> Duration {
    if ahead <= CLOSE_AHEAD {
        Duration::ZERO
    } else if ahead <= 50 {
        Duration::from_secs(5)
    } else {
        Duration::from_secs(30)
    }
}
/// From this many people ahead down, every change is sent at once.
const CLOSE_AHEAD: u32 = 10;

/// A followed ticket's view: `None` until written, and once the hall has forgotten the ticket.
type View = Option<Arc<str>>;

/// What the writer and the follow sessions share.
pub struct Following {
    /// Followed ticket ids: how many sessions follow each, and its view (each session waits on its own
    /// ticket's, so a change wakes only the phones it concerns).
    followed: Mutex<HashMap<u64, (usize, watch::Sender<View>)>>,
    /// The hall's business day: a capability of another day is refused, and a session of it ends.
    pub day: watch::Sender<Option<Date>>,
    /// The writer's latest copy, for the board's task.
    copied: watch::Sender<Option<Arc<Copied>>>,
    /// A new follower wants a board now, not at the next tick.
    pub wanted: Notify,
    /// The keys that make and check capabilities.
    pub keys: Arc<IdKeys>,
}

impl Following {
    /// Nobody following yet; the day `date`. Starts the board's task, which writes the views from each
    /// copy the writer publishes.
    pub fn new(keys: Arc<IdKeys>, date: Option<Date>) -> Arc<Following> {
        let (day, _) = watch::channel(date);
        let (copied, mut copies) = watch::channel(None);
        let following = Arc::new(Following { followed: Mutex::default(), day, copied, wanted: Notify::new(), keys });
        let weak = Arc::downgrade(&following);
        tokio::spawn(async move {
            // Per ticket: the facts last written, when, and the view.
            let mut sent: HashMap<u64, (Facts, Instant, Arc<str>)> = HashMap::new();
            while copies.changed().await.is_ok() {
                let Some(copy) = copies.borrow_and_update().clone() else { continue };
                let Some(following) = weak.upgrade() else { break };
                // A ticket a phone just began to follow (again) has no view yet: write it anew.
                {
                    let followed = following.lock();
                    sent.retain(|id, _| followed.get(id).is_some_and(|(_, out)| out.borrow().is_some()));
                }
                let written = write_views(&copy, &mut sent);
                let followed = following.lock();
                for (id, view) in written {
                    if let Some((_, out)) = followed.get(&id) {
                        out.send_replace(view);
                    }
                }
            }
        });
        following
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, (usize, watch::Sender<View>)>> {
        self.followed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The writer's part (each tick, and for a new follower): the day, and the facts of the followed
    /// tickets when anyone follows.
    pub fn publish(&self, hall: &Hall, now: Timestamp) {
        let date = hall.day().map(|d| d.date);
        self.day.send_if_modified(|d| std::mem::replace(d, date) != date);
        let ids: Vec<u64> = self.lock().keys().copied().collect();
        if !ids.is_empty() {
            self.copied.send_replace(Some(Arc::new(copy(hall, &ids, now))));
        }
    }
}

/// The facts of tickets `ids` (the writer's only work for the phones: one pass over the queues).
fn copy(hall: &Hall, ids: &[u64], now: Timestamp) -> Copied {
    let tickets: Vec<_> = ids.iter().filter_map(|id| hall.ticket(TicketId(*id))).collect();
    let estimates: HashMap<TicketId, _> = if tickets.iter().any(|t| t.state == crate::core::TicketState::Waiting) {
        hall.waiting_estimates(now).into_iter().collect()
    } else {
        HashMap::new()
    };
    let config = hall.config();
    let tickets = tickets
        .into_iter()
        .map(|t| {
            let called = matches!(t.state, crate::core::TicketState::Called | crate::core::TicketState::Serving);
            let window =
                t.window.filter(|_| called).and_then(|w| config.windows.get(usize::from(w.0))).map(|w| w.number);
            let facts = Facts {
                number: hall.number(t),
                matter: t.matter.0,
                state: t.state,
                issued_at: t.issued_at.0,
                window,
                estimate: estimates.get(&t.id).map(|e| wire::wait_estimate(*e)),
                waiting: hall.waiting(t.matter) as u32,
            };
            (t.id.0, facts)
        })
        .collect();
    Copied {
        date: hall.day().map(|d| d.date),
        name: config.name.clone(),
        matters: config.matters.iter().map(|m| (m.key.clone(), m.name_zh.clone(), m.name_en.clone())).collect(),
        notice: hall.notice().to_owned(),
        tickets,
    }
}

/// The views of a copy that changed: a ticket's view is written again when its state or window
/// changed, and when only its places or wait did, as often as [`ahead_every`] says; a ticket the hall
/// forgot gets `None`.
fn write_views(copy: &Copied, sent: &mut HashMap<u64, (Facts, Instant, Arc<str>)>) -> Vec<(u64, View)> {
    let now = Instant::now();
    let date = copy.date.map(|d| d.to_string()).unwrap_or_default();
    let mut written = Vec::new();
    for (id, facts) in &copy.tickets {
        let fresh = match sent.get(id) {
            None => true,
            Some((old, at, _)) => {
                let moved = old.state != facts.state || old.window != facts.window;
                // Spread over the period by ticket, so phones far back are not all told on one tick.
                let every = ahead_every(facts.estimate.map_or(0, |e| e.ahead));
                let due = every + every.mul_f64((id % 10) as f64 / 10.0);
                moved || (old != facts && now.duration_since(*at) >= due)
            }
        };
        if fresh {
            let none = (String::new(), String::new(), String::new());
            let (key, zh, en) = copy.matters.get(usize::from(facts.matter)).unwrap_or(&none);
            let message = ServerMessage::TicketView {
                ticket: FollowedTicket {
                    number: facts.number.to_string(),
                    matter: key.clone(),
                    name_zh: zh.clone(),
                    name_en: en.clone(),
                    state: facts.state,
                    issued_at: facts.issued_at,
                    window: facts.window,
                    estimate: facts.estimate,
                },
                hall: PublicHall {
                    name: copy.name.clone(),
                    date: date.clone(),
                    waiting: facts.waiting,
                    notice: copy.notice.clone(),
                },
            };
            let text: Arc<str> = serde_json::to_string(&message).unwrap_or_default().into();
            written.push((*id, Some(text.clone())));
            sent.insert(*id, (*facts, now, text));
        }
    }
    let kept: std::collections::HashSet<u64> = copy.tickets.iter().map(|(id, _)| *id).collect();
    sent.retain(|id, _| {
        let known = kept.contains(id);
        if !known {
            written.push((*id, None));
        }
        known
    });
    written
}

/// One session's place among the followers, given back when it ends.
struct Registered<'a> {
    following: &'a Following,
    ticket: u64,
}

impl<'a> Registered<'a> {
    /// Follows `ticket`; its view's receiver (the view as last written, if another phone follows it).
    fn new(following: &'a Following, ticket: u64) -> (Registered<'a>, watch::Receiver<View>) {
        let view = {
            let mut followed = following.lock();
            let (n, out) = followed.entry(ticket).or_insert_with(|| (0, watch::channel(None).0));
            *n += 1;
            out.subscribe()
        };
        following.wanted.notify_one();
        (Registered { following, ticket }, view)
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        let mut followed = self.following.lock();
        if let Some((n, _)) = followed.get_mut(&self.ticket) {
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
    let date = *app.following.day.borrow();
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
    let (_registered, mut view) = Registered::new(&app.following, ticket);
    let mut today = app.following.day.subscribe();
    let first = tokio::time::timeout(FIRST_VIEW_WITHIN, async {
        loop {
            if let Some(view) = view.borrow_and_update().clone() {
                return Some(view);
            }
            view.changed().await.ok()?;
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
            changed = view.changed() => {
                if changed.is_err() {
                    return End::Close(close_code::AWAY, "server stopping");
                }
                let now = view.borrow_and_update().clone();
                match now {
                    Some(now) if now != last => {
                        if let Err(end) = session::send_text(sink, now.as_ref()).await {
                            return end;
                        }
                        last = now;
                    }
                    Some(_) => {}
                    None => return End::Close(close_code::NORMAL, "the ticket has ended"),
                }
            }
            changed = today.changed() => {
                if changed.is_err() || *today.borrow_and_update() != Some(day) {
                    return End::Close(close_code::POLICY, "the ticket's day is over");
                }
            }
            incoming = stream.next() => {
                heard = Instant::now();
                let text = match session::incoming_text(incoming) {
                    Ok(Some(text)) => text,
                    Ok(None) => continue,
                    Err(end) => return end,
                };
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
            let Some(day) = *app.following.day.borrow() else {
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
