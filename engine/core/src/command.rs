//! What terminals ask of the hall. A command is a request; `Hall::decide` turns it into events or a
//! [`super::Rejection`].

use super::model::{
    ClerkId, GreenReason, HolderKey, MatterId, MatterSet, Outcome, Rating, TicketId, TicketNumber, WindowId,
};
use super::time::{Date, Timestamp};

/// The citizen behind a ticket, as far as the kiosk knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Keyed hash of the ID number.
    pub key: HolderKey,
    /// Birth date read from the ID number.
    pub birth_date: Option<Date>,
}

/// Where a transferred ticket goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferTo {
    /// The new matter, if it changes.
    pub matter: Option<MatterId>,
    /// The window that should take it, if one should.
    pub window: Option<WindowId>,
    /// Whether it goes ahead of ordinary tickets.
    pub first: bool,
}

/// Every command the hall understands.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Record a new layout (from [`crate::layout::plan`]): matters, windows and clerks added, renamed
    /// or retired. The shell sends it at start and on reload.
    ChangeLayout {
        /// The whole layout, as the ledger will index it.
        layout: crate::layout::Layout,
    },
    /// The clerk at `window` keeps (`keep`) or downgrades the self-declared green class of the ticket
    /// at the window.
    ConfirmClass {
        /// The window.
        window: WindowId,
        /// Keep it green.
        keep: bool,
    },
    /// Lock a clerk out of signing in until `until` (too many wrong PINs; the shell counts them).
    LockClerk {
        /// The clerk.
        clerk: ClerkId,
        /// Wrong PINs in a row that led to it.
        failures: u32,
        /// When the lock ends.
        until: Timestamp,
    },
    /// Start a business day: ticket sequences restart. The shell sends it when the local date changes.
    OpenDay {
        /// The local date.
        date: Date,
    },
    /// End the day: every open ticket ends with a reason; windows are signed out.
    CloseDay,
    /// Issue a ticket at a kiosk (取号).
    IssueTicket {
        /// The matter.
        matter: MatterId,
        /// Green channel, if asked for.
        green: Option<GreenReason>,
        /// The citizen's ID, if given.
        holder: Option<Holder>,
        /// The kiosk that issues it, if known (only that kiosk may cancel it).
        source: Option<String>,
    },
    /// Book an appointment (from the online channel).
    BookAppointment {
        /// The booking code the citizen brings.
        code: String,
        /// The matter.
        matter: MatterId,
        /// Slot start.
        start: Timestamp,
        /// Slot end.
        end: Timestamp,
    },
    /// Book a slot from the online channel (its `integration` device): checked against the day's slots,
    /// their places, the daily cap and the no-show rule.
    BookOnline {
        /// The booking code (made by the shell).
        code: String,
        /// The matter.
        matter: MatterId,
        /// Slot start.
        start: Timestamp,
        /// The booker's ID hashed under the key of the booking's day.
        holder: HolderKey,
        /// The booker's ID hashed under each history key still kept, the current month's first.
        history: Vec<HolderKey>,
        /// The online channel's own key for this request.
        client_key: String,
    },
    /// Cancel a booking that was not checked in.
    CancelAppointment {
        /// Booking code.
        code: String,
    },
    /// Move a booking to another slot of its matter.
    RescheduleAppointment {
        /// Booking code.
        code: String,
        /// New slot start.
        start: Timestamp,
        /// The booker's ID hashed under the key of the new slot's day (`None`: the same day, kept).
        holder: Option<HolderKey>,
    },
    /// Check an appointment in at a kiosk (签到).
    CheckIn {
        /// The booking code.
        code: String,
        /// The kiosk that checks it in, if known.
        source: Option<String>,
    },
    /// Check in, at a kiosk, the booking made with an ID number for today (the earliest slot not yet
    /// checked in, if several matters were booked).
    CheckInById {
        /// The ID hashed under today's key (the key its booking for today was hashed under).
        holder: HolderKey,
        /// The kiosk that checks it in, if known.
        source: Option<String>,
    },
    /// Send messages about a ticket to a phone (到号提醒).
    Subscribe {
        /// The ticket.
        ticket: TicketId,
        /// The number, sealed by the shell under the day's key.
        phone: crate::notify::SealedPhone,
        /// The kiosk asking, if a kiosk asks: it may only for tickets it issued.
        by: Option<String>,
    },
    /// The gateway acknowledged a message (the shell's, after a 2xx).
    MessageSent {
        /// Its number.
        message: u64,
    },
    /// Cancel a waiting ticket.
    CancelTicket {
        /// The ticket.
        ticket: TicketId,
        /// The kiosk asking, if a kiosk asks: it may cancel only tickets it issued.
        by: Option<String>,
    },
    /// A clerk signs in to a window (the edge has already checked the clerk's PIN).
    SignIn {
        /// The window.
        window: WindowId,
        /// The clerk.
        clerk: ClerkId,
    },
    /// The clerk leaves the window.
    SignOut {
        /// The window.
        window: WindowId,
    },
    /// The window stops calling for a while.
    Pause {
        /// The window.
        window: WindowId,
    },
    /// The window calls again.
    Resume {
        /// The window.
        window: WindowId,
    },
    /// Call the next ticket by routing (叫号).
    CallNext {
        /// The window.
        window: WindowId,
    },
    /// Call a specific number (特呼).
    CallNumber {
        /// The window.
        window: WindowId,
        /// The number, e.g. `A023`.
        number: TicketNumber,
    },
    /// Call the current ticket again (重呼).
    Recall {
        /// The window.
        window: WindowId,
    },
    /// The citizen arrived: service starts.
    StartService {
        /// The window.
        window: WindowId,
    },
    /// Service ended.
    Finish {
        /// The window.
        window: WindowId,
        /// How it ended.
        outcome: Outcome,
    },
    /// The called citizen did not come (过号).
    NoShow {
        /// The window.
        window: WindowId,
    },
    /// Send the current ticket to another matter or window (转移).
    Transfer {
        /// The window.
        window: WindowId,
        /// Where to.
        to: TransferTo,
    },
    /// Put the current ticket aside (挂起).
    Hold {
        /// The window.
        window: WindowId,
    },
    /// Bring a held ticket back: it goes ahead of everyone else at this window.
    ResumeHeld {
        /// The window that resumes it.
        window: WindowId,
        /// The held ticket.
        ticket: TicketId,
    },
    /// The evaluator pad at a window rates a ticket it served (好差评).
    Rate {
        /// The window whose pad rates.
        window: WindowId,
        /// The ticket.
        ticket: TicketId,
        /// The rating.
        rating: Rating,
        /// The reason given, a key of the hall's list (checked by the server, which owns the list).
        reason: Option<String>,
        /// The citizen's own words (at most [`crate::cases::MAX_NOTE_CHARS`]).
        comment: Option<String>,
    },
    /// Supervisor: a step of a rectification case (整改).
    ProgressCase {
        /// The case's number.
        case: u32,
        /// The step.
        step: crate::cases::CaseStep,
        /// What was done.
        note: String,
    },
    /// Supervisor: open a window (e.g. a standby window).
    OpenWindow {
        /// The window.
        window: WindowId,
    },
    /// Supervisor: close a window.
    CloseWindow {
        /// The window.
        window: WindowId,
    },
    /// Supervisor: change the matters a window serves.
    SetSkills {
        /// The window.
        window: WindowId,
        /// Its new skills.
        skills: MatterSet,
    },
    /// Kiosk: a citizen asks for help filling in forms (代书代填); supervisors are alerted.
    RequestHelp {
        /// The kiosk asking.
        kiosk: String,
    },
    /// Supervisor: the help requests of this kiosk are seen to.
    AnswerHelp {
        /// The kiosk.
        kiosk: String,
    },
    /// The shell's periodic staffing review: may open, ask for or close one standby window
    /// (see [`super::staffing`]); usually decides nothing.
    ReviewStaffing,
    /// A clerk at a standby window (or the supervisor) accepts the review's request to open it.
    AcceptStaffing {
        /// The window asked for.
        window: WindowId,
    },
    /// Supervisor: show a notice on the displays; an empty text clears it.
    PostNotice {
        /// The text.
        text: String,
    },
    /// Supervisor: the hall's day is ahead of the true date (a day opened while the clock was wrong):
    /// end it and open `date`, which must be earlier. Ticket numbers begin again. The server allows
    /// only its own (checked) date here.
    CorrectDate {
        /// The true date.
        date: Date,
    },
}
