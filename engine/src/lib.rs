//! onewindow: the queue-and-ticketing engine of a government service hall (the server around the core).
//!
//! Data flows one way. A terminal's request arrives on a socket ([`server`]); the edge checks who may
//! ask ([`auth`], [`pin`], [`identity`]) and [`wire`] turns it into a [`core::Command`]; the one writer
//! task has [`core::Hall::decide`] check it and return [`core::Event`]s or a [`core::Rejection`] with a
//! stable code; the events are made durable in the ledger ([`store`]), then folded into the hall and
//! into the view the terminals see, and published. Once a second the writer calls
//! [`core::Hall::tick`].
//!
//! - [`core`]: the `onewindow-core` crate, re-exported: the pure hall state machine.
//! - [`config`]: TOML hall configuration, validated into [`core::HallConfig`]; the embedded demo hall.
//! - [`wire`]: the mapping between core facts and the wire contract in `kiosk-protocol`.
//! - [`launch`]: opening a data directory (ledger identity, ID keys) before serving.

pub mod audit;
pub mod auth;
pub mod config;
pub use onewindow_core as core;
pub mod identity;
pub mod launch;
pub mod pin;
pub mod rehearse;
pub mod report;
pub mod server;
pub mod store;
pub mod wire;
