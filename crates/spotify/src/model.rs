//! Spotify's JSON as it arrives, per `fixed-spotify-open-api.yml`. Everything a real response
//! may leave out or send as `null` is an `Option` or defaults, so one odd object never fails
//! a whole page; turning these into core's values is `mapping.rs`'s job.

use serde::{Deserialize, Deserializer};

/// Integers as Spotify really sends them: `33920`, and now and then `33920.0` (seen in March
/// 2024 for `duration_ms`, `track_number`, `followers.total`, `total`). Every integer field of
/// the wire types goes through here, so a whole number written as a float never fails a body;
/// a fractional or out-of-range number is still an error.
pub(crate) mod whole {
    use serde::de::{self, Deserializer, Visitor};

    /// An unsigned integer type a whole number may be read into.
    pub trait Unsigned: Sized + TryFrom<u64> {}
    impl Unsigned for u32 {}
    impl Unsigned for u64 {}

    struct WholeVisitor<T>(std::marker::PhantomData<T>);

    impl<T: Unsigned> WholeVisitor<T> {
        fn from_u64<E: de::Error>(v: u64) -> Result<T, E> {
            T::try_from(v).map_err(|_| E::custom(format!("{v} is out of range")))
        }
    }

    impl<T: Unsigned> Visitor<'_> for WholeVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a whole number (integer, or a float without a fraction)")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            Self::from_u64(v)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            let v = u64::try_from(v).map_err(|_| E::custom(format!("{v} is negative")))?;
            Self::from_u64(v)
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
            // 2^53: beyond it a float no longer names one integer.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            if v.is_finite() && v.fract() == 0.0 && (0.0..=EXACT).contains(&v) {
                // Whole and within 0..=2^53: the conversion is exact.
                let whole = v as u64;
                Self::from_u64(whole)
            } else {
                Err(E::custom(format!("{v} is not a whole number")))
            }
        }
    }

    /// For `Option<u32>` / `Option<u64>` fields (with `#[serde(default)]`): `null` and a missing
    /// field are `None`.
    pub fn option<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Unsigned,
    {
        struct OptionVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Unsigned> Visitor<'de> for OptionVisitor<T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a whole number or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Option<T>, D2::Error> {
                d.deserialize_any(WholeVisitor(std::marker::PhantomData))
                    .map(Some)
            }
        }
        d.deserialize_option(OptionVisitor(std::marker::PhantomData))
    }
}

/// One object of a list, read on its own: `null`, readable, or not (with serde's reason, which
/// names a field and a position, never a value). One odd object never fails its list.
#[derive(Debug, Clone)]
pub(crate) enum Lenient<T> {
    Null,
    Read(T),
    Unreadable(String),
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        if value.is_null() {
            return Ok(Lenient::Null);
        }
        Ok(match T::deserialize(value) {
            Ok(t) => Lenient::Read(t),
            Err(e) => Lenient::Unreadable(without_values(&e.to_string())),
        })
    }
}

/// A serde message without the offending value (`invalid type: string "My title", expected
/// u32` names a title): reasons are reported and logged, and logs never hold content.
fn without_values(message: &str) -> String {
    match message.find(", expected ") {
        Some(at) if message.starts_with("invalid") => {
            format!(
                "a value of the wrong type or range ({})",
                &message[at + 2..]
            )
        }
        _ => message.to_owned(),
    }
}

impl<T> Lenient<T> {
    pub fn into_option(self) -> Option<T> {
        match self {
            Lenient::Read(t) => Some(t),
            Lenient::Null | Lenient::Unreadable(_) => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UserObject {
    pub id: String,
    pub display_name: Option<String>,
    pub country: Option<String>,
    pub product: Option<String>,
}

/// A paging object. Items may be `null` (Spotify sends null playlists in listings now and
/// then) or odd (`"id": null`), so each is read on its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(bound(deserialize = "T: serde::de::DeserializeOwned"))]
pub(crate) struct Paging<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<Lenient<T>>,
    #[serde(default, deserialize_with = "whole::option")]
    pub total: Option<u32>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct OwnerObject {
    pub id: Option<String>,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TotalRef {
    #[serde(default, deserialize_with = "whole::option")]
    pub total: Option<u32>,
}

/// `SimplifiedPlaylistObject` and `PlaylistObject` alike (the client projects away the rest).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PlaylistObject {
    /// `null` in the wild (a 2014 "Starred" entry): such a playlist is skipped, not fatal.
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub owner: Option<OwnerObject>,
    pub snapshot_id: Option<String>,
    pub public: Option<bool>,
    pub collaborative: Option<bool>,
    /// The current generation's `{href,total}` (or a page of it, in details).
    pub items: Option<TotalRef>,
    /// The legacy generation's.
    pub tracks: Option<TotalRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SnapshotOnly {
    pub snapshot_id: Option<String>,
}

/// `PlaylistTrackObject`: the content is under `item` (`/items`) or `track` (`/tracks`),
/// and is a track, an episode, a local file, or `null`. It stays raw JSON until its `type`
/// is known.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PlaylistEntryObject {
    pub added_at: Option<String>,
    pub added_by: Option<OwnerObject>,
    pub is_local: Option<bool>,
    pub item: Option<serde_json::Value>,
    pub track: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ExternalIds {
    pub isrc: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LinkedFrom {
    pub id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SimplifiedArtist {
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SimplifiedAlbum {
    pub id: Option<String>,
    pub name: Option<String>,
    pub album_type: Option<String>,
    pub release_date: Option<String>,
    pub release_date_precision: Option<String>,
    #[serde(default)]
    pub artists: Vec<SimplifiedArtist>,
}

/// `TrackObject`, full or projected.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TrackObject {
    pub id: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub is_local: Option<bool>,
    pub is_playable: Option<bool>,
    #[serde(default, deserialize_with = "whole::option")]
    pub duration_ms: Option<u32>,
    pub explicit: Option<bool>,
    #[serde(default, deserialize_with = "whole::option")]
    pub popularity: Option<u32>,
    #[serde(default, deserialize_with = "whole::option")]
    pub track_number: Option<u32>,
    #[serde(default, deserialize_with = "whole::option")]
    pub disc_number: Option<u32>,
    pub external_ids: Option<ExternalIds>,
    pub linked_from: Option<LinkedFrom>,
    pub available_markets: Option<Vec<String>>,
    #[serde(default)]
    pub artists: Vec<SimplifiedArtist>,
    pub album: Option<SimplifiedAlbum>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Followers {
    #[serde(default, deserialize_with = "whole::option")]
    pub total: Option<u64>,
}

/// `ArtistObject`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ArtistObject {
    pub id: Option<String>,
    pub name: Option<String>,
    pub genres: Option<Vec<String>>,
    #[serde(default, deserialize_with = "whole::option")]
    pub popularity: Option<u32>,
    pub followers: Option<Followers>,
}

/// `AlbumObject`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AlbumObject {
    pub id: Option<String>,
    pub name: Option<String>,
    pub album_type: Option<String>,
    pub release_date: Option<String>,
    pub release_date_precision: Option<String>,
    pub label: Option<String>,
    #[serde(default, deserialize_with = "whole::option")]
    pub popularity: Option<u32>,
    #[serde(default, deserialize_with = "whole::option")]
    pub total_tracks: Option<u32>,
    pub genres: Option<Vec<String>>,
    #[serde(default)]
    pub artists: Vec<SimplifiedArtist>,
}

/// `{"tracks": [...]}`, `{"artists": [...]}`, `{"albums": [...]}`: one slot per id asked,
/// `null` for unknown ids; an object Syncer cannot read counts as unknown, not as a failed batch.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SeveralTracks {
    #[serde(default)]
    pub tracks: Vec<Lenient<TrackObject>>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SeveralArtists {
    #[serde(default)]
    pub artists: Vec<Lenient<ArtistObject>>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SeveralAlbums {
    #[serde(default)]
    pub albums: Vec<Lenient<AlbumObject>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_sent_as_floats_are_read_everywhere() {
        let track: TrackObject = serde_json::from_str(
            r#"{"id":"t1","duration_ms":33920.0,"track_number":1.0,"disc_number":1,
                "popularity":null}"#,
        )
        .unwrap();
        assert_eq!(track.duration_ms, Some(33_920));
        assert_eq!(track.track_number, Some(1));
        assert_eq!(track.disc_number, Some(1));
        assert_eq!(track.popularity, None);
        let artist: ArtistObject =
            serde_json::from_str(r#"{"id":"a","followers":{"total":1234567.0},"popularity":50.0}"#)
                .unwrap();
        assert_eq!(artist.followers.unwrap().total, Some(1_234_567));
        let page: Paging<PlaylistObject> =
            serde_json::from_str(r#"{"items":[],"total":3.0,"next":null}"#).unwrap();
        assert_eq!(page.total, Some(3));
        // A fraction or a negative number is still refused, with the field named.
        for bad in [
            r#"{"duration_ms":1.5}"#,
            r#"{"duration_ms":-1}"#,
            r#"{"duration_ms":"1"}"#,
        ] {
            let err = serde_json::from_str::<TrackObject>(bad).unwrap_err();
            assert!(!err.to_string().is_empty());
        }
        let err = serde_json::from_str::<TrackObject>(r#"{"duration_ms":1e20}"#).unwrap_err();
        assert!(err.to_string().contains("whole number"), "{err}");
    }

    #[test]
    fn one_odd_object_does_not_fail_its_page() {
        let page: Paging<PlaylistObject> = serde_json::from_str(
            r#"{"items":[{"id":null,"name":"Starred"},null,{"id":"p1","name":"ok"},
                {"id":"p2","name":7}],"total":4}"#,
        )
        .unwrap();
        assert!(matches!(&page.items[0], Lenient::Read(p) if p.id.is_none()));
        assert!(matches!(page.items[1], Lenient::Null));
        assert!(matches!(&page.items[2], Lenient::Read(p) if p.id.as_deref() == Some("p1")));
        assert!(
            matches!(&page.items[3], Lenient::Unreadable(why) if why.contains("expected a string"))
        );
        let odd: Paging<PlaylistObject> =
            serde_json::from_str(r#"{"items":[{"id":"p","name":"x","public":"My secret title"}]}"#)
                .unwrap();
        let Lenient::Unreadable(why) = &odd.items[0] else {
            panic!("{odd:?}")
        };
        assert!(!why.contains("secret"), "{why}");
    }
}
