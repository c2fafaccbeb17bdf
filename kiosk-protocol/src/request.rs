//! Client → server. Every message is one JSON object with a client-chosen `id` (echoed in the reply)
//! and a `type`; the first must be `hello`. Unknown fields are refused, so a typo is an error, not a
//! silently ignored option.

use crate::vocab::{CaseStepKind, GreenReason, Outcome, Rating};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A request: its `id` and what it asks. On the wire the two are one flat object:
/// `{"id": 7, "type": "call_next", "window": 5}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Chosen by the client; the reply carries it back.
    pub id: u64,
    /// What is asked.
    pub body: RequestBody,
}

/// Everything a terminal can ask. Windows are named by the number on their sign, matters by their
/// configured key, tickets by their number (`A023`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RequestBody {
    /// First message: protocol version and device token; `since` resumes the event stream.
    Hello {
        /// Must be [`crate::PROTOCOL_VERSION`].
        protocol: u32,
        /// The device token.
        token: String,
        /// The last event `seq` this client saw; events after it are sent before live ones.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<u64>,
    },
    /// The mobile ticket's first message instead of `hello`: follow one ticket, named by its capability
    /// (the part of `/t/<capability>` after `/t/`). No token; the session sees that ticket and the
    /// hall's public figures only (`ticket_view` messages) and may only cancel it.
    Follow {
        /// Must be [`crate::PROTOCOL_VERSION`].
        protocol: u32,
        /// The ticket's capability: 48 hex digits.
        ticket: String,
    },
    /// Any role: send the hall as it is now (a `snapshot` message, then an `ok` reply).
    GetState {},
    /// Kiosk: take a ticket.
    IssueTicket {
        /// Matter key.
        matter: String,
        /// Green channel, if chosen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        green: Option<GreenReason>,
        /// 18-digit resident ID number, if read or typed; never stored raw.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id_number: Option<String>,
    },
    /// Kiosk: check an appointment in, by its booking code or by the ID number it was booked with
    /// (exactly one of the two).
    CheckIn {
        /// Booking code.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        /// 18-digit resident ID number the booking was made with; never stored raw.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id_number: Option<String>,
    },
    /// Kiosk (a ticket it issued) or mobile ticket (its own): send "your turn is near" and "called"
    /// messages about the ticket to this phone number, through the hall's gateway. Giving the number
    /// is the citizen's consent; it is kept sealed for the day only.
    Subscribe {
        /// Ticket number (a mobile ticket may leave it out: its own).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ticket: Option<String>,
        /// Mainland mobile number, 11 digits.
        phone: String,
    },
    /// Kiosk (a ticket it issued) or display (any: a print agent may run on a display's token): the
    /// ticket with its mobile ticket's `capability`, for the QR code a printer prints.
    GetTicket {
        /// Ticket number.
        ticket: String,
    },
    /// Kiosk: cancel a waiting ticket it issued.
    CancelTicket {
        /// Ticket number.
        ticket: String,
    },
    /// Kiosk: the citizen asks for help filling in forms (代书代填); supervisors are alerted.
    RequestHelp {},
    /// Clerk at a standby window, or supervisor: accept the staffing review's request to open it.
    AcceptStaffing {
        /// Window number.
        window: u16,
    },
    /// Supervisor or appointment channel: book an appointment.
    BookAppointment {
        /// Booking code.
        code: String,
        /// Matter key.
        matter: String,
        /// Slot start, milliseconds since the Unix epoch.
        start: i64,
        /// Slot end, milliseconds since the Unix epoch.
        end: i64,
    },
    /// Clerk: sign in to a window.
    SignIn {
        /// Window number.
        window: u16,
        /// Clerk key.
        clerk: String,
        /// PIN.
        pin: String,
    },
    /// Clerk: sign out.
    SignOut {
        /// Window number.
        window: u16,
    },
    /// Clerk: pause calling.
    Pause {
        /// Window number.
        window: u16,
    },
    /// Clerk: resume calling.
    Resume {
        /// Window number.
        window: u16,
    },
    /// Clerk: call the next ticket (叫号).
    CallNext {
        /// Window number.
        window: u16,
    },
    /// Clerk: call a specific number (特呼).
    CallNumber {
        /// Window number.
        window: u16,
        /// Ticket number.
        ticket: String,
    },
    /// Clerk: call the current ticket again (重呼).
    Recall {
        /// Window number.
        window: u16,
    },
    /// Clerk: the citizen arrived.
    StartService {
        /// Window number.
        window: u16,
    },
    /// Clerk: service ended.
    Finish {
        /// Window number.
        window: u16,
        /// How it ended.
        outcome: Outcome,
    },
    /// Clerk: the citizen did not come (过号).
    NoShow {
        /// Window number.
        window: u16,
    },
    /// Clerk: send the ticket to another matter and/or window (转移).
    Transfer {
        /// Window number.
        window: u16,
        /// New matter key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        matter: Option<String>,
        /// Window number that should take it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_window: Option<u16>,
        /// Whether it goes ahead of ordinary tickets.
        #[serde(default)]
        first: bool,
    },
    /// Clerk: put the ticket aside (挂起).
    Hold {
        /// Window number.
        window: u16,
    },
    /// Clerk: bring a held ticket back to this window.
    ResumeHeld {
        /// Window number.
        window: u16,
        /// Ticket number.
        ticket: String,
    },
    /// Clerk: the ticket at this window asked for the green channel without an ID to prove it (自报,
    /// `declared` on the ticket): keep it green, or make it an ordinary ticket.
    ConfirmClass {
        /// Window number.
        window: u16,
        /// Keep the green class.
        keep: bool,
    },
    /// Evaluator pad: rate the ticket just served (好差评).
    Rate {
        /// Window number of the pad.
        window: u16,
        /// Ticket number.
        ticket: String,
        /// Rating.
        rating: Rating,
        /// Why, for 不满意 / 非常不满意: one of the hall's `rating_reasons` keys (`/api/texts`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The citizen's own words (at most 500 characters).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// Supervisor: a step of a 差评's rectification case (整改): `assigned` (with `to`), `contacted`, or
    /// `resolved` (with a `note` saying how; the case closes).
    ProgressCase {
        /// The case's number.
        case: u32,
        /// The step.
        step: CaseStepKind,
        /// Who the case is assigned to (for `assigned`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        /// What was done (required for `resolved`; at most 500 characters).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// Supervisor: open a window.
    OpenWindow {
        /// Window number.
        window: u16,
    },
    /// Supervisor: close a window.
    CloseWindow {
        /// Window number.
        window: u16,
    },
    /// Supervisor: change the matters a window serves.
    SetSkills {
        /// Window number.
        window: u16,
        /// Matter keys.
        matters: Vec<String>,
    },
    /// Supervisor: post a notice on the displays (empty clears it).
    PostNotice {
        /// Text.
        text: String,
    },
    /// Supervisor: a kiosk's help request is seen to (代书代填): it leaves every wall.
    AnswerHelp {
        /// The kiosk's device name, as in `help`.
        kiosk: String,
    },
    /// Supervisor: close the business day.
    CloseDay {},
    /// Supervisor: the hall's day is ahead of the true date (opened while the clock was wrong): end it
    /// and open the server's date instead. `date` must be the server's date (`server_date` in the hall).
    SetHallDate {
        /// `YYYY-MM-DD`.
        date: String,
    },
}

impl RequestBody {
    /// Every `type`, in declaration order.
    pub const KINDS: &'static [&'static str] = &[
        "hello",
        "follow",
        "get_state",
        "issue_ticket",
        "check_in",
        "subscribe",
        "get_ticket",
        "cancel_ticket",
        "request_help",
        "accept_staffing",
        "book_appointment",
        "sign_in",
        "sign_out",
        "pause",
        "resume",
        "call_next",
        "call_number",
        "recall",
        "start_service",
        "finish",
        "no_show",
        "transfer",
        "hold",
        "resume_held",
        "confirm_class",
        "rate",
        "open_window",
        "close_window",
        "set_skills",
        "post_notice",
        "answer_help",
        "progress_case",
        "close_day",
        "set_hall_date",
    ];

    /// The `type` of this request.
    pub fn kind(&self) -> &'static str {
        match self {
            RequestBody::Hello { .. } => "hello",
            RequestBody::Follow { .. } => "follow",
            RequestBody::GetState {} => "get_state",
            RequestBody::IssueTicket { .. } => "issue_ticket",
            RequestBody::CheckIn { .. } => "check_in",
            RequestBody::Subscribe { .. } => "subscribe",
            RequestBody::GetTicket { .. } => "get_ticket",
            RequestBody::CancelTicket { .. } => "cancel_ticket",
            RequestBody::RequestHelp {} => "request_help",
            RequestBody::AcceptStaffing { .. } => "accept_staffing",
            RequestBody::BookAppointment { .. } => "book_appointment",
            RequestBody::SignIn { .. } => "sign_in",
            RequestBody::SignOut { .. } => "sign_out",
            RequestBody::Pause { .. } => "pause",
            RequestBody::Resume { .. } => "resume",
            RequestBody::CallNext { .. } => "call_next",
            RequestBody::CallNumber { .. } => "call_number",
            RequestBody::Recall { .. } => "recall",
            RequestBody::StartService { .. } => "start_service",
            RequestBody::Finish { .. } => "finish",
            RequestBody::NoShow { .. } => "no_show",
            RequestBody::Transfer { .. } => "transfer",
            RequestBody::Hold { .. } => "hold",
            RequestBody::ResumeHeld { .. } => "resume_held",
            RequestBody::ConfirmClass { .. } => "confirm_class",
            RequestBody::Rate { .. } => "rate",
            RequestBody::OpenWindow { .. } => "open_window",
            RequestBody::CloseWindow { .. } => "close_window",
            RequestBody::SetSkills { .. } => "set_skills",
            RequestBody::PostNotice { .. } => "post_notice",
            RequestBody::AnswerHelp { .. } => "answer_help",
            RequestBody::ProgressCase { .. } => "progress_case",
            RequestBody::CloseDay {} => "close_day",
            RequestBody::SetHallDate { .. } => "set_hall_date",
        }
    }

    /// The window a request acts on, if it names one (for the per-window permission check).
    pub fn window(&self) -> Option<u16> {
        match self {
            RequestBody::SignIn { window, .. }
            | RequestBody::SignOut { window }
            | RequestBody::Pause { window }
            | RequestBody::Resume { window }
            | RequestBody::CallNext { window }
            | RequestBody::CallNumber { window, .. }
            | RequestBody::Recall { window }
            | RequestBody::StartService { window }
            | RequestBody::Finish { window, .. }
            | RequestBody::NoShow { window }
            | RequestBody::Transfer { window, .. }
            | RequestBody::Hold { window }
            | RequestBody::ResumeHeld { window, .. }
            | RequestBody::Rate { window, .. }
            | RequestBody::ConfirmClass { window, .. }
            | RequestBody::OpenWindow { window }
            | RequestBody::CloseWindow { window }
            | RequestBody::SetSkills { window, .. }
            | RequestBody::AcceptStaffing { window } => Some(*window),
            _ => None,
        }
    }
}

impl Serialize for Request {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.body).map_err(serde::ser::Error::custom)?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("id".into(), self.id.into());
        }
        value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Request, D::Error> {
        let mut map = serde_json::Map::deserialize(deserializer)?;
        let id = map.remove("id").ok_or_else(|| D::Error::missing_field("id"))?;
        let id = id.as_u64().ok_or_else(|| D::Error::custom("`id` must be a non-negative integer"))?;
        let body = RequestBody::deserialize(serde_json::Value::Object(map)).map_err(D::Error::custom)?;
        Ok(Request { id, body })
    }
}

impl Request {
    /// Parses one text frame. On failure, the `id` if one could be read, so the error reply can carry it.
    pub fn parse(text: &str) -> Result<Request, (Option<u64>, String)> {
        serde_json::from_str(text).map_err(|e| {
            let id = serde_json::from_str::<serde_json::Value>(text).ok().and_then(|v| v.get("id")?.as_u64());
            (id, e.to_string())
        })
    }
}
