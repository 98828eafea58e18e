//! The account: who am I, the key bundle, export and deletion (GDPR).

use std::net::IpAddr;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::records::{conflict_out, record_out};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Authed, ClientIp};
use crate::model::{
    ChangePasswordRequest, DeleteAccountRequest, DeleteDataRequest, Device, ErrorBody, Export,
    KeyBundleBody, Me, PasswordChanged,
};
use crate::state::{AppState, now_ms};
use crate::storage::{DeviceRow, Storage, UserRow};

const MAX_BUNDLE_BYTES: usize = 16 * 1024;

pub(crate) async fn user<S: Storage>(state: &AppState<S>, user_id: &str) -> ApiResult<UserRow> {
    state
        .storage
        .user_by_id(user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists; sign up again"))
}

pub(crate) fn device_out(d: DeviceRow, current: &str) -> Device {
    Device {
        current: d.id == current,
        id: d.id,
        name: d.name,
        enrolled_by: d.enrolled_by,
        cursor: d.cursor,
        created_at: d.created_at,
        last_seen_at: d.last_seen_at,
        revoked_at: d.revoked_at,
        platform: d.platform,
        os_version: d.os_version,
        model: d.model,
        app_version: d.app_version,
    }
}

/// The signed-in account and its devices.
#[utoipa::path(get, path = "/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
) -> ApiResult<Json<Me>> {
    let user = user(&state, &me.user_id).await?;
    let devices = state.storage.list_devices(&me.user_id).await?;
    Ok(Json(Me {
        user_id: user.id,
        email: user.email,
        key_id: user.key_id,
        change_seq: user.change_seq,
        devices: devices
            .into_iter()
            .map(|d| device_out(d, &me.device_id))
            .collect(),
        device_id: me.device_id,
        created_at: user.created_at,
    }))
}

/// Delete the account and everything the server holds for it. Asks for the password.
#[utoipa::path(delete, path = "/v1/account", tag = "account", security(("bearer" = [])),
    request_body = DeleteAccountRequest,
    responses((status = 204),
        (status = 400, body = ErrorBody, description = "invalid_json, or text with U+0000"),
        (status = 401, body = ErrorBody, description = "invalid_credentials, or the token is invalid"),
        (status = 429, body = ErrorBody, description = "rate_limited"),
        (status = 503, body = ErrorBody, description = "busy: too many passwords being checked; Retry-After")))]
pub async fn delete_account<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<DeleteAccountRequest>,
) -> ApiResult<StatusCode> {
    let user = user(&state, &me.user_id).await?;
    confirm_password(&state, &user, ip, body.password).await?;
    state.storage.delete_user(&user.id).await?;
    tracing::info!(user = %user.id, "account deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Checks the account's password for an action that needs more than a token: limited per
/// (account, address) like sign-in, so a stolen token cannot be used to guess it quickly.
async fn confirm_password<S: Storage>(
    state: &AppState<S>,
    user: &UserRow,
    ip: IpAddr,
    password: String,
) -> ApiResult<()> {
    state.limiters.check_account(&user.email, ip)?;
    if state
        .passwords
        .verify(password, user.password_hash.clone())
        .await?
    {
        Ok(())
    } else {
        tracing::info!(user = %user.id, "password confirmation refused");
        Err(ApiError::invalid_credentials())
    }
}

/// Change the password. Every other device is signed out (whoever knew the old password is
/// out too), and every unused enrollment code they made stops working; this one stays signed
/// in. The encryption key is untouched: it is sealed by the sync passphrase, which the server
/// never sees, not by the password.
#[utoipa::path(put, path = "/v1/account/password", tag = "account", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, body = PasswordChanged),
        (status = 400, body = ErrorBody, description = "weak_password, invalid_json, or text with U+0000"),
        (status = 401, body = ErrorBody, description = "invalid_credentials, or the token is invalid"),
        (status = 429, body = ErrorBody, description = "rate_limited"),
        (status = 503, body = ErrorBody, description = "busy: too many passwords being checked; Retry-After"),
    ))]
pub async fn change_password<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> ApiResult<Json<PasswordChanged>> {
    let user = user(&state, &me.user_id).await?;
    confirm_password(&state, &user, ip, body.current_password).await?;
    super::auth::check_password_strength(&body.new_password)?;
    let hash = state.passwords.hash(body.new_password).await?;
    let ended = state
        .storage
        .change_password(&user.id, &hash, &me.session_id, now_ms())
        .await?;
    // The ended sessions' streams close now, on every instance.
    if ended > 0 {
        crate::events::wake(&state, &user.id).await?;
    }
    tracing::info!(user = %user.id, signed_out = ended, "password changed");
    Ok(Json(PasswordChanged {
        signed_out_sessions: ended,
    }))
}

/// Delete every record, conflict and the key bundle; the account stays (start over). An
/// access token alone is not enough: send the password, or ask within a few minutes of
/// signing in with it on this device.
#[utoipa::path(delete, path = "/v1/records", tag = "records", security(("bearer" = [])),
    request_body(content = Option<DeleteDataRequest>, description = "the password; may be left out right after a password sign-in"),
    responses((status = 204),
        (status = 400, body = ErrorBody, description = "invalid_json, or text with U+0000"),
        (status = 401, body = ErrorBody, description = "invalid_credentials, or the token is invalid"),
        (status = 403, body = ErrorBody, description = "password_required: send the password (or sign in again)"),
        (status = 429, body = ErrorBody, description = "rate_limited"),
        (status = 503, body = ErrorBody, description = "busy: too many passwords being checked; Retry-After")))]
pub async fn delete_all_data<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ClientIp(ip): ClientIp,
    // Absent, `null` or an object: the body may be left out, as the document says.
    body: Option<ApiJson<Option<DeleteDataRequest>>>,
) -> ApiResult<StatusCode> {
    let user = user(&state, &me.user_id).await?;
    match body.and_then(|ApiJson(b)| b).and_then(|b| b.password) {
        Some(password) => confirm_password(&state, &user, ip, password).await?,
        None => {
            let signed_in = state.storage.password_sign_in_at(&me.session_id).await?;
            let fresh_since = now_ms() - super::auth::ttl_ms(state.settings.fresh_sign_in);
            if signed_in.is_none_or(|at| at < fresh_since) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "password_required",
                    "deleting all cloud data needs the account's password: send it as \
                     {\"password\"}, or sign in again and delete right after",
                ));
            }
        }
    }
    state.storage.delete_all_data(&me.user_id).await?;
    state.events.wake(&me.user_id);
    tracing::info!(user = %me.user_id, "all cloud data deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Everything the server holds for the account, still encrypted.
#[utoipa::path(get, path = "/v1/export", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Export), (status = 401, body = ErrorBody)))]
pub async fn export<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
) -> ApiResult<Json<Export>> {
    let user = user(&state, &me.user_id).await?;
    let devices = state.storage.list_devices(&me.user_id).await?;
    let records = state.storage.all_records(&me.user_id).await?;
    let conflicts = state.storage.list_conflicts(&me.user_id, true).await?;
    let mut conflicts_out = Vec::with_capacity(conflicts.len());
    for c in conflicts {
        let remote = records
            .iter()
            .find(|r| r.collection == c.collection && r.record_id == c.record_id)
            .cloned();
        conflicts_out.push(conflict_out(c, remote));
    }
    Ok(Json(Export {
        format: "syncer-cloud-export".to_owned(),
        exported_at: now_ms(),
        user_id: user.id,
        email: user.email,
        key_id: user.key_id,
        key_bundle: user.key_bundle.and_then(|b| serde_json::from_str(&b).ok()),
        devices: devices
            .into_iter()
            .map(|d| device_out(d, &me.device_id))
            .collect(),
        records: records.into_iter().map(record_out).collect(),
        conflicts: conflicts_out,
    }))
}

/// The account's wrapped master key, for a device that has the passphrase.
#[utoipa::path(get, path = "/v1/keys", tag = "keys", security(("bearer" = [])),
    responses((status = 200, body = KeyBundleBody), (status = 404, body = ErrorBody, description = "no_key")))]
pub async fn get_key<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
) -> ApiResult<Json<KeyBundleBody>> {
    let user = user(&state, &me.user_id).await?;
    match (user.key_id, user.key_bundle) {
        (Some(key_id), Some(bundle)) => Ok(Json(KeyBundleBody {
            key_id,
            bundle: serde_json::from_str(&bundle).map_err(ApiError::internal)?,
        })),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_key",
            "this account has no sync key yet: set a sync passphrase on one device first",
        )),
    }
}

/// Store the wrapped master key. The first one sets the account's key id; later ones must
/// carry the same key id (a new passphrase for the same key). To change the key itself,
/// delete the cloud data first.
#[utoipa::path(put, path = "/v1/keys", tag = "keys", security(("bearer" = [])),
    request_body = KeyBundleBody,
    responses((status = 200, body = KeyBundleBody), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "key_exists: the account has another key")))]
pub async fn put_key<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiJson(body): ApiJson<KeyBundleBody>,
) -> ApiResult<Json<KeyBundleBody>> {
    let text = body.bundle.to_string();
    if text.len() > MAX_BUNDLE_BYTES {
        return Err(ApiError::bad_request(
            "invalid_key_bundle",
            "the key bundle is too large",
        ));
    }
    let bundle = syncer_crypto::KeyBundle::from_json(&text)
        .map_err(|e| ApiError::bad_request("invalid_key_bundle", e.to_string()))?;
    if bundle.key_id.as_str() != body.key_id {
        return Err(ApiError::bad_request(
            "key_id_mismatch",
            format!(
                "the bundle wraps key {}, not {}",
                bundle.key_id, body.key_id
            ),
        ));
    }
    let user = user(&state, &me.user_id).await?;
    let expected = user.key_id.as_deref();
    if let Some(current) = expected
        && current != body.key_id
    {
        return Err(key_exists(current, &body.key_id));
    }
    if !state
        .storage
        .set_key(&me.user_id, expected, &body.key_id, &text, now_ms())
        .await?
    {
        // Another device set a key between our read and our write.
        let now = user_key_id(&state, &me.user_id).await?;
        return Err(key_exists(now.as_deref().unwrap_or("?"), &body.key_id));
    }
    Ok(Json(body))
}

async fn user_key_id<S: Storage>(state: &AppState<S>, user_id: &str) -> ApiResult<Option<String>> {
    Ok(user(state, user_id).await?.key_id)
}

fn key_exists(current: &str, offered: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "key_exists",
        format!(
            "this account's data is encrypted under key {current}; enter its passphrase on this \
             device instead of making a new key (to start over, delete the cloud data first)"
        ),
    )
    .with_details(json!({ "account_key_id": current, "offered_key_id": offered }))
}
