//! Why a filter takes a track or not ("why not?"): the verdict of the whole filter, and the
//! first rule that decided it when it is not True. It walks the model's rule tree in the
//! order the user wrote it (the compiled filter reorders groups cheapest first, which is
//! right for speed and wrong for an explanation), and judges each node with the compiled
//! evaluator itself, so an explanation never disagrees with a sync.

use super::compile::{CompileError, EvalContext, compile};
use super::model::{Filter, GroupMode, Node, PostSteps};
use super::track::PreparedTrack;
use super::truth::Truth;

/// What decided a verdict that is not True.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decider {
    /// The rule (or a whole "any of" group, none of whose parts matched) that decided.
    pub node: Node,
    /// That node's own verdict. True when the node excluded the track by matching it: a part
    /// of a "none of" group (a `-rule`).
    pub verdict: Truth,
}

/// A filter's verdict on one track, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// True: the filter takes it; False: a rule excluded it; Unknown: a field it reads is
    /// not known yet for this track (a genre still filling, say), so it waits.
    pub verdict: Truth,
    /// None when the verdict is True.
    pub decided_by: Option<Decider>,
}

/// Explains `filter`'s verdict on `track`. The post-steps (limit, per-artist cap) are not
/// judged here: they pick among the tracks the rules take.
pub fn explain(
    filter: &Filter,
    track: &PreparedTrack,
    ctx: &EvalContext,
) -> Result<Explanation, CompileError> {
    let (verdict, decided_by) = explain_node(&filter.root, track, ctx)?;
    Ok(Explanation {
        verdict,
        decided_by,
    })
}

/// A node's verdict, from the compiled evaluator (one node compiled as a whole filter).
fn judge(node: &Node, track: &PreparedTrack, ctx: &EvalContext) -> Result<Truth, CompileError> {
    let filter = Filter {
        root: node.clone(),
        post: PostSteps::default(),
    };
    Ok(compile(&filter, ctx)?.test(track))
}

fn explain_node(
    node: &Node,
    track: &PreparedTrack,
    ctx: &EvalContext,
) -> Result<(Truth, Option<Decider>), CompileError> {
    let verdict = judge(node, track, ctx)?;
    if verdict == Truth::True {
        return Ok((verdict, None));
    }
    let group = match node {
        Node::Rule(_) => {
            return Ok((
                verdict,
                Some(Decider {
                    node: node.clone(),
                    verdict,
                }),
            ));
        }
        Node::Group(group) => group,
    };
    let mut verdicts = Vec::with_capacity(group.children.len());
    for child in &group.children {
        verdicts.push((child, judge(child, track, ctx)?));
    }
    let first = |wanted: Truth| verdicts.iter().find(|(_, v)| *v == wanted).map(|(c, _)| *c);
    let decider = match group.mode {
        // The first part that failed, else the first that could not be judged: the one to
        // look into (it may itself be a group).
        GroupMode::All => match first(Truth::False).or_else(|| first(Truth::Unknown)) {
            Some(child) => explain_node(child, track, ctx)?.1,
            None => None,
        },
        // No part matched: the group is the reason, unless a part could not be judged.
        GroupMode::Any => match (verdict, first(Truth::Unknown)) {
            (Truth::Unknown, Some(child)) => explain_node(child, track, ctx)?.1,
            _ => Some(Decider {
                node: node.clone(),
                verdict,
            }),
        },
        // A part matched, and that excluded the track.
        GroupMode::None => match first(Truth::True) {
            Some(child) => Some(Decider {
                node: child.clone(),
                verdict: Truth::True,
            }),
            None => match first(Truth::Unknown) {
                Some(child) => explain_node(child, track, ctx)?.1,
                None => None,
            },
        },
    };
    Ok((verdict, decider))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::filter::query::{format_rule, parse};
    use crate::filter::track::{FilterTrack, prepare_all};
    use crate::filter::value::Timestamp;

    fn ctx() -> EvalContext {
        EvalContext::utc(Timestamp::from_unix_seconds(1_780_000_000))
    }

    fn track(genres: Option<Vec<&str>>, explicit: bool) -> PreparedTrack {
        let mut t = FilterTrack::unknown("t1", 1);
        t.artist_genres = genres.map(|g| g.into_iter().map(str::to_owned).collect());
        t.album_genres = Some(vec![]);
        t.explicit = Some(explicit);
        prepare_all([t]).remove(0)
    }

    /// The decider as the query language writes it, and its own verdict.
    fn why(query: &str, t: &PreparedTrack) -> (Truth, Option<(String, Truth)>) {
        let filter = parse(query).unwrap();
        let e = explain(&filter, t, &ctx()).unwrap();
        // The explanation never disagrees with the evaluator.
        assert_eq!(
            e.verdict,
            compile(&filter, &ctx()).unwrap().test(t),
            "{query}"
        );
        let decider = e.decided_by.map(|d| {
            let text = match &d.node {
                Node::Rule(r) => format_rule(r),
                Node::Group(_) => crate::filter::query::format(&Filter {
                    root: d.node.clone(),
                    post: PostSteps::default(),
                }),
            };
            (text, d.verdict)
        });
        (e.verdict, decider)
    }

    #[test]
    fn a_taken_track_has_no_decider() {
        assert_eq!(
            why("genre:rock", &track(Some(vec!["Rock"]), false)),
            (Truth::True, None)
        );
    }

    #[test]
    fn the_first_failing_rule_in_written_order_is_named() {
        let t = track(Some(vec!["Jazz"]), false);
        let (verdict, decider) = why("genre:rock -explicit", &t);
        assert_eq!(verdict, Truth::False);
        assert_eq!(decider, Some(("genre:rock".to_owned(), Truth::False)));
    }

    #[test]
    fn an_excluding_rule_is_named_as_having_matched() {
        let t = track(Some(vec!["Rock"]), true);
        let (verdict, decider) = why("genre:rock -explicit", &t);
        assert_eq!(verdict, Truth::False);
        assert_eq!(decider, Some(("explicit".to_owned(), Truth::True)));
    }

    #[test]
    fn an_unknown_genre_is_why_a_track_waits() {
        let t = track(None, false);
        let (verdict, decider) = why("-explicit genre:rock", &t);
        assert_eq!(verdict, Truth::Unknown);
        assert_eq!(decider, Some(("genre:rock".to_owned(), Truth::Unknown)));
    }

    #[test]
    fn a_false_rule_wins_over_an_unknown_one_in_an_all_group() {
        // Unknown genre, but explicit: the explicit rule excludes it whatever the genre is.
        let t = track(None, true);
        let (verdict, decider) = why("genre:rock -explicit", &t);
        assert_eq!(verdict, Truth::False);
        assert_eq!(decider, Some(("explicit".to_owned(), Truth::True)));
    }

    #[test]
    fn an_any_group_none_of_whose_parts_matched_is_the_reason() {
        let t = track(Some(vec!["Jazz"]), false);
        let (verdict, decider) = why("ANY(genre:rock genre:metal)", &t);
        assert_eq!(verdict, Truth::False);
        let (text, v) = decider.unwrap();
        assert!(
            text.contains("genre:rock") && text.contains("genre:metal"),
            "{text}"
        );
        assert_eq!(v, Truth::False);
    }

    #[test]
    fn inside_nested_groups_the_deepest_rule_is_named() {
        let t = track(Some(vec!["Rock"]), false);
        let (verdict, decider) = why("ALL(-explicit ALL(genre:rock genre:metal))", &t);
        assert_eq!(verdict, Truth::False);
        assert_eq!(decider, Some(("genre:metal".to_owned(), Truth::False)));
    }
}
