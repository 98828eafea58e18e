//! The `syncer` binary: output, JSON, exit codes.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

fn syncer(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syncer"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn demo_routes_a_generated_library_and_explains_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = syncer(dir.path(), &["demo", "--tracks", "200"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "What went where",
        "Rock & Metal",
        "Cost:",
        "made 1 request(s)",
    ] {
        assert!(text.contains(needle), "{needle} missing in:\n{text}");
    }

    // The same, as JSON, run again on the same data folder (the demo replaces itself).
    let out = syncer(dir.path(), &["--json", "demo", "--tracks", "200"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    let children = v["children"].as_array().unwrap();
    assert_eq!(children.len(), 5);
    assert!(children.iter().any(|c| c["tracks"].as_u64().unwrap() > 0));
    assert_eq!(v["first_sync"]["status"], "completed");
    assert_eq!(v["second_sync"]["unchanged"], true);

    // Later commands see the demo's setup and history.
    let base = v["base"].as_str().unwrap().to_owned();
    let out = syncer(dir.path(), &["--json", "history", &base]);
    assert!(out.status.success());
    // Both demo runs, two syncs each (the history outlives the replaced setup).
    assert_eq!(json(&out).as_array().unwrap().len(), 4);
    let out = syncer(dir.path(), &["--json", "child", "list", &base]);
    assert_eq!(json(&out).as_array().unwrap().len(), 5);

    // A sync in a new process starts the stand-in again and converges.
    let out = syncer(dir.path(), &["--json", "sync", &base]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)[0]["status"], "completed");

    let out = syncer(dir.path(), &["--json", "preview", &base]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["children"].as_array().unwrap().len(), 5);

    let out = syncer(dir.path(), &["--json", "schedule", &base, "every 2h"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["schedule"]["kind"], "every");
    let out = syncer(dir.path(), &["schedule", &base, "sometimes"]);
    assert_eq!(out.status.code(), Some(2));

    let out = syncer(dir.path(), &["export"]);
    let v = json(&out);
    assert_eq!(v["format"], "syncer-export");
    assert_eq!(v["bases"][0]["children"].as_array().unwrap().len(), 5);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("token"));

    let out = syncer(dir.path(), &["delete-all-data", "--yes"]);
    assert!(out.status.success());
    let out = syncer(dir.path(), &["--json", "base", "list"]);
    assert_eq!(json(&out).as_array().unwrap().len(), 0);
}

#[test]
fn a_malformed_query_fails_with_the_column_and_exit_code_6() {
    let dir = tempfile::tempdir().unwrap();
    let out = syncer(
        dir.path(),
        &[
            "child",
            "add",
            "anybase",
            "--create",
            "X",
            "--query",
            "year:>=2010 gnre:rock",
        ],
    );
    assert_eq!(out.status.code(), Some(6));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("column 13"), "{err}");
    assert!(err.contains("genre"), "did-you-mean: {err}");

    let out = syncer(
        dir.path(),
        &[
            "--json", "child", "add", "b", "--create", "X", "--query", "year:>>",
        ],
    );
    assert_eq!(out.status.code(), Some(6));
    assert_eq!(json(&out)["exit_code"], 6);
}

#[test]
fn unknown_things_exit_5_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = syncer(dir.path(), &["sync", "nope"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("syncer base"));
    let out = syncer(dir.path(), &["undo", "nope"]);
    assert_eq!(out.status.code(), Some(5));
    let out = syncer(dir.path(), &["sync", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    let out = syncer(dir.path(), &["completions", "bash"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("syncer"));
}
