//! Connections, playlists, bases, children and schedules.

use serde_json::json;
use syncer_app::library::{
    BaseOverview, ChildChanges, ChildSpec, ChildTarget, RoutingChanges, query_excluding,
};
use syncer_auth::{LoopbackConnect, date_of};
use syncer_core::engine::MirrorMode;
use syncer_core::filter::{Filter, RoutingMode, query};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, LIKED_SONGS_KEYWORD, PlaylistId};

use super::output;
use crate::app::{App, DemoSpec, SPOTIFY_PROVIDER};

use crate::cli::{
    BaseCommand, ChildCommand, ConnectCommand, ConnectionsCommand, Mirror, RoutingArg,
};
use crate::exit::{BAD_QUERY, CliError, OK, USAGE};
use crate::render::{mirror_name, routing_name, status_name, table};

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
            app.connect_demo(DemoSpec {
                seed,
                mode: mode.into(),
                tracks,
            })
            .await?
            .id
        }
        ConnectCommand::Spotify {
            client_id,
            port,
            no_browser,
        } => {
            let auth = app.auth().await?;
            if let Some(client_id) = &client_id {
                app.set_client_id(SPOTIFY_PROVIDER, client_id).await?;
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
            app.signed_in(&info).await?;
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
            // Needs no secret: works while the secrets file is locked.
            let all = app.list_connections().await?;
            let notices = app.sign_in_renewals().await?;
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|d| {
                    let c = &d.connection;
                    vec![
                        c.id.to_string(),
                        c.provider.clone(),
                        c.display_name.clone(),
                        status_name(c.status),
                        c.sign_in_renew_by.map_or_else(|| "-".to_owned(), date_of),
                    ]
                })
                .collect();
            let value: Vec<_> = all
                .iter()
                .map(|d| {
                    let c = &d.connection;
                    let notice = notices.iter().find(|n| n.connection == c.id);
                    json!({"id": c.id, "provider": c.provider, "name": c.display_name,
                        "status": c.status, "status_detail": c.status_detail,
                        "sign_in_renew_by": c.sign_in_renew_by.map(date_of),
                        "sign_in_notice": notice.map(|n| n.message.clone())})
                })
                .collect();
            output(app, &value, || {
                let mut text = table(
                    &["id", "provider", "name", "status", "sign-in renews by"],
                    &rows,
                );
                for d in &all {
                    let c = &d.connection;
                    if let Some(detail) = &c.status_detail
                        && c.status != syncer_auth::Status::Ok
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
            let test = app.test_connection(&id).await?;
            let caps = test.capabilities;
            let missing: Vec<String> = caps
                .missing_fields()
                .iter()
                .map(|(f, why)| format!("{f:?}: {why}"))
                .collect();
            output(
                app,
                &json!({"connection": id, "ok": true, "account": test.report.account_name,
                        "capabilities": caps}),
                || {
                    let mut s = format!("{id}: answers ({}).\n", test.report.account_name);
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
            let removed = app.remove_connection(&id, force).await?;
            for base in &removed.orphaned_bases {
                eprintln!("base {base} went with it");
            }
            output(app, &json!({"removed": id}), || format!("removed {id}\n"));
        }
    }
    Ok(OK)
}

pub async fn playlists(app: &App, connection: Option<&str>) -> anyhow::Result<u8> {
    let id = app.resolve_connection(connection).await?;
    let all: Vec<_> = app
        .playlists(&id)
        .await?
        .into_iter()
        .map(|p| p.playlist)
        .collect();
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
            // `liked` is the connection's Liked Songs; its base id names the connection.
            let info = if playlist == LIKED_SONGS_KEYWORD {
                app.add_liked_base(&conn).await?
            } else {
                app.add_base(&conn, &PlaylistId::new(playlist.as_str()))
                    .await?
            };
            let id = info.id.to_string();
            output(app, &json!({"base": id, "name": info.name}), || {
                format!(
                    "base added: {} ({id})\nnext: `syncer child add {id} --create NAME --query '...'`\n",
                    info.name
                )
            });
        }
        BaseCommand::Remove { base } => {
            app.remove_base(&BasePlaylistId::new(base.as_str())).await?;
            output(app, &json!({"removed": base}), || {
                format!("removed base {base}\n")
            });
        }
        BaseCommand::List => {
            let bases = app.bases().await?;
            let mut rows = Vec::new();
            let mut value = Vec::new();
            let mut broken_any = false;
            for BaseOverview {
                base: b, children, ..
            } in &bases
            {
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
            let id = BasePlaylistId::new(base.as_str());
            let overview = if mode.is_some() || catch_all.is_some() || no_catch_all {
                let changes = RoutingChanges {
                    mode: mode.map(|m| match m {
                        RoutingArg::Independent => RoutingMode::Independent,
                        RoutingArg::FirstMatch => RoutingMode::FirstMatch,
                    }),
                    order: None,
                    catch_all: match (catch_all, no_catch_all) {
                        (Some(child), _) => Some(Some(ChildPlaylistId::new(child.as_str()))),
                        (None, true) => Some(None),
                        (None, false) => None,
                    },
                };
                app.set_routing(&id, changes).await?
            } else {
                app.base_overview(&id).await?
            };
            show_routing(app, &overview);
        }
    }
    Ok(OK)
}

/// A base's routing and its children in the order first-match tries them.
fn show_routing(app: &App, overview: &BaseOverview) {
    let (base, children) = (&overview.base, &overview.children);
    let routing = &base.routing;
    let is_catch_all = |id: &ChildPlaylistId| routing.catch_all.as_ref() == Some(id);
    let value = json!({
        "base": base.id,
        "name": base.name,
        "mode": routing.mode,
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
            routing_name(routing.mode),
            table(&["#", "child", "name", ""], &rows)
        )
    });
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
            exclude,
        } => {
            // The language's error with a caret, before anything is created.
            parse_query(&query)?;
            let query = query_excluding(&query, &exclude)?;
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
            let added = app
                .add_child(
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
            exclude,
            no_exclude,
        } => {
            if let Some(q) = &query {
                // The language's error with a caret.
                parse_query(q)?;
            }
            let id = ChildPlaylistId::new(child.as_str());
            app.edit_child(
                &id,
                ChildChanges {
                    name,
                    query,
                    mirror: mirror.map(mirror_mode),
                    allow_empty,
                },
            )
            .await?;
            if no_exclude || !exclude.is_empty() {
                app.set_exclusions(&id, &exclude).await?;
            }
            output(app, &json!({"edited": child}), || {
                format!("child {child} updated\n")
            });
        }
        ChildCommand::Show { child } => {
            return super::detail::show(app, &child).await;
        }
        ChildCommand::Why { child, track } => {
            return super::detail::why(app, &child, &track).await;
        }
        ChildCommand::Remove { child } => {
            app.remove_child(&ChildPlaylistId::new(child.as_str()))
                .await?;
            output(app, &json!({"removed": child}), || {
                format!("child {child} removed from Syncer (the playlist stays on the service)\n")
            });
        }
        ChildCommand::List { base } => {
            let children = app.children(&BasePlaylistId::new(base.as_str())).await?;
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
                        mirror_name(c.mirror).to_owned(),
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
            let overview = app
                .move_child(&ChildPlaylistId::new(child.as_str()), position)
                .await?;
            show_routing(app, &overview);
        }
    }
    Ok(OK)
}

pub async fn schedule(app: &App, base: &str, spec: Option<&str>) -> anyhow::Result<u8> {
    let id = BasePlaylistId::new(base);
    let overview = match spec {
        Some(text) => app.set_schedule(&id, text).await?,
        None => app.base_overview(&id).await?,
    };
    let record = &overview.base;
    output(
        app,
        &json!({"base": record.id, "schedule": record.schedule}),
        || format!("{}: {}\n", record.name, record.schedule),
    );
    Ok(OK)
}
