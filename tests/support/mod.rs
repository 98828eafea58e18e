//! The harness the end-to-end tests share: the real built app in a virtual display and its own
//! D-Bus session, driven through tauri-driver + WebKitWebDriver.
//!
//! Needs `xvfb-run`, `dbus-run-session`, `tauri-driver` and `WebKitWebDriver` (Debian's
//! `webkit2gtk-driver`); `make test` installs them. Screenshots land in `<target>/tmp/e2e/`.

#![allow(dead_code, clippy::unwrap_used)] // each test binary uses a part

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Upper bound for the app to come up or react on a loaded machine; tests wait only as long as
/// they must, this just stops a broken build from hanging CI.
pub const LIMIT: Duration = Duration::from_secs(120);

/// tauri-driver, its WebKitWebDriver, the D-Bus session and the virtual display, as one process
/// group that is killed when the test ends, passed or not.
pub struct Driver {
    child: Child,
    port: u16,
    session_file: PathBuf,
    pub env: HashMap<String, String>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// The display and session bus the app runs in, for commands that must reach it (xdg-open).
    pub fn session_env(&self) -> HashMap<String, String> {
        let deadline = Instant::now() + LIMIT;
        loop {
            if let Ok(text) = std::fs::read_to_string(&self.session_file) {
                let vars: HashMap<String, String> = text
                    .lines()
                    .filter_map(|l| l.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                if vars.contains_key("DISPLAY") && vars.contains_key("DBUS_SESSION_BUS_ADDRESS") {
                    return vars;
                }
            }
            assert!(Instant::now() < deadline, "the session never started");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

pub fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e");
    std::fs::create_dir_all(&dir).expect("output dir");
    dir
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
        "`{tool}` is missing: run `make test` (it installs what the end-to-end tests need)"
    );
}

/// The environment every end-to-end app runs in: a throwaway desktop profile at `home` (the
/// app registers syncer:// there at start, which must not land in the tester's own), its
/// database and logs in `data`, and secrets in the encrypted file opened with `passphrase`
/// (empty: the window asks for one).
pub fn app_env(home: &Path, data: &Path, passphrase: &str) -> Vec<(&'static str, String)> {
    vec![
        ("HOME", home.display().to_string()),
        (
            "XDG_DATA_HOME",
            home.join(".local/share").display().to_string(),
        ),
        (
            "XDG_CONFIG_HOME",
            home.join(".config").display().to_string(),
        ),
        ("SYNCER_DATA_DIR", data.display().to_string()),
        ("SYNCER_VAULT", "file".to_owned()),
        ("SYNCER_VAULT_PASSPHRASE", passphrase.to_owned()),
    ]
}

/// Starts the driver stack. `env` reaches the app (tauri-driver passes its environment on).
pub fn start_driver(name: &str, env: &[(&str, String)]) -> Driver {
    for tool in [
        "xvfb-run",
        "dbus-run-session",
        "tauri-driver",
        "WebKitWebDriver",
    ] {
        require(tool);
    }
    let out = output_dir();
    let port = free_port();
    let native_port = free_port();
    let session_file = out.join(format!("{name}.session"));
    let _ = std::fs::remove_file(&session_file);
    let log_file = std::fs::File::create(out.join(format!("{name}.driver.log"))).expect("log");
    let mut command = Command::new("xvfb-run");
    command
        .args(["--auto-servernum", "--server-args=-screen 0 1280x800x24"])
        .args(["dbus-run-session", "--", "sh", "-c"])
        .arg(format!(
            "printf 'DISPLAY=%s\\nXAUTHORITY=%s\\nDBUS_SESSION_BUS_ADDRESS=%s\\n' \
             \"$DISPLAY\" \"$XAUTHORITY\" \"$DBUS_SESSION_BUS_ADDRESS\" > '{}'; \
             exec tauri-driver --port {port} --native-port {native_port}",
            session_file.display()
        ))
        .env("RUST_LOG", "syncer=debug")
        .stdout(log_file.try_clone().expect("log handle"))
        .stderr(log_file);
    for (k, v) in env {
        command.env(k, v);
    }
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let child = command.spawn().expect("start xvfb-run + tauri-driver");
    Driver {
        child,
        port,
        session_file,
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

pub async fn connect(driver: &Driver) -> Client {
    // SYNCER_E2E_APP drives another build of the app, e.g. the installed package's
    // /usr/bin/syncer-desktop (scripts/package-check.sh --e2e).
    let app = std::env::var_os("SYNCER_E2E_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_syncer-desktop")));
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app.display().to_string() }),
    );
    let url = format!("http://127.0.0.1:{}", driver.port);
    let deadline = Instant::now() + LIMIT;
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

pub async fn find(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(LIMIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
}

pub async fn text_of(client: &Client, css: &str) -> String {
    find(client, css).await.text().await.expect("element text")
}

pub async fn click(client: &Client, css: &str) {
    find(client, css).await.click().await.expect("click");
}

/// Waits until the element's text satisfies `ok`, returning it.
pub async fn wait_text(client: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + LIMIT;
    loop {
        let found = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.ok(),
            Err(_) => None,
        };
        if let Some(text) = &found
            && ok(text)
        {
            return text.clone();
        }
        if Instant::now() >= deadline {
            let what = match found {
                Some(text) => format!("{css} stayed {text:?}"),
                None => format!("{css} never appeared"),
            };
            give_up(client, &what).await;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Ends a test that waited in vain, leaving what the window showed and the query text of any
/// open child editor beside the message: a failure on a loaded CI machine can then be read
/// afterwards instead of guessed at.
pub async fn give_up(client: &Client, what: &str) -> ! {
    let name = format!(
        "failed-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
    );
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(output_dir().join(format!("{name}.png")), png);
    }
    let queries = client
        .execute(
            "return [...document.querySelectorAll('textarea')].map(t => t.value).join(' | ');",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    panic!("{what} (screenshot {name}.png; query text: {queries:?})");
}

pub async fn goto(client: &Client, page: &str, title: &str) {
    click(client, &format!("[data-testid=nav-{page}]")).await;
    wait_text(client, "[data-testid=page-title]", |t| t == title).await;
}

pub async fn screenshot(client: &Client, name: &str) {
    // Let short colour transitions finish, so the picture shows the settled page. Nothing is
    // asserted on timing.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let png = client.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "the driver returned a PNG");
    let path = output_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("screenshot: {}", path.display());
}

/// The button (or other element) whose visible text is exactly `text`.
pub fn button(text: &str) -> String {
    format!("//button[normalize-space()='{text}']")
}

pub async fn find_x(client: &Client, xpath: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(LIMIT)
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("no element {xpath}: {e}"))
}

pub async fn click_x(client: &Client, xpath: &str) {
    find_x(client, xpath).await.click().await.expect("click");
}

/// Waits until the page's script says `true`.
pub async fn wait_script(client: &Client, what: &str, script: &str) {
    let deadline = Instant::now() + LIMIT;
    loop {
        let value = client.execute(script, vec![]).await.expect("script");
        if value.as_bool() == Some(true) {
            return;
        }
        if Instant::now() >= deadline {
            give_up(client, &format!("timed out waiting for {what}")).await;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Sets a form control's value the way typing or picking does, so React sees the change.
pub async fn set_value(client: &Client, css: &str, value: &str) {
    find(client, css).await;
    client
        .execute(
            "const el = document.querySelector(arguments[0]);
             const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype
               : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype
               : HTMLInputElement.prototype;
             Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arguments[1]);
             el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));",
            vec![css.into(), value.into()],
        )
        .await
        .expect("set value");
}

/// Calls one of the app's commands the way the window does.
pub async fn invoke(client: &Client, command: &str, args: serde_json::Value) -> serde_json::Value {
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])
               .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: e }));",
            vec![command.into(), args],
        )
        .await
        .expect("invoke")
}
