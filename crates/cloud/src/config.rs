//! `syncer-cloud`'s configuration: flags, each with an environment variable. With none set it
//! runs: SQLite in the platform's data folder, listening on 127.0.0.1:8787.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::limits::AuthLimits;
use crate::password::{HashLimits, PasswordCost};
use crate::state::Settings;

/// The folder under the platform's data directory.
pub const DATA_FOLDER: &str = "dev.syncer.SyncerCloud";

#[derive(Debug, Clone, Parser)]
#[command(
    name = "syncer-cloud",
    version,
    about = "Syncer's cloud: accounts and end-to-end-encrypted sync between a user's devices. \
             It stores ciphertext only."
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "SYNCER_CLOUD_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// `postgres://user:pass@host/db` for PostgreSQL, or `sqlite://path/cloud.db`. Default:
    /// SQLite at <data dir>/cloud.db.
    #[arg(long, env = "SYNCER_CLOUD_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where the default SQLite database lives (default: the platform's data folder).
    #[arg(long, env = "SYNCER_CLOUD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Access token lifetime, seconds.
    #[arg(long, env = "SYNCER_CLOUD_ACCESS_TTL", default_value_t = 900)]
    pub access_ttl_secs: u64,
    /// Refresh token lifetime, days.
    #[arg(long, env = "SYNCER_CLOUD_REFRESH_TTL_DAYS", default_value_t = 30)]
    pub refresh_ttl_days: u64,
    /// Largest request body in bytes (after decompression).
    #[arg(long, env = "SYNCER_CLOUD_MAX_BODY", default_value_t = 8 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest sealed record in bytes.
    #[arg(long, env = "SYNCER_CLOUD_MAX_RECORD", default_value_t = 256 * 1024)]
    pub max_record_bytes: usize,
    /// Sign-in attempts per minute from one address.
    #[arg(long, env = "SYNCER_CLOUD_AUTH_PER_IP", default_value_t = 30)]
    pub auth_per_ip_per_minute: u32,
    /// Sign-in attempts per minute for one account from one address (per account alone,
    /// anyone could lock its owner out).
    #[arg(long, env = "SYNCER_CLOUD_AUTH_PER_ACCOUNT", default_value_t = 10)]
    pub auth_per_account_per_minute: u32,
    /// Take the client address from X-Forwarded-For (only behind a proxy you control).
    #[arg(long, env = "SYNCER_CLOUD_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// With --trust-forwarded-for: how many proxies of yours stand in front of the server,
    /// each appending to X-Forwarded-For. The client is the entry this many from the right;
    /// what is left of it the client wrote itself.
    #[arg(long, env = "SYNCER_CLOUD_TRUSTED_PROXY_HOPS", default_value_t = 1)]
    pub trusted_proxy_hops: usize,
    /// Seconds between keep-alive comments on an idle event stream.
    #[arg(long, env = "SYNCER_CLOUD_EVENTS_KEEPALIVE", default_value_t = 15)]
    pub events_keepalive_secs: u64,
    /// Events a stream replays to catch up; a device further behind gets one sync_required.
    #[arg(long, env = "SYNCER_CLOUD_EVENTS_BACKLOG", default_value_t = 1000)]
    pub events_backlog_max: i64,
    /// Hours events stay in the journal.
    #[arg(
        long,
        env = "SYNCER_CLOUD_EVENTS_RETENTION_HOURS",
        default_value_t = 168
    )]
    pub events_retention_hours: u64,
    /// How long a device-enrollment code (QR) stays usable, seconds.
    #[arg(long, env = "SYNCER_CLOUD_ENROLLMENT_TTL", default_value_t = 600)]
    pub enrollment_ttl_secs: u64,
    /// The address devices should use, as they reach it (e.g. https://sync.example.org);
    /// default: the Host each request came to.
    #[arg(long, env = "SYNCER_CLOUD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How often devices sync when nothing wakes them, seconds.
    #[arg(long, env = "SYNCER_CLOUD_SYNC_INTERVAL", default_value_t = 900)]
    pub sync_interval_secs: u64,
    /// Event streams one device may hold open on one instance; a new one ends the oldest.
    #[arg(long, env = "SYNCER_CLOUD_EVENTS_PER_DEVICE", default_value_t = 4)]
    pub events_per_device: usize,
    /// Open connections at most (0: the open-file limit less 128); beyond, 503.
    #[arg(long, env = "SYNCER_CLOUD_MAX_CONNECTIONS", default_value_t = 0)]
    pub max_connections: usize,
    /// Seconds a client may take to send a request's headers (and a kept-alive connection
    /// may wait for its next request).
    #[arg(long, env = "SYNCER_CLOUD_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds without a byte either way before a connection is closed (at least two event
    /// keep-alives).
    #[arg(long, env = "SYNCER_CLOUD_IDLE_TIMEOUT", default_value_t = 60)]
    pub idle_timeout_secs: u64,
    /// Password hashes (Argon2id, 19 MiB each) computed at once (0: one per core).
    #[arg(long, env = "SYNCER_CLOUD_HASH_CONCURRENCY", default_value_t = 0)]
    pub hash_concurrency: usize,
    /// Requests that may wait for a password-hashing turn; beyond, 503 with Retry-After.
    #[arg(long, env = "SYNCER_CLOUD_HASH_QUEUE", default_value_t = 32)]
    pub hash_queue: usize,
    /// Seconds after a password sign-in during which that session may delete all cloud data
    /// without sending the password again.
    #[arg(long, env = "SYNCER_CLOUD_FRESH_SIGN_IN", default_value_t = 600)]
    pub fresh_sign_in_secs: u64,
}

impl Config {
    pub fn settings(&self) -> Settings {
        Settings {
            access_ttl: Duration::from_secs(self.access_ttl_secs.max(1)),
            refresh_ttl: Duration::from_secs(self.refresh_ttl_days.max(1) * 24 * 3600),
            max_body_bytes: self.max_body_bytes,
            max_record_bytes: self.max_record_bytes,
            auth_limits: AuthLimits {
                per_ip_per_minute: self.auth_per_ip_per_minute,
                per_account_per_minute: self.auth_per_account_per_minute,
            },
            password_cost: PasswordCost::default(),
            trust_forwarded_for: self.trust_forwarded_for,
            trusted_proxy_hops: self.trusted_proxy_hops.max(1),
            event_keepalive: Duration::from_secs(self.events_keepalive_secs.max(1)),
            event_backlog_max: self.events_backlog_max.max(1),
            event_retention: Duration::from_secs(self.events_retention_hours.max(1) * 3600),
            enrollment_ttl: Duration::from_secs(self.enrollment_ttl_secs.max(1)),
            public_url: self
                .public_url
                .as_deref()
                .map(|u| u.trim().trim_end_matches('/').to_owned()),
            sync_interval: Duration::from_secs(self.sync_interval_secs.max(1)),
            events_per_device: self.events_per_device.max(1),
            max_connections: (self.max_connections > 0).then_some(self.max_connections),
            header_read_timeout: Duration::from_secs(self.header_timeout_secs.max(1)),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs.max(1)),
            hash_limits: HashLimits {
                concurrent: if self.hash_concurrency == 0 {
                    HashLimits::default().concurrent
                } else {
                    self.hash_concurrency
                },
                queued: self.hash_queue,
            },
            fresh_sign_in: Duration::from_secs(self.fresh_sign_in_secs),
            ..Settings::default()
        }
    }

    /// The database to use: the URL given, or SQLite in the data folder.
    pub fn database(&self) -> Result<Database, String> {
        match &self.database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Database::Postgres(url.clone()))
            }
            Some(url) if url.starts_with("sqlite:") => Ok(Database::SqliteUrl(url.clone())),
            Some(other) => Err(format!(
                "the database URL must start with postgres:// or sqlite:, not {:?}",
                other.split(':').next().unwrap_or("")
            )),
            None => {
                let dir = match &self.data_dir {
                    Some(dir) => dir.clone(),
                    None => dirs::data_dir()
                        .map(|d| d.join(DATA_FOLDER))
                        .ok_or("no data folder on this platform: set SYNCER_CLOUD_DATA_DIR")?,
                };
                Ok(Database::SqliteFile(dir.join("cloud.db")))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    SqliteFile(PathBuf),
    SqliteUrl(String),
    Postgres(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_configuration_means_sqlite_on_loopback() {
        let config = Config::parse_from(["syncer-cloud", "--data-dir", "/tmp/x"]);
        assert_eq!(config.listen.to_string(), "127.0.0.1:8787");
        assert_eq!(
            config.database().unwrap(),
            Database::SqliteFile(PathBuf::from("/tmp/x/cloud.db"))
        );
        let pg = Config::parse_from(["syncer-cloud", "--database-url", "postgres://u@h/db"]);
        assert!(matches!(pg.database().unwrap(), Database::Postgres(_)));
        let bad = Config::parse_from(["syncer-cloud", "--database-url", "mysql://x"]);
        assert!(bad.database().unwrap_err().contains("postgres://"));
    }
}
