//! The command line, as clap reads it. Help texts are the user's manual; docs/cli.md has the
//! same with examples and the exit codes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "syncer",
    version,
    about = "Route the tracks of a base playlist into child playlists by metadata filters",
    long_about = "Route the tracks of a base playlist into child playlists by metadata filters.\n\n\
                  Start with `syncer demo`: no account and no network needed.\n\
                  Exit codes are listed in docs/cli.md (0 ok, 2 usage, 3 sync failed, 4 sync in \
                  progress, 5 not found, 6 bad query, 7 service error, 8 cancelled, 9 store error, \
                  10 cloud sign-in or passphrase needed, or wrong key)."
)]
pub struct Cli {
    /// Machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Where Syncer keeps its database (default: the app's data folder; SYNCER_DATA_DIR works too).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Log what happens to stderr (RUST_LOG works too).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AppMode {
    /// A Spotify app with extended quota: genres, popularity, labels.
    Extended,
    /// A Spotify app in Development Mode (2026): no genres, no popularity, no batch lookups.
    Development,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mirror {
    /// Keep tracks you added to the child by hand (default).
    Keep,
    /// The child is exactly what the filter selects.
    Strict,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Try Syncer with a generated library on a local stand-in for Spotify: sets up a base and
    /// a few children, syncs, and shows what went where and what it cost.
    Demo(DemoArgs),
    /// Connect a music service (or the demo library).
    #[command(subcommand)]
    Connect(ConnectCommand),
    /// List, test or remove connections.
    #[command(subcommand)]
    Connections(ConnectionsCommand),
    /// List the playlists of a connection.
    Playlists {
        /// The connection (optional when there is only one).
        #[arg(long)]
        connection: Option<String>,
    },
    /// Add, remove or list base playlists.
    #[command(subcommand)]
    Base(BaseCommand),
    /// Add, edit, remove or list child playlists.
    #[command(subcommand)]
    Child(ChildCommand),
    /// Print where a base or child (or, with --track, one of the base's tracks) opens on
    /// its service: `https://open.spotify.com/…`. The demo library has none.
    Link {
        /// A base or a child.
        thing: String,
        /// A track id: its page instead (of the base's, or the child's base's, service).
        #[arg(long)]
        track: Option<String>,
    },
    /// What a sync would do: counts and a sample per child, tracks no child takes, fields
    /// a filter needs that the connection cannot provide. Writes nothing.
    Preview { base: String },
    /// Sync one base (or all of them).
    Sync {
        /// The base playlist; omit with --all.
        base: Option<String>,
        /// Every base.
        #[arg(long, conflicts_with = "base")]
        all: bool,
        /// Route and diff even when the base and the filters are unchanged.
        #[arg(long)]
        force: bool,
    },
    /// Ask a running sync of a base (in another terminal or the app) to stop at a safe point.
    Cancel { base: String },
    /// Restore the children of a base to what they held before its last sync. Tracks you
    /// added by hand since that sync stay, unless --drop-added-by-hand.
    Undo {
        base: String,
        /// Take out, too, the tracks added by hand since the sync.
        #[arg(long)]
        drop_added_by_hand: bool,
    },
    /// Past syncs, newest first.
    History {
        base: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Show or set when a base syncs by itself: manual, "every 30m", "every 2h",
    /// "daily 07:30", "on-change [5m]".
    Schedule {
        base: String,
        schedule: Option<String>,
    },
    /// Run the bases' schedules in the foreground until Ctrl-C (for servers; the tray app
    /// runs the same scheduler).
    Watch,
    /// All local data (connections without secrets, bases, children, history) as JSON.
    Export {
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Delete everything Syncer stores on this machine. Playlists on your services stay.
    DeleteAllData {
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// The optional cloud account: your setup on your other devices, end-to-end encrypted
    /// (docs/cloud.md).
    #[command(subcommand)]
    Cloud(CloudCommand),
    /// How much of the bases' genres is known, from Spotify, MusicBrainz and your own tags;
    /// with --wait, look up the rest from MusicBrainz now (one request a second; Ctrl-C stops,
    /// and the next run goes on where it stopped). `syncer watch` fills in the background.
    Enrich {
        /// Only this base (default: every base).
        base: Option<String>,
        /// Fill the queue to the end before returning, with a progress bar.
        #[arg(long)]
        wait: bool,
    },
    /// Your own genres for artists ("my genres"): filters treat them as one more source.
    #[command(subcommand)]
    Genres(GenresCommand),
    /// Shell completions, e.g. `syncer completions bash > /etc/bash_completion.d/syncer`.
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Same seed, same library.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = AppMode::Extended)]
    pub mode: AppMode,
    /// Tracks in the demo's base playlist.
    #[arg(long, default_value_t = 600)]
    pub tracks: usize,
}

#[derive(Debug, Subcommand)]
pub enum ConnectCommand {
    /// The demo library: a stand-in for Spotify started inside each `syncer` command.
    Demo {
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = AppMode::Extended)]
        mode: AppMode,
        #[arg(long, default_value_t = 600)]
        tracks: usize,
    },
    /// Spotify with your own app's Client ID: signs in through your browser (PKCE, a local
    /// redirect to http://127.0.0.1:PORT/oauth/spotify, which your Spotify app must list).
    /// Tokens go to the system keyring, or to the encrypted file when SYNCER_VAULT=file.
    Spotify {
        /// Your Spotify app's Client ID (saved; later runs may omit it).
        #[arg(long)]
        client_id: Option<String>,
        /// The loopback port of the redirect registered in your Spotify app.
        #[arg(long, default_value_t = 8888)]
        port: u16,
        /// Print the sign-in link instead of opening the browser (e.g. over SSH).
        #[arg(long)]
        no_browser: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum GenresCommand {
    /// Add genres to an artist: a name from your bases, a Spotify artist id or its link.
    Tag {
        artist: String,
        #[arg(required = true)]
        genres: Vec<String>,
    },
    /// Remove genres from an artist (all of yours when none are named).
    Untag { artist: String, genres: Vec<String> },
    /// Every artist you tagged, with your genres.
    List,
}

#[derive(Debug, Subcommand)]
pub enum ConnectionsCommand {
    List,
    /// Check that the connection answers, and what it can provide.
    Test {
        connection: String,
    },
    /// Forget a connection (its bases stay until you remove them).
    Remove {
        connection: String,
        /// Remove even while base playlists use it (they stop syncing).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoutingArg {
    /// Every child takes every track its filter matches (a track may land in several).
    Independent,
    /// Children are tried in order; a track goes to the first whose filter matches.
    FirstMatch,
}

#[derive(Debug, Subcommand)]
pub enum BaseCommand {
    /// Make a playlist a base; `liked` makes the connection's Liked Songs one.
    Add {
        /// A playlist id (see `syncer playlists`), or `liked` for Liked Songs.
        playlist: String,
        #[arg(long)]
        connection: Option<String>,
    },
    /// Stop syncing a base (its playlists on the service stay).
    Remove {
        base: String,
    },
    List,
    /// Show or set how a base shares its tracks among its children, and its catch-all: the
    /// child that receives what no other child took. The order children are tried in is set
    /// with `syncer child move`.
    Routing {
        base: String,
        /// independent or first-match (omit to keep the current mode).
        #[arg(value_enum)]
        mode: Option<RoutingArg>,
        /// A child of this base to receive the tracks no other child took.
        #[arg(long, value_name = "CHILD", conflicts_with = "no_catch_all")]
        catch_all: Option<String>,
        /// No catch-all: tracks no child takes stay only in the base.
        #[arg(long)]
        no_catch_all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChildCommand {
    /// Add a child under a base, selecting tracks with a query (docs/query-language.md).
    Add {
        base: String,
        /// The filter, e.g. 'genre:rock year:2015..2020 -explicit'.
        #[arg(long, short)]
        query: String,
        /// An existing playlist to fill...
        #[arg(long, conflicts_with = "create", required_unless_present = "create")]
        playlist: Option<String>,
        /// ...or a new playlist with this name.
        #[arg(long)]
        create: Option<String>,
        #[arg(long, value_enum, default_value_t = Mirror::Keep)]
        mirror: Mirror,
        /// Let a filter that matches nothing empty the child.
        #[arg(long)]
        allow_empty: bool,
        /// Never add tracks that are in this playlist (its name or id; repeat for several):
        /// the same as adding -in:"NAME" to the query.
        #[arg(long, value_name = "PLAYLIST")]
        exclude: Vec<String>,
    },
    /// Change a child's query, name or modes.
    Edit {
        child: String,
        #[arg(long, short)]
        query: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_enum)]
        mirror: Option<Mirror>,
        #[arg(long)]
        allow_empty: Option<bool>,
        /// The child's exclusion lists become exactly these playlists (name or id; repeat for
        /// several); its other rules stay.
        #[arg(long, value_name = "PLAYLIST", conflicts_with = "no_exclude")]
        exclude: Vec<String>,
        /// No exclusion list any more (its other rules stay).
        #[arg(long)]
        no_exclude: bool,
    },
    /// Stop syncing a child (the playlist on the service stays as it is).
    Remove { child: String },
    /// List a base's children in the order first-match routing tries them.
    List { base: String },
    /// A child's tracks now (read from the service), marked when you added them by hand or
    /// they wait for their data; its counts, and what the last sync did to it.
    Show { child: String },
    /// Why a track of the base is (or is not) in a child: the rule that kept it out, or that
    /// a field it reads (its genre) is not known yet.
    Why {
        child: String,
        /// A track id, or words of its title or artist (several found are listed).
        track: String,
    },
    /// Move a child to another place in its base's order (first-match tries children in it).
    Move {
        child: String,
        /// The new place, 1 for first.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        position: u32,
    },
}

/// The cloud server to use.
const CLOUD_URL_HELP: &str = "The Syncer cloud server (default: cloud_url in the config, \
                              SYNCER_CLOUD_URL, or http://127.0.0.1:8787)";

#[derive(Debug, Subcommand)]
pub enum CloudCommand {
    /// Create an account and sign this device in (password from SYNCER_CLOUD_PASSWORD or typed).
    Signup {
        #[arg(long, help = CLOUD_URL_HELP)]
        server: Option<String>,
        #[arg(long)]
        email: String,
    },
    /// Sign this device in to an existing account.
    Login {
        #[arg(long, help = CLOUD_URL_HELP)]
        server: Option<String>,
        #[arg(long)]
        email: String,
    },
    /// Sign this device out (its setup stays; the cloud forgets this device's session).
    Logout,
    /// Account, device, key and sync state.
    Status,
    /// Set the sync passphrase (first device: makes the key and shows the recovery code) or
    /// enter it (other devices). SYNCER_CLOUD_PASSPHRASE works too.
    Passphrase {
        /// Lost it: unlock with the recovery code (SYNCER_CLOUD_RECOVERY_CODE) and set a new one.
        #[arg(long, conflicts_with = "change")]
        recover: bool,
        /// Set a new passphrase for the same key.
        #[arg(long)]
        change: bool,
    },
    /// Pull what other devices changed, push what changed here.
    Sync,
    /// Stay connected to the account's live events: print each and pull what other devices
    /// change as they change it (Ctrl-C ends). With --json, one JSON object per line.
    Watch,
    /// Conflicts waiting for a choice, with both versions.
    Conflicts {
        /// Include resolved ones (the history).
        #[arg(long)]
        all: bool,
    },
    /// Settle a conflict.
    Resolve {
        conflict: String,
        #[command(flatten)]
        choice: ResolveChoice,
    },
    /// Delete everything in the cloud account (or, with --account, the account too).
    /// This device's setup stays.
    Delete {
        #[arg(long)]
        account: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Change the account password (current from SYNCER_CLOUD_PASSWORD, new from
    /// SYNCER_CLOUD_NEW_PASSWORD, or typed). Every other device is signed out; this one stays.
    /// The sync passphrase is separate and unchanged.
    Password,
    /// Everything the cloud holds for the account, still encrypted (GDPR export).
    Export {
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Add a device: show a QR code (and its text) that a new device joins with, no
    /// passphrase typed. Works once, for 10 minutes; whoever holds it can join.
    Enroll {
        /// Print only the code's text, not the QR code.
        #[arg(long)]
        no_qr: bool,
    },
    /// Join the account a code was made for (from `syncer cloud enroll` on a signed-in
    /// device): signs in, unlocks and syncs this device.
    Join {
        /// The `syncer-enroll:v1:…` text, or `-` to read it from standard input.
        code: String,
        /// This device's name in the device list (default: the host name).
        #[arg(long)]
        name: Option<String>,
    },
    /// The account's devices: list (default), rename, or remove one.
    Devices {
        #[command(subcommand)]
        action: Option<DevicesAction>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevicesAction {
    /// Every device of the account, this one marked.
    List,
    /// Give a device another name.
    Rename { id: String, name: String },
    /// Remove a device: its sign-in ends at once (removing this device signs it out).
    Revoke { id: String },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ResolveChoice {
    /// Keep this device's version.
    #[arg(long)]
    pub local: bool,
    /// Keep the other device's version.
    #[arg(long)]
    pub remote: bool,
    /// Store a merge of both: a JSON file in the form `syncer cloud conflicts --json` shows.
    #[arg(long, value_name = "FILE")]
    pub merged: Option<PathBuf>,
    /// Store a version written by hand (same form).
    #[arg(long, value_name = "FILE")]
    pub manual: Option<PathBuf>,
}
