//! Connections to music services: a registry of providers, OAuth 2 with PKCE through the
//! `syncer://` deep link or a loopback listener (RFC 8252), tokens and API keys in the OS
//! keyring (or an encrypted file where there is none), and refresh.
//!
//! The desktop shell and the CLI drive everything through [`Connections`]:
//!
//! 1. [`Connections::providers`] lists what can be connected;
//! 2. [`Connections::start_oauth`] returns the URL to open in the browser;
//! 3. the answer arrives as a `syncer://oauth/{provider}?...` deep link, or at a
//!    [`LoopbackListener`], and goes to [`Connections::complete_oauth`]
//!    ([`Connections::connect_with_loopback`] does 2 and 3 in one call);
//! 4. provider clients take [`ConnectionTokens`] from [`Connections::tokens`].
//!
//! Secrets are [`Secret`]s: they never reach SQLite, logs or error messages.

mod clock;
mod connections;
mod credential;
mod dependents;
mod error;
mod identity;
mod lock;
pub mod oauth;
pub mod providers;
mod random;
mod refresh;
mod registry;
mod secret;
mod token_source;
pub mod vault;

pub use clock::{Clock, ManualClock, SystemClock};
pub use connections::{
    AuthorizationStart, ConnectionDetails, ConnectionInfo, Connections, ConnectionsBuilder,
    DependentBases, Health, HealthState, LoopbackConnect, NO_SIGN_IN, NoDependents, RENEWAL_NOTICE,
    Removed, SignInRenewal, StartOAuth, Status, TestReport, date_of, renewal_notices,
    sign_in_outcome, sign_in_renew_by,
};
pub use error::{AuthError, TokenError, VaultError};
pub use lock::LOCK_FILE;
pub use oauth::loopback::{Arrival, Judgement, LoopbackListener, Outcome, Waiting};
pub use oauth::{CallbackChannel, DEEP_LINK_SCHEME, deep_link_redirect_uri, loopback_redirect_uri};
pub use refresh::{ConnectionTokens, DEFAULT_REFRESH_LEEWAY};
pub use registry::{
    ApiKeyPlacement, AuthKind, Category, IdentityCall, OAuthEndpoints, Provider, ProviderAuth,
    ProviderInfo, Registry,
};
pub use secret::{REDACTED, Secret};
pub use vault::{Vault, VaultKind, VaultOptions, VaultPreference};
