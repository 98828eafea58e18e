use crate::support::{NOW, track};
use syncer_core::filter::*;

/// Five tracks with distinct keys: index i is added i days ago, released in 2000+i, has
/// popularity 10*i and length 3:00 + i minutes.
fn tracks() -> Vec<PreparedTrack> {
    prepare_all((0..5u32).map(|i| {
        let mut t = track(&format!("t{i}"));
        t.position = i + 1;
        t.title = Some(format!("Song {i}"));
        t.artists = Some(vec![format!("Artist {}", i % 2)]);
        t.isrc = Some(format!("ISRC{i}"));
        t.added_at = Some(Timestamp::from_unix_seconds(NOW - i64::from(i) * 86_400));
        t.release = Some(PartialDate::year_only(2000 + i32::try_from(i).unwrap()).unwrap());
        t.popularity = Some(u8::try_from(10 * i).unwrap());
        t.duration = Some(DurationMs(u64::from(180 + 60 * i) * 1000));
        t
    }))
}

fn run(steps: &str, tracks: &[PreparedTrack]) -> PostOutcome {
    let filter = query::parse(steps).unwrap();
    let all: Vec<usize> = (0..tracks.len()).collect();
    post_process(&filter.post, tracks, &all, &PostContext { seed: 42 })
}

#[test]
fn every_selection_order() {
    let t = tracks();
    let cases = [
        ("| by position", vec![0, 1, 2, 3, 4]),
        ("| by -release", vec![4, 3, 2, 1, 0]),
        ("| by release", vec![0, 1, 2, 3, 4]),
        ("| by -added", vec![0, 1, 2, 3, 4]),
        ("| by added", vec![4, 3, 2, 1, 0]),
        ("| by -popularity", vec![4, 3, 2, 1, 0]),
        ("| by popularity", vec![0, 1, 2, 3, 4]),
        ("| by duration", vec![0, 1, 2, 3, 4]),
        ("| by -duration", vec![4, 3, 2, 1, 0]),
    ];
    for (q, want) in cases {
        assert_eq!(run(q, &t).tracks, want, "{q}");
    }
}

#[test]
fn unknown_keys_sort_last_in_either_direction() {
    let mut raw: Vec<FilterTrack> = tracks().iter().map(|p| p.track().clone()).collect();
    raw[2].popularity = None;
    let t = prepare_all(raw);
    let up = run("| by popularity", &t);
    assert_eq!(up.tracks, vec![0, 1, 3, 4, 2]);
    assert_eq!(up.unknown_order_key, 1);
    assert_eq!(run("| by -popularity", &t).tracks, vec![4, 3, 1, 0, 2]);
}

#[test]
fn random_is_seeded_and_stable() {
    let t = tracks();
    let all: Vec<usize> = (0..5).collect();
    let post = query::parse("| by random").unwrap().post;
    let a = post_process(&post, &t, &all, &PostContext { seed: 7 }).tracks;
    let b = post_process(&post, &t, &all, &PostContext { seed: 7 }).tracks;
    assert_eq!(a, b);
    let mut sorted = a.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, all);
    // Some seed gives another order.
    assert!((0..20).any(|s| post_process(&post, &t, &all, &PostContext { seed: s }).tracks != a));
    // Dropping a track does not reshuffle the others.
    let fewer: Vec<usize> = vec![0, 1, 3, 4];
    let c = post_process(&post, &t, &fewer, &PostContext { seed: 7 }).tracks;
    let a_without: Vec<usize> = a.into_iter().filter(|&i| i != 2).collect();
    assert_eq!(c, a_without);
    // Seeds from text are stable values.
    assert_eq!(seed_from(&["child", "snap"]), seed_from(&["child", "snap"]));
    assert_ne!(seed_from(&["child", "snap"]), seed_from(&["childs", "nap"]));
}

#[test]
fn limits_by_count_and_duration() {
    let t = tracks(); // lengths 3, 4, 5, 6, 7 minutes
    let r = run("| limit 2", &t);
    assert_eq!(r.tracks, vec![0, 1]);
    assert_eq!(r.over_limit, 3);
    assert_eq!(run("| limit 2 by -popularity", &t).tracks, vec![4, 3]);
    // The language refuses `limit 0`; post-processing a model built by hand still keeps nothing.
    let zero = PostSteps {
        limit: Some(Limit::Tracks(0)),
        ..PostSteps::default()
    };
    let all: Vec<usize> = (0..t.len()).collect();
    let kept = post_process(&zero, &t, &all, &PostContext { seed: 42 });
    assert_eq!(kept.tracks, Vec::<usize>::new());
    // 3 + 4 + 5 = 12 minutes fit in 13; the 6-minute track does not, and the limit stops there.
    let r = run("| limit 13m", &t);
    assert_eq!(r.tracks, vec![0, 1, 2]);
    assert_eq!(r.over_limit, 2);
    assert_eq!(run("| limit 0:13:00 by -duration", &t).tracks, vec![4, 3]);
    let mut raw: Vec<FilterTrack> = t.iter().map(|p| p.track().clone()).collect();
    raw[0].duration = None;
    let r = run("| limit 9:00", &prepare_all(raw));
    assert_eq!(r.tracks, vec![1, 2]);
    assert_eq!(r.unknown_duration, 1);
}

#[test]
fn per_artist_cap_follows_the_order() {
    let t = tracks(); // artists alternate: 0,1,0,1,0
    let r = run("| per_artist 1", &t);
    assert_eq!(r.tracks, vec![0, 1]);
    assert_eq!(r.over_artist_cap, 3);
    assert_eq!(
        run("| per_artist 1 | by -popularity", &t).tracks,
        vec![4, 3]
    );
    assert_eq!(
        run("| per_artist 2 | limit 3 by -popularity", &t).tracks,
        vec![4, 3, 2]
    );
    // Forgiving: "ARTIST 0" and "Artist 0" are one artist.
    let mut raw: Vec<FilterTrack> = t.iter().map(|p| p.track().clone()).collect();
    raw[2].artists = Some(vec!["ÁRTIST 0".into()]);
    raw[4].artists = None;
    let r = run("| per_artist 1", &prepare_all(raw));
    assert_eq!(r.tracks, vec![0, 1, 4]);
}

#[test]
fn dedupe_by_id_isrc_and_title_artist() {
    let base = tracks();
    let mut raw: Vec<FilterTrack> = base.iter().map(|p| p.track().clone()).collect();
    raw[1].id = "t0".into(); // same id as 0
    raw[2].isrc = Some("isrc0".into()); // same ISRC as 0 (case-insensitively)
    raw[3].title = Some("SONG 4".into()); // same title + artist as 4? artist 1 vs 0: no
    raw[4].title = Some("Sóng 0".into()); // same title + primary artist as 0
    raw[4].isrc = None;
    let t = prepare_all(raw);
    assert_eq!(run("", &t).tracks, vec![0, 1, 2, 3, 4]);
    let r = run("| dedupe", &t);
    assert_eq!(r.tracks, vec![0, 2, 3, 4]);
    assert_eq!(r.duplicates_removed, 1);
    assert_eq!(run("| dedupe isrc", &t).tracks, vec![0, 3, 4]);
    assert_eq!(run("| dedupe title_artist", &t).tracks, vec![0, 2, 3]);
    assert_eq!(run("| dedupe isrc title_artist", &t).tracks, vec![0, 3]);
}

#[test]
fn steps_run_in_a_fixed_order_whatever_the_text_order() {
    let t = tracks();
    let a = run("| limit 2 by -popularity | per_artist 1 | dedupe", &t);
    let b = run("| dedupe | per_artist 1 | limit 2 by -popularity", &t);
    assert_eq!(a, b);
    assert_eq!(a.tracks, vec![4, 3]);
}
