//! Account passwords: Argon2id (PHC string, parameters inside), hashed off the async runtime.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Argon2id costs for account passwords.
#[derive(Debug, Clone, Copy)]
pub struct PasswordCost {
    pub m_cost_kib: u32,
    pub t_cost: u32,
}

impl Default for PasswordCost {
    /// OWASP's baseline: 19 MiB, 2 passes.
    fn default() -> Self {
        Self {
            m_cost_kib: 19 * 1024,
            t_cost: 2,
        }
    }
}

fn hasher(cost: PasswordCost) -> Result<Argon2<'static>, String> {
    let params = Params::new(cost.m_cost_kib, cost.t_cost, 1, None).map_err(|e| e.to_string())?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash(password: String, cost: PasswordCost) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
        hasher(cost)?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Whether `password` matches `phc`. The comparison inside is constant-time; an unknown user
/// is checked against a dummy hash of the same cost, so both cases take as long.
pub async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_carry_their_parameters() {
        let cost = PasswordCost {
            m_cost_kib: 64,
            t_cost: 1,
        };
        let phc = hash("hunter2hunter2".into(), cost).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert!(verify("hunter2hunter2".into(), phc.clone()).await);
        assert!(!verify("hunter3hunter3".into(), phc).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }
}
