//! Server → client: replies to requests, errors, the hall snapshot and live events.
//!
//! Every event has a `seq` that grows by one per event and never repeats; a client that reconnects
//! with `since` gets every event after it, in order, none twice. Times are milliseconds since the
//! Unix epoch.

use crate::codes::ErrorCode;
use crate::vocab::{
    CaseStepKind, EndReason, GreenReason, Outcome, Rating, TicketClass, TicketState, WindowKind, WindowStatus,
};
use crate::Role;
use serde::{Deserialize, Serialize};

/// One message from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// A request succeeded.
    Reply {
        /// The request's `id`.
        id: u64,
        /// The `seq` of the last event the request caused, if it caused any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seq: Option<u64>,
        /// What the request produced.
        result: ReplyResult,
    },
    /// A request failed; nothing changed.
    Error {
        /// The request's `id`, if it could be read.
        id: Option<u64>,
        /// Stable code.
        code: ErrorCode,
        /// Human-readable detail, for logs.
        message: String,
    },
    /// The hall as it is, sent after `hello` (when not resuming).
    Snapshot {
        /// The `seq` of the last event included in it.
        seq: u64,
        /// The hall.
        hall: HallView,
    },
    /// The matters' wait estimates changed (sent at most once a second, and after catching up). Not an
    /// event: estimates are derived from the hall and the time, and are never stored.
    Estimates {
        /// Every matter's estimate, in matter order.
        matters: Vec<MatterEstimate>,
    },
    /// The mobile ticket's view of its ticket, sent after `follow` and whenever it changes (at most
    /// once a second). Not an event: only a `follow` session receives it.
    TicketView {
        /// The ticket.
        ticket: FollowedTicket,
        /// The hall's public figures.
        hall: PublicHall,
    },
    /// Something happened.
    Event {
        /// Position in the event stream.
        seq: u64,
        /// When.
        at: i64,
        /// What.
        event: WireEvent,
    },
}

/// What a successful request returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplyResult {
    /// `hello` accepted.
    Welcome {
        /// Protocol version spoken.
        protocol: u32,
        /// The device's role.
        role: Role,
        /// The windows the device is bound to (clerk terminal, evaluator).
        windows: Vec<u16>,
    },
    /// `follow` accepted: the session follows this ticket.
    Following {
        /// Protocol version spoken.
        protocol: u32,
        /// The ticket's number.
        ticket: String,
    },
    /// A ticket was issued, called or changed; here it is.
    Ticket {
        /// The ticket.
        ticket: TicketView,
    },
    /// Done, nothing to return.
    Ok {},
}

/// A ticket as terminals see it. No name and no ID number, ever; clerks get a masked ID.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketView {
    /// Number, e.g. `A023`.
    pub number: String,
    /// Matter key (after any transfer).
    pub matter: String,
    /// Class.
    pub class: TicketClass,
    /// Green-channel reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub green: Option<GreenReason>,
    /// State.
    pub state: TicketState,
    /// Issue time.
    pub issued_at: i64,
    /// Window number it is at or was last at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u16>,
    /// Tickets ahead of it in its matter's queue when waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ahead: Option<u32>,
    /// The citizen's ID, masked (`110***********002X`): only in replies to the clerk who called it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_masked: Option<String>,
    /// The wait estimate printed on the ticket: only in the reply to the kiosk that issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<WaitEstimate>,
    /// A green channel asked for without an ID to prove it (自报), not yet confirmed by a clerk.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
    /// The mobile ticket's capability (`/t/<capability>`, the QR code): only in the reply to the kiosk
    /// that issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
}

/// One ticket as its holder's phone sees it (the mobile ticket).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowedTicket {
    /// Number, e.g. `A023`.
    pub number: String,
    /// Matter key (after any transfer).
    pub matter: String,
    /// The matter's Chinese name.
    pub name_zh: String,
    /// The matter's English name.
    pub name_en: String,
    /// State.
    pub state: TicketState,
    /// Issue time.
    pub issued_at: i64,
    /// The window it is called to or served at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u16>,
    /// While it waits: the people a window would call first and, when the hall can tell, the wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<WaitEstimate>,
}

/// What any citizen in the hall can see on its walls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicHall {
    /// The hall's name.
    pub name: String,
    /// The business date.
    pub date: String,
    /// People waiting for the ticket's matter.
    pub waiting: u32,
    /// The supervisor's notice, if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notice: String,
}

/// How long a new ticket would wait (约 12–18 分钟). Without enough to go on (no window serving the
/// matter open, or a queue too long to walk), only the people ahead are given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WaitEstimate {
    /// People who would be called first.
    pub ahead: u32,
    /// Median wait, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_ms: Option<i64>,
    /// 80th percentile of the wait, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p80_ms: Option<i64>,
}

/// The numbers behind a staffing change (temporary windows), as the supervisor wall shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffingView {
    /// The matter whose queue decided it.
    pub matter: String,
    /// People waiting for it.
    pub waiting: u32,
    /// Windows serving it (before the change).
    pub windows: u16,
    /// Predicted median wait of a new ticket, milliseconds (for a closing: without the window);
    /// absent when no window serves it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_ms: Option<i64>,
    /// Its target wait, milliseconds.
    pub target_ms: i64,
    /// Its average handling time, milliseconds.
    pub aht_ms: i64,
}

/// A standby window the staffing review asks to open (advisory mode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffingRequestView {
    /// Window number.
    pub window: u16,
    /// Why.
    pub staffing: StaffingView,
}

/// Why a ticket was called.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum CallReasonView {
    /// Waited past the hall's maximum.
    MaxWait {
        /// Wait in milliseconds.
        wait_ms: i64,
    },
    /// Sent to this window.
    Targeted,
    /// Returning from hold or transfer.
    Returning,
    /// Appointment inside its slot.
    Appointment,
    /// Green channel.
    Green,
    /// Chosen by the routing policy.
    Policy {
        /// Policy name.
        policy: String,
        /// Wait in milliseconds.
        wait_ms: i64,
        /// The matter's target wait in milliseconds.
        target_ms: i64,
        /// Whether this window was the only one serving the matter.
        protected: bool,
    },
    /// Appointment checked in early, nobody else waiting.
    EarlyAppointment,
    /// Called by number.
    ByNumber,
}

/// Events as terminals receive them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireEvent {
    /// A business day started.
    DayOpened {
        /// Local date, `YYYY-MM-DD`.
        date: String,
        /// Every window's matters as the day starts (the configured layout), so a terminal can reset
        /// its windows without asking for the hall.
        #[serde(default)]
        windows: Vec<WindowLayout>,
    },
    /// The hall's layout changed (a reload or a restart with a changed configuration): matters or
    /// windows added, renamed or retired. A terminal replaces its lists with these.
    LayoutChanged {
        /// Every matter in service, as in a snapshot.
        matters: Vec<MatterView>,
        /// Every window in service, as in a snapshot.
        windows: Vec<WindowView>,
    },
    /// A clerk was locked out of signing in after too many wrong PINs (the supervisor wall shows it).
    ClerkLocked {
        /// The clerk's 工号 (key).
        clerk: String,
        /// Wrong PINs in a row.
        failures: u32,
        /// When the lock ends (ms since the epoch).
        until: i64,
    },
    /// The business day closed.
    DayClosed {},
    /// A ticket was issued.
    TicketIssued {
        /// The ticket.
        ticket: TicketView,
        /// The kiosk that issued it (its device name), which a print agent follows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kiosk: Option<String>,
    },
    /// An appointment was booked.
    AppointmentBooked {
        /// Booking code.
        code: String,
        /// Matter key.
        matter: String,
        /// Slot start.
        start: i64,
        /// Slot end.
        end: i64,
    },
    /// A booking was cancelled (its place is free again).
    AppointmentCancelled {
        /// Booking code.
        code: String,
    },
    /// A booking moved to another slot.
    AppointmentRescheduled {
        /// Booking code.
        code: String,
        /// New slot start.
        start: i64,
        /// New slot end.
        end: i64,
    },
    /// A ticket was cancelled.
    TicketCancelled {
        /// Ticket number.
        ticket: String,
    },
    /// A clerk signed in.
    ClerkSignedIn {
        /// Window number.
        window: u16,
        /// The clerk's 工号 (key in the hall config), never their name.
        clerk: String,
    },
    /// A clerk signed out.
    ClerkSignedOut {
        /// Window number.
        window: u16,
    },
    /// A window paused.
    WindowPaused {
        /// Window number.
        window: u16,
    },
    /// A window resumed.
    WindowResumed {
        /// Window number.
        window: u16,
    },
    /// A ticket was called: displays show and announce it.
    TicketCalled {
        /// Ticket number.
        ticket: String,
        /// Matter key.
        matter: String,
        /// Window number.
        window: u16,
        /// Why this ticket.
        reason: CallReasonView,
        /// When it was issued (a ticket called back by number after it ended is open again).
        #[serde(default)]
        issued_at: i64,
    },
    /// A ticket was called again: displays announce it again.
    TicketRecalled {
        /// Ticket number.
        ticket: String,
        /// Window number.
        window: u16,
        /// Recalls so far.
        recalls: u32,
    },
    /// Service started.
    ServiceStarted {
        /// Ticket number.
        ticket: String,
        /// Window number.
        window: u16,
    },
    /// Service finished.
    ServiceFinished {
        /// Ticket number.
        ticket: String,
        /// Window number.
        window: u16,
        /// Outcome.
        outcome: Outcome,
        /// Service time in milliseconds.
        service_ms: i64,
        /// Matter key the service was for.
        #[serde(default)]
        matter: String,
        /// That matter's average handling time after this service, milliseconds.
        #[serde(default)]
        aht_ms: i64,
    },
    /// The citizen did not come.
    TicketNoShow {
        /// Ticket number.
        ticket: String,
        /// Window number.
        window: u16,
        /// Whether it went back into the queue.
        requeued: bool,
    },
    /// A ticket was transferred.
    TicketTransferred {
        /// Ticket number.
        ticket: String,
        /// Window number it left.
        from_window: u16,
        /// Matter key now.
        matter: String,
        /// Window number it waits for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_window: Option<u16>,
        /// Whether it goes first.
        first: bool,
    },
    /// A ticket was put aside.
    TicketHeld {
        /// Ticket number.
        ticket: String,
        /// Window number.
        window: u16,
    },
    /// A held ticket came back.
    HeldTicketResumed {
        /// Ticket number.
        ticket: String,
        /// Window number.
        window: u16,
    },
    /// The clerk kept (`kept`) or downgraded a self-declared green-channel class (自报).
    ClassConfirmed {
        /// Ticket number.
        ticket: String,
        /// Window number.
        window: u16,
        /// Kept as green (`false`: an ordinary ticket now).
        kept: bool,
    },
    /// A ticket was rated.
    TicketRated {
        /// Ticket number.
        ticket: String,
        /// Window number.
        window: u16,
        /// Rating.
        rating: Rating,
        /// The reason given for a low rating, a key of the hall's `rating_reasons`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The citizen's own words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// A 差评 opened a rectification case (right after its `ticket_rated`).
    CaseOpened {
        /// The case.
        case: CaseView,
    },
    /// A step of a case was done; `resolved` closes it.
    CaseProgressed {
        /// The case's number.
        case: u32,
        /// The step.
        step: CaseStepKind,
        /// Who it is assigned to (for `assigned`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        /// What was done.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// A ticket ended when the day closed.
    TicketEnded {
        /// Ticket number.
        ticket: String,
        /// Why.
        reason: EndReason,
    },
    /// A window opened. A standby window opened by the staffing review (or on its request) is
    /// announced by the displays (临时窗口 7 已开放，办理 不动产登记).
    WindowOpened {
        /// Window number.
        window: u16,
        /// Its kind.
        window_kind: WindowKind,
        /// Matter keys it serves.
        matters: Vec<String>,
        /// The staffing review's numbers, when it opened the window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staffing: Option<StaffingView>,
    },
    /// A window closed.
    WindowClosed {
        /// Window number.
        window: u16,
        /// The staffing review's numbers, when it closed the window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staffing: Option<StaffingView>,
    },
    /// Advisory staffing: the review asks for a standby window to open; its clerk accepts.
    StaffingRequested {
        /// The request.
        request: StaffingRequestView,
    },
    /// The request for this window is no longer needed.
    StaffingWithdrawn {
        /// Window number.
        window: u16,
    },
    /// A window's skills changed.
    SkillsChanged {
        /// Window number.
        window: u16,
        /// Matter keys.
        matters: Vec<String>,
    },
    /// A citizen at a kiosk asked for help (代书代填).
    HelpRequested {
        /// The kiosk's device name.
        kiosk: String,
    },
    /// A supervisor saw to a kiosk's help requests.
    HelpAnswered {
        /// The kiosk's device name.
        kiosk: String,
    },
    /// The notice changed (empty: none).
    NoticePosted {
        /// Text.
        text: String,
    },
    /// Capacity cut-off (限号): the matter stopped issuing ordinary tickets (a new one would be called
    /// after closing time plus the extension). Kiosks show it as stopped.
    IssuingStopped {
        /// Matter key.
        matter: String,
    },
    /// The matter issues again.
    IssuingResumed {
        /// Matter key.
        matter: String,
    },
    /// A ticket's holder asked for messages (到号提醒). The phone number is never on the wire.
    Subscribed {
        /// Ticket number.
        ticket: String,
    },
    /// A message about a ticket is due; the server sends it to the hall's gateway until acknowledged.
    MessageQueued {
        /// Its number (the gateway's idempotency key).
        message: u64,
        /// Ticket number.
        ticket: String,
        /// `near` or `called`.
        message_kind: MessageKind,
        /// People ahead (near).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ahead: Option<u32>,
        /// Window number (called).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<u16>,
    },
    /// The gateway acknowledged a message.
    MessageSent {
        /// Its number.
        message: u64,
    },
}

/// What a message to a citizen's phone says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Their turn is near.
    Near,
    /// They are called to a window.
    Called,
}

impl WireEvent {
    /// Every `kind`, in declaration order.
    pub const KINDS: &'static [&'static str] = &[
        "day_opened",
        "day_closed",
        "ticket_issued",
        "appointment_booked",
        "appointment_cancelled",
        "appointment_rescheduled",
        "ticket_cancelled",
        "clerk_signed_in",
        "clerk_signed_out",
        "window_paused",
        "window_resumed",
        "ticket_called",
        "ticket_recalled",
        "service_started",
        "service_finished",
        "ticket_no_show",
        "ticket_transferred",
        "ticket_held",
        "held_ticket_resumed",
        "ticket_rated",
        "ticket_ended",
        "window_opened",
        "window_closed",
        "staffing_requested",
        "staffing_withdrawn",
        "skills_changed",
        "help_requested",
        "help_answered",
        "notice_posted",
        "issuing_stopped",
        "issuing_resumed",
        "subscribed",
        "message_queued",
        "message_sent",
        "layout_changed",
        "clerk_locked",
        "class_confirmed",
        "case_opened",
        "case_progressed",
    ];
}

/// The hall at a moment: what a display or supervisor needs to draw itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HallView {
    /// Hall name.
    pub name: String,
    /// Business date, if a day is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Notice (empty: none).
    pub notice: String,
    /// Matters.
    pub matters: Vec<MatterView>,
    /// Windows.
    pub windows: Vec<WindowView>,
    /// The latest calls, newest first (at most 8).
    pub recent_calls: Vec<CallView>,
    /// The latest help requests from kiosks, newest first.
    pub help: Vec<HelpView>,
    /// Advisory staffing: standby windows the review asks to open.
    #[serde(default)]
    pub staffing_requests: Vec<StaffingRequestView>,
    /// Every open ticket (waiting, at a window, or held), longest-waiting first: what a terminal needs
    /// to keep the queues right as events arrive.
    #[serde(default)]
    pub tickets: Vec<OpenTicketView>,
    /// Whether a kiosk may still issue tickets of each matter today, by key: absent means yes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cut_off: Vec<String>,
    /// The server's date (its checked clock, in the hall's time zone). When it differs from `date`, the
    /// hall's day is not today: a supervisor may correct it with `set_hall_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_date: Option<String>,
    /// Clerks locked out of signing in (too many wrong PINs), until when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locked: Vec<LockView>,
    /// Open rectification cases (整改), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<CaseView>,
    /// Set while the server doubts its wall clock (it jumped and is being ignored), saying by how much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_warning: Option<String>,
}

/// A call as the hall display lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallView {
    /// Ticket number.
    pub ticket: String,
    /// Window number.
    pub window: u16,
    /// When it was (last) called.
    pub at: i64,
}

/// A rectification case (整改) opened by a 差评.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    /// Its number.
    pub id: u32,
    /// The rated ticket's number.
    pub ticket: String,
    /// The ticket's matter key.
    pub matter: String,
    /// The window that served it.
    pub window: u16,
    /// The clerk's 工号, if one was signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk: Option<String>,
    /// The rating.
    pub rating: Rating,
    /// The reason's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The citizen's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When it opened (ms since the epoch).
    pub opened_at: i64,
    /// When each step is due (ms since the epoch).
    pub due: CaseDueView,
    /// Who it is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    /// When the citizen was contacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacted_at: Option<i64>,
}

/// When each step of a case is due (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDueView {
    /// Assigned by.
    pub assign: i64,
    /// Citizen contacted by.
    pub contact: i64,
    /// Resolved by.
    pub resolve: i64,
}

/// A clerk locked out of signing in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockView {
    /// The clerk's 工号 (key).
    pub clerk: String,
    /// When the lock ends (ms since the epoch).
    pub until: i64,
}

/// A help request as the supervisor wall lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpView {
    /// The kiosk's device name.
    pub kiosk: String,
    /// When.
    pub at: i64,
}

/// A matter on the displays and the kiosk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterView {
    /// Key.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Ticket prefix.
    pub prefix: String,
    /// People waiting.
    pub waiting: u32,
    /// Target wait in milliseconds.
    pub target_wait_ms: i64,
    /// Average handling time in milliseconds.
    pub aht_ms: i64,
    /// Open, staffed, unpaused windows serving it.
    pub active_windows: u16,
    /// Issue time of the longest-waiting ticket, if any waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_issued_at: Option<i64>,
    /// The first waiting ticket numbers, longest-waiting first (at most 10).
    pub queue: Vec<String>,
    /// What a new ordinary ticket would wait now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<WaitEstimate>,
}

/// A window on the displays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowView {
    /// Number on its sign.
    pub number: u16,
    /// Name.
    pub name: String,
    /// Zone.
    pub zone: String,
    /// Kind.
    pub kind: WindowKind,
    /// What it shows.
    pub status: WindowStatus,
    /// Matter keys it serves.
    pub matters: Vec<String>,
    /// The ticket called or in service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// When the current ticket was called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_since: Option<i64>,
    /// The clerk signed in: their 工号 (key in the hall config), never their name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk: Option<String>,
    /// Tickets finished here today.
    pub served_today: u32,
    /// Paused by its clerk (also while a ticket is still at the window).
    #[serde(default)]
    pub paused: bool,
}

/// A window's matters as a day starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowLayout {
    /// Window number.
    pub window: u16,
    /// Matter keys it serves.
    pub matters: Vec<String>,
}

/// An open ticket in the hall view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenTicketView {
    /// Number, e.g. `A023`.
    pub ticket: String,
    /// Matter key (after any transfer).
    pub matter: String,
    /// Issue time.
    pub issued_at: i64,
    /// Waiting, called, serving or held.
    pub state: TicketState,
    /// The window it waits for (sent to one window), or is at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u16>,
}

/// What a new ordinary ticket of one matter would wait now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterEstimate {
    /// Matter key.
    pub matter: String,
    /// The estimate; absent before a day is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<WaitEstimate>,
}
