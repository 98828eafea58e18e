-- Syncer's local store: coordination metadata only (ids, checksums, timestamps, settings).
-- Never tokens, passwords or keys (those live in the OS keyring), never the user's library.

-- Key/value settings the app and CLI share (theme, background sync, client id, ...).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- One row per connected account on a provider. Secrets are in the keyring under `id`.
CREATE TABLE connections (
    id            TEXT PRIMARY KEY NOT NULL,
    provider      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'ok',
    capabilities  TEXT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
