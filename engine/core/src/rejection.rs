//! Refusals are values: every reason the hall can say no, each with a stable [`ErrorCode`] from the
//! protocol crate, which terminals, logs and tests match on.

use super::model::TicketState;
use kiosk_protocol::ErrorCode;
use thiserror::Error;

/// Why a command was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Rejection {
    /// No business day is open.
    #[error("no business day is open")]
    DayNotOpen,
    /// The matter takes tickets with an ID number only (实名取号).
    #[error("this matter needs an ID number")]
    IdRequired,
    /// No open rectification case has this number.
    #[error("no open case with this number")]
    UnknownCase,
    /// This step of the case is already done.
    #[error("this step of the case is already done")]
    CaseStepDone,
    /// A case is resolved with a note saying how.
    #[error("say how the case was resolved")]
    NoteRequired,
    /// The ticket's class was not self-declared: there is nothing to confirm.
    #[error("the ticket's class was not self-declared")]
    ClassNotDeclared,
    /// The clerk is locked out (too many wrong PINs) until this time.
    #[error("the clerk is locked after too many wrong PINs")]
    ClerkLocked {
        /// When the lock ends.
        until: super::time::Timestamp,
    },
    /// A layout change cannot be applied safely now; the text says why and what to do.
    #[error("{0}")]
    LayoutNotNow(String),
    /// The day is already open for this date (or a later one).
    #[error("the business day is already open")]
    DayAlreadyOpen,
    /// The day was closed; issuing waits for the next one.
    #[error("the business day is closed")]
    DayClosed,
    /// Outside the hall's opening hours.
    #[error("outside opening hours")]
    OutsideHours,
    /// The matter is not configured.
    #[error("unknown matter")]
    UnknownMatter,
    /// The window is not configured.
    #[error("unknown window")]
    UnknownWindow,
    /// The clerk is not configured.
    #[error("unknown clerk")]
    UnknownClerk,
    /// No ticket with that id or number today.
    #[error("unknown ticket")]
    UnknownTicket,
    /// No appointment with that code.
    #[error("unknown appointment code")]
    UnknownAppointment,
    /// The matter's daily cap is reached (限号).
    #[error("today's tickets for this matter are all issued")]
    DailyCapReached,
    /// A new ticket of this matter would not be called before closing time plus the extension (限号).
    #[error("no more tickets for this matter can be served today")]
    CapacityReached,
    /// No staffing request is open for this window.
    #[error("no staffing request for this window")]
    NoStaffingRequest,
    /// No help request from this kiosk is open.
    #[error("no open help request from this kiosk")]
    NoHelpRequest,
    /// The same ID already holds an open ticket for this matter.
    #[error("this ID already holds a ticket for this matter")]
    DuplicateHolder,
    /// The elderly green channel was asked for, but the ID's birth date says under 60.
    #[error("not eligible for the elderly green channel")]
    GreenNotEligible,
    /// An appointment with this code exists.
    #[error("an appointment with this code exists")]
    AppointmentExists,
    /// The appointment's slot is empty or inverted.
    #[error("the appointment slot must end after it starts")]
    AppointmentSlotInvalid,
    /// The appointment was already checked in.
    #[error("this appointment is already checked in")]
    AppointmentUsed,
    /// The appointment is for another day.
    #[error("this appointment is for another day")]
    AppointmentNotToday,
    /// The booking was cancelled.
    #[error("this booking was cancelled")]
    AppointmentCancelled,
    /// This phone number already follows as many tickets today as it may.
    #[error("this phone number follows too many tickets today")]
    SubscriptionLimit,
    /// No booking made with this ID number waits to be checked in today.
    #[error("no booking with this ID number today")]
    NoBookingToday,
    /// The PIN does not match.
    #[error("wrong PIN")]
    WrongPin,
    /// Nobody is signed in at the window.
    #[error("no clerk is signed in at this window")]
    NotSignedIn,
    /// Another clerk is signed in at the window.
    #[error("another clerk is signed in at this window")]
    WindowTaken,
    /// The clerk is signed in at another window.
    #[error("this clerk is signed in at another window")]
    ClerkElsewhere,
    /// The window is closed.
    #[error("the window is closed")]
    WindowClosed,
    /// The window is already open.
    #[error("the window is already open")]
    WindowAlreadyOpen,
    /// The window is paused.
    #[error("the window is paused")]
    WindowPaused,
    /// The window is not paused.
    #[error("the window is not paused")]
    WindowNotPaused,
    /// The window already has a ticket called or in service.
    #[error("the window has a ticket called or in service")]
    WindowBusy,
    /// The window has no current ticket.
    #[error("the window has no current ticket")]
    NoCurrentTicket,
    /// No waiting ticket this window may serve.
    #[error("no ticket is waiting for this window")]
    QueueEmpty,
    /// The window does not serve the ticket's matter.
    #[error("this window does not serve that matter")]
    MatterNotServed,
    /// The ticket is not in a state that allows this.
    #[error("the ticket is {}, which does not allow this", .state.name())]
    TicketState {
        /// The state it is in.
        state: TicketState,
    },
    /// This clerk is already signed in at this window.
    #[error("already signed in at this window")]
    AlreadySignedIn,
    /// The ticket was not served at this window.
    #[error("this ticket was not served at this window")]
    NotServedHere,
    /// A kiosk may cancel only the tickets it issued.
    #[error("this ticket was issued by another kiosk")]
    NotYourTicket,
    /// The ticket was already rated.
    #[error("this ticket is already rated")]
    AlreadyRated,
    /// A transfer that changes neither matter nor window.
    #[error("the transfer changes nothing")]
    TransferUnchanged,
    /// A window must serve at least one matter.
    #[error("a window must serve at least one matter")]
    EmptySkills,
    /// The notice is longer than the configured maximum.
    #[error("the notice is too long")]
    NoticeTooLong,
    /// The matter is not bookable online.
    #[error("this matter cannot be booked online")]
    NotBookable,
    /// The date is before today or past the days one may book ahead.
    #[error("that date cannot be booked")]
    DateOutOfRange,
    /// Not a slot of that day, or it has started.
    #[error("no such slot")]
    NoSuchSlot,
    /// No place left in the slot, or the day's cap is reached.
    #[error("the slot is full")]
    SlotFull,
    /// The ID missed too many bookings.
    #[error("this ID may not book for now: too many missed bookings")]
    BookingBlocked,
    /// The ID already holds a booking for this matter that day.
    #[error("this ID already has a booking for this matter that day")]
    AlreadyBooked,
    /// The client key was used for another booking.
    #[error("this client key was used for another booking")]
    KeyReused,
    /// A booking code or other text is empty or too long.
    #[error("a text field is empty or too long")]
    BadText,
}

impl Rejection {
    /// The stable code sent to terminals.
    pub fn code(&self) -> ErrorCode {
        match self {
            Rejection::DayNotOpen => ErrorCode::DayNotOpen,
            Rejection::LayoutNotNow(_) => ErrorCode::LayoutNotNow,
            Rejection::ClerkLocked { .. } => ErrorCode::ClerkLocked,
            Rejection::IdRequired => ErrorCode::IdRequired,
            Rejection::ClassNotDeclared => ErrorCode::ClassNotDeclared,
            Rejection::UnknownCase => ErrorCode::UnknownCase,
            Rejection::CaseStepDone => ErrorCode::CaseStepDone,
            Rejection::NoteRequired => ErrorCode::NoteRequired,
            Rejection::DayAlreadyOpen => ErrorCode::DayAlreadyOpen,
            Rejection::DayClosed => ErrorCode::DayClosed,
            Rejection::OutsideHours => ErrorCode::OutsideHours,
            Rejection::UnknownMatter => ErrorCode::UnknownMatter,
            Rejection::UnknownWindow => ErrorCode::UnknownWindow,
            Rejection::UnknownClerk => ErrorCode::UnknownClerk,
            Rejection::UnknownTicket => ErrorCode::UnknownTicket,
            Rejection::UnknownAppointment => ErrorCode::UnknownAppointment,
            Rejection::DailyCapReached => ErrorCode::DailyCapReached,
            Rejection::DuplicateHolder => ErrorCode::DuplicateHolder,
            Rejection::GreenNotEligible => ErrorCode::GreenNotEligible,
            Rejection::AppointmentExists => ErrorCode::AppointmentExists,
            Rejection::AppointmentSlotInvalid => ErrorCode::AppointmentSlotInvalid,
            Rejection::AppointmentUsed => ErrorCode::AppointmentUsed,
            Rejection::AppointmentNotToday => ErrorCode::AppointmentNotToday,
            Rejection::AppointmentCancelled => ErrorCode::AppointmentCancelled,
            Rejection::SubscriptionLimit => ErrorCode::SubscriptionLimit,
            Rejection::NoBookingToday => ErrorCode::NoBookingToday,
            Rejection::WrongPin => ErrorCode::WrongPin,
            Rejection::NotSignedIn => ErrorCode::NotSignedIn,
            Rejection::WindowTaken => ErrorCode::WindowTaken,
            Rejection::ClerkElsewhere => ErrorCode::ClerkElsewhere,
            Rejection::WindowClosed => ErrorCode::WindowClosed,
            Rejection::WindowAlreadyOpen => ErrorCode::WindowAlreadyOpen,
            Rejection::CapacityReached => ErrorCode::CapacityReached,
            Rejection::NoStaffingRequest => ErrorCode::NoStaffingRequest,
            Rejection::NoHelpRequest => ErrorCode::NoHelpRequest,
            Rejection::WindowPaused => ErrorCode::WindowPaused,
            Rejection::WindowNotPaused => ErrorCode::WindowNotPaused,
            Rejection::WindowBusy => ErrorCode::WindowBusy,
            Rejection::NoCurrentTicket => ErrorCode::NoCurrentTicket,
            Rejection::QueueEmpty => ErrorCode::QueueEmpty,
            Rejection::MatterNotServed => ErrorCode::MatterNotServed,
            Rejection::TicketState { .. } => ErrorCode::TicketState,
            Rejection::AlreadySignedIn => ErrorCode::AlreadySignedIn,
            Rejection::NotServedHere => ErrorCode::NotServedHere,
            Rejection::NotYourTicket => ErrorCode::NotYourTicket,
            Rejection::AlreadyRated => ErrorCode::AlreadyRated,
            Rejection::TransferUnchanged => ErrorCode::TransferUnchanged,
            Rejection::EmptySkills => ErrorCode::EmptySkills,
            Rejection::NoticeTooLong => ErrorCode::NoticeTooLong,
            Rejection::BadText => ErrorCode::BadText,
            Rejection::NotBookable => ErrorCode::NotBookable,
            Rejection::DateOutOfRange => ErrorCode::DateOutOfRange,
            Rejection::NoSuchSlot => ErrorCode::NoSuchSlot,
            Rejection::SlotFull => ErrorCode::SlotFull,
            Rejection::BookingBlocked => ErrorCode::BookingBlocked,
            Rejection::AlreadyBooked => ErrorCode::AlreadyBooked,
            Rejection::KeyReused => ErrorCode::KeyReused,
        }
    }
}
