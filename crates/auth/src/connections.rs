//! The connection lifecycle over the store (metadata) and the vault (secrets): connect through
//! OAuth or with an API key, list, get with health, rename, test, remove. The desktop shell and
//! the CLI call this; neither keeps logic of its own.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use syncer_core::ids::ConnectionId;
use syncer_store::{ConnectionRecord, ConnectionStatus, NewConnection, Store};

use crate::clock::{Clock, SystemClock, unix_seconds};
use crate::credential::{Credential, OAuthCredential};
use crate::error::{AuthError, TokenError};
use crate::identity::{Identity, IdentityError, identify};
use crate::oauth::callback::{self, Answer};
use crate::oauth::loopback::{Judgement, LoopbackListener, Outcome};
use crate::oauth::state::{Arrival, Pending, PendingSignIns};
use crate::oauth::{CallbackChannel, STATE_LIFETIME, classify_redirect, flow};
use crate::refresh::{ConnectionTokens, DEFAULT_REFRESH_LEEWAY, TokenCell};
use crate::registry::{AuthKind, Provider, ProviderAuth, ProviderInfo, Registry};
use crate::secret::Secret;
use crate::vault::{Vault, connection_key};

/// Shared by the service and every [`ConnectionTokens`].
pub(crate) struct Inner {
    pub store: Store,
    pub vault: Vault,
    pub registry: Registry,
    pub clock: Arc<dyn Clock>,
    pub http: reqwest::Client,
    pub leeway: Duration,
    /// The file every process locks before renewing a token (beside the vault).
    pub refresh_lock: Option<PathBuf>,
    pending: PendingSignIns,
    cells: std::sync::Mutex<HashMap<ConnectionId, Arc<TokenCell>>>,
}

/// When a connection's sign-in ends (Unix seconds): when it was granted (or, for rows from
/// before that was recorded, when the connection was made) plus the provider's sign-in
/// lifetime. `None` for providers whose sign-ins do not end by themselves, and API keys.
pub fn sign_in_renew_by(record: &ConnectionRecord, registry: &Registry) -> Option<i64> {
    let lifetime = registry.get(&record.provider)?.sign_in_lifetime?;
    if record.auth_kind != AuthKind::OAuth2Pkce.as_str() {
        return None;
    }
    let granted = record
        .sign_in_granted_at
        .or_else(|| unix_of_timestamp(&record.created_at))?;
    Some(granted.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX)))
}

/// The sign-ins among `records` that end within [`RENEWAL_NOTICE`] of `now` (or ended),
/// soonest first. Reads nothing: for front ends that list connections without opening the
/// vault (`syncer connections list`); [`Connections::sign_ins_to_renew`] is the same.
pub fn renewal_notices(
    records: &[ConnectionRecord],
    registry: &Registry,
    now: std::time::SystemTime,
) -> Vec<SignInRenewal> {
    let now = unix_seconds(now);
    let mut due: Vec<SignInRenewal> = records
        .iter()
        .filter(|r| r.status != ConnectionStatus::ReconnectNeeded)
        .filter_map(|r| {
            let renew_by = sign_in_renew_by(r, registry)?;
            let display = registry
                .get(&r.provider)
                .map_or(r.provider.as_str(), |p| p.display_name);
            let (days_left, message) = renewal_notice(display, renew_by, now)?;
            Some(SignInRenewal {
                connection: r.id.clone(),
                display_name: r.display_name.clone(),
                provider: r.provider.clone(),
                renew_by,
                days_left,
                message,
            })
        })
        .collect();
    due.sort_by_key(|r| r.renew_by);
    due
}

/// The `auth_kind` of connections that need no sign-in, such as the demo library.
pub const NO_SIGN_IN: &str = "none";

/// Connections: the one API the desktop shell and the CLI use. Cheap to clone.
#[derive(Clone)]
pub struct Connections {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("vault", &self.inner.vault)
            .finish_non_exhaustive()
    }
}

pub struct ConnectionsBuilder {
    store: Store,
    vault: Vault,
    registry: Registry,
    clock: Arc<dyn Clock>,
    leeway: Duration,
    refresh_lock: Option<PathBuf>,
}

impl ConnectionsBuilder {
    /// The file processes lock before renewing a token, so two never spend the same refresh
    /// token. Defaults to `secrets.vault.lock` beside the encrypted vault file; with the
    /// keyring, give one in the app data dir (every process sharing the connections must name
    /// the same file).
    pub fn refresh_lock(mut self, path: impl Into<PathBuf>) -> Self {
        self.refresh_lock = Some(path.into());
        self
    }

    /// Other providers, or the built-in ones at other addresses (tests, the demo).
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = registry;
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How long before expiry a token is refreshed.
    pub fn refresh_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    pub fn build(self) -> Result<Connections, AuthError> {
        let http = flow::http_client().map_err(|cause| AuthError::Unreachable {
            provider: "any provider".to_owned(),
            cause: format!("the HTTP client could not start: {cause}"),
        })?;
        Ok(Connections {
            inner: Arc::new(Inner {
                store: self.store,
                vault: self.vault,
                registry: self.registry,
                clock: self.clock,
                http,
                leeway: self.leeway,
                refresh_lock: self.refresh_lock,
                pending: PendingSignIns::default(),
                cells: std::sync::Mutex::new(HashMap::new()),
            }),
        })
    }
}

/// Starting an OAuth sign-in.
#[derive(Debug, Clone)]
pub struct StartOAuth {
    pub provider: String,
    /// [`crate::deep_link_redirect_uri`] or a [`LoopbackListener::redirect_uri`].
    pub redirect_uri: String,
    /// The user's client id; `None` uses the one saved with [`Connections::set_client_id`].
    pub client_id: Option<String>,
    /// A name for the new connection; `None` takes the account's name.
    pub name: Option<String>,
    /// Renew this connection's sign-in instead of adding one.
    pub reconnect: Option<ConnectionId>,
}

impl StartOAuth {
    pub fn new(provider: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        Self {
            provider: provider.into(),
            redirect_uri: redirect_uri.into(),
            client_id: None,
            name: None,
            reconnect: None,
        }
    }
}

/// What to do after [`Connections::start_oauth`]: open `authorize_url` in the system browser,
/// then hand the answer to [`Connections::complete_oauth`] when it arrives through `channel`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuthorizationStart {
    pub authorize_url: String,
    pub redirect_uri: String,
    pub channel: CallbackChannel,
    /// Unix seconds after which the answer is refused. (JSON numbers, not bigint, in TS.)
    #[ts(type = "number")]
    pub expires_at: i64,
}

impl AuthorizationStart {
    /// The sign-in's `state`, as the authorize URL carries it: what a loopback listener
    /// waits for ([`LoopbackListener::serve`]).
    pub fn state(&self) -> Option<String> {
        let url = url::Url::parse(&self.authorize_url).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
    }
}

/// Whether a connection can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(ts_rs::TS)]
#[ts(export)]
pub enum Status {
    Ok,
    ReconnectNeeded,
    /// The service refuses the account for this app: Spotify's Development Mode serves only
    /// the accounts listed under User Management in the app's dashboard.
    NotInAppUsers,
}

/// A connection as listed: never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ConnectionInfo {
    #[ts(type = "string")]
    pub id: ConnectionId,
    pub provider: String,
    pub provider_display_name: String,
    pub display_name: String,
    pub auth_kind: String,
    pub account_id: Option<String>,
    pub status: Status,
    /// Why the status is what it is, for the user.
    pub status_detail: Option<String>,
    /// Unix seconds by which the user must sign in again (the provider ends a sign-in a fixed
    /// time after it was given); `None` when it does not end by itself or is unknown.
    #[ts(type = "number | null")]
    pub sign_in_renew_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// How a connection stands right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(ts_rs::TS)]
#[ts(export)]
pub enum HealthState {
    /// Its token is valid beyond the refresh leeway (or it is an API key).
    Ready,
    /// Its token expired or is about to; the next use refreshes it.
    WillRefresh,
    /// The user must sign in again.
    ReconnectNeeded,
    /// Its secret is gone from the vault (removed by hand, or another machine's database).
    SecretMissing,
    /// The vault could not be read.
    VaultUnavailable,
    /// The service answered 429 and asked for a wait that has not passed yet. Known only to
    /// the process whose client was refused: front ends set it with [`Health::rate_limited`].
    RateLimited,
    /// The service refuses the account for this app (Spotify's Development Mode user list):
    /// the app's owner must add it under User Management in the dashboard.
    NotInAppUsers,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Health {
    pub state: HealthState,
    /// One sentence for the user.
    pub message: String,
    /// Unix seconds.
    #[ts(type = "number | null")]
    pub access_expires_at: Option<i64>,
    /// Unix seconds: when the service said it takes requests again (with `RateLimited`).
    #[ts(type = "number | null")]
    pub rate_limited_until: Option<i64>,
    /// Unix seconds by which the sign-in must be renewed (see [`ConnectionInfo`]).
    #[ts(type = "number | null")]
    pub sign_in_renew_by: Option<i64>,
    /// "Sign-in renews by 2027-05-31", once that is near ([`RENEWAL_NOTICE`]) or past; what a
    /// notification or the tray says.
    pub sign_in_notice: Option<String>,
}

/// How long before a sign-in ends Syncer starts saying so (tray, notification, CLI).
pub const RENEWAL_NOTICE: Duration = Duration::from_secs(14 * 24 * 3600);

/// What the browser is told once a sign-in's answer was handled: the same words whichever
/// front end waited for it.
pub fn sign_in_outcome(result: &Result<ConnectionInfo, AuthError>) -> Outcome {
    match result {
        Ok(info) if info.status == Status::NotInAppUsers => Outcome::NotInAppUsers,
        other => Outcome::of(other, |info| info.display_name.clone()),
    }
}

/// A sign-in that ends soon (or ended): what the tray, a notification or the CLI shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SignInRenewal {
    #[ts(type = "string")]
    pub connection: ConnectionId,
    pub display_name: String,
    pub provider: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub renew_by: i64,
    /// Whole days left (0 on the last day, negative once ended).
    #[ts(type = "number")]
    pub days_left: i64,
    /// One sentence: what ends when, and what to do.
    pub message: String,
}

impl Health {
    /// Sharpens the stored view with a live 429 the client saw: syncs wait until `until`.
    /// A connection that needs signing in again stays that way, since that is what the user
    /// must fix; a pause ends by itself.
    pub fn rate_limited(mut self, until: std::time::SystemTime) -> Health {
        if !matches!(self.state, HealthState::Ready | HealthState::WillRefresh) {
            return self;
        }
        self.state = HealthState::RateLimited;
        self.message = "The service asked Syncer to slow down; syncs wait until then and \
                        carry on by themselves."
            .to_owned();
        self.rate_limited_until = Some(unix_seconds(until));
        self
    }

    fn new(state: HealthState, message: impl Into<String>) -> Health {
        Health {
            state,
            message: message.into(),
            access_expires_at: None,
            rate_limited_until: None,
            sign_in_renew_by: None,
            sign_in_notice: None,
        }
    }
}

/// `YYYY-MM-DD` of Unix seconds in the user's time zone: how a renewal date is written.
pub fn date_of(unix: i64) -> String {
    syncer_core::calendar::date_text(unix, &syncer_core::calendar::system_zone())
}

/// Unix seconds of the store's `YYYY-MM-DDTHH:MM:SS...Z` timestamps; `None` if odd.
fn unix_of_timestamp(text: &str) -> Option<i64> {
    syncer_core::filter::Timestamp::parse_rfc3339(text)
        .ok()
        .map(|t| t.unix_seconds())
}

/// The renewal notice for a sign-in ending at `renew_by`, or `None` while it is far off.
fn renewal_notice(provider: &str, renew_by: i64, now: i64) -> Option<(i64, String)> {
    let notice = i64::try_from(RENEWAL_NOTICE.as_secs()).unwrap_or(i64::MAX);
    if now.saturating_add(notice) < renew_by {
        return None;
    }
    let days_left = (renew_by - now).div_euclid(86_400);
    let date = date_of(renew_by);
    let message = if renew_by <= now {
        format!(
            "The {provider} sign-in ended on {date}; sign in again to keep syncing (the \
             connection, its bases and history stay)."
        )
    } else {
        format!(
            "The {provider} sign-in renews by {date} ({days_left} days left): sign in again \
             before then, or syncs stop that day (the connection, its bases and history stay)."
        )
    };
    Some((days_left, message))
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ConnectionDetails {
    pub connection: ConnectionInfo,
    pub health: Health,
}

/// The account a successful test reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TestReport {
    pub account_id: String,
    pub account_name: String,
}

/// What removing a connection left behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Removed {
    #[ts(type = "string")]
    pub id: ConnectionId,
    /// Base playlists that used it (non-empty only when forced).
    pub orphaned_bases: Vec<String>,
}

/// Tells which base playlists use a connection; the engine implements it once bases exist.
pub trait DependentBases {
    /// Names of the base playlists using `connection`, for the user to read.
    fn bases_using(
        &self,
        connection: &ConnectionId,
    ) -> impl Future<Output = Result<Vec<String>, AuthError>> + Send;
}

/// No base playlist uses any connection (none exist yet).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDependents;

impl DependentBases for NoDependents {
    async fn bases_using(&self, _: &ConnectionId) -> Result<Vec<String>, AuthError> {
        Ok(Vec::new())
    }
}

/// A fixed list, e.g. what the caller already looked up.
impl DependentBases for Vec<String> {
    async fn bases_using(&self, _: &ConnectionId) -> Result<Vec<String>, AuthError> {
        Ok(self.clone())
    }
}

/// Options of [`Connections::connect_with_loopback`].
#[derive(Debug, Clone)]
pub struct LoopbackConnect {
    pub provider: String,
    /// 0 takes a free port (RFC 8252); a fixed one when the provider needs it registered.
    pub port: u16,
    pub client_id: Option<String>,
    pub name: Option<String>,
    pub reconnect: Option<ConnectionId>,
    /// How long the user has to finish in the browser.
    pub timeout: Duration,
}

impl LoopbackConnect {
    pub fn new(provider: impl Into<String>) -> Self {
        Self {
            provider: provider.into(),
            port: 0,
            client_id: None,
            name: None,
            reconnect: None,
            timeout: STATE_LIFETIME,
        }
    }
}

impl Connections {
    pub fn builder(store: Store, vault: Vault) -> ConnectionsBuilder {
        let refresh_lock = match vault.kind() {
            crate::vault::VaultKind::EncryptedFile { path } => Some(crate::lock::beside(path)),
            _ => None,
        };
        ConnectionsBuilder {
            store,
            vault,
            registry: Registry::builtin(),
            clock: Arc::new(SystemClock),
            leeway: DEFAULT_REFRESH_LEEWAY,
            refresh_lock,
        }
    }

    /// The providers to offer.
    pub fn providers(&self) -> Vec<ProviderInfo> {
        self.inner.registry.list()
    }

    pub fn vault(&self) -> &Vault {
        &self.inner.vault
    }

    /// The user's client id for an OAuth provider, if saved.
    pub async fn client_id(&self, provider: &str) -> Result<Option<String>, AuthError> {
        self.oauth_provider(provider)?;
        Ok(self.inner.store.provider_client_id(provider).await?)
    }

    /// Saves the user's client id for an OAuth provider (Settings, or the CLI's `--client-id`).
    pub async fn set_client_id(&self, provider: &str, client_id: &str) -> Result<(), AuthError> {
        let p = self.oauth_provider(provider)?;
        let client_id = client_id.trim();
        if client_id.is_empty() {
            return Err(AuthError::MissingClientId {
                provider: p.display_name.to_owned(),
                help: p.credential_help.to_owned(),
            });
        }
        Ok(self
            .inner
            .store
            .set_provider_client_id(provider, client_id)
            .await?)
    }

    /// Starts a sign-in: returns the URL to open in the system browser. The answer must come
    /// back to `redirect_uri` within 10 minutes, once.
    pub async fn start_oauth(&self, request: StartOAuth) -> Result<AuthorizationStart, AuthError> {
        let provider = self.oauth_provider(&request.provider)?;
        let ProviderAuth::OAuth2Pkce(endpoints) = &provider.auth else {
            return Err(self.wrong_kind(provider, AuthKind::OAuth2Pkce));
        };
        let client_id = match request.client_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.to_owned(),
            _ => self
                .inner
                .store
                .provider_client_id(provider.name)
                .await?
                .ok_or_else(|| AuthError::MissingClientId {
                    provider: provider.display_name.to_owned(),
                    help: provider.credential_help.to_owned(),
                })?,
        };
        let unsupported = || AuthError::UnsupportedRedirect {
            uri: request.redirect_uri.clone(),
        };
        let redirect = url::Url::parse(&request.redirect_uri).map_err(|_| unsupported())?;
        let (channel, named) = classify_redirect(&redirect).ok_or_else(unsupported)?;
        if named != provider.name || redirect.query().is_some() {
            return Err(unsupported());
        }
        if let Some(id) = &request.reconnect {
            let record = self.record(id).await?;
            if record.provider != provider.name {
                return Err(AuthError::WrongProvider {
                    expected: record.provider,
                    actual: provider.name.to_owned(),
                });
            }
        }

        let state = PendingSignIns::new_state();
        let (authorize_url, verifier) = flow::authorize_url(
            provider.display_name,
            endpoints,
            &client_id,
            &request.redirect_uri,
            &provider.scopes,
            &state,
        )?;
        let now = self.inner.clock.now();
        self.inner.pending.insert(
            state,
            Pending {
                provider: provider.name.to_owned(),
                redirect_uri: request.redirect_uri.clone(),
                client_id,
                verifier,
                created_at: now,
                reconnect: request.reconnect,
                name: request.name.filter(|n| !n.trim().is_empty()),
            },
        );
        tracing::info!(provider = provider.name, ?channel, "sign-in started");
        Ok(AuthorizationStart {
            authorize_url,
            redirect_uri: request.redirect_uri,
            channel,
            expires_at: unix_seconds(now + STATE_LIFETIME),
        })
    }

    /// Finishes a sign-in from the URL the browser was sent back to (the `syncer://` deep link
    /// or the loopback listener's URL): checks the state, exchanges the code, stores the
    /// tokens, and creates (or renews) the connection. On any refusal nothing is stored.
    pub async fn complete_oauth(&self, callback_url: &str) -> Result<ConnectionInfo, AuthError> {
        let callback = callback::parse(callback_url)?;
        let pending = self.inner.pending.take(&Arrival {
            state: &callback.state,
            provider: &callback.provider,
            redirect_uri: &callback.redirect_uri,
            now: self.inner.clock.now(),
        })?;
        let provider = self.oauth_provider(&pending.provider)?;
        let ProviderAuth::OAuth2Pkce(endpoints) = &provider.auth else {
            return Err(self.wrong_kind(provider, AuthKind::OAuth2Pkce));
        };
        tracing::info!(provider = provider.name, channel = ?callback.channel, "sign-in answer received");
        let code = match callback.answer {
            Answer::Code(code) => code,
            Answer::Refused { code, .. } if code == "access_denied" => {
                tracing::info!(provider = provider.name, "sign-in declined by the user");
                return Err(AuthError::Denied {
                    provider: provider.display_name.to_owned(),
                });
            }
            Answer::Refused { code, description } => {
                return Err(AuthError::ProviderRefused {
                    provider: provider.display_name.to_owned(),
                    code,
                    description: description.map(|d| format!(": {d}")).unwrap_or_default(),
                });
            }
        };
        let grant = flow::exchange_code(
            &self.inner.http,
            provider.display_name,
            endpoints,
            &pending.client_id,
            &pending.redirect_uri,
            &code,
            &pending.verifier,
        )
        .await?;
        let now = unix_seconds(self.inner.clock.now());
        let access = grant.access_token.clone();
        let lifetime = grant
            .expires_in
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let credential = Credential::OAuth(OAuthCredential {
            access_token: grant.access_token,
            refresh_token: grant.refresh_token,
            expires_at: lifetime.map(|l| now.saturating_add(l)),
            lifetime,
            scope: grant.scope,
            client_id: pending.client_id,
        });
        let (identity, refusal) = match identify(&self.inner.http, provider, &access).await {
            Ok(identity) => (Some(identity), None),
            Err(IdentityError::NotInAppUsers(message)) => (None, Some(message)),
            Err(e) => {
                // A failure here does not undo the sign-in.
                tracing::warn!(provider = provider.name, error = ?e, "could not read the account's name");
                (None, None)
            }
        };
        let info = self
            .save(
                provider,
                credential,
                identity,
                pending.name,
                pending.reconnect,
            )
            .await?;
        match refusal {
            Some(message) => {
                self.mark_not_in_app_users(&info.id, &message).await?;
                Ok(self.info(self.record(&info.id).await?))
            }
            None => Ok(info),
        }
    }

    /// The whole loopback sign-in: listens on 127.0.0.1, starts the sign-in with that
    /// redirect, lets `open_browser` open the URL, waits for the answer and completes. The
    /// browser's page says what happened; strays reaching the listener meanwhile are turned
    /// away and waiting goes on.
    pub async fn connect_with_loopback<F>(
        &self,
        options: LoopbackConnect,
        open_browser: F,
    ) -> Result<ConnectionInfo, AuthError>
    where
        F: FnOnce(&str) -> Result<(), String>,
    {
        let (_never, pasted) = tokio::sync::mpsc::channel(1);
        self.connect_with_loopback_or_paste(options, open_browser, pasted, |_| {})
            .await
    }

    /// As [`Self::connect_with_loopback`], also taking the address the browser ended on from
    /// `pasted` (headless: the browser runs on another machine, so its redirect cannot reach
    /// this one). A pasted address is checked exactly like a request to the listener; one that
    /// is not this sign-in's answer goes to `rejected` (why, in words) and waiting goes on.
    pub async fn connect_with_loopback_or_paste<F, R>(
        &self,
        options: LoopbackConnect,
        open_browser: F,
        mut pasted: tokio::sync::mpsc::Receiver<String>,
        rejected: R,
    ) -> Result<ConnectionInfo, AuthError>
    where
        F: FnOnce(&str) -> Result<(), String>,
        R: Fn(&str),
    {
        let listener = LoopbackListener::bind(&options.provider, options.port).await?;
        let start = self
            .start_oauth(StartOAuth {
                provider: options.provider,
                redirect_uri: listener.redirect_uri().to_owned(),
                client_id: options.client_id,
                name: options.name,
                reconnect: options.reconnect,
            })
            .await?;
        let state = start.state().ok_or_else(|| AuthError::BadCallback {
            reason: "the sign-in link has no state".to_owned(),
        })?;
        let mut waiting = listener.serve(&state);
        open_browser(&start.authorize_url).map_err(|cause| AuthError::Browser {
            cause,
            url: start.authorize_url.clone(),
        })?;
        let deadline = tokio::time::Instant::now() + options.timeout;
        let mut paste_open = true;
        let arrival = loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            tokio::select! {
                arrival = waiting.next(left) => break arrival?,
                line = pasted.recv(), if paste_open => match line {
                    None => paste_open = false,
                    Some(line) if line.trim().is_empty() => {}
                    Some(line) => match waiting.judge(&line) {
                        Judgement::Answer => break waiting.pasted(&line),
                        Judgement::NotForThisSignIn(why) => rejected(why),
                        Judgement::Elsewhere => rejected("it is not Syncer's sign-in address"),
                    },
                },
            }
        };
        let result = self.complete_oauth(&arrival.url).await;
        arrival.answer(sign_in_outcome(&result)).await;
        result
    }

    /// Connects an API-key provider. The key is checked with the provider's identity call
    /// before anything is stored.
    pub async fn connect_api_key(
        &self,
        provider: &str,
        name: Option<String>,
        key: Secret,
    ) -> Result<ConnectionInfo, AuthError> {
        let p = self.provider(provider)?;
        if p.auth_kind() != AuthKind::ApiKey {
            return Err(self.wrong_kind(p, AuthKind::ApiKey));
        }
        let key = Secret::new(key.expose().trim());
        if key.is_empty() {
            return Err(AuthError::EmptyApiKey {
                provider: p.display_name.to_owned(),
            });
        }
        let identity = match identify(&self.inner.http, p, &key).await {
            Ok(identity) => identity,
            Err(IdentityError::Unauthorized) => {
                return Err(AuthError::ApiKeyRefused {
                    provider: p.display_name.to_owned(),
                    status: 401,
                });
            }
            Err(e) => return Err(self.identity_error(p, e)),
        };
        self.save(p, Credential::ApiKey(key), Some(identity), name, None)
            .await
    }

    /// Every connection, without secrets.
    pub async fn list(&self) -> Result<Vec<ConnectionInfo>, AuthError> {
        let records = self.inner.store.list_connections().await?;
        Ok(records.into_iter().map(|r| self.info(r)).collect())
    }

    /// One connection and how it stands (reads the vault, makes no network call), with the
    /// date its sign-in must be renewed by when the provider ends sign-ins.
    pub async fn get(&self, id: &ConnectionId) -> Result<ConnectionDetails, AuthError> {
        let record = self.record(id).await?;
        // A connection without a sign-in (the demo library) has nothing to expire or miss.
        if record.auth_kind == NO_SIGN_IN {
            return Ok(ConnectionDetails {
                connection: self.info(record),
                health: Health::new(HealthState::Ready, "No sign-in needed."),
            });
        }
        let snapshot = self.tokens(id).snapshot().await;
        let now = unix_seconds(self.inner.clock.now());
        let mut health = match snapshot {
            Ok(s) if s.reconnect.is_some() => Health {
                access_expires_at: s.expires_at,
                ..Health::new(
                    HealthState::ReconnectNeeded,
                    format!("Reconnect needed: {}.", s.reconnect.unwrap_or_default()),
                )
            },
            Ok(_) if record.status == ConnectionStatus::NotInAppUsers => Health::new(
                HealthState::NotInAppUsers,
                format!(
                    "Spotify refuses this account for your app ({}). Add the account's email \
                     under User Management in your app's dashboard ({}), then test the \
                     connection again.",
                    record
                        .status_detail
                        .as_deref()
                        .unwrap_or("User not registered in the Developer Dashboard"),
                    syncer_core::provider::DEVELOPER_DASHBOARD
                ),
            ),
            Ok(s) if s.due => Health {
                access_expires_at: s.expires_at,
                ..Health::new(
                    HealthState::WillRefresh,
                    if s.has_refresh_token {
                        "Access is renewed at the next use."
                    } else {
                        "Access expired; reconnect to renew it."
                    },
                )
            },
            Ok(s) => Health {
                access_expires_at: s.expires_at,
                ..Health::new(HealthState::Ready, "Connected.")
            },
            Err(TokenError::Missing { .. }) => Health::new(
                HealthState::SecretMissing,
                format!(
                    "Its sign-in is missing from the secret store ({}); reconnect it.",
                    self.inner.vault.description()
                ),
            ),
            Err(TokenError::NotFound(id)) => return Err(AuthError::NotFound(id)),
            Err(e) => Health::new(HealthState::VaultUnavailable, e.to_string()),
        };
        let info = self.info(record);
        health.sign_in_renew_by = info.sign_in_renew_by;
        if let Some(renew_by) = info.sign_in_renew_by
            && health.state != HealthState::ReconnectNeeded
        {
            if let Some((_, notice)) = renewal_notice(&info.provider_display_name, renew_by, now) {
                health.message = format!("{} {notice}", health.message);
                health.sign_in_notice = Some(notice);
            } else if health.state == HealthState::Ready {
                health.message = format!("Connected; the sign-in renews by {}.", date_of(renew_by));
            }
        }
        Ok(ConnectionDetails {
            connection: info,
            health,
        })
    }

    /// Sign-ins that end within [`RENEWAL_NOTICE`] (or ended and were not renewed), soonest
    /// first: what the tray, a notification and `syncer connections list` say. Reads the
    /// store only.
    pub async fn sign_ins_to_renew(&self) -> Result<Vec<SignInRenewal>, AuthError> {
        let records = self.inner.store.list_connections().await?;
        Ok(renewal_notices(
            &records,
            &self.inner.registry,
            self.inner.clock.now(),
        ))
    }

    /// Records that the service refuses the account for the app (Spotify's Development Mode
    /// user list), with its words: the connection shows it until a call succeeds again.
    pub async fn mark_not_in_app_users(
        &self,
        id: &ConnectionId,
        message: &str,
    ) -> Result<(), AuthError> {
        self.inner
            .store
            .set_connection_status(id, ConnectionStatus::NotInAppUsers, Some(message))
            .await?;
        tracing::warn!(connection = %id, "the account is not on the app's user list");
        Ok(())
    }

    /// A call on the connection succeeded: a "not on the app's user list" mark is stale.
    pub async fn mark_answering(&self, id: &ConnectionId) -> Result<(), AuthError> {
        let record = self.record(id).await?;
        if record.status == ConnectionStatus::NotInAppUsers {
            self.inner
                .store
                .set_connection_status(id, ConnectionStatus::Ok, None)
                .await?;
            tracing::info!(connection = %id, "the app serves the account again");
        }
        Ok(())
    }

    pub async fn rename(&self, id: &ConnectionId, name: &str) -> Result<ConnectionInfo, AuthError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AuthError::EmptyName);
        }
        if !self.inner.store.rename_connection(id, name).await? {
            return Err(AuthError::NotFound(id.clone()));
        }
        Ok(self.info(self.record(id).await?))
    }

    /// Makes one cheap authenticated call (who am I?), refreshing first if due and once more
    /// on a 401.
    pub async fn test(&self, id: &ConnectionId) -> Result<TestReport, AuthError> {
        let record = self.record(id).await?;
        let provider = self.provider(&record.provider)?;
        let tokens = self.tokens(id);
        let token = tokens.access_token().await?;
        let identity = match identify(&self.inner.http, provider, &token).await {
            Err(IdentityError::Unauthorized) => {
                let token = tokens.refresh_after_unauthorized().await?;
                identify(&self.inner.http, provider, &token).await
            }
            other => other,
        };
        let identity = match identity {
            Ok(identity) => identity,
            Err(IdentityError::NotInAppUsers(message)) => {
                self.mark_not_in_app_users(id, &message).await?;
                return Err(self.identity_error(provider, IdentityError::NotInAppUsers(message)));
            }
            Err(e) => return Err(self.identity_error(provider, e)),
        };
        self.mark_answering(id).await?;
        tracing::info!(connection = %id, "connection test passed");
        Ok(TestReport {
            account_id: identity.account_id,
            account_name: identity.name,
        })
    }

    /// Removes a connection and its secrets. Refused while base playlists use it, naming
    /// them, unless `force`.
    pub async fn remove<D: DependentBases>(
        &self,
        id: &ConnectionId,
        dependents: &D,
        force: bool,
    ) -> Result<Removed, AuthError> {
        self.remove_with(id, dependents, force, true).await
    }

    /// As [`Connections::remove`], for a connection with nothing in the vault (no sign-in):
    /// the same in-use rule, and it works while the vault is locked.
    pub async fn remove_unsigned<D: DependentBases>(
        &self,
        id: &ConnectionId,
        dependents: &D,
        force: bool,
    ) -> Result<Removed, AuthError> {
        self.remove_with(id, dependents, force, false).await
    }

    async fn remove_with<D: DependentBases>(
        &self,
        id: &ConnectionId,
        dependents: &D,
        force: bool,
        has_secret: bool,
    ) -> Result<Removed, AuthError> {
        let record = self.record(id).await?;
        let bases = dependents.bases_using(id).await?;
        if !bases.is_empty() && !force {
            return Err(AuthError::InUse {
                name: record.display_name,
                bases,
            });
        }
        // Secrets first: if the vault fails, the row stays and the user can try again.
        if has_secret {
            self.inner.vault.delete(&connection_key(id)).await?;
        }
        self.inner.store.delete_connection(id).await?;
        let cell = self.cell(id);
        cell.reset(&record.provider, None).await;
        self.lock_cells().remove(id);
        tracing::info!(connection = %id, forced = force && !bases.is_empty(), "connection removed");
        Ok(Removed {
            id: id.clone(),
            orphaned_bases: bases,
        })
    }

    /// Fresh access tokens for one connection, for the provider clients.
    pub fn tokens(&self, id: &ConnectionId) -> ConnectionTokens {
        ConnectionTokens {
            inner: self.inner.clone(),
            id: id.clone(),
            cell: self.cell(id),
        }
    }

    fn lock_cells(&self) -> std::sync::MutexGuard<'_, HashMap<ConnectionId, Arc<TokenCell>>> {
        // The map stays consistent even if a holder panicked.
        self.inner.cells.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn cell(&self, id: &ConnectionId) -> Arc<TokenCell> {
        self.lock_cells().entry(id.clone()).or_default().clone()
    }

    /// Stores a new sign-in: the secret first, then the row (removed again if the row fails),
    /// so a connection never exists without its secret.
    async fn save(
        &self,
        provider: &Provider,
        credential: Credential,
        identity: Option<Identity>,
        name: Option<String>,
        reconnect: Option<ConnectionId>,
    ) -> Result<ConnectionInfo, AuthError> {
        let existing = match (&reconnect, &identity) {
            (Some(id), _) => self.inner.store.get_connection(id).await?,
            (None, Some(identity)) => {
                self.inner
                    .store
                    .find_connection_by_account(provider.name, &identity.account_id)
                    .await?
            }
            (None, None) => None,
        };
        let id = existing.as_ref().map_or_else(
            || ConnectionId::new(format!("{}-{}", provider.name, crate::random::token::<9>())),
            |r| r.id.clone(),
        );
        let key = connection_key(&id);
        self.inner.vault.set(&key, &credential.to_secret()?).await?;

        let written = match &existing {
            Some(_) => self.renew_row(&id, identity.as_ref()).await,
            None => {
                let display_name = name
                    .or_else(|| identity.as_ref().map(|i| i.name.clone()))
                    .unwrap_or_else(|| provider.display_name.to_owned());
                self.inner
                    .store
                    .insert_connection(&NewConnection {
                        id: id.clone(),
                        provider: provider.name.to_owned(),
                        display_name,
                        auth_kind: provider.auth_kind().as_str().to_owned(),
                        account_id: identity.as_ref().map(|i| i.account_id.clone()),
                    })
                    .await
            }
        };
        let written = match (written, &credential) {
            // The sign-in's age bounds its life: recorded on every connect and reconnect.
            (Ok(()), Credential::OAuth(_)) => self
                .inner
                .store
                .set_connection_sign_in_granted(&id, unix_seconds(self.inner.clock.now()))
                .await
                .map(|_| ()),
            (other, _) => other,
        };
        if let Err(e) = written {
            if existing.is_none()
                && let Err(cleanup) = self.inner.vault.delete(&key).await
            {
                tracing::error!(connection = %id, error = %cleanup, "could not remove the secret of a failed connect");
            }
            return Err(e.into());
        }
        self.cell(&id).reset(provider.name, Some(credential)).await;
        tracing::info!(
            connection = %id,
            provider = provider.name,
            renewed = existing.is_some(),
            "connected"
        );
        Ok(self.info(self.record(&id).await?))
    }

    async fn renew_row(
        &self,
        id: &ConnectionId,
        identity: Option<&Identity>,
    ) -> Result<(), syncer_store::StoreError> {
        self.inner
            .store
            .set_connection_status(id, ConnectionStatus::Ok, None)
            .await?;
        if let Some(identity) = identity {
            self.inner
                .store
                .set_connection_account(id, Some(&identity.account_id))
                .await?;
        }
        Ok(())
    }

    fn identity_error(&self, provider: &Provider, err: IdentityError) -> AuthError {
        let name = provider.display_name.to_owned();
        match err {
            IdentityError::Unauthorized => AuthError::BadResponse {
                provider: name,
                cause: "it refused a freshly renewed token".to_owned(),
            },
            IdentityError::Refused(status) => AuthError::BadResponse {
                provider: name,
                cause: format!("HTTP {status}"),
            },
            IdentityError::Unreachable(cause) => AuthError::Unreachable {
                provider: name,
                cause,
            },
            IdentityError::Unexpected(cause) => AuthError::BadResponse {
                provider: name,
                cause,
            },
            IdentityError::NotInAppUsers(message) => AuthError::NotInAppUsers {
                provider: name,
                message,
            },
        }
    }

    async fn record(&self, id: &ConnectionId) -> Result<ConnectionRecord, AuthError> {
        self.inner
            .store
            .get_connection(id)
            .await?
            .ok_or_else(|| AuthError::NotFound(id.clone()))
    }

    fn provider(&self, name: &str) -> Result<&Provider, AuthError> {
        self.inner
            .registry
            .get(name)
            .ok_or_else(|| AuthError::UnknownProvider {
                name: name.to_owned(),
                known: self
                    .inner
                    .registry
                    .list()
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    fn oauth_provider(&self, name: &str) -> Result<&Provider, AuthError> {
        let p = self.provider(name)?;
        if p.auth_kind() != AuthKind::OAuth2Pkce {
            return Err(self.wrong_kind(p, AuthKind::OAuth2Pkce));
        }
        Ok(p)
    }

    fn wrong_kind(&self, provider: &Provider, attempted: AuthKind) -> AuthError {
        let label = |k: AuthKind| match k {
            AuthKind::OAuth2Pkce => "browser sign-in",
            AuthKind::ApiKey => "API key",
        };
        AuthError::WrongAuthKind {
            provider: provider.display_name.to_owned(),
            attempted: label(attempted),
            expected: label(provider.auth_kind()),
        }
    }

    fn info(&self, record: ConnectionRecord) -> ConnectionInfo {
        let renew_by = sign_in_renew_by(&record, &self.inner.registry);
        let provider_display_name = self
            .inner
            .registry
            .get(&record.provider)
            .map_or_else(|| record.provider.clone(), |p| p.display_name.to_owned());
        ConnectionInfo {
            id: record.id,
            provider: record.provider,
            provider_display_name,
            display_name: record.display_name,
            auth_kind: record.auth_kind,
            account_id: record.account_id,
            status: match record.status {
                ConnectionStatus::Ok => Status::Ok,
                ConnectionStatus::ReconnectNeeded => Status::ReconnectNeeded,
                ConnectionStatus::NotInAppUsers => Status::NotInAppUsers,
            },
            status_detail: record.status_detail,
            sign_in_renew_by: renew_by,
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn health(state: HealthState) -> Health {
        Health::new(state, "Connected.")
    }

    #[test]
    fn dates_and_timestamps_round_trip() {
        // Written in the user's zone; these instants are the same date in every zone from
        // UTC-11 to UTC+14 (midday UTC).
        assert_eq!(date_of(43_200), "1970-01-01");
        assert_eq!(date_of(951_825_600), "2000-02-29");
        assert_eq!(
            unix_of_timestamp("2027-01-15T08:00:00.000Z"),
            Some(1_800_000_000)
        );
        assert_eq!(unix_of_timestamp("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(unix_of_timestamp("soon"), None);
    }

    #[test]
    fn the_renewal_notice_starts_fourteen_days_before() {
        let day = 86_400;
        let renew_by = 1_800_000_000;
        assert_eq!(
            renewal_notice("Spotify", renew_by, renew_by - 15 * day),
            None
        );
        let (days, message) = renewal_notice("Spotify", renew_by, renew_by - 14 * day).unwrap();
        assert_eq!(days, 14);
        assert!(message.contains("renews by 2027-01-15"), "{message}");
        let (days, message) = renewal_notice("Spotify", renew_by, renew_by + day).unwrap();
        assert!(days < 0);
        assert!(message.contains("ended on 2027-01-15"), "{message}");
    }

    #[test]
    fn a_live_429_shows_until_when() {
        let until = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let sharpened = health(HealthState::Ready).rate_limited(until);
        assert_eq!(sharpened.state, HealthState::RateLimited);
        assert_eq!(sharpened.rate_limited_until, Some(1_800_000_000));
        assert!(sharpened.message.contains("slow down"));
        let renewing = health(HealthState::WillRefresh).rate_limited(until);
        assert_eq!(renewing.state, HealthState::RateLimited);
    }

    #[test]
    fn signing_in_again_outranks_a_pause() {
        let until = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for state in [
            HealthState::ReconnectNeeded,
            HealthState::SecretMissing,
            HealthState::VaultUnavailable,
        ] {
            let kept = health(state).rate_limited(until);
            assert_eq!(kept.state, state);
            assert_eq!(kept.rate_limited_until, None);
        }
    }
}
