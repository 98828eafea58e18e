//! When a base syncs by itself.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::calendar::TimeZone;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// Only when asked.
    #[default]
    Manual,
    /// Every N minutes after the last run.
    Every { minutes: u32 },
    /// Once a day at a local time.
    DailyAt { hour: u8, minute: u8 },
    /// When the base changes, seen by polling its version every N minutes (one cheap
    /// request each).
    OnChange { poll_minutes: u32 },
}

const DAY: i64 = 24 * 60 * 60;

impl Schedule {
    /// Reads `manual`, `every 30m`, `every 2h`, `daily 07:30`, `on-change` or `on-change 5m`.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let minutes = |w: &str| -> Result<u32, String> {
            let (num, unit) = w.split_at(w.trim_end_matches(|c: char| c.is_alphabetic()).len());
            let n: u32 = num
                .parse()
                .map_err(|_| format!("'{w}' is not a duration like 30m or 2h"))?;
            let m = match unit {
                "m" | "min" | "" => n,
                "h" => n.saturating_mul(60),
                _ => return Err(format!("unknown unit '{unit}' in '{w}': use m or h")),
            };
            if m == 0 {
                return Err("the interval must be at least 1 minute".to_owned());
            }
            Ok(m)
        };
        match words.as_slice() {
            ["manual"] => Ok(Schedule::Manual),
            ["every", w] => Ok(Schedule::Every {
                minutes: minutes(w)?,
            }),
            ["daily", at] | ["daily", "at", at] => {
                let (h, m) = at
                    .split_once(':')
                    .ok_or_else(|| format!("'{at}' is not a time like 07:30"))?;
                let hour: u8 = h.parse().map_err(|_| format!("bad hour in '{at}'"))?;
                let minute: u8 = m.parse().map_err(|_| format!("bad minute in '{at}'"))?;
                if hour > 23 || minute > 59 {
                    return Err(format!("'{at}' is not a time of day"));
                }
                Ok(Schedule::DailyAt { hour, minute })
            }
            ["on-change"] => Ok(Schedule::OnChange { poll_minutes: 5 }),
            ["on-change", w] => Ok(Schedule::OnChange {
                poll_minutes: minutes(w)?,
            }),
            _ => Err(format!(
                "'{text}' is not a schedule: use manual, 'every 30m', 'every 2h', 'daily 07:30' \
                 or 'on-change [5m]'"
            )),
        }
    }

    /// When the next run (or, for `OnChange`, the next version check) is due, in unix
    /// seconds; `None` for manual. `last` is the last run or check; a daily time is read on
    /// the wall clock of `zone`, so it stays 07:30 local across DST changes.
    pub fn next_due(&self, last: Option<i64>, now: i64, zone: &TimeZone) -> Option<i64> {
        match *self {
            Schedule::Manual => None,
            Schedule::Every { minutes }
            | Schedule::OnChange {
                poll_minutes: minutes,
            } => Some(last.map_or(now, |l| l + i64::from(minutes) * 60)),
            Schedule::DailyAt { hour, minute } => {
                // Missed while the app was closed: run once, not once per missed day.
                let from = last.unwrap_or(now - 1).max(now - DAY);
                crate::calendar::next_wall_clock(from, hour, minute, zone)
            }
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Manual => f.write_str("manual"),
            Schedule::Every { minutes } if minutes % 60 == 0 => {
                write!(f, "every {}h", minutes / 60)
            }
            Schedule::Every { minutes } => write!(f, "every {minutes}m"),
            Schedule::DailyAt { hour, minute } => write!(f, "daily {hour:02}:{minute:02}"),
            Schedule::OnChange { poll_minutes } => write!(f, "on-change {poll_minutes}m"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        for text in [
            "manual",
            "every 30m",
            "every 2h",
            "daily 07:30",
            "on-change 5m",
        ] {
            let s = Schedule::parse(text).unwrap();
            assert_eq!(s.to_string(), text);
        }
        assert!(Schedule::parse("every 0m").is_err());
        assert!(Schedule::parse("daily 25:00").is_err());
        assert!(
            Schedule::parse("sometimes")
                .unwrap_err()
                .contains("every 30m")
        );
    }

    #[test]
    fn next_due_times() {
        let utc = TimeZone::UTC;
        let every = Schedule::Every { minutes: 30 };
        assert_eq!(every.next_due(None, 1000, &utc), Some(1000));
        assert_eq!(every.next_due(Some(1000), 1200, &utc), Some(2800));
        let daily = Schedule::DailyAt {
            hour: 7,
            minute: 30,
        };
        // 2026-01-01T00:00Z = 1767225600.
        let midnight = 1_767_225_600;
        assert_eq!(
            daily.next_due(None, midnight, &utc),
            Some(midnight + 27_000)
        );
        assert_eq!(
            daily.next_due(Some(midnight + 27_000), midnight + 27_001, &utc),
            Some(midnight + DAY + 27_000)
        );
        // In Berlin in winter (UTC+1), 07:30 local is 06:30 UTC.
        let berlin = crate::calendar::zone("Europe/Berlin").unwrap();
        assert_eq!(
            daily.next_due(None, midnight, &berlin),
            Some(midnight + 23_400)
        );
        assert_eq!(Schedule::Manual.next_due(None, 5, &utc), None);
    }

    /// A daily sync fires at 07:30 Berlin time every day through both DST changes of 2026:
    /// 23-hour and 25-hour days included, never twice a day, never skipped.
    #[test]
    fn a_daily_schedule_keeps_local_time_across_dst() {
        let berlin = crate::calendar::zone("Europe/Berlin").unwrap();
        let daily = Schedule::DailyAt {
            hour: 7,
            minute: 30,
        };
        let mut last = Some(
            "2026-03-27T06:30:00Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_second(),
        );
        let mut fired = Vec::new();
        for _ in 0..(215 + 3) {
            let now = last.unwrap() + 1;
            let due = daily.next_due(last, now, &berlin).unwrap();
            let local = jiff::Timestamp::from_second(due)
                .unwrap()
                .to_zoned(berlin.clone());
            assert_eq!((local.hour(), local.minute()), (7, 30), "{local}");
            fired.push(local.date());
            last = Some(due);
        }
        for pair in fired.windows(2) {
            assert_eq!(pair[0].tomorrow().unwrap(), pair[1]);
        }
        assert!(fired.iter().any(|d| d.to_string() == "2026-03-29"));
        assert!(fired.iter().any(|d| d.to_string() == "2026-10-25"));
    }
}
