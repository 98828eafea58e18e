//! Reading the library lists that `liked` and `in:` rules name, once per sync.
//!
//! Two steps, so that an unchanged sync stays cheap:
//! 1. [`resolve`]: each list's current version. Liked Songs costs one request (its change
//!    token); all `in:` playlists together cost the playlist listing (one request per 50
//!    playlists), which also resolves names to ids. The versions go into the fingerprint, so a
//!    change to an exclusion list re-routes the base even when the base did not change.
//! 2. [`read`]: the members of each list, only when routing happens, and only for lists whose
//!    version differs from the one remembered (ids only, in SQLite): an unchanged exclusion
//!    list costs nothing more.
//!
//! A list that cannot be found (deleted, renamed, or a name two playlists share) is not
//! dropped: it becomes [`Membership::Missing`] and the children naming it wait with the reason.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use crate::engine::model::{BaseSetup, KnownContents};
use crate::engine::run::EngineError;
use crate::engine::storage::SyncStorage;
use crate::filter::library::{Library, LibraryRefs, Membership, name_matches};
use crate::ids::{ConnectionId, PlaylistId, SnapshotId, TrackId};
use crate::provider::{MusicProvider, PlaylistInfo, PlaylistItems, ProviderError};

/// A list a rule names, found (with its id and version) or not (with why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Found {
        id: PlaylistId,
        snapshot: SnapshotId,
    },
    Missing(String),
}

/// Every list the children of a base read, with its current version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedLists {
    pub liked: Option<Resolved>,
    /// By the reference as written in the rules.
    pub playlists: BTreeMap<String, Resolved>,
}

impl ResolvedLists {
    pub fn is_empty(&self) -> bool {
        self.liked.is_none() && self.playlists.is_empty()
    }

    /// A stable text of every list's identity and version (or why it is missing): part of the
    /// fingerprint that decides whether a base needs routing again.
    pub fn fingerprint(&self) -> String {
        let one = |r: &Resolved| match r {
            Resolved::Found { id, snapshot } => format!("{id}@{snapshot}"),
            Resolved::Missing(why) => format!("missing:{why}"),
        };
        let mut out = String::new();
        if let Some(liked) = &self.liked {
            out.push_str(&format!("liked={};", one(liked)));
        }
        for (name, r) in &self.playlists {
            out.push_str(&format!("in:{name}={};", one(r)));
        }
        out
    }
}

/// The lists the children of `setup` name.
pub fn refs_of(setup: &BaseSetup) -> LibraryRefs {
    let mut refs = LibraryRefs::default();
    for child in &setup.children {
        refs.add(&child.filter);
    }
    refs
}

/// Why the Liked Songs of a connection cannot be read, in the user's words.
fn liked_unreadable(e: &ProviderError) -> Option<String> {
    match e {
        ProviderError::MissingScope { .. } => Some(format!(
            "{e} (the `liked` rule needs it; until then the child waits)"
        )),
        _ => None,
    }
}

/// Step 1: the current version of each list `refs` names. `base` is the base being synced:
/// a rule naming the base itself reads what is already being read.
pub async fn resolve<P: MusicProvider>(
    provider: &P,
    connection: &ConnectionId,
    base: &PlaylistId,
    base_snapshot: &SnapshotId,
    refs: &LibraryRefs,
) -> Result<ResolvedLists, EngineError> {
    let mut out = ResolvedLists::default();
    if refs.liked {
        let id = PlaylistId::liked_songs(connection);
        out.liked = Some(if &id == base {
            Resolved::Found {
                id,
                snapshot: base_snapshot.clone(),
            }
        } else {
            match provider.snapshot_id(&id).await {
                Ok(snapshot) => Resolved::Found { id, snapshot },
                Err(e) => match liked_unreadable(&e) {
                    Some(why) => Resolved::Missing(why),
                    None => return Err(e.into()),
                },
            }
        });
    }
    if !refs.playlists.is_empty() {
        let listing = provider.all_playlists().await?;
        for reference in &refs.playlists {
            out.playlists
                .insert(reference.clone(), find(&listing, reference));
        }
    }
    Ok(out)
}

/// One reference among the user's playlists: an exact id first, then a name (forgiving of
/// case and accents). Two playlists of that name is not a guess Syncer makes.
pub fn find(listing: &[PlaylistInfo], reference: &str) -> Resolved {
    let reference = reference.trim();
    let found = |p: &PlaylistInfo| Resolved::Found {
        id: p.id.clone(),
        snapshot: p.snapshot_id.clone(),
    };
    if let Some(p) = listing.iter().find(|p| p.id.as_str() == reference) {
        return found(p);
    }
    let named: Vec<&PlaylistInfo> = listing
        .iter()
        .filter(|p| name_matches(reference, &p.name))
        .collect();
    match named.as_slice() {
        [one] => found(one),
        [] => Resolved::Missing(format!(
            "no playlist of this connection is called \"{reference}\" any more (deleted or \
             renamed?); edit the rule to name another, or remove it"
        )),
        several => Resolved::Missing(format!(
            "{} playlists are called \"{reference}\"; name the one you mean by its id ({})",
            several.len(),
            several
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Checks, when a filter is saved, that each playlist its `in:` rules name is one playlist of
/// the connection: the lookup a sync does, with a close name offered for a typo. The error is
/// worded for the user.
pub fn check_refs(listing: &[PlaylistInfo], refs: &LibraryRefs) -> Result<(), String> {
    for reference in &refs.playlists {
        let Resolved::Missing(why) = find(listing, reference) else {
            continue;
        };
        let named = listing.iter().any(|p| name_matches(reference, &p.name));
        if named {
            // Several of that name: `find` says which ids.
            return Err(why);
        }
        let lower: Vec<(String, &str)> = listing
            .iter()
            .map(|p| (p.name.to_lowercase(), p.name.as_str()))
            .collect();
        let close = crate::filter::query::did_you_mean(
            reference.trim(),
            lower.iter().map(|(l, n)| (l.as_str(), *n)),
        );
        return Err(match close {
            Some(name) => format!(
                "no playlist of this connection is called \"{}\"; did you mean \"{name}\"?",
                reference.trim()
            ),
            None => format!(
                "no playlist of this connection is called \"{}\" (name it as the service \
                 shows it, or by its id)",
                reference.trim()
            ),
        });
    }
    Ok(())
}

/// Step 2: the members of each found list, from what is remembered when its version has not
/// changed, else read from the service (and remembered). `base_items` are the base's entries
/// when already read: a rule naming the base itself costs nothing more.
pub async fn read<P: MusicProvider, S: SyncStorage>(
    provider: &P,
    storage: &S,
    connection: &ConnectionId,
    lists: &ResolvedLists,
    base: &PlaylistId,
    base_items: &PlaylistItems,
) -> Result<Library, EngineError> {
    let mut library = Library::default();
    // One read per distinct list, however many references name it (a name and its id).
    let mut read_once: BTreeMap<PlaylistId, Membership> = BTreeMap::new();
    let mut members = async |r: &Resolved| -> Result<Membership, EngineError> {
        let (id, snapshot) = match r {
            Resolved::Found { id, snapshot } => (id, snapshot),
            Resolved::Missing(why) => return Ok(Membership::Missing(why.clone())),
        };
        if let Some(m) = read_once.get(id) {
            return Ok(m.clone());
        }
        let ids: HashSet<TrackId> = if id == base {
            base_items.tracks().map(|t| t.id.clone()).collect()
        } else {
            match storage.list_contents(connection, id).await? {
                Some(known) if &known.snapshot == snapshot => known.tracks.into_iter().collect(),
                _ => match provider.playlist_items(id).await {
                    Ok(items) => {
                        let tracks: Vec<TrackId> = items.tracks().map(|t| t.id.clone()).collect();
                        storage
                            .set_list_contents(
                                connection,
                                id,
                                &KnownContents {
                                    snapshot: snapshot.clone(),
                                    tracks: tracks.clone(),
                                },
                            )
                            .await?;
                        tracks.into_iter().collect()
                    }
                    // Deleted between the listing and the read: the child waits.
                    Err(ProviderError::NotFound { .. }) => {
                        return Ok(Membership::Missing(
                            "the playlist was deleted; edit the rule to name another, or \
                             remove it"
                                .into(),
                        ));
                    }
                    Err(e) => match liked_unreadable(&e) {
                        Some(why) => return Ok(Membership::Missing(why)),
                        None => return Err(e.into()),
                    },
                },
            }
        };
        let m = Membership::Known(Arc::new(ids));
        read_once.insert(id.clone(), m.clone());
        Ok(m)
    };
    if let Some(liked) = &lists.liked {
        library.liked = Some(members(liked).await?);
    }
    for (reference, r) in &lists.playlists {
        library
            .playlists
            .insert(reference.clone(), members(r).await?);
    }
    Ok(library)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, name: &str) -> PlaylistInfo {
        PlaylistInfo {
            id: PlaylistId::new(id),
            name: name.into(),
            description: None,
            owner_id: None,
            owner_name: None,
            snapshot_id: SnapshotId::new(format!("{id}-v1")),
            total_items: None,
            public: None,
            collaborative: false,
        }
    }

    #[test]
    fn references_resolve_by_id_then_by_name_and_never_guess() {
        let listing = [
            info("p1", "Gym"),
            info("p2", "gym"),
            info("p3", "Not for the gym"),
        ];
        assert_eq!(
            find(&listing, "p2"),
            Resolved::Found {
                id: PlaylistId::new("p2"),
                snapshot: SnapshotId::new("p2-v1")
            }
        );
        assert!(
            matches!(find(&listing, " not for the GYM "), Resolved::Found { id, .. } if id.as_str() == "p3")
        );
        let Resolved::Missing(why) = find(&listing, "Gym") else {
            panic!("two playlists are called Gym")
        };
        assert!(why.contains("p1, p2") && why.contains("by its id"), "{why}");
        let Resolved::Missing(why) = find(&listing, "Sleep") else {
            panic!("no playlist is called Sleep")
        };
        assert!(
            why.contains("\"Sleep\"") && why.contains("edit the rule"),
            "{why}"
        );
    }

    #[test]
    fn saving_a_filter_checks_its_playlists_and_offers_a_close_name() {
        let listing = [
            info("p1", "Gym"),
            info("p2", "gym"),
            info("p3", "Not for the gym"),
        ];
        let refs = |q: &str| LibraryRefs::of(&crate::filter::query::parse(q).unwrap());
        assert_eq!(
            check_refs(&listing, &refs("-in:p1 -in:\"Not for the gym\"")),
            Ok(())
        );
        let typo = check_refs(&listing, &refs("-in:\"Not for the gmy\"")).unwrap_err();
        assert!(typo.contains("did you mean \"Not for the gym\""), "{typo}");
        let twice = check_refs(&listing, &refs("-in:Gym")).unwrap_err();
        assert!(
            twice.contains("p1, p2") && twice.contains("by its id"),
            "{twice}"
        );
        let none = check_refs(&listing, &refs("in:Sleep")).unwrap_err();
        assert!(
            none.contains("\"Sleep\"") && !none.contains("did you mean"),
            "{none}"
        );
    }

    #[test]
    fn the_fingerprint_follows_every_version() {
        let mut lists = ResolvedLists::default();
        assert_eq!(lists.fingerprint(), "");
        lists.playlists.insert(
            "Gym".into(),
            Resolved::Found {
                id: PlaylistId::new("p1"),
                snapshot: SnapshotId::new("v1"),
            },
        );
        let before = lists.fingerprint();
        lists.playlists.insert(
            "Gym".into(),
            Resolved::Found {
                id: PlaylistId::new("p1"),
                snapshot: SnapshotId::new("v2"),
            },
        );
        assert_ne!(before, lists.fingerprint());
    }
}
