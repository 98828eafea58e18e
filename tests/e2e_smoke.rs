//! End-to-end smoke test: the real built app, in a real (virtual) display, driven through
//! tauri-driver and WebKitWebDriver exactly as a person would click it.
//!
//! Needs `xvfb-run`, `dbus-run-session`, `tauri-driver` and `WebKitWebDriver` (Debian's
//! `webkit2gtk-driver`); `make test` installs them. Screenshots land in
//! `<target>/tmp/e2e/`, named after the page they show.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Upper bound for the app to come up on a loaded machine; the test waits only as long as it
/// must, this just stops a broken build from hanging CI.
const STARTUP_LIMIT: Duration = Duration::from_secs(120);

/// tauri-driver, its WebKitWebDriver, and the virtual display, as one process group that is
/// killed when the test ends, passed or not.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn require(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        found,
        "`{tool}` is missing: run `make test` (it installs what the end-to-end test needs)"
    );
}

fn start_driver(data_dir: &Path, log: &Path) -> Driver {
    for tool in [
        "xvfb-run",
        "dbus-run-session",
        "tauri-driver",
        "WebKitWebDriver",
    ] {
        require(tool);
    }
    let port = free_port();
    let native_port = free_port();
    let log_file = std::fs::File::create(log).expect("driver log file");
    let mut command = Command::new("xvfb-run");
    command
        .args(["--auto-servernum", "--server-args=-screen 0 1280x800x24"])
        .args(["dbus-run-session", "--", "tauri-driver"])
        .args(["--port", &port.to_string()])
        .args(["--native-port", &native_port.to_string()])
        // The app keeps its database and logs in a throwaway folder, not the tester's own.
        .env("SYNCER_DATA_DIR", data_dir)
        .env("RUST_LOG", "syncer=debug")
        .stdout(log_file.try_clone().expect("log handle"))
        .stderr(log_file);
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let child = command.spawn().expect("start xvfb-run + tauri-driver");
    Driver { child, port }
}

async fn connect(driver: &Driver) -> Client {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_syncer-desktop"));
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app.display().to_string() }),
    );
    let url = format!("http://127.0.0.1:{}", driver.port);
    let deadline = Instant::now() + STARTUP_LIMIT;
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return client,
            Err(err) if Instant::now() < deadline => {
                eprintln!("waiting for tauri-driver: {err}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(err) => panic!("tauri-driver did not accept a session: {err}"),
        }
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .wait()
        .at_most(STARTUP_LIMIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
        .text()
        .await
        .expect("element text")
}

async fn wait_for_title(client: &Client, expected: &str) {
    let deadline = Instant::now() + STARTUP_LIMIT;
    loop {
        let title = text_of(client, "[data-testid=page-title]").await;
        if title == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "page title stayed {title:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn screenshot(client: &Client, dir: &Path, name: &str) {
    // Let the navigation's short colour transitions finish, so the picture shows the settled
    // page. Nothing is asserted on timing.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let png = client.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "the driver returned a PNG");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("screenshot: {}", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigation_renders_and_switches_pages() {
    let output = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e");
    std::fs::create_dir_all(&output).expect("output dir");
    let data = tempfile::tempdir().expect("data dir");
    let driver = start_driver(data.path(), &output.join("driver.log"));
    let client = connect(&driver).await;

    // The app opens on Connections, with every navigation entry present.
    wait_for_title(&client, "Connections").await;
    for page in ["connections", "playlists", "history", "settings"] {
        client
            .find(Locator::Css(&format!("[data-testid=nav-{page}]")))
            .await
            .unwrap_or_else(|e| panic!("navigation entry {page} missing: {e}"));
    }
    screenshot(&client, &output, "connections").await;

    for (page, title) in [
        ("playlists", "Playlists"),
        ("history", "History"),
        ("settings", "Settings"),
        ("connections", "Connections"),
    ] {
        client
            .find(Locator::Css(&format!("[data-testid=nav-{page}]")))
            .await
            .expect("nav entry")
            .click()
            .await
            .expect("click nav entry");
        wait_for_title(&client, title).await;
        let current = client
            .find(Locator::Css("nav [aria-current=page]"))
            .await
            .expect("one navigation entry marked current")
            .attr("data-testid")
            .await
            .expect("attribute");
        assert_eq!(current.as_deref(), Some(format!("nav-{page}").as_str()));
        let empty = text_of(&client, "[data-testid=empty-state]").await;
        assert!(
            !empty.trim().is_empty(),
            "{title} explains what will be there"
        );
        screenshot(&client, &output, page).await;
    }

    // Settings shows where this installation keeps its data: the throwaway folder the app was
    // started with, which proves the command reached the Rust side and the store opened there.
    client
        .find(Locator::Css("[data-testid=nav-settings]"))
        .await
        .expect("nav entry")
        .click()
        .await
        .expect("click settings");
    wait_for_title(&client, "Settings").await;
    let data_dir = data.path().display().to_string();
    let deadline = Instant::now() + STARTUP_LIMIT;
    loop {
        let body = text_of(&client, "body").await;
        if body.contains(&data_dir) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Settings never showed the data dir {data_dir}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        data.path().join("syncer.db").exists(),
        "the app created its database in SYNCER_DATA_DIR"
    );

    client.close().await.expect("close session");
    drop(driver);
}
