//! Rules about the user's library: `liked` and `in:"Playlist"`.
//!
//! Such rules do not read the track: they read other lists (Liked Songs, another playlist of
//! the connection). The engine reads each list once per sync, whatever the number of children
//! and rules naming it, and hands the memberships to [`super::compile`] through a [`Library`].
//! A list that could not be found is kept as [`Membership::Missing`] with the reason, so a
//! child naming it waits and says why instead of running without the rule.

use super::model::{Filter, Group, GroupMode, Node, Rule};
use super::normalize::fold;
use crate::filter::field::{BoolField, PlaylistField};
use crate::ids::TrackId;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// The library lists a set of filters reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LibraryRefs {
    /// Some rule asks `liked`.
    pub liked: bool,
    /// The playlists named by `in:` rules, as written (name or id).
    pub playlists: BTreeSet<String>,
}

impl LibraryRefs {
    pub fn is_empty(&self) -> bool {
        !self.liked && self.playlists.is_empty()
    }

    /// Adds what `filter` reads.
    pub fn add(&mut self, filter: &Filter) {
        fn walk(node: &Node, out: &mut LibraryRefs) {
            match node {
                Node::Rule(Rule::Bool {
                    field: BoolField::Liked,
                    ..
                }) => out.liked = true,
                Node::Rule(Rule::Playlist { playlist, .. }) => {
                    out.playlists.insert(playlist_key(playlist));
                }
                Node::Rule(_) => {}
                Node::Group(g) => g.children.iter().for_each(|c| walk(c, out)),
            }
        }
        walk(&filter.root, self);
    }

    /// What one filter reads.
    pub fn of(filter: &Filter) -> LibraryRefs {
        let mut refs = LibraryRefs::default();
        refs.add(filter);
        refs
    }
}

/// The key a playlist reference is looked up by: the text as written, trimmed. Names are
/// matched forgivingly (case, accents) when resolved; the key only has to be stable.
pub fn playlist_key(reference: &str) -> String {
    reference.trim().to_owned()
}

/// Whether `reference` names the playlist called `name`: forgiving of case and accents, as
/// text rules are by default.
pub fn name_matches(reference: &str, name: &str) -> bool {
    fold(reference.trim()) == fold(name.trim())
}

/// One list as read for a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    /// The ids of the tracks in the list.
    Known(Arc<HashSet<TrackId>>),
    /// The list could not be found or read: why, in words meant for the user.
    Missing(String),
}

/// The library lists read for one sync; what `liked` and `in:` rules compile against. A list
/// that was not read at all (a preview without a connection, a unit test) makes its rules
/// Unknown, never True or False.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Library {
    pub liked: Option<Membership>,
    /// By [`playlist_key`].
    pub playlists: HashMap<String, Membership>,
}

impl Library {
    pub fn playlist(&self, reference: &str) -> Option<&Membership> {
        self.playlists.get(&playlist_key(reference))
    }

    /// The lists `refs` names that are missing, with the reason, for a child's message.
    pub fn missing<'a>(&'a self, refs: &'a LibraryRefs) -> Vec<(String, &'a str)> {
        let mut out = Vec::new();
        if refs.liked
            && let Some(Membership::Missing(why)) = &self.liked
        {
            out.push(("Liked Songs".to_owned(), why.as_str()));
        }
        for p in &refs.playlists {
            if let Some(Membership::Missing(why)) = self.playlists.get(p) {
                out.push((p.clone(), why.as_str()));
            }
        }
        out
    }
}

/// The exclusion lists of a filter: the playlists named by top-level `-in:` rules ("never add
/// tracks that are in playlist X"), the simple form the window offers beside the rule builder.
pub fn exclusions(filter: &Filter) -> Vec<String> {
    top_level(filter)
        .iter()
        .filter_map(exclusion_of)
        .map(str::to_owned)
        .collect()
}

/// The same filter with exactly these exclusion lists (in this order), its other rules kept.
/// An existing exclusion of a list kept in `playlists` stays where it is.
pub fn with_exclusions(filter: &Filter, playlists: &[String]) -> Filter {
    let wanted: Vec<String> = playlists
        .iter()
        .map(|p| playlist_key(p))
        .filter(|p| !p.is_empty())
        .fold(Vec::new(), |mut acc, p| {
            if !acc.contains(&p) {
                acc.push(p);
            }
            acc
        });
    let mut children: Vec<Node> = top_level(filter)
        .iter()
        .filter(|n| exclusion_of(n).is_none_or(|p| wanted.iter().any(|w| w == p)))
        .cloned()
        .collect();
    let present: Vec<String> = children
        .iter()
        .filter_map(exclusion_of)
        .map(str::to_owned)
        .collect();
    for p in wanted {
        if !present.contains(&p) {
            children.push(Node::Group(Group::new(
                GroupMode::None,
                vec![Node::Rule(Rule::Playlist {
                    field: PlaylistField::In,
                    playlist: p,
                })],
            )));
        }
    }
    // One node stands alone, as the parser gives `-in:X` or `year:2020`.
    let root = if children.len() == 1 {
        children.remove(0)
    } else {
        Node::Group(Group::new(GroupMode::All, children))
    };
    Filter {
        root,
        post: filter.post.clone(),
    }
}

/// The nodes combined by `and` at the top of the filter.
fn top_level(filter: &Filter) -> Vec<Node> {
    match &filter.root {
        Node::Group(g) if g.mode == GroupMode::All => g.children.clone(),
        other => vec![other.clone()],
    }
}

/// `-in:X` (a NONE group holding one `in:` rule): its playlist.
fn exclusion_of(node: &Node) -> Option<&str> {
    match node {
        Node::Group(g) if g.mode == GroupMode::None && g.children.len() == 1 => {
            match &g.children[0] {
                Node::Rule(Rule::Playlist { playlist, .. }) => Some(playlist.as_str()),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::query::{format, parse};

    #[test]
    fn refs_collect_liked_and_playlists_once() {
        let f = parse(r#"liked (in:"Gym" or -in:" Gym ") -in:Chill"#).unwrap();
        let refs = LibraryRefs::of(&f);
        assert!(refs.liked);
        assert_eq!(
            refs.playlists.into_iter().collect::<Vec<_>>(),
            vec!["Chill".to_owned(), "Gym".to_owned()]
        );
        assert!(LibraryRefs::of(&parse("genre:rock").unwrap()).is_empty());
    }

    #[test]
    fn exclusions_are_read_and_written_at_the_top_level_only() {
        let f = parse(r#"genre:rock -in:"Not for the gym" (year:2020 or -in:Other)"#).unwrap();
        assert_eq!(exclusions(&f), vec!["Not for the gym".to_owned()]);
        let g = with_exclusions(&f, &["Not for the gym".into(), "Sleep".into()]);
        assert_eq!(
            format(&g),
            r#"genre:rock -in:"Not for the gym" (year:2020 OR -in:Other) -in:Sleep"#
        );
        let h = with_exclusions(&g, &["Sleep".into()]);
        assert_eq!(
            format(&h),
            r#"genre:rock (year:2020 OR -in:Other) -in:Sleep"#
        );
        let empty = with_exclusions(&parse("").unwrap(), &["Gym".into(), "Gym".into()]);
        assert_eq!(format(&empty), "-in:Gym");
        assert_eq!(exclusions(&empty), vec!["Gym".to_owned()]);
        let none = with_exclusions(&empty, &[]);
        assert_eq!(format(&none), "");
        let single = with_exclusions(&parse("year:2020").unwrap(), &[]);
        assert_eq!(format(&single), "year:2020");
    }

    fn ids(list: &[&str]) -> Membership {
        Membership::Known(Arc::new(list.iter().map(|s| TrackId::from(*s)).collect()))
    }

    fn verdicts(query: &str, library: Library) -> Vec<crate::filter::Truth> {
        use crate::filter::{EvalContext, FilterTrack, Timestamp, compile, prepare_all};
        let ctx = EvalContext::utc(Timestamp::from_unix_seconds(0)).with_library(Arc::new(library));
        let compiled = compile(&parse(query).unwrap(), &ctx).unwrap();
        prepare_all([FilterTrack::unknown("a", 1), FilterTrack::unknown("b", 2)])
            .iter()
            .map(|t| compiled.test(t))
            .collect()
    }

    #[test]
    fn membership_rules_read_the_lists_given() {
        use crate::filter::Truth::{False, True, Unknown};
        let lib = || Library {
            liked: Some(ids(&["a"])),
            playlists: [("Gym".to_owned(), ids(&["b"]))].into_iter().collect(),
        };
        assert_eq!(verdicts("liked", lib()), vec![True, False]);
        assert_eq!(verdicts("-liked", lib()), vec![False, True]);
        assert_eq!(verdicts("liked:false", lib()), vec![False, True]);
        assert_eq!(verdicts("in:Gym", lib()), vec![False, True]);
        assert_eq!(verdicts(r#"-in:" Gym""#, lib()), vec![True, False]);
        assert_eq!(verdicts("liked -in:Gym", lib()), vec![True, False]);
        // Not read at all: neither in nor out.
        assert_eq!(
            verdicts("liked", Library::default()),
            vec![Unknown, Unknown]
        );
        assert_eq!(
            verdicts("-in:Gym", Library::default()),
            vec![Unknown, Unknown]
        );
    }

    #[test]
    fn a_missing_list_refuses_to_compile_rather_than_dropping_the_rule() {
        use crate::filter::{CompileError, EvalContext, Timestamp, compile};
        let mut lib = Library::default();
        lib.playlists.insert(
            "Gym".into(),
            Membership::Missing("no playlist of this connection is called that".into()),
        );
        let ctx = EvalContext::utc(Timestamp::from_unix_seconds(0)).with_library(Arc::new(lib));
        let err = compile(&parse("genre:rock -in:Gym").unwrap(), &ctx).unwrap_err();
        assert!(matches!(err, CompileError::MissingList { .. }));
        assert!(err.to_string().contains("\"Gym\""), "{err}");
    }

    #[test]
    fn the_query_language_reads_and_writes_library_rules() {
        for q in [
            "liked",
            "liked:false",
            "-liked",
            "in:Gym",
            r#"-in:"Not for the gym""#,
        ] {
            assert_eq!(format(&parse(q).unwrap()), q);
        }
        assert_eq!(format(&parse("saved").unwrap()), "liked");
        assert_eq!(format(&parse("playlist:Gym").unwrap()), "in:Gym");
        for bad in [
            "in:",
            "in:=Gym",
            "in:<3",
            r#"in:"  ""#,
            "in.exact:Gym",
            "in.any:Gym",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(!err.expected.is_empty(), "{bad}");
        }
        let long = format!("in:{}", "x".repeat(201));
        assert!(parse(&long).is_err());
    }

    #[test]
    fn names_match_forgivingly() {
        assert!(name_matches("not for the GYM ", "Not for the gym"));
        assert!(name_matches("Beyonce", "Beyoncé"));
        assert!(!name_matches("Gym", "Gym 2"));
    }

    #[test]
    fn missing_lists_are_named() {
        let mut lib = Library::default();
        lib.playlists
            .insert("Gym".into(), Membership::Missing("it was deleted".into()));
        let refs = LibraryRefs::of(&parse("-in:Gym").unwrap());
        assert_eq!(lib.missing(&refs), vec![("Gym".into(), "it was deleted")]);
    }
}
