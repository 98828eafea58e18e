//! Starting, serving and stopping. The accept loop is our own (not `axum::serve`) so that a
//! scripted fault can close one connection without answering.

use std::net::SocketAddr;
use std::sync::Arc;

use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

use crate::FakeConfig;
use crate::accounts_state::{ALL_SCOPES, Client, Consent};
use crate::error::FakeError;
use crate::faults::{FaultController, Scope};
use crate::library::{LibraryView, generate::generate};
use crate::middleware::{ConnectionKill, observe};
use crate::quirks::AppUserRefusal;
use crate::routes::router;
use crate::state::Shared;
use crate::stats::RequestStats;

/// A running stand-in. Dropping it stops the server too (without waiting).
pub struct FakeSpotify {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: Option<JoinHandle<()>>,
}

impl FakeSpotify {
    /// Generates the library and serves it on `config.bind` (default `127.0.0.1:0`).
    pub async fn start(config: FakeConfig) -> Result<FakeSpotify, FakeError> {
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| FakeError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(FakeError::LocalAddr)?;
        let library = generate(config.seed, &config.library);
        let shared = Arc::new(Shared::new(config, format!("http://{addr}"), library));
        let app = router(shared.clone()).layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            observe,
        ));
        let task = tokio::spawn(accept_loop(listener, app, shared.clone()));
        tracing::info!(%addr, mode = %shared.config.mode, "spotify-fake listening");
        Ok(FakeSpotify {
            shared,
            addr,
            task: Some(task),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/v1`
    pub fn api_base(&self) -> String {
        self.shared.api_base()
    }

    /// `http://127.0.0.1:PORT`, serving `/authorize` and `/api/token`.
    pub fn accounts_base(&self) -> String {
        self.shared.origin.clone()
    }

    pub fn mode(&self) -> crate::Mode {
        self.shared.config.mode
    }

    /// A valid access token (every scope Syncer uses) for a generated user, for tests that
    /// skip OAuth. An unknown user id gets the first user.
    pub fn mint_token(&self, user_id: &str) -> String {
        self.mint_token_with_scopes(user_id, ALL_SCOPES)
    }

    /// As [`Self::mint_token`] with chosen scopes (space-separated).
    pub fn mint_token_with_scopes(&self, user_id: &str, scopes: &str) -> String {
        let user = self.shared.library().user(user_id).unwrap_or(0);
        self.shared.auth().issue_access(user, scopes, None)
    }

    /// Registers a public (PKCE) client and its allowed redirect URIs.
    pub fn register_client(&self, client_id: &str, redirect_uris: &[&str]) {
        self.shared.auth().clients.insert(
            client_id.to_owned(),
            Client {
                redirect_uris: redirect_uris.iter().map(|u| (*u).to_owned()).collect(),
            },
        );
    }

    /// How `/authorize` answers: approve (redirect with a code) or deny
    /// (`error=access_denied`).
    pub fn set_consent(&self, decision: Consent) {
        self.shared.auth().consent = decision;
    }

    /// Sign-ins from now on are granted without these scopes, whatever they ask: as a
    /// connection made before Syncer asked for them. An empty list grants what is asked.
    pub fn withhold_scopes(&self, scopes: &[&str]) {
        self.shared.auth().withheld_scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
    }

    /// Which generated user logs in at `/authorize` (default: the first). Returns false for
    /// an unknown user id.
    pub fn set_login_user(&self, user_id: &str) -> bool {
        let Some(user) = self.shared.library().user(user_id) else {
            return false;
        };
        self.shared.auth().login_user = user;
        true
    }

    /// Writes every integer of Web API answers as a float (`1.0`, `33920.0`), as Spotify did
    /// in March 2024.
    pub fn set_integers_as_floats(&self, on: bool) {
        self.shared.quirks().integers_as_floats = on;
    }

    /// Lists these playlists (by id) with `"id": null`, like a 2014 "Starred" entry; their
    /// places in the listing and its total stay.
    pub fn list_with_null_id(&self, playlist_ids: &[&str]) {
        self.shared.quirks().null_ids = playlist_ids.iter().map(|id| (*id).to_owned()).collect();
    }

    /// Saves a track to `user_id`'s Liked Songs (what the Spotify app's heart does), newest,
    /// one second after the newest saved so far; a track already saved moves to the top, as
    /// saving it again does. False for an unknown user or track.
    pub fn like(&self, user_id: &str, track_id: &str) -> bool {
        let mut lib = self.shared.library_mut();
        let (Some(user), Some(track)) =
            (lib.user(user_id), lib.index.tracks.get(track_id).copied())
        else {
            return false;
        };
        let liked = &mut lib.users[user].liked;
        let added_at = liked.first().map_or(0, |s| s.added_at) + 1;
        liked.retain(|s| s.track != track);
        liked.insert(0, crate::model::Saved { track, added_at });
        true
    }

    /// Removes a track from `user_id`'s Liked Songs; false when it was not there.
    pub fn unlike(&self, user_id: &str, track_id: &str) -> bool {
        let mut lib = self.shared.library_mut();
        let (Some(user), Some(track)) =
            (lib.user(user_id), lib.index.tracks.get(track_id).copied())
        else {
            return false;
        };
        let liked = &mut lib.users[user].liked;
        let before = liked.len();
        liked.retain(|s| s.track != track);
        liked.len() != before
    }

    /// Unfollows a playlist for `user_id` (what "Delete" does in the Spotify app: the playlist
    /// leaves the user's listing, and stays readable by id). False when it was not listed.
    pub fn unfollow(&self, user_id: &str, playlist_id: &str) -> bool {
        let mut lib = self.shared.library_mut();
        let (Some(user), Some(playlist)) = (lib.user(user_id), lib.playlist(playlist_id)) else {
            return false;
        };
        let listed = &mut lib.users[user].playlists;
        let before = listed.len();
        listed.retain(|p| *p != playlist);
        listed.len() != before
    }

    /// Sends playlist objects (listings and details) without `snapshot_id`.
    pub fn set_without_snapshot_id(&self, on: bool) {
        self.shared.quirks().without_snapshot_id = on;
    }

    /// Development Mode's user list (User Management in the dashboard): only these users may
    /// use the Web API; any other gets a plain-text 403 with `refusal`'s words. Unknown ids
    /// are ignored.
    pub fn set_app_users(&self, user_ids: &[&str], refusal: AppUserRefusal) {
        let lib = self.shared.library();
        let listed = user_ids.iter().filter_map(|id| lib.user(id)).collect();
        drop(lib);
        self.shared.quirks().app_users = Some((listed, refusal));
    }

    /// Every user may use the Web API again (the default).
    pub fn allow_all_app_users(&self) {
        self.shared.quirks().app_users = None;
    }

    /// Whether refreshes rotate the refresh token (default) or answer without one.
    pub fn set_refresh_rotation(&self, rotate: bool) {
        self.shared.auth().rotate = rotate;
    }

    /// Moves every sign-in's authorization `by` into the past: with
    /// [`crate::FakeConfig::refresh_token_lifetime`], what makes a refresh answer
    /// `invalid_grant` ("Refresh token expired") without waiting six months.
    pub fn age_sign_ins(&self, by: std::time::Duration) {
        self.shared.auth().age_grants(by);
    }

    /// How many grants were revoked because a spent (rotated) refresh token was presented
    /// again: 0 when every client kept up with rotation.
    pub fn refresh_token_reuses(&self) -> u64 {
        self.shared.auth().reuse_revocations
    }

    pub fn faults(&self) -> FaultController {
        FaultController {
            shared: self.shared.clone(),
            scope: Scope::All,
            skip: 0,
        }
    }

    pub fn requests(&self) -> RequestStats {
        RequestStats {
            shared: self.shared.clone(),
        }
    }

    pub fn library(&self) -> LibraryView {
        LibraryView {
            shared: self.shared.clone(),
        }
    }

    /// Stops accepting, ends open connections and hanging requests, and waits for the
    /// server task.
    pub async fn shutdown(mut self) {
        self.shared.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            // A join error means the task panicked or was aborted: either way it is stopped.
            let _ = task.await;
        }
    }
}

impl Drop for FakeSpotify {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, app: axum::Router, shared: Arc<Shared>) {
    let mut stop = shared.shutdown.subscribe();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Transient (e.g. too many open files): keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            _ = stop.wait_for(|stopped| *stopped) => break,
        };
        let kill = Arc::new(Notify::new());
        let app = app.clone();
        let conn_kill = kill.clone();
        let service = tower::service_fn(
            move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(ConnectionKill(conn_kill.clone()));
                app.clone().oneshot(req.map(axum::body::Body::new))
            },
        );
        let mut stop = shared.shutdown.subscribe();
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            tokio::select! {
                result = conn => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                }
                () = kill.notified() => {}
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
        });
    }
}
