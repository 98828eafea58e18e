//! The cheap authenticated call: who is this account? It tests a connection and names a new
//! one.

use crate::registry::{ApiKeyPlacement, Provider, ProviderAuth};
use crate::secret::Secret;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub account_id: String,
    pub name: String,
}

#[derive(Debug)]
pub(crate) enum IdentityError {
    /// 401: the token or key is not (or no longer) accepted.
    Unauthorized,
    Refused(u16),
    /// Spotify's Development Mode: the account is not on the app's user list (the service's
    /// words).
    NotInAppUsers(String),
    Unreachable(String),
    Unexpected(String),
}

pub(crate) async fn identify(
    http: &reqwest::Client,
    provider: &Provider,
    credential: &Secret,
) -> Result<Identity, IdentityError> {
    let url = format!("{}{}", provider.api_base, provider.identity.path);
    let request = http.get(&url);
    let request = match &provider.auth {
        ProviderAuth::OAuth2Pkce(_) => request.bearer_auth(credential.expose()),
        ProviderAuth::ApiKey(ApiKeyPlacement::Header { name, prefix }) => {
            request.header(*name, format!("{prefix}{}", credential.expose()))
        }
        ProviderAuth::ApiKey(ApiKeyPlacement::Query { param }) => {
            request.query(&[(*param, credential.expose())])
        }
    };
    // reqwest's error text names the URL; for query-placed keys, strip it.
    let response = request
        .send()
        .await
        .map_err(|e| IdentityError::Unreachable(e.without_url().to_string()))?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(IdentityError::Unauthorized);
    }
    if !status.is_success() {
        if status == reqwest::StatusCode::FORBIDDEN {
            // Plain text or JSON: read it before deciding what the 403 is about.
            let body = response.text().await.unwrap_or_default();
            if let Some(message) = syncer_core::provider::app_user_refusal(&body) {
                return Err(IdentityError::NotInAppUsers(message));
            }
        }
        return Err(IdentityError::Refused(status.as_u16()));
    }
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|_| IdentityError::Unexpected("the answer is not JSON".to_owned()))?;
    let field = |name: &str| body.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let account_id = field(provider.identity.id_field).ok_or_else(|| {
        IdentityError::Unexpected(format!("no {} in the answer", provider.identity.id_field))
    })?;
    let name = field(provider.identity.name_field)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| account_id.clone());
    Ok(Identity { account_id, name })
}
