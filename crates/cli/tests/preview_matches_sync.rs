//! Preview and sync decide with one evaluation: for bases that repeat tracks, and filters
//! with limits, per-artist caps, dedupe and orders, the count a preview shows for each child
//! is what the sync then wants and writes.
#![allow(clippy::unwrap_used)]

mod support;

use proptest::prelude::*;
use spotify_fake::{Messiness, Mode};
use support::{child, library, world_of};
use syncer_core::engine::{SyncOptions, SyncStatus};
use syncer_core::filter::query;
use syncer_store::ChildEdit;

/// A filter text from its parts; every part is valid on its own.
fn filter_text(
    from: i32,
    span: i32,
    dedupe: Option<&str>,
    per_artist: Option<u32>,
    limit: Option<u32>,
    order: &str,
) -> String {
    let mut text = format!("year:{from}..{}", from + span);
    if let Some(d) = dedupe {
        text.push_str(&format!(" | dedupe{d}"));
    }
    if let Some(k) = per_artist {
        text.push_str(&format!(" | per_artist {k}"));
    }
    match (limit, order) {
        (Some(n), "") => text.push_str(&format!(" | limit {n}")),
        (Some(n), o) => text.push_str(&format!(" | limit {n} by {o}")),
        (None, "") => {}
        (None, o) => text.push_str(&format!(" | by {o}")),
    }
    text
}

fn parts() -> impl Strategy<Value = String> {
    (
        1950..2024i32,
        0..40i32,
        prop::option::of(prop::sample::select(vec!["", " isrc", " title_artist"])),
        prop::option::of(1..4u32),
        prop::option::of(1..80u32),
        prop::sample::select(vec!["", "random", "shortest", "-added", "position"]),
    )
        .prop_map(|(from, span, dedupe, per_artist, limit, order)| {
            filter_text(from, span, dedupe, per_artist, limit, order)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn preview_counts_are_what_the_sync_writes(a in parts(), b in parts()) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let mut spec = library(400);
            // A base that repeats many of its tracks.
            spec.messiness = Messiness { duplicates: 0.2, relinked: 0.0, ..Messiness::default() };
            let w = world_of(Mode::ExtendedQuota, spec, vec![child("a", "year:>=1900"), child("b", "year:>=1900")]).await;
            for (c, text) in w.children.iter().zip([&a, &b]) {
                let filter = query::parse(text).unwrap();
                w.store.edit_child(c, &ChildEdit { query: Some((text.clone(), filter)), ..ChildEdit::default() }).await.unwrap();
            }
            let preview = w.engine.preview(&w.base).await.unwrap();
            let report = w.engine.sync(&w.base, &SyncOptions::default()).await.unwrap();
            assert_eq!(report.status, SyncStatus::Completed, "{report:?}");
            for (i, c) in w.children.iter().enumerate() {
                let shown = preview.children[i].count;
                let contents = w.contents(c);
                assert_eq!(shown, report.children[i].wanted, "{a} / {b}: {:?}", report.children[i]);
                assert_eq!(shown as usize, contents.len(), "{a} / {b}");
            }
        });
    }
}
