//! "My genres": the user's own genres for artists, one more genre source for filters
//! (docs/metadata.md). The same shared-layer calls as `syncer genres`; this module only reads
//! the form's text and shapes the answers for the window.

use serde::Serialize;
use syncer_app::records::UserGenres;
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorCode, OrCommandError};
use crate::state::AppState;

/// One tagged artist and the genres the user gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UserGenresView {
    /// The Spotify artist id.
    pub artist: String,
    /// The catalog name, when it was known at tagging time.
    pub name: Option<String>,
    /// In the order they were added, each once.
    pub genres: Vec<String>,
    /// Unix seconds of the last change.
    #[ts(type = "number")]
    pub updated_at: i64,
}

impl From<UserGenres> for UserGenresView {
    fn from(g: UserGenres) -> Self {
        Self {
            artist: g.artist.to_string(),
            name: g.name,
            genres: g.genres,
            updated_at: g.updated_at,
        }
    }
}

/// The genres as the window sends them (the form splits what was typed on commas; an undo
/// sends the removed genre as it was, commas and all): spaces around each ignored, blanks
/// dropped.
fn genres_in(genres: Vec<String>) -> Vec<String> {
    genres
        .into_iter()
        .map(|g| g.trim().to_owned())
        .filter(|g| !g.is_empty())
        .collect()
}

/// The artist as typed, or a refusal that says what to type: an empty field would otherwise
/// search every base for an artist with no name.
fn artist_in(text: &str) -> CommandResult<&str> {
    let artist = text.trim();
    if artist.is_empty() {
        return Err(CommandError::with_code(
            ErrorCode::Invalid,
            "Type an artist: a name from your base playlists, a Spotify artist id, or an \
             open.spotify.com/artist/… link.",
        ));
    }
    Ok(artist)
}

/// Every artist the user tagged, by name then id.
#[tauri::command]
pub async fn list_user_genres(state: State<'_, AppState>) -> CommandResult<Vec<UserGenresView>> {
    let services = state.services()?;
    let all = services.my_genres().await.or_command_error()?;
    Ok(all.into_iter().map(UserGenresView::from).collect())
}

/// Adds genres to an artist given as the user types it: a name found in the bases, a Spotify
/// artist id, a `spotify:artist:` URI or an open.spotify.com link. Answers what the artist has
/// now.
#[tauri::command]
pub async fn tag_artist(
    state: State<'_, AppState>,
    artist: String,
    genres: Vec<String>,
) -> CommandResult<UserGenresView> {
    let artist = artist_in(&artist)?;
    let genres = genres_in(genres);
    if genres.is_empty() {
        return Err(CommandError::with_code(
            ErrorCode::Invalid,
            "Type at least one genre, e.g. shoegaze (separate several with commas).",
        ));
    }
    let services = state.services()?;
    let tagged = services
        .tag_artist(artist, &genres)
        .await
        .or_command_error()?;
    tracing::info!(artist = %tagged.artist, genres = tagged.genres.len(), "artist tagged");
    Ok(tagged.into())
}

/// Removes one of an artist's genres, or all of them when `genre` is none. Answers what is
/// left, none when nothing is.
#[tauri::command]
pub async fn untag_artist(
    state: State<'_, AppState>,
    artist: String,
    genre: Option<String>,
) -> CommandResult<Option<UserGenresView>> {
    let artist = artist_in(&artist)?;
    // An empty list means "all" to the shared layer: a blank genre must not widen to that.
    let genres = match genre.as_deref().map(str::trim) {
        None => Vec::new(),
        Some("") => {
            return Err(CommandError::with_code(
                ErrorCode::Invalid,
                "Name the genre to remove, or remove them all.",
            ));
        }
        Some(g) => vec![g.to_owned()],
    };
    let services = state.services()?;
    let (resolved, left) = services
        .untag_artist(artist, &genres)
        .await
        .or_command_error()?;
    tracing::info!(artist = %resolved.id, all = genres.is_empty(), "artist untagged");
    Ok(left.map(UserGenresView::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(all: &[&str]) -> Vec<String> {
        all.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn genres_are_trimmed_and_kept_whole() {
        assert_eq!(
            genres_in(texts(&[" shoegaze", "dream pop ", "rock, alternative"])),
            texts(&["shoegaze", "dream pop", "rock, alternative"])
        );
    }

    #[test]
    fn blank_genres_are_none() {
        assert!(genres_in(texts(&[" ", ""])).is_empty());
        assert!(genres_in(Vec::new()).is_empty());
    }

    #[test]
    fn a_blank_artist_is_refused_with_what_to_type() {
        let err = artist_in("   ").unwrap_err();
        assert_eq!(err.code, Some(ErrorCode::Invalid));
        assert!(err.message.contains("Spotify artist id"), "{}", err.message);
        assert_eq!(artist_in("  Slowdive ").unwrap(), "Slowdive");
    }

    #[test]
    fn the_view_keeps_the_id_name_and_order() {
        let view = UserGenresView::from(UserGenres {
            artist: syncer_core::ids::ArtistId::new("0OdUWJ0sBjDrqHygGUXeCF"),
            name: Some("Slowdive".into()),
            genres: texts(&["shoegaze", "dream pop"]),
            updated_at: 7,
        });
        assert_eq!(view.artist, "0OdUWJ0sBjDrqHygGUXeCF");
        assert_eq!(view.name.as_deref(), Some("Slowdive"));
        assert_eq!(view.genres, texts(&["shoegaze", "dream pop"]));
        assert_eq!(view.updated_at, 7);
    }
}
