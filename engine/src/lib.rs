//! onewindow: the queue-and-ticketing engine of a government service hall.
//!
//! Data flows one way. A terminal's request becomes a [`core::Command`]; [`core::Hall::decide`] checks
//! it against the hall's state and returns [`core::Event`]s or a [`core::Rejection`] with a stable code;
//! the events are made durable (the serve issue adds the log), then [`core::Hall::apply`] folds them
//! into the state and [`wire`] maps them to the public `kiosk-protocol` types for terminals.
//!
//! - [`core`]: the pure hall state machine: model, commands, events, routing. No I/O, clock or RNG.
//! - [`config`]: TOML hall configuration, validated into [`core::HallConfig`]; the embedded demo hall.
//! - [`wire`]: the mapping between core facts and the wire contract in `kiosk-protocol`.

pub mod auth;
pub mod config;
pub mod core;
pub mod launch;
pub mod server;
pub mod store;
pub mod wire;
