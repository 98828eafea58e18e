//! Scriptable failures. A test arms rules through [`FaultController`]; the middleware asks
//! [`FaultState::decide`] before each request reaches its handler. Rules count only the
//! requests in their scope, so "the third page fetch fails" is one line.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::state::Shared;

/// Which requests a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    All,
    /// An endpoint key: `"GET /v1/playlists/{id}/items"`.
    Endpoint(String),
    /// An HTTP method: `"POST"`.
    Method(String),
    /// Requests whose path starts with this: `"/v1/"` (Web API only), `"/api/token"`.
    PathPrefix(String),
    /// Every Web API request that changes something (not GET or HEAD): the writes a sync
    /// makes, whatever the endpoint.
    Writes,
}

impl Scope {
    fn matches(&self, endpoint: &str, method: &str, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Endpoint(e) => e == endpoint,
            Scope::Method(m) => m.eq_ignore_ascii_case(method),
            Scope::PathPrefix(p) => path.starts_with(p.as_str()),
            Scope::Writes => {
                path.starts_with("/v1/")
                    && !method.eq_ignore_ascii_case("GET")
                    && !method.eq_ignore_ascii_case("HEAD")
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Kind {
    RateLimitAfter {
        after: u64,
        retry_after: u64,
        cooldown_until: Option<Instant>,
    },
    RateLimitEvery {
        every: u64,
        retry_after: u64,
    },
    Window {
        max: usize,
        window: Duration,
        seen: VecDeque<Instant>,
    },
    Fail {
        remaining: u64,
        status: u16,
    },
    Timeout {
        remaining: u64,
    },
    Drop {
        remaining: u64,
    },
    /// The request is applied, then its connection closed without an answer.
    LoseAnswer {
        remaining: u64,
    },
    /// The request is applied, then never answered: what a client killed just after sending
    /// it leaves behind.
    ApplyThenHang {
        remaining: u64,
    },
    Latency(Duration),
}

#[derive(Debug, Clone)]
struct Rule {
    scope: Scope,
    kind: Kind,
    /// Requests in scope that pass before the rule starts acting.
    skip: u64,
    seen: u64,
    done: bool,
}

/// What the middleware does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Pass,
    RateLimited {
        retry_after: u64,
        violation: bool,
    },
    Fail(u16),
    /// Never answer (until shutdown): the client's timeout must fire.
    Hang,
    /// Close the connection without a response.
    Drop,
    /// Apply the request, then close the connection without a response.
    ApplyThenDrop,
    /// Apply the request, then never answer (until shutdown).
    ApplyThenHang,
}

#[derive(Debug, Default)]
pub(crate) struct FaultState {
    rules: Vec<Rule>,
}

impl FaultState {
    /// Decides a request's fate and the latency to add before it. The first rule with an
    /// action wins; every counting rule in scope still counts the request.
    pub fn decide(&mut self, endpoint: &str, method: &str, path: &str) -> (Action, Duration) {
        let now = Instant::now();
        let mut action = Action::Pass;
        let mut latency = Duration::ZERO;
        for rule in self.rules.iter_mut().filter(|r| !r.done) {
            if !rule.scope.matches(endpoint, method, path) {
                continue;
            }
            rule.seen += 1;
            if rule.seen <= rule.skip {
                continue;
            }
            let this = match &mut rule.kind {
                Kind::Latency(d) => {
                    latency += *d;
                    Action::Pass
                }
                Kind::RateLimitAfter {
                    after,
                    retry_after,
                    cooldown_until,
                } => match *cooldown_until {
                    None if rule.seen > *after => {
                        *cooldown_until = Some(now + Duration::from_secs(*retry_after));
                        if *retry_after == 0 {
                            rule.done = true;
                        }
                        Action::RateLimited {
                            retry_after: *retry_after,
                            violation: false,
                        }
                    }
                    None => Action::Pass,
                    Some(until) if now < until => Action::RateLimited {
                        retry_after: (until - now).as_secs_f64().ceil() as u64,
                        violation: true,
                    },
                    Some(_) => {
                        rule.done = true;
                        Action::Pass
                    }
                },
                Kind::RateLimitEvery { every, retry_after } => {
                    if *every > 0 && rule.seen % *every == 0 {
                        Action::RateLimited {
                            retry_after: *retry_after,
                            violation: false,
                        }
                    } else {
                        Action::Pass
                    }
                }
                Kind::Window { max, window, seen } => {
                    while seen
                        .front()
                        .is_some_and(|t| now.duration_since(*t) >= *window)
                    {
                        seen.pop_front();
                    }
                    if seen.len() >= *max {
                        let oldest = seen.front().copied().unwrap_or(now);
                        let wait = (*window).saturating_sub(now.duration_since(oldest));
                        Action::RateLimited {
                            retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
                            violation: false,
                        }
                    } else {
                        seen.push_back(now);
                        Action::Pass
                    }
                }
                // One-shot rules are consumed only by a request no earlier rule answered, so
                // `fail_next(1, 500).fail_next(1, 502)` fails two requests, in that order.
                _ if action != Action::Pass => Action::Pass,
                Kind::Fail { remaining, status } => countdown(remaining, Action::Fail(*status)),
                Kind::Timeout { remaining } => countdown(remaining, Action::Hang),
                Kind::Drop { remaining } => countdown(remaining, Action::Drop),
                Kind::LoseAnswer { remaining } => countdown(remaining, Action::ApplyThenDrop),
                Kind::ApplyThenHang { remaining } => countdown(remaining, Action::ApplyThenHang),
            };
            if let Kind::Fail { remaining: 0, .. }
            | Kind::Timeout { remaining: 0 }
            | Kind::Drop { remaining: 0 }
            | Kind::LoseAnswer { remaining: 0 }
            | Kind::ApplyThenHang { remaining: 0 } = rule.kind
            {
                rule.done = true;
            }
            if action == Action::Pass {
                action = this;
            }
        }
        self.rules.retain(|r| !r.done);
        (action, latency)
    }
}

fn countdown(remaining: &mut u64, action: Action) -> Action {
    if *remaining == 0 {
        return Action::Pass;
    }
    *remaining -= 1;
    action
}

/// Arms faults on the running server. Methods return `&Self` so rules chain; [`Self::on`] and
/// friends give a controller whose rules apply to one endpoint, method or path prefix only.
#[derive(Clone)]
pub struct FaultController {
    pub(crate) shared: Arc<Shared>,
    pub(crate) scope: Scope,
    /// Requests in scope that pass before rules armed through this controller act.
    pub(crate) skip: u64,
}

impl FaultController {
    fn push(&self, kind: Kind) -> &Self {
        self.shared.faults().rules.push(Rule {
            scope: self.scope.clone(),
            kind,
            skip: self.skip,
            seen: 0,
            done: false,
        });
        self
    }

    /// Rules from the returned controller let the first `n` requests in their scope pass
    /// and act from the one after: `faults.writes().after(4).fail_next(1, 500)` fails the
    /// fifth write.
    pub fn after(&self, n: u64) -> FaultController {
        FaultController {
            shared: self.shared.clone(),
            scope: self.scope.clone(),
            skip: n,
        }
    }

    /// Rules apply only to requests that change something ([`Scope::Writes`]).
    pub fn writes(&self) -> FaultController {
        self.scoped(Scope::Writes)
    }

    /// Rules from the returned controller apply only to one endpoint key, e.g.
    /// `"GET /v1/playlists/{id}/items"` or `"POST /api/token"`.
    pub fn on(&self, endpoint: &str) -> FaultController {
        self.scoped(Scope::Endpoint(endpoint.to_owned()))
    }

    /// Rules apply only to requests with this HTTP method.
    pub fn on_method(&self, method: &str) -> FaultController {
        self.scoped(Scope::Method(method.to_owned()))
    }

    /// Rules apply only to paths starting with `prefix` (`"/v1/"` for the Web API).
    pub fn on_path_prefix(&self, prefix: &str) -> FaultController {
        self.scoped(Scope::PathPrefix(prefix.to_owned()))
    }

    pub fn scoped(&self, scope: Scope) -> FaultController {
        FaultController {
            shared: self.shared.clone(),
            scope,
            skip: self.skip,
        }
    }

    /// The next `n` requests pass; then requests get 429 with `Retry-After: secs` until
    /// `secs` have passed since the first 429 (requests in that window count as
    /// [`crate::RequestStats::rate_limit_violations`]); then the rule is spent.
    pub fn rate_limit_after(&self, n: u64, retry_after_secs: u64) -> &Self {
        self.push(Kind::RateLimitAfter {
            after: n,
            retry_after: retry_after_secs,
            cooldown_until: None,
        })
    }

    /// Every `k`-th request gets 429 with `Retry-After: secs`, for as long as the rule stands.
    pub fn rate_limit_every(&self, k: u64, retry_after_secs: u64) -> &Self {
        self.push(Kind::RateLimitEvery {
            every: k,
            retry_after: retry_after_secs,
        })
    }

    /// Spotify's own model: a rolling window admitting `max` requests; beyond it 429 with the
    /// seconds until the oldest request leaves the window.
    pub fn rate_limit_window(&self, max: usize, window: Duration) -> &Self {
        self.push(Kind::Window {
            max,
            window,
            seen: VecDeque::new(),
        })
    }

    /// The next `n` requests answer `status` (500, 502, 503…) with Spotify's error body.
    pub fn fail_next(&self, n: u64, status: u16) -> &Self {
        self.push(Kind::Fail {
            remaining: n,
            status,
        })
    }

    /// Adds `d` before every response in scope (on top of the configured latency).
    pub fn latency(&self, d: Duration) -> &Self {
        self.push(Kind::Latency(d))
    }

    /// The next `n` requests are never answered (until shutdown): the client must time out.
    pub fn timeout_next(&self, n: u64) -> &Self {
        self.push(Kind::Timeout { remaining: n })
    }

    /// The next `n` requests have their connection closed without a response.
    pub fn drop_next(&self, n: u64) -> &Self {
        self.push(Kind::Drop { remaining: n })
    }

    /// The next `n` requests are applied, and then their connection is closed without a
    /// response: the client cannot know that the write happened.
    pub fn lose_answer_next(&self, n: u64) -> &Self {
        self.push(Kind::LoseAnswer { remaining: n })
    }

    /// The next `n` requests are applied and then never answered (until shutdown), as when
    /// the client is killed just after sending them.
    pub fn apply_then_hang_next(&self, n: u64) -> &Self {
        self.push(Kind::ApplyThenHang { remaining: n })
    }

    /// The access token answers 401 "The access token expired" from now on.
    pub fn expire_token(&self, token: &str) -> &Self {
        self.shared.auth().expire(token);
        self
    }

    /// Revokes an access token (401 "Invalid access token"), or a refresh token together with
    /// every access token of its grant (refresh answers `invalid_grant`).
    pub fn revoke_token(&self, token: &str) -> &Self {
        self.shared.auth().revoke(token);
        self
    }

    /// Every access token issued so far answers 401 "The access token expired" from now on
    /// (as when tokens lapse while no process ran).
    pub fn expire_all_access_tokens(&self) -> &Self {
        self.shared.auth().expire_all();
        self
    }

    /// Revokes every grant (the user removed the app's access on Spotify): refreshes answer
    /// `invalid_grant`, access tokens 401.
    pub fn revoke_all_grants(&self) -> &Self {
        let mut auth = self.shared.auth();
        let grants: Vec<u64> = auth.grants.keys().copied().collect();
        for g in grants {
            auth.revoke_grant(g);
        }
        self
    }

    /// Removes every armed rule (all scopes).
    pub fn clear(&self) -> &Self {
        self.shared.faults().rules.clear();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(s: &mut FaultState, endpoint: &str) -> Action {
        s.decide(endpoint, "GET", "/v1/x").0
    }

    fn arm(s: &mut FaultState, scope: Scope, kind: Kind) {
        s.rules.push(Rule {
            scope,
            kind,
            skip: 0,
            seen: 0,
            done: false,
        });
    }

    #[test]
    fn fail_next_counts_only_its_scope() {
        let mut s = FaultState::default();
        arm(
            &mut s,
            Scope::Endpoint("GET /a".into()),
            Kind::Fail {
                remaining: 2,
                status: 503,
            },
        );
        assert_eq!(decide(&mut s, "GET /b"), Action::Pass);
        assert_eq!(decide(&mut s, "GET /a"), Action::Fail(503));
        assert_eq!(decide(&mut s, "GET /a"), Action::Fail(503));
        assert_eq!(decide(&mut s, "GET /a"), Action::Pass);
        assert!(s.rules.is_empty());
    }

    #[test]
    fn rate_limit_after_holds_for_retry_after() {
        let mut s = FaultState::default();
        arm(
            &mut s,
            Scope::All,
            Kind::RateLimitAfter {
                after: 1,
                retry_after: 3600,
                cooldown_until: None,
            },
        );
        assert_eq!(decide(&mut s, "GET /a"), Action::Pass);
        assert_eq!(
            decide(&mut s, "GET /a"),
            Action::RateLimited {
                retry_after: 3600,
                violation: false
            }
        );
        assert!(matches!(
            decide(&mut s, "GET /a"),
            Action::RateLimited {
                violation: true,
                ..
            }
        ));
    }

    #[test]
    fn rate_limit_every_kth() {
        let mut s = FaultState::default();
        arm(
            &mut s,
            Scope::All,
            Kind::RateLimitEvery {
                every: 3,
                retry_after: 1,
            },
        );
        let got: Vec<bool> = (0..6)
            .map(|_| decide(&mut s, "GET /a") != Action::Pass)
            .collect();
        assert_eq!(got, [false, false, true, false, false, true]);
    }

    #[test]
    fn window_admits_max_then_limits() {
        let mut s = FaultState::default();
        arm(
            &mut s,
            Scope::All,
            Kind::Window {
                max: 2,
                window: Duration::from_secs(3600),
                seen: VecDeque::new(),
            },
        );
        assert_eq!(decide(&mut s, "GET /a"), Action::Pass);
        assert_eq!(decide(&mut s, "GET /a"), Action::Pass);
        assert!(matches!(
            decide(&mut s, "GET /a"),
            Action::RateLimited { .. }
        ));
    }
}
