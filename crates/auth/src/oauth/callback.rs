//! Reading the answer to a sign-in: the URL the browser was sent back to, whether it arrived
//! through the deep link or the loopback listener.

use url::Url;

use super::{CallbackChannel, classify_redirect, redirect_of};
use crate::error::AuthError;
use crate::secret::Secret;

#[derive(Debug)]
pub(crate) enum Answer {
    Code(Secret),
    /// `error=...` from the provider: the user declined, or the request was refused.
    Refused {
        code: String,
        description: Option<String>,
    },
}

#[derive(Debug)]
pub(crate) struct Callback {
    pub state: String,
    pub provider: String,
    pub channel: CallbackChannel,
    /// The redirect URI it arrived at (no query).
    pub redirect_uri: String,
    pub answer: Answer,
}

pub(crate) fn parse(callback_url: &str) -> Result<Callback, AuthError> {
    let bad = |reason: &str| AuthError::BadCallback {
        reason: reason.to_owned(),
    };
    // The URL carries the authorization code: parse errors must not quote it.
    let url = Url::parse(callback_url.trim()).map_err(|_| bad("not a URL"))?;
    let (channel, provider) = classify_redirect(&url)
        .ok_or_else(|| bad("it is neither a syncer:// link nor a loopback address"))?;

    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "state" => state = Some(value.into_owned()),
            "code" => code = Some(Secret::new(value.into_owned())),
            "error" => error = Some(value.into_owned()),
            "error_description" => description = Some(value.into_owned()),
            _ => {}
        }
    }
    let state = state
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("it has no state"))?;
    let answer = match (error, code) {
        (Some(code), _) => Answer::Refused { code, description },
        (None, Some(code)) if !code.is_empty() => Answer::Code(code),
        _ => return Err(bad("it has neither a code nor an error")),
    };
    Ok(Callback {
        state,
        provider,
        channel,
        redirect_uri: redirect_of(&url),
        answer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_answer_is_read_and_the_code_stays_out_of_errors() {
        let cb = parse("syncer://oauth/spotify?code=SECRETCODE&state=abc").unwrap();
        assert_eq!(cb.state, "abc");
        assert_eq!(cb.provider, "spotify");
        assert_eq!(cb.redirect_uri, "syncer://oauth/spotify");
        assert!(matches!(cb.answer, Answer::Code(ref c) if c.expose() == "SECRETCODE"));

        let err = parse("http://127.0.0.1:1/elsewhere?code=SECRETCODE&state=abc").unwrap_err();
        assert!(!err.to_string().contains("SECRETCODE"), "{err}");
        let err = parse("syncer://oauth/spotify?code=SECRETCODE").unwrap_err();
        assert!(err.to_string().contains("no state"), "{err}");
    }

    #[test]
    fn an_error_answer_wins_over_a_code() {
        let cb = parse("http://127.0.0.1:9/oauth/spotify?error=access_denied&state=s").unwrap();
        assert_eq!(cb.channel, CallbackChannel::Loopback);
        assert!(matches!(cb.answer, Answer::Refused { ref code, .. } if code == "access_denied"));
    }
}
