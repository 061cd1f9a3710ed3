//! The front door of the fake tenant: the services that need no token (the `auth/v3` token
//! endpoints, the long-connection endpoint) answer first; every other request passes the
//! gateway's checks (queued and random faults, the bearer token, forbidden prefixes, rate
//! limits) in Feishu's order, then the first service that knows its path answers. The journal
//! records every exchange.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wiremock::{Request, Respond, ResponseTemplate};

use crate::auth::AuthService;
use crate::faults::{FaultState, Outcome};
use crate::journal::Journal;
use crate::lock::lock;
use crate::rate_limit::RateLimits;
use crate::relay;
use crate::reply::{LogIdKeys, Reply};
use crate::request::RequestView;
use crate::service::FakeService;

/// The gateway state and the services behind it.
#[derive(Debug)]
pub(crate) struct Router {
    pub(crate) journal: Mutex<Journal>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) limits: Mutex<RateLimits>,
    /// Where error envelopes carry the log id.
    pub(crate) log_id_keys: Mutex<LogIdKeys>,
    log_ids: AtomicU64,
    /// Checks the bearer token of data requests.
    auth: Arc<AuthService>,
    /// The services called without a token (credentials travel in the body), asked first,
    /// in order; faults and limits do not touch them.
    public: Vec<Arc<dyn FakeService>>,
    /// The data services, asked in order after authentication.
    services: Vec<Arc<dyn FakeService>>,
}

impl Router {
    pub(crate) fn new(
        journal: Journal,
        faults: FaultState,
        auth: Arc<AuthService>,
        public: Vec<Arc<dyn FakeService>>,
        services: Vec<Arc<dyn FakeService>>,
    ) -> Router {
        Router {
            journal: Mutex::new(journal),
            faults: Mutex::new(faults),
            limits: Mutex::new(RateLimits::default()),
            log_id_keys: Mutex::new(LogIdKeys::default()),
            log_ids: AtomicU64::new(0),
            auth,
            public,
            services,
        }
    }

    /// A fresh, unique log id (`testkit-000001`, `testkit-000002`, ...).
    fn next_log_id(&self) -> String {
        let n = self.log_ids.fetch_add(1, Ordering::Relaxed) + 1;
        format!("testkit-{n:06}")
    }

    /// Decides the reply for one request, in the gateway's order.
    fn route(&self, req: &mut RequestView) -> Reply {
        if let Some(reply) = self.public.iter().find_map(|service| service.handle(req)) {
            return reply;
        }
        let app_id = self.auth.config().app_id.as_str();
        let mut extra_delay = Duration::ZERO;
        let mut break_connection = None;
        match lock(&self.faults).take_queued(req, app_id) {
            Outcome::Reply(reply) => return reply,
            Outcome::Delay(delay) => extra_delay = delay,
            Outcome::BreakConnection(how) => break_connection = Some(how),
            Outcome::None => {}
        }
        if let Some(reply) = lock(&self.faults).random() {
            return reply;
        }
        match self.auth.check(req) {
            Ok(caller) => req.caller = Some(caller),
            Err(reply) => return reply,
        }
        if let Some(reply) = lock(&self.faults).forbidden(req, app_id) {
            return reply;
        }
        let advertised = match lock(&self.limits).check(req) {
            Ok(advertised) => advertised,
            Err(reply) => return reply,
        };
        let mut reply = self
            .services
            .iter()
            .find_map(|service| service.handle(req))
            .unwrap_or_else(|| Reply::not_found(req));
        if let Some(limit) = advertised {
            reply = reply.with_header("x-ogw-ratelimit-limit", limit.to_string());
        }
        if let Some(how) = break_connection {
            reply = reply.with_header(relay::MARKER, how.to_string());
        }
        reply.delayed(extra_delay)
    }
}

/// The wiremock responder: one shared [`Router`].
#[derive(Debug, Clone)]
pub(crate) struct Responder(pub(crate) Arc<Router>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let router = &*self.0;
        let mut req = RequestView::parse(request);
        let log_id = router.next_log_id();
        let reply = router.route(&mut req);
        let latency = lock(&router.faults).latency;
        lock(&router.journal).record(&req, &reply, &log_id);
        let keys = *lock(&router.log_id_keys);
        reply.into_template(&log_id, keys, latency)
    }
}
