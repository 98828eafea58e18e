//! Writing a filter as canonical query text: `parse(format(f)) == f` for every filter.
//!
//! Canonical choices: canonical field names, `.any` left out, groups written with parentheses
//! where they round-trip (`(a b)`, `(a OR b)`, `-a`) and with keywords where they would not
//! (`ANY(a)`, `NONE(a b)`), values bare when plain and quoted otherwise, steps in the order
//! they run: `dedupe`, `per_artist`, `limit ... by ...`.

use super::lexer::quote;
use super::parser::SORT_KEYS;
use crate::filter::model::{
    CompareOp, DateOp, Filter, Group, GroupMode, Limit, Node, PostSteps, Quantifier, Rule, TextOp,
};
use std::fmt::Display;

/// The canonical query text of a filter.
pub fn format(filter: &Filter) -> String {
    let body = format_top(&filter.root);
    let steps = format_steps(&filter.post);
    match (body.is_empty(), steps.is_empty()) {
        (_, true) => body,
        (true, false) => format!("| {steps}"),
        (false, false) => format!("{body} | {steps}"),
    }
}

fn format_top(node: &Node) -> String {
    match node {
        Node::Group(Group {
            mode: GroupMode::All,
            children,
        }) if children.is_empty() => String::new(),
        Node::Group(Group {
            mode: GroupMode::All,
            children,
        }) if children.len() >= 2 => join(children, " "),
        Node::Group(Group {
            mode: GroupMode::Any,
            children,
        }) if children.len() >= 2 => join(children, " OR "),
        other => format_node(other),
    }
}

fn join(children: &[Node], sep: &str) -> String {
    children
        .iter()
        .map(format_node)
        .collect::<Vec<_>>()
        .join(sep)
}

/// A node as one term of a sequence.
fn format_node(node: &Node) -> String {
    match node {
        Node::Rule(rule) => format_rule(rule),
        Node::Group(Group { mode, children }) => match (mode, children.len()) {
            (GroupMode::All, 0) => "()".into(),
            (GroupMode::All, _) => format!("({})", join(children, " ")),
            (GroupMode::Any, n) if n >= 2 => format!("({})", join(children, " OR ")),
            (GroupMode::Any, _) => format!("ANY({})", join(children, " ")),
            (GroupMode::None, 1) => format!("-{}", format_node(&children[0])),
            (GroupMode::None, _) => format!("NONE({})", join(children, " ")),
        },
    }
}

/// One rule as one word.
pub fn format_rule(rule: &Rule) -> String {
    match rule {
        Rule::Text { field, op, exact } => {
            format!("{}{}:{}", field.field(), exact_suffix(*exact), text_op(op))
        }
        Rule::List {
            field,
            quantifier,
            op,
            exact,
        } => {
            let q = match quantifier {
                Quantifier::AnyOf => "",
                Quantifier::AllOf => ".all",
                Quantifier::NoneOf => ".none",
            };
            format!(
                "{}{q}{}:{}",
                field.field(),
                exact_suffix(*exact),
                text_op(op)
            )
        }
        Rule::Number { field, op } => format!("{}:{}", field.field(), compare_op(op)),
        Rule::Duration { field, op } => format!("{}:{}", field.field(), compare_op(op)),
        Rule::Date { field, op } => {
            let op = match op {
                DateOp::Is(d) => d.to_string(),
                DateOp::Before(d) => format!("<{d}"),
                DateOp::After(d) => format!(">{d}"),
                DateOp::InRange(a, b) => format!("{a}..{b}"),
                DateOp::InTheLast(s) => format!("<{s}"),
                DateOp::NotInTheLast(s) => format!(">{s}"),
            };
            format!("{}:{op}", field.field())
        }
        Rule::Bool { field, value: true } => field.field().to_string(),
        Rule::Bool {
            field,
            value: false,
        } => format!("{}:false", field.field()),
        Rule::Playlist { field, playlist } => format!("{}:{}", field.field(), quote(playlist)),
    }
}

fn exact_suffix(exact: bool) -> &'static str {
    if exact { ".exact" } else { "" }
}

fn text_op(op: &TextOp) -> String {
    match op {
        TextOp::Contains(v) => quote(v),
        TextOp::Is(v) => format!("={}", quote(v)),
        TextOp::IsNot(v) => format!("!={}", quote(v)),
        TextOp::DoesNotContain(v) => format!("!{}", quote(v)),
        TextOp::StartsWith(v) => format!("^{}", quote(v)),
        TextOp::EndsWith(v) => format!("${}", quote(v)),
        TextOp::Matches(p) => format!(":{}", quote(p)),
        TextOp::IsOneOf(vs) => format!(
            "{{{}}}",
            vs.iter().map(|v| quote(v)).collect::<Vec<_>>().join(",")
        ),
    }
}

fn compare_op<T: Display>(op: &CompareOp<T>) -> String {
    match op {
        CompareOp::Eq(v) => v.to_string(),
        CompareOp::Ne(v) => format!("!={v}"),
        CompareOp::Lt(v) => format!("<{v}"),
        CompareOp::Le(v) => format!("<={v}"),
        CompareOp::Gt(v) => format!(">{v}"),
        CompareOp::Ge(v) => format!(">={v}"),
        CompareOp::InRange(a, b) => format!("{a}..{b}"),
        CompareOp::NotInRange(a, b) => format!("!{a}..{b}"),
    }
}

fn format_steps(post: &PostSteps) -> String {
    let mut steps: Vec<String> = Vec::new();
    if let Some(d) = post.dedupe {
        let mut s = String::from("dedupe");
        if d.isrc {
            s.push_str(" isrc");
        }
        if d.title_artist {
            s.push_str(" title_artist");
        }
        steps.push(s);
    }
    if let Some(k) = post.per_artist {
        steps.push(format!("per_artist {k}"));
    }
    let order = (!post.order.is_base()).then(|| {
        let key = SORT_KEYS
            .iter()
            .find(|(_, o)| *o == post.order)
            .map_or("position", |(s, _)| s);
        format!("by {key}")
    });
    match (post.limit, order) {
        (Some(limit), order) => {
            let amount = match limit {
                Limit::Tracks(n) => n.to_string(),
                Limit::Duration(d) => d.to_string(),
            };
            let mut s = format!("limit {amount}");
            if let Some(order) = order {
                s.push(' ');
                s.push_str(&order);
            }
            steps.push(s);
        }
        (None, Some(order)) => steps.push(order),
        (None, None) => {}
    }
    steps.join(" | ")
}
