//! Routing the tracks of one base into its children.
//!
//! - **Independent**: every child takes every track its filter says True to; a track may land
//!   in several children.
//! - **First match**: children are tried in the user's order; a track goes to the first child
//!   whose filter is True and is not offered to later ones. A track that is Unknown for a
//!   child is not taken by it and is offered on (it is counted in that child's `unknown`).
//!   Post-steps then run per child; a track a child's limit drops does not move on.
//! - **Catch-all** (either mode): an optional child that is offered every track no other
//!   child ended up with (after their post-steps). Its own filter (usually empty: match
//!   everything) and post-steps still apply.
//!
//! Evaluation is one pass over the tracks per child; filters are compiled beforehand.

use super::compile::{CompiledFilter, Matches};
use super::post::{PostContext, PostOutcome, post_process, seed_from};
use super::track::PreparedTrack;
use super::truth::Truth;
use crate::ids::ChildPlaylistId;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a base's children share its tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RoutingMode {
    #[default]
    Independent,
    FirstMatch,
}

/// The stored routing settings of one base: the mode, the children's order, the catch-all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Routing {
    pub mode: RoutingMode,
    /// The order first-match tries children in (children not listed come after, in the
    /// order the caller passes them).
    #[serde(default)]
    pub order: Vec<ChildPlaylistId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch_all: Option<ChildPlaylistId>,
}

/// One child to route into.
#[derive(Debug, Clone, Copy)]
pub struct RouteChild<'a> {
    pub id: &'a ChildPlaylistId,
    pub filter: &'a CompiledFilter,
}

/// What one child receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRouting {
    pub id: ChildPlaylistId,
    /// What its filter said True and Unknown to (among the tracks offered to it).
    pub matches: Matches,
    /// The final tracks, in the order the child receives them.
    pub post: PostOutcome,
}

/// The routing of a whole base.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoutingOutcome {
    /// In the order the children were tried.
    pub children: Vec<ChildRouting>,
    pub catch_all: Option<ChildRouting>,
    /// Tracks that no child (nor the catch-all) received.
    pub unrouted: Vec<usize>,
}

/// Routes prepared tracks into children. `children` are taken in [`Routing::order`] first,
/// then in the given order; the child named as catch-all is routed last, on what is left.
/// The random order of each child is seeded from `post.seed` and the child's id.
pub fn route(
    routing: &Routing,
    tracks: &[PreparedTrack],
    children: &[RouteChild<'_>],
    post: &PostContext,
) -> RoutingOutcome {
    let mut ordered: Vec<&RouteChild<'_>> = Vec::with_capacity(children.len());
    for id in &routing.order {
        if let Some(c) = children.iter().find(|c| c.id == id)
            && !ordered.iter().any(|o| o.id == c.id)
        {
            ordered.push(c);
        }
    }
    for c in children {
        if !ordered.iter().any(|o| o.id == c.id) {
            ordered.push(c);
        }
    }
    let catch_all = routing
        .catch_all
        .as_ref()
        .and_then(|id| ordered.iter().position(|c| c.id == id))
        .map(|pos| ordered.remove(pos));

    let child_ctx = |id: &ChildPlaylistId| PostContext {
        seed: post.seed ^ seed_from(&[id.as_str()]),
    };
    // One pass over the tracks, every child tested while the track is in cache.
    let mut matches = vec![Matches::default(); ordered.len()];
    for (i, track) in tracks.iter().enumerate() {
        for (child, m) in ordered.iter().zip(matches.iter_mut()) {
            match child.filter.test(track) {
                Truth::True => {
                    m.included.push(i);
                    if routing.mode == RoutingMode::FirstMatch {
                        break;
                    }
                }
                Truth::Unknown => m.unknown.push(i),
                Truth::False => {}
            }
        }
    }
    let mut received = vec![false; tracks.len()];
    let mut outcome = RoutingOutcome::default();
    for (child, matches) in ordered.into_iter().zip(matches) {
        let result = post_process(
            child.filter.post(),
            tracks,
            &matches.included,
            &child_ctx(child.id),
        );
        for &i in &result.tracks {
            received[i] = true;
        }
        outcome.children.push(ChildRouting {
            id: child.id.clone(),
            matches,
            post: result,
        });
    }
    if let Some(child) = catch_all {
        let mut matches = Matches::default();
        for (i, track) in tracks.iter().enumerate() {
            if received[i] {
                continue;
            }
            match child.filter.test(track) {
                Truth::True => matches.included.push(i),
                Truth::Unknown => matches.unknown.push(i),
                Truth::False => {}
            }
        }
        let result = post_process(
            child.filter.post(),
            tracks,
            &matches.included,
            &child_ctx(child.id),
        );
        for &i in &result.tracks {
            received[i] = true;
        }
        outcome.catch_all = Some(ChildRouting {
            id: child.id.clone(),
            matches,
            post: result,
        });
    }
    outcome.unrouted = (0..tracks.len()).filter(|&i| !received[i]).collect();
    outcome
}
