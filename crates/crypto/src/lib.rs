//! The end-to-end envelope Syncer's devices and its cloud speak. The cloud stores what this
//! crate produces and can read none of it.
//!
//! - A random 256-bit **master key** ([`MasterKey`]) is made once per account, on the first
//!   device. Its [`KeyId`] (a one-way fingerprint) is all the server learns of it.
//! - A **key bundle** ([`KeyBundle`]) holds the master key wrapped twice with AES-256-GCM: by a
//!   key derived from the user's sync passphrase with Argon2id (per-account random salt; the
//!   parameters travel in the bundle), and by a key derived from a printable
//!   [`RecoveryCode`]. The server keeps the bundle so a new device can unwrap it.
//! - Each **record** is sealed ([`seal_record`]) with its own random content key, itself wrapped
//!   by the master key. The record's collection, id, version and writing device are associated
//!   data of both layers, so the server cannot swap two records, replay an old version as a new
//!   one, or claim another device wrote it: any of these fails to open.
//!
//! - An **enrollment wrap** ([`EnrollmentWrap`]) holds the master key for one new device,
//!   wrapped under a random [`EnrollmentSecret`] that travels only in the QR code.
//!
//! The byte layouts are pinned by tests (`tests/wire.rs`); docs/cloud.md describes them.

mod bundle;
mod enroll;
mod error;
mod kdf;
mod keys;
mod keywrap;
mod random;
mod record;
mod recovery;
mod secret;
mod words;

pub use bundle::{BUNDLE_FORMAT, BUNDLE_VERSION, KeyBundle, NewKeys, WrappedKey};
pub use enroll::{
    ENROLLMENT_SECRET_LEN, ENROLLMENT_WRAP_FORMAT, ENROLLMENT_WRAP_VERSION, EnrollmentSecret,
    EnrollmentWrap,
};
pub use error::CryptoError;
pub use kdf::KdfParams;
pub use keys::{KEY_ID_LEN, KeyId, MasterKey};
pub use record::{
    RECORD_HEADER_LEN, RECORD_MAGIC, RecordContext, checksum, open_record, record_key_id,
    seal_record,
};
pub use recovery::{RECOVERY_WORDS, RecoveryCode};
pub use secret::Passphrase;

#[doc(hidden)]
pub mod testing {
    //! Deterministic entry points for the wire-format tests: fixed keys and nonces.
    pub use crate::bundle::create_with;
    pub use crate::enroll::enrollment_wrap_with;
    pub use crate::record::seal_record_with;
}
