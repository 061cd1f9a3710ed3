//! The `auth/v3` token endpoints and the bearer-token check of every other request.
//!
//! Token endpoints answer flat JSON (`{code, msg, <token>, expire}`), business errors
//! (10003, 10012, 10013, 10016) with HTTP 200 as Feishu does; gateway token codes
//! (99991661, 99991663, 99991664, 99991668, 99991671) come with HTTP 400.

mod clock;
mod config;
mod expire;
mod tokens;

use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};

use crate::lock::lock;
use crate::reply::Reply;
use crate::request::{Caller, RequestView};
use crate::service::{FakeService, only};

use self::clock::VirtualClock;
pub(crate) use self::config::AuthConfig;
pub use self::expire::ExpireField;
use self::tokens::{TokenKind, Tokens};

/// The auth service: configuration, issued tokens and tickets, and the token clock.
#[derive(Debug)]
pub(crate) struct AuthService {
    config: AuthConfig,
    tokens: Mutex<Tokens>,
    clock: VirtualClock,
    expire_field: Mutex<ExpireField>,
}

impl AuthService {
    /// A service for `config`; with `issue_ticket`, the store app's first ticket exists at once.
    pub(crate) fn new(config: AuthConfig, seed: u64, issue_ticket: bool) -> AuthService {
        let mut tokens = Tokens::new(seed);
        if issue_ticket {
            tokens.issue_ticket(&config);
        }
        AuthService {
            config,
            tokens: Mutex::new(tokens),
            clock: VirtualClock::default(),
            expire_field: Mutex::new(ExpireField::default()),
        }
    }

    /// The apps and tenant this service knows.
    pub(crate) fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// Checks `Authorization: Bearer <tenant token>` of a data request.
    pub(crate) fn check(&self, req: &RequestView) -> Result<Caller, Reply> {
        let token = req
            .bearer()
            .filter(|token| !token.is_empty() && !token.contains(char::is_whitespace))
            .ok_or_else(missing_token)?;
        if !["t-", "a-", "u-"].iter().any(|p| token.starts_with(p)) {
            return Err(malformed_token());
        }
        let tokens = lock(&self.tokens);
        if tokens.reject_all {
            return Err(Reply::invalid_tenant_token());
        }
        if token.starts_with("u-") {
            return Err(invalid_user_token());
        }
        match tokens.lookup(token, self.clock.now()) {
            Some(issued) if issued.kind == TokenKind::Tenant => Ok(Caller {
                app_id: issued.app_id.clone(),
                tenant_key: issued.tenant_key.clone(),
                token: token.to_owned(),
            }),
            _ => Err(Reply::invalid_tenant_token()),
        }
    }

    // ----- knobs (reached through `FakeTenant`) ------------------------------------------

    /// A tenant token for the store app, issued out of band.
    pub(crate) fn mint_tenant_token(&self) -> String {
        let config = &self.config;
        lock(&self.tokens).mint(
            TokenKind::Tenant,
            &config.store_app_id,
            &config.tenant_key,
            self.clock.now(),
            config.token_expire,
        )
    }

    /// An app token for the store app, issued out of band.
    pub(crate) fn mint_app_token(&self) -> String {
        let config = &self.config;
        lock(&self.tokens).mint(
            TokenKind::App,
            &config.store_app_id,
            "",
            self.clock.now(),
            config.token_expire,
        )
    }

    /// Invalidates every token issued so far.
    pub(crate) fn revoke_all(&self) {
        lock(&self.tokens).revoke_all();
    }

    /// Whether every data request is refused whatever its token.
    pub(crate) fn reject_all(&self, reject: bool) {
        lock(&self.tokens).reject_all = reject;
    }

    /// Moves the token clock forward.
    pub(crate) fn advance_clock(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Issues a new app ticket as if Feishu pushed one.
    pub(crate) fn push_ticket(&self) {
        lock(&self.tokens).issue_ticket(&self.config);
    }

    /// The latest app ticket event.
    pub(crate) fn ticket_event(&self) -> Option<Value> {
        lock(&self.tokens).ticket_event()
    }

    /// The latest app ticket.
    pub(crate) fn current_ticket(&self) -> Option<String> {
        lock(&self.tokens).current_ticket()
    }

    /// How token replies write `expire` from now on.
    pub(crate) fn set_expire_field(&self, field: ExpireField) {
        *lock(&self.expire_field) = field;
    }

    /// A flat token reply with `fields` and `expire` written as the knob says.
    fn token_reply(&self, mut fields: Value, expire: u64) -> Reply {
        lock(&self.expire_field).write(&mut fields, expire);
        Reply::flat(fields)
    }

    // ----- endpoints -------------------------------------------------------------------

    fn tenant_token_internal(&self, req: &RequestView) -> Reply {
        if let Err(reply) = self.require_custom(req) {
            return reply;
        }
        let config = &self.config;
        let (token, expire) = lock(&self.tokens).obtain(
            config,
            TokenKind::Tenant,
            &config.app_id,
            &config.tenant_key,
            self.clock.now(),
        );
        self.token_reply(json!({ "tenant_access_token": token }), expire)
    }

    fn app_token_internal(&self, req: &RequestView) -> Reply {
        if let Err(reply) = self.require_custom(req) {
            return reply;
        }
        let config = &self.config;
        let now = self.clock.now();
        let mut tokens = lock(&self.tokens);
        let (app_token, expire) = tokens.obtain(config, TokenKind::App, &config.app_id, "", now);
        let (tenant_token, _) = tokens.obtain(
            config,
            TokenKind::Tenant,
            &config.app_id,
            &config.tenant_key,
            now,
        );
        self.token_reply(
            json!({ "app_access_token": app_token, "tenant_access_token": tenant_token }),
            expire,
        )
    }

    fn resend_ticket(&self, req: &RequestView) -> Reply {
        match self.authenticate_app(req) {
            Err(reply) => reply,
            Ok(App::Custom) => Reply::err(
                200,
                10016,
                "app resend fail: custom apps have no app_ticket",
            ),
            Ok(App::Store) => {
                self.push_ticket();
                Reply::json(200, json!({ "code": 0, "msg": "success" }))
            }
        }
    }

    fn store_app_token(&self, req: &RequestView) -> Reply {
        let app = match self.authenticate_app(req) {
            Ok(app) => app,
            Err(reply) => return reply,
        };
        let config = &self.config;
        let mut tokens = lock(&self.tokens);
        let ticket_ok = matches!(app, App::Store)
            && field(req, "app_ticket").is_some_and(|given| tokens.ticket_is(given));
        if !ticket_ok {
            return Reply::err(
                200,
                10012,
                "get app access token fail: app_ticket is missing, wrong or outdated",
            );
        }
        let (token, expire) = tokens.obtain(
            config,
            TokenKind::App,
            &config.store_app_id,
            "",
            self.clock.now(),
        );
        self.token_reply(json!({ "app_access_token": token }), expire)
    }

    fn store_tenant_token(&self, req: &RequestView) -> Reply {
        let (Some(app_token), Some(tenant_key)) =
            (field(req, "app_access_token"), field(req, "tenant_key"))
        else {
            return invalid_param("app_access_token and tenant_key are required");
        };
        let config = &self.config;
        let now = self.clock.now();
        let mut tokens = lock(&self.tokens);
        let app_id = match tokens.lookup(app_token, now) {
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
        let (token, expire) = tokens.obtain(config, TokenKind::Tenant, &app_id, tenant_key, now);
        self.token_reply(json!({ "tenant_access_token": token }), expire)
    }

    fn authenticate_app(&self, req: &RequestView) -> Result<App, Reply> {
        let (Some(app_id), Some(app_secret)) = (field(req, "app_id"), field(req, "app_secret"))
        else {
            return Err(invalid_param("app_id and app_secret are required"));
        };
        let config = &self.config;
        if app_id == config.app_id && app_secret == config.app_secret {
            Ok(App::Custom)
        } else if app_id == config.store_app_id && app_secret == config.store_app_secret {
            Ok(App::Store)
        } else {
            Err(invalid_param("app_id or app_secret is wrong"))
        }
    }

    fn require_custom(&self, req: &RequestView) -> Result<(), Reply> {
        match self.authenticate_app(req)? {
            App::Custom => Ok(()),
            App::Store => Err(invalid_param(
                "a store app must use app_access_token + tenant_access_token with an app_ticket",
            )),
        }
    }
}

/// Serves `/open-apis/auth/v3/*` (the router sends only those paths here).
impl FakeService for AuthService {
    fn handle(&self, req: &RequestView) -> Option<Reply> {
        let reply = match req.path.as_str() {
            "/open-apis/auth/v3/tenant_access_token/internal" => {
                only(req, "POST", || self.tenant_token_internal(req))
            }
            "/open-apis/auth/v3/app_access_token/internal" => {
                only(req, "POST", || self.app_token_internal(req))
            }
            "/open-apis/auth/v3/app_ticket/resend" => only(req, "POST", || self.resend_ticket(req)),
            "/open-apis/auth/v3/app_access_token" => {
                only(req, "POST", || self.store_app_token(req))
            }
            "/open-apis/auth/v3/tenant_access_token" => {
                only(req, "POST", || self.store_tenant_token(req))
            }
            _ => return None,
        };
        Some(reply)
    }
}

/// Which app the body's `app_id` / `app_secret` identify.
enum App {
    Custom,
    Store,
}

/// A non-empty string field of the JSON body.
fn field<'a>(req: &'a RequestView, name: &str) -> Option<&'a str> {
    req.json
        .as_ref()?
        .get(name)?
        .as_str()
        .filter(|value| !value.is_empty())
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
