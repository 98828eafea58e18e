//! What Syncer can connect to. Each provider is described by data (names, scopes, how it
//! authenticates, where its endpoints are), so the GUI and CLI list the registry instead of
//! knowing providers, and a new provider is one new module under `providers/` plus one line in
//! [`Registry::builtin`].

use serde::Serialize;

use crate::providers;

/// What kind of service a provider is; the GUI groups by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(ts_rs::TS)]
#[ts(export)]
pub enum Category {
    Music,
    Metadata,
}

/// How a provider authenticates, without the endpoints: what the GUI needs to pick a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(ts_rs::TS)]
#[ts(export)]
pub enum AuthKind {
    /// Authorization code with PKCE (S256) in the system browser; needs the user's client id.
    #[serde(rename = "oauth2_pkce")]
    OAuth2Pkce,
    /// A key the user pastes once.
    ApiKey,
}

impl AuthKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OAuth2Pkce => "oauth2_pkce",
            Self::ApiKey => "api_key",
        }
    }
}

/// Where an OAuth provider's Accounts service lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthEndpoints {
    pub authorize_url: String,
    pub token_url: String,
}

/// How an API key travels with each request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiKeyPlacement {
    /// `name: {prefix}{key}`, e.g. `Authorization: Bearer {key}`.
    Header {
        name: &'static str,
        prefix: &'static str,
    },
    /// `?{param}={key}`.
    Query { param: &'static str },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderAuth {
    OAuth2Pkce(OAuthEndpoints),
    ApiKey(ApiKeyPlacement),
}

/// A cheap authenticated call that says who the account is: used to test a connection and to
/// name a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCall {
    /// Appended to `api_base`, e.g. `/me`.
    pub path: &'static str,
    /// JSON fields of the answer holding the account's id and its human name.
    pub id_field: &'static str,
    pub name_field: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// Stable, lowercase; stored with each connection and used in redirect URIs.
    pub name: &'static str,
    pub display_name: &'static str,
    pub category: Category,
    pub scopes: Vec<&'static str>,
    pub auth: ProviderAuth,
    /// The Web API's base URL, without a trailing slash.
    pub api_base: String,
    pub identity: IdentityCall,
    /// Shown next to the client id (or API key) field: where the user gets one.
    pub credential_help: &'static str,
    /// How long a sign-in lasts from the user's authorisation, whatever refreshing does
    /// (Spotify: six months, since July 2026); `None` when it does not end by itself.
    pub sign_in_lifetime: Option<std::time::Duration>,
}

impl Provider {
    pub fn auth_kind(&self) -> AuthKind {
        match self.auth {
            ProviderAuth::OAuth2Pkce(_) => AuthKind::OAuth2Pkce,
            ProviderAuth::ApiKey(_) => AuthKind::ApiKey,
        }
    }

    /// The summary the GUI and CLI list.
    pub fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: self.name.to_owned(),
            display_name: self.display_name.to_owned(),
            category: self.category,
            auth_kind: self.auth_kind(),
            scopes: self.scopes.iter().map(|s| (*s).to_owned()).collect(),
            deep_link_redirect_uri: matches!(self.auth, ProviderAuth::OAuth2Pkce(_))
                .then(|| crate::oauth::deep_link_redirect_uri(self.name)),
            loopback_redirect_uri_example: matches!(self.auth, ProviderAuth::OAuth2Pkce(_))
                .then(|| crate::oauth::loopback_redirect_uri(self.name, 8888)),
            credential_help: self.credential_help.to_owned(),
        }
    }
}

/// A provider as the GUI and CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ProviderInfo {
    pub name: String,
    pub display_name: String,
    pub category: Category,
    pub auth_kind: AuthKind,
    pub scopes: Vec<String>,
    /// The redirect URI to register with the provider for the `syncer://` deep link.
    pub deep_link_redirect_uri: Option<String>,
    /// The loopback redirect URI's shape (the port is the one the listener gets).
    pub loopback_redirect_uri_example: Option<String>,
    pub credential_help: String,
}

/// The providers this build knows.
#[derive(Debug, Clone)]
pub struct Registry {
    providers: Vec<Provider>,
}

impl Registry {
    /// Every provider compiled in, at its real endpoints.
    pub fn builtin() -> Self {
        Self::new(vec![providers::spotify::provider()])
    }

    pub fn new(providers: Vec<Provider>) -> Self {
        Self { providers }
    }

    pub fn get(&self, name: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.name == name)
    }

    pub fn list(&self) -> Vec<ProviderInfo> {
        self.providers.iter().map(Provider::info).collect()
    }

    /// Replaces (or adds) a provider: the configuration points Spotify at a stand-in this
    /// way (syncer-app's `Config::registry`), as tests do.
    pub fn with(mut self, provider: Provider) -> Self {
        self.providers.retain(|p| p.name != provider.name);
        self.providers.push(provider);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spotify_is_registered_with_pkce_and_its_scopes() {
        let registry = Registry::builtin();
        let list = registry.list();
        assert_eq!(list.len(), 1);
        let spotify = &list[0];
        assert_eq!(spotify.name, "spotify");
        assert_eq!(spotify.display_name, "Spotify");
        assert_eq!(spotify.category, Category::Music);
        assert_eq!(spotify.auth_kind, AuthKind::OAuth2Pkce);
        assert!(
            spotify
                .scopes
                .contains(&"playlist-modify-private".to_owned())
        );
        assert_eq!(
            spotify.deep_link_redirect_uri.as_deref(),
            Some("syncer://oauth/spotify")
        );
        let json = serde_json::to_value(spotify).unwrap();
        assert_eq!(json["auth_kind"], "oauth2_pkce");
    }
}
