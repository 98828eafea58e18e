-- Device enrollment by QR code (issue #9), and what the device list shows of each device.
-- The PostgreSQL set (../postgres) has the same shape.

-- What a device says of itself when it joins (all optional: older sign-ins sent none).
ALTER TABLE devices ADD COLUMN platform TEXT;
ALTER TABLE devices ADD COLUMN os_version TEXT;
ALTER TABLE devices ADD COLUMN model TEXT;
ALTER TABLE devices ADD COLUMN app_version TEXT;

-- A pending or spent enrollment. The token is stored as its SHA-256 only; `wrapped_key` is the
-- master key wrapped on the creating device under a secret that travels in the QR code and
-- never reaches the server (JSON, opaque here): this row alone opens nothing.
CREATE TABLE enrollments (
    id            TEXT PRIMARY KEY NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by    TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    key_id        TEXT NOT NULL,
    wrapped_key   TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    -- Set once, in the transaction that creates the new device: single use.
    used_at       INTEGER,
    used_by       TEXT REFERENCES devices (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX enrollments_by_user ON enrollments (user_id);
CREATE INDEX enrollments_by_creator ON enrollments (created_by);
