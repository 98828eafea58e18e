-- The sync engine's tables: bases and their children, what Syncer put in each child, undo
-- records, sync events, and the public catalog metadata cache. Ids, settings and counts only:
-- never tokens, never a copy of the user's library (the children's known contents are ids).

-- A base playlist Syncer routes from. `id` is the playlist's id on the service.
CREATE TABLE bases (
    id               TEXT PRIMARY KEY NOT NULL,
    connection_id    TEXT NOT NULL,
    name             TEXT NOT NULL,
    -- The routing settings (mode, order, catch-all) as JSON.
    routing          TEXT NOT NULL DEFAULT '{"mode":"independent"}',
    -- The schedule as JSON (manual, every N minutes, daily at, on change).
    schedule         TEXT NOT NULL DEFAULT '{"kind":"manual"}',
    last_snapshot_id TEXT,
    -- A fingerprint of the children's setup at the last completed sync.
    last_fingerprint TEXT,
    last_synced_at   TEXT,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX bases_by_connection ON bases (connection_id);

-- A child playlist, its filter (as typed and as the versioned JSON form) and its modes.
CREATE TABLE children (
    id           TEXT PRIMARY KEY NOT NULL,
    base_id      TEXT NOT NULL REFERENCES bases (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    query        TEXT NOT NULL,
    filter_json  TEXT NOT NULL,
    position     INTEGER NOT NULL,
    mirror       TEXT NOT NULL DEFAULT 'keep_user_tracks',
    allow_empty  INTEGER NOT NULL DEFAULT 0,
    -- What Syncer last left in the child: its version then, and the track ids (JSON array).
    known_snapshot_id TEXT,
    known_tracks      TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX children_by_base ON children (base_id, position);

-- The tracks Syncer added to a child: only these are removed when the filter drops them
-- (what the user added by hand stays, unless the child is a strict mirror).
CREATE TABLE managed_tracks (
    child_id TEXT NOT NULL REFERENCES children (id) ON DELETE CASCADE,
    track_id TEXT NOT NULL,
    PRIMARY KEY (child_id, track_id)
) STRICT, WITHOUT ROWID;

-- One row per sync. `stats` is the engine's report as JSON; `in_progress` rows are the
-- durable marker of a running sync.
CREATE TABLE sync_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    base_id     TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    stats       TEXT NOT NULL DEFAULT '{}',
    error       TEXT,
    undone_at   INTEGER,
    -- Set by `syncer cancel` (or the app) from another process; the running sync polls it.
    cancel_requested INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sync_events_by_base ON sync_events (base_id, id);
CREATE INDEX sync_events_by_status ON sync_events (status);

-- A child's contents (ids) and managed set before a sync wrote to it: what undo restores.
CREATE TABLE undo_records (
    event_id         INTEGER NOT NULL REFERENCES sync_events (id) ON DELETE CASCADE,
    child_id         TEXT NOT NULL,
    previous_ids     TEXT NOT NULL,
    previous_managed TEXT NOT NULL,
    PRIMARY KEY (event_id, child_id)
) STRICT;

-- Public catalog metadata (tracks, artists, albums) as JSON, with when it was fetched; the
-- engine applies the TTLs.
CREATE TABLE metadata_cache (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    data       TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT, WITHOUT ROWID;
