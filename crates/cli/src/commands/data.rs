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
    let all = syncer_app::data::export(&app.store).await?;
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
            "This deletes every connection, base, child, sync history and cache Syncer keeps on \
             this machine ({}). Playlists on your services stay. Type 'delete' to confirm: ",
            app.store.path().display()
        );
        std::io::stderr().flush().ok();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).ok();
        if line.trim() != "delete" {
            return Err(CliError::new(FAILURE, "not confirmed; nothing was deleted").into());
        }
    }
    app.store.delete_all_data().await?;
    output(app, &json!({"deleted": true}), || {
        "all local data deleted (tokens in the keyring are removed with `syncer connections remove`)\n".to_owned()
    });
    Ok(OK)
}
