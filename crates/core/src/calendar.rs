//! The user's calendar: civil dates and wall-clock times in a time zone, through jiff (the tz
//! database, DST). Every calendar calculation of the domain goes through here, so "daily
//! 07:30" and "release:2015" mean the same local time everywhere.

use jiff::civil::{Date, Time};
use jiff::{Timestamp as Instant, ToSpan as _, Zoned};

pub use jiff::tz::TimeZone;

const DAY: i64 = 86_400;

/// The instant a civil date begins in `tz` (midnight, or the first instant after a DST gap
/// that swallows midnight).
pub fn day_start(date: Date, tz: &TimeZone) -> i64 {
    date.to_zoned(tz.clone())
        .and_then(|z| z.start_of_day())
        .map_or_else(|_| utc_day_start(date), |z| z.timestamp().as_second())
}

/// Midnight UTC, for the dates jiff cannot place in a zone (years at the edge of its range).
fn utc_day_start(date: Date) -> i64 {
    let days = date
        .since(Date::constant(1970, 1, 1))
        .map_or(0, |span| i64::from(span.get_days()));
    days * DAY
}

/// `date` if it exists, for dates built from checked parts.
pub fn date(year: i32, month: u8, day: u8) -> Option<Date> {
    let year = i16::try_from(year).ok()?;
    let month = i8::try_from(month).ok()?;
    let day = i8::try_from(day).ok()?;
    Date::new(year, month, day).ok()
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    date(year, month, 1).map_or(31, |d| u8::try_from(d.days_in_month()).unwrap_or(31))
}

fn zoned(unix_seconds: i64, tz: &TimeZone) -> Option<Zoned> {
    Instant::from_second(unix_seconds)
        .ok()
        .map(|t| t.to_zoned(tz.clone()))
}

/// The same wall-clock moment `months` calendar months before `unix_seconds` in `tz`, the day
/// clamped to the target month's length (31 March minus one month is 28 or 29 February).
pub fn months_back(unix_seconds: i64, months: u32, tz: &TimeZone) -> i64 {
    let span = i64::from(months).months();
    zoned(unix_seconds, tz)
        .and_then(|z| z.checked_sub(span).ok())
        .map_or_else(
            || unix_seconds.saturating_sub(i64::from(months) * 31 * DAY),
            |z| z.timestamp().as_second(),
        )
}

/// The same wall-clock moment `days` calendar days before, in `tz`: across a DST change a day
/// is 23 or 25 hours, and "the last 7 days" still starts at this time of day a week ago.
pub fn days_back(unix_seconds: i64, days: u32, tz: &TimeZone) -> i64 {
    let span = i64::from(days).days();
    zoned(unix_seconds, tz)
        .and_then(|z| z.checked_sub(span).ok())
        .map_or_else(
            || unix_seconds.saturating_sub(i64::from(days) * DAY),
            |z| z.timestamp().as_second(),
        )
}

/// The first instant after `after` whose wall clock in `tz` reads `hour:minute`. A time that
/// does not exist that day (inside a spring-forward gap) runs at the first instant after the
/// gap; a time that exists twice (fall back) runs at its first occurrence only.
pub fn next_wall_clock(after: i64, hour: u8, minute: u8, tz: &TimeZone) -> Option<i64> {
    let hour = i8::try_from(hour).ok()?;
    let minute = i8::try_from(minute).ok()?;
    let at = Time::new(hour, minute, 0, 0).ok()?;
    let now = zoned(after, tz)?;
    let mut day = now.date();
    // Two days cover any zone: today's time may have passed, tomorrow's has not.
    for _ in 0..3 {
        let candidate = day
            .to_datetime(at)
            .to_zoned(tz.clone())
            .ok()?
            .timestamp()
            .as_second();
        if candidate > after {
            return Some(candidate);
        }
        day = day.tomorrow().ok()?;
    }
    None
}

/// The civil date of an instant in `tz`, as `YYYY-MM-DD`.
pub fn date_text(unix_seconds: i64, tz: &TimeZone) -> String {
    zoned(unix_seconds, tz).map_or_else(String::new, |z| z.date().to_string())
}

/// An instant as the user's clock reads it in `tz`, to the minute with the zone's abbreviation:
/// `2026-12-03 21:14 CET`. What the history shows, so the window and the CLI agree.
pub fn date_time_text(unix_seconds: i64, tz: &TimeZone) -> String {
    zoned(unix_seconds, tz)
        .map_or_else(String::new, |z| z.strftime("%Y-%m-%d %H:%M %Z").to_string())
}

/// The machine's zone, or UTC when it cannot be told (a container with no /etc/localtime).
pub fn system_zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// A zone by its IANA name (`Europe/Berlin`), from the bundled database.
pub fn zone(name: &str) -> Result<TimeZone, String> {
    TimeZone::get(name).map_err(|e| format!("'{name}' is not a known time zone ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        text.parse::<Instant>().unwrap().as_second()
    }

    #[test]
    fn a_daily_time_stays_local_across_both_dst_changes() {
        let berlin = zone("Europe/Berlin").unwrap();
        // Spring forward on 2026-03-29: 07:30 is 06:30Z the day before and 05:30Z after.
        let before = next_wall_clock(at("2026-03-28T07:00:00Z"), 7, 30, &berlin).unwrap();
        assert_eq!(before, at("2026-03-29T05:30:00Z"));
        assert_eq!(
            next_wall_clock(at("2026-03-28T05:00:00Z"), 7, 30, &berlin),
            Some(at("2026-03-28T06:30:00Z"))
        );
        // Fall back on 2026-10-25: 07:30 is 05:30Z the day before and 06:30Z that day.
        assert_eq!(
            next_wall_clock(at("2026-10-24T06:00:00Z"), 7, 30, &berlin),
            Some(at("2026-10-25T06:30:00Z"))
        );
        // 02:30 does not exist on the spring day: it runs at 03:00 local (01:00Z).
        assert_eq!(
            next_wall_clock(at("2026-03-28T23:00:00Z"), 2, 30, &berlin),
            Some(at("2026-03-29T01:30:00Z"))
        );
        // 02:30 happens twice on the autumn day: once, at the first (00:30Z).
        let first = next_wall_clock(at("2026-10-24T23:00:00Z"), 2, 30, &berlin).unwrap();
        assert_eq!(first, at("2026-10-25T00:30:00Z"));
        assert_eq!(
            next_wall_clock(first, 2, 30, &berlin),
            Some(at("2026-10-26T01:30:00Z"))
        );
    }

    #[test]
    fn months_back_clamp_the_day_and_keep_the_wall_clock() {
        let utc = TimeZone::UTC;
        assert_eq!(
            months_back(at("2024-03-31T12:00:00Z"), 1, &utc),
            at("2024-02-29T12:00:00Z")
        );
        assert_eq!(
            months_back(at("2024-03-31T12:00:00Z"), 13, &utc),
            at("2023-02-28T12:00:00Z")
        );
        // Noon in Berlin stays noon across the spring change: 11:00Z then, 10:00Z now.
        let berlin = zone("Europe/Berlin").unwrap();
        assert_eq!(
            months_back(at("2026-04-15T10:00:00Z"), 1, &berlin),
            at("2026-03-15T11:00:00Z")
        );
        assert_eq!(
            days_back(at("2026-03-30T10:00:00Z"), 2, &berlin),
            at("2026-03-28T11:00:00Z")
        );
    }

    #[test]
    fn days_start_at_local_midnight() {
        let berlin = zone("Europe/Berlin").unwrap();
        let d = date(2026, 7, 1).unwrap();
        assert_eq!(day_start(d, &berlin), at("2026-06-30T22:00:00Z"));
        assert_eq!(day_start(d, &TimeZone::UTC), at("2026-07-01T00:00:00Z"));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(date_text(at("2026-06-30T22:30:00Z"), &berlin), "2026-07-01");
        assert!(zone("Mars/Olympus").is_err());
    }

    #[test]
    fn a_date_time_reads_as_the_wall_clock_of_the_zone() {
        let berlin = zone("Europe/Berlin").unwrap();
        assert_eq!(
            date_time_text(at("2026-12-03T20:14:30Z"), &berlin),
            "2026-12-03 21:14 CET"
        );
        assert_eq!(
            date_time_text(at("2026-07-01T20:14:00Z"), &berlin),
            "2026-07-01 22:14 CEST"
        );
        assert_eq!(
            date_time_text(at("2026-07-01T20:14:00Z"), &TimeZone::UTC),
            "2026-07-01 20:14 UTC"
        );
    }
}
