//! `syncer-bench`: Syncer's benchmarks against its stand-ins, kept out of the `syncer` CLI
//! (as Atuin keeps its search bench apart). They build their scenarios straight on the store
//! and the engine, which no front end may do. Figures and how to read them: docs/cli.md and
//! docs/metadata.md.

mod metadata;
mod sync;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

const OK: u8 = 0;
const SYNC_FAILED: u8 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "syncer-bench",
    version,
    about = "Syncer's benchmarks against the stand-ins"
)]
struct Cli {
    /// Where the benchmark's store lives (one-sync runs share the bench's).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Requests, time and memory of syncs against the stand-in (docs/cli.md).
    Sync(BenchArgs),
    /// One sync of a bench's base in a process of its own, so its memory is the engine's.
    #[command(hide = true)]
    SyncOnce(BenchSyncArgs),
    /// What filling genres from MusicBrainz costs (docs/metadata.md).
    Metadata(metadata::BenchMetadataArgs),
}

/// What a bench's base is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BaseArg {
    Playlist,
    Liked,
}

/// Which kind of Spotify app the stand-in plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AppMode {
    Extended,
    Development,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[arg(long, default_value_t = 5_000)]
    pub tracks: usize,
    /// Latency the stand-in adds to every request.
    #[arg(long, default_value_t = 50)]
    pub latency_ms: u64,
    #[arg(long, value_enum)]
    pub mode: Option<AppMode>,
    /// Run the syncs in the bench's own process, beside the stand-in, instead of one
    /// process per sync (then the peak memory includes the stand-in's).
    #[arg(long)]
    pub in_process: bool,
    /// What the base is: a playlist of `--tracks` tracks, or Liked Songs of that many.
    #[arg(long, value_enum, default_value_t = BaseArg::Playlist)]
    pub base: BaseArg,
    /// Put this many of the base's tracks in an exclusion playlist ("Not for the gym") that
    /// the first child keeps out with `-in:`.
    #[arg(long, default_value_t = 0, value_name = "TRACKS")]
    pub exclusion: usize,
    /// The program that runs each sync (default: this one), e.g. another build to compare;
    /// it is called as `PROGRAM --data-dir DIR --json sync-once BASE --api-base URL`.
    #[arg(long, value_name = "PROGRAM", conflicts_with = "in_process")]
    pub sync_exe: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchSyncArgs {
    pub base: String,
    /// The stand-in's Web API base URL (the token and capabilities come in
    /// SYNCER_BENCH_TOKEN and SYNCER_BENCH_CAPS).
    #[arg(long)]
    pub api_base: String,
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

/// What every benchmark needs: where its store is, and how to print.
pub struct Bench {
    pub data_dir: PathBuf,
    pub json: bool,
}

/// Prints `value` as JSON with --json, otherwise the human text.
pub fn output<T: Serialize>(bench: &Bench, value: &T, human: impl FnOnce() -> String) {
    if bench.json {
        match serde_json::to_string_pretty(value) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("could not write JSON: {e}"),
        }
    } else {
        print!("{}", human());
    }
}

/// A plain text table, numbers right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let w = widths.get(i).copied().unwrap_or(0);
                format!("{cell:<w$}")
            })
            .collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    let data_dir = cli.data_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("syncer-bench-{}", std::process::id()))
    });
    let bench = Bench {
        data_dir,
        json: cli.json,
    };
    let result = match &cli.command {
        Command::Sync(args) => sync::run(&bench, args).await,
        Command::SyncOnce(args) => sync::sync_once(&bench, args).await,
        Command::Metadata(args) => metadata::run(&bench, args).await,
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("syncer-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
