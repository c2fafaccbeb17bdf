//! Stable error codes. A code never changes meaning; a new reason gets a new code. Terminals match on
//! the code and show their own text; the `message` beside it is for logs and people debugging.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, )*) => {
        /// Every error code the server can send.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* #[serde(rename = $code)] $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as sent on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }
        }
    };
}

error_codes! {
    // --- protocol and session ---
    /// Not JSON, a missing or mistyped field, an unknown field, or an unknown `type`.
    BadRequest = "bad_request",
    /// The client speaks a protocol version this server does not.
    UnsupportedProtocol = "unsupported_protocol",
    /// A request before a successful `hello`.
    NotAuthenticated = "not_authenticated",
    /// The device token is unknown or revoked.
    Unauthorized = "unauthorized",
    /// The device's role may not send this request, or not for this window.
    Forbidden = "forbidden",
    /// The device sent requests faster than its configured rate.
    RateLimited = "rate_limited",
    /// The ID number is malformed or its check digit is wrong.
    InvalidIdNumber = "invalid_id_number",
    /// The ledger cannot be written (disk full or read-only); nothing was changed.
    StorageUnavailable = "storage_unavailable",
    /// The server is shutting down or its command queue is full; retry.
    Unavailable = "unavailable",
    // --- the hall refused (a core `Rejection`) ---
    /// No business day is open.
    DayNotOpen = "day_not_open",
    /// The business day is already open.
    DayAlreadyOpen = "day_already_open",
    /// The business day is closed.
    DayClosed = "day_closed",
    /// Outside opening hours.
    OutsideHours = "outside_hours",
    /// Unknown matter.
    UnknownMatter = "unknown_matter",
    /// Unknown window.
    UnknownWindow = "unknown_window",
    /// Unknown clerk.
    UnknownClerk = "unknown_clerk",
    /// No such ticket today.
    UnknownTicket = "unknown_ticket",
    /// No appointment with that code.
    UnknownAppointment = "unknown_appointment",
    /// Today's tickets for this matter are all issued (限号).
    DailyCapReached = "daily_cap_reached",
    /// This ID already holds an open ticket for this matter.
    DuplicateHolder = "duplicate_holder",
    /// The ID's birth date does not qualify for the elderly green channel.
    GreenNotEligible = "green_not_eligible",
    /// An appointment with this code exists.
    AppointmentExists = "appointment_exists",
    /// The appointment slot must end after it starts.
    AppointmentSlotInvalid = "appointment_slot_invalid",
    /// The appointment is already checked in.
    AppointmentUsed = "appointment_used",
    /// The appointment is for another day.
    AppointmentNotToday = "appointment_not_today",
    /// The booking was cancelled.
    AppointmentCancelled = "appointment_cancelled",
    /// This phone number already follows as many tickets today as it may.
    SubscriptionLimit = "subscription_limit",
    /// Not a mainland mobile number (11 digits, starting with 1).
    InvalidPhone = "invalid_phone",
    /// No booking made with this ID number is waiting to be checked in today.
    NoBookingToday = "no_booking_today",
    /// Wrong PIN.
    WrongPin = "wrong_pin",
    /// The matter takes tickets with an ID number only (实名取号).
    IdRequired = "id_required",
    /// The ticket's green class was not self-declared: nothing to confirm.
    ClassNotDeclared = "class_not_declared",
    /// No open rectification case has this number (resolved already, or never opened).
    UnknownCase = "unknown_case",
    /// This step of the case is already done.
    CaseStepDone = "case_step_done",
    /// A case is resolved with a note saying how it was resolved.
    NoteRequired = "note_required",
    /// Too many wrong PINs: the clerk may not sign in until the lock ends (a supervisor sees it).
    ClerkLocked = "clerk_locked",
    /// The device's token was revoked while it was connected; the server closes the session.
    TokenRevoked = "token_revoked",
    /// A layout change cannot be applied now (the message says why and what to do).
    LayoutNotNow = "layout_not_now",
    /// No clerk is signed in at this window.
    NotSignedIn = "not_signed_in",
    /// This clerk is already signed in here.
    AlreadySignedIn = "already_signed_in",
    /// Another clerk is signed in at this window.
    WindowTaken = "window_taken",
    /// This clerk is signed in at another window.
    ClerkElsewhere = "clerk_elsewhere",
    /// The window is closed.
    WindowClosed = "window_closed",
    /// The window is already open.
    WindowAlreadyOpen = "window_already_open",
    /// A new ticket of this matter would not be called before closing time plus the extension (限号).
    CapacityReached = "capacity_reached",
    /// No staffing request is open for this window.
    NoStaffingRequest = "no_staffing_request",
    /// No help request from that kiosk is open.
    NoHelpRequest = "no_help_request",
    /// The window is paused.
    WindowPaused = "window_paused",
    /// The window is not paused.
    WindowNotPaused = "window_not_paused",
    /// The window has a ticket called or in service.
    WindowBusy = "window_busy",
    /// The window has no current ticket.
    NoCurrentTicket = "no_current_ticket",
    /// No ticket is waiting for this window.
    QueueEmpty = "queue_empty",
    /// This window does not serve that matter.
    MatterNotServed = "matter_not_served",
    /// The ticket's state does not allow this.
    TicketState = "ticket_state",
    /// The ticket was not served at this window.
    NotServedHere = "not_served_here",
    /// A kiosk may cancel only the tickets it issued.
    NotYourTicket = "not_your_ticket",
    /// The ticket is already rated.
    AlreadyRated = "already_rated",
    /// The transfer changes nothing.
    TransferUnchanged = "transfer_unchanged",
    /// A window must serve at least one matter.
    EmptySkills = "empty_skills",
    /// The notice is too long.
    NoticeTooLong = "notice_too_long",
    /// A text field is empty or too long.
    BadText = "bad_text",
    // --- the online channel (docs/api.md) ---
    /// The matter is not bookable online.
    NotBookable = "not_bookable",
    /// The date is before today or past the days one may book ahead.
    DateOutOfRange = "date_out_of_range",
    /// Not a slot of that day, or it has started.
    NoSuchSlot = "no_such_slot",
    /// No place left in the slot, or the day's cap is reached.
    SlotFull = "slot_full",
    /// The ID missed too many bookings.
    BookingBlocked = "booking_blocked",
    /// The ID already holds a booking for this matter that day.
    AlreadyBooked = "already_booked",
    /// The client key was used for another booking.
    KeyReused = "key_reused",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_and_serialise_as_named() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{s}");
            assert_eq!(serde_json::to_value(code).ok(), Some(serde_json::Value::from(s)));
            let back: ErrorCode = serde_json::from_value(serde_json::Value::from(s)).expect("round trip");
            assert_eq!(back, *code);
        }
    }
}
