//! One function per command; `run` dispatches.

pub mod cloud;
mod data;
mod demo;
mod detail;
pub mod enrich;
mod genres;
mod setup;
mod sync;
mod watch;

use serde::Serialize;

use crate::app::App;
use crate::cli::{Cli, Command};

pub use setup::parse_query;
pub use sync::run_sync;

/// Prints `value` as JSON with --json, otherwise the human text.
pub fn output<T: Serialize>(app: &App, value: &T, human: impl FnOnce() -> String) {
    if app.json {
        match serde_json::to_string_pretty(value) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("could not write JSON: {e}"),
        }
    } else {
        print!("{}", human());
    }
}

/// Runs one command; returns the exit code for outcomes that are not errors (a sync that
/// failed is reported, then exits non-zero).
pub async fn run(cli: Cli) -> anyhow::Result<u8> {
    if let Command::Completions { shell } = &cli.command {
        return data::completions(*shell);
    }
    let app = App::open(cli.data_dir.clone(), cli.json).await?;
    let code = match cli.command {
        Command::Demo(args) => demo::run(&app, &args).await?,
        Command::Connect(c) => setup::connect(&app, c).await?,
        Command::Connections(c) => setup::connections(&app, c).await?,
        Command::Playlists { connection } => setup::playlists(&app, connection.as_deref()).await?,
        Command::Base(c) => setup::base(&app, c).await?,
        Command::Child(c) => setup::child(&app, c).await?,
        Command::Schedule { base, schedule } => {
            setup::schedule(&app, &base, schedule.as_deref()).await?
        }
        Command::Link { thing, track } => sync::link(&app, &thing, track).await?,
        Command::Preview { base } => sync::preview(&app, &base).await?,
        Command::Sync { base, all, force } => sync::sync(&app, base.as_deref(), all, force).await?,
        Command::Cancel { base } => sync::cancel(&app, &base).await?,
        Command::Undo {
            base,
            drop_added_by_hand,
        } => sync::undo(&app, &base, drop_added_by_hand).await?,
        Command::History { base, limit } => sync::history(&app, base.as_deref(), limit).await?,
        Command::Watch => watch::watch(&app).await?,
        Command::Enrich { base, wait } => enrich::enrich(&app, base.as_deref(), wait).await?,
        Command::Genres(c) => genres::genres(&app, c).await?,
        Command::Export { output } => data::export(&app, output).await?,
        Command::DeleteAllData { yes } => data::delete_all(&app, yes).await?,
        Command::Cloud(c) => cloud::run(&app, c).await?,
        Command::Completions { .. } => crate::exit::OK,
    };
    app.close().await;
    Ok(code)
}
