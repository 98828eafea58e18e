//! When a base syncs by itself.

use std::fmt;

use serde::{Deserialize, Serialize};

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
    /// seconds; `None` for manual. `last` is the last run or check.
    pub fn next_due(&self, last: Option<i64>, now: i64, utc_offset_seconds: i32) -> Option<i64> {
        match *self {
            Schedule::Manual => None,
            Schedule::Every { minutes }
            | Schedule::OnChange {
                poll_minutes: minutes,
            } => Some(last.map_or(now, |l| l + i64::from(minutes) * 60)),
            Schedule::DailyAt { hour, minute } => {
                let offset = i64::from(utc_offset_seconds);
                let at = i64::from(hour) * 3600 + i64::from(minute) * 60;
                let from = last.unwrap_or(now - 1).max(now - DAY) + offset;
                let day_start = from - from.rem_euclid(DAY);
                let mut due = day_start + at;
                if due <= from {
                    due += DAY;
                }
                Some(due - offset)
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
        let every = Schedule::Every { minutes: 30 };
        assert_eq!(every.next_due(None, 1000, 0), Some(1000));
        assert_eq!(every.next_due(Some(1000), 1200, 0), Some(2800));
        let daily = Schedule::DailyAt {
            hour: 7,
            minute: 30,
        };
        // 2026-01-01T00:00Z = 1767225600.
        let midnight = 1_767_225_600;
        assert_eq!(daily.next_due(None, midnight, 0), Some(midnight + 27_000));
        assert_eq!(
            daily.next_due(Some(midnight + 27_000), midnight + 27_001, 0),
            Some(midnight + DAY + 27_000)
        );
        // At UTC+2, 07:30 local is 05:30 UTC.
        assert_eq!(
            daily.next_due(None, midnight, 7200),
            Some(midnight + 19_800)
        );
        assert_eq!(Schedule::Manual.next_due(None, 5, 0), None);
    }
}
