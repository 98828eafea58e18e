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

use crate::calendar::{self, TimeZone};
use ts_rs::TS;

const SECONDS_PER_DAY: i64 = 86_400;

/// A calendar date known to the year, the month or the day. Always a real date: the
/// constructor checks it, and the JSON form goes through the same check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
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
                calendar::date(year, m, d).ok_or(DateError::Day)?;
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

    /// The closed interval of Unix seconds this date covers in the calendar of `tz`: from
    /// local midnight of its first day to the last second before the day after its last.
    pub fn interval(&self, tz: &TimeZone) -> Interval {
        let first_month = self.month.unwrap_or(1);
        let last_month = self.month.unwrap_or(12);
        let first_day = self.day.unwrap_or(1);
        let last_day = self
            .day
            .unwrap_or_else(|| calendar::days_in_month(self.year, last_month));
        let first = calendar::date(self.year, first_month, first_day);
        let after = calendar::date(self.year, last_month, last_day).and_then(|d| d.tomorrow().ok());
        match (first, after) {
            (Some(first), Some(after)) => Interval {
                start: calendar::day_start(first, tz),
                end: calendar::day_start(after, tz) - 1,
            },
            // Unreachable for dates built through PartialDate::new (and 9999-12-31 has no
            // day after in jiff's range): the whole year in UTC keeps comparisons total.
            _ => Interval {
                start: (i64::from(self.year) - 1970) * 365 * SECONDS_PER_DAY,
                end: (i64::from(self.year) - 1969) * 366 * SECONDS_PER_DAY,
            },
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

    /// Reads the form services send (`2024-05-01T12:00:00Z`; any RFC 3339 offset).
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, TimestampError> {
        text.parse::<jiff::Timestamp>()
            .map(|t| Timestamp(t.as_second()))
            .map_err(|_| TimestampError)
    }
}

/// A length of time in milliseconds (track durations, duration limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
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
#[ts(export)]
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
#[ts(export)]
pub struct RelativeSpan {
    pub amount: u32,
    pub unit: SpanUnit,
}

impl RelativeSpan {
    /// The instant this span before `now` begins.
    /// Calendar days, weeks and months in `tz`: the span ends at this wall-clock time, however
    /// long its days were (23 or 25 hours across a DST change).
    pub fn cutoff(self, now: Timestamp, tz: &TimeZone) -> Timestamp {
        Timestamp(match self.unit {
            SpanUnit::Days => calendar::days_back(now.0, self.amount, tz),
            SpanUnit::Weeks => calendar::days_back(now.0, self.amount.saturating_mul(7), tz),
            SpanUnit::Months => calendar::months_back(now.0, self.amount, tz),
        })
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
        let utc = TimeZone::UTC;
        let y = PartialDate::parse("1970").unwrap().interval(&utc);
        assert_eq!(y.start, 0);
        assert_eq!(y.end, 365 * SECONDS_PER_DAY - 1);
        let feb = PartialDate::parse("2016-02").unwrap().interval(&utc);
        assert_eq!(feb.end - feb.start + 1, 29 * SECONDS_PER_DAY);
        let plus_one = TimeZone::fixed(jiff::tz::offset(1));
        let d = PartialDate::parse("1970-01-02")
            .unwrap()
            .interval(&plus_one);
        assert_eq!(d.start, SECONDS_PER_DAY - 3600);
        let last = PartialDate::parse("9999").unwrap().interval(&utc);
        assert!(last.start < last.end);
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
        let span = RelativeSpan {
            amount: 1,
            unit: SpanUnit::Months,
        };
        assert_eq!(
            span.cutoff(now, &TimeZone::UTC),
            Timestamp::parse_rfc3339("2024-02-29T12:00:00Z").unwrap()
        );
    }
}
