//! The client handle and its request engine.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use tracing::Instrument;
use url::Url;

use crate::auth::{InMemoryTokenStore, TokenManager, TokenStore};
use crate::codes;
use crate::credentials::{AppTicketEvent, CredentialKind, Credentials};
use crate::domain::Domain;
use crate::error::{ApiError, DecodeError, Error, ErrorDetail, HttpError, Result};
use crate::rate_limit::{LimiterRegistry, RateLimits};
use crate::redact;
use crate::request::{ApiRequest, Method, ReplyShape};
use crate::retry::RetryPolicy;
use crate::stats::ClientEvent;
use crate::stats::{ClientStats, StatsInner};

/// Most token refreshes one call may trigger (each for a different rejected token).
const MAX_TOKEN_REFRESHES: usize = 3;

/// Default cap on one reply's body.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

type EventHook = Arc<dyn Fn(&ClientEvent) + Send + Sync>;

/// A Feishu / Lark Open Platform client.
///
/// # Example
/// ```no_run
/// use feishu_core::{Client, Credentials, Domain};
/// # async fn sample() -> feishu_core::Result<()> {
/// let client = Client::builder()
///     .domain(Domain::Feishu)
///     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
///     .build()?;
/// let token = client.tenant_access_token().await?;
/// # let _ = token; Ok(()) }
/// ```
///
/// # Configuration
/// [`ClientBuilder`] sets the domain, credentials, timeouts (connect 10 s, per request 60 s by
/// default, token endpoints included), the [`RetryPolicy`], the client-side [`RateLimits`],
/// the user agent, a shared [`TokenStore`], or a caller-built `reqwest::Client`.
///
/// # Pooling and Cloning
/// `Client` is a handle around an `Arc`: clones share the connection pool, the token cache,
/// the rate limiters and the counters. Build one per app and tenant, clone it freely.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    http: reqwest::Client,
    base: Url,
    domain: Domain,
    pub(crate) credentials: Credentials,
    timeout: Duration,
    retry: RetryPolicy,
    rate_limits: RateLimits,
    limiters: LimiterRegistry,
    pub(crate) tokens: TokenManager,
    max_response_bytes: usize,
    pub(crate) stats: StatsInner,
    on_event: Option<EventHook>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("domain", &self.inner.domain)
            .field("credentials", &self.inner.credentials)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The domain this client talks to.
    pub fn domain(&self) -> &Domain {
        &self.inner.domain
    }

    /// The credentials' mode (`self_built`, `store_app`, ...).
    pub fn credentials_mode(&self) -> &'static str {
        self.inner.credentials.mode()
    }

    /// Sends one API call and decodes its `data` into `T`.
    ///
    /// This is what every typed method of the module crates calls. It gets a tenant token
    /// (cached, single flight), waits for the endpoint family's rate limiter, sends, decodes
    /// the `{code, msg, data}` envelope (success is decided on `code`), refreshes a rejected
    /// token once, honours rate-limit replies and retries transient failures within the
    /// [`RetryPolicy`].
    ///
    /// # Example
    /// ```no_run
    /// use feishu_core::{ApiRequest, Client, RateLimit};
    /// # async fn sample(client: &Client) -> feishu_core::Result<()> {
    /// let data: serde_json::Value = client
    ///     .send(ApiRequest::get("contact.scopes", RateLimit::per_second(50)).path("contact/v3/scopes"))
    ///     .await?;
    /// # let _ = data; Ok(()) }
    /// ```
    pub async fn send<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T> {
        self.inner.execute(&request).await
    }

    /// A currently valid tenant access token (for calling an API the SDK does not cover with
    /// another HTTP library). Prefer [`Client::send`], which also refreshes rejected tokens.
    pub async fn tenant_access_token(&self) -> Result<SecretString> {
        self.inner.tenant_token().await
    }

    /// Hands the store app a new `app_ticket` (from the `app_ticket` event).
    pub fn set_app_ticket(&self, ticket: impl Into<String>) {
        self.inner
            .tokens
            .set_ticket(SecretString::from(ticket.into()));
    }

    /// Parses an `app_ticket` event body as Feishu pushes it to the app's event endpoint and
    /// hands its ticket to the client. The event's `app_id` must match the credentials'.
    ///
    /// # Example
    /// ```no_run
    /// # fn sample(client: &feishu_core::Client, body: &[u8]) -> feishu_core::Result<()> {
    /// // in the HTTP handler of the app's event subscription URL:
    /// client.handle_app_ticket_event(body)?;
    /// # Ok(()) }
    /// ```
    pub fn handle_app_ticket_event(&self, body: &[u8]) -> Result<()> {
        let event = AppTicketEvent::from_json(body)?;
        if let Some(app_id) = self.inner.credentials.app_id()
            && app_id != event.app_id()
        {
            return Err(Error::InvalidArgument(format!(
                "app_ticket event is for app {:?}, this client is for {app_id:?}",
                event.app_id()
            )));
        }
        self.inner.tokens.set_ticket(event.ticket().clone());
        Ok(())
    }

    /// What this client (and its clones) did so far.
    pub fn stats(&self) -> ClientStats {
        self.inner.stats.snapshot()
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

    /// Uses a caller-built `reqwest::Client` (proxies, custom TLS roots). The builder's
    /// per-request timeout still applies; its connect timeout and user agent do not.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Where tokens are cached (default: in memory, per client).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
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
                .user_agent(self.user_agent.clone())
                .pool_idle_timeout(Duration::from_secs(60))
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let initial_ticket = match &credentials.kind {
            CredentialKind::StoreApp { app_ticket, .. } => app_ticket.clone(),
            _ => None,
        };
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(InMemoryTokenStore::new()));
        let base = self.domain.base_url();
        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base,
                domain: self.domain,
                credentials,
                timeout: self.timeout,
                retry: self.retry,
                rate_limits: self.rate_limits,
                limiters: LimiterRegistry::default(),
                tokens: TokenManager::new(
                    store,
                    self.refresh_margin,
                    initial_ticket,
                    self.app_ticket_wait,
                ),
                max_response_bytes: self.max_response_bytes,
                stats: StatsInner::default(),
                on_event: self.on_event,
            }),
        })
    }
}

/// How one attempt ended, when it did not succeed.
enum Failure {
    /// The token was rejected with `code`: refresh once and retry.
    TokenRejected(Box<ApiError>),
    /// Transient: retry after `wait` (None = backoff) if the budget allows.
    Retry {
        error: Error,
        wait: Option<Duration>,
        rate_limited: bool,
    },
    /// Give up.
    Fatal(Error),
}

#[derive(Deserialize)]
struct Envelope<T> {
    code: i64,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default = "none")]
    data: Option<T>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

fn none<T>() -> Option<T> {
    None
}

#[derive(Deserialize)]
struct LooseEnvelope {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    msg: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    data: Option<IgnoredAny>,
}

struct Reply {
    status: u16,
    log_id: Option<String>,
    reset: Option<Duration>,
    is_json: bool,
    body: Vec<u8>,
}

impl ClientInner {
    pub(crate) fn emit(&self, event: &ClientEvent) {
        if let Some(hook) = &self.on_event {
            hook(event);
        }
    }

    /// Runs an authenticated call (or an unauthenticated one when the request says so).
    pub(crate) async fn execute<T: DeserializeOwned>(&self, req: &ApiRequest) -> Result<T> {
        if req.authenticated {
            self.run(req, || async { self.tenant_token().await.map(Some) })
                .await
        } else {
            self.execute_unauthenticated(req).await
        }
    }

    /// Runs a call without a token (the `auth/v3` endpoints). Kept apart from [`execute`]
    /// so that fetching a token never refers back to token fetching.
    pub(crate) async fn execute_unauthenticated<T: DeserializeOwned>(
        &self,
        req: &ApiRequest,
    ) -> Result<T> {
        self.run(req, || async { Ok(None) }).await
    }

    async fn run<T, G, GF>(&self, req: &ApiRequest, get_token: G) -> Result<T>
    where
        T: DeserializeOwned,
        G: Fn() -> GF,
        GF: std::future::Future<Output = Result<Option<SecretString>>>,
    {
        let url = req.url(&self.base)?;
        let limit = self.rate_limits.effective(&req.endpoint, req.rate_limit);
        let span = tracing::debug_span!(
            "feishu.request",
            endpoint = %req.endpoint,
            method = %req.method,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            code = tracing::field::Empty,
            log_id = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = async {
            let mut attempt: u32 = 0;
            // Tokens rejected during this call. The same token rejected twice means
            // refreshing does not help ("stays rejected"); a new token rejected again (it was
            // revoked under us) earns another refresh, up to MAX_TOKEN_REFRESHES.
            let mut rejected: Vec<SecretString> = Vec::new();
            loop {
                attempt += 1;
                tracing::Span::current().record("attempt", attempt);
                self.limiters
                    .acquire(&req.endpoint, limit, self.rate_limits.burst_fraction())
                    .await;
                let token = get_token().await?;
                let failure = match self.attempt::<T>(req, &url, token.as_ref()).await {
                    Ok(v) => return Ok(v),
                    Err(f) => f,
                };
                match failure {
                    Failure::Fatal(e) => return Err(e),
                    Failure::TokenRejected(api) => {
                        let seen_before = token.as_ref().is_some_and(|t| {
                            rejected
                                .iter()
                                .any(|r| r.expose_secret() == t.expose_secret())
                        });
                        let can_refresh = match &token {
                            Some(t) if !seen_before && rejected.len() < MAX_TOKEN_REFRESHES => {
                                self.reject_tenant_token(t, api.code).await?
                            }
                            _ => false,
                        };
                        if !can_refresh {
                            let why = if rejected.is_empty() {
                                "Feishu rejected the token and these credentials cannot refresh it"
                            } else {
                                "Feishu rejected a freshly fetched token too"
                            };
                            return Err(Error::auth(
                                crate::error::AuthError::new(format!(
                                    "{why} (calling {})",
                                    req.endpoint
                                ))
                                .with_code(api.code, api.msg.clone())
                                .with_log_id(api.log_id.clone()),
                            ));
                        }
                        tracing::debug!(code = api.code, "token rejected; refreshing");
                        rejected.extend(token);
                        // A refresh does not use up the retry budget.
                        attempt -= 1;
                    }
                    Failure::Retry {
                        error,
                        wait,
                        rate_limited,
                    } => {
                        let wait = match wait {
                            Some(w) => w,
                            None if rate_limited => self.retry.rate_limit_wait(None, attempt),
                            None => self.retry.backoff(attempt),
                        };
                        if attempt >= self.retry.max_attempts()
                            || started.elapsed().saturating_add(wait) > self.retry.max_elapsed()
                        {
                            return Err(error);
                        }
                        self.stats.record_retry();
                        if rate_limited {
                            self.emit(&ClientEvent::RateLimited {
                                endpoint: req.endpoint.to_string(),
                                wait,
                            });
                        } else {
                            self.emit(&ClientEvent::Retrying {
                                endpoint: req.endpoint.to_string(),
                                attempt,
                                wait,
                                reason: error.to_string(),
                            });
                        }
                        tracing::debug!(wait_ms = wait.as_millis() as u64, rate_limited, error = %error, "retrying");
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
        .instrument(span)
        .await;
        if let Err(e) = &result {
            self.stats.record_failure();
            tracing::debug!(endpoint = %req.endpoint, error = %e, "call failed");
        }
        result
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        req: &ApiRequest,
        url: &Url,
        token: Option<&SecretString>,
    ) -> std::result::Result<T, Failure> {
        let reply = self.round_trip(req, url, token).await?;
        let span = tracing::Span::current();
        span.record("status", reply.status);
        if let Some(id) = &reply.log_id {
            span.record("log_id", id.as_str());
        }
        self.classify(req, reply)
    }

    async fn round_trip(
        &self,
        req: &ApiRequest,
        url: &Url,
        token: Option<&SecretString>,
    ) -> std::result::Result<Reply, Failure> {
        let mut builder = match req.method {
            Method::Get => self.http.get(url.clone()),
            Method::Post => self.http.post(url.clone()),
        };
        builder = builder.timeout(self.timeout);
        if let Some(token) = token {
            let mut value = reqwest::header::HeaderValue::from_str(&format!(
                "Bearer {}",
                token.expose_secret()
            ))
            .map_err(|_| {
                Failure::Fatal(Error::auth(crate::error::AuthError::new(
                    "the access token contains characters not allowed in a header",
                )))
            })?;
            value.set_sensitive(true);
            builder = builder.header(reqwest::header::AUTHORIZATION, value);
        }
        if let Some(body) = &req.body {
            let bytes = serde_json::to_vec(body).map_err(|e| {
                Failure::Fatal(Error::InvalidArgument(format!("request body: {e}")))
            })?;
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(bytes);
        }
        self.stats.record_request(&req.endpoint);
        let started = Instant::now();
        let mut response = builder
            .send()
            .await
            .map_err(|e| self.transport_failure(req, &e, started))?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let log_id = header("x-tt-logid")
            .filter(|s| !s.is_empty())
            .or_else(|| header("x-request-id").filter(|s| !s.is_empty()));
        let reset = header("x-ogw-ratelimit-reset")
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(3600.0)));
        let content_type = header("content-type").unwrap_or_default();
        if let Some(len) = response.content_length()
            && len > self.max_response_bytes as u64
        {
            return Err(Failure::Fatal(self.too_large(req, status, log_id)));
        }
        // Sized from the declared length (bounded by the cap) to avoid regrowing.
        let mut body = Vec::with_capacity(
            response
                .content_length()
                .map_or(0, |n| n.min(self.max_response_bytes as u64) as usize),
        );
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.max_response_bytes {
                        return Err(Failure::Fatal(self.too_large(req, status, log_id)));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(self.transport_failure(req, &e, started)),
            }
        }
        let is_json = content_type.contains("json")
            || (content_type.is_empty()
                && body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'));
        Ok(Reply {
            status,
            log_id,
            reset,
            is_json,
            body,
        })
    }

    fn too_large(&self, req: &ApiRequest, status: u16, log_id: Option<String>) -> Error {
        Error::decode(DecodeError {
            endpoint: req.endpoint.to_string(),
            status,
            log_id,
            reason: format!(
                "reply body exceeds the limit of {} bytes (ClientBuilder::max_response_bytes)",
                self.max_response_bytes
            ),
            excerpt: String::new(),
        })
    }

    fn transport_failure(&self, req: &ApiRequest, e: &reqwest::Error, started: Instant) -> Failure {
        // reqwest errors name the URL; ours never carry a token there, but strip it anyway.
        let message = e.without_url_ref_message();
        let error = if e.is_timeout() {
            Error::Timeout {
                endpoint: req.endpoint.to_string(),
                elapsed: started.elapsed(),
            }
        } else {
            Error::Transport {
                endpoint: req.endpoint.to_string(),
                message,
            }
        };
        // A connection that never opened cannot have had side effects.
        if req.idempotent || e.is_connect() {
            Failure::Retry {
                error,
                wait: None,
                rate_limited: false,
            }
        } else {
            Failure::Fatal(error)
        }
    }

    /// A rate-limited reply: retried whatever the method (Feishu did not process it), after
    /// the server's reset time when it sent one, else after the engine's backoff.
    fn rate_limited(&self, error: Error, reset: Option<Duration>) -> Failure {
        self.stats.record_rate_limited();
        Failure::Retry {
            error,
            wait: reset.map(|r| self.retry.rate_limit_wait(Some(r), 1)),
            rate_limited: true,
        }
    }

    fn classify<T: DeserializeOwned>(
        &self,
        req: &ApiRequest,
        reply: Reply,
    ) -> std::result::Result<T, Failure> {
        let endpoint = req.endpoint.to_string();
        let retry_or_fatal =
            |error: Error, retry: bool, wait: Option<Duration>, rate_limited: bool| {
                if retry {
                    Failure::Retry {
                        error,
                        wait,
                        rate_limited,
                    }
                } else {
                    Failure::Fatal(error)
                }
            };
        if !reply.is_json {
            let error = Error::Http(Box::new(HttpError {
                endpoint: endpoint.clone(),
                status: reply.status,
                log_id: reply.log_id.clone(),
                excerpt: redact::excerpt(&reply.body),
            }));
            if reply.status == 429 {
                return Err(self.rate_limited(error, reply.reset));
            }
            if reply.status >= 400 {
                let retry = req.idempotent && (reply.status >= 500 || reply.status == 408);
                return Err(retry_or_fatal(error, retry, None, false));
            }
            return Err(Failure::Fatal(Error::decode(DecodeError {
                endpoint,
                status: reply.status,
                log_id: reply.log_id,
                reason: "expected a JSON reply".into(),
                excerpt: redact::excerpt(&reply.body),
            })));
        }
        let decode_error = |reason: String| {
            Error::decode(DecodeError {
                endpoint: endpoint.clone(),
                status: reply.status,
                log_id: reply.log_id.clone(),
                reason,
                excerpt: redact::excerpt(&reply.body),
            })
        };
        // Happy path: one pass over the body.
        let first = match req.shape {
            ReplyShape::Envelope => serde_json::from_slice::<Envelope<T>>(&reply.body)
                .map(|env| (env.code, env.msg, env.data, env.error)),
            ReplyShape::Flat => serde_json::from_slice::<Envelope<IgnoredAny>>(&reply.body)
                .and_then(|env| {
                    if env.code == 0 {
                        serde_json::from_slice::<T>(&reply.body)
                            .map(|t| (0, env.msg, Some(t), None))
                    } else {
                        Ok((env.code, env.msg, None, env.error))
                    }
                }),
        };
        let (code, msg, data, error) = match first {
            Ok(parts) => parts,
            Err(shape_err) => match serde_json::from_slice::<LooseEnvelope>(&reply.body) {
                Ok(loose) => {
                    let code = loose.code.as_ref().and_then(|c| {
                        c.as_i64()
                            .or_else(|| c.as_str().and_then(|s| s.trim().parse().ok()))
                    });
                    match code {
                        Some(c) if c != 0 => {
                            let msg = loose.msg.map(|m| match m {
                                serde_json::Value::String(s) => s,
                                other => other.to_string(),
                            });
                            (c, msg, None, loose.error)
                        }
                        Some(_) => {
                            return Err(Failure::Fatal(decode_error(format!(
                                "unexpected `data` shape: {shape_err}"
                            ))));
                        }
                        None => {
                            let error = decode_error("the reply has no integer `code`".into());
                            if reply.status == 429 {
                                // A gateway's own JSON 429: the request was not processed.
                                return Err(self.rate_limited(error, reply.reset));
                            }
                            let retry = req.idempotent && reply.status >= 500;
                            return Err(retry_or_fatal(error, retry, None, false));
                        }
                    }
                }
                Err(_) => {
                    // Not JSON at all (truncated, garbage): a transport-level glitch as far
                    // as a read is concerned.
                    let error = decode_error(format!("invalid JSON: {shape_err}"));
                    if reply.status == 429 {
                        return Err(self.rate_limited(error, reply.reset));
                    }
                    return Err(retry_or_fatal(error, req.idempotent, None, false));
                }
            },
        };
        tracing::Span::current().record("code", code);
        if code == 0 {
            if reply.status == 429 {
                // A 429 with code 0 is contradictory: success is decided on `code`
                // (feishu-api.md §1.3), but the reply is still counted as rate limited.
                self.stats.record_rate_limited();
            }
            return match data {
                Some(d) => Ok(d),
                None => serde_json::from_str::<T>("{}")
                    .or_else(|_| serde_json::from_str::<T>("null"))
                    .map_err(|e| Failure::Fatal(decode_error(format!("`data` is missing: {e}")))),
            };
        }
        let detail: ErrorDetail = error
            .and_then(|e| serde_json::from_value(e).ok())
            .unwrap_or_default();
        let log_id = reply.log_id.clone().or_else(|| detail.log_id.clone());
        let api = ApiError {
            endpoint: endpoint.clone(),
            http_status: reply.status,
            code,
            msg: msg.unwrap_or_default(),
            log_id,
            detail,
        };
        if req.authenticated && codes::is_token_invalid(code) {
            return Err(Failure::TokenRejected(Box::new(api)));
        }
        if code == codes::RATE_LIMITED || reply.status == 429 || code == 1254290 {
            return Err(self.rate_limited(Error::api(api), reply.reset));
        }
        let retry = req.idempotent && api.is_retryable();
        Err(retry_or_fatal(Error::api(api), retry, None, false))
    }
}

trait WithoutUrl {
    fn without_url_ref_message(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref_message(&self) -> String {
        let mut parts = Vec::new();
        let mut source: Option<&dyn std::error::Error> = Some(self);
        let mut first = true;
        while let Some(e) = source {
            let text = if first {
                // reqwest's own Display appends " for url (...)"
                let s = e.to_string();
                match s.find(" for url (") {
                    Some(i) => s[..i].to_string(),
                    None => s,
                }
            } else {
                e.to_string()
            };
            first = false;
            if parts.last() != Some(&text) {
                parts.push(text);
            }
            source = e.source();
        }
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn futures_are_send_and_client_is_shareable() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        shareable::<Client>();
        let client = Client::builder()
            .credentials(Credentials::self_built("cli_x", "secret"))
            .build()
            .unwrap();
        let fut =
            client.send::<serde_json::Value>(ApiRequest::get("x", crate::RateLimit::UNLIMITED));
        assert_send(&fut);
    }

    fn decode(body: Vec<u8>, status: u16, json: bool) {
        let client = Client::builder()
            .credentials(Credentials::self_built("cli_x", "secret"))
            .build()
            .unwrap();
        for shape in [ReplyShape::Envelope, ReplyShape::Flat] {
            let mut req = ApiRequest::get("fuzz", crate::RateLimit::UNLIMITED);
            req.shape = shape;
            let reply = Reply {
                status,
                log_id: None,
                reset: None,
                is_json: json,
                body: body.clone(),
            };
            let _ = client.inner.classify::<serde_json::Value>(&req, reply);
            let reply = Reply {
                status,
                log_id: Some("l".into()),
                reset: Some(Duration::from_secs(1)),
                is_json: json,
                body: body.clone(),
            };
            let _ = client.inner.classify::<Vec<u64>>(&req, reply);
        }
    }

    #[test]
    fn a_429_without_an_integer_code_is_a_rate_limit_even_for_writes() {
        let client = Client::builder()
            .credentials(Credentials::self_built("cli_x", "secret"))
            .build()
            .unwrap();
        let bodies: [&[u8]; 3] = [br#"{"message":"slow down"}"#, b"{\"code\":", b"{}"];
        for body in bodies {
            for req in [
                ApiRequest::get("x", crate::RateLimit::UNLIMITED),
                ApiRequest::post("x", crate::RateLimit::UNLIMITED),
            ] {
                let reply = Reply {
                    status: 429,
                    log_id: None,
                    reset: Some(Duration::from_millis(700)),
                    is_json: true,
                    body: body.to_vec(),
                };
                match client.inner.classify::<serde_json::Value>(&req, reply) {
                    Err(Failure::Retry {
                        rate_limited: true,
                        wait: Some(wait),
                        ..
                    }) => assert!(wait >= Duration::from_millis(700), "{wait:?}"),
                    _ => panic!("429 with body {body:?} is not a rate-limited retry"),
                }
            }
        }
        assert_eq!(client.stats().rate_limited, 6);
    }

    fn arb_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(|f| serde_json::json!(f)),
            ".*".prop_map(serde_json::Value::from),
            prop_oneof![Just("code"), Just("msg"), Just("data"), Just("error")]
                .prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("code".to_string()),
                        Just("msg".to_string()),
                        Just("data".to_string()),
                        Just("error".to_string()),
                        Just("log_id".to_string()),
                        Just("permission_violations".to_string()),
                        "[a-z_]{1,8}",
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic_the_decoder(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            status in 100u16..600,
            json in proptest::prelude::any::<bool>(),
        ) {
            decode(body, status, json);
        }

        #[test]
        fn arbitrary_json_never_panics_the_decoder(value in arb_json(), status in 100u16..600) {
            decode(serde_json::to_vec(&value).unwrap(), status, true);
            // also as an envelope around the arbitrary value
            let env = serde_json::json!({"code": 0, "msg": "ok", "data": value, "error": value});
            decode(serde_json::to_vec(&env).unwrap(), status, true);
            let env = serde_json::json!({"code": 1254290, "msg": value, "error": value});
            decode(serde_json::to_vec(&env).unwrap(), status, true);
        }
    }
}
