//! Records: write (stating the version replaced), read, delete, the change feed; conflicts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::account::user;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::model::{
    BatchResult, BatchUpload, ChangesPage, Conflict, ErrorBody, Record, RecordUpload, RefusedWrite,
    Resolution, ResolveRequest, Resolved, WriteResult, WriteStatus,
};
use crate::state::{AppState, now_ms};
use crate::storage::{
    ConflictRow, RecordRow, RecordWrite, ResolveOutcome, Storage, UserRow, WriteOutcome,
};
use crate::tokens;

pub(crate) fn record_out(r: RecordRow) -> Record {
    Record {
        deleted: r.deleted_at.is_some() || r.ciphertext.is_none(),
        collection: r.collection,
        record_id: r.record_id,
        version: r.version,
        seq: r.seq,
        key_id: r.key_id,
        checksum: r.checksum,
        ciphertext: r.ciphertext.map(|c| B64.encode(c)),
        device_id: r.device_id,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub(crate) fn conflict_out(c: ConflictRow, remote: Option<RecordRow>) -> Conflict {
    Conflict {
        id: c.id,
        collection: c.collection,
        record_id: c.record_id,
        base_version: c.base_version,
        server_version: c.server_version,
        local: RefusedWrite {
            device_id: c.device_id,
            key_id: c.key_id,
            checksum: c.checksum,
            ciphertext: c.ciphertext.map(|b| B64.encode(b)),
        },
        remote: remote.map(record_out),
        created_at: c.created_at,
        resolved_at: c.resolved_at,
        resolution: c.resolution.as_deref().and_then(Resolution::parse),
        resolved_by: c.resolved_by,
        result_version: c.result_version,
    }
}

fn check_name(what: &str, value: &str, max: usize, extra: &[u8]) -> ApiResult<()> {
    let ok = !value.is_empty()
        && value.len() <= max
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_name",
            format!(
                "the {what} {value:?} must be 1 to {max} characters of letters, digits and {}",
                String::from_utf8_lossy(extra)
            ),
        ))
    }
}

/// The highest version a write may name: 2^53 − 1, the largest integer every JSON reader
/// (JavaScript's included) holds exactly. A record gains one version per write, so no real
/// one gets near it; the bound keeps `base_version + 1` far from overflowing.
pub const MAX_VERSION: i64 = (1 << 53) - 1;

fn check_base_version(base_version: i64) -> ApiResult<()> {
    if (0..=MAX_VERSION).contains(&base_version) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_version",
            format!("base_version must be from 0 to {MAX_VERSION}"),
        ))
    }
}

fn check_names(collection: &str, record_id: &str) -> ApiResult<()> {
    check_name("collection", collection, 64, b"_-")?;
    check_name("record id", record_id, 128, b"_-.:")
}

/// Checks an upload against the account and turns it into a write: the size, the checksum,
/// and the key — the one named in the body, the one in the sealed header and the account's
/// must all agree, or nothing is stored and the answer says which key was expected.
fn validate<S: Storage>(
    state: &AppState<S>,
    user: &UserRow,
    device_id: &str,
    collection: &str,
    record_id: &str,
    upload: &RecordUpload,
) -> ApiResult<RecordWrite> {
    check_names(collection, record_id)?;
    check_base_version(upload.base_version)?;
    let Some(account_key) = user.key_id.as_deref() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_key",
            "this account has no sync key yet: set a sync passphrase first (its key is \
             registered at PUT /v1/keys); nothing was stored",
        ));
    };
    if upload.key_id != account_key {
        crate::metrics::wrong_key();
        tracing::warn!(user = %user.id, device = %device_id, offered = %upload.key_id, "upload under the wrong key refused");
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_key",
            format!(
                "this record is encrypted under key {}, but this account's key is {account_key}: \
                 this device holds another key (an old passphrase, or another account's). Enter \
                 this account's sync passphrase on the device and sync again; nothing was stored",
                upload.key_id
            ),
        )
        .with_details(json!({"account_key_id": account_key, "upload_key_id": upload.key_id})));
    }
    let sealed = B64
        .decode(&upload.ciphertext)
        .map_err(|_| ApiError::bad_request("invalid_ciphertext", "ciphertext must be base64"))?;
    if sealed.len() > state.settings.max_record_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "record_too_large",
            format!(
                "a record may be at most {} bytes sealed; this one is {}",
                state.settings.max_record_bytes,
                sealed.len()
            ),
        ));
    }
    let header_key = syncer_crypto::record_key_id(&sealed).map_err(|e| {
        ApiError::bad_request("invalid_ciphertext", format!("not a sealed record: {e}"))
    })?;
    if header_key.as_str() != account_key {
        crate::metrics::wrong_key();
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_key",
            format!(
                "the sealed record names key {header_key}, but this account's key is \
                 {account_key}; nothing was stored"
            ),
        )
        .with_details(
            json!({"account_key_id": account_key, "upload_key_id": header_key.as_str()}),
        ));
    }
    let sum = syncer_crypto::checksum(&sealed);
    if !tokens::constant_time_eq(&sum, &upload.checksum.to_ascii_lowercase()) {
        return Err(ApiError::bad_request(
            "checksum_mismatch",
            "the ciphertext does not match its checksum (damaged in transit?); send it again",
        ));
    }
    Ok(RecordWrite {
        collection: collection.to_owned(),
        record_id: record_id.to_owned(),
        base_version: upload.base_version,
        key_id: upload.key_id.clone(),
        checksum: sum,
        ciphertext: Some(sealed),
        device_id: device_id.to_owned(),
    })
}

fn result_of(write: &RecordWrite, outcome: WriteOutcome) -> WriteResult {
    match outcome {
        WriteOutcome::Stored { version, seq } => {
            crate::metrics::record_written();
            WriteResult {
                collection: write.collection.clone(),
                record_id: write.record_id.clone(),
                status: WriteStatus::Stored,
                version,
                seq: Some(seq),
                conflict_id: None,
            }
        }
        WriteOutcome::Conflict {
            current_version,
            conflict_id,
        } => {
            crate::metrics::conflict();
            WriteResult {
                collection: write.collection.clone(),
                record_id: write.record_id.clone(),
                status: WriteStatus::Conflict,
                version: current_version,
                seq: None,
                conflict_id: Some(conflict_id),
            }
        }
    }
}

fn conflict_error(result: &WriteResult) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "version_conflict",
        format!(
            "{}/{} changed on another device (now version {}); your version was kept as \
             conflict {} — resolve it (local wins, remote wins, merged or manual)",
            result.collection,
            result.record_id,
            result.version,
            result.conflict_id.as_deref().unwrap_or("?")
        ),
    )
    .with_details(json!({
        "current_version": result.version,
        "conflict_id": result.conflict_id,
    }))
}

/// Store a record's next version. `base_version` is the version it replaces (0: new); if the
/// server has moved on, the write is refused with 409 and kept as a conflict.
#[utoipa::path(put, path = "/v1/records/{collection}/{record_id}", tag = "records",
    security(("bearer" = [])), request_body = RecordUpload,
    params(("collection" = String, Path, pattern = r"^[A-Za-z0-9_-]{1,64}$"), ("record_id" = String, Path, pattern = r"^[A-Za-z0-9_.:-]{1,128}$")),
    responses(
        (status = 200, body = WriteResult),
        (status = 409, body = ErrorBody, description = "version_conflict (details: current_version, conflict_id) or no_key"),
        (status = 413, body = ErrorBody, description = "record_too_large"),
        (status = 422, body = ErrorBody, description = "wrong_key: encrypted under a key other than the account's"),
    ))]
pub async fn put_record<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiPath((collection, record_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<RecordUpload>,
) -> ApiResult<Json<WriteResult>> {
    let user = user(&state, &me.user_id).await?;
    let write = validate(&state, &user, &me.device_id, &collection, &record_id, &body)?;
    let outcome = state
        .storage
        .write_record(&me.user_id, &write, &tokens::new_id(), now_ms())
        .await?;
    // The storage wrote the events; wake this instance's streams of the user.
    state.events.wake(&me.user_id);
    let result = result_of(&write, outcome);
    match result.status {
        WriteStatus::Stored => Ok(Json(result)),
        WriteStatus::Conflict => Err(conflict_error(&result)),
    }
}

/// Store many records; each succeeds or conflicts on its own (conflicts are in the results,
/// not an error). Any invalid item refuses the whole batch before anything is stored.
#[utoipa::path(post, path = "/v1/records/batch", tag = "records", security(("bearer" = [])),
    request_body = BatchUpload,
    responses((status = 200, body = BatchResult), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "no_key: set a sync passphrase first"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody, description = "wrong_key")))]
pub async fn batch<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiJson(body): ApiJson<BatchUpload>,
) -> ApiResult<Json<BatchResult>> {
    if body.records.len() > state.settings.max_batch {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "send at most {} records per batch",
                state.settings.max_batch
            ),
        ));
    }
    let user = user(&state, &me.user_id).await?;
    let writes = body
        .records
        .iter()
        .map(|item| {
            validate(
                &state,
                &user,
                &me.device_id,
                &item.collection,
                &item.record_id,
                &item.upload,
            )
        })
        .collect::<ApiResult<Vec<_>>>()?;
    // One transaction for the batch: one commit instead of one per record.
    let with_ids: Vec<(RecordWrite, String)> =
        writes.into_iter().map(|w| (w, tokens::new_id())).collect();
    let outcomes = state
        .storage
        .write_records(&me.user_id, &with_ids, now_ms())
        .await?;
    // The storage wrote the events; wake this instance's streams of the user.
    state.events.wake(&me.user_id);
    let results = with_ids
        .iter()
        .zip(outcomes)
        .map(|((write, _), outcome)| result_of(write, outcome))
        .collect();
    Ok(Json(BatchResult { results }))
}

/// One record as stored.
#[utoipa::path(get, path = "/v1/records/{collection}/{record_id}", tag = "records",
    security(("bearer" = [])), params(("collection" = String, Path, pattern = r"^[A-Za-z0-9_-]{1,64}$"), ("record_id" = String, Path, pattern = r"^[A-Za-z0-9_.:-]{1,128}$")),
    responses((status = 200, body = Record), (status = 404, body = ErrorBody)))]
pub async fn get_record<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiPath((collection, record_id)): ApiPath<(String, String)>,
) -> ApiResult<Json<Record>> {
    check_names(&collection, &record_id)?;
    state
        .storage
        .get_record(&me.user_id, &collection, &record_id)
        .await?
        .map(|r| Json(record_out(r)))
        .ok_or_else(|| ApiError::not_found(format!("no record {collection}/{record_id}")))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// The version being deleted (at most 2^53 − 1).
    #[param(minimum = 0, maximum = 9007199254740991_i64)]
    pub base_version: i64,
}

/// Delete a record: it becomes a tombstone in the change feed, so other devices delete it too.
#[utoipa::path(delete, path = "/v1/records/{collection}/{record_id}", tag = "records",
    security(("bearer" = [])),
    params(("collection" = String, Path, pattern = r"^[A-Za-z0-9_-]{1,64}$"), ("record_id" = String, Path, pattern = r"^[A-Za-z0-9_.:-]{1,128}$"), DeleteParams),
    responses((status = 200, body = WriteResult),
        (status = 409, body = ErrorBody, description = "version_conflict")))]
pub async fn delete_record<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiPath((collection, record_id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<DeleteParams>,
) -> ApiResult<Json<WriteResult>> {
    check_names(&collection, &record_id)?;
    check_base_version(params.base_version)?;
    let user = user(&state, &me.user_id).await?;
    let write = RecordWrite {
        collection,
        record_id,
        base_version: params.base_version,
        key_id: user.key_id.unwrap_or_default(),
        checksum: String::new(),
        ciphertext: None,
        device_id: me.device_id.clone(),
    };
    let outcome = state
        .storage
        .write_record(&me.user_id, &write, &tokens::new_id(), now_ms())
        .await?;
    // The storage wrote the events; wake this instance's streams of the user.
    state.events.wake(&me.user_id);
    let result = result_of(&write, outcome);
    match result.status {
        WriteStatus::Stored => Ok(Json(result)),
        WriteStatus::Conflict => Err(conflict_error(&result)),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// The cursor of the last page read (0, the default: from the start).
    #[serde(default)]
    #[param(minimum = 0, maximum = 9007199254740991_i64, required = false)]
    pub since: i64,
    /// Records per page, 1 to 500 (the default).
    #[param(value_type = i64, minimum = 1, maximum = 500, required = false)]
    pub limit: Option<i64>,
}

/// Changes after a cursor, oldest first, a page at a time. Asking for changes after `since`
/// also records that this device has read up to `since`.
#[utoipa::path(get, path = "/v1/changes", tag = "records", security(("bearer" = [])),
    params(ChangesParams),
    responses((status = 200, body = ChangesPage),
        (status = 400, body = ErrorBody, description = "invalid_query: since or limit out of range")))]
pub async fn changes<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiQuery(params): ApiQuery<ChangesParams>,
) -> ApiResult<Json<ChangesPage>> {
    let max = i64::try_from(state.settings.max_batch).unwrap_or(500);
    let limit = params.limit.unwrap_or(max);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("limit must be from 1 to {max}"),
        ));
    }
    let since = params.since;
    if !(0..=MAX_VERSION).contains(&since) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("since must be a cursor from 0 to {MAX_VERSION}"),
        ));
    }
    let rows = state.storage.changes(&me.user_id, since, limit + 1).await?;
    let has_more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    let page: Vec<Record> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(record_out)
        .collect();
    let cursor = page.last().map_or(since, |r| r.seq);
    if since > 0 {
        state
            .storage
            .advance_cursor(&me.device_id, since, now_ms())
            .await?;
    }
    Ok(Json(ChangesPage {
        changes: page,
        cursor,
        has_more,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConflictParams {
    /// `open` (default) or `all` (with resolved ones: the history).
    #[param(inline, value_type = ConflictState, required = false)]
    pub state: Option<ConflictState>,
}

/// Which conflicts to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictState {
    Open,
    All,
}

/// Conflicts: the refused write and the server's version, both still sealed.
#[utoipa::path(get, path = "/v1/conflicts", tag = "conflicts", security(("bearer" = [])),
    params(ConflictParams),
    responses((status = 200, body = Vec<Conflict>), (status = 400, body = ErrorBody, description = "invalid_query: state is not open or all")))]
pub async fn list_conflicts<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiQuery(params): ApiQuery<ConflictParams>,
) -> ApiResult<Json<Vec<Conflict>>> {
    // Anything else was refused by the query's parsing (400 invalid_query).
    let include_resolved = params.state == Some(ConflictState::All);
    let rows = state
        .storage
        .list_conflicts(&me.user_id, include_resolved)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let remote = state
            .storage
            .get_record(&me.user_id, &c.collection, &c.record_id)
            .await?;
        out.push(conflict_out(c, remote));
    }
    Ok(Json(out))
}

/// Resolve a conflict. `remote_wins` keeps the server's version; the other choices store
/// `record`, sealed for the current version + 1 with `base_version` = the current version, or
/// delete the record (`delete: true`).
#[utoipa::path(post, path = "/v1/conflicts/{id}/resolve", tag = "conflicts",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = ResolveRequest,
    responses((status = 200, body = Resolved), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already_resolved, or version_conflict: the record moved on again")))]
pub async fn resolve<S: Storage>(
    State(state): State<AppState<S>>,
    Authed(me): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ResolveRequest>,
) -> ApiResult<Json<Resolved>> {
    let conflict = state
        .storage
        .get_conflict(&me.user_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no conflict {id}")))?;
    let write = match (body.resolution, &body.record) {
        (Resolution::RemoteWins, None) if !body.delete => None,
        (Resolution::RemoteWins, _) => {
            return Err(ApiError::bad_request(
                "unexpected_record",
                "remote_wins keeps the server's version: send no record",
            ));
        }
        (_, Some(_)) if body.delete => {
            return Err(ApiError::bad_request(
                "unexpected_record",
                "send either a record or delete, not both",
            ));
        }
        (_, None) if body.delete => {
            let user = user(&state, &me.user_id).await?;
            let current = state
                .storage
                .get_record(&me.user_id, &conflict.collection, &conflict.record_id)
                .await?;
            Some(RecordWrite {
                collection: conflict.collection.clone(),
                record_id: conflict.record_id.clone(),
                // A concurrent write between this read and the resolution is caught by the
                // storage's version check and answered as a conflict.
                base_version: current.map_or(0, |r| r.version),
                key_id: user.key_id.unwrap_or_default(),
                checksum: String::new(),
                ciphertext: None,
                device_id: me.device_id.clone(),
            })
        }
        (_, None) => {
            return Err(ApiError::bad_request(
                "record_required",
                format!(
                    "{} stores a new version: send it as record",
                    body.resolution.as_str()
                ),
            ));
        }
        (_, Some(upload)) => {
            let user = user(&state, &me.user_id).await?;
            Some(validate(
                &state,
                &user,
                &me.device_id,
                &conflict.collection,
                &conflict.record_id,
                upload,
            )?)
        }
    };
    let outcome = state
        .storage
        .resolve_conflict(
            &me.user_id,
            &id,
            body.resolution.as_str(),
            &me.device_id,
            write.as_ref(),
            now_ms(),
        )
        .await?;
    state.events.wake(&me.user_id);
    match outcome {
        ResolveOutcome::Resolved { version } => {
            if write.is_some() {
                crate::metrics::record_written();
            }
            Ok(Json(Resolved {
                conflict_id: id,
                resolution: body.resolution,
                version,
            }))
        }
        ResolveOutcome::NotFound => Err(ApiError::not_found(format!("no conflict {id}"))),
        ResolveOutcome::AlreadyResolved => Err(ApiError::new(
            StatusCode::CONFLICT,
            "already_resolved",
            format!("conflict {id} was already resolved (see ?state=all)"),
        )),
        ResolveOutcome::Stale { current_version } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "version_conflict",
            format!(
                "the record changed again (now version {current_version}); seal the resolution \
                 for that version and try again"
            ),
        )
        .with_details(json!({ "current_version": current_version }))),
    }
}
