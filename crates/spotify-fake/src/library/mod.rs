//! The generated library: what to generate ([`LibrarySpec`]), how ([`generate`]), and a
//! read-only view tests use to know the truth ([`LibraryView`]).

pub mod generate;
mod view;
mod words;

pub use view::{
    AlbumInfo, ArtistInfo, ItemInfo, ItemKind, LibraryView, PlaylistInfo, SavedInfo, TrackInfo,
    UserInfo,
};

/// The catalog a seed and a spec generate, as owned values, without serving it: what other
/// stand-ins (the MusicBrainz one) derive their data from, so that they agree with this one
/// on every id, name and ISRC.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub artists: Vec<ArtistInfo>,
    pub albums: Vec<AlbumInfo>,
    /// In generation order (an album's tracks together).
    pub tracks: Vec<TrackInfo>,
}

/// Generates the catalog of `seed` and `spec`, exactly as [`crate::FakeSpotify::start`] does.
pub fn catalog(seed: u64, spec: &LibrarySpec) -> Catalog {
    let lib = generate::generate(seed, spec);
    Catalog {
        artists: (0..lib.artists.len())
            .map(|i| view::artist_info(&lib, i))
            .collect(),
        albums: (0..lib.albums.len())
            .map(|i| view::album_info(&lib, i))
            .collect(),
        tracks: (0..lib.tracks.len())
            .map(|i| view::track_info(&lib, i))
            .collect(),
    }
}

/// What the generated library holds. Every field has a sensible default; the default library
/// is small enough for unit tests and still holds every kind of messy entry.
#[derive(Debug, Clone)]
pub struct LibrarySpec {
    /// Number of users (at least 1). Development Mode apps allow 5.
    pub users: usize,
    /// Sizes of the playlists each user owns, in creation order (`GET /me/playlists` lists
    /// them newest first).
    pub playlist_sizes: Vec<usize>,
    /// How many of the next user's playlists each user follows without collaborating on them
    /// (their `/items` answers 403).
    pub followed_per_user: usize,
    /// Minimum catalog size in tracks; grown to the largest playlist when smaller.
    pub catalog_tracks: usize,
    /// Podcasts whose episodes can appear in playlists.
    pub shows: usize,
    /// Size of each user's Liked Songs (`GET /me/tracks`), capped at the catalog size.
    pub liked_per_user: usize,
    pub messiness: Messiness,
}

impl Default for LibrarySpec {
    fn default() -> Self {
        LibrarySpec {
            users: 3,
            playlist_sizes: vec![10, 57, 250],
            followed_per_user: 1,
            catalog_tracks: 1_500,
            shows: 3,
            liked_per_user: 300,
            messiness: Messiness::default(),
        }
    }
}

impl LibrarySpec {
    /// A library with one 10,000-item playlist per user, for benchmarks and paging tests.
    pub fn large() -> Self {
        LibrarySpec {
            users: 2,
            playlist_sizes: vec![10, 1_000, 10_000],
            catalog_tracks: 12_000,
            liked_per_user: 10_000,
            ..LibrarySpec::default()
        }
    }

    pub(crate) fn catalog_size(&self) -> usize {
        let largest = self.playlist_sizes.iter().copied().max().unwrap_or(0);
        self.catalog_tracks.max(largest).max(50)
    }
}

/// Rates (0.0–1.0) of the messy cases real playlists and catalogs contain.
#[derive(Debug, Clone, PartialEq)]
pub struct Messiness {
    /// Podcast episodes among playlist entries.
    pub episodes: f64,
    /// Local files (`is_local: true`, null ids).
    pub local_files: f64,
    /// Removed or unavailable entries (`track`/`item` is `null`).
    pub unavailable: f64,
    /// Entries repeating an earlier entry of the same playlist.
    pub duplicates: f64,
    /// Catalog tracks that are relinked (`linked_from` in extended quota).
    pub relinked: f64,
    /// Names in unusual Unicode (scripts, combining marks, emoji, RTL).
    pub unusual_unicode: f64,
    /// Artists without any genre.
    pub artists_without_genres: f64,
}

impl Default for Messiness {
    fn default() -> Self {
        Messiness {
            episodes: 0.02,
            local_files: 0.015,
            unavailable: 0.01,
            duplicates: 0.02,
            relinked: 0.02,
            unusual_unicode: 0.05,
            artists_without_genres: 0.2,
        }
    }
}

impl Messiness {
    /// Only tracks, all distinct, every artist with genres.
    pub fn none() -> Self {
        Messiness {
            episodes: 0.0,
            local_files: 0.0,
            unavailable: 0.0,
            duplicates: 0.0,
            relinked: 0.0,
            unusual_unicode: 0.0,
            artists_without_genres: 0.0,
        }
    }
}
