//! A child looked at now (its detail view) and one track of its base judged by its filter
//! ("why not?"). Both read the base and route it exactly as a preview does (same load, same
//! routing), so what they say is what a sync would do; neither writes anything. Titles come
//! from the service on each read and are never stored.

use std::collections::{HashMap, HashSet};

use super::{Engine, EngineError, SyncOptions, route_children};
use crate::engine::storage::SyncStorage;
use crate::filter::explain::{Decider, explain};
use crate::filter::{PreparedTrack, Truth};
use crate::ids::{BasePlaylistId, ChildPlaylistId, PlaylistId, TrackId};
use crate::label::track_label;
use crate::provider::{MusicProvider, ProviderError};

/// A track as a person reads it, with its id (to open it on the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackLine {
    pub id: TrackId,
    /// "title — artist", saying what is missing (crate::label).
    pub label: String,
}

/// One track of a child, in the child's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildTrack {
    pub line: TrackLine,
    /// In the child but not put there by Syncer: the user added it by hand (kept unless
    /// the child is a strict mirror).
    pub added_by_hand: bool,
    /// Its filter cannot judge it yet: a field it reads (a genre, say) is not known.
    pub waiting: bool,
}

/// A child as it is on the service now, and what its filter makes of the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildInspection {
    pub child: ChildPlaylistId,
    /// Its tracks now, in order.
    pub tracks: Vec<ChildTrack>,
    /// Tracks of the base its filter cannot judge yet: they join once their data is known.
    pub waiting: Vec<TrackLine>,
    /// How many tracks a sync would leave it holding of the base's (before hand-added ones).
    pub wanted: u32,
}

/// Where a track of the base stands with a child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// A sync puts it (or keeps it) in the child.
    InChild,
    /// The filter takes it, but the post-steps (limit, per-artist cap, dedupe) leave it out.
    LeftOutByPostSteps,
    /// The filter takes it, but an earlier child took it first (first-match routing).
    TakenBy(ChildPlaylistId),
    /// The filter does not take it (False) or cannot judge it yet (Unknown).
    NotTaken,
}

/// One track of the base judged by a child's filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackVerdict {
    pub line: TrackLine,
    pub verdict: Truth,
    /// The rule that made it False or Unknown (crate::filter::explain).
    pub decided_by: Option<Decider>,
    pub placement: Placement,
}

/// The most tracks offered to choose from when typed text finds several.
pub const CANDIDATES: usize = 20;

/// A track picked for "why not?", judged; or what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    Verdict(TrackVerdict),
    /// The text finds several tracks: the first [`CANDIDATES`] of them, in base order.
    Choose(Vec<TrackLine>),
    /// No track of the base has this id or text.
    NoSuchTrack,
}

/// What a routed base gives the two questions.
struct Routed {
    prepared: Vec<PreparedTrack>,
    outcome: crate::filter::RoutingOutcome,
    /// The lists `liked`/`in:` rules read, for judging one track as the routing did.
    library: crate::filter::Library,
}

fn line_of(t: &PreparedTrack) -> TrackLine {
    let t = t.track();
    TrackLine {
        id: t.id.clone(),
        label: track_label(t.title.as_deref(), t.primary_artist()),
    }
}

impl<P: MusicProvider, S: SyncStorage> Engine<P, S> {
    async fn routed(
        &self,
        base: &BasePlaylistId,
    ) -> Result<(super::BaseSetup, Routed), EngineError> {
        let setup = self.setup(base).await?;
        let base_playlist = PlaylistId::new(base.as_str());
        let (snapshot, lists, _) = self.versions(&setup, &base_playlist).await?;
        let loaded = self
            .load(&base_playlist, &setup, &lists, &SyncOptions::default())
            .await?;
        let compiled = self.compile_all(&setup, &loaded.library)?;
        let outcome = route_children(&setup, &compiled, &loaded.prepared, &snapshot);
        Ok((
            setup,
            Routed {
                prepared: loaded.prepared,
                outcome,
                library: loaded.library,
            },
        ))
    }

    fn routing_of<'a>(
        routed: &'a Routed,
        child: &ChildPlaylistId,
    ) -> Option<&'a crate::filter::ChildRouting> {
        routed
            .outcome
            .children
            .iter()
            .chain(routed.outcome.catch_all.iter())
            .find(|r| &r.id == child)
    }

    /// A child's tracks read live, marked hand-added and waiting, with the base's tracks its
    /// filter cannot judge yet.
    pub async fn inspect_child(
        &self,
        base: &BasePlaylistId,
        child: &ChildPlaylistId,
    ) -> Result<ChildInspection, EngineError> {
        let (_, routed) = self.routed(base).await?;
        let routing = Self::routing_of(&routed, child);
        let waiting_at: Vec<usize> = routing
            .map(|r| r.matches.unknown.clone())
            .unwrap_or_default();
        let waiting: Vec<TrackLine> = waiting_at
            .iter()
            .filter_map(|&i| routed.prepared.get(i))
            .map(line_of)
            .collect();
        let waiting_ids: HashSet<&TrackId> = waiting.iter().map(|l| &l.id).collect();
        let wanted = routing.map_or(0, |r| {
            let distinct: HashSet<usize> = r.post.tracks.iter().copied().collect();
            u32::try_from(distinct.len()).unwrap_or(u32::MAX)
        });
        let managed = self.storage.managed(child).await?;
        let items = self
            .provider
            .playlist_items(&PlaylistId::new(child.as_str()))
            .await
            .map_err(|e| match e {
                ProviderError::NotFound { .. } => EngineError::ChildGone {
                    child: child.clone(),
                },
                other => EngineError::Provider(other),
            })?;
        let tracks = items
            .tracks()
            .map(|t| ChildTrack {
                line: TrackLine {
                    id: t.id.clone(),
                    label: track_label(
                        Some(t.name.as_str()),
                        t.artists.first().map(|a| a.name.as_str()),
                    ),
                },
                added_by_hand: !managed.contains(&t.id),
                waiting: waiting_ids.contains(&t.id),
            })
            .collect();
        Ok(ChildInspection {
            child: child.clone(),
            tracks,
            waiting,
            wanted,
        })
    }

    /// Judges one track of the base by a child's filter: the verdict, the rule that decided
    /// it, and whether a sync puts it in the child. `pick` is a track id, or text found in
    /// "title — artist" (case aside): several tracks found are offered to choose from.
    pub async fn judge_track(
        &self,
        base: &BasePlaylistId,
        child: &ChildPlaylistId,
        pick: &str,
    ) -> Result<Judged, EngineError> {
        let (setup, routed) = self.routed(base).await?;
        let pick = pick.trim();
        let index = match routed
            .prepared
            .iter()
            .position(|t| t.track().id.as_str() == pick)
        {
            Some(i) => i,
            None => {
                let needle = pick.to_lowercase();
                let found: Vec<usize> = routed
                    .prepared
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| {
                        !needle.is_empty() && line_of(t).label.to_lowercase().contains(&needle)
                    })
                    .map(|(i, _)| i)
                    .collect();
                match found.as_slice() {
                    [] => return Ok(Judged::NoSuchTrack),
                    [one] => *one,
                    many => {
                        return Ok(Judged::Choose(
                            many.iter()
                                .take(CANDIDATES)
                                .filter_map(|&i| routed.prepared.get(i))
                                .map(line_of)
                                .collect(),
                        ));
                    }
                }
            }
        };
        let Some(child_setup) = setup.children.iter().find(|c| &c.id == child) else {
            return Err(EngineError::Filter {
                child: child.clone(),
                message: "this child is not one of the base's".into(),
            });
        };
        let ctx = self.eval_context(&routed.library);
        let prepared = &routed.prepared[index];
        let explanation =
            explain(&child_setup.filter, prepared, &ctx).map_err(|e| EngineError::Filter {
                child: child.clone(),
                message: e.to_string(),
            })?;
        let routing = Self::routing_of(&routed, child);
        let placement = if routing.is_some_and(|r| r.post.tracks.contains(&index)) {
            Placement::InChild
        } else if explanation.verdict != Truth::True {
            Placement::NotTaken
        } else if routing.is_some_and(|r| r.matches.included.contains(&index)) {
            Placement::LeftOutByPostSteps
        } else {
            // Offered to an earlier child that took it (first-match), so never to this one.
            let taker: HashMap<usize, &ChildPlaylistId> = routed
                .outcome
                .children
                .iter()
                .flat_map(|r| r.post.tracks.iter().map(move |&i| (i, &r.id)))
                .collect();
            taker
                .get(&index)
                .map_or(Placement::LeftOutByPostSteps, |c| {
                    Placement::TakenBy((*c).clone())
                })
        };
        Ok(Judged::Verdict(TrackVerdict {
            line: line_of(prepared),
            verdict: explanation.verdict,
            decided_by: explanation.decided_by,
            placement,
        }))
    }
}
