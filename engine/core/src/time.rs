//! Time as the core sees it: an instant passed in by the caller, and the hall's local calendar date.
//!
//! The core never reads a clock. Instants are milliseconds since the Unix epoch (UTC); the hall's
//! configured UTC offset turns them into local dates and times of day. The two calendar functions are
//! Howard Hinnant's `days_from_civil` / `civil_from_days`, exact for the proleptic Gregorian calendar;
//! they are a few lines, so a date crate would cost more build time than it saves.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Milliseconds in one minute.
pub const MINUTE_MS: i64 = 60_000;
/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;

/// An instant: milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds from `earlier` to `self`, never negative (a clock that stepped back counts as zero).
    pub fn since(self, earlier: Timestamp) -> i64 {
        (self.0 - earlier.0).max(0)
    }

    /// This instant moved by `ms` milliseconds.
    pub fn plus_ms(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }

    /// The local date and minute of the day of this instant, for a hall `offset_min` minutes east of UTC.
    pub fn local(self, offset_min: i32) -> (Date, u32) {
        let local_ms = self.0 + i64::from(offset_min) * MINUTE_MS;
        let days = local_ms.div_euclid(DAY_MS);
        let minute = local_ms.rem_euclid(DAY_MS) / MINUTE_MS;
        (Date::from_days(days), minute as u32)
    }
}

/// A calendar date in the hall's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
}

impl Date {
    /// A date if it exists in the Gregorian calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let date = Date { year, month, day };
        ((1..=12).contains(&month) && day >= 1 && day <= date.days_in_month()).then_some(date)
    }

    fn days_in_month(self) -> u8 {
        match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            _ if self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0) => 29,
            _ => 28,
        }
    }

    /// Days since 1970-01-01.
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The instant at local minute `minute` of this date, for a hall `offset_min` minutes east of UTC.
    pub fn at_minute(self, minute: u32, offset_min: i32) -> Timestamp {
        Timestamp(self.to_days() * DAY_MS + i64::from(minute) * MINUTE_MS - i64::from(offset_min) * MINUTE_MS)
    }

    /// Whole years from `self` (a birth date) to `on`.
    pub fn years_until(self, on: Date) -> i32 {
        let had_birthday = (on.month, on.day) >= (self.month, self.day);
        on.year - self.year - i32::from(!had_birthday)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date like 2026-03-02");
        let mut parts = s.splitn(3, '-');
        let mut next = || parts.next().ok_or_else(bad);
        let (y, m, d) = (next()?, next()?, next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let parse = |p: &str| p.parse::<i32>().map_err(|_| bad());
        Date::new(parse(y)?, parse(m)? as u8, parse(d)? as u8).ok_or_else(bad)
    }
}

impl TryFrom<String> for Date {
    type Error = String;
    fn try_from(s: String) -> Result<Date, String> {
        s.parse()
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

/// Parses a local time of day `HH:MM` (00:00–24:00) into minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    let minute = h * 60 + m;
    (m < 60 && minute <= 24 * 60).then_some(minute)
}

/// Parses a UTC offset `+08:00` / `-05:30` (at most 14 hours) into minutes east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let minutes = parse_hhmm(&s[1..])?;
    (minutes <= 14 * 60).then_some(sign * minutes as i32)
}

/// Formats minutes after midnight as `HH:MM`.
pub fn format_hhmm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_over_four_centuries() {
        for days in (-200_000..200_000).step_by(7) {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert_eq!(Date::from_days(0), Date { year: 1970, month: 1, day: 1 });
        assert_eq!(Date::new(2000, 2, 29).map(Date::to_days), Some(11_016));
        assert_eq!(Date::new(2026, 2, 29), None);
        assert_eq!(Date::new(2024, 2, 29).map(|d| d.to_string()), Some("2024-02-29".into()));
    }

    #[test]
    fn local_time_uses_the_offset() {
        // 2026-03-01T16:30Z is 2026-03-02 00:30 in Beijing (UTC+8).
        let date = Date { year: 2026, month: 3, day: 2 };
        let at = date.at_minute(30, 480);
        assert_eq!(at.local(480), (date, 30));
        assert_eq!(at.local(0), (Date { year: 2026, month: 3, day: 1 }, 16 * 60 + 30));
    }

    #[test]
    fn age_counts_whole_years() {
        let born = Date { year: 1966, month: 3, day: 2 };
        assert_eq!(born.years_until(Date { year: 2026, month: 3, day: 1 }), 59);
        assert_eq!(born.years_until(Date { year: 2026, month: 3, day: 2 }), 60);
    }

    #[test]
    fn hhmm_parses_and_rejects() {
        assert_eq!(parse_hhmm("08:30"), Some(510));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("24:01"), None);
        assert_eq!(parse_hhmm("8:30"), None);
        assert_eq!(parse_hhmm("08:60"), None);
        assert_eq!(format_hhmm(510), "08:30");
        assert_eq!("2026-13-01".parse::<Date>().ok(), None);
    }
}
