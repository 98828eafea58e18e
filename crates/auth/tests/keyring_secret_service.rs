//! The real OS keyring: a Secret Service on D-Bus (gnome-keyring). Where one is reachable the
//! test runs against it; otherwise it starts one itself, re-running this test inside
//! `dbus-run-session` with a fresh HOME and an unlocked gnome-keyring-daemon. It never skips:
//! without the tools it fails, saying what to install.

// Helpers outside #[test] functions unwrap too: a failed step should stop the test there.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use syncer_auth::vault::{KeyringVault, connection_key};
use syncer_auth::{Secret, Vault, VaultKind, VaultOptions, VaultPreference};

const TEST_NAME: &str = "secrets_live_in_the_real_secret_service";
/// Set in the re-run, so a Secret Service that still cannot be reached fails instead of
/// re-running forever.
const CHILD: &str = "SYNCER_KEYRING_TEST_CHILD";

#[test]
fn secrets_live_in_the_real_secret_service() {
    let reachable =
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() && KeyringVault::probe().is_ok();
    if reachable {
        return scenario();
    }
    if std::env::var_os(CHILD).is_some() {
        panic!(
            "started gnome-keyring-daemon inside dbus-run-session, but the Secret Service is \
             not reachable: {:?}",
            KeyringVault::probe().err()
        );
    }
    rerun_under_a_fresh_secret_service();
}

fn rerun_under_a_fresh_secret_service() {
    for tool in ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "{tool} is missing: install dbus, gnome-keyring and libsecret-tools \
             (apt-get install dbus gnome-keyring libsecret-tools); this test does not skip"
        );
    }
    let home = tempfile::tempdir().unwrap();
    let runtime = home.path().join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    // An empty password does not create the login collection (see shared TRIED.md); the
    // daemon exits with the session bus when dbus-run-session ends.
    let script = r#"set -eu
eval "$(printf '%s' "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)"
"$0" --exact "$1" --nocapture --test-threads=1
"#;
    let exe = std::env::current_exe().unwrap();
    let output = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .arg(&exe)
        .arg(TEST_NAME)
        .env("HOME", home.path())
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("KEYRING_PASSWORD", "syncer-test-keyring")
        .env(CHILD, "1")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("test result: ok. 1 passed"),
        "the run under a fresh Secret Service failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
}

fn secret_tool_lookup(key: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            syncer_store::APP_IDENTIFIER,
            "username",
            key,
        ])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn scenario() {
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("secrets.vault");
    // Auto picks the keyring when one answers and no encrypted file exists.
    let vault = Vault::open(&VaultOptions {
        preference: VaultPreference::Auto,
        file_path: file.clone(),
        passphrase: None,
    })
    .unwrap();
    assert_eq!(vault.kind(), &VaultKind::Keyring);
    assert!(vault.description().contains("system keyring"));
    assert!(
        !Path::new(&file).exists(),
        "no file when the keyring is used"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let key = format!("test:{}", std::process::id());
        vault.set(&key, &Secret::new("first value")).await.unwrap();
        vault.set(&key, &Secret::new("second value")).await.unwrap();
        assert_eq!(
            vault.get(&key).await.unwrap().unwrap().expose(),
            "second value"
        );
        // It is in the Secret Service itself, where other programs see it.
        assert_eq!(secret_tool_lookup(&key).as_deref(), Some("second value"));
        vault.delete(&key).await.unwrap();
        vault.delete(&key).await.unwrap();
        assert!(vault.get(&key).await.unwrap().is_none());
        assert_eq!(secret_tool_lookup(&key), None);

        // A whole sign-in stores one entry per connection under the app id, and removal
        // deletes it.
        let env = env_with(spotify_at, Some(vault.clone())).await;
        let info = env
            .connections
            .complete_oauth(&env.deep_link_callback().await)
            .await
            .unwrap();
        let entry = connection_key(&info.id);
        let stored = secret_tool_lookup(&entry).expect("the connection's entry");
        let access = env
            .connections
            .tokens(&info.id)
            .access_token()
            .await
            .unwrap();
        assert!(stored.contains(access.expose()));
        env.connections.test(&info.id).await.unwrap();
        env.connections
            .remove(&info.id, &syncer_auth::NoDependents, false)
            .await
            .unwrap();
        assert_eq!(secret_tool_lookup(&entry), None);
    });
}
