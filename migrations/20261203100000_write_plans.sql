-- Durable write plans (see docs/ARCHITECTURE.md, "The write plan"): before the first write to a
-- child, the list it must end with and what Syncer means to take out are stored here, so an
-- interrupted run is finished from its plan and never recomputed from a half-written child.
-- Ids and positions only: no titles, no names.

-- What an event records: a sync, or an undo of the sync named by `undoes`.
ALTER TABLE sync_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'sync';
ALTER TABLE sync_events ADD COLUMN undoes INTEGER;
-- An interrupted sync whose undo entries a later sync took over: they are undone together.
ALTER TABLE sync_events ADD COLUMN merged_into INTEGER;

-- At most one unfinished plan per child. `plan` is the engine's WritePlan as JSON.
CREATE TABLE write_plans (
    child_id   TEXT PRIMARY KEY NOT NULL REFERENCES children (id) ON DELETE CASCADE,
    base_id    TEXT NOT NULL,
    event_id   INTEGER NOT NULL,
    purpose    TEXT NOT NULL,
    plan       TEXT NOT NULL,
    steps_done INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX write_plans_by_base ON write_plans (base_id, event_id);
