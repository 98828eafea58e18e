//! What happens to a child's matches: deduplicate, order, cap per artist, limit.
//!
//! The steps always run in that order, whatever order the query text names them in:
//! 1. **dedupe** keeps the first of each duplicate in base order (same id; optionally the same
//!    ISRC, or the same forgiving title + primary artist). An unknown key never makes two
//!    tracks duplicates.
//! 2. **order** sorts by the selection order (stable: ties keep base order). Tracks whose key
//!    is unknown go last, whichever the direction. `random` sorts by a hash of the seed and the
//!    track id, so the same seed gives the same order, and adding a track to the base does not
//!    reshuffle the others.
//! 3. **per artist** keeps the first K of each primary artist in that order (tracks with no
//!    known artist are not capped).
//! 4. **limit** keeps the first N tracks, or tracks while their total length fits (stopping at
//!    the first that does not fit; tracks of unknown length are left out).
//!
//! The child receives the result in the selection order.

use super::model::{Limit, PostSteps, SelectionOrder};
use super::track::PreparedTrack;
use std::collections::{HashMap, HashSet};

/// What post-steps need from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PostContext {
    /// Seed of the random order. Derive it from something stable while the base is unchanged
    /// (e.g. [`seed_from`] the child id and the base's snapshot id) so syncs agree.
    pub seed: u64,
}

/// The result of post-steps, with what each step removed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostOutcome {
    /// Indices into the prepared tracks, in the order the child receives them.
    pub tracks: Vec<usize>,
    pub duplicates_removed: usize,
    pub over_artist_cap: usize,
    pub over_limit: usize,
    /// Tracks whose order key was unknown (sorted last).
    pub unknown_order_key: usize,
    /// Tracks of unknown length left out of a duration limit.
    pub unknown_duration: usize,
}

/// A stable 64-bit seed from text parts (FNV-1a, then a mixer). Stable across platforms and
/// Rust versions, unlike the standard hasher.
pub fn seed_from(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    mix(h)
}

/// splitmix64's finaliser: spreads every input bit over the output.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn random_key(seed: u64, id: &str) -> u64 {
    mix(seed ^ seed_from(&[id]))
}

/// Applies post-steps to the matches of a filter (indices into `tracks`, in base order).
pub fn post_process(
    steps: &PostSteps,
    tracks: &[PreparedTrack],
    matched: &[usize],
    ctx: &PostContext,
) -> PostOutcome {
    let mut out = PostOutcome::default();
    let mut selected: Vec<usize> = match steps.dedupe {
        Some(dedupe) => {
            let mut ids = HashSet::new();
            let mut isrcs = HashSet::new();
            let mut title_artists = HashSet::new();
            let mut kept = Vec::with_capacity(matched.len());
            for &i in matched {
                let t = &tracks[i];
                let mut dup = !ids.insert(t.track().id.as_str());
                if dedupe.isrc
                    && let Some(isrc) = &t.isrc
                {
                    dup |= !isrcs.insert(isrc.folded());
                }
                if dedupe.title_artist
                    && let (Some(title), Some(artist)) =
                        (t.folded_title(), t.folded_primary_artist())
                {
                    dup |= !title_artists.insert((title, artist));
                }
                if dup {
                    out.duplicates_removed += 1;
                } else {
                    kept.push(i);
                }
            }
            kept
        }
        None => matched.to_vec(),
    };

    out.unknown_order_key = sort(&mut selected, tracks, steps.order, ctx.seed);

    if let Some(cap) = steps.per_artist {
        let mut counts: HashMap<&str, u32> = HashMap::new();
        selected.retain(|&i| match tracks[i].folded_primary_artist() {
            Some(artist) => {
                let n = counts.entry(artist).or_insert(0);
                *n += 1;
                let keep = *n <= cap;
                if !keep {
                    out.over_artist_cap += 1;
                }
                keep
            }
            None => true,
        });
    }

    match steps.limit {
        Some(Limit::Tracks(n)) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if selected.len() > n {
                out.over_limit = selected.len() - n;
                selected.truncate(n);
            }
        }
        Some(Limit::Duration(max)) => {
            let mut total: u64 = 0;
            let mut kept = Vec::with_capacity(selected.len());
            let mut full = false;
            for i in selected {
                match tracks[i].track().duration {
                    None => out.unknown_duration += 1,
                    Some(d) if !full && total.saturating_add(d.0) <= max.0 => {
                        total += d.0;
                        kept.push(i);
                    }
                    Some(_) => {
                        full = true;
                        out.over_limit += 1;
                    }
                }
            }
            selected = kept;
        }
        None => {}
    }
    out.tracks = selected;
    out
}

/// Sorts by the selection order; returns how many keys were unknown.
fn sort(
    selected: &mut [usize],
    tracks: &[PreparedTrack],
    order: SelectionOrder,
    seed: u64,
) -> usize {
    if order == SelectionOrder::BaseOrder {
        return 0;
    }
    if order == SelectionOrder::Random {
        selected.sort_by_cached_key(|&i| random_key(seed, tracks[i].track().id.as_str()));
        return 0;
    }
    let key = |i: usize| -> Option<i64> {
        let t = tracks[i].track();
        match order {
            SelectionOrder::NewestRelease | SelectionOrder::OldestRelease => t
                .release
                .map(|d| d.interval(&crate::calendar::TimeZone::UTC).start),
            SelectionOrder::MostRecentlyAdded | SelectionOrder::LeastRecentlyAdded => {
                t.added_at.map(|a| a.unix_seconds())
            }
            SelectionOrder::MostPopular | SelectionOrder::LeastPopular => {
                t.popularity.map(i64::from)
            }
            SelectionOrder::Shortest | SelectionOrder::Longest => {
                t.duration.map(|d| i64::try_from(d.0).unwrap_or(i64::MAX))
            }
            SelectionOrder::BaseOrder | SelectionOrder::Random => Some(0),
        }
    };
    let descending = matches!(
        order,
        SelectionOrder::NewestRelease
            | SelectionOrder::MostRecentlyAdded
            | SelectionOrder::MostPopular
            | SelectionOrder::Longest
    );
    let mut unknown = 0;
    // (unknown last, then the key in the wanted direction); the sort is stable.
    selected.sort_by_cached_key(|&i| match key(i) {
        Some(k) => (0u8, if descending { k.saturating_neg() } else { k }),
        None => (1u8, 0),
    });
    for &i in selected.iter() {
        if key(i).is_none() {
            unknown += 1;
        }
    }
    unknown
}
