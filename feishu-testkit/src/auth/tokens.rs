//! Issued tokens and app tickets: what the token endpoints hand out and the data requests
//! present.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::clock::FAR_FUTURE;
use super::config::AuthConfig;

/// Distinguishes tenants started in one process so their tokens never collide.
static INSTANCES: AtomicU64 = AtomicU64::new(0);

/// Which kind of token an issued token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TokenKind {
    Tenant,
    App,
}

/// What the tenant remembers of one issued token.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub(crate) kind: TokenKind,
    pub(crate) app_id: String,
    pub(crate) tenant_key: String,
    expires_at: Instant,
}

#[derive(Debug, Clone)]
struct Ticket {
    value: String,
    event: Value,
}

/// Issued tokens and app tickets.
#[derive(Debug)]
pub(crate) struct Tokens {
    issued: HashMap<String, Issued>,
    /// The latest token per (kind, app_id, tenant_key), subject to the re-issue rule.
    current: HashMap<(TokenKind, String, String), String>,
    rng: fastrand::Rng,
    counter: u64,
    /// Whether every data request is refused whatever its token.
    pub(crate) reject_all: bool,
    ticket: Option<Ticket>,
}

impl Tokens {
    pub(crate) fn new(seed: u64) -> Tokens {
        let instance = INSTANCES.fetch_add(1, Ordering::Relaxed);
        Tokens {
            issued: HashMap::new(),
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

    /// The live token `token`, if it was issued and has not expired at `now`.
    pub(crate) fn lookup(&self, token: &str, now: Instant) -> Option<&Issued> {
        self.issued
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
        self.issued.insert(
            token.clone(),
            Issued {
                kind,
                app_id: app_id.to_owned(),
                tenant_key: tenant_key.to_owned(),
                // A lifetime too large for the clock means "never expires" (~100 years).
                expires_at: now
                    .checked_add(lifetime)
                    .or_else(|| now.checked_add(FAR_FUTURE))
                    .unwrap_or(now),
            },
        );
        token
    }

    /// Feishu's re-issue rule: the same token while at least `reissue_threshold` remains,
    /// otherwise a new one (the old one stays valid until it expires). Returns the token and
    /// `expire` (remaining whole seconds).
    pub(crate) fn obtain(
        &mut self,
        config: &AuthConfig,
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
        self.issued.clear();
        self.current.clear();
    }

    /// Generates a new app ticket for the store app (the previous one stops working).
    pub(crate) fn issue_ticket(&mut self, config: &AuthConfig) {
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

    /// The latest app ticket event, if one was issued.
    pub(crate) fn ticket_event(&self) -> Option<Value> {
        self.ticket.as_ref().map(|ticket| ticket.event.clone())
    }

    /// The latest app ticket, if one was issued.
    pub(crate) fn current_ticket(&self) -> Option<String> {
        self.ticket.as_ref().map(|ticket| ticket.value.clone())
    }

    /// Whether `given` is the current app ticket.
    pub(crate) fn ticket_is(&self, given: &str) -> bool {
        self.ticket
            .as_ref()
            .is_some_and(|ticket| ticket.value == given)
    }
}
