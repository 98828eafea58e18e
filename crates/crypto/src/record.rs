//! One sealed record. Layout (all integers big-endian), version 1:
//!
//! ```text
//! offset  len   field
//! 0       4     magic "SYR" + format version 0x01
//! 4       8     key id of the master key that wraps the content key
//! 12      12    nonce of the content-key wrap
//! 24      48    content key (32) wrapped by the master key, with its tag (16)
//! 72      12    nonce of the content
//! 84      n+16  content encrypted by the content key, with its tag
//! ```
//!
//! Both AES-256-GCM layers take the same associated data: the 12 header bytes, then
//! `"syncer-record-v1" 0x00`, then the collection, the record id and the device id (each as a
//! u32 length and its UTF-8 bytes), then the version (u64). Changing any of them makes the
//! record unopenable, which is how a device notices a server that swaps or replays records.

use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::error::CryptoError;
use crate::keys::{KEY_ID_LEN, KeyId, MasterKey};

/// The first four bytes of every sealed record (format version 1).
pub const RECORD_MAGIC: [u8; 4] = *b"SYR\x01";
/// Bytes before the content ciphertext.
pub const RECORD_HEADER_LEN: usize = 84;
const WRAPPED_KEY_LEN: usize = 48;
const TAG_LEN: usize = 16;

/// Where a record belongs: bound to its ciphertext as associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordContext<'a> {
    pub collection: &'a str,
    pub record_id: &'a str,
    /// The version the record has once stored (the version it replaces plus one).
    pub version: u64,
    /// The device that wrote it.
    pub device: &'a str,
}

impl RecordContext<'_> {
    fn aad(&self, header: &[u8]) -> Vec<u8> {
        let mut aad = Vec::with_capacity(64 + self.collection.len() + self.record_id.len());
        aad.extend_from_slice(header);
        aad.extend_from_slice(b"syncer-record-v1\0");
        for part in [self.collection, self.record_id, self.device] {
            // Lengths keep ("ab", "c") and ("a", "bc") apart. Parts are short ids; a part
            // beyond 4 GiB cannot reach here.
            let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
            aad.extend_from_slice(&len.to_be_bytes());
            aad.extend_from_slice(part.as_bytes());
        }
        aad.extend_from_slice(&self.version.to_be_bytes());
        aad
    }
}

/// Seals `plaintext` for `context` under a fresh content key.
pub fn seal_record(master: &MasterKey, context: &RecordContext<'_>, plaintext: &[u8]) -> Vec<u8> {
    seal_record_with(
        master,
        context,
        plaintext,
        &crate::random::bytes::<32>(),
        crate::random::bytes::<12>(),
        crate::random::bytes::<12>(),
    )
}

/// As [`seal_record`], with the content key and nonces given (the wire-format tests pin
/// its output; never reuse a nonce in real use).
pub fn seal_record_with(
    master: &MasterKey,
    context: &RecordContext<'_>,
    plaintext: &[u8],
    content_key: &[u8; 32],
    wrap_nonce: [u8; 12],
    content_nonce: [u8; 12],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(RECORD_HEADER_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&RECORD_MAGIC);
    out.extend_from_slice(&master.key_id().raw());
    let aad = context.aad(&out);

    let wrapper = Aes256Gcm::new(master.bytes().into());
    // AES-GCM encryption fails only for inputs beyond 64 GiB; a content key is 32 bytes.
    let wrapped = wrapper
        .encrypt(
            Nonce::from_slice(&wrap_nonce),
            Payload {
                msg: content_key,
                aad: &aad,
            },
        )
        .unwrap_or_default();
    out.extend_from_slice(&wrap_nonce);
    out.extend_from_slice(&wrapped);
    out.extend_from_slice(&content_nonce);

    let cipher = Aes256Gcm::new(content_key.into());
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&content_nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .unwrap_or_default();
    out.extend_from_slice(&sealed);
    out
}

/// The key id a sealed record names, read from its header without any key: what the server
/// checks an upload against.
pub fn record_key_id(sealed: &[u8]) -> Result<KeyId, CryptoError> {
    if sealed.len() < RECORD_HEADER_LEN + TAG_LEN {
        return Err(CryptoError::corrupt(format!(
            "a sealed record of {} bytes is shorter than its header",
            sealed.len()
        )));
    }
    if sealed[..3] != RECORD_MAGIC[..3] {
        return Err(CryptoError::corrupt("not a sealed Syncer record"));
    }
    if sealed[3] != RECORD_MAGIC[3] {
        return Err(CryptoError::Unsupported {
            what: format!("record format version {}", sealed[3]),
        });
    }
    let mut raw = [0u8; KEY_ID_LEN];
    raw.copy_from_slice(&sealed[4..4 + KEY_ID_LEN]);
    Ok(KeyId::from_raw(raw))
}

/// Opens a sealed record written for `context`.
pub fn open_record(
    master: &MasterKey,
    context: &RecordContext<'_>,
    sealed: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let found = record_key_id(sealed)?;
    let expected = master.key_id();
    if found != expected {
        return Err(CryptoError::WrongKey { expected, found });
    }
    let aad = context.aad(&sealed[..4 + KEY_ID_LEN]);
    let wrap_nonce = &sealed[12..24];
    let wrapped = &sealed[24..24 + WRAPPED_KEY_LEN];
    let content_nonce = &sealed[72..84];
    let body = &sealed[RECORD_HEADER_LEN..];

    let altered = || {
        CryptoError::corrupt(format!(
            "record {}/{} version {} does not open: it was altered, or is not the record the \
             server says it is",
            context.collection, context.record_id, context.version
        ))
    };
    let content_key = Zeroizing::new(
        Aes256Gcm::new(master.bytes().into())
            .decrypt(
                Nonce::from_slice(wrap_nonce),
                Payload {
                    msg: wrapped,
                    aad: &aad,
                },
            )
            .map_err(|_| altered())?,
    );
    let cipher = Aes256Gcm::new_from_slice(&content_key).map_err(|_| altered())?;
    cipher
        .decrypt(
            Nonce::from_slice(content_nonce),
            Payload {
                msg: body,
                aad: &aad,
            },
        )
        .map_err(|_| altered())
}

/// The checksum the server stores and verifies: SHA-256 of the sealed bytes, lowercase hex.
pub fn checksum(sealed: &[u8]) -> String {
    Sha256::digest(sealed)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx(version: u64) -> RecordContext<'static> {
        RecordContext {
            collection: "bases",
            record_id: "b1",
            version,
            device: "dev-a",
        }
    }

    #[test]
    fn a_record_opens_only_in_its_own_context() {
        let key = MasterKey::generate();
        let sealed = seal_record(&key, &ctx(3), b"hello");
        assert_eq!(open_record(&key, &ctx(3), &sealed).unwrap(), b"hello");
        for other in [
            RecordContext {
                version: 2,
                ..ctx(3)
            },
            RecordContext {
                record_id: "b2",
                ..ctx(3)
            },
            RecordContext {
                collection: "children",
                ..ctx(3)
            },
            RecordContext {
                device: "dev-b",
                ..ctx(3)
            },
        ] {
            let err = open_record(&key, &other, &sealed).unwrap_err();
            assert!(matches!(err, CryptoError::Corrupt { .. }), "{err:?}");
        }
    }

    #[test]
    fn another_key_is_named_as_the_wrong_key() {
        let ours = MasterKey::generate();
        let theirs = MasterKey::generate();
        let sealed = seal_record(&theirs, &ctx(1), b"x");
        assert_eq!(record_key_id(&sealed).unwrap(), theirs.key_id());
        let err = open_record(&ours, &ctx(1), &sealed).unwrap_err();
        assert_eq!(
            err,
            CryptoError::WrongKey {
                expected: ours.key_id(),
                found: theirs.key_id()
            }
        );
        assert!(err.to_string().starts_with("wrong key"), "{err}");
    }

    #[test]
    fn junk_and_future_formats_are_told_apart() {
        assert!(matches!(
            record_key_id(b"short").unwrap_err(),
            CryptoError::Corrupt { .. }
        ));
        let key = MasterKey::generate();
        let mut sealed = seal_record(&key, &ctx(1), b"x");
        sealed[3] = 2;
        assert!(matches!(
            record_key_id(&sealed).unwrap_err(),
            CryptoError::Unsupported { .. }
        ));
    }

    proptest! {
        #[test]
        fn any_flipped_bit_is_detected(data in proptest::collection::vec(any::<u8>(), 0..200), at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let key = MasterKey::from_bytes([9; 32]);
            let mut sealed = seal_record(&key, &ctx(1), &data);
            let i = at.index(sealed.len());
            sealed[i] ^= 1 << bit;
            prop_assert!(open_record(&key, &ctx(1), &sealed).is_err());
        }

        #[test]
        fn round_trips(data in proptest::collection::vec(any::<u8>(), 0..500)) {
            let key = MasterKey::from_bytes([1; 32]);
            let sealed = seal_record(&key, &ctx(7), &data);
            prop_assert_eq!(sealed.len(), RECORD_HEADER_LEN + data.len() + TAG_LEN);
            prop_assert_eq!(open_record(&key, &ctx(7), &sealed).unwrap(), data);
        }
    }
}
