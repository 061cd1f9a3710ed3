//! The `auth/v3` token endpoints and the bearer-token check of every other request.
//!
//! Token endpoints answer flat JSON (`{code, msg, <token>, expire}`), business errors
//! (10003, 10012, 10013, 10016) with HTTP 200 as Feishu does; gateway token codes
//! (99991661, 99991663, 99991664, 99991668, 99991671) come with HTTP 400.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::reply::Reply;
use crate::router::{RequestView, only};
use crate::state::{Config, State, lock};

/// Distinguishes tenants started in one process so their tokens never collide.
static INSTANCES: AtomicU64 = AtomicU64::new(0);

/// Which kind of token an issued token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TokenKind {
    Tenant,
    App,
}

#[derive(Debug, Clone)]
struct Issued {
    kind: TokenKind,
    app_id: String,
    tenant_key: String,
    expires_at: Instant,
}

/// The identity behind an accepted tenant token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub(crate) app_id: String,
    pub(crate) tenant_key: String,
    pub(crate) token: String,
}

#[derive(Debug, Clone)]
struct Ticket {
    value: String,
    event: Value,
}

/// Issued tokens and app tickets.
#[derive(Debug)]
pub(crate) struct AuthState {
    tokens: HashMap<String, Issued>,
    /// The latest token per (kind, app_id, tenant_key), subject to the re-issue rule.
    current: HashMap<(TokenKind, String, String), String>,
    rng: fastrand::Rng,
    counter: u64,
    pub(crate) reject_all: bool,
    ticket: Option<Ticket>,
}

impl AuthState {
    pub(crate) fn new(seed: u64) -> AuthState {
        let instance = INSTANCES.fetch_add(1, Ordering::Relaxed);
        AuthState {
            tokens: HashMap::new(),
            current: HashMap::new(),
            rng: fastrand::Rng::with_seed(seed ^ instance.wrapping_mul(0xA076_1D64_78BD_642F)),
            counter: 0,
            reject_all: false,
            ticket: None,
        }
    }

    /// `prefix` + 32 hex characters; unique (the second half is a bijection of a counter).
    fn fresh_string(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let mixed = self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        format!("{prefix}{:016x}{mixed:016x}", self.rng.u64(..))
    }

    fn lookup(&self, token: &str, now: Instant) -> Option<&Issued> {
        self.tokens
            .get(token)
            .filter(|issued| issued.expires_at > now)
    }

    /// Issues a token outside the re-issue rule (pre-minted tokens).
    pub(crate) fn mint(
        &mut self,
        kind: TokenKind,
        app_id: &str,
        tenant_key: &str,
        now: Instant,
        lifetime: Duration,
    ) -> String {
        let prefix = match kind {
            TokenKind::Tenant => "t-",
            TokenKind::App => "a-",
        };
        let token = self.fresh_string(prefix);
        self.tokens.insert(
            token.clone(),
            Issued {
                kind,
                app_id: app_id.to_owned(),
                tenant_key: tenant_key.to_owned(),
                // A lifetime too large for the clock means "never expires" (~100 years).
                expires_at: now
                    .checked_add(lifetime)
                    .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
                    .unwrap_or(now),
            },
        );
        token
    }

    /// The §2.4 rule: the same token while at least `reissue_threshold` remains, otherwise a
    /// new one (the old one stays valid until it expires). Returns the token and `expire`.
    fn obtain(
        &mut self,
        config: &Config,
        kind: TokenKind,
        app_id: &str,
        tenant_key: &str,
        now: Instant,
    ) -> (String, u64) {
        let key = (kind, app_id.to_owned(), tenant_key.to_owned());
        if let Some(token) = self.current.get(&key)
            && let Some(issued) = self.lookup(token, now)
        {
            let remaining = issued.expires_at.saturating_duration_since(now);
            if remaining >= config.reissue_threshold {
                return (token.clone(), remaining.as_secs());
            }
        }
        let token = self.mint(kind, app_id, tenant_key, now, config.token_expire);
        self.current.insert(key, token.clone());
        (token, config.token_expire.as_secs())
    }

    /// Every issued token becomes invalid; the next token request issues a fresh one.
    pub(crate) fn revoke_all(&mut self) {
        self.tokens.clear();
        self.current.clear();
    }

    /// Generates a new app ticket for the store app (the previous one stops working).
    pub(crate) fn issue_ticket(&mut self, config: &Config) {
        let value = self.fresh_string("tkt_");
        let uuid = format!("{:016x}{:016x}", self.rng.u64(..), self.rng.u64(..));
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let ts = format!(
            "{}.{:06}",
            since_epoch.as_secs(),
            since_epoch.subsec_micros()
        );
        let event = json!({
            "ts": ts,
            "uuid": uuid,
            "token": config.verification_token,
            "type": "event_callback",
            "event": {
                "app_id": config.store_app_id,
                "type": "app_ticket",
                "app_ticket": value,
            }
        });
        self.ticket = Some(Ticket { value, event });
    }

    pub(crate) fn ticket_event(&self) -> Option<Value> {
        self.ticket.as_ref().map(|ticket| ticket.event.clone())
    }

    pub(crate) fn current_ticket(&self) -> Option<String> {
        self.ticket.as_ref().map(|ticket| ticket.value.clone())
    }
}

/// HTTP 400, code 99991663.
pub(crate) fn invalid_tenant_token() -> Reply {
    Reply::err(
        400,
        99991663,
        "Invalid access token for authorization. Please make a request with token attached.",
    )
}

fn missing_token() -> Reply {
    Reply::err(
        400,
        99991661,
        "Missing access token for authorization. Please make a request with token attached.",
    )
}

fn malformed_token() -> Reply {
    Reply::err(400, 99991671, "Invalid token: must start with t-/u-")
}

fn invalid_user_token() -> Reply {
    Reply::err(
        400,
        99991668,
        "Invalid access token for authorization. Please make a request with token attached.",
    )
}

fn invalid_app_token() -> Reply {
    Reply::err(400, 99991664, "invalid app token")
}

fn invalid_param(detail: &str) -> Reply {
    Reply::err(200, 10003, format!("invalid param: {detail}"))
}

/// Checks `Authorization: Bearer <tenant token>` of a data request.
pub(crate) fn check(state: &State, req: &RequestView) -> Result<Caller, Reply> {
    let token = req
        .header("authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
        .filter(|token| !token.is_empty() && !token.contains(char::is_whitespace))
        .ok_or_else(missing_token)?;
    if !["t-", "a-", "u-"].iter().any(|p| token.starts_with(p)) {
        return Err(malformed_token());
    }
    let auth = lock(&state.auth);
    if auth.reject_all {
        return Err(invalid_tenant_token());
    }
    if token.starts_with("u-") {
        return Err(invalid_user_token());
    }
    match auth.lookup(token, state.now()) {
        Some(issued) if issued.kind == TokenKind::Tenant => Ok(Caller {
            app_id: issued.app_id.clone(),
            tenant_key: issued.tenant_key.clone(),
            token: token.to_owned(),
        }),
        _ => Err(invalid_tenant_token()),
    }
}

/// Serves `/open-apis/auth/v3/*`.
pub(crate) fn handle(state: &State, req: &RequestView) -> Reply {
    match req.path.as_str() {
        "/open-apis/auth/v3/tenant_access_token/internal" => {
            only(req, "POST", || tenant_token_internal(state, req))
        }
        "/open-apis/auth/v3/app_access_token/internal" => {
            only(req, "POST", || app_token_internal(state, req))
        }
        "/open-apis/auth/v3/app_ticket/resend" => only(req, "POST", || resend_ticket(state, req)),
        "/open-apis/auth/v3/app_access_token" => only(req, "POST", || store_app_token(state, req)),
        "/open-apis/auth/v3/tenant_access_token" => {
            only(req, "POST", || store_tenant_token(state, req))
        }
        _ => Reply::not_found(req),
    }
}

/// A non-empty string field of the JSON body.
fn field<'a>(req: &'a RequestView, name: &str) -> Option<&'a str> {
    req.json
        .as_ref()?
        .get(name)?
        .as_str()
        .filter(|value| !value.is_empty())
}

/// Which app the body's `app_id` / `app_secret` identify.
enum App {
    Custom,
    Store,
}

fn authenticate_app(state: &State, req: &RequestView) -> Result<App, Reply> {
    let (Some(app_id), Some(app_secret)) = (field(req, "app_id"), field(req, "app_secret")) else {
        return Err(invalid_param("app_id and app_secret are required"));
    };
    let config = &state.config;
    if app_id == config.app_id && app_secret == config.app_secret {
        Ok(App::Custom)
    } else if app_id == config.store_app_id && app_secret == config.store_app_secret {
        Ok(App::Store)
    } else {
        Err(invalid_param("app_id or app_secret is wrong"))
    }
}

fn require_custom(state: &State, req: &RequestView) -> Result<(), Reply> {
    match authenticate_app(state, req)? {
        App::Custom => Ok(()),
        App::Store => Err(invalid_param(
            "a store app must use app_access_token + tenant_access_token with an app_ticket",
        )),
    }
}

fn tenant_token_internal(state: &State, req: &RequestView) -> Reply {
    if let Err(reply) = require_custom(state, req) {
        return reply;
    }
    let config = &state.config;
    let now = state.now();
    let (token, expire) = lock(&state.auth).obtain(
        config,
        TokenKind::Tenant,
        &config.app_id,
        &config.tenant_key,
        now,
    );
    Reply::flat(json!({ "tenant_access_token": token, "expire": expire }))
}

fn app_token_internal(state: &State, req: &RequestView) -> Reply {
    if let Err(reply) = require_custom(state, req) {
        return reply;
    }
    let config = &state.config;
    let now = state.now();
    let mut auth = lock(&state.auth);
    let (app_token, expire) = auth.obtain(config, TokenKind::App, &config.app_id, "", now);
    let (tenant_token, _) = auth.obtain(
        config,
        TokenKind::Tenant,
        &config.app_id,
        &config.tenant_key,
        now,
    );
    Reply::flat(json!({
        "app_access_token": app_token,
        "expire": expire,
        "tenant_access_token": tenant_token,
    }))
}

fn resend_ticket(state: &State, req: &RequestView) -> Reply {
    match authenticate_app(state, req) {
        Err(reply) => reply,
        Ok(App::Custom) => Reply::err(
            200,
            10016,
            "app resend fail: custom apps have no app_ticket",
        ),
        Ok(App::Store) => {
            lock(&state.auth).issue_ticket(&state.config);
            crate::events::on_app_ticket(state);
            Reply::json(200, json!({ "code": 0, "msg": "success" }))
        }
    }
}

fn store_app_token(state: &State, req: &RequestView) -> Reply {
    let app = match authenticate_app(state, req) {
        Ok(app) => app,
        Err(reply) => return reply,
    };
    let config = &state.config;
    let now = state.now();
    let mut auth = lock(&state.auth);
    let ticket_ok = matches!(app, App::Store)
        && field(req, "app_ticket").is_some_and(|given| {
            auth.ticket
                .as_ref()
                .is_some_and(|ticket| ticket.value == given)
        });
    if !ticket_ok {
        return Reply::err(
            200,
            10012,
            "get app access token fail: app_ticket is missing, wrong or outdated",
        );
    }
    let (token, expire) = auth.obtain(config, TokenKind::App, &config.store_app_id, "", now);
    Reply::flat(json!({ "app_access_token": token, "expire": expire }))
}

fn store_tenant_token(state: &State, req: &RequestView) -> Reply {
    let (Some(app_token), Some(tenant_key)) =
        (field(req, "app_access_token"), field(req, "tenant_key"))
    else {
        return invalid_param("app_access_token and tenant_key are required");
    };
    let config = &state.config;
    let now = state.now();
    let mut auth = lock(&state.auth);
    let app_id = match auth.lookup(app_token, now) {
        Some(issued) if issued.kind == TokenKind::App => issued.app_id.clone(),
        _ => return invalid_app_token(),
    };
    if app_id != config.store_app_id || tenant_key != config.tenant_key {
        return Reply::err(
            200,
            10013,
            format!(
                "get tenant access token fail: app {app_id} is not installed in tenant {tenant_key}"
            ),
        );
    }
    let (token, expire) = auth.obtain(config, TokenKind::Tenant, &app_id, tenant_key, now);
    Reply::flat(json!({ "tenant_access_token": token, "expire": expire }))
}
