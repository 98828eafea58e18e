//! `syncer child show` and `syncer child why`: a child's detail and "why not?", as the
//! window shows them (the shared layer's `child_detail` and `explain`).

use syncer_app::detail::Why;
use syncer_core::ids::ChildPlaylistId;

use super::output;
use crate::app::App;
use crate::exit::{CliError, NOT_FOUND, OK};
use crate::render;

pub async fn show(app: &App, child: &str) -> anyhow::Result<u8> {
    let detail = app.child_detail(&ChildPlaylistId::new(child)).await?;
    output(app, &detail, || render::child_detail(&detail));
    Ok(OK)
}

pub async fn why(app: &App, child: &str, track: &str) -> anyhow::Result<u8> {
    let why = app.explain(&ChildPlaylistId::new(child), track).await?;
    if let Why::NoSuchTrack { query } = &why {
        return Err(CliError::new(
            NOT_FOUND,
            format!("no track of the base has the id or words '{query}'"),
        )
        .into());
    }
    output(app, &why, || render::why(&why));
    Ok(OK)
}
