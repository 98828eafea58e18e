//! The whole loop a newcomer does, end to end in the real app under Xvfb, against the demo's
//! stand-in for Spotify: connect the demo library, pick a base, add two children through the
//! rule builder and the query text, preview, sync, find edits blocked while the sync runs,
//! see the history entry, undo, and drive the tray's actions through the app's command path.

#![allow(clippy::unwrap_used)]

mod support;

use fantoccini::{Client, Locator};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_routes_the_demo_library_end_to_end() {
    let data = tempfile::tempdir().expect("data dir");
    let home = tempfile::tempdir().expect("home");
    let downloads = home.path().join("Downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let driver = start_driver(
        "loop",
        &[
            app_env(home.path(), data.path(), "e2e loop passphrase"),
            vec![
                ("XDG_DOWNLOAD_DIR", downloads.display().to_string()),
                // Slow enough a sync to act on while it runs; nothing is asserted on timing.
                ("SYNCER_DEMO_LATENCY_MS", "500".to_owned()),
            ],
        ]
        .concat(),
    );
    let client = connect(&driver).await;
    client
        .set_window_size(1100, 820)
        .await
        .expect("window size");

    // Connections: the demo library, no account needed.
    wait_text(&client, "[data-testid=page-title]", |t| t == "Connections").await;
    // Once the page has settled (providers listed), so the button does not move under the click.
    find(&client, "[data-testid=provider-spotify]").await;
    find(&client, "[data-testid=empty-state]").await;
    screenshot(&client, "first-run").await;
    click_x(&client, &button("Connect the demo library")).await;
    wait_text(&client, "[data-testid=connection-capabilities]", |t| {
        t.contains("Feeds every filter field")
    })
    .await;
    screenshot(&client, "page-connections").await;

    // Playlists: pick the big playlist as the base.
    goto(&client, "playlists", "Playlists").await;
    let option = find_x(&client, "//option[contains(., '(600 tracks)')]").await;
    let playlist = option.attr("value").await.unwrap().unwrap();
    let picker = "section[aria-label='Add a base playlist']";
    let selects = client
        .find_all(Locator::Css(&format!("{picker} select")))
        .await
        .unwrap();
    assert_eq!(selects.len(), 2, "connection and playlist pickers");
    client
        .execute(
            "const s = document.querySelectorAll(arguments[0] + ' select')[1];
             Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(s, arguments[1]);
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![picker.into(), playlist.clone().into()],
        )
        .await
        .unwrap();
    click_x(&client, &button("Use as base")).await;
    find(&client, "[data-testid=base-card]").await;

    // The first two children through the rule builder: genre contains rock, then pop. The
    // editor of the first is in the screenshots.
    add_child_by_rule(&client, "Rock", "rock", Some("child-editor")).await;
    add_child_by_rule(&client, "Pop", "pop", None).await;

    // A third through the query text: the rules follow.
    click_x(&client, &button("Add a child")).await;
    find(&client, "[data-testid=child-editor]").await;
    set_value(&client, "[data-testid=child-editor] input.input", "Fresh").await;
    set_value(
        &client,
        "[data-testid=child-editor] textarea",
        "year:>=2020",
    )
    .await;
    wait_script(
        &client,
        "the rule builder to follow the query text",
        "return [...document.querySelectorAll(\"[data-testid=child-editor] select[aria-label='Field']\")].some(s => s.value === 'year');",
    )
    .await;
    draft_previewed(&client, "Fresh").await;
    click_x(&client, &button("Create child")).await;
    wait_script(
        &client,
        "the third child's card",
        "return document.querySelectorAll('[data-testid=child-card]').length === 3;",
    )
    .await;

    // Preview of the whole base: counts and what no child takes.
    click_x(&client, &button("Preview")).await;
    wait_text(
        &client,
        "[data-testid=base-card] [data-testid=preview-unrouted]",
        |t| t.contains("No child takes"),
    )
    .await;
    screenshot(&client, "page-playlists").await;

    // Sync: while it runs, edits are refused with the reason shown.
    click_x(&client, &button("Sync now")).await;
    find(&client, "[data-testid=sync-progress]").await;
    let edit = find_x(&client, "//button[@aria-label='Edit Rock']").await;
    assert!(
        !edit.is_enabled().await.unwrap(),
        "editing a child of a syncing base is disabled"
    );
    let refused = invoke(
        &client,
        "remove_child",
        serde_json::json!({ "child": first_child_id(&client).await }),
    )
    .await;
    assert_eq!(
        refused["err"]["code"], "sync_in_progress",
        "the shell refuses it too: {refused}"
    );
    screenshot(&client, "syncing").await;

    // Cancel: the sync stops at a safe point and says so; edits are allowed again.
    click_x(&client, &button("Cancel sync")).await;
    wait_text(&client, "[data-testid=sync-result]", |t| {
        t.to_lowercase().contains("cancel")
    })
    .await;
    assert!(
        find_x(&client, "//button[@aria-label='Edit Rock']")
            .await
            .is_enabled()
            .await
            .unwrap()
    );

    // History: the cancelled sync, retried from there; the retry shows as running with its
    // progress while it goes (watched by an observer, so a quick sync cannot slip past),
    // then completes with its numbers.
    goto(&client, "history", "History").await;
    let retry = "//button[starts-with(@aria-label, 'Retry the sync of')]";
    find_x(&client, retry).await;
    client
        .execute(
            "window.__sawProgress = false;
             new MutationObserver(() => {
               if (document.querySelector('[data-testid=history-entry] [data-testid=sync-progress]')) {
                 window.__sawProgress = true;
               }
             }).observe(document.body, { childList: true, subtree: true, characterData: true });",
            vec![],
        )
        .await
        .unwrap();
    click_x(&client, retry).await;
    wait_script(
        &client,
        "the retried sync to show as running, with its progress",
        "return window.__sawProgress === true;",
    )
    .await;
    screenshot(&client, "history-running").await;
    wait_script(
        &client,
        "the retried sync to complete in the history",
        "return [...document.querySelectorAll('[data-testid=history-entry]')]
           .some(e => e.innerText.includes('Completed'));",
    )
    .await;
    wait_script(
        &client,
        "no progress bar once nothing runs",
        "return document.querySelector('[data-testid=sync-progress]') === null;",
    )
    .await;
    assert!(
        find(&client, "[data-testid=history-list]")
            .await
            .text()
            .await
            .unwrap()
            .contains("Cancelled"),
        "the cancelled sync stays in the history"
    );
    screenshot(&client, "page-history").await;

    // Undo puts the children back as they were (empty: they were new).
    goto(&client, "playlists", "Playlists").await;
    click_x(&client, &button("Undo last sync")).await;
    wait_script(
        &client,
        "the undo's report",
        "return document.body.innerText.includes('Undone:');",
    )
    .await;

    // The tray's actions, through the app's own command path.
    let paused = invoke(
        &client,
        "tray_action",
        serde_json::json!({ "action": "toggle_pause" }),
    )
    .await;
    assert!(paused.get("err").is_none(), "{paused}");
    let status = invoke(&client, "sync_status", serde_json::json!({})).await;
    assert_eq!(status["ok"]["paused"], true, "{status}");
    let synced = invoke(
        &client,
        "tray_action",
        serde_json::json!({ "action": "sync_all" }),
    )
    .await;
    assert!(synced.get("err").is_none(), "{synced}");
    wait_text(&client, "[data-testid=sync-result]", |t| {
        t.contains("added")
    })
    .await;
    let unknown = invoke(
        &client,
        "tray_action",
        serde_json::json!({ "action": "dance" }),
    )
    .await;
    assert!(unknown.get("err").is_some(), "{unknown}");

    // Settings shows the pause; every page at the smallest supported size.
    goto(&client, "settings", "Settings").await;
    screenshot(&client, "page-settings").await;
    client.set_window_size(800, 600).await.expect("window size");
    for (page, title) in [
        ("playlists", "Playlists"),
        ("history", "History"),
        ("connections", "Connections"),
        ("settings", "Settings"),
    ] {
        goto(&client, page, title).await;
        let overflow = client
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth + 1;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(overflow, false, "{page} scrolls sideways at 800×600");
        screenshot(&client, &format!("small-{page}")).await;
    }

    // The dark theme, chosen in Settings: every page again, light text on a dark ground.
    client
        .set_window_size(1100, 720)
        .await
        .expect("window size");
    goto(&client, "settings", "Settings").await;
    click(&client, "input[name=theme][value=dark]").await;
    wait_script(
        &client,
        "the dark theme",
        "return document.documentElement.dataset.theme === 'dark';",
    )
    .await;
    for (page, title) in [
        ("connections", "Connections"),
        ("playlists", "Playlists"),
        ("history", "History"),
        ("settings", "Settings"),
    ] {
        goto(&client, page, title).await;
        // Relative luminance of the page's ground (the first opaque background up from
        // <main>) and of its heading.
        let contrast = client
            .execute(
                r"const lum = (c) => {
                    const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map(Number);
                    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
                  };
                  let ground = document.querySelector('main') || document.body;
                  while (ground.parentElement && getComputedStyle(ground).backgroundColor.endsWith(', 0)')) {
                    ground = ground.parentElement;
                  }
                  const heading = document.querySelector('h1');
                  return [lum(getComputedStyle(ground).backgroundColor), lum(getComputedStyle(heading).color)];",
                vec![],
            )
            .await
            .expect("colours");
        let (ground, text) = (
            contrast[0].as_f64().expect("ground"),
            contrast[1].as_f64().expect("text"),
        );
        assert!(
            ground < 0.25 && text > 0.7,
            "{page} in dark: ground {ground:.2}, heading {text:.2}"
        );
        screenshot(&client, &format!("dark-{page}")).await;
    }
    client.close().await.ok();
}

/// Adds a child named `name` whose one rule, built in the rule builder, is "genre contains
/// `genre`"; checks the query text follows and the live preview counts tracks for it, then
/// creates it. `shot` names a screenshot of the editor just before.
async fn add_child_by_rule(client: &Client, name: &str, genre: &str, shot: Option<&str>) {
    let before = client
        .find_all(Locator::Css("[data-testid=child-card]"))
        .await
        .expect("child cards")
        .len();
    click_x(client, &button("Add a child")).await;
    find(client, "[data-testid=child-editor]").await;
    set_value(client, "[data-testid=child-editor] input.input", name).await;
    click_x(client, "//button[@aria-label='Add a rule']").await;
    set_value(
        client,
        "[data-testid=child-editor] select[aria-label='Field']",
        "genre",
    )
    .await;
    add_rule_value(client, genre).await;
    wait_script(
        client,
        "the query text to follow the rule builder",
        &format!(
            "return [...document.querySelectorAll('[data-testid=child-editor] textarea')].some(t => t.value.includes('{genre}'));"
        ),
    )
    .await;
    draft_previewed(client, name).await;
    if let Some(shot) = shot {
        screenshot(client, shot).await;
    }
    click_x(client, &button("Create child")).await;
    wait_script(
        client,
        &format!("{name}'s card"),
        &format!(
            "return document.querySelectorAll('[data-testid=child-card]').length === {};",
            before + 1
        ),
    )
    .await;
}

/// Waits for the live preview to count tracks for the draft named `name` itself (the saved
/// children are listed in the same preview, before it).
async fn draft_previewed(client: &Client, name: &str) {
    wait_script(
        client,
        &format!("the live preview of {name}"),
        &format!(
            "return [...document.querySelectorAll('[data-testid=child-editor] [data-testid=preview-child]')]
               .some(row => row.querySelector('strong')?.textContent === '{name}'
                 && Number(row.querySelector('[data-testid=preview-count]')?.textContent) > 0);"
        ),
    )
    .await;
}

/// The value box of the rule just added: typed into, then confirmed.
async fn add_rule_value(client: &Client, value: &str) {
    let css = "[data-testid=child-editor] fieldset input:not([type=checkbox]):not([type=radio])";
    let input = client
        .wait()
        .at_most(LIMIT)
        .for_element(Locator::Css(css))
        .await
        .expect("the rule's value input");
    input.send_keys(value).await.expect("type the value");
    // Some value inputs commit on Enter or on leaving the field.
    input.send_keys("\u{E007}").await.ok();
    client
        .execute(
            "document.activeElement && document.activeElement.blur();",
            vec![],
        )
        .await
        .ok();
}

async fn first_child_id(client: &Client) -> String {
    let v = invoke(client, "list_bases", serde_json::json!({})).await;
    v["ok"][0]["children"][0]["id"]
        .as_str()
        .expect("a child id")
        .to_owned()
}
