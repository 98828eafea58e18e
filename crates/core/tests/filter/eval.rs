use crate::support::{NOW, ctx, track, verdict};
use syncer_core::filter::Truth::{False, True, Unknown};
use syncer_core::filter::*;

fn check(cases: &[(&str, Truth)], t: &FilterTrack) {
    for (q, want) in cases {
        assert_eq!(verdict(q, t), *want, "{q}");
    }
}

#[test]
fn text_operators() {
    let t = track("t");
    check(
        &[
            ("title:=creep", True),
            ("title:=cree", False),
            ("title:!=creep", False),
            ("title:!=other", True),
            ("title:ree", True),
            ("title:xyz", False),
            ("title:!xyz", True),
            ("title:!ree", False),
            ("title:^cr", True),
            ("title:^re", False),
            ("title:$eep", True),
            ("title:$cre", False),
            (r#"title::"^c.e+p$""#, True),
            (r#"title::"^x""#, False),
            ("title:{muse,creep}", True),
            ("title:{muse,blur}", False),
            ("title:{}", False),
            ("album_type:=album", True),
            ("label:parlo", True),
            ("isrc:^GB", True),
            ("added_by:=ALICE", True),
        ],
        &t,
    );
}

#[test]
fn text_is_forgiving_by_default_and_exact_on_request() {
    let mut t = track("t");
    t.artists = Some(vec!["Beyoncé".into(), "Sigur Rós".into()]);
    t.title = Some("Ágætis byrjun".into());
    check(
        &[
            ("artist:=beyonce", True),
            ("artist:=BEYONCÉ", True),
            ("artist:\"sigur ros\"", True),
            ("primary_artist:=beyonce", True),
            ("artist.exact:=beyonce", False),
            ("artist.exact:=Beyoncé", True),
            ("title:=\"agaetis byrjun\"", True),
            ("title.exact:agaetis", False),
            ("title::\"^ágætis\"", True),
            ("title::\"^AGAETIS\"", True),
            ("title.exact::\"^ágætis\"", False),
            ("title.exact::\"^Ágætis\"", True),
            ("artist:{\"Sigur Rós\"}", True),
        ],
        &t,
    );
}

#[test]
fn unknown_text_is_unknown_for_every_operator() {
    let mut t = track("t");
    t.title = None;
    for q in [
        "title:=a",
        "title:!=a",
        "title:a",
        "title:!a",
        "title:^a",
        "title:$a",
        "title::a",
        "title:{a}",
        "-title:a",
    ] {
        assert_eq!(verdict(q, &t), Unknown, "{q}");
    }
}

#[test]
fn list_quantifiers() {
    let mut t = track("t");
    t.artists = Some(vec!["Radiohead".into(), "Thom Yorke".into()]);
    check(
        &[
            ("artist:yorke", True),
            ("artist.any:yorke", True),
            ("artist.all:yorke", False),
            ("artist.all:o", True),
            ("artist.none:yorke", False),
            ("artist.none:muse", True),
            ("artist:{muse,\"thom yorke\"}", True),
            ("artist.all:!=muse", True),
            ("artist::\"^thom\"", True),
        ],
        &t,
    );
    t.artists = Some(vec![]);
    check(
        &[
            ("artist:x", False),
            ("artist.all:x", False),
            ("artist.none:x", True),
        ],
        &t,
    );
}

#[test]
fn lists_with_unknown_parts() {
    // Artist genres known, album genres unknown: the genre union may be missing elements.
    let mut t = track("t");
    t.album_genres = None;
    check(
        &[
            ("genre:rock", True),
            ("genre:jazz", Unknown),
            ("genre.none:rock", False),
            ("genre.none:jazz", Unknown),
            ("genre.all:rock", False),
            ("genre.all:a", Unknown),
            ("genre.all:jazz", False),
            ("artist_genre:jazz", False),
            ("album_genre:jazz", Unknown),
        ],
        &t,
    );
    t.artist_genres = None;
    check(
        &[
            ("genre:rock", Unknown),
            ("genre.none:rock", Unknown),
            ("-genre:rock", Unknown),
        ],
        &t,
    );
}

#[test]
fn number_operators() {
    let t = track("t"); // popularity 85
    check(
        &[
            ("popularity:85", True),
            ("popularity:=85", True),
            ("popularity:!=85", False),
            ("popularity:<85", False),
            ("popularity:<=85", True),
            ("popularity:>84", True),
            ("popularity:>=86", False),
            ("popularity:80..90", True),
            ("popularity:85..85", True),
            ("popularity:86..90", False),
            ("popularity:!80..90", False),
            ("popularity:!0..10", True),
            ("year:1990..1999", True),
            ("year:1993", True),
            ("track_number:2", True),
            ("disc_number:1", True),
            ("position:1", True),
            ("artist_popularity:>=80", True),
        ],
        &t,
    );
    let mut u = track("u");
    u.popularity = None;
    u.release = None;
    for q in [
        "popularity:85",
        "popularity:!=85",
        "popularity:!0..10",
        "year:<3000",
        "-popularity:<50",
    ] {
        assert_eq!(verdict(q, &u), Unknown, "{q}");
    }
}

#[test]
fn duration_operators() {
    let t = track("t"); // 3:58.640
    check(
        &[
            ("duration:<4:30", True),
            ("duration:<3:58", False),
            ("duration:>=3:58", True),
            ("duration:3:58.640", True),
            ("duration:!=3:58.640", False),
            ("duration:3:00..4:00", True),
            ("duration:!3:00..4:00", False),
            ("duration:<4m", True),
            ("duration:>200", True),
        ],
        &t,
    );
    let mut u = track("u");
    u.duration = None;
    assert_eq!(verdict("duration:<4:30", &u), Unknown);
}

#[test]
fn date_operators_and_precision() {
    let t = track("t"); // released 1993-02-22, added 10 days ago
    check(
        &[
            ("release:1993", True),
            ("release:1993-02", True),
            ("release:1993-02-22", True),
            ("release:1993-02-23", False),
            ("release:<1993-03", True),
            ("release:<1993-02-22", False),
            ("release:>1992", True),
            ("release:>1993", False),
            ("release:1990..1995", True),
            ("release:1993-02-23..1995", False),
            ("added:<30d", True),
            ("added:<1w", False),
            ("added:<2w", True),
            ("added:>30d", False),
            ("added:<1m", True),
            ("added:>1w", True),
            ("release:<30d", False),
            ("release:>1y", True),
        ],
        &t,
    );
    // A year-precision date cannot decide a day-level rule.
    let mut y = track("y");
    y.release = Some(PartialDate::year_only(2015).unwrap());
    check(
        &[
            ("release:2015", True),
            ("release:2015-06", Unknown),
            ("release:<2015-06-01", Unknown),
            ("release:<2016", True),
            ("release:>2014-12-31", True),
            ("release:2014..2015-06", Unknown),
            ("year:2015", True),
        ],
        &y,
    );
    let mut u = track("u");
    u.added_at = None;
    assert_eq!(verdict("added:<30d", &u), Unknown);
    assert_eq!(verdict("added:>30d", &u), Unknown);
}

#[test]
fn dates_use_the_callers_calendar() {
    let mut t = track("t");
    // Added 2024-06-14T23:30:00Z: still the 14th in UTC, already the 15th at UTC+2.
    t.added_at = Some(Timestamp::parse_rfc3339("2024-06-14T23:30:00Z").unwrap());
    let f = query::parse("added:2024-06-15").unwrap();
    let prepared = PreparedTrack::new(t);
    assert_eq!(compile(&f, &ctx()).unwrap().test(&prepared), False);
    let local = EvalContext::in_zone(
        Timestamp::from_unix_seconds(NOW),
        syncer_core::calendar::zone("Europe/Berlin").unwrap(),
    );
    assert_eq!(compile(&f, &local).unwrap().test(&prepared), True);
}

#[test]
fn booleans() {
    let mut t = track("t");
    check(
        &[
            ("explicit", True),
            ("explicit:true", True),
            ("explicit:no", False),
            ("-explicit", False),
        ],
        &t,
    );
    t.explicit = None;
    check(
        &[
            ("explicit", Unknown),
            ("explicit:false", Unknown),
            ("-explicit", Unknown),
        ],
        &t,
    );
}

#[test]
fn groups_follow_kleene_logic() {
    let mut t = track("t");
    t.popularity = None; // popularity rules are Unknown
    check(
        &[
            ("", True),
            ("()", True),
            ("ANY()", False),
            ("NONE()", True),
            ("title:creep popularity:>1", Unknown),
            ("title:muse popularity:>1", False),
            ("title:creep OR popularity:>1", True),
            ("title:muse OR popularity:>1", Unknown),
            ("NONE(title:muse popularity:>1)", Unknown),
            ("NONE(title:creep popularity:>1)", False),
            ("-(title:muse OR popularity:>1)", Unknown),
            ("ALL(title:creep (explicit OR popularity:>1))", True),
            ("--title:creep", True),
        ],
        &t,
    );
}

#[test]
fn evaluate_reports_unknowns_separately() {
    let known = track("a");
    let mut unknown = track("b");
    unknown.popularity = None;
    let mut low = track("c");
    low.popularity = Some(10);
    let tracks = prepare_all([known, unknown, low]);
    let f = compile(&query::parse("popularity:>50").unwrap(), &ctx()).unwrap();
    let m = f.evaluate(&tracks);
    assert_eq!(m.included, vec![0]);
    assert_eq!(m.unknown, vec![1]);
    assert_eq!(f.rule_count(), 1);
}

#[test]
fn the_issue_example_evaluates() {
    let q = r#"genre:"indie rock" year:2015..2020 -explicit (artist:radiohead OR artist:"thom yorke") added:<30d duration:<4:30 | limit 50 by -added"#;
    let mut t = track("t");
    t.artist_genres = Some(vec!["Indie Rock".into()]);
    t.release = Some(PartialDate::ymd(2016, 5, 8).unwrap());
    t.explicit = Some(false);
    assert_eq!(verdict(q, &t), True);
    t.added_at = Some(Timestamp::from_unix_seconds(NOW - 40 * 86_400));
    assert_eq!(verdict(q, &t), False);
}

#[test]
fn invalid_regex_in_stored_filters_fails_compilation_clearly() {
    let filter = Filter {
        root: Node::Rule(Rule::Text {
            field: TextField::Title,
            op: TextOp::Matches("(".into()),
            exact: false,
        }),
        post: PostSteps::default(),
    };
    let err = compile(&filter, &ctx()).unwrap_err();
    assert!(err.to_string().contains("not valid"), "{err}");
}
