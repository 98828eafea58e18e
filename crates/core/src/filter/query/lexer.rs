//! Splits a query into parentheses, pipes, minus signs and words.
//!
//! A word is a run of characters up to whitespace, a parenthesis or a pipe; double-quoted
//! strings may appear anywhere in it (`genre:"indie rock"`), and inside `{...}` whitespace,
//! parentheses and pipes belong to the word (`artist:{muse, "sigur rós"}`). Each character
//! remembers whether it was quoted, so `title:"=x"` contains "=x" rather than being an `is`.

use super::error::{ParseError, ParseErrorKind};

/// One character of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ch {
    Char {
        c: char,
        quoted: bool,
        col: usize,
    },
    /// `""`: an empty quoted string, which still counts as a value.
    EmptyQuote {
        col: usize,
    },
}

impl Ch {
    pub(crate) fn col(&self) -> usize {
        match self {
            Ch::Char { col, .. } | Ch::EmptyQuote { col } => *col,
        }
    }

    /// The character if it was typed outside quotes.
    pub(crate) fn bare(&self) -> Option<char> {
        match self {
            Ch::Char {
                c, quoted: false, ..
            } => Some(*c),
            _ => None,
        }
    }

    pub(crate) fn is_bare(&self, want: char) -> bool {
        self.bare() == Some(want)
    }
}

/// The text of a run of characters, quotes removed.
pub(crate) fn text(chars: &[Ch]) -> String {
    chars
        .iter()
        .filter_map(|c| match c {
            Ch::Char { c, .. } => Some(*c),
            Ch::EmptyQuote { .. } => None,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub(crate) chars: Vec<Ch>,
    pub(crate) col: usize,
}

impl Word {
    /// The word lowercased, if it has no quoted part (only such words can be keywords).
    pub(crate) fn keyword(&self) -> Option<String> {
        self.chars
            .iter()
            .map(Ch::bare)
            .collect::<Option<String>>()
            .map(|s| s.to_lowercase())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    LParen,
    RParen,
    Pipe,
    Minus,
    Word(Word),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) col: usize,
}

pub(crate) fn lex(input: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let simple = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '|' => Some(Tok::Pipe),
            '-' => Some(Tok::Minus),
            _ => None,
        };
        if let Some(tok) = simple {
            tokens.push(Token { tok, col });
            i += 1;
            continue;
        }
        let mut word = Vec::new();
        let mut depth = 0usize;
        while i < chars.len() {
            let c = chars[i];
            if depth == 0 && (c.is_whitespace() || matches!(c, '(' | ')' | '|')) {
                break;
            }
            if c == '"' {
                let start = i;
                i += 1;
                let before = word.len();
                loop {
                    let Some(&q) = chars.get(i) else {
                        return Err(ParseError::new(
                            start + 1,
                            ParseErrorKind::UnterminatedString,
                            "this string is never closed",
                            "a closing '\"'",
                        ));
                    };
                    match q {
                        '"' => break,
                        '\\' if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                            i += 1;
                            word.push(Ch::Char {
                                c: chars[i],
                                quoted: true,
                                col: i + 1,
                            });
                        }
                        _ => word.push(Ch::Char {
                            c: q,
                            quoted: true,
                            col: i + 1,
                        }),
                    }
                    i += 1;
                }
                if word.len() == before {
                    word.push(Ch::EmptyQuote { col: start + 1 });
                }
                i += 1;
                continue;
            }
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            word.push(Ch::Char {
                c,
                quoted: false,
                col: i + 1,
            });
            i += 1;
        }
        tokens.push(Token {
            tok: Tok::Word(Word { chars: word, col }),
            col,
        });
    }
    Ok(tokens)
}

/// Writes a value so that [`lex`] reads it back as one word with exactly this text: bare when
/// it is plain (starts with a letter or digit, no syntax characters), quoted otherwise.
pub(crate) fn quote(value: &str) -> String {
    let plain = value.chars().next().is_some_and(char::is_alphanumeric)
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || "_-'.&+#@/!?*".contains(c));
    if plain {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let chars: Vec<char> = value.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' => out.push_str("\\\""),
            // A backslash is doubled only where it would otherwise be read as an escape, so
            // regular expressions stay readable (`"\d+"`).
            '\\' if matches!(chars.get(i + 1), None | Some('"' | '\\')) => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(input: &str) -> Vec<String> {
        lex(input)
            .unwrap()
            .into_iter()
            .map(|t| match t.tok {
                Tok::Word(w) => text(&w.chars),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn splits_words_quotes_and_braces() {
        assert_eq!(
            words(r#"genre:"indie rock" -(a OR b) | limit 5"#),
            vec![
                "genre:indie rock",
                "Minus",
                "LParen",
                "a",
                "OR",
                "b",
                "RParen",
                "Pipe",
                "limit",
                "5"
            ]
        );
        assert_eq!(
            words(r#"artist:{muse, "sigur (rós)"}"#),
            vec!["artist:{muse, sigur (rós)}"]
        );
    }

    #[test]
    fn quoting_round_trips() {
        for v in [
            "",
            "a b",
            r"\d+",
            r"a\",
            "\"",
            r#"\""#,
            "Beyoncé",
            "=x",
            "x,y",
            "é\u{301}",
        ] {
            let q = quote(v);
            let toks = lex(&q).unwrap();
            assert_eq!(toks.len(), 1, "{q}");
            let Tok::Word(w) = &toks[0].tok else {
                panic!("{q}")
            };
            assert_eq!(text(&w.chars), v, "{q}");
        }
        assert_eq!(quote("radiohead"), "radiohead");
        assert_eq!(quote(r"\d+"), r#""\d+""#);
    }

    #[test]
    fn unterminated_strings_name_their_column() {
        let e = lex(r#"title:"abc"#).unwrap_err();
        assert_eq!(e.column, 7);
        assert_eq!(e.kind, ParseErrorKind::UnterminatedString);
    }
}
