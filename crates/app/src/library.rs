//! What Syncer routes, as use cases: the playlists of a connection, bases, children, their
//! routing, order and schedules, and the demo library set up in one go.

use std::collections::HashSet;

use syncer_core::engine::MirrorMode;
use syncer_core::engine::library::check_refs;
use syncer_core::filter::{
    Filter, LibraryRefs, Routing, RoutingMode, exclusions, from_json, query, to_json,
    with_exclusions,
};
use syncer_core::ids::{
    BasePlaylistId, ChildPlaylistId, ConnectionId, LIKED_SONGS_NAME, PlaylistId, SnapshotId,
};
use syncer_core::jobs::Schedule;
use syncer_core::provider::{MusicProvider, NewPlaylist, PlaylistInfo, ProviderError};
use syncer_store::{BaseRecord, ChildEdit, ChildRecord, NewBase, NewChild, SetupError};

use crate::demo::{DEMO_CHILDREN, DemoSpec};
use crate::error::{AppError, AppResult, Thing};
use crate::services::{Services, known_empty};

/// A playlist of a connection, and what Syncer does with it already.
#[derive(Debug, Clone)]
pub struct PlaylistListing {
    pub playlist: PlaylistInfo,
    pub is_base: bool,
    pub is_child: bool,
}

/// A base with what a front end shows of it: its connection's name and its children in
/// routing order (first-match tries them in this order).
#[derive(Debug, Clone)]
pub struct BaseOverview {
    pub base: BaseRecord,
    pub connection_name: String,
    /// The connection's provider, for links to the service (crate::links).
    pub provider: String,
    pub children: Vec<ChildRecord>,
}

/// Changes to a child; `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct ChildChanges {
    pub name: Option<String>,
    pub query: Option<String>,
    pub mirror: Option<MirrorMode>,
    pub allow_empty: Option<bool>,
}

/// Changes to a base's routing; `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct RoutingChanges {
    pub mode: Option<RoutingMode>,
    /// The children in the order first-match tries them (all of them, or none to keep it).
    pub order: Option<Vec<ChildPlaylistId>>,
    /// `Some(None)` takes the catch-all away.
    pub catch_all: Option<Option<ChildPlaylistId>>,
}

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

/// `query` with these exclusion lists added ("never add tracks that are in playlist X"), its
/// own rules and exclusions kept: what `child add --exclude` saves.
pub fn query_excluding(query_text: &str, playlists: &[String]) -> AppResult<String> {
    let filter = checked_filter(query_text)?;
    if playlists.is_empty() {
        return Ok(query_text.to_owned());
    }
    let mut all = exclusions(&filter);
    all.extend(playlists.iter().cloned());
    Ok(query::format(&with_exclusions(&filter, &all)))
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

/// What setting up the demo made.
#[derive(Debug, Clone)]
pub struct DemoSetup {
    pub connection: ConnectionId,
    pub base: BaseRecord,
    pub base_entries: u32,
    pub children: Vec<ChildRecord>,
}

impl Services {
    /// Makes a playlist of the connection a base (Liked Songs too, by their reserved id: the
    /// window's picker lists them with the playlists). A sign-in without the permission Liked
    /// Songs need is [`AppError::MissingScope`], whichever front end asked.
    pub async fn add_base(
        &self,
        connection: &ConnectionId,
        playlist: &PlaylistId,
    ) -> AppResult<BaseRecord> {
        match self.add_base_unchecked(connection, playlist).await {
            Err(AppError::Provider(ProviderError::MissingScope { scope, what })) => {
                Err(self.missing_scope(connection, scope, what).await)
            }
            other => other,
        }
    }

    async fn add_base_unchecked(
        &self,
        connection: &ConnectionId,
        playlist: &PlaylistId,
    ) -> AppResult<BaseRecord> {
        let client = self.client(connection).await?;
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
        self.store
            .add_base(&NewBase {
                id: id.clone(),
                connection: connection.clone(),
                name: info.name,
            })
            .await?;
        self.base(id.as_str()).await
    }

    /// Makes the connection's Liked Songs a base (`liked:<connection>`, see
    /// `PlaylistId::liked_songs`). A connection made before Syncer asked for
    /// `user-library-read` is refused with [`AppError::MissingScope`]: reconnecting it (same
    /// connection, setup kept) grants it.
    pub async fn add_liked_base(&self, connection: &ConnectionId) -> AppResult<BaseRecord> {
        self.add_base(connection, &PlaylistId::liked_songs(connection))
            .await
    }

    /// The lists a filter's library rules name (`in:`, `liked`) can be read: each `in:` names
    /// one playlist of the connection, and Liked Songs are allowed. Checked when a filter is
    /// saved, so a typo is said at once, with a close name, rather than at the next sync.
    async fn check_library_rules(
        &self,
        connection: &ConnectionId,
        filter: &Filter,
    ) -> AppResult<()> {
        let refs = LibraryRefs::of(filter);
        if refs.is_empty() {
            return Ok(());
        }
        let client = self.client(connection).await?;
        if !refs.playlists.is_empty() {
            let listing = client.all_playlists().await?;
            check_refs(&listing, &refs).map_err(AppError::UnknownList)?;
        }
        if refs.liked
            && let Err(ProviderError::MissingScope { scope, what }) = client
                .snapshot_id(&PlaylistId::liked_songs(connection))
                .await
        {
            return Err(self.missing_scope(connection, scope, what).await);
        }
        Ok(())
    }

    async fn missing_scope(
        &self,
        connection: &ConnectionId,
        scope: String,
        what: String,
    ) -> AppError {
        let provider = match self.store.get_connection(connection).await {
            Ok(Some(record)) => record.provider,
            _ => crate::providers::SPOTIFY_PROVIDER.to_owned(),
        };
        AppError::MissingScope {
            connection: connection.to_string(),
            provider,
            scope,
            what,
        }
    }

    /// Adds a child under a base. Everything that can be checked without the service is checked
    /// before the service is asked anything, so a child that would be refused never leaves a
    /// playlist behind: the query (syntax, depth, values that cannot match, and that its stored
    /// form reads back), the name, the target, the base, and that no sync runs.
    pub async fn add_child(
        &self,
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
                if self
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
        let record = self.base(base.as_str()).await?;
        self.store.ensure_not_syncing(&record.id).await?;
        self.check_library_rules(&record.connection, &filter)
            .await?;
        let client = self.client(&record.connection).await?;
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
        self.store
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
            known_empty(&self.store, info).await?;
        }
        self.store
            .list_children(&record.id)
            .await?
            .into_iter()
            .find(|c| c.id == child)
            .ok_or_else(|| AppError::NotFound(format!("child {child} vanished while being added")))
    }

    /// The connection's own playlist with the most items: the demo's base, a liked-songs-sized
    /// list.
    pub async fn biggest_playlist(&self, connection: &ConnectionId) -> AppResult<PlaylistInfo> {
        let client = self.client(connection).await?;
        let me = client.current_user().await?;
        client
            .all_playlists()
            .await?
            .into_iter()
            // Only what can be a base: the user's own (or collaborative) playlists.
            .filter(|p| p.collaborative || p.owner_id.as_deref() == Some(me.id.as_str()))
            .max_by_key(|p| p.total_items.unwrap_or(0))
            .ok_or_else(|| {
                AppError::Service(format!("the connection {connection} has no playlist"))
            })
    }

    /// Connects the demo library, makes its Liked Songs the base (what most people want sorted:
    /// a demo user sees the real use case first) and adds children with sensible filters. A
    /// previous demo of the same library is replaced first, before the stand-in starts, so the
    /// new children get the first ids again.
    pub async fn set_up_demo(&self, spec: DemoSpec) -> AppResult<DemoSetup> {
        let connection = spec.connection_id();
        for b in self.store.list_bases().await? {
            if b.connection == connection {
                self.store.remove_base(&b.id).await?;
            }
        }
        // A stand-in already running in this process holds the old children: start afresh.
        self.forget_client(&connection).await;
        self.connect_demo(spec).await?;
        let liked = PlaylistId::liked_songs(&connection);
        // One request (the change check's page), not the whole playlist listing.
        let base_entries = self
            .client(&connection)
            .await?
            .playlist(&liked)
            .await?
            .total_items
            .unwrap_or(0);
        let base = self.add_base(&connection, &liked).await?;
        let mut children = Vec::new();
        for (name, query) in DEMO_CHILDREN {
            let child = self
                .add_child(
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
            base_entries,
            children,
        })
    }

    /// The playlists of a connection, marked when they are a base or a child already.
    pub async fn playlists(&self, connection: &ConnectionId) -> AppResult<Vec<PlaylistListing>> {
        let client = self.client(connection).await?;
        // Liked Songs first: what most people want sorted. A connection without the library
        // permission still lists it (without a count), so choosing it says why it cannot be.
        let liked_id = PlaylistId::liked_songs(connection);
        let liked = match client.playlist(&liked_id).await {
            Ok(info) => info,
            Err(ProviderError::MissingScope { .. }) => PlaylistInfo {
                id: liked_id.clone(),
                name: LIKED_SONGS_NAME.to_owned(),
                description: None,
                owner_id: None,
                owner_name: None,
                snapshot_id: SnapshotId::new(""),
                total_items: None,
                public: Some(false),
                collaborative: false,
            },
            Err(e) => return Err(e.into()),
        };
        let mut all = vec![liked];
        all.extend(client.all_playlists().await?);
        let bases = self.store.list_bases().await?;
        let mut children = HashSet::new();
        for b in &bases {
            for c in self.store.list_children(&b.id).await? {
                children.insert(c.id.to_string());
            }
        }
        Ok(all
            .into_iter()
            .map(|p| PlaylistListing {
                is_base: bases.iter().any(|b| b.id.as_str() == p.id.as_str()),
                is_child: children.contains(p.id.as_str()),
                playlist: p,
            })
            .collect())
    }

    /// One base with its connection's name and its children in routing order.
    pub async fn base_overview(&self, base: &BasePlaylistId) -> AppResult<BaseOverview> {
        let record = self.base(base.as_str()).await?;
        self.overview_of(record).await
    }

    async fn overview_of(&self, base: BaseRecord) -> AppResult<BaseOverview> {
        let connection = self.store.get_connection(&base.connection).await?;
        let (connection_name, provider) = connection.map_or_else(
            || (base.connection.to_string(), String::new()),
            |c| (c.display_name, c.provider),
        );
        let children = self.store.children_in_order(&base.id).await?;
        Ok(BaseOverview {
            base,
            connection_name,
            provider,
            children,
        })
    }

    /// Every base, as [`Services::base_overview`] shows one.
    pub async fn bases(&self) -> AppResult<Vec<BaseOverview>> {
        let mut out = Vec::new();
        for b in self.store.list_bases().await? {
            out.push(self.overview_of(b).await?);
        }
        Ok(out)
    }

    /// Stops routing a base (its children's playlists stay on the service). Refused while
    /// it syncs.
    pub async fn remove_base(&self, base: &BasePlaylistId) -> AppResult<()> {
        self.base(base.as_str()).await?;
        Ok(self.store.remove_base(base).await?)
    }

    /// A child by id, or "no such child".
    pub async fn child(&self, child: &ChildPlaylistId) -> AppResult<ChildRecord> {
        self.store
            .get_child(child)
            .await?
            .ok_or_else(|| AppError::missing(Thing::Child, child.as_str()))
    }

    /// A base's children in routing order.
    pub async fn children(&self, base: &BasePlaylistId) -> AppResult<Vec<ChildRecord>> {
        let record = self.base(base.as_str()).await?;
        Ok(self.store.children_in_order(&record.id).await?)
    }

    /// Changes a child's name, query, mirror mode or "allow empty". A new query is checked
    /// as a new child's is. Refused while its base syncs.
    pub async fn edit_child(
        &self,
        child: &ChildPlaylistId,
        changes: ChildChanges,
    ) -> AppResult<()> {
        let query = match changes.query {
            Some(text) => {
                let filter = checked_filter(&text)?;
                Some((text, filter))
            }
            None => None,
        };
        if changes.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(AppError::Usage("a child needs a name".into()));
        }
        let record = self.child(child).await?;
        if let Some((_, filter)) = &query {
            let base = self.base(record.base.as_str()).await?;
            self.check_library_rules(&base.connection, filter).await?;
        }
        Ok(self
            .store
            .edit_child(
                child,
                &ChildEdit {
                    name: changes.name.map(|n| n.trim().to_owned()),
                    query,
                    mirror: changes.mirror,
                    allow_empty: changes.allow_empty,
                },
            )
            .await?)
    }

    /// Sets a child's exclusion lists to exactly `playlists` (none: no exclusion list), its
    /// other rules kept: the child option "never add tracks that are in playlist X". Checked
    /// and saved as any query edit is.
    pub async fn set_exclusions(
        &self,
        child: &ChildPlaylistId,
        playlists: &[String],
    ) -> AppResult<String> {
        let record = self.child(child).await?;
        let filter = checked_filter(&record.query)?;
        let text = query::format(&with_exclusions(&filter, playlists));
        self.edit_child(
            child,
            ChildChanges {
                query: Some(text.clone()),
                ..ChildChanges::default()
            },
        )
        .await?;
        Ok(text)
    }

    /// Stops managing a child (its playlist stays on the service). Refused while its base
    /// syncs.
    pub async fn remove_child(&self, child: &ChildPlaylistId) -> AppResult<()> {
        self.child(child).await?;
        Ok(self.store.remove_child(child).await?)
    }

    /// Moves a child to `position` (1 = first) in its base's routing order; returns the base.
    pub async fn move_child(
        &self,
        child: &ChildPlaylistId,
        position: u32,
    ) -> AppResult<BaseOverview> {
        let record = self.child(child).await?;
        let count = self.store.list_children(&record.base).await?.len();
        let index = usize::try_from(position)
            .unwrap_or(usize::MAX)
            .saturating_sub(1);
        if position == 0 || index >= count {
            return Err(AppError::Usage(format!(
                "base {} has {count} children: give a position from 1 to {count}",
                record.base
            )));
        }
        self.store.move_child(child, index).await?;
        self.base_overview(&record.base).await
    }

    /// Changes how a base routes: mode, order, catch-all. The order and the catch-all must
    /// name the base's own children. Refused while it syncs.
    pub async fn set_routing(
        &self,
        base: &BasePlaylistId,
        changes: RoutingChanges,
    ) -> AppResult<BaseOverview> {
        let record = self.base(base.as_str()).await?;
        let children: HashSet<ChildPlaylistId> = self
            .store
            .list_children(&record.id)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut routing: Routing = record.routing.clone();
        if let Some(mode) = changes.mode {
            routing.mode = mode;
        }
        if let Some(order) = changes.order {
            if let Some(stranger) = order.iter().find(|c| !children.contains(*c)) {
                return Err(AppError::missing(Thing::Child, stranger.as_str()));
            }
            routing.order = order;
        }
        if let Some(catch_all) = changes.catch_all {
            if let Some(c) = catch_all.as_ref().filter(|c| !children.contains(*c)) {
                return Err(AppError::missing(Thing::Child, c.as_str()));
            }
            routing.catch_all = catch_all;
        }
        self.store.set_base_routing(&record.id, &routing).await?;
        self.base_overview(&record.id).await
    }

    /// Sets when a base syncs by itself, from its text form (`daily 07:30`, `every 2h`).
    pub async fn set_schedule(&self, base: &BasePlaylistId, text: &str) -> AppResult<BaseOverview> {
        let schedule = Schedule::parse(text.trim()).map_err(AppError::Usage)?;
        let record = self.base(base.as_str()).await?;
        self.store.set_base_schedule(&record.id, &schedule).await?;
        self.base_overview(&record.id).await
    }
}
