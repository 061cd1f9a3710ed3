//! [`FakeTenant`] and its builder.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

use crate::auth::{AuthState, TokenKind};
use crate::faults::{Fault, FaultState};
use crate::journal::{Journal, JournalEntry};
use crate::router::Router;
use crate::state::{Config, State, lock};

/// Default custom (self-built) app id.
pub const DEFAULT_APP_ID: &str = "cli_testkit_custom";
/// Default custom app secret.
pub const DEFAULT_APP_SECRET: &str = "testkit-custom-secret-value";
/// Default store (marketplace) app id.
pub const DEFAULT_STORE_APP_ID: &str = "cli_testkit_store";
/// Default store app secret.
pub const DEFAULT_STORE_APP_SECRET: &str = "testkit-store-secret-value";
/// Default tenant key (the one tenant both apps are installed in).
pub const DEFAULT_TENANT_KEY: &str = "tenant_testkit";
/// Default event verification token carried by the `app_ticket` event.
pub const DEFAULT_VERIFICATION_TOKEN: &str = "testkit-verification-token";
/// Default seed of the fault rng.
pub const DEFAULT_SEED: u64 = 0x5EED_FE15_4117_0001;
/// Default number of journal entries kept (older ones are dropped; counters stay exact).
pub const DEFAULT_JOURNAL_CAPACITY: usize = 200_000;

/// A fake Feishu tenant: an HTTP server on `127.0.0.1` speaking the Open Platform wire
/// protocol. Cheap to clone (all clones share one server); the server stops when the last
/// clone is dropped.
///
/// Knobs (faults, token revocation, clock) use interior mutability and may be changed while
/// requests are in flight.
#[derive(Debug, Clone)]
pub struct FakeTenant {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    server: MockServer,
    state: Arc<State>,
}

/// Configures a [`FakeTenant`] before it starts.
#[derive(Debug, Clone)]
pub struct FakeTenantBuilder {
    config: Config,
    seed: u64,
    record_bodies: bool,
    journal_capacity: usize,
    issue_app_ticket_at_start: bool,
    latency: Duration,
}

impl Default for FakeTenantBuilder {
    fn default() -> Self {
        FakeTenantBuilder {
            config: Config {
                app_id: DEFAULT_APP_ID.into(),
                app_secret: DEFAULT_APP_SECRET.into(),
                store_app_id: DEFAULT_STORE_APP_ID.into(),
                store_app_secret: DEFAULT_STORE_APP_SECRET.into(),
                tenant_key: DEFAULT_TENANT_KEY.into(),
                token_expire: Duration::from_secs(7200),
                reissue_threshold: Duration::from_secs(30 * 60),
                verification_token: DEFAULT_VERIFICATION_TOKEN.into(),
            },
            seed: DEFAULT_SEED,
            record_bodies: true,
            journal_capacity: DEFAULT_JOURNAL_CAPACITY,
            issue_app_ticket_at_start: true,
            latency: Duration::ZERO,
        }
    }
}

impl FakeTenantBuilder {
    /// The custom (self-built) app's id. Default [`DEFAULT_APP_ID`].
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.config.app_id = app_id.into();
        self
    }

    /// The custom app's secret. Default [`DEFAULT_APP_SECRET`].
    pub fn app_secret(mut self, app_secret: impl Into<String>) -> Self {
        self.config.app_secret = app_secret.into();
        self
    }

    /// The store (marketplace) app's id. Default [`DEFAULT_STORE_APP_ID`].
    pub fn store_app_id(mut self, store_app_id: impl Into<String>) -> Self {
        self.config.store_app_id = store_app_id.into();
        self
    }

    /// The store app's secret. Default [`DEFAULT_STORE_APP_SECRET`].
    pub fn store_app_secret(mut self, store_app_secret: impl Into<String>) -> Self {
        self.config.store_app_secret = store_app_secret.into();
        self
    }

    /// The tenant key the store app is installed in (also recorded for the custom app's
    /// tokens). Default [`DEFAULT_TENANT_KEY`].
    pub fn tenant_key(mut self, tenant_key: impl Into<String>) -> Self {
        self.config.tenant_key = tenant_key.into();
        self
    }

    /// The verification token inside the `app_ticket` event. Default
    /// [`DEFAULT_VERIFICATION_TOKEN`].
    pub fn verification_token(mut self, token: impl Into<String>) -> Self {
        self.config.verification_token = token.into();
        self
    }

    /// Lifetime of newly issued tokens (`expire` of a fresh token). Default 7200 s.
    pub fn token_expire(mut self, lifetime: Duration) -> Self {
        self.config.token_expire = lifetime;
        self
    }

    /// While the current token has at least this much life left, token endpoints return the
    /// same token with the shrinking `expire`; below it they issue a new one. Default 30 min.
    pub fn reissue_threshold(mut self, threshold: Duration) -> Self {
        self.config.reissue_threshold = threshold;
        self
    }

    /// Seed of the rng behind the random fault shares. Default [`DEFAULT_SEED`].
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether journal entries keep request bodies and headers. Default `true`; turn it off
    /// for benchmarks. Counters and the other entry fields are recorded either way.
    pub fn journal(mut self, record_bodies: bool) -> Self {
        self.record_bodies = record_bodies;
        self
    }

    /// How many journal entries are kept (oldest dropped first; 0 keeps none). Counters
    /// stay exact regardless. Default [`DEFAULT_JOURNAL_CAPACITY`].
    pub fn journal_capacity(mut self, capacity: usize) -> Self {
        self.journal_capacity = capacity;
        self
    }

    /// Whether an app ticket for the store app exists from the start (as if the hourly push
    /// already happened). Default `true`; with `false`, the store app needs a resend first.
    pub fn issue_app_ticket_at_start(mut self, issue: bool) -> Self {
        self.issue_app_ticket_at_start = issue;
        self
    }

    /// Initial latency added to every response (see [`FakeTenant::set_latency`]).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Starts the server on a free port of `127.0.0.1`.
    pub async fn start(self) -> FakeTenant {
        let mut auth = AuthState::new(self.seed);
        if self.issue_app_ticket_at_start {
            auth.issue_ticket(&self.config);
        }
        let state = Arc::new(State::new(
            self.config,
            auth,
            Journal::new(self.record_bodies, self.journal_capacity),
            FaultState::new(self.seed, self.latency),
        ));
        let server = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Mock::given(any())
            .respond_with(Router {
                state: Arc::clone(&state),
            })
            .mount(&server)
            .await;
        FakeTenant {
            inner: Arc::new(Inner { server, state }),
        }
    }
}

impl FakeTenant {
    /// Starts a tenant with default settings.
    pub async fn start() -> FakeTenant {
        FakeTenantBuilder::default().start().await
    }

    /// A builder for a tenant with custom settings.
    pub fn builder() -> FakeTenantBuilder {
        FakeTenantBuilder::default()
    }

    pub(crate) fn state(&self) -> &State {
        &self.inner.state
    }

    // ----- addresses -------------------------------------------------------------------

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash); use it as the SDK's
    /// custom domain.
    pub fn base_url(&self) -> String {
        self.inner.server.uri()
    }

    /// `base_url()` followed by `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// The socket address the server listens on.
    pub fn address(&self) -> SocketAddr {
        *self.inner.server.address()
    }

    // ----- credentials -----------------------------------------------------------------

    /// The custom app's id.
    pub fn app_id(&self) -> &str {
        &self.state().config.app_id
    }

    /// The custom app's secret.
    pub fn app_secret(&self) -> &str {
        &self.state().config.app_secret
    }

    /// The store app's id.
    pub fn store_app_id(&self) -> &str {
        &self.state().config.store_app_id
    }

    /// The store app's secret.
    pub fn store_app_secret(&self) -> &str {
        &self.state().config.store_app_secret
    }

    /// The tenant key the store app is installed in.
    pub fn tenant_key(&self) -> &str {
        &self.state().config.tenant_key
    }

    /// The verification token carried by the `app_ticket` event.
    pub fn verification_token(&self) -> &str {
        &self.state().config.verification_token
    }

    /// The latest app ticket as the v1 `app_ticket` event envelope
    /// (`{ts, uuid, token, type: "event_callback", event: {app_id, type: "app_ticket",
    /// app_ticket}}`), or `None` before the first ticket was issued.
    pub fn app_ticket_event(&self) -> Option<Value> {
        lock(&self.state().auth).ticket_event()
    }

    /// The current app ticket string (only this one is accepted by `app_access_token`).
    pub fn current_app_ticket(&self) -> Option<String> {
        lock(&self.state().auth).current_ticket()
    }

    /// Issues a new app ticket as if Feishu pushed one; the previous ticket stops working.
    pub fn push_app_ticket(&self) {
        lock(&self.state().auth).issue_ticket(&self.state().config);
        crate::events::on_app_ticket(self.state());
    }

    // ----- tokens ----------------------------------------------------------------------

    /// A valid tenant access token for the store app and [`tenant_key`](Self::tenant_key),
    /// issued out of band (pre-minted mode). Each call mints a new token living
    /// `token_expire`.
    pub fn mint_tenant_token(&self) -> String {
        let state = self.state();
        let config = &state.config;
        lock(&state.auth).mint(
            TokenKind::Tenant,
            &config.store_app_id,
            &config.tenant_key,
            state.now(),
            config.token_expire,
        )
    }

    /// A valid app access token for the store app, issued out of band (usable with
    /// `POST /open-apis/auth/v3/tenant_access_token`).
    pub fn mint_app_token(&self) -> String {
        let state = self.state();
        let config = &state.config;
        lock(&state.auth).mint(
            TokenKind::App,
            &config.store_app_id,
            "",
            state.now(),
            config.token_expire,
        )
    }

    /// Invalidates every token issued so far (data requests with them get 99991663); the
    /// next token request issues a fresh token.
    pub fn revoke_tokens(&self) {
        lock(&self.state().auth).revoke_all();
    }

    /// While `true`, every data request gets 99991663 whatever its token (token endpoints
    /// keep issuing tokens), to prove a client gives up instead of refreshing forever.
    pub fn reject_all_tokens(&self, reject: bool) {
        lock(&self.state().auth).reject_all = reject;
    }

    /// Moves the tenant's token clock forward: tokens age (and expire) by `by` without
    /// waiting. Only token lifetimes use this clock.
    pub fn advance_clock(&self, by: Duration) {
        self.state().advance_clock(by);
    }

    // ----- journal ---------------------------------------------------------------------

    /// A snapshot of the journal, oldest first.
    pub fn journal(&self) -> Vec<JournalEntry> {
        lock(&self.state().journal).entries()
    }

    /// Empties the journal and resets all counters.
    pub fn clear_journal(&self) {
        lock(&self.state().journal).clear();
    }

    /// Number of requests whose raw path (as received, without query) equals `path`.
    pub fn count_path(&self, path: &str) -> usize {
        lock(&self.state().journal).count_path(path)
    }

    /// Number of requests whose raw path starts with `prefix`.
    pub fn count_prefix(&self, prefix: &str) -> usize {
        lock(&self.state().journal).count_prefix(prefix)
    }

    /// Number of requests to the four token endpoints (`tenant_access_token[/internal]`,
    /// `app_access_token[/internal]`), successful or not.
    pub fn token_requests(&self) -> usize {
        lock(&self.state().journal).token_requests()
    }

    /// Number of replies with HTTP status `status`.
    pub fn count_status(&self, status: u16) -> usize {
        lock(&self.state().journal).count_status(status)
    }

    /// Number of requests answered since start (or the last `clear_journal`).
    pub fn request_count(&self) -> usize {
        lock(&self.state().journal).total()
    }

    // ----- faults ----------------------------------------------------------------------

    /// Delays every response (token endpoints included) by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.state().faults).latency = latency;
    }

    /// That share (0.0..=1.0) of data requests gets HTTP 429 / code 99991400 with the
    /// `x-ogw-ratelimit-*` headers.
    pub fn set_rate_limited_share(&self, share: f64) {
        lock(&self.state().faults).rate_limited_share = clamp_share(share);
    }

    /// The `x-ogw-ratelimit-reset` sent by fault-caused 429s. Default 1 s.
    pub fn set_rate_limit_reset(&self, reset: Duration) {
        lock(&self.state().faults).rate_limit_reset = reset;
    }

    /// That share of data requests gets a 5xx (rotating 500, 502, 503, 504) with a
    /// `text/html` body.
    pub fn set_server_error_share(&self, share: f64) {
        lock(&self.state().faults).server_error_share = clamp_share(share);
    }

    /// That share of data requests gets HTTP 200 with truncated JSON.
    pub fn set_malformed_share(&self, share: f64) {
        lock(&self.state().faults).malformed_share = clamp_share(share);
    }

    /// The next `n` data requests (not token requests) get `fault`, in order, after any
    /// faults already queued.
    pub fn fail_next(&self, n: usize, fault: Fault) {
        let mut faults = lock(&self.state().faults);
        faults.queue.extend(std::iter::repeat_n(fault, n));
    }

    /// Number of queued faults not yet consumed.
    pub fn pending_faults(&self) -> usize {
        lock(&self.state().faults).queue.len()
    }

    /// A server-side limit for paths starting with `path_prefix`: a token bucket of
    /// capacity `per_second` refilled at `per_second` per second. Over the limit: HTTP 429,
    /// code 99991400, `x-ogw-ratelimit-limit: per_second` and `x-ogw-ratelimit-reset` = time
    /// until a token is available. Setting a prefix again replaces it (full bucket);
    /// `per_second == 0` removes it.
    pub fn set_rate_limit(&self, path_prefix: &str, per_second: u32) {
        lock(&self.state().limits).set(path_prefix, per_second);
    }

    /// Removes every per-prefix rate limit.
    pub fn clear_rate_limits(&self) {
        lock(&self.state().limits).clear();
    }

    /// Every data request under `path_prefix` gets code 99991672 naming `scope` in
    /// `error.permission_violations`.
    pub fn forbid(&self, path_prefix: &str, scope: &str) {
        lock(&self.state().faults)
            .forbidden
            .push((path_prefix.to_owned(), scope.to_owned()));
    }

    /// Clears every [`forbid`](Self::forbid).
    pub fn allow_all(&self) {
        lock(&self.state().faults).forbidden.clear();
    }

    /// Resets every fault knob: latency, shares, reset, queued faults, forbidden prefixes,
    /// rate limits and `reject_all_tokens`.
    pub fn clear_faults(&self) {
        lock(&self.state().faults).reset();
        lock(&self.state().limits).clear();
        lock(&self.state().auth).reject_all = false;
    }
}

fn clamp_share(share: f64) -> f64 {
    if share.is_nan() {
        0.0
    } else {
        share.clamp(0.0, 1.0)
    }
}
