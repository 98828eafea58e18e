//! Device enrollment by QR code: a signed-in device creates a single-use, short-lived
//! enrollment carrying the master key wrapped under a secret the server never sees; a new
//! device presents the token (from the QR code) to look it up and to complete it, which
//! creates the device and its session at once. docs/enrollment.md has the scheme and its
//! threat model.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::json;

use super::auth::{check_device_details, check_device_name, issue, ttl_ms};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, EventKind};
use crate::extract::{ApiJson, ApiPath, Authed, ClientIp};
use crate::model::{
    AppInstructions, CompleteEnrollmentRequest, CreateEnrollmentRequest, Enrolled,
    EnrollmentCreated, EnrollmentInfo, ErrorBody, SyncSettings,
};
use crate::state::{AppState, now_ms};
use crate::storage::{DeviceRow, EnrollOutcome, EnrollmentRow, Principal, Storage};
use crate::tokens;

/// What marks an enrollment token.
pub const ENROLLMENT_PREFIX: &str = "sce_";
const MAX_WRAP_BYTES: usize = 4 * 1024;

fn unknown() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "enrollment_unknown",
        "this enrollment code is not known to this server; check that the code was copied \
         whole, or ask for a new one",
    )
}

fn expired() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "enrollment_expired",
        "this enrollment code has expired; ask for a new code on a signed-in device",
    )
}

fn used() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "enrollment_used",
        "this enrollment code was already used (each code works once); ask for a new code on a \
         signed-in device",
    )
}

fn revoked() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "enrollment_revoked",
        "the sign-in that made this enrollment code has ended (signed out, password changed or \
         device removed), so the code no longer works; ask for a new code on a signed-in device",
    )
}

/// The address devices use for this server: the configured public URL, or the `Host` the
/// request came to (with the forwarded scheme, behind a trusted proxy).
fn server_url<S>(state: &AppState<S>, headers: &HeaderMap) -> String {
    if let Some(url) = &state.settings.public_url {
        return url.clone();
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let scheme = if state.settings.trust_forwarded_for {
        header("x-forwarded-proto").unwrap_or("http")
    } else {
        "http"
    };
    let host = header("host").unwrap_or("127.0.0.1");
    format!("{scheme}://{host}")
}

/// Start an enrollment for a new device. The body carries the master key wrapped under a
/// secret that stays on the devices (in the QR code); the token returned is single use.
#[utoipa::path(post, path = "/v1/enrollments", tag = "enrollment", security(("bearer" = [])),
    request_body = CreateEnrollmentRequest,
    responses(
        (status = 201, body = EnrollmentCreated),
        (status = 400, body = ErrorBody, description = "invalid_enrollment_wrap"),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no_key: set a sync passphrase first"),
        (status = 422, body = ErrorBody, description = "wrong_key: the wrap holds another key than the account's"),
    ))]
pub async fn create_enrollment<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiJson(body): ApiJson<CreateEnrollmentRequest>,
) -> ApiResult<(StatusCode, Json<EnrollmentCreated>)> {
    let text = body.wrapped_key.to_string();
    if text.len() > MAX_WRAP_BYTES {
        return Err(ApiError::bad_request(
            "invalid_enrollment_wrap",
            "the wrapped key is too large",
        ));
    }
    let wrap = syncer_crypto::EnrollmentWrap::from_json(&text)
        .map_err(|e| ApiError::bad_request("invalid_enrollment_wrap", e.to_string()))?;
    if wrap.key_id.as_str() != body.key_id {
        return Err(ApiError::bad_request(
            "key_id_mismatch",
            format!("the wrap holds key {}, not {}", wrap.key_id, body.key_id),
        ));
    }
    let user = super::account::user(&state, &me.user_id).await?;
    let Some(account_key) = user.key_id else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_key",
            "this account has no sync key yet: set a sync passphrase before adding a device",
        ));
    };
    if account_key != body.key_id {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_key",
            format!(
                "this account's data is encrypted under key {account_key}, but this device holds \
                 key {}; enter this account's sync passphrase here first",
                body.key_id
            ),
        )
        .with_details(json!({ "account_key_id": account_key, "upload_key_id": body.key_id })));
    }
    let now = now_ms();
    let token = tokens::generate(ENROLLMENT_PREFIX);
    let ttl = ttl_ms(state.settings.enrollment_ttl);
    let row = EnrollmentRow {
        id: tokens::new_id(),
        token_hash: tokens::hash(&token),
        user_id: me.user_id.clone(),
        created_by: me.device_id.clone(),
        created_session: me.session_id.clone(),
        key_id: body.key_id,
        wrapped_key: text,
        created_at: now,
        expires_at: now + ttl,
    };
    state.storage.create_enrollment(&row).await?;
    tracing::info!(user = %me.user_id, device = %me.device_id, enrollment = %row.id, "enrollment created");
    Ok((
        StatusCode::CREATED,
        Json(EnrollmentCreated {
            id: row.id,
            token,
            expires_at: row.expires_at,
            expires_in: ttl / 1000,
        }),
    ))
}

/// Look an enrollment up by its token (the token is the credential): whose account, made on
/// which device, until when.
#[utoipa::path(get, path = "/v1/enrollments/{token}", tag = "enrollment",
    params(("token" = String, Path, description = "the enrollment token from the QR code")),
    responses(
        (status = 200, body = EnrollmentInfo),
        (status = 404, body = ErrorBody, description = "enrollment_unknown"),
        (status = 410, body = ErrorBody, description = "enrollment_expired, enrollment_used, or enrollment_revoked: the sign-in that made it has ended"),
        (status = 429, body = ErrorBody, description = "rate_limited"),
    ))]
pub async fn get_enrollment<S: Storage>(
    State(state): State<AppState<S>>,
    ClientIp(ip): ClientIp,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<Json<EnrollmentInfo>> {
    state.limiters.check_ip(ip)?;
    let view = state
        .storage
        .enrollment_by_token(&tokens::hash(token.trim()))
        .await?
        .ok_or_else(unknown)?;
    if view.used_at.is_some() {
        return Err(used());
    }
    if !view.maker_signed_in {
        return Err(revoked());
    }
    if view.expires_at <= now_ms() {
        return Err(expired());
    }
    Ok(Json(EnrollmentInfo {
        email: view.email,
        created_by_device: view.created_by_name,
        created_at: view.created_at,
        expires_at: view.expires_at,
    }))
}

/// Complete an enrollment: the device is created (`enrolled_by: qr`) and signed in, and gets
/// the master key still wrapped. The token is spent in the same transaction: of two
/// completions, one wins and the other gets 410.
#[utoipa::path(post, path = "/v1/enrollments/{token}/complete", tag = "enrollment",
    params(("token" = String, Path, description = "the enrollment token from the QR code")),
    request_body = CompleteEnrollmentRequest,
    responses(
        (status = 201, body = Enrolled),
        (status = 400, body = ErrorBody, description = "invalid device name or details"),
        (status = 404, body = ErrorBody, description = "enrollment_unknown"),
        (status = 410, body = ErrorBody, description = "enrollment_expired, enrollment_used, or enrollment_revoked: the sign-in that made it has ended"),
        (status = 429, body = ErrorBody, description = "rate_limited"),
    ))]
pub async fn complete_enrollment<S: Storage>(
    State(state): State<AppState<S>>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiPath(token): ApiPath<String>,
    ApiJson(body): ApiJson<CompleteEnrollmentRequest>,
) -> ApiResult<(StatusCode, Json<Enrolled>)> {
    state.limiters.check_ip(ip)?;
    let name = check_device_name(&body.device_name)?;
    let details = check_device_details(body.details)?;
    let now = now_ms();
    let device = DeviceRow {
        id: tokens::new_id(),
        user_id: String::new(),
        name,
        enrolled_by: "qr".to_owned(),
        cursor: 0,
        created_at: now,
        last_seen_at: now,
        revoked_at: None,
        platform: details.platform,
        os_version: details.os_version,
        model: details.model,
        app_version: details.app_version,
    };
    let principal = Principal {
        user_id: String::new(),
        device_id: device.id.clone(),
        session_id: tokens::new_id(),
    };
    let (mut session, hashes) = issue(&state, &principal, false).await?;
    let outcome = state
        .storage
        .complete_enrollment(
            &tokens::hash(token.trim()),
            &device,
            &principal.session_id,
            &hashes,
            now,
        )
        .await?;
    let (user_id, email, key_id, wrapped_key) = match outcome {
        EnrollOutcome::Enrolled {
            user_id,
            email,
            key_id,
            wrapped_key,
        } => (user_id, email, key_id, wrapped_key),
        EnrollOutcome::Unknown => return Err(unknown()),
        EnrollOutcome::Expired => return Err(expired()),
        EnrollOutcome::Used => return Err(used()),
        EnrollOutcome::Revoked => return Err(revoked()),
    };
    // The device exists and its token is spent whatever happens next: a failed announcement
    // is logged, not returned (the new device must get its credentials).
    let announced = events::publish(
        &state,
        &user_id,
        EventKind::DeviceEnrolled {
            device_id: device.id.clone(),
            name: device.name.clone(),
        },
    )
    .await;
    if let Err(e) = announced {
        tracing::warn!(user = %user_id, error = %e, "could not announce the new device");
    }
    tracing::info!(user = %user_id, device = %device.id, "device enrolled by code");
    session.user_id = user_id;
    Ok((
        StatusCode::CREATED,
        Json(Enrolled {
            session,
            email,
            key_id,
            wrapped_key: serde_json::from_str(&wrapped_key).map_err(ApiError::internal)?,
            instructions_url: format!("{}/v1/instructions", server_url(&state, &headers)),
        }),
    ))
}

/// How this device should sync: the server's address and the sync settings.
#[utoipa::path(get, path = "/v1/instructions", tag = "enrollment", security(("bearer" = [])),
    responses((status = 200, body = AppInstructions), (status = 401, body = ErrorBody)))]
pub async fn instructions<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    headers: HeaderMap,
) -> ApiResult<Json<AppInstructions>> {
    let device = state
        .storage
        .device(&me.user_id, &me.device_id)
        .await?
        .ok_or_else(super::devices::device_revoked)?;
    let settings = &state.settings;
    Ok(Json(AppInstructions {
        server_url: server_url(&state, &headers),
        device_id: device.id,
        enrolled_by: device.enrolled_by,
        sync: SyncSettings {
            batch_size: i64::try_from(settings.max_batch).unwrap_or(500),
            compression: "gzip".to_owned(),
            interval_secs: i64::try_from(settings.sync_interval.as_secs()).unwrap_or(900),
        },
    }))
}
