//! End-to-end smoke test: the real built app, in a real (virtual) display, driven through
//! tauri-driver and WebKitWebDriver exactly as a person would click it.

#![allow(clippy::unwrap_used)]

mod support;

use fantoccini::Locator;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigation_renders_and_switches_pages() {
    let data = tempfile::tempdir().expect("data dir");
    // A throwaway desktop profile too: the app registers syncer:// in it at start, and that
    // must not land in the tester's own.
    let home = tempfile::tempdir().expect("home");
    let driver = start_driver(
        "smoke",
        // No keyring and no passphrase: the window asks for one (below).
        &app_env(home.path(), data.path(), ""),
    );
    let client = connect(&driver).await;

    // The app opens on Connections, with every navigation entry present.
    wait_text(&client, "[data-testid=page-title]", |t| t == "Connections").await;
    for page in ["connections", "playlists", "history", "settings"] {
        find(&client, &format!("[data-testid=nav-{page}]")).await;
    }
    screenshot(&client, "connections").await;

    for (page, title) in [
        ("playlists", "Playlists"),
        ("history", "History"),
        ("settings", "Settings"),
        ("connections", "Connections"),
    ] {
        goto(&client, page, title).await;
        let current = client
            .find(Locator::Css("nav [aria-current=page]"))
            .await
            .expect("one navigation entry marked current")
            .attr("data-testid")
            .await
            .expect("attribute");
        assert_eq!(current.as_deref(), Some(format!("nav-{page}").as_str()));
        // Before any setup, each page explains what will be there (Settings has its forms).
        if page != "settings" {
            let empty = text_of(&client, "[data-testid=empty-state]").await;
            assert!(
                !empty.trim().is_empty(),
                "{title} explains what will be there"
            );
        }
        screenshot(&client, page).await;
    }

    // Settings shows where this installation keeps its data: the throwaway folder the app was
    // started with, which proves the command reached the Rust side and the store opened there.
    goto(&client, "settings", "Settings").await;
    let data_dir = data.path().display().to_string();
    wait_text(&client, "body", |body| body.contains(&data_dir)).await;
    assert!(
        data.path().join("syncer.db").exists(),
        "the app created its database in SYNCER_DATA_DIR"
    );

    // The secrets file waits for a passphrase: chosen here, typed twice; then sign-ins are
    // kept in the file, which now exists.
    goto(&client, "connections", "Connections").await;
    wait_text(&client, "[data-testid=vault-unlock]", |t| {
        t.contains("Choose a passphrase")
    })
    .await;
    client
        .execute(
            "document.querySelector('[data-testid=vault-unlock]').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll to the form");
    screenshot(&client, "vault-choose").await;
    let vault_file = data.path().join("secrets.vault");
    assert!(
        !vault_file.exists(),
        "nothing is written before a passphrase"
    );
    for (field, text) in [
        ("vault-passphrase", "e2e smoke passphrase"),
        ("vault-passphrase-repeat", "e2e smoke passphrase"),
    ] {
        find(&client, &format!("[data-testid={field}]"))
            .await
            .send_keys(text)
            .await
            .expect("type the passphrase");
    }
    click(&client, "[data-testid=vault-unlock-submit]").await;
    wait_text(&client, "[data-testid=vault-status]", |t| {
        t.contains("secrets.vault")
    })
    .await;
    assert!(vault_file.exists(), "the encrypted file was created");
    let status = invoke(&client, "vault_status", serde_json::json!({})).await;
    assert_eq!(status["ok"]["needs_passphrase"], false, "{status}");

    client.close().await.expect("close session");
    drop(driver);
}
