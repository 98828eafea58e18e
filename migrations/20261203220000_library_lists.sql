-- What a library list that rules read (Liked Songs for `liked`, a playlist named by `in:`) held
-- at one version of it: track ids only, so a list that did not change is not read again. Ids
-- and versions, never titles: the content stays on the service.
CREATE TABLE library_lists (
    connection_id TEXT NOT NULL,
    list_id       TEXT NOT NULL,
    snapshot_id   TEXT NOT NULL,
    -- A JSON array of track ids.
    tracks        TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (connection_id, list_id)
) STRICT, WITHOUT ROWID;
