//! What the engine reads from storage about a base and its children.

use serde::{Deserialize, Serialize};

use crate::engine::diff::MirrorMode;
use crate::filter::{Field, Filter, Routing, Timestamp, seed_from};
use crate::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId, SnapshotId, TrackId};

/// A base playlist and how it is routed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseSetup {
    pub id: BasePlaylistId,
    pub connection: ConnectionId,
    pub name: String,
    pub routing: Routing,
    /// The base's version at the last completed sync.
    pub last_snapshot: Option<SnapshotId>,
    /// [`BaseSetup::config_fingerprint`] at the last completed sync.
    pub last_fingerprint: Option<String>,
    pub children: Vec<ChildSetup>,
    /// Changes whenever open sources or the user add to what is known about genres (see
    /// [`crate::metadata`]): a base whose filters read genres is routed again then, even if
    /// the base itself is unchanged.
    #[serde(default)]
    pub metadata_generation: u64,
}

/// One child playlist and its filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildSetup {
    pub id: ChildPlaylistId,
    pub name: String,
    /// The filter as the user typed it (kept for editing and export).
    pub query: String,
    pub filter: Filter,
    pub mirror: MirrorMode,
    /// Whether a filter that matches nothing may empty the child.
    pub allow_empty: bool,
    /// What Syncer last wrote, when it knows: the child's version then and its contents.
    pub known: Option<KnownContents>,
}

/// A child's contents as Syncer left them, valid while the child's version is unchanged:
/// it spares reading the child back page by page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownContents {
    pub snapshot: SnapshotId,
    pub tracks: Vec<TrackId>,
}

impl BaseSetup {
    /// Changes whenever anything that decides the children's contents changes (filters,
    /// modes, routing), so an unchanged base with an unchanged setup needs no work.
    pub fn config_fingerprint(&self) -> String {
        let routing = serde_json::to_string(&self.routing).unwrap_or_default();
        let mut parts: Vec<String> = vec![routing];
        let reads_genres = self.children.iter().any(|c| {
            let fields = c.filter.fields();
            [Field::Genre, Field::ArtistGenre, Field::AlbumGenre]
                .iter()
                .any(|f| fields.contains(f))
        });
        if reads_genres {
            parts.push(format!("metadata:{}", self.metadata_generation));
        }
        for c in &self.children {
            parts.push(c.id.to_string());
            parts.push(crate::filter::to_json(&c.filter));
            parts.push(c.mirror.as_str().to_owned());
            parts.push(c.allow_empty.to_string());
        }
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        format!("{:016x}", seed_from(&refs))
    }

    /// Whether a child's filter reads a date relative to now (`added:<30d`): its contents
    /// then change as days pass, even while the base stays the same.
    pub fn uses_relative_dates(&self) -> bool {
        self.children.iter().any(|c| c.filter.uses_relative_dates())
    }

    /// What a completed sync records, and what the next one compares to decide whether an
    /// unchanged base needs routing again: the setup's fingerprint, plus the day (UTC, the
    /// calendar filters are evaluated in) when a filter reads relative dates. So an unchanged
    /// base is routed again once a day for those filters, and never for the others.
    pub fn evaluation_fingerprint(&self, now: Timestamp) -> String {
        let setup = self.config_fingerprint();
        if self.uses_relative_dates() {
            const DAY: i64 = 24 * 60 * 60;
            format!("{setup}@{}", now.unix_seconds().div_euclid(DAY))
        } else {
            setup
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::query;

    fn setup(queries: &[&str]) -> BaseSetup {
        BaseSetup {
            id: BasePlaylistId::new("base"),
            connection: ConnectionId::new("c"),
            name: "Base".into(),
            routing: Routing::default(),
            last_snapshot: None,
            last_fingerprint: None,
            children: queries
                .iter()
                .enumerate()
                .map(|(i, q)| ChildSetup {
                    id: ChildPlaylistId::new(format!("child{i}")),
                    name: format!("child {i}"),
                    query: (*q).to_owned(),
                    filter: query::parse(q).unwrap(),
                    mirror: MirrorMode::default(),
                    allow_empty: false,
                    known: None,
                })
                .collect(),
            metadata_generation: 0,
        }
    }

    #[test]
    fn the_day_counts_only_for_relative_dates() {
        let at = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        let morning = at("2026-03-01T08:00:00Z");
        let evening = at("2026-03-01T23:59:59Z");
        let next = at("2026-03-02T00:00:00Z");

        let plain = setup(&["genre:rock", "year:>=2010 added:2024"]);
        assert_eq!(
            plain.evaluation_fingerprint(morning),
            plain.evaluation_fingerprint(next)
        );
        assert_eq!(
            plain.evaluation_fingerprint(next),
            plain.config_fingerprint()
        );

        let relative = setup(&["genre:rock", "added:<30d"]);
        assert_eq!(
            relative.evaluation_fingerprint(morning),
            relative.evaluation_fingerprint(evening)
        );
        assert_ne!(
            relative.evaluation_fingerprint(evening),
            relative.evaluation_fingerprint(next)
        );
    }
}
