//! The JSON shapes of MusicBrainz's web service (ws/2, `fmt=json`) that Syncer reads: ISRC
//! lookups, recording searches and artist lookups. Fields MusicBrainz may leave out are
//! optional or default; unknown fields are ignored. The stand-in (crates/musicbrainz-fake)
//! serialises these same types, so the shapes are written once.

use serde::{Deserialize, Serialize};

/// `GET /ws/2/isrc/{isrc}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsrcLookup {
    pub isrc: String,
    #[serde(default)]
    pub recordings: Vec<Recording>,
}

/// `GET /ws/2/recording?query=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingSearch {
    #[serde(default)]
    pub created: Option<String>,
    pub count: u32,
    pub offset: u32,
    #[serde(default)]
    pub recordings: Vec<Recording>,
}

/// A recording: one piece of audio, with its credit and (when asked) its releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    pub id: String,
    pub title: String,
    /// Milliseconds; `null` when unknown.
    #[serde(default)]
    pub length: Option<u32>,
    /// Tells recordings of one title apart ("live, 1994-11-18: Paris").
    #[serde(default)]
    pub disambiguation: Option<String>,
    #[serde(default)]
    pub video: Option<bool>,
    /// Search results only: 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
    #[serde(rename = "first-release-date", default)]
    pub first_release_date: Option<String>,
    #[serde(rename = "artist-credit", default)]
    pub artist_credit: Vec<ArtistCredit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub releases: Option<Vec<Release>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isrcs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genres: Option<Vec<Genre>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// One name in a credit ("A feat. B" is two, the first with `joinphrase` " feat. ").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistCredit {
    /// The name as credited here, which may differ from the artist's own.
    pub name: String,
    #[serde(default)]
    pub joinphrase: Option<String>,
    pub artist: ArtistRef,
}

/// An artist as a credit names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistRef {
    pub id: String,
    pub name: String,
    #[serde(rename = "sort-name", default)]
    pub sort_name: Option<String>,
    #[serde(default)]
    pub disambiguation: Option<String>,
}

/// A release: one edition of an album, single or compilation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub status: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(
        rename = "release-group",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub release_group: Option<ReleaseGroup>,
    #[serde(
        rename = "label-info",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub label_info: Option<Vec<LabelInfo>>,
}

/// All editions of one album.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseGroup {
    pub id: String,
    pub title: String,
    #[serde(rename = "primary-type", default)]
    pub primary_type: Option<String>,
    #[serde(rename = "secondary-types", default)]
    pub secondary_types: Vec<String>,
    #[serde(rename = "first-release-date", default)]
    pub first_release_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genres: Option<Vec<Genre>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelInfo {
    #[serde(rename = "catalog-number", default)]
    pub catalog_number: Option<String>,
    #[serde(default)]
    pub label: Option<LabelRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelRef {
    pub id: String,
    pub name: String,
}

/// `GET /ws/2/artist/{mbid}?inc=genres+tags`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artist {
    pub id: String,
    pub name: String,
    #[serde(rename = "sort-name", default)]
    pub sort_name: Option<String>,
    #[serde(default)]
    pub disambiguation: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub genres: Vec<Genre>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// A curated genre, with how many editors voted for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genre {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub count: i32,
    #[serde(default)]
    pub disambiguation: Option<String>,
}

/// A free-form tag (may be anything: "seen live", "favourite").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
    #[serde(default)]
    pub count: i32,
}

/// The body of an error answer: `{"error": "Not Found", "help": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    #[serde(default)]
    pub help: Option<String>,
}

/// Names by votes, most voted first; negative votes (editors disagreeing) left out.
pub fn by_votes<'a, I>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = (&'a str, i32)>,
{
    let mut v: Vec<(&str, i32)> = items.into_iter().filter(|(_, c)| *c > 0).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().map(|(n, _)| n.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_isrc_lookup_as_documented() {
        let json = r#"{
          "isrc": "GBAYE6900522",
          "recordings": [{
            "id": "5c8d8a1e-9e0c-4b6d-9c46-2a0d1d9a9c01",
            "title": "Come Together",
            "length": 259000,
            "disambiguation": "",
            "video": false,
            "first-release-date": "1969-09-26",
            "artist-credit": [{"name": "The Beatles", "joinphrase": "",
              "artist": {"id": "b10bbbfc-cf9e-42e0-be17-e2c3e1d2600d", "name": "The Beatles",
                         "sort-name": "Beatles, The", "disambiguation": ""}}],
            "releases": [{"id": "r1", "title": "Abbey Road", "status": "Official",
              "date": "1969-09-26", "country": "GB",
              "release-group": {"id": "rg1", "title": "Abbey Road", "primary-type": "Album",
                                "secondary-types": [], "first-release-date": "1969-09-26"}}],
            "genres": [{"id": "g1", "name": "rock", "count": 3, "disambiguation": ""}],
            "tags": [{"name": "rock", "count": 3}, {"name": "seen live", "count": -1}]
          }]
        }"#;
        let v: IsrcLookup = serde_json::from_str(json).unwrap();
        let r = &v.recordings[0];
        assert_eq!(r.length, Some(259_000));
        assert_eq!(
            r.artist_credit[0].artist.sort_name.as_deref(),
            Some("Beatles, The")
        );
        let rg = r.releases.as_ref().unwrap()[0]
            .release_group
            .as_ref()
            .unwrap();
        assert_eq!(rg.first_release_date.as_deref(), Some("1969-09-26"));
        let tags = by_votes(r.tags.iter().flatten().map(|t| (t.name.as_str(), t.count)));
        assert_eq!(tags, vec!["rock"]);
    }

    #[test]
    fn reads_an_artist_with_missing_optional_fields() {
        let v: Artist = serde_json::from_str(r#"{"id": "a", "name": "X"}"#).unwrap();
        assert!(v.genres.is_empty() && v.tags.is_empty());
    }
}
