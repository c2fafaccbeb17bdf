//! What-if on a recorded day (`onewindow-sim replay`): the day's own citizens, run again through the
//! same core under another routing policy or staffing rule, and measured by the same KPIs as
//! `onewindow report` (the replayed events are folded by `core::report`, exactly as the ledger is).
//!
//! ```text
//! ledger ──scan──> Day { facts (tickets: issue time, matter, class, service), sessions, cancels }
//!                   │
//! hall.toml ──> Hall (policy, staffing) ──execute/tick──> events ──Folder──> DayFacts ──Builder──> Kpis
//! ```
//!
//! What is replayed, and what cannot be (why a replay under the recorded policy is close, not exact):
//! - Each ticket arrives when it was issued, with its matter and class (appointments check in with
//!   their code). Its n-th call holds the window as long as its n-th recorded call did and ends as it
//!   did: served (service starting as long before the end as it did, so handling times are the
//!   recorded ones), 过号 (and called again if the hall requeues it), or transferred to the matter it
//!   went to. A cancelled ticket leaves when it did, if still waiting. A ticket called more often
//!   than it was (or left unserved at the close then) is served for its matter's mean time that day.
//! - Windows follow the recorded clerk sessions (sign-in to sign-out; a session ending mid-service
//!   ends after it) and pauses. With staffing `off` the sessions of windows the staffing review opened
//!   are left out; with `auto` they are too, and the core's review opens and closes standby windows.
//! - Not replayed: recalls, calls by number, held tickets, and the clerks' own pace between a finish
//!   and the next call (the replay calls at once); when several windows are free, the one serving the
//!   fewest matters takes an arrival (the simulator's rule), which may not be the one that did.

use onewindow_core::report::facts::End;
use onewindow_core::report::{Builder, DayFacts, Folder, Kpis};
use onewindow_core::{
    ClerkId, Command, Date, Event, GreenReason, Hall, HallConfig, Layout, MatterId, Outcome, Policy, StaffingMode,
    TicketClass, TicketId, Timestamp, TransferTo, WindowId, WindowKind,
};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

/// The staffing review's cadence in a replay with automatic staffing (the server reviews on its tick).
const REVIEW_EVERY_MS: i64 = onewindow_core::tick::REVIEW_EVERY_MS;

/// How windows are staffed in a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staffing {
    /// Every recorded clerk session.
    Recorded,
    /// The recorded sessions of windows the staffing review did not open.
    Off,
    /// Those sessions, and the core's staffing review (automatic) for standby windows.
    Auto,
}

impl Staffing {
    /// From its command-line name.
    pub fn from_name(name: &str) -> Option<Staffing> {
        match name {
            "recorded" => Some(Staffing::Recorded),
            "off" => Some(Staffing::Off),
            "auto" => Some(Staffing::Auto),
            _ => None,
        }
    }

    /// Its command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Staffing::Recorded => "recorded",
            Staffing::Off => "off",
            Staffing::Auto => "auto",
        }
    }
}

/// A clerk's time at a window, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// The window's number.
    pub window: u16,
    /// The clerk's 工号.
    pub clerk: String,
    /// Signed in at (ms).
    pub from: i64,
    /// Signed out (or the window closed, or the day) at; `None`: still there at the ledger's end.
    pub to: Option<i64>,
    /// The window was opened by the staffing review (automatically, or a request accepted).
    pub by_review: bool,
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq)]
pub enum CallEnd {
    /// Served (`service_finished`): its service took this long (ms).
    Finished(i64),
    /// The holder did not come (过号).
    NoShow,
    /// Sent on to this matter (its key), ahead of others or not.
    Transferred(String, bool),
}

/// One call of a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// From the call to its end (ms); `None`: not ended in the ledger.
    pub held_ms: Option<i64>,
    /// How it ended.
    pub end: Option<CallEnd>,
}

/// A recorded business day.
#[derive(Debug, Clone)]
pub struct Day {
    /// Its facts, as `onewindow report` folds them.
    pub facts: DayFacts,
    /// When the day opened (ms).
    pub opened_at: i64,
    /// When it closed, if it did.
    pub closed_at: Option<i64>,
    /// Per ticket (in issue order, as `facts.tickets`), when it was cancelled.
    pub cancelled_at: Vec<Option<i64>>,
    /// Per ticket (in issue order), each of its calls: how long it held the window, and how it ended.
    pub calls: Vec<Vec<Call>>,
    /// Clerk sessions, in sign-in order.
    pub sessions: Vec<Session>,
    /// Pauses: window number, from, to (`None`: not resumed).
    pub pauses: Vec<(u16, i64, Option<i64>)>,
}

/// Reads business day `date` from a ledger's events, in order (`onewindow::store::events`).
pub fn load<E: std::fmt::Display>(
    events: impl IntoIterator<Item = Result<Event, E>>,
    config: &HallConfig,
    date: Date,
) -> Result<Day, String> {
    let mut folder = Folder::new(config.layout(), config.utc_offset_min);
    let mut layout = config.layout();
    let mut scan = Scan::default();
    let mut facts = None;
    let mut last_at = 0;
    for event in events {
        let event = event.map_err(|e| e.to_string())?;
        if let Event::LayoutChanged { layout: l, .. } = &event {
            layout = l.clone();
        }
        if let Event::DayOpened { date: d, at } = &event {
            if scan.in_day {
                // The day ended without a close (a day left open): what was folded is the day.
                break;
            }
            scan.in_day = *d == date;
            scan.opened_at = at.0;
        } else if scan.in_day {
            scan.note(&event, &layout, &mut last_at);
        }
        if let Some(day) = folder.fold(&event) {
            if day.date == date {
                facts = Some(day);
                break;
            }
        }
    }
    let facts = match facts {
        Some(facts) => facts,
        None => match folder.current(Timestamp(last_at.max(scan.opened_at))) {
            Some(day) if day.date == date && scan.opened_at > 0 => day,
            _ => return Err(format!("the ledger has no business day {date}")),
        },
    };
    let mut sessions = scan.done;
    sessions.extend(scan.open.into_values().map(|s| Session { to: scan.closed_at, ..s }));
    sessions.sort_by_key(|s| (s.from, s.window));
    let by_index = |pairs: Vec<(usize, i64)>| {
        let mut out = vec![None; facts.tickets.len()];
        for (i, v) in pairs {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(v);
            }
        }
        out
    };
    let cancelled_at = by_index(scan.cancelled);
    let mut calls = vec![Vec::new(); facts.tickets.len()];
    for (i, list) in scan.calls {
        if let Some(slot) = calls.get_mut(i) {
            *slot = list.into_iter().map(|(_, call)| call).collect();
        }
    }
    let mut pauses = scan.pauses;
    pauses.extend(scan.paused.into_iter().map(|(w, from)| (w, from, None)));
    Ok(Day { opened_at: scan.opened_at, closed_at: scan.closed_at, cancelled_at, calls, sessions, pauses, facts })
}

/// What the scan keeps of the day it looks for, beside the facts.
#[derive(Default)]
struct Scan {
    in_day: bool,
    opened_at: i64,
    closed_at: Option<i64>,
    /// Ticket id → its index in issue order.
    issued: HashMap<TicketId, usize>,
    cancelled: Vec<(usize, i64)>,
    /// Per ticket index: its calls, each with when it was made.
    calls: BTreeMap<usize, Vec<(i64, Call)>>,
    /// Windows paused now (by number), since when; pauses ended.
    paused: BTreeMap<u16, i64>,
    pauses: Vec<(u16, i64, Option<i64>)>,
    /// Windows the review opened and not closed since.
    by_review: BTreeMap<WindowId, bool>,
    open: BTreeMap<WindowId, Session>,
    done: Vec<Session>,
}

impl Scan {
    fn note(&mut self, event: &Event, layout: &Layout, last_at: &mut i64) {
        let number = |w: &WindowId| layout.windows.get(usize::from(w.0)).map_or(0, |s| s.number);
        match event {
            Event::TicketIssued { ticket, at, .. } => {
                self.issued.insert(*ticket, self.issued.len());
                *last_at = at.0;
            }
            Event::TicketCancelled { ticket, at } => {
                if let Some(i) = self.issued.get(ticket) {
                    self.cancelled.push((*i, at.0));
                }
            }
            Event::TicketCalled { ticket, at, .. } => {
                if let Some(i) = self.issued.get(ticket) {
                    self.calls.entry(*i).or_default().push((at.0, Call { held_ms: None, end: None }));
                }
            }
            Event::ServiceFinished { ticket, service_ms, at, .. } => {
                self.end_call(*ticket, at.0, CallEnd::Finished(*service_ms));
            }
            Event::TicketNoShow { ticket, at, .. } => self.end_call(*ticket, at.0, CallEnd::NoShow),
            Event::TicketTransferred { ticket, matter, first, at, .. } => {
                let key = layout.matters.get(usize::from(matter.0)).map_or_else(String::new, |m| m.key.clone());
                self.end_call(*ticket, at.0, CallEnd::Transferred(key, *first));
            }
            Event::WindowPaused { window, at } => {
                self.paused.insert(number(window), at.0);
            }
            Event::WindowResumed { window, at } => {
                if let Some(from) = self.paused.remove(&number(window)) {
                    self.pauses.push((number(window), from, Some(at.0)));
                }
            }
            Event::WindowOpened { window, trigger, .. } => {
                self.by_review.insert(*window, trigger.is_some());
            }
            Event::ClerkSignedIn { window, clerk, at } => {
                let session = Session {
                    window: number(window),
                    clerk: layout.clerks.get(usize::from(clerk.0)).map_or_else(String::new, |c| c.key.clone()),
                    from: at.0,
                    to: None,
                    by_review: self.by_review.get(window).copied().unwrap_or(false),
                };
                self.end(*window, at.0);
                self.open.insert(*window, session);
                *last_at = at.0;
            }
            Event::ClerkSignedOut { window, at } => self.end(*window, at.0),
            Event::WindowClosed { window, at, .. } => {
                self.end(*window, at.0);
                self.by_review.remove(window);
            }
            Event::DayClosed { at } => {
                self.closed_at = Some(at.0);
                let windows: Vec<WindowId> = self.open.keys().copied().collect();
                for w in windows {
                    self.end(w, at.0);
                }
            }
            _ => {}
        }
    }

    /// The latest call of `ticket` ended at `at`.
    fn end_call(&mut self, ticket: TicketId, at: i64, end: CallEnd) {
        let last = self.issued.get(&ticket).and_then(|i| self.calls.get_mut(i)).and_then(|c| c.last_mut());
        if let Some((called, call)) = last {
            if call.end.is_none() {
                *call = Call { held_ms: Some(at - *called), end: Some(end) };
            }
        }
    }

    fn end(&mut self, window: WindowId, at: i64) {
        if let Some(session) = self.open.remove(&window) {
            self.done.push(Session { to: Some(at), ..session });
        }
    }
}

/// How to replay.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The routing policy.
    pub policy: Policy,
    /// The staffing.
    pub staffing: Staffing,
    /// With automatic staffing: how long an opened standby window waits for its clerk (ms).
    pub walk_ms: i64,
}

/// A replayed day.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// Its facts, folded from the replay's events as reports fold the ledger's.
    pub facts: DayFacts,
    /// Tickets the replayed hall refused (a daily cap, 限号, a matter the hall no longer has).
    pub refused: u32,
    /// Standby windows the staffing review opened.
    pub openings: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    SessionEnd(usize),
    Done(usize),
    Start(usize),
    ClerkArrives(usize),
    SessionStart(usize),
    Cancel(usize),
    Pause(u16),
    Resume(u16),
    Arrive(usize),
    Tick,
    CloseDay,
}

/// A window in the replay.
#[derive(Default, Clone, Copy)]
struct Desk {
    signed_in: bool,
    /// Sign out once the current service ends.
    leaving: bool,
    busy: bool,
}

/// How the call a window is on will end.
#[derive(Debug, Clone)]
enum Then {
    Finish,
    NoShow,
    Transfer(MatterId, bool),
}

struct Replay<'a> {
    day: &'a Day,
    hall: Hall,
    folder: Folder,
    facts: Option<DayFacts>,
    due: BinaryHeap<Reverse<(i64, u64, Kind)>>,
    seq: u64,
    desks: Vec<Desk>,
    /// The replay's ticket ids → the recorded ticket's index, and the calls it has had.
    tickets: HashMap<TicketId, (usize, usize)>,
    /// Per window, how its current call ends.
    then: Vec<Option<Then>>,
    /// Per matter, its mean recorded service time that day (ms): for tickets not served then.
    mean_service: HashMap<String, i64>,
    options: Options,
    refused: u32,
    openings: u32,
    closed: bool,
}

/// Replays `day` in the hall `config` describes, under `options`.
pub fn replay(config: &HallConfig, day: &Day, options: Options) -> Replayed {
    let mut config = config.clone();
    config.rules.policy = options.policy;
    config.rules.staffing.mode =
        if options.staffing == Staffing::Auto { StaffingMode::Automatic } else { StaffingMode::Off };
    let mut sums: HashMap<String, (i64, i64)> = HashMap::new();
    for t in &day.facts.tickets {
        if let (End::Served { .. }, Some(ms)) = (t.end, t.service_ms) {
            let e = sums.entry(t.matter.clone()).or_default();
            *e = (e.0 + ms, e.1 + 1);
        }
    }
    let mean_service = sums.into_iter().map(|(k, (sum, n))| (k, sum / n.max(1))).collect();
    let mut r = Replay {
        day,
        folder: Folder::new(config.layout(), config.utc_offset_min),
        desks: vec![Desk::default(); config.windows.len()],
        then: vec![None; config.windows.len()],
        hall: Hall::new(config),
        facts: None,
        due: BinaryHeap::new(),
        seq: 0,
        tickets: HashMap::new(),
        mean_service,
        options,
        refused: 0,
        openings: 0,
        closed: false,
    };
    r.run();
    let end = Timestamp(r.due.peek().map_or(0, |Reverse((at, _, _))| *at));
    let facts = r.facts.take().or_else(|| r.folder.current(end)).unwrap_or_else(|| day.facts.clone());
    Replayed { facts, refused: r.refused, openings: r.openings }
}

impl Replay<'_> {
    fn push(&mut self, at: i64, kind: Kind) {
        self.seq += 1;
        self.due.push(Reverse((at, self.seq, kind)));
    }

    /// Executes `command` at `at`; every event it makes is folded. `None` when refused.
    fn exec(&mut self, command: &Command, at: i64) -> Option<Vec<Event>> {
        let events = self.hall.execute(command, Timestamp(at)).ok()?;
        self.fold(&events);
        Some(events)
    }

    fn fold(&mut self, events: &[Event]) {
        for event in events {
            if let Some(day) = self.folder.fold(event) {
                self.facts.get_or_insert(day);
            }
        }
    }

    fn matter_index(&self, key: &str) -> Option<MatterId> {
        self.hall.config().matters.iter().position(|m| m.key == key && !m.retired).map(|m| MatterId(m as u16))
    }

    fn window_index(&self, number: u16) -> Option<usize> {
        self.hall.config().windows.iter().position(|w| w.number == number && !w.retired)
    }

    fn run(&mut self) {
        let day = self.day;
        self.exec(&Command::OpenDay { date: day.facts.date }, day.opened_at);
        for (i, t) in day.facts.tickets.iter().enumerate() {
            self.push(t.issued_at, Kind::Arrive(i));
            if let Some(at) = day.cancelled_at[i] {
                self.push(at, Kind::Cancel(i));
            }
        }
        for (i, s) in day.sessions.iter().enumerate() {
            if s.by_review && self.options.staffing != Staffing::Recorded {
                continue;
            }
            self.push(s.from, Kind::SessionStart(i));
            if let Some(to) = s.to {
                self.push(to, Kind::SessionEnd(i));
            }
        }
        for (window, from, to) in &day.pauses {
            self.push(*from, Kind::Pause(*window));
            if let Some(to) = to {
                self.push(*to, Kind::Resume(*window));
            }
        }
        if self.options.staffing == Staffing::Auto {
            self.push(day.opened_at, Kind::Tick);
        }
        if let Some(at) = day.closed_at {
            self.push(at, Kind::CloseDay);
        }
        while let Some(Reverse((at, _, kind))) = self.due.pop() {
            if self.closed {
                break;
            }
            match kind {
                Kind::Arrive(i) => self.arrive(i, at),
                Kind::Cancel(i) => self.cancel(i, at),
                Kind::Pause(number) => {
                    if let Some(w) = self.window_index(number) {
                        self.exec(&Command::Pause { window: WindowId(w as u16) }, at);
                    }
                }
                Kind::Resume(number) => {
                    if let Some(w) = self.window_index(number) {
                        self.exec(&Command::Resume { window: WindowId(w as u16) }, at);
                        if !self.desks[w].busy {
                            self.call(w, at);
                        }
                    }
                }
                Kind::SessionStart(i) => {
                    let session = &day.sessions[i];
                    if let Some(w) = self.window_index(session.window) {
                        self.sign_in(w, Some(&session.clerk), at);
                    }
                }
                Kind::SessionEnd(i) => {
                    if let Some(w) = self.window_index(day.sessions[i].window) {
                        if self.desks[w].busy {
                            self.desks[w].leaving = true;
                        } else {
                            self.sign_out(w, at);
                        }
                    }
                }
                Kind::Done(w) => {
                    let window = WindowId(w as u16);
                    let command = match self.then[w].take() {
                        Some(Then::NoShow) => Command::NoShow { window },
                        Some(Then::Transfer(matter, first)) => {
                            Command::Transfer { window, to: TransferTo { matter: Some(matter), window: None, first } }
                        }
                        _ => Command::Finish { window, outcome: Outcome::Completed },
                    };
                    self.exec(&command, at);
                    self.free(w, at);
                }
                Kind::Start(w) => {
                    self.exec(&Command::StartService { window: WindowId(w as u16) }, at);
                }
                Kind::ClerkArrives(w) => {
                    if self.hall.window(WindowId(w as u16)).is_some_and(|s| s.open && s.clerk.is_none()) {
                        self.sign_in(w, None, at);
                    }
                }
                Kind::Tick => self.tick(at),
                Kind::CloseDay => {
                    self.exec(&Command::CloseDay, at);
                    self.closed = true;
                }
            }
        }
    }

    fn arrive(&mut self, i: usize, at: i64) {
        let t = &self.day.facts.tickets[i];
        let Some(matter) = self.matter_index(&t.matter) else {
            self.refused += 1;
            return;
        };
        let mut events = None;
        if let (TicketClass::Appointment, Some(code)) = (t.class, &t.appointment) {
            let book = Command::BookAppointment {
                code: code.clone(),
                matter,
                start: Timestamp(at),
                end: Timestamp(at + 30 * 60_000),
            };
            if self.exec(&book, at).is_some() {
                events = self.exec(&Command::CheckIn { code: code.clone(), source: None }, at);
            }
        }
        if events.is_none() {
            let green = (t.class == TicketClass::Green).then(|| t.green.unwrap_or(GreenReason::Pregnant));
            events = self.exec(&Command::IssueTicket { matter, green, holder: None, source: None }, at);
        }
        let issued = events.iter().flatten().find_map(|e| match e {
            Event::TicketIssued { ticket, .. } => Some(*ticket),
            _ => None,
        });
        let Some(ticket) = issued else {
            self.refused += 1;
            return;
        };
        self.tickets.insert(ticket, (i, 0));
        // The free window serving the fewest matters calls (as the simulator's model).
        let mut free: Vec<usize> = (0..self.desks.len())
            .filter(|w| self.desks[*w].signed_in && !self.desks[*w].busy)
            .filter(|w| self.hall.window(WindowId(*w as u16)).is_some_and(|s| s.skills.contains(matter)))
            .collect();
        free.sort_by_key(|w| (self.hall.window(WindowId(*w as u16)).map_or(0, |s| s.skills.len()), *w));
        for w in free {
            if self.call(w, at) {
                break;
            }
        }
    }

    fn cancel(&mut self, i: usize, at: i64) {
        let waiting = self.tickets.iter().find(|(_, (idx, _))| *idx == i).map(|(id, _)| *id);
        if let Some(ticket) = waiting {
            if self.hall.ticket(ticket).is_some_and(|t| t.window.is_none()) {
                self.exec(&Command::CancelTicket { ticket, by: None }, at);
            }
        }
    }

    /// A clerk signs in at window `w` (opening it first if it is closed), and it calls.
    fn sign_in(&mut self, w: usize, clerk: Option<&str>, at: i64) {
        let window = WindowId(w as u16);
        if !self.hall.window(window).is_some_and(|s| s.open) {
            self.exec(&Command::OpenWindow { window }, at);
        }
        let Some(clerk) = self.clerk_for(clerk) else { return };
        if self.exec(&Command::SignIn { window, clerk }, at).is_some() {
            self.desks[w] = Desk { signed_in: true, ..Desk::default() };
            self.call(w, at);
        }
    }

    /// The clerk with this 工号, or else one signed in nowhere.
    fn clerk_for(&self, key: Option<&str>) -> Option<ClerkId> {
        let clerks = &self.hall.config().clerks;
        let busy = |c: usize| self.hall.windows().iter().any(|w| w.clerk == Some(ClerkId(c as u16)));
        key.and_then(|k| clerks.iter().position(|c| c.key == k && !c.retired))
            .filter(|c| !busy(*c))
            .or_else(|| (0..clerks.len()).find(|c| !clerks[*c].retired && !busy(*c)))
            .map(|c| ClerkId(c as u16))
    }

    fn sign_out(&mut self, w: usize, at: i64) {
        let window = WindowId(w as u16);
        self.exec(&Command::SignOut { window }, at);
        if self.hall.config().window(window).kind == WindowKind::Standby {
            self.exec(&Command::CloseWindow { window }, at);
        }
        self.desks[w] = Desk::default();
    }

    /// Window `w` is done with its ticket: it calls the next, or its clerk leaves.
    fn free(&mut self, w: usize, at: i64) {
        self.desks[w].busy = false;
        if self.desks[w].leaving {
            self.sign_out(w, at);
        } else {
            self.call(w, at);
        }
    }

    /// Window `w` calls; whether it took a ticket.
    fn call(&mut self, w: usize, at: i64) -> bool {
        let Some(events) = self.exec(&Command::CallNext { window: WindowId(w as u16) }, at) else { return false };
        let called = events.iter().find_map(|e| match e {
            Event::TicketCalled { ticket, .. } => Some(*ticket),
            _ => None,
        });
        let Some(ticket) = called else { return false };
        let Some((i, n)) = self.tickets.get_mut(&ticket).map(|entry| {
            entry.1 += 1;
            *entry
        }) else {
            return false;
        };
        self.desks[w].busy = true;
        let day = self.day;
        let t = &day.facts.tickets[i];
        // The n-th call holds the window as long as the ticket's n-th recorded call did, and ends as
        // it did: served (its service starting as long before the end as it did), 过号, or sent on.
        let (held, then) = match day.calls[i].get(n - 1) {
            Some(Call { held_ms: Some(held), end: Some(end) }) => {
                let then = match end {
                    CallEnd::Finished(ms) => {
                        self.push(at + (held - ms).max(0), Kind::Start(w));
                        Then::Finish
                    }
                    CallEnd::NoShow => Then::NoShow,
                    CallEnd::Transferred(key, first) => match self.matter_index(key) {
                        Some(m) => Then::Transfer(m, *first),
                        None => Then::Finish,
                    },
                };
                (*held, then)
            }
            // Called more often than it was (or not at all then): served for its matter's mean time.
            _ => (self.mean_service.get(&t.matter).copied().unwrap_or(t.norm_ms), Then::Finish),
        };
        self.then[w] = Some(then);
        self.push(at + held.max(0), Kind::Done(w));
        true
    }

    /// The hall's clock with automatic staffing: an opened standby window gets a clerk after the walk.
    fn tick(&mut self, at: i64) {
        let events = self.hall.tick(Timestamp(at));
        for event in &events {
            self.hall.apply(event);
        }
        self.fold(&events);
        for event in &events {
            match event {
                Event::WindowOpened { window, .. } => {
                    self.openings += 1;
                    self.push(at + self.options.walk_ms, Kind::ClerkArrives(usize::from(window.0)));
                }
                Event::WindowClosed { window, .. } => self.desks[usize::from(window.0)] = Desk::default(),
                _ => {}
            }
        }
        if !self.due.is_empty() {
            self.push(at + REVIEW_EVERY_MS, Kind::Tick);
        }
    }
}

/// The KPIs of a day's facts.
pub fn kpis(config: &HallConfig, facts: &DayFacts) -> Kpis {
    let mut builder = Builder::new(facts.date, facts.date, None, config.utc_offset_min);
    builder.add(facts);
    builder.finish().total
}

/// How far the replay's waits are from the recorded ones, ticket by ticket (same issue order, so
/// the same numbers): tickets called in both, mean error and mean absolute error (seconds).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct WaitError {
    /// Tickets called in both.
    pub tickets: u64,
    /// Mean of (replayed − recorded) wait, seconds.
    pub mean_s: f64,
    /// Mean of |replayed − recorded| wait, seconds.
    pub mean_abs_s: f64,
}

/// The wait error of `replayed` against `recorded`.
pub fn wait_error(recorded: &DayFacts, replayed: &DayFacts) -> WaitError {
    let by_number: HashMap<&str, i64> =
        replayed.tickets.iter().filter_map(|t| Some((t.number.as_str(), t.wait_ms()?))).collect();
    let pairs: Vec<i64> =
        recorded.tickets.iter().filter_map(|t| Some(by_number.get(t.number.as_str())? - t.wait_ms()?)).collect();
    let n = pairs.len().max(1) as f64;
    WaitError {
        tickets: pairs.len() as u64,
        mean_s: pairs.iter().sum::<i64>() as f64 / n / 1000.0,
        mean_abs_s: pairs.iter().map(|d| d.abs()).sum::<i64>() as f64 / n / 1000.0,
    }
}
