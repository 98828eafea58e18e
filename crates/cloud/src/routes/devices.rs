//! The account's devices: list, rename, revoke. Revoking ends every session of the device at
//! once (its access tokens are deleted, its refresh tokens refused), whoever does it: another
//! device of the account, or the device itself (which signs it out).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::account::device_out;
use super::auth::check_device_name;
use crate::error::{ApiError, ApiResult};
use crate::events::{self, EventKind};
use crate::extract::{ApiJson, ApiPath, Authed};
use crate::model::{Device, DeviceList, ErrorBody, RenameDeviceRequest};
use crate::state::{AppState, now_ms};
use crate::storage::Storage;

/// The answer to a token of a removed device: the client tells it apart from an ended
/// sign-in.
pub(crate) fn device_revoked() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "device_revoked",
        "this device was removed from the account; sign in again, or join with a new code",
    )
}

fn no_such_device() -> ApiError {
    // Another account's device gets the same answer as none at all.
    ApiError::not_found("no such device in this account; list them with GET /v1/devices")
}

/// The account's devices, with which one is asking.
#[utoipa::path(get, path = "/v1/devices", tag = "devices", security(("bearer" = [])),
    responses((status = 200, body = DeviceList), (status = 401, body = ErrorBody)))]
pub async fn list_devices<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
) -> ApiResult<Json<DeviceList>> {
    let devices = state.storage.list_devices(&me.user_id).await?;
    Ok(Json(DeviceList {
        devices: devices
            .into_iter()
            .filter(|d| d.revoked_at.is_none())
            .map(|d| device_out(d, &me.device_id))
            .collect(),
        device_id: me.device_id,
    }))
}

/// Rename a device of the account.
#[utoipa::path(patch, path = "/v1/devices/{id}", tag = "devices", security(("bearer" = [])),
    params(("id" = String, Path, description = "the device id")),
    request_body = RenameDeviceRequest,
    responses((status = 200, body = Device), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rename_device<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RenameDeviceRequest>,
) -> ApiResult<Json<Device>> {
    let name = check_device_name(&body.name)?;
    if !state.storage.rename_device(&me.user_id, &id, &name).await? {
        return Err(no_such_device());
    }
    let device = state
        .storage
        .device(&me.user_id, &id)
        .await?
        .ok_or_else(no_such_device)?;
    Ok(Json(device_out(device, &me.device_id)))
}

/// Remove a device from the account: its tokens stop working at once. Removing the device
/// that asks signs it out.
#[utoipa::path(delete, path = "/v1/devices/{id}", tag = "devices", security(("bearer" = [])),
    params(("id" = String, Path, description = "the device id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_device<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    if !state
        .storage
        .revoke_device(&me.user_id, &id, now_ms())
        .await?
    {
        return Err(no_such_device());
    }
    // Its own stream closes on this event (and on its next session check regardless).
    let announced = events::publish(
        &state,
        &me.user_id,
        EventKind::DeviceRevoked {
            device_id: id.clone(),
        },
    )
    .await;
    if let Err(e) = announced {
        tracing::warn!(user = %me.user_id, error = %e, "could not announce the removed device");
    }
    tracing::info!(user = %me.user_id, device = %id, by = %me.device_id, "device revoked");
    Ok(StatusCode::NO_CONTENT)
}
