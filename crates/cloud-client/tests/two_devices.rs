//! Two devices and one server, on both backends: a change made on one appears on the other,
//! concurrent edits surface as conflicts that are then resolved, a wrong passphrase or key is
//! refused clearly, and the server's database never holds the plaintext the devices wrote.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use syncer_auth::Vault;
use syncer_cloud::backend_tests;
use syncer_cloud::testing::{Backend, TestServer, test_settings};
use syncer_cloud_client::{
    Choice, CloudDevice, CloudError, EnrollmentCode, KdfParams, NewDeviceInfo, Passphrase,
    PassphraseOutcome, Resolution,
};
use syncer_core::engine::MirrorMode;
use syncer_core::filter::query;
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId};
use syncer_core::jobs::Schedule;
use syncer_store::{
    ChildEdit, ConnectionStatus, NewBase, NewChild, NewConnection, OpenOptions, Store,
};

const PASSWORD: &str = "a long account password";
const PASSPHRASE: &str = "correct horse battery staple";

struct Device {
    cloud: CloudDevice,
    dir: PathBuf,
}

impl Device {
    async fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("syncer-cloud-client-{name}-{}", fastrand_id()));
        let store = Store::open_file(&dir.join("syncer.db"), &OpenOptions::default())
            .await
            .unwrap();
        let cloud = CloudDevice::new(store, Vault::memory(), &dir)
            .with_kdf(KdfParams::INSECURE_FOR_TESTS)
            .with_device_name(name)
            .with_app_version("0.9.0-test");
        Self { cloud, dir }
    }

    fn store(&self) -> &Store {
        self.cloud.store()
    }

    async fn child_names(&self, base: &str) -> Vec<String> {
        self.store()
            .list_children(&BasePlaylistId::new(base))
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect()
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fastrand_id() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}-{:?}", std::thread::current().id()).replace(['(', ')'], "")
}

async fn add_connection(store: &Store, id: &str, provider: &str, name: &str) {
    store
        .insert_connection(&NewConnection {
            id: ConnectionId::new(id),
            provider: provider.into(),
            display_name: name.into(),
            auth_kind: "oauth2_pkce".into(),
            account_id: Some(format!("{id}-account")),
        })
        .await
        .unwrap();
}

async fn add_base(store: &Store, id: &str, connection: &str, name: &str) {
    store
        .add_base(&NewBase {
            id: BasePlaylistId::new(id),
            connection: ConnectionId::new(connection),
            name: name.into(),
        })
        .await
        .unwrap();
}

async fn add_child(store: &Store, id: &str, base: &str, name: &str, q: &str) {
    store
        .add_child(&NewChild {
            id: ChildPlaylistId::new(id),
            base: BasePlaylistId::new(base),
            name: name.into(),
            query: q.into(),
            filter: query::parse(q).unwrap(),
            mirror: MirrorMode::KeepUserTracks,
            allow_empty: false,
        })
        .await
        .unwrap();
}

async fn rename_child(store: &Store, id: &str, name: &str) {
    store
        .edit_child(
            &ChildPlaylistId::new(id),
            &ChildEdit {
                name: Some(name.into()),
                ..ChildEdit::default()
            },
        )
        .await
        .unwrap();
}

/// A server, device A signed up with a passphrase set, device B signed in and unlocked.
async fn pair(backend: Backend) -> (TestServer, Device, Device, String) {
    let server = TestServer::start(backend, test_settings()).await.unwrap();
    let a = Device::new("laptop").await;
    let b = Device::new("desktop").await;
    let status = a
        .cloud
        .sign_up(&server.url(), "pat@example.org", PASSWORD)
        .await
        .unwrap();
    assert!(status.signed_in && !status.unlocked);
    let words = match a
        .cloud
        .enter_passphrase(&Passphrase::new(PASSPHRASE))
        .await
        .unwrap()
    {
        PassphraseOutcome::Created { recovery_code, .. } => recovery_code,
        other => panic!("expected a new key, got {other:?}"),
    };
    b.cloud
        .sign_in(&server.url(), "pat@example.org", PASSWORD)
        .await
        .unwrap();
    match b
        .cloud
        .enter_passphrase(&Passphrase::new(PASSPHRASE))
        .await
        .unwrap()
    {
        PassphraseOutcome::Unlocked { key_id } => {
            assert_eq!(Some(key_id), a.cloud.status().await.unwrap().key_id);
        }
        other => panic!("expected to unlock, got {other:?}"),
    }
    (server, a, b, words)
}

backend_tests!(
    a_change_on_one_device_appears_on_the_other,
    |backend| async move {
        let (server, a, b, _) = pair(backend).await;
        add_connection(a.store(), "demo-42-ext-600", "demo", "Demo library").await;
        add_connection(a.store(), "spotify-1", "spotify", "My Spotify").await;
        a.store()
            .set_provider_client_id("spotify", "client-abc")
            .await
            .unwrap();
        add_base(a.store(), "base-1", "demo-42-ext-600", "Everything").await;
        a.store()
            .set_base_schedule(
                &BasePlaylistId::new("base-1"),
                &Schedule::DailyAt {
                    hour: 7,
                    minute: 30,
                },
            )
            .await
            .unwrap();
        add_child(
            a.store(),
            "child-1",
            "base-1",
            "Rock",
            "genre:rock year:2015..2020",
        )
        .await;
        add_child(a.store(), "child-2", "base-1", "Calm", "-explicit").await;

        let report = a.cloud.sync().await.unwrap();
        assert_eq!(report.pushed, 6, "{report:?}");
        assert_eq!(report.new_conflicts, 0);

        let report = b.cloud.sync().await.unwrap();
        assert_eq!(report.applied, 6, "{report:?}");
        let base = b
            .store()
            .get_base(&BasePlaylistId::new("base-1"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(base.name, "Everything");
        assert_eq!(
            base.schedule,
            Schedule::DailyAt {
                hour: 7,
                minute: 30
            }
        );
        let children = b
            .store()
            .list_children(&BasePlaylistId::new("base-1"))
            .await
            .unwrap();
        let on_a = a
            .store()
            .list_children(&BasePlaylistId::new("base-1"))
            .await
            .unwrap();
        assert_eq!(children.len(), 2);
        for (x, y) in children.iter().zip(&on_a) {
            assert_eq!(
                (&x.id, &x.name, &x.query, &x.filter, x.position),
                (&y.id, &y.name, &y.query, &y.filter, y.position)
            );
        }
        assert_eq!(
            b.store()
                .provider_client_id("spotify")
                .await
                .unwrap()
                .as_deref(),
            Some("client-abc")
        );
        // Connections arrive without their sign-in: a real service asks for one here.
        let spotify = b
            .store()
            .get_connection(&ConnectionId::new("spotify-1"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(spotify.status, ConnectionStatus::ReconnectNeeded);
        let demo = b
            .store()
            .get_connection(&ConnectionId::new("demo-42-ext-600"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(demo.status, ConnectionStatus::Ok);

        // Edits and a removal on A reach B.
        rename_child(a.store(), "child-1", "Indie rock").await;
        a.store()
            .remove_child(&ChildPlaylistId::new("child-2"))
            .await
            .unwrap();
        let report = a.cloud.sync().await.unwrap();
        assert_eq!((report.pushed, report.deleted), (1, 1), "{report:?}");
        let report = b.cloud.sync().await.unwrap();
        assert_eq!((report.applied, report.removed), (1, 1), "{report:?}");
        assert_eq!(b.child_names("base-1").await, ["Indie rock"]);

        // And the other way round; a sync with nothing new does nothing.
        add_base(b.store(), "base-2", "demo-42-ext-600", "Second").await;
        add_child(b.store(), "child-3", "base-2", "Short", "duration:<3m").await;
        b.cloud.sync().await.unwrap();
        let report = a.cloud.sync().await.unwrap();
        assert_eq!(report.applied, 2, "{report:?}");
        assert_eq!(a.child_names("base-2").await, ["Short"]);
        let quiet = a.cloud.sync().await.unwrap();
        assert_eq!(
            (quiet.pulled, quiet.pushed, quiet.applied),
            (0, 0, 0),
            "{quiet:?}"
        );
        let quiet = b.cloud.sync().await.unwrap();
        assert_eq!((quiet.pushed, quiet.applied), (0, 0), "{quiet:?}");

        // Removing a whole base on B removes its children on A too.
        b.store()
            .remove_base(&BasePlaylistId::new("base-2"))
            .await
            .unwrap();
        b.cloud.sync().await.unwrap();
        a.cloud.sync().await.unwrap();
        assert!(
            a.store()
                .get_base(&BasePlaylistId::new("base-2"))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            a.store()
                .get_child(&ChildPlaylistId::new("child-3"))
                .await
                .unwrap()
                .is_none()
        );
        server.finish().await;
    }
);

backend_tests!(
    concurrent_edits_surface_a_conflict_that_is_resolved,
    |backend| async move {
        let (server, a, b, _) = pair(backend).await;
        add_connection(a.store(), "demo-1-ext-10", "demo", "Demo").await;
        add_base(a.store(), "base-1", "demo-1-ext-10", "Base").await;
        add_child(a.store(), "child-1", "base-1", "Original", "genre:jazz").await;
        add_child(a.store(), "child-2", "base-1", "Second", "genre:pop").await;
        a.cloud.sync().await.unwrap();
        b.cloud.sync().await.unwrap();

        // Both devices change the same child before syncing.
        rename_child(a.store(), "child-1", "Named on A").await;
        rename_child(b.store(), "child-1", "Named on B").await;
        a.cloud.sync().await.unwrap();
        let report = b.cloud.sync().await.unwrap();
        assert_eq!(report.new_conflicts, 1, "{report:?}");
        assert_eq!(report.open_conflicts, 1);
        // Nothing was overwritten on either side.
        assert_eq!(b.child_names("base-1").await[0], "Named on B");
        // Syncing again does not pile up conflicts.
        assert_eq!(b.cloud.sync().await.unwrap().new_conflicts, 0);

        let conflicts = b.cloud.conflicts(false).await.unwrap();
        assert_eq!(conflicts.len(), 1);
        let c = &conflicts[0];
        assert_eq!(c.collection, "children");
        assert_eq!(c.local.as_ref().unwrap()["name"], "Named on B");
        assert_eq!(c.remote.as_ref().unwrap()["name"], "Named on A");
        assert_eq!(c.choices.len(), 4);
        // A sees the same conflict, from the other side.
        assert_eq!(a.cloud.conflicts(false).await.unwrap().len(), 1);

        let resolved = b.cloud.resolve(&c.id, Choice::Local).await.unwrap();
        assert_eq!(resolved.resolution, Resolution::LocalWins);
        a.cloud.sync().await.unwrap();
        assert_eq!(a.child_names("base-1").await[0], "Named on B");
        assert!(b.cloud.conflicts(false).await.unwrap().is_empty());
        assert_eq!(b.cloud.status().await.unwrap().open_conflicts, 0);

        // Again, remote wins this time: B takes A's version.
        rename_child(a.store(), "child-2", "A's pop").await;
        rename_child(b.store(), "child-2", "B's pop").await;
        a.cloud.sync().await.unwrap();
        b.cloud.sync().await.unwrap();
        let c = b.cloud.conflicts(false).await.unwrap().remove(0);
        b.cloud.resolve(&c.id, Choice::Remote).await.unwrap();
        assert_eq!(b.child_names("base-1").await[1], "A's pop");
        assert_eq!(b.cloud.sync().await.unwrap().pushed, 0);

        // A merge written by hand: the query from one side, the name from the other.
        a.store()
            .edit_child(
                &ChildPlaylistId::new("child-2"),
                &ChildEdit {
                    query: Some((
                        "genre:pop -explicit".into(),
                        query::parse("genre:pop -explicit").unwrap(),
                    )),
                    ..ChildEdit::default()
                },
            )
            .await
            .unwrap();
        rename_child(b.store(), "child-2", "Pop, renamed on B").await;
        a.cloud.sync().await.unwrap();
        b.cloud.sync().await.unwrap();
        let c = b.cloud.conflicts(false).await.unwrap().remove(0);
        let mut merged = c.remote.clone().unwrap();
        merged["name"] = c.local.as_ref().unwrap()["name"].clone();
        b.cloud
            .resolve(&c.id, Choice::Merged(merged))
            .await
            .unwrap();
        a.cloud.sync().await.unwrap();
        for device in [&a, &b] {
            let child = device
                .store()
                .get_child(&ChildPlaylistId::new("child-2"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (child.name.as_str(), child.query.as_str()),
                ("Pop, renamed on B", "genre:pop -explicit")
            );
        }

        // A deletion against an edit: the deletion wins when chosen.
        b.store()
            .remove_child(&ChildPlaylistId::new("child-1"))
            .await
            .unwrap();
        rename_child(a.store(), "child-1", "Edited on A").await;
        a.cloud.sync().await.unwrap();
        let report = b.cloud.sync().await.unwrap();
        assert_eq!(report.new_conflicts, 1, "{report:?}");
        let c = b.cloud.conflicts(false).await.unwrap().remove(0);
        assert!(c.local.is_none());
        assert_eq!(c.remote.as_ref().unwrap()["name"], "Edited on A");
        b.cloud.resolve(&c.id, Choice::Local).await.unwrap();
        a.cloud.sync().await.unwrap();
        assert!(
            a.store()
                .get_child(&ChildPlaylistId::new("child-1"))
                .await
                .unwrap()
                .is_none()
        );

        // A conflict settled on the other device: that choice reaches this one on its next sync.
        rename_child(a.store(), "child-2", "A again").await;
        rename_child(b.store(), "child-2", "B again").await;
        a.cloud.sync().await.unwrap();
        assert_eq!(b.cloud.sync().await.unwrap().new_conflicts, 1);
        let c = a.cloud.conflicts(false).await.unwrap().remove(0);
        assert_eq!(
            c.local.as_ref().unwrap()["name"],
            "B again",
            "A sees B's refused write"
        );
        a.cloud.resolve(&c.id, Choice::Remote).await.unwrap();
        let report = b.cloud.sync().await.unwrap();
        assert_eq!(report.open_conflicts, 0, "{report:?}");
        assert_eq!(b.child_names("base-1").await, ["A again"]);
        assert_eq!(b.cloud.sync().await.unwrap().pushed, 0);

        // The history keeps every resolution.
        let history = a.cloud.conflicts(true).await.unwrap();
        let resolutions: Vec<_> = history.iter().map(|c| c.resolution.unwrap()).collect();
        assert_eq!(
            resolutions,
            [
                Resolution::LocalWins,
                Resolution::RemoteWins,
                Resolution::Merged,
                Resolution::LocalWins,
                Resolution::RemoteWins
            ]
        );
        server.finish().await;
    }
);

backend_tests!(
    a_wrong_passphrase_or_key_is_refused_and_loses_nothing,
    |backend| async move {
        let (server, a, b, words) = pair(backend).await;
        add_connection(a.store(), "demo-1-ext-10", "demo", "Demo").await;
        add_base(a.store(), "base-1", "demo-1-ext-10", "Base").await;
        a.cloud.sync().await.unwrap();

        let c = Device::new("tablet").await;
        c.cloud
            .sign_in(&server.url(), "pat@example.org", PASSWORD)
            .await
            .unwrap();
        let err = c.cloud.sync().await.unwrap_err();
        assert!(matches!(err, CloudError::Locked), "{err:?}");
        let err = c
            .cloud
            .enter_passphrase(&Passphrase::new("not it"))
            .await
            .unwrap_err();
        assert!(matches!(err, CloudError::WrongPassphrase), "{err:?}");
        assert!(err.to_string().starts_with("wrong passphrase"), "{err}");

        // A device holding another key (another account's, or one from before the data was
        // reset) is told so, and nothing is uploaded.
        let other = Device::new("other").await;
        other
            .cloud
            .sign_up(&server.url(), "someone@example.org", PASSWORD)
            .await
            .unwrap();
        other
            .cloud
            .enter_passphrase(&Passphrase::new("their passphrase"))
            .await
            .unwrap();
        let foreign_key_vault = other_key_into(&other, &c).await;
        add_base(
            c.store(),
            "base-from-c",
            "demo-1-ext-10",
            "Should not upload",
        )
        .await;
        let err = foreign_key_vault.sync().await.unwrap_err();
        match &err {
            CloudError::WrongKey { expected, found } => {
                assert_eq!(
                    Some(expected.clone()),
                    a.cloud.status().await.unwrap().key_id
                );
                assert_ne!(expected, found);
            }
            other => panic!("expected WrongKey, got {other:?}"),
        }
        assert!(err.to_string().contains("passphrase"), "{err}");
        let report = b.cloud.sync().await.unwrap();
        assert_eq!(
            report.applied, 2,
            "B gets A's setup and nothing of C's: {report:?}"
        );
        assert!(
            b.store()
                .get_base(&BasePlaylistId::new("base-from-c"))
                .await
                .unwrap()
                .is_none()
        );

        // The recovery code opens the key when the passphrase is lost, and sets a new one.
        let d = Device::new("new-phone").await;
        d.cloud
            .sign_in(&server.url(), "pat@example.org", PASSWORD)
            .await
            .unwrap();
        d.cloud
            .recover(&words, &Passphrase::new("a brand new passphrase"))
            .await
            .unwrap();
        d.cloud.sync().await.unwrap();
        assert!(
            d.store()
                .get_base(&BasePlaylistId::new("base-1"))
                .await
                .unwrap()
                .is_some()
        );
        let e = Device::new("e").await;
        e.cloud
            .sign_in(&server.url(), "pat@example.org", PASSWORD)
            .await
            .unwrap();
        assert!(matches!(
            e.cloud
                .enter_passphrase(&Passphrase::new(PASSPHRASE))
                .await
                .unwrap_err(),
            CloudError::WrongPassphrase
        ));
        e.cloud
            .enter_passphrase(&Passphrase::new("a brand new passphrase"))
            .await
            .unwrap();
        server.finish().await;
    }
);

/// A device signed in to `target`'s account but holding `source`'s (another account's) key.
async fn other_key_into(source: &Device, target: &Device) -> CloudDevice {
    // The memory vaults are per device: rebuild target's device over a vault that holds its
    // tokens and source's key, as a stale key would sit in a keyring.
    let dir = target.dir.clone();
    let vault = Vault::memory();
    let src = source_vault_entry(source, "cloud:master-key").await;
    let tokens = source_vault_entry(target, "cloud:tokens").await;
    vault.set("cloud:master-key", &src).await.unwrap();
    vault.set("cloud:tokens", &tokens).await.unwrap();
    CloudDevice::new(target.store().clone(), vault, &dir).with_kdf(KdfParams::INSECURE_FOR_TESTS)
}

async fn source_vault_entry(device: &Device, key: &str) -> syncer_auth::Secret {
    device
        .cloud
        .vault_for_tests()
        .get(key)
        .await
        .unwrap()
        .unwrap()
}

backend_tests!(
    the_servers_database_never_holds_the_plaintext,
    |backend| async move {
        let (server, a, b, words) = pair(backend).await;
        add_connection(
            a.store(),
            "conn-MARKER-c1",
            "spotify",
            "MARKER-connection-name",
        )
        .await;
        a.store()
            .set_provider_client_id("spotify", "MARKER-client-id")
            .await
            .unwrap();
        add_base(
            a.store(),
            "MARKER-base-id",
            "conn-MARKER-c1",
            "MARKER base name",
        )
        .await;
        add_child(
            a.store(),
            "MARKER-child-id",
            "MARKER-base-id",
            "MARKER child name",
            "genre:\"MARKERgenre\" -explicit",
        )
        .await;
        a.cloud.sync().await.unwrap();
        b.cloud.sync().await.unwrap();
        rename_child(a.store(), "MARKER-child-id", "MARKER renamed on A").await;
        rename_child(b.store(), "MARKER-child-id", "MARKER renamed on B").await;
        a.cloud.sync().await.unwrap();
        b.cloud.sync().await.unwrap();
        let c = b.cloud.conflicts(false).await.unwrap().remove(0);
        b.cloud.resolve(&c.id, Choice::Remote).await.unwrap();
        assert_eq!(
            b.child_names("MARKER-base-id").await,
            ["MARKER renamed on A"]
        );

        // A third device joins by code: the server keeps the wrap, never the secret or key.
        let enrollment = a.cloud.create_enrollment().await.unwrap();
        let joiner = Device::new("joiner").await;
        joiner
            .cloud
            .join_by_enrollment(&enrollment.code, NewDeviceInfo::detect("0.0.0-test"))
            .await
            .unwrap();
        let code = EnrollmentCode::parse(&enrollment.code).unwrap();
        let secret_text = code.secret.to_text().to_string();
        let master_text = a
            .cloud
            .vault_for_tests()
            .get("cloud:master-key")
            .await
            .unwrap()
            .unwrap()
            .expose()
            .to_owned();

        let dump = server.dump_all().await;
        let tables: std::collections::BTreeSet<&str> = dump
            .iter()
            .map(|(c, _)| c.split('.').next().unwrap())
            .collect();
        for table in [
            "users",
            "devices",
            "sessions",
            "refresh_tokens",
            "access_tokens",
            "records",
            "conflicts",
            "enrollments",
        ] {
            assert!(tables.contains(table), "{table} was read: {tables:?}");
        }
        let passphrase_words: Vec<&str> = PASSPHRASE.split(' ').collect();
        for (column, value) in &dump {
            let text = String::from_utf8_lossy(value);
            assert!(!text.contains("MARKER"), "{column} holds plaintext: {text}");
            assert!(
                !text.to_lowercase().contains("marker"),
                "{column} holds plaintext"
            );
            assert!(
                !text.contains(PASSPHRASE) && !text.contains(passphrase_words[1]),
                "{column} holds the passphrase"
            );
            assert!(!text.contains(PASSWORD), "{column} holds the password");
            // Three words in a row, not one: a single short word turns up by chance inside
            // names ("top" in "laptop") and base64 text.
            let three: Vec<&str> = words.split(' ').take(3).collect();
            assert!(
                !text.contains(&secret_text),
                "{column} holds the enrollment secret"
            );
            assert!(
                !text.contains(&master_text),
                "{column} holds the master key"
            );
            assert!(
                !text.contains(code.token.as_str()),
                "{column} holds the enrollment token"
            );
            for raw in [
                syncer_crypto_b64url(&secret_text),
                syncer_crypto_b64(&master_text),
            ] {
                assert!(
                    !value.windows(raw.len()).any(|w| w == raw.as_slice()),
                    "{column} holds a secret's bytes"
                );
            }
            assert!(
                !text.contains(&three.join(" ")) || column.starts_with("_sqlx"),
                "{column} holds the recovery code"
            );
        }
        server.finish().await;
    }
);

backend_tests!(
    deleting_the_cloud_data_starts_over_cleanly,
    |backend| async move {
        let (server, a, b, _) = pair(backend).await;
        add_connection(a.store(), "demo-1-ext-10", "demo", "Demo").await;
        add_base(a.store(), "base-1", "demo-1-ext-10", "Base").await;
        a.cloud.sync().await.unwrap();
        b.cloud.sync().await.unwrap();

        a.cloud.delete_cloud_data().await.unwrap();
        assert!(!a.cloud.status().await.unwrap().unlocked);
        // The local setup stays on both devices.
        assert!(
            a.store()
                .get_base(&BasePlaylistId::new("base-1"))
                .await
                .unwrap()
                .is_some()
        );
        let err = b.cloud.sync().await.unwrap_err();
        assert!(err.to_string().contains("deleted"), "{err}");
        // B starts over with a new passphrase; A joins with it and nothing is lost or doubled.
        assert!(matches!(
            b.cloud
                .enter_passphrase(&Passphrase::new("new start"))
                .await
                .unwrap(),
            PassphraseOutcome::Created { .. }
        ));
        assert_eq!(b.cloud.sync().await.unwrap().pushed, 2);
        a.cloud
            .enter_passphrase(&Passphrase::new("new start"))
            .await
            .unwrap();
        let report = a.cloud.sync().await.unwrap();
        assert_eq!(
            (report.applied, report.pushed, report.new_conflicts),
            (0, 0, 0),
            "{report:?}"
        );

        let export = a.cloud.export().await.unwrap();
        assert_eq!(export.records.len(), 2);
        a.cloud.sign_out().await.unwrap();
        let status = a.cloud.status().await.unwrap();
        assert!(!status.signed_in && status.server_url.is_none());
        assert!(matches!(
            a.cloud.sync().await.unwrap_err(),
            CloudError::Locked | CloudError::NotSignedIn
        ));
        b.cloud.delete_account(PASSWORD).await.unwrap();
        let err = a
            .cloud
            .sign_in(&server.url(), "pat@example.org", PASSWORD)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("unknown_account"));
        server.finish().await;
    }
);

backend_tests!(
    short_lived_access_tokens_are_refreshed_on_the_way,
    |backend| async move {
        let mut settings = test_settings();
        settings.access_ttl = std::time::Duration::from_secs(1);
        let server = TestServer::start(backend, settings).await.unwrap();
        let a = Device::new("a").await;
        a.cloud
            .sign_up(&server.url(), "t@example.org", PASSWORD)
            .await
            .unwrap();
        a.cloud
            .enter_passphrase(&Passphrase::new(PASSPHRASE))
            .await
            .unwrap();
        add_connection(a.store(), "demo-1-ext-10", "demo", "Demo").await;
        for round in 0..3 {
            add_base(a.store(), &format!("b{round}"), "demo-1-ext-10", "x").await;
            assert_eq!(
                a.cloud.sync().await.unwrap().pushed,
                if round == 0 { 2 } else { 1 }
            );
        }
        server.finish().await;
    }
);

backend_tests!(
    a_copied_refresh_token_ends_the_session_everywhere_and_rate_limits_bite,
    |backend| async move {
        let mut settings = test_settings();
        // Every operation refreshes (the access token is about to expire).
        settings.access_ttl = std::time::Duration::from_secs(1);
        // The sign-up takes one of the four.
        settings.auth_limits.per_account_per_minute = 4;
        let server = TestServer::start(backend, settings).await.unwrap();
        let a = Device::new("a").await;
        a.cloud
            .sign_up(&server.url(), "stolen@example.org", PASSWORD)
            .await
            .unwrap();
        a.cloud
            .enter_passphrase(&Passphrase::new(PASSPHRASE))
            .await
            .unwrap();

        // A thief copies A's tokens and key, and refreshes first.
        let thief_dir = Device::new("thief").await;
        let vault = Vault::memory();
        for key in ["cloud:tokens", "cloud:master-key"] {
            let value = a.cloud.vault_for_tests().get(key).await.unwrap().unwrap();
            vault.set(key, &value).await.unwrap();
        }
        std::fs::copy(
            a.dir.join("cloud-sync.json"),
            thief_dir.dir.join("cloud-sync.json"),
        )
        .unwrap();
        let thief = CloudDevice::new(thief_dir.store().clone(), vault, &thief_dir.dir);
        thief.sync().await.unwrap();

        // A's refresh token is now spent: presenting it is reuse, and the whole family ends,
        // the thief's new tokens included.
        let err = a.cloud.sync().await.unwrap_err();
        assert!(matches!(err, CloudError::SessionEnded { .. }), "{err:?}");
        assert!(err.to_string().contains("sign in again"), "{err}");
        let err = thief.sync().await.unwrap_err();
        assert!(matches!(err, CloudError::SessionEnded { .. }), "{err:?}");
        assert!(!a.cloud.status().await.unwrap().signed_in);

        // Guessing the password: the account's limit bites, with the same clear error.
        let guesser = Device::new("guesser").await;
        let mut codes = Vec::new();
        for _ in 0..4 {
            let err = guesser
                .cloud
                .sign_in(&server.url(), "stolen@example.org", "wrong password guess")
                .await
                .unwrap_err();
            codes.push(err.code().unwrap_or("").to_owned());
        }
        assert_eq!(
            codes,
            [
                "invalid_credentials",
                "invalid_credentials",
                "invalid_credentials",
                "rate_limited"
            ]
        );
        server.finish().await;
    }
);

backend_tests!(my_genres_travel_with_the_setup, |backend| async move {
    let (_server, a, b, _) = pair(backend).await;
    let artist = syncer_core::ids::ArtistId::new("artist-1");
    a.store()
        .tag_artist(
            &artist,
            Some("The Band"),
            &["shoegaze".to_owned(), "dream pop".to_owned()],
        )
        .await
        .unwrap();
    let report = a.cloud.sync().await.unwrap();
    assert_eq!(report.pushed, 1, "{report:?}");
    b.cloud.sync().await.unwrap();
    let on_b = b.store().user_genres_of(&artist).await.unwrap().unwrap();
    assert_eq!(on_b.genres, ["shoegaze", "dream pop"]);
    assert_eq!(on_b.name.as_deref(), Some("The Band"));

    // Removing one genre on B removes it on A (the record is the whole list, not additions).
    b.store()
        .untag_artist(&artist, &["dream pop".to_owned()])
        .await
        .unwrap();
    b.cloud.sync().await.unwrap();
    a.cloud.sync().await.unwrap();
    let on_a = a.store().user_genres_of(&artist).await.unwrap().unwrap();
    assert_eq!(on_a.genres, ["shoegaze"]);

    // Untagging the artist entirely deletes it on the other device.
    a.store().untag_artist(&artist, &[]).await.unwrap();
    let report = a.cloud.sync().await.unwrap();
    assert_eq!(report.deleted, 1, "{report:?}");
    b.cloud.sync().await.unwrap();
    assert!(b.store().user_genres_of(&artist).await.unwrap().is_none());
    let quiet = b.cloud.sync().await.unwrap();
    assert_eq!((quiet.pushed, quiet.applied), (0, 0), "{quiet:?}");
});

fn syncer_crypto_b64url(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

fn syncer_crypto_b64(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

backend_tests!(
    a_new_device_joins_by_code_without_the_passphrase,
    |backend| async move {
        let server = TestServer::start(backend, test_settings()).await.unwrap();
        let a = Device::new("laptop").await;
        a.cloud
            .sign_up(&server.url(), "qr@example.org", PASSWORD)
            .await
            .unwrap();
        // No key yet: there is nothing to hand over.
        assert!(matches!(
            a.cloud.create_enrollment().await.unwrap_err(),
            CloudError::Locked
        ));
        a.cloud
            .enter_passphrase(&Passphrase::new(PASSPHRASE))
            .await
            .unwrap();
        add_connection(a.store(), "demo-1-ext-10", "demo", "Demo").await;
        add_base(a.store(), "base-1", "demo-1-ext-10", "Everything").await;
        add_child(a.store(), "child-1", "base-1", "Rock", "genre:rock").await;
        a.cloud.sync().await.unwrap();

        let enrollment = a.cloud.create_enrollment().await.unwrap();
        assert!(enrollment.code.starts_with("syncer-enroll:v1:"));
        assert!(enrollment.expires_in_secs > 500 && enrollment.expires_in_secs <= 600);
        assert!(!format!("{enrollment:?}").contains(&enrollment.code));

        // B: a fresh device with the code alone (no password, no passphrase).
        let b = Device::new("phone").await;
        let preview = b.cloud.preview_enrollment(&enrollment.code).await.unwrap();
        assert_eq!(
            (preview.email.as_str(), preview.created_by_device.as_str()),
            ("qr@example.org", "laptop")
        );
        let mut info = NewDeviceInfo::detect("1.2.3");
        info.name = Some("phone".to_owned());
        info.model = Some("Pixel".to_owned());
        let joined = b
            .cloud
            .join_by_enrollment(&enrollment.code, info.clone())
            .await
            .unwrap();
        assert!(joined.status.signed_in && joined.status.unlocked);
        assert_eq!(joined.status.email.as_deref(), Some("qr@example.org"));
        assert_eq!(joined.status.key_id, a.cloud.status().await.unwrap().key_id);
        assert_eq!(joined.created_by_device, "laptop");
        assert_eq!(joined.sync.applied, 3, "{:?}", joined.sync);
        assert_eq!(b.child_names("base-1").await, ["Rock"]);

        // The code is spent, and says so; a malformed one says that; a signed-in device is
        // refused before anything is spent.
        let c = Device::new("tablet").await;
        assert!(matches!(
            c.cloud
                .join_by_enrollment(&enrollment.code, NewDeviceInfo::default())
                .await
                .unwrap_err(),
            CloudError::EnrollmentUsed
        ));
        let err = c
            .cloud
            .join_by_enrollment("syncer-enroll:v1:garbage!", NewDeviceInfo::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, CloudError::BadEnrollmentCode { .. }),
            "{err:?}"
        );
        let another = a.cloud.create_enrollment().await.unwrap();
        assert!(matches!(
            b.cloud
                .join_by_enrollment(&another.code, NewDeviceInfo::default())
                .await
                .unwrap_err(),
            CloudError::AlreadySignedIn { .. }
        ));
        // A code pointing at something that is not a Syncer cloud (here: a path under it).
        let mut wrong = EnrollmentCode::parse(&another.code).unwrap();
        wrong.server_url = format!("{}/elsewhere", server.url());
        let err = c
            .cloud
            .join_by_enrollment(&wrong.to_text(), NewDeviceInfo::default())
            .await
            .unwrap_err();
        assert!(matches!(err, CloudError::WrongServer { .. }), "{err:?}");
        // A token the server never issued.
        let mut unknown = EnrollmentCode::parse(&another.code).unwrap();
        unknown.token = "sce_neverissued".to_owned().into();
        assert!(matches!(
            c.cloud
                .preview_enrollment(&unknown.to_text())
                .await
                .unwrap_err(),
            CloudError::EnrollmentUnknown
        ));

        // B edits; A sees it after a sync.
        rename_child(b.store(), "child-1", "Rock (from the phone)").await;
        b.cloud.sync().await.unwrap();
        a.cloud.sync().await.unwrap();
        assert_eq!(a.child_names("base-1").await, ["Rock (from the phone)"]);

        // The device list shows both, with B's details.
        let devices = a.cloud.devices().await.unwrap();
        assert_eq!(devices.len(), 2);
        let phone = devices.iter().find(|d| d.name == "phone").unwrap();
        assert_eq!(phone.enrolled_by, "qr");
        assert_eq!(phone.model.as_deref(), Some("Pixel"));
        assert_eq!(phone.app_version.as_deref(), Some("1.2.3"));
        assert_eq!(phone.platform.as_deref(), Some(std::env::consts::OS));
        assert!(!phone.current);
        // A, signed in with its password, told the server what it is too.
        let laptop = devices.iter().find(|d| d.current).unwrap();
        assert_eq!(laptop.name, "laptop");
        assert_eq!(laptop.enrolled_by, "password");
        assert_eq!(laptop.platform.as_deref(), Some(std::env::consts::OS));
        assert_eq!(laptop.app_version.as_deref(), Some("0.9.0-test"));
        let renamed = a.cloud.rename_device(&phone.id, "old phone").await.unwrap();
        assert_eq!(renamed.name, "old phone");

        // A removes B: B's next call says so, and B forgets the account.
        assert!(!a.cloud.revoke_device(&phone.id).await.unwrap());
        let err = b.cloud.sync().await.unwrap_err();
        assert!(matches!(err, CloudError::DeviceRemoved), "{err:?}");
        assert!(err.to_string().contains("removed"), "{err}");
        let status = b.cloud.status().await.unwrap();
        assert!(!status.signed_in && !status.unlocked);
        assert!(
            b.cloud
                .vault_for_tests()
                .get("cloud:master-key")
                .await
                .unwrap()
                .is_none()
        );
        // B's setup stays as it was.
        assert_eq!(b.child_names("base-1").await, ["Rock (from the phone)"]);
        assert_eq!(a.cloud.devices().await.unwrap().len(), 1);
        // A removing itself signs it out.
        let me = a.cloud.status().await.unwrap().device_id.unwrap();
        assert!(a.cloud.revoke_device(&me).await.unwrap());
        assert!(!a.cloud.status().await.unwrap().signed_in);
        server.finish().await;
    }
);
