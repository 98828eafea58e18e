//! `syncer genres`: the user's own genres for artists ("my genres"), one more source for
//! filters: `tag ARTIST GENRE…`, `untag ARTIST [GENRE…]`, `list`.

use serde_json::json;
use syncer_app::records::UserGenres;

use super::output;
use crate::app::App;
use crate::cli::GenresCommand;
use crate::exit::OK;
use crate::render::table;

fn view(g: &UserGenres) -> serde_json::Value {
    json!({"artist": g.artist, "name": g.name, "genres": g.genres, "updated_at": g.updated_at})
}

fn who(g: &UserGenres) -> String {
    match &g.name {
        Some(name) => format!("{name} ({})", g.artist),
        None => g.artist.to_string(),
    }
}

pub async fn genres(app: &App, command: GenresCommand) -> anyhow::Result<u8> {
    match command {
        GenresCommand::Tag { artist, genres } => {
            let tagged = app.tag_artist(&artist, &genres).await?;
            output(app, &view(&tagged), || {
                format!(
                    "{}: {}\nFilters reading genres use these from the next sync on.\n",
                    who(&tagged),
                    tagged.genres.join(", ")
                )
            });
        }
        GenresCommand::Untag { artist, genres } => {
            let (resolved, left) = app.untag_artist(&artist, &genres).await?;
            let name = resolved
                .name
                .clone()
                .unwrap_or_else(|| resolved.id.to_string());
            let value = json!({"artist": resolved.id, "name": resolved.name,
                               "genres": left.as_ref().map(|g| g.genres.clone()).unwrap_or_default()});
            output(app, &value, || match &left {
                Some(g) => format!("{name}: {}\n", g.genres.join(", ")),
                None => format!("{name}: none of your genres left\n"),
            });
        }
        GenresCommand::List => {
            let all = app.my_genres().await?;
            let value: Vec<_> = all.iter().map(view).collect();
            output(app, &value, || {
                if all.is_empty() {
                    return "You have not tagged any artist yet: `syncer genres tag ARTIST GENRE…`\n"
                        .to_owned();
                }
                let rows: Vec<Vec<String>> = all
                    .iter()
                    .map(|g| {
                        vec![
                            g.name.clone().unwrap_or_default(),
                            g.artist.to_string(),
                            g.genres.join(", "),
                        ]
                    })
                    .collect();
                table(&["artist", "id", "your genres"], &rows)
            });
        }
    }
    Ok(OK)
}
