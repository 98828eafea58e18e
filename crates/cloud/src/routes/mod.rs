//! The router: every endpoint, the layers (metrics, gzip both ways, body limit, panics as
//! errors) and the fallbacks that keep the error shape for unknown paths and methods.

mod account;
mod auth;
mod devices;
mod enroll;
mod events;
mod health;
pub(crate) mod records;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;

pub use self::account::*;
pub use self::auth::*;
pub use self::devices::*;
pub use self::enroll::*;
pub use self::events::*;
pub use self::health::*;
pub use self::records::*;
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::Storage;

pub fn router<S: Storage>(state: AppState<S>) -> Router {
    let max_body = state.settings.max_body_bytes;
    let api = Router::new()
        .route("/v1/auth/register", post(register::<S>))
        .route("/v1/auth/login", post(login::<S>))
        .route("/v1/auth/refresh", post(refresh::<S>))
        .route("/v1/auth/logout", post(logout::<S>))
        .route("/v1/me", get(me::<S>))
        .route("/v1/account", axum::routing::delete(delete_account::<S>))
        .route("/v1/account/password", put(change_password::<S>))
        .route("/v1/keys", get(get_key::<S>).put(put_key::<S>))
        .route("/v1/records", axum::routing::delete(delete_all_data::<S>))
        .route("/v1/records/batch", post(batch::<S>))
        .route(
            "/v1/records/{collection}/{record_id}",
            put(put_record::<S>)
                .get(get_record::<S>)
                .delete(delete_record::<S>),
        )
        .route("/v1/changes", get(changes::<S>))
        .route("/v1/conflicts", get(list_conflicts::<S>))
        .route("/v1/conflicts/{id}/resolve", post(resolve::<S>))
        .route("/v1/export", get(export::<S>))
        .route("/v1/events", get(events::<S>))
        .route("/v1/enrollments", post(create_enrollment::<S>))
        .route("/v1/enrollments/{token}", get(get_enrollment::<S>))
        .route(
            "/v1/enrollments/{token}/complete",
            post(complete_enrollment::<S>),
        )
        .route("/v1/instructions", get(instructions::<S>))
        .route("/v1/devices", get(list_devices::<S>))
        .route(
            "/v1/devices/{id}",
            axum::routing::patch(rename_device::<S>).delete(revoke_device::<S>),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz::<S>))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    api.layer(axum::middleware::from_fn(crate::extract::refuse_nul))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(ApiError::internal("a handler panicked"))
        }))
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint; the API is described at /openapi.json",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method; see /openapi.json",
    )
}
