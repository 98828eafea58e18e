-- Live events (GET /v1/events): a per-user journal. An event's `seq` is taken from the same
-- `users.change_seq` counter the records use, in the same transaction as the write it
-- announces, so the event id is a durable cursor: a device reconnecting with Last-Event-ID
-- resumes exactly where it stopped. Old events are pruned by age; `users.events_floor` keeps
-- the highest id pruned, so a device asking to resume from before it is told to sync instead.
CREATE TABLE events (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    -- The event's fields as JSON: ids, collection names and cursors, never record contents.
    data       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, seq)
) STRICT;
CREATE INDEX events_by_age ON events (created_at);

ALTER TABLE users ADD COLUMN events_floor INTEGER NOT NULL DEFAULT 0;
