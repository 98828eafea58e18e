use crate::support::{ctx, track};
use syncer_core::filter::*;
use syncer_core::ids::ChildPlaylistId;

/// Tracks: 0 rock, 1 rock+jazz, 2 jazz, 3 pop, 4 unknown genres.
fn tracks() -> Vec<PreparedTrack> {
    let genres: [Option<&[&str]>; 5] = [
        Some(&["rock"]),
        Some(&["rock", "jazz"]),
        Some(&["jazz"]),
        Some(&["pop"]),
        None,
    ];
    prepare_all(genres.iter().enumerate().map(|(i, g)| {
        let mut t = track(&format!("t{i}"));
        t.artist_genres = g.map(|g| g.iter().map(|s| (*s).to_owned()).collect());
        t.album_genres = Some(vec![]);
        t
    }))
}

fn compiled(q: &str) -> CompiledFilter {
    compile(&query::parse(q).unwrap(), &ctx()).unwrap()
}

struct Children {
    ids: Vec<ChildPlaylistId>,
    filters: Vec<CompiledFilter>,
}

impl Children {
    fn new(specs: &[(&str, &str)]) -> Children {
        Children {
            ids: specs
                .iter()
                .map(|(id, _)| ChildPlaylistId::new(*id))
                .collect(),
            filters: specs.iter().map(|(_, q)| compiled(q)).collect(),
        }
    }

    fn routes(&self) -> Vec<RouteChild<'_>> {
        self.ids
            .iter()
            .zip(&self.filters)
            .map(|(id, filter)| RouteChild { id, filter })
            .collect()
    }
}

fn tracks_of(outcome: &RoutingOutcome, id: &str) -> Vec<usize> {
    outcome
        .children
        .iter()
        .chain(&outcome.catch_all)
        .find(|c| c.id.as_str() == id)
        .map(|c| c.post.tracks.clone())
        .unwrap_or_default()
}

#[test]
fn independent_children_may_share_tracks() {
    let c = Children::new(&[("rock", "genre:rock"), ("jazz", "genre:jazz")]);
    let routing = Routing::default();
    let out = route(&routing, &tracks(), &c.routes(), &PostContext::default());
    assert_eq!(tracks_of(&out, "rock"), vec![0, 1]);
    assert_eq!(tracks_of(&out, "jazz"), vec![1, 2]);
    assert_eq!(out.unrouted, vec![3, 4]);
    assert_eq!(out.children[0].matches.unknown, vec![4]);
}

#[test]
fn first_match_follows_the_users_order() {
    let c = Children::new(&[("rock", "genre:rock"), ("jazz", "genre:jazz")]);
    let mut routing = Routing {
        mode: RoutingMode::FirstMatch,
        ..Routing::default()
    };
    let out = route(&routing, &tracks(), &c.routes(), &PostContext::default());
    assert_eq!(tracks_of(&out, "rock"), vec![0, 1]);
    assert_eq!(tracks_of(&out, "jazz"), vec![2]);
    routing.order = vec!["jazz".into(), "rock".into()];
    let out = route(&routing, &tracks(), &c.routes(), &PostContext::default());
    assert_eq!(out.children[0].id.as_str(), "jazz");
    assert_eq!(tracks_of(&out, "jazz"), vec![1, 2]);
    assert_eq!(tracks_of(&out, "rock"), vec![0]);
}

#[test]
fn catch_all_takes_what_no_child_received() {
    let c = Children::new(&[
        ("rock", "genre:rock | limit 1"),
        ("jazz", "genre:jazz"),
        ("rest", ""),
    ]);
    for mode in [RoutingMode::Independent, RoutingMode::FirstMatch] {
        let routing = Routing {
            mode,
            order: vec![],
            catch_all: Some("rest".into()),
        };
        let out = route(&routing, &tracks(), &c.routes(), &PostContext::default());
        assert_eq!(out.children.len(), 2);
        assert_eq!(tracks_of(&out, "rock"), vec![0]);
        // Track 1 was cut by rock's limit; in first-match mode it stays rock's match.
        let jazz = if mode == RoutingMode::Independent {
            vec![1, 2]
        } else {
            vec![2]
        };
        assert_eq!(tracks_of(&out, "jazz"), jazz, "{mode:?}");
        let rest = if mode == RoutingMode::Independent {
            vec![3, 4]
        } else {
            vec![1, 3, 4]
        };
        assert_eq!(tracks_of(&out, "rest"), rest, "{mode:?}");
        assert!(out.unrouted.is_empty());
    }
}

#[test]
fn random_orders_differ_per_child_but_are_stable() {
    let c = Children::new(&[("a", "| by random"), ("b", "| by random")]);
    let routing = Routing::default();
    let t = prepare_all((0..30).map(|i| track(&format!("t{i}"))));
    let one = route(&routing, &t, &c.routes(), &PostContext { seed: 9 });
    let two = route(&routing, &t, &c.routes(), &PostContext { seed: 9 });
    assert_eq!(one, two);
    assert_ne!(tracks_of(&one, "a"), tracks_of(&one, "b"));
}

#[test]
fn routing_settings_serialise() {
    let routing = Routing {
        mode: RoutingMode::FirstMatch,
        order: vec!["a".into()],
        catch_all: Some("z".into()),
    };
    let json = serde_json::to_value(&routing).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"mode": "first_match", "order": ["a"], "catch_all": "z"})
    );
    assert_eq!(serde_json::from_value::<Routing>(json).unwrap(), routing);
}
