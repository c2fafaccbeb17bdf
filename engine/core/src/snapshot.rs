//! A hall's state as data, so a restart loads it instead of replaying the whole ledger.
//!
//! Only what cannot be derived is kept: lanes, the starvation index and the per-matter window counts
//! are rebuilt from the tickets' places and the windows. `restore(snapshot(h)) == h` is tested.

use super::model::{Appointment, ClerkId, HolderKey, MatterId, MatterSet, Ticket, TicketId};
use super::queue::LaneKind;
use super::{Day, Hall, HallConfig, Timestamp};
use serde::{Deserialize, Serialize};

/// A matter's state that is not derived.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct MatterSnapshot {
    issued_today: u32,
    aht_ms: f64,
    #[serde(default)]
    arrival_rate: f64,
    #[serde(default)]
    last_issued_at: Option<super::Timestamp>,
}

/// A window's state that is not derived.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WindowSnapshot {
    open: bool,
    paused: bool,
    clerk: Option<ClerkId>,
    current: Option<TicketId>,
    skills: MatterSet,
    #[serde(default)]
    opened_at: Option<super::Timestamp>,
    #[serde(default)]
    served_today: u32,
}

/// The hall's state as data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HallSnapshot {
    day: Option<(super::Date, bool)>,
    next_ticket: u64,
    tickets: Vec<Ticket>,
    /// Ended tickets in the order they ended (empty in snapshots from before tickets were forgotten:
    /// then rebuilt from the tickets).
    #[serde(default)]
    ended: Vec<TicketId>,
    #[serde(default)]
    recent_calls: Vec<super::RecentCall>,
    matters: Vec<MatterSnapshot>,
    windows: Vec<WindowSnapshot>,
    appointments: Vec<(String, Appointment)>,
    /// Missed online bookings per ID (absent in snapshots from before online booking).
    #[serde(default)]
    missed: Vec<(HolderKey, Vec<super::Timestamp>)>,
    holders: Vec<(MatterId, HolderKey, TicketId)>,
    notice: String,
    #[serde(default)]
    help_requests: Vec<(String, super::Timestamp)>,
    #[serde(default)]
    staffing_requests: Vec<(super::WindowId, super::StaffingTrigger)>,
    #[serde(default)]
    cut_off: super::MatterSet,
    /// The layout the ledger recorded (absent in snapshots from before layouts were recorded: then the
    /// configuration's).
    #[serde(default)]
    layout: Option<super::Layout>,
    #[serde(default)]
    locks: Vec<(ClerkId, super::Timestamp)>,
    #[serde(default)]
    day_holders: Vec<(MatterId, HolderKey)>,
    #[serde(default)]
    cases: Vec<super::cases::Case>,
    #[serde(default)]
    next_case: u32,
    /// Messages (absent in snapshots from before them).
    #[serde(default)]
    subscriptions: Vec<(TicketId, crate::notify::Subscription)>,
    #[serde(default)]
    outbox: Vec<(u64, crate::notify::OutboxMessage)>,
    #[serde(default)]
    next_message: u64,
}

impl HallSnapshot {
    /// The snapshot without any ID hash (the shell keeps those apart, to forget them on time; see
    /// [`Hall::restore_holders`]).
    pub fn forget_holders(&mut self) {
        for t in &mut self.tickets {
            t.holder = None;
        }
        self.holders.clear();
        self.day_holders.clear();
    }
}

impl Hall {
    /// Puts ID hashes back on the tickets of a hall restored from a snapshot without them, each given
    /// with its ticket and issue time; open tickets hold their (matter, ID) place again. A hash whose
    /// ticket the hall does not have (forgotten, or never stored) is ignored.
    pub fn restore_holders(&mut self, holders: impl IntoIterator<Item = (TicketId, Timestamp, MatterId, HolderKey)>) {
        let today = self.day.map(|d| d.date);
        for (id, issued_at, matter, key) in holders {
            if Some(issued_at.local(self.config.utc_offset_min).0) == today {
                self.day_holders.insert((matter, key.clone()));
            }
            let Some(t) = self.tickets.get_mut(&id).filter(|t| t.issued_at == issued_at) else { continue };
            t.holder = Some(key.clone());
            if !t.state.is_ended() {
                self.holders.insert((t.matter, key), id);
            }
        }
    }

    /// The state as data.
    pub fn snapshot(&self) -> HallSnapshot {
        HallSnapshot {
            day: self.day.map(|d| (d.date, d.closed)),
            next_ticket: self.next_ticket,
            tickets: self.tickets.values().cloned().collect(),
            ended: self.ended.iter().copied().collect(),
            recent_calls: self.recent_calls.clone(),
            matters: self
                .matters
                .iter()
                .map(|m| MatterSnapshot {
                    issued_today: m.issued_today,
                    aht_ms: m.aht_ms,
                    arrival_rate: m.arrival_rate,
                    last_issued_at: m.last_issued_at,
                })
                .collect(),
            windows: self
                .windows
                .iter()
                .map(|w| WindowSnapshot {
                    open: w.open,
                    paused: w.paused,
                    clerk: w.clerk,
                    current: w.current,
                    skills: w.skills,
                    opened_at: w.opened_at,
                    served_today: w.served_today,
                })
                .collect(),
            appointments: self.appointments.iter().map(|(c, a)| (c.clone(), a.clone())).collect(),
            missed: self.missed.iter().map(|(h, m)| (h.clone(), m.clone())).collect(),
            holders: self.holders.iter().map(|((m, k), t)| (*m, k.clone(), *t)).collect(),
            notice: self.notice.clone(),
            help_requests: self.help_requests.clone(),
            staffing_requests: self.staffing_requests.iter().map(|(w, t)| (*w, *t)).collect(),
            cut_off: self.cut_off,
            layout: Some(self.config.layout()),
            locks: self.locks.iter().map(|(c, u)| (*c, *u)).collect(),
            day_holders: self.day_holders.iter().cloned().collect(),
            cases: self.cases.values().cloned().collect(),
            next_case: self.next_case,
            subscriptions: self.subscriptions.iter().map(|(t, s)| (*t, s.clone())).collect(),
            outbox: self.outbox.iter().map(|(m, o)| (*m, o.clone())).collect(),
            next_message: self.next_message,
        }
    }

    /// The hall a snapshot describes, under `config`; `None` if the snapshot does not fit the
    /// configuration (other matters or windows), in which case the caller replays the ledger instead.
    pub fn restore(mut config: HallConfig, snap: HallSnapshot) -> Option<Hall> {
        if let Some(layout) = snap.layout {
            (config.matters, config.windows, config.clerks) = (layout.matters, layout.windows, layout.clerks);
        }
        let mut hall = Hall::new(config);
        if snap.matters.len() != hall.matters.len() || snap.windows.len() != hall.windows.len() {
            return None;
        }
        hall.day = snap.day.map(|(date, closed)| Day { date, closed });
        hall.next_ticket = snap.next_ticket;
        for (state, m) in hall.matters.iter_mut().zip(snap.matters) {
            state.issued_today = m.issued_today;
            state.aht_ms = m.aht_ms;
            state.arrival_rate = m.arrival_rate;
            state.last_issued_at = m.last_issued_at;
        }
        for (state, w) in hall.windows.iter_mut().zip(snap.windows) {
            state.open = w.open;
            state.paused = w.paused;
            state.clerk = w.clerk;
            state.current = w.current;
            state.skills = w.skills;
            state.opened_at = w.opened_at;
            state.served_today = w.served_today;
        }
        hall.appointments = snap.appointments.into_iter().collect();
        hall.missed = snap.missed.into_iter().collect();
        hall.holders = snap.holders.into_iter().map(|(m, k, t)| ((m, k), t)).collect();
        hall.notice = snap.notice;
        hall.help_requests = snap.help_requests;
        hall.staffing_requests = snap.staffing_requests.into_iter().collect();
        hall.cut_off = snap.cut_off;
        hall.locks = snap.locks.into_iter().collect();
        hall.day_holders = snap.day_holders.into_iter().collect();
        hall.cases = snap.cases.into_iter().map(|c| (c.id, c)).collect();
        hall.next_case = snap.next_case.max(1);
        hall.subscriptions = snap.subscriptions.into_iter().collect();
        hall.outbox = snap.outbox.into_iter().collect();
        hall.next_message = snap.next_message.max(1);
        for t in &snap.tickets {
            let Some(place) = t.place else { continue };
            match place.lane {
                LaneKind::Targeted(w) => hall.windows.get_mut(usize::from(w.0))?.targeted.insert(place.key, t.id),
                LaneKind::Matter(kind) => {
                    let queues = &mut hall.matters.get_mut(usize::from(t.matter.0))?.queues;
                    queues.lane_mut(kind).insert(place.key, t.id);
                    queues.by_issue.insert((t.issued_at, t.id));
                }
            }
        }
        hall.recent_calls = snap.recent_calls;
        hall.ended = if snap.ended.is_empty() {
            snap.tickets.iter().filter(|t| t.state.is_ended()).map(|t| t.id).collect()
        } else {
            snap.ended.into()
        };
        hall.numbers = snap.tickets.iter().map(|t| ((t.issued_matter, t.seq), t.id)).collect();
        hall.tickets = snap.tickets.into_iter().map(|t| (t.id, t)).collect();
        hall.forget_ended();
        hall.recount_active();
        Some(hall)
    }
}
