//! A secret value (token, API key, passphrase) that cannot end up in a log line or an error
//! message by accident: `Debug` and `Display` print a fixed placeholder and nothing of the
//! value, it has no `Serialize`, and its memory is wiped when dropped. Reading it takes an
//! explicit [`Secret::expose`], which is easy to find in review.

use std::fmt;

use zeroize::Zeroizing;

/// What `Debug` and `Display` print instead of the value.
pub const REDACTED: &str = "[redacted]";

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The value itself: for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_print_nothing_of_the_value() {
        let secret = Secret::new("BQ-very-secret");
        assert_eq!(format!("{secret}"), REDACTED);
        assert_eq!(format!("{secret:?}"), REDACTED);
        #[derive(Debug)]
        #[allow(dead_code)] // read only through Debug
        struct Holder {
            token: Secret,
        }
        let shown = format!(
            "{:?}",
            Holder {
                token: secret.clone()
            }
        );
        assert!(!shown.contains("very-secret"), "{shown}");
        assert_eq!(secret.expose(), "BQ-very-secret");
    }
}
