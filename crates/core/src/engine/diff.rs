//! The per-child diff: from what a child holds to what its filter wants, with as few write
//! requests as the provider's operations allow, keeping the wanted order.
//!
//! Writes are "remove every occurrence of these ids" and "insert these ids at a position"
//! (or "replace everything"). So the plan is: remove what must go, then insert the new ids in
//! runs at the positions that keep the wanted order. When the kept tracks are out of order
//! (a child sorted by popularity whose order shifted), or when scattered insertions would cost
//! more requests than rewriting the child, the plan is one replace of the whole final list.
//!
//! Tracks Syncer did not put in a child (the user added them by hand) are kept where they are
//! unless the child is a strict mirror.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::TrackId;

/// The most ids one write request carries (Spotify's limit for adds and removes).
pub const WRITE_BATCH: usize = 100;

/// Whether a child may hold tracks its filter does not want.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MirrorMode {
    /// Remove only tracks Syncer added; tracks the user added by hand stay.
    #[default]
    KeepUserTracks,
    /// The child is exactly what the filter wants.
    Strict,
}

impl MirrorMode {
    pub fn as_str(self) -> &'static str {
        match self {
            MirrorMode::KeepUserTracks => "keep_user_tracks",
            MirrorMode::Strict => "strict",
        }
    }

    pub fn parse(text: &str) -> Option<MirrorMode> {
        match text {
            "keep_user_tracks" | "keep" => Some(MirrorMode::KeepUserTracks),
            "strict" => Some(MirrorMode::Strict),
            _ => None,
        }
    }
}

/// Ids inserted together at one position of the list as it is when the insertion runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insertion {
    pub position: u32,
    pub tracks: Vec<TrackId>,
}

/// How the child is written after the removals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Writes {
    /// Removals (every occurrence of each id), then insertions in order, each at most
    /// [`WRITE_BATCH`] ids.
    Incremental {
        removes: Vec<TrackId>,
        inserts: Vec<Insertion>,
    },
    /// The whole child rewritten as the final list.
    Replace,
}

/// What to do to one child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildDiff {
    pub writes: Writes,
    /// The child's contents once the writes are done.
    pub final_list: Vec<TrackId>,
    /// Ids that leave the child (distinct).
    pub removed: Vec<TrackId>,
    /// Ids that enter the child (distinct).
    pub added: Vec<TrackId>,
    /// Tracks kept although the filter does not want them (the user added them).
    pub kept_user_tracks: usize,
}

impl ChildDiff {
    pub fn is_noop(&self) -> bool {
        self.removed.is_empty() && self.added.is_empty() && !matches!(self.writes, Writes::Replace)
    }

    /// Write requests this plan costs.
    pub fn requests(&self) -> usize {
        match &self.writes {
            Writes::Incremental { removes, inserts } => {
                removes.len().div_ceil(WRITE_BATCH) + inserts.len()
            }
            Writes::Replace => replace_cost(self.final_list.len()),
        }
    }
}

fn replace_cost(len: usize) -> usize {
    len.div_ceil(WRITE_BATCH).max(1)
}

/// Plans one child. `current` is the child's list in order (duplicates possible), `wanted`
/// the filter's result in order, `managed` the ids Syncer put in this child.
pub fn diff_child(
    current: &[TrackId],
    wanted: &[TrackId],
    managed: &HashSet<TrackId>,
    mirror: MirrorMode,
) -> ChildDiff {
    // The wanted list as a child can hold it: each id once, first occurrence wins.
    let mut wanted_index: HashMap<&TrackId, usize> = HashMap::with_capacity(wanted.len());
    let mut target: Vec<&TrackId> = Vec::with_capacity(wanted.len());
    for id in wanted {
        if !wanted_index.contains_key(id) {
            wanted_index.insert(id, target.len());
            target.push(id);
        }
    }

    let mut removed: Vec<TrackId> = Vec::new();
    let mut removed_set: HashSet<&TrackId> = HashSet::new();
    for id in current {
        let unwanted = !wanted_index.contains_key(id);
        let ours = mirror == MirrorMode::Strict || managed.contains(id);
        if unwanted && ours && removed_set.insert(id) {
            removed.push(id.clone());
        }
    }
    let after: Vec<&TrackId> = current
        .iter()
        .filter(|id| !removed_set.contains(id))
        .collect();
    let kept_user_tracks = after
        .iter()
        .filter(|id| !wanted_index.contains_key(*id))
        .count();

    let present: HashSet<&TrackId> = after.iter().copied().collect();
    let added: Vec<TrackId> = target
        .iter()
        .filter(|id| !present.contains(*id))
        .map(|id| (*id).clone())
        .collect();

    let final_list = merge_final(&target, &after, &wanted_index);
    let in_order = kept_in_wanted_order(&after, &wanted_index);
    let incremental = in_order.then(|| {
        let inserts = plan_insertions(&target, &after, &present, &wanted_index);
        Writes::Incremental {
            removes: removed.clone(),
            inserts,
        }
    });
    let mut diff = ChildDiff {
        writes: Writes::Replace,
        final_list,
        removed,
        added,
        kept_user_tracks,
    };
    if let Some(writes) = incremental {
        let candidate = ChildDiff {
            writes,
            ..diff.clone()
        };
        // A duplicate of a wanted id cannot be removed alone (removal takes every
        // occurrence), so a strict mirror with duplicates is rewritten.
        let strict_dupes = mirror == MirrorMode::Strict
            && candidate.final_list.len() != after.len() + candidate.added.len();
        if !strict_dupes && candidate.requests() <= replace_cost(diff.final_list.len()) {
            diff = candidate;
        }
    }
    if mirror == MirrorMode::Strict && diff.writes == Writes::Replace {
        // Replace yields exactly the final list; nothing else to account for.
        diff.kept_user_tracks = 0;
    }
    diff
}

/// Whether the kept wanted tracks already stand in the wanted order, each once.
fn kept_in_wanted_order(after: &[&TrackId], wanted_index: &HashMap<&TrackId, usize>) -> bool {
    let mut last: Option<usize> = None;
    for id in after {
        if let Some(&i) = wanted_index.get(id) {
            if last.is_some_and(|l| l >= i) {
                return false;
            }
            last = Some(i);
        }
    }
    true
}

/// Insertion runs: each new id goes right after the wanted id before it (or at the head).
fn plan_insertions(
    target: &[&TrackId],
    after: &[&TrackId],
    present: &HashSet<&TrackId>,
    wanted_index: &HashMap<&TrackId, usize>,
) -> Vec<Insertion> {
    let mut inserts: Vec<Insertion> = Vec::new();
    // `cursor` walks `after`; `inserted` counts ids already inserted before it.
    let mut cursor = 0usize;
    let mut inserted = 0usize;
    for id in target {
        if present.contains(id) {
            while cursor < after.len() && after[cursor] != *id {
                cursor += 1;
            }
            cursor = (cursor + 1).min(after.len());
            continue;
        }
        // Past the user's own tracks that follow the anchor: they stay with it.
        while cursor < after.len() && !wanted_index.contains_key(after[cursor]) {
            cursor += 1;
        }
        let position = cursor + inserted;
        let extend = inserts.last().is_some_and(|run| {
            run.position as usize + run.tracks.len() == position && run.tracks.len() < WRITE_BATCH
        });
        if extend {
            if let Some(run) = inserts.last_mut() {
                run.tracks.push((*id).clone());
            }
        } else {
            inserts.push(Insertion {
                position: u32::try_from(position).unwrap_or(u32::MAX),
                tracks: vec![(*id).clone()],
            });
        }
        inserted += 1;
    }
    inserts
}

/// The final list: the wanted tracks in order, each user-kept track right after the wanted
/// track it followed (or first, when none did).
fn merge_final(
    target: &[&TrackId],
    after: &[&TrackId],
    wanted_index: &HashMap<&TrackId, usize>,
) -> Vec<TrackId> {
    let mut head: Vec<TrackId> = Vec::new();
    let mut anchored: HashMap<usize, Vec<TrackId>> = HashMap::new();
    let mut anchor: Option<usize> = None;
    for id in after {
        match wanted_index.get(id) {
            Some(&i) => anchor = Some(i),
            None => match anchor {
                Some(a) => anchored.entry(a).or_default().push((*id).clone()),
                None => head.push((*id).clone()),
            },
        }
    }
    let mut out = head;
    for (i, id) in target.iter().enumerate() {
        out.push((*id).clone());
        if let Some(users) = anchored.remove(&i) {
            out.extend(users);
        }
    }
    out
}

/// Applies a plan to a list as the provider would: what the child holds afterwards.
pub fn apply(current: &[TrackId], diff: &ChildDiff) -> Vec<TrackId> {
    match &diff.writes {
        Writes::Replace => diff.final_list.clone(),
        Writes::Incremental { removes, inserts } => {
            let gone: HashSet<&TrackId> = removes.iter().collect();
            let mut list: Vec<TrackId> = current
                .iter()
                .filter(|id| !gone.contains(id))
                .cloned()
                .collect();
            for run in inserts {
                let at = (run.position as usize).min(list.len());
                list.splice(at..at, run.tracks.iter().cloned());
            }
            list
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &str) -> Vec<TrackId> {
        s.split_whitespace().map(TrackId::from).collect()
    }

    fn set(s: &str) -> HashSet<TrackId> {
        ids(s).into_iter().collect()
    }

    #[test]
    fn cold_child_is_appended_in_batches() {
        let wanted: Vec<TrackId> = (0..250).map(|i| TrackId::new(format!("t{i}"))).collect();
        let d = diff_child(&[], &wanted, &HashSet::new(), MirrorMode::KeepUserTracks);
        assert_eq!(d.requests(), 3);
        assert_eq!(d.added.len(), 250);
        assert_eq!(apply(&[], &d), wanted);
    }

    #[test]
    fn unchanged_child_costs_nothing() {
        let cur = ids("a b c");
        let d = diff_child(&cur, &cur, &set("a b c"), MirrorMode::KeepUserTracks);
        assert!(d.is_noop());
        assert_eq!(d.requests(), 0);
    }

    #[test]
    fn user_tracks_stay_and_managed_ones_go() {
        let cur = ids("a u1 b c");
        let d = diff_child(
            &cur,
            &ids("a c d"),
            &set("a b c"),
            MirrorMode::KeepUserTracks,
        );
        assert_eq!(d.removed, ids("b"));
        assert_eq!(d.added, ids("d"));
        assert_eq!(d.kept_user_tracks, 1);
        assert_eq!(apply(&cur, &d), ids("a u1 c d"));
        assert_eq!(d.final_list, ids("a u1 c d"));
        // One rewrite of four tracks is cheaper than a removal plus an insertion.
        assert_eq!(d.writes, Writes::Replace);
        assert_eq!(d.requests(), 1);
    }

    #[test]
    fn strict_mirror_removes_user_tracks() {
        let cur = ids("a u1 b");
        let d = diff_child(&cur, &ids("a b"), &set("a b"), MirrorMode::Strict);
        assert_eq!(d.removed, ids("u1"));
        assert_eq!(apply(&cur, &d), ids("a b"));
    }

    #[test]
    fn insertions_keep_the_wanted_order() {
        let cur = ids("a c e");
        let d = diff_child(
            &cur,
            &ids("a b c d e f"),
            &set("a c e"),
            MirrorMode::KeepUserTracks,
        );
        assert_eq!(apply(&cur, &d), ids("a b c d e f"));
    }

    #[test]
    fn out_of_order_children_are_rewritten() {
        let cur = ids("c b a");
        let d = diff_child(
            &cur,
            &ids("a b c"),
            &set("a b c"),
            MirrorMode::KeepUserTracks,
        );
        assert_eq!(d.writes, Writes::Replace);
        assert_eq!(d.final_list, ids("a b c"));
    }

    #[test]
    fn random_lists_converge() {
        // A small deterministic generator: the same cases on every machine.
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for _ in 0..300 {
            let pool: Vec<TrackId> = (0..30).map(|i| TrackId::new(format!("t{i}"))).collect();
            let cur: Vec<TrackId> = (0..next(20))
                .map(|_| pool[next(30) as usize].clone())
                .collect();
            let mut wanted: Vec<TrackId> = pool.iter().filter(|_| next(2) == 0).cloned().collect();
            wanted.dedup();
            let managed: HashSet<TrackId> = cur.iter().filter(|_| next(3) > 0).cloned().collect();
            for mirror in [MirrorMode::KeepUserTracks, MirrorMode::Strict] {
                let d = diff_child(&cur, &wanted, &managed, mirror);
                let out = apply(&cur, &d);
                assert_eq!(out, d.final_list, "{cur:?} -> {wanted:?}");
                // Every wanted id present, in order.
                let only_wanted: Vec<&TrackId> =
                    out.iter().filter(|t| wanted.contains(t)).collect();
                let mut seen = HashSet::new();
                let firsts: Vec<&TrackId> = only_wanted
                    .into_iter()
                    .filter(|t| seen.insert(*t))
                    .collect();
                assert_eq!(firsts, wanted.iter().collect::<Vec<_>>());
                // No user track lost unless strict.
                if mirror == MirrorMode::KeepUserTracks {
                    for t in &cur {
                        if !managed.contains(t) {
                            assert!(out.contains(t));
                        }
                    }
                }
            }
        }
    }
}
