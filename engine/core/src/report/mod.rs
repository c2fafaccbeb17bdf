//! Reports from the ledger: events are folded into per-day facts ([`facts`]), and KPIs are
//! arithmetic over facts ([`kpi`]). Pure like the rest of the core: the server and `onewindow
//! report` read the ledger and keep closed days' facts; the simulator folds its own events, so a
//! replayed day is measured exactly as the recorded one.
//!
//! ```text
//! events ──Folder::fold──> DayFacts (one per business day) ──Builder::add──> Report (KPIs, rows, cases)
//! ```

pub mod facts;
pub mod kpi;

pub use facts::{DayFacts, Folder};
pub use kpi::{Builder, By, Kpis, Report};
