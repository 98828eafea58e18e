//! Filters: what a child playlist should contain, and how a base's tracks are routed.
//!
//! Pure logic, no I/O: "now", the user's UTC offset and random seeds are passed in.
//!
//! - [`model`]: the rule tree and post-steps (what the rule builder edits).
//! - [`query`]: the one-line query language, parsed into and formatted from the model.
//! - [`json`]: the versioned JSON form for storage and the cloud.
//! - [`library`]: `liked` and `in:` rules, which read other lists of the library.
//! - [`limits`]: the maximum depth and the values that can match something, checked the same
//!   way for a query, a model from the rule builder and stored JSON.
//! - [`track`]: the track as filters see it ([`FilterTrack`]) and pre-normalised
//!   ([`PreparedTrack`]).
//! - [`compile`]: compile once, evaluate over many tracks, in three-valued logic ([`truth`]).
//! - [`post`]: dedupe, order, per-artist cap, limit.
//! - [`routing`]: independent, first-match and catch-all routing across a base's children.
//! - [`check`]: which fields a filter needs that a connection cannot provide, and why.
//! - [`catalogue`]: each field's label, hint and example, for a rule builder.
//!
//! Typical use by the sync engine:
//!
//! ```
//! use syncer_core::filter::*;
//!
//! let filter = query::parse("genre:rock -explicit | limit 2 by -added").unwrap();
//! let compiled = compile(&filter, &EvalContext::utc(Timestamp::from_unix_seconds(0))).unwrap();
//! let mut track = FilterTrack::unknown("t1", 1);
//! track.artist_genres = Some(vec!["Rock".into()]);
//! track.album_genres = Some(vec![]);
//! track.explicit = Some(false);
//! let tracks = prepare_all([track]);
//! let matches = compiled.evaluate(&tracks);
//! let result = post_process(compiled.post(), &tracks, &matches.included, &PostContext::default());
//! assert_eq!(result.tracks, vec![0]);
//! ```

pub mod catalogue;
pub mod check;
pub mod compile;
pub mod explain;
pub mod field;
pub mod json;
pub mod library;
pub mod limits;
pub mod model;
pub mod normalize;
pub mod post;
pub mod query;
pub mod routing;
pub mod track;
pub mod truth;
pub mod value;

pub use catalogue::{FieldInfo, field_catalogue, field_info};
pub use check::{Availability, FieldAvailability, FieldProblem, check_availability};
pub use compile::{CompileError, CompiledFilter, EvalContext, Matches, compile, evaluate_all};
pub use field::{
    BoolField, DateField, DurationField, Field, FieldKind, ListField, NumberField, PlaylistField,
    TextField,
};
pub use json::{LoadError, SCHEMA_VERSION, from_json, from_json_value, to_json, to_json_value};
pub use library::{Library, LibraryRefs, Membership, exclusions, with_exclusions};
pub use limits::{Domain, LimitError, MAX_DEPTH, validate};
pub use model::{
    CompareOp, DateOp, Dedupe, FieldUse, Filter, Group, GroupMode, Limit, Node, PostSteps,
    Quantifier, Rule, SelectionOrder, TextOp,
};
pub use post::{PostContext, PostOutcome, post_process, seed_from};
pub use routing::{ChildRouting, RouteChild, Routing, RoutingMode, RoutingOutcome, route};
pub use track::{FilterTrack, PreparedTrack, prepare_all};
pub use truth::Truth;
pub use value::{DatePrecision, DurationMs, PartialDate, RelativeSpan, SpanUnit, Timestamp};
