//! The SQL both backends run. SQLite and PostgreSQL accept the same `$n` placeholders,
//! `RETURNING` and `ON CONFLICT`, so one text serves both; [`impl_storage!`] instantiates it for
//! each pool type, and each backend supplies only how a write transaction begins.

/// Columns of `records`, in the order [`record_row!`] reads them.
pub(crate) const RECORD_COLUMNS: &str = "collection, record_id, version, seq, key_id, checksum, \
     ciphertext, device_id, created_at, updated_at, deleted_at";
pub(crate) const CONFLICT_COLUMNS: &str = "id, collection, record_id, base_version, \
     server_version, device_id, key_id, checksum, ciphertext, created_at, resolved_at, \
     resolution, resolved_by, result_version";
pub(crate) const USER_COLUMNS: &str =
    "id, email, password_hash, key_id, key_bundle, change_seq, created_at";
pub(crate) const DEVICE_COLUMNS: &str = "id, user_id, name, enrolled_by, cursor, created_at, last_seen_at, revoked_at, platform, \
     os_version, model, app_version";

use super::{RecordWrite, WriteOutcome};
use crate::model::LiveEvent;

pub(crate) fn db(err: sqlx::Error) -> super::StorageError {
    super::StorageError::from_sqlx(err)
}

macro_rules! user_row {
    ($row:expr) => {{
        let row = &$row;
        (|| -> std::result::Result<UserRow, sqlx::Error> {
            Ok(UserRow {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                password_hash: row.try_get("password_hash")?,
                key_id: row.try_get("key_id")?,
                key_bundle: row.try_get("key_bundle")?,
                change_seq: row.try_get("change_seq")?,
                created_at: row.try_get("created_at")?,
            })
        })()
        .map_err(db)
    }};
}

macro_rules! device_row {
    ($row:expr) => {{
        let row = &$row;
        (|| -> std::result::Result<DeviceRow, sqlx::Error> {
            Ok(DeviceRow {
                id: row.try_get("id")?,
                user_id: row.try_get("user_id")?,
                name: row.try_get("name")?,
                enrolled_by: row.try_get("enrolled_by")?,
                cursor: row.try_get("cursor")?,
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                revoked_at: row.try_get("revoked_at")?,
                platform: row.try_get("platform")?,
                os_version: row.try_get("os_version")?,
                model: row.try_get("model")?,
                app_version: row.try_get("app_version")?,
            })
        })()
        .map_err(db)
    }};
}

macro_rules! record_row {
    ($row:expr) => {{
        let row = &$row;
        (|| -> std::result::Result<RecordRow, sqlx::Error> {
            Ok(RecordRow {
                collection: row.try_get("collection")?,
                record_id: row.try_get("record_id")?,
                version: row.try_get("version")?,
                seq: row.try_get("seq")?,
                key_id: row.try_get("key_id")?,
                checksum: row.try_get("checksum")?,
                ciphertext: row.try_get("ciphertext")?,
                device_id: row.try_get("device_id")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                deleted_at: row.try_get("deleted_at")?,
            })
        })()
        .map_err(db)
    }};
}

macro_rules! conflict_row {
    ($row:expr) => {{
        let row = &$row;
        (|| -> std::result::Result<ConflictRow, sqlx::Error> {
            Ok(ConflictRow {
                id: row.try_get("id")?,
                collection: row.try_get("collection")?,
                record_id: row.try_get("record_id")?,
                base_version: row.try_get("base_version")?,
                server_version: row.try_get("server_version")?,
                device_id: row.try_get("device_id")?,
                key_id: row.try_get("key_id")?,
                checksum: row.try_get("checksum")?,
                ciphertext: row.try_get("ciphertext")?,
                created_at: row.try_get("created_at")?,
                resolved_at: row.try_get("resolved_at")?,
                resolution: row.try_get("resolution")?,
                resolved_by: row.try_get("resolved_by")?,
                result_version: row.try_get("result_version")?,
            })
        })()
        .map_err(db)
    }};
}

/// Takes the user's next change number. It is the first statement of every record write:
/// the row lock it takes orders concurrent writes of one user, and on SQLite a transaction
/// that writes first never has to upgrade a read lock (which can fail instead of waiting).
macro_rules! next_seq {
    ($tx:expr, $user:expr) => {
        sqlx::query_scalar::<_, i64>(
            "UPDATE users SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq",
        )
        .bind($user)
        .fetch_one(&mut *$tx)
        .await
        .map_err(db)
    };
}

/// Stores `write` as the record's next version, given the current version (`None`: new).
macro_rules! store_version {
    ($tx:expr, $user:expr, $write:expr, $current:expr, $seq:expr, $now:expr) => {{
        let write = $write;
        let version = $current.unwrap_or(0) + 1;
        let deleted_at: Option<i64> = write.ciphertext.is_none().then_some($now);
        if $current.is_some() {
            sqlx::query(
                "UPDATE records SET version = $1, seq = $2, key_id = $3, checksum = $4, \
                 ciphertext = $5, device_id = $6, updated_at = $7, deleted_at = $8 \
                 WHERE user_id = $9 AND collection = $10 AND record_id = $11",
            )
            .bind(version)
            .bind($seq)
            .bind(&write.key_id)
            .bind(&write.checksum)
            .bind(&write.ciphertext)
            .bind(&write.device_id)
            .bind($now)
            .bind(deleted_at)
            .bind($user)
            .bind(&write.collection)
            .bind(&write.record_id)
            .execute(&mut *$tx)
            .await
            .map_err(db)?;
        } else {
            sqlx::query(
                "INSERT INTO records (user_id, collection, record_id, version, seq, key_id, \
                 checksum, ciphertext, device_id, created_at, updated_at, deleted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
            )
            .bind($user)
            .bind(&write.collection)
            .bind(&write.record_id)
            .bind(version)
            .bind($seq)
            .bind(&write.key_id)
            .bind(&write.checksum)
            .bind(&write.ciphertext)
            .bind(&write.device_id)
            .bind($now)
            .bind(deleted_at)
            .execute(&mut *$tx)
            .await
            .map_err(db)?;
        }
        version
    }};
}

macro_rules! current_version {
    ($tx:expr, $user:expr, $collection:expr, $record:expr) => {
        sqlx::query_scalar::<_, i64>(
            "SELECT version FROM records WHERE user_id = $1 AND collection = $2 \
             AND record_id = $3",
        )
        .bind($user)
        .bind($collection)
        .bind($record)
        .fetch_optional(&mut *$tx)
        .await
        .map_err(db)
    };
}

/// Appends one journal entry inside a write transaction (the caller took `seq`).
macro_rules! insert_event {
    ($tx:expr, $user:expr, $seq:expr, $kind:expr, $data:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO events (user_id, seq, kind, data, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($user)
        .bind($seq)
        .bind($kind)
        .bind($data)
        .bind($now)
        .execute(&mut *$tx)
        .await
        .map_err(db)
    };
}

/// On PostgreSQL, tells every instance's listener that `user` has news; delivered when the
/// transaction commits (and dropped if it rolls back). Nothing on SQLite.
macro_rules! notify_in_tx {
    ($ty:ty, $tx:expr, $user:expr) => {
        if let Some(sql) = <$ty as Backend>::NOTIFY {
            sqlx::query(sql)
                .bind($user)
                .execute(&mut *$tx)
                .await
                .map_err(db)?;
        }
    };
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

macro_rules! impl_storage {
    ($ty:ty, $backend:literal) => {
        impl Storage for $ty {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(db)?;
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
                let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db)?;
                row.map(|r| user_row!(r)).transpose()
            }

            async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>> {
                let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db)?;
                row.map(|r| user_row!(r)).transpose()
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
                let mut query = sqlx::query(sql).bind(key_id).bind(bundle).bind(now).bind(user_id);
                if let Some(expected) = expected {
                    query = query.bind(expected);
                }
                let done = query.execute(&self.pool).await.map_err(db)?;
                Ok(done.rows_affected() == 1)
            }

            async fn create_device(&self, device: &DeviceRow) -> Result<()> {
                let mut conn = self.pool.acquire().await.map_err(db)?;
                insert_device(&mut *conn, device).await
            }

            async fn list_devices(&self, user_id: &str) -> Result<Vec<DeviceRow>> {
                let rows = sqlx::query(&format!(
                    "SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = $1 ORDER BY created_at, id"
                ))
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.iter().map(|r| device_row!(r)).collect()
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
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, device_id, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(session_id)
                .bind(&principal.user_id)
                .bind(&principal.device_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                insert_tokens(&mut tx, session_id, tokens, now).await?;
                // Expired access tokens are useless; sweeping them at sign-in keeps the
                // table small without a background job.
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
                let row = sqlx::query(
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
                .map_err(db)?;
                row.map(|r| {
                    Ok(Principal {
                        session_id: r.try_get("session_id").map_err(db)?,
                        user_id: r.try_get("user_id").map_err(db)?,
                        device_id: r.try_get("device_id").map_err(db)?,
                    })
                })
                .transpose()
            }

            async fn rotate_refresh(
                &self,
                refresh_hash: &str,
                next: &TokenHashes,
                now: Millis,
            ) -> Result<Rotation> {
                let mut tx = self.begin_write().await?;
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
                    let row = sqlx::query(
                        "SELECT s.user_id, s.device_id FROM sessions s \
                         JOIN devices d ON d.id = s.device_id \
                         WHERE s.id = $1 AND s.revoked_at IS NULL AND d.revoked_at IS NULL",
                    )
                    .bind(&session_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
                    let Some(row) = row else {
                        tx.commit().await.map_err(db)?;
                        return Ok(Rotation::Invalid);
                    };
                    let principal = Principal {
                        user_id: row.try_get("user_id").map_err(db)?,
                        device_id: row.try_get("device_id").map_err(db)?,
                        session_id: session_id.clone(),
                    };
                    insert_tokens(&mut tx, &session_id, next, now).await?;
                    tx.commit().await.map_err(db)?;
                    return Ok(Rotation::Rotated(principal));
                }
                let used: Option<(String, Option<i64>)> = sqlx::query_as(
                    "SELECT session_id, used_at FROM refresh_tokens WHERE token_hash = $1",
                )
                .bind(refresh_hash)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
                match used {
                    Some((session_id, Some(_))) => {
                        revoke(&mut tx, &session_id, "a refresh token was used twice", now).await?;
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
                let mut tx = self.begin_write().await?;
                revoke(&mut tx, session_id, reason, now).await?;
                tx.commit().await.map_err(db)
            }

            async fn change_password(
                &self,
                user_id: &str,
                password_hash: &str,
                keep: &str,
                now: Millis,
            ) -> Result<u64> {
                let mut tx = self.begin_write().await?;
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
                    revoke(&mut tx, session, "password_changed", now).await?;
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
                let mut tx = self.begin_write().await?;
                // One change number per write, taken in one statement (the first, a write:
                // see `next_seq!`); a refused write leaves a gap, which cursors do not mind.
                let count = i64::try_from(writes.len()).unwrap_or(i64::MAX);
                let last: i64 = sqlx::query_scalar(
                    "UPDATE users SET change_seq = change_seq + $2 WHERE id = $1 \
                     RETURNING change_seq",
                )
                .bind(user_id)
                .bind(count)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                let mut out = Vec::with_capacity(writes.len());
                for (i, (write, conflict_id)) in writes.iter().enumerate() {
                    let seq = last - count + 1 + i64::try_from(i).unwrap_or(0);
                    let version = write.base_version + 1;
                    let deleted_at: Option<i64> = write.ciphertext.is_none().then_some(now);
                    // The common case in one statement: a new record inserted, or the stated
                    // version replaced. No row back means the base was stale.
                    let stored: Option<i64> = if write.base_version == 0 {
                        sqlx::query_scalar(
                            "INSERT INTO records (user_id, collection, record_id, version, seq, \
                             key_id, checksum, ciphertext, device_id, created_at, updated_at, \
                             deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) \
                             ON CONFLICT (user_id, collection, record_id) DO NOTHING \
                             RETURNING version",
                        )
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
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?
                    } else {
                        sqlx::query_scalar(
                            "UPDATE records SET version = $1, seq = $2, key_id = $3, \
                             checksum = $4, ciphertext = $5, device_id = $6, updated_at = $7, \
                             deleted_at = $8 WHERE user_id = $9 AND collection = $10 \
                             AND record_id = $11 AND version = $12 RETURNING version",
                        )
                        .bind(version)
                        .bind(seq)
                        .bind(&write.key_id)
                        .bind(&write.checksum)
                        .bind(&write.ciphertext)
                        .bind(&write.device_id)
                        .bind(now)
                        .bind(deleted_at)
                        .bind(user_id)
                        .bind(&write.collection)
                        .bind(&write.record_id)
                        .bind(write.base_version)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?
                    };
                    if let Some(version) = stored {
                        out.push(WriteOutcome::Stored { version, seq });
                        continue;
                    }
                    let current_version =
                        current_version!(tx, user_id, &write.collection, &write.record_id)?
                            .unwrap_or(0);
                    sqlx::query(
                        "INSERT INTO conflicts (id, user_id, collection, record_id, \
                         base_version, server_version, device_id, key_id, checksum, \
                         ciphertext, created_at) \
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
                // The events go in with the writes they announce: a committed write always
                // has its event, and an event id is never ahead of what `changes` shows.
                let events = batch_events(writes, &out, last - count + 1);
                for (seq, event) in &events {
                    insert_event!(tx, user_id, seq, event.kind(), event.data_json(), now)?;
                }
                if !events.is_empty() {
                    notify_in_tx!($ty, tx, user_id);
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
                let row = sqlx::query(&format!(
                    "SELECT {RECORD_COLUMNS} FROM records WHERE user_id = $1 AND collection = $2 \
                     AND record_id = $3"
                ))
                .bind(user_id)
                .bind(collection)
                .bind(record_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
                row.map(|r| record_row!(r)).transpose()
            }

            async fn changes(&self, user_id: &str, since: i64, limit: i64) -> Result<Vec<RecordRow>> {
                let rows = sqlx::query(&format!(
                    "SELECT {RECORD_COLUMNS} FROM records WHERE user_id = $1 AND seq > $2 \
                     ORDER BY seq LIMIT $3"
                ))
                .bind(user_id)
                .bind(since)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.iter().map(|r| record_row!(r)).collect()
            }

            async fn delete_all_data(&self, user_id: &str) -> Result<()> {
                let mut tx = self.begin_write().await?;
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
                let seq = next_seq!(tx, user_id)?;
                let event = LiveEvent::SyncRequired {
                    reason: "data_deleted".to_owned(),
                };
                insert_event!(tx, user_id, seq, event.kind(), event.data_json(), crate::state::now_ms())?;
                notify_in_tx!($ty, tx, user_id);
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
                let rows = sqlx::query(&format!(
                    "SELECT {RECORD_COLUMNS} FROM records WHERE user_id = $1 ORDER BY seq"
                ))
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.iter().map(|r| record_row!(r)).collect()
            }

            async fn list_conflicts(
                &self,
                user_id: &str,
                include_resolved: bool,
            ) -> Result<Vec<ConflictRow>> {
                let filter = if include_resolved { "" } else { " AND resolved_at IS NULL" };
                let rows = sqlx::query(&format!(
                    "SELECT {CONFLICT_COLUMNS} FROM conflicts WHERE user_id = $1{filter} \
                     ORDER BY created_at, id"
                ))
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.iter().map(|r| conflict_row!(r)).collect()
            }

            async fn get_conflict(&self, user_id: &str, id: &str) -> Result<Option<ConflictRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {CONFLICT_COLUMNS} FROM conflicts WHERE user_id = $1 AND id = $2"
                ))
                .bind(user_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
                row.map(|r| conflict_row!(r)).transpose()
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
                let mut tx = self.begin_write().await?;
                let seq = next_seq!(tx, user_id)?;
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
                let current = current_version!(tx, user_id, &collection, &record_id)?;
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
                        store_version!(tx, user_id, write, current, seq, now)
                    }
                    None => current.unwrap_or(0),
                };
                if let Some(write) = write {
                    let event = LiveEvent::RecordChanged {
                        collection: collection.clone(),
                        cursor: seq,
                        device_id: write.device_id.clone(),
                    };
                    insert_event!(tx, user_id, seq, event.kind(), event.data_json(), now)?;
                    notify_in_tx!($ty, tx, user_id);
                }
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

            // Events

            async fn append_event(
                &self,
                user_id: &str,
                kind: &str,
                data: &str,
                now: Millis,
            ) -> Result<Option<i64>> {
                let mut tx = self.begin_write().await?;
                let seq: Option<i64> = sqlx::query_scalar(
                    "UPDATE users SET change_seq = change_seq + 1 WHERE id = $1 \
                     RETURNING change_seq",
                )
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
                let Some(seq) = seq else {
                    return Ok(None);
                };
                insert_event!(tx, user_id, seq, kind, data, now)?;
                notify_in_tx!($ty, tx, user_id);
                tx.commit().await.map_err(db)?;
                Ok(Some(seq))
            }

            async fn events_after(
                &self,
                user_id: &str,
                after: i64,
                limit: i64,
            ) -> Result<Vec<EventRow>> {
                let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
                    "SELECT seq, kind, data, created_at FROM events \
                     WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                )
                .bind(user_id)
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                Ok(rows
                    .into_iter()
                    .map(|(seq, kind, data, created_at)| EventRow {
                        seq,
                        kind,
                        data,
                        created_at,
                    })
                    .collect())
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
                let mut tx = self.begin_write().await?;
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
                Ok(done.rows_affected())
            }

            async fn notify_wake(&self, user_id: &str) -> Result<()> {
                if let Some(sql) = <$ty as Backend>::NOTIFY {
                    sqlx::query(sql)
                        .bind(user_id)
                        .execute(&self.pool)
                        .await
                        .map_err(db)?;
                }
                Ok(())
            }

            async fn listen_events(&self, wake: impl Fn(Wake) + Send + Sync + 'static) {
                self.listen(wake).await;
}

            // Enrollment and devices

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
                let row = sqlx::query(
                    "SELECT e.id, e.user_id, u.email, d.name AS created_by_name, e.created_at, \
                     e.expires_at, e.used_at, \
                     CASE WHEN EXISTS (SELECT 1 FROM sessions s JOIN devices sd \
                     ON sd.id = s.device_id WHERE s.id = e.created_session \
                     AND s.revoked_at IS NULL AND sd.revoked_at IS NULL) \
                     THEN 1 ELSE 0 END AS maker_signed_in \
                     FROM enrollments e \
                     JOIN users u ON u.id = e.user_id JOIN devices d ON d.id = e.created_by \
                     WHERE e.token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
                row.map(|r| {
                    Ok(EnrollmentView {
                        id: r.try_get("id").map_err(db)?,
                        user_id: r.try_get("user_id").map_err(db)?,
                        email: r.try_get("email").map_err(db)?,
                        created_by_name: r.try_get("created_by_name").map_err(db)?,
                        created_at: r.try_get("created_at").map_err(db)?,
                        expires_at: r.try_get("expires_at").map_err(db)?,
                        used_at: r.try_get("used_at").map_err(db)?,
                        maker_signed_in: r.try_get::<i32, _>("maker_signed_in").map_err(db)? == 1,
                    })
                })
                .transpose()
            }

            async fn complete_enrollment(
                &self,
                token_hash: &str,
                device: &DeviceRow,
                session_id: &str,
                tokens: &TokenHashes,
                now: Millis,
            ) -> Result<EnrollOutcome> {
                let mut tx = self.begin_write().await?;
                // The spend is one conditional UPDATE: the row lock (PostgreSQL) or the write
                // lock (SQLite) makes a second, concurrent completion find it used.
                // The maker must still be signed in: a code made by a session that has ended
                // (an intruder's, after a password change) lets no one in.
                let claimed = sqlx::query(
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
                let Some(claimed) = claimed else {
                    let found: Option<(Option<i64>, i64, i32)> = sqlx::query_as(
                        "SELECT e.used_at, e.expires_at, \
                         CASE WHEN EXISTS (SELECT 1 FROM sessions s JOIN devices d \
                         ON d.id = s.device_id WHERE s.id = e.created_session \
                         AND s.revoked_at IS NULL AND d.revoked_at IS NULL) \
                         THEN 1 ELSE 0 END FROM enrollments e WHERE e.token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
                    tx.commit().await.map_err(db)?;
                    return Ok(match found {
                        None => EnrollOutcome::Unknown,
                        Some((Some(_), _, _)) => EnrollOutcome::Used,
                        Some((None, _, 0)) => EnrollOutcome::Revoked,
                        Some((None, _, _)) => EnrollOutcome::Expired,
                    });
                };
                let enrollment_id: String = claimed.try_get("id").map_err(db)?;
                let user_id: String = claimed.try_get("user_id").map_err(db)?;
                let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
                    .bind(&user_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db)?;
                let device = DeviceRow {
                    user_id: user_id.clone(),
                    ..device.clone()
                };
                insert_device(&mut *tx, &device).await?;
                sqlx::query("UPDATE enrollments SET used_by = $1 WHERE id = $2")
                    .bind(&device.id)
                    .bind(&enrollment_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, device_id, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(session_id)
                .bind(&user_id)
                .bind(&device.id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                insert_tokens(&mut tx, session_id, tokens, now).await?;
                tx.commit().await.map_err(db)?;
                Ok(EnrollOutcome::Enrolled {
                    user_id,
                    email,
                    key_id: claimed.try_get("key_id").map_err(db)?,
                    wrapped_key: claimed.try_get("wrapped_key").map_err(db)?,
                })
            }

            async fn device(&self, user_id: &str, device_id: &str) -> Result<Option<DeviceRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = $1 AND id = $2 \
                     AND revoked_at IS NULL"
                ))
                .bind(user_id)
                .bind(device_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
                row.map(|r| device_row!(r)).transpose()
            }

            async fn rename_device(&self, user_id: &str, device_id: &str, name: &str) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE devices SET name = $1 WHERE user_id = $2 AND id = $3 \
                     AND revoked_at IS NULL",
                )
                .bind(name)
                .bind(user_id)
                .bind(device_id)
                .execute(&self.pool)
                .await
                .map_err(db)?;
                Ok(done.rows_affected() == 1)
            }

            async fn revoke_device(&self, user_id: &str, device_id: &str, now: Millis) -> Result<bool> {
                let mut tx = self.begin_write().await?;
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
                if done.rows_affected() != 1 {
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
                    revoke(&mut tx, session, "the device was removed", now).await?;
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

        async fn insert_tokens(
            tx: &mut sqlx::Transaction<'_, <$ty as Backend>::Db>,
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
            .execute(&mut **tx)
            .await
            .map_err(db)?;
            sqlx::query(
                "INSERT INTO access_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)",
            )
            .bind(&tokens.access)
            .bind(session_id)
            .bind(tokens.access_expires)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
            Ok(())
        }

        async fn revoke(
            tx: &mut sqlx::Transaction<'_, <$ty as Backend>::Db>,
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
            .execute(&mut **tx)
            .await
            .map_err(db)?;
            sqlx::query("DELETE FROM access_tokens WHERE session_id = $1")
                .bind(session_id)
                .execute(&mut **tx)
                .await
                .map_err(db)?;
            // Its unused enrollment codes end with it: whoever held this sign-in must not
            // keep a way back in.
            sqlx::query(
                "UPDATE enrollments SET expires_at = $1 WHERE created_session = $2 \
                 AND used_at IS NULL AND expires_at > $1",
            )
            .bind(now)
            .bind(session_id)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
            Ok(())
        }

        async fn insert_device(
            conn: &mut <<$ty as Backend>::Db as sqlx::Database>::Connection,
            device: &DeviceRow,
        ) -> Result<()> {
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
    };
}

pub(crate) use {
    conflict_row, current_version, device_row, impl_storage, insert_event, next_seq, notify_in_tx,
    record_row, store_version, user_row,
};

/// The one thing the backends do differently: how a write transaction starts.
pub(crate) trait Backend {
    type Db: sqlx::Database;
    /// The statement that wakes other instances' streams, with the user id as `$1`.
    const NOTIFY: Option<&'static str>;
}
