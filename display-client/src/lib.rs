//! display-client: a Rust client of the onewindow WebSocket protocol, for boards driven by a small
//! Linux box, and the `onewindow-display` terminal display built on it.
//!
//! Flow: [`Connection::open`] connects to `/ws` and authenticates with a device token, resuming with
//! `since` when given; [`Connection::next`] yields typed [`ServerMessage`]s (the snapshot, then events
//! in `seq` order) and [`Connection::request`] sends a request and waits for its answer. [`Follower`]
//! wraps it for displays: it reconnects with backoff and resumes by the last `seq` it delivered, so its
//! caller sees every event once, in order, across any number of dropped connections. [`Board`] folds
//! the stream into what a display shows.

mod board;
mod connection;
mod follower;

pub use board::Board;
pub use connection::{ClientError, Connection};
pub use follower::Follower;
pub use kiosk_protocol as protocol;
pub use kiosk_protocol::{ServerMessage, WireEvent};
