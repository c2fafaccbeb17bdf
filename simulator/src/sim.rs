//! The discrete-event loop: arrivals and service completions on a virtual clock, every decision made
//! by the same `onewindow_core::Hall` the server runs (`IssueTicket`, `CallNext`, `Finish`).
//!
//! Model rules (SCENARIO-FORMAT.md): a window that is free calls at once; when several free windows can
//! take an arriving ticket, the one serving the fewest matters takes it (ties: lowest index). Each
//! ticket's service time and class are drawn at its arrival from its matter's own random streams, so
//! two policies run on the same scenario and seed see the same citizens (common random numbers).

use crate::scenario::{Matter, Mode, Rate, Scenario, Service};
use crate::stats::{EstimateSample, Recorder};
use onewindow_core::{
    ClerkId, ClerkSpec, Command, Date, Event, Forecast, GreenReason, Hall, HallConfig, MatterId, MatterSet, MatterSpec,
    Outcome, Policy, Rules, StaffingMode, StaffingRules, TicketClass, TicketId, Timestamp, WindowId, WindowKind,
    WindowSpec,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

const MINUTE_MS: f64 = 60_000.0;
/// The virtual calendar starts here; steady runs never change the business day.
const EPOCH: Date = Date { year: 2026, month: 1, day: 5 };
/// The hall clock's beat in simulated minutes: `Hall::tick` once a second, as the server calls it.
const TICK_MIN: f64 = onewindow_core::tick::TICK_EVERY_MS as f64 / MINUTE_MS;

/// How standby windows are opened and closed in a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Staffing {
    /// Standby windows stay closed.
    Off,
    /// The scenario's `[staffing] schedule`: a fixed number of open windows per period.
    Schedule,
    /// The core's staffing review, automatic mode, with these rules.
    Auto(StaffingRules),
}

impl Staffing {
    /// The name in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Staffing::Off => "off",
            Staffing::Schedule => "schedule",
            Staffing::Auto(_) => "auto",
        }
    }
}

/// The hall a scenario describes, as the core sees it. The starvation guard is off unless the scenario
/// sets `max_wait_min`, so theory cases see pure priority.
pub fn hall_config(scenario: &Scenario, policy: Policy, max_wait_min: Option<f64>, staffing: Staffing) -> HallConfig {
    let matters = scenario
        .matters
        .iter()
        .enumerate()
        .map(|(i, m)| MatterSpec {
            key: m.id.clone(),
            name_zh: m.name.clone(),
            name_en: m.name.clone(),
            prefix: char::from(b'A' + (i % 26) as u8),
            target_wait_ms: (m.target_wait_min * MINUTE_MS) as i64,
            handling_norm_ms: (m.service.mean() * MINUTE_MS) as i64,
            daily_cap: None,
            booking_per_slot: None,
            real_name: Default::default(),
            per_id: Default::default(),
            retired: false,
        })
        .collect();
    let windows = scenario
        .windows
        .iter()
        .enumerate()
        .map(|(i, w)| WindowSpec {
            key: format!("w{i}"),
            number: (i + 1) as u16,
            name: format!("window {}", i + 1),
            zone: String::new(),
            skills: MatterSet::of(w.serves.iter().map(|m| MatterId(*m as u16))),
            home: w.serves.first().map(|m| MatterId(*m as u16)),
            kind: if w.standby { WindowKind::Standby } else { WindowKind::Regular },
            shift: None,
            retired: false,
        })
        .collect();
    let clerks = (0..scenario.windows.len())
        .map(|i| ClerkSpec { key: format!("c{i}"), name: format!("clerk {i}"), retired: false })
        .collect();
    let rules = Rules {
        policy,
        max_wait_ms: max_wait_min.map_or(i64::MAX / 4, |m| (m * MINUTE_MS) as i64),
        staffing: match staffing {
            Staffing::Auto(rules) => StaffingRules { mode: StaffingMode::Automatic, ..rules },
            Staffing::Off | Staffing::Schedule => StaffingRules::default(),
        },
        // A holder who has left is marked 过号 and not queued again (SCENARIO-FORMAT.md, realism).
        no_show_max_requeues: 0,
        forecast: forecast(scenario),
        ..Rules::default()
    };
    HallConfig {
        name: "simulated hall".into(),
        utc_offset_min: 0,
        hours: None,
        calendar: Default::default(),
        matters,
        windows,
        clerks,
        rules,
    }
}

/// Where standby clerks need minutes to come (`arrival_delay_min`), the hall is taken to know the
/// shape of its day, as a hall does from its history (`onewindow-sim plan`): the scenario's expected
/// arrival rates (never the day's draws) are its forecast, and the staffing review keeps a window it
/// will need again within [`FORECAST_HORIZON_MIN`]. Without a walk an opening costs nothing: no forecast.
fn forecast(scenario: &Scenario) -> Forecast {
    if scenario.arrival_delay_min <= 0.0 || scenario.mode != Mode::Day {
        return Forecast::default();
    }
    let at = |rate: &Rate, minute: f64| match rate {
        Rate::Constant(r) => *r,
        Rate::Profile(segments) => segments.iter().rev().find(|(from, _)| *from <= minute).map_or(0.0, |(_, r)| *r),
    };
    let mut minutes: Vec<f64> = vec![0.0];
    for m in &scenario.matters {
        if let Rate::Profile(segments) = &m.rate {
            minutes.extend(segments.iter().map(|(from, _)| *from));
        }
    }
    minutes.sort_by(f64::total_cmp);
    minutes.dedup();
    let mut rates: Vec<(u32, f64)> = minutes
        .into_iter()
        .map(|minute| (minute as u32, scenario.matters.iter().map(|m| at(&m.rate, minute)).sum::<f64>() * 60.0))
        .collect();
    // Nobody arrives once the hall stops issuing (the simulated hall has no hours of its own).
    if let Some((_, close)) = scenario.hours {
        rates.retain(|(from, _)| f64::from(*from) < close);
        rates.push((close as u32, 0.0));
    }
    Forecast { rates, horizon_min: FORECAST_HORIZON_MIN }
}

/// How far ahead a simulated hall with a walk looks before closing a standby window.
pub const FORECAST_HORIZON_MIN: u32 = 50;

/// One matter's random streams: arrivals, service times, classes, holders who leave.
struct Streams {
    arrivals: ChaCha8Rng,
    service: ChaCha8Rng,
    class: ChaCha8Rng,
    no_show: ChaCha8Rng,
}

fn streams(seed: u64, matter: usize, day: u32) -> Streams {
    let stream = |k: u64| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream((u64::from(day) << 24) | ((matter as u64) << 4) | k);
        rng
    };
    Streams { arrivals: stream(1), service: stream(2), class: stream(3), no_show: stream(4) }
}

fn exponential(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    // 1 - U is in (0, 1], so the logarithm is finite.
    -mean * (1.0 - rng.random::<f64>()).ln()
}

fn service_time(rng: &mut ChaCha8Rng, service: &Service) -> f64 {
    match *service {
        Service::Exponential { mean_min } => exponential(rng, mean_min),
        Service::Deterministic { mean_min } => mean_min,
        Service::Lognormal { mean_min, cv } => {
            let sigma2 = (1.0 + cv * cv).ln();
            let mu = mean_min.ln() - sigma2 / 2.0;
            // Box–Muller: one standard normal from two uniforms.
            let (u1, u2) = (1.0 - rng.random::<f64>(), rng.random::<f64>());
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            (mu + sigma2.sqrt() * z).exp()
        }
    }
}

/// The next arrival after `now` (minutes), or `None` when the rate stays zero until `until`.
fn next_arrival(rng: &mut ChaCha8Rng, rate: &Rate, now: f64, until: f64) -> Option<f64> {
    match rate {
        Rate::Constant(r) => Some(now + exponential(rng, 1.0 / r)).filter(|t| *t < until),
        Rate::Profile(segments) => {
            // Piecewise-constant rate: draw in the current segment; past its end, start afresh at the
            // boundary with the next rate (the exponential forgets).
            let mut t = now;
            loop {
                let idx = segments.iter().rposition(|(from, _)| *from <= t)?;
                let end = segments.get(idx + 1).map_or(until, |(from, _)| from.min(until));
                let r = segments[idx].1;
                if r > 0.0 {
                    let candidate = t + exponential(rng, 1.0 / r);
                    if candidate < end {
                        return Some(candidate);
                    }
                }
                if end >= until {
                    return None;
                }
                t = end;
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A service ends at a window.
    Completion(usize),
    /// A window has waited long enough for an absent holder: 过号.
    NoShow(usize),
    /// The clerk of an opened standby window reaches it.
    ClerkArrives(usize),
    /// The planned staffing changes to this entry of the schedule.
    Staffing(usize),
    /// The hall's clock ticks (`Hall::tick`), every second as in the server.
    Tick,
    /// Issuing stops: from now on, a window with nothing to call closes (the drain).
    Closing,
    /// A citizen of this matter arrives.
    Arrival(usize),
}

/// A time-ordered event; `seq` keeps equal times in insertion order.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Due {
    at: f64,
    seq: u64,
    kind: Kind,
}

impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.at.total_cmp(&other.at).then(self.seq.cmp(&other.seq))
    }
}

/// What a ticket carries from its arrival to its call.
#[derive(Clone, Copy)]
struct Pending {
    arrived: f64,
    service: f64,
    matter: usize,
    green: bool,
    /// The holder has left by the time it is called.
    no_show: bool,
    measured: bool,
    /// The estimate printed at issue (median, p80) and the call-centre one, minutes, when asked for.
    estimate: Option<(f64, f64, f64)>,
}

/// The state of one simulated run (a steady run, or one day).
pub struct Run<'a> {
    scenario: &'a Scenario,
    hall: Hall,
    queue: BinaryHeap<Reverse<Due>>,
    seq: u64,
    streams: Vec<Streams>,
    tickets: HashMap<TicketId, Pending>,
    /// Window indices ordered by (skills, index): who takes an arrival first.
    order: Vec<usize>,
    busy: Vec<bool>,
    busy_min: Vec<f64>,
    busy_since: Vec<f64>,
    /// Whether each window is open, and since when.
    open: Vec<Option<f64>>,
    /// Open intervals of windows since closed, `(from, to)` in minutes.
    intervals: Vec<(f64, f64)>,
    /// Standby windows opened by the staffing review: how many times, and their closed intervals.
    pub review_openings: u32,
    /// Standby windows opened (by the review or the schedule): each a clerk called from the back office.
    pub standby_openings: u32,
    /// Open intervals of standby windows the staffing review closed, minutes.
    pub review_closed: Vec<(f64, f64)>,
    /// Standby windows to close once their current service ends.
    closing: Vec<bool>,
    /// Whether to record the wait estimate given at issue.
    pub estimates: bool,
    /// Whether the core's staffing review opens and closes standby windows.
    auto: bool,
    /// Per matter, the exponential average of waits a call centre announces, minutes.
    holdtime: Vec<f64>,
    /// Issuing has stopped: windows close once nothing waits for them.
    draining: bool,
    /// Tickets issued so far.
    pub issued: u64,
    /// Measured tickets called so far.
    pub measured_called: u64,
    /// The last completion time.
    pub last_event: f64,
}

impl<'a> Run<'a> {
    /// A run with the hall open and every regular window staffed at time 0.
    pub fn new(scenario: &'a Scenario, config: HallConfig, day: u32) -> Run<'a> {
        let mut hall = Hall::new(config);
        let start = Timestamp(EPOCH.at_minute(0, 0).0);
        let _ = hall.execute(&Command::OpenDay { date: EPOCH }, start);
        for (i, w) in scenario.windows.iter().enumerate() {
            if !w.standby {
                let sign_in = Command::SignIn { window: WindowId(i as u16), clerk: ClerkId(i as u16) };
                let _ = hall.execute(&sign_in, start);
            }
        }
        let auto = hall.config().rules.staffing.mode == StaffingMode::Automatic;
        let mut order: Vec<usize> = (0..scenario.windows.len()).collect();
        order.sort_by_key(|i| (scenario.windows[*i].serves.len(), *i));
        let streams = (0..scenario.matters.len()).map(|m| streams(scenario.seed, m, day)).collect();
        let n = scenario.windows.len();
        Run {
            scenario,
            hall,
            queue: BinaryHeap::new(),
            seq: 0,
            streams,
            tickets: HashMap::new(),
            order,
            busy: vec![false; n],
            busy_min: vec![0.0; n],
            busy_since: vec![0.0; n],
            open: scenario.windows.iter().map(|w| (!w.standby).then_some(0.0)).collect(),
            intervals: Vec::new(),
            review_openings: 0,
            standby_openings: 0,
            review_closed: Vec::new(),
            closing: vec![false; n],
            estimates: false,
            auto,
            holdtime: vec![0.0; scenario.matters.len()],
            draining: false,
            issued: 0,
            measured_called: 0,
            last_event: 0.0,
        }
    }

    fn at(minutes: f64) -> Timestamp {
        Timestamp(EPOCH.at_minute(0, 0).0 + (minutes * MINUTE_MS).round() as i64)
    }

    fn push(&mut self, at: f64, kind: Kind) {
        self.seq += 1;
        self.queue.push(Reverse(Due { at, seq: self.seq, kind }));
    }

    /// Schedules each matter's first arrival after `from`, arrivals stopping at `until`.
    pub fn start_arrivals(&mut self, from: f64, until: f64) {
        for m in 0..self.scenario.matters.len() {
            let rate = &self.scenario.matters[m].rate;
            if let Some(t) = next_arrival(&mut self.streams[m].arrivals, rate, from, until) {
                self.push(t, Kind::Arrival(m));
            }
        }
    }

    /// Runs until no event is left, or `stop` says so after an event.
    pub fn run(&mut self, until: f64, rec: &mut Recorder, measure: &dyn Fn(u64) -> bool, stop: &dyn Fn(&Run) -> bool) {
        while let Some(Reverse(due)) = self.queue.pop() {
            self.last_event = due.at;
            match due.kind {
                Kind::Arrival(m) => self.arrive(m, due.at, until, rec, measure),
                Kind::Completion(w) => self.complete(w, due.at, rec),
                Kind::NoShow(w) => {
                    let no_show = Command::NoShow { window: WindowId(w as u16) };
                    let _ = self.hall.execute(&no_show, Run::at(due.at));
                    self.free(w, due.at, rec);
                }
                Kind::ClerkArrives(w) => {
                    if self.open[w].is_some() {
                        self.sign_in(w, due.at, rec);
                    }
                }
                Kind::Staffing(i) => self.staff(i, due.at, rec),
                Kind::Tick => {
                    self.tick(due.at, rec);
                    // Keep ticking while anything else is still to happen.
                    if !self.queue.is_empty() {
                        self.push(due.at + TICK_MIN, Kind::Tick);
                    }
                }
                Kind::Closing => {
                    self.draining = true;
                    for w in 0..self.busy.len() {
                        self.drain(w, due.at);
                    }
                }
            }
            if stop(self) {
                break;
            }
        }
    }

    fn arrive(&mut self, m: usize, now: f64, until: f64, rec: &mut Recorder, measure: &dyn Fn(u64) -> bool) {
        let matter: &Matter = &self.scenario.matters[m];
        if let Some(t) = next_arrival(&mut self.streams[m].arrivals, &matter.rate, now, until) {
            self.push(t, Kind::Arrival(m));
        }
        let service = service_time(&mut self.streams[m].service, &matter.service);
        let green = matter.green_share > 0.0 && self.streams[m].class.random::<f64>() < matter.green_share;
        let no_show = matter.no_show_share > 0.0 && self.streams[m].no_show.random::<f64>() < matter.no_show_share;
        let issue = Command::IssueTicket {
            matter: MatterId(m as u16),
            green: green.then_some(GreenReason::Pregnant),
            holder: None,
            source: None,
        };
        // The estimate a kiosk would print, taken before the ticket exists (as the kiosk does).
        let estimate = if self.estimates {
            let class = if green { TicketClass::Green } else { TicketClass::Normal };
            self.hall
                .estimate(MatterId(m as u16), class, Run::at(now))
                .wait_ms
                .map(|(a, b)| (a as f64 / MINUTE_MS, b as f64 / MINUTE_MS, self.holdtime[m]))
        } else {
            None
        };
        let Ok(events) = self.hall.execute(&issue, Run::at(now)) else { return };
        let Some(Event::TicketIssued { ticket, .. }) = events.first() else { return };
        let measured = measure(self.issued);
        self.issued += 1;
        rec.arrival(now, m);
        self.tickets.insert(*ticket, Pending { arrived: now, service, matter: m, green, no_show, measured, estimate });
        // The free window serving the fewest matters takes it.
        let free = self
            .order
            .iter()
            .copied()
            .find(|w| self.open[*w].is_some() && !self.busy[*w] && self.scenario.windows[*w].serves.contains(&m));
        if let Some(w) = free {
            self.call(w, now, rec);
        }
    }

    /// Starts the hall's clock: `Hall::tick` every second from `from`, the server's cadence (day
    /// mode; steady mode is a queueing experiment with no calendar, no staffing and no cut-off, so
    /// nothing in it happens because time passes).
    pub fn start_ticks(&mut self, from: f64) {
        self.push(from, Kind::Tick);
    }

    /// Issuing stops at `close`: windows with nothing left to call close from then on.
    pub fn start_closing(&mut self, close: f64) {
        self.push(close, Kind::Closing);
    }

    /// Ticks the hall and carries out what the staffing review decided: an opened standby window is
    /// staffed at once and calls; a closed one stops counting.
    fn tick(&mut self, now: f64, rec: &mut Recorder) {
        let events = self.hall.tick(Run::at(now));
        for event in &events {
            self.hall.apply(event);
        }
        for event in events {
            match event {
                Event::WindowOpened { window, .. } => {
                    self.review_openings += 1;
                    self.staff_opened(usize::from(window.0), now, rec);
                }
                Event::WindowClosed { window, .. } => {
                    if let Some(interval) = self.closed(usize::from(window.0), now) {
                        self.review_closed.push(interval);
                    }
                }
                _ => {}
            }
        }
    }

    /// After closing time, an idle window that nothing waits for goes home (automatic standby windows
    /// are left to the staffing review, which keeps its minimum open time).
    fn drain(&mut self, w: usize, now: f64) {
        let managed = self.auto && self.scenario.windows[w].standby;
        if self.draining && !managed && self.open[w].is_some() && !self.busy[w] {
            self.close_window(w, now);
        }
    }

    fn complete(&mut self, w: usize, now: f64, rec: &mut Recorder) {
        let _ = self
            .hall
            .execute(&Command::Finish { window: WindowId(w as u16), outcome: Outcome::Completed }, Run::at(now));
        self.free(w, now, rec);
    }

    /// Window `w` is done with its ticket: it closes if it was to, else calls the next one (or goes home
    /// after closing time).
    fn free(&mut self, w: usize, now: f64, rec: &mut Recorder) {
        self.busy[w] = false;
        self.busy_min[w] += now - self.busy_since[w];
        if self.closing[w] {
            self.close_window(w, now);
        } else {
            self.call(w, now, rec);
            self.drain(w, now);
        }
    }

    /// Schedules the planned-staffing changes, the first from `open`.
    pub fn start_schedule(&mut self, open: f64) {
        let times: Vec<f64> = self.scenario.schedule.iter().flatten().map(|(from, _)| from.max(open)).collect();
        for (i, at) in times.into_iter().enumerate() {
            self.push(at, Kind::Staffing(i));
        }
    }

    /// Brings the open windows to the schedule's count: standby windows open in order and close in
    /// reverse order, a busy one after its current service.
    fn staff(&mut self, entry: usize, now: f64, rec: &mut Recorder) {
        let Some(&(_, target)) = self.scenario.schedule.as_ref().and_then(|s| s.get(entry)) else { return };
        let standby: Vec<usize> =
            (0..self.scenario.windows.len()).filter(|w| self.scenario.windows[*w].standby).collect();
        let open_now = self.open.iter().zip(&self.closing).filter(|(o, c)| o.is_some() && !**c).count();
        let target = target as usize;
        if target > open_now {
            let mut missing = target - open_now;
            for &w in &standby {
                if missing == 0 {
                    break;
                }
                if self.closing[w] {
                    self.closing[w] = false;
                    missing -= 1;
                } else if self.open[w].is_none() {
                    let _ = self.hall.execute(&Command::OpenWindow { window: WindowId(w as u16) }, Run::at(now));
                    missing -= 1;
                    self.staff_opened(w, now, rec);
                }
            }
        } else {
            let mut extra = open_now - target;
            for &w in standby.iter().rev() {
                if extra == 0 {
                    break;
                }
                if self.open[w].is_some() && !self.closing[w] {
                    if self.busy[w] {
                        self.closing[w] = true;
                    } else {
                        self.close_window(w, now);
                    }
                    extra -= 1;
                }
            }
        }
    }

    fn close_window(&mut self, w: usize, now: f64) {
        let _ = self.hall.execute(&Command::CloseWindow { window: WindowId(w as u16) }, Run::at(now));
        self.closed(w, now);
    }

    /// A window the core has just opened counts as open from now; its clerk signs in and calls once they
    /// reach it (`arrival_delay_min` later: a standby clerk comes from the back office).
    fn staff_opened(&mut self, w: usize, now: f64, rec: &mut Recorder) {
        self.open[w] = Some(now);
        self.standby_openings += 1;
        let delay = self.scenario.arrival_delay_min;
        if delay > 0.0 {
            self.push(now + delay, Kind::ClerkArrives(w));
        } else {
            self.sign_in(w, now, rec);
        }
    }

    /// The clerk signs in at window `w`, which calls.
    fn sign_in(&mut self, w: usize, now: f64, rec: &mut Recorder) {
        let sign_in = Command::SignIn { window: WindowId(w as u16), clerk: ClerkId(w as u16) };
        let _ = self.hall.execute(&sign_in, Run::at(now));
        self.call(w, now, rec);
    }

    /// A window the core has just closed stops counting; returns the open interval it ends.
    fn closed(&mut self, w: usize, now: f64) -> Option<(f64, f64)> {
        self.closing[w] = false;
        let interval = self.open[w].take().map(|since| (since, now))?;
        self.intervals.push(interval);
        Some(interval)
    }

    /// Regular windows count as open from `from` (the opening time of a day).
    pub fn open_regular_from(&mut self, from: f64) {
        for (w, open) in self.open.iter_mut().enumerate() {
            if !self.scenario.windows[w].standby {
                *open = Some(from);
            }
        }
    }

    /// Every open interval, windows still open counted until `end`.
    pub fn open_intervals(&self, end: f64) -> Vec<(f64, f64)> {
        let still = self.open.iter().flatten().map(|since| (*since, end.max(*since)));
        self.intervals.iter().copied().chain(still).collect()
    }

    /// Window `w` calls the next ticket, if any waits for it.
    fn call(&mut self, w: usize, now: f64, rec: &mut Recorder) {
        let Ok(events) = self.hall.execute(&Command::CallNext { window: WindowId(w as u16) }, Run::at(now)) else {
            return;
        };
        let Some(Event::TicketCalled { ticket, .. }) = events.first() else { return };
        let Some(p) = self.tickets.remove(ticket) else { return };
        self.busy[w] = true;
        self.busy_since[w] = now;
        if p.no_show {
            // The holder has left: the window waits, marks 过号, and calls again. Not a wait.
            rec.no_shows += u64::from(p.measured);
            self.push(now + self.scenario.no_show_wait_min, Kind::NoShow(w));
            return;
        }
        // Asterisk's app_queue: holdtime = (3 * holdtime + newholdtime) / 4, per queue.
        self.holdtime[p.matter] = (3.0 * self.holdtime[p.matter] + (now - p.arrived)) / 4.0;
        if p.measured {
            self.measured_called += 1;
            rec.wait(p.arrived, now - p.arrived, p.matter, p.green);
            if let Some((median, p80, asterisk)) = p.estimate {
                rec.estimates.push(EstimateSample { median, p80, asterisk, actual: now - p.arrived });
            }
        }
        self.push(now + p.service, Kind::Completion(w));
    }

    /// Each window's busy minutes so far.
    pub fn busy_minutes(&self) -> &[f64] {
        &self.busy_min
    }
}
