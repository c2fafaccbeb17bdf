//! display-client: the Rust client of the onewindow WebSocket protocol (used by `onewindow send`, the
//! engine's tests, the crash test and the load bench), and the `onewindow-display` terminal display
//! built on it.
//!
//! Flow: [`Connection::open`] connects to `/ws` and authenticates with a device token, resuming with
//! `since` when given; [`Connection::request`] sends a typed request
//! ([`protocol::RequestBody`]) and waits for its answer, keeping what arrives meanwhile;
//! [`Connection::next`] yields every other message as a [`Frame`] (header read, typed on demand).
//! [`Follower`] wraps it for displays: it reconnects with backoff and resumes by the last `seq` it
//! delivered, so its caller sees every event once, in order, across any number of dropped
//! connections. [`Board`] folds the stream into what a display shows. [`process::Served`] starts the
//! real `onewindow serve` and stops it. [`print`] is a kiosk's ESC/POS print agent (`onewindow-print`):
//! a follower that prints its kiosk's tickets ([`escpos`]) and remembers the last one printed.

mod board;
mod connection;
pub mod escpos;
mod follower;
pub mod print;
pub mod process;
pub mod voice;

pub use board::Board;
pub use connection::{ClientError, Connection, Frame, FrameKind, Receiver, Sender, Socket};
pub use follower::Follower;
pub use kiosk_protocol as protocol;
pub use kiosk_protocol::{ServerMessage, WireEvent};
