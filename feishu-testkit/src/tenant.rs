//! [`FakeTenant`]: the handle tests hold. It reaches each service's knobs through a handle
//! (`tenant.bitable().set_record_count(..)`, `tenant.events().emit(..)`) and keeps the knobs
//! that cut across services: credentials and tokens, the journal, faults, latency, rate
//! limits and forbidden scopes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use wiremock::MockServer;

use crate::approval::{ApprovalKnobs, ApprovalService};
use crate::attendance::{AttendanceKnobs, AttendanceService};
use crate::auth::{AuthService, ExpireField};
use crate::bitable::{BitableKnobs, BitableService};
use crate::contact::{ContactKnobs, ContactService};
use crate::events::{EventsKnobs, EventsService};
use crate::faults::Fault;
use crate::journal::JournalEntry;
use crate::lock::lock;
use crate::rate_limit::{FamilyLimit, RateLimitStats};
use crate::relay::Relay;
use crate::reply::LogIdKeys;
use crate::router::Router;

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
    /// In front of `server` when the tenant was built with connection faults.
    relay: Option<Relay>,
    router: Arc<Router>,
    services: Services,
}

/// The services of a tenant, each behind its own lock; the router holds them too.
#[derive(Debug)]
pub(crate) struct Services {
    pub(crate) auth: Arc<AuthService>,
    pub(crate) approval: Arc<ApprovalService>,
    pub(crate) bitable: Arc<BitableService>,
    pub(crate) contact: Arc<ContactService>,
    pub(crate) attendance: Arc<AttendanceService>,
    pub(crate) events: Arc<EventsService>,
}

impl FakeTenant {
    pub(crate) fn new(
        server: MockServer,
        relay: Option<Relay>,
        router: Arc<Router>,
        services: Services,
    ) -> FakeTenant {
        FakeTenant {
            inner: Arc::new(Inner {
                server,
                relay,
                router,
                services,
            }),
        }
    }

    fn router(&self) -> &Router {
        &self.inner.router
    }

    fn auth(&self) -> &AuthService {
        &self.inner.services.auth
    }

    // ----- module knobs ----------------------------------------------------------------

    /// Approval v4: the dataset, changes to single instances, and ground truth.
    pub fn approval(&self) -> ApprovalKnobs<'_> {
        self.inner.services.approval.knobs()
    }

    /// Bitable v1: Bases, tables, record counts, access, wiki nodes, and ground truth.
    pub fn bitable(&self) -> BitableKnobs<'_> {
        self.inner.services.bitable.knobs()
    }

    /// Contact v3: the organisation, the app's contact range, and ground truth.
    pub fn contact(&self) -> ContactKnobs<'_> {
        self.inner.services.contact.knobs()
    }

    /// Attendance v1: span limits, the punch seed, and ground truth.
    pub fn attendance(&self) -> AttendanceKnobs<'_> {
        self.inner.services.attendance.knobs()
    }

    /// Events: emit them, post them to a webhook, serve them over the long connection, with
    /// fault knobs (see [`crate::events`]). The first call starts the events side; from then
    /// on the knobs that change data (an approval instance's status, the app ticket) emit
    /// their events too.
    pub fn events(&self) -> EventsKnobs {
        self.inner.services.events.knobs()
    }

    // ----- addresses -------------------------------------------------------------------

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash); use it as the SDK's
    /// custom domain. With [`connection_faults`](crate::FakeTenantBuilder::connection_faults)
    /// it is the relay's.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address())
    }

    /// `base_url()` followed by `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// The socket address the server listens on.
    pub fn address(&self) -> SocketAddr {
        match &self.inner.relay {
            Some(relay) => relay.address(),
            None => *self.inner.server.address(),
        }
    }

    // ----- credentials -----------------------------------------------------------------

    /// The custom app's id.
    pub fn app_id(&self) -> &str {
        &self.auth().config().app_id
    }

    /// The custom app's secret.
    pub fn app_secret(&self) -> &str {
        &self.auth().config().app_secret
    }

    /// The store app's id.
    pub fn store_app_id(&self) -> &str {
        &self.auth().config().store_app_id
    }

    /// The store app's secret.
    pub fn store_app_secret(&self) -> &str {
        &self.auth().config().store_app_secret
    }

    /// The tenant key the store app is installed in.
    pub fn tenant_key(&self) -> &str {
        &self.auth().config().tenant_key
    }

    /// The verification token carried by the `app_ticket` event.
    pub fn verification_token(&self) -> &str {
        &self.auth().config().verification_token
    }

    /// The latest app ticket as the v1 `app_ticket` event envelope
    /// (`{ts, uuid, token, type: "event_callback", event: {app_id, type: "app_ticket",
    /// app_ticket}}`), or `None` before the first ticket was issued.
    pub fn app_ticket_event(&self) -> Option<Value> {
        self.auth().ticket_event()
    }

    /// The current app ticket string (only this one is accepted by `app_access_token`).
    pub fn current_app_ticket(&self) -> Option<String> {
        self.auth().current_ticket()
    }

    /// Issues a new app ticket as if Feishu pushed one; the previous ticket stops working.
    /// Emits the `app_ticket` event once [`events`](Self::events) was called.
    pub fn push_app_ticket(&self) {
        self.auth().push_ticket();
    }

    // ----- tokens ----------------------------------------------------------------------

    /// A valid tenant access token for the store app and [`tenant_key`](Self::tenant_key),
    /// issued out of band (pre-minted mode). Each call mints a new token living
    /// `token_expire`.
    pub fn mint_tenant_token(&self) -> String {
        self.auth().mint_tenant_token()
    }

    /// A valid app access token for the store app, issued out of band (usable with
    /// `POST /open-apis/auth/v3/tenant_access_token`).
    pub fn mint_app_token(&self) -> String {
        self.auth().mint_app_token()
    }

    /// Invalidates every token issued so far (data requests with them get 99991663); the
    /// next token request issues a fresh token.
    pub fn revoke_tokens(&self) {
        self.auth().revoke_all();
    }

    /// While `true`, every data request gets 99991663 whatever its token (token endpoints
    /// keep issuing tokens), to prove a client gives up instead of refreshing forever.
    pub fn reject_all_tokens(&self, reject: bool) {
        self.auth().reject_all(reject);
    }

    /// How the token endpoints write `expire` from now on: as documented (the default),
    /// left out, or unparsable. The token itself and its real lifetime are unchanged.
    pub fn set_token_expire_field(&self, field: ExpireField) {
        self.auth().set_expire_field(field);
    }

    /// Moves the tenant's token clock forward: tokens age (and expire) by `by` without
    /// waiting. Only token lifetimes use this clock.
    pub fn advance_clock(&self, by: Duration) {
        self.auth().advance_clock(by);
    }

    // ----- journal ---------------------------------------------------------------------

    /// A snapshot of the journal, oldest first.
    pub fn journal(&self) -> Vec<JournalEntry> {
        lock(&self.router().journal).entries()
    }

    /// Empties the journal and resets all counters.
    pub fn clear_journal(&self) {
        lock(&self.router().journal).clear();
    }

    /// Number of requests whose raw path (as received, without query) equals `path`.
    pub fn count_path(&self, path: &str) -> usize {
        lock(&self.router().journal).count_path(path)
    }

    /// Number of requests whose raw path starts with `prefix`.
    pub fn count_prefix(&self, prefix: &str) -> usize {
        lock(&self.router().journal).count_prefix(prefix)
    }

    /// Number of requests to the four token endpoints (`tenant_access_token[/internal]`,
    /// `app_access_token[/internal]`), successful or not.
    pub fn token_requests(&self) -> usize {
        lock(&self.router().journal).token_requests()
    }

    /// Number of replies with HTTP status `status`.
    pub fn count_status(&self, status: u16) -> usize {
        lock(&self.router().journal).count_status(status)
    }

    /// Number of requests answered since start (or the last `clear_journal`).
    pub fn request_count(&self) -> usize {
        lock(&self.router().journal).total()
    }

    // ----- faults ----------------------------------------------------------------------

    /// Delays every response (token endpoints included) by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.router().faults).latency = latency;
    }

    /// That share (0.0..=1.0) of data requests gets HTTP 429 / code 99991400 with the
    /// `x-ogw-ratelimit-*` headers.
    pub fn set_rate_limited_share(&self, share: f64) {
        lock(&self.router().faults).rate_limited_share = clamp_share(share);
    }

    /// The `x-ogw-ratelimit-reset` sent by fault-caused 429s. Default 1 s.
    pub fn set_rate_limit_reset(&self, reset: Duration) {
        lock(&self.router().faults).rate_limit_reset = reset;
    }

    /// That share of data requests gets a 5xx (rotating 500, 502, 503, 504) with a
    /// `text/html` body.
    pub fn set_server_error_share(&self, share: f64) {
        lock(&self.router().faults).server_error_share = clamp_share(share);
    }

    /// That share of data requests gets HTTP 200 with truncated JSON.
    pub fn set_malformed_share(&self, share: f64) {
        lock(&self.router().faults).malformed_share = clamp_share(share);
    }

    /// The next `n` data requests (not token requests) get `fault`, in order, after any
    /// faults already queued.
    pub fn fail_next(&self, n: usize, fault: Fault) {
        let mut faults = lock(&self.router().faults);
        faults.queue.extend(std::iter::repeat_n(fault, n));
    }

    /// Number of queued faults not yet consumed.
    pub fn pending_faults(&self) -> usize {
        lock(&self.router().faults).queue.len()
    }

    /// A smooth server-side limit for paths starting with `path_prefix`: a token bucket of
    /// capacity `per_second` refilled at `per_second` per second. Over the limit: HTTP 429,
    /// code 99991400, `x-ogw-ratelimit-limit: per_second` and `x-ogw-ratelimit-reset` = time
    /// until a token is available. Setting a prefix again replaces it (full bucket);
    /// `per_second == 0` removes it. Feishu itself counts in fixed windows: see
    /// [`set_family_limit`](Self::set_family_limit).
    pub fn set_rate_limit(&self, path_prefix: &str, per_second: u32) {
        lock(&self.router().limits).set_bucket(path_prefix, per_second);
    }

    /// A limit exactly like Feishu's gateway: fixed windows per endpoint family, counted per
    /// app and tenant (two clients of one app share the count). Over any window: HTTP 429,
    /// code 99991400, `x-ogw-ratelimit-limit` = that window's cap, `x-ogw-ratelimit-reset` =
    /// seconds to its end. Every other reply of the family carries `x-ogw-ratelimit-limit` =
    /// the cap of its shortest window. Setting a family again replaces it (to advertise and
    /// enforce a lower figure, e.g. 10 per second for a family documented at 50); a limit
    /// without windows removes it.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use feishu_testkit::{FakeTenant, FamilyLimit};
    /// let tenant = FakeTenant::start().await;
    /// tenant.set_documented_rate_limits();
    /// tenant.set_family_limit(
    ///     FamilyLimit::new("GET /open-apis/contact/v3/users/:user_id").per_second(10),
    /// );
    /// # }
    /// ```
    pub fn set_family_limit(&self, limit: FamilyLimit) {
        lock(&self.router().limits).set_family(limit);
    }

    /// Sets Feishu's documented limit (as each endpoint's page states it) on every endpoint
    /// family the tenant serves, e.g. 1000/min & 50/s on Contact reads, 20/s on Bitable,
    /// 100/min on approval instance listing.
    pub fn set_documented_rate_limits(&self) {
        lock(&self.router().limits).set_documented();
    }

    /// Shifts every fixed window: windows of length `L` start at `k * L + offset` on the
    /// wall clock (e.g. half a window, so a client that assumes windows start on the second
    /// is off by half). Default zero; counts restart.
    pub fn set_rate_limit_window_offset(&self, offset: Duration) {
        lock(&self.router().limits).set_window_offset(offset);
    }

    /// What a family's limit saw: its 429s and, per window of its shortest length, the
    /// requests let through and refused (over every app and tenant).
    pub fn rate_limit_stats(&self, family: &str) -> RateLimitStats {
        lock(&self.router().limits).stats(family)
    }

    /// Removes every rate limit (buckets and families) and their counts.
    pub fn clear_rate_limits(&self) {
        lock(&self.router().limits).clear();
    }

    /// Every data request under `path_prefix` gets code 99991672 naming `scope` in
    /// `error.permission_violations`.
    pub fn forbid(&self, path_prefix: &str, scope: &str) {
        lock(&self.router().faults)
            .forbidden
            .push((path_prefix.to_owned(), scope.to_owned()));
    }

    /// Which keys of an error envelope's `error` block carry the log id from now on:
    /// `log_id` (the default), `logid`, or both. The `X-Tt-Logid` header is always sent.
    pub fn set_error_log_id_keys(&self, keys: LogIdKeys) {
        *lock(&self.router().log_id_keys) = keys;
    }

    /// Clears every [`forbid`](Self::forbid).
    pub fn allow_all(&self) {
        lock(&self.router().faults).forbidden.clear();
    }

    /// Resets every fault knob: latency, shares, reset, queued faults, forbidden prefixes,
    /// rate limits and `reject_all_tokens`.
    pub fn clear_faults(&self) {
        lock(&self.router().faults).reset();
        lock(&self.router().limits).clear();
        self.auth().reject_all(false);
    }
}

fn clamp_share(share: f64) -> f64 {
    if share.is_nan() {
        0.0
    } else {
        share.clamp(0.0, 1.0)
    }
}
