//! What can go wrong talking to MusicBrainz, each saying what happens next.

use std::time::Duration;

use syncer_core::metadata::{MetadataError, SourceKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MbError {
    #[error("the MusicBrainz client could not be set up ({message})")]
    Setup { message: String },
    #[error(
        "MusicBrainz kept answering 503 (too many requests) after {attempts} attempts; \
         Syncer waits {}s before asking again",
        retry_after.as_secs().max(1)
    )]
    RateLimited {
        retry_after: Duration,
        attempts: u32,
    },
    #[error(
        "MusicBrainz failed (HTTP {status}) {attempts} times in a row; it is probably having \
         trouble, Syncer tries again later"
    )]
    Server { status: u16, attempts: u32 },
    #[error(
        "could not reach MusicBrainz after {attempts} attempts ({message}); check the internet \
         connection (or SYNCER_MUSICBRAINZ_URL)"
    )]
    Network { message: String, attempts: u32 },
    #[error("MusicBrainz refused the request (HTTP {status}: {message}); please report it")]
    Refused { status: u16, message: String },
    #[error(
        "MusicBrainz sent an answer Syncer could not read ({endpoint}: {message}); please report it"
    )]
    InvalidResponse {
        endpoint: &'static str,
        message: String,
    },
}

impl From<MbError> for MetadataError {
    fn from(e: MbError) -> MetadataError {
        let origin = SourceKind::MusicBrainz;
        match e {
            MbError::RateLimited { retry_after, .. } => MetadataError::RateLimited {
                origin,
                retry_after,
            },
            MbError::Server { status, .. } => MetadataError::Unavailable { origin, status },
            MbError::Network { message, .. } => MetadataError::Network { origin, message },
            MbError::InvalidResponse { endpoint, message } => MetadataError::InvalidResponse {
                origin,
                message: format!("{endpoint}: {message}"),
            },
            MbError::Refused { status, message } => MetadataError::InvalidRequest {
                origin,
                message: format!("HTTP {status}: {message}"),
            },
            MbError::Setup { message } => MetadataError::Network { origin, message },
        }
    }
}
