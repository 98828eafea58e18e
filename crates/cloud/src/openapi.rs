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
    modifiers(&BearerAuth),
)]
struct ApiDoc;

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
