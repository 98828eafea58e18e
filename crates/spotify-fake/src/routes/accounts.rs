//! The Accounts service: `/authorize` (answering the consent screen as the test scripted)
//! and `/api/token` (authorization code + PKCE S256, refresh with rotation).

use std::sync::Arc;

use axum::Form;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use serde_json::{Value, json};

use super::{Params, encode};
use crate::accounts_state::{AuthCode, AuthState, Consent, pkce_matches, verifier_is_well_formed};
use crate::error::OAuthError;
use crate::state::Shared;

fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    Redirect::to(&format!("{redirect_uri}{sep}{query}")).into_response()
}

/// Spotify shows an error page (no redirect) when the client or redirect URI is wrong.
fn error_page(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_owned(),
    )
        .into_response()
}

pub(super) async fn authorize(State(s): State<Arc<Shared>>, Query(q): Query<Params>) -> Response {
    let client_id = q.get("client_id").map(String::as_str).unwrap_or("");
    let redirect_uri = q.get("redirect_uri").map(String::as_str).unwrap_or("");
    let mut auth = s.auth();
    let Some(client) = auth.clients.get(client_id) else {
        return error_page("INVALID_CLIENT: Invalid client");
    };
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return error_page("INVALID_CLIENT: Invalid redirect URI");
    }
    let state = q.get("state").cloned();
    let with_state = |mut pairs: Vec<(&'static str, String)>| {
        if let Some(st) = &state {
            pairs.push(("state", st.clone()));
        }
        pairs
    };
    let send = |pairs: Vec<(&'static str, String)>| {
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        redirect_with(redirect_uri, &borrowed)
    };
    if q.get("response_type").map(String::as_str) != Some("code") {
        return send(with_state(vec![(
            "error",
            "unsupported_response_type".to_owned(),
        )]));
    }
    let challenge = q.get("code_challenge").cloned().unwrap_or_default();
    if challenge.is_empty() || q.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return send(with_state(vec![("error", "invalid_request".to_owned())]));
    }
    if auth.consent == Consent::Deny {
        return send(with_state(vec![("error", "access_denied".to_owned())]));
    }
    let code = AuthCode {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        code_challenge: challenge,
        user: auth.login_user,
        scope: q
            .get("scope")
            .map(|asked| {
                asked
                    .split(' ')
                    .filter(|s| !auth.withheld_scopes.iter().any(|w| w == s))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default(),
        issued: std::time::Instant::now(),
    };
    let value = auth.issue_code(code);
    send(with_state(vec![("code", value)]))
}

/// Public clients send `client_id` in the form; confidential ones use HTTP Basic.
fn client_id_of(headers: &HeaderMap, form: &Params) -> Option<String> {
    if let Some(id) = form.get("client_id") {
        return Some(id.clone());
    }
    let basic = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    text.split(':').next().map(str::to_owned)
}

fn token_reply(access: String, scope: &str, lifetime: u64, refresh: String) -> Json<Value> {
    Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": lifetime,
        "refresh_token": refresh,
    }))
}

pub(super) async fn token(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    form: Result<Form<Params>, FormRejection>,
) -> Result<Json<Value>, OAuthError> {
    let Form(form) =
        form.map_err(|_| OAuthError::invalid_request("Request body must be form-encoded"))?;
    let client_id = client_id_of(&headers, &form)
        .ok_or_else(|| OAuthError::invalid_client("Invalid client"))?;
    let mut auth = s.auth();
    if !auth.clients.contains_key(&client_id) {
        return Err(OAuthError::invalid_client("Invalid client"));
    }
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => authorization_code(&mut auth, &client_id, &form),
        Some("refresh_token") => refresh(&mut auth, &client_id, &form),
        None => Err(OAuthError::new(
            "unsupported_grant_type",
            "grant_type parameter is missing",
        )),
        Some(_) => Err(OAuthError::new(
            "unsupported_grant_type",
            "grant_type must be client_credentials, authorization_code or refresh_token",
        )),
    }
}

fn authorization_code(
    auth: &mut AuthState,
    client_id: &str,
    form: &Params,
) -> Result<Json<Value>, OAuthError> {
    let code_value = form
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code must be supplied"))?;
    let verifier = form
        .get("code_verifier")
        .ok_or_else(|| OAuthError::invalid_request("code_verifier required"))?;
    // A code is single-use: it is gone whether or not this exchange succeeds.
    let code = auth
        .codes
        .remove(code_value)
        .ok_or_else(|| OAuthError::invalid_grant("Invalid authorization code"))?;
    if !AuthState::code_is_fresh(&code) {
        return Err(OAuthError::invalid_grant("Authorization code expired"));
    }
    if code.client_id != client_id {
        return Err(OAuthError::invalid_grant("Invalid authorization code"));
    }
    if form.get("redirect_uri") != Some(&code.redirect_uri) {
        return Err(OAuthError::invalid_grant("Invalid redirect URI"));
    }
    if !verifier_is_well_formed(verifier) || !pkce_matches(verifier, &code.code_challenge) {
        return Err(OAuthError::invalid_grant("code_verifier was incorrect"));
    }
    let grant = auth.new_grant();
    let access = auth.issue_access(code.user, &code.scope, Some(grant));
    let refresh = auth.issue_refresh(code.user, client_id, &code.scope, grant);
    let lifetime = auth.token_lifetime.as_secs();
    Ok(token_reply(access, &code.scope, lifetime, refresh))
}

fn refresh(
    auth: &mut AuthState,
    client_id: &str,
    form: &Params,
) -> Result<Json<Value>, OAuthError> {
    let value = form
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token must be supplied"))?;
    let old = auth
        .refresh
        .get(value)
        .cloned()
        .ok_or_else(|| OAuthError::invalid_grant("Invalid refresh token"))?;
    if old.rotated && !auth.revoked_grants.contains(&old.grant) {
        // Reuse of a rotated refresh token (RFC 9700 §4.14.2): someone holds a copy, so the
        // whole grant goes, the successor that was handed out included.
        auth.revoke_grant(old.grant);
        auth.reuse_revocations += 1;
        return Err(OAuthError::invalid_grant("Refresh token revoked"));
    }
    if old.spent {
        return Err(OAuthError::invalid_grant("Refresh token revoked"));
    }
    if old.client_id != client_id {
        return Err(OAuthError::invalid_grant("Invalid refresh token"));
    }
    if auth.grant_expired(old.grant) {
        // Since July 2026 a sign-in lasts six months from the authorization.
        return Err(OAuthError::invalid_grant("Refresh token expired"));
    }
    let (user, scope, grant) = (old.user, old.scope.clone(), old.grant);
    let access = auth.issue_access(user, &scope, Some(grant));
    let lifetime = auth.token_lifetime.as_secs();
    if !auth.rotate {
        // No rotation: the answer has no refresh token, and the old one stays valid.
        return Ok(Json(json!({
            "access_token": access,
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": lifetime,
        })));
    }
    // Rotation: the old refresh token is spent; the reply carries its successor.
    if let Some(spent) = auth.refresh.get_mut(value) {
        spent.spent = true;
        spent.rotated = true;
    }
    let next = auth.issue_refresh(user, client_id, &scope, grant);
    Ok(token_reply(access, &scope, lifetime, next))
}
