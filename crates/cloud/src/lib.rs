//! Syncer's cloud service: accounts, devices, and end-to-end-encrypted records, so a user's
//! setup follows them to their other devices. The server is blind: it stores what
//! `syncer-crypto` sealed on a device and never holds a key.
//!
//! [`server::RunningServer::start`] runs it in-process (tests, benchmarks); the
//! `syncer-cloud` binary reads [`config::Config`] and serves until stopped. Storage is a
//! trait ([`storage::Storage`]) with SQLite and PostgreSQL implementations.
//!
//! Without the default `server` feature the crate is only [`model`], the API's wire types,
//! which `syncer-cloud-client` shares.

#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod events;
#[cfg(feature = "server")]
pub mod extract;
#[cfg(feature = "server")]
pub mod limits;
#[cfg(feature = "server")]
pub mod metrics;
pub mod model;
#[cfg(feature = "server")]
pub mod openapi;
#[cfg(feature = "server")]
pub mod password;
#[cfg(feature = "server")]
pub mod routes;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod state;
#[cfg(feature = "server")]
pub mod storage;
#[cfg(feature = "server")]
pub mod testing;
#[cfg(feature = "server")]
pub mod tokens;

#[cfg(feature = "server")]
pub use limits::AuthLimits;
#[cfg(feature = "server")]
pub use password::PasswordCost;
#[cfg(feature = "server")]
pub use server::RunningServer;
#[cfg(feature = "server")]
pub use state::Settings;
