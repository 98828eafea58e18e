//! The demo library: a generated Spotify library served by the stand-in on loopback, so a
//! newcomer sees routing work without an account or a network.

use spotify_fake::{LibrarySpec, Mode};
use syncer_core::ids::ConnectionId;

/// Which kind of Spotify app the demo pretends to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemoMode {
    /// Extended quota: genres, popularity, labels, batch lookups.
    Extended,
    /// Development Mode (2026): no genres, no popularity, no batch lookups.
    Development,
}

/// The demo's children: sensible filters over the generated genres and years.
pub const DEMO_CHILDREN: [(&str, &str); 5] = [
    ("Rock & Metal", "genre:rock OR genre:metal OR genre:punk"),
    (
        "Electronic",
        "genre:electronic OR genre:house OR genre:techno",
    ),
    (
        "Hip hop & R&B",
        "genre:\"hip hop\" OR genre:rap OR genre:\"r&b\"",
    ),
    ("Fresh (2020s)", "year:>=2020"),
    ("Classics (before 2000)", "year:<2000 -explicit"),
];

/// A demo connection's library: everything needed to generate it again, kept in the
/// connection's id (`demo-<seed>-<mode>-<tracks>`) since the stand-in forgets on exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSpec {
    pub seed: u64,
    pub mode: DemoMode,
    pub tracks: usize,
}

impl Default for DemoSpec {
    /// The library `syncer demo` and the desktop's first run offer.
    fn default() -> Self {
        DemoSpec {
            seed: 42,
            mode: DemoMode::Extended,
            tracks: 600,
        }
    }
}

impl DemoSpec {
    pub fn connection_id(&self) -> ConnectionId {
        let mode = match self.mode {
            DemoMode::Extended => "ext",
            DemoMode::Development => "dev",
        };
        ConnectionId::new(format!("demo-{}-{mode}-{}", self.seed, self.tracks))
    }

    pub fn parse(id: &ConnectionId) -> Option<DemoSpec> {
        let mut parts = id.as_str().strip_prefix("demo-")?.split('-');
        let seed = parts.next()?.parse().ok()?;
        let mode = match parts.next()? {
            "ext" => DemoMode::Extended,
            "dev" => DemoMode::Development,
            _ => return None,
        };
        let tracks = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Some(DemoSpec { seed, mode, tracks })
    }

    pub fn fake_mode(&self) -> Mode {
        match self.mode {
            DemoMode::Extended => Mode::ExtendedQuota,
            DemoMode::Development => Mode::DevelopmentMode,
        }
    }

    /// One user owning a small playlist and the base-sized one.
    pub fn library(&self) -> LibrarySpec {
        LibrarySpec {
            users: 1,
            playlist_sizes: vec![25, self.tracks],
            followed_per_user: 0,
            catalog_tracks: (self.tracks * 2).max(1_500),
            shows: 2,
            // Liked Songs two thirds the base's size: a realistic library, and smaller than
            // the base playlist, which stays the biggest listed.
            liked_per_user: (self.tracks * 2 / 3).max(20),
            ..LibrarySpec::default()
        }
    }

    pub fn describe(&self) -> String {
        let mode = match self.mode {
            DemoMode::Extended => "extended quota",
            DemoMode::Development => "Development Mode",
        };
        format!(
            "Demo library (seed {}, {mode}, {} tracks)",
            self.seed, self.tracks
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demo_spec_survives_its_connection_id() {
        for mode in [DemoMode::Extended, DemoMode::Development] {
            let spec = DemoSpec {
                seed: 7,
                mode,
                tracks: 1_234,
            };
            assert_eq!(DemoSpec::parse(&spec.connection_id()), Some(spec));
        }
    }

    #[test]
    fn other_ids_are_not_demo_specs() {
        for id in [
            "spotify-abc",
            "demo-x-ext-5",
            "demo-1-odd-5",
            "demo-1-ext-5-9",
        ] {
            assert_eq!(DemoSpec::parse(&ConnectionId::new(id)), None, "{id}");
        }
    }
}
