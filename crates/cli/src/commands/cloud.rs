//! `syncer cloud …`: the optional account that carries this setup to the user's other devices,
//! end-to-end encrypted (crates/cloud-client does the work; this file asks and prints).

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;

use anyhow::Context as _;
use serde_json::json;
use syncer_cloud_client::{
    Choice, CloudDevice, CloudDeviceInfo, CloudErrorKind, ConflictView, LiveEvent, NewDeviceInfo,
    Passphrase, PassphraseOutcome, RECOVERY_WARNING, Resolution, WatchUpdate,
};

use super::output;
use crate::app::App;
use crate::cli::{CloudCommand, DevicesAction, ResolveChoice};
use crate::exit::{CliError, FAILURE, OK};
use crate::render::count;

/// The account password, when not typed (scripts, tests).
pub const PASSWORD_ENV: &str = "SYNCER_CLOUD_PASSWORD";
/// The new account password for `syncer cloud password`, when not typed.
pub const NEW_PASSWORD_ENV: &str = "SYNCER_CLOUD_NEW_PASSWORD";
/// The sync passphrase, when not typed.
pub const PASSPHRASE_ENV: &str = "SYNCER_CLOUD_PASSPHRASE";
/// The recovery code, when not typed.
pub const RECOVERY_ENV: &str = "SYNCER_CLOUD_RECOVERY_CODE";

async fn device(app: &App) -> anyhow::Result<std::sync::Arc<CloudDevice>> {
    Ok(app.cloud().await?)
}

/// A secret from its environment variable, or a line typed on stdin after `prompt`.
fn secret(env: &str, prompt: &str) -> anyhow::Result<String> {
    if let Ok(value) = std::env::var(env)
        && !value.is_empty()
    {
        return Ok(value);
    }
    eprint!("{prompt} (or set {env}): ");
    std::io::stderr().flush().ok();
    // Typed secrets are not echoed: the terminal's echo is off while the line is read.
    let hide = cfg!(unix) && std::io::stdin().is_terminal();
    let stty = |arg: &str| {
        let _ = std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status();
    };
    if hide {
        stty("-echo");
    }
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if hide {
        stty("echo");
        eprintln!();
    }
    read.context("could not read from the terminal")?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    if line.is_empty() {
        return Err(CliError::new(
            crate::exit::USAGE,
            format!("nothing entered; set {env} or type it"),
        )
        .into());
    }
    Ok(line)
}

pub async fn run(app: &App, command: CloudCommand) -> anyhow::Result<u8> {
    let cloud = device(app).await?;
    match command {
        CloudCommand::Signup { server, email } => {
            let server = server.unwrap_or_else(|| app.config().cloud_url.clone());
            let password = secret(PASSWORD_ENV, "choose an account password (10+ characters)")?;
            let status = cloud.sign_up(&server, &email, &password).await?;
            output(app, &status, || {
                format!(
                    "account created on {server} and this device signed in.\n\
                     Next: set your sync passphrase with `syncer cloud passphrase`.\n"
                )
            });
        }
        CloudCommand::Login { server, email } => {
            let server = server.unwrap_or_else(|| app.config().cloud_url.clone());
            let password = secret(PASSWORD_ENV, "account password")?;
            let status = cloud.sign_in(&server, &email, &password).await?;
            output(app, &status, || {
                format!(
                    "signed in to {server}.\nNext: enter your sync passphrase with `syncer cloud \
                     passphrase`, then `syncer cloud sync`.\n"
                )
            });
        }
        CloudCommand::Logout => {
            cloud.sign_out().await?;
            output(app, &json!({"signed_out": true}), || {
                "signed out; this device's setup stays as it is\n".to_owned()
            });
        }
        CloudCommand::Status => {
            let status = cloud.status().await?;
            output(app, &status, || {
                if status.server_url.is_none() {
                    return "not signed in to a Syncer cloud (`syncer cloud signup` or `syncer cloud login`)\n".to_owned();
                }
                let last = status.last_sync_at.map_or_else(
                    || "never".to_owned(),
                    |t| format!("{} s ago", (now_ms() - t) / 1000),
                );
                format!(
                    "server:     {}\naccount:    {}\ndevice:     {}\nsigned in:  {}\nkey:        {}{}\n\
                     records:    {} in step, cursor {}\nlast sync:  {last}\nconflicts:  {}\n",
                    status.server_url.as_deref().unwrap_or(""),
                    status.email.as_deref().unwrap_or(""),
                    status.device_id.as_deref().unwrap_or(""),
                    if status.signed_in {
                        "yes"
                    } else {
                        "no (sign in again)"
                    },
                    status.key_id.as_deref().unwrap_or("none yet"),
                    if status.unlocked {
                        " (unlocked)"
                    } else {
                        " (locked: `syncer cloud passphrase`)"
                    },
                    status.records,
                    status.cursor,
                    status.open_conflicts,
                )
            });
        }
        CloudCommand::Passphrase { recover, change } => {
            if recover {
                let code = secret(RECOVERY_ENV, "your recovery code (the words, in order)")?;
                let new = secret(PASSPHRASE_ENV, "choose a new sync passphrase")?;
                let key_id = cloud.recover(&code, &Passphrase::new(new)).await?;
                output(app, &json!({"recovered": true, "key_id": key_id}), || {
                    "key recovered and the new passphrase set; other devices need the new one\n"
                        .to_owned()
                });
            } else if change {
                let new = secret(PASSPHRASE_ENV, "new sync passphrase")?;
                cloud.change_passphrase(&Passphrase::new(new)).await?;
                output(app, &json!({"changed": true}), || {
                    "passphrase changed; other devices stay unlocked, new ones need the new one\n"
                        .to_owned()
                });
            } else {
                let pass = secret(PASSPHRASE_ENV, "sync passphrase")?;
                let outcome = cloud.enter_passphrase(&Passphrase::new(pass)).await?;
                let warning = RECOVERY_WARNING;
                output(
                    app,
                    &json!({"result": outcome, "warning": warning}),
                    || match &outcome {
                        PassphraseOutcome::Created {
                            recovery_code,
                            key_id,
                        } => format!(
                            "sync key {key_id} created.\n\nRecovery code:\n\n    {recovery_code}\n\n\
                         {warning}\n\nNext: `syncer cloud sync`.\n"
                        ),
                        PassphraseOutcome::Unlocked { key_id } => {
                            format!(
                                "unlocked key {key_id} on this device. Next: `syncer cloud sync`.\n"
                            )
                        }
                    },
                );
            }
        }
        CloudCommand::Watch => return watch(app, &cloud).await,
        CloudCommand::Sync => {
            let report = cloud.sync().await?;
            output(app, &report, || {
                let mut text = format!(
                    "synced: {} in ({} applied, {} removed), {} out ({} deleted)\n",
                    count(report.pulled, "change", "changes"),
                    report.applied,
                    report.removed,
                    report.pushed,
                    report.deleted
                );
                if report.open_conflicts > 0 {
                    text.push_str(&format!(
                        "{} a choice: `syncer cloud conflicts`\n",
                        count(report.open_conflicts, "conflict needs", "conflicts need")
                    ));
                }
                text
            });
        }
        CloudCommand::Conflicts { all } => {
            let list = cloud.conflicts(all).await?;
            output(app, &list, || render_conflicts(&list));
        }
        CloudCommand::Resolve { conflict, choice } => {
            let choice = match choice.choice() {
                (Resolution::LocalWins, _) => Choice::Local,
                (Resolution::RemoteWins, _) => Choice::Remote,
                (resolution, Some(path)) => {
                    let value = read_json(&path)?;
                    if resolution == Resolution::Manual {
                        Choice::Manual(value)
                    } else {
                        Choice::Merged(value)
                    }
                }
                (_, None) => {
                    return Err(CliError::new(
                        crate::exit::USAGE,
                        "give the merged version's file",
                    )
                    .into());
                }
            };
            let report = cloud.resolve(&conflict, choice).await?;
            output(app, &report, || {
                format!(
                    "conflict {} resolved ({}); the record is at version {}\n",
                    report.conflict_id,
                    report.resolution.as_str(),
                    report.version
                )
            });
        }
        CloudCommand::Delete { account, yes } => {
            let what = if account {
                "your cloud account and everything stored in it"
            } else {
                "everything stored in your cloud account (the account stays)"
            };
            if !yes {
                eprint!(
                    "This deletes {what}. This device's setup stays. Type 'delete' to confirm: "
                );
                std::io::stderr().flush().ok();
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).ok();
                if line.trim() != "delete" {
                    return Err(CliError::new(FAILURE, "not confirmed; nothing was deleted").into());
                }
            }
            if account {
                let password = secret(PASSWORD_ENV, "account password, to confirm")?;
                cloud.delete_account(&password).await?;
            } else {
                // Right after a password sign-in the server takes the token alone; otherwise
                // it asks for the password (a stolen token must not wipe the account).
                match cloud.delete_cloud_data().await {
                    Err(e) if e.kind() == CloudErrorKind::PasswordRequired => {
                        let password = secret(PASSWORD_ENV, "account password, to confirm")?;
                        cloud.delete_cloud_data_with_password(&password).await?;
                    }
                    done => done?,
                }
            }
            output(app, &json!({"deleted": true, "account": account}), || {
                format!("deleted {what}\n")
            });
        }
        CloudCommand::Password => {
            let current = secret(PASSWORD_ENV, "current account password")?;
            let new = secret(NEW_PASSWORD_ENV, "new account password")?;
            let ended = cloud.change_password(&current, &new).await?;
            output(
                app,
                &json!({"changed": true, "signed_out_sessions": ended}),
                || {
                    format!(
                        "password changed; {} ended (those devices sign in again with the new \
                         password)\n",
                        count(ended, "other sign-in", "other sign-ins")
                    )
                },
            );
        }
        CloudCommand::Export { output: path } => {
            let export = cloud.export().await?;
            let text = serde_json::to_string_pretty(&export)?;
            write_or_print(app, path, &text)?;
        }
        CloudCommand::Enroll { no_qr } => {
            let enrollment = cloud.create_enrollment().await?;
            output(app, &enrollment, || {
                let mut text = String::new();
                if !no_qr {
                    text.push_str(&qr_text(&enrollment.code));
                    text.push('\n');
                }
                text.push_str(&format!(
                    "Scan this on the new device, or paste the line below into \
                     `syncer cloud join` there:\n\n{}\n\n\
                     It works once and expires in {} min. Whoever holds it can join your account \
                     until then: show it only to the device you are adding.\n",
                    enrollment.code,
                    (enrollment.expires_in_secs + 59) / 60
                ));
                text
            });
        }
        CloudCommand::Join { code, name } => {
            let code = if code == "-" {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("could not read the code from standard input")?;
                line
            } else {
                code
            };
            let mut info = NewDeviceInfo::detect(env!("CARGO_PKG_VERSION"));
            info.name = name;
            let report = cloud.join_by_enrollment(&code, info).await?;
            output(app, &report, || {
                format!(
                    "joined {} (code from {}) as device {}; synced: {} in, {} applied.\n",
                    report.status.email.as_deref().unwrap_or("the account"),
                    report.created_by_device,
                    report.status.device_id.as_deref().unwrap_or("?"),
                    count(report.sync.pulled, "change", "changes"),
                    report.sync.applied,
                )
            });
        }
        CloudCommand::Devices { action } => match action.unwrap_or(DevicesAction::List) {
            DevicesAction::List => {
                let devices = cloud.devices().await?;
                output(app, &devices, || render_devices(&devices));
            }
            DevicesAction::Rename { id, name } => {
                let device = cloud.rename_device(&id, &name).await?;
                output(app, &device, || {
                    format!("device {} is now {:?}\n", device.id, device.name)
                });
            }
            DevicesAction::Revoke { id } => {
                let this = cloud.revoke_device(&id).await?;
                output(app, &json!({"revoked": id, "this_device": this}), || {
                    if this {
                        "this device was removed from the account and signed out; its setup \
                         stays\n"
                            .to_owned()
                    } else {
                        format!("device {id} was removed; its sign-in ended at once\n")
                    }
                });
            }
        },
    }
    Ok(OK)
}

/// The code as a QR code in the terminal: two rows of modules per line of text.
fn qr_text(code: &str) -> String {
    match qrcode::QrCode::new(code.as_bytes()) {
        // Swapped colours: terminals are mostly light text on dark, and scanners want dark
        // modules on a light ground.
        Ok(qr) => qr
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        // Only a code far longer than ours can fail; the text below still works.
        Err(e) => format!("(no QR code: {e})"),
    }
}

fn render_devices(devices: &[CloudDeviceInfo]) -> String {
    let mut out = String::new();
    for d in devices {
        let what: Vec<&str> = [&d.platform, &d.os_version, &d.model]
            .into_iter()
            .filter_map(|v| v.as_deref())
            .collect();
        out.push_str(&format!(
            "{} {}  {}{}\n    joined by {} {}, last seen {}{}{}\n",
            if d.current { "*" } else { " " },
            d.id,
            d.name,
            if d.current { " (this device)" } else { "" },
            d.enrolled_by,
            ago(d.created_at),
            ago(d.last_seen_at),
            if what.is_empty() {
                String::new()
            } else {
                format!(", {}", what.join(" "))
            },
            d.app_version
                .as_deref()
                .map_or_else(String::new, |v| format!(", Syncer {v}")),
        ));
    }
    out
}

fn ago(ms: i64) -> String {
    let secs = (now_ms() - ms).max(0) / 1000;
    match secs {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `syncer cloud watch`: the live events until Ctrl-C, or until the session ends (an error:
/// sign in again).
async fn watch(app: &App, cloud: &CloudDevice) -> anyhow::Result<u8> {
    let json = app.json;
    if !json {
        eprintln!("watching the cloud's live events; Ctrl-C ends");
    }
    let print = move |update: WatchUpdate| {
        if json {
            if let Ok(line) = serde_json::to_string(&update) {
                println!("{line}");
            }
            return;
        }
        let line = match update {
            WatchUpdate::Live => "live: connected, changes arrive as they are made".to_owned(),
            WatchUpdate::Event { id, event } => match event {
                LiveEvent::RecordChanged {
                    collection,
                    device_id,
                    ..
                } => format!("#{id} {collection} changed (device {device_id})"),
                LiveEvent::Conflict {
                    collection,
                    conflict_id,
                    ..
                } => format!(
                    "#{id} conflict {conflict_id} in {collection}: `syncer cloud conflicts`"
                ),
                LiveEvent::DeviceEnrolled { name, device_id } => {
                    format!("#{id} device {name:?} ({device_id}) joined")
                }
                LiveEvent::DeviceRevoked { device_id } => {
                    format!("#{id} device {device_id} was removed")
                }
                LiveEvent::SyncRequired { reason } => {
                    format!(
                        "#{id} sync required ({reason}): pulling everything after this device's cursor"
                    )
                }
            },
            WatchUpdate::Pulled { report } => format!(
                "pulled: {}, {} applied, {} removed; cursor {}",
                count(report.pulled, "change", "changes"),
                report.applied,
                report.removed,
                report.cursor
            ),
            WatchUpdate::PullFailed { error } => format!("pull failed: {error}"),
            WatchUpdate::Reconnecting { retry_in_ms, error } => {
                format!(
                    "reconnecting in {:.1} s ({error})",
                    retry_in_ms as f64 / 1000.0
                )
            }
        };
        println!("{line}");
    };
    tokio::select! {
        ended = cloud.watch(print) => {
            ended?;
            Ok(OK)
        }
        _ = tokio::signal::ctrl_c() => Ok(OK),
    }
}

fn read_json(path: &PathBuf) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::new(FAILURE, format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::new(
            crate::exit::USAGE,
            format!(
                "{} is not JSON ({e}); start from a version `syncer cloud conflicts --json` shows",
                path.display()
            ),
        )
        .into()
    })
}

fn write_or_print(app: &App, path: Option<PathBuf>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => {
            std::fs::write(&p, text).map_err(|e| {
                CliError::new(FAILURE, format!("cannot write {}: {e}", p.display()))
            })?;
            if !app.json {
                println!("exported to {} (still encrypted)", p.display());
            }
        }
        None => println!("{text}"),
    }
    Ok(())
}

fn render_conflicts(list: &[ConflictView]) -> String {
    if list.is_empty() {
        return "no conflicts\n".to_owned();
    }
    let mut out = String::new();
    for c in list {
        let show = |v: &Option<serde_json::Value>| {
            v.as_ref().map_or_else(
                || "(deleted)".to_owned(),
                |v| serde_json::to_string_pretty(v).unwrap_or_default(),
            )
        };
        out.push_str(&format!("conflict {} — {}\n", c.id, c.what));
        if let Some(resolution) = c.resolution {
            out.push_str(&format!("  resolved: {}\n", resolution.as_str()));
        }
        out.push_str(&format!(
            "  this device's version:\n{}\n",
            indent(&show(&c.local))
        ));
        out.push_str(&format!(
            "  the other version (server, v{}):\n{}\n",
            c.remote_version,
            indent(&show(&c.remote))
        ));
        if c.resolution.is_none() {
            out.push_str(&format!(
                "  choose: syncer cloud resolve {id} --local | --remote | --merged FILE | --manual FILE\n\n",
                id = c.id
            ));
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl ResolveChoice {
    fn choice(&self) -> (Resolution, Option<PathBuf>) {
        if self.local {
            (Resolution::LocalWins, None)
        } else if self.remote {
            (Resolution::RemoteWins, None)
        } else if let Some(p) = &self.merged {
            (Resolution::Merged, Some(p.clone()))
        } else {
            (Resolution::Manual, self.manual.clone())
        }
    }
}
