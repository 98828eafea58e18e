//! Three-valued truth (Kleene's strong logic).
//!
//! A rule on a field no source provided is [`Truth::Unknown`], never a silent false:
//! - `not Unknown = Unknown`;
//! - `all`: False if any child is False, else Unknown if any is Unknown, else True;
//! - `any`: True if any child is True, else Unknown if any is Unknown, else False;
//! - `none` = `not any`: False if any child is True, else Unknown if any is Unknown, else True.
//!
//! A track is included only when its filter is definitely True; Unknown results are counted
//! so a preview can say "12 tracks could not be checked".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    False,
    Unknown,
    True,
}

impl Truth {
    pub fn from_bool(value: bool) -> Truth {
        if value { Truth::True } else { Truth::False }
    }

    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Truth {
        match self {
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
            Truth::True => Truth::False,
        }
    }

    pub fn and(self, other: Truth) -> Truth {
        self.min(other)
    }

    pub fn or(self, other: Truth) -> Truth {
        self.max(other)
    }

    pub fn is_true(self) -> bool {
        self == Truth::True
    }
}

impl PartialOrd for Truth {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Truth {
    /// False < Unknown < True: `and` is the minimum, `or` the maximum.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

impl From<bool> for Truth {
    fn from(value: bool) -> Truth {
        Truth::from_bool(value)
    }
}

#[cfg(test)]
mod tests {
    use super::Truth::{self, *};

    #[test]
    fn kleene_tables() {
        let all = [False, Unknown, True];
        for a in all {
            assert_eq!(a.not().not(), a);
            for b in all {
                // De Morgan holds in Kleene logic.
                assert_eq!(a.and(b).not(), a.not().or(b.not()));
            }
        }
        assert_eq!(Unknown.and(False), False);
        assert_eq!(Unknown.and(True), Unknown);
        assert_eq!(Unknown.or(True), True);
        assert_eq!(Unknown.or(False), Unknown);
        assert_eq!(Unknown.not(), Unknown);
        assert_eq!(Truth::from(true), True);
    }
}
