//! Reading the date-times the platforms send into instants.
//!
//! The formats seen in the catalogs' examples and the platforms' docs:
//!
//! | format | example | who |
//! | --- | --- | --- |
//! | RFC 3339 with an offset | `2021-12-31T19:00:00-05:00` | Shopify (most fields) |
//! | RFC 3339 in UTC with fractional seconds | `2025-02-27T20:08:28.000Z` | Shopify (newer topics) |
//! | date, time and a `±HHMM` offset, space-separated | `2021-12-31 19:00:00 -0500` | Shopify (older payloads) |
//! | Unix seconds as digits | `1702212669` | BigCommerce, Ecwid, Shopware (as numbers, or strings) |
//!
//! The date is the proleptic Gregorian calendar; a leap second (`:60`) counts as `:59`.

use std::fmt;
use std::time::{Duration, SystemTime};

/// Why a date-time could not be read. Its text never quotes the date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampError {
    reason: &'static str,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the date-time is not in a format the platforms send: {}", self.reason)
    }
}

impl std::error::Error for TimestampError {}

fn error(reason: &'static str) -> TimestampError {
    TimestampError { reason }
}

/// An instant outside what a date-time crate represents.
#[cfg(feature = "jiff")]
pub(crate) fn out_of_range() -> TimestampError {
    error("a representable instant")
}

/// Reads `text` (any format in the module's table) as an instant.
pub(crate) fn parse(text: &str) -> Result<SystemTime, TimestampError> {
    let text = text.trim();
    if !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: u64 = text.parse().map_err(|_| error("too many digits"))?;
        return Ok(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds));
    }
    let mut cursor = Cursor { bytes: text.as_bytes(), at: 0 };
    let year = cursor.digits(4, "a four-digit year")?;
    cursor.expect(b'-', "`-` after the year")?;
    let month = cursor.digits(2, "a two-digit month")?;
    cursor.expect(b'-', "`-` after the month")?;
    let day = cursor.digits(2, "a two-digit day")?;
    if !matches!(cursor.next(), Some(b'T' | b't' | b' ')) {
        return Err(error("`T` or a space between date and time"));
    }
    let hour = cursor.digits(2, "a two-digit hour")?;
    cursor.expect(b':', "`:` after the hour")?;
    let minute = cursor.digits(2, "two-digit minutes")?;
    cursor.expect(b':', "`:` after the minutes")?;
    let second = cursor.digits(2, "two-digit seconds")?.min(59);
    let mut nanos = 0u32;
    if cursor.peek() == Some(b'.') {
        cursor.at += 1;
        let start = cursor.at;
        while let Some(digit @ b'0'..=b'9') = cursor.peek() {
            if cursor.at - start < 9 {
                nanos = nanos * 10 + u32::from(digit - b'0');
            }
            cursor.at += 1;
        }
        let places = cursor.at - start;
        if places == 0 {
            return Err(error("digits after the decimal point"));
        }
        nanos *= 10u32.pow(9u32.saturating_sub(places as u32));
    }
    while cursor.peek() == Some(b' ') {
        cursor.at += 1;
    }
    let offset = match cursor.next() {
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hours = cursor.digits(2, "a two-digit offset hour")?;
            if cursor.peek() == Some(b':') {
                cursor.at += 1;
            }
            let minutes = cursor.digits(2, "two-digit offset minutes")?;
            if hours > 23 || minutes > 59 {
                return Err(error("an offset within ±23:59"));
            }
            let offset = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' {
                -offset
            } else {
                offset
            }
        }
        _ => return Err(error("an offset (`Z`, `±HH:MM` or `±HHMM`)")),
    };
    if cursor.at != cursor.bytes.len() {
        return Err(error("nothing after the offset"));
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(error("a real calendar date"));
    }
    if hour > 23 || minute > 59 {
        return Err(error("a time of day within 00:00:00 and 23:59:60"));
    }
    let days = days_from_civil(i64::from(year), month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset;
    let whole = Duration::from_secs(seconds.unsigned_abs());
    let instant = if seconds >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(whole)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(whole)
    };
    instant.and_then(|t| t.checked_add(Duration::from_nanos(u64::from(nanos)))).ok_or(error("a representable instant"))
}

struct Cursor<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek();
        self.at += usize::from(byte.is_some());
        byte
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), TimestampError> {
        if self.next() == Some(byte) {
            Ok(())
        } else {
            Err(error(what))
        }
    }

    /// Exactly `count` ASCII digits as a number.
    fn digits(&mut self, count: usize, what: &'static str) -> Result<u32, TimestampError> {
        let digits = self.bytes.get(self.at..self.at + count).ok_or(error(what))?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(error(what));
        }
        self.at += count;
        Ok(digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
#[cfg(feature = "testing")]
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `at` as RFC 3339 in UTC with whole seconds (`2026-12-02T05:55:46Z`); times before 1970 are
/// written as 1970-01-01T00:00:00Z (no platform signs those).
#[cfg(feature = "testing")]
pub(crate) fn format_utc(at: SystemTime) -> String {
    let seconds = at.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |since| since.as_secs());
    let (days, of_day) = ((seconds / 86_400) as i64, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", of_day / 3600, of_day / 60 % 60, of_day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "testing")]
    #[test]
    fn formats_what_it_parses() {
        for seconds in [0, 951_782_400, 1_700_000_000, 4_102_444_799, 1_709_164_800] {
            let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
            assert_eq!(parse(&format_utc(at)), Ok(at), "{seconds}: {}", format_utc(at));
        }
        assert_eq!(
            format_utc(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }

    fn unix(text: &str) -> Result<f64, TimestampError> {
        parse(text).map(|t| match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => after.as_secs_f64(),
            Err(before) => -before.duration().as_secs_f64(),
        })
    }

    #[test]
    fn reads_every_format_the_platforms_send() {
        assert_eq!(unix("2021-12-31T19:00:00-05:00"), Ok(1_640_995_200.0));
        assert_eq!(unix("2022-01-01T00:00:00Z"), Ok(1_640_995_200.0));
        assert_eq!(unix("2021-12-31 19:00:00 -0500"), Ok(1_640_995_200.0));
        assert_eq!(unix("2025-02-27T20:08:28.250Z"), Ok(1_740_686_908.25));
        assert_eq!(unix("2024-01-02T20:36:40+03:00"), Ok(1_704_217_000.0));
        assert_eq!(unix("1702212669"), Ok(1_702_212_669.0));
        assert_eq!(unix("1969-12-31T23:59:59Z"), Ok(-1.0));
        assert_eq!(unix("2024-02-29T00:00:00Z"), Ok(1_709_164_800.0));
    }

    #[test]
    fn refuses_what_is_not_a_date_time() {
        for bad in ["", "2021-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2021-12-31T19:00:00", "2021-12-31T25:00:00Z"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(!parse("2021-12-31Tx").unwrap_err().to_string().contains("2021"));
    }
}
