//! A typed client for the server's HTTP API (`/openapi.json`): one method per endpoint,
//! the server's error shape turned into [`CloudError::Api`].

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use syncer_cloud::model::{
    AppInstructions, BatchResult, BatchUpload, ChangesPage, CompleteEnrollmentRequest, Conflict,
    CreateEnrollmentRequest, Device, DeviceList, Enrolled, EnrollmentCreated, EnrollmentInfo,
    ErrorBody, Export, KeyBundleBody, LoginRequest, Me, Record, RecordUpload, RefreshRequest,
    RegisterRequest, RenameDeviceRequest, ResolveRequest, Resolved, Session, WriteResult,
};

use crate::error::{CloudError, Result};

/// The HTTP side. Cheap to clone.
#[derive(Debug, Clone)]
pub struct CloudApi {
    base: String,
    http: reqwest::Client,
}

impl CloudApi {
    /// `base` is the server's root, e.g. `http://127.0.0.1:8787`.
    pub fn new(base: &str) -> Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let base = base.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(CloudError::Invalid(format!(
                "the cloud address {base:?} must start with https:// (or http:// for a local server)"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| CloudError::Invalid(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self { base, http })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| CloudError::Unreachable {
            url: self.base.clone(),
            cause: e.without_url().to_string(),
        })?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| CloudError::Unreachable {
                url: self.base.clone(),
                cause: e.without_url().to_string(),
            })?;
        if status.is_success() {
            let text: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(text).map_err(|e| CloudError::Api {
                status: status.as_u16(),
                code: "unexpected_response".to_owned(),
                message: format!("the server's answer is not what this version expects: {e}"),
                details: serde_json::Value::Null,
            });
        }
        Err(api_error(status, &bytes))
    }

    pub async fn register(&self, body: &RegisterRequest) -> Result<Session> {
        self.send(Method::POST, "/v1/auth/register", None, Some(body))
            .await
    }

    pub async fn login(&self, body: &LoginRequest) -> Result<Session> {
        self.send(Method::POST, "/v1/auth/login", None, Some(body))
            .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<Session> {
        let body = RefreshRequest {
            refresh_token: refresh_token.to_owned(),
        };
        self.send(Method::POST, "/v1/auth/refresh", None, Some(&body))
            .await
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        self.send::<serde_json::Value>(Method::POST, "/v1/auth/logout", Some(token), None::<&()>)
            .await
            .map(|_| ())
    }

    pub async fn me(&self, token: &str) -> Result<Me> {
        self.send(Method::GET, "/v1/me", Some(token), None::<&()>)
            .await
    }

    pub async fn delete_account(&self, token: &str, password: &str) -> Result<()> {
        let body = syncer_cloud::model::DeleteAccountRequest {
            password: password.to_owned(),
        };
        self.send::<serde_json::Value>(Method::DELETE, "/v1/account", Some(token), Some(&body))
            .await
            .map(|_| ())
    }

    pub async fn change_password(
        &self,
        token: &str,
        current: &str,
        new: &str,
    ) -> Result<syncer_cloud::model::PasswordChanged> {
        let body = syncer_cloud::model::ChangePasswordRequest {
            current_password: current.to_owned(),
            new_password: new.to_owned(),
        };
        self.send(
            Method::PUT,
            "/v1/account/password",
            Some(token),
            Some(&body),
        )
        .await
    }

    /// The account's key bundle; `None` when no passphrase was set yet.
    pub async fn get_key(&self, token: &str) -> Result<Option<KeyBundleBody>> {
        match self
            .send(Method::GET, "/v1/keys", Some(token), None::<&()>)
            .await
        {
            Ok(body) => Ok(Some(body)),
            Err(CloudError::Api { code, .. }) if code == "no_key" => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn put_key(&self, token: &str, body: &KeyBundleBody) -> Result<KeyBundleBody> {
        self.send(Method::PUT, "/v1/keys", Some(token), Some(body))
            .await
    }

    pub async fn put_record(
        &self,
        token: &str,
        collection: &str,
        record_id: &str,
        upload: &RecordUpload,
    ) -> Result<WriteResult> {
        self.send(
            Method::PUT,
            &format!("/v1/records/{collection}/{record_id}"),
            Some(token),
            Some(upload),
        )
        .await
    }

    pub async fn batch(&self, token: &str, body: &BatchUpload) -> Result<BatchResult> {
        self.send(Method::POST, "/v1/records/batch", Some(token), Some(body))
            .await
    }

    /// One record; `None` when the server has none.
    pub async fn get_record(
        &self,
        token: &str,
        collection: &str,
        record_id: &str,
    ) -> Result<Option<Record>> {
        match self
            .send(
                Method::GET,
                &format!("/v1/records/{collection}/{record_id}"),
                Some(token),
                None::<&()>,
            )
            .await
        {
            Ok(record) => Ok(Some(record)),
            Err(CloudError::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn delete_record(
        &self,
        token: &str,
        collection: &str,
        record_id: &str,
        base_version: i64,
    ) -> Result<WriteResult> {
        self.send(
            Method::DELETE,
            &format!("/v1/records/{collection}/{record_id}?base_version={base_version}"),
            Some(token),
            None::<&()>,
        )
        .await
    }

    pub async fn changes(&self, token: &str, since: i64, limit: i64) -> Result<ChangesPage> {
        self.send(
            Method::GET,
            &format!("/v1/changes?since={since}&limit={limit}"),
            Some(token),
            None::<&()>,
        )
        .await
    }

    pub async fn conflicts(&self, token: &str, include_resolved: bool) -> Result<Vec<Conflict>> {
        let state = if include_resolved { "all" } else { "open" };
        self.send(
            Method::GET,
            &format!("/v1/conflicts?state={state}"),
            Some(token),
            None::<&()>,
        )
        .await
    }

    pub async fn resolve(&self, token: &str, id: &str, body: &ResolveRequest) -> Result<Resolved> {
        self.send(
            Method::POST,
            &format!("/v1/conflicts/{id}/resolve"),
            Some(token),
            Some(body),
        )
        .await
    }

    /// Deletes all cloud data. The server asks for the password unless this session signed
    /// in with it moments ago (`password_required` otherwise).
    pub async fn delete_all_data(&self, token: &str, password: Option<&str>) -> Result<()> {
        let body = password.map(|p| serde_json::json!({ "password": p }));
        self.send::<serde_json::Value>(Method::DELETE, "/v1/records", Some(token), body.as_ref())
            .await
            .map(|_| ())
    }

    /// Opens the live event stream (`GET /v1/events`), resuming after `last_event_id`. The
    /// answer is the open stream; an error status is the API's error. No overall timeout
    /// (the stream stays open), but a read stalls out after a minute: the server sends a
    /// keep-alive every 15 s.
    pub async fn open_events(
        &self,
        token: &str,
        last_event_id: Option<i64>,
    ) -> Result<reqwest::Response> {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(20))
            .read_timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| CloudError::Invalid(format!("cannot build the HTTP client: {e}")))?;
        let mut request = http
            .get(format!("{}/v1/events", self.base))
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT, "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.map_err(|e| CloudError::Unreachable {
            url: self.base.clone(),
            cause: e.without_url().to_string(),
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.bytes().await.unwrap_or_default();
        Err(api_error(status, &body))
    }

    pub async fn export(&self, token: &str) -> Result<Export> {
        self.send(Method::GET, "/v1/export", Some(token), None::<&()>)
            .await
    }

    // ---- enrollment and devices

    pub async fn create_enrollment(
        &self,
        token: &str,
        body: &CreateEnrollmentRequest,
    ) -> Result<EnrollmentCreated> {
        self.send(Method::POST, "/v1/enrollments", Some(token), Some(body))
            .await
    }

    /// An enrollment by its token (no sign-in: the token is the credential).
    pub async fn get_enrollment(&self, enrollment_token: &str) -> Result<EnrollmentInfo> {
        self.send(
            Method::GET,
            &format!("/v1/enrollments/{}", path_segment(enrollment_token)),
            None,
            None::<&()>,
        )
        .await
    }

    pub async fn complete_enrollment(
        &self,
        enrollment_token: &str,
        body: &CompleteEnrollmentRequest,
    ) -> Result<Enrolled> {
        self.send(
            Method::POST,
            &format!(
                "/v1/enrollments/{}/complete",
                path_segment(enrollment_token)
            ),
            None,
            Some(body),
        )
        .await
    }

    pub async fn instructions(&self, token: &str) -> Result<AppInstructions> {
        self.send(Method::GET, "/v1/instructions", Some(token), None::<&()>)
            .await
    }

    pub async fn devices(&self, token: &str) -> Result<DeviceList> {
        self.send(Method::GET, "/v1/devices", Some(token), None::<&()>)
            .await
    }

    pub async fn rename_device(&self, token: &str, id: &str, name: &str) -> Result<Device> {
        let body = RenameDeviceRequest {
            name: name.to_owned(),
        };
        self.send(
            Method::PATCH,
            &format!("/v1/devices/{}", path_segment(id)),
            Some(token),
            Some(&body),
        )
        .await
    }

    pub async fn revoke_device(&self, token: &str, id: &str) -> Result<()> {
        self.send::<serde_json::Value>(
            Method::DELETE,
            &format!("/v1/devices/{}", path_segment(id)),
            Some(token),
            None::<&()>,
        )
        .await
        .map(|_| ())
    }
}

/// Tokens and ids are base64url or hex; anything else (a pasted typo) must not change the
/// path's shape.
fn path_segment(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

fn api_error(status: StatusCode, body: &[u8]) -> CloudError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => {
            if error.code == "wrong_key" {
                let get = |k: &str| {
                    error.details[k]
                        .as_str()
                        .map_or_else(|| "?".to_owned(), str::to_owned)
                };
                return CloudError::WrongKey {
                    expected: get("account_key_id"),
                    found: get("upload_key_id"),
                };
            }
            if error.code == "device_revoked" {
                return CloudError::DeviceRemoved;
            }
            if error.code == "refresh_reused" {
                return CloudError::SessionEnded {
                    reason: error.message,
                };
            }
            CloudError::Api {
                status: status.as_u16(),
                code: error.code,
                message: error.message,
                details: error.details,
            }
        }
        Err(_) => CloudError::Api {
            status: status.as_u16(),
            code: "http_error".to_owned(),
            message: format!(
                "HTTP {status} from something that is not a Syncer cloud: {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            ),
            details: serde_json::Value::Null,
        },
    }
}
