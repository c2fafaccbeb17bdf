//! Time, doubted. The wall clock can jump (a bad NTP answer, a dead RTC battery, an operator typing the
//! wrong year); the monotonic clock cannot. The writer takes its time from [`CheckedClock`]: the wall
//! clock while it moves in step with the monotonic clock, and the last good wall time carried forward by
//! the monotonic clock while it does not. A new wall offset is adopted only after it has held steady
//! for [`SETTLE`] (a real correction), so a glitch of seconds never moves the business day. Time never
//! goes backwards, so a past day is never reopened.
//!
//! Pure: readings are passed in, so tests drive it with made-up clocks.

use crate::core::Timestamp;
use std::time::Duration;

/// Wall and monotonic clocks may disagree by this much and still be in step (NTP slews, scheduling).
pub const TOLERANCE_MS: i64 = 2_000;
/// A new wall offset must hold this long before it is believed.
pub const SETTLE: Duration = Duration::from_secs(60);

/// The checked clock's state.
#[derive(Debug, Clone)]
pub struct CheckedClock {
    /// The last trusted (wall, monotonic) pair.
    anchor: (Timestamp, Duration),
    /// A wall offset seen but not yet believed, and since when (monotonic).
    suspect: Option<(i64, Duration)>,
    /// The last time handed out.
    last: Timestamp,
}

/// One reading of the checked clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// The time to use.
    pub now: Timestamp,
    /// The wall clock's disagreement being ignored, in ms (0 when in step).
    pub ignored_ms: i64,
}

/// What changed at this reading, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing new.
    None,
    /// The wall clock jumped by this many ms; ignored for now.
    Jumped(i64),
    /// The wall clock's new offset held for [`SETTLE`] and is now believed.
    Adopted(i64),
}

impl CheckedClock {
    /// Starts from a wall reading, never earlier than `floor` (the last time in the ledger).
    pub fn new(wall: Timestamp, mono: Duration, floor: Timestamp) -> CheckedClock {
        let start = wall.max(floor);
        CheckedClock { anchor: (start, mono), suspect: None, last: start }
    }

    /// A new pair of readings.
    pub fn read(&mut self, wall: Timestamp, mono: Duration) -> (Reading, Change) {
        let carried =
            self.anchor.0.plus_ms(i64::try_from(mono.saturating_sub(self.anchor.1).as_millis()).unwrap_or(i64::MAX));
        let drift = wall.0 - carried.0;
        let (now, change) = if drift.abs() <= TOLERANCE_MS {
            self.anchor = (wall, mono);
            self.suspect = None;
            (wall, Change::None)
        } else {
            match self.suspect {
                Some((offset, since)) if (drift - offset).abs() <= TOLERANCE_MS => {
                    if mono.saturating_sub(since) >= SETTLE {
                        self.anchor = (wall, mono);
                        self.suspect = None;
                        (wall, Change::Adopted(drift))
                    } else {
                        (carried, Change::None)
                    }
                }
                _ => {
                    self.suspect = Some((drift, mono));
                    (carried, Change::Jumped(drift))
                }
            }
        };
        let now = now.max(self.last);
        self.last = now;
        let ignored_ms = self.suspect.map_or(0, |(offset, _)| offset);
        (Reading { now, ignored_ms }, change)
    }
}

/// The supervisor's warning while a jump is ignored, in Chinese then English.
pub fn warning(ignored_ms: i64) -> Option<String> {
    (ignored_ms != 0).then(|| {
        let s = ignored_ms / 1000;
        format!("系统时钟跳变 {s:+} 秒，已忽略 / the system clock jumped {s:+} s; ignored until it holds steady")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn in_step_the_wall_clock_is_used() {
        let mut c = CheckedClock::new(Timestamp(1_000_000), secs(0), Timestamp(0));
        let (r, change) = c.read(Timestamp(1_005_000), secs(5));
        assert_eq!((r.now, r.ignored_ms, change), (Timestamp(1_005_000), 0, Change::None));
        // A slow slew within the tolerance is followed.
        let (r, _) = c.read(Timestamp(1_011_500), secs(10));
        assert_eq!(r.now, Timestamp(1_011_500));
    }

    #[test]
    fn a_glitch_of_seconds_is_ignored_and_time_goes_on() {
        let mut c = CheckedClock::new(Timestamp(1_000_000), secs(0), Timestamp(0));
        let (r, change) = c.read(Timestamp(1_001_000 + YEAR_MS), secs(1));
        assert_eq!(change, Change::Jumped(YEAR_MS));
        assert_eq!(r.now, Timestamp(1_001_000), "carried forward by the monotonic clock");
        assert!(warning(r.ignored_ms).is_some());
        let (r, _) = c.read(Timestamp(1_003_000 + YEAR_MS), secs(3));
        assert_eq!(r.now, Timestamp(1_003_000));
        let (r, change) = c.read(Timestamp(1_004_000), secs(4));
        assert_eq!((r.now, r.ignored_ms, change), (Timestamp(1_004_000), 0, Change::None), "back in step");
    }

    #[test]
    fn a_steady_new_offset_is_adopted_after_settling() {
        let mut c = CheckedClock::new(Timestamp(1_000_000), secs(0), Timestamp(0));
        let hour = 3_600_000;
        let (_, change) = c.read(Timestamp(1_001_000 + hour), secs(1));
        assert_eq!(change, Change::Jumped(hour));
        let (r, change) = c.read(Timestamp(1_031_000 + hour), secs(31));
        assert_eq!((r.now, change), (Timestamp(1_031_000), Change::None), "not yet settled");
        let (r, change) = c.read(Timestamp(1_062_000 + hour), secs(62));
        assert_eq!((r.now, change), (Timestamp(1_062_000 + hour), Change::Adopted(hour)));
    }

    #[test]
    fn time_never_goes_backwards() {
        // Started on a wall clock behind the ledger's last event: the ledger's time is the floor.
        let mut c = CheckedClock::new(Timestamp(500), secs(0), Timestamp(10_000));
        let (r, _) = c.read(Timestamp(600), secs(0));
        assert!(r.now >= Timestamp(10_000));
        // A wall clock stepping back an hour, then settling there, never makes time run backwards.
        let mut c = CheckedClock::new(Timestamp(10_000_000), secs(0), Timestamp(0));
        let mut last = Timestamp(0);
        for s in 1..200u64 {
            let (r, _) = c.read(Timestamp(10_000_000 - 3_600_000 + s as i64 * 1000), secs(s));
            assert!(r.now >= last, "at {s} s");
            last = r.now;
        }
    }
}
