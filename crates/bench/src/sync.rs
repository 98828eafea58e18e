//! `syncer-bench sync`: requests, time and memory against the stand-in with injected latency,
//! next to the lower bound and the seed's plan on the same scenario. docs/cli.md has the
//! figures and how to read them.
//!
//! Each sync runs in a `syncer-bench sync-once` process of its own, as `syncer sync` would, while
//! the stand-in and its generated library stay in the bench's process: the peak memory
//! reported per sync is then the engine's (client, store, filters) and nothing else.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use spotify_fake::{FakeConfig, FakeSpotify, LibrarySpec, Mode};
use syncer_core::capabilities::Capabilities;
use syncer_core::engine::codec::{decode, encode};
use syncer_core::engine::{Engine, SyncOptions, SyncReport};
use syncer_core::filter::query;
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId, PlaylistId, TrackId};
use syncer_core::provider::{MusicProvider, NewPlaylist};
use syncer_spotify::{SpotifyClient, StaticToken};
use syncer_store::{AppPaths, NewBase, NewChild, Store};

use crate::{AppMode, BaseArg, Bench, BenchArgs, BenchSyncArgs, OK, SYNC_FAILED, table};
use syncer_app::{known_empty, loopback_config};

/// The stand-in's token and the probed capabilities, handed to `syncer-bench sync-once`.
const TOKEN_ENV: &str = "SYNCER_BENCH_TOKEN";
const CAPS_ENV: &str = "SYNCER_BENCH_CAPS";
/// The connection the bench's base belongs to (not a stored connection: the bench builds
/// its clients itself).
const CONNECTION: &str = "bench";

/// The exclusion playlist's name, as the first child's `-in:` rule names it.
const EXCLUSION: &str = "Not for the gym";

/// Five children whose filters read genre and year.
pub(crate) const CHILDREN: [(&str, &str); 5] = [
    ("rock now", "genre:rock year:>=2015"),
    ("pop 2000s", "genre:pop year:2000..2014"),
    ("electronic", "genre:electronic OR genre:house year:>=1990"),
    ("hip hop old", "genre:\"hip hop\" OR genre:rap year:<2010"),
    ("indie", "genre:indie year:>=2005"),
];

#[derive(Debug, Serialize)]
struct Row {
    mode: String,
    scenario: String,
    lower_bound: u64,
    seed_plan: Option<u64>,
    ours: u64,
    writes: u64,
    wall_ms: u64,
    /// Peak resident memory of the process that ran this sync, in KiB: its own `syncer`
    /// process, or the bench's (stand-in included) with `--in-process`.
    peak_rss_kb: Option<u64>,
}

/// What `syncer-bench sync-once` prints.
#[derive(Debug, Serialize, Deserialize)]
struct SyncOnce {
    report: SyncReport,
    /// VmHWM at the end of the process's work: its peak over the whole run.
    peak_rss_kb: Option<u64>,
}

fn batches(n: usize, size: usize) -> u64 {
    n.div_ceil(size) as u64
}

fn writes_needed(r: &SyncReport) -> u64 {
    r.children
        .iter()
        .map(|c| batches(c.added as usize, 100) + batches(c.removed as usize, 100))
        .sum()
}

pub async fn run(app: &Bench, args: &BenchArgs) -> anyhow::Result<u8> {
    let modes = match args.mode {
        Some(m) => vec![m],
        None => vec![AppMode::Extended, AppMode::Development],
    };
    let mut rows = Vec::new();
    for mode in modes {
        rows.extend(scenario(mode, args).await?);
    }
    let own = proc_status_kb("VmHWM:");
    let sync_peak = rows.iter().filter_map(|r| r.peak_rss_kb).max();
    if app.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "rows": rows,
                "in_process": args.in_process,
                "sync_peak_rss_kb": sync_peak,
                "bench_peak_rss_kb": own,
            }))?
        );
    } else {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.mode.clone(),
                    r.scenario.clone(),
                    r.lower_bound.to_string(),
                    r.seed_plan.map_or("-".into(), |n| n.to_string()),
                    r.ours.to_string(),
                    r.writes.to_string(),
                    r.wall_ms.to_string(),
                    r.peak_rss_kb
                        .map_or("-".into(), |kb| format!("{:.1}", kb as f64 / 1024.0)),
                ]
            })
            .collect();
        println!(
            "{} tracks ({}), {} ms latency per request, 5 children on genre and year{}\n",
            args.tracks,
            match args.base {
                BaseArg::Playlist => "a playlist",
                BaseArg::Liked => "Liked Songs",
            },
            args.latency_ms,
            if args.exclusion > 0 {
                format!(
                    ", the first excluding a playlist of {} tracks",
                    args.exclusion
                )
            } else {
                String::new()
            }
        );
        print!(
            "{}",
            table(
                &[
                    "mode",
                    "scenario",
                    "lower bound",
                    "seed plan",
                    "ours",
                    "writes",
                    "wall ms",
                    "peak MB"
                ],
                &cells
            )
        );
        let mb = |kb: Option<u64>| kb.map_or("?".into(), |kb| format!("{:.1}", kb as f64 / 1024.0));
        if args.in_process {
            println!(
                "\npeak RSS {} MB (one process: engine, stand-in and its generated library)",
                mb(own)
            );
        } else {
            println!(
                "\npeak RSS of a sync: {} MB (its own `syncer` process; the stand-in runs \
                 elsewhere)\npeak RSS of the bench process (stand-in, library): {} MB",
                mb(sync_peak),
                mb(own)
            );
        }
    }
    Ok(OK)
}

async fn scenario(mode: AppMode, args: &BenchArgs) -> anyhow::Result<Vec<Row>> {
    let fake_mode = match mode {
        AppMode::Extended => Mode::ExtendedQuota,
        AppMode::Development => Mode::DevelopmentMode,
    };
    let mode_name = format!("{mode:?}").to_lowercase();
    let liked = args.base == BaseArg::Liked;
    let fake = FakeSpotify::start(FakeConfig {
        mode: fake_mode,
        seed: 5,
        library: LibrarySpec {
            users: 1,
            playlist_sizes: if liked { vec![10] } else { vec![args.tracks] },
            followed_per_user: 0,
            catalog_tracks: args.tracks * 2,
            liked_per_user: if liked { args.tracks } else { 0 },
            ..LibrarySpec::default()
        },
        latency: Some(Duration::from_millis(args.latency_ms)),
        ..FakeConfig::default()
    })
    .await?;
    let user = fake.library().users()[0].id.clone();
    let mut config = loopback_config(fake.api_base());
    config.max_concurrency = 16;
    let token = fake.mint_token(&user);
    let client = SpotifyClient::new(
        ConnectionId::new(CONNECTION),
        StaticToken::new(token.clone()),
        config,
    )?;
    let caps = client.detect_capabilities().await?;
    let dir = tempfile_dir()?;
    let store = Store::open(&AppPaths::at(&dir)).await?;
    let (base_id, base_name) = if liked {
        (
            BasePlaylistId::liked_songs(&ConnectionId::new(CONNECTION)),
            "Liked Songs".to_owned(),
        )
    } else {
        let base = fake
            .library()
            .owned_by(&user)
            .into_iter()
            .max_by_key(|p| p.item_count)
            .ok_or_else(|| anyhow::anyhow!("no base playlist"))?;
        (BasePlaylistId::new(base.id.as_str()), base.name)
    };
    store
        .add_base(&NewBase {
            id: base_id.clone(),
            connection: ConnectionId::new(CONNECTION),
            name: base_name,
        })
        .await?;
    // The base's entries (track ids, None for what is not a track), from the truth.
    let base_entries = |lib: &spotify_fake::LibraryView| -> Vec<Option<String>> {
        if liked {
            lib.liked(&user)
                .into_iter()
                .map(|s| Some(s.track_id))
                .collect()
        } else {
            lib.playlist_items(base_id.as_str())
                .unwrap_or_default()
                .into_iter()
                .map(|i| i.id)
                .collect()
        }
    };
    let exclusion_ids: Vec<TrackId> = {
        let lib = fake.library();
        let mut seen = HashSet::new();
        base_entries(&lib)
            .into_iter()
            .flatten()
            .filter(|id| lib.track(id).is_some_and(|t| t.linked_from.is_none()))
            .filter(|id| seen.insert(id.clone()))
            .step_by(3)
            .take(args.exclusion)
            .map(TrackId::new)
            .collect()
    };
    if args.exclusion > 0 {
        let created = client
            .create_playlist(&NewPlaylist {
                name: EXCLUSION.into(),
                description: None,
                public: false,
                collaborative: false,
            })
            .await?;
        let snap = client.snapshot_id(&created.id).await?;
        client
            .add_items(&created.id, &exclusion_ids, None, &snap)
            .await?;
    }
    for (i, (name, q)) in CHILDREN.into_iter().enumerate() {
        let q = if i == 0 && args.exclusion > 0 {
            format!("{q} -in:\"{EXCLUSION}\"")
        } else {
            q.to_owned()
        };
        let q = q.as_str();
        let created = client
            .create_playlist(&NewPlaylist {
                name: name.into(),
                description: None,
                public: false,
                collaborative: false,
            })
            .await?;
        store
            .add_child(&NewChild {
                id: ChildPlaylistId::new(created.id.as_str()),
                base: base_id.clone(),
                name: name.into(),
                query: q.into(),
                filter: query::parse(q).map_err(|e| anyhow::anyhow!("{e}"))?,
                mirror: Default::default(),
                allow_empty: false,
            })
            .await?;
        known_empty(&store, &created).await?;
    }
    let runner = if args.in_process {
        Runner::InProcess(Engine::new(client.clone(), store.clone()))
    } else {
        Runner::Process {
            exe: match &args.sync_exe {
                Some(exe) => exe.clone(),
                None => std::env::current_exe().context("cannot find the syncer binary to run")?,
            },
            data_dir: dir.clone(),
            api_base: fake.api_base(),
            token,
            caps,
        }
    };

    // What the base holds, from the truth: entries, distinct tracks, artists, albums.
    let lib = fake.library();
    let items = base_entries(&lib);
    let entries = items.len();
    let track_ids: HashSet<String> = items.iter().flatten().cloned().collect();
    let mut artists = HashSet::new();
    let mut albums = HashSet::new();
    for id in &track_ids {
        if let Some(t) = lib.track(id) {
            artists.extend(t.artist_ids.clone());
            albums.insert(t.album_id.clone());
        }
    }
    let batch = fake_mode == Mode::ExtendedQuota;
    let genres_known = batch;
    let pages = batches(entries, 50);
    // The exclusion list: the playlist listing (one page) and its items' pages.
    let lists = if args.exclusion > 0 {
        1 + batches(exclusion_ids.len(), 50)
    } else {
        0
    };

    if let Some(kb) = proc_status_kb("VmRSS:") {
        tracing::info!(
            rss_kb = kb,
            "memory before the cold sync (stand-in and library loaded)"
        );
        eprintln!(
            "{mode_name}: RSS before the first sync {:.1} MB",
            kb as f64 / 1024.0
        );
    }
    let (cold, cold_peak) = runner.sync(&base_id).await?;
    // The seed: read items, tracks, artists and albums at its batch sizes (one by one where
    // the app has no batch lookups), then clear and re-add every child.
    let (t, a, al) = if batch {
        (
            batches(track_ids.len(), 50),
            batches(artists.len(), 50),
            batches(albums.len(), 20),
        )
    } else {
        (
            track_ids.len() as u64,
            artists.len() as u64,
            albums.len() as u64,
        )
    };
    let seed_writes: u64 = cold
        .children
        .iter()
        .map(|c| 1 + batches(c.wanted as usize, 100))
        .sum();
    let artist_lower = if genres_known {
        batches(artists.len(), 50)
    } else {
        0
    };
    let mut rows = vec![Row {
        mode: mode_name.clone(),
        scenario: "cold".into(),
        lower_bound: pages + lists + artist_lower + writes_needed(&cold),
        seed_plan: Some(pages + t + a + al + seed_writes),
        ours: cold.requests.total(),
        writes: u64::from(cold.write_requests()),
        wall_ms: cold.duration_ms,
        peak_rss_kb: cold_peak,
    }];

    let (warm, warm_peak) = runner.sync(&base_id).await?;
    rows.push(Row {
        mode: mode_name.clone(),
        scenario: "warm, unchanged".into(),
        // The base's version, and the lists' (the listing) when a rule reads one.
        lower_bound: 1 + u64::from(args.exclusion > 0),
        seed_plan: Some(pages + t + a + al + seed_writes),
        ours: warm.requests.total(),
        writes: u64::from(warm.write_requests()),
        wall_ms: warm.duration_ms,
        peak_rss_kb: warm_peak,
    });

    // 1% of the base changes: some entries leave, as many new tracks arrive at the end.
    let change = (args.tracks / 200).max(1);
    let base_pl = PlaylistId::new(base_id.as_str());
    // Relinked tracks are addressed by another id: leave them out of the change.
    let plain = |id: &String| lib.track(id).is_some_and(|t| t.linked_from.is_none());
    let leaving: Vec<TrackId> = items
        .iter()
        .flatten()
        .filter(|id| plain(id))
        .take(change)
        .map(|id| TrackId::new(id.as_str()))
        .collect();
    let arriving: Vec<TrackId> = lib
        .track_ids()
        .into_iter()
        .filter(|id| !track_ids.contains(id) && plain(id))
        .take(change)
        .map(TrackId::new)
        .collect();
    let new_artists: HashSet<String> = arriving
        .iter()
        .filter_map(|id| lib.track(id.as_str()))
        .flat_map(|t| t.artist_ids)
        .filter(|a| !artists.contains(a))
        .collect();
    if liked {
        // What the heart in the Spotify app does.
        for id in &leaving {
            fake.unlike(&user, id.as_str());
        }
        for id in &arriving {
            fake.like(&user, id.as_str());
        }
    } else {
        let snap = client.snapshot_id(&base_pl).await?;
        let snap = client.remove_items(&base_pl, &leaving, &snap).await?;
        client.add_items(&base_pl, &arriving, None, &snap).await?;
    }
    let entries_after = base_entries(&fake.library()).len();
    let (changed, changed_peak) = runner.sync(&base_id).await?;
    let artist_lower = if genres_known {
        batches(new_artists.len(), 50)
    } else {
        0
    };
    rows.push(Row {
        mode: mode_name,
        scenario: "warm, 1% changed".into(),
        // The exclusion list did not change: its version only (in the listing).
        lower_bound: batches(entries_after, 50)
            + u64::from(args.exclusion > 0)
            + artist_lower
            + writes_needed(&changed),
        seed_plan: None,
        ours: changed.requests.total(),
        writes: u64::from(changed.write_requests()),
        wall_ms: changed.duration_ms,
        peak_rss_kb: changed_peak,
    });
    fake.shutdown().await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(rows)
}

/// Where a bench's syncs run.
enum Runner {
    /// In the bench's process, beside the stand-in.
    InProcess(Engine<SpotifyClient, Store>),
    /// One `syncer-bench sync-once` process per sync, on the same store.
    Process {
        exe: PathBuf,
        data_dir: PathBuf,
        api_base: String,
        token: String,
        caps: Capabilities,
    },
}

impl Runner {
    /// One sync of `base`: its report and the peak memory of the process that ran it.
    async fn sync(&self, base: &BasePlaylistId) -> anyhow::Result<(SyncReport, Option<u64>)> {
        match self {
            Runner::InProcess(engine) => {
                let report = engine.sync(base, &SyncOptions::default()).await?;
                Ok((report, proc_status_kb("VmHWM:")))
            }
            Runner::Process {
                exe,
                data_dir,
                api_base,
                token,
                caps,
            } => {
                let mut command = std::process::Command::new(exe);
                command
                    .arg("--data-dir")
                    .arg(data_dir)
                    .args(["--json", "sync-once", base.as_str(), "--api-base"])
                    .arg(api_base)
                    .env(TOKEN_ENV, token)
                    .env(CAPS_ENV, encode(caps))
                    .stderr(std::process::Stdio::inherit());
                // Waiting on the child blocks: off the runtime's thread, which keeps serving
                // the stand-in meanwhile.
                let output = tokio::task::spawn_blocking(move || command.output()).await??;
                let out: SyncOnce = serde_json::from_slice(&output.stdout).with_context(|| {
                    format!(
                        "`syncer-bench sync-once` ended with {} and printed no report",
                        output.status
                    )
                })?;
                Ok((out.report, out.peak_rss_kb))
            }
        }
    }
}

/// `syncer-bench sync-once`: one sync of a bench's base, then its report and this process's peak
/// memory as JSON.
pub async fn sync_once(app: &Bench, args: &BenchSyncArgs) -> anyhow::Result<u8> {
    let token = std::env::var(TOKEN_ENV).with_context(|| {
        format!("{TOKEN_ENV} is not set (this command is for `syncer-bench sync`)")
    })?;
    let caps: Capabilities = std::env::var(CAPS_ENV)
        .ok()
        .and_then(|c| decode(&c).ok())
        .unwrap_or_default();
    let mut config = loopback_config(args.api_base.clone());
    config.max_concurrency = args.concurrency;
    let client = SpotifyClient::with_capabilities(
        ConnectionId::new(CONNECTION),
        StaticToken::new(token),
        config,
        caps,
    )?;
    let store = Store::open(&AppPaths::at(&app.data_dir)).await?;
    let engine = Engine::new(client, store);
    let report = engine
        .sync(
            &BasePlaylistId::new(args.base.as_str()),
            &SyncOptions::default(),
        )
        .await?;
    let code = if report.error.is_some() {
        SYNC_FAILED
    } else {
        OK
    };
    let out = SyncOnce {
        report,
        peak_rss_kb: proc_status_kb("VmHWM:"),
    };
    println!("{}", serde_json::to_string(&out)?);
    Ok(code)
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("syncer-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A memory figure of this process (Linux), in KiB: `VmHWM:` (peak) or `VmRSS:` (now).
fn proc_status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
