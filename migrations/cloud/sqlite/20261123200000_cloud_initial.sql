-- Syncer cloud (SQLite, the embedded default). The server is blind: records and conflicts hold
-- ciphertext only; accounts hold an Argon2id hash and the user's key bundle (the master key
-- wrapped on the device, never the key). Tokens are stored as SHA-256 hashes.
-- Times are unix milliseconds. The PostgreSQL set (../postgres) has the same shape.

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    -- The fingerprint of the account's master key: uploads under any other are refused.
    key_id        TEXT,
    -- The master key wrapped by the passphrase and the recovery code (JSON, opaque here).
    key_bundle    TEXT,
    -- Per-user change counter: every record write takes the next value, under this row's
    -- lock, so cursors never skip a write that commits late.
    change_seq    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- A signed-in device. `cursor` is the last change it has confirmed reading (durable, so live
-- events only wake devices up); `enrolled_by` says how it joined ('password' now; a QR-code
-- enrollment can add its own kind without a new table).
CREATE TABLE devices (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    enrolled_by  TEXT NOT NULL DEFAULT 'password',
    cursor       INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX devices_by_user ON devices (user_id);

-- A token family: one sign-in of one device. Revoking it ends every token it issued.
CREATE TABLE sessions (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_id     TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    revoke_reason TEXT
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- Set when rotated: presenting it again is reuse, and revokes the family.
    used_at    INTEGER
) STRICT;
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX access_tokens_by_session ON access_tokens (session_id);

-- The current version of each record. A deleted record stays as a tombstone (no ciphertext)
-- so other devices learn of the deletion through the change feed.
CREATE TABLE records (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    collection TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    version    INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    key_id     TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    ciphertext BLOB,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER,
    PRIMARY KEY (user_id, collection, record_id)
) STRICT;
CREATE INDEX records_by_seq ON records (user_id, seq);

-- A write refused because it replaced a version that was no longer current: kept (still
-- encrypted) with how and when it was resolved.
CREATE TABLE conflicts (
    id             TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    collection     TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    base_version   INTEGER NOT NULL,
    server_version INTEGER NOT NULL,
    device_id      TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    checksum       TEXT NOT NULL,
    ciphertext     BLOB,
    created_at     INTEGER NOT NULL,
    resolved_at    INTEGER,
    resolution     TEXT,
    resolved_by    TEXT,
    result_version INTEGER
) STRICT;
CREATE INDEX conflicts_by_user ON conflicts (user_id, created_at);
