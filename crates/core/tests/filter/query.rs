use syncer_core::filter::query::{ParseErrorKind, format, parse};
use syncer_core::filter::*;

fn canonical(q: &str) -> String {
    format(&parse(q).unwrap_or_else(|e| panic!("{q}: {e}")))
}

#[test]
fn the_issue_example_parses_to_the_expected_model() {
    let q = r#"genre:"indie rock" year:2015..2020 -explicit (artist:radiohead OR artist:"thom yorke") added:<30d duration:<4:30 | limit 50 by -added"#;
    let f = parse(q).unwrap();
    let Node::Group(root) = &f.root else {
        panic!("{:?}", f.root)
    };
    assert_eq!(root.mode, GroupMode::All);
    assert_eq!(root.children.len(), 6);
    assert_eq!(
        root.children[1],
        Node::Rule(Rule::Number {
            field: NumberField::Year,
            op: CompareOp::InRange(2015, 2020)
        })
    );
    assert_eq!(
        root.children[2],
        Node::Group(Group::new(
            GroupMode::None,
            vec![Node::Rule(Rule::Bool {
                field: BoolField::Explicit,
                value: true
            })]
        ))
    );
    assert_eq!(f.post.limit, Some(Limit::Tracks(50)));
    assert_eq!(f.post.order, SelectionOrder::MostRecentlyAdded);
    assert_eq!(canonical(q), q);
}

#[test]
fn forgiving_spellings_format_canonically() {
    let cases = [
        ("Genres:rock", "genre:rock"),
        ("track:3", "track_number:3"),
        ("year:=2015", "year:2015"),
        ("explicit:yes", "explicit"),
        ("explicit:0", "explicit:false"),
        ("NOT explicit", "-explicit"),
        ("a.any:x", "ERR"),
        ("artist.any:x", "artist:x"),
        ("title:a AND title:b", "title:a title:b"),
        ("title:a or title:b", "title:a OR title:b"),
        ("title:a title:b OR title:c", "(title:a title:b) OR title:c"),
        ("(title:a)", "(title:a)"),
        ("((title:a OR title:b))", "((title:a OR title:b))"),
        ("any(title:a)", "ANY(title:a)"),
        ("NONE(title:a)", "-title:a"),
        ("all(title:a title:b)", "title:a title:b"),
        ("title:z all(title:a title:b)", "title:z (title:a title:b)"),
        ("title:\"plain\"", "title:plain"),
        ("title:\"two words\"", "title:\"two words\""),
        (
            "artist:{ muse , \"sigur rós\" }",
            "artist:{muse,\"sigur rós\"}",
        ),
        ("duration:<270", "duration:<4:30"),
        ("duration:<4m30s", "duration:<4:30"),
        ("duration:>1h", "duration:>1:00:00"),
        ("added:<1y", "added:<12m"),
        ("added:<30days", "added:<30d"),
        ("| limit 90m", "| limit 1:30:00"),
        ("| limit 5 by newest", "| limit 5 by -release"),
        ("| by shuffle", "| by random"),
        ("| by position", ""),
        ("| dedup title+artist isrc", "| dedupe isrc title_artist"),
        (
            "| per_artist 2 by -popularity",
            "| per_artist 2 | by -popularity",
        ),
        ("", ""),
        ("()", ""),
        ("title::\"\\d+\"", "title::\"\\d+\""),
        ("title:\"\"", "title:\"\""),
        ("title:{}", "title:{}"),
        ("title:{\"\"}", "title:{\"\"}"),
    ];
    for (q, want) in cases {
        match parse(q) {
            Ok(f) => assert_eq!(format(&f), want, "{q}"),
            Err(e) => assert_eq!(want, "ERR", "{q}: {e}"),
        }
    }
}

#[test]
fn formatting_is_idempotent_on_examples() {
    for q in [
        "genre:rock -(artist:muse OR artist:blur) | dedupe | limit 20",
        "NONE(title:a title:b) ANY() ()",
        "release:1990..1999-06 release:>2001 release:<2020-01-01 added:>6m",
        "title.exact:^The artist.all.exact:$s label:!sony isrc:{a,b}",
    ] {
        let once = canonical(q);
        assert_eq!(canonical(&once), once, "{q}");
    }
}

fn error(q: &str) -> query::ParseError {
    parse(q).expect_err(q)
}

#[test]
fn misspelled_fields_get_a_suggestion_and_a_column() {
    let e = error("gnre:rock");
    assert_eq!(
        e.to_string(),
        "unknown field 'gnre' at column 1 — did you mean 'genre'?"
    );
    let e = error("year:2015 popularty:>5");
    assert_eq!(e.column, 11);
    assert_eq!(e.suggestion.as_deref(), Some("popularity"));
    assert_eq!(e.kind, ParseErrorKind::UnknownField);
}

#[test]
fn every_error_names_column_and_expectation() {
    let cases: &[(&str, ParseErrorKind, usize, Option<&str>)] = &[
        (
            "year:=>2015",
            ParseErrorKind::UnknownOperator,
            6,
            Some(">="),
        ),
        ("year:==2015", ParseErrorKind::UnknownOperator, 6, Some("=")),
        ("added:<30x", ParseErrorKind::UnknownUnit, 10, None),
        (
            "added:<30dys",
            ParseErrorKind::UnknownUnit,
            10,
            Some("days"),
        ),
        (
            "added:30d",
            ParseErrorKind::UnknownOperator,
            7,
            Some("added:<30d"),
        ),
        (
            "artist.al:x",
            ParseErrorKind::UnknownModifier,
            8,
            Some("all"),
        ),
        ("title.all:x", ParseErrorKind::UnknownModifier, 7, None),
        ("year.exact:1", ParseErrorKind::UnknownModifier, 6, None),
        (
            "| limit 5 by -ad",
            ParseErrorKind::UnknownSortKey,
            14,
            Some("-added"),
        ),
        ("| limt 5", ParseErrorKind::UnknownStep, 3, Some("limit")),
        ("| limit 5 | limit 6", ParseErrorKind::Duplicate, 13, None),
        ("| limit x", ParseErrorKind::InvalidValue, 9, None),
        ("(title:a", ParseErrorKind::UnexpectedEnd, 9, None),
        ("title:a)", ParseErrorKind::UnexpectedToken, 8, None),
        ("title:a OR", ParseErrorKind::UnexpectedEnd, 11, None),
        ("OR title:a", ParseErrorKind::UnexpectedToken, 1, None),
        ("title:\"abc", ParseErrorKind::UnterminatedString, 7, None),
        ("title::\"(\"", ParseErrorKind::InvalidRegex, 9, None),
        ("year:abc", ParseErrorKind::InvalidValue, 6, None),
        ("year:1..x", ParseErrorKind::InvalidValue, 9, None),
        ("release:2015-02-30", ParseErrorKind::InvalidValue, 9, None),
        ("title:", ParseErrorKind::UnexpectedEnd, 7, None),
        ("title:{a,,b}", ParseErrorKind::InvalidValue, 10, None),
        ("title:{a", ParseErrorKind::UnexpectedEnd, 9, None),
        ("title:<a", ParseErrorKind::UnknownOperator, 7, None),
        ("explicit:maybe", ParseErrorKind::InvalidValue, 10, None),
        (
            "explicit:ture",
            ParseErrorKind::InvalidValue,
            10,
            Some("true"),
        ),
        ("radiohead", ParseErrorKind::UnknownField, 1, None),
        (
            "artist=radiohead",
            ParseErrorKind::UnknownOperator,
            7,
            Some("artist:=radiohead"),
        ),
        ("title", ParseErrorKind::UnexpectedEnd, 6, None),
        (
            "ANY(title:a OR title:b)",
            ParseErrorKind::UnexpectedToken,
            13,
            None,
        ),
        (
            "title:a limit 5",
            ParseErrorKind::UnexpectedToken,
            9,
            Some("| limit"),
        ),
        ("duration:<4:61", ParseErrorKind::InvalidValue, 11, None),
    ];
    for (q, kind, column, suggestion) in cases {
        let e = error(q);
        assert_eq!((e.kind, e.column), (*kind, *column), "{q}: {e}");
        assert_eq!(e.suggestion.as_deref(), *suggestion, "{q}: {e}");
        assert!(!e.expected.is_empty(), "{q}");
        let shown = e.to_string();
        assert!(shown.contains(&format!("at column {column}")), "{shown}");
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let q = format!("{}title:a{}", "(".repeat(500), ")".repeat(500));
    assert_eq!(error(&q).kind, ParseErrorKind::TooDeep);
    let q = format!("{}title:a", "-".repeat(500));
    assert_eq!(error(&q).kind, ParseErrorKind::TooDeep);
}

fn nested(depth: usize) -> String {
    format!("{}title:a{}", "(".repeat(depth), ")".repeat(depth))
}

#[test]
fn one_maximum_depth_counts_every_group_the_model_holds() {
    // Brackets alone: the maximum is accepted, one more is refused at the bracket too many.
    assert_eq!(
        limits::depth(&parse(&nested(MAX_DEPTH)).unwrap().root),
        MAX_DEPTH
    );
    let e = error(&nested(MAX_DEPTH + 1));
    assert_eq!((e.kind, e.column), (ParseErrorKind::TooDeep, MAX_DEPTH + 1));
    assert_eq!(
        e.to_string(),
        format!(
            "groups nest {} deep, more than the {MAX_DEPTH} Syncer allows at column {} — \
             expected at most {MAX_DEPTH} groups inside one another (each '(', '-', NOT, ANY(, \
             ALL( and NONE( is one): write the query flatter",
            MAX_DEPTH + 1,
            MAX_DEPTH + 1
        )
    );
    // Terms side by side make a group without brackets: one level more.
    let q = format!("title:z {}", nested(MAX_DEPTH));
    let e = error(&q);
    assert_eq!(e.kind, ParseErrorKind::TooDeep);
    assert_eq!(e.column, 9 + MAX_DEPTH - 1, "the innermost bracket: {e}");
    assert!(parse(&format!("title:z {}", nested(MAX_DEPTH - 1))).is_ok());
    // So do alternatives of several terms: `a b OR c` is ANY(ALL(a b) c).
    let q = format!("title:y title:z {} OR title:x", nested(MAX_DEPTH - 1));
    assert_eq!(error(&q).kind, ParseErrorKind::TooDeep);
    let q = format!("title:y {} OR title:x", nested(MAX_DEPTH - 2));
    assert_eq!(limits::depth(&parse(&q).unwrap().root), MAX_DEPTH);
    // Negations and named groups count like brackets.
    let q = format!("{}explicit", "-".repeat(MAX_DEPTH));
    assert!(parse(&q).is_ok());
    let q = format!("{}ANY(explicit)", "NOT ".repeat(MAX_DEPTH));
    assert_eq!(error(&q).column, 4 * MAX_DEPTH + 1);
}

#[test]
fn the_query_from_issue_16_nested_42_deep_is_refused_where_it_gets_too_deep() {
    let q = format!("{}genre:rock{}", "(".repeat(42), ")".repeat(42));
    let e = error(&q);
    assert_eq!(e.kind, ParseErrorKind::TooDeep);
    assert_eq!(e.column, MAX_DEPTH + 1);
}

#[test]
fn ranges_and_steps_that_cannot_match_are_refused_at_their_column() {
    let cases: &[(&str, usize, Option<&str>)] = &[
        ("year:5..1", 6, Some("year:1..5")),
        ("year:!5..1", 6, Some("year:!1..5")),
        ("release:2020..2010", 9, Some("release:2010..2020")),
        (
            "release:2015-07..2015-06",
            9,
            Some("release:2015-06..2015-07"),
        ),
        ("duration:5:00..4:00", 10, Some("duration:4:00..5:00")),
        ("popularity:101", 12, None),
        ("pop:>100", 5, None),
        ("popularity:<0", 12, None),
        ("artist_popularity:-1", 19, None),
        ("year:10000", 6, None),
        ("position:0", 10, None),
        ("track_number:<1", 14, None),
        ("disc:0..2", 6, None),
        ("duration:<0", 10, None),
        ("added:<0d", 7, None),
        ("added:>0w", 7, None),
        ("release:<0000", 9, None),
        ("release:>9999", 9, None),
        ("| limit 0", 9, None),
        ("| limit 0:00", 9, None),
        ("| per_artist 0", 14, None),
        ("genre:rock | limit 0 by -added", 20, None),
    ];
    for (q, column, suggestion) in cases {
        let e = error(q);
        assert_eq!(
            (e.kind, e.column),
            (ParseErrorKind::InvalidValue, *column),
            "{q}: {e}"
        );
        assert_eq!(e.suggestion.as_deref(), *suggestion, "{q}: {e}");
        assert!(!e.expected.is_empty(), "{q}");
    }
    for q in [
        "year:1..5",
        "year:2000..2000",
        "popularity:100",
        "popularity:<=0",
        "popularity:>=100",
        "popularity:<1",
        "position:1",
        "duration:<=0",
        "release:2015-06..2015",
        "added:<1d",
        "| limit 1",
        "| per_artist 1",
    ] {
        assert!(parse(q).is_ok(), "{q}: {}", error(q));
    }
    let e = error("popularity:101");
    assert_eq!(
        e.to_string(),
        "101 is out of range for 'popularity' at column 12 — expected a whole number from 0 to 100"
    );
}

#[test]
fn field_uses_cover_rules_and_steps() {
    let f =
        parse("genre:rock | dedupe isrc | per_artist 2 | limit 1:00:00 by -popularity").unwrap();
    let fields = f.fields();
    for field in [
        Field::Genre,
        Field::Isrc,
        Field::PrimaryArtist,
        Field::Duration,
        Field::Popularity,
    ] {
        assert!(fields.contains(&field), "{field}");
    }
    assert_eq!(fields.len(), 5);
}

const DOC: &str = include_str!("../../../../docs/query-language.md");

/// The lines of the fenced block that follows `heading` in the reference.
fn doc_block(heading: &str) -> Vec<&'static str> {
    let after = &DOC[DOC.find(heading).expect(heading)..];
    let start = after.find("```text\n").expect("a text block") + "```text\n".len();
    let block = &after[start..];
    block[..block.find("```").expect("closed block")]
        .lines()
        .collect()
}

#[test]
fn the_references_examples_parse_and_are_canonical() {
    for q in doc_block("## More examples")
        .into_iter()
        .chain(doc_block("# Syncer query language"))
    {
        let f = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(format(&f), q, "documented examples are written canonically");
    }
}

#[test]
fn the_references_error_messages_are_the_real_ones() {
    for line in doc_block("## Errors") {
        let (q, message) = line.split_at(21);
        assert_eq!(error(q.trim_end()).to_string(), message, "{q}");
    }
}

#[test]
fn relative_dates_are_recognised_at_any_depth() {
    let uses = |q: &str| parse(q).unwrap().uses_relative_dates();
    assert!(uses("added:<30d"));
    assert!(uses("added:>6m"));
    assert!(uses("genre:rock (year:>=2010 OR -(release:<2w))"));
    assert!(!uses("added:2024 release:2015..2020 year:>=2010"));
    assert!(!uses("genre:rock | limit 50 by -added"));
}
