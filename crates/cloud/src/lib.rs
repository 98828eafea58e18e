//! Syncer's cloud service: accounts, devices, and end-to-end-encrypted records, so a user's
//! setup follows them to their other devices. The server is blind: it stores what
//! `syncer-crypto` sealed on a device and never holds a key.
//!
//! [`server::RunningServer::start`] runs it in-process (tests, benchmarks); the
//! `syncer-cloud` binary reads [`config::Config`] and serves until stopped. Storage is a
//! trait ([`storage::Storage`]) with SQLite and PostgreSQL implementations.

pub mod config;
pub mod error;
pub mod extract;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod openapi;
pub mod password;
pub mod routes;
pub mod server;
pub mod state;
pub mod storage;
pub mod testing;
pub mod tokens;

pub use limits::AuthLimits;
pub use password::PasswordCost;
pub use server::RunningServer;
pub use state::Settings;
