//! The API's request and response bodies. Field names are the wire format: they are in the
//! OpenAPI document (`openapi.json`), which a test compares with the server's.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every error: `{"error": {"code", "message", "details"}}`. `code` is stable for programs;
/// `message` says what happened and what to do.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// Machine-readable specifics (e.g. the current version of a conflicting record).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// An email address, one `@` and a dot after it; compared in lower case. (`\x85` is
    /// spelled out: it is whitespace to the server but not to ECMA-262's `\s`.)
    #[schema(
        max_length = 254,
        pattern = r"^[^\s\x85@\x00]+@[^\s\x85@\x00]+\.[^\s\x85@\x00]+$"
    )]
    pub email: String,
    /// 10 to 1,024 characters.
    #[schema(min_length = 10, max_length = 1024, pattern = r"^[^\x00]*$")]
    pub password: String,
    /// A name for this device, shown in the device list ("laptop"): 1 to 100 characters.
    #[schema(max_length = 100, pattern = r"^\s*[^\s\x85\x00][^\x00]*$")]
    pub device_name: String,
    #[serde(flatten, default)]
    pub details: DeviceDetails,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// An email address, one `@` and a dot after it; compared in lower case. (`\x85` is
    /// spelled out: it is whitespace to the server but not to ECMA-262's `\s`.)
    #[schema(
        max_length = 254,
        pattern = r"^[^\s\x85@\x00]+@[^\s\x85@\x00]+\.[^\s\x85@\x00]+$"
    )]
    pub email: String,
    #[schema(pattern = r"^[^\x00]*$")]
    pub password: String,
    /// 1 to 100 characters, not only spaces.
    #[schema(max_length = 100, pattern = r"^\s*[^\s\x85\x00][^\x00]*$")]
    pub device_name: String,
    #[serde(flatten, default)]
    pub details: DeviceDetails,
}

/// What a device says of itself when it joins, by password or by code; all optional, shown in
/// the device list so a person can tell their devices apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceDetails {
    /// The OS family (`linux`, `macos`, `windows`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100, pattern = r"^[^\x00]*$")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100, pattern = r"^[^\x00]*$")]
    pub os_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100, pattern = r"^[^\x00]*$")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100, pattern = r"^[^\x00]*$")]
    pub app_version: Option<String>,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct RefreshRequest {
    #[schema(pattern = r"^[^\x00]*$")]
    pub refresh_token: String,
}

/// A signed-in session. The access token is sent as `Authorization: Bearer …`; the refresh
/// token is exchanged once at `/v1/auth/refresh` for a new pair (it is then spent).
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct Session {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub access_expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_in: i64,
    pub user_id: String,
    pub device_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Device {
    pub id: String,
    pub name: String,
    /// How the device joined: `password` (signed in) or `qr` (an enrollment code).
    pub enrolled_by: String,
    /// The last change it has read.
    pub cursor: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub revoked_at: Option<i64>,
    /// What the device said of itself when it joined (`linux`, `macos`, `windows`, …).
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub os_version: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub app_version: Option<String>,
    /// The device that asked: "this device".
    #[serde(default)]
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub user_id: String,
    pub email: String,
    /// The account's key id, once a sync passphrase is set.
    pub key_id: Option<String>,
    /// The latest change number: a device whose cursor is here is up to date.
    pub change_seq: i64,
    pub device_id: String,
    pub devices: Vec<Device>,
    pub created_at: i64,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct DeleteAccountRequest {
    /// The account's password, to confirm.
    #[schema(pattern = r"^[^\x00]*$")]
    pub password: String,
}

/// Delete all cloud data: the password confirms it, unless this device signed in with the
/// password moments ago (then the body may be left out).
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DeleteDataRequest {
    /// The account's password, to confirm.
    #[serde(default)]
    #[schema(pattern = r"^[^\x00]*$")]
    pub password: Option<String>,
}

impl std::fmt::Debug for DeleteDataRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeleteDataRequest")
            .field("password", &self.password.as_ref().map(|_| REDACTED))
            .finish()
    }
}

/// Change the account's password: every other device is signed out (the one asking stays).
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    #[schema(pattern = r"^[^\x00]*$")]
    pub current_password: String,
    /// 10 to 1,024 characters.
    #[schema(min_length = 10, max_length = 1024, pattern = r"^[^\x00]*$")]
    pub new_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasswordChanged {
    /// Sign-ins of other devices that ended with the old password.
    pub signed_out_sessions: u64,
}

// Passwords and tokens never reach a log through `Debug`: these print what they are, not what
// they hold.
const REDACTED: &str = "[redacted]";

impl std::fmt::Debug for RegisterRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterRequest")
            .field("email", &self.email)
            .field("password", &REDACTED)
            .field("device_name", &self.device_name)
            .field("details", &self.details)
            .finish()
    }
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .field("password", &REDACTED)
            .field("device_name", &self.device_name)
            .field("details", &self.details)
            .finish()
    }
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("refresh_token", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("access_token", &REDACTED)
            .field("access_expires_in", &self.access_expires_in)
            .field("refresh_token", &REDACTED)
            .field("refresh_expires_in", &self.refresh_expires_in)
            .field("user_id", &self.user_id)
            .field("device_id", &self.device_id)
            .finish()
    }
}

impl std::fmt::Debug for DeleteAccountRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeleteAccountRequest")
            .field("password", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for ChangePasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePasswordRequest")
            .field("current_password", &REDACTED)
            .field("new_password", &REDACTED)
            .finish()
    }
}

/// The master key wrapped on a device (a `syncer-crypto` key bundle). Opaque to the server.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KeyBundleBody {
    /// 16 hex digits.
    #[schema(pattern = r"^[0-9a-f]{16}$")]
    pub key_id: String,
    #[schema(value_type = Object)]
    pub bundle: serde_json::Value,
}

/// A record write: the sealed bytes and the version they replace (0: a new record).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordUpload {
    /// The version this write replaces: 0 for a new record, at most 2^53 − 1.
    #[schema(minimum = 0, maximum = 9007199254740991_i64)]
    pub base_version: i64,
    /// The account's key id, 16 hex digits.
    #[schema(pattern = r"^[0-9a-f]{16}$")]
    pub key_id: String,
    /// SHA-256 of the sealed bytes, hex.
    #[schema(pattern = r"^[0-9a-fA-F]{64}$")]
    pub checksum: String,
    /// The sealed record, base64.
    #[schema(pattern = r"^[A-Za-z0-9+/]*={0,2}$")]
    pub ciphertext: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchUploadItem {
    #[schema(pattern = r"^[A-Za-z0-9_-]{1,64}$")]
    pub collection: String,
    #[schema(pattern = r"^[A-Za-z0-9_.:-]{1,128}$")]
    pub record_id: String,
    #[serde(flatten)]
    pub upload: RecordUpload,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchUpload {
    /// At most the server's batch size (500 by default).
    #[schema(max_items = 500)]
    pub records: Vec<BatchUploadItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WriteStatus {
    Stored,
    Conflict,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WriteResult {
    pub collection: String,
    pub record_id: String,
    pub status: WriteStatus,
    /// The record's version now: the new one when stored, the server's when in conflict.
    pub version: i64,
    pub seq: Option<i64>,
    pub conflict_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchResult {
    pub results: Vec<WriteResult>,
}

/// A stored record. `deleted` records carry no ciphertext.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Record {
    pub collection: String,
    pub record_id: String,
    pub version: i64,
    /// Its place in the account's change feed.
    pub seq: i64,
    pub key_id: String,
    pub checksum: String,
    pub ciphertext: Option<String>,
    /// The device that wrote this version (bound into the ciphertext).
    pub device_id: String,
    pub deleted: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangesPage {
    pub changes: Vec<Record>,
    /// Pass as `since` for the next page (or the next sync).
    pub cursor: i64,
    pub has_more: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Conflict {
    pub id: String,
    pub collection: String,
    pub record_id: String,
    /// The version the refused write replaced.
    pub base_version: i64,
    /// The server's version when the write was refused.
    pub server_version: i64,
    /// The refused write, still sealed (for version `base_version + 1`, by `device_id`).
    pub local: RefusedWrite,
    /// The record as it is now on the server.
    pub remote: Option<Record>,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub resolution: Option<Resolution>,
    pub resolved_by: Option<String>,
    pub result_version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefusedWrite {
    pub device_id: String,
    pub key_id: String,
    pub checksum: String,
    /// Base64; absent for a refused deletion.
    pub ciphertext: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The refused write is stored over the server's version (`record` required).
    LocalWins,
    /// The server's version stays; the refused write is dropped.
    RemoteWins,
    /// A merge of both is stored (`record` required).
    Merged,
    /// The user edited a new version by hand (`record` required).
    Manual,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LocalWins => "local_wins",
            Self::RemoteWins => "remote_wins",
            Self::Merged => "merged",
            Self::Manual => "manual",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "local_wins" => Self::LocalWins,
            "remote_wins" => Self::RemoteWins,
            "merged" => Self::Merged,
            "manual" => Self::Manual,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResolveRequest {
    pub resolution: Resolution,
    /// The version to store, sealed for the record's current version + 1; its
    /// `base_version` must be the server's current version.
    pub record: Option<RecordUpload>,
    /// Instead of a record: the resolution deletes the record (a deletion that won).
    #[serde(default)]
    pub delete: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Resolved {
    pub conflict_id: String,
    pub resolution: Resolution,
    /// The record's version after the resolution.
    pub version: i64,
}

/// Everything the server holds for the account, still encrypted (GDPR export).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Export {
    pub format: String,
    pub exported_at: i64,
    pub user_id: String,
    pub email: String,
    pub key_id: Option<String>,
    /// The wrapped master key; null before a sync passphrase is set, or after the cloud data
    /// was deleted.
    #[schema(value_type = Option<Object>)]
    pub key_bundle: Option<serde_json::Value>,
    pub devices: Vec<Device>,
    pub records: Vec<Record>,
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub backend: Option<String>,
}

/// A live event of `GET /v1/events`, as its SSE frame carries it: the kind is the frame's
/// `event:` name, the fields are its `data:` (JSON), and the frame's `id:` is the user's
/// change number at the event, a cursor a device resumes from with `Last-Event-ID`.
/// Events wake devices up; what changed is always read through `GET /v1/changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LiveEvent {
    /// Records of `collection` changed; `cursor` is the change number of the last of them.
    RecordChanged {
        collection: String,
        cursor: i64,
        /// The device that wrote them (a device may skip pulling its own writes).
        device_id: String,
    },
    /// A write was refused as stale and kept as conflict `conflict_id`.
    Conflict {
        conflict_id: String,
        collection: String,
        record_id: String,
        device_id: String,
    },
    /// A device joined the account.
    DeviceEnrolled { device_id: String, name: String },
    /// A device was signed out for good; its own stream closes after this event.
    DeviceRevoked { device_id: String },
    /// The device missed more than the server can replay (it was away too long, or too much
    /// happened): pull everything after its cursor instead of waiting for events.
    SyncRequired { reason: String },
}

impl LiveEvent {
    /// The SSE event name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RecordChanged { .. } => "record_changed",
            Self::Conflict { .. } => "conflict",
            Self::DeviceEnrolled { .. } => "device_enrolled",
            Self::DeviceRevoked { .. } => "device_revoked",
            Self::SyncRequired { .. } => "sync_required",
        }
    }

    /// The SSE data: the fields as a JSON object, without the kind.
    pub fn data_json(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(fields) = value.as_object_mut() {
            fields.remove("kind");
        }
        value.to_string()
    }

    /// Reads an SSE frame's name and data; `None` for a kind this version does not know
    /// (newer servers may add kinds: a device ignores them).
    pub fn parse(kind: &str, data: &str) -> Option<Self> {
        let mut value: serde_json::Value = serde_json::from_str(data).ok()?;
        value.as_object_mut()?.insert(
            "kind".to_owned(),
            serde_json::Value::String(kind.to_owned()),
        );
        serde_json::from_value(value).ok()
    }

    /// Whether a device should pull changes when this arrives.
    pub fn wants_pull(&self) -> bool {
        matches!(
            self,
            Self::RecordChanged { .. } | Self::Conflict { .. } | Self::SyncRequired { .. }
        )
    }
}

// ---- enrollment and devices

/// Start an enrollment: the master key wrapped on this device under a secret that stays in
/// the QR code (a `syncer-crypto` enrollment wrap, opaque to the server).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateEnrollmentRequest {
    /// The key id the wrap holds: it must be the account's.
    #[schema(pattern = r"^[0-9a-f]{16}$")]
    pub key_id: String,
    #[schema(value_type = Object)]
    pub wrapped_key: serde_json::Value,
}

/// A new enrollment. `token` is single use and is shown only here.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrollmentCreated {
    pub id: String,
    /// `sce_…`: the credential the new device presents (it goes into the QR code).
    pub token: String,
    /// Unix milliseconds.
    pub expires_at: i64,
    /// Seconds from now.
    pub expires_in: i64,
}

/// What a device about to join is shown: whose account, from which device, until when.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrollmentInfo {
    pub email: String,
    /// The name of the device that made the code.
    pub created_by_device: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What a joining device says of itself.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CompleteEnrollmentRequest {
    /// A name for the device list ("phone"): 1 to 100 characters.
    #[schema(max_length = 100, pattern = r"^\s*[^\s\x85\x00][^\x00]*$")]
    pub device_name: String,
    #[serde(flatten, default)]
    pub details: DeviceDetails,
}

/// A completed enrollment: the new device's session, where to read its instructions, and the
/// master key still wrapped (the QR code's secret opens it on the device).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Enrolled {
    pub session: Session,
    pub email: String,
    pub key_id: String,
    #[schema(value_type = Object)]
    pub wrapped_key: serde_json::Value,
    /// The absolute URL of `GET /v1/instructions`.
    pub instructions_url: String,
}

/// How a device should sync with this server.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncSettings {
    /// Records per upload batch and per page of changes.
    pub batch_size: i64,
    /// Request and response bodies may be compressed with this (`gzip`).
    pub compression: String,
    /// Seconds between syncs when nothing wakes the device.
    pub interval_secs: i64,
}

/// The app instructions: where the server is and how to sync with it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppInstructions {
    pub server_url: String,
    pub device_id: String,
    pub enrolled_by: String,
    pub sync: SyncSettings,
}

/// The account's devices (revoked ones are gone from the list).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeviceList {
    /// The device that asked.
    pub device_id: String,
    pub devices: Vec<Device>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RenameDeviceRequest {
    /// 1 to 100 characters, not only spaces.
    #[schema(max_length = 100, pattern = r"^\s*[^\s\x85\x00][^\x00]*$")]
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let secret = "hunter2-very-secret";
        let printed = [
            format!(
                "{:?}",
                RegisterRequest {
                    email: "a@b.org".into(),
                    password: secret.into(),
                    device_name: "laptop".into(),
                    details: DeviceDetails::default(),
                }
            ),
            format!(
                "{:?}",
                LoginRequest {
                    email: "a@b.org".into(),
                    password: secret.into(),
                    device_name: "laptop".into(),
                    details: DeviceDetails::default(),
                }
            ),
            format!(
                "{:?}",
                RefreshRequest {
                    refresh_token: secret.into()
                }
            ),
            format!(
                "{:?}",
                Session {
                    access_token: secret.into(),
                    access_expires_in: 1,
                    refresh_token: secret.into(),
                    refresh_expires_in: 1,
                    user_id: "u".into(),
                    device_id: "d".into(),
                }
            ),
            format!(
                "{:?}",
                DeleteAccountRequest {
                    password: secret.into()
                }
            ),
            format!(
                "{:?}",
                ChangePasswordRequest {
                    current_password: secret.into(),
                    new_password: secret.into(),
                }
            ),
        ];
        for p in printed {
            assert!(!p.contains(secret), "{p}");
            assert!(p.contains("[redacted]"), "{p}");
        }
    }

    #[test]
    fn frames_round_trip_and_pin_the_wire_names() {
        let event = LiveEvent::RecordChanged {
            collection: "bases".to_owned(),
            cursor: 42,
            device_id: "d1".to_owned(),
        };
        assert_eq!(event.kind(), "record_changed");
        assert_eq!(
            event.data_json(),
            r#"{"collection":"bases","cursor":42,"device_id":"d1"}"#
        );
        assert_eq!(
            LiveEvent::parse(event.kind(), &event.data_json()),
            Some(event)
        );
        let sync = LiveEvent::SyncRequired {
            reason: "too_far_behind".to_owned(),
        };
        assert_eq!(sync.data_json(), r#"{"reason":"too_far_behind"}"#);
        assert_eq!(LiveEvent::parse("something_new", "{}"), None);
    }
}
