//! Playlists, bases and children: what the Playlists page shows and edits. Every command calls
//! the shared application layer; this module only shapes its answers for the window.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use syncer_app::DemoSpec;
use syncer_app::library::{BaseOverview, ChildChanges, ChildSpec, ChildTarget, RoutingChanges};
use syncer_app::links::{ServicePage, ServiceThing, service_page};
use syncer_app::records::ChildRecord;
use syncer_app::sync::Draft;
use syncer_core::engine::{MirrorMode, Preview};
use syncer_core::filter::{Availability, RoutingMode};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId, PlaylistId};
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandResult, OrCommandError};
use crate::state::AppState;
use crate::syncing::SyncHub;

/// A playlist of a connection, as the base picker lists it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PlaylistView {
    pub id: String,
    pub name: String,
    pub tracks: Option<u32>,
    pub owner: Option<String>,
    /// Already a base in Syncer.
    pub is_base: bool,
    /// Already a child of some base: Syncer writes it.
    pub is_child: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChildView {
    pub id: String,
    pub name: String,
    pub query: String,
    pub mirror: MirrorMode,
    pub allow_empty: bool,
    /// Where it opens on the service, or why it does not (the demo).
    pub page: ServicePage,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BaseView {
    pub id: String,
    pub connection: String,
    pub connection_name: String,
    pub name: String,
    pub routing: RoutingMode,
    pub catch_all: Option<String>,
    /// As the schedule field reads it: "manual", "every 30m", "daily 07:30", "on-change 5m".
    pub schedule: String,
    pub last_synced_at: Option<String>,
    /// A sync of this base is running: edits are refused until it ends.
    pub syncing: bool,
    /// In routing order (first-match tries them in this order).
    pub children: Vec<ChildView>,
    /// Where it opens on the service (Liked Songs: the collection), or why it does not.
    pub page: ServicePage,
}

/// One child in a preview.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChildPreviewView {
    pub id: String,
    pub name: String,
    pub count: u32,
    /// Tracks the filter could not decide on (a field it reads is unknown for them).
    pub unknown: u32,
    pub sample: Vec<String>,
    /// Fields the filter reads that this connection cannot provide, with why.
    pub problems: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PreviewView {
    pub base: String,
    pub tracks: u32,
    pub children: Vec<ChildPreviewView>,
    /// Tracks no child takes.
    pub unrouted: u32,
    pub unrouted_sample: Vec<String>,
    /// Entries that cannot be routed at all (episodes, local files), with counts.
    pub skipped: Vec<String>,
}

/// Where a new child's tracks go.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ChildTargetInput {
    /// A new private playlist with this name.
    Create { name: String },
    /// An existing playlist whose contents Syncer will manage from now on.
    Adopt { playlist: String },
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewChildInput {
    pub base: String,
    pub target: ChildTargetInput,
    pub query: String,
    /// Keeps tracks the user adds by hand unless strict (the default keeps them).
    pub mirror: Option<MirrorMode>,
    pub allow_empty: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ChildEditInput {
    pub child: String,
    pub name: Option<String>,
    pub query: Option<String>,
    pub mirror: Option<MirrorMode>,
    pub allow_empty: Option<bool>,
}

/// A child's filter as it is being edited, for a live preview.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DraftInput {
    pub base: String,
    /// The child being edited; none for one not yet created.
    pub child: Option<String>,
    pub name: String,
    pub query: String,
    pub allow_empty: bool,
}

/// What setting up the demo made, so the window can open it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DemoSetupView {
    pub connection: String,
    pub base: String,
    pub children: u32,
}

fn child_view(provider: &str, c: &ChildRecord) -> ChildView {
    ChildView {
        id: c.id.to_string(),
        name: c.name.clone(),
        query: c.query.clone(),
        mirror: c.mirror,
        allow_empty: c.allow_empty,
        page: service_page(
            provider,
            ServiceThing::Playlist(&PlaylistId::new(c.id.as_str())),
        ),
    }
}

pub(crate) async fn base_view(hub: &SyncHub, overview: BaseOverview) -> BaseView {
    let BaseOverview {
        base,
        connection_name,
        provider,
        children,
    } = overview;
    BaseView {
        id: base.id.to_string(),
        connection: base.connection.to_string(),
        connection_name,
        syncing: hub.is_running(&base.id).await,
        routing: base.routing.mode,
        catch_all: base.routing.catch_all.as_ref().map(ToString::to_string),
        // The schedule's one text form, the one the field reads back.
        schedule: base.schedule.to_string(),
        last_synced_at: base.last_synced_at.clone(),
        name: base.name,
        children: children.iter().map(|c| child_view(&provider, c)).collect(),
        page: service_page(
            &provider,
            ServiceThing::Playlist(&PlaylistId::new(base.id.as_str())),
        ),
    }
}

fn preview_view(p: Preview) -> PreviewView {
    PreviewView {
        base: p.base.to_string(),
        tracks: p.tracks,
        children: p
            .children
            .into_iter()
            .map(|c| ChildPreviewView {
                id: c.id.to_string(),
                name: c.name,
                count: c.count,
                unknown: c.unknown,
                sample: c.sample,
                problems: c
                    .problems
                    .iter()
                    .filter_map(|problem| {
                        let why = match &problem.availability {
                            Availability::Unavailable { reason } => reason.clone(),
                            Availability::NotYetKnown => {
                                "not known yet for this connection (Test it on the Connections page)"
                                    .to_owned()
                            }
                            Availability::Available => return None,
                        };
                        Some(format!("{}: {why}", problem.field.name()))
                    })
                    .collect(),
                note: c.note,
            })
            .collect(),
        unrouted: p.unrouted,
        unrouted_sample: p.unrouted_sample,
        skipped: p
            .skipped
            .iter()
            .map(|s| format!("{} × {}", s.count, s.reason))
            .collect(),
    }
}

#[tauri::command]
pub async fn list_playlists(
    state: State<'_, AppState>,
    connection: String,
) -> CommandResult<Vec<PlaylistView>> {
    let listed = state
        .services()?
        .playlists(&ConnectionId::new(connection))
        .await
        .or_command_error()?;
    Ok(listed
        .into_iter()
        .map(|l| PlaylistView {
            is_base: l.is_base,
            is_child: l.is_child,
            id: l.playlist.id.to_string(),
            name: l.playlist.name,
            tracks: l.playlist.total_items,
            owner: l.playlist.owner_name,
        })
        .collect())
}

#[tauri::command]
pub async fn list_bases(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
) -> CommandResult<Vec<BaseView>> {
    let mut views = Vec::new();
    for overview in state.services()?.bases().await.or_command_error()? {
        views.push(base_view(&hub, overview).await);
    }
    Ok(views)
}

#[tauri::command]
pub async fn add_base(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    connection: String,
    playlist: String,
) -> CommandResult<BaseView> {
    let services = state.services()?;
    let record = services
        .add_base(&ConnectionId::new(connection), &PlaylistId::new(playlist))
        .await
        .or_command_error()?;
    hub.reschedule().await;
    let overview = services
        .base_overview(&record.id)
        .await
        .or_command_error()?;
    Ok(base_view(&hub, overview).await)
}

#[tauri::command]
pub async fn remove_base(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    base: String,
) -> CommandResult<()> {
    state
        .services()?
        .remove_base(&BasePlaylistId::new(base))
        .await
        .or_command_error()?;
    hub.reschedule().await;
    Ok(())
}

#[tauri::command]
pub async fn add_child(
    state: State<'_, AppState>,
    input: NewChildInput,
) -> CommandResult<ChildView> {
    let target = match input.target {
        ChildTargetInput::Create { name } => ChildTarget::Create { name },
        ChildTargetInput::Adopt { playlist } => ChildTarget::Adopt {
            playlist: PlaylistId::new(playlist),
        },
    };
    let services = state.services()?;
    let record = services
        .add_child(
            &BasePlaylistId::new(input.base),
            &ChildSpec {
                target,
                query: input.query,
                mirror: input.mirror.unwrap_or_default(),
                allow_empty: input.allow_empty,
            },
        )
        .await
        .or_command_error()?;
    let provider = services
        .provider_of(&record.base)
        .await
        .or_command_error()?;
    Ok(child_view(&provider, &record))
}

#[tauri::command]
pub async fn edit_child(state: State<'_, AppState>, input: ChildEditInput) -> CommandResult<()> {
    state
        .services()?
        .edit_child(
            &ChildPlaylistId::new(input.child),
            ChildChanges {
                name: input.name,
                query: input.query,
                mirror: input.mirror,
                allow_empty: input.allow_empty,
            },
        )
        .await
        .or_command_error()
}

#[tauri::command]
pub async fn remove_child(state: State<'_, AppState>, child: String) -> CommandResult<()> {
    state
        .services()?
        .remove_child(&ChildPlaylistId::new(child))
        .await
        .or_command_error()
}

/// Routing mode and child order of a base; the catch-all takes what no other child does.
#[tauri::command]
pub async fn set_routing(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    base: String,
    mode: RoutingMode,
    order: Vec<String>,
    catch_all: Option<String>,
) -> CommandResult<BaseView> {
    let overview = state
        .services()?
        .set_routing(
            &BasePlaylistId::new(base),
            RoutingChanges {
                mode: Some(mode),
                order: Some(order.into_iter().map(ChildPlaylistId::new).collect()),
                catch_all: Some(
                    catch_all
                        .filter(|c| !c.is_empty())
                        .map(ChildPlaylistId::new),
                ),
            },
        )
        .await
        .or_command_error()?;
    Ok(base_view(&hub, overview).await)
}

#[tauri::command]
pub async fn set_schedule(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    base: String,
    schedule: String,
) -> CommandResult<BaseView> {
    let overview = state
        .services()?
        .set_schedule(&BasePlaylistId::new(base), &schedule)
        .await
        .or_command_error()?;
    hub.reschedule().await;
    Ok(base_view(&hub, overview).await)
}

#[tauri::command]
pub async fn preview(state: State<'_, AppState>, base: String) -> CommandResult<PreviewView> {
    let p = state
        .services()?
        .preview(&BasePlaylistId::new(base))
        .await
        .or_command_error()?;
    Ok(preview_view(p))
}

#[tauri::command]
pub async fn preview_draft(
    state: State<'_, AppState>,
    draft: DraftInput,
) -> CommandResult<PreviewView> {
    let p = state
        .services()?
        .preview_draft(Draft {
            base: BasePlaylistId::new(draft.base),
            child: draft.child.map(ChildPlaylistId::new),
            name: draft.name,
            query: draft.query,
            allow_empty: draft.allow_empty,
        })
        .await
        .or_command_error()?;
    Ok(preview_view(p))
}

/// The demo library: a stand-in for Spotify in this process, a base and five children with
/// sensible filters, so a newcomer sees routing work without an account.
#[tauri::command]
pub async fn set_up_demo(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
) -> CommandResult<DemoSetupView> {
    let made = state
        .services()?
        .set_up_demo(DemoSpec::default())
        .await
        .or_command_error()?;
    hub.reschedule().await;
    Ok(DemoSetupView {
        connection: made.connection.to_string(),
        base: made.base.id.to_string(),
        children: u32::try_from(made.children.len()).unwrap_or(u32::MAX),
    })
}
