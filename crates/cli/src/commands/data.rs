//! Export, delete-all-data and shell completions.

use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;

use clap::CommandFactory as _;
use serde_json::json;

use super::output;
use crate::app::App;
use crate::cli::Cli;
use crate::exit::{CliError, FAILURE, OK};

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<u8> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "syncer", &mut std::io::stdout());
    Ok(OK)
}

/// Everything in the local store, without secrets (there are none in it).
pub async fn export(app: &App, path: Option<PathBuf>) -> anyhow::Result<u8> {
    let all = app.export().await?;
    let text = serde_json::to_string_pretty(&all)?;
    match path {
        Some(p) => {
            std::fs::write(&p, text).map_err(|e| {
                CliError::new(FAILURE, format!("cannot write {}: {e}", p.display()))
            })?;
            if !app.json {
                println!("exported to {}", p.display());
            }
        }
        None => println!("{text}"),
    }
    Ok(OK)
}

pub async fn delete_all(app: &App, yes: bool) -> anyhow::Result<u8> {
    if !yes {
        eprint!(
            "This deletes every connection and its sign-in, base, child, sync history, cache, \
             log and the cloud account's keys Syncer keeps on this machine ({}). Playlists on \
             your services stay. Type 'delete' to confirm: ",
            app.paths().data_dir().display()
        );
        std::io::stderr().flush().ok();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).ok();
        if line.trim() != "delete" {
            return Err(CliError::new(FAILURE, "not confirmed; nothing was deleted").into());
        }
    }
    let deleted = app.delete_all_data().await?;
    output(
        app,
        &json!({"deleted": true, "connections": deleted.connections,
                "secrets_left": deleted.secrets_left}),
        || {
            let mut text = format!(
                "all local data deleted: {}, their sign-ins, the history and caches\n",
                crate::render::count(deleted.connections, "connection", "connections")
            );
            for left in &deleted.secrets_left {
                text.push_str(&format!("could not remove a secret: {left}\n"));
            }
            text
        },
    );
    Ok(OK)
}
