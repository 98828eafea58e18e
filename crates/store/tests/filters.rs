//! Filters through the real store (issue 16): everything the parser accepts is stored, read
//! back and formatted back, at the maximum depth too; and a stored filter that cannot be read
//! makes a broken child that still lists, edits, removes, and stops only what needs it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../core/tests/filter/strategies.rs"]
mod strategies;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::atomic::{AtomicUsize, Ordering};
use syncer_core::engine::{MirrorMode, SyncStorage as _};
use syncer_core::filter::query::{ParseErrorKind, format, parse};
use syncer_core::filter::*;
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId};
use syncer_store::{ChildEdit, NewBase, NewChild, SetupError, Store};

async fn store_with_base() -> (tempfile::TempDir, Store, BasePlaylistId) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_file(&dir.path().join("syncer.db"), &Default::default())
        .await
        .unwrap();
    let base = BasePlaylistId::new("base");
    store
        .add_base(&NewBase {
            id: base.clone(),
            connection: ConnectionId::new("conn"),
            name: "Base".into(),
        })
        .await
        .unwrap();
    (dir, store, base)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Stores a query as `child add` does (the parsed filter beside its text), reads it back and
/// checks the round trip; fails the case with the query when any step does.
async fn store_and_read_back(
    store: &Store,
    base: &BasePlaylistId,
    id: &str,
    query: &str,
) -> Result<(), TestCaseError> {
    let parsed = parse(query).map_err(|e| TestCaseError::fail(format!("{query}: {e}")))?;
    let id = ChildPlaylistId::new(id);
    store
        .add_child(&NewChild {
            id: id.clone(),
            base: base.clone(),
            name: "child".into(),
            query: query.to_owned(),
            filter: parsed.clone(),
            mirror: MirrorMode::default(),
            allow_empty: false,
        })
        .await
        .map_err(|e| TestCaseError::fail(format!("storing {query}: {e}")))?;
    let loaded = store.get_child(&id).await.unwrap().unwrap();
    let filter = loaded
        .filter
        .map_err(|b| TestCaseError::fail(format!("{query} reads back broken: {}", b.reason)))?;
    prop_assert_eq!(&filter, &parsed, "{}", query);
    let text = format(&filter);
    prop_assert_eq!(parse(&text), Ok(filter), "{}", text);
    Ok(())
}

#[test]
fn every_filter_the_parser_accepts_is_stored_loaded_and_formatted_back() {
    let rt = runtime();
    let (_dir, store, base) = rt.block_on(store_with_base());
    let n = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 192,
        ..Config::default()
    });
    runner
        .run(&strategies::filter(), |f| {
            let query = format(&f);
            let id = format!("c{}", n.fetch_add(1, Ordering::Relaxed));
            rt.block_on(store_and_read_back(&store, &base, &id, &query))
        })
        .unwrap();
    let stored = rt.block_on(store.list_children(&base)).unwrap();
    assert!(stored.len() >= 192 && stored.iter().all(|c| c.filter.is_ok()));
    // The generator reaches the maximum depth.
    assert!(
        stored
            .iter()
            .any(|c| limits::depth(&c.filter.as_ref().unwrap().root) == MAX_DEPTH)
    );
}

/// Query text nested by hand: brackets, negations, NOT and named groups, side by side terms
/// and OR around them, from flat to a few past the maximum. What parses must store; what is
/// too deep must be refused by the parser, never by the store.
fn nested_query() -> impl Strategy<Value = String> {
    let wrap = prop::sample::select(vec!["(", "-", "NOT ", "ANY(", "NONE(", "ALL("]);
    (
        prop::collection::vec(wrap, 0..=MAX_DEPTH + 3),
        prop::sample::select(vec!["", "title:z ", "title:y title:z OR "]),
        prop::sample::select(vec![
            "genre:rock",
            "year:1990..2000",
            "title:a OR title:b",
            "explicit title:x",
        ]),
        prop::sample::select(vec!["", " | limit 5 by -added", " | per_artist 1"]),
    )
        .prop_map(|(wraps, before, inner, steps)| {
            let open: String = wraps.concat();
            let close: String = wraps
                .iter()
                .rev()
                .filter(|w| w.ends_with('('))
                .map(|_| ")")
                .collect();
            // A negation binds one term, and ANY( etc. take no OR: an inner sequence gets
            // brackets of its own unless a bracket holds it already.
            let inner = if inner.contains(' ') && wraps.last().is_some_and(|w| *w != "(") {
                format!("({inner})")
            } else {
                inner.to_owned()
            };
            format!("{before}{open}{inner}{close}{steps}")
        })
}

#[test]
fn nested_queries_are_either_refused_by_the_parser_or_stored_and_read_back() {
    let rt = runtime();
    let (_dir, store, base) = rt.block_on(store_with_base());
    let n = AtomicUsize::new(0);
    let refused = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 256,
        ..Config::default()
    });
    runner
        .run(&nested_query(), |query| {
            match parse(&query) {
                Ok(f) => {
                    prop_assert!(limits::depth(&f.root) <= MAX_DEPTH, "{}", query);
                    let id = format!("n{}", n.fetch_add(1, Ordering::Relaxed));
                    rt.block_on(store_and_read_back(&store, &base, &id, &query))?;
                }
                Err(e) => {
                    refused.fetch_add(1, Ordering::Relaxed);
                    prop_assert_eq!(e.kind, ParseErrorKind::TooDeep, "{}: {}", query, e);
                }
            }
            Ok(())
        })
        .unwrap();
    // Both sides of the limit were tried.
    assert!(n.load(Ordering::Relaxed) > 20 && refused.load(Ordering::Relaxed) > 20);
}

#[tokio::test]
async fn the_store_refuses_a_filter_it_could_not_read_back() {
    let (_dir, store, base) = store_with_base().await;
    let mut node = Node::Rule(Rule::Bool {
        field: BoolField::Explicit,
        value: true,
    });
    for _ in 0..=MAX_DEPTH {
        node = Node::Group(Group::new(GroupMode::None, vec![node]));
    }
    let too_deep = Filter {
        root: node,
        post: PostSteps::default(),
    };
    let refused = store
        .add_child(&NewChild {
            id: ChildPlaylistId::new("deep"),
            base: base.clone(),
            name: "deep".into(),
            query: "(built by hand)".into(),
            filter: too_deep,
            mirror: MirrorMode::default(),
            allow_empty: false,
        })
        .await;
    assert!(
        matches!(refused, Err(SetupError::InvalidFilter { .. })),
        "{refused:?}"
    );
    assert!(store.list_children(&base).await.unwrap().is_empty());
}

/// Writes a child's stored filter as an older version (or a damaged file) might have left it.
async fn corrupt(dir: &std::path::Path, child: &str, filter_json: &str) {
    use sqlx::Connection as _;
    let url = format!("sqlite://{}", dir.join("syncer.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE children SET filter_json = ? WHERE id = ?")
        .bind(filter_json)
        .bind(child)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// The 42-deep query of issue 16, stored as the version that accepted it stored it.
fn json_42_deep() -> String {
    let mut json = r#"{"rule":{"type":"list","field":"genre","quantifier":"any_of","op":{"contains":"rock"}}}"#.to_owned();
    for _ in 0..42 {
        json = format!(r#"{{"group":{{"mode":"all","children":[{json}]}}}}"#);
    }
    format!(r#"{{"schema_version":2,"root":{json}}}"#)
}

async fn add(store: &Store, base: &BasePlaylistId, id: &str, query: &str) {
    store
        .add_child(&NewChild {
            id: ChildPlaylistId::new(id),
            base: base.clone(),
            name: format!("{id} name"),
            query: query.into(),
            filter: parse(query).unwrap(),
            mirror: MirrorMode::default(),
            allow_empty: false,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_filter_that_cannot_be_read_makes_a_broken_child_not_a_locked_setup() {
    let (dir, store, base) = store_with_base().await;
    add(&store, &base, "good", "genre:rock").await;
    add(&store, &base, "deep", "genre:rock").await;
    add(&store, &base, "empty", "year:1990..2000").await;
    corrupt(dir.path(), "deep", &json_42_deep()).await;
    // Accepted by an older version, refused by this one's checks.
    let old_range = to_json(&Filter::default()).replace(
        r#""children":[]"#,
        r#""children":[{"rule":{"type":"number","field":"year","op":{"in_range":[5,1]}}}]"#,
    );
    corrupt(dir.path(), "empty", &old_range).await;

    // Listed, each with its reason; the readable child is untouched.
    let children = store.list_children(&base).await.unwrap();
    assert_eq!(children.len(), 3);
    assert!(children[0].filter.is_ok());
    let deep = children[1].broken().expect("broken");
    assert!(deep.reason.contains("16 nested groups"), "{}", deep.reason);
    assert_eq!(deep.stored, json_42_deep());
    let empty = children[2].broken().expect("broken");
    assert!(empty.reason.contains("5..1"), "{}", empty.reason);
    assert!(store.children_in_order(&base).await.is_ok());

    // What needs the filter stops, naming the child and the two ways out.
    let err = store.ensure_filters_readable(&base).await.unwrap_err();
    let SetupError::BrokenFilter { child, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(child.as_str(), "deep");
    let message = err.to_string();
    for needle in [
        "child deep",
        "deep name",
        "Replace its query",
        "remove the child",
    ] {
        assert!(message.contains(needle), "{needle}: {message}");
    }
    let engine = store.load_base(&base).await.unwrap_err();
    assert_eq!(engine.message, message);

    // A rename keeps the stored filter exactly as it was.
    let deep_id = ChildPlaylistId::new("deep");
    store
        .edit_child(
            &deep_id,
            &ChildEdit {
                name: Some("renamed".into()),
                ..ChildEdit::default()
            },
        )
        .await
        .unwrap();
    let renamed = store.get_child(&deep_id).await.unwrap().unwrap();
    assert_eq!(renamed.name, "renamed");
    assert_eq!(renamed.broken().unwrap().stored, json_42_deep());

    // A new query mends it; removing is the other way out.
    let query = "genre:rock year:>=2000";
    store
        .edit_child(
            &deep_id,
            &ChildEdit {
                query: Some((query.into(), parse(query).unwrap())),
                ..ChildEdit::default()
            },
        )
        .await
        .unwrap();
    let mended = store.get_child(&deep_id).await.unwrap().unwrap();
    assert_eq!(mended.filter, Ok(parse(query).unwrap()));
    store
        .remove_child(&ChildPlaylistId::new("empty"))
        .await
        .unwrap();
    store.ensure_filters_readable(&base).await.unwrap();
    let setup = store.load_base(&base).await.unwrap().unwrap();
    assert_eq!(setup.children.len(), 2);
}
