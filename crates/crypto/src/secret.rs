//! The user's sync passphrase: wiped from memory when dropped, never printed.

use std::fmt;

use zeroize::Zeroizing;

#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The bytes the KDF reads. Surrounding whitespace is dropped (a pasted newline must not
    /// make a different key); inner spaces are kept.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.0.trim().as_bytes()
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase([redacted])")
    }
}

impl From<&str> for Passphrase {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Passphrase {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}
