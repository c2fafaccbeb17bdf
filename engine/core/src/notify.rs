//! "Your turn is near" messages (到号提醒): a citizen who gave a phone number for a ticket (at the kiosk
//! or on the mobile ticket) is sent a message through the hall's gateway when the ticket reaches
//! `notify_near_ahead` people ahead and each time it is called.
//!
//! The outbox is hall state, so it lives in the ledger: the tick queues a message as an event
//! ([`Event::MessageQueued`], with its number), the shell sends it until the gateway acknowledges it
//! and records that ([`Event::MessageSent`]). A restart or a gateway outage loses none; the message's
//! number is its idempotency key, so a retry is never delivered twice. The core never sees the phone
//! number: the shell seals it under the day's key ([`SealedPhone`]) before deciding.

use super::event::Event;
use super::model::{MatterId, TicketId, TicketNumber, TicketState, WindowId};
use super::queue::{LaneKind, MatterLane};
use super::rejection::Rejection;
use super::time::Timestamp;
use super::Hall;
use serde::{Deserialize, Serialize};

/// Tickets one phone number may follow by message in a day (against flooding a number).
pub const SUBSCRIPTIONS_PER_PHONE: usize = 5;

/// A phone number as the ledger keeps it, both parts made by the shell under the day's key: `hash` to
/// count a number's subscriptions, `sealed` to send to it. Neither can be read once the key is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedPhone {
    /// Keyed hash of the number.
    pub hash: String,
    /// The number, encrypted (nonce and ciphertext, hex).
    pub sealed: String,
}

/// What a message says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The ticket has `ahead` people or fewer ahead.
    Near,
    /// The ticket is called to a window.
    Called,
}

/// A ticket whose holder asked for messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Where to send them.
    pub phone: SealedPhone,
    /// Whether the near message was queued.
    pub near_sent: bool,
    /// Calls of the ticket already told.
    pub calls_told: u32,
}

/// A message queued and not yet acknowledged by the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// The ticket it is about.
    pub ticket: TicketId,
    /// The ticket's number and matter when it was queued: the message must say them even if the hall
    /// has forgotten the ended ticket (`ended_tickets_kept`) before a long gateway outage ends.
    pub number: TicketNumber,
    /// The ticket's matter then.
    pub matter: MatterId,
    /// What it says.
    pub kind: MessageKind,
    /// People ahead (near).
    pub ahead: Option<u32>,
    /// The window (called).
    pub window: Option<WindowId>,
    /// Where to send it.
    pub phone: SealedPhone,
    /// When it was queued.
    pub at: Timestamp,
}

impl Hall {
    /// Messages not yet acknowledged, by number.
    pub fn outbox(&self) -> &std::collections::BTreeMap<u64, OutboxMessage> {
        &self.outbox
    }

    /// A phone number asks for messages about `ticket` (replacing an earlier one for it).
    pub(crate) fn decide_subscribe(
        &self,
        ticket: TicketId,
        phone: &SealedPhone,
        by: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        self.require_open_day()?;
        let t = self.known_ticket(ticket)?;
        if by.is_some() && t.source.as_deref() != by {
            return Err(Rejection::NotYourTicket);
        }
        if t.state.is_ended() {
            return Err(Rejection::UnknownTicket);
        }
        let others = self.subscriptions.iter().filter(|(id, s)| **id != ticket && s.phone.hash == phone.hash).count();
        if others >= SUBSCRIPTIONS_PER_PHONE {
            return Err(Rejection::SubscriptionLimit);
        }
        Ok(vec![Event::Subscribed { ticket, phone: phone.clone(), at: now }])
    }

    /// The gateway took message `message`: recorded once (a repeat changes nothing).
    pub(crate) fn decide_message_sent(&self, message: u64, now: Timestamp) -> Vec<Event> {
        if self.outbox.contains_key(&message) {
            vec![Event::MessageSent { message, at: now }]
        } else {
            Vec::new()
        }
    }

    /// The messages due now (the tick's): near for a waiting ticket at `notify_near_ahead` or fewer
    /// ahead, told once; called for each call not yet told.
    pub(crate) fn due_messages(&self, now: Timestamp) -> Vec<Event> {
        let near = self.config.rules.notify_near_ahead;
        let mut next = self.next_message;
        let mut due = Vec::new();
        for (id, sub) in &self.subscriptions {
            let Some(t) = self.tickets.get(id) else { continue };
            let (kind, ahead, window) = match t.state {
                TicketState::Waiting if !sub.near_sent => match self.ahead_of(*id) {
                    Some(ahead) if ahead <= near => (MessageKind::Near, Some(ahead), None),
                    _ => continue,
                },
                TicketState::Called if sub.calls_told < t.calls => (MessageKind::Called, None, t.window),
                _ => continue,
            };
            due.push(Event::MessageQueued { message: next, ticket: *id, kind, ahead, window, at: now });
            next += 1;
        }
        due
    }

    /// People a window would call before waiting ticket `ticket`: its matter's lanes up to its place,
    /// or its place in the one window's lane it waits for.
    pub fn ahead_of(&self, ticket: TicketId) -> Option<u32> {
        let place = self.tickets.get(&ticket)?.place?;
        let before = |lane: &super::queue::Lane| lane.iter().take_while(|(k, _)| *k < place.key).count();
        let ahead = match place.lane {
            LaneKind::Targeted(w) => before(&self.windows.get(usize::from(w.0))?.targeted),
            LaneKind::Matter(kind) => {
                let queues = &self.matters.get(usize::from(self.tickets.get(&ticket)?.matter.0))?.queues;
                let lanes = MatterLane::ALL.iter().take_while(|l| **l != kind);
                lanes.map(|l| queues.lane(*l).len()).sum::<usize>() + before(queues.lane(kind))
            }
        };
        Some(ahead as u32)
    }

    pub(super) fn apply_notify(&mut self, event: &Event) {
        match event {
            Event::Subscribed { ticket, phone, .. } => {
                let calls_told = self.tickets.get(ticket).map_or(0, |t| t.calls);
                self.subscriptions.insert(*ticket, Subscription { phone: phone.clone(), near_sent: false, calls_told });
            }
            Event::MessageQueued { message, ticket, kind, ahead, window, at } => {
                self.next_message = self.next_message.max(message + 1);
                let Some(t) = self.tickets.get(ticket) else { return };
                let (calls, number, matter) = (t.calls, self.number(t), t.matter);
                let Some(sub) = self.subscriptions.get_mut(ticket) else { return };
                match kind {
                    MessageKind::Near => sub.near_sent = true,
                    MessageKind::Called => sub.calls_told = calls,
                }
                let queued = OutboxMessage {
                    ticket: *ticket,
                    number,
                    matter,
                    kind: *kind,
                    ahead: *ahead,
                    window: *window,
                    phone: sub.phone.clone(),
                    at: *at,
                };
                self.outbox.insert(*message, queued);
            }
            Event::MessageSent { message, .. } => {
                self.outbox.remove(message);
            }
            _ => {}
        }
    }
}
