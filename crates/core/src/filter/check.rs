//! Checking a filter against what a connection can provide, before a sync.
//!
//! A rule on a field no source can fill would be Unknown for every track, so the child would
//! silently stay empty. This check names such fields up front, with the reason, so the user can
//! change the filter (or the app) instead of wondering. The caller fills
//! [`FieldAvailability`] from the connection's recorded capabilities.

use super::field::Field;
use super::model::{FieldUse, Filter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// Whether a connection's sources can provide a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Availability {
    Available,
    /// No reachable source provides it; `reason` is shown to the user.
    Unavailable {
        reason: String,
    },
    /// Not yet probed: it may turn out unknown for every track.
    NotYetKnown,
}

/// What a connection can provide, field by field. Fields not set are [`Availability::Available`]
/// (most fields come with every playlist item).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldAvailability {
    fields: BTreeMap<Field, Availability>,
}

impl FieldAvailability {
    /// Everything available.
    pub fn all_available() -> FieldAvailability {
        FieldAvailability::default()
    }

    pub fn set(&mut self, field: Field, availability: Availability) -> &mut Self {
        self.fields.insert(field, availability);
        self
    }

    pub fn get(&self, field: Field) -> &Availability {
        const AVAILABLE: Availability = Availability::Available;
        self.fields.get(&field).unwrap_or(&AVAILABLE)
    }

    /// A Spotify app in Development Mode (since February 2026): no track or artist
    /// popularity, no album label, and artist genres missing in practice (album genres are
    /// empty on Spotify anyway).
    pub fn spotify_development_mode() -> FieldAvailability {
        let omitted = |what: &str| Availability::Unavailable {
            reason: format!(
                "Spotify no longer sends {what} to apps in Development Mode (since February \
                 2026); an app with extended quota receives it"
            ),
        };
        let genres = || Availability::Unavailable {
            reason: "Spotify's artist genres are deprecated and come back empty for apps in \
                     Development Mode, so no track's genres can be known"
                .into(),
        };
        let mut a = FieldAvailability::default();
        a.set(Field::Popularity, omitted("track popularity"))
            .set(Field::ArtistPopularity, omitted("artist popularity"))
            .set(Field::Label, omitted("album labels"))
            .set(Field::Genre, genres())
            .set(Field::ArtistGenre, genres())
            .set(Field::AlbumGenre, genres());
        a
    }
}

/// A field the filter uses that may not be known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldProblem {
    pub field: Field,
    /// Where the filter uses it (rules, order, dedupe, ...).
    pub uses: Vec<FieldUse>,
    pub availability: Availability,
}

impl FieldProblem {
    /// Whether the field cannot be known at all (rather than not yet known).
    pub fn is_blocking(&self) -> bool {
        matches!(self.availability, Availability::Unavailable { .. })
    }
}

/// Lists the fields `filter` uses that `available` cannot promise, in field order.
pub fn check_availability(filter: &Filter, available: &FieldAvailability) -> Vec<FieldProblem> {
    let mut problems: Vec<FieldProblem> = Vec::new();
    for (field, usage) in filter.field_uses() {
        let availability = available.get(field);
        if *availability == Availability::Available {
            continue;
        }
        match problems.last_mut() {
            Some(p) if p.field == field => p.uses.push(usage),
            _ => problems.push(FieldProblem {
                field,
                uses: vec![usage],
                availability: availability.clone(),
            }),
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::query::parse;

    #[test]
    fn development_mode_reports_popularity_and_genres_with_reasons() {
        let f = parse("genre:rock popularity:>50 year:2015 | limit 10 by -popularity").unwrap();
        let problems = check_availability(&f, &FieldAvailability::spotify_development_mode());
        let fields: Vec<Field> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, vec![Field::Genre, Field::Popularity]);
        assert_eq!(problems[1].uses, vec![FieldUse::Rule, FieldUse::Order]);
        assert!(problems.iter().all(FieldProblem::is_blocking));
        match &problems[0].availability {
            Availability::Unavailable { reason } => assert!(reason.contains("Development Mode")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn not_yet_known_is_reported_but_not_blocking() {
        let f = parse("isrc:^GB | dedupe isrc").unwrap();
        let mut a = FieldAvailability::all_available();
        assert!(check_availability(&f, &a).is_empty());
        a.set(Field::Isrc, Availability::NotYetKnown);
        let problems = check_availability(&f, &a);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].uses, vec![FieldUse::Rule, FieldUse::Dedupe]);
        assert!(!problems[0].is_blocking());
    }
}
