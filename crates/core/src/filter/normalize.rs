//! Forgiving text comparison: case, accents and typographic variants do not matter, so
//! "Beyoncé" = "beyonce", "Sigur Rós" = "sigur ros", "Mø" = "mo", "ﬁre" = "fire".
//!
//! Folding is done once per track (see `PreparedTrack`) and once per rule value at compile
//! time, so evaluation compares plain strings.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text for forgiving comparison: compatibility decomposition (NFKD), combining marks
/// dropped, a few letters that do not decompose spelled out (ø, æ, ß, ł, ...), lowercased.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            // Typographic quotes and dashes, as titles often carry them.
            '\u{2018}' | '\u{2019}' | '\u{02BC}' => out.push('\''),
            '\u{201C}' | '\u{201D}' => out.push('"'),
            '\u{2010}'..='\u{2015}' => out.push('-'),
            _ => match spell_out(c) {
                Some(s) => out.push_str(s),
                None => out.extend(c.to_lowercase()),
            },
        }
    }
    out
}

/// Letters Unicode does not decompose into a base letter and a mark, spelled the way people
/// type them without the special key (lowercase; regexes match them case-insensitively).
fn spell_out(c: char) -> Option<&'static str> {
    Some(match c {
        'ø' | 'Ø' => "o",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ß' | 'ẞ' => "ss",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'ł' | 'Ł' => "l",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        _ => return None,
    })
}

/// Drops combining marks and spells out special letters, nothing else: used on regular
/// expressions, whose syntax must survive (case is handled by the regex's own
/// case-insensitive flag instead of lowercasing `\D` to `\d`). Canonical decomposition
/// (NFD), not compatibility: NFKD would turn a full-width `＊` into a `*` and change the
/// pattern's meaning.
pub fn strip_marks(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match spell_out(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_odd_letters() {
        assert_eq!(fold("Beyoncé"), "beyonce");
        assert_eq!(fold("Sigur Rós"), "sigur ros");
        assert_eq!(fold("MØ"), "mo");
        assert_eq!(fold("Motörhead"), "motorhead");
        assert_eq!(fold("ﬁre"), "fire");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Ágætis"), "agaetis");
        assert_eq!(fold("Don\u{2019}t"), "don't");
        assert_eq!(fold("ＡＢＣ"), "abc");
        assert_eq!(fold("Plain ASCII"), "plain ascii");
    }

    #[test]
    fn decomposed_and_composed_input_fold_alike() {
        assert_eq!(fold("e\u{301}"), fold("\u{e9}"));
    }

    #[test]
    fn strip_marks_keeps_case_and_syntax() {
        assert_eq!(strip_marks(r"^Beyoncé\D+$"), r"^Beyonce\D+$");
        assert_eq!(strip_marks("Ágætis＊"), "Agaetis＊");
    }
}
