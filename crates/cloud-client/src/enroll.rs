//! Adding a device by code (QR): a signed-in, unlocked device makes a code that carries the
//! server's address, a single-use token and a random secret; the new device presents the token
//! and opens the master key the server hands back with the secret, so no passphrase is typed.
//! The server sees the token's hash and the wrapped key, never the secret (docs/enrollment.md).
//!
//! The code is `syncer-enroll:v1:` and base64url (no padding) of `{"s":server,"t":token,
//! "k":secret}`: short keys keep the QR code small, the version lets the format change.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde::{Deserialize, Serialize};
use syncer_cloud::model::{
    AppInstructions, CompleteEnrollmentRequest, CreateEnrollmentRequest, Device, DeviceDetails,
};
use syncer_crypto::{EnrollmentSecret, EnrollmentWrap};
use zeroize::Zeroizing;

use crate::api::CloudApi;
use crate::device::{CloudDevice, CloudStatus};
use crate::error::{CloudError, Result};
use crate::machine::this_machine;
use crate::sync::SyncReport;

/// What starts every enrollment code.
pub const ENROLL_PREFIX: &str = "syncer-enroll:v1:";

/// An enrollment code, parsed. `Debug` shows only the server.
pub struct EnrollmentCode {
    pub server_url: String,
    pub token: Zeroizing<String>,
    pub secret: EnrollmentSecret,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    s: String,
    t: String,
    k: String,
}

impl EnrollmentCode {
    /// The text the QR code holds (and the user may paste instead).
    pub fn to_text(&self) -> Zeroizing<String> {
        let wire = Wire {
            s: self.server_url.clone(),
            t: self.token.to_string(),
            k: self.secret.to_text().to_string(),
        };
        // Three strings: serialising cannot fail.
        let json = Zeroizing::new(serde_json::to_vec(&wire).unwrap_or_default());
        Zeroizing::new(format!("{ENROLL_PREFIX}{}", B64URL.encode(json.as_slice())))
    }

    /// Reads a code, pasted or scanned: surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |reason: &str| CloudError::BadEnrollmentCode {
            reason: reason.to_owned(),
        };
        let text = text.trim();
        let Some(body) = text.strip_prefix(ENROLL_PREFIX) else {
            if let Some(rest) = text.strip_prefix("syncer-enroll:") {
                let version = rest.split(':').next().unwrap_or("");
                return Err(CloudError::BadEnrollmentCode {
                    reason: format!(
                        "it is format {version:?}, which this version of Syncer does not read; update Syncer"
                    ),
                });
            }
            return Err(bad("it does not start with `syncer-enroll:v1:`"));
        };
        let json = Zeroizing::new(
            B64URL
                .decode(body.trim())
                .map_err(|_| bad("it is cut short or altered"))?,
        );
        let wire: Wire =
            serde_json::from_slice(&json).map_err(|_| bad("it is cut short or altered"))?;
        let secret = EnrollmentSecret::parse(&wire.k).map_err(|_| bad("its secret is damaged"))?;
        if !wire.t.starts_with("sce_") {
            return Err(bad("its token is damaged"));
        }
        if !(wire.s.starts_with("https://") || wire.s.starts_with("http://")) {
            return Err(bad("its server address is not a web address"));
        }
        Ok(Self {
            server_url: wire.s,
            token: Zeroizing::new(wire.t),
            secret,
        })
    }
}

impl fmt::Debug for EnrollmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnrollmentCode")
            .field("server_url", &self.server_url)
            .field("token", &syncer_auth::REDACTED)
            .field("secret", &syncer_auth::REDACTED)
            .finish()
    }
}

/// A new enrollment to show: the code (a bearer credential until it expires or is used) and
/// when it expires. `Debug` leaves the code out.
#[derive(Clone, Serialize)]
pub struct Enrollment {
    /// The `syncer-enroll:v1:…` text the QR code holds.
    pub code: String,
    pub server_url: String,
    /// Unix milliseconds.
    pub expires_at: i64,
    pub expires_in_secs: i64,
}

impl fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enrollment")
            .field("code", &syncer_auth::REDACTED)
            .field("server_url", &self.server_url)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What a joining device says of itself; [`NewDeviceInfo::detect`] fills in this machine's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDeviceInfo {
    /// The name in the device list (default: the host name).
    pub name: Option<String>,
    pub platform: Option<String>,
    pub os_version: Option<String>,
    pub model: Option<String>,
    pub app_version: Option<String>,
}

impl NewDeviceInfo {
    /// This machine: its OS family, the OS's own name and version where it says, and the
    /// caller's version.
    pub fn detect(app_version: &str) -> Self {
        let machine = this_machine(Some(app_version.to_owned()));
        Self {
            name: None,
            platform: machine.platform,
            os_version: machine.os_version,
            model: machine.model,
            app_version: machine.app_version,
        }
    }
}

/// Who made a code, as the server tells a device about to join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrollmentPreview {
    pub server_url: String,
    pub email: String,
    pub created_by_device: String,
    pub expires_at: i64,
}

/// What joining did: the device is signed in and unlocked, and has synced once.
#[derive(Debug, Clone, Serialize)]
pub struct JoinReport {
    pub status: CloudStatus,
    pub created_by_device: String,
    pub sync: SyncReport,
    /// How often the server asks devices to sync, seconds.
    pub sync_interval_secs: i64,
}

/// The enrollment endpoints' refusals as the errors a person acts on.
fn enrollment_error(url: &str, err: CloudError) -> CloudError {
    match err {
        // A code whose maker signed out (or changed the password) is as dead as an expired
        // one, and the way out is the same: a new code.
        CloudError::Api { code, .. }
            if code == "enrollment_expired" || code == "enrollment_revoked" =>
        {
            CloudError::EnrollmentExpired
        }
        CloudError::Api { code, .. } if code == "enrollment_used" => CloudError::EnrollmentUsed,
        CloudError::Api { code, .. } if code == "enrollment_unknown" => {
            CloudError::EnrollmentUnknown
        }
        // Something answered, but not as a Syncer cloud with enrollment does.
        CloudError::Api { code, message, .. }
            if matches!(
                code.as_str(),
                "http_error" | "unexpected_response" | "not_found" | "method_not_allowed"
            ) =>
        {
            CloudError::WrongServer {
                url: url.to_owned(),
                cause: message,
            }
        }
        other => other,
    }
}

impl CloudDevice {
    /// Makes a code for a new device (this device must be signed in and unlocked). The code
    /// holds the secret that opens the master key: show it only to the person adding a device.
    pub async fn create_enrollment(&self) -> Result<Enrollment> {
        let _busy = self.lock().await;
        let master = self.master().await?;
        let mut ctx = self.ctx().await?;
        let secret = EnrollmentSecret::generate();
        let wrap = EnrollmentWrap::wrap(&master, &secret).map_err(CloudError::from_crypto)?;
        let body = CreateEnrollmentRequest {
            key_id: master.key_id().to_string(),
            wrapped_key: serde_json::from_str(&wrap.to_json())
                .map_err(|e| CloudError::Invalid(e.to_string()))?,
        };
        let created = self
            .authed(&mut ctx, |api, t| {
                let body = body.clone();
                async move { api.create_enrollment(&t, &body).await }
            })
            .await?;
        let code = EnrollmentCode {
            server_url: ctx.state.server_url.clone(),
            token: Zeroizing::new(created.token),
            secret,
        };
        tracing::info!(enrollment = %created.id, "enrollment code created");
        Ok(Enrollment {
            code: code.to_text().to_string(),
            server_url: code.server_url,
            expires_at: created.expires_at,
            expires_in_secs: created.expires_in,
        })
    }

    /// Whose code this is, before joining with it (nothing is spent).
    pub async fn preview_enrollment(&self, code: &str) -> Result<EnrollmentPreview> {
        let code = EnrollmentCode::parse(code)?;
        let api = CloudApi::new(&code.server_url)?;
        let info = api
            .get_enrollment(&code.token)
            .await
            .map_err(|e| enrollment_error(&code.server_url, e))?;
        Ok(EnrollmentPreview {
            server_url: code.server_url,
            email: info.email,
            created_by_device: info.created_by_device,
            expires_at: info.expires_at,
        })
    }

    /// Joins the account a code was made for, with the code alone: the device is created and
    /// signed in, the master key opened with the code's secret and kept as entering the
    /// passphrase would, and the account's setup pulled. A fresh device only: one signed in
    /// already is refused.
    pub async fn join_by_enrollment(&self, code: &str, info: NewDeviceInfo) -> Result<JoinReport> {
        let busy = self.lock().await;
        if let Some(status) = self.status_unlocked().await?
            && status.signed_in
        {
            return Err(CloudError::AlreadySignedIn {
                email: status.email.unwrap_or_default(),
            });
        }
        let code = EnrollmentCode::parse(code)?;
        let api = CloudApi::new(&code.server_url)?;
        let wrong = |e| enrollment_error(&code.server_url, e);
        let preview = api.get_enrollment(&code.token).await.map_err(wrong)?;
        let request = CompleteEnrollmentRequest {
            device_name: info
                .name
                .clone()
                .unwrap_or_else(|| self.device_name().to_owned()),
            details: DeviceDetails {
                platform: info.platform,
                os_version: info.os_version,
                model: info.model,
                app_version: info.app_version,
            },
        };
        let enrolled = api
            .complete_enrollment(&code.token, &request)
            .await
            .map_err(wrong)?;
        let opened = EnrollmentWrap::from_json(&enrolled.wrapped_key.to_string())
            .and_then(|wrap| wrap.unwrap(&code.secret))
            .map_err(CloudError::from_crypto)
            .and_then(|master| {
                if master.key_id().as_str() == enrolled.key_id {
                    Ok(master)
                } else {
                    Err(CloudError::Invalid(format!(
                        "the code opened key {}, but the account's key is {}; ask for a new code",
                        master.key_id(),
                        enrolled.key_id
                    )))
                }
            });
        let master = match opened {
            Ok(master) => master,
            Err(e) => {
                // The device exists on the server now but cannot sync: take it out again.
                let _ = api
                    .revoke_device(&enrolled.session.access_token, &enrolled.session.device_id)
                    .await;
                return Err(e);
            }
        };
        self.begin(api, &enrolled.email, enrolled.session).await?;
        let mut ctx = self.ctx().await?;
        self.keep_key(&mut ctx, &master).await?;
        let instructions: AppInstructions = self
            .authed(&mut ctx, |api, t| async move { api.instructions(&t).await })
            .await?;
        tracing::info!(device = %ctx.state.device_id, "joined the cloud account with a code");
        drop(busy);
        let sync = self.sync().await?;
        Ok(JoinReport {
            status: self.status().await?,
            created_by_device: preview.created_by_device,
            sync,
            sync_interval_secs: instructions.sync.interval_secs,
        })
    }

    /// The account's devices (`current` marks this one).
    pub async fn devices(&self) -> Result<Vec<Device>> {
        let _busy = self.lock().await;
        let mut ctx = self.ctx().await?;
        let list = self
            .authed(&mut ctx, |api, t| async move { api.devices(&t).await })
            .await?;
        Ok(list.devices)
    }

    pub async fn rename_device(&self, device_id: &str, name: &str) -> Result<Device> {
        let _busy = self.lock().await;
        let mut ctx = self.ctx().await?;
        let (id, name) = (device_id.to_owned(), name.to_owned());
        self.authed(&mut ctx, |api, t| {
            let (id, name) = (id.clone(), name.clone());
            async move { api.rename_device(&t, &id, &name).await }
        })
        .await
        .map_err(|e| not_found_device(e, device_id))
    }

    /// Removes a device from the account: its tokens stop working at once. Removing this
    /// device signs it out here too (its setup stays). Returns whether it was this device.
    pub async fn revoke_device(&self, device_id: &str) -> Result<bool> {
        let _busy = self.lock().await;
        let mut ctx = self.ctx().await?;
        let id = device_id.to_owned();
        self.authed(&mut ctx, |api, t| {
            let id = id.clone();
            async move { api.revoke_device(&t, &id).await }
        })
        .await
        .map_err(|e| not_found_device(e, device_id))?;
        let this = ctx.state.device_id == device_id;
        if this {
            self.forget().await?;
        }
        Ok(this)
    }
}

fn not_found_device(err: CloudError, id: &str) -> CloudError {
    match err {
        CloudError::Api { status: 404, .. } => CloudError::Invalid(format!(
            "no device {id} in this account; list them with `syncer cloud devices`"
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_round_trips_and_hides_its_secrets() {
        let code = EnrollmentCode {
            server_url: "https://sync.example.org".to_owned(),
            token: Zeroizing::new("sce_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".to_owned()),
            secret: EnrollmentSecret::from_bytes([7; 32]),
        };
        let text = code.to_text();
        assert!(text.starts_with("syncer-enroll:v1:"), "{}", text.as_str());
        assert!(text.len() < 250, "QR codes stay small: {}", text.len());
        let back = EnrollmentCode::parse(&format!("  {}\n", text.as_str())).unwrap();
        assert_eq!(back.server_url, code.server_url);
        assert_eq!(back.token.as_str(), code.token.as_str());
        assert_eq!(back.secret.to_text(), code.secret.to_text());
        let shown = format!("{back:?}");
        assert!(!shown.contains("sce_") && !shown.contains(back.secret.to_text().as_str()));
    }

    #[test]
    fn malformed_codes_say_what_is_wrong() {
        let reason = |text: &str| match EnrollmentCode::parse(text).unwrap_err() {
            CloudError::BadEnrollmentCode { reason } => reason,
            other => panic!("{other:?}"),
        };
        assert!(reason("hello").contains("syncer-enroll:v1:"));
        assert!(reason("syncer-enroll:v9:abc").contains("update Syncer"));
        assert!(reason("syncer-enroll:v1:!!!").contains("cut short"));
        let good = EnrollmentCode {
            server_url: "http://127.0.0.1:1".to_owned(),
            token: Zeroizing::new("sce_x".to_owned()),
            secret: EnrollmentSecret::generate(),
        }
        .to_text();
        assert!(reason(&good[..good.len() - 10]).contains("cut short"));
        let wire = |s: &str, t: &str, k: &str| {
            format!(
                "{ENROLL_PREFIX}{}",
                B64URL.encode(serde_json::json!({"s": s, "t": t, "k": k}).to_string())
            )
        };
        let k = EnrollmentSecret::generate().to_text().to_string();
        assert!(reason(&wire("ftp://x", "sce_x", &k)).contains("server address"));
        assert!(reason(&wire("http://x", "sca_x", &k)).contains("token"));
        assert!(reason(&wire("http://x", "sce_x", "short")).contains("secret"));
    }
}
