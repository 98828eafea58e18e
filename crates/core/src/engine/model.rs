//! What the engine reads from storage about a base and its children.

use serde::{Deserialize, Serialize};

use crate::engine::diff::MirrorMode;
use crate::filter::{Field, Filter, Routing, seed_from};
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
}
