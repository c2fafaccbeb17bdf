//! simulator: replays hall days through the same `onewindow_core` the server runs, with a virtual
//! clock and seeded random numbers (ChaCha8: same seed, same output, bit for bit).
//!
//! Flow: [`scenario::Scenario::parse`] reads a scenario (TOML, `../shared/validation/SCENARIO-FORMAT.md`);
//! [`report::run`] builds the hall it describes ([`sim::hall_config`]), drives arrivals and service
//! completions through `Hall::execute` ([`sim::Run`]), records every wait ([`stats::Recorder`]) and
//! returns the contract's [`report::Report`]; [`charts`] draws reports as SVG. [`replay`] runs a day
//! recorded in a ledger again (its own citizens) under another policy or staffing rule; [`plan`] turns
//! the last weeks of a ledger into next week's windows per half hour.

pub mod charts;
pub mod plan;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod stats;
