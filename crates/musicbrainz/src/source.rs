//! MusicBrainz as core's [`MetadataSource`]: one request per call, matched carefully.

use syncer_core::metadata::{
    ArtistFacts, MatchMethod, MetadataResult, MetadataSource, SourceKind, TrackMatch, TrackQuery,
};
use syncer_core::provider::RequestStats;

use crate::client::{MbClient, lucene_phrase};
use crate::matching::{match_isrc, match_search};
use crate::model::by_votes;
use crate::normalize::title_key;

/// How many search results are read: enough for a few editions and same-name artists.
const SEARCH_LIMIT: u32 = 10;

/// The MusicBrainz source over a [`MbClient`].
#[derive(Debug, Clone)]
pub struct MusicBrainz {
    client: MbClient,
}

impl MusicBrainz {
    pub fn new(client: MbClient) -> MusicBrainz {
        MusicBrainz { client }
    }

    pub fn client(&self) -> &MbClient {
        &self.client
    }
}

/// The search for a track: its title without packaging (remaster, "feat.") and its first
/// credited artist.
pub fn search_query(track: &TrackQuery) -> Option<String> {
    let artist = track.artists.first()?;
    // The folded core keeps the query forgiving; the matcher checks the rest.
    let key = title_key(&track.title, None);
    if key.core.is_empty() {
        return None;
    }
    Some(format!(
        "recording:{} AND artist:{}",
        lucene_phrase(&key.core),
        lucene_phrase(&artist.name)
    ))
}

impl MetadataSource for MusicBrainz {
    fn kind(&self) -> SourceKind {
        SourceKind::MusicBrainz
    }

    async fn match_track(
        &self,
        track: &TrackQuery,
        method: MatchMethod,
    ) -> MetadataResult<TrackMatch> {
        match (method, track.isrc.as_deref()) {
            (MatchMethod::Isrc, Some(isrc)) => {
                let found = self.client.isrc(isrc).await?;
                Ok(match found {
                    Some(lookup) => match_isrc(track, &lookup.recordings),
                    None => TrackMatch::NotFound,
                })
            }
            _ => {
                let Some(query) = search_query(track) else {
                    return Ok(TrackMatch::NotFound);
                };
                let found = self.client.search_recordings(&query, SEARCH_LIMIT).await?;
                Ok(match_search(track, &found.recordings))
            }
        }
    }

    async fn artist(&self, reference: &str) -> MetadataResult<Option<ArtistFacts>> {
        let found = self.client.artist(reference).await?;
        Ok(found.map(|a| ArtistFacts {
            genres: by_votes(a.genres.iter().map(|g| (g.name.as_str(), g.count))),
            tags: by_votes(a.tags.iter().map(|t| (t.name.as_str(), t.count))),
        }))
    }

    fn request_stats(&self) -> RequestStats {
        self.client.request_stats()
    }
}
