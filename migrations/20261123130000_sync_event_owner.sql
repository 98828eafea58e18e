-- Which process runs an in-progress sync, so that a starting process closes only the events
-- of processes that are gone (a sync running in the app is not "interrupted" by a `syncer`
-- command started next to it).
ALTER TABLE sync_events ADD COLUMN owner_pid INTEGER;
