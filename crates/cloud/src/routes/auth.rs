//! Register, sign in, refresh, sign out.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Authed, ClientIp};
use crate::model::{
    DeviceDetails, ErrorBody, LoginRequest, RefreshRequest, RegisterRequest, Session,
};
use crate::state::{AppState, now_ms};
use crate::storage::{DeviceRow, Principal, Rotation, Storage, StorageError, TokenHashes, UserRow};
use crate::tokens;

const MIN_PASSWORD: usize = 10;
const MAX_PASSWORD: usize = 1024;

pub(crate) fn normalise_email(email: &str) -> ApiResult<String> {
    let email = email.trim();
    // Characters, as the OpenAPI document's maxLength counts them, before lower-casing
    // (which can lengthen a few).
    let short_enough = email.chars().count() <= 254;
    let email = email.to_lowercase();
    let ok = short_enough
        && email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
        && !email.chars().any(char::is_whitespace);
    if ok {
        Ok(email)
    } else {
        Err(ApiError::bad_request(
            "invalid_email",
            "that is not an email address (name@example.org)",
        ))
    }
}

pub(crate) fn check_password_strength(password: &str) -> ApiResult<()> {
    let length = password.chars().count();
    if (MIN_PASSWORD..=MAX_PASSWORD).contains(&length) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "weak_password",
            format!("choose a password of at least {MIN_PASSWORD} characters"),
        ))
    }
}

pub(crate) fn check_device_name(name: &str) -> ApiResult<String> {
    // Counted as sent, spaces included, as the OpenAPI document's maxLength counts.
    let too_long = name.chars().count() > 100;
    let name = name.trim();
    if name.is_empty() || too_long {
        return Err(ApiError::bad_request(
            "invalid_device_name",
            "name this device in 1 to 100 characters (e.g. \"laptop\")",
        ));
    }
    Ok(name.to_owned())
}

/// The longest platform, OS version, model or app version a device may give.
const MAX_DETAIL_CHARS: usize = 100;

/// A device's details, trimmed, empty ones dropped, each at most [`MAX_DETAIL_CHARS`].
pub(crate) fn check_device_details(details: DeviceDetails) -> ApiResult<DeviceDetails> {
    let one = |value: Option<String>, what: &str| {
        // Counted as sent, spaces included, as the OpenAPI document's maxLength counts.
        if value
            .as_ref()
            .is_some_and(|v| v.chars().count() > MAX_DETAIL_CHARS)
        {
            return Err(ApiError::bad_request(
                "invalid_device_details",
                format!("the {what} is longer than {MAX_DETAIL_CHARS} characters"),
            ));
        }
        Ok(value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()))
    };
    Ok(DeviceDetails {
        platform: one(details.platform, "platform")?,
        os_version: one(details.os_version, "OS version")?,
        model: one(details.model, "model")?,
        app_version: one(details.app_version, "app version")?,
    })
}

/// A new token pair for `principal`, stored as hashes. `session_id` `None` starts a family.
pub(crate) async fn issue<S: Storage>(
    state: &AppState<S>,
    principal: &Principal,
    new_family: bool,
) -> ApiResult<(Session, TokenHashes)> {
    let now = now_ms();
    let access = tokens::generate(tokens::ACCESS_PREFIX);
    let refresh = tokens::generate(tokens::REFRESH_PREFIX);
    let access_ttl = ttl_ms(state.settings.access_ttl);
    let refresh_ttl = ttl_ms(state.settings.refresh_ttl);
    let hashes = TokenHashes {
        access: tokens::hash(&access),
        access_expires: now + access_ttl,
        refresh: tokens::hash(&refresh),
        refresh_expires: now + refresh_ttl,
    };
    if new_family {
        state
            .storage
            .create_session(&principal.session_id, principal, &hashes, now)
            .await?;
    }
    Ok((
        Session {
            access_token: access,
            access_expires_in: access_ttl / 1000,
            refresh_token: refresh,
            refresh_expires_in: refresh_ttl / 1000,
            user_id: principal.user_id.clone(),
            device_id: principal.device_id.clone(),
        },
        hashes,
    ))
}

pub(crate) fn ttl_ms(ttl: std::time::Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 4)
}

async fn new_device_session<S: Storage>(
    state: &AppState<S>,
    user_id: &str,
    device_name: String,
    details: DeviceDetails,
) -> ApiResult<Session> {
    let now = now_ms();
    let device = DeviceRow {
        id: tokens::new_id(),
        user_id: user_id.to_owned(),
        name: device_name,
        enrolled_by: "password".to_owned(),
        cursor: 0,
        created_at: now,
        last_seen_at: now,
        revoked_at: None,
        platform: details.platform,
        os_version: details.os_version,
        model: details.model,
        app_version: details.app_version,
    };
    state.storage.create_device(&device).await?;
    let principal = Principal {
        user_id: user_id.to_owned(),
        device_id: device.id,
        session_id: tokens::new_id(),
    };
    Ok(issue(state, &principal, true).await?.0)
}

/// Create an account and sign this device in. An email that has an account is refused with
/// `email_taken` (409), as sign-in says `unknown_account` for one that has none: whether an
/// email has an account is not a secret of this service (docs/cloud.md, threat model).
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, body = Session),
        (status = 400, body = ErrorBody, description = "invalid email, password, device name or details, or text with U+0000"),
        (status = 409, body = ErrorBody, description = "email_taken"),
        (status = 429, body = ErrorBody, description = "rate_limited"),
        (status = 503, body = ErrorBody, description = "busy: too many passwords being checked; Retry-After"),
    ))]
pub async fn register<S: Storage>(
    State(state): State<AppState<S>>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    state.limiters.check_ip(ip)?;
    let email = normalise_email(&body.email)?;
    state.limiters.check_account(&email, ip)?;
    let device_name = check_device_name(&body.device_name)?;
    let details = check_device_details(body.details)?;
    check_password_strength(&body.password)?;
    // Known before hashing, so a taken email costs no Argon2 run (a race between two
    // registrations is still caught by the unique index below).
    if state.storage.user_by_email(&email).await?.is_some() {
        return Err(email_taken());
    }
    let hash = state.passwords.hash(body.password).await?;
    let now = now_ms();
    let user = UserRow {
        id: tokens::new_id(),
        email,
        password_hash: hash,
        key_id: None,
        key_bundle: None,
        change_seq: 0,
        created_at: now,
    };
    match state.storage.create_user(&user).await {
        Ok(()) => {}
        Err(StorageError::Exists(_)) => return Err(email_taken()),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(user = %user.id, "account registered");
    let session = new_device_session(&state, &user.id, device_name, details).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

fn email_taken() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "email_taken",
        "an account with this email exists; sign in instead",
    )
}

/// Sign a device in with email and password.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = Session),
        (status = 400, body = ErrorBody, description = "invalid email, device name or details, or text with U+0000"),
        (status = 401, body = ErrorBody, description = "unknown_account: no account has this email (as registering would say); invalid_credentials: the password is wrong"),
        (status = 429, body = ErrorBody, description = "rate_limited (per address, and per account from one address)"),
        (status = 503, body = ErrorBody, description = "busy: too many passwords being checked; Retry-After"),
    ))]
pub async fn login<S: Storage>(
    State(state): State<AppState<S>>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<Session>> {
    state.limiters.check_ip(ip)?;
    let email = normalise_email(&body.email)?;
    state.limiters.check_account(&email, ip)?;
    let device_name = check_device_name(&body.device_name)?;
    let details = check_device_details(body.details)?;
    let Some(user) = state.storage.user_by_email(&email).await? else {
        // Registration tells a taken email apart, so hiding it here would protect nothing;
        // saying so spares the user a "wrong password" for a mistyped email, and spares the
        // server an Argon2 run.
        tracing::info!("sign-in refused: unknown account");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unknown_account",
            "no account uses this email; check it, or sign up",
        ));
    };
    if !state
        .passwords
        .verify(body.password, user.password_hash.clone())
        .await?
    {
        tracing::info!(user = %user.id, "sign-in refused: wrong password");
        return Err(ApiError::invalid_credentials());
    }
    let session = new_device_session(&state, &user.id, device_name, details).await?;
    tracing::info!(user = %user.id, device = %session.device_id, "signed in");
    Ok(Json(session))
}

/// Exchange a refresh token for a new pair. Each refresh token works once: presenting a spent
/// one ends every session of its sign-in (someone else may hold a copy).
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, body = Session),
        (status = 401, body = ErrorBody, description = "token_invalid, or refresh_reused (the family is revoked)"),
        (status = 429, body = ErrorBody, description = "rate_limited"),
    ))]
pub async fn refresh<S: Storage>(
    State(state): State<AppState<S>>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<Json<Session>> {
    state.limiters.check_ip(ip)?;
    let placeholder = Principal {
        user_id: String::new(),
        device_id: String::new(),
        session_id: String::new(),
    };
    let (mut session, hashes) = issue(&state, &placeholder, false).await?;
    let presented = tokens::hash(body.refresh_token.trim());
    match state
        .storage
        .rotate_refresh(&presented, &hashes, now_ms())
        .await?
    {
        Rotation::Rotated(principal) => {
            session.user_id = principal.user_id;
            session.device_id = principal.device_id;
            Ok(Json(session))
        }
        Rotation::Reused { .. }
            if state
                .storage
                .refresh_token_device_revoked(&presented)
                .await? =>
        {
            Err(super::devices::device_revoked())
        }
        Rotation::Reused { session_id } => {
            crate::metrics::refresh_reuse();
            tracing::warn!(session = %session_id, "refresh token reused; family revoked");
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "refresh_reused",
                "this refresh token was already used, so this sign-in was ended on every copy \
                 (someone may have copied the token); sign in again",
            ))
        }
        Rotation::Invalid
            if state
                .storage
                .refresh_token_device_revoked(&presented)
                .await? =>
        {
            Err(super::devices::device_revoked())
        }
        Rotation::Invalid => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "token_invalid",
            "the refresh token is unknown, expired or revoked; sign in again",
        )
        .with_details(json!({}))),
    }
}

/// Sign this device out: its tokens stop working at once.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
) -> ApiResult<StatusCode> {
    state
        .storage
        .revoke_session(&me.session_id, "signed out", now_ms())
        .await?;
    // This device's stream ends at once (on every instance), not at its next keep-alive.
    crate::events::wake(&state, &me.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
