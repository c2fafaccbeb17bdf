//! kiosk-protocol: the contract between onewindow and its terminals (kiosks, clerk terminals,
//! displays, evaluator pads, supervisors), as serde types of JSON text frames over WebSocket.
//!
//! Flow: the client sends [`Request`]s (`hello` first, carrying [`PROTOCOL_VERSION`] and a device
//! token); the server answers each with a [`ServerMessage::Reply`] or [`ServerMessage::Error`] carrying
//! the request's `id` and a stable [`ErrorCode`], and pushes [`ServerMessage::Event`]s with a
//! monotonic `seq`. [`Role::may`] is the permission table. [`vocab`] holds the small enums the engine's
//! core shares. This crate does no I/O and depends on nothing of the engine.

pub mod codes;
pub mod export;
pub mod request;
pub mod role;
pub mod server;
pub mod view;
pub mod vocab;

pub use codes::ErrorCode;
pub use request::{Request, RequestBody};
pub use role::Role;
pub use server::{
    CallReasonView, CallView, CaseDueView, CaseView, FollowedTicket, HallView, HelpView, LockView, MatterEstimate,
    MatterView, MessageKind, OpenTicketView, PublicHall, ReplyResult, ServerMessage, StaffingRequestView, StaffingView,
    TicketView, WaitEstimate, WindowLayout, WindowView, WireEvent,
};

/// The protocol version this crate speaks. A `hello` with another version gets `unsupported_protocol`.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest text frame a client may send, in bytes.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
