//! The shared vocabulary: small enums that mean the same in the hall's core and on the wire, so they
//! are defined once, here, at the bottom of the house. Each serialises as its snake_case name.

use serde::{Deserialize, Serialize};

/// What kind of counter a window is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// A comprehensive window, open from the start of the day.
    Regular,
    /// A window that takes green-channel tickets before anyone else's.
    GreenChannel,
    /// A temporary window, closed until a supervisor (or the staffing policy) opens it.
    Standby,
}

/// The priority class of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketClass {
    /// A walk-in.
    Normal,
    /// Green channel (绿色通道): elderly, pregnant, active military, disabled.
    Green,
    /// A booked appointment checked in within its slot and grace.
    Appointment,
}

/// Why a ticket is in the green channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GreenReason {
    /// 60 years or older.
    Elderly,
    /// Pregnant.
    Pregnant,
    /// Active military.
    Military,
    /// Disabled or limited mobility.
    Disabled,
}

/// The age from which the elderly green channel applies.
pub const ELDERLY_AGE: i32 = 60;

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// In a queue.
    Waiting,
    /// Called to a window, the citizen not yet there.
    Called,
    /// Being served at a window.
    Serving,
    /// Put aside (挂起), for example while the citizen fetches a document.
    Held,
    /// Served; the outcome is on the ticket.
    Done,
    /// Did not come when called, and no re-queue is left (过号).
    NoShow,
    /// Cancelled by the citizen.
    Cancelled,
    /// Still open when the day was closed.
    Closed,
}

impl TicketState {
    /// Whether the ticket has ended and can no longer change state.
    pub fn is_ended(self) -> bool {
        matches!(self, TicketState::Done | TicketState::NoShow | TicketState::Cancelled | TicketState::Closed)
    }

    /// The stable name used in rejections and on the wire.
    pub fn name(self) -> &'static str {
        match self {
            TicketState::Waiting => "waiting",
            TicketState::Called => "called",
            TicketState::Serving => "serving",
            TicketState::Held => "held",
            TicketState::Done => "done",
            TicketState::NoShow => "no_show",
            TicketState::Cancelled => "cancelled",
            TicketState::Closed => "closed",
        }
    }
}

/// How a service ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The matter was accepted or completed (受理 / 办结).
    Completed,
    /// Accepted with documents to follow (容缺受理).
    Pending,
    /// Could not be accepted (不予受理): missing conditions or wrong hall.
    Refused,
    /// Only advice was given (咨询).
    Advised,
}

/// The national five-level rating (好差评).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 非常满意
    VerySatisfied,
    /// 满意
    Satisfied,
    /// 基本满意
    Neutral,
    /// 不满意
    Dissatisfied,
    /// 非常不满意
    VeryDissatisfied,
}

/// A step of a rectification case (整改).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStepKind {
    /// Made someone's responsibility.
    Assigned,
    /// The citizen was contacted.
    Contacted,
    /// Resolved (the case closes).
    Resolved,
}

/// Why a ticket ended without service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The day was closed while the ticket waited.
    DayClosedWaiting,
    /// The day was closed while the ticket was called or being served.
    DayClosedAtWindow,
    /// The day was closed while the ticket was held.
    DayClosedHeld,
}

/// What a window shows on displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowStatus {
    /// Closed.
    Closed,
    /// Open and free.
    Open,
    /// Paused by its clerk.
    Paused,
    /// A ticket is called or in service.
    Serving,
}
