-- What managing connections needs beyond the first sketch. Still no secret column: tokens and
-- keys live in the OS keyring (or the encrypted file), under the connection's id.

-- How the connection signs in ('oauth2_pkce' or 'api_key'), the provider's id for the account
-- (to reconnect the same account instead of adding a twin), and why the status is what it is
-- (e.g. "the sign-in was revoked"), shown to the user.
ALTER TABLE connections ADD COLUMN auth_kind TEXT NOT NULL DEFAULT 'oauth2_pkce';
ALTER TABLE connections ADD COLUMN account_id TEXT;
ALTER TABLE connections ADD COLUMN status_detail TEXT;
CREATE INDEX connections_by_account ON connections (provider, account_id);

-- The user's own OAuth client per provider (their Spotify app's Client ID), entered once in
-- Settings or given to the CLI. A public identifier, not a secret: PKCE needs no client secret.
CREATE TABLE provider_clients (
    provider   TEXT PRIMARY KEY NOT NULL,
    client_id  TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
