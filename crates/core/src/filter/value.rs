//! The values rules compare against: calendar dates at a precision, instants, lengths of time
//! and spans like "30 days".
//!
//! Dates are compared as closed intervals of Unix seconds: a year-precision release date of
//! 2015 covers all of 2015, a day covers its 86,400 seconds, an instant covers one second. That
//! is what lets evaluation say "unknown" when a date is too coarse to decide a rule (a track
//! released "2015" for `release:<2015-06-01`) instead of guessing.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;
use time::{Date, Month};
use ts_rs::TS;

const SECONDS_PER_DAY: i64 = 86_400;

/// A calendar date known to the year, the month or the day. Always a real date: the
/// constructor checks it, and the JSON form goes through the same check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/bindings/")]
#[serde(try_from = "String", into = "String")]
// Written as text ("2015", "2015-06", "2015-06-01"), so a string in TypeScript.
#[ts(type = "string")]
pub struct PartialDate {
    year: i32,
    month: Option<u8>,
    day: Option<u8>,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("expected a date as YYYY, YYYY-MM or YYYY-MM-DD")]
    Shape,
    #[error("the year must be between 0000 and 9999")]
    Year,
    #[error("the month must be between 01 and 12")]
    Month,
    #[error("that day does not exist in that month")]
    Day,
}

/// How precise a [`PartialDate`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    Year,
    Month,
    Day,
}

impl PartialDate {
    /// Builds a date; a day needs a month, and the date must exist.
    pub fn new(year: i32, month: Option<u8>, day: Option<u8>) -> Result<PartialDate, DateError> {
        if !(0..=9999).contains(&year) {
            return Err(DateError::Year);
        }
        if month.is_some_and(|m| !(1..=12).contains(&m)) {
            return Err(DateError::Month);
        }
        match (month, day) {
            (None, Some(_)) => return Err(DateError::Shape),
            (Some(m), Some(d)) => {
                let month = Month::try_from(m).map_err(|_| DateError::Month)?;
                Date::from_calendar_date(year, month, d).map_err(|_| DateError::Day)?;
            }
            _ => {}
        }
        Ok(PartialDate { year, month, day })
    }

    pub fn year_only(year: i32) -> Result<PartialDate, DateError> {
        PartialDate::new(year, None, None)
    }

    pub fn ymd(year: i32, month: u8, day: u8) -> Result<PartialDate, DateError> {
        PartialDate::new(year, Some(month), Some(day))
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn month(&self) -> Option<u8> {
        self.month
    }

    pub fn day(&self) -> Option<u8> {
        self.day
    }

    pub fn precision(&self) -> DatePrecision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => DatePrecision::Day,
            (Some(_), None) => DatePrecision::Month,
            _ => DatePrecision::Year,
        }
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (four-digit year, two-digit parts).
    pub fn parse(text: &str) -> Result<PartialDate, DateError> {
        let mut parts = text.split('-');
        let year = parts.next().ok_or(DateError::Shape)?;
        let month = parts.next();
        let day = parts.next();
        if parts.next().is_some() {
            return Err(DateError::Shape);
        }
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) {
            return Err(DateError::Shape);
        }
        let year: i32 = year.parse().map_err(|_| DateError::Shape)?;
        let month = match month {
            Some(m) if digits(m, 2) => Some(m.parse::<u8>().map_err(|_| DateError::Shape)?),
            Some(_) => return Err(DateError::Shape),
            None => None,
        };
        let day = match day {
            Some(d) if digits(d, 2) => Some(d.parse::<u8>().map_err(|_| DateError::Shape)?),
            Some(_) => return Err(DateError::Shape),
            None => None,
        };
        PartialDate::new(year, month, day)
    }

    /// The first and last day this date covers, as days since 1970-01-01.
    fn day_range(&self) -> (i64, i64) {
        let first_month = self.month.unwrap_or(1);
        let last_month = self.month.unwrap_or(12);
        let first_day = self.day.unwrap_or(1);
        let last_day = match self.day {
            Some(d) => d,
            None => days_in_month(self.year, last_month),
        };
        (
            days_from_civil(self.year, first_month, first_day),
            days_from_civil(self.year, last_month, last_day),
        )
    }

    /// The closed interval of Unix seconds this date covers, for a calendar whose days start
    /// at `utc_offset` seconds east of UTC.
    pub fn interval(&self, utc_offset: i32) -> Interval {
        let (first, last) = self.day_range();
        let offset = i64::from(utc_offset);
        Interval {
            start: first * SECONDS_PER_DAY - offset,
            end: (last + 1) * SECONDS_PER_DAY - 1 - offset,
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl TryFrom<String> for PartialDate {
    type Error = DateError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PartialDate::parse(&value)
    }
}

impl From<PartialDate> for String {
    fn from(value: PartialDate) -> String {
        value.to_string()
    }
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in_month(year: i32, month: u8) -> u8 {
    match Month::try_from(month) {
        Ok(m) => m.length(year),
        Err(_) => 31,
    }
}

/// Days since 1970-01-01 for a (valid) civil date.
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    match Month::try_from(month)
        .ok()
        .and_then(|m| Date::from_calendar_date(year, m, day).ok())
    {
        Some(date) => i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY,
        // Unreachable for dates built through PartialDate::new; a far-past value keeps
        // comparisons total without panicking.
        None => i64::MIN / (2 * SECONDS_PER_DAY),
    }
}

/// The Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// A closed interval of Unix seconds: the instants a value may stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: i64,
    pub end: i64,
}

impl Interval {
    pub fn point(t: i64) -> Interval {
        Interval { start: t, end: t }
    }
}

/// An instant, as whole seconds since the Unix epoch (UTC). Used for "added at" and "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

/// Why a timestamp could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("expected an RFC 3339 timestamp like 2024-05-01T12:00:00Z")]
pub struct TimestampError;

impl Timestamp {
    pub fn from_unix_seconds(seconds: i64) -> Timestamp {
        Timestamp(seconds)
    }

    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    /// Reads the form services send (`2024-05-01T12:00:00Z`).
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, TimestampError> {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map(|t| Timestamp(t.unix_timestamp()))
            .map_err(|_| TimestampError)
    }

    /// The same wall-clock moment `months` calendar months earlier, the day clamped to the
    /// target month's length (31 March minus one month is 28 or 29 February).
    pub fn minus_months(self, months: u32, utc_offset: i32) -> Timestamp {
        let offset = i64::from(utc_offset);
        let local = self.0 + offset;
        let days = local.div_euclid(SECONDS_PER_DAY);
        let second_of_day = local.rem_euclid(SECONDS_PER_DAY);
        let Some(date) = i32::try_from(days + UNIX_EPOCH_JULIAN_DAY)
            .ok()
            .and_then(|jd| Date::from_julian_day(jd).ok())
        else {
            return Timestamp(
                self.0
                    .saturating_sub(i64::from(months) * 31 * SECONDS_PER_DAY),
            );
        };
        let total =
            i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 - i64::from(months);
        let year = i32::try_from(total.div_euclid(12)).unwrap_or(i32::MIN);
        let month = u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1);
        let day = date.day().min(days_in_month(year, month));
        let days = days_from_civil(year, month, day);
        Timestamp(days * SECONDS_PER_DAY + second_of_day - offset)
    }
}

/// A length of time in milliseconds (track durations, duration limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/bindings/")]
#[serde(transparent)]
// A JSON number (milliseconds stay far below 2^53), not a bigint.
#[ts(type = "number")]
pub struct DurationMs(pub u64);

impl DurationMs {
    pub fn from_secs(secs: u64) -> DurationMs {
        DurationMs(secs.saturating_mul(1000))
    }
}

impl fmt::Display for DurationMs {
    /// `m:ss`, or `h:mm:ss` from an hour up, with `.mmm` when not whole seconds: the form the
    /// query language writes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 % 1000;
        let total = self.0 / 1000;
        let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
        if h > 0 {
            write!(f, "{h}:{m:02}:{s:02}")?;
        } else {
            write!(f, "{m}:{s:02}")?;
        }
        if ms > 0 {
            write!(f, ".{ms:03}")?;
        }
        Ok(())
    }
}

/// The unit of a relative span ("in the last 3 months").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/bindings/")]
#[serde(rename_all = "snake_case")]
pub enum SpanUnit {
    Days,
    Weeks,
    Months,
}

impl SpanUnit {
    /// The suffix the query language uses.
    pub fn suffix(self) -> &'static str {
        match self {
            SpanUnit::Days => "d",
            SpanUnit::Weeks => "w",
            SpanUnit::Months => "m",
        }
    }
}

/// "N days / weeks / months", counted back from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/bindings/")]
pub struct RelativeSpan {
    pub amount: u32,
    pub unit: SpanUnit,
}

impl RelativeSpan {
    /// The instant this span before `now` begins.
    pub fn cutoff(self, now: Timestamp, utc_offset: i32) -> Timestamp {
        let n = i64::from(self.amount);
        match self.unit {
            SpanUnit::Days => Timestamp(now.0.saturating_sub(n * SECONDS_PER_DAY)),
            SpanUnit::Weeks => Timestamp(now.0.saturating_sub(n * 7 * SECONDS_PER_DAY)),
            SpanUnit::Months => now.minus_months(self.amount, utc_offset),
        }
    }
}

impl fmt::Display for RelativeSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_at_each_precision_and_reject_impossible_ones() {
        assert_eq!(
            PartialDate::parse("2015").unwrap().precision(),
            DatePrecision::Year
        );
        assert_eq!(
            PartialDate::parse("2015-06").unwrap().precision(),
            DatePrecision::Month
        );
        assert_eq!(
            PartialDate::parse("2016-02-29").unwrap().to_string(),
            "2016-02-29"
        );
        assert_eq!(PartialDate::parse("2015-02-29"), Err(DateError::Day));
        assert_eq!(PartialDate::parse("2015-13"), Err(DateError::Month));
        assert_eq!(PartialDate::parse("15"), Err(DateError::Shape));
        assert_eq!(PartialDate::parse("2015-6"), Err(DateError::Shape));
        assert_eq!(PartialDate::new(2015, None, Some(3)), Err(DateError::Shape));
    }

    #[test]
    fn intervals_cover_the_whole_period() {
        let y = PartialDate::parse("1970").unwrap().interval(0);
        assert_eq!(y.start, 0);
        assert_eq!(y.end, 365 * SECONDS_PER_DAY - 1);
        let feb = PartialDate::parse("2016-02").unwrap().interval(0);
        assert_eq!(feb.end - feb.start + 1, 29 * SECONDS_PER_DAY);
        let d = PartialDate::parse("1970-01-02").unwrap().interval(3600);
        assert_eq!(d.start, SECONDS_PER_DAY - 3600);
    }

    #[test]
    fn durations_format_like_a_clock() {
        assert_eq!(DurationMs(270_000).to_string(), "4:30");
        assert_eq!(DurationMs(3_723_000).to_string(), "1:02:03");
        assert_eq!(DurationMs(5_250).to_string(), "0:05.250");
    }

    #[test]
    fn months_back_clamp_the_day() {
        // 2024-03-31T12:00:00Z minus one month is 2024-02-29T12:00:00Z.
        let now = Timestamp::parse_rfc3339("2024-03-31T12:00:00Z").unwrap();
        let back = now.minus_months(1, 0);
        assert_eq!(
            back,
            Timestamp::parse_rfc3339("2024-02-29T12:00:00Z").unwrap()
        );
        let year_back = now.minus_months(13, 0);
        assert_eq!(
            year_back,
            Timestamp::parse_rfc3339("2023-02-28T12:00:00Z").unwrap()
        );
    }
}
