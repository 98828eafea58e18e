//! The recovery code: 128 random bits written as words, for when the passphrase is lost.
//! Sixteen words carry the bits (one byte each) and two more are a checksum, so a mistyped or
//! swapped word is caught before any decryption is tried. A word may be typed in full or by
//! its first four letters.

use std::fmt;

use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::error::CryptoError;
use crate::words::WORDS;

const ENTROPY_LEN: usize = 16;
const CHECK_WORDS: usize = 2;
/// Words in a recovery code.
pub const RECOVERY_WORDS: usize = ENTROPY_LEN + CHECK_WORDS;

#[derive(Clone)]
pub struct RecoveryCode(Zeroizing<[u8; ENTROPY_LEN]>);

impl RecoveryCode {
    pub fn generate() -> Self {
        Self(Zeroizing::new(crate::random::bytes::<ENTROPY_LEN>()))
    }

    pub fn from_entropy(entropy: [u8; ENTROPY_LEN]) -> Self {
        Self(Zeroizing::new(entropy))
    }

    pub(crate) fn entropy(&self) -> &[u8] {
        self.0.as_slice()
    }

    fn check(entropy: &[u8]) -> [u8; CHECK_WORDS] {
        let mut hash = Sha256::new();
        hash.update(b"syncer recovery checksum v1\0");
        hash.update(entropy);
        let digest = hash.finalize();
        [digest[0], digest[1]]
    }

    /// The words, space-separated: what the user writes down.
    pub fn to_words(&self) -> Zeroizing<String> {
        let check = Self::check(self.entropy());
        let words: Vec<&str> = self
            .entropy()
            .iter()
            .chain(check.iter())
            .map(|b| WORDS[usize::from(*b)])
            .collect();
        Zeroizing::new(words.join(" "))
    }

    /// Reads a code typed back: any case, separated by spaces, hyphens or commas, each word
    /// whole or its first four letters.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let typed: Vec<String> = text
            .split(|c: char| c.is_whitespace() || c == '-' || c == ',')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        if typed.len() != RECOVERY_WORDS {
            return Err(CryptoError::BadRecoveryCode {
                reason: format!("it has {} words", typed.len()),
            });
        }
        let mut bytes = Zeroizing::new([0u8; RECOVERY_WORDS]);
        for (i, word) in typed.iter().enumerate() {
            bytes[i] = lookup(word).ok_or_else(|| CryptoError::BadRecoveryCode {
                reason: format!("word {} ({word:?}) is not on the list", i + 1),
            })?;
        }
        let (entropy, check) = bytes.split_at(ENTROPY_LEN);
        if Self::check(entropy) != check {
            return Err(CryptoError::BadRecoveryCode {
                reason: "a word is mistyped or two words are swapped".to_owned(),
            });
        }
        let mut out = [0u8; ENTROPY_LEN];
        out.copy_from_slice(entropy);
        Ok(Self::from_entropy(out))
    }
}

/// The byte a word stands for: the whole word, or a prefix of at least four letters that
/// only one word has.
fn lookup(word: &str) -> Option<u8> {
    if let Ok(i) = WORDS.binary_search(&word) {
        return u8::try_from(i).ok();
    }
    if word.len() < 4 {
        return None;
    }
    let mut found = WORDS
        .iter()
        .enumerate()
        .filter(|(_, w)| w.starts_with(word));
    match (found.next(), found.next()) {
        (Some((i, _)), None) => u8::try_from(i).ok(),
        _ => None,
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_list_is_sorted_unique_and_four_letters_tell_words_apart() {
        assert_eq!(WORDS.len(), 256);
        assert!(WORDS.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        let mut prefixes: Vec<&str> = WORDS.iter().map(|w| &w[..4.min(w.len())]).collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        assert_eq!(prefixes.len(), 256);
        assert!(
            WORDS
                .iter()
                .all(|w| w.bytes().all(|b| b.is_ascii_lowercase()))
        );
    }

    #[test]
    fn codes_round_trip_through_words_and_prefixes() {
        let code = RecoveryCode::generate();
        let words = code.to_words();
        assert_eq!(words.split(' ').count(), RECOVERY_WORDS);
        let back = RecoveryCode::parse(&words.to_uppercase()).unwrap();
        assert_eq!(back.entropy(), code.entropy());
        let prefixes: Vec<String> = words
            .split(' ')
            .map(|w| w.chars().take(4).collect())
            .collect();
        let back = RecoveryCode::parse(&prefixes.join("-")).unwrap();
        assert_eq!(back.entropy(), code.entropy());
    }

    #[test]
    fn mistakes_are_named() {
        let code = RecoveryCode::from_entropy([0; 16]);
        let words: Vec<String> = code.to_words().split(' ').map(str::to_owned).collect();
        let err = RecoveryCode::parse(&words[..17].join(" ")).unwrap_err();
        assert!(err.to_string().contains("has 17 words"), "{err}");

        let mut typo = words.clone();
        typo[4] = "zzzz".into();
        let err = RecoveryCode::parse(&typo.join(" ")).unwrap_err();
        assert!(err.to_string().contains("word 5"), "{err}");

        let mut swapped = words.clone();
        swapped[0] = WORDS[1].to_owned();
        let err = RecoveryCode::parse(&swapped.join(" ")).unwrap_err();
        assert!(err.to_string().contains("mistyped"), "{err}");
    }

    #[test]
    fn debug_redacts() {
        let code = RecoveryCode::from_entropy([0; 16]);
        assert_eq!(format!("{code:?}"), "RecoveryCode([redacted])");
    }
}
