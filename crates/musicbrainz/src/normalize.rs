//! Normalising titles and names for matching: what differs between services for the same
//! recording is dropped (case, accents, "Remastered 2011", "feat. X", punctuation), what makes
//! another recording is kept apart (live, acoustic, remix, demo, instrumental...).

use std::collections::BTreeSet;

use syncer_core::filter::normalize::fold;

/// A version that makes a different recording: it must agree on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flavour {
    Live,
    Acoustic,
    Remix,
    Demo,
    Instrumental,
    Karaoke,
}

/// A title, reduced to what identifies the recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleKey {
    /// Folded, markers removed, punctuation collapsed to single spaces.
    pub core: String,
    pub flavours: BTreeSet<Flavour>,
}

/// What a bracketed or dashed part of a title says.
enum Part {
    /// Same recording, other packaging: remaster, edition, mono, "feat. X"...
    Drop,
    Flavour(Flavour),
    /// Part of the title itself: "(I Can't Get No) Satisfaction".
    Keep,
}

const FEATURING: [&str; 5] = ["feat.", "feat ", "ft.", "featuring ", "with "];

fn classify(part: &str) -> Part {
    let p = part.trim();
    if FEATURING.iter().any(|f| p.starts_with(f)) {
        return Part::Drop;
    }
    let words: Vec<&str> = p
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    if has("live") || has("unplugged") || p.starts_with("recorded at") {
        return Part::Flavour(Flavour::Live);
    }
    if has("acoustic") {
        return Part::Flavour(Flavour::Acoustic);
    }
    if has("remix") || has("rmx") || (has("mix") && !has("original")) || has("dub") {
        return Part::Flavour(Flavour::Remix);
    }
    if has("demo") {
        return Part::Flavour(Flavour::Demo);
    }
    if has("instrumental") {
        return Part::Flavour(Flavour::Instrumental);
    }
    if has("karaoke") {
        return Part::Flavour(Flavour::Karaoke);
    }
    const PACKAGING: [&str; 16] = [
        "remaster",
        "remastered",
        "remasterizado",
        "version",
        "edition",
        "deluxe",
        "anniversary",
        "mono",
        "stereo",
        "edit",
        "single",
        "explicit",
        "clean",
        "bonus",
        "original",
        "mix",
    ];
    if words.iter().any(|w| PACKAGING.contains(w)) {
        return Part::Drop;
    }
    Part::Keep
}

/// Letters and digits, words separated by one space; "&" reads "and".
pub fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c == '&' {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("and");
            space = true;
        } else if c.is_alphanumeric() {
            if space && !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            out.push(c);
            space = false;
        } else {
            space = true;
        }
    }
    out.trim().to_owned()
}

/// Splits `title` into its core and its bracketed or dashed parts.
fn split_parts(title: &str) -> (String, Vec<String>) {
    let mut core = String::new();
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in title.chars() {
        match c {
            '(' | '[' | '{' => {
                if depth == 0 {
                    current.clear();
                } else {
                    current.push(c);
                }
                depth += 1;
            }
            ')' | ']' | '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    parts.push(std::mem::take(&mut current));
                    // Keep the place of a part that stays in the title.
                    core.push('\u{1}');
                } else {
                    current.push(c);
                }
            }
            _ if depth > 0 => current.push(c),
            _ => core.push(c),
        }
    }
    if depth > 0 {
        core.push_str(&current);
    }
    // " - 2011 Remaster", " - Live at Wembley": a dash part, when it classifies as one.
    let mut dashed = Vec::new();
    let mut rest = core.as_str();
    while let Some(i) = rest.rfind(" - ") {
        let tail = &rest[i + 3..];
        if matches!(classify(tail), Part::Keep) {
            break;
        }
        dashed.push(tail.to_owned());
        rest = &rest[..i];
    }
    let mut core = rest.to_owned();
    // "Song feat. X" without brackets.
    for f in [" feat. ", " feat ", " ft. ", " featuring "] {
        if let Some(i) = core.find(f) {
            core.truncate(i);
        }
    }
    parts.extend(dashed);
    (core, parts)
}

/// The key of a title, with `extra` (a MusicBrainz disambiguation such as "live, 1994") read
/// for flavours too.
pub fn title_key(title: &str, extra: Option<&str>) -> TitleKey {
    let folded = fold(title);
    let (core, parts) = split_parts(&folded);
    let mut kept = Vec::new();
    let mut flavours = BTreeSet::new();
    for p in &parts {
        match classify(p) {
            Part::Drop => {}
            Part::Flavour(f) => {
                flavours.insert(f);
            }
            Part::Keep => kept.push(p.clone()),
        }
    }
    if let Some(extra) = extra.map(fold).filter(|e| !e.trim().is_empty()) {
        for piece in extra.split([',', ';', ':']) {
            if let Part::Flavour(f) = classify(piece) {
                flavours.insert(f);
            }
        }
    }
    let mut core = core;
    for k in kept {
        // Parts that belong to the title are put back in place of their marker.
        core = core.replacen('\u{1}', &format!(" {k} "), 1);
    }
    TitleKey {
        core: collapse(&core.replace('\u{1}', " ")),
        flavours,
    }
}

/// The key of an artist's name: folded, "&" as "and", a leading "the" dropped, punctuation
/// collapsed. "The Beatles" = "Beatles, The" is not attempted: sort names are compared too.
pub fn name_key(name: &str) -> String {
    let c = collapse(&fold(name));
    match c.strip_prefix("the ") {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => c,
    }
}

/// Whether two durations are the same recording's: within 3 s, or 1% for long tracks.
pub fn durations_agree(a_ms: u32, b_ms: u32) -> bool {
    let diff = a_ms.abs_diff(b_ms);
    let tolerance = 3_000u32.max(a_ms.max(b_ms) / 100);
    diff <= tolerance
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t: &str) -> (String, Vec<Flavour>) {
        let k = title_key(t, None);
        (k.core, k.flavours.into_iter().collect())
    }

    #[test]
    fn packaging_is_dropped_and_versions_are_kept_apart() {
        assert_eq!(key("Golden River (Remastered 2011)"), key("Golden River"));
        assert_eq!(key("Golden River - 2011 Remaster"), key("golden river"));
        assert_eq!(key("Golden River (feat. Someone)"), key("Golden River"));
        assert_eq!(key("Golden River feat. Someone"), key("Golden River"));
        assert_eq!(key("Golden River [Radio Edit]"), key("Golden River"));
        assert_eq!(key("Golden River (Live)").1, vec![Flavour::Live]);
        assert_eq!(key("Golden River - Live at Wembley").1, vec![Flavour::Live]);
        assert_eq!(key("Golden River (Acoustic)").1, vec![Flavour::Acoustic]);
        assert_eq!(key("Golden River (Club Remix)").1, vec![Flavour::Remix]);
        assert_ne!(key("Golden River (Live)"), key("Golden River"));
    }

    #[test]
    fn titles_keep_their_own_brackets_and_fold_accents() {
        assert_eq!(
            key("(I Can't Get No) Satisfaction").0,
            "i can t get no satisfaction"
        );
        assert_eq!(key("Ágætis byrjun").0, "agaetis byrjun");
        assert_eq!(key("Rock & Roll").0, key("Rock and Roll").0);
        assert_eq!(key("Half-Light - Part 2").0, "half light part 2");
    }

    #[test]
    fn a_disambiguation_can_say_live() {
        let k = title_key("Golden River", Some("live, 1994-11-18: Paris"));
        assert_eq!(
            k.flavours.into_iter().collect::<Vec<_>>(),
            vec![Flavour::Live]
        );
    }

    #[test]
    fn names_fold_case_accents_and_the() {
        assert_eq!(name_key("Beyoncé"), name_key("BEYONCE"));
        assert_eq!(name_key("Sigur Rós"), "sigur ros");
        assert_eq!(name_key("The Velvet Echos"), name_key("Velvet Echos"));
        assert_eq!(name_key("Simon & Garfunkel"), "simon and garfunkel");
        assert_eq!(name_key("Zoe\u{308}"), name_key("Zoë"));
        assert_eq!(name_key("The The"), "the");
    }

    #[test]
    fn durations_agree_within_a_few_seconds() {
        assert!(durations_agree(200_000, 202_500));
        assert!(!durations_agree(200_000, 204_000));
        assert!(durations_agree(600_000, 605_500));
        assert!(!durations_agree(600_000, 607_000));
    }
}
