//! The application layer: the one door every front end (the desktop window, the `syncer` CLI)
//! goes through. Each use case is one function here (mostly a method of [`Services`]), doing
//! all of the use case; a front end only parses input and renders output, so the two cannot
//! disagree. The store is private to this crate: the compiler keeps it that way.
//!
//! Modules form a tree: `config`, `error`, `providers` and `demo` at the bottom; `metadata` (sources) and
//! `services` (the door itself) over them; the use cases (`connections`, `library`, `sync`,
//! `schedules`, `settings`, `genres`, `data`) over `services`.

pub mod config;
pub mod connections;
pub mod data;
pub mod demo;
pub mod detail;
pub mod error;
pub mod genres;
pub mod library;
pub mod links;
pub mod metadata;
pub mod providers;
pub mod schedules;
pub mod services;
pub mod settings;
pub mod sync;
pub mod tokens;

pub use config::Config;
pub use demo::{DEMO_CHILDREN, DemoMode, DemoSpec};
pub use error::{AppError, AppResult, ErrorKind, Hint, Thing};
pub use services::{
    Client, DEMO_PROVIDER, SPOTIFY_PROVIDER, Services, SyncEngine, known_empty, loopback_config,
    spotify_config,
};
pub use tokens::AppTokens;

/// The records use cases answer with, for front ends to render (the store itself stays
/// here).
pub mod records {
    pub use syncer_store::{
        AppPaths, BaseRecord, ChildRecord, ConnectionRecord, ConnectionStatus, SyncEventRecord,
        UserGenres, order_children,
    };
}
