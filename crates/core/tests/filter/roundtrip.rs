//! `parse(format(f)) == f` for generated filters, and `format(parse(q))` is a fixed point for
//! generated query text.

use crate::strategies::{self, filter};
use proptest::prelude::*;
use syncer_core::filter::query::{format, parse};
use syncer_core::filter::*;

/// Filters as the rule builder might send them: any number, span, cap and limit, nesting
/// up to two past the maximum. Many are refused; both paths must refuse the same ones.
fn wild_filter() -> impl Strategy<Value = Filter> {
    let wild_rule = prop_oneof![
        (
            prop::sample::select(NumberField::ALL.to_vec()),
            prop_oneof![-3i64..=3, 98i64..=102, 9998i64..=10_001, any::<i64>()],
            prop_oneof![-3i64..=3, 98i64..=102, 9998i64..=10_001, any::<i64>()],
            0..8u8,
        )
            .prop_map(|(field, a, b, which)| {
                let op = match which {
                    0 => CompareOp::Eq(a),
                    1 => CompareOp::Ne(a),
                    2 => CompareOp::Lt(a),
                    3 => CompareOp::Le(a),
                    4 => CompareOp::Gt(a),
                    5 => CompareOp::Ge(a),
                    6 => CompareOp::InRange(a, b),
                    _ => CompareOp::NotInRange(a, b),
                };
                Rule::Number { field, op }
            }),
        (0u64..3, 0u64..3).prop_map(|(a, b)| Rule::Duration {
            field: DurationField::Duration,
            op: CompareOp::InRange(DurationMs(a), DurationMs(b)),
        }),
        Just(Rule::Duration {
            field: DurationField::Duration,
            op: CompareOp::Lt(DurationMs(0)),
        }),
        (0u32..3).prop_map(|amount| Rule::Date {
            field: DateField::Added,
            op: DateOp::InTheLast(RelativeSpan {
                amount,
                unit: SpanUnit::Days,
            }),
        }),
        (strategies::date(), strategies::date()).prop_map(|(a, b)| Rule::Date {
            field: DateField::Release,
            op: DateOp::InRange(a, b),
        }),
        strategies::rule(),
    ];
    let chain = prop::collection::vec(
        prop::sample::select(vec![GroupMode::All, GroupMode::Any, GroupMode::None]),
        0..=MAX_DEPTH + 2,
    );
    let post = (
        prop::option::of(0u32..3),
        prop::option::of(prop_oneof![
            (0u32..3).prop_map(Limit::Tracks),
            (0u64..3).prop_map(|ms| Limit::Duration(DurationMs(ms))),
        ]),
    );
    (prop::collection::vec(wild_rule, 1..4), chain, post).prop_map(
        |(rules, chain, (per_artist, limit))| {
            let mut root = Node::Group(Group::new(
                GroupMode::All,
                rules.into_iter().map(Node::Rule).collect(),
            ));
            for mode in chain {
                root = Node::Group(Group::new(mode, vec![root]));
            }
            Filter {
                root,
                post: PostSteps {
                    per_artist,
                    limit,
                    ..PostSteps::default()
                },
            }
        },
    )
}

/// Query-like noise: real field names, operators, keywords and punctuation.
fn query_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "title:",
        "artist",
        ".all",
        ".exact",
        "genre:",
        "year:",
        "added:",
        "release:",
        "duration:",
        "explicit",
        "x",
        "rock",
        "2015",
        "..",
        "<",
        ">=",
        "!",
        "=",
        "^",
        "{",
        "}",
        ",",
        "\"",
        "\"a b\"",
        "30d",
        "4:30",
        " ",
        " ",
        " OR ",
        " AND ",
        "NOT ",
        "-",
        "(",
        ")",
        "ANY(",
        "NONE(",
        " | ",
        "limit ",
        "5",
        " by ",
        "-added",
        "dedupe ",
        "isrc",
        "::",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parse_inverts_format(f in filter()) {
        let text = format(&f);
        let parsed = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&parsed, &f, "{}", text);
        // And the text is canonical: formatting again gives the same text.
        prop_assert_eq!(format(&parsed), text);
    }

    #[test]
    fn json_round_trips(f in filter()) {
        prop_assert_eq!(from_json(&to_json(&f)).unwrap(), f);
    }

    #[test]
    fn format_of_parse_is_a_fixed_point(q in query_text()) {
        if let Ok(f) = parse(&q) {
            let once = format(&f);
            let again = parse(&once).map_err(|e| TestCaseError::fail(format!("{q} -> {once}: {e}")))?;
            prop_assert_eq!(&again, &f, "{} -> {}", q, once);
            prop_assert_eq!(format(&again), once);
        }
    }

    /// What the parser takes, the JSON form stores and reads back, and the checks of the
    /// model path accept: no query is accepted that storage would then refuse.
    #[test]
    fn everything_the_parser_accepts_is_stored_and_read_back(q in query_text()) {
        if let Ok(f) = parse(&q) {
            prop_assert_eq!(validate(&f), Ok(()), "{}", q);
            prop_assert_eq!(from_json(&to_json(&f)), Ok(f), "{}", q);
        }
    }

    /// The rule builder's model and the same filter as text are refused alike, for the same
    /// reason when there is one.
    #[test]
    fn the_model_path_and_the_parser_refuse_the_same_filters(f in wild_filter()) {
        let text = format(&f);
        match (validate(&f), parse(&text)) {
            (Ok(()), Ok(parsed)) => prop_assert_eq!(parsed, f.clone(), "{}", text),
            (Err(refused), Err(error)) => {
                // The JSON path refuses it too: with the model path's reason, or, nested too
                // deep to be worth parsing, before reading it.
                let loaded = from_json(&to_json(&f));
                let too_deep = matches!(loaded, Err(LoadError::TooDeep { .. }))
                    && matches!(refused, LimitError::TooDeep { .. });
                prop_assert!(too_deep || loaded == Err(LoadError::Refused(refused)), "{}", text);
                prop_assert!(error.column >= 1 && error.column <= text.chars().count() + 1);
            }
            (model, text_result) => {
                prop_assert!(false, "{}: model {:?}, text {:?}", text, model, text_result);
            }
        }
    }

    #[test]
    fn errors_always_point_inside_the_query(q in query_text()) {
        if let Err(e) = parse(&q) {
            prop_assert!(e.column >= 1 && e.column <= q.chars().count() + 1, "{}: {}", q, e);
            prop_assert!(!e.expected.is_empty());
        }
    }
}
