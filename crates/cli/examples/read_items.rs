//! Memory of the read path alone: the client pages through a playlist and nothing else.
//! `SYNCER_SPOTIFY_API_BASE=… SYNCER_SPOTIFY_TOKEN=… cargo run --release -p syncer-cli
//! --example read_items -- PLAYLIST_ID` prints the peak resident memory (Linux).

use syncer_core::ids::{ConnectionId, PlaylistId};
use syncer_core::provider::MusicProvider;
use syncer_spotify::{SpotifyClient, StaticToken};

fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() -> anyhow::Result<()> {
    let base = std::env::var("SYNCER_SPOTIFY_API_BASE")?;
    let token = std::env::var("SYNCER_SPOTIFY_TOKEN")?;
    let playlist = std::env::args().nth(1).unwrap_or_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let client = SpotifyClient::new(
            ConnectionId::new("example"),
            StaticToken::new(token),
            syncer_app::loopback_config(base),
        )?;
        let before = peak_kb();
        let items = client.playlist_items(&PlaylistId::new(playlist)).await?;
        println!(
            "{} entries; peak RSS before {:?} KiB, after {:?} KiB",
            items.entries.len(),
            before,
            peak_kb()
        );
        Ok(())
    })
}
