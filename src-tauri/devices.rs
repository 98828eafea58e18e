//! Adding a device by code (QR) and managing the account's devices, for the Cloud section.
//! syncer-cloud-client does the work; this module renders the QR code (as SVG, in Rust, so the
//! window needs no QR library) and carries the rest to the window. The code is a bearer
//! credential until it expires or is used: it is returned to the window, never logged.

use std::sync::Arc;

use serde::Serialize;
use syncer_cloud_client::{CloudDeviceInfo, NewDeviceInfo};
use tauri::State;
use ts_rs::TS;

use crate::cloud::{CloudStatusView, cloud_error, default_server, device, status_view};
use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::state::AppState;
use crate::syncing::SyncHub;

/// A new code to show: the QR code as an SVG document, the same code as text (to copy), and
/// when it expires.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EnrollmentView {
    /// `syncer-enroll:v1:…`
    pub code: String,
    /// The QR code of `code`, a standalone SVG document.
    pub svg: String,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub expires_at: i64,
    #[ts(type = "number")]
    pub expires_in_secs: i64,
}

/// One device of the account.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    /// `password` or `qr`.
    pub enrolled_by: String,
    pub platform: Option<String>,
    pub os_version: Option<String>,
    pub model: Option<String>,
    pub app_version: Option<String>,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub last_seen_at: i64,
    /// "This device".
    pub current: bool,
}

/// What joining with a code did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct JoinView {
    pub status: CloudStatusView,
    /// The name of the device that made the code.
    pub created_by_device: String,
    /// Setup items that arrived.
    pub applied: u32,
}

fn device_view(d: CloudDeviceInfo) -> DeviceView {
    DeviceView {
        id: d.id,
        name: d.name,
        enrolled_by: d.enrolled_by,
        platform: d.platform,
        os_version: d.os_version,
        model: d.model,
        app_version: d.app_version,
        created_at: d.created_at,
        last_seen_at: d.last_seen_at,
        current: d.current,
    }
}

/// The QR code of `text` as SVG (dark modules on white, with the quiet zone scanners need).
pub fn qr_svg(text: &str) -> CommandResult<String> {
    let qr = qrcode::QrCode::new(text.as_bytes()).map_err(|e| {
        CommandError::new(format!(
            "could not draw the QR code ({e}); copy the code as text"
        ))
    })?;
    Ok(qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

/// Makes a code for a new device (this device must be signed in and unlocked).
#[tauri::command]
pub async fn cloud_create_enrollment(state: State<'_, AppState>) -> CommandResult<EnrollmentView> {
    let device = device(&state).await?;
    let enrollment = device.create_enrollment().await.map_err(cloud_error)?;
    Ok(EnrollmentView {
        svg: qr_svg(&enrollment.code)?,
        code: enrollment.code,
        expires_at: enrollment.expires_at,
        expires_in_secs: enrollment.expires_in_secs,
    })
}

#[tauri::command]
pub async fn cloud_devices(state: State<'_, AppState>) -> CommandResult<Vec<DeviceView>> {
    let device = device(&state).await?;
    let devices = device.devices().await.map_err(cloud_error)?;
    Ok(devices.into_iter().map(device_view).collect())
}

#[tauri::command]
pub async fn cloud_rename_device(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> CommandResult<DeviceView> {
    let device = device(&state).await?;
    let renamed = device
        .rename_device(&id, name.trim())
        .await
        .map_err(cloud_error)?;
    Ok(device_view(renamed))
}

/// Removes a device from the account; true when it was this one (now signed out).
#[tauri::command]
pub async fn cloud_revoke_device(state: State<'_, AppState>, id: String) -> CommandResult<bool> {
    let device = device(&state).await?;
    device.revoke_device(&id).await.map_err(cloud_error)
}

/// Joins the account a pasted code was made for: signed in, unlocked and synced.
#[tauri::command]
pub async fn cloud_join(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    code: String,
    name: Option<String>,
) -> CommandResult<JoinView> {
    if code.trim().is_empty() {
        return Err(CommandError::with_code(
            ErrorCode::Invalid,
            "Paste the code shown on your other device (it starts with syncer-enroll:).",
        ));
    }
    let device = device(&state).await?;
    let mut info = NewDeviceInfo::detect(env!("CARGO_PKG_VERSION"));
    info.name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let report = device
        .join_by_enrollment(&code, info)
        .await
        .map_err(cloud_error)?;
    // Bases and schedules arrived from the other device.
    hub.reschedule().await;
    Ok(JoinView {
        status: status_view(report.status, &default_server(&state)?),
        created_by_device: report.created_by_device,
        applied: u32::try_from(report.sync.applied).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_document() {
        let svg = qr_svg("syncer-enroll:v1:eyJzIjoiaHR0cDovLzEyNy4wLjAuMTo4Nzg3In0").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
        assert!(svg.contains("#000"), "dark modules: {svg}");
    }
}
