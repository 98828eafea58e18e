//! What the vault holds for one connection, and its encoding there (JSON inside the secret).

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::VaultError;
use crate::secret::Secret;

#[derive(Debug, Clone)]
pub(crate) struct OAuthCredential {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// Unix seconds; `None` when the provider did not say.
    pub expires_at: Option<i64>,
    /// The token's whole life as the provider gave it (`expires_in`, seconds): the refresh
    /// leeway is at most half of it. `None` for entries written before it was kept.
    pub lifetime: Option<i64>,
    pub scope: Option<String>,
    /// The client the tokens were issued to: refresh must use the same one.
    pub client_id: String,
}

#[derive(Debug, Clone)]
pub(crate) enum Credential {
    OAuth(OAuthCredential),
    ApiKey(Secret),
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Stored {
    Oauth2 {
        access_token: String,
        refresh_token: Option<String>,
        expires_at: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lifetime: Option<i64>,
        scope: Option<String>,
        client_id: String,
    },
    ApiKey {
        key: String,
    },
}

impl Credential {
    pub fn to_secret(&self) -> Result<Secret, VaultError> {
        let stored = match self {
            Self::OAuth(c) => Stored::Oauth2 {
                access_token: c.access_token.expose().to_owned(),
                refresh_token: c.refresh_token.as_ref().map(|r| r.expose().to_owned()),
                expires_at: c.expires_at,
                lifetime: c.lifetime,
                scope: c.scope.clone(),
                client_id: c.client_id.clone(),
            },
            Self::ApiKey(key) => Stored::ApiKey {
                key: key.expose().to_owned(),
            },
        };
        let json =
            Zeroizing::new(
                serde_json::to_string(&stored).map_err(|e| VaultError::BadEntry {
                    key: "credential".to_owned(),
                    cause: e.to_string(),
                })?,
            );
        Ok(Secret::new(json.as_str()))
    }

    pub fn from_secret(key: &str, secret: &Secret) -> Result<Self, VaultError> {
        // serde_json's message names the position, never the value.
        let stored: Stored =
            serde_json::from_str(secret.expose()).map_err(|e| VaultError::BadEntry {
                key: key.to_owned(),
                cause: e.to_string(),
            })?;
        Ok(match stored {
            Stored::Oauth2 {
                access_token,
                refresh_token,
                expires_at,
                lifetime,
                scope,
                client_id,
            } => Self::OAuth(OAuthCredential {
                access_token: Secret::new(access_token),
                refresh_token: refresh_token.map(Secret::new),
                expires_at,
                lifetime,
                scope,
                client_id,
            }),
            Stored::ApiKey { key } => Self::ApiKey(Secret::new(key)),
        })
    }

    /// Whether two credentials hold the same tokens (another process renewed when not).
    pub fn same_tokens(&self, other: &Credential) -> bool {
        match (self, other) {
            (Self::OAuth(a), Self::OAuth(b)) => {
                a.access_token.expose() == b.access_token.expose()
                    && a.refresh_token.as_ref().map(Secret::expose)
                        == b.refresh_token.as_ref().map(Secret::expose)
            }
            (Self::ApiKey(a), Self::ApiKey(b)) => a.expose() == b.expose(),
            _ => false,
        }
    }

    pub fn expires_at(&self) -> Option<i64> {
        match self {
            Self::OAuth(c) => c.expires_at,
            Self::ApiKey(_) => None,
        }
    }
}
