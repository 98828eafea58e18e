//! Generators of valid filters, for property tests here and in the store's tests (which
//! include this file by path): every filter they make passes [`validate`], and some nest to
//! exactly [`MAX_DEPTH`].

#![allow(dead_code)]

use proptest::prelude::*;
use syncer_core::filter::*;

pub fn text_value() -> impl Strategy<Value = String> {
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

pub fn regex_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "^a.*b$", "\\d+", "(?i)x|y", "é+", "[\"]", "\\\\", "a\\b"
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z0-9 ,(){}\"|]{0,6}".prop_map(|s| escape_regex(&s)),
    ]
}

pub fn text_op() -> BoxedStrategy<TextOp> {
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
    .boxed()
}

/// Comparisons a track can satisfy: values inside `lo ..= hi`, `<` above the lowest value,
/// `>` below the highest, ranges in order (what [`validate`] accepts).
fn compare_op<T: Clone + Copy + Ord + std::fmt::Debug + 'static>(
    v: impl Strategy<Value = T> + Clone + 'static,
    lo: T,
    hi: T,
) -> BoxedStrategy<CompareOp<T>> {
    let pair = (v.clone(), v.clone()).prop_map(|(a, b)| (a.min(b), a.max(b)));
    prop_oneof![
        v.clone().prop_map(CompareOp::Eq),
        v.clone().prop_map(CompareOp::Ne),
        v.clone()
            .prop_filter("something is below", move |x| *x > lo)
            .prop_map(CompareOp::Lt),
        v.clone().prop_map(CompareOp::Le),
        v.clone()
            .prop_filter("something is above", move |x| *x < hi)
            .prop_map(CompareOp::Gt),
        v.prop_map(CompareOp::Ge),
        pair.clone().prop_map(|(a, b)| CompareOp::InRange(a, b)),
        pair.prop_map(|(a, b)| CompareOp::NotInRange(a, b)),
    ]
    .boxed()
}

/// A number rule on any number field, with values in the field's domain (edges included).
fn number_rule() -> BoxedStrategy<Rule> {
    prop::sample::select(NumberField::ALL.to_vec())
        .prop_flat_map(|field| {
            let domain = field.domain();
            let (lo, hi) = (domain.min, domain.max.unwrap_or(i64::MAX));
            let value = prop_oneof![lo..=hi, Just(lo), Just(hi)];
            compare_op(value, lo, hi).prop_map(move |op| Rule::Number { field, op })
        })
        .boxed()
}

pub fn date() -> impl Strategy<Value = PartialDate> + Clone {
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

pub fn span() -> impl Strategy<Value = RelativeSpan> {
    (
        1..=u32::MAX,
        prop::sample::select(vec![SpanUnit::Days, SpanUnit::Weeks, SpanUnit::Months]),
    )
        .prop_map(|(amount, unit)| RelativeSpan { amount, unit })
}

pub fn date_op() -> BoxedStrategy<DateOp> {
    prop_oneof![
        date().prop_map(DateOp::Is),
        date().prop_map(DateOp::Before),
        date().prop_map(DateOp::After),
        // In order of their first day: a range never starts after it ends.
        (date(), date()).prop_map(|(a, b)| {
            let first = |d: &PartialDate| d.interval(&syncer_core::calendar::TimeZone::UTC).start;
            if first(&a) <= first(&b) {
                DateOp::InRange(a, b)
            } else {
                DateOp::InRange(b, a)
            }
        }),
        span().prop_map(DateOp::InTheLast),
        span().prop_map(DateOp::NotInTheLast),
    ]
    .boxed()
}

pub fn rule() -> BoxedStrategy<Rule> {
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
        number_rule(),
        compare_op(
            prop_oneof![any::<u64>(), Just(0), Just(u64::MAX)].prop_map(DurationMs),
            DurationMs(0),
            DurationMs(u64::MAX)
        )
        .prop_map(|op| Rule::Duration {
            field: DurationField::Duration,
            op
        }),
        (prop::sample::select(DateField::ALL.to_vec()), date_op())
            .prop_map(|(field, op)| Rule::Date { field, op })
            // Before the first day or after the last there is nothing.
            .prop_filter("some day satisfies it", |rule| limits::check_rule(rule)
                .is_ok()),
        (prop::sample::select(BoolField::ALL.to_vec()), any::<bool>())
            .prop_map(|(field, value)| Rule::Bool { field, value }),
        text_value()
            .prop_map(|playlist| Rule::Playlist {
                field: PlaylistField::In,
                playlist
            })
            .prop_filter("names a playlist", |rule| limits::check_rule(rule).is_ok()),
    ]
    .boxed()
}

fn valid(op: &TextOp, exact: bool) -> bool {
    match op {
        TextOp::Matches(p) => compile::build_regex(p, exact).is_ok(),
        _ => true,
    }
}

pub fn node() -> BoxedStrategy<Node> {
    rule()
        .prop_map(Node::Rule)
        .prop_recursive(4, 24, 4, |inner| {
            (
                prop::sample::select(vec![GroupMode::All, GroupMode::Any, GroupMode::None]),
                prop::collection::vec(inner, 0..4),
            )
                .prop_map(|(mode, children)| Node::Group(Group::new(mode, children)))
        })
        .boxed()
}

pub fn post() -> BoxedStrategy<PostSteps> {
    (
        prop::option::of(
            (any::<bool>(), any::<bool>())
                .prop_map(|(isrc, title_artist)| Dedupe { isrc, title_artist }),
        ),
        prop::sample::select(SelectionOrder::ALL.to_vec()),
        prop::option::of(1..=u32::MAX),
        prop::option::of(prop_oneof![
            (1..=u32::MAX).prop_map(Limit::Tracks),
            (1..=u64::MAX).prop_map(|ms| Limit::Duration(DurationMs(ms))),
        ]),
    )
        .prop_map(|(dedupe, order, per_artist, limit)| PostSteps {
            dedupe,
            order,
            per_artist,
            limit,
        })
        .boxed()
}

/// Filters of every shape, some nested to exactly [`MAX_DEPTH`].
pub fn filter() -> BoxedStrategy<Filter> {
    prop_oneof![
        3 => (node(), post()).prop_map(|(root, post)| Filter { root, post }),
        1 => (deep_node(), post()).prop_map(|(root, post)| Filter { root, post }),
    ]
    .boxed()
}

/// A node wrapped in a chain of groups, each maybe with a sibling rule, as deep as allowed
/// (or, half the time, less).
pub fn deep_node() -> BoxedStrategy<Node> {
    let level = (
        prop::sample::select(vec![GroupMode::All, GroupMode::Any, GroupMode::None]),
        prop::option::of(rule()),
        any::<bool>(),
    );
    (
        node(),
        prop::collection::vec(level, MAX_DEPTH),
        any::<bool>(),
        0..=MAX_DEPTH,
    )
        .prop_map(|(inner, levels, to_the_max, some)| {
            let room = MAX_DEPTH.saturating_sub(limits::depth(&inner));
            let wanted = if to_the_max { room } else { some.min(room) };
            let mut node = inner;
            for (mode, sibling, before) in levels.into_iter().take(wanted) {
                let mut children = vec![node];
                if let Some(rule) = sibling {
                    if before {
                        children.insert(0, Node::Rule(rule));
                    } else {
                        children.push(Node::Rule(rule));
                    }
                }
                node = Node::Group(Group::new(mode, children));
            }
            node
        })
        .boxed()
}

/// A regex matching `text` literally (regex::escape's job, without the dependency).
fn escape_regex(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
