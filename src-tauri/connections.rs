//! Connection commands: thin calls into `syncer_auth::Connections`. Completion of a sign-in
//! arrives later (deep link or loopback), so it is reported to the window as an event.

use std::time::Duration;

use serde::Deserialize;
use syncer_app::connections::VaultStatus;
use syncer_auth::{
    AuthorizationStart, CallbackChannel, ConnectionDetails, ConnectionInfo, LoopbackListener,
    ProviderInfo, Removed, StartOAuth, TestReport, deep_link_redirect_uri,
};
use syncer_core::ids::ConnectionId;
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_opener::OpenerExt;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, OrCommandError};
use crate::state::AppState;

/// Event: a sign-in finished and the connection is stored. Payload: `ConnectionInfo`.
pub const CONNECTION_ADDED: &str = "connection-added";
/// Event: a sign-in was refused or failed. Payload: `CommandError`.
pub const CONNECT_FAILED: &str = "connect-failed";

/// The loopback redirect registered in the provider's dashboard: http://127.0.0.1:8888/oauth/….
const PREFERRED_LOOPBACK_PORT: u16 = 8888;

/// How long a loopback listener waits for the browser: the sign-in state's own lifetime.
const LOOPBACK_WAIT: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Loopback,
    DeepLink,
}

#[tauri::command]
pub fn list_providers(state: State<'_, AppState>) -> CommandResult<Vec<ProviderInfo>> {
    state.services()?.providers().or_command_error()
}

#[tauri::command]
pub async fn list_connections(state: State<'_, AppState>) -> CommandResult<Vec<ConnectionDetails>> {
    state
        .services()?
        .list_connections()
        .await
        .or_command_error()
}

#[tauri::command]
pub async fn get_client_id(
    state: State<'_, AppState>,
    provider: String,
) -> CommandResult<Option<String>> {
    state
        .services()?
        .client_id(&provider)
        .await
        .or_command_error()
}

#[tauri::command]
pub async fn set_client_id(
    state: State<'_, AppState>,
    provider: String,
    client_id: String,
) -> CommandResult<()> {
    state
        .services()?
        .set_client_id(&provider, &client_id)
        .await
        .or_command_error()
}

#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> CommandResult<VaultStatus> {
    Ok(state.vault_status().await)
}

/// Opens the encrypted secrets file with the passphrase typed in the window (choosing it, the
/// first time): for machines with no system keyring. Answers where sign-ins are kept now.
#[tauri::command]
pub async fn unlock_vault(
    state: State<'_, AppState>,
    passphrase: String,
) -> CommandResult<VaultStatus> {
    state
        .services()?
        .unlock_vault(&passphrase)
        .await
        .or_command_error()
}

/// Starts signing in: returns the authorize URL (the window shows it too, in case no browser
/// opens) and tries to open it in the system browser.
#[tauri::command]
pub async fn start_connect(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: String,
    channel: Channel,
) -> CommandResult<AuthorizationStart> {
    state.ensure_vault_open().await?;
    let services = state.services()?;
    let connections = services.auth().await.or_command_error()?;
    let start = match channel {
        Channel::DeepLink => connections
            .start_oauth(StartOAuth::new(
                &provider,
                deep_link_redirect_uri(&provider),
            ))
            .await
            .or_command_error()?,
        Channel::Loopback => {
            // The port README tells users to register; any free one if it is taken (RFC 8252
            // lets the server accept any loopback port, though not every provider does).
            let listener = match LoopbackListener::bind(&provider, PREFERRED_LOOPBACK_PORT).await {
                Ok(listener) => listener,
                Err(_) => LoopbackListener::bind(&provider, 0)
                    .await
                    .or_command_error()?,
            };
            let start = connections
                .start_oauth(StartOAuth::new(&provider, listener.redirect_uri()))
                .await
                .or_command_error()?;
            let app = app.clone();
            // The listener answers only this sign-in's state; strays get a 400 page.
            let expected = start.state().unwrap_or_default();
            let mut waiting = listener.serve(&expected);
            tauri::async_runtime::spawn(async move {
                match waiting.next(LOOPBACK_WAIT).await {
                    // The browser's page waits for the outcome, so it says what happened.
                    Ok(arrival) => {
                        let result = connections.complete_oauth(&arrival.url).await;
                        arrival.answer(syncer_auth::sign_in_outcome(&result)).await;
                        report(&app, &services, result).await;
                    }
                    Err(err) => report_failure(&app, CommandError::app(err.into())),
                }
            });
            start
        }
    };
    debug_assert!(matches!(
        (channel, start.channel),
        (Channel::DeepLink, CallbackChannel::DeepLink)
            | (Channel::Loopback, CallbackChannel::Loopback)
    ));
    open_in_browser(&app, &start.authorize_url);
    Ok(start)
}

/// Opens a URL in the system browser again (the window's "open again" button).
#[tauri::command]
pub fn open_url(app: AppHandle, url: String) -> CommandResult<()> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(CommandError::with_code(
            crate::error::ErrorCode::Invalid,
            "only web addresses can be opened",
        ));
    }
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        CommandError::new(format!(
            "could not open the browser ({e}); copy the link instead"
        ))
    })
}

#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, id: String) -> CommandResult<TestReport> {
    let test = state
        .services()?
        .test_connection(&ConnectionId::new(id))
        .await
        .or_command_error()?;
    Ok(test.report)
}

/// Which filter fields a connection can feed, and why not the others.
#[derive(Debug, Clone, serde::Serialize, TS)]
#[ts(export)]
pub struct CapabilitiesView {
    /// Whether the connection was ever probed; before that, nothing is known to be missing.
    pub probed: bool,
    pub missing: Vec<MissingField>,
}

#[derive(Debug, Clone, serde::Serialize, TS)]
#[ts(export)]
pub struct MissingField {
    /// As the query language names it.
    pub field: String,
    pub reason: String,
}

#[tauri::command]
pub async fn connection_capabilities(
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<CapabilitiesView> {
    let caps = state
        .services()?
        .capabilities(&ConnectionId::new(id))
        .await
        .or_command_error()?;
    Ok(match caps {
        Some(caps) => CapabilitiesView {
            probed: true,
            missing: caps
                .missing_fields()
                .into_iter()
                .map(|(field, reason)| MissingField {
                    field: field.label().to_owned(),
                    reason: reason.to_string(),
                })
                .collect(),
        },
        None => CapabilitiesView {
            probed: false,
            missing: Vec::new(),
        },
    })
}

/// Adds the demo library as a connection (a stand-in for Spotify in this process).
#[tauri::command]
pub async fn connect_demo(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<ConnectionInfo> {
    let info = state
        .services()?
        .connect_demo(syncer_app::DemoSpec::default())
        .await
        .or_command_error()?;
    let _ = app.emit(CONNECTION_ADDED, &info);
    Ok(info)
}

#[tauri::command]
pub async fn rename_connection(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> CommandResult<ConnectionInfo> {
    state
        .services()?
        .rename_connection(&ConnectionId::new(id), &name)
        .await
        .or_command_error()
}

#[tauri::command]
pub async fn remove_connection(
    state: State<'_, AppState>,
    id: String,
    force: bool,
) -> CommandResult<Removed> {
    state
        .services()?
        .remove_connection(&ConnectionId::new(id), force)
        .await
        .or_command_error()
}

/// A `syncer://` URL the OS handed to this instance (directly, or forwarded by a second
/// instance): finish the sign-in it answers.
pub fn handle_deep_link(app: &AppHandle, url: String) {
    if !url.starts_with("syncer://oauth/") {
        tracing::warn!("ignored a syncer:// link that is not a sign-in answer");
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let services = match state.services() {
            Ok(services) => services,
            Err(err) => return report_failure(&app, err),
        };
        match services.auth().await {
            Ok(connections) => {
                let result = connections.complete_oauth(&url).await;
                report(&app, &services, result).await;
            }
            Err(err) => report_failure(&app, CommandError::app(err)),
        }
    });
}

/// Tells the window how a sign-in ended; a new sign-in is probed for what it can provide.
async fn report(
    app: &AppHandle,
    services: &syncer_app::Services,
    result: Result<ConnectionInfo, syncer_auth::AuthError>,
) {
    match result {
        Ok(info) => {
            tracing::info!(connection = %info.id, provider = %info.provider, "connection added");
            if let Err(e) = services.signed_in(&info).await {
                tracing::warn!(connection = %info.id, error = %e, "could not probe the new connection");
            }
            if let Err(e) = app.emit(CONNECTION_ADDED, &info) {
                tracing::warn!(error = %e, "could not tell the window about the new connection");
            }
            focus_main_window(app);
        }
        Err(err) => report_failure(app, CommandError::app(err.into())),
    }
}

fn report_failure(app: &AppHandle, err: CommandError) {
    tracing::warn!(error = %err.message, "sign-in failed");
    if let Err(e) = app.emit(CONNECT_FAILED, &err) {
        tracing::warn!(error = %e, "could not tell the window about the failed sign-in");
    }
    focus_main_window(app);
}

/// Brings the window up to show how a sign-in ended: built again if it was closed.
pub fn focus_main_window(app: &AppHandle) {
    crate::window::open_main_window(app);
}

fn open_in_browser(app: &AppHandle, url: &str) {
    // No browser is not an error: the window shows the link to open by hand.
    if let Err(e) = app.opener().open_url(url, None::<&str>) {
        tracing::warn!(error = %e, "could not open the system browser");
    }
}
