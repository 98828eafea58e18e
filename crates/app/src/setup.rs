//! Setting up what Syncer routes: connections, bases and children.

use syncer_core::engine::MirrorMode;
use syncer_core::filter::{Filter, from_json, query, to_json};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId, PlaylistId};
use syncer_core::provider::{MusicProvider, NewPlaylist, PlaylistInfo};
use syncer_store::{BaseRecord, ChildRecord, NewBase, NewChild, NewConnection, SetupError};

use crate::demo::{DEMO_CHILDREN, DemoSpec};
use crate::error::{AppError, AppResult};
use crate::services::{DEMO_PROVIDER, Services, known_empty};

/// Reads a query; the error carries the column it stopped at.
pub fn parse_query(text: &str) -> AppResult<Filter> {
    Ok(query::parse(text)?)
}

/// Reads a query and makes sure the store will read back what it stores: the parser's checks
/// and the JSON form's agree (property-tested), and this says so again where a mismatch would
/// leave a playlist behind on the service.
fn checked_filter(text: &str) -> AppResult<Filter> {
    let filter = parse_query(text)?;
    match from_json(&to_json(&filter)) {
        Ok(stored) if stored == filter => Ok(filter),
        Ok(_) => Err(AppError::Usage(
            "this query does not read back the same once stored; please report it".into(),
        )),
        Err(e) => Err(AppError::Usage(format!(
            "this query cannot be stored ({e}); write it more simply"
        ))),
    }
}

/// Where a new child's tracks go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildTarget {
    /// A new private playlist on the service, with this name.
    Create { name: String },
    /// A playlist that exists: from now on Syncer manages its contents.
    Adopt { playlist: PlaylistId },
}

/// A child to add: its target, its query, and how strictly it mirrors the filter.
#[derive(Debug, Clone)]
pub struct ChildSpec {
    pub target: ChildTarget,
    pub query: String,
    pub mirror: MirrorMode,
    pub allow_empty: bool,
}

/// Adds (or finds) a demo connection and probes what it can provide.
pub async fn connect_demo(services: &Services, spec: DemoSpec) -> AppResult<ConnectionId> {
    let id = spec.connection_id();
    if services.store.get_connection(&id).await?.is_none() {
        services
            .store
            .insert_connection(&NewConnection {
                id: id.clone(),
                provider: DEMO_PROVIDER.into(),
                display_name: spec.describe(),
                auth_kind: syncer_auth::NO_SIGN_IN.into(),
                account_id: None,
            })
            .await?;
    }
    services.probe(&id).await?;
    Ok(id)
}

/// Makes a playlist of the connection a base.
pub async fn add_base(
    services: &Services,
    connection: &ConnectionId,
    playlist: &PlaylistId,
) -> AppResult<BaseRecord> {
    let client = services.client(connection).await?;
    let info = client.playlist(playlist).await?;
    // Checked now rather than at the first preview, after children were made: a followed
    // playlist of someone else's is not readable item by item.
    if !info.collaborative {
        let me = client.current_user().await?;
        if info.owner_id.as_deref().is_some_and(|owner| owner != me.id) {
            return Err(AppError::NotYourPlaylist {
                owner: info
                    .owner_name
                    .clone()
                    .or_else(|| info.owner_id.clone())
                    .unwrap_or_default(),
                name: info.name,
            });
        }
    }
    let id = BasePlaylistId::new(playlist.as_str());
    services
        .store
        .add_base(&NewBase {
            id: id.clone(),
            connection: connection.clone(),
            name: info.name,
        })
        .await?;
    services.base(id.as_str()).await
}

/// Adds a child under a base. Everything that can be checked without the service is checked
/// before the service is asked anything, so a child that would be refused never leaves a
/// playlist behind: the query (syntax, depth, values that cannot match, and that its stored
/// form reads back), the name, the target, the base, and that no sync runs.
pub async fn add_child(
    services: &Services,
    base: &BasePlaylistId,
    spec: &ChildSpec,
) -> AppResult<ChildRecord> {
    let filter = checked_filter(&spec.query)?;
    let new_name = match &spec.target {
        ChildTarget::Adopt { playlist } => {
            if playlist.as_str() == base.as_str() {
                return Err(AppError::Usage(
                    "a base cannot be its own child: pick another playlist".into(),
                ));
            }
            if services
                .store
                .get_child(&ChildPlaylistId::new(playlist.as_str()))
                .await?
                .is_some()
            {
                return Err(SetupError::Exists {
                    what: format!("child {playlist}"),
                }
                .into());
            }
            None
        }
        ChildTarget::Create { name } => {
            let name = name.trim();
            if name.is_empty() {
                return Err(AppError::Usage("a new playlist needs a name".into()));
            }
            Some(name.to_owned())
        }
    };
    let record = services.base(base.as_str()).await?;
    services.store.ensure_not_syncing(&record.id).await?;
    let client = services.client(&record.connection).await?;
    let (id, name, created) = match (&spec.target, new_name) {
        (ChildTarget::Adopt { playlist }, _) => {
            let info = client.playlist(playlist).await?;
            (playlist.to_string(), info.name, None)
        }
        (ChildTarget::Create { .. }, name) => {
            let name = name.unwrap_or_default();
            let info = client
                .create_playlist(&NewPlaylist {
                    name: name.to_owned(),
                    description: Some(format!("Managed by Syncer: {}", spec.query)),
                    public: false,
                    collaborative: false,
                })
                .await?;
            (info.id.to_string(), name, Some(info))
        }
    };
    let child = ChildPlaylistId::new(id.as_str());
    services
        .store
        .add_child(&NewChild {
            id: child.clone(),
            base: record.id.clone(),
            name,
            query: spec.query.clone(),
            filter,
            mirror: spec.mirror,
            allow_empty: spec.allow_empty,
        })
        .await?;
    if let Some(info) = &created {
        known_empty(&services.store, info).await?;
    }
    services
        .store
        .list_children(&record.id)
        .await?
        .into_iter()
        .find(|c| c.id == child)
        .ok_or_else(|| AppError::NotFound(format!("child {child} vanished while being added")))
}

/// What setting up the demo made.
#[derive(Debug, Clone)]
pub struct DemoSetup {
    pub connection: ConnectionId,
    pub base: BaseRecord,
    pub base_entries: u32,
    pub children: Vec<ChildRecord>,
}

/// The connection's own playlist with the most items: the demo's base, a liked-songs-sized
/// list.
pub async fn biggest_playlist(
    services: &Services,
    connection: &ConnectionId,
) -> AppResult<PlaylistInfo> {
    let client = services.client(connection).await?;
    let me = client.current_user().await?;
    client
        .all_playlists()
        .await?
        .into_iter()
        // Only what can be a base: the user's own (or collaborative) playlists.
        .filter(|p| p.collaborative || p.owner_id.as_deref() == Some(me.id.as_str()))
        .max_by_key(|p| p.total_items.unwrap_or(0))
        .ok_or_else(|| AppError::Service(format!("the connection {connection} has no playlist")))
}

/// Connects the demo library, makes its biggest playlist the base and adds children with
/// sensible filters. A previous demo of the same library is replaced first, before the
/// stand-in starts, so the new children get the first ids again.
pub async fn set_up_demo(services: &Services, spec: DemoSpec) -> AppResult<DemoSetup> {
    let connection = spec.connection_id();
    for b in services.store.list_bases().await? {
        if b.connection == connection {
            services.store.remove_base(&b.id).await?;
        }
    }
    // A stand-in already running in this process holds the old children: start afresh.
    services.forget_client(&connection).await;
    connect_demo(services, spec).await?;
    let biggest = biggest_playlist(services, &connection).await?;
    let base = add_base(services, &connection, &biggest.id).await?;
    let mut children = Vec::new();
    for (name, query) in DEMO_CHILDREN {
        let child = add_child(
            services,
            &base.id,
            &ChildSpec {
                target: ChildTarget::Create {
                    name: name.to_owned(),
                },
                query: query.to_owned(),
                mirror: MirrorMode::default(),
                allow_empty: false,
            },
        )
        .await?;
        children.push(child);
    }
    Ok(DemoSetup {
        connection,
        base,
        base_entries: biggest.total_items.unwrap_or(0),
        children,
    })
}
