//! Serves the MusicBrainz stand-in until Ctrl-C, consistent with a `spotify-fake` started with
//! the same `--seed`, `--users` and `--playlist-sizes`:
//! `musicbrainz-fake --addr 127.0.0.1:8898 --seed 7`. Prints `musicbrainz_url=…` so scripts
//! can point `SYNCER_MUSICBRAINZ_URL` at it.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use musicbrainz_fake::{Coverage, FakeMbConfig, FakeMusicBrainz, RateRule};
use spotify_fake::LibrarySpec;

#[derive(Debug, Parser)]
#[command(
    name = "musicbrainz-fake",
    about = "A stand-in for MusicBrainz's ws/2 JSON web service, consistent with spotify-fake"
)]
struct Args {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// spotify-fake's seed: the same seed gives the same artists and ISRCs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// spotify-fake's number of users.
    #[arg(long, default_value_t = 3)]
    users: usize,
    /// spotify-fake's playlist sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [10usize, 57, 250])]
    playlist_sizes: Vec<usize>,
    /// Least milliseconds between requests (MusicBrainz: 1000); 0 turns the limit off.
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// Know every artist and every ISRC (otherwise some are missing, as on MusicBrainz).
    #[arg(long)]
    complete: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = FakeMbConfig {
        seed: args.seed,
        library: LibrarySpec {
            users: args.users,
            playlist_sizes: args.playlist_sizes,
            ..LibrarySpec::default()
        },
        coverage: if args.complete {
            Coverage::complete()
        } else {
            Coverage::default()
        },
        rate: (args.interval_ms > 0).then(|| RateRule {
            interval: Duration::from_millis(args.interval_ms),
            ..RateRule::default()
        }),
        bind: args.addr,
        ..FakeMbConfig::default()
    };
    let mb = FakeMusicBrainz::start(config).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "musicbrainz_url={}", mb.base_url())?;
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c().await?;
    mb.shutdown().await;
    Ok(())
}
