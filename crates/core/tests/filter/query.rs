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
