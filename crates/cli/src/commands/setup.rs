//! Connections, playlists, bases, children and schedules.

use serde_json::json;
use syncer_auth::{LoopbackConnect, Registry, date_of, renewal_notices, sign_in_renew_by};
use syncer_core::engine::MirrorMode;
use syncer_core::filter::{Filter, RoutingMode, query};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, PlaylistId};
use syncer_core::jobs::Schedule;
use syncer_core::provider::MusicProvider;
use syncer_store::{BaseRecord, ChildEdit};

use super::output;
use crate::app::{App, DemoSpec, SPOTIFY_PROVIDER};
use syncer_app::setup::{ChildSpec, ChildTarget, add_base, add_child};

use crate::cli::{
    BaseCommand, ChildCommand, ConnectCommand, ConnectionsCommand, Mirror, RoutingArg,
};
use crate::exit::{BAD_QUERY, CliError, OK, USAGE};
use crate::render::table;
pub use syncer_app::setup::connect_demo;

/// Reads a query, or fails with the language's error pointing at the column.
pub fn parse_query(text: &str) -> anyhow::Result<Filter> {
    query::parse(text).map_err(|e| {
        let caret = format!("{}^", " ".repeat(e.column.saturating_sub(1)));
        CliError::new(
            BAD_QUERY,
            format!("invalid query: {e}\n  {text}\n  {caret}\n(the query language: docs/query-language.md)"),
        )
        .into()
    })
}

/// Under a listing with a broken child: the two ways out, both of which work on it.
const BROKEN_HINT: &str = "A broken child's filter cannot be read; preview and sync of its base \
     stop until you replace its query (`syncer child edit CHILD --query '...'`) or remove it \
     (`syncer child remove CHILD`).\n";

fn mirror_mode(m: Mirror) -> MirrorMode {
    match m {
        Mirror::Keep => MirrorMode::KeepUserTracks,
        Mirror::Strict => MirrorMode::Strict,
    }
}

pub async fn connect(app: &App, command: ConnectCommand) -> anyhow::Result<u8> {
    let id = match command {
        ConnectCommand::Demo { seed, mode, tracks } => {
            connect_demo(
                app,
                DemoSpec {
                    seed,
                    mode: mode.into(),
                    tracks,
                },
            )
            .await?
        }
        ConnectCommand::Spotify {
            client_id,
            port,
            no_browser,
        } => {
            let auth = app.auth().await?;
            if let Some(client_id) = &client_id {
                auth.set_client_id(SPOTIFY_PROVIDER, client_id.trim())
                    .await?;
            }
            let mut request = LoopbackConnect::new(SPOTIFY_PROVIDER);
            request.port = port;
            eprintln!("{}", auth.vault().description());
            // Headless: the browser may run on another machine, where the redirect to this
            // one's 127.0.0.1 cannot arrive; the user pastes the address it ended on instead.
            let pasted = if no_browser {
                paste_lines()
            } else {
                tokio::sync::mpsc::channel(1).1
            };
            let info = auth
                .connect_with_loopback_or_paste(
                    request,
                    |url| {
                        eprintln!("Sign in to Spotify in your browser:\n  {url}");
                        if no_browser {
                            eprintln!(
                                "If that browser runs on another machine, its last page will not \
                                 load: copy the address it shows (http://127.0.0.1:{port}/oauth/\
                                 spotify?...) and paste it here, then press Enter."
                            );
                        } else {
                            // No browser is fine: the link above works from anywhere.
                            let _ = std::process::Command::new("xdg-open")
                                .arg(url)
                                .stdout(std::process::Stdio::null())
                                .stderr(std::process::Stdio::null())
                                .spawn();
                        }
                        Ok(())
                    },
                    pasted,
                    |why| {
                        eprintln!(
                            "That address is not the answer to this sign-in ({why}); paste the \
                             address the browser ended on, or finish signing in there."
                        );
                    },
                )
                .await?;
            // What this app may use (Development Mode or not), remembered for planning.
            let caps = app.probe(&info.id).await?;
            app.store
                .set_connection_capabilities(
                    &info.id,
                    Some(&syncer_core::engine::codec::encode(&caps)),
                )
                .await?;
            info.id
        }
    };
    output(app, &json!({ "connection": id }), || {
        format!("connected: {id}\nnext: `syncer playlists --connection {id}`\n")
    });
    Ok(OK)
}

/// Lines typed on stdin, read on a thread of their own (a blocked read must not hold the
/// runtime up at exit).
fn paste_lines() -> tokio::sync::mpsc::Receiver<String> {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    rx
}

pub async fn connections(app: &App, command: ConnectionsCommand) -> anyhow::Result<u8> {
    match command {
        ConnectionsCommand::List => {
            // The store only: listing needs no vault (and no passphrase).
            let all = app.store.list_connections().await?;
            let registry = Registry::from_env();
            let notices = renewal_notices(&all, &registry, std::time::SystemTime::now());
            let renew_by = |c: &syncer_store::ConnectionRecord| sign_in_renew_by(c, &registry);
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.provider.clone(),
                        c.display_name.clone(),
                        c.status.as_str().to_owned(),
                        renew_by(c).map_or_else(|| "-".to_owned(), date_of),
                    ]
                })
                .collect();
            let value: Vec<_> = all
                .iter()
                .map(|c| {
                    let notice = notices.iter().find(|n| n.connection == c.id);
                    json!({"id": c.id, "provider": c.provider, "name": c.display_name,
                        "status": c.status.as_str(), "status_detail": c.status_detail,
                        "sign_in_renew_by": renew_by(c).map(date_of),
                        "sign_in_notice": notice.map(|n| n.message.clone())})
                })
                .collect();
            output(app, &value, || {
                let mut text = table(
                    &["id", "provider", "name", "status", "sign-in renews by"],
                    &rows,
                );
                for c in &all {
                    if let Some(detail) = &c.status_detail
                        && c.status != syncer_store::ConnectionStatus::Ok
                    {
                        text.push_str(&format!("{}: {detail}\n", c.id));
                    }
                }
                for n in &notices {
                    text.push_str(&format!(
                        "{}: {} Run `syncer connect {}`.\n",
                        n.connection, n.message, n.provider
                    ));
                }
                text
            });
        }
        ConnectionsCommand::Test { connection } => {
            let id = app.resolve_connection(Some(&connection)).await?;
            let caps = app.probe(&id).await?;
            let missing: Vec<String> = caps
                .missing_fields()
                .iter()
                .map(|(f, why)| format!("{f:?}: {why}"))
                .collect();
            output(
                app,
                &json!({"connection": id, "ok": true, "capabilities": caps}),
                || {
                    let mut s = format!("{id}: answers.\n");
                    if missing.is_empty() {
                        s.push_str("Every metadata field filters use is available.\n");
                    } else {
                        s.push_str("Not available to this connection:\n");
                        for m in &missing {
                            s.push_str(&format!("  {m}\n"));
                        }
                    }
                    s
                },
            );
        }
        ConnectionsCommand::Remove { connection, force } => {
            let id = app.resolve_connection(Some(&connection)).await?;
            match app.store.get_connection(&id).await? {
                // A signed-in connection: auth removes its secrets too, and refuses while
                // bases use it unless forced.
                Some(record) if record.provider == SPOTIFY_PROVIDER => {
                    app.auth().await?.remove(&id, &app.store, force).await?;
                }
                _ => {
                    app.store.delete_connection(&id).await?;
                }
            }
            output(app, &json!({"removed": id}), || format!("removed {id}\n"));
        }
    }
    Ok(OK)
}

pub async fn playlists(app: &App, connection: Option<&str>) -> anyhow::Result<u8> {
    let id = app.resolve_connection(connection).await?;
    let client = app.client(&id).await?;
    let all = client.all_playlists().await?;
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.total_items.map_or("-".into(), |n| n.to_string()),
                p.name.clone(),
            ]
        })
        .collect();
    output(app, &all, || table(&["id", "tracks", "name"], &rows));
    Ok(OK)
}

pub async fn base(app: &App, command: BaseCommand) -> anyhow::Result<u8> {
    match command {
        BaseCommand::Add {
            playlist,
            connection,
        } => {
            let conn = app.resolve_connection(connection.as_deref()).await?;
            let info = add_base(app, &conn, &PlaylistId::new(playlist.as_str())).await?;
            output(app, &json!({"base": playlist, "name": info.name}), || {
                format!(
                    "base added: {} ({playlist})\nnext: `syncer child add {playlist} --create NAME --query '...'`\n",
                    info.name
                )
            });
        }
        BaseCommand::Remove { base } => {
            app.store
                .remove_base(&BasePlaylistId::new(base.as_str()))
                .await?;
            output(app, &json!({"removed": base}), || {
                format!("removed base {base}\n")
            });
        }
        BaseCommand::List => {
            let bases = app.store.list_bases().await?;
            let mut rows = Vec::new();
            let mut value = Vec::new();
            let mut broken_any = false;
            for b in &bases {
                let children = app.store.list_children(&b.id).await?;
                // Children whose stored filter cannot be read are listed, and marked.
                let broken: Vec<_> = children
                    .iter()
                    .filter_map(|c| c.broken().map(|why| (c, why)))
                    .collect();
                broken_any |= !broken.is_empty();
                let count = match broken.len() {
                    0 => children.len().to_string(),
                    _ => format!(
                        "{} (broken: {})",
                        children.len(),
                        broken
                            .iter()
                            .map(|(c, _)| c.id.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                rows.push(vec![
                    b.id.to_string(),
                    b.name.clone(),
                    count,
                    b.schedule.to_string(),
                    b.last_synced_at.clone().unwrap_or_else(|| "never".into()),
                ]);
                let broken: Vec<_> = broken
                    .iter()
                    .map(|(c, why)| json!({"id": c.id, "name": c.name, "reason": why.reason}))
                    .collect();
                value.push(
                    json!({"id": b.id, "name": b.name, "connection": b.connection,
                    "children": children.len(), "broken_children": broken,
                    "schedule": b.schedule, "last_synced_at": b.last_synced_at}),
                );
            }
            output(app, &value, || {
                let mut text = table(
                    &["base", "name", "children", "schedule", "last synced"],
                    &rows,
                );
                if broken_any {
                    text.push_str(BROKEN_HINT);
                }
                text
            });
        }
        BaseCommand::Routing {
            base,
            mode,
            catch_all,
            no_catch_all,
        } => {
            let mut record = app.base(&base).await?;
            if mode.is_some() || catch_all.is_some() || no_catch_all {
                let mut routing = record.routing.clone();
                if let Some(mode) = mode {
                    routing.mode = match mode {
                        RoutingArg::Independent => RoutingMode::Independent,
                        RoutingArg::FirstMatch => RoutingMode::FirstMatch,
                    };
                }
                if let Some(child) = catch_all {
                    let id = ChildPlaylistId::new(child.as_str());
                    if app
                        .store
                        .get_child(&id)
                        .await?
                        .is_none_or(|c| c.base != record.id)
                    {
                        return Err(CliError::not_found(format!(
                            "{child} is not a child of base {}; `syncer child list {}` shows them",
                            record.id, record.id
                        ))
                        .into());
                    }
                    routing.catch_all = Some(id);
                }
                if no_catch_all {
                    routing.catch_all = None;
                }
                app.store.set_base_routing(&record.id, &routing).await?;
                record.routing = routing;
            }
            show_routing(app, &record).await?;
        }
    }
    Ok(OK)
}

fn mode_name(mode: RoutingMode) -> &'static str {
    match mode {
        RoutingMode::Independent => "independent",
        RoutingMode::FirstMatch => "first-match",
    }
}

/// A base's routing and its children in the order first-match tries them.
async fn show_routing(app: &App, base: &BaseRecord) -> anyhow::Result<()> {
    let children = app.store.children_in_order(&base.id).await?;
    let routing = &base.routing;
    let is_catch_all = |id: &ChildPlaylistId| routing.catch_all.as_ref() == Some(id);
    let value = json!({
        "base": base.id,
        "name": base.name,
        "mode": mode_name(routing.mode),
        "catch_all": routing.catch_all,
        "children": children
            .iter()
            .enumerate()
            .map(|(i, c)| json!({
                "position": i + 1,
                "id": c.id,
                "name": c.name,
                "catch_all": is_catch_all(&c.id),
            }))
            .collect::<Vec<_>>(),
    });
    output(app, &value, || {
        let catch_all = match children.iter().find(|c| is_catch_all(&c.id)) {
            Some(c) => format!("{} ({})", c.name, c.id),
            None => "none".to_owned(),
        };
        let rows: Vec<Vec<String>> = children
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let note = if is_catch_all(&c.id) {
                    "catch-all: takes what no other child took"
                } else {
                    ""
                };
                vec![
                    (i + 1).to_string(),
                    c.id.to_string(),
                    c.name.clone(),
                    note.to_owned(),
                ]
            })
            .collect();
        format!(
            "{} ({}): {}, catch-all {catch_all}\n{}",
            base.name,
            base.id,
            mode_name(routing.mode),
            table(&["#", "child", "name", ""], &rows)
        )
    });
    Ok(())
}

pub async fn child(app: &App, command: ChildCommand) -> anyhow::Result<u8> {
    match command {
        ChildCommand::Add {
            base,
            query,
            playlist,
            create,
            mirror,
            allow_empty,
        } => {
            // The language's error with a caret, before anything is created.
            parse_query(&query)?;
            let target = match (playlist, create) {
                (Some(id), _) => ChildTarget::Adopt {
                    playlist: PlaylistId::new(id.as_str()),
                },
                (None, Some(name)) => ChildTarget::Create { name },
                (None, None) => {
                    return Err(CliError::new(USAGE, "give --playlist ID or --create NAME").into());
                }
            };
            let record = app.base(&base).await?;
            let added = add_child(
                app,
                &record.id,
                &ChildSpec {
                    target,
                    query,
                    mirror: mirror_mode(mirror),
                    allow_empty,
                },
            )
            .await?;
            let (id, name) = (added.id, added.name);
            output(
                app,
                &json!({"child": id, "name": name, "base": record.id}),
                || {
                    format!(
                        "child added: {name} ({id})\nnext: `syncer preview {}`\n",
                        record.id
                    )
                },
            );
        }
        ChildCommand::Edit {
            child,
            query,
            name,
            mirror,
            allow_empty,
        } => {
            let query = match query {
                Some(q) => Some((q.clone(), parse_query(&q)?)),
                None => None,
            };
            app.store
                .edit_child(
                    &ChildPlaylistId::new(child.as_str()),
                    &ChildEdit {
                        name,
                        query,
                        mirror: mirror.map(mirror_mode),
                        allow_empty,
                    },
                )
                .await?;
            output(app, &json!({"edited": child}), || {
                format!("child {child} updated\n")
            });
        }
        ChildCommand::Remove { child } => {
            app.store
                .remove_child(&ChildPlaylistId::new(child.as_str()))
                .await?;
            output(app, &json!({"removed": child}), || {
                format!("child {child} removed from Syncer (the playlist stays on the service)\n")
            });
        }
        ChildCommand::List { base } => {
            let record = app.base(&base).await?;
            let children = app.store.children_in_order(&record.id).await?;
            let rows: Vec<Vec<String>> = children
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let query = match c.broken() {
                        Some(why) => format!("{} [BROKEN: {}]", c.query, why.reason),
                        None => c.query.clone(),
                    };
                    vec![
                        (i + 1).to_string(),
                        c.id.to_string(),
                        c.name.clone(),
                        c.mirror.as_str().to_owned(),
                        c.allow_empty.to_string(),
                        query,
                    ]
                })
                .collect();
            let value: Vec<_> = children
                .iter()
                .enumerate()
                .map(|(i, c)| json!({"position": i + 1, "id": c.id, "name": c.name, "query": c.query, "mirror": c.mirror, "allow_empty": c.allow_empty, "broken": c.broken().map(|b| &b.reason)}))
                .collect();
            let broken_any = children.iter().any(|c| c.broken().is_some());
            output(app, &value, || {
                let mut text = table(
                    &["#", "child", "name", "mirror", "allow empty", "query"],
                    &rows,
                );
                if broken_any {
                    text.push_str(BROKEN_HINT);
                }
                text
            });
        }
        ChildCommand::Move { child, position } => {
            let id = ChildPlaylistId::new(child.as_str());
            let record = app.store.get_child(&id).await?.ok_or_else(|| {
                CliError::not_found(format!(
                    "{child} is not a child; `syncer child list BASE` shows them"
                ))
            })?;
            let count = app.store.list_children(&record.base).await?.len();
            let index = usize::try_from(position)
                .unwrap_or(usize::MAX)
                .saturating_sub(1);
            if index >= count {
                return Err(CliError::new(
                    USAGE,
                    format!(
                        "base {} has {count} children: give a --position from 1 to {count}",
                        record.base
                    ),
                )
                .into());
            }
            app.store.move_child(&id, index).await?;
            let base = app.base(record.base.as_str()).await?;
            show_routing(app, &base).await?;
        }
    }
    Ok(OK)
}

pub async fn schedule(app: &App, base: &str, spec: Option<&str>) -> anyhow::Result<u8> {
    let record = app.base(base).await?;
    let schedule = match spec {
        Some(text) => {
            let s = Schedule::parse(text).map_err(|e| CliError::new(USAGE, e))?;
            app.store.set_base_schedule(&record.id, &s).await?;
            s
        }
        None => record.schedule,
    };
    output(
        app,
        &json!({"base": record.id, "schedule": schedule}),
        || format!("{}: {schedule}\n", record.name),
    );
    Ok(OK)
}
