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
        "made 1 request and wrote nothing",
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
    let child = json(&out)[0]["id"].as_str().unwrap().to_owned();

    // A child's detail, read live, in words and as JSON; and "why not?" for one of its tracks.
    let out = syncer(dir.path(), &["--json", "child", "show", &child]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let detail = json(&out);
    let tracks = detail["tracks"].as_array().unwrap();
    assert_eq!(
        detail["counts"]["tracks"].as_u64().unwrap() as usize,
        tracks.len()
    );
    let out = syncer(dir.path(), &["child", "show", &child]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("added by hand") && text.contains("last sync"),
        "{text}"
    );
    if let Some(first) = tracks.first() {
        let id = first["track"]["id"].as_str().unwrap();
        let out = syncer(dir.path(), &["--json", "child", "why", &child, id]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(json(&out)["kind"], "in_child");
    }
    let out = syncer(
        dir.path(),
        &["child", "why", &child, "no track is called this"],
    );
    assert_eq!(out.status.code(), Some(5));

    // The demo lives on this computer: no service page, said plainly (exit 5), no URL.
    let out = syncer(dir.path(), &["link", &base]);
    assert_eq!(out.status.code(), Some(5));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the demo library has no page"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

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

/// Runs a command that must succeed and returns its JSON.
fn ok_json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = syncer(dir, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
}

fn child_ids(routing: &serde_json::Value) -> Vec<String> {
    routing["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn routing_mode_catch_all_and_child_order_are_set_per_base() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = ok_json(d, &["demo", "--tracks", "200"]);
    let base = demo["base"].as_str().unwrap().to_owned();

    // As the demo left it: independent, no catch-all, children in the order they were added.
    let shown = ok_json(d, &["base", "routing", &base]);
    assert_eq!(shown["mode"], "independent");
    assert!(shown["catch_all"].is_null());
    let before = child_ids(&shown);
    assert_eq!(before.len(), 5);
    let listed: Vec<String> = ok_json(d, &["child", "list", &base])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, before);

    let last = before[4].clone();
    let set = ok_json(
        d,
        &[
            "base",
            "routing",
            &base,
            "first-match",
            "--catch-all",
            &last,
        ],
    );
    assert_eq!(set["mode"], "first_match");
    assert_eq!(set["catch_all"], last.as_str());
    assert_eq!(set["children"][4]["catch_all"], true);

    // The last child first: the others keep their order after it.
    let moved = ok_json(d, &["child", "move", &last, "--position", "1"]);
    let after = child_ids(&moved);
    assert_eq!(after[0], last);
    assert_eq!(after[1..], before[..4]);
    assert_eq!(moved["mode"], "first_match", "moving keeps the mode");
    let listed = ok_json(d, &["child", "list", &base]);
    assert_eq!(listed[0]["id"], last.as_str());
    assert_eq!(listed[0]["position"], 1);

    // First match: every track goes to one child at most.
    let preview = ok_json(d, &["preview", &base]);
    let taken: u64 = preview["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(
        taken + preview["unrouted"].as_u64().unwrap(),
        preview["tracks"].as_u64().unwrap()
    );

    // Only the mode changes; the catch-all and the order stay, until cleared.
    let set = ok_json(d, &["base", "routing", &base, "independent"]);
    assert_eq!(set["catch_all"], last.as_str());
    assert_eq!(child_ids(&set), after);
    let set = ok_json(d, &["base", "routing", &base, "--no-catch-all"]);
    assert!(set["catch_all"].is_null());

    // Mistakes: documented exit codes.
    let code = |args: &[&str]| syncer(d, args).status.code();
    assert_eq!(code(&["base", "routing", "nope"]), Some(5));
    assert_eq!(
        code(&["base", "routing", &base, "--catch-all", "nope"]),
        Some(5)
    );
    assert_eq!(code(&["base", "routing", &base, "sideways"]), Some(2));
    assert_eq!(code(&["child", "move", "nope", "--position", "1"]), Some(5));
    assert_eq!(code(&["child", "move", &last, "--position", "6"]), Some(2));
    assert_eq!(code(&["child", "move", &last, "--position", "0"]), Some(2));
}

#[test]
fn undo_while_a_sync_of_the_base_runs_in_another_process_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = ok_json(d, &["demo", "--tracks", "200"]);
    let base = demo["base"].as_str().unwrap().to_owned();
    let events_before = ok_json(d, &["history", &base]).as_array().unwrap().len();
    // Another process syncs the base, slowly (every request of its stand-in takes 150 ms).
    let sync = Command::new(env!("CARGO_BIN_EXE_syncer"))
        .arg("--data-dir")
        .arg(d)
        .args(["--json", "sync", &base, "--force"])
        .env_remove("RUST_LOG")
        .env("SYNCER_DEMO_LATENCY_MS", "150")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let running = (0..400).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(25));
        ok_json(d, &["history", &base])[0]["status"] == "in_progress"
    });
    assert!(running, "the other process's sync started");
    let undo = syncer(d, &["undo", &base]);
    assert_eq!(
        undo.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&undo.stderr)
    );
    let message = String::from_utf8_lossy(&undo.stderr);
    assert!(message.contains("in progress"), "{message}");
    let done = sync.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "the sync was not disturbed: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let history = ok_json(d, &["history", &base]);
    let history = history.as_array().unwrap();
    assert_eq!(
        history.len(),
        events_before + 1,
        "no undo was recorded: {history:?}"
    );
    assert_eq!(history[0]["status"], "completed");
    assert_eq!(history[0]["undone"], false);
}

/// Writes a child's stored filter as the version that accepted a 42-deep query left it.
fn corrupt(dir: &std::path::Path, child: &str, filter_json: &str) {
    use sqlx::Connection as _;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", dir.join("syncer.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("UPDATE children SET filter_json = ? WHERE id = ?")
            .bind(filter_json)
            .bind(child)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
}

fn json_42_deep() -> String {
    let mut json = r#"{"rule":{"type":"list","field":"genre","quantifier":"any_of","op":{"contains":"rock"}}}"#.to_owned();
    for _ in 0..42 {
        json = format!(r#"{{"group":{{"mode":"all","children":[{json}]}}}}"#);
    }
    format!(r#"{{"schema_version":2,"root":{json}}}"#)
}

/// Issue 16: a stored filter nothing could read locked the user out of list, edit, remove,
/// preview, sync and export. Now the child is listed as broken, the setup stays usable, and
/// what needs the filter names the child and the fix.
#[test]
fn a_broken_child_is_listed_edited_removed_and_exported_and_named_by_preview() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = ok_json(d, &["demo", "--tracks", "200"]);
    let base = demo["base"].as_str().unwrap().to_owned();
    let ids: Vec<String> = ok_json(d, &["child", "list", &base])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let (deep, other) = (ids[1].clone(), ids[2].clone());
    corrupt(d, &deep, &json_42_deep());

    let bases = ok_json(d, &["base", "list"]);
    assert_eq!(bases[0]["children"], 5);
    assert_eq!(bases[0]["broken_children"][0]["id"], deep.as_str());
    let text = syncer(d, &["base", "list"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&format!("broken: {deep}")), "{text}");
    assert!(text.contains("syncer child edit"), "{text}");
    let listed = ok_json(d, &["child", "list", &base]);
    let reason = listed[1]["broken"].as_str().unwrap();
    assert!(reason.contains("16 nested groups"), "{reason}");
    assert!(listed[0]["broken"].is_null());

    for command in ["preview", "sync"] {
        let out = syncer(d, &[command, &base]);
        assert_eq!(out.status.code(), Some(6), "{command}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(&format!("child {deep}")), "{command}: {err}");
        assert!(
            err.contains(&format!("syncer child edit {deep}")),
            "{command}: {err}"
        );
    }

    let export = ok_json(d, &["export"]);
    let exported = &export["bases"][0]["children"][1];
    assert_eq!(exported["id"], deep.as_str());
    assert!(exported["query"].is_string());
    assert_eq!(exported["broken"]["stored_filter"], json_42_deep().as_str());

    // The way out the error suggests works: a new query, or removing the child.
    ok_json(d, &["child", "edit", &deep, "--query", "genre:rock"]);
    corrupt(d, &other, "{not json");
    assert_eq!(syncer(d, &["preview", &base]).status.code(), Some(6));
    ok_json(d, &["child", "remove", &other]);
    let preview = ok_json(d, &["preview", &base]);
    assert_eq!(preview["children"].as_array().unwrap().len(), 4);
}

/// Issue 16: refused values give the language's error with the column, before anything.
#[test]
fn ranges_and_limits_that_cannot_match_are_refused_with_the_column() {
    let dir = tempfile::tempdir().unwrap();
    for (query, column) in [
        ("year:5..1", 6),
        ("release:2020..2010", 9),
        ("popularity:101", 12),
        ("genre:rock | limit 0", 20),
        ("genre:rock | per_artist 0", 25),
    ] {
        let out = syncer(
            dir.path(),
            &["child", "add", "anybase", "--create", "X", "--query", query],
        );
        assert_eq!(out.status.code(), Some(6), "{query}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(&format!("column {column}")), "{query}: {err}");
    }
}
