//! `parse(format(f)) == f` for generated filters, and `format(parse(q))` is a fixed point for
//! generated query text.

use proptest::prelude::*;
use syncer_core::filter::query::{format, parse};
use syncer_core::filter::*;

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9]{1,8}",
        "(?s).{0,6}",
        prop::sample::select(vec![
            "",
            "\\",
            "\"",
            "a b",
            "\\\"",
            "=x",
            "!",
            "{a}",
            "x,y",
            "Beyoncé",
            "sigur rós",
            "a\\",
            "-",
            "OR",
            "(",
            ")",
            "|",
            ":",
            "..",
            "1..2",
            " ",
        ])
        .prop_map(str::to_owned),
    ]
}

fn regex_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "^a.*b$", "\\d+", "(?i)x|y", "é+", "[\"]", "\\\\", "a\\b"
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z0-9 ,(){}\"|]{0,6}".prop_map(|s| regex::escape(&s)),
    ]
}

fn text_op() -> impl Strategy<Value = TextOp> {
    prop_oneof![
        text_value().prop_map(TextOp::Is),
        text_value().prop_map(TextOp::IsNot),
        text_value().prop_map(TextOp::Contains),
        text_value().prop_map(TextOp::DoesNotContain),
        text_value().prop_map(TextOp::StartsWith),
        text_value().prop_map(TextOp::EndsWith),
        regex_value().prop_map(TextOp::Matches),
        prop::collection::vec(text_value(), 0..4).prop_map(TextOp::IsOneOf),
    ]
}

fn compare_op<T: Clone + std::fmt::Debug + 'static>(
    v: impl Strategy<Value = T> + Clone + 'static,
) -> impl Strategy<Value = CompareOp<T>> {
    prop_oneof![
        v.clone().prop_map(CompareOp::Eq),
        v.clone().prop_map(CompareOp::Ne),
        v.clone().prop_map(CompareOp::Lt),
        v.clone().prop_map(CompareOp::Le),
        v.clone().prop_map(CompareOp::Gt),
        v.clone().prop_map(CompareOp::Ge),
        (v.clone(), v.clone()).prop_map(|(a, b)| CompareOp::InRange(a, b)),
        (v.clone(), v).prop_map(|(a, b)| CompareOp::NotInRange(a, b)),
    ]
}

fn date() -> impl Strategy<Value = PartialDate> + Clone {
    (
        0i32..=9999,
        prop::option::of(1u8..=12),
        prop::option::of(1u8..=31),
    )
        .prop_map(|(y, m, d)| {
            PartialDate::new(y, m, d.filter(|_| m.is_some()))
                .or_else(|_| PartialDate::new(y, m, Some(28).filter(|_| m.is_some())))
                .expect("day 28 exists in every month")
        })
}

fn span() -> impl Strategy<Value = RelativeSpan> {
    (
        any::<u32>(),
        prop::sample::select(vec![SpanUnit::Days, SpanUnit::Weeks, SpanUnit::Months]),
    )
        .prop_map(|(amount, unit)| RelativeSpan { amount, unit })
}

fn date_op() -> impl Strategy<Value = DateOp> {
    prop_oneof![
        date().prop_map(DateOp::Is),
        date().prop_map(DateOp::Before),
        date().prop_map(DateOp::After),
        (date(), date()).prop_map(|(a, b)| DateOp::InRange(a, b)),
        span().prop_map(DateOp::InTheLast),
        span().prop_map(DateOp::NotInTheLast),
    ]
}

fn rule() -> impl Strategy<Value = Rule> {
    prop_oneof![
        (
            prop::sample::select(TextField::ALL.to_vec()),
            text_op(),
            any::<bool>()
        )
            .prop_filter_map("regex must compile", |(field, op, exact)| {
                valid(&op, exact).then_some(Rule::Text { field, op, exact })
            }),
        (
            prop::sample::select(ListField::ALL.to_vec()),
            prop::sample::select(vec![
                Quantifier::AnyOf,
                Quantifier::AllOf,
                Quantifier::NoneOf
            ]),
            text_op(),
            any::<bool>()
        )
            .prop_filter_map("regex must compile", |(field, quantifier, op, exact)| {
                valid(&op, exact).then_some(Rule::List {
                    field,
                    quantifier,
                    op,
                    exact,
                })
            }),
        (
            prop::sample::select(NumberField::ALL.to_vec()),
            compare_op(any::<i64>())
        )
            .prop_map(|(field, op)| Rule::Number { field, op }),
        compare_op(any::<u64>().prop_map(DurationMs)).prop_map(|op| Rule::Duration {
            field: DurationField::Duration,
            op
        }),
        (prop::sample::select(DateField::ALL.to_vec()), date_op())
            .prop_map(|(field, op)| Rule::Date { field, op }),
        any::<bool>().prop_map(|value| Rule::Bool {
            field: BoolField::Explicit,
            value
        }),
    ]
}

fn valid(op: &TextOp, exact: bool) -> bool {
    match op {
        TextOp::Matches(p) => compile::build_regex(p, exact).is_ok(),
        _ => true,
    }
}

fn node() -> impl Strategy<Value = Node> {
    rule()
        .prop_map(Node::Rule)
        .prop_recursive(4, 24, 4, |inner| {
            (
                prop::sample::select(vec![GroupMode::All, GroupMode::Any, GroupMode::None]),
                prop::collection::vec(inner, 0..4),
            )
                .prop_map(|(mode, children)| Node::Group(Group::new(mode, children)))
        })
}

fn post() -> impl Strategy<Value = PostSteps> {
    (
        prop::option::of(
            (any::<bool>(), any::<bool>())
                .prop_map(|(isrc, title_artist)| Dedupe { isrc, title_artist }),
        ),
        prop::sample::select(SelectionOrder::ALL.to_vec()),
        prop::option::of(any::<u32>()),
        prop::option::of(prop_oneof![
            any::<u32>().prop_map(Limit::Tracks),
            any::<u64>().prop_map(|ms| Limit::Duration(DurationMs(ms))),
        ]),
    )
        .prop_map(|(dedupe, order, per_artist, limit)| PostSteps {
            dedupe,
            order,
            per_artist,
            limit,
        })
}

fn filter() -> impl Strategy<Value = Filter> {
    (node(), post()).prop_map(|(root, post)| Filter { root, post })
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

    #[test]
    fn errors_always_point_inside_the_query(q in query_text()) {
        if let Err(e) = parse(&q) {
            prop_assert!(e.column >= 1 && e.column <= q.chars().count() + 1, "{}: {}", q, e);
            prop_assert!(!e.expected.is_empty());
        }
    }
}
