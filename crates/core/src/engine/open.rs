//! The sync's side of open metadata: take what the enricher kept, queue what is missing, count
//! how much is known, and tell preview which children wait on fields still filling.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::engine::enrich::EnrichmentPlan;
use crate::engine::model::ChildSetup;
use crate::engine::storage::{StorageResult, SyncStorage};
use crate::filter::{Field, Timestamp};
use crate::ids::{ArtistId, ConnectionId};
use crate::metadata::coverage::{GatherRequest, gather, genre_coverage};
use crate::metadata::{FactsTtl, MetadataCoverage, OpenCatalog, SourceKind};
use crate::provider::{ArtistMeta, TrackMeta};

/// How a sync uses open metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataSettings {
    /// Take genres from an open source when the connection cannot provide them. The sync
    /// never asks the source itself: it reads what the enricher kept and queues the rest.
    pub open_genres: bool,
    /// Which open source.
    pub source: SourceKind,
    /// How long its answers are trusted.
    pub ttl: FactsTtl,
}

impl Default for MetadataSettings {
    fn default() -> Self {
        MetadataSettings {
            open_genres: true,
            source: SourceKind::MusicBrainz,
            ttl: FactsTtl::default(),
        }
    }
}

/// Fields whose coverage a line counts, among those a filter reads.
fn genre_fields(fields: &BTreeSet<Field>) -> Vec<Field> {
    [Field::Genre, Field::ArtistGenre]
        .into_iter()
        .filter(|f| fields.contains(f))
        .collect()
}

/// Gathers open metadata for a base's tracks and counts its coverage.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn open_metadata<S: SyncStorage>(
    storage: &S,
    settings: &MetadataSettings,
    plan: &EnrichmentPlan,
    fields: &BTreeSet<Field>,
    tracks: &[&TrackMeta],
    service_artists: &HashMap<ArtistId, ArtistMeta>,
    connection: &ConnectionId,
    now: Timestamp,
) -> StorageResult<(OpenCatalog, Vec<MetadataCoverage>)> {
    let open = (plan.open_artists && settings.open_genres).then_some(settings.source);
    let catalog = gather(
        storage,
        &GatherRequest {
            tracks,
            user_genres: plan.user_genres,
            open,
            connection,
            ttl: &settings.ttl,
            now,
        },
    )
    .await?;
    let mut coverage = Vec::new();
    if plan.genres() {
        coverage.push(genre_coverage(
            tracks,
            service_artists,
            &catalog,
            open,
            genre_fields(fields),
        ));
    }
    Ok((catalog, coverage))
}

/// The coverage lines a child's filter waits on: fields it reads that are still filling.
pub(crate) fn waiting_on(
    child: &ChildSetup,
    coverage: &[MetadataCoverage],
) -> Vec<MetadataCoverage> {
    let fields = child.filter.fields();
    coverage
        .iter()
        .filter(|c| !c.is_complete() && c.fields.iter().any(|f| fields.contains(f)))
        .cloned()
        .collect()
}
