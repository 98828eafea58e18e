//! Tokens are core's concept (so the auth crate can supply them without depending on this
//! crate); re-exported here because every client constructor names them.

pub use syncer_core::token::{AccessToken, StaticToken, TokenError, TokenSource};
