//! The one writer: a single task owns the `Hall`. It takes every queued command (group commit),
//! decides and applies each in turn (a later command must see an earlier one's effects), writes all
//! resulting events in one durable transaction, and only then replies and publishes. If the write
//! fails, the hall is reloaded from the ledger, so nothing that was not stored is ever shown, and every
//! command of the batch is answered `storage_unavailable`. While the ledger refuses, the writer retries
//! it with backoff (reopen, then reload the hall from it) on every tick, and resumes by itself when the
//! disk works again; `/healthz` follows.

use super::clock::{self, Change, CheckedClock};
use super::metrics::{BatchStats, Metrics};
use super::Health;
use crate::auth::IdKeys;
use crate::core::estimate::Estimate;
use crate::core::event::PrintedWait;
use crate::core::{Command, Event, Hall, HallConfig, MatterId, Rejection, TicketClass, TicketId, Timestamp};
use crate::identity;
use crate::store::{Actor, Record, Store, StoreError};
use crate::wire::{self, WireError};
use kiosk_protocol::{ErrorCode, HallView, MatterEstimate, ReplyResult, RequestBody, Role, ServerMessage, WireEvent};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, oneshot, watch};

/// Most commands taken into one batch.
const MAX_BATCH: usize = 512;
/// A snapshot is saved after this many events (and at every new day).
const SNAPSHOT_EVERY: u64 = 50_000;
/// How often the writer calls `Hall::tick` (the day change, the staffing review, the cut-off), busy or
/// idle; the published estimates are refreshed on the same beat.
const TICK: Duration = Duration::from_millis(onewindow_core::tick::TICK_EVERY_MS as u64);
/// A printed estimate walks the queue at most this often per matter and class (see `printed_estimate`).
const PRINT_WALK_EVERY_MS: i64 = 50;
/// ... and a walk is reused this much longer per ticket it walked past: a walk costs up to ~20 µs per
/// ticket ahead on the demo hall (about 10 ms at the walk's bound of 500), so walking again after 1 ms
/// per ticket keeps the writer's walking under ~2% of its time per matter and class, however long the
/// queue.
const PRINT_WALK_MS_PER_AHEAD: i64 = 1;
/// Longest wait for a batch to fill up to the size of the last one.
const GATHER: Duration = Duration::from_micros(1000);
/// First wait before reopening a ledger that refused a write; doubles up to [`RETRY_MAX`].
const RETRY_MIN: Duration = Duration::from_millis(250);
/// Longest wait between two attempts to reopen the ledger.
const RETRY_MAX: Duration = Duration::from_secs(8);

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Device name (`operator` for the control socket and the server's start).
    pub device: String,
    /// Its role (none for the operator).
    pub role: Option<Role>,
}

impl From<&Caller> for Actor {
    fn from(caller: &Caller) -> Actor {
        Actor { device: caller.device.clone(), role: caller.role, clerk: None }
    }
}

impl Caller {
    /// The hall's operator: the control socket, or the server itself at start.
    pub fn operator() -> Caller {
        Caller { device: "operator".into(), role: None }
    }
}

/// What a submission asks for.
#[derive(Debug)]
pub enum Work {
    /// A terminal's request.
    Request(RequestBody),
    /// A command of the operator's or the server's own: a layout change.
    Command(Command),
    /// Lay a configuration over the hall's layout: say what changes and, if `apply`, record it (or
    /// schedule it when it is not safe now).
    Plan {
        /// The configuration.
        desired: Box<HallConfig>,
        /// Record it, or only say what would change.
        apply: bool,
    },
    /// Lock a clerk out for `lock_ms` (the edge counted the wrong PINs).
    Lock {
        /// The clerk's key.
        clerk: String,
        /// Wrong PINs in a row.
        failures: u32,
        /// How long, in milliseconds.
        lock_ms: i64,
    },
    /// The online channel's request (`/api/v1`).
    Booking(super::booking::BookingWork),
}

/// A request on its way to the writer.
pub struct Submission {
    /// Who asks.
    pub caller: Caller,
    /// What.
    pub body: Work,
    /// Where the answer goes.
    pub reply: oneshot::Sender<Result<Accepted, WireError>>,
}

/// A request that was carried out and is durable.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The `seq` of its last event, if it caused any.
    pub seq: Option<u64>,
    /// What it returns.
    pub result: ReplyResult,
    /// What a layout plan found, one line per change (empty for other work).
    pub notes: Vec<String>,
    /// The online channel's answer (`/api/v1`; none for other work).
    pub body: Option<serde_json::Value>,
}

/// One message as every terminal receives it, serialised once: an event, or new wait estimates.
#[derive(Debug)]
pub struct Published {
    /// The event's `seq`; for estimates, the `seq` they are as of.
    pub seq: u64,
    /// Whether it is an event (sent once per `seq`) or estimates (sent whenever they change).
    pub is_event: bool,
    /// The message text.
    pub text: Arc<str>,
}

/// A terminal's request for the hall as it stands: answered by the writer between batches.
pub type StateWanted = oneshot::Sender<Arc<HallState>>;

/// The hall as of a `seq`, serialised when someone asks and only once per change.
#[derive(Debug)]
pub struct HallState {
    /// The last event it includes.
    pub seq: u64,
    /// The `snapshot` message text.
    pub message: Arc<str>,
}

/// A clock: the server's is the system clock; tests pass their own.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Timestamp(ms)
    })
}

/// Rebuilds the hall from the ledger: the latest snapshot that fits, then every event after it.
pub fn load(config: &HallConfig, store: &dyn Store) -> Result<(Hall, u64), StoreError> {
    let (mut hall, mut seq) = match store.load_snapshot()? {
        Some((seq, bytes)) => {
            match serde_json::from_slice(&bytes).ok().and_then(|s| Hall::restore(config.clone(), s)) {
                Some(mut hall) => {
                    // Snapshots keep no ID hash; the ledger's ID files do.
                    hall.restore_holders(store.kept_holders());
                    (hall, seq)
                }
                None => (Hall::new(config.clone()), 0),
            }
        }
        None => (Hall::new(config.clone()), 0),
    };
    loop {
        let records = store.read_after(seq, 4096)?;
        let Some(last) = records.last().map(|r| r.seq) else { break };
        for record in &records {
            if record.seq != seq + 1 {
                return Err(StoreError::Corrupt(format!("event {} follows {}", record.seq, seq)));
            }
            hall.apply(&record.event);
            seq = record.seq;
        }
        debug_assert_eq!(seq, last);
    }
    Ok((hall, seq))
}

/// Everything the writer owns.
pub struct Writer {
    /// The hall.
    pub hall: Hall,
    /// The last committed `seq`.
    pub seq: u64,
    /// The ledger.
    pub store: Arc<dyn Store>,
    /// Keyed hash for ID numbers.
    pub hasher: Arc<IdKeys>,
    /// Live events out.
    pub events: broadcast::Sender<Arc<Published>>,
    /// The view terminals keep, folded from every stored event (never rebuilt from the hall, except
    /// after the hall itself is reloaded).
    pub view: HallView,
    /// The latest walked estimate per matter and class for printing, tickets issued since, and when.
    pub printed: HashMap<(MatterId, TicketClass), (Estimate, u32, Timestamp)>,
    /// Wire events of the batch being stored, folded into `view` once they are durable.
    pub unfolded: Vec<(WireEvent, i64)>,
    /// The `snapshot` message of `view`, once built, until the view changes.
    pub state: Option<Arc<HallState>>,
    /// The latest `estimates` message, for terminals that resume.
    pub estimates_out: watch::Sender<Arc<str>>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Whether the ledger takes writes, and why not.
    pub health: Arc<Health>,
    /// Time.
    pub clock: Clock,
    /// While the ledger refuses: when to try it again, and the wait after that.
    pub retry: Option<(Instant, Duration)>,
    /// The wall clock, checked against the monotonic clock (see [`super::clock`]).
    pub time: CheckedClock,
    /// The monotonic origin of `time`.
    pub started: Instant,
    /// While a wall-clock jump is being ignored: the supervisor's warning.
    pub clock_warning: Option<String>,
    /// Days an ID hash is kept (`[privacy] id_retention_days`).
    pub id_retention_days: u32,
    /// A layout change refused as unsafe, applied by the tick once it is safe.
    pub pending_layout: Option<crate::core::Layout>,
    /// Masked ID numbers of the tickets the hall keeps, for the clerk who calls them. Only here, in memory: the
    /// ledger never holds them (with the first three and last four digits, a region × birth-date
    /// search recovers the number), and they are forgotten with their tickets (see
    /// `Rules::ended_tickets_kept`), when the day changes or when the server restarts.
    pub masked: HashMap<TicketId, String>,
    /// Tickets of the batch being decided that have a masked ID: forgotten again if the batch is not
    /// stored (their ids are handed out anew after the reload).
    pub unstored_masks: Vec<TicketId>,
    /// Mobile tickets: the followed tickets' views are published on each tick (see [`super::follow`]).
    pub following: Arc<super::follow::Following>,
    /// The messages to send, republished after each commit that changed them (see [`super::gateway`]).
    pub outbox_out: watch::Sender<Arc<super::gateway::Outbox>>,
}

impl Writer {
    /// The `snapshot` message of the view as it stands, built at most once per change.
    fn current_state(&mut self) -> Arc<HallState> {
        let now = self.now();
        let today = Some(now.local(self.hall.config().utc_offset_min).0.to_string());
        if let Some(state) = self.state.as_ref().filter(|_| self.view.server_date == today) {
            return state.clone();
        }
        self.view.server_date = today;
        self.view.clock_warning.clone_from(&self.clock_warning);
        self.view.settle();
        // `{"type":"snapshot","seq":…,"hall":…}` without cloning the view into a message.
        let hall = serde_json::to_string(&self.view).unwrap_or_default();
        let text = format!("{{\"type\":\"snapshot\",\"seq\":{},\"hall\":{hall}}}", self.seq);
        let state = Arc::new(HallState { seq: self.seq, message: text.into() });
        self.state = Some(state.clone());
        state
    }

    /// The tick's own work besides `Hall::tick`: new wait estimates (walks of the queues, so once a
    /// second), sent to every terminal when they changed.
    fn refresh_estimates(&mut self, now: Timestamp) {
        // The same walks as the printed estimates: what a display shows is what a kiosk would print now.
        let open = self.hall.day().is_some();
        let in_service: Vec<usize> =
            (0..self.hall.config().matters.len()).filter(|i| !self.hall.config().matters[*i].retired).collect();
        let estimates: Vec<MatterEstimate> = in_service
            .into_iter()
            .map(|i| {
                let estimate = open
                    .then(|| wire::wait_estimate(self.printed_estimate(MatterId(i as u16), TicketClass::Normal, now)));
                MatterEstimate { matter: self.hall.config().matters[i].key.clone(), estimate }
            })
            .collect();
        let unchanged = self.view.matters.iter().zip(&estimates).all(|(m, e)| m.estimate == e.estimate);
        if unchanged && self.view.clock_warning == self.clock_warning {
            return;
        }
        self.view.set_estimates(&estimates);
        self.view.clock_warning.clone_from(&self.clock_warning);
        self.state = None;
        let message = ServerMessage::Estimates { matters: estimates };
        let text: Arc<str> = serde_json::to_string(&message).unwrap_or_default().into();
        let _ = self.estimates_out.send(text.clone());
        let _ = self.events.send(Arc::new(Published { seq: self.seq, is_event: false, text }));
    }

    /// Runs until every sender is gone, then returns (after the last batch is committed and answered).
    /// Between batches it answers requests for the hall as it stands (`wanted`).
    pub async fn run(mut self, mut rx: mpsc::Receiver<Submission>, mut wanted: mpsc::Receiver<StateWanted>) {
        let mut last_snapshot = self.seq;
        let mut last_batch = 1usize;
        // The first tick opens the day before any command is decided.
        let mut next_tick = tokio::time::Instant::now();
        let following = self.following.clone();
        loop {
            let first = tokio::select! {
                sub = rx.recv() => match sub {
                    Some(sub) => Some(sub),
                    None => break,
                },
                _ = tokio::time::sleep_until(next_tick) => None,
                Some(asker) = wanted.recv() => {
                    let _ = asker.send(self.current_state());
                    continue;
                }
                // A new mobile ticket: its first view now, not at the next tick.
                _ = following.wanted.notified() => {
                    let now = self.now();
                    self.following.publish(&self.hall, now);
                    continue;
                }
            };
            let mut batch: Vec<Submission> = first.into_iter().collect();
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(sub) => batch.push(sub),
                    Err(_) => break,
                }
            }
            // Group commit under load: every terminal has one request in flight, and the ones answered
            // by the last commit send their next request a moment later. Waiting up to GATHER for as
            // many submissions as the last batch had keeps batches from shrinking to one per fsync; an
            // idle hall (last batch of one) never waits.
            let deadline = tokio::time::Instant::now() + GATHER;
            while !batch.is_empty() && batch.len() < last_batch.min(MAX_BATCH) {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(sub)) => batch.push(sub),
                    _ => break,
                }
            }
            last_batch = batch.len();
            // Due ticks run with the batch, so a busy writer ticks on time too.
            let ticking = tokio::time::Instant::now() >= next_tick;
            if ticking {
                next_tick = tokio::time::Instant::now() + TICK;
            }
            self.process(batch, ticking).await;
            if self.seq >= last_snapshot + SNAPSHOT_EVERY {
                self.save_snapshot().await;
                last_snapshot = self.seq;
            }
        }
        tracing::info!(seq = self.seq, "writer stopped");
    }

    async fn save_snapshot(&self) {
        let mut snapshot = self.hall.snapshot();
        snapshot.forget_holders();
        let Ok(bytes) = serde_json::to_vec(&snapshot) else { return };
        let (store, seq) = (self.store.clone(), self.seq);
        match tokio::task::spawn_blocking(move || store.save_snapshot(seq, &bytes)).await {
            Ok(Ok(())) => tracing::info!(seq, "snapshot saved"),
            Ok(Err(e)) => tracing::warn!(error = %e, "snapshot not saved"),
            Err(e) => tracing::warn!(error = %e, "snapshot task failed"),
        }
    }

    /// Decides, stores, then answers and publishes one batch (after the tick's events, if `ticking`).
    async fn process(&mut self, batch: Vec<Submission>, ticking: bool) {
        if self.retry.is_some() && !self.recover() {
            let reason = self.health.reason();
            for sub in batch {
                let message = format!("nothing was changed; the ledger refuses writes ({reason}); retrying by itself");
                let _ = sub.reply.send(Err(WireError { code: ErrorCode::StorageUnavailable, message }));
            }
            return;
        }
        let now = self.now();
        let mut staged: Vec<Record> = Vec::new();
        let mut stats = BatchStats::default();
        // Time's own events first (a new day opens before anything else is decided).
        if ticking {
            let events = self.hall.tick(now);
            self.stage(events, now, &mut staged, &mut stats, None);
            // A layout change that had to wait goes in once it is safe.
            if let Some(layout) = self.pending_layout.clone() {
                if let Ok(events) = self.hall.decide(&Command::ChangeLayout { layout }, now) {
                    // Kept pending until the commit: a write that fails loses nothing of it.
                    self.stage(events, now, &mut staged, &mut stats, Some(Actor::from(&Caller::operator())));
                }
            }
            // Masks go with the tickets the hall forgets, so they do not grow with the day either.
            let hall = &self.hall;
            self.masked.retain(|id, _| hall.ticket(*id).is_some());
        }
        let mut answers = Vec::with_capacity(batch.len());
        for sub in batch {
            let outcome = self.decide_one(&sub, now, &mut staged, &mut stats);
            answers.push((sub.reply, outcome));
        }
        let committed = if staged.is_empty() { Ok(0.0) } else { self.commit(&staged).await };
        match committed {
            Ok(seconds) => {
                self.unstored_masks.clear();
                let recorded = |p: &crate::core::Layout| {
                    staged.iter().any(|r| matches!(&r.event, Event::LayoutChanged { layout, .. } if layout == p))
                };
                if self.pending_layout.as_ref().is_some_and(recorded) {
                    tracing::info!("scheduled layout change applied");
                    self.pending_layout = None;
                }
                if !staged.is_empty() {
                    self.publish(staged, stats, seconds);
                }
                for (reply, outcome) in answers {
                    let _ = reply.send(outcome);
                }
                // Estimates of the hall as stored, after the batch's events and answers went out (a
                // refresh walks queues: no answer waits for it).
                if ticking {
                    self.refresh_estimates(now);
                    self.following.publish(&self.hall, now);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "ledger write failed; refusing commands until it works again");
                self.metrics.store_error();
                for id in self.unstored_masks.drain(..) {
                    self.masked.remove(&id);
                }
                self.unfolded.clear();
                self.refuse_until_recovered(&e);
                for (reply, outcome) in answers {
                    let refused = outcome.and_then(|_| {
                        Err(WireError {
                            code: ErrorCode::StorageUnavailable,
                            message: format!("nothing was changed: {e}"),
                        })
                    });
                    let _ = reply.send(refused);
                }
            }
        }
    }

    fn decide_one(
        &mut self,
        sub: &Submission,
        now: Timestamp,
        staged: &mut Vec<Record>,
        stats: &mut BatchStats,
    ) -> Result<Accepted, WireError> {
        let keys = &self.hasher;
        // ID numbers are hashed under the key of the business day they are given on.
        let day = self.hall.day().map_or_else(|| now.local(self.hall.config().utc_offset_min).0, |d| d.date);
        let mut notes = Vec::new();
        if let Work::Request(RequestBody::GetTicket { ticket }) = &sub.body {
            return self.ticket_for_kiosk(sub, ticket);
        }
        let mut command = match &sub.body {
            Work::Request(body) => {
                wire::command(&self.hall, body, &|raw| keys.hash(raw, day), &|phone| keys.seal_phone(phone, day))?
                    .ok_or_else(|| WireError {
                        code: ErrorCode::BadRequest,
                        message: "hello is sent once, first".into(),
                    })?
            }
            Work::Command(command) => command.clone(),
            Work::Plan { desired, apply } => {
                let plan = crate::core::layout::plan(&self.hall.config().layout(), desired)
                    .map_err(|message| WireError { code: ErrorCode::LayoutNotNow, message })?;
                if !*apply || plan.changes.is_empty() {
                    return Ok(Accepted { seq: None, result: ReplyResult::Ok {}, notes: plan.changes, body: None });
                }
                notes = plan.changes;
                Command::ChangeLayout { layout: plan.layout }
            }
            Work::Lock { clerk, failures, lock_ms } => Command::LockClerk {
                clerk: self.hall.config().clerk_by_key(clerk).ok_or(WireError::from(Rejection::UnknownClerk))?,
                failures: *failures,
                until: Timestamp(now.0.saturating_add(*lock_ms)),
            },
            Work::Booking(work) => match super::booking::step(&self.hall, work, &self.hasher, now)? {
                super::booking::Step::Answer(body) => {
                    return Ok(Accepted { seq: None, result: ReplyResult::Ok {}, notes, body: Some(body) })
                }
                super::booking::Step::Command(command) => command,
            },
        };
        let by = self.actor(sub, &command);
        if let Command::CorrectDate { date } = &command {
            // Only to the server's own checked date: a supervisor fixes a wrong day, never invents one.
            let (today, _) = now.local(self.hall.config().utc_offset_min);
            if *date != today {
                let message = format!("the hall's date can only be corrected to the server's date, {today}");
                return Err(WireError { code: ErrorCode::BadRequest, message });
            }
        }
        if sub.caller.role == Some(Role::Kiosk) {
            // Tickets remember the kiosk that issued them: only it may cancel them.
            match &mut command {
                Command::IssueTicket { source, .. }
                | Command::CheckIn { source, .. }
                | Command::CheckInById { source, .. } => {
                    *source = Some(sub.caller.device.clone());
                }
                Command::CancelTicket { by, .. } | Command::Subscribe { by, .. } => {
                    *by = Some(sub.caller.device.clone())
                }
                Command::RequestHelp { kiosk } => kiosk.clone_from(&sub.caller.device),
                _ => {}
            }
        }
        stats.commands += 1;
        // The wait printed on a new ticket is the estimate just before it joins the queue.
        let printed = match &command {
            Command::IssueTicket { matter, green, .. } => {
                let class = if green.is_some() { TicketClass::Green } else { TicketClass::Normal };
                Some((*matter, class, self.printed_estimate(*matter, class, now)))
            }
            _ => None,
        };
        let estimate = printed.map(|(_, _, e)| wire::wait_estimate(e));
        let mut events = match (self.hall.decide(&command, now), &command) {
            (Err(Rejection::LayoutNotNow(why)), Command::ChangeLayout { layout }) => {
                self.pending_layout = Some(layout.clone());
                let message = format!(
                    "{why}. Scheduled: applied by itself as soon as it is safe (at the latest when the day closes)"
                );
                return Err(WireError { code: ErrorCode::LayoutNotNow, message });
            }
            (events, Command::ChangeLayout { .. }) => {
                self.pending_layout = None;
                events?
            }
            (events, _) => events?,
        };
        if let Some((matter, class, walked)) = printed {
            if let Some((_, issued, _)) = self.printed.get_mut(&(matter, class)) {
                *issued += 1;
            }
            // What was printed goes into the ledger with the ticket: the report measures it.
            if let Some(Event::TicketIssued { printed, .. }) = events.first_mut() {
                *printed = walked.wait_ms.map(|(median_ms, p80_ms)| PrintedWait { median_ms, p80_ms });
            }
        }
        let shown = events.iter().find_map(|e| match e {
            Event::TicketIssued { ticket, .. } | Event::TicketCalled { ticket, .. } => Some(*ticket),
            _ => None,
        });
        let seq = self.stage(events, now, staged, stats, Some(by));
        if let (Some(id), Work::Request(RequestBody::IssueTicket { id_number: Some(raw), .. })) = (shown, &sub.body) {
            self.masked.insert(id, identity::mask(raw));
            self.unstored_masks.push(id);
        }
        let result = match shown.and_then(|id| self.hall.ticket(id)) {
            Some(t) => {
                let mut view = wire::ticket_view(&self.hall, t);
                if sub.caller.role == Some(Role::Clerk) {
                    view.id_masked = self.masked.get(&t.id).cloned();
                }
                view.estimate = estimate;
                // The kiosk that issued it shows and prints the mobile ticket's address.
                let issued =
                    matches!(sub.body, Work::Request(RequestBody::IssueTicket { .. } | RequestBody::CheckIn { .. }));
                if let (true, Some(day)) = (issued && sub.caller.role == Some(Role::Kiosk), self.hall.day()) {
                    view.capability = Some(self.hasher.capability(t.id.0, day.date));
                }
                ReplyResult::Ticket { ticket: view }
            }
            None => ReplyResult::Ok {},
        };
        let body = match &sub.body {
            Work::Booking(_) => super::booking::answer(&self.hall, &command, now),
            _ => None,
        };
        Ok(Accepted { seq, result, notes, body })
    }

    /// `get_ticket`: a ticket the asking kiosk issued, with its mobile ticket's capability.
    fn ticket_for_kiosk(&self, sub: &Submission, number: &str) -> Result<Accepted, WireError> {
        let t = number
            .parse()
            .ok()
            .and_then(|n| self.hall.ticket_by_number(n))
            .ok_or(WireError::from(Rejection::UnknownTicket))?;
        if sub.caller.role == Some(Role::Kiosk) && t.source.as_deref() != Some(sub.caller.device.as_str()) {
            return Err(Rejection::NotYourTicket.into());
        }
        let mut view = wire::ticket_view(&self.hall, t);
        view.capability = self.hall.day().map(|d| self.hasher.capability(t.id.0, d.date));
        Ok(Accepted { seq: None, result: ReplyResult::Ticket { ticket: view }, notes: Vec::new(), body: None })
    }

    /// The estimate to print on a new ticket of `matter` (and to show on the displays): at most one walk
    /// of the queue per matter and class every [`PRINT_WALK_EVERY_MS`], and the longer the walk the
    /// longer it is reused ([`PRINT_WALK_MS_PER_AHEAD`]). Tickets issued in between each wait one more
    /// service behind the walked one: its walk plus, per ticket issued since, one more ahead and the
    /// matter's handling time shared by its active windows. (At 2,000 issues a second a walk per ticket
    /// was most of the kiosk round trip; docs/performance.md.)
    fn printed_estimate(&mut self, matter: MatterId, class: TicketClass, now: Timestamp) -> Estimate {
        let fresh = |walked: &Estimate, at: Timestamp| {
            now.since(at) < PRINT_WALK_EVERY_MS.max(i64::from(walked.ahead) * PRINT_WALK_MS_PER_AHEAD)
        };
        let (first, issued) = match self.printed.get(&(matter, class)) {
            Some(&(walked, issued, at)) if fresh(&walked, at) => (walked, issued),
            _ => {
                let walked = self.hall.estimate(matter, class, now);
                self.printed.insert((matter, class), (walked, 0, now));
                (walked, 0)
            }
        };
        if issued == 0 {
            return first;
        }
        let gap = self.hall.matter(matter).map_or(0.0, |s| s.aht_ms / f64::from(s.active_windows.max(1)));
        let later = (gap * f64::from(issued)).round() as i64;
        Estimate {
            ahead: first.ahead + issued,
            wait_ms: first.wait_ms.map(|(median, p80)| (median + later, p80 + later)),
        }
    }

    /// Who asks for `command`: the device, and the clerk signed in at the window it names (or signing in).
    fn actor(&self, sub: &Submission, command: &Command) -> Actor {
        let config = self.hall.config();
        let clerk = match command {
            Command::SignIn { clerk, .. } | Command::LockClerk { clerk, .. } => Some(*clerk),
            _ => match &sub.body {
                Work::Request(body) => {
                    body.window().and_then(|n| config.window_by_number(n)).and_then(|w| self.hall.window(w)?.clerk)
                }
                Work::Command(_) | Work::Lock { .. } | Work::Plan { .. } | Work::Booking(_) => None,
            },
        };
        Actor {
            clerk: clerk.and_then(|c| config.clerks.get(usize::from(c.0))).map(|c| c.key.clone()),
            ..Actor::from(&sub.caller)
        }
    }

    /// Applies events and stages their records (with who asked, if anyone); returns the last `seq`.
    fn stage(
        &mut self,
        events: Vec<Event>,
        now: Timestamp,
        staged: &mut Vec<Record>,
        stats: &mut BatchStats,
        by: Option<Actor>,
    ) -> Option<u64> {
        let mut last = None;
        for event in events {
            self.hall.apply(&event);
            let seq = self.seq + staged.len() as u64 + 1;
            let key = |m: crate::core::MatterId| self.hall.config().matter(m).key.clone();
            match &event {
                Event::DayOpened { .. } => self.masked.clear(),
                Event::TicketIssued { matter, .. } => stats.issued.push(key(*matter)),
                Event::TicketCalled { ticket, at, .. } => {
                    if let Some(t) = self.hall.ticket(*ticket).filter(|t| t.calls == 1) {
                        stats.called.push((key(t.matter), at.since(t.issued_at) as f64 / 1000.0));
                    }
                }
                Event::ServiceFinished { ticket, .. } => {
                    if let Some(t) = self.hall.ticket(*ticket) {
                        stats.finished.push(key(t.matter));
                    }
                }
                _ => {}
            }
            let (record, wired) = wire::record(&self.hall, seq, now.0, event, by.clone());
            self.unfolded.push((wired, now.0));
            staged.push(record);
            last = Some(seq);
        }
        stats.events = staged.len() as u64;
        last
    }

    /// Writes the batch in one durable transaction, off the async threads; returns its duration.
    async fn commit(&self, staged: &[Record]) -> Result<f64, StoreError> {
        let store = self.store.clone();
        let records = staged.to_vec();
        let started = std::time::Instant::now();
        match tokio::task::spawn_blocking(move || store.append(&records)).await {
            Ok(result) => result.map(|()| started.elapsed().as_secs_f64()),
            Err(e) => Err(StoreError::Io(format!("ledger task failed: {e}"))),
        }
    }

    /// After a durable commit: new state first, then events, so a subscriber never misses one.
    fn publish(&mut self, staged: Vec<Record>, stats: BatchStats, commit_seconds: f64) {
        self.seq = staged.last().map_or(self.seq, |r| r.seq);
        // Before any answer goes out: the gateway's task, told its message is recorded, must not see it
        // pending any more.
        let outbox_changed = staged.iter().any(|r| {
            matches!(r.event, Event::MessageQueued { .. } | Event::MessageSent { .. } | Event::DayOpened { .. })
        });
        if outbox_changed {
            self.outbox_out.send_replace(Arc::new(super::gateway::outbox(&self.hall)));
        }
        tracing::debug!(
            seq = self.seq,
            commands = stats.commands,
            events = staged.len(),
            commit_ms = commit_seconds * 1000.0,
            "batch committed"
        );
        for record in &staged {
            // A new day is stored: the previous day's ID hashes are needed no more; destroy their key.
            if let Event::DayOpened { date, at } = &record.event {
                if let Err(e) = self.hasher.forget_before(*date) {
                    tracing::error!(error = %e, "cannot destroy the previous day's ID-hash key");
                }
                // The no-show rule looks back over misses of bookings made up to `days_ahead` earlier.
                let rules = self.hall.config().rules.booking;
                let span = rules.missed_within_days + rules.block_days + rules.days_ahead;
                let back = crate::core::Date::from_days(date.to_days() - i64::from(span));
                if let Err(e) = self.hasher.forget_history_before(back) {
                    tracing::error!(error = %e, "cannot destroy the history keys past the no-show rule");
                }
                // And ID hashes older than the retention period leave the data directory (PIPL).
                let (store, at, days) = (self.store.clone(), *at, self.id_retention_days);
                tokio::task::spawn_blocking(move || match store.forget_ids(at, days) {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(tickets = n, days, "ID hashes past the retention period forgotten"),
                    Err(e) => tracing::error!(error = %e, "cannot forget ID hashes past the retention period"),
                });
            }
        }
        // Durable now: into the terminals' view, then out to every terminal.
        // Unsettled: the derived counts are computed when a snapshot is built, not per batch.
        for (event, at) in self.unfolded.drain(..) {
            self.view.fold_unsettled(&event, at);
        }
        self.state = None;
        for record in staged {
            // No receiver is fine: nobody is watching.
            let _ = self.events.send(Arc::new(Published { seq: record.seq, is_event: true, text: record.wire.into() }));
        }
        let config = self.hall.config();
        let waiting = config
            .matters
            .iter()
            .enumerate()
            .map(|(i, m)| (m.key.clone(), self.hall.waiting(crate::core::MatterId(i as u16)) as u64))
            .collect::<Vec<_>>();
        self.metrics.batch(stats, commit_seconds, waiting.into_iter());
    }

    /// The checked time: the wall clock while it agrees with the monotonic clock (logged when not).
    fn now(&mut self) -> Timestamp {
        let (reading, change) = self.time.read((self.clock)(), self.started.elapsed());
        match change {
            Change::None => {}
            Change::Jumped(ms) => tracing::warn!(
                jump_ms = ms,
                "the wall clock jumped; ignored (time carried by the monotonic clock) until it holds steady"
            ),
            Change::Adopted(ms) => tracing::warn!(jump_ms = ms, "the wall clock's new time held steady; adopted"),
        }
        self.clock_warning = clock::warning(reading.ignored_ms);
        reading.now
    }

    /// After a failed write: the in-memory hall may hold what was not stored, so nothing more is decided
    /// until the ledger is reopened and the hall reloaded from it.
    fn refuse_until_recovered(&mut self, error: &StoreError) {
        self.health.set_refusing(error.to_string());
        self.retry = Some((Instant::now() + RETRY_MIN, RETRY_MIN));
    }

    /// Tries, when due, to reopen the ledger and rebuild the hall from it; `true` when it works again.
    /// Runs on the writer's task: nothing else may touch the hall meanwhile, and a reopen that checks
    /// the chain from the snapshot takes milliseconds.
    fn recover(&mut self) -> bool {
        let Some((due, wait)) = self.retry else { return true };
        if Instant::now() < due {
            return false;
        }
        let loaded = self.store.recover().and_then(|()| load(self.hall.config(), self.store.as_ref()));
        match loaded {
            Ok((hall, seq)) => {
                self.hall = hall;
                self.seq = seq;
                self.retry = None;
                self.health.set_ok();
                let now = self.now();
                self.view = wire::hall_view(&self.hall, now);
                self.state = None;
                tracing::warn!(seq, "the ledger takes writes again; serving commands");
                true
            }
            Err(e) => {
                let wait = (wait * 2).min(RETRY_MAX);
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "the ledger still refuses");
                self.health.set_refusing(e.to_string());
                self.retry = Some((Instant::now() + wait, wait));
                false
            }
        }
    }
}
