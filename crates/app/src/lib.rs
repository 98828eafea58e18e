//! The application layer shared by the `syncer` CLI and the desktop app.
//!
//! Both front ends do the same things (connect the demo, add a base, add a child that is a new
//! playlist or an adopted one, run a sync that can be cancelled from elsewhere), so those live
//! here once, with typed errors; each front end only decides how to show them.

pub mod data;
pub mod demo;
pub mod error;
pub mod metadata;
pub mod services;
pub mod setup;
pub mod sync;
pub mod tokens;

pub use demo::{DEMO_CHILDREN, DemoMode, DemoSpec};
pub use error::{AppError, AppResult};
pub use services::{
    Client, DEMO_PROVIDER, SPOTIFY_PROVIDER, Services, SyncEngine, known_empty, loopback_config,
    spotify_config,
};
pub use tokens::AppTokens;
