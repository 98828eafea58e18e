//! Open metadata over SQLite: answers of open sources (positive and negative), the enrichment
//! queue, the user's own genres ("my genres"), and the generation that tells a sync something
//! new is known.

use std::collections::HashMap;

use sqlx::Row as _;
use sqlx::sqlite::SqliteRow;
use syncer_core::engine::StorageError;
use syncer_core::engine::codec::{decode, encode};
use syncer_core::filter::Timestamp;
use syncer_core::filter::normalize::fold;
use syncer_core::ids::{AlbumId, ArtistId, ConnectionId};
use syncer_core::metadata::{
    AlbumFactRow, ArtistFactRow, ArtistFacts, Confidence, FactCounts, FactState, MetadataStore,
    QueueStats, QueuedArtist, ReleaseFacts, SourceKind, TrackQuery,
};

use crate::error::StoreError;
use crate::open::Store;

/// The user's genres for one artist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGenres {
    pub artist: ArtistId,
    /// The catalog name, when known at tagging time.
    pub name: Option<String>,
    pub genres: Vec<String>,
    /// Unix seconds.
    pub updated_at: i64,
}

fn err(e: impl std::fmt::Display) -> StorageError {
    StorageError::new(e.to_string())
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Marks for `n` bound parameters.
fn marks(n: usize) -> String {
    vec!["?"; n].join(",")
}

/// SQLite binds at most 32,766 parameters; chunks keep each query well inside.
const CHUNK: usize = 500;

fn source_name(s: SourceKind) -> &'static str {
    s.as_str()
}

/// Appends each of `genres` not already in `list` (trimmed, compared folded, blanks skipped).
fn add_each_once(list: &mut Vec<String>, genres: &[String]) {
    for g in genres {
        let g = g.trim();
        if !g.is_empty() && !list.iter().any(|have| fold(have) == fold(g)) {
            list.push(g.to_owned());
        }
    }
}

impl Store {
    fn storage_err(&self, e: &sqlx::Error) -> StorageError {
        err(self.db_err(e))
    }

    /// Bumped when what is known about genres grows or changes; see the migration.
    pub async fn metadata_generation(&self) -> Result<u64, StoreError> {
        let g: i64 =
            sqlx::query_scalar("SELECT generation FROM open_metadata_generation WHERE id = 1")
                .fetch_optional(self.pool())
                .await
                .map_err(|e| self.db_err(&e))?
                .unwrap_or(0);
        Ok(u64::try_from(g).unwrap_or(0))
    }

    async fn bump_generation<'c, E>(&self, executor: E) -> Result<(), sqlx::Error>
    where
        E: sqlx::Executor<'c, Database = sqlx::Sqlite>,
    {
        sqlx::query("UPDATE open_metadata_generation SET generation = generation + 1 WHERE id = 1")
            .execute(executor)
            .await?;
        Ok(())
    }

    /// Every artist the user tagged, by name then id.
    pub async fn list_user_genres(&self) -> Result<Vec<UserGenres>, StoreError> {
        let rows = sqlx::query(
            "SELECT artist_id, artist_name, genres, updated_at FROM user_genres \
             ORDER BY lower(coalesce(artist_name, artist_id)), artist_id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        rows.iter()
            .map(|r| self.user_genres_row(r))
            .collect::<Result<Vec<_>, _>>()
    }

    fn user_genres_row(&self, row: &SqliteRow) -> Result<UserGenres, StoreError> {
        let get = |e: sqlx::Error| self.db_err(&e);
        let genres: String = row.try_get("genres").map_err(get)?;
        Ok(UserGenres {
            artist: ArtistId::new(row.try_get::<String, _>("artist_id").map_err(get)?),
            name: row.try_get("artist_name").map_err(get)?,
            genres: decode(&genres).unwrap_or_default(),
            updated_at: row.try_get("updated_at").map_err(get)?,
        })
    }

    pub async fn user_genres_of(
        &self,
        artist: &ArtistId,
    ) -> Result<Option<UserGenres>, StoreError> {
        let row = sqlx::query(
            "SELECT artist_id, artist_name, genres, updated_at FROM user_genres WHERE artist_id = ?",
        )
        .bind(artist.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        row.map(|r| self.user_genres_row(&r)).transpose()
    }

    /// Adds genres to an artist (each once, compared folded); returns what it has now.
    pub async fn tag_artist(
        &self,
        artist: &ArtistId,
        name: Option<&str>,
        genres: &[String],
    ) -> Result<UserGenres, StoreError> {
        let mut all = self
            .user_genres_of(artist)
            .await?
            .map(|g| g.genres)
            .unwrap_or_default();
        add_each_once(&mut all, genres);
        let now = now_secs();
        self.write_user_genres(artist, name, &all, now).await?;
        self.user_genres_of(artist).await.map(|g| {
            g.unwrap_or(UserGenres {
                artist: artist.clone(),
                name: name.map(str::to_owned),
                genres: all,
                updated_at: now,
            })
        })
    }

    /// Removes genres from an artist (all of them when `genres` is empty); returns what is
    /// left, `None` when nothing is. `Ok(None)` also when the artist had none.
    pub async fn untag_artist(
        &self,
        artist: &ArtistId,
        genres: &[String],
    ) -> Result<Option<UserGenres>, StoreError> {
        let Some(current) = self.user_genres_of(artist).await? else {
            return Ok(None);
        };
        let left: Vec<String> = if genres.is_empty() {
            Vec::new()
        } else {
            current
                .genres
                .iter()
                .filter(|have| !genres.iter().any(|g| fold(g.trim()) == fold(have)))
                .cloned()
                .collect()
        };
        self.write_user_genres(artist, None, &left, now_secs())
            .await?;
        if left.is_empty() {
            return Ok(None);
        }
        self.user_genres_of(artist).await
    }

    /// Stores an artist's whole list (none removes the artist; a `None` name keeps the one
    /// stored) and bumps the generation, so filters reading genres route again, in one
    /// transaction.
    async fn write_user_genres(
        &self,
        artist: &ArtistId,
        name: Option<&str>,
        genres: &[String],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await.map_err(|e| self.db_err(&e))?;
        if genres.is_empty() {
            sqlx::query("DELETE FROM user_genres WHERE artist_id = ?")
                .bind(artist.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| self.db_err(&e))?;
        } else {
            sqlx::query(
                "INSERT INTO user_genres (artist_id, artist_name, genres, updated_at) \
                 VALUES (?, ?, ?, ?) ON CONFLICT(artist_id) DO UPDATE SET \
                 artist_name = coalesce(excluded.artist_name, user_genres.artist_name), \
                 genres = excluded.genres, updated_at = excluded.updated_at",
            )
            .bind(artist.as_str())
            .bind(name)
            .bind(encode(&genres))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.db_err(&e))?;
        }
        self.bump_generation(&mut *tx)
            .await
            .map_err(|e| self.db_err(&e))?;
        tx.commit().await.map_err(|e| self.db_err(&e))
    }

    /// Makes an artist's genres exactly `genres` (each once, compared folded; none removes the
    /// artist): how another device's tags arrive through the cloud. Unchanged is a no-op, so
    /// applying the same record twice does not re-route anything.
    pub async fn set_user_genres(
        &self,
        artist: &ArtistId,
        name: Option<&str>,
        genres: &[String],
    ) -> Result<(), StoreError> {
        let mut wanted: Vec<String> = Vec::new();
        add_each_once(&mut wanted, genres);
        let current = self.user_genres_of(artist).await?;
        if current.as_ref().map(|c| &c.genres) == Some(&wanted)
            || (current.is_none() && wanted.is_empty())
        {
            return Ok(());
        }
        self.write_user_genres(artist, name, &wanted, now_secs())
            .await
    }

    /// The connections with artists queued for a source, oldest queue first.
    pub async fn queued_connections(
        &self,
        source: SourceKind,
    ) -> Result<Vec<ConnectionId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT connection_id FROM enrichment_queue WHERE source = ? \
             GROUP BY connection_id ORDER BY min(added_at), connection_id",
        )
        .bind(source_name(source))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        Ok(ids.into_iter().map(ConnectionId::new).collect())
    }

    /// Forgets every answer of a source and empties its queue (the user's genres stay).
    pub async fn forget_open_facts(&self, source: SourceKind) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await.map_err(|e| self.db_err(&e))?;
        for table in [
            "open_artist_facts",
            "open_album_facts",
            "enrichment_queue",
            "enrichment_lease",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE source = ?"))
                .bind(source_name(source))
                .execute(&mut *tx)
                .await
                .map_err(|e| self.db_err(&e))?;
        }
        self.bump_generation(&mut *tx)
            .await
            .map_err(|e| self.db_err(&e))?;
        tx.commit().await.map_err(|e| self.db_err(&e))
    }

    fn artist_row(&self, row: &SqliteRow) -> Result<ArtistFactRow, StorageError> {
        let get = |e: sqlx::Error| self.storage_err(&e);
        let source: String = row.try_get("source").map_err(get)?;
        let state: String = row.try_get("state").map_err(get)?;
        let genres: Option<String> = row.try_get("genres").map_err(get)?;
        let tags: Option<String> = row.try_get("tags").map_err(get)?;
        let confidence: i64 = row.try_get("confidence").map_err(get)?;
        let facts = genres.map(|g| ArtistFacts {
            genres: decode(&g).unwrap_or_default(),
            tags: tags.and_then(|t| decode(&t).ok()).unwrap_or_default(),
        });
        Ok(ArtistFactRow {
            artist: ArtistId::new(row.try_get::<String, _>("artist_id").map_err(get)?),
            source: SourceKind::parse(&source)
                .ok_or_else(|| err(format!("unknown metadata source {source:?}")))?,
            state: FactState::parse(&state)
                .ok_or_else(|| err(format!("unknown metadata state {state:?}")))?,
            reference: row.try_get("reference").map_err(get)?,
            facts,
            confidence: Confidence::new(u8::try_from(confidence.clamp(0, 100)).unwrap_or(0)),
            note: row.try_get("note").map_err(get)?,
            fetched_at: Timestamp::from_unix_seconds(row.try_get("fetched_at").map_err(get)?),
        })
    }

    fn queued_row(&self, row: &SqliteRow) -> Result<QueuedArtist, StorageError> {
        let get = |e: sqlx::Error| self.storage_err(&e);
        let source: String = row.try_get("source").map_err(get)?;
        let candidates: String = row.try_get("candidates").map_err(get)?;
        let int = |name: &str| -> Result<i64, StorageError> { row.try_get(name).map_err(get) };
        Ok(QueuedArtist {
            artist: ArtistId::new(row.try_get::<String, _>("artist_id").map_err(get)?),
            source: SourceKind::parse(&source)
                .ok_or_else(|| err(format!("unknown metadata source {source:?}")))?,
            connection: ConnectionId::new(row.try_get::<String, _>("connection_id").map_err(get)?),
            // A queue entry of an older shape is simply looked up with no candidates (and
            // settles as not found, to be asked again when it expires).
            candidates: decode::<Vec<TrackQuery>>(&candidates).unwrap_or_default(),
            tried: u32::try_from(int("tried")?).unwrap_or(u32::MAX),
            attempts: u32::try_from(int("attempts")?).unwrap_or(u32::MAX),
            ambiguous: int("ambiguous")? != 0,
            not_before: Timestamp::from_unix_seconds(int("not_before")?),
            added_at: Timestamp::from_unix_seconds(int("added_at")?),
        })
    }
}

impl MetadataStore for Store {
    async fn artist_facts(
        &self,
        source: SourceKind,
        ids: &[ArtistId],
    ) -> Result<Vec<ArtistFactRow>, StorageError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT source, artist_id, state, reference, genres, tags, confidence, note, \
                 fetched_at FROM open_artist_facts WHERE source = ? AND artist_id IN ({})",
                marks(chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(source_name(source));
            for id in chunk {
                q = q.bind(id.as_str());
            }
            let rows = q
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.storage_err(&e))?;
            for row in &rows {
                out.push(self.artist_row(row)?);
            }
        }
        Ok(out)
    }

    async fn save_artist_facts(&self, rows: &[ArtistFactRow]) -> Result<(), StorageError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(|e| self.storage_err(&e))?;
        for r in rows {
            sqlx::query(
                "INSERT INTO open_artist_facts (source, artist_id, state, reference, genres, \
                 tags, confidence, note, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT(source, artist_id) DO UPDATE SET state = excluded.state, \
                 reference = excluded.reference, genres = excluded.genres, \
                 tags = excluded.tags, confidence = excluded.confidence, note = excluded.note, \
                 fetched_at = excluded.fetched_at",
            )
            .bind(source_name(r.source))
            .bind(r.artist.as_str())
            .bind(r.state.as_str())
            .bind(r.reference.as_deref())
            .bind(r.facts.as_ref().map(|f| encode(&f.genres)))
            .bind(r.facts.as_ref().map(|f| encode(&f.tags)))
            .bind(i64::from(r.confidence.percent()))
            .bind(r.note.as_deref())
            .bind(r.fetched_at.unix_seconds())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.storage_err(&e))?;
        }
        if rows.iter().any(|r| r.state == FactState::Found) {
            self.bump_generation(&mut *tx)
                .await
                .map_err(|e| self.storage_err(&e))?;
        }
        tx.commit().await.map_err(|e| self.storage_err(&e))
    }

    async fn album_facts(
        &self,
        source: SourceKind,
        ids: &[AlbumId],
    ) -> Result<Vec<AlbumFactRow>, StorageError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT album_id, state, reference, facts, confidence, fetched_at \
                 FROM open_album_facts WHERE source = ? AND album_id IN ({})",
                marks(chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(source_name(source));
            for id in chunk {
                q = q.bind(id.as_str());
            }
            let rows = q
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.storage_err(&e))?;
            for row in &rows {
                let get = |e: sqlx::Error| self.storage_err(&e);
                let state: String = row.try_get("state").map_err(get)?;
                let facts: Option<String> = row.try_get("facts").map_err(get)?;
                let confidence: i64 = row.try_get("confidence").map_err(get)?;
                out.push(AlbumFactRow {
                    album: AlbumId::new(row.try_get::<String, _>("album_id").map_err(get)?),
                    source,
                    state: FactState::parse(&state)
                        .ok_or_else(|| err(format!("unknown metadata state {state:?}")))?,
                    reference: row.try_get("reference").map_err(get)?,
                    facts: facts.and_then(|f| decode::<ReleaseFacts>(&f).ok()),
                    confidence: Confidence::new(
                        u8::try_from(confidence.clamp(0, 100)).unwrap_or(0),
                    ),
                    fetched_at: Timestamp::from_unix_seconds(
                        row.try_get("fetched_at").map_err(get)?,
                    ),
                });
            }
        }
        Ok(out)
    }

    async fn save_album_facts(&self, rows: &[AlbumFactRow]) -> Result<(), StorageError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(|e| self.storage_err(&e))?;
        for r in rows {
            sqlx::query(
                "INSERT INTO open_album_facts (source, album_id, state, reference, facts, \
                 confidence, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT(source, album_id) DO UPDATE SET state = excluded.state, \
                 reference = excluded.reference, facts = excluded.facts, \
                 confidence = excluded.confidence, fetched_at = excluded.fetched_at",
            )
            .bind(source_name(r.source))
            .bind(r.album.as_str())
            .bind(r.state.as_str())
            .bind(r.reference.as_deref())
            .bind(r.facts.as_ref().map(encode))
            .bind(i64::from(r.confidence.percent()))
            .bind(r.fetched_at.unix_seconds())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.storage_err(&e))?;
        }
        if rows.iter().any(|r| r.state == FactState::Found) {
            self.bump_generation(&mut *tx)
                .await
                .map_err(|e| self.storage_err(&e))?;
        }
        tx.commit().await.map_err(|e| self.storage_err(&e))
    }

    async fn enqueue(&self, items: &[QueuedArtist]) -> Result<(), StorageError> {
        if items.is_empty() {
            return Ok(());
        }
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(|e| self.storage_err(&e))?;
        for item in items {
            // An artist already queued keeps its place and progress; its candidates are
            // refreshed only while none has been tried.
            sqlx::query(
                "INSERT INTO enrichment_queue (source, artist_id, connection_id, candidates, \
                 tried, attempts, ambiguous, not_before, added_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT(source, artist_id) DO UPDATE SET \
                 connection_id = excluded.connection_id, candidates = excluded.candidates \
                 WHERE enrichment_queue.tried = 0",
            )
            .bind(source_name(item.source))
            .bind(item.artist.as_str())
            .bind(item.connection.as_str())
            .bind(encode(&item.candidates))
            .bind(i64::from(item.tried))
            .bind(i64::from(item.attempts))
            .bind(i64::from(item.ambiguous))
            .bind(item.not_before.unix_seconds())
            .bind(item.added_at.unix_seconds())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.storage_err(&e))?;
        }
        tx.commit().await.map_err(|e| self.storage_err(&e))
    }

    async fn next_queued(
        &self,
        source: SourceKind,
        connection: Option<&ConnectionId>,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<QueuedArtist>, StorageError> {
        let rows = sqlx::query(
            "SELECT source, artist_id, connection_id, candidates, tried, attempts, ambiguous, \
             not_before, added_at FROM enrichment_queue \
             WHERE source = ? AND not_before <= ? AND (? IS NULL OR connection_id = ?) \
             ORDER BY added_at, artist_id LIMIT ?",
        )
        .bind(source_name(source))
        .bind(now.unix_seconds())
        .bind(connection.map(ConnectionId::as_str))
        .bind(connection.map(ConnectionId::as_str))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.storage_err(&e))?;
        rows.iter().map(|r| self.queued_row(r)).collect()
    }

    async fn update_queued(&self, item: &QueuedArtist) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE enrichment_queue SET tried = ?, attempts = ?, ambiguous = ?, not_before = ? \
             WHERE source = ? AND artist_id = ?",
        )
        .bind(i64::from(item.tried))
        .bind(i64::from(item.attempts))
        .bind(i64::from(item.ambiguous))
        .bind(item.not_before.unix_seconds())
        .bind(source_name(item.source))
        .bind(item.artist.as_str())
        .execute(self.pool())
        .await
        .map_err(|e| self.storage_err(&e))?;
        Ok(())
    }

    async fn dequeue(&self, source: SourceKind, artist: &ArtistId) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM enrichment_queue WHERE source = ? AND artist_id = ?")
            .bind(source_name(source))
            .bind(artist.as_str())
            .execute(self.pool())
            .await
            .map_err(|e| self.storage_err(&e))?;
        Ok(())
    }

    async fn queued_among(
        &self,
        source: SourceKind,
        ids: &[ArtistId],
    ) -> Result<Vec<ArtistId>, StorageError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT artist_id FROM enrichment_queue WHERE source = ? AND artist_id IN ({})",
                marks(chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql).bind(source_name(source));
            for id in chunk {
                q = q.bind(id.as_str());
            }
            let found = q
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.storage_err(&e))?;
            out.extend(found.into_iter().map(ArtistId::new));
        }
        Ok(out)
    }

    async fn queue_stats(
        &self,
        source: SourceKind,
        connection: Option<&ConnectionId>,
        now: Timestamp,
    ) -> Result<QueueStats, StorageError> {
        let (queued, due): (i64, i64) = sqlx::query_as(
            "SELECT count(*), coalesce(sum(not_before <= ?), 0) FROM enrichment_queue \
             WHERE source = ? AND (? IS NULL OR connection_id = ?)",
        )
        .bind(now.unix_seconds())
        .bind(source_name(source))
        .bind(connection.map(ConnectionId::as_str))
        .bind(connection.map(ConnectionId::as_str))
        .fetch_one(self.pool())
        .await
        .map_err(|e| self.storage_err(&e))?;
        Ok(QueueStats {
            queued: u64::try_from(queued).unwrap_or(0),
            due: u64::try_from(due).unwrap_or(0),
        })
    }

    async fn fact_counts(&self, source: SourceKind) -> Result<FactCounts, StorageError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT state, count(*) FROM open_artist_facts WHERE source = ? GROUP BY state",
        )
        .bind(source_name(source))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.storage_err(&e))?;
        let mut c = FactCounts::default();
        for (state, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match FactState::parse(&state) {
                Some(FactState::Found) => c.found = n,
                Some(FactState::Linked) => c.linked = n,
                Some(FactState::NotFound) => c.not_found = n,
                Some(FactState::Ambiguous) => c.ambiguous = n,
                None => {}
            }
        }
        Ok(c)
    }

    async fn claim_enricher(
        &self,
        source: SourceKind,
        holder: &str,
        now: Timestamp,
        stale_before: Timestamp,
    ) -> Result<bool, StorageError> {
        // One statement: taken when free, when ours, or when its holder went quiet.
        let done = sqlx::query(
            "INSERT INTO enrichment_lease (source, holder, renewed_at) VALUES (?, ?, ?) \
             ON CONFLICT(source) DO UPDATE SET holder = excluded.holder, \
             renewed_at = excluded.renewed_at \
             WHERE enrichment_lease.holder = excluded.holder \
             OR enrichment_lease.renewed_at < ?",
        )
        .bind(source_name(source))
        .bind(holder)
        .bind(now.unix_seconds())
        .bind(stale_before.unix_seconds())
        .execute(self.pool())
        .await
        .map_err(|e| self.storage_err(&e))?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_enricher(&self, source: SourceKind, holder: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM enrichment_lease WHERE source = ? AND holder = ?")
            .bind(source_name(source))
            .bind(holder)
            .execute(self.pool())
            .await
            .map_err(|e| self.storage_err(&e))?;
        Ok(())
    }

    async fn user_genres(
        &self,
        ids: &[ArtistId],
    ) -> Result<HashMap<ArtistId, Vec<String>>, StorageError> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT artist_id, genres FROM user_genres WHERE artist_id IN ({})",
                marks(chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, String)>(&sql);
            for id in chunk {
                q = q.bind(id.as_str());
            }
            let rows = q
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.storage_err(&e))?;
            for (id, genres) in rows {
                let genres: Vec<String> = decode(&genres).unwrap_or_default();
                if !genres.is_empty() {
                    out.insert(ArtistId::new(id), genres);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncer_core::metadata::FactsTtl;
    use syncer_core::provider::ArtistRef;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("syncer.db"), &Default::default())
            .await
            .unwrap();
        (dir, store)
    }

    fn t(s: i64) -> Timestamp {
        Timestamp::from_unix_seconds(s)
    }

    fn fact(artist: &str, state: FactState, at: i64) -> ArtistFactRow {
        ArtistFactRow {
            artist: artist.into(),
            source: SourceKind::MusicBrainz,
            state,
            reference: (state != FactState::NotFound).then(|| format!("mb-{artist}")),
            facts: (state == FactState::Found).then(|| ArtistFacts {
                genres: vec!["rock".into(), "indie rock".into()],
                tags: vec!["seen live".into()],
            }),
            confidence: Confidence::ISRC,
            note: (state == FactState::NotFound).then(|| "no track recognised".into()),
            fetched_at: t(at),
        }
    }

    fn queued(artist: &str, added: i64) -> QueuedArtist {
        QueuedArtist {
            artist: artist.into(),
            source: SourceKind::MusicBrainz,
            connection: ConnectionId::new("conn"),
            candidates: vec![TrackQuery {
                track: format!("t-{artist}").into(),
                isrc: Some("GBAAA0000001".into()),
                title: "Song".into(),
                artists: vec![ArtistRef {
                    id: Some(artist.into()),
                    name: "Name".into(),
                }],
                album: Some("Album".into()),
                album_id: Some("al".into()),
                duration_ms: Some(200_000),
            }],
            tried: 0,
            attempts: 0,
            ambiguous: false,
            not_before: t(added),
            added_at: t(added),
        }
    }

    #[tokio::test]
    async fn answers_positive_and_negative_round_trip_and_expire() {
        let (_dir, store) = store().await;
        let g0 = store.metadata_generation().await.unwrap();
        store
            .save_artist_facts(&[
                fact("a", FactState::Found, 100),
                fact("b", FactState::NotFound, 100),
                fact("c", FactState::Linked, 100),
            ])
            .await
            .unwrap();
        assert_eq!(store.metadata_generation().await.unwrap(), g0 + 1);
        let ids: Vec<ArtistId> = ["a", "b", "c", "d"].map(ArtistId::from).to_vec();
        let mut rows = store
            .artist_facts(SourceKind::MusicBrainz, &ids)
            .await
            .unwrap();
        rows.sort_by(|x, y| x.artist.cmp(&y.artist));
        assert_eq!(
            rows,
            vec![
                fact("a", FactState::Found, 100),
                fact("b", FactState::NotFound, 100),
                fact("c", FactState::Linked, 100)
            ]
        );
        // The negative answer is kept and served like a positive one, until it expires.
        let ttl = FactsTtl::days(30);
        assert!(rows[1].is_fresh(&ttl, t(100 + 29 * 86_400)));
        assert!(!rows[1].is_fresh(&ttl, t(100 + 31 * 86_400)));
        // Linking only does not bump the generation: nothing new for filters.
        store
            .save_artist_facts(&[fact("e", FactState::Linked, 100)])
            .await
            .unwrap();
        assert_eq!(store.metadata_generation().await.unwrap(), g0 + 1);
        let counts = store.fact_counts(SourceKind::MusicBrainz).await.unwrap();
        assert_eq!((counts.found, counts.not_found, counts.linked), (1, 1, 2));
    }

    #[tokio::test]
    async fn the_queue_keeps_progress_and_order_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syncer.db");
        let store = Store::open_file(&path, &Default::default()).await.unwrap();
        store
            .enqueue(&[queued("b", 20), queued("a", 10), queued("c", 30)])
            .await
            .unwrap();
        let mut head = store
            .next_queued(SourceKind::MusicBrainz, None, t(1_000), 1)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(head.artist.as_str(), "a");
        assert_eq!(head.candidates[0].isrc.as_deref(), Some("GBAAA0000001"));
        head.tried = 1;
        head.attempts = 2;
        head.not_before = t(5_000);
        store.update_queued(&head).await.unwrap();
        // Queueing again keeps the progress (and does not reset the wait).
        store.enqueue(&[queued("a", 2_000)]).await.unwrap();
        store
            .dequeue(SourceKind::MusicBrainz, &"b".into())
            .await
            .unwrap();
        store.close().await;

        let store = Store::open_file(&path, &Default::default()).await.unwrap();
        let due = store
            .next_queued(SourceKind::MusicBrainz, None, t(1_000), 10)
            .await
            .unwrap();
        assert_eq!(due.len(), 1, "a waits, b is done: {due:?}");
        assert_eq!(due[0].artist.as_str(), "c");
        let later = store
            .next_queued(
                SourceKind::MusicBrainz,
                Some(&ConnectionId::new("conn")),
                t(6_000),
                10,
            )
            .await
            .unwrap();
        assert_eq!(later[0].artist.as_str(), "a");
        assert_eq!((later[0].tried, later[0].attempts), (1, 2));
        let other = store
            .next_queued(
                SourceKind::MusicBrainz,
                Some(&ConnectionId::new("other")),
                t(6_000),
                10,
            )
            .await
            .unwrap();
        assert!(other.is_empty());
        assert_eq!(
            store
                .queued_connections(SourceKind::MusicBrainz)
                .await
                .unwrap(),
            vec![ConnectionId::new("conn")]
        );
        let stats = store
            .queue_stats(SourceKind::MusicBrainz, None, t(1_000))
            .await
            .unwrap();
        assert_eq!((stats.queued, stats.due), (2, 1));
        let among = store
            .queued_among(SourceKind::MusicBrainz, &["a".into(), "b".into()])
            .await
            .unwrap();
        assert_eq!(among, vec![ArtistId::new("a")]);
    }

    #[tokio::test]
    async fn user_genres_add_once_remove_and_bump_the_generation() {
        let (_dir, store) = store().await;
        let a = ArtistId::new("a");
        let g0 = store.metadata_generation().await.unwrap();
        let tagged = store
            .tag_artist(&a, Some("Zoë"), &["Shoegaze".into(), "dream pop".into()])
            .await
            .unwrap();
        assert_eq!(tagged.genres, vec!["Shoegaze", "dream pop"]);
        let tagged = store
            .tag_artist(&a, None, &["shoegaze".into(), "noise pop".into()])
            .await
            .unwrap();
        assert_eq!(tagged.genres, vec!["Shoegaze", "dream pop", "noise pop"]);
        assert_eq!(tagged.name.as_deref(), Some("Zoë"));
        assert!(store.metadata_generation().await.unwrap() >= g0 + 2);
        let map = store.user_genres(&[a.clone(), "b".into()]).await.unwrap();
        assert_eq!(map.len(), 1);
        let left = store
            .untag_artist(&a, &["DREAM POP".into()])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(left.genres, vec!["Shoegaze", "noise pop"]);
        assert_eq!(store.list_user_genres().await.unwrap().len(), 1);
        assert_eq!(store.untag_artist(&a, &[]).await.unwrap(), None);
        assert!(store.list_user_genres().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn one_enricher_at_a_time_until_its_holder_goes_quiet() {
        let (_dir, store) = store().await;
        let mb = SourceKind::MusicBrainz;
        assert!(store.claim_enricher(mb, "a", t(100), t(0)).await.unwrap());
        assert!(!store.claim_enricher(mb, "b", t(110), t(50)).await.unwrap());
        // The holder renews; another takes over only once it has gone quiet.
        assert!(store.claim_enricher(mb, "a", t(200), t(150)).await.unwrap());
        assert!(!store.claim_enricher(mb, "b", t(210), t(150)).await.unwrap());
        assert!(store.claim_enricher(mb, "b", t(500), t(300)).await.unwrap());
        store.release_enricher(mb, "a").await.unwrap();
        assert!(!store.claim_enricher(mb, "a", t(510), t(300)).await.unwrap());
        store.release_enricher(mb, "b").await.unwrap();
        assert!(store.claim_enricher(mb, "a", t(520), t(300)).await.unwrap());
    }

    #[tokio::test]
    async fn album_answers_round_trip() {
        let (_dir, store) = store().await;
        let row = AlbumFactRow {
            album: "al".into(),
            source: SourceKind::MusicBrainz,
            state: FactState::Found,
            reference: Some("rg".into()),
            facts: Some(ReleaseFacts {
                genres: vec!["jazz".into()],
                country: Some("GB".into()),
                ..ReleaseFacts::default()
            }),
            confidence: Confidence::ISRC,
            fetched_at: t(5),
        };
        store
            .save_album_facts(std::slice::from_ref(&row))
            .await
            .unwrap();
        let back = store
            .album_facts(SourceKind::MusicBrainz, &["al".into(), "x".into()])
            .await
            .unwrap();
        assert_eq!(back, vec![row]);
        store
            .forget_open_facts(SourceKind::MusicBrainz)
            .await
            .unwrap();
        assert!(
            store
                .album_facts(SourceKind::MusicBrainz, &["al".into()])
                .await
                .unwrap()
                .is_empty()
        );
    }
}
