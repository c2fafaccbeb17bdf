//! display-client: a Rust client of the onewindow WebSocket protocol for boards driven by a small Linux
//! box, and the `onewindow-display` terminal display.
//!
//! Planned flow (the terminals issue fills it): connect to `/ws`, authenticate with a display token,
//! subscribe with `since = <last seq>`, decode [`kiosk_protocol::ServerMessage`]s, reconnect with backoff
//! and resume by `seq`. Until then this crate only re-exports the wire contract it will speak.

pub use kiosk_protocol as protocol;
