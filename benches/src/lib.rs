//! benches: criterion micro-benchmarks of `onewindow_core` at hall scale and beyond (`benches/core.rs`),
//! and `onewindow-bench`, the load harness over real sockets ([`load`] against onewindow and [`floor`]).
//!
//! Flow: [`big_hall`] builds a hall of 40 matters and 200 windows (each serving three neighbouring
//! matters, a few comprehensive, eight standby), opens the day, signs every regular window in and
//! issues the waiting tickets; the benchmarks then time `decide` (issue, call next under each policy,
//! finish, the staffing review), the wait estimate, and replay of the recorded events.

use onewindow_core::{
    ClerkId, ClerkSpec, Command, Date, Event, Hall, HallConfig, MatterId, MatterSet, MatterSpec, Policy, Rules,
    StaffingMode, StaffingRules, Timestamp, WindowId, WindowKind, WindowSpec,
};

pub use onewindow_core;

pub mod floor;
pub mod load;

/// Matters in the big hall.
pub const MATTERS: usize = 40;
/// Windows in the big hall (the last [`STANDBY`] are standby windows).
pub const WINDOWS: usize = 200;
/// Standby windows among them.
pub const STANDBY: usize = 8;
/// The business day of the benchmarks.
pub const DATE: Date = Date { year: 2026, month: 3, day: 2 };

/// The big hall's configuration under `policy`, automatic staffing on.
pub fn big_config(policy: Policy) -> HallConfig {
    let matters = (0..MATTERS)
        .map(|i| MatterSpec {
            key: format!("m{i:02}"),
            name_zh: format!("事项 {i}"),
            name_en: format!("Matter {i}"),
            // A hall config allows A–Z only (so at most 26 matters with tickets people can read); the
            // benchmark hall goes beyond that on purpose and uses a–n for the rest.
            prefix: if i < 26 { char::from(b'A' + i as u8) } else { char::from(b'a' + (i - 26) as u8) },
            target_wait_ms: (10 + (i % 4) as i64 * 5) * 60_000,
            handling_norm_ms: (4 + (i % 7) as i64 * 3) * 60_000,
            daily_cap: None,
            booking_per_slot: None,
            real_name: Default::default(),
            per_id: Default::default(),
            retired: false,
        })
        .collect();
    let windows = (0..WINDOWS)
        .map(|w| {
            let skills = if w % 25 == 0 {
                MatterSet::of((0..MATTERS).map(|m| MatterId(m as u16)))
            } else {
                MatterSet::of((0..3).map(|k| MatterId(((w + k) % MATTERS) as u16)))
            };
            WindowSpec {
                key: format!("w{w:03}"),
                number: (w + 1) as u16,
                name: format!("窗口 {}", w + 1),
                zone: String::new(),
                skills,
                home: Some(MatterId((w % MATTERS) as u16)),
                kind: if w >= WINDOWS - STANDBY { WindowKind::Standby } else { WindowKind::Regular },
                shift: None,
                retired: false,
            }
        })
        .collect();
    let clerks = (0..WINDOWS)
        .map(|c| ClerkSpec { key: format!("c{c:03}"), name: format!("clerk {c}"), retired: false })
        .collect();
    let rules = Rules {
        policy,
        staffing: StaffingRules { mode: StaffingMode::Automatic, ..StaffingRules::default() },
        ..Rules::default()
    };
    HallConfig {
        name: "bench hall".into(),
        utc_offset_min: 480,
        hours: None,
        calendar: Default::default(),
        matters,
        windows,
        clerks,
        rules,
    }
}

/// 08:00 local time on [`DATE`] plus `minutes`.
pub fn at(minutes: i64) -> Timestamp {
    DATE.at_minute(8 * 60, 480).plus_ms(minutes * 60_000)
}

/// The big hall with `waiting` tickets waiting (spread over the matters, one a second from 08:00),
/// every regular window signed in and idle; and every event that built it, in order.
pub fn big_hall(policy: Policy, waiting: usize) -> (Hall, Vec<Event>) {
    let mut hall = Hall::new(big_config(policy));
    let mut log = Vec::new();
    let mut run = |hall: &mut Hall, cmd: Command, now: Timestamp| {
        if let Ok(events) = hall.execute(&cmd, now) {
            log.extend(events);
        }
    };
    run(&mut hall, Command::OpenDay { date: DATE }, at(0));
    for w in 0..WINDOWS - STANDBY {
        let cmd = Command::SignIn { window: WindowId(w as u16), clerk: ClerkId(w as u16) };
        run(&mut hall, cmd, at(0));
    }
    for i in 0..waiting {
        let cmd = Command::IssueTicket {
            matter: MatterId((i * 7 % MATTERS) as u16),
            green: None,
            holder: None,
            source: None,
        };
        run(&mut hall, cmd, at(0).plus_ms(i as i64 * 1000));
    }
    (hall, log)
}
