//! The SQL both backends run. SQLite and PostgreSQL accept the same `$n` placeholders,
//! `RETURNING` and `ON CONFLICT`, so one text serves both: [`SqlStorage`] is generic over the
//! sqlx database, rows decode through `sqlx::FromRow`, and each backend (sqlite.rs,
//! postgres.rs) supplies only what it does differently ([`Backend`]).

use std::fmt;
use std::future::Future;

use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Transaction, Type,
};

use super::{
    ConflictRow, DeviceRow, EnrollOutcome, EnrollmentRow, EnrollmentView, EventBounds, EventRow,
    Millis, Principal, RecordRow, RecordWrite, ResolveOutcome, Result, Rotation, Storage,
    StorageError, TokenHashes, UserRow, Wake, WriteOutcome,
};
use crate::model::LiveEvent;

/// Columns of `records`, as [`RecordRow`] names them.
const RECORD_COLUMNS: &str = "collection, record_id, version, seq, key_id, checksum, \
     ciphertext, device_id, created_at, updated_at, deleted_at";
const CONFLICT_COLUMNS: &str = "id, collection, record_id, base_version, \
     server_version, device_id, key_id, checksum, ciphertext, created_at, resolved_at, \
     resolution, resolved_by, result_version";
const USER_COLUMNS: &str = "id, email, password_hash, key_id, key_bundle, change_seq, created_at";
const DEVICE_COLUMNS: &str = "id, user_id, name, enrolled_by, cursor, created_at, last_seen_at, \
     revoked_at, platform, os_version, model, app_version";
/// Whether the sign-in that made enrollment `e` is still active, as a boolean column.
const MAKER_SIGNED_IN: &str = "EXISTS (SELECT 1 FROM sessions s JOIN devices sd \
     ON sd.id = s.device_id WHERE s.id = e.created_session AND s.revoked_at IS NULL \
     AND sd.revoked_at IS NULL)";

pub(crate) fn db(err: sqlx::Error) -> StorageError {
    StorageError::from_sqlx(err)
}

/// What the backends do differently: their name, how a write transaction starts, and how
/// instances tell each other that a user has news.
pub trait Backend: Database {
    /// A short name for logs and metrics.
    const LABEL: &'static str;
    /// The statement that wakes other instances' streams, with the user id as `$1`.
    const NOTIFY: Option<&'static str>;
    /// sqlx has no trait for it: each driver's result type has its own method.
    fn rows_affected(done: &Self::QueryResult) -> u64;
    fn begin_write(
        pool: &Pool<Self>,
    ) -> impl Future<Output = Result<Transaction<'static, Self>>> + Send;
    /// Listens for other instances' writes until dropped (see [`Storage::listen_events`]).
    fn listen(
        pool: &Pool<Self>,
        wake: impl Fn(Wake) + Send + Sync + 'static,
    ) -> impl Future<Output = ()> + Send;
}

/// The server's storage over one sqlx pool; [`super::SqliteStorage`] and
/// [`super::PostgresStorage`] are its two instances.
pub struct SqlStorage<DB: Database> {
    pub(super) pool: Pool<DB>,
}

impl<DB: Database> Clone for SqlStorage<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
        }
    }
}

impl<DB: Database> fmt::Debug for SqlStorage<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlStorage")
            .field("pool", &self.pool)
            .finish()
    }
}

impl<DB: Database> SqlStorage<DB> {
    /// The pool, for tests that read the tables directly.
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }
}

// The where clauses below (written twice: Rust does not carry them from one impl to another)
// are sqlx's traits for the column types the tables use, which both drivers implement.

/// The pieces every write transaction shares, on a connection inside a transaction.
impl<DB> SqlStorage<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row> + Encode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'r> i64: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> bool: Decode<'r, DB> + Type<DB>,
    for<'r> String: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> Vec<u8>: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> Option<i64>: Encode<'r, DB>,
    for<'r> Option<String>: Encode<'r, DB>,
    for<'r> Option<Vec<u8>>: Encode<'r, DB>,
{
    /// Takes the user's next `count` change numbers and returns the last (`None`: no such
    /// user). It is the first statement of every record write: the row lock it takes orders
    /// concurrent writes of one user, and on SQLite a transaction that writes first never has
    /// to upgrade a read lock (which can fail instead of waiting).
    async fn take_seq(conn: &mut DB::Connection, user_id: &str, count: i64) -> Result<Option<i64>> {
        sqlx::query_scalar(
            "UPDATE users SET change_seq = change_seq + $2 WHERE id = $1 RETURNING change_seq",
        )
        .bind(user_id)
        .bind(count)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)
    }

    /// [`Self::take_seq`] for one number, of a user who must exist.
    async fn next_seq(conn: &mut DB::Connection, user_id: &str) -> Result<i64> {
        Self::take_seq(conn, user_id, 1)
            .await?
            .ok_or_else(|| db(sqlx::Error::RowNotFound))
    }

    async fn current_version(
        conn: &mut DB::Connection,
        user_id: &str,
        collection: &str,
        record_id: &str,
    ) -> Result<Option<i64>> {
        sqlx::query_scalar(
            "SELECT version FROM records WHERE user_id = $1 AND collection = $2 \
             AND record_id = $3",
        )
        .bind(user_id)
        .bind(collection)
        .bind(record_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)
    }

    /// Stores `write` as the record's next version, given the current version (`None`: new).
    async fn store_version(
        conn: &mut DB::Connection,
        user_id: &str,
        write: &RecordWrite,
        current: Option<i64>,
        seq: i64,
        now: Millis,
    ) -> Result<i64> {
        let version = current.unwrap_or(0) + 1;
        let deleted_at: Option<i64> = write.ciphertext.is_none().then_some(now);
        let sql = if current.is_some() {
            "UPDATE records SET version = $4, seq = $5, key_id = $6, checksum = $7, \
             ciphertext = $8, device_id = $9, updated_at = $10, deleted_at = $11 \
             WHERE user_id = $1 AND collection = $2 AND record_id = $3"
        } else {
            "INSERT INTO records (user_id, collection, record_id, version, seq, key_id, \
             checksum, ciphertext, device_id, created_at, updated_at, deleted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)"
        };
        sqlx::query(sql)
            .bind(user_id)
            .bind(&write.collection)
            .bind(&write.record_id)
            .bind(version)
            .bind(seq)
            .bind(&write.key_id)
            .bind(&write.checksum)
            .bind(&write.ciphertext)
            .bind(&write.device_id)
            .bind(now)
            .bind(deleted_at)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        Ok(version)
    }

    /// Appends one journal entry inside a write transaction (the caller took `seq`).
    async fn insert_event(
        conn: &mut DB::Connection,
        user_id: &str,
        seq: i64,
        kind: &str,
        data: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO events (user_id, seq, kind, data, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user_id)
        .bind(seq)
        .bind(kind)
        .bind(data)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// On PostgreSQL, tells every instance's listener that `user` has news; inside a
    /// transaction it is delivered when that commits (and dropped if it rolls back). Nothing
    /// on SQLite.
    async fn notify(conn: &mut DB::Connection, user_id: &str) -> Result<()> {
        if let Some(sql) = DB::NOTIFY {
            sqlx::query(sql)
                .bind(user_id)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    async fn insert_tokens(
        conn: &mut DB::Connection,
        session_id: &str,
        tokens: &TokenHashes,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&tokens.refresh)
        .bind(session_id)
        .bind(now)
        .bind(tokens.refresh_expires)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query(
            "INSERT INTO access_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(&tokens.access)
        .bind(session_id)
        .bind(tokens.access_expires)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn insert_session(
        conn: &mut DB::Connection,
        session_id: &str,
        user_id: &str,
        device_id: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, device_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(session_id)
        .bind(user_id)
        .bind(device_id)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn revoke(
        conn: &mut DB::Connection,
        session_id: &str,
        reason: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1, revoke_reason = $2 \
             WHERE id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(session_id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query("DELETE FROM access_tokens WHERE session_id = $1")
            .bind(session_id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        // Its unused enrollment codes end with it: whoever held this sign-in must not keep a
        // way back in.
        sqlx::query(
            "UPDATE enrollments SET expires_at = $1 WHERE created_session = $2 \
             AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(session_id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn insert_device(conn: &mut DB::Connection, device: &DeviceRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO devices (id, user_id, name, enrolled_by, cursor, created_at, \
             last_seen_at, revoked_at, platform, os_version, model, app_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&device.id)
        .bind(&device.user_id)
        .bind(&device.name)
        .bind(&device.enrolled_by)
        .bind(device.cursor)
        .bind(device.created_at)
        .bind(device.last_seen_at)
        .bind(device.revoked_at)
        .bind(&device.platform)
        .bind(&device.os_version)
        .bind(&device.model)
        .bind(&device.app_version)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        Ok(())
    }
}

impl<DB> Storage for SqlStorage<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row> + Encode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'r> i64: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> bool: Decode<'r, DB> + Type<DB>,
    for<'r> String: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> Vec<u8>: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> Option<i64>: Encode<'r, DB>,
    for<'r> Option<String>: Encode<'r, DB>,
    for<'r> Option<Vec<u8>>: Encode<'r, DB>,
{
    fn backend(&self) -> &'static str {
        DB::LABEL
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn create_user(&self, user: &UserRow) -> Result<()> {
        let done = sqlx::query(
            "INSERT INTO users (id, email, password_hash, key_id, key_bundle, \
             change_seq, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(&user.key_id)
        .bind(&user.key_bundle)
        .bind(user.change_seq)
        .bind(user.created_at)
        .execute(&self.pool)
        .await;
        match done {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StorageError::Exists("an account with this email"))
            }
            Err(e) => Err(db(e)),
        }
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>> {
        sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>> {
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)
    }

    async fn delete_user(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn set_key(
        &self,
        user_id: &str,
        expected: Option<&str>,
        key_id: &str,
        bundle: &str,
        now: Millis,
    ) -> Result<bool> {
        let sql = if expected.is_some() {
            "UPDATE users SET key_id = $1, key_bundle = $2, updated_at = $3 \
             WHERE id = $4 AND key_id = $5"
        } else {
            "UPDATE users SET key_id = $1, key_bundle = $2, updated_at = $3 \
             WHERE id = $4 AND key_id IS NULL"
        };
        let mut query = sqlx::query(sql)
            .bind(key_id)
            .bind(bundle)
            .bind(now)
            .bind(user_id);
        if let Some(expected) = expected {
            query = query.bind(expected);
        }
        let done = query.execute(&self.pool).await.map_err(db)?;
        Ok(DB::rows_affected(&done) == 1)
    }

    async fn create_device(&self, device: &DeviceRow) -> Result<()> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Self::insert_device(&mut conn, device).await
    }

    async fn list_devices(&self, user_id: &str) -> Result<Vec<DeviceRow>> {
        sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = $1 ORDER BY created_at, id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)
    }

    async fn advance_cursor(&self, device_id: &str, cursor: i64, now: Millis) -> Result<()> {
        sqlx::query(
            "UPDATE devices SET cursor = CASE WHEN cursor < $1 THEN $1 ELSE cursor END, \
             last_seen_at = $2 WHERE id = $3",
        )
        .bind(cursor)
        .bind(now)
        .bind(device_id)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn create_session(
        &self,
        session_id: &str,
        principal: &Principal,
        tokens: &TokenHashes,
        now: Millis,
    ) -> Result<()> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let (user, device) = (&principal.user_id, &principal.device_id);
        Self::insert_session(&mut tx, session_id, user, device, now).await?;
        Self::insert_tokens(&mut tx, session_id, tokens, now).await?;
        // Expired access tokens are useless; sweeping them at sign-in keeps the table small
        // without a background job.
        sqlx::query("DELETE FROM access_tokens WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn principal_for_access(
        &self,
        access_hash: &str,
        now: Millis,
    ) -> Result<Option<Principal>> {
        sqlx::query_as(
            "SELECT s.id AS session_id, s.user_id, s.device_id FROM access_tokens a \
             JOIN sessions s ON s.id = a.session_id \
             JOIN devices d ON d.id = s.device_id \
             WHERE a.token_hash = $1 AND a.expires_at > $2 \
             AND s.revoked_at IS NULL AND d.revoked_at IS NULL",
        )
        .bind(access_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }

    async fn rotate_refresh(
        &self,
        refresh_hash: &str,
        next: &TokenHashes,
        now: Millis,
    ) -> Result<Rotation> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let claimed: Option<String> = sqlx::query_scalar(
            "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 \
             AND used_at IS NULL AND expires_at > $1 RETURNING session_id",
        )
        .bind(now)
        .bind(refresh_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        if let Some(session_id) = claimed {
            let principal: Option<Principal> = sqlx::query_as(
                "SELECT s.id AS session_id, s.user_id, s.device_id FROM sessions s \
                 JOIN devices d ON d.id = s.device_id \
                 WHERE s.id = $1 AND s.revoked_at IS NULL AND d.revoked_at IS NULL",
            )
            .bind(&session_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            let Some(principal) = principal else {
                tx.commit().await.map_err(db)?;
                return Ok(Rotation::Invalid);
            };
            Self::insert_tokens(&mut tx, &session_id, next, now).await?;
            tx.commit().await.map_err(db)?;
            return Ok(Rotation::Rotated(principal));
        }
        let used: Option<(String, Option<i64>)> =
            sqlx::query_as("SELECT session_id, used_at FROM refresh_tokens WHERE token_hash = $1")
                .bind(refresh_hash)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        match used {
            Some((session_id, Some(_))) => {
                Self::revoke(&mut tx, &session_id, "a refresh token was used twice", now).await?;
                tx.commit().await.map_err(db)?;
                Ok(Rotation::Reused { session_id })
            }
            _ => {
                tx.commit().await.map_err(db)?;
                Ok(Rotation::Invalid)
            }
        }
    }

    async fn revoke_session(&self, session_id: &str, reason: &str, now: Millis) -> Result<()> {
        let mut tx = DB::begin_write(&self.pool).await?;
        Self::revoke(&mut tx, session_id, reason, now).await?;
        tx.commit().await.map_err(db)
    }

    async fn change_password(
        &self,
        user_id: &str,
        password_hash: &str,
        keep: &str,
        now: Millis,
    ) -> Result<u64> {
        let mut tx = DB::begin_write(&self.pool).await?;
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let others: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM sessions WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(keep)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        for session in &others {
            Self::revoke(&mut tx, session, "password_changed", now).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(u64::try_from(others.len()).unwrap_or(u64::MAX))
    }

    async fn write_record(
        &self,
        user_id: &str,
        write: &RecordWrite,
        conflict_id: &str,
        now: Millis,
    ) -> Result<WriteOutcome> {
        let mut out = self
            .write_records(user_id, &[(write.clone(), conflict_id.to_owned())], now)
            .await?;
        out.pop()
            .ok_or_else(|| StorageError::Database("no outcome for a write".to_owned()))
    }

    async fn write_records(
        &self,
        user_id: &str,
        writes: &[(RecordWrite, String)],
        now: Millis,
    ) -> Result<Vec<WriteOutcome>> {
        let mut tx = DB::begin_write(&self.pool).await?;
        // One change number per write, taken in one statement (the first, a write: see
        // `take_seq`); a refused write leaves a gap, which cursors do not mind.
        let count = i64::try_from(writes.len()).unwrap_or(i64::MAX);
        let last = Self::take_seq(&mut tx, user_id, count)
            .await?
            .ok_or_else(|| db(sqlx::Error::RowNotFound))?;
        let mut out = Vec::with_capacity(writes.len());
        for (i, (write, conflict_id)) in writes.iter().enumerate() {
            let seq = last - count + 1 + i64::try_from(i).unwrap_or(0);
            let deleted_at: Option<i64> = write.ciphertext.is_none().then_some(now);
            // The common case in one statement: a new record inserted, or the stated version
            // replaced. No row back means the base was stale. Both texts take the same
            // parameters; the update adds the base version as $12.
            let sql = if write.base_version == 0 {
                "INSERT INTO records (user_id, collection, record_id, version, seq, key_id, \
                 checksum, ciphertext, device_id, created_at, updated_at, deleted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) \
                 ON CONFLICT (user_id, collection, record_id) DO NOTHING RETURNING version"
            } else {
                "UPDATE records SET version = $4, seq = $5, key_id = $6, checksum = $7, \
                 ciphertext = $8, device_id = $9, updated_at = $10, deleted_at = $11 \
                 WHERE user_id = $1 AND collection = $2 AND record_id = $3 AND version = $12 \
                 RETURNING version"
            };
            let mut query = sqlx::query_scalar(sql)
                .bind(user_id)
                .bind(&write.collection)
                .bind(&write.record_id)
                .bind(write.base_version + 1)
                .bind(seq)
                .bind(&write.key_id)
                .bind(&write.checksum)
                .bind(&write.ciphertext)
                .bind(&write.device_id)
                .bind(now)
                .bind(deleted_at);
            if write.base_version != 0 {
                query = query.bind(write.base_version);
            }
            let stored: Option<i64> = query.fetch_optional(&mut *tx).await.map_err(db)?;
            if let Some(version) = stored {
                out.push(WriteOutcome::Stored { version, seq });
                continue;
            }
            let current_version =
                Self::current_version(&mut tx, user_id, &write.collection, &write.record_id)
                    .await?
                    .unwrap_or(0);
            sqlx::query(
                "INSERT INTO conflicts (id, user_id, collection, record_id, base_version, \
                 server_version, device_id, key_id, checksum, ciphertext, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(conflict_id)
            .bind(user_id)
            .bind(&write.collection)
            .bind(&write.record_id)
            .bind(write.base_version)
            .bind(current_version)
            .bind(&write.device_id)
            .bind(&write.key_id)
            .bind(&write.checksum)
            .bind(&write.ciphertext)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            out.push(WriteOutcome::Conflict {
                current_version,
                conflict_id: conflict_id.clone(),
            });
        }
        // The events go in with the writes they announce: a committed write always has its
        // event, and an event id is never ahead of what `changes` shows.
        let events = batch_events(writes, &out, last - count + 1);
        for (seq, event) in &events {
            let data = event.data_json();
            Self::insert_event(&mut tx, user_id, *seq, event.kind(), &data, now).await?;
        }
        if !events.is_empty() {
            Self::notify(&mut tx, user_id).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    async fn get_record(
        &self,
        user_id: &str,
        collection: &str,
        record_id: &str,
    ) -> Result<Option<RecordRow>> {
        sqlx::query_as(&format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE user_id = $1 AND collection = $2 \
             AND record_id = $3"
        ))
        .bind(user_id)
        .bind(collection)
        .bind(record_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }

    async fn changes(&self, user_id: &str, since: i64, limit: i64) -> Result<Vec<RecordRow>> {
        sqlx::query_as(&format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE user_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3"
        ))
        .bind(user_id)
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db)
    }

    async fn delete_all_data(&self, user_id: &str) -> Result<()> {
        let mut tx = DB::begin_write(&self.pool).await?;
        for sql in [
            "DELETE FROM records WHERE user_id = $1",
            "DELETE FROM conflicts WHERE user_id = $1",
            "UPDATE users SET key_id = NULL, key_bundle = NULL WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        // Every device must notice that the data (and the key) went away.
        let seq = Self::next_seq(&mut tx, user_id).await?;
        let event = LiveEvent::SyncRequired {
            reason: "data_deleted".to_owned(),
        };
        let (data, now) = (event.data_json(), crate::state::now_ms());
        Self::insert_event(&mut tx, user_id, seq, event.kind(), &data, now).await?;
        Self::notify(&mut tx, user_id).await?;
        tx.commit().await.map_err(db)
    }

    async fn password_sign_in_at(&self, session_id: &str) -> Result<Option<Millis>> {
        sqlx::query_scalar(
            "SELECT s.created_at FROM sessions s JOIN devices d ON d.id = s.device_id \
             WHERE s.id = $1 AND s.revoked_at IS NULL AND d.revoked_at IS NULL \
             AND d.enrolled_by = 'password'",
        )
        .bind(session_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }

    async fn all_records(&self, user_id: &str) -> Result<Vec<RecordRow>> {
        sqlx::query_as(&format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE user_id = $1 ORDER BY seq"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)
    }

    async fn list_conflicts(
        &self,
        user_id: &str,
        include_resolved: bool,
    ) -> Result<Vec<ConflictRow>> {
        let filter = if include_resolved {
            ""
        } else {
            " AND resolved_at IS NULL"
        };
        sqlx::query_as(&format!(
            "SELECT {CONFLICT_COLUMNS} FROM conflicts WHERE user_id = $1{filter} \
             ORDER BY created_at, id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)
    }

    async fn get_conflict(&self, user_id: &str, id: &str) -> Result<Option<ConflictRow>> {
        sqlx::query_as(&format!(
            "SELECT {CONFLICT_COLUMNS} FROM conflicts WHERE user_id = $1 AND id = $2"
        ))
        .bind(user_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }

    async fn resolve_conflict(
        &self,
        user_id: &str,
        id: &str,
        resolution: &str,
        device_id: &str,
        write: Option<&RecordWrite>,
        now: Millis,
    ) -> Result<ResolveOutcome> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let seq = Self::next_seq(&mut tx, user_id).await?;
        let row: Option<(String, String, Option<i64>)> = sqlx::query_as(
            "SELECT collection, record_id, resolved_at FROM conflicts \
             WHERE user_id = $1 AND id = $2",
        )
        .bind(user_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some((collection, record_id, resolved_at)) = row else {
            return Ok(ResolveOutcome::NotFound);
        };
        if resolved_at.is_some() {
            return Ok(ResolveOutcome::AlreadyResolved);
        }
        let current = Self::current_version(&mut tx, user_id, &collection, &record_id).await?;
        let version = match write {
            Some(write) => {
                if write.base_version != current.unwrap_or(0)
                    || write.collection != collection
                    || write.record_id != record_id
                {
                    return Ok(ResolveOutcome::Stale {
                        current_version: current.unwrap_or(0),
                    });
                }
                let version =
                    Self::store_version(&mut tx, user_id, write, current, seq, now).await?;
                let event = LiveEvent::RecordChanged {
                    collection: collection.clone(),
                    cursor: seq,
                    device_id: write.device_id.clone(),
                };
                let data = event.data_json();
                Self::insert_event(&mut tx, user_id, seq, event.kind(), &data, now).await?;
                Self::notify(&mut tx, user_id).await?;
                version
            }
            None => current.unwrap_or(0),
        };
        sqlx::query(
            "UPDATE conflicts SET resolved_at = $1, resolution = $2, resolved_by = $3, \
             result_version = $4 WHERE user_id = $5 AND id = $6",
        )
        .bind(now)
        .bind(resolution)
        .bind(device_id)
        .bind(version)
        .bind(user_id)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(ResolveOutcome::Resolved { version })
    }

    async fn append_event(
        &self,
        user_id: &str,
        kind: &str,
        data: &str,
        now: Millis,
    ) -> Result<Option<i64>> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let Some(seq) = Self::take_seq(&mut tx, user_id, 1).await? else {
            return Ok(None);
        };
        Self::insert_event(&mut tx, user_id, seq, kind, data, now).await?;
        Self::notify(&mut tx, user_id).await?;
        tx.commit().await.map_err(db)?;
        Ok(Some(seq))
    }

    async fn events_after(&self, user_id: &str, after: i64, limit: i64) -> Result<Vec<EventRow>> {
        sqlx::query_as(
            "SELECT seq, kind, data, created_at FROM events \
             WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(user_id)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db)
    }

    async fn event_bounds(&self, user_id: &str) -> Result<Option<EventBounds>> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT change_seq, events_floor FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        Ok(row.map(|(latest, floor)| EventBounds { latest, floor }))
    }

    async fn session_active(&self, session_id: &str) -> Result<bool> {
        let row: Option<String> = sqlx::query_scalar(
            "SELECT s.id FROM sessions s JOIN devices d ON d.id = s.device_id \
             WHERE s.id = $1 AND s.revoked_at IS NULL AND d.revoked_at IS NULL",
        )
        .bind(session_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.is_some())
    }

    async fn prune_events(&self, before: Millis) -> Result<u64> {
        let mut tx = DB::begin_write(&self.pool).await?;
        sqlx::query(
            "UPDATE users SET events_floor = (SELECT MAX(e.seq) FROM events e \
             WHERE e.user_id = users.id AND e.created_at < $1) \
             WHERE id IN (SELECT user_id FROM events WHERE created_at < $1)",
        )
        .bind(before)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let done = sqlx::query("DELETE FROM events WHERE created_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(DB::rows_affected(&done))
    }

    async fn notify_wake(&self, user_id: &str) -> Result<()> {
        if DB::NOTIFY.is_none() {
            return Ok(()); // SQLite: no other instance to tell, so no connection to take.
        }
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Self::notify(&mut conn, user_id).await
    }

    async fn listen_events(&self, wake: impl Fn(Wake) + Send + Sync + 'static) {
        DB::listen(&self.pool, wake).await;
    }

    async fn create_enrollment(&self, row: &EnrollmentRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO enrollments (id, token_hash, user_id, created_by, key_id, \
             wrapped_key, created_at, expires_at, created_session) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&row.id)
        .bind(&row.token_hash)
        .bind(&row.user_id)
        .bind(&row.created_by)
        .bind(&row.key_id)
        .bind(&row.wrapped_key)
        .bind(row.created_at)
        .bind(row.expires_at)
        .bind(&row.created_session)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn enrollment_by_token(&self, token_hash: &str) -> Result<Option<EnrollmentView>> {
        sqlx::query_as(&format!(
            "SELECT e.id, e.user_id, u.email, d.name AS created_by_name, e.created_at, \
             e.expires_at, e.used_at, {MAKER_SIGNED_IN} AS maker_signed_in FROM enrollments e \
             JOIN users u ON u.id = e.user_id JOIN devices d ON d.id = e.created_by \
             WHERE e.token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }

    async fn complete_enrollment(
        &self,
        token_hash: &str,
        device: &DeviceRow,
        session_id: &str,
        tokens: &TokenHashes,
        now: Millis,
    ) -> Result<EnrollOutcome> {
        let mut tx = DB::begin_write(&self.pool).await?;
        // The spend is one conditional UPDATE: the row lock (PostgreSQL) or the write lock
        // (SQLite) makes a second, concurrent completion find it used. The maker must still be
        // signed in: a code made by a session that has ended (an intruder's, after a password
        // change) lets no one in.
        let claimed: Option<(String, String, String, String)> = sqlx::query_as(
            "UPDATE enrollments SET used_at = $1 WHERE token_hash = $2 \
             AND used_at IS NULL AND expires_at > $1 \
             AND EXISTS (SELECT 1 FROM sessions s JOIN devices d ON d.id = s.device_id \
             WHERE s.id = enrollments.created_session AND s.revoked_at IS NULL \
             AND d.revoked_at IS NULL) \
             RETURNING id, user_id, key_id, wrapped_key",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some((enrollment_id, user_id, key_id, wrapped_key)) = claimed else {
            let found: Option<(Option<i64>, bool)> = sqlx::query_as(&format!(
                "SELECT e.used_at, {MAKER_SIGNED_IN} FROM enrollments e WHERE e.token_hash = $1"
            ))
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            return Ok(match found {
                None => EnrollOutcome::Unknown,
                Some((Some(_), _)) => EnrollOutcome::Used,
                Some((None, false)) => EnrollOutcome::Revoked,
                Some((None, true)) => EnrollOutcome::Expired,
            });
        };
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(&user_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        let device = DeviceRow {
            user_id: user_id.clone(),
            ..device.clone()
        };
        Self::insert_device(&mut tx, &device).await?;
        sqlx::query("UPDATE enrollments SET used_by = $1 WHERE id = $2")
            .bind(&device.id)
            .bind(&enrollment_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        Self::insert_session(&mut tx, session_id, &user_id, &device.id, now).await?;
        Self::insert_tokens(&mut tx, session_id, tokens, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(EnrollOutcome::Enrolled {
            user_id,
            email,
            key_id,
            wrapped_key,
        })
    }

    async fn device(&self, user_id: &str, device_id: &str) -> Result<Option<DeviceRow>> {
        sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = $1 AND id = $2 \
             AND revoked_at IS NULL"
        ))
        .bind(user_id)
        .bind(device_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }

    async fn rename_device(&self, user_id: &str, device_id: &str, name: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE devices SET name = $1 WHERE user_id = $2 AND id = $3 AND revoked_at IS NULL",
        )
        .bind(name)
        .bind(user_id)
        .bind(device_id)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(DB::rows_affected(&done) == 1)
    }

    async fn revoke_device(&self, user_id: &str, device_id: &str, now: Millis) -> Result<bool> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let done = sqlx::query(
            "UPDATE devices SET revoked_at = $1 WHERE user_id = $2 AND id = $3 \
             AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(device_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if DB::rows_affected(&done) != 1 {
            tx.commit().await.map_err(db)?;
            return Ok(false);
        }
        let sessions: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM sessions WHERE device_id = $1 AND revoked_at IS NULL",
        )
        .bind(device_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        for session in &sessions {
            Self::revoke(&mut tx, session, "the device was removed", now).await?;
        }
        // A code the removed device showed must not let anyone in after it.
        sqlx::query(
            "UPDATE enrollments SET expires_at = $1 WHERE created_by = $2 \
             AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(device_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn refresh_token_device_revoked(&self, refresh_hash: &str) -> Result<bool> {
        let revoked: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT d.revoked_at FROM refresh_tokens r \
             JOIN sessions s ON s.id = r.session_id JOIN devices d ON d.id = s.device_id \
             WHERE r.token_hash = $1",
        )
        .bind(refresh_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(matches!(revoked, Some(Some(_))))
    }
}

/// The journal entries of one batch: one `record_changed` per collection (at the change number
/// of its last stored record) and one `conflict` per refused write, in change-number order.
pub(crate) fn batch_events(
    writes: &[(RecordWrite, String)],
    outcomes: &[WriteOutcome],
    first_seq: i64,
) -> Vec<(i64, LiveEvent)> {
    let mut last_by_collection: Vec<(&str, i64, &str)> = Vec::new();
    let mut out = Vec::new();
    for (i, ((write, _), outcome)) in writes.iter().zip(outcomes).enumerate() {
        let seq = first_seq + i64::try_from(i).unwrap_or(0);
        match outcome {
            WriteOutcome::Stored { seq, .. } => {
                match last_by_collection
                    .iter_mut()
                    .find(|(c, _, _)| *c == write.collection)
                {
                    Some(entry) => {
                        entry.1 = *seq;
                        entry.2 = &write.device_id;
                    }
                    None => last_by_collection.push((&write.collection, *seq, &write.device_id)),
                }
            }
            WriteOutcome::Conflict { conflict_id, .. } => out.push((
                seq,
                LiveEvent::Conflict {
                    conflict_id: conflict_id.clone(),
                    collection: write.collection.clone(),
                    record_id: write.record_id.clone(),
                    device_id: write.device_id.clone(),
                },
            )),
        }
    }
    out.extend(
        last_by_collection
            .into_iter()
            .map(|(collection, seq, device)| {
                (
                    seq,
                    LiveEvent::RecordChanged {
                        collection: collection.to_owned(),
                        cursor: seq,
                        device_id: device.to_owned(),
                    },
                )
            }),
    );
    out.sort_by_key(|(seq, _)| *seq);
    out
}
