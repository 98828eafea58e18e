//! Serves the stand-in until Ctrl-C: `spotify-fake --addr 127.0.0.1:8899 --seed 7 --mode extended`.
//! Prints its base URLs (and, on request, a ready token per user) as `key=value` lines so
//! scripts such as `syncer demo` can read them.

use std::io::Write as _;
use std::net::SocketAddr;

use clap::Parser;
use spotify_fake::{FakeConfig, FakeSpotify, LibrarySpec, Mode};

#[derive(Debug, Parser)]
#[command(
    name = "spotify-fake",
    about = "A faithful stand-in for Spotify's Web API and Accounts service"
)]
struct Args {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Seed of the generated library.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// `development` (the default, as a desktop user's own Client ID) or `extended`.
    #[arg(long, default_value = "development")]
    mode: Mode,
    /// Number of generated users.
    #[arg(long, default_value_t = 3)]
    users: usize,
    /// Sizes of each user's playlists, comma-separated (e.g. 10,250,10000).
    #[arg(long, value_delimiter = ',', default_values_t = [10usize, 57, 250])]
    playlist_sizes: Vec<usize>,
    /// Register a PKCE client with this id (repeat --redirect-uri for its redirect URIs).
    #[arg(long)]
    client_id: Option<String>,
    #[arg(long)]
    redirect_uri: Vec<String>,
    /// Print a ready access token for every generated user.
    #[arg(long)]
    print_tokens: bool,
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
    let config = FakeConfig {
        mode: args.mode,
        seed: args.seed,
        library: LibrarySpec {
            users: args.users,
            playlist_sizes: args.playlist_sizes,
            ..LibrarySpec::default()
        },
        bind: args.addr,
        ..FakeConfig::default()
    };
    let fake = FakeSpotify::start(config).await?;
    if let Some(client_id) = &args.client_id {
        let uris: Vec<&str> = args.redirect_uri.iter().map(String::as_str).collect();
        fake.register_client(client_id, &uris);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "api_base={}", fake.api_base())?;
    writeln!(out, "accounts_base={}", fake.accounts_base())?;
    writeln!(out, "mode={}", fake.mode())?;
    if args.print_tokens {
        for user in fake.library().users() {
            writeln!(out, "token.{}={}", user.id, fake.mint_token(&user.id))?;
        }
    }
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c().await?;
    fake.shutdown().await;
    Ok(())
}
