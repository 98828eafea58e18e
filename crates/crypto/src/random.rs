//! The operating system's randomness, through the AEAD crate's re-export.

use aes_gcm::aead::OsRng;
use aes_gcm::aead::rand_core::RngCore as _;

pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    OsRng.fill_bytes(&mut out);
    out
}
