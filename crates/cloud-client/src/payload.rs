//! The user's setup as records: what each record's plaintext is, how to read it from the local
//! store and how to write one that arrived back into it. The plaintext is JSON:
//! `{"format":"syncer-setup","v":1,"kind":"base",...}`; fields are added, never renamed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use syncer_core::engine::MirrorMode;
use syncer_core::filter::{Routing, from_json_value, to_json_value};
use syncer_core::ids::{ArtistId, BasePlaylistId, ChildPlaylistId, ConnectionId};
use syncer_core::jobs::Schedule;
use syncer_store::{SetupError, Store, SyncedBase, SyncedChild, SyncedConnection};

use crate::error::{CloudError, Result};

pub const FORMAT: &str = "syncer-setup";
pub const VERSION: u32 = 1;

/// A kind of record, in the order they are applied (a child needs its base, a base its
/// connection); deletions go in reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    Connections,
    ProviderClients,
    Bases,
    Children,
    /// The user's own genre tags per artist ("my genres").
    UserGenres,
}

impl Collection {
    pub const ALL: [Collection; 5] = [
        Self::Connections,
        Self::ProviderClients,
        Self::Bases,
        Self::Children,
        Self::UserGenres,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connections => "connections",
            Self::ProviderClients => "provider_clients",
            Self::Bases => "bases",
            Self::Children => "children",
            Self::UserGenres => "user_genres",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// One piece of setup. Never a secret: a connection carries its settings, not its tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SetupItem {
    Connection {
        id: String,
        provider: String,
        display_name: String,
        auth_kind: String,
        account_id: Option<String>,
    },
    ProviderClient {
        provider: String,
        client_id: String,
    },
    Base {
        id: String,
        connection: String,
        name: String,
        routing: Routing,
        schedule: Schedule,
    },
    Child {
        id: String,
        base: String,
        name: String,
        query: String,
        /// The filter's versioned JSON form.
        filter: serde_json::Value,
        position: i64,
        mirror: MirrorMode,
        allow_empty: bool,
    },
    /// The genres the user gave an artist; they route like the service's own.
    UserGenres {
        artist: String,
        artist_name: Option<String>,
        genres: Vec<String>,
    },
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    format: String,
    v: u32,
    #[serde(flatten)]
    item: SetupItem,
}

impl SetupItem {
    pub fn collection(&self) -> Collection {
        match self {
            Self::Connection { .. } => Collection::Connections,
            Self::ProviderClient { .. } => Collection::ProviderClients,
            Self::Base { .. } => Collection::Bases,
            Self::Child { .. } => Collection::Children,
            Self::UserGenres { .. } => Collection::UserGenres,
        }
    }

    /// Its id in the local store.
    pub fn natural_id(&self) -> &str {
        match self {
            Self::Connection { id, .. } | Self::Base { id, .. } | Self::Child { id, .. } => id,
            Self::ProviderClient { provider, .. } => provider,
            Self::UserGenres { artist, .. } => artist,
        }
    }

    /// A line for people: "base Road trip (37i9...)".
    pub fn describe(&self) -> String {
        match self {
            Self::Connection {
                display_name,
                provider,
                ..
            } => {
                format!("connection {display_name} ({provider})")
            }
            Self::ProviderClient { provider, .. } => format!("{provider} client id"),
            Self::Base { name, id, .. } => format!("base {name} ({id})"),
            Self::Child { name, query, .. } => format!("child {name} [{query}]"),
            Self::UserGenres {
                artist,
                artist_name,
                genres,
            } => format!(
                "my genres of {} ({})",
                artist_name.as_deref().unwrap_or(artist),
                genres.join(", ")
            ),
        }
    }

    /// The plaintext sealed into the record. Field order is fixed by the types, so the same
    /// item always gives the same bytes (and hash).
    pub fn to_plaintext(&self) -> Vec<u8> {
        let envelope = Envelope {
            format: FORMAT.to_owned(),
            v: VERSION,
            item: self.clone(),
        };
        serde_json::to_vec(&envelope).unwrap_or_default()
    }

    pub fn from_plaintext(bytes: &[u8]) -> Result<Self> {
        let envelope: Envelope = serde_json::from_slice(bytes).map_err(|e| {
            CloudError::Invalid(format!(
                "a synced record is not setup this version understands ({e}); update Syncer"
            ))
        })?;
        if envelope.format != FORMAT || envelope.v > VERSION {
            return Err(CloudError::Invalid(format!(
                "a synced record is {} v{}, newer than this version reads; update Syncer",
                envelope.format, envelope.v
            )));
        }
        Ok(envelope.item)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.to_plaintext()).unwrap_or_default()
    }
}

pub fn hash(plaintext: &[u8]) -> String {
    Sha256::digest(plaintext)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every piece of setup on this device, by (collection, natural id).
pub async fn snapshot(store: &Store) -> Result<BTreeMap<(Collection, String), SetupItem>> {
    let mut out = BTreeMap::new();
    let mut put = |item: SetupItem| {
        out.insert((item.collection(), item.natural_id().to_owned()), item);
    };
    for c in store.list_connections().await? {
        put(SetupItem::Connection {
            id: c.id.to_string(),
            provider: c.provider,
            display_name: c.display_name,
            auth_kind: c.auth_kind,
            account_id: c.account_id,
        });
    }
    for (provider, client_id) in store.list_provider_clients().await? {
        put(SetupItem::ProviderClient {
            provider,
            client_id,
        });
    }
    for b in store.list_bases().await? {
        for c in store.list_children(&b.id).await? {
            put(SetupItem::Child {
                id: c.id.to_string(),
                base: c.base.to_string(),
                name: c.name,
                query: c.query,
                // A filter this device cannot read goes as it is stored: the other devices
                // keep what the user had, and may be able to read it.
                filter: match &c.filter {
                    Ok(filter) => to_json_value(filter),
                    Err(broken) => serde_json::from_str(&broken.stored)
                        .unwrap_or_else(|_| serde_json::Value::String(broken.stored.clone())),
                },
                position: c.position,
                mirror: c.mirror,
                allow_empty: c.allow_empty,
            });
        }
        put(SetupItem::Base {
            id: b.id.to_string(),
            connection: b.connection.to_string(),
            name: b.name,
            routing: b.routing,
            schedule: b.schedule,
        });
    }
    for g in store.list_user_genres().await? {
        put(SetupItem::UserGenres {
            artist: g.artist.to_string(),
            artist_name: g.name,
            genres: g.genres,
        });
    }
    Ok(out)
}

/// Writes an item that came from another device into the local store.
pub async fn apply(store: &Store, item: &SetupItem) -> Result<()> {
    match item.clone() {
        SetupItem::Connection {
            id,
            provider,
            display_name,
            auth_kind,
            account_id,
        } => {
            // A connection whose sign-in is on another device must be signed in here; the
            // demo library needs none.
            let exists = store
                .get_connection(&ConnectionId::new(&id))
                .await?
                .is_some();
            let needs_sign_in = !exists && provider != "demo";
            store
                .upsert_synced_connection(
                    &SyncedConnection {
                        id: ConnectionId::new(id),
                        provider,
                        display_name,
                        auth_kind,
                        account_id,
                    },
                    needs_sign_in,
                )
                .await?;
        }
        SetupItem::ProviderClient {
            provider,
            client_id,
        } => store.set_provider_client_id(&provider, &client_id).await?,
        SetupItem::Base {
            id,
            connection,
            name,
            routing,
            schedule,
        } => {
            store
                .upsert_synced_base(&SyncedBase {
                    id: BasePlaylistId::new(id),
                    connection: ConnectionId::new(connection),
                    name,
                    routing,
                    schedule,
                })
                .await?;
        }
        SetupItem::Child {
            id,
            base,
            name,
            query,
            filter,
            position,
            mirror,
            allow_empty,
        } => {
            let filter = from_json_value(filter).map_err(|e| {
                CloudError::Invalid(format!(
                    "the filter of synced child {name} is not readable here ({e}); update Syncer"
                ))
            })?;
            store
                .upsert_synced_child(&SyncedChild {
                    id: ChildPlaylistId::new(id),
                    base: BasePlaylistId::new(base),
                    name,
                    query,
                    filter,
                    position,
                    mirror,
                    allow_empty,
                })
                .await?;
        }
        SetupItem::UserGenres {
            artist,
            artist_name,
            genres,
        } => {
            store
                .set_user_genres(&ArtistId::new(artist), artist_name.as_deref(), &genres)
                .await?;
        }
    }
    Ok(())
}

/// Removes what another device deleted. Already gone is fine.
pub async fn remove(store: &Store, collection: Collection, natural_id: &str) -> Result<()> {
    let gone = |r: std::result::Result<(), SetupError>| match r {
        Ok(()) | Err(SetupError::NotFound { .. }) => Ok(()),
        Err(e) => Err(CloudError::from(e)),
    };
    match collection {
        Collection::Connections => {
            store
                .delete_connection(&ConnectionId::new(natural_id))
                .await?;
            Ok(())
        }
        Collection::ProviderClients => Ok(store.delete_provider_client(natural_id).await?),
        Collection::Bases => gone(store.remove_base(&BasePlaylistId::new(natural_id)).await),
        Collection::Children => gone(store.remove_child(&ChildPlaylistId::new(natural_id)).await),
        Collection::UserGenres => Ok(store
            .set_user_genres(&ArtistId::new(natural_id), None, &[])
            .await?),
    }
}
