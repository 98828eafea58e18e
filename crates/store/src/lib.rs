//! Syncer's local store: one SQLite database in the app's data directory, migrated at open.
//!
//! It holds coordination metadata only (ids, checksums, timestamps, settings). Secrets live in
//! the OS keyring and the user's library stays on the service, so losing this file loses
//! settings, never music.

mod connections;
mod engine_storage;
mod error;
mod open;
mod open_metadata;
mod paths;
mod settings;
mod setup;
mod sync_log;
mod synced;

pub use connections::{ConnectionRecord, ConnectionStatus, NewConnection};
pub use error::StoreError;
pub use open::{OpenOptions, Store};
pub use open_metadata::UserGenres;
pub use paths::{APP_IDENTIFIER, AppPaths};
pub use settings::SettingKey;
pub use setup::{
    BaseRecord, BrokenFilter, ChildEdit, ChildRecord, NewBase, NewChild, SetupError, order_children,
};
pub use sync_log::SyncEventRecord;
pub use synced::{SyncedBase, SyncedChild, SyncedConnection};
