//! Where the server keeps accounts, tokens and ciphertext: a trait with two implementations,
//! SQLite (embedded, the default) and PostgreSQL (many instances). Both are one generic
//! implementation running the same SQL (`sql.rs`), which keeps them honest with each other;
//! the tests run against both.

mod postgres;
mod sql;
mod sqlite;

use std::future::Future;

pub use self::postgres::PostgresStorage;
pub use self::sql::{Backend, SqlStorage};
pub use self::sqlite::SqliteStorage;

/// Unix milliseconds.
pub type Millis = i64;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{0} already exists")]
    Exists(&'static str),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The disk under the database is full: nothing of the refused write was kept.
    #[error("the database's disk is full: {0}")]
    Full(String),
    #[error("database error: {0}")]
    Database(String),
    #[error("could not prepare the database: {0}")]
    Migration(String),
}

impl StorageError {
    pub(crate) fn from_sqlx(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => {
                Self::Full(err.to_string())
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Self::Unavailable(err.to_string())
            }
            sqlx::Error::Database(db) if is_disk_full(db.code().as_deref()) => {
                Self::Full(err.to_string())
            }
            _ => Self::Database(err.to_string()),
        }
    }
}

/// SQLite's SQLITE_FULL (13, in the low byte of extended codes) and PostgreSQL's SQLSTATE
/// 53100 `disk_full`. The codes, not the messages: those change between versions.
fn is_disk_full(code: Option<&str>) -> bool {
    match code {
        Some("53100") => true,
        Some(code) => code.parse::<i32>().is_ok_and(|c| c & 0xff == 13),
        None => false,
    }
}

pub type Result<T> = std::result::Result<T, StorageError>;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub key_id: Option<String>,
    pub key_bundle: Option<String>,
    pub change_seq: i64,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeviceRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub enrolled_by: String,
    pub cursor: i64,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub revoked_at: Option<Millis>,
    /// What the device said of itself (enrollment sends these; a password sign-in does not).
    pub platform: Option<String>,
    pub os_version: Option<String>,
    pub model: Option<String>,
    pub app_version: Option<String>,
}

/// Who a valid access token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Principal {
    pub user_id: String,
    pub device_id: String,
    pub session_id: String,
}

/// A new token pair's hashes and lifetimes.
#[derive(Debug, Clone)]
pub struct TokenHashes {
    pub access: String,
    pub access_expires: Millis,
    pub refresh: String,
    pub refresh_expires: Millis,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current: it is now used, and the new pair is stored.
    Rotated(Principal),
    /// The token had been used before: the whole family is now revoked.
    Reused { session_id: String },
    /// Unknown, expired, or its family is revoked.
    Invalid,
}

/// A record as stored (ciphertext `None` for a deleted record's tombstone).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecordRow {
    pub collection: String,
    pub record_id: String,
    pub version: i64,
    pub seq: i64,
    pub key_id: String,
    pub checksum: String,
    pub ciphertext: Option<Vec<u8>>,
    pub device_id: String,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub deleted_at: Option<Millis>,
}

/// A write: a new ciphertext (or a deletion, with `ciphertext` `None`) replacing `base_version`
/// (0 for a record that does not exist yet).
#[derive(Debug, Clone)]
pub struct RecordWrite {
    pub collection: String,
    pub record_id: String,
    pub base_version: i64,
    pub key_id: String,
    pub checksum: String,
    pub ciphertext: Option<Vec<u8>>,
    pub device_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    Stored {
        version: i64,
        seq: i64,
    },
    /// The base version was stale; the refused write is kept as conflict `conflict_id`.
    Conflict {
        current_version: i64,
        conflict_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConflictRow {
    pub id: String,
    pub collection: String,
    pub record_id: String,
    pub base_version: i64,
    pub server_version: i64,
    pub device_id: String,
    pub key_id: String,
    pub checksum: String,
    pub ciphertext: Option<Vec<u8>>,
    pub created_at: Millis,
    pub resolved_at: Option<Millis>,
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
    pub result_version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveOutcome {
    Resolved {
        version: i64,
    },
    NotFound,
    AlreadyResolved,
    /// The record moved on again since the conflict: resolve against the newer version.
    Stale {
        current_version: i64,
    },
}

/// One entry of a user's event journal.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRow {
    /// The user's change number when the event was written: the event's id.
    pub seq: i64,
    pub kind: String,
    /// The event's fields, JSON.
    pub data: String,
    pub created_at: Millis,
}

/// Where a user's journal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventBounds {
    /// The user's latest change number: a stream without `Last-Event-ID` starts here.
    pub latest: i64,
    /// The highest event id pruned: resuming from before it may have missed events.
    pub floor: i64,
}

/// What woke the PostgreSQL listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// Something happened to this user's account.
    User(String),
    /// The listener reconnected and may have missed notifications: wake every stream.
    Everyone,
}

/// A new enrollment, as stored: the token only as its hash, the master key only wrapped under
/// a secret the server never sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentRow {
    pub id: String,
    pub token_hash: String,
    pub user_id: String,
    /// The device that created it.
    pub created_by: String,
    /// The session (sign-in) that created it: the code ends with it.
    pub created_session: String,
    pub key_id: String,
    pub wrapped_key: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// An enrollment looked up by its token, with what the joining device is shown.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EnrollmentView {
    pub id: String,
    pub user_id: String,
    pub email: String,
    pub created_by_name: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub used_at: Option<Millis>,
    /// Whether the sign-in that made the code is still active (if not, the code is dead).
    pub maker_signed_in: bool,
}

/// What presenting an enrollment token to complete it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollOutcome {
    /// The token was spent: the device and its session exist now.
    Enrolled {
        user_id: String,
        email: String,
        key_id: String,
        wrapped_key: String,
    },
    Unknown,
    Expired,
    Used,
    /// The sign-in that made the code has ended.
    Revoked,
}

/// The server's persistence. Every method is one transaction.
pub trait Storage: Clone + Send + Sync + 'static {
    /// A short name for logs and metrics: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;

    // ---- accounts and devices
    fn create_user(&self, user: &UserRow) -> impl Future<Output = Result<()>> + Send;
    fn user_by_email(&self, email: &str) -> impl Future<Output = Result<Option<UserRow>>> + Send;
    fn user_by_id(&self, id: &str) -> impl Future<Output = Result<Option<UserRow>>> + Send;
    /// Deletes the account and everything it owns.
    fn delete_user(&self, id: &str) -> impl Future<Output = Result<()>> + Send;
    /// Sets the key bundle. `expected` is the key id the account must have now (`None`: no
    /// key yet); returns false when it has another.
    fn set_key(
        &self,
        user_id: &str,
        expected: Option<&str>,
        key_id: &str,
        bundle: &str,
        now: Millis,
    ) -> impl Future<Output = Result<bool>> + Send;
    fn create_device(&self, device: &DeviceRow) -> impl Future<Output = Result<()>> + Send;
    fn list_devices(&self, user_id: &str) -> impl Future<Output = Result<Vec<DeviceRow>>> + Send;
    /// Records that `device` has read every change up to `cursor`.
    fn advance_cursor(
        &self,
        device_id: &str,
        cursor: i64,
        now: Millis,
    ) -> impl Future<Output = Result<()>> + Send;

    // ---- sessions and tokens
    fn create_session(
        &self,
        session_id: &str,
        principal: &Principal,
        tokens: &TokenHashes,
        now: Millis,
    ) -> impl Future<Output = Result<()>> + Send;
    fn principal_for_access(
        &self,
        access_hash: &str,
        now: Millis,
    ) -> impl Future<Output = Result<Option<Principal>>> + Send;
    fn rotate_refresh(
        &self,
        refresh_hash: &str,
        next: &TokenHashes,
        now: Millis,
    ) -> impl Future<Output = Result<Rotation>> + Send;
    fn revoke_session(
        &self,
        session_id: &str,
        reason: &str,
        now: Millis,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Replaces the account's password hash and ends every other sign-in (`keep` is the
    /// session that asked): whoever knew the old password is out. Returns how many ended.
    fn change_password(
        &self,
        user_id: &str,
        password_hash: &str,
        keep: &str,
        now: Millis,
    ) -> impl Future<Output = Result<u64>> + Send;

    // ---- records
    fn write_record(
        &self,
        user_id: &str,
        write: &RecordWrite,
        conflict_id: &str,
        now: Millis,
    ) -> impl Future<Output = Result<WriteOutcome>> + Send;
    /// Several writes in one transaction, each stored or in conflict on its own.
    fn write_records(
        &self,
        user_id: &str,
        writes: &[(RecordWrite, String)],
        now: Millis,
    ) -> impl Future<Output = Result<Vec<WriteOutcome>>> + Send;
    fn get_record(
        &self,
        user_id: &str,
        collection: &str,
        record_id: &str,
    ) -> impl Future<Output = Result<Option<RecordRow>>> + Send;
    /// Changes after `since`, oldest first, at most `limit`.
    fn changes(
        &self,
        user_id: &str,
        since: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<RecordRow>>> + Send;
    /// Deletes every record and conflict and the key bundle; the account stays.
    fn delete_all_data(&self, user_id: &str) -> impl Future<Output = Result<()>> + Send;
    /// When the session began, if it is active and began with a password sign-in (not an
    /// enrollment code); refreshing does not move it.
    fn password_sign_in_at(
        &self,
        session_id: &str,
    ) -> impl Future<Output = Result<Option<Millis>>> + Send;
    fn all_records(&self, user_id: &str) -> impl Future<Output = Result<Vec<RecordRow>>> + Send;

    // ---- conflicts
    fn list_conflicts(
        &self,
        user_id: &str,
        include_resolved: bool,
    ) -> impl Future<Output = Result<Vec<ConflictRow>>> + Send;
    fn get_conflict(
        &self,
        user_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<ConflictRow>>> + Send;
    /// Marks a conflict resolved; with `write`, stores it first (it must replace the current
    /// version).
    fn resolve_conflict(
        &self,
        user_id: &str,
        id: &str,
        resolution: &str,
        device_id: &str,
        write: Option<&RecordWrite>,
        now: Millis,
    ) -> impl Future<Output = Result<ResolveOutcome>> + Send;

    // Events
    //
    // The journal behind `GET /v1/events` (see `crate::events`). Record writes and
    // conflicts append their events themselves, in their own transaction.

    /// Appends an event under the user's next change number (returned; `None` when the user
    /// is gone), and on PostgreSQL notifies every instance, in one transaction.
    fn append_event(
        &self,
        user_id: &str,
        kind: &str,
        data: &str,
        now: Millis,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;
    /// Events after `after`, oldest first, at most `limit`.
    fn events_after(
        &self,
        user_id: &str,
        after: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<EventRow>>> + Send;
    /// `None` when the user is gone.
    fn event_bounds(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<EventBounds>>> + Send;
    /// Whether a session (and its device) may still hold a stream open.
    fn session_active(&self, session_id: &str) -> impl Future<Output = Result<bool>> + Send;
    /// Deletes events written before `before`, raising each user's floor; returns how many.
    fn prune_events(&self, before: Millis) -> impl Future<Output = Result<u64>> + Send;
    /// Tells the other instances that something happened to `user_id` with no journal entry
    /// (a sign-out). A no-op on SQLite, which is one instance.
    fn notify_wake(&self, user_id: &str) -> impl Future<Output = Result<()>> + Send;
    /// Listens for other instances' writes and calls `wake` for each, until the future is
    /// dropped; reconnects on failure and then wakes everyone. Returns at once on SQLite.
    fn listen_events(
        &self,
        wake: impl Fn(Wake) + Send + Sync + 'static,
    ) -> impl Future<Output = ()> + Send;

    // Enrollment and devices
    fn create_enrollment(&self, row: &EnrollmentRow) -> impl Future<Output = Result<()>> + Send;
    fn enrollment_by_token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<EnrollmentView>>> + Send;
    /// Spends the token and creates `device` (its `user_id` is taken from the enrollment) with
    /// a session, all in one transaction: of two concurrent completions exactly one wins. A
    /// code whose maker's session has ended is not spent: [`EnrollOutcome::Revoked`].
    fn complete_enrollment(
        &self,
        token_hash: &str,
        device: &DeviceRow,
        session_id: &str,
        tokens: &TokenHashes,
        now: Millis,
    ) -> impl Future<Output = Result<EnrollOutcome>> + Send;
    /// A device of `user_id` that is not revoked.
    fn device(
        &self,
        user_id: &str,
        device_id: &str,
    ) -> impl Future<Output = Result<Option<DeviceRow>>> + Send;
    /// Renames a device of `user_id`; false when there is no such (unrevoked) device.
    fn rename_device(
        &self,
        user_id: &str,
        device_id: &str,
        name: &str,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Revokes a device of `user_id`: every session it has ends (access tokens deleted, refresh
    /// tokens refused) and its pending enrollments expire. False when there is no such device.
    fn revoke_device(
        &self,
        user_id: &str,
        device_id: &str,
        now: Millis,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Whether the device behind a session was revoked (to tell a removed device apart from an
    /// ended sign-in).
    fn refresh_token_device_revoked(
        &self,
        refresh_hash: &str,
    ) -> impl Future<Output = Result<bool>> + Send;
}

#[cfg(test)]
mod tests {
    use sqlx::Connection as _;

    use super::*;
    use crate::error::ApiError;

    /// A real SQLITE_FULL: a database that may not grow, written past its room.
    #[tokio::test]
    async fn a_full_disk_is_told_apart_and_answered_507() {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("CREATE TABLE filler (x BLOB)")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("PRAGMA max_page_count = 3")
            .execute(&mut conn)
            .await
            .unwrap();
        let err = sqlx::query("INSERT INTO filler VALUES (zeroblob(100000))")
            .execute(&mut conn)
            .await
            .unwrap_err();
        let storage = StorageError::from_sqlx(err);
        assert!(matches!(storage, StorageError::Full(_)), "{storage:?}");
        let api = ApiError::from(storage);
        assert_eq!(api.status.as_u16(), 507);
        assert_eq!(api.code, "storage_full");
        assert!(
            api.message.contains("nothing was changed"),
            "{}",
            api.message
        );

        assert!(is_disk_full(Some("53100")), "PostgreSQL's disk_full");
        assert!(!is_disk_full(Some("23505")), "a unique violation is not");
        assert!(!is_disk_full(Some("5")) && !is_disk_full(None));
    }
}
