-- When the user last authorised each sign-in (Unix seconds), so Syncer can tell when it lapses:
-- Spotify's refresh tokens expire six months after the authorisation since July 2026, whatever
-- refreshing does. Set on connect and on every reconnect; NULL for API keys and for sign-ins
-- made before this was recorded. A time, never a secret.
ALTER TABLE connections ADD COLUMN sign_in_granted_at INTEGER;
