//! Playlists, bases and children: what the Playlists page shows and edits. Every command calls
//! the shared application layer; this module only shapes its answers for the window.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use syncer_app::setup::{self, ChildSpec, ChildTarget};
use syncer_app::{DemoSpec, Services};
use syncer_core::engine::{DraftChild, MirrorMode, Preview};
use syncer_core::filter::{Availability, Routing, RoutingMode};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId, PlaylistId};
use syncer_core::jobs::Schedule;
use syncer_core::provider::MusicProvider;
use syncer_store::{BaseRecord, ChildEdit, ChildRecord};
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorCode, OrCommandError};
use crate::state::AppState;
use crate::syncing::SyncHub;

/// A playlist of a connection, as the base picker lists it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
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
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ChildView {
    pub id: String,
    pub name: String,
    pub query: String,
    /// "keep_user_tracks" or "strict".
    pub mirror: String,
    pub allow_empty: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct BaseView {
    pub id: String,
    pub connection: String,
    pub connection_name: String,
    pub name: String,
    /// "independent" or "first_match".
    pub routing: String,
    pub catch_all: Option<String>,
    /// As the schedule field reads it: "manual", "every 30m", "daily 07:30", "on-change 5m".
    pub schedule: String,
    pub last_synced_at: Option<String>,
    /// A sync of this base is running: edits are refused until it ends.
    pub syncing: bool,
    /// In routing order (first-match tries them in this order).
    pub children: Vec<ChildView>,
}

/// One child in a preview.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
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
#[ts(export, export_to = "../ui/src/bindings/")]
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
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum ChildTargetInput {
    /// A new private playlist with this name.
    Create { name: String },
    /// An existing playlist whose contents Syncer will manage from now on.
    Adopt { playlist: String },
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct NewChildInput {
    pub base: String,
    pub target: ChildTargetInput,
    pub query: String,
    /// "keep_user_tracks" (default) or "strict".
    pub mirror: Option<String>,
    pub allow_empty: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ChildEditInput {
    pub child: String,
    pub name: Option<String>,
    pub query: Option<String>,
    pub mirror: Option<String>,
    pub allow_empty: Option<bool>,
}

/// A child's filter as it is being edited, for a live preview.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
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
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct DemoSetupView {
    pub connection: String,
    pub base: String,
    pub children: u32,
}

fn mirror_of(text: Option<&str>) -> CommandResult<Option<MirrorMode>> {
    text.map(|t| {
        MirrorMode::parse(t).ok_or_else(|| {
            CommandError::with_code(
                ErrorCode::Invalid,
                format!("'{t}' is not a mirror mode: keep_user_tracks or strict"),
            )
        })
    })
    .transpose()
}

fn child_view(c: &ChildRecord) -> ChildView {
    ChildView {
        id: c.id.to_string(),
        name: c.name.clone(),
        query: c.query.clone(),
        mirror: c.mirror.as_str().to_owned(),
        allow_empty: c.allow_empty,
    }
}

fn schedule_text(schedule: &Schedule) -> String {
    match schedule {
        Schedule::Manual => "manual".to_owned(),
        Schedule::Every { minutes } if minutes % 60 == 0 => format!("every {}h", minutes / 60),
        Schedule::Every { minutes } => format!("every {minutes}m"),
        Schedule::DailyAt { hour, minute } => format!("daily {hour:02}:{minute:02}"),
        Schedule::OnChange { poll_minutes } => format!("on-change {poll_minutes}m"),
    }
}

pub(crate) async fn base_view(
    services: &Services,
    hub: &SyncHub,
    base: BaseRecord,
) -> CommandResult<BaseView> {
    let children = services
        .store
        .list_children(&base.id)
        .await
        .or_command_error()?;
    let connection_name = services
        .store
        .get_connection(&base.connection)
        .await
        .or_command_error()?
        .map_or_else(|| base.connection.to_string(), |c| c.display_name);
    let children = syncer_store::order_children(&base.routing, children);
    Ok(BaseView {
        id: base.id.to_string(),
        connection: base.connection.to_string(),
        connection_name,
        syncing: hub.is_running(&base.id).await,
        routing: match base.routing.mode {
            RoutingMode::Independent => "independent",
            RoutingMode::FirstMatch => "first_match",
        }
        .to_owned(),
        catch_all: base.routing.catch_all.as_ref().map(ToString::to_string),
        schedule: schedule_text(&base.schedule),
        last_synced_at: base.last_synced_at.clone(),
        name: base.name,
        children: children.iter().map(child_view).collect(),
    })
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

/// Refuses an edit while the base syncs, with the reason, before touching anything.
async fn ensure_idle(hub: &SyncHub, base: &BasePlaylistId) -> CommandResult<()> {
    if hub.is_running(base).await {
        return Err(CommandError::with_code(
            ErrorCode::SyncInProgress,
            "This base is syncing: wait for it to finish or cancel it, then edit.",
        ));
    }
    Ok(())
}

async fn base_of_child(
    services: &Services,
    child: &ChildPlaylistId,
) -> CommandResult<BasePlaylistId> {
    services
        .store
        .get_child(child)
        .await
        .or_command_error()?
        .map(|c| c.base)
        .ok_or_else(|| {
            CommandError::with_code(
                ErrorCode::NotFound,
                format!("{child} is not a child in Syncer"),
            )
        })
}

#[tauri::command]
pub async fn list_playlists(
    state: State<'_, AppState>,
    connection: String,
) -> CommandResult<Vec<PlaylistView>> {
    let services = state.services()?;
    let id = ConnectionId::new(connection);
    let client = services.client(&id).await.or_command_error()?;
    let all = client.all_playlists().await.or_command_error()?;
    let bases = services.store.list_bases().await.or_command_error()?;
    let mut children = std::collections::HashSet::new();
    for b in &bases {
        for c in services
            .store
            .list_children(&b.id)
            .await
            .or_command_error()?
        {
            children.insert(c.id.to_string());
        }
    }
    Ok(all
        .into_iter()
        .map(|p| PlaylistView {
            is_base: bases.iter().any(|b| b.id.as_str() == p.id.as_str()),
            is_child: children.contains(p.id.as_str()),
            id: p.id.to_string(),
            name: p.name,
            tracks: p.total_items,
            owner: p.owner_name,
        })
        .collect())
}

#[tauri::command]
pub async fn list_bases(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
) -> CommandResult<Vec<BaseView>> {
    let services = state.services()?;
    let mut views = Vec::new();
    for b in services.store.list_bases().await.or_command_error()? {
        views.push(base_view(&services, &hub, b).await?);
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
    let record = setup::add_base(
        &services,
        &ConnectionId::new(connection),
        &PlaylistId::new(playlist),
    )
    .await
    .or_command_error()?;
    hub.reschedule().await;
    base_view(&services, &hub, record).await
}

#[tauri::command]
pub async fn remove_base(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    base: String,
) -> CommandResult<()> {
    let services = state.services()?;
    let id = BasePlaylistId::new(base);
    ensure_idle(&hub, &id).await?;
    services.store.remove_base(&id).await.or_command_error()?;
    hub.reschedule().await;
    Ok(())
}

#[tauri::command]
pub async fn add_child(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    input: NewChildInput,
) -> CommandResult<ChildView> {
    let services = state.services()?;
    let base = BasePlaylistId::new(input.base);
    ensure_idle(&hub, &base).await?;
    let target = match input.target {
        ChildTargetInput::Create { name } => ChildTarget::Create { name },
        ChildTargetInput::Adopt { playlist } => ChildTarget::Adopt {
            playlist: PlaylistId::new(playlist),
        },
    };
    let record = setup::add_child(
        &services,
        &base,
        &ChildSpec {
            target,
            query: input.query,
            mirror: mirror_of(input.mirror.as_deref())?.unwrap_or_default(),
            allow_empty: input.allow_empty,
        },
    )
    .await
    .or_command_error()?;
    Ok(child_view(&record))
}

#[tauri::command]
pub async fn edit_child(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    input: ChildEditInput,
) -> CommandResult<()> {
    let services = state.services()?;
    let child = ChildPlaylistId::new(input.child);
    ensure_idle(&hub, &base_of_child(&services, &child).await?).await?;
    let query = match input.query {
        Some(q) => {
            let filter = setup::parse_query(&q).or_command_error()?;
            Some((q, filter))
        }
        None => None,
    };
    services
        .store
        .edit_child(
            &child,
            &ChildEdit {
                name: input.name,
                query,
                mirror: mirror_of(input.mirror.as_deref())?,
                allow_empty: input.allow_empty,
            },
        )
        .await
        .or_command_error()
}

#[tauri::command]
pub async fn remove_child(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    child: String,
) -> CommandResult<()> {
    let services = state.services()?;
    let child = ChildPlaylistId::new(child);
    ensure_idle(&hub, &base_of_child(&services, &child).await?).await?;
    services.store.remove_child(&child).await.or_command_error()
}

/// Routing mode and child order of a base; the catch-all takes what no other child does.
#[tauri::command]
pub async fn set_routing(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    base: String,
    mode: String,
    order: Vec<String>,
    catch_all: Option<String>,
) -> CommandResult<BaseView> {
    let services = state.services()?;
    let id = BasePlaylistId::new(base);
    ensure_idle(&hub, &id).await?;
    let mode = match mode.as_str() {
        "independent" => RoutingMode::Independent,
        "first_match" => RoutingMode::FirstMatch,
        other => {
            return Err(CommandError::with_code(
                ErrorCode::Invalid,
                format!("'{other}' is not a routing mode: independent or first_match"),
            ));
        }
    };
    let routing = Routing {
        mode,
        order: order.into_iter().map(ChildPlaylistId::new).collect(),
        catch_all: catch_all
            .filter(|c| !c.is_empty())
            .map(ChildPlaylistId::new),
    };
    services
        .store
        .set_base_routing(&id, &routing)
        .await
        .or_command_error()?;
    let record = services.base(id.as_str()).await.or_command_error()?;
    base_view(&services, &hub, record).await
}

#[tauri::command]
pub async fn set_schedule(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    base: String,
    schedule: String,
) -> CommandResult<BaseView> {
    let services = state.services()?;
    let parsed = Schedule::parse(schedule.trim())
        .map_err(|e| CommandError::with_code(ErrorCode::Invalid, e))?;
    let id = BasePlaylistId::new(base);
    services
        .store
        .set_base_schedule(&id, &parsed)
        .await
        .or_command_error()?;
    hub.reschedule().await;
    let record = services.base(id.as_str()).await.or_command_error()?;
    base_view(&services, &hub, record).await
}

#[tauri::command]
pub async fn preview(state: State<'_, AppState>, base: String) -> CommandResult<PreviewView> {
    let services = state.services()?;
    let record = services.base(&base).await.or_command_error()?;
    let engine = services
        .engine(&record.connection)
        .await
        .or_command_error()?;
    let p = engine.preview(&record.id).await.or_command_error()?;
    Ok(preview_view(p))
}

/// The id a child not yet created goes by in a preview.
const DRAFT_CHILD: &str = "draft";

#[tauri::command]
pub async fn preview_draft(
    state: State<'_, AppState>,
    draft: DraftInput,
) -> CommandResult<PreviewView> {
    let services = state.services()?;
    let filter = setup::parse_query(&draft.query).or_command_error()?;
    let record = services.base(&draft.base).await.or_command_error()?;
    let engine = services
        .engine(&record.connection)
        .await
        .or_command_error()?;
    let p = engine
        .preview_draft(
            &record.id,
            DraftChild {
                id: ChildPlaylistId::new(draft.child.as_deref().unwrap_or(DRAFT_CHILD)),
                name: draft.name,
                filter,
                allow_empty: draft.allow_empty,
            },
        )
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
    let services = state.services()?;
    let spec = DemoSpec::default();
    for b in services.store.list_bases().await.or_command_error()? {
        if b.connection == spec.connection_id() {
            ensure_idle(&hub, &b.id).await?;
        }
    }
    let made = setup::set_up_demo(&services, spec)
        .await
        .or_command_error()?;
    hub.reschedule().await;
    Ok(DemoSetupView {
        connection: made.connection.to_string(),
        base: made.base.id.to_string(),
        children: u32::try_from(made.children.len()).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_back_as_the_field_accepts_them() {
        for text in [
            "manual",
            "every 30m",
            "every 2h",
            "daily 07:30",
            "on-change 5m",
        ] {
            let parsed = Schedule::parse(text).unwrap();
            assert_eq!(schedule_text(&parsed), text);
            assert_eq!(Schedule::parse(&schedule_text(&parsed)).unwrap(), parsed);
        }
    }

    #[test]
    fn mirror_modes_are_checked() {
        assert_eq!(mirror_of(None).unwrap(), None);
        assert_eq!(mirror_of(Some("strict")).unwrap(), Some(MirrorMode::Strict));
        let err = mirror_of(Some("loose")).unwrap_err();
        assert_eq!(err.code, Some(ErrorCode::Invalid));
    }
}
