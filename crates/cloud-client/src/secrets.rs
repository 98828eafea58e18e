//! The device's cloud secrets — the session's tokens and the unwrapped master key — live in
//! the same vault as the music services' tokens (the OS keyring, or the encrypted file where
//! there is none), never in SQLite or the state file.

use serde::{Deserialize, Serialize};
use syncer_auth::{Secret, Vault};
use syncer_crypto::MasterKey;

use crate::error::{CloudError, Result};

const TOKENS_KEY: &str = "cloud:tokens";
const MASTER_KEY: &str = "cloud:master-key";

/// The current token pair. `Debug` redacts both tokens.
#[derive(Clone, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    /// Unix milliseconds.
    pub access_expires_at: i64,
    pub refresh_token: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &syncer_auth::REDACTED)
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_token", &syncer_auth::REDACTED)
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct Secrets {
    vault: Vault,
}

impl Secrets {
    pub fn new(vault: Vault) -> Self {
        Self { vault }
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    pub async fn tokens(&self) -> Result<Option<Tokens>> {
        match self.vault.get(TOKENS_KEY).await? {
            Some(secret) => serde_json::from_str(secret.expose())
                .map(Some)
                .map_err(|e| {
                    CloudError::Invalid(format!(
                        "the stored cloud tokens are unreadable ({e}); sign in again"
                    ))
                }),
            None => Ok(None),
        }
    }

    pub async fn set_tokens(&self, tokens: &Tokens) -> Result<()> {
        let text = serde_json::to_string(tokens).map_err(|e| CloudError::Invalid(e.to_string()))?;
        self.vault.set(TOKENS_KEY, &Secret::new(text)).await?;
        Ok(())
    }

    pub async fn master_key(&self) -> Result<Option<MasterKey>> {
        match self.vault.get(MASTER_KEY).await? {
            Some(secret) => Ok(Some(
                MasterKey::from_base64(secret.expose()).map_err(CloudError::from_crypto)?,
            )),
            None => Ok(None),
        }
    }

    pub async fn set_master_key(&self, key: &MasterKey) -> Result<()> {
        let text = key.to_base64();
        self.vault
            .set(MASTER_KEY, &Secret::new(text.as_str()))
            .await?;
        Ok(())
    }

    /// Forgets the tokens and the key (sign-out).
    pub async fn clear(&self) -> Result<()> {
        self.vault.delete(TOKENS_KEY).await?;
        self.vault.delete(MASTER_KEY).await?;
        Ok(())
    }

    pub async fn clear_master_key(&self) -> Result<()> {
        self.vault.delete(MASTER_KEY).await?;
        Ok(())
    }
}
