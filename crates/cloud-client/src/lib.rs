//! The device side of Syncer's cloud: a typed client for the server ([`CloudApi`]), and
//! [`CloudDevice`], which signs in, sets or enters the sync passphrase, and keeps the user's
//! setup (connections without their secrets, provider client ids, bases, children with their
//! filters, routing and schedules) in step with their other devices, end-to-end encrypted.
//!
//! Secrets (tokens, the master key) go to the vault of `syncer-auth`; the non-secret sync
//! bookkeeping to `cloud-sync.json` in the data folder. Nothing of the cloud goes to SQLite
//! but the setup itself.

mod api;
mod device;
mod enroll;
mod error;
mod events;
pub mod payload;
mod secrets;
pub mod state;
mod sync;

pub use api::CloudApi;
pub use device::{CloudDevice, CloudStatus, PassphraseOutcome, RECOVERY_WARNING};
pub use enroll::{
    ENROLL_PREFIX, Enrollment, EnrollmentCode, EnrollmentPreview, JoinReport, NewDeviceInfo,
};
pub use error::{CloudError, Result};
pub use events::WatchUpdate;
pub use payload::{Collection, SetupItem};
pub use sync::{Choice, ConflictView, ResolveReport, SyncReport};
pub use syncer_cloud::model::Device as CloudDeviceInfo;
pub use syncer_cloud::model::LiveEvent;
pub use syncer_cloud::model::Resolution;
pub use syncer_crypto::{KdfParams, Passphrase};
