//! `syncer cloud …` end to end: two data folders (two devices) and one server on loopback,
//! on both backends.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use syncer_cloud::backend_tests;
use syncer_cloud::testing::{TestServer, test_settings};

fn syncer(dir: &Path, server: &str, passphrase: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syncer"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("RUST_LOG")
        .env("SYNCER_VAULT", "file")
        .env("SYNCER_VAULT_PASSPHRASE", "vault pass")
        .env("SYNCER_CLOUD_URL", server)
        .env("SYNCER_CLOUD_PASSWORD", "a long account password")
        .env("SYNCER_CLOUD_PASSPHRASE", passphrase)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

backend_tests!(
    two_devices_stay_in_step_through_the_cli,
    |backend| async move {
        let server = TestServer::start(backend, test_settings()).await.unwrap();
        let url = server.url();
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let pass = "our sync passphrase";
        let run = |dir: &Path, args: &[&str]| syncer(dir, &url, pass, args);

        let demo = ok(&run(a.path(), &["--json", "demo", "--tracks", "60"]));
        let base = demo["base"].as_str().unwrap().to_owned();
        ok(&run(
            a.path(),
            &["--json", "cloud", "signup", "--email", "cli@example.org"],
        ));
        let created = ok(&run(a.path(), &["--json", "cloud", "passphrase"]));
        assert_eq!(created["result"]["outcome"], "created");
        assert_eq!(
            created["result"]["recovery_code"]
                .as_str()
                .unwrap()
                .split(' ')
                .count(),
            18
        );
        assert!(
            created["warning"]
                .as_str()
                .unwrap()
                .contains("gone for good")
        );
        let pushed = ok(&run(a.path(), &["--json", "cloud", "sync"]));
        assert_eq!(
            pushed["pushed"], 7,
            "a connection, a base, five children: {pushed}"
        );

        ok(&run(
            b.path(),
            &["--json", "cloud", "login", "--email", "cli@example.org"],
        ));
        let unlocked = ok(&run(b.path(), &["--json", "cloud", "passphrase"]));
        assert_eq!(unlocked["result"]["outcome"], "unlocked");
        let pulled = ok(&run(b.path(), &["--json", "cloud", "sync"]));
        assert_eq!(pulled["applied"], 7, "{pulled}");
        let children = ok(&run(b.path(), &["--json", "child", "list", &base]));
        let on_a = ok(&run(a.path(), &["--json", "child", "list", &base]));
        assert_eq!(children.as_array().unwrap().len(), 5);
        assert_eq!(children, on_a);

        // Both edit the same child: a conflict, shown with both versions, then settled.
        let child = children[0]["id"].as_str().unwrap().to_owned();
        ok(&run(
            a.path(),
            &["child", "edit", &child, "--name", "Named on A"],
        ));
        ok(&run(
            b.path(),
            &["child", "edit", &child, "--name", "Named on B"],
        ));
        ok(&run(a.path(), &["--json", "cloud", "sync"]));
        let report = ok(&run(b.path(), &["--json", "cloud", "sync"]));
        assert_eq!(report["open_conflicts"], 1, "{report}");
        let text = run(b.path(), &["cloud", "sync"]);
        assert!(String::from_utf8_lossy(&text.stdout).contains("syncer cloud conflicts"));
        let conflicts = ok(&run(b.path(), &["--json", "cloud", "conflicts"]));
        assert_eq!(conflicts[0]["local"]["name"], "Named on B");
        assert_eq!(conflicts[0]["remote"]["name"], "Named on A");
        let human = String::from_utf8(run(b.path(), &["cloud", "conflicts"]).stdout).unwrap();
        assert!(
            human.contains("this device's version") && human.contains("--remote"),
            "{human}"
        );
        let id = conflicts[0]["id"].as_str().unwrap().to_owned();
        let resolved = ok(&run(
            b.path(),
            &["--json", "cloud", "resolve", &id, "--remote"],
        ));
        assert_eq!(resolved["resolution"], "remote_wins");
        let children = ok(&run(b.path(), &["--json", "child", "list", &base]));
        assert!(
            children
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["name"] == "Named on A"),
            "{children}"
        );

        // A third device with the wrong passphrase is told so, with its own exit code.
        ok(&run(
            c.path(),
            &["cloud", "login", "--email", "cli@example.org"],
        ));
        let wrong = syncer(
            c.path(),
            &url,
            "not our passphrase",
            &["cloud", "passphrase"],
        );
        assert_eq!(wrong.status.code(), Some(10));
        assert!(String::from_utf8_lossy(&wrong.stderr).contains("wrong passphrase"));
        let locked = run(c.path(), &["cloud", "sync"]);
        assert_eq!(locked.status.code(), Some(10));

        let status = ok(&run(a.path(), &["--json", "cloud", "status"]));
        assert_eq!(status["unlocked"], true);
        assert_eq!(status["email"], "cli@example.org");
        let file = a.path().join("export.json");
        ok(&run(
            a.path(),
            &["cloud", "export", "-o", file.to_str().unwrap()],
        ));
        let export: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(export["records"].as_array().unwrap().len(), 7);
        ok(&run(a.path(), &["cloud", "logout"]));
        let status = ok(&run(a.path(), &["--json", "cloud", "status"]));
        assert_eq!(status["signed_in"], false);
        server.finish().await;
    }
);

backend_tests!(
    a_new_password_signs_the_other_devices_out,
    |backend| async move {
        let server = TestServer::start(backend, test_settings()).await.unwrap();
        let url = server.url();
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let pass = "our sync passphrase";
        let run = |dir: &Path, args: &[&str]| syncer(dir, &url, pass, args);
        ok(&run(
            a.path(),
            &["--json", "cloud", "signup", "--email", "pw@example.org"],
        ));
        ok(&run(a.path(), &["--json", "cloud", "passphrase"]));
        ok(&run(
            b.path(),
            &["--json", "cloud", "login", "--email", "pw@example.org"],
        ));
        ok(&run(b.path(), &["--json", "cloud", "passphrase"]));
        ok(&run(b.path(), &["--json", "cloud", "sync"]));

        let changed = Command::new(env!("CARGO_BIN_EXE_syncer"))
            .arg("--data-dir")
            .arg(a.path())
            .args(["--json", "cloud", "password"])
            .env_remove("RUST_LOG")
            .env("SYNCER_VAULT", "file")
            .env("SYNCER_VAULT_PASSPHRASE", "vault pass")
            .env("SYNCER_CLOUD_URL", &url)
            .env("SYNCER_CLOUD_PASSWORD", "a long account password")
            .env("SYNCER_CLOUD_NEW_PASSWORD", "an even longer new password")
            .output()
            .unwrap();
        let changed = ok(&changed);
        assert_eq!(changed["signed_out_sessions"], 1, "{changed}");

        // This device carries on; the other one is told to sign in again.
        ok(&run(a.path(), &["--json", "cloud", "sync"]));
        let refused = run(b.path(), &["cloud", "sync"]);
        assert!(!refused.status.success());
        let said = String::from_utf8_lossy(&refused.stderr).to_lowercase();
        assert!(said.contains("sign in"), "{said}");
        server.finish().await;
    }
);

// `syncer cloud watch` stays connected and pulls another device's change as it is made; the
// test never runs `cloud sync` on the watching device.
backend_tests!(watch_pulls_as_changes_are_made, |backend| async move {
    use std::io::BufRead as _;
    use std::process::Stdio;
    use std::sync::mpsc;
    use std::time::Duration;

    let server = TestServer::start(backend, test_settings()).await.unwrap();
    let url = server.url();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let pass = "our sync passphrase";
    let run = |dir: &Path, args: &[&str]| syncer(dir, &url, pass, args);
    ok(&run(a.path(), &["--json", "demo", "--tracks", "20"]));
    ok(&run(
        a.path(),
        &["cloud", "signup", "--email", "w@example.org"],
    ));
    ok(&run(a.path(), &["cloud", "passphrase"]));
    ok(&run(
        b.path(),
        &["cloud", "login", "--email", "w@example.org"],
    ));
    ok(&run(b.path(), &["cloud", "passphrase"]));

    let mut watcher = Command::new(env!("CARGO_BIN_EXE_syncer"))
        .arg("--data-dir")
        .arg(b.path())
        .args(["--json", "cloud", "watch"])
        .env_remove("RUST_LOG")
        .env("SYNCER_VAULT", "file")
        .env("SYNCER_VAULT_PASSPHRASE", "vault pass")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, lines) = mpsc::channel::<Value>();
    let stdout = watcher.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Ok(value) = serde_json::from_str(&line) {
                let _ = tx.send(value);
            }
        }
    });
    let wait_for = |kind: &str| loop {
        let update = lines
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no {kind} from `syncer cloud watch` in time"));
        if update["kind"] == kind {
            return update;
        }
    };
    wait_for("live");
    ok(&run(a.path(), &["cloud", "sync"]));
    let mut applied = 0;
    while applied < 7 {
        let pulled = wait_for("pulled");
        applied += pulled["report"]["applied"].as_u64().unwrap();
    }
    let listed = ok(&run(b.path(), &["--json", "base", "list"]));
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    watcher.kill().unwrap();
    let _ = watcher.wait();
    server.finish().await;
});
fn syncer_with_stdin(dir: &Path, server: &str, args: &[&str], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_syncer"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("RUST_LOG")
        .env("SYNCER_VAULT", "file")
        .env("SYNCER_VAULT_PASSPHRASE", "vault pass")
        .env("SYNCER_CLOUD_URL", server)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

backend_tests!(
    a_device_joins_with_the_enroll_line_and_is_removed,
    |backend| async move {
        let server = TestServer::start(backend, test_settings()).await.unwrap();
        let url = server.url();
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let pass = "enroll sync passphrase";
        let run = |dir: &Path, args: &[&str]| syncer(dir, &url, pass, args);
        ok(&run(a.path(), &["--json", "demo", "--tracks", "30"]));
        ok(&run(
            a.path(),
            &["--json", "cloud", "signup", "--email", "enroll@example.org"],
        ));
        ok(&run(a.path(), &["--json", "cloud", "passphrase"]));
        ok(&run(a.path(), &["--json", "cloud", "sync"]));

        // The human output: a QR code drawn in the terminal, then the line to paste.
        let shown = run(a.path(), &["cloud", "enroll"]);
        ok(&shown);
        let text = String::from_utf8(shown.stdout).unwrap();
        assert!(text.contains('▀') || text.contains('▄'), "{text}");
        assert!(text.contains("expires in 10 min"), "{text}");
        let line = text
            .lines()
            .find(|l| l.starts_with("syncer-enroll:v1:"))
            .unwrap()
            .to_owned();

        // B joins with the line alone: no password, no passphrase in its environment.
        let joined = syncer(
            b.path(),
            &url,
            "",
            &["--json", "cloud", "join", &line, "--name", "phone"],
        );
        let joined = ok(&joined);
        assert_eq!(joined["status"]["email"], "enroll@example.org");
        assert_eq!(joined["status"]["unlocked"], true);
        assert!(joined["created_by_device"].is_string(), "{joined}");
        assert_eq!(joined["sync"]["applied"], 7, "{joined}");
        let bases = ok(&syncer(b.path(), &url, "", &["--json", "base", "list"]));
        assert_eq!(bases.as_array().unwrap().len(), 1, "{bases}");

        // The same line again: spent (exit 5, says to ask for a new code).
        let again = syncer(c.path(), &url, "", &["cloud", "join", &line]);
        assert_eq!(again.status.code(), Some(5));
        assert!(String::from_utf8_lossy(&again.stderr).contains("new code"));
        // Garbage: usage (2).
        let bad = syncer(c.path(), &url, "", &["cloud", "join", "not-a-code"]);
        assert_eq!(bad.status.code(), Some(2));

        // C joins with a code read from standard input.
        let fresh = ok(&run(a.path(), &["--json", "cloud", "enroll"]));
        let code = fresh["code"].as_str().unwrap();
        let piped = syncer_with_stdin(
            c.path(),
            &url,
            &["--json", "cloud", "join", "-", "--name", "tablet"],
            &format!("{code}\n"),
        );
        ok(&piped);

        // A lists three devices, renames and removes B.
        let devices = ok(&run(a.path(), &["--json", "cloud", "devices"]));
        let devices = devices.as_array().unwrap();
        assert_eq!(devices.len(), 3);
        let phone = devices.iter().find(|d| d["name"] == "phone").unwrap();
        assert_eq!(phone["enrolled_by"], "qr");
        assert_eq!(phone["platform"], std::env::consts::OS);
        // A signed up with its password and said what it is too: this CLI's version.
        let this = devices.iter().find(|d| d["current"] == true).unwrap();
        assert_eq!(this["enrolled_by"], "password");
        assert_eq!(this["platform"], std::env::consts::OS);
        assert_eq!(this["app_version"], env!("CARGO_PKG_VERSION"));
        let phone_id = phone["id"].as_str().unwrap().to_owned();
        let listed = run(a.path(), &["cloud", "devices", "list"]);
        assert!(
            String::from_utf8_lossy(&listed.stdout).contains("(this device)"),
            "{listed:?}"
        );
        let renamed = ok(&run(
            a.path(),
            &[
                "--json",
                "cloud",
                "devices",
                "rename",
                &phone_id,
                "old phone",
            ],
        ));
        assert_eq!(renamed["name"], "old phone");
        let revoked = ok(&run(
            a.path(),
            &["--json", "cloud", "devices", "revoke", &phone_id],
        ));
        assert_eq!(revoked["this_device"], false);
        let after = syncer(b.path(), &url, "", &["cloud", "sync"]);
        assert_eq!(after.status.code(), Some(10));
        assert!(
            String::from_utf8_lossy(&after.stderr).contains("removed"),
            "{}",
            String::from_utf8_lossy(&after.stderr)
        );
        let unknown = run(a.path(), &["cloud", "devices", "revoke", "nope"]);
        assert_eq!(unknown.status.code(), Some(1));
        let devices = ok(&run(a.path(), &["--json", "cloud", "devices"]));
        assert_eq!(devices.as_array().unwrap().len(), 2);
        server.finish().await;
    }
);
