//! The device side of Syncer's cloud: a typed client for the server ([`CloudApi`]), and
//! [`CloudDevice`], which signs in, sets or enters the sync passphrase, and keeps the user's
//! setup (connections without their secrets, provider client ids, bases, children with their
//! filters, routing and schedules) in step with their other devices, end-to-end encrypted.
//!
//! Secrets (tokens, the master key) go to the vault of `syncer-auth`; the non-secret sync
//! bookkeeping to `cloud-sync.json` in the data folder. Nothing of the cloud goes to SQLite
//! but the setup itself.

// The modules form layers; a module uses only modules of lower layers (the test below checks
// it), so each can be read and changed knowing only what is under it:
//   0  error
//   1  api, machine, payload, secrets, state   (the server's API, this machine, the setup's
//                                                records, the vault's entries, cloud-sync.json)
//   2  device                                  (CloudDevice: sign-in, passphrase, account)
//   3  sync                                    (CloudDevice's sync and conflicts)
//   4  enroll, events                          (joining by code; the live stream), which sync
//                                                after they act
mod api;
mod device;
mod enroll;
mod error;
mod events;
mod machine;
pub mod payload;
mod secrets;
pub mod state;
mod sync;

pub use api::CloudApi;
pub use device::{CloudDevice, CloudStatus, PassphraseOutcome, RECOVERY_WARNING};
pub use enroll::{
    ENROLL_PREFIX, Enrollment, EnrollmentCode, EnrollmentPreview, JoinReport, NewDeviceInfo,
};
pub use error::{CloudError, CloudErrorKind, Result};
pub use events::WatchUpdate;
pub use payload::{Collection, SetupItem};
pub use sync::{Choice, ConflictView, ResolveReport, SyncReport};
pub use syncer_cloud::model::Device as CloudDeviceInfo;
pub use syncer_cloud::model::LiveEvent;
pub use syncer_cloud::model::Resolution;
pub use syncer_crypto::{KdfParams, Passphrase};

#[cfg(test)]
mod layering {
    /// Each module with its layer (see the top of this file) and its source.
    const MODULES: &[(&str, u8, &str)] = &[
        ("error", 0, include_str!("error.rs")),
        ("api", 1, include_str!("api.rs")),
        ("machine", 1, include_str!("machine.rs")),
        ("payload", 1, include_str!("payload.rs")),
        ("secrets", 1, include_str!("secrets.rs")),
        ("state", 1, include_str!("state.rs")),
        ("device", 2, include_str!("device.rs")),
        ("sync", 3, include_str!("sync.rs")),
        ("enroll", 4, include_str!("enroll.rs")),
        ("events", 4, include_str!("events.rs")),
    ];

    /// Every `crate::<module>` a module's source names (in `use` lines or paths) belongs to a
    /// lower layer: the modules form a tree, never a cycle.
    #[test]
    fn modules_use_only_lower_layers() {
        let layer = |name: &str| MODULES.iter().find(|(n, _, _)| *n == name).map(|m| m.1);
        for (name, own, source) in MODULES {
            for (i, _) in source.match_indices("crate::") {
                let rest = &source[i + "crate::".len()..];
                let used: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let Some(theirs) = layer(&used) else {
                    panic!("{name}.rs names crate::{used}, which is not in MODULES");
                };
                assert!(
                    theirs < *own,
                    "{name}.rs (layer {own}) uses crate::{used} (layer {theirs}): a module may \
                     use only lower layers"
                );
            }
        }
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
            .expect("read src/")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|f| f.ends_with(".rs") && f != "lib.rs")
            .count();
        assert_eq!(files, MODULES.len(), "every module is in MODULES");
    }
}
