//! The stand-in's data: a catalog (artists, albums, tracks, shows, episodes) and the users'
//! playlists. Objects refer to each other by index so a 10,000-item playlist costs a `Vec` of
//! small entries, not 10,000 cloned JSON trees; JSON is rendered per request (see `render`).

use std::collections::HashMap;

/// How an album's `release_date` is given: Spotify mixes all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePrecision {
    Year,
    Month,
    Day,
}

impl DatePrecision {
    pub fn as_str(self) -> &'static str {
        match self {
            DatePrecision::Year => "year",
            DatePrecision::Month => "month",
            DatePrecision::Day => "day",
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub country: &'static str,
    pub product: &'static str,
    pub followers: u32,
    /// Playlists as `GET /me/playlists` lists them: owned and followed, newest first.
    pub playlists: Vec<usize>,
    /// The user's Liked Songs (saved tracks), newest first, as `GET /me/tracks` lists them.
    /// A track appears at most once.
    pub liked: Vec<Saved>,
}

/// One saved track: which catalog track and when it was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub track: usize,
    /// Seconds since the Unix epoch.
    pub added_at: i64,
}

#[derive(Debug, Clone)]
pub struct Artist {
    pub id: String,
    pub name: String,
    /// Empty for a realistic share of artists (Spotify has no genres for many).
    pub genres: Vec<&'static str>,
    pub popularity: u8,
    pub followers: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlbumType {
    Album,
    Single,
    Compilation,
}

impl AlbumType {
    pub fn as_str(self) -> &'static str {
        match self {
            AlbumType::Album => "album",
            AlbumType::Single => "single",
            AlbumType::Compilation => "compilation",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Album {
    pub id: String,
    pub name: String,
    pub album_type: AlbumType,
    pub artists: Vec<usize>,
    pub release_date: String,
    pub precision: DatePrecision,
    pub label: String,
    pub popularity: u8,
    pub upc: String,
    /// Indices into the catalog's tracks, in track-number order.
    pub tracks: Vec<usize>,
    pub image: String,
}

#[derive(Debug, Clone)]
pub struct Track {
    pub id: String,
    pub name: String,
    pub artists: Vec<usize>,
    pub album: usize,
    pub track_number: u32,
    pub disc_number: u32,
    pub duration_ms: u32,
    pub explicit: bool,
    pub popularity: u8,
    pub isrc: String,
    /// Set for a relinked track: the id the playlist asked for, which Spotify swapped for this
    /// playable one (`linked_from` in extended quota; silently gone in Development Mode).
    pub linked_from: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Show {
    pub id: String,
    pub name: String,
    pub publisher: String,
    pub episodes: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Episode {
    pub id: String,
    pub name: String,
    pub show: usize,
    pub duration_ms: u32,
    pub release_date: String,
    pub explicit: bool,
}

/// A local file a user added to a playlist from their own disk: no Spotify id, only a
/// `spotify:local:` URI.
#[derive(Debug, Clone)]
pub struct LocalFile {
    pub artist: String,
    pub album: String,
    pub title: String,
    pub duration_ms: u32,
}

impl LocalFile {
    pub fn uri(&self) -> String {
        format!(
            "spotify:local:{}:{}:{}:{}",
            local_uri_part(&self.artist),
            local_uri_part(&self.album),
            local_uri_part(&self.title),
            self.duration_ms / 1000
        )
    }
}

/// Spotify form-encodes the parts of a local URI (spaces become `+`).
fn local_uri_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Debug, Clone)]
pub enum EntryKind {
    Track(usize),
    Episode(usize),
    Local(Box<LocalFile>),
    /// A removed or unavailable entry: `track`/`item` is `null`.
    Unavailable,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    /// Seconds since the Unix epoch.
    pub added_at: i64,
    pub added_by: usize,
}

#[derive(Debug, Clone)]
pub struct Playlist {
    pub id: String,
    pub name: String,
    pub description: String,
    pub owner: usize,
    pub collaborators: Vec<usize>,
    pub public: bool,
    pub collaborative: bool,
    pub followers: u32,
    pub entries: Vec<Entry>,
    /// Bumped on every write; the snapshot id is derived from it.
    pub version: u64,
    /// User-uploaded covers have unknown dimensions (`null` height/width).
    pub image: Option<(String, Option<u32>)>,
}

impl Playlist {
    pub fn snapshot_id(&self) -> String {
        snapshot_id(&self.id, self.version)
    }

    pub fn can_write(&self, user: usize) -> bool {
        self.owner == user || self.collaborators.contains(&user)
    }
}

/// Spotify's snapshot ids are opaque base64 strings; ours encode the version and a tag of the
/// playlist id so that a snapshot id of another playlist is recognisably foreign.
pub fn snapshot_id(playlist_id: &str, version: u64) -> String {
    use base64::Engine as _;
    let tag = playlist_id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let mut raw = Vec::with_capacity(12);
    raw.extend_from_slice(&version.to_be_bytes());
    raw.extend_from_slice(&tag.to_be_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// Decodes a snapshot id made by [`snapshot_id`] for this playlist into its version.
pub fn snapshot_version(playlist_id: &str, snapshot: &str) -> Option<u64> {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(snapshot)
        .ok()?;
    let version_bytes: [u8; 8] = raw.get(..8)?.try_into().ok()?;
    let version = u64::from_be_bytes(version_bytes);
    (snapshot_id(playlist_id, version) == snapshot).then_some(version)
}

#[derive(Debug, Clone, Default)]
pub struct Library {
    pub users: Vec<User>,
    pub artists: Vec<Artist>,
    pub albums: Vec<Album>,
    pub tracks: Vec<Track>,
    pub shows: Vec<Show>,
    pub episodes: Vec<Episode>,
    pub playlists: Vec<Playlist>,
    pub index: Index,
}

/// Id → position lookups, rebuilt after generation and kept current on creation.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub users: HashMap<String, usize>,
    pub artists: HashMap<String, usize>,
    pub albums: HashMap<String, usize>,
    pub tracks: HashMap<String, usize>,
    pub episodes: HashMap<String, usize>,
    pub playlists: HashMap<String, usize>,
    /// The original ids of relinked tracks → the playable track answering for them.
    pub relinked: HashMap<String, usize>,
}

impl Library {
    pub fn rebuild_index(&mut self) {
        fn build<T>(items: &[T], id: impl Fn(&T) -> &str) -> HashMap<String, usize> {
            items
                .iter()
                .enumerate()
                .map(|(i, x)| (id(x).to_owned(), i))
                .collect()
        }
        self.index = Index {
            users: build(&self.users, |u| &u.id),
            artists: build(&self.artists, |a| &a.id),
            albums: build(&self.albums, |a| &a.id),
            tracks: build(&self.tracks, |t| &t.id),
            episodes: build(&self.episodes, |e| &e.id),
            playlists: build(&self.playlists, |p| &p.id),
            relinked: self
                .tracks
                .iter()
                .enumerate()
                .filter_map(|(i, t)| t.linked_from.clone().map(|from| (from, i)))
                .collect(),
        };
    }

    /// A track by id, following relinking the way Spotify does.
    pub fn track(&self, id: &str) -> Option<usize> {
        self.index
            .tracks
            .get(id)
            .or_else(|| self.index.relinked.get(id))
            .copied()
    }

    pub fn user(&self, id: &str) -> Option<usize> {
        self.index.users.get(id).copied()
    }

    pub fn playlist(&self, id: &str) -> Option<usize> {
        self.index.playlists.get(id).copied()
    }

    /// Resolves a `spotify:track:` or `spotify:episode:` URI to a playlist entry kind.
    pub fn entry_for_uri(&self, uri: &str) -> Result<EntryKind, UriError> {
        let mut parts = uri.splitn(3, ':');
        let (Some("spotify"), Some(kind), Some(id)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(UriError::Malformed);
        };
        if !is_base62_id(id) {
            return Err(UriError::Malformed);
        }
        match kind {
            "track" => self
                .index
                .tracks
                .get(id)
                .map(|&i| EntryKind::Track(i))
                .ok_or(UriError::Unknown),
            "episode" => self
                .index
                .episodes
                .get(id)
                .map(|&i| EntryKind::Episode(i))
                .ok_or(UriError::Unknown),
            _ => Err(UriError::Malformed),
        }
    }

    /// The URI an entry would be removed by; local files and unavailable entries have none a
    /// client can use through the Web API.
    pub fn entry_uri(&self, kind: &EntryKind) -> Option<String> {
        match kind {
            EntryKind::Track(i) => self
                .tracks
                .get(*i)
                .map(|t| format!("spotify:track:{}", t.id)),
            EntryKind::Episode(i) => self
                .episodes
                .get(*i)
                .map(|e| format!("spotify:episode:{}", e.id)),
            EntryKind::Local(local) => Some(local.uri()),
            EntryKind::Unavailable => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriError {
    Malformed,
    Unknown,
}

/// Spotify ids are 22 base62 characters.
pub fn is_base62_id(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_ids_round_trip_and_are_playlist_specific() {
        let s = snapshot_id("abc", 7);
        assert_eq!(snapshot_version("abc", &s), Some(7));
        assert_eq!(snapshot_version("abd", &s), None);
        assert_ne!(snapshot_id("abc", 8), s);
    }

    #[test]
    fn local_uris_are_form_encoded() {
        let f = LocalFile {
            artist: "Sigur Rós".into(),
            album: "Ágætis byrjun".into(),
            title: "Svefn-g-englar".into(),
            duration_ms: 600_000,
        };
        assert_eq!(
            f.uri(),
            "spotify:local:Sigur+R%C3%B3s:%C3%81g%C3%A6tis+byrjun:Svefn-g-englar:600"
        );
    }
}
