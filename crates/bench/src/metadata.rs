//! `syncer-bench metadata` (hidden): what filling genres from MusicBrainz costs for the
//! engine benchmark's scenario (a base of `--tracks` entries, the five genre-and-year children
//! of `syncer bench`), in Development Mode, against both stand-ins.
//!
//! - **cold fill**: the enricher runs to the end against a MusicBrainz stand-in without a rate
//!   limit, which counts the requests a cold library needs (N). At MusicBrainz's one request a
//!   second the fill then takes N seconds: the client spaces requests a second apart and sends
//!   one at a time, so an answer's latency (under a second) hides inside the spacing. A shorter
//!   run at the real pace (`--measured-secs`, against a stand-in enforcing 1 request a second)
//!   measures the rate actually kept, and the projection is N divided by it.
//! - **warm**: after the fill, a sync with the base unchanged, a forced sync and a preview; then
//!   the enricher: the metadata requests they need (target 0).
//! - **1% changed**: some tracks leave the base and as many new ones arrive; the requests the
//!   new artists need.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use musicbrainz_fake::{Coverage, FakeMbConfig, FakeMusicBrainz, RateRule};
use serde::Serialize;
use spotify_fake::{FakeConfig, FakeSpotify, LibrarySpec, Mode};
use syncer_core::engine::{Engine, SyncOptions, SyncReport};
use syncer_core::filter::query;
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId, PlaylistId, TrackId};
use syncer_core::metadata::{
    EnrichProgress, EnrichSummary, Enricher, EnricherConfig, MetadataCoverage,
};
use syncer_core::provider::{MusicProvider, NewPlaylist};
use syncer_musicbrainz::{MbClient, MbConfig, MusicBrainz};
use syncer_spotify::{SpotifyClient, StaticToken};
use syncer_store::{NewBase, NewChild, Store};
use tokio_util::sync::CancellationToken;

use crate::{Bench, OK, output};
use syncer_app::{known_empty, loopback_config};

/// The arguments of `syncer-bench metadata`.
#[derive(Debug, clap::Args)]
pub struct BenchMetadataArgs {
    #[arg(long, default_value_t = 5_000)]
    pub tracks: usize,
    /// Seconds of enrichment at MusicBrainz's real pace, to measure the rate kept (0: skip).
    #[arg(long, default_value_t = 30)]
    pub measured_secs: u64,
}

#[derive(Debug, Serialize)]
struct Figures {
    tracks: usize,
    artists: u32,
    /// Requests a cold fill needs, and what they were.
    cold_requests: u64,
    cold_isrc_lookups: u64,
    cold_searches: u64,
    cold_artist_lookups: u64,
    requests_per_artist: f64,
    /// The fill against the unlimited stand-in (loopback, no pacing): overhead only.
    cold_unpaced_ms: u64,
    /// The rate kept in the measured run at the real pace.
    measured_requests: u64,
    measured_secs: f64,
    measured_rate: Option<f64>,
    measured_refused: u64,
    /// N seconds at one request a second, and N over the measured rate.
    cold_fill_secs_at_1rps: u64,
    cold_fill_secs_projected: Option<f64>,
    coverage_after: Option<MetadataCoverage>,
    /// Metadata requests of a warm sync (unchanged base), a forced sync and a preview, and of
    /// the enricher after them.
    warm_metadata_requests: u64,
    changed_new_artists: usize,
    changed_metadata_requests: u64,
}

struct Scenario {
    spotify: FakeSpotify,
    client: syncer_app::Client,
    store: Store,
    base: BasePlaylistId,
    dir: std::path::PathBuf,
}

fn library(tracks: usize) -> LibrarySpec {
    // The engine benchmark's library (`syncer bench`).
    LibrarySpec {
        users: 1,
        playlist_sizes: vec![tracks],
        followed_per_user: 0,
        catalog_tracks: tracks * 2,
        ..LibrarySpec::default()
    }
}

async fn scenario(tracks: usize, name: &str) -> anyhow::Result<Scenario> {
    let spotify = FakeSpotify::start(FakeConfig {
        mode: Mode::DevelopmentMode,
        seed: 5,
        library: library(tracks),
        ..FakeConfig::default()
    })
    .await?;
    let user = spotify.library().users()[0].id.clone();
    let mut config = loopback_config(spotify.api_base());
    config.max_concurrency = 16;
    let client = SpotifyClient::new(
        ConnectionId::new("bench"),
        syncer_app::AppTokens::Fixed(StaticToken::new(spotify.mint_token(&user))),
        config,
    )?;
    client.detect_capabilities().await?;
    let dir = std::env::temp_dir().join(format!(
        "syncer-bench-metadata-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir)?;
    let store = Store::open_file(&dir.join("syncer.db"), &Default::default()).await?;
    let base = spotify
        .library()
        .owned_by(&user)
        .into_iter()
        .max_by_key(|p| p.item_count)
        .ok_or_else(|| anyhow::anyhow!("no base playlist"))?;
    let base = BasePlaylistId::new(base.id.as_str());
    store
        .add_base(&NewBase {
            id: base.clone(),
            connection: ConnectionId::new("bench"),
            name: "bench".into(),
        })
        .await?;
    for (child, q) in crate::sync::CHILDREN {
        let created = client
            .create_playlist(&NewPlaylist {
                name: child.into(),
                description: None,
                public: false,
                collaborative: false,
            })
            .await?;
        store
            .add_child(&NewChild {
                id: ChildPlaylistId::new(created.id.as_str()),
                base: base.clone(),
                name: child.into(),
                query: q.into(),
                filter: query::parse(q).map_err(|e| anyhow::anyhow!("{e}"))?,
                mirror: Default::default(),
                allow_empty: false,
            })
            .await?;
        known_empty(&store, &created).await?;
    }
    Ok(Scenario {
        spotify,
        client,
        store,
        base,
        dir,
    })
}

async fn musicbrainz(tracks: usize, rate: Option<RateRule>) -> anyhow::Result<FakeMusicBrainz> {
    Ok(FakeMusicBrainz::start(FakeMbConfig {
        seed: 5,
        library: library(tracks),
        coverage: Coverage::default(),
        rate,
        ..FakeMbConfig::default()
    })
    .await?)
}

fn enricher(
    mb: &FakeMusicBrainz,
    store: &Store,
    interval: Duration,
) -> anyhow::Result<Enricher<MusicBrainz, Store>> {
    let client = MbClient::new(MbConfig {
        interval,
        ..MbConfig::with_base_url(mb.base_url())
    })?;
    Ok(
        Enricher::new(MusicBrainz::new(client), store.clone()).with_config(EnricherConfig {
            stop_when_idle: true,
            ..EnricherConfig::default()
        }),
    )
}

async fn fill(e: &Enricher<MusicBrainz, Store>) -> anyhow::Result<EnrichSummary> {
    Ok(e.run(&CancellationToken::new(), None).await?)
}

async fn sync(
    engine: &Engine<syncer_app::Client, Store>,
    base: &BasePlaylistId,
    force: bool,
) -> anyhow::Result<SyncReport> {
    Ok(engine
        .sync(
            base,
            &SyncOptions {
                force,
                ..SyncOptions::default()
            },
        )
        .await?)
}

pub async fn run(app: &Bench, args: &BenchMetadataArgs) -> anyhow::Result<u8> {
    // Cold: count the requests a cold fill needs, without waiting between them.
    let s = scenario(args.tracks, "count").await?;
    let engine = Engine::new(s.client.clone(), s.store.clone());
    let cold = sync(&engine, &s.base, false).await?;
    let artists = cold.metadata.first().map_or(0, |c| c.total);
    let mb = musicbrainz(args.tracks, None).await?;
    let started = Instant::now();
    let filled = fill(&enricher(&mb, &s.store, Duration::from_millis(0))?).await?;
    let cold_unpaced_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let stats = mb.stats();
    let cold_requests = stats.total();
    eprintln!(
        "cold fill: {cold_requests} requests for {artists} artists ({} settled)",
        filled.progress.settled
    );

    // Warm: the base unchanged, nothing new to ask.
    let after = sync(&engine, &s.base, false).await?;
    let before_warm = mb.stats().total();
    sync(&engine, &s.base, false).await?;
    sync(&engine, &s.base, true).await?;
    engine.preview(&s.base).await?;
    let warm_enrich = fill(&enricher(&mb, &s.store, Duration::from_millis(0))?).await?;
    let warm_metadata_requests = mb.stats().total() - before_warm;
    debug_assert_eq!(warm_enrich.progress.requests, warm_metadata_requests);

    // 1% of the base changes, as in `syncer bench`.
    let lib = s.spotify.library();
    let items = lib.playlist_items(s.base.as_str()).unwrap_or_default();
    let in_base: HashSet<String> = items.iter().filter_map(|i| i.id.clone()).collect();
    let mut known_artists = HashSet::new();
    for id in &in_base {
        if let Some(t) = lib.track(id) {
            known_artists.extend(t.artist_ids);
        }
    }
    // 1% of the base: half leaves, as many new tracks arrive (as `syncer bench` does).
    let change = (args.tracks / 200).max(1);
    let plain = |id: &String| lib.track(id).is_some_and(|t| t.linked_from.is_none());
    let leaving: Vec<TrackId> = items
        .iter()
        .filter_map(|i| i.id.clone())
        .filter(|id| plain(id))
        .take(change)
        .map(TrackId::new)
        .collect();
    let arriving: Vec<TrackId> = lib
        .track_ids()
        .into_iter()
        .filter(|id| !in_base.contains(id) && plain(id))
        .take(change)
        .map(TrackId::new)
        .collect();
    let new_artists: HashSet<String> = arriving
        .iter()
        .filter_map(|id| lib.track(id.as_str()))
        .flat_map(|t| t.artist_ids)
        .filter(|a| !known_artists.contains(a))
        .collect();
    let base_pl = PlaylistId::new(s.base.as_str());
    let snap = s.client.snapshot_id(&base_pl).await?;
    let snap = s.client.remove_items(&base_pl, &leaving, &snap).await?;
    s.client.add_items(&base_pl, &arriving, None, &snap).await?;
    let before_change = mb.stats().total();
    sync(&engine, &s.base, false).await?;
    fill(&enricher(&mb, &s.store, Duration::from_millis(0))?).await?;
    let changed_metadata_requests = mb.stats().total() - before_change;
    mb.shutdown().await;
    s.spotify.shutdown().await;
    s.store.close().await;
    let _ = std::fs::remove_dir_all(&s.dir);

    // Measured: the real pace, on a fresh store, for a while.
    let (mut measured_requests, mut measured_secs, mut measured_refused) = (0, 0.0, 0);
    if args.measured_secs > 0 {
        let m = scenario(args.tracks, "measured").await?;
        let engine = Engine::new(m.client.clone(), m.store.clone());
        engine.preview(&m.base).await?;
        let mb = musicbrainz(args.tracks, Some(RateRule::default())).await?;
        let e = enricher(&mb, &m.store, Duration::from_secs(1))?;
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        let limit = args.measured_secs;
        let sink = Arc::new(move |p: &EnrichProgress| {
            if p.requests >= limit {
                stop.cancel();
            }
        });
        e.run(&cancel, Some(sink)).await?;
        let stats = mb.stats();
        measured_requests = stats.total();
        measured_refused = stats.rate_limited();
        if let (Some(first), Some(last)) = (stats.log.first(), stats.log.last()) {
            measured_secs = (last.at - first.at).as_secs_f64();
        }
        mb.shutdown().await;
        m.spotify.shutdown().await;
        m.store.close().await;
        let _ = std::fs::remove_dir_all(&m.dir);
    }
    // Requests after the first, over the time between the first and the last.
    let measured_rate = (measured_requests > 1 && measured_secs > 0.0)
        .then(|| (measured_requests - 1) as f64 / measured_secs);

    let requests_per_artist = if artists > 0 {
        cold_requests as f64 / f64::from(artists)
    } else {
        0.0
    };
    let figures = Figures {
        tracks: args.tracks,
        artists,
        cold_requests,
        cold_isrc_lookups: stats.endpoint("GET /ws/2/isrc/{isrc}"),
        cold_searches: stats.endpoint("GET /ws/2/recording"),
        cold_artist_lookups: stats.endpoint("GET /ws/2/artist/{mbid}"),
        requests_per_artist,
        cold_unpaced_ms,
        measured_requests,
        measured_secs,
        measured_rate,
        measured_refused,
        cold_fill_secs_at_1rps: cold_requests,
        cold_fill_secs_projected: measured_rate.map(|r| cold_requests as f64 / r),
        coverage_after: after.metadata.first().cloned(),
        warm_metadata_requests,
        changed_new_artists: new_artists.len(),
        changed_metadata_requests,
    };
    output(app, &figures, || {
        let f = &figures;
        let mut out = format!(
            "{} tracks in Development Mode, 5 children on genre and year; MusicBrainz stand-in \
             seeded alike (5% of artists unknown, 10% of ISRCs missing)\n\n",
            f.tracks
        );
        out.push_str(&format!(
            "cold fill: {} requests for {} artists ({:.2} a artist: {} ISRC lookups, {} searches, \
             {} artist lookups)\n",
            f.cold_requests,
            f.artists,
            f.requests_per_artist,
            f.cold_isrc_lookups,
            f.cold_searches,
            f.cold_artist_lookups
        ));
        out.push_str(&format!(
            "  at 1 request/s: {} s ({:.1} min){}\n",
            f.cold_fill_secs_at_1rps,
            f.cold_fill_secs_at_1rps as f64 / 60.0,
            match (f.measured_rate, f.cold_fill_secs_projected) {
                (Some(rate), Some(secs)) => format!(
                    "; measured rate {rate:.3} requests/s over {} requests ({} refused by the \
                     stand-in), projecting {:.1} min",
                    f.measured_requests,
                    f.measured_refused,
                    secs / 60.0
                ),
                _ => String::new(),
            }
        ));
        out.push_str(&format!(
            "  unpaced against the stand-in on loopback: {} ms (overhead only)\n",
            f.cold_unpaced_ms
        ));
        if let Some(c) = &f.coverage_after {
            out.push_str(&format!(
                "  then: genre known for {} of {} artists\n",
                c.known, c.total
            ));
        }
        out.push_str(&format!(
            "warm (base unchanged; a sync, a forced sync, a preview, then the enricher): {} \
             metadata requests\n",
            f.warm_metadata_requests
        ));
        out.push_str(&format!(
            "1% changed ({} new artists): {} metadata requests\n",
            f.changed_new_artists, f.changed_metadata_requests
        ));
        out
    });
    Ok(OK)
}
