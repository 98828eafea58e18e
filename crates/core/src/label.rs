//! How a track is named to a person, the same in every view (the preview's sample, a child's
//! detail, the CLI): "title — artist", saying what is missing rather than leaving a gap.

/// Shown for a track whose title is missing or blank.
pub const UNTITLED: &str = "untitled track";
/// Shown for a track whose artist is missing or blank.
pub const UNKNOWN_ARTIST: &str = "unknown artist";

/// "Midnight Dream — Ada"; "Midnight Dream — unknown artist"; "untitled track — Ada". A blank
/// field (only spaces) counts as missing: services send empty strings for both.
pub fn track_label(title: Option<&str>, artist: Option<&str>) -> String {
    fn known(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    format!(
        "{} — {}",
        known(title).unwrap_or(UNTITLED),
        known(artist).unwrap_or(UNKNOWN_ARTIST)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_track_reads_title_then_artist() {
        assert_eq!(
            track_label(Some("Midnight Dream"), Some("Ada")),
            "Midnight Dream — Ada"
        );
    }

    #[test]
    fn what_is_missing_is_said_not_left_blank() {
        assert_eq!(
            track_label(Some("Midnight Dream"), Some("")),
            "Midnight Dream — unknown artist"
        );
        assert_eq!(
            track_label(Some("Midnight Dream"), None),
            "Midnight Dream — unknown artist"
        );
        assert_eq!(track_label(Some("  "), Some("Ada")), "untitled track — Ada");
        assert_eq!(track_label(None, None), "untitled track — unknown artist");
    }

    #[test]
    fn no_label_ends_with_a_dangling_dash() {
        for title in [None, Some(""), Some("T")] {
            for artist in [None, Some(""), Some("A")] {
                let label = track_label(title, artist);
                assert!(!label.trim_end().ends_with('—'), "{label}");
                assert!(!label.starts_with(" —"), "{label}");
            }
        }
    }
}
