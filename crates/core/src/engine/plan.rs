//! Durable write plans: what a child must end with, stored before the first write.
//!
//! A remote playlist cannot be written atomically: a rewrite of 439 entries is one replace of
//! the first 100 and four appends, and the service, the network or the process may stop
//! between any two. So nothing a write needs lives only in memory. Before the first write to a
//! child, the engine stores a [`WritePlan`]: the list the child must end with (`target`, which
//! already holds every track the user added by hand), what Syncer means to take out (ids and
//! the positions they stood at), and the managed set once done. Writes then converge the
//! child on `target` from whatever it holds; a run that finds an unfinished plan re-reads the
//! child and converges again, so a plan finishes however many times it is interrupted, and
//! never from a half-written list.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::engine::diff::{ChildDiff, MirrorMode, diff_child};
use crate::engine::storage::SyncEventId;
use crate::ids::{ChildPlaylistId, TrackId};

/// What a plan is for: the event kind that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanPurpose {
    /// A sync routing the base into the child.
    Sync,
    /// An undo putting the child back as it was before a sync.
    Undo,
}

impl PlanPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanPurpose::Sync => "sync",
            PlanPurpose::Undo => "undo",
        }
    }
}

/// A track the plan takes out of the child, and where it stood when the plan was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRemoval {
    pub track: TrackId,
    pub positions: Vec<u32>,
}

/// One child's durable write plan. Ids and positions only: no titles, no names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WritePlan {
    /// The event (sync or undo) that made the plan.
    pub event: SyncEventId,
    pub child: ChildPlaylistId,
    pub purpose: PlanPurpose,
    /// The list the child must end with, in order, each id once.
    pub target: Vec<TrackId>,
    /// What the plan takes out of the child.
    pub removals: Vec<PlannedRemoval>,
    /// Tracks the user added by hand that the child held when the plan was made. Unless the
    /// child is a strict mirror, each is in `target`, so no step of the plan can drop it.
    pub kept_by_hand: Vec<TrackId>,
    /// The ids Syncer manages in this child once the plan is done. Until then the store keeps
    /// the union of this and what was managed before, so every track the plan may still take
    /// out is known as Syncer's, and no track the user added is ever marked as Syncer's.
    pub managed_after: Vec<TrackId>,
    /// How tracks that are not in `target` are treated when the plan converges.
    pub mirror: MirrorMode,
}

/// Who makes a plan, for which child, and how it treats tracks it does not name.
#[derive(Debug, Clone)]
pub struct PlanOrigin {
    pub event: SyncEventId,
    pub child: ChildPlaylistId,
    pub purpose: PlanPurpose,
    pub mirror: MirrorMode,
}

impl WritePlan {
    /// The plan for a diff computed from `current` (the child as it was read) with
    /// `managed` (what Syncer managed in it then).
    pub fn from_diff(
        origin: PlanOrigin,
        diff: &ChildDiff,
        current: &[TrackId],
        managed: &HashSet<TrackId>,
        managed_after: Vec<TrackId>,
    ) -> WritePlan {
        let PlanOrigin {
            event,
            child,
            purpose,
            mirror,
        } = origin;
        let removed: HashSet<&TrackId> = diff.removed.iter().collect();
        let mut positions: HashMap<&TrackId, Vec<u32>> = HashMap::new();
        for (i, id) in current.iter().enumerate() {
            if removed.contains(id) {
                positions
                    .entry(id)
                    .or_default()
                    .push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        let removals = diff
            .removed
            .iter()
            .map(|id| PlannedRemoval {
                track: id.clone(),
                positions: positions.remove(id).unwrap_or_default(),
            })
            .collect();
        let mut seen = HashSet::new();
        let kept_by_hand = current
            .iter()
            .filter(|id| !managed.contains(*id) && !removed.contains(id))
            .filter(|id| seen.insert(*id))
            .cloned()
            .collect();
        WritePlan {
            event,
            child,
            purpose,
            target: diff.final_list.clone(),
            removals,
            kept_by_hand,
            managed_after,
            mirror,
        }
    }

    /// The writes that take the child from `current` to the target. Tracks the child holds
    /// that the plan does not name are kept unless Syncer manages them (they were added by
    /// hand meanwhile) or the child is a strict mirror.
    pub fn remaining(&self, current: &[TrackId], managed: &HashSet<TrackId>) -> ChildDiff {
        diff_child(current, &self.target, managed, self.mirror)
    }

    /// The ids to mark as Syncer's before the first write: what it managed already and what
    /// it will manage once done.
    pub fn managed_during(&self, managed: &HashSet<TrackId>) -> Vec<TrackId> {
        let mut out: Vec<TrackId> = managed.iter().cloned().collect();
        out.extend(
            self.managed_after
                .iter()
                .filter(|id| !managed.contains(*id))
                .cloned(),
        );
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<TrackId> {
        list.iter().map(|s| TrackId::new(*s)).collect()
    }

    #[test]
    fn a_plan_keeps_hand_added_tracks_in_its_target_and_records_positions() {
        let current = ids(&["a", "u", "b", "c", "b"]);
        let managed: HashSet<TrackId> = ids(&["a", "b", "c"]).into_iter().collect();
        let wanted = ids(&["c", "d"]);
        let diff = diff_child(&current, &wanted, &managed, MirrorMode::KeepUserTracks);
        let origin = PlanOrigin {
            event: SyncEventId(1),
            child: ChildPlaylistId::new("x"),
            purpose: PlanPurpose::Sync,
            mirror: MirrorMode::KeepUserTracks,
        };
        let plan = WritePlan::from_diff(origin, &diff, &current, &managed, ids(&["c", "d"]));
        assert!(plan.target.contains(&TrackId::new("u")));
        assert_eq!(plan.kept_by_hand, ids(&["u"]));
        let b = plan
            .removals
            .iter()
            .find(|r| r.track.as_str() == "b")
            .unwrap();
        assert_eq!(b.positions, vec![2, 4]);
        // Half written (only the first of the target arrived, the hand-added track lost):
        // converging puts everything back, and "u" is not taken for Syncer's.
        let half = ids(&["c"]);
        let during: HashSet<TrackId> = plan.managed_during(&managed).into_iter().collect();
        assert!(!during.contains(&TrackId::new("u")));
        let rest = plan.remaining(&half, &during);
        assert_eq!(rest.final_list, plan.target);
    }
}
