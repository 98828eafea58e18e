//! The optional cloud account: sign up or in, the sync passphrase, syncing the setup with the
//! user's other devices, conflicts, sign out and deleting the cloud copy. Everything is done by
//! syncer-cloud-client; this module only carries it to the window. Passwords and passphrases
//! pass through here on their way to the client and are never logged or kept.

use std::sync::Arc;

use serde::Serialize;
use syncer_cloud_client::{
    CloudDevice, CloudError, CloudStatus, Passphrase, PassphraseOutcome, RECOVERY_WARNING,
};
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorCode, OrCommandError};
use crate::state::AppState;
use crate::syncing::SyncHub;

/// This device's side of the cloud account: the shared layer's one.
pub(crate) async fn device(state: &AppState) -> CommandResult<Arc<CloudDevice>> {
    state.services()?.cloud().await.or_command_error()
}

/// Where a new account lives unless the user names another server: the configuration's.
pub(crate) fn default_server(state: &AppState) -> CommandResult<String> {
    Ok(state.services()?.config().cloud_url.clone())
}

/// A cloud error as the window gets it: its kind is the shared layer's.
pub(crate) fn cloud_error(err: CloudError) -> CommandError {
    CommandError::app(syncer_app::AppError::Cloud(err))
}

/// Which version of a conflicting setup item the window keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConflictChoice {
    /// This device's version.
    Local,
    /// The other device's, as the server has it.
    Remote,
}

/// Where this device stands with the cloud, for the Cloud page.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CloudStatusView {
    pub signed_in: bool,
    pub server_url: Option<String>,
    /// The server a new sign-in goes to unless another is typed.
    pub default_server_url: String,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub key_id: Option<String>,
    /// The key is on this device: it can sync. Otherwise the passphrase is needed.
    pub unlocked: bool,
    /// Unix milliseconds.
    #[ts(type = "number | null")]
    pub last_sync_at: Option<i64>,
    pub records: u32,
    pub open_conflicts: u32,
}

pub(crate) fn status_view(s: CloudStatus, default_server: &str) -> CloudStatusView {
    CloudStatusView {
        signed_in: s.signed_in,
        server_url: s.server_url,
        default_server_url: default_server.to_owned(),
        email: s.email,
        device_id: s.device_id,
        key_id: s.key_id,
        unlocked: s.unlocked,
        last_sync_at: s.last_sync_at,
        records: u32::try_from(s.records).unwrap_or(u32::MAX),
        open_conflicts: u32::try_from(s.open_conflicts).unwrap_or(u32::MAX),
    }
}

/// What entering the passphrase did: unlocked, or made the account's key (with the recovery
/// code, shown once, and the warning that goes with it).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PassphraseView {
    pub created: bool,
    pub key_id: String,
    pub recovery_code: Option<String>,
    pub warning: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CloudSyncView {
    pub pulled: u32,
    pub applied: u32,
    pub removed: u32,
    pub pushed: u32,
    pub deleted: u32,
    pub new_conflicts: u32,
    pub open_conflicts: u32,
}

/// A conflict with both versions, as setup items in JSON.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConflictItem {
    pub id: String,
    pub what: String,
    /// This device's version; null when it deleted the item.
    #[ts(type = "unknown")]
    pub local: Option<serde_json::Value>,
    /// The server's version; null when another device deleted it.
    #[ts(type = "unknown")]
    pub remote: Option<serde_json::Value>,
    pub resolved: bool,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[tauri::command]
pub async fn cloud_status(state: State<'_, AppState>) -> CommandResult<CloudStatusView> {
    let device = device(&state).await?;
    Ok(status_view(
        device.status().await.map_err(cloud_error)?,
        &default_server(&state)?,
    ))
}

/// Creates an account (`create`) or signs in to one.
#[tauri::command]
pub async fn cloud_sign_in(
    state: State<'_, AppState>,
    server: String,
    email: String,
    password: String,
    create: bool,
) -> CommandResult<CloudStatusView> {
    let device = device(&state).await?;
    let server = if server.trim().is_empty() {
        default_server(&state)?
    } else {
        server.trim().to_owned()
    };
    let status = if create {
        device.sign_up(&server, email.trim(), &password).await
    } else {
        device.sign_in(&server, email.trim(), &password).await
    }
    .map_err(cloud_error)?;
    Ok(status_view(status, &default_server(&state)?))
}

#[tauri::command]
pub async fn cloud_passphrase(
    state: State<'_, AppState>,
    passphrase: String,
) -> CommandResult<PassphraseView> {
    let device = device(&state).await?;
    let outcome = device
        .enter_passphrase(&Passphrase::new(passphrase))
        .await
        .map_err(cloud_error)?;
    Ok(match outcome {
        PassphraseOutcome::Created {
            key_id,
            recovery_code,
        } => PassphraseView {
            created: true,
            key_id,
            recovery_code: Some(recovery_code),
            warning: Some(RECOVERY_WARNING.to_owned()),
        },
        PassphraseOutcome::Unlocked { key_id } => PassphraseView {
            created: false,
            key_id,
            recovery_code: None,
            warning: None,
        },
    })
}

/// Brings the setup in step with the account: pushes this device's changes, applies others'.
#[tauri::command]
pub async fn cloud_sync(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
) -> CommandResult<CloudSyncView> {
    let device = device(&state).await?;
    let r = device.sync().await.map_err(cloud_error)?;
    // Bases or schedules may have arrived from another device.
    hub.reschedule().await;
    Ok(CloudSyncView {
        pulled: count(r.pulled),
        applied: count(r.applied),
        removed: count(r.removed),
        pushed: count(r.pushed),
        deleted: count(r.deleted),
        new_conflicts: count(r.new_conflicts),
        open_conflicts: count(r.open_conflicts),
    })
}

#[tauri::command]
pub async fn cloud_conflicts(state: State<'_, AppState>) -> CommandResult<Vec<ConflictItem>> {
    let device = device(&state).await?;
    let all = device.conflicts(false).await.map_err(cloud_error)?;
    Ok(all
        .into_iter()
        .map(|c| ConflictItem {
            id: c.id,
            what: c.what,
            local: c.local,
            remote: c.remote,
            resolved: c.resolved_at.is_some(),
        })
        .collect())
}

/// Settles a conflict: "local" keeps this device's version, "remote" the other device's.
#[tauri::command]
pub async fn cloud_resolve(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    conflict: String,
    choice: ConflictChoice,
) -> CommandResult<()> {
    let device = device(&state).await?;
    let choice = match choice {
        ConflictChoice::Local => syncer_cloud_client::Choice::Local,
        ConflictChoice::Remote => syncer_cloud_client::Choice::Remote,
    };
    device
        .resolve(&conflict, choice)
        .await
        .map_err(cloud_error)?;
    hub.reschedule().await;
    Ok(())
}

#[tauri::command]
pub async fn cloud_sign_out(state: State<'_, AppState>) -> CommandResult<()> {
    let device = device(&state).await?;
    device.sign_out().await.map_err(cloud_error)
}

/// Changes the account password; the server signs every other device out. Answers how many
/// sign-ins ended.
#[tauri::command]
pub async fn cloud_change_password(
    state: State<'_, AppState>,
    current: String,
    new: String,
) -> CommandResult<u64> {
    let device = device(&state).await?;
    device
        .change_password(&current, &new)
        .await
        .map_err(cloud_error)
}

/// Deletes the account's records and key on the server (still signed in; the local setup
/// stays), confirmed by typing "delete" and by the account's password. The window always asks
/// for the password: the server insists on it once a sign-in is 10 minutes old, which a
/// desktop's month-long sign-in nearly always is, and asking up front spares a refused attempt
/// and a second dialog. A wrong one answers `wrong_password`.
#[tauri::command]
pub async fn cloud_delete_data(
    state: State<'_, AppState>,
    confirm: String,
    password: String,
) -> CommandResult<()> {
    let device = device(&state).await?;
    delete_data(&device, &confirm, &password).await
}

async fn delete_data(device: &CloudDevice, confirm: &str, password: &str) -> CommandResult<()> {
    if confirm.trim() != "delete" {
        return Err(CommandError::with_code(
            ErrorCode::Invalid,
            "Type delete to confirm; nothing was deleted.",
        ));
    }
    if password.is_empty() {
        return Err(CommandError::with_code(
            ErrorCode::PasswordRequired,
            "Enter the account's password to confirm; nothing was deleted.",
        ));
    }
    device
        .delete_cloud_data_with_password(password)
        .await
        .map_err(cloud_error)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use syncer_auth::Vault;
    use syncer_cloud::testing::{Backend, TestServer, test_settings};
    use syncer_cloud_client::{KdfParams, Passphrase};
    use syncer_store::{OpenOptions, Store};

    use super::*;

    const PASSWORD: &str = "a long account password";

    /// Deleting the cloud copy through the window's command, against a real server that (as
    /// after 10 minutes) takes no deletion without the password.
    #[tokio::test]
    async fn deleting_cloud_data_takes_the_password_and_says_when_it_is_wrong() {
        let settings = syncer_cloud::state::Settings {
            fresh_sign_in: Duration::ZERO,
            ..test_settings()
        };
        let server = TestServer::start(Backend::Sqlite, settings)
            .await
            .expect("cloud server");
        let dir = tempfile::tempdir().expect("data dir");
        let store = Store::open_file(&dir.path().join("syncer.db"), &OpenOptions::default())
            .await
            .expect("store");
        let device = CloudDevice::new(store, Vault::memory(), dir.path())
            .with_kdf(KdfParams::INSECURE_FOR_TESTS);
        device
            .sign_up(&server.url(), "pat@example.org", PASSWORD)
            .await
            .expect("sign up");
        device
            .enter_passphrase(&Passphrase::new("correct horse battery staple".to_owned()))
            .await
            .expect("passphrase");

        // The server's answer without the password, as the client names it.
        let err = device
            .delete_cloud_data()
            .await
            .expect_err("needs the password");
        assert_eq!(cloud_error(err).code, Some(ErrorCode::PasswordRequired));

        let err = delete_data(&device, "delete", "").await.expect_err("empty");
        assert_eq!(err.code, Some(ErrorCode::PasswordRequired));
        let err = delete_data(&device, "delete", "not the password")
            .await
            .expect_err("wrong password");
        assert_eq!(err.code, Some(ErrorCode::WrongPassword), "{}", err.message);
        assert!(err.message.contains("password is wrong"), "{}", err.message);
        let kept = device.status().await.expect("status");
        assert!(
            kept.signed_in && kept.key_id.is_some(),
            "nothing was deleted"
        );

        delete_data(&device, "delete", PASSWORD)
            .await
            .expect("deleted with the password");
        let after = device.status().await.expect("status");
        assert!(after.signed_in, "still signed in");
        assert_eq!(after.key_id, None, "the key went with the data");
        server.finish().await;
    }
}
