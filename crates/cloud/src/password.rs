//! Account passwords: Argon2id (PHC string, parameters inside), hashed off the async runtime,
//! a bounded number at once.
//!
//! Why bounded: each hash holds [`PasswordCost::m_cost_kib`] of memory for its whole run, and
//! sign-in attempts are cheap to send. Without a bound, 120 concurrent wrong logins took the
//! server from 15 MiB to 2.2 GiB. With one, at most [`HashLimits::concurrent`] hashes run
//! (memory ≤ that × the cost), [`HashLimits::queued`] more wait their turn, and anything
//! beyond is refused at once with 503 and `Retry-After`, costing nothing.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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

/// How much password hashing runs at once.
#[derive(Debug, Clone, Copy)]
pub struct HashLimits {
    /// Hashes computed at the same time (each on a blocking thread, holding its memory).
    pub concurrent: usize,
    /// Requests that may wait for a turn; one more is refused with 503.
    pub queued: usize,
}

impl Default for HashLimits {
    /// One hash per core (more would only share the cores), and a short queue.
    fn default() -> Self {
        Self {
            concurrent: std::thread::available_parallelism().map_or(2, usize::from),
            queued: 32,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Every slot runs and the queue is full: try again shortly.
    #[error("every password-hashing slot is busy")]
    Busy,
    #[error("the Argon2 parameters are invalid: {0}")]
    Params(String),
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// The server's password hasher; cheap to clone (the limits are shared).
#[derive(Clone)]
pub struct Passwords {
    cost: PasswordCost,
    /// Running plus waiting: taken without waiting, or the request is refused.
    admitted: Arc<Semaphore>,
    /// Running: waited for.
    running: Arc<Semaphore>,
}

impl Passwords {
    pub fn new(cost: PasswordCost, limits: HashLimits) -> Result<Self, PasswordError> {
        hasher(cost)?;
        let concurrent = limits.concurrent.max(1);
        Ok(Self {
            cost,
            admitted: Arc::new(Semaphore::new(concurrent.saturating_add(limits.queued))),
            running: Arc::new(Semaphore::new(concurrent)),
        })
    }

    /// A turn to hash: both permits travel into the blocking task, so a client that hangs up
    /// does not free its slot before the hash it started (and its memory) is done.
    async fn turn(&self) -> Result<[OwnedSemaphorePermit; 2], PasswordError> {
        let admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| PasswordError::Busy)?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| PasswordError::Busy)?;
        Ok([admitted, running])
    }

    /// A PHC string for `password` at the configured cost.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let permits = self.turn().await?;
        let cost = self.cost;
        tokio::task::spawn_blocking(move || {
            let _permits = permits;
            let mut salt = [0u8; 16];
            getrandom::fill(&mut salt).map_err(|e| PasswordError::Failed(e.to_string()))?;
            let salt =
                SaltString::encode_b64(&salt).map_err(|e| PasswordError::Failed(e.to_string()))?;
            hasher(cost)?
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| PasswordError::Failed(e.to_string()))
        })
        .await
        .map_err(|e| PasswordError::Failed(e.to_string()))?
    }

    /// Whether `password` matches `phc` (the comparison inside is constant-time).
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, PasswordError> {
        let permits = self.turn().await?;
        tokio::task::spawn_blocking(move || {
            let _permits = permits;
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .await
        .map_err(|e| PasswordError::Failed(e.to_string()))
    }
}

fn hasher(cost: PasswordCost) -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(cost.m_cost_kib, cost.t_cost, 1, None)
        .map_err(|e| PasswordError::Params(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: PasswordCost = PasswordCost {
        m_cost_kib: 64,
        t_cost: 1,
    };

    #[tokio::test]
    async fn hashes_verify_and_carry_their_parameters() {
        let passwords = Passwords::new(CHEAP, HashLimits::default()).unwrap();
        let phc = passwords.hash("hunter2hunter2".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert!(
            passwords
                .verify("hunter2hunter2".into(), phc.clone())
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("hunter3hunter3".into(), phc)
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("x".into(), "not a hash".into())
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_frees_when_done() {
        let passwords = Passwords::new(
            CHEAP,
            HashLimits {
                concurrent: 1,
                queued: 1,
            },
        )
        .unwrap();
        // Both slots taken (one running, one waiting): the next is refused without waiting.
        let held = passwords.turn().await.unwrap();
        let waiting = tokio::spawn({
            let passwords = passwords.clone();
            async move { passwords.hash("a long password".into()).await }
        });
        while passwords.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            passwords.hash("another one".into()).await,
            Err(PasswordError::Busy)
        ));
        drop(held);
        assert!(waiting.await.unwrap().is_ok());
        assert!(passwords.hash("and now there is room".into()).await.is_ok());
        assert!(
            Passwords::new(
                PasswordCost {
                    m_cost_kib: 1,
                    t_cost: 0
                },
                HashLimits::default()
            )
            .is_err()
        );
    }
}
