//! Reading the literal values of the language: durations and relative spans.

use crate::filter::value::{DurationMs, RelativeSpan, SpanUnit};

/// Spellings of span units: (spelling, unit, months per unit for years).
pub(crate) const SPAN_UNITS: &[(&str, SpanUnit, u32)] = &[
    ("d", SpanUnit::Days, 1),
    ("day", SpanUnit::Days, 1),
    ("days", SpanUnit::Days, 1),
    ("w", SpanUnit::Weeks, 1),
    ("week", SpanUnit::Weeks, 1),
    ("weeks", SpanUnit::Weeks, 1),
    ("m", SpanUnit::Months, 1),
    ("mo", SpanUnit::Months, 1),
    ("month", SpanUnit::Months, 1),
    ("months", SpanUnit::Months, 1),
    ("y", SpanUnit::Months, 12),
    ("year", SpanUnit::Months, 12),
    ("years", SpanUnit::Months, 12),
];

/// How a span failed to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SpanError {
    /// Not shaped like `<digits><unit>` at all.
    NotASpan,
    /// Digits and a unit that is not one.
    UnknownUnit(String),
    TooLarge,
}

/// Reads `30d`, `2w`, `6m`, `1y` (a year is 12 months).
pub(crate) fn parse_span(text: &str) -> Result<RelativeSpan, SpanError> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits == text.len() {
        return Err(SpanError::NotASpan);
    }
    let (number, unit) = text.split_at(digits);
    if !unit.chars().all(char::is_alphabetic) {
        return Err(SpanError::NotASpan);
    }
    let amount: u32 = number.parse().map_err(|_| SpanError::TooLarge)?;
    let lower = unit.to_lowercase();
    let (_, unit, factor) = SPAN_UNITS
        .iter()
        .find(|(s, _, _)| *s == lower)
        .ok_or_else(|| SpanError::UnknownUnit(unit.to_owned()))?;
    let amount = amount.checked_mul(*factor).ok_or(SpanError::TooLarge)?;
    Ok(RelativeSpan {
        amount,
        unit: *unit,
    })
}

/// Reads a duration: `4:30`, `1:02:03`, `4:30.250`, `90s`, `4m30s`, `1h`, or plain seconds.
pub(crate) fn parse_duration(text: &str) -> Option<DurationMs> {
    if text.is_empty() {
        return None;
    }
    if text.contains(':') {
        let (clock, frac) = match text.split_once('.') {
            Some((c, f)) => (c, Some(f)),
            None => (text, None),
        };
        let parts: Vec<&str> = clock.split(':').collect();
        let num = |s: &str| -> Option<u64> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let two = |s: &str| -> Option<u64> { num(s).filter(|v| s.len() == 2 && *v < 60) };
        let secs = match parts.as_slice() {
            [m, s] => num(m)?.checked_mul(60)?.checked_add(two(s)?)?,
            [h, m, s] => num(h)?
                .checked_mul(3600)?
                .checked_add(two(m)? * 60)?
                .checked_add(two(s)?)?,
            _ => return None,
        };
        let ms = match frac {
            None => 0,
            Some(f) if (1..=3).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
                let v: u64 = f.parse().ok()?;
                v * 10u64.pow(3 - u32::try_from(f.len()).ok()?)
            }
            Some(_) => return None,
        };
        return secs.checked_mul(1000)?.checked_add(ms).map(DurationMs);
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<u64>().ok()?.checked_mul(1000).map(DurationMs);
    }
    // Units: h, m, s in that order, each at most once.
    let mut rest = text;
    let mut total: u64 = 0;
    let mut last_rank = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let value: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit_len, rank, factor) = match rest.chars().next()? {
            'h' | 'H' => (1, 1, 3600),
            'm' | 'M' => (1, 2, 60),
            's' | 'S' => (1, 3, 1),
            _ => return None,
        };
        if rank <= last_rank {
            return None;
        }
        last_rank = rank;
        rest = &rest[unit_len..];
        total = total.checked_add(value.checked_mul(factor)?)?;
    }
    total.checked_mul(1000).map(DurationMs)
}

/// Whether a limit amount is a duration rather than a track count.
pub(crate) fn looks_like_duration(text: &str) -> bool {
    !text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_spelling() {
        let ms = |t: &str| parse_duration(t).map(|d| d.0);
        assert_eq!(ms("4:30"), Some(270_000));
        assert_eq!(ms("1:02:03"), Some(3_723_000));
        assert_eq!(ms("0:05.25"), Some(5_250));
        assert_eq!(ms("270"), Some(270_000));
        assert_eq!(ms("4m30s"), Some(270_000));
        assert_eq!(ms("1h"), Some(3_600_000));
        assert_eq!(ms("4:3"), None);
        assert_eq!(ms("4:60"), None);
        assert_eq!(ms("30s4m"), None);
        assert_eq!(ms("abc"), None);
    }

    #[test]
    fn spans_and_units() {
        assert_eq!(
            parse_span("30d"),
            Ok(RelativeSpan {
                amount: 30,
                unit: SpanUnit::Days
            })
        );
        assert_eq!(
            parse_span("2y"),
            Ok(RelativeSpan {
                amount: 24,
                unit: SpanUnit::Months
            })
        );
        assert_eq!(parse_span("30x"), Err(SpanError::UnknownUnit("x".into())));
        assert_eq!(parse_span("2015"), Err(SpanError::NotASpan));
        assert_eq!(parse_span("2015-01"), Err(SpanError::NotASpan));
    }
}
