-- Metadata beyond the music service: what open sources (MusicBrainz) answered about artists and
-- albums, positive and negative, with when (the reader applies the TTL, 30 days by default);
-- the queue of artists still to look up, so enrichment resumes after a restart without asking
-- twice; and the user's own genres ("my genres"). Public catalog facts and ids only: never
-- tokens, never a copy of the user's library.

-- One artist (the music service's id) as one source knows it. `state`: linked (the source's id
-- is known, its facts not yet fetched), found, not_found, ambiguous (both cached negatives).
CREATE TABLE open_artist_facts (
    source     TEXT NOT NULL,
    artist_id  TEXT NOT NULL,
    state      TEXT NOT NULL,
    -- The source's own id (a MusicBrainz artist MBID).
    reference  TEXT,
    -- JSON arrays, when found.
    genres     TEXT,
    tags       TEXT,
    -- How sure the match is, in percent.
    confidence INTEGER NOT NULL,
    -- Why a negative answer is negative.
    note       TEXT,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (source, artist_id)
) STRICT, WITHOUT ROWID;

-- One album (the music service's id) as one source knows its release: genres, tags, label,
-- country and original date as JSON.
CREATE TABLE open_album_facts (
    source     TEXT NOT NULL,
    album_id   TEXT NOT NULL,
    state      TEXT NOT NULL,
    reference  TEXT,
    facts      TEXT,
    confidence INTEGER NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (source, album_id)
) STRICT, WITHOUT ROWID;

-- Artists waiting to be looked up, oldest first. `candidates` holds, until the artist is
-- settled, the public catalog facts of a few of its tracks to recognise it by (ids, ISRC,
-- title, credited names, duration); `tried` counts those already used; `attempts` counts
-- transient failures in a row and `not_before` is when to try again after one.
CREATE TABLE enrichment_queue (
    source        TEXT NOT NULL,
    artist_id     TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    candidates    TEXT NOT NULL,
    tried         INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    ambiguous     INTEGER NOT NULL DEFAULT 0,
    not_before    INTEGER NOT NULL,
    added_at      INTEGER NOT NULL,
    PRIMARY KEY (source, artist_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX enrichment_queue_due ON enrichment_queue (source, not_before, added_at);

-- The user's own genres for artists ("my genres"): one more source for filters, part of the
-- setup the cloud carries. `artist_name` is the catalog name, kept for listing.
CREATE TABLE user_genres (
    artist_id   TEXT PRIMARY KEY NOT NULL,
    artist_name TEXT,
    -- JSON array.
    genres      TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- Bumped whenever what is known about genres grows or changes (an answer found, the user's
-- genres edited): part of a base's setup fingerprint when its filters read genres, so the next
-- sync routes again with what is new even if the base is unchanged.
CREATE TABLE open_metadata_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
) STRICT;
INSERT INTO open_metadata_generation (id, generation) VALUES (1, 0);

-- Who is asking a source right now: one enricher per database at a time (the app, `syncer
-- watch` and `syncer enrich --wait` may run side by side), so two processes never double
-- MusicBrainz's pace. A holder renews `renewed_at` as it works; a stale one is taken over.
CREATE TABLE enrichment_lease (
    source     TEXT PRIMARY KEY NOT NULL,
    holder     TEXT NOT NULL,
    renewed_at INTEGER NOT NULL
) STRICT;
