//! simulator: replays hall days through the same `onewindow::core` the server runs, with a virtual
//! clock and a seeded random number generator, to measure routing and staffing policies.
//!
//! Planned flow (the simulator issue fills it): a scenario (TOML) gives arrivals and service times; the
//! simulator turns them into `IssueTicket`, `CallNext` and `Finish` commands at virtual times, runs them
//! through `Hall::execute`, and reports waits. Until then it only names the core it will drive.

pub use onewindow::core;
