//! Spotify's wire formats for instants and dates: UTC RFC 3339 and ISO dates, through jiff.

use jiff::Timestamp;
use jiff::tz::TimeZone;

fn instant(epoch_secs: i64) -> Timestamp {
    // The library's instants are all within jiff's range (years -9999..=9999); clamp anyway.
    Timestamp::from_second(epoch_secs).unwrap_or(if epoch_secs < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// `2019-03-04T12:34:56Z`, the form of `added_at`.
pub fn format_rfc3339(epoch_secs: i64) -> String {
    instant(epoch_secs)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `2019-03-04`.
pub fn format_date(epoch_secs: i64) -> String {
    instant(epoch_secs)
        .to_zoned(TimeZone::UTC)
        .date()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_420_070_400), "2015-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(951_782_400 + 3661), "2000-02-29T01:01:01Z");
        assert_eq!(format_date(1_709_164_800), "2024-02-29");
    }
}
