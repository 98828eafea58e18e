//! The cloud account in the real app under Xvfb, against a real `syncer-cloud` on loopback:
//! create an account in Settings, set the sync passphrase (the recovery code is shown once),
//! sync the setup, show a code for a new device, and let a second device (the client library,
//! as the CLI uses it) join with that code alone; the app lists it at once, a change made there
//! reaches the app live through the event stream with no click, and removing it from the app
//! shuts it out.

#![allow(clippy::unwrap_used)]

mod support;

use support::*;
use syncer_auth::Vault;
use syncer_cloud::testing::{Backend, TestServer, test_settings};
use syncer_cloud_client::{CloudDevice, CloudError, NewDeviceInfo};
use syncer_core::ids::{BasePlaylistId, ConnectionId};
use syncer_store::{NewBase, OpenOptions, Store};

const EMAIL: &str = "pat@example.org";
const PASSWORD: &str = "a long account password";
const PASSPHRASE: &str = "correct horse battery staple";

/// Types into the input a visible label names, as a person would.
async fn fill(client: &fantoccini::Client, label: &str, value: &str) {
    find_x(client, &format!("//label[normalize-space()='{label}']")).await;
    client
        .execute(
            "const label = [...document.querySelectorAll('label')]
               .find(l => l.textContent.trim() === arguments[0]);
             const el = document.getElementById(label.htmlFor);
             Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, arguments[1]);
             el.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![label.into(), value.into()],
        )
        .await
        .expect("fill");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setup_travels_through_the_cloud_account() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = TestServer::start(Backend::Sqlite, test_settings())
        .await
        .expect("cloud server");
    let data = tempfile::tempdir().expect("data dir");
    let home = tempfile::tempdir().expect("home");
    let driver = start_driver(
        "cloud",
        &app_env(home.path(), data.path(), "e2e cloud passphrase"),
    );
    let client = connect(&driver).await;
    client
        .set_window_size(1100, 820)
        .await
        .expect("window size");

    // Something to carry: the demo library's connection.
    wait_text(&client, "[data-testid=page-title]", |t| t == "Connections").await;
    find(&client, "[data-testid=provider-spotify]").await;
    find(&client, "[data-testid=empty-state]").await;
    click_x(&client, &button("Connect the demo library")).await;
    find(&client, "[data-testid=connection-card]").await;

    // Settings → Cloud sync: an account, then the passphrase that seals everything.
    goto(&client, "settings", "Settings").await;
    fill(&client, "Server", &server.url()).await;
    fill(&client, "Email", EMAIL).await;
    fill(&client, "Password", PASSWORD).await;
    click_x(&client, &button("Create an account")).await;
    find(&client, "[data-testid=cloud-signed-in]").await;
    fill(&client, "Sync passphrase", PASSPHRASE).await;
    click_x(&client, &button("Unlock")).await;
    let code = wait_text(&client, "[data-testid=recovery-code]", |t| {
        t.contains("recovery code")
    })
    .await;
    assert!(
        code.split_whitespace().count() > 8,
        "a printable code: {code}"
    );
    screenshot(&client, "cloud-recovery-code").await;
    click_x(&client, &button("I have written it down")).await;
    click_x(&client, &button("Sync setup now")).await;
    wait_script(
        &client,
        "the first sync to send the setup",
        "return document.body.innerText.includes('Synced: ') && !document.body.innerText.includes('Synced: 0 sent');",
    )
    .await;
    screenshot(&client, "cloud-synced").await;

    // The server holds only ciphertext: the demo's name appears in none of its columns.
    let everything = server.dump_all().await;
    let needle = b"Demo library";
    assert!(!everything.is_empty());
    assert!(
        !everything
            .iter()
            .any(|(_, v)| v.windows(needle.len()).any(|w| w == needle)),
        "the server saw plaintext"
    );

    // Add a device: the app shows a QR code and the same code as text. A new device joins
    // with the code alone: no password, no passphrase typed on it.
    click_x(&client, &button("Show a code")).await;
    find(&client, "[data-testid=enrollment] img").await;
    wait_text(&client, "[data-testid=enrollment-countdown]", |t| {
        t.contains("Expires in")
    })
    .await;
    client
        .execute(
            "document.querySelector('[data-testid=enrollment]').scrollIntoView({ block: 'center' });",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&client, "cloud-add-device").await;
    let code = client
        .execute(
            "return [...document.querySelectorAll('[data-testid=enrollment] input')][0].value;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert!(code.starts_with("syncer-enroll:v1:"), "{code}");

    let other_dir = tempfile::tempdir().expect("other device");
    let store = Store::open_file(&other_dir.path().join("syncer.db"), &OpenOptions::default())
        .await
        .unwrap();
    let other = CloudDevice::new(store, Vault::memory(), other_dir.path());
    let joined = other
        .join_by_enrollment(
            &code,
            NewDeviceInfo {
                name: Some("phone".into()),
                platform: Some("android".into()),
                ..NewDeviceInfo::default()
            },
        )
        .await
        .unwrap();
    assert!(joined.status.unlocked, "the key came with the code");
    let connections = other.store().list_connections().await.unwrap();
    assert_eq!(connections.len(), 1, "{connections:?}");
    let demo: ConnectionId = connections[0].id.clone();

    // The app hears of the new device at once: its list shows it without a click.
    wait_script(
        &client,
        "the new device in the app's device list",
        "return [...document.querySelectorAll('[data-testid=cloud-device]')].some(d => d.innerText.includes('phone'));",
    )
    .await;
    client
        .execute(
            "document.querySelector('[data-testid=cloud-device]').scrollIntoView({ block: 'center' });",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&client, "cloud-devices").await;
    // The code it used works no more, so the app takes it away.
    wait_script(
        &client,
        "the used code to be taken away",
        "return document.querySelector('[data-testid=enrollment]') === null && document.body.innerText.includes('phone joined with the code');",
    )
    .await;

    // A base added there reaches the app live, through the event stream, with no click.
    wait_text(&client, "[data-testid=cloud-live]", |t| t.contains("Live")).await;
    other
        .store()
        .add_base(&NewBase {
            id: BasePlaylistId::new("road-trip"),
            connection: demo,
            name: "Road trip".into(),
        })
        .await
        .unwrap();
    other.sync().await.unwrap();
    goto(&client, "playlists", "Playlists").await;
    wait_script(
        &client,
        "the other device's base on the Playlists page",
        "return [...document.querySelectorAll('[data-testid=base-card]')].some(c => c.innerText.includes('Road trip'));",
    )
    .await;

    // Removing the device from the app: it is out at once.
    goto(&client, "settings", "Settings").await;
    click_x(&client, "//button[@aria-label='Remove phone']").await;
    click_x(&client, &button("Remove phone")).await;
    wait_script(
        &client,
        "the removal to be confirmed",
        "return document.body.innerText.includes('phone was removed');",
    )
    .await;
    let refused = other.sync().await.unwrap_err();
    assert!(
        matches!(refused, CloudError::DeviceRemoved),
        "the removed device is told so: {refused}"
    );
    client.close().await.ok();
    server.finish().await;
}
