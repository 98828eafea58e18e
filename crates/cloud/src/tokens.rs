//! Tokens: opaque random strings, stored only as SHA-256 hashes.
//!
//! Why opaque and not JWTs: every request already reaches the database (records live there),
//! so a lookup costs nothing extra, and an opaque token can be revoked at once — at sign-out,
//! on refresh-token reuse, on account deletion — with no signing key to keep, rotate or leak.
//! A stolen database yields hashes, which are useless as tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

pub const ACCESS_PREFIX: &str = "sca_";
pub const REFRESH_PREFIX: &str = "scr_";

/// 32 random bytes, base64url, after a prefix that says what the token is (so one pasted in
/// the wrong place is recognised, and secret scanners can find leaked ones).
pub fn generate(prefix: &str) -> String {
    format!("{prefix}{}", B64URL.encode(random::<32>()))
}

/// A random identifier (users, devices, sessions, conflicts): 16 bytes, hex.
pub fn new_id() -> String {
    random::<16>().iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // The OS random source failing is unrecoverable for a server that issues tokens: there is
    // no safe fallback.
    getrandom::fill(&mut out).expect("the operating system's random source failed");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let a = generate(ACCESS_PREFIX);
        let b = generate(ACCESS_PREFIX);
        assert!(a.starts_with("sca_") && a.len() > 40);
        assert_ne!(a, b);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
        assert_eq!(new_id().len(), 32);
    }
}
