//! OAuth 2 authorization code with PKCE (S256), for native apps (RFC 8252): the system browser
//! signs in, and the answer comes back through the `syncer://` deep link or a loopback
//! listener on 127.0.0.1.
//!
//! Redirect URIs name the provider, so an answer can be checked against the sign-in it belongs
//! to: `syncer://oauth/{provider}` and `http://127.0.0.1:{port}/oauth/{provider}`.

pub(crate) mod callback;
pub(crate) mod flow;
pub mod loopback;
pub(crate) mod state;

/// The custom scheme the desktop app registers (tauri-plugin-deep-link).
pub const DEEP_LINK_SCHEME: &str = "syncer";

/// How long a sign-in may take, from "connect" to the answer.
pub const STATE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(600);

/// `syncer://oauth/{provider}`: the redirect URI when the answer comes through the deep link.
pub fn deep_link_redirect_uri(provider: &str) -> String {
    format!("{DEEP_LINK_SCHEME}://oauth/{provider}")
}

/// `http://127.0.0.1:{port}/oauth/{provider}`: the redirect URI of a loopback listener.
pub fn loopback_redirect_uri(provider: &str, port: u16) -> String {
    format!("http://127.0.0.1:{port}/oauth/{provider}")
}

/// How the answer to a sign-in reaches Syncer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(ts_rs::TS)]
#[ts(export)]
pub enum CallbackChannel {
    /// The OS hands `syncer://...` to the running app (single instance); pass the URL to
    /// [`crate::Connections::complete_oauth`].
    DeepLink,
    /// A [`loopback::LoopbackListener`] receives the browser's redirect.
    Loopback,
}

/// Which channel a redirect URI uses, and the provider it names; `None` for URIs Syncer cannot
/// receive (anything but its scheme and the IPv4 loopback over plain HTTP).
pub(crate) fn classify_redirect(uri: &url::Url) -> Option<(CallbackChannel, String)> {
    let mut segments = uri.path_segments()?;
    if uri.scheme() == DEEP_LINK_SCHEME {
        // syncer://oauth/spotify: the host is "oauth", the provider the first segment.
        if uri.host_str() != Some("oauth") {
            return None;
        }
        let provider = segments.next().filter(|s| !s.is_empty())?.to_owned();
        return segments
            .next()
            .is_none()
            .then_some((CallbackChannel::DeepLink, provider));
    }
    let loopback = uri.scheme() == "http"
        && uri.host() == Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
        && uri.port().is_some();
    if !loopback || segments.next() != Some("oauth") {
        return None;
    }
    let provider = segments.next().filter(|s| !s.is_empty())?.to_owned();
    segments
        .next()
        .is_none()
        .then_some((CallbackChannel::Loopback, provider))
}

/// The redirect URI an answer arrived at: the callback URL without its query and fragment.
pub(crate) fn redirect_of(callback: &url::Url) -> String {
    let mut base = callback.clone();
    base.set_query(None);
    base.set_fragment(None);
    base.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_name_their_channel_and_provider() {
        let parse = |s: &str| classify_redirect(&url::Url::parse(s).unwrap());
        assert_eq!(
            parse("syncer://oauth/spotify"),
            Some((CallbackChannel::DeepLink, "spotify".into()))
        );
        assert_eq!(
            parse("http://127.0.0.1:4321/oauth/spotify"),
            Some((CallbackChannel::Loopback, "spotify".into()))
        );
        assert_eq!(parse("http://localhost:4321/oauth/spotify"), None);
        assert_eq!(parse("https://127.0.0.1:4321/oauth/spotify"), None);
        assert_eq!(parse("http://127.0.0.1/oauth/spotify"), None);
        assert_eq!(parse("syncer://other/spotify"), None);
        assert_eq!(parse("syncer://oauth/spotify/extra"), None);
        assert_eq!(
            redirect_of(&url::Url::parse("syncer://oauth/spotify?code=x&state=y").unwrap()),
            "syncer://oauth/spotify"
        );
    }
}
