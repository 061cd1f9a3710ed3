//! Starting a [`FakeTenant`]: its settings, their defaults, and the wiring of its services.

use std::sync::Arc;
use std::time::Duration;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

use crate::approval::ApprovalService;
use crate::attendance::AttendanceService;
use crate::auth::{AuthConfig, AuthService};
use crate::bitable::BitableService;
use crate::contact::ContactService;
use crate::diag::DiagService;
use crate::directory::DirectoryHandle;
use crate::event_hub::EventHub;
use crate::events::EventsService;
use crate::faults::FaultState;
use crate::journal::Journal;
use crate::realistic;
use crate::relay::Relay;
use crate::router::{Responder, Router};
use crate::service::FakeService;
use crate::tenant::{FakeTenant, Services};

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

/// Configures a [`FakeTenant`] before it starts.
#[derive(Debug, Clone)]
pub struct FakeTenantBuilder {
    config: AuthConfig,
    seed: u64,
    record_bodies: bool,
    journal_capacity: usize,
    issue_app_ticket_at_start: bool,
    latency: Duration,
    realistic: bool,
    connection_faults: bool,
}

impl Default for FakeTenantBuilder {
    fn default() -> Self {
        FakeTenantBuilder {
            config: AuthConfig {
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
            realistic: false,
            connection_faults: false,
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

    /// The rough edges of a real tenant, all at once (the default tenant has none of them):
    ///
    /// - part of the app's contact range is granted through a user group (the range is
    ///   [`ContactKnobs::sample_range`](crate::ContactKnobs::sample_range) plus a group that
    ///   adds users), so a walk over departments misses users it must expand from the group;
    /// - one visible user is outside the attendance administrator's data scope (a flows chunk
    ///   naming them fails with 1220005; [`AttendanceKnobs::out_of_scope_user_ids`]);
    /// - another left at [`REALISTIC_DEPARTURE`] and a successor took over their `user_id`
    ///   and `employee_no`: the walk lists only the successor, and the departed user's earlier
    ///   punches come back only with `include_terminated_user=true`
    ///   ([`ContactKnobs::departed_user_ids`]);
    /// - Bitable list records answers in the historic shape without `text_field_as_array`;
    /// - error blocks carry the log id as both `log_id` and `logid`.
    ///
    /// Changing a module's dataset afterwards drops that module's part of the preset.
    ///
    /// [`AttendanceKnobs::out_of_scope_user_ids`]: crate::AttendanceKnobs::out_of_scope_user_ids
    /// [`ContactKnobs::departed_user_ids`]: crate::ContactKnobs::departed_user_ids
    /// [`REALISTIC_DEPARTURE`]: crate::REALISTIC_DEPARTURE
    pub fn realistic(mut self) -> Self {
        self.realistic = true;
        self
    }

    /// Serves through a loopback TCP relay that can break connections, so that
    /// [`Fault::ResetConnection`] and [`Fault::CutReplyBody`] work: the tenant's
    /// [`base_url`](FakeTenant::base_url) is then the relay's. Off by default (one hop less).
    ///
    /// [`Fault::ResetConnection`]: crate::Fault::ResetConnection
    /// [`Fault::CutReplyBody`]: crate::Fault::CutReplyBody
    pub fn connection_faults(mut self) -> Self {
        self.connection_faults = true;
        self
    }

    /// Starts the server on a free port of `127.0.0.1`.
    ///
    /// # Panics
    /// When no loopback port can be bound (as `wiremock`'s own server does).
    pub async fn start(self) -> FakeTenant {
        // Approval, Contact and Auth announce changes to the hub; the events side hears them
        // once a test starts it.
        let hub = EventHub::default();
        let auth = Arc::new(AuthService::new(
            self.config,
            self.seed,
            self.issue_app_ticket_at_start,
            hub.clone(),
        ));
        let events = Arc::new(EventsService::new(auth.config().clone(), hub.clone()));
        let directory = DirectoryHandle::default();
        let services = Services {
            approval: Arc::new(ApprovalService::new(hub.clone())),
            bitable: Arc::new(BitableService::new(hub.clone())),
            contact: Arc::new(ContactService::new(directory.clone(), hub)),
            attendance: Arc::new(AttendanceService::new(directory)),
            auth: Arc::clone(&auth),
            events: Arc::clone(&events),
        };
        // The order the router asks the services in (paths never overlap). The token
        // endpoints and the long-connection endpoint take credentials in the body, not a token.
        let public: Vec<Arc<dyn FakeService>> = vec![auth.clone(), events];
        let data_services: Vec<Arc<dyn FakeService>> = vec![
            Arc::new(DiagService),
            services.approval.clone(),
            services.contact.clone(),
            services.attendance.clone(),
            services.bitable.clone(),
        ];
        let mut faults = FaultState::new(self.seed, self.latency);
        faults.connection_faults = self.connection_faults;
        let router = Arc::new(Router::new(
            Journal::new(self.record_bodies, self.journal_capacity),
            faults,
            auth,
            public,
            data_services,
        ));
        let server = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Mock::given(any())
            .respond_with(Responder(Arc::clone(&router)))
            .mount(&server)
            .await;
        let relay = if self.connection_faults {
            let relay = Relay::start(*server.address())
                .await
                .expect("the testkit binds a loopback port for its connection-fault relay");
            Some(relay)
        } else {
            None
        };
        let tenant = FakeTenant::new(server, relay, router, services);
        if self.realistic {
            realistic::apply(&tenant);
        }
        tenant
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
}
