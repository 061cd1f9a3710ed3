//! Builds a [`Client`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::TokenProvider;
use crate::budget::{Budget, BudgetScope, BudgetStore, RateLimits};
use crate::client::Client;
use crate::credentials::Credentials;
use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::telemetry::{ClientEvent, Telemetry};
use crate::token::{InMemoryTokenStore, TokenStore};
use crate::transport::Transport;

/// Default cap on one reply's body.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

type EventHook = Arc<dyn Fn(&ClientEvent) + Send + Sync>;

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }
}

/// Builds a [`Client`].
///
/// # Example
/// ```
/// use std::time::Duration;
/// use feishu_core::{Client, Credentials, Domain, RetryPolicy};
/// let client = Client::builder()
///     .domain(Domain::Lark)
///     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
///     .timeout(Duration::from_secs(30))
///     .retry_policy(RetryPolicy::default().with_max_attempts(4))
///     .build()
///     .unwrap();
/// assert_eq!(client.domain(), &Domain::Lark);
/// ```
#[must_use]
pub struct ClientBuilder {
    domain: Domain,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    rate_limits: RateLimits,
    user_agent: String,
    http: Option<reqwest::Client>,
    store: Option<Arc<dyn TokenStore>>,
    budget_store: Option<Arc<dyn BudgetStore>>,
    refresh_margin: Duration,
    app_ticket_wait: Duration,
    max_response_bytes: usize,
    on_event: Option<EventHook>,
    deferred_error: Option<Error>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            domain: Domain::Feishu,
            credentials: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            rate_limits: RateLimits::documented(),
            user_agent: concat!("feishu-rs/", env!("CARGO_PKG_VERSION")).to_string(),
            http: None,
            store: None,
            budget_store: None,
            refresh_margin: Duration::from_secs(5 * 60),
            app_ticket_wait: Duration::from_secs(30),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            on_event: None,
            deferred_error: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("domain", &self.domain)
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The Open Platform host (default [`Domain::Feishu`]).
    pub fn domain(mut self, domain: Domain) -> Self {
        self.domain = domain;
        self
    }

    /// A custom base URL; shorthand for [`Domain::custom`]. An invalid URL is reported by
    /// [`ClientBuilder::build`].
    pub fn base_url(mut self, url: &str) -> Self {
        // An unusable URL is kept for build(): it must not silently fall back to Feishu.
        match Domain::custom(url) {
            Ok(d) => self.domain = d,
            Err(e) => self.deferred_error = Some(e),
        }
        self
    }

    /// How the client authenticates (required).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Timeout of one HTTP attempt, reading the whole reply included (default 60 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Retry budget and backoff (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Client-side rate limits (default [`RateLimits::documented`]).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// The `User-Agent` header (default `feishu-rs/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Uses a caller-built `reqwest::Client` (proxies, custom TLS roots).
    ///
    /// This is the one place where the HTTP library shows in the API: the client must come
    /// from the `reqwest` version this crate depends on (see its `Cargo.toml`), and a release
    /// that changes that version says so in the changelog. The builder's per-request timeout
    /// still applies; its connect timeout and user agent do not.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Where tokens are cached (default: in memory, per client).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Where the rate-limit budget is kept (default: in this process's memory, shared by
    /// every client with the same base URL, app and tenant). Give every process of one app
    /// the same shared store (e.g. `feishu-redis`'s `RedisBudgetStore`) so that together
    /// they stay within Feishu's limits.
    pub fn budget_store(mut self, store: Arc<dyn BudgetStore>) -> Self {
        self.budget_store = Some(store);
        self
    }

    /// How long before expiry a token is refreshed (default 5 min). Clamped to at most
    /// 29 min, because Feishu re-issues a token only in its last 30 minutes; a token living
    /// shorter than twice the margin is refreshed at half its life.
    pub fn token_refresh_margin(mut self, d: Duration) -> Self {
        self.refresh_margin = d;
        self
    }

    /// How long a store app waits for an `app_ticket` after asking Feishu to resend it
    /// (default 30 s).
    pub fn app_ticket_wait(mut self, d: Duration) -> Self {
        self.app_ticket_wait = d;
        self
    }

    /// The largest reply body accepted (default 64 MiB); larger ones fail with
    /// [`Error::Decode`] instead of exhausting memory.
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.max_response_bytes = n;
        self
    }

    /// A hook called on rate limits, retries and token fetches.
    pub fn on_event(mut self, hook: impl Fn(&ClientEvent) + Send + Sync + 'static) -> Self {
        self.on_event = Some(Arc::new(hook));
        self
    }

    /// Builds the client. Fails with [`Error::Config`] when credentials are missing or
    /// invalid, or the base URL is unusable.
    pub fn build(self) -> Result<Client> {
        if let Some(e) = self.deferred_error {
            return Err(e);
        }
        let credentials = self
            .credentials
            .ok_or_else(|| Error::Config("no credentials given".into()))?;
        credentials.validate()?;
        let http = match self.http {
            Some(c) => c,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                .user_agent(self.user_agent)
                .pool_idle_timeout(Duration::from_secs(60))
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(InMemoryTokenStore::new()));
        let base = self.domain.base_url();
        let scope = budget_scope(base.as_str(), &credentials);
        let budget = match self.budget_store {
            Some(store) => Budget::new(store, self.rate_limits),
            None => Budget::shared(&scope, self.rate_limits),
        };
        let transport = Transport {
            http,
            base,
            timeout: self.timeout,
            retry: self.retry,
            budget,
            scope,
            max_response_bytes: self.max_response_bytes,
            telemetry: Telemetry::with_hook(self.on_event),
        };
        let tokens = TokenProvider::new(
            credentials,
            store,
            self.refresh_margin,
            self.app_ticket_wait,
        );
        Ok(Client::from_parts(self.domain, transport, tokens))
    }
}

/// Whose budget a client spends: Feishu counts per API x app x tenant. A pre-minted tenant
/// token names no app: its scope is a hash of the token (so two clients with the same token
/// share a budget; the token itself never becomes a key).
fn budget_scope(base_url: &str, credentials: &Credentials) -> BudgetScope {
    use std::hash::{DefaultHasher, Hash, Hasher};
    match credentials.app_id() {
        Some(app_id) => BudgetScope::new(base_url, app_id, credentials.tenant_key()),
        None => {
            let mut h = DefaultHasher::new();
            credentials.secret_fingerprint_input().hash(&mut h);
            let stand_in = format!("pre-minted:{:016x}", h.finish());
            BudgetScope::new(base_url, &stand_in, credentials.tenant_key())
        }
    }
}
