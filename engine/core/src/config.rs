//! The hall as configured: typed, already validated (see `crate::config` for the TOML side).
//!
//! A `HallConfig` is what the core trusts: every reference resolves, prefixes are unique, targets are
//! positive. The TOML loader is the only producer outside tests.

use super::model::{ClerkId, MatterId, MatterSet, WindowId, WindowKind};
use super::staffing::StaffingRules;
use super::time::MINUTE_MS;
pub use crate::routing::Policy;
use serde::{Deserialize, Serialize};

/// A kind of business citizens come for (事项).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterSpec {
    /// Stable key used in config, on the wire and in reports, e.g. `real_estate`.
    pub key: String,
    /// Chinese name, shown first.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Ticket prefix letter, `A`–`Z`.
    pub prefix: char,
    /// The wait the hall aims to stay under, in milliseconds.
    pub target_wait_ms: i64,
    /// The handling-time norm that seeds the average handling time, in milliseconds.
    pub handling_norm_ms: i64,
    /// Tickets issued per day at most, if capped (限号); online bookings count toward it.
    pub daily_cap: Option<u32>,
    /// Places per slot for online booking (预约号源); `None`: not bookable online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_per_slot: Option<u32>,
    /// Whether a ticket needs an ID number (实名取号).
    #[serde(default, skip_serializing_if = "RealName::is_default")]
    pub real_name: RealName,
    /// How many tickets one ID may hold for this matter.
    #[serde(default, skip_serializing_if = "PerId::is_default")]
    pub per_id: PerId,
    /// Taken out of service by a layout change: kept so the ledger's old events still name it, never
    /// offered again (see [`crate::layout`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// Whether a matter's tickets are taken with an ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RealName {
    /// An ID number is needed (`id_required` without one).
    Required,
    /// An ID number may be given (needed only to prove a green-channel age).
    #[default]
    Optional,
    /// No ID number is taken: one given is not kept.
    Off,
}

impl RealName {
    fn is_default(&self) -> bool {
        *self == RealName::default()
    }
}

/// Tickets one ID may hold for a matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerId {
    /// One open ticket at a time: a new one once the last has ended.
    #[default]
    Open,
    /// One ticket a day, whatever became of it (against ticket scalping, 号贩子).
    Day,
}

impl PerId {
    fn is_default(&self) -> bool {
        *self == PerId::default()
    }
}

/// A service counter (窗口).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowSpec {
    /// Stable key, e.g. `w05`.
    pub key: String,
    /// The number shown on displays and announced, e.g. 5.
    pub number: u16,
    /// Name shown on its window display.
    pub name: String,
    /// Zone of the hall, e.g. `A区`.
    pub zone: String,
    /// The matters it serves at the start of the day.
    pub skills: MatterSet,
    /// Its own matter: the first it serves in the configuration (the `own_matter_first` policy).
    pub home: Option<MatterId>,
    /// Regular, green channel or standby.
    pub kind: WindowKind,
    /// Its own working hours, in local minutes `[from, to)`, when they differ from the hall's: later
    /// (延时服务, its matters issue until it ends) or through the lunch break (错时服务).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<(u32, u32)>,
    /// Taken out of service by a layout change (see [`MatterSpec::retired`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// A clerk who may sign in to windows. Their PIN is not here: the server checks PINs before a `SignIn`
/// reaches the core, and keeps the hashes out of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClerkSpec {
    /// Stable key (工号), e.g. `c01`.
    pub key: String,
    /// Name, shown on the clerk console and in reports (never on hall displays).
    pub name: String,
    /// Removed by a layout change (see [`MatterSpec::retired`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// Rules that shape routing and the ticket life cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Routing policy for ordinary tickets.
    pub policy: Policy,
    /// Starvation guard: a ticket that has waited this long is called before anything else.
    pub max_wait_ms: i64,
    /// A no-show goes back this many places behind the head of its queue.
    pub no_show_requeue_places: u32,
    /// A ticket may be re-queued after a no-show this many times; the next no-show ends it.
    pub no_show_max_requeues: u32,
    /// Check-in this long before a slot starts or after it ends still counts as on time.
    pub appointment_grace_ms: i64,
    /// Weight of the newest service in the average handling time (exponential mean), 0 < α ≤ 1.
    pub aht_alpha: f64,
    /// Longest notice a supervisor may post, in characters.
    pub notice_max_chars: usize,
    /// Ended tickets the hall keeps in memory (for a rating, a call back by number, a lookup); older
    /// ones are forgotten, so memory does not grow with the day. The ledger keeps every ticket.
    pub ended_tickets_kept: usize,
    /// Temporary windows: when standby windows open and close themselves.
    pub staffing: StaffingRules,
    /// The arrivals the hall expects by time of day (none: the review looks at the queue only).
    pub forecast: crate::staffing::Forecast,
    /// How long each step of a 差评's rectification case may take.
    pub cases: crate::cases::CaseDeadlines,
    /// The online channel: slots, how far ahead, the no-show rule.
    pub booking: crate::booking::BookingRules,
    /// A ticket followed by message is told its turn is near at this many people ahead.
    pub notify_near_ahead: u32,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            policy: Policy::default(),
            max_wait_ms: 90 * MINUTE_MS,
            no_show_requeue_places: 3,
            no_show_max_requeues: 1,
            appointment_grace_ms: 15 * MINUTE_MS,
            aht_alpha: 0.1,
            notice_max_chars: 200,
            ended_tickets_kept: 2000,
            staffing: StaffingRules::default(),
            forecast: Default::default(),
            cases: crate::cases::CaseDeadlines::default(),
            booking: crate::booking::BookingRules::default(),
            notify_near_ahead: 3,
        }
    }
}

/// Opening hours: when kiosks issue tickets, in minutes after local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    /// First minute tickets are issued.
    pub open_min: u32,
    /// Minute issuing stops; everyone holding a ticket is still served.
    pub close_min: u32,
    /// Capacity cut-off (限号): a matter stops issuing once a new ticket's predicted call time passes
    /// closing time plus this many minutes of extended service (延时服务). `None`: no cut-off.
    pub extension_min: Option<u32>,
    /// The lunch break `[from, to)`, local minutes: windows without a shift through it do not serve, and
    /// estimates step over it.
    pub lunch: Option<(u32, u32)>,
    /// Business weekdays, Monday first (the [`crate::calendar::Calendar`] overrides single dates).
    pub weekdays: [bool; 7],
}

/// A whole hall.
#[derive(Debug, Clone, PartialEq)]
pub struct HallConfig {
    /// The hall's name, shown on displays.
    pub name: String,
    /// Minutes east of UTC (Beijing time: 480).
    pub utc_offset_min: i32,
    /// Opening hours; `None` issues at any time (simulations, demo).
    pub hours: Option<Hours>,
    /// Public holidays and 调休 workdays (with `hours` only).
    pub calendar: crate::calendar::Calendar,
    /// Matters, indexed by [`MatterId`].
    pub matters: Vec<MatterSpec>,
    /// Windows, indexed by [`WindowId`].
    pub windows: Vec<WindowSpec>,
    /// Clerks, indexed by [`ClerkId`].
    pub clerks: Vec<ClerkSpec>,
    /// Routing and life-cycle rules.
    pub rules: Rules,
}

impl HallConfig {
    /// The matter in service with this key (a retired one is never found).
    pub fn matter_by_key(&self, key: &str) -> Option<MatterId> {
        self.matters.iter().position(|m| m.key == key && !m.retired).map(|i| MatterId(i as u16))
    }
    /// The matter in service with this prefix letter.
    pub fn matter_by_prefix(&self, prefix: char) -> Option<MatterId> {
        self.matters.iter().position(|m| m.prefix == prefix && !m.retired).map(|i| MatterId(i as u16))
    }
    /// The window in service with this key.
    pub fn window_by_key(&self, key: &str) -> Option<WindowId> {
        self.windows.iter().position(|w| w.key == key && !w.retired).map(|i| WindowId(i as u16))
    }
    /// The window in service with this display number.
    pub fn window_by_number(&self, number: u16) -> Option<WindowId> {
        self.windows.iter().position(|w| w.number == number && !w.retired).map(|i| WindowId(i as u16))
    }
    /// The clerk with this key, unless removed.
    pub fn clerk_by_key(&self, key: &str) -> Option<ClerkId> {
        self.clerks.iter().position(|c| c.key == key && !c.retired).map(|i| ClerkId(i as u16))
    }
    /// What the ledger names by index: matters, windows and clerks, retired ones included.
    pub fn layout(&self) -> crate::layout::Layout {
        crate::layout::Layout {
            matters: self.matters.clone(),
            windows: self.windows.clone(),
            clerks: self.clerks.clone(),
        }
    }
    /// The matter spec; ids come from this config, so the index is in range.
    pub fn matter(&self, m: MatterId) -> &MatterSpec {
        &self.matters[usize::from(m.0)]
    }
    /// The window spec; ids come from this config, so the index is in range.
    pub fn window(&self, w: WindowId) -> &WindowSpec {
        &self.windows[usize::from(w.0)]
    }
}
