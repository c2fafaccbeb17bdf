//! onewindow-core: the hall as a pure state machine. `decide` turns a command into events or a
//! rejection, `apply` folds an event into the state, `tick` says what happens because time passed. No
//! clock, disk, socket, thread or random number lives here, and the crate depends on nothing that could
//! give it one (serde, thiserror and the protocol's shared vocabulary only; `scripts/test-all` checks).
//! Time is an argument. The server, crash replay and the simulator all run this one code path.
//!
//! ```text
//! Command ──decide(&self, now)──> Vec<Event> ──apply(&mut self)──> Hall'
//!                 └──> Rejection (nothing changes)
//! ```

pub mod booking;
pub mod calendar;
pub mod cases;
pub mod command;
pub mod config;
mod decide;
pub mod estimate;
pub mod event;
pub mod layout;
pub mod model;
pub mod notify;
pub mod queue;
pub mod rejection;
pub mod report;
pub mod routing;
pub mod snapshot;
pub mod staffing;
pub mod tick;
pub mod time;

mod apply;

pub use booking::{BookingRules, Slot};
pub use command::{Command, Holder, TransferTo};
pub use config::{ClerkSpec, HallConfig, Hours, MatterSpec, Policy, Rules, WindowSpec};
pub use event::{CallReason, Event};
pub use kiosk_protocol::view::RECENT_CALLS;
pub use layout::Layout;
pub use model::*;
pub use rejection::Rejection;
pub use staffing::{Forecast, StaffingMode, StaffingRules, StaffingTrigger};
pub use time::{Date, Timestamp};

use queue::{Lane, MatterQueues};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// A matter's state for the day.
#[derive(Debug, Clone, PartialEq)]
pub struct MatterState {
    /// Tickets issued today (the daily cap counts these).
    pub issued_today: u32,
    /// Its waiting tickets.
    pub queues: MatterQueues,
    /// Average handling time (exponential mean of finished services), in milliseconds.
    pub aht_ms: f64,
    /// Open, signed-in, unpaused windows that serve it.
    pub active_windows: u16,
    /// Issue rate, tickets per millisecond: an exponentially weighted count of today's issues
    /// ([`ARRIVAL_WINDOW_MS`]), as of `last_issued_at`. The wait estimate adds the arrivals it
    /// expects, which matters when the policy lets later tickets of other matters go first.
    pub arrival_rate: f64,
    /// The latest issue time, for decaying `arrival_rate`.
    pub last_issued_at: Option<Timestamp>,
}

/// The time constant of the arrival-rate average (20 minutes).
pub const ARRIVAL_WINDOW_MS: f64 = 20.0 * 60_000.0;

impl MatterState {
    /// The issue rate at `now`, tickets per millisecond.
    pub fn arrival_rate_at(&self, now: Timestamp) -> f64 {
        match self.last_issued_at {
            Some(last) => self.arrival_rate * (-(now.since(last).max(0) as f64) / ARRIVAL_WINDOW_MS).exp(),
            None => 0.0,
        }
    }
}

/// A window's state.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowState {
    /// Open for service (standby windows start closed).
    pub open: bool,
    /// Paused by its clerk.
    pub paused: bool,
    /// The clerk signed in, if any.
    pub clerk: Option<ClerkId>,
    /// The ticket called or in service here.
    pub current: Option<TicketId>,
    /// The matters it serves now.
    pub skills: MatterSet,
    /// Tickets sent to this window specifically.
    pub targeted: Lane,
    /// When it was opened during the day (`None` for windows open from the start of the day).
    pub opened_at: Option<Timestamp>,
    /// Services finished here today.
    pub served_today: u32,
}

/// The day the hall is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    /// Local date.
    pub date: Date,
    /// Whether it was closed.
    pub closed: bool,
}

/// The whole hall: configuration and state.
#[derive(Debug, Clone, PartialEq)]
pub struct Hall {
    config: HallConfig,
    day: Option<Day>,
    /// The next ticket id; never restarts, so ids are never reused.
    next_ticket: u64,
    /// Today's open tickets and the latest [`Rules::ended_tickets_kept`] ended ones, by id (issue
    /// order). Older ended tickets are forgotten: memory follows the configuration, not the day's
    /// length. They stay in the ledger, where reports read them.
    tickets: BTreeMap<TicketId, Ticket>,
    /// The kept tickets by number: (issued matter, sequence).
    numbers: BTreeMap<(MatterId, u32), TicketId>,
    /// Tickets in the order they ended, oldest first: the next to be forgotten. A ticket called back
    /// after it ended (过号 then 特呼) and ended again is listed twice.
    ended: VecDeque<TicketId>,
    /// The latest calls and recalls, newest first, one per ticket ([`RECENT_CALLS`]).
    recent_calls: Vec<RecentCall>,
    matters: Vec<MatterState>,
    windows: Vec<WindowState>,
    appointments: BTreeMap<String, Appointment>,
    /// Online bookings missed, by the ID's history hash (their slot starts), for the no-show rule; pruned
    /// as days close.
    missed: BTreeMap<HolderKey, Vec<Timestamp>>,
    /// Open tickets per (matter, ID hash), for one ticket per ID per matter.
    holders: BTreeMap<(MatterId, HolderKey), TicketId>,
    /// Every (matter, ID hash) of today's tickets, ended ones too, for `per_id = "day"`.
    day_holders: std::collections::BTreeSet<(MatterId, HolderKey)>,
    notice: String,
    /// The latest help requests from kiosks, oldest first.
    help_requests: Vec<(String, Timestamp)>,
    /// Advisory staffing: standby windows the review asks to open, with its numbers.
    staffing_requests: BTreeMap<WindowId, StaffingTrigger>,
    /// Matters cut off (限号) as of the last tick.
    cut_off: MatterSet,
    /// Clerks locked out of signing in, until when (kept after they end: a later lock replaces it).
    locks: BTreeMap<ClerkId, Timestamp>,
    /// Open rectification cases (整改) by number.
    cases: BTreeMap<u32, cases::Case>,
    /// The next case's number.
    next_case: u32,
    /// Tickets whose holder asked for messages ([`notify`]).
    subscriptions: BTreeMap<TicketId, notify::Subscription>,
    /// Messages queued and not yet acknowledged by the gateway, by number.
    outbox: BTreeMap<u64, notify::OutboxMessage>,
    /// The next message's number (never reused: it is the gateway's idempotency key).
    next_message: u64,
    /// When the tick next runs the staffing review and the cut-off check; not hall state.
    ticks: tick::Cadence,
}

/// Help requests kept for the supervisor wall.
pub const MAX_HELP_REQUESTS: usize = 20;

/// A call on the displays' list of recent calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentCall {
    /// The ticket called.
    pub ticket: TicketId,
    /// Its number, kept here because the ticket itself may be forgotten first.
    pub number: TicketNumber,
    /// The window that called it.
    pub window: WindowId,
    /// When.
    pub at: Timestamp,
}

impl Hall {
    /// A hall with no day open yet, windows as configured.
    pub fn new(config: HallConfig) -> Hall {
        let matters = config.matters.iter().map(new_matter_state).collect();
        let windows = config.windows.iter().map(initial_window).collect();
        Hall {
            config,
            day: None,
            next_ticket: 1,
            tickets: BTreeMap::new(),
            numbers: BTreeMap::new(),
            ended: VecDeque::new(),
            recent_calls: Vec::new(),
            matters,
            windows,
            appointments: BTreeMap::new(),
            missed: BTreeMap::new(),
            holders: BTreeMap::new(),
            day_holders: Default::default(),
            notice: String::new(),
            help_requests: Vec::new(),
            staffing_requests: BTreeMap::new(),
            cut_off: MatterSet::default(),
            locks: BTreeMap::new(),
            cases: BTreeMap::new(),
            next_case: 1,
            subscriptions: BTreeMap::new(),
            outbox: BTreeMap::new(),
            next_message: 1,
            ticks: tick::Cadence::default(),
        }
    }

    /// Replays events from empty: the state after them.
    pub fn replay<'a>(config: HallConfig, events: impl IntoIterator<Item = &'a Event>) -> Hall {
        let mut hall = Hall::new(config);
        for event in events {
            hall.apply(event);
        }
        hall
    }

    /// Decides and applies in one step; for the simulator and tests, which have no log to write.
    pub fn execute(&mut self, command: &Command, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let events = self.decide(command, now)?;
        for event in &events {
            self.apply(event);
        }
        Ok(events)
    }

    /// The configuration.
    pub fn config(&self) -> &HallConfig {
        &self.config
    }
    /// The current business day.
    pub fn day(&self) -> Option<Day> {
        self.day
    }
    /// The latest help requests (kiosk, when), oldest first.
    pub fn help_requests(&self) -> &[(String, Timestamp)] {
        &self.help_requests
    }
    /// Advisory staffing: the standby windows asked for, with the numbers behind each request.
    pub fn staffing_requests(&self) -> &BTreeMap<WindowId, StaffingTrigger> {
        &self.staffing_requests
    }
    /// Matters that stopped issuing ordinary tickets (capacity cut-off, 限号), as of the last tick.
    pub fn cut_off_matters(&self) -> MatterSet {
        self.cut_off
    }
    /// Clerks locked out of signing in at `now`, with when each lock ends.
    pub fn locked_clerks(&self, now: Timestamp) -> impl Iterator<Item = (ClerkId, Timestamp)> + '_ {
        self.locks.iter().filter(move |(_, until)| **until > now).map(|(c, u)| (*c, *u))
    }
    /// The notice on the displays (empty for none).
    pub fn notice(&self) -> &str {
        &self.notice
    }
    /// Today's open tickets and the latest ended ones, in issue order.
    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values()
    }
    /// A ticket of today, if open or among the latest ended.
    pub fn ticket(&self, id: TicketId) -> Option<&Ticket> {
        self.tickets.get(&id)
    }
    /// The ticket today with this number, e.g. `A023`, if open or among the latest ended.
    pub fn ticket_by_number(&self, number: TicketNumber) -> Option<&Ticket> {
        let matter = self.config.matter_by_prefix(number.prefix)?;
        self.numbers.get(&(matter, number.seq)).and_then(|id| self.ticket(*id))
    }
    /// The latest calls and recalls, newest first, one per ticket.
    pub fn recent_calls(&self) -> &[RecentCall] {
        &self.recent_calls
    }
    /// The number people see, e.g. `A023`.
    pub fn number(&self, ticket: &Ticket) -> TicketNumber {
        TicketNumber { prefix: self.config.matter(ticket.issued_matter).prefix, seq: ticket.seq }
    }
    /// A matter's state.
    pub fn matter(&self, m: MatterId) -> Option<&MatterState> {
        self.matters.get(usize::from(m.0))
    }
    /// A window's state.
    pub fn window(&self, w: WindowId) -> Option<&WindowState> {
        self.windows.get(usize::from(w.0))
    }
    /// All windows' states, indexed by [`WindowId`].
    pub fn windows(&self) -> &[WindowState] {
        &self.windows
    }
    /// What a window shows.
    pub fn window_status(&self, w: WindowId) -> Option<WindowStatus> {
        self.window(w).map(|s| match s {
            WindowState { open: false, .. } => WindowStatus::Closed,
            WindowState { current: Some(_), .. } => WindowStatus::Serving,
            WindowState { paused: true, .. } => WindowStatus::Paused,
            _ => WindowStatus::Open,
        })
    }
    /// Booked appointments by code.
    pub fn appointments(&self) -> &BTreeMap<String, Appointment> {
        &self.appointments
    }
    /// Tickets waiting for a matter (not counting those sent to one window).
    pub fn waiting(&self, m: MatterId) -> usize {
        self.matter(m).map_or(0, |s| s.queues.len())
    }
    /// Whether a window is open, signed in and not paused: it will call.
    pub fn is_active(&self, w: WindowId) -> bool {
        self.window(w).is_some_and(|s| s.open && !s.paused && s.clerk.is_some())
    }
}

/// A matter's state before its first ticket.
fn new_matter_state(spec: &MatterSpec) -> MatterState {
    MatterState {
        issued_today: 0,
        queues: MatterQueues::default(),
        aht_ms: spec.handling_norm_ms as f64,
        active_windows: 0,
        arrival_rate: 0.0,
        last_issued_at: None,
    }
}

/// A window as the configuration lays it out at the start of every day (a retired one stays closed).
fn initial_window(spec: &WindowSpec) -> WindowState {
    if spec.retired {
        return WindowState {
            open: false,
            skills: MatterSet::default(),
            ..initial_window(&WindowSpec { retired: false, ..spec.clone() })
        };
    }
    WindowState {
        open: spec.kind != WindowKind::Standby,
        paused: false,
        clerk: None,
        current: None,
        skills: spec.skills,
        targeted: Lane::default(),
        opened_at: None,
        served_today: 0,
    }
}
