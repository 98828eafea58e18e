//! The OAuth exchanges themselves, through the oauth2 crate: the authorize URL with its PKCE
//! challenge, the code exchange, and refresh. HTTP goes through our own reqwest client (no
//! redirects followed, so a token request cannot be bounced elsewhere).

use std::time::Duration;

use oauth2::basic::{BasicClient, BasicErrorResponse, BasicErrorResponseType};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    TokenResponse, TokenUrl,
};

use crate::error::AuthError;
use crate::registry::OAuthEndpoints;
use crate::secret::Secret;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// What a token endpoint granted.
pub(crate) struct Grant {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_in: Option<Duration>,
    pub scope: Option<String>,
}

/// Why a refresh failed: for good (the grant is gone: reconnect) or for now (try later).
#[derive(Debug)]
pub(crate) enum RefreshFailure {
    Permanent(String),
    Transient(String),
}

/// The HTTP failure the oauth2 crate sees. reqwest's message names the URL, never a body.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct HttpError(String);

fn client(endpoints: &OAuthEndpoints, client_id: &str) -> Result<Client, String> {
    let auth = AuthUrl::new(endpoints.authorize_url.clone()).map_err(|e| e.to_string())?;
    let token = TokenUrl::new(endpoints.token_url.clone()).map_err(|e| e.to_string())?;
    Ok(BasicClient::new(ClientId::new(client_id.to_owned()))
        .set_auth_uri(auth)
        .set_token_uri(token))
}

fn redirect(uri: &str) -> Result<RedirectUrl, AuthError> {
    RedirectUrl::new(uri.to_owned()).map_err(|_| AuthError::UnsupportedRedirect {
        uri: uri.to_owned(),
    })
}

/// The URL the browser opens, and the PKCE verifier to keep for the exchange.
pub(crate) fn authorize_url(
    provider: &str,
    endpoints: &OAuthEndpoints,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[&str],
    state: &str,
) -> Result<(String, Secret), AuthError> {
    let client = client(endpoints, client_id).map_err(|cause| AuthError::BadResponse {
        provider: provider.to_owned(),
        cause: format!("its sign-in address is invalid: {cause}"),
    })?;
    // 32 random bytes: a 43-character verifier, the shortest RFC 7636 allows at full entropy.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = state.to_owned();
    let (url, _) = client
        .authorize_url(move || CsrfToken::new(state))
        .set_redirect_uri(std::borrow::Cow::Owned(redirect(redirect_uri)?))
        .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
        .set_pkce_challenge(challenge)
        .url();
    Ok((url.to_string(), Secret::new(verifier.secret().clone())))
}

pub(crate) async fn exchange_code(
    http: &reqwest::Client,
    provider: &str,
    endpoints: &OAuthEndpoints,
    client_id: &str,
    redirect_uri: &str,
    code: &Secret,
    verifier: &Secret,
) -> Result<Grant, AuthError> {
    let client = client(endpoints, client_id).map_err(|cause| AuthError::BadResponse {
        provider: provider.to_owned(),
        cause,
    })?;
    let send = owned_sender(http);
    let reply = client
        .exchange_code(AuthorizationCode::new(code.expose().to_owned()))
        .set_redirect_uri(std::borrow::Cow::Owned(redirect(redirect_uri)?))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_owned()))
        .request_async(&send)
        .await;
    match reply {
        Ok(token) => Ok(grant(&token)),
        Err(RequestTokenError::ServerResponse(err)) => Err(AuthError::ProviderRefused {
            provider: provider.to_owned(),
            code: err.error().to_string(),
            description: err
                .error_description()
                .map(|d| format!(": {d}"))
                .unwrap_or_default(),
        }),
        Err(RequestTokenError::Request(e)) => Err(AuthError::Unreachable {
            provider: provider.to_owned(),
            cause: e.to_string(),
        }),
        Err(other) => Err(AuthError::BadResponse {
            provider: provider.to_owned(),
            cause: describe(&other),
        }),
    }
}

pub(crate) async fn refresh(
    http: &reqwest::Client,
    endpoints: &OAuthEndpoints,
    client_id: &str,
    refresh_token: &Secret,
) -> Result<Grant, RefreshFailure> {
    let client = client(endpoints, client_id).map_err(RefreshFailure::Permanent)?;
    let send = owned_sender(http);
    let token = RefreshToken::new(refresh_token.expose().to_owned());
    match client
        .exchange_refresh_token(&token)
        .request_async(&send)
        .await
    {
        Ok(token) => Ok(grant(&token)),
        Err(RequestTokenError::ServerResponse(err)) => {
            let reason = match err.error_description() {
                Some(d) => format!("{}: {d}", err.error()),
                None => err.error().to_string(),
            };
            // These say the grant itself is gone or never was: retrying cannot help.
            match err.error() {
                BasicErrorResponseType::InvalidGrant
                | BasicErrorResponseType::InvalidClient
                | BasicErrorResponseType::UnauthorizedClient
                | BasicErrorResponseType::InvalidScope => Err(RefreshFailure::Permanent(reason)),
                _ => Err(RefreshFailure::Transient(reason)),
            }
        }
        Err(RequestTokenError::Request(e)) => Err(RefreshFailure::Transient(e.to_string())),
        Err(other) => Err(RefreshFailure::Transient(describe(&other))),
    }
}

fn grant(token: &oauth2::basic::BasicTokenResponse) -> Grant {
    Grant {
        access_token: Secret::new(token.access_token().secret().clone()),
        refresh_token: token
            .refresh_token()
            .map(|r| Secret::new(r.secret().clone())),
        expires_in: token.expires_in(),
        scope: token.scopes().map(|scopes| {
            scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
    }
}

/// A failure's description without the response body (which may hold a token).
fn describe(err: &RequestTokenError<HttpError, BasicErrorResponse>) -> String {
    match err {
        RequestTokenError::Parse(_, _) => "its answer is not a token response".to_owned(),
        RequestTokenError::Other(message) => message.clone(),
        RequestTokenError::Request(e) => e.to_string(),
        RequestTokenError::ServerResponse(e) => e.error().to_string(),
    }
}

/// The HTTP function oauth2 calls. Its futures own a clone of the (shared) client instead of
/// borrowing it: a borrowing closure makes a future whose `Send` rustc can prove only for one
/// lifetime, which breaks the `Send` futures of core's `TokenSource` (rust-lang/rust#102211).
fn owned_sender(
    http: &reqwest::Client,
) -> impl Fn(
    oauth2::HttpRequest,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, HttpError>> + Send>,
> + use<> {
    let http = http.clone();
    move |request| {
        let http = http.clone();
        Box::pin(async move { send(&http, request).await })
    }
}

async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, HttpError> {
    let request = reqwest::Request::try_from(request).map_err(|e| HttpError(e.to_string()))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| HttpError(e.to_string()))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| HttpError(e.to_string()))?;
    let mut out = oauth2::http::Response::new(body.to_vec());
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}

/// The HTTP client for token requests and identity calls. rustls with the ring provider is
/// installed process-wide if nothing chose one yet (reqwest is built without a default one).
pub(crate) fn http_client() -> Result<reqwest::Client, String> {
    // Err means another provider is already installed, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}
