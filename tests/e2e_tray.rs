//! The light tray, end to end: closing the window (as a window manager's close button does)
//! destroys the webview, so WebKit's web and network processes go, while Syncer stays running
//! in the tray;
//! a second launch (what the tray's Open and a `syncer://` link also do) builds the window
//! again, on the page the closed one showed.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::*;

/// The pids of the app started with this data folder (its environment says so).
fn app_pids(data: &Path) -> Vec<u32> {
    let marker = format!("SYNCER_DATA_DIR={}", data.display());
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        if comm.trim() == "syncer-desktop"
            && environ
                .split(|b| *b == 0)
                .any(|var| var == marker.as_bytes())
        {
            pids.push(pid);
        }
    }
    pids
}

/// The names of the processes below `pid`, recursively.
fn descendants(pid: u32) -> Vec<String> {
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    let mut names = Vec::new();
    for child in children
        .split_whitespace()
        .filter_map(|c| c.parse::<u32>().ok())
    {
        names.push(
            std::fs::read_to_string(format!("/proc/{child}/comm"))
                .unwrap_or_default()
                .trim()
                .to_owned(),
        );
        names.extend(descendants(child));
    }
    names
}

fn has_web_process(pid: u32) -> bool {
    descendants(pid)
        .iter()
        .any(|n| n.starts_with("WebKitWebProces"))
}

fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let deadline = Instant::now() + LIMIT;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Asks the window to close as a window manager does (WM_DELETE_WINDOW).
fn close_window(driver: &Driver) {
    let session = driver.session_env();
    let ids = Command::new("xdotool")
        .args(["search", "--name", "^Syncer$"])
        .envs(&session)
        .output()
        .expect("run xdotool (package xdotool)");
    let ids = String::from_utf8_lossy(&ids.stdout).to_string();
    assert!(!ids.trim().is_empty(), "no Syncer window to close");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/close-window.py");
    for id in ids.split_whitespace() {
        let status = Command::new("python3")
            .arg(&script)
            .arg(id)
            .envs(&session)
            .status()
            .expect("run python3");
        assert!(status.success(), "close-window.py failed: {status}");
    }
}

/// The app log's lines that say `what` (e.g. "window shows a page", with the page).
fn log_lines(data: &Path, what: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(data.join("logs")).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        lines.extend(text.lines().filter(|l| l.contains(what)).map(str::to_owned));
    }
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_drops_the_webview_and_reopening_restores_the_page() {
    let data = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let driver = start_driver(
        "tray",
        &app_env(home.path(), data.path(), "e2e tray passphrase"),
    );
    let client = connect(&driver).await;
    wait_text(&client, "[data-testid=page-title]", |t| t == "Connections").await;
    goto(&client, "history", "History").await;

    let pids = app_pids(data.path());
    assert_eq!(pids.len(), 1, "one app process: {pids:?}");
    let app = pids[0];
    assert!(has_web_process(app), "the open window has its web process");

    // Closing the window ends its web process; the app stays, in the tray.
    close_window(&driver);
    wait_until("the web process is gone", || !has_web_process(app));
    // WebKit's network process, idle with no page, is ended a moment later.
    wait_until("the network process is gone", || {
        !descendants(app)
            .iter()
            .any(|n| n.starts_with("WebKitNetworkPr"))
    });
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        Path::new(&format!("/proc/{app}")).exists(),
        "closing the window must not quit Syncer"
    );

    wait_until("the window told the backend its page", || {
        log_lines(data.path(), "window shows a page")
            .last()
            .is_some_and(|l| l.contains("History"))
    });
    let shown_before = log_lines(data.path(), "window shows a page").len();

    // A second launch hands over to the running app, which builds the window again.
    let app_binary = std::env::var_os("SYNCER_E2E_APP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_syncer-desktop").into());
    let second = Command::new(app_binary)
        .envs(driver.session_env())
        .envs(&driver.env)
        .status()
        .expect("second launch");
    assert!(
        second.success(),
        "the second launch exits at once: {second}"
    );
    wait_until("the new window has a web process", || has_web_process(app));
    assert_eq!(app_pids(data.path()), vec![app], "still the one app");

    // The new window opens on History: the backend kept the page, the new window asked for
    // it before its first render, and now says it shows it.
    wait_until("the new window says which page it shows", || {
        log_lines(data.path(), "window shows a page").len() > shown_before
    });
    let shown = log_lines(data.path(), "window shows a page");
    assert!(
        shown[shown_before..].iter().all(|l| l.contains("History")),
        "the new window opened on another page: {:?}",
        &shown[shown_before..]
    );

    // The new webview is automation-controlled too when the driver lists it: then the page is
    // read from the window itself.
    // (WebKit's driver may not follow a webview built after the session began: bounded.)
    let seen = tokio::time::timeout(Duration::from_secs(20), async {
        for handle in client.windows().await.unwrap_or_default() {
            if client.switch_to_window(handle).await.is_ok()
                && let Ok(title) = client
                    .find(fantoccini::Locator::Css("[data-testid=page-title]"))
                    .await
            {
                return title.text().await.ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    eprintln!("the driver sees the new window's page as {seen:?}");
    if let Some(text) = seen {
        assert_eq!(text, "History", "the new window shows the page left");
    }
    drop(driver);
}
