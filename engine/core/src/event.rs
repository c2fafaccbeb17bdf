//! What happened. Events are the truth: state is a fold of `Hall::apply` over them, so each carries
//! everything `apply` needs and nothing it can derive.

use super::config::Policy;
use super::model::{
    ClerkId, EndReason, GreenReason, HolderKey, MatterId, MatterSet, Outcome, Rating, TicketClass, TicketId, WindowId,
};
use super::staffing::StaffingTrigger;
use super::time::{Date, Timestamp};
use serde::{Deserialize, Serialize};

/// Why routing chose a ticket: recorded on every call so any decision can be explained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum CallReason {
    /// It had waited past the hall's maximum (starvation guard).
    MaxWait {
        /// Its wait in milliseconds.
        wait_ms: i64,
    },
    /// It was transferred or resumed to this very window.
    Targeted,
    /// It was returning from hold or transfer, flagged to go first.
    Returning,
    /// An appointment inside its slot.
    Appointment,
    /// Green channel.
    Green,
    /// An ordinary ticket, chosen by the routing policy.
    Policy {
        /// The policy that chose it.
        policy: Policy,
        /// Its wait in milliseconds.
        wait_ms: i64,
        /// Its matter's target wait in milliseconds.
        target_ms: i64,
        /// Whether this window was the only open one serving its matter.
        protected: bool,
    },
    /// An appointment checked in early, called because nobody else was waiting.
    EarlyAppointment,
    /// Called by number (特呼).
    ByNumber,
}

/// The wait printed on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintedWait {
    /// Median wait, milliseconds.
    pub median_ms: i64,
    /// 80th percentile, milliseconds.
    pub p80_ms: i64,
}

/// Everything that can happen in a hall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The hall's layout changed (or was recorded for the first time): matters, windows and clerks as
    /// the events after this one name them by index. See [`crate::layout`].
    LayoutChanged {
        /// The whole layout, retired entries included.
        layout: crate::layout::Layout,
        /// When.
        at: Timestamp,
    },
    /// A clerk was locked out of signing in (too many wrong PINs).
    ClerkLocked {
        /// The clerk.
        clerk: ClerkId,
        /// Wrong PINs in a row.
        failures: u32,
        /// When the lock ends.
        until: Timestamp,
        /// When.
        at: Timestamp,
    },
    /// A business day started; ticket sequences restart.
    DayOpened {
        /// The local date.
        date: Date,
        /// When.
        at: Timestamp,
    },
    /// The day ended; every open ticket has ended before this event.
    DayClosed {
        /// When.
        at: Timestamp,
    },
    /// A ticket was issued (also on appointment check-in).
    TicketIssued {
        /// The new ticket.
        ticket: TicketId,
        /// Its matter.
        matter: MatterId,
        /// Its sequence within the matter and day.
        seq: u32,
        /// Priority class.
        class: TicketClass,
        /// Green-channel reason.
        green: Option<GreenReason>,
        /// Keyed ID hash.
        holder: Option<HolderKey>,
        /// The appointment code, on check-in.
        appointment: Option<String>,
        /// The issuing kiosk, if known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
        /// A green channel asked for without an ID to prove it (自报): the clerk confirms or downgrades it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        declared: bool,
        /// The wait printed on the ticket (median and 80th percentile), when the kiosk printed one: the
        /// report measures the estimate's accuracy against it. Set by the server, which prints it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        printed: Option<PrintedWait>,
        /// When.
        at: Timestamp,
    },
    /// The clerk saw to a self-declared green-channel class (自报): kept, or downgraded to an ordinary
    /// ticket.
    ClassConfirmed {
        /// The ticket.
        ticket: TicketId,
        /// At which window.
        window: WindowId,
        /// Kept as green (`false`: now an ordinary ticket).
        kept: bool,
        /// When.
        at: Timestamp,
    },
    /// An appointment was booked.
    AppointmentBooked {
        /// Booking code.
        code: String,
        /// Matter.
        matter: MatterId,
        /// Slot start.
        start: Timestamp,
        /// Slot end.
        end: Timestamp,
        /// The booker's ID hashed under the key of the booking's day, from the online channel.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<HolderKey>,
        /// The booker's ID hashed under the month's history key (the no-show rule).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        history: Option<HolderKey>,
        /// The online channel's key for the request.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_key: Option<String>,
    },
    /// A booking was cancelled: its place is free again.
    AppointmentCancelled {
        /// Booking code.
        code: String,
        /// When.
        at: Timestamp,
    },
    /// A booking moved to another slot.
    AppointmentRescheduled {
        /// Booking code.
        code: String,
        /// New slot start.
        start: Timestamp,
        /// New slot end.
        end: Timestamp,
        /// The booker's ID hashed under the key of the new day, when the day changed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<HolderKey>,
        /// When.
        at: Timestamp,
    },
    /// A waiting ticket was cancelled.
    TicketCancelled {
        /// The ticket.
        ticket: TicketId,
        /// When.
        at: Timestamp,
    },
    /// A clerk signed in to a window.
    ClerkSignedIn {
        /// The window.
        window: WindowId,
        /// The clerk.
        clerk: ClerkId,
        /// When.
        at: Timestamp,
    },
    /// The clerk left the window.
    ClerkSignedOut {
        /// The window.
        window: WindowId,
        /// When.
        at: Timestamp,
    },
    /// The window paused.
    WindowPaused {
        /// The window.
        window: WindowId,
        /// When.
        at: Timestamp,
    },
    /// The window resumed calling.
    WindowResumed {
        /// The window.
        window: WindowId,
        /// When.
        at: Timestamp,
    },
    /// A ticket was called to a window.
    TicketCalled {
        /// The ticket.
        ticket: TicketId,
        /// The window.
        window: WindowId,
        /// Why this ticket.
        reason: CallReason,
        /// When.
        at: Timestamp,
    },
    /// The current ticket was called again.
    TicketRecalled {
        /// The ticket.
        ticket: TicketId,
        /// The window.
        window: WindowId,
        /// Recalls so far, this one included.
        recalls: u32,
        /// When.
        at: Timestamp,
    },
    /// Service started.
    ServiceStarted {
        /// The ticket.
        ticket: TicketId,
        /// The window.
        window: WindowId,
        /// When.
        at: Timestamp,
    },
    /// Service finished.
    ServiceFinished {
        /// The ticket.
        ticket: TicketId,
        /// The window.
        window: WindowId,
        /// How it ended.
        outcome: Outcome,
        /// Service time in milliseconds (from start, or from the call if service was never started).
        service_ms: i64,
        /// When.
        at: Timestamp,
    },
    /// The called citizen did not come.
    TicketNoShow {
        /// The ticket.
        ticket: TicketId,
        /// The window.
        window: WindowId,
        /// Whether it went back into its queue (else it ended).
        requeued: bool,
        /// When.
        at: Timestamp,
    },
    /// The ticket was sent to another matter or window; it waits again with its original issue time.
    TicketTransferred {
        /// The ticket.
        ticket: TicketId,
        /// The window that sent it.
        from_window: WindowId,
        /// Its matter now.
        matter: MatterId,
        /// The window it waits for, if one.
        to_window: Option<WindowId>,
        /// Whether it goes ahead of ordinary tickets.
        first: bool,
        /// When.
        at: Timestamp,
    },
    /// The ticket was put aside.
    TicketHeld {
        /// The ticket.
        ticket: TicketId,
        /// The window.
        window: WindowId,
        /// When.
        at: Timestamp,
    },
    /// A held ticket came back; it waits for this window ahead of everyone.
    HeldTicketResumed {
        /// The ticket.
        ticket: TicketId,
        /// The window that takes it.
        window: WindowId,
        /// When.
        at: Timestamp,
    },
    /// A served ticket was rated.
    TicketRated {
        /// The ticket.
        ticket: TicketId,
        /// The window.
        window: WindowId,
        /// The rating.
        rating: Rating,
        /// The reason given for a low rating; absent in ledgers written before reasons existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The citizen's own words, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
        /// When.
        at: Timestamp,
    },
    /// A ticket's holder asked for messages (到号提醒), with a phone number sealed by the shell.
    Subscribed {
        /// The ticket.
        ticket: TicketId,
        /// Where to send them.
        phone: crate::notify::SealedPhone,
        /// When.
        at: Timestamp,
    },
    /// A message is due: the shell sends it to the gateway until acknowledged.
    MessageQueued {
        /// Its number (the gateway's idempotency key).
        message: u64,
        /// The ticket it is about.
        ticket: TicketId,
        /// What it says.
        kind: crate::notify::MessageKind,
        /// People ahead (near).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ahead: Option<u32>,
        /// The window (called).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<WindowId>,
        /// When.
        at: Timestamp,
    },
    /// The gateway acknowledged a message.
    MessageSent {
        /// Its number.
        message: u64,
        /// When.
        at: Timestamp,
    },
    /// A 差评 opened a rectification case (整改), in the same decision as its rating.
    CaseOpened {
        /// The case, as opened (its time is `opened_at`).
        case: crate::cases::Case,
    },
    /// A step of a case was done; `resolved` closes it.
    CaseProgressed {
        /// The case's number.
        case: u32,
        /// The step.
        #[serde(flatten)]
        step: crate::cases::CaseStep,
        /// What was done (required to resolve).
        note: String,
        /// When.
        at: Timestamp,
    },
    /// A ticket ended without service when the day closed.
    TicketEnded {
        /// The ticket.
        ticket: TicketId,
        /// Why.
        reason: EndReason,
        /// When.
        at: Timestamp,
    },
    /// A window opened.
    WindowOpened {
        /// The window.
        window: WindowId,
        /// The staffing review's numbers, when it opened the window (or a clerk accepted its request).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trigger: Option<StaffingTrigger>,
        /// When.
        at: Timestamp,
    },
    /// A window closed (its clerk, if any, is signed out first).
    WindowClosed {
        /// The window.
        window: WindowId,
        /// The staffing review's numbers, when it closed the window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trigger: Option<StaffingTrigger>,
        /// When.
        at: Timestamp,
    },
    /// Advisory staffing: the review asks for a standby window to open.
    StaffingRequested {
        /// The standby window asked for.
        window: WindowId,
        /// Why.
        trigger: StaffingTrigger,
        /// When.
        at: Timestamp,
    },
    /// The request for this window is no longer needed (its queue went down).
    StaffingWithdrawn {
        /// The window.
        window: WindowId,
        /// When.
        at: Timestamp,
    },
    /// A window's skills changed.
    SkillsChanged {
        /// The window.
        window: WindowId,
        /// Its skills now.
        skills: MatterSet,
        /// When.
        at: Timestamp,
    },
    /// A citizen at a kiosk asked for help (代书代填).
    HelpRequested {
        /// The kiosk.
        kiosk: String,
        /// When.
        at: Timestamp,
    },
    /// A supervisor saw to a kiosk's help requests.
    HelpAnswered {
        /// The kiosk.
        kiosk: String,
        /// When.
        at: Timestamp,
    },
    /// Capacity cut-off (限号): a matter stops issuing ordinary tickets, because a new one would be
    /// called after closing time plus the extension (checked on the tick).
    IssuingStopped {
        /// The matter.
        matter: MatterId,
        /// When.
        at: Timestamp,
    },
    /// A matter cut off earlier issues again (its queue went down, or a window opened for it).
    IssuingResumed {
        /// The matter.
        matter: MatterId,
        /// When.
        at: Timestamp,
    },
    /// The displays' notice changed; empty clears it.
    NoticePosted {
        /// The text.
        text: String,
        /// When.
        at: Timestamp,
    },
}
