//! The Accounts service's memory: registered clients, authorization codes, access and refresh
//! tokens. Tokens are derived from the seed and a counter (deterministic, unguessable enough
//! for a stand-in, never reused).

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The scopes a minted token carries: everything Syncer asks for.
pub const ALL_SCOPES: &str = "playlist-read-private playlist-read-collaborative \
    playlist-modify-private playlist-modify-public user-read-private user-read-email user-library-read";

/// How long an authorization code stays valid (Spotify's are short-lived too).
const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// How `/authorize` answers the consent screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Consent {
    #[default]
    Approve,
    Deny,
}

#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub user: usize,
    pub scope: String,
    pub issued: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub user: usize,
    pub scope: String,
    pub expires_at: Instant,
    pub revoked: bool,
    /// The refresh-token chain this token belongs to (`None` for minted tokens).
    pub grant: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub user: usize,
    pub client_id: String,
    pub scope: String,
    pub grant: u64,
    /// Replaced by rotation or revoked: using it again is `invalid_grant`.
    pub spent: bool,
    /// Replaced by rotation: presenting it again is reuse (RFC 9700 §4.14.2), and revokes
    /// the whole grant, successors included.
    pub rotated: bool,
}

/// One authorization: when the user approved, which bounds every refresh token of it.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub authorized_at: SystemTime,
}

/// Why a bearer token is refused; the messages are Spotify's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Missing,
    Invalid,
    Expired,
}

impl TokenProblem {
    pub fn message(self) -> &'static str {
        match self {
            TokenProblem::Missing => "No token provided",
            TokenProblem::Invalid => "Invalid access token",
            TokenProblem::Expired => "The access token expired",
        }
    }
}

pub(crate) struct AuthState {
    seed: u64,
    counter: u64,
    pub token_lifetime: Duration,
    pub clients: HashMap<String, Client>,
    pub codes: HashMap<String, AuthCode>,
    pub access: HashMap<String, AccessToken>,
    pub refresh: HashMap<String, RefreshToken>,
    pub revoked_grants: Vec<u64>,
    pub grants: HashMap<u64, Grant>,
    /// How long a grant's refresh tokens work after the authorization.
    pub refresh_lifetime: Duration,
    /// Whether refresh answers carry a new refresh token.
    pub rotate: bool,
    /// Grants revoked because a spent refresh token was presented again.
    pub reuse_revocations: u64,
    pub consent: Consent,
    /// Scopes `/authorize` leaves out of what it grants, whatever was asked: a sign-in made
    /// by an older Syncer that did not ask for them.
    pub withheld_scopes: Vec<String>,
    /// Which user "logs in" at `/authorize`.
    pub login_user: usize,
}

impl AuthState {
    pub fn new(seed: u64, token_lifetime: Duration) -> Self {
        AuthState {
            seed,
            counter: 0,
            token_lifetime,
            clients: HashMap::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            revoked_grants: Vec::new(),
            grants: HashMap::new(),
            refresh_lifetime: crate::SIGN_IN_LIFETIME,
            rotate: true,
            reuse_revocations: 0,
            consent: Consent::default(),
            withheld_scopes: Vec::new(),
            login_user: 0,
        }
    }

    fn secret(&mut self, prefix: &str, len: usize) -> String {
        self.counter += 1;
        let mut out = String::from(prefix);
        let mut block = 0u64;
        while out.len() < len {
            let digest = Sha256::new()
                .chain_update(self.seed.to_be_bytes())
                .chain_update(self.counter.to_be_bytes())
                .chain_update(block.to_be_bytes())
                .chain_update(prefix.as_bytes())
                .finalize();
            out.push_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest));
            block += 1;
        }
        out.truncate(len);
        out
    }

    pub fn issue_access(&mut self, user: usize, scope: &str, grant: Option<u64>) -> String {
        let token = self.secret("BQ", 120);
        self.access.insert(
            token.clone(),
            AccessToken {
                user,
                scope: scope.to_owned(),
                expires_at: Instant::now() + self.token_lifetime,
                revoked: false,
                grant,
            },
        );
        token
    }

    pub fn issue_refresh(
        &mut self,
        user: usize,
        client_id: &str,
        scope: &str,
        grant: u64,
    ) -> String {
        let token = self.secret("AQ", 131);
        self.refresh.insert(
            token.clone(),
            RefreshToken {
                user,
                client_id: client_id.to_owned(),
                scope: scope.to_owned(),
                grant,
                spent: false,
                rotated: false,
            },
        );
        token
    }

    pub fn new_grant(&mut self) -> u64 {
        self.counter += 1;
        self.grants.insert(
            self.counter,
            Grant {
                authorized_at: SystemTime::now(),
            },
        );
        self.counter
    }

    /// Whether the grant's sign-in outlived its lifetime.
    pub fn grant_expired(&self, grant: u64) -> bool {
        self.grants.get(&grant).is_some_and(|g| {
            SystemTime::now()
                .duration_since(g.authorized_at)
                .is_ok_and(|age| age >= self.refresh_lifetime)
        })
    }

    /// Moves every grant's authorization `by` into the past (time passing for sign-ins).
    pub fn age_grants(&mut self, by: Duration) {
        for g in self.grants.values_mut() {
            g.authorized_at = g.authorized_at.checked_sub(by).unwrap_or(g.authorized_at);
        }
    }

    /// Revokes a grant: every refresh and access token of it stops working.
    pub fn revoke_grant(&mut self, grant: u64) {
        if !self.revoked_grants.contains(&grant) {
            self.revoked_grants.push(grant);
        }
        for rt in self.refresh.values_mut().filter(|r| r.grant == grant) {
            rt.spent = true;
        }
    }

    pub fn issue_code(&mut self, code: AuthCode) -> String {
        let value = self.secret("AQ", 200);
        self.codes.insert(value.clone(), code);
        value
    }

    pub fn code_is_fresh(code: &AuthCode) -> bool {
        code.issued.elapsed() < CODE_LIFETIME
    }

    /// The user and scope of a valid bearer token.
    pub fn check(&self, header: Option<&str>) -> Result<(usize, String), TokenProblem> {
        let token = header
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(TokenProblem::Missing)?;
        let entry = self.access.get(token).ok_or(TokenProblem::Invalid)?;
        if entry.revoked
            || entry
                .grant
                .is_some_and(|g| self.revoked_grants.contains(&g))
        {
            return Err(TokenProblem::Invalid);
        }
        if Instant::now() >= entry.expires_at {
            return Err(TokenProblem::Expired);
        }
        Ok((entry.user, entry.scope.clone()))
    }

    /// Makes an access token answer "The access token expired" from now on.
    pub fn expire(&mut self, token: &str) -> bool {
        match self.access.get_mut(token) {
            Some(t) => {
                t.expires_at = Instant::now();
                true
            }
            None => false,
        }
    }

    /// Makes every access token answer "The access token expired" from now on.
    pub fn expire_all(&mut self) {
        let now = Instant::now();
        for t in self.access.values_mut() {
            t.expires_at = t.expires_at.min(now);
        }
    }

    /// Revokes an access token; a refresh token revokes its whole grant (every access token
    /// issued from it), as when the user removes the app's access.
    pub fn revoke(&mut self, token: &str) -> bool {
        if let Some(t) = self.access.get_mut(token) {
            t.revoked = true;
            return true;
        }
        if let Some(grant) = self.refresh.get(token).map(|r| r.grant) {
            self.revoke_grant(grant);
            return true;
        }
        false
    }
}

/// PKCE S256: `BASE64URL(SHA256(verifier)) == challenge`.
pub(crate) fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let digest = Sha256::digest(verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == challenge
}

/// RFC 7636: 43–128 characters of `[A-Za-z0-9-._~]`.
pub(crate) fn verifier_is_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc7636_example() {
        // Appendix B of RFC 7636.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(pkce_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_matches(
            "x",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(verifier_is_well_formed(verifier));
        assert!(!verifier_is_well_formed("short"));
    }

    #[test]
    fn tokens_are_checked_expired_and_revoked() {
        let mut a = AuthState::new(1, Duration::from_secs(3600));
        let t = a.issue_access(0, ALL_SCOPES, None);
        assert!(a.check(Some(&format!("Bearer {t}"))).is_ok());
        assert_eq!(a.check(None), Err(TokenProblem::Missing));
        assert_eq!(a.check(Some("Bearer nope")), Err(TokenProblem::Invalid));
        a.expire(&t);
        assert_eq!(
            a.check(Some(&format!("Bearer {t}"))),
            Err(TokenProblem::Expired)
        );
        let t2 = a.issue_access(0, ALL_SCOPES, None);
        a.revoke(&t2);
        assert_eq!(
            a.check(Some(&format!("Bearer {t2}"))),
            Err(TokenProblem::Invalid)
        );
    }
}
