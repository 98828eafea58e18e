//! A deterministic library from a seed: the same seed and spec always give the same ids, names,
//! playlists and messy entries, so tests can pin what they read. Generation is linear in the
//! catalog and playlist sizes (a 10,000-item playlist takes milliseconds).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{LibrarySpec, words};
use crate::model::{
    Album, AlbumType, Artist, DatePrecision, Entry, EntryKind, Episode, Library, LocalFile,
    Playlist, Saved, Show, Track, User,
};
use crate::time::format_date;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// 2015-01-01T00:00:00Z: the earliest `added_at` in generated playlists.
const EPOCH_2015: i64 = 1_420_070_400;

pub fn generate(seed: u64, spec: &LibrarySpec) -> Library {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        spec,
    };
    let mut lib = Library::default();
    g.users(&mut lib);
    g.artists(&mut lib);
    g.albums_and_tracks(&mut lib);
    g.shows(&mut lib);
    lib.rebuild_index();
    g.playlists(&mut lib);
    lib.rebuild_index();
    // Liked Songs come last and from their own stream, so adding them left every id, name
    // and playlist of a seed as it was before.
    let mut liked = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed ^ LIKED_STREAM),
        spec,
    };
    liked.liked(&mut lib);
    lib
}

/// Mixed into the seed for the Liked Songs stream.
const LIKED_STREAM: u64 = 0x4c49_4b45_445f_534f;

struct Gen<'a> {
    rng: ChaCha8Rng,
    spec: &'a LibrarySpec,
}

impl Gen<'_> {
    fn id(&mut self) -> String {
        (0..22)
            .map(|_| char::from(BASE62[self.rng.random_range(0..BASE62.len())]))
            .collect()
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    /// An index skewed towards 0: a few entries get most of the picks, like real listening.
    fn skewed(&mut self, len: usize, power: f64) -> usize {
        let u: f64 = self.rng.random();
        ((len as f64) * u.powf(power)).floor().min((len - 1) as f64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    fn title(&mut self) -> String {
        if self.chance(self.spec.messiness.unusual_unicode) {
            return self.pick(words::UNUSUAL).to_owned();
        }
        let adj = self.pick(words::ADJECTIVES);
        let noun = self.pick(words::NOUNS);
        match self.rng.random_range(0..4) {
            0 => format!("{adj} {noun}"),
            1 => format!("The {noun}"),
            2 => format!("{noun} of {}", self.pick(words::NOUNS)),
            _ => format!("{adj} {noun} ({})", self.pick(words::VERSIONS)),
        }
    }

    fn artist_name(&mut self) -> String {
        if self.chance(self.spec.messiness.unusual_unicode) {
            return self.pick(words::UNUSUAL_ARTISTS).to_owned();
        }
        match self.rng.random_range(0..3) {
            0 => format!(
                "{} {}",
                self.pick(words::FIRST_NAMES),
                self.pick(words::LAST_NAMES)
            ),
            1 => format!(
                "The {} {}s",
                self.pick(words::ADJECTIVES),
                self.pick(words::NOUNS)
            ),
            _ => format!(
                "{} {}",
                self.pick(words::ADJECTIVES),
                self.pick(words::NOUNS)
            ),
        }
    }

    fn users(&mut self, lib: &mut Library) {
        for i in 0..self.spec.users.max(1) {
            let id: String = std::iter::once("31".to_owned())
                .chain((0..26).map(|_| {
                    let c = b"abcdefghijklmnopqrstuvwxyz0123456789"[self.rng.random_range(0..36)];
                    char::from(c).to_string()
                }))
                .collect();
            let first = self.pick(words::FIRST_NAMES);
            lib.users.push(User {
                id,
                display_name: format!("{first} {}", self.pick(words::LAST_NAMES)),
                email: format!("{}{i}@example.invalid", first.to_lowercase()),
                country: self.pick(&["SE", "DE", "US", "GB", "BR", "JP", "FR"]),
                product: "premium",
                followers: self.rng.random_range(0..200),
                playlists: Vec::new(),
                liked: Vec::new(),
            });
        }
    }

    fn artists(&mut self, lib: &mut Library) {
        let n = self.spec.catalog_size() / 6 + 10;
        for rank in 0..n {
            // Popularity falls with rank (rank 0 is the most listened-to) plus noise, so the
            // distribution has a long tail of obscure artists and a few stars.
            let base = 100.0 * (1.0 - (rank as f64 / n as f64).powf(0.35));
            let noise: f64 = self.rng.random_range(-8.0..8.0);
            let popularity = (base + noise).clamp(0.0, 100.0) as u8;
            let followers = (10f64.powf(f64::from(popularity) / 100.0 * 7.0)
                * self.rng.random_range(0.5..1.5)) as u32;
            let genres = if self.chance(self.spec.messiness.artists_without_genres) {
                Vec::new()
            } else {
                let count = self.rng.random_range(1..=4);
                let mut genres: Vec<&'static str> = Vec::with_capacity(count);
                for _ in 0..count {
                    let g = words::GENRES[self.skewed(words::GENRES.len(), 2.2)];
                    if !genres.contains(&g) {
                        genres.push(g);
                    }
                }
                genres
            };
            let name = self.artist_name();
            let id = self.id();
            lib.artists.push(Artist {
                id,
                name,
                genres,
                popularity,
                followers,
            });
        }
    }

    fn release_date(&mut self) -> (String, DatePrecision) {
        // Skewed towards recent years, as libraries are.
        let year = 2025 - self.skewed(66, 1.8) as i64;
        let precision = match self.rng.random_range(0..100) {
            0..=11 => DatePrecision::Year,
            12..=17 => DatePrecision::Month,
            _ => DatePrecision::Day,
        };
        let month = self.rng.random_range(1..=12u32);
        let day = self.rng.random_range(1..=28u32);
        let date = match precision {
            DatePrecision::Year => format!("{year:04}"),
            DatePrecision::Month => format!("{year:04}-{month:02}"),
            DatePrecision::Day => format!("{year:04}-{month:02}-{day:02}"),
        };
        (date, precision)
    }

    fn isrc(&mut self, year: &str) -> String {
        let country = self.pick(&["US", "GB", "SE", "DE", "FR", "JP", "QM", "QZ"]);
        let registrant: String = (0..3)
            .map(|_| {
                char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[self.rng.random_range(0..36)])
            })
            .collect();
        let yy = year.get(2..4).unwrap_or("00");
        format!(
            "{country}{registrant}{yy}{:05}",
            self.rng.random_range(0..100_000)
        )
    }

    fn albums_and_tracks(&mut self, lib: &mut Library) {
        let target = self.spec.catalog_size();
        let artist_count = lib.artists.len();
        while lib.tracks.len() < target {
            let album_type = match self.rng.random_range(0..100) {
                0..=59 => AlbumType::Album,
                60..=91 => AlbumType::Single,
                _ => AlbumType::Compilation,
            };
            let main_artist = self.skewed(artist_count, 2.0);
            let mut album_artists = vec![main_artist];
            if album_type == AlbumType::Compilation || self.chance(0.05) {
                album_artists.push(self.rng.random_range(0..artist_count));
                album_artists.dedup();
            }
            let track_count = match album_type {
                AlbumType::Single => self.rng.random_range(1..=3),
                _ => self.rng.random_range(6..=16),
            };
            let (release_date, precision) = self.release_date();
            let album_idx = lib.albums.len();
            let album_id = self.id();
            let album_name = self.title();
            let explicit_album = self.chance(0.15);
            let mut tracks = Vec::with_capacity(track_count);
            for n in 0..track_count {
                let mut artists = vec![main_artist];
                if self.chance(0.12) {
                    let feat = self.skewed(artist_count, 1.5);
                    if feat != main_artist {
                        artists.push(feat);
                    }
                }
                let linked_from = if self.chance(self.spec.messiness.relinked) {
                    Some(self.id())
                } else {
                    None
                };
                let popularity_base = f64::from(lib.artists[main_artist].popularity);
                let popularity =
                    (popularity_base * self.rng.random_range(0.4..1.05)).clamp(0.0, 100.0) as u8;
                let name = self.title();
                let isrc = self.isrc(&release_date);
                tracks.push(lib.tracks.len());
                lib.tracks.push(Track {
                    id: self.id(),
                    name,
                    artists,
                    album: album_idx,
                    track_number: n as u32 + 1,
                    disc_number: 1,
                    duration_ms: self.rng.random_range(95_000..420_000),
                    explicit: explicit_album && self.chance(0.7),
                    popularity,
                    isrc,
                    linked_from,
                });
            }
            let label = format!(
                "{} {}",
                self.pick(words::NOUNS),
                self.pick(words::LABEL_SUFFIXES)
            );
            let album_popularity = lib.artists[main_artist].popularity;
            let upc = format!("{:012}", self.rng.random_range(0..1_000_000_000_000u64));
            let image = format!(
                "https://i.scdn.co/image/ab67616d0000b273{}",
                album_id.to_lowercase()
            );
            lib.albums.push(Album {
                id: album_id,
                name: album_name,
                album_type,
                artists: album_artists,
                release_date,
                precision,
                label,
                popularity: album_popularity,
                upc,
                tracks,
                image,
            });
        }
    }

    fn shows(&mut self, lib: &mut Library) {
        for _ in 0..self.spec.shows {
            let show_idx = lib.shows.len();
            let id = self.id();
            let name = format!("The {} Podcast", self.pick(words::NOUNS));
            let publisher = self.artist_name();
            let mut episodes = Vec::new();
            for n in 0..self.rng.random_range(5..25) {
                episodes.push(lib.episodes.len());
                let (release_date, _) = (
                    format!(
                        "{}-{:02}-{:02}",
                        2018 + self.rng.random_range(0..8),
                        self.rng.random_range(1..=12),
                        self.rng.random_range(1..=28)
                    ),
                    (),
                );
                let id = self.id();
                lib.episodes.push(Episode {
                    id,
                    name: format!("#{}: {}", n + 1, self.title()),
                    show: show_idx,
                    duration_ms: self.rng.random_range(600_000..7_200_000),
                    release_date,
                    explicit: self.chance(0.2),
                });
            }
            lib.shows.push(Show {
                id,
                name,
                publisher,
                episodes,
            });
        }
    }

    fn local_file(&mut self) -> LocalFile {
        LocalFile {
            artist: self.artist_name(),
            album: self.title(),
            title: self.title(),
            duration_ms: self.rng.random_range(60_000..600_000),
        }
    }

    fn playlists(&mut self, lib: &mut Library) {
        let user_count = lib.users.len();
        let mut owned: Vec<Vec<usize>> = vec![Vec::new(); user_count];
        for (owner, owned_by_user) in owned.iter_mut().enumerate() {
            for &size in &self.spec.playlist_sizes {
                let playlist = self.playlist(lib, owner, size);
                owned_by_user.push(lib.playlists.len());
                lib.playlists.push(playlist);
            }
        }
        // Each user's first playlist is collaborative with the next user, and each user
        // follows the next user's last (public, non-collaborative) playlists: the ones whose
        // `/items` answers 403.
        if user_count > 1 {
            for (owner, owned_by_user) in owned.iter().enumerate() {
                if let Some(&first) = owned_by_user.first() {
                    let p = &mut lib.playlists[first];
                    p.collaborative = true;
                    p.public = false;
                    p.collaborators.push((owner + 1) % user_count);
                }
            }
        }
        for user in 0..user_count {
            let mut list: Vec<usize> = owned[user].iter().rev().copied().collect();
            if user_count > 1 {
                let next = (user + 1) % user_count;
                let prev = (user + user_count - 1) % user_count;
                list.extend(owned[prev].first().copied());
                let followable: Vec<usize> = owned[next]
                    .iter()
                    .rev()
                    .copied()
                    .filter(|&p| !lib.playlists[p].collaborators.contains(&user))
                    .take(self.spec.followed_per_user)
                    .collect();
                for followed in followable {
                    let p = &mut lib.playlists[followed];
                    if !p.collaborative {
                        p.public = true;
                        p.followers += 1;
                        list.push(followed);
                    }
                }
            }
            lib.users[user].playlists = list;
        }
    }

    /// Each user's Liked Songs: about two thirds from tracks of the playlists they own (people
    /// like what they collect), the rest from the catalog, distinct, saved at increasing times
    /// from 2015 on and stored newest first as Spotify lists them.
    fn liked(&mut self, lib: &mut Library) {
        let track_count = lib.tracks.len();
        let wanted = self.spec.liked_per_user.min(track_count);
        for user in 0..lib.users.len() {
            let mut chosen: Vec<usize> = Vec::with_capacity(wanted);
            let mut seen = vec![false; track_count];
            let mut own: Vec<usize> = lib
                .playlists
                .iter()
                .filter(|p| p.owner == user)
                .flat_map(|p| p.entries.iter())
                .filter_map(|e| match e.kind {
                    EntryKind::Track(t) => Some(t),
                    _ => None,
                })
                .collect();
            // A partial shuffle of the user's own tracks, then of the catalog.
            let from_own = wanted * 2 / 3;
            for i in 0..own.len() {
                if chosen.len() >= from_own {
                    break;
                }
                let j = self.rng.random_range(i..own.len());
                own.swap(i, j);
                let t = own[i];
                if !seen[t] {
                    seen[t] = true;
                    chosen.push(t);
                }
            }
            let mut pool: Vec<usize> = (0..track_count).collect();
            for i in 0..track_count {
                if chosen.len() >= wanted {
                    break;
                }
                let j = self.rng.random_range(i..track_count);
                pool.swap(i, j);
                let t = pool[i];
                if !seen[t] {
                    seen[t] = true;
                    chosen.push(t);
                }
            }
            let mut added_at = EPOCH_2015;
            let mut liked: Vec<Saved> = chosen
                .into_iter()
                .map(|track| {
                    added_at += self.rng.random_range(60..2 * 86_400);
                    Saved { track, added_at }
                })
                .collect();
            liked.reverse();
            lib.users[user].liked = liked;
        }
    }

    fn playlist(&mut self, lib: &Library, owner: usize, size: usize) -> Playlist {
        let m = self.spec.messiness.clone();
        let track_count = lib.tracks.len();
        // A partial Fisher-Yates shuffle gives `size` distinct tracks in O(catalog); duplicates
        // are then planted on purpose at the configured rate.
        let mut pool: Vec<usize> = (0..track_count).collect();
        let mut entries = Vec::with_capacity(size);
        let mut added_at = EPOCH_2015 + self.rng.random_range(0..5 * 365 * 86_400);
        let mut drawn = 0usize;
        while entries.len() < size {
            added_at += self.rng.random_range(0..3 * 86_400);
            let kind = if self.chance(m.episodes) && !lib.episodes.is_empty() {
                EntryKind::Episode(self.rng.random_range(0..lib.episodes.len()))
            } else if self.chance(m.local_files) {
                EntryKind::Local(Box::new(self.local_file()))
            } else if self.chance(m.unavailable) {
                EntryKind::Unavailable
            } else if self.chance(m.duplicates) && !entries.is_empty() {
                let earlier: &Entry = &entries[self.rng.random_range(0..entries.len())];
                earlier.kind.clone()
            } else if drawn < track_count {
                let j = self.rng.random_range(drawn..track_count);
                pool.swap(drawn, j);
                drawn += 1;
                EntryKind::Track(pool[drawn - 1])
            } else {
                EntryKind::Track(self.rng.random_range(0..track_count))
            };
            entries.push(Entry {
                kind,
                added_at,
                added_by: owner,
            });
        }
        let image = match self.rng.random_range(0..3) {
            0 => None,
            1 => Some((
                format!("https://mosaic.scdn.co/640/{}", self.id().to_lowercase()),
                Some(640),
            )),
            _ => Some((
                format!(
                    "https://image-cdn-ak.spotifycdn.com/image/{}",
                    self.id().to_lowercase()
                ),
                None,
            )),
        };
        let id = self.id();
        let name = if self.chance(m.unusual_unicode) {
            self.pick(words::UNUSUAL).to_owned()
        } else {
            format!(
                "{} {}",
                self.pick(words::ADJECTIVES),
                self.pick(words::PLAYLIST_NOUNS)
            )
        };
        Playlist {
            id,
            name,
            description: format!("Made on {}", format_date(added_at)),
            owner,
            collaborators: Vec::new(),
            public: self.chance(0.5),
            collaborative: false,
            followers: self.rng.random_range(0..50),
            entries,
            version: 1,
            image,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Messiness;

    #[test]
    fn same_seed_same_library() {
        let spec = LibrarySpec::default();
        let a = generate(42, &spec);
        let b = generate(42, &spec);
        assert_eq!(a.playlists[0].id, b.playlists[0].id);
        assert_eq!(a.tracks[17].isrc, b.tracks[17].isrc);
        assert_eq!(a.users[1].id, b.users[1].id);
        let c = generate(43, &spec);
        assert_ne!(a.playlists[0].id, c.playlists[0].id);
    }

    #[test]
    fn sizes_and_messiness_follow_the_spec() {
        let spec = LibrarySpec {
            users: 2,
            playlist_sizes: vec![10, 10_000],
            messiness: Messiness {
                episodes: 0.05,
                local_files: 0.05,
                unavailable: 0.05,
                duplicates: 0.05,
                ..Messiness::default()
            },
            ..LibrarySpec::default()
        };
        let lib = generate(7, &spec);
        let big = &lib.playlists[1];
        assert_eq!(big.entries.len(), 10_000);
        let count = |f: fn(&EntryKind) -> bool| big.entries.iter().filter(|e| f(&e.kind)).count();
        assert!(count(|k| matches!(k, EntryKind::Episode(_))) > 100);
        assert!(count(|k| matches!(k, EntryKind::Local(_))) > 100);
        assert!(count(|k| matches!(k, EntryKind::Unavailable)) > 100);
        assert!(lib.artists.iter().any(|a| a.genres.is_empty()));
        assert!(
            lib.albums
                .iter()
                .any(|a| a.precision == DatePrecision::Year)
        );
        assert!(
            lib.albums
                .iter()
                .any(|a| a.precision == DatePrecision::Month)
        );
        assert!(lib.tracks.iter().any(|t| t.linked_from.is_some()));
    }

    #[test]
    fn a_clean_library_has_no_messy_entries() {
        let spec = LibrarySpec {
            messiness: Messiness::none(),
            ..LibrarySpec::default()
        };
        let lib = generate(1, &spec);
        for p in &lib.playlists {
            assert!(
                p.entries
                    .iter()
                    .all(|e| matches!(e.kind, EntryKind::Track(_)))
            );
        }
    }

    #[test]
    fn popularity_is_skewed() {
        let lib = generate(3, &LibrarySpec::default());
        let n = lib.artists.len();
        let over_70 = lib.artists.iter().filter(|a| a.popularity > 70).count();
        assert!(over_70 * 4 < n, "{over_70} of {n} artists over 70");
    }
}
