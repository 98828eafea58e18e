//! Builders for test tracks and quick compile-and-run helpers.

use syncer_core::filter::*;

/// 2024-06-15T12:00:00Z, the "now" of every test.
pub const NOW: i64 = 1_718_452_800;

pub fn ctx() -> EvalContext {
    EvalContext::utc(Timestamp::from_unix_seconds(NOW))
}

/// A fully known track; tests blank out what they need unknown.
pub fn track(id: &str) -> FilterTrack {
    FilterTrack {
        id: id.into(),
        position: 1,
        title: Some("Creep".into()),
        artists: Some(vec!["Radiohead".into()]),
        album: Some("Pablo Honey".into()),
        album_type: Some("album".into()),
        release: Some(PartialDate::ymd(1993, 2, 22).unwrap()),
        duration: Some(DurationMs(238_640)),
        explicit: Some(true),
        track_number: Some(2),
        disc_number: Some(1),
        isrc: Some("GBAYE9200070".into()),
        added_at: Some(Timestamp::from_unix_seconds(NOW - 10 * 86_400)),
        added_by: Some("alice".into()),
        artist_genres: Some(vec!["alternative rock".into(), "permanent wave".into()]),
        album_genres: Some(vec![]),
        label: Some("Parlophone".into()),
        popularity: Some(85),
        artist_popularity: Some(80),
    }
}

/// The verdict of a query on one track.
pub fn verdict(query: &str, t: &FilterTrack) -> Truth {
    let filter = query::parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let compiled = compile(&filter, &ctx()).unwrap();
    compiled.test(&PreparedTrack::new(t.clone()))
}
