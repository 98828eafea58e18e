//! The OpenAPI document, generated from the handlers and models. `openapi.json` in this crate
//! is a checked-in copy; a test fails when the two differ (regenerate with
//! `UPDATE_OPENAPI=1 cargo test -p syncer-cloud --test api`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::model;
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Syncer cloud",
        description = "Accounts and end-to-end-encrypted records for Syncer's multi-device \
                       sync. The server stores ciphertext sealed on the devices and never a key. \
                       Errors are {\"error\":{\"code\",\"message\",\"details\"}}."
    ),
    paths(
        routes::register, routes::login, routes::refresh, routes::logout,
        routes::me, routes::delete_account, routes::change_password, routes::export,
        routes::delete_all_data,
        routes::get_key, routes::put_key,
        routes::put_record, routes::batch, routes::get_record, routes::delete_record,
        routes::changes, routes::list_conflicts, routes::resolve, routes::events,
        routes::create_enrollment, routes::get_enrollment, routes::complete_enrollment,
        routes::instructions, routes::list_devices, routes::rename_device, routes::revoke_device,
        routes::healthz, routes::readyz, routes::metrics, routes::openapi,
    ),
    components(schemas(
        model::ErrorBody, model::ErrorDetail, model::RegisterRequest, model::LoginRequest,
        model::RefreshRequest, model::Session, model::Device, model::Me,
        model::DeleteAccountRequest, model::ChangePasswordRequest, model::PasswordChanged,
        model::KeyBundleBody, model::RecordUpload,
        model::BatchUploadItem, model::BatchUpload, model::WriteStatus, model::WriteResult,
        model::BatchResult, model::Record, model::ChangesPage, model::Conflict,
        model::RefusedWrite, model::Resolution, model::ResolveRequest, model::Resolved,
        model::Export, model::Health, model::LiveEvent,
        model::CreateEnrollmentRequest, model::EnrollmentCreated, model::EnrollmentInfo,
        model::CompleteEnrollmentRequest, model::DeviceDetails, model::Enrolled,
        model::SyncSettings,
        model::AppInstructions, model::DeviceList, model::RenameDeviceRequest,
    )),
    modifiers(&BearerAuth, &CommonResponses),
)]
struct ApiDoc;

/// The answers any operation can give besides its own, so the document lists every status the
/// server sends (a schema-driven fuzzer holds it to that): bad text or query (400), a
/// missing or invalid token where one is needed (401), a body too large or not JSON (413,
/// 415), a server at one of its limits (503 `busy`, with `Retry-After`), a full disk on a
/// write (507), and a failure (500).
/// Each is the API's error shape. An operation that documents one itself keeps its own
/// description.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (false, &mut item.get),
                (true, &mut item.put),
                (true, &mut item.post),
                (true, &mut item.delete),
                (true, &mut item.patch),
            ];
            for (writes, operation) in operations {
                let Some(operation) = operation.as_mut() else {
                    continue;
                };
                let mut add = |status: &str, description: &str| {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(description).into());
                };
                add(
                    "400",
                    "invalid_text (U+0000 in the path or query), invalid_query, invalid_path",
                );
                add(
                    "503",
                    "busy: the server is at its connection or password-hashing limit (Retry-After), or unavailable: its database does not answer",
                );
                add("500", "internal: the server failed; nothing was changed");
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = operation.request_body.is_some();
                if secured {
                    add(
                        "401",
                        "token_invalid, unauthorized or device_revoked: sign in (again)",
                    );
                }
                if writes {
                    add(
                        "507",
                        "storage_full: the server's disk is full; nothing was changed",
                    );
                }
                if has_body {
                    add(
                        "413",
                        "payload_too_large: the body is over the server's limit",
                    );
                    add(
                        "415",
                        "unsupported_media_type: send Content-Type: application/json",
                    );
                }
            }
        }
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as JSON.
pub fn document() -> serde_json::Value {
    let mut doc = ApiDoc::openapi();
    // The crate version would make the checked-in copy change with every release bump.
    doc.info.version = "1".to_owned();
    serde_json::to_value(&doc).unwrap_or_default()
}
