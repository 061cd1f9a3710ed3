//! What a workload runs against: the fake tenant in this process, or a tenant at a URL.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use feishu_core::{Client, ClientEvent, Credentials, RateLimits};
use feishu_testkit::FakeTenant;
use secrecy::{ExposeSecret, SecretString};

use super::measure::FAKE_THREAD_NAME;
use super::options::{Limits, Options};

/// What a workload runs against.
pub struct Env {
    /// The options.
    pub opts: Options,
    /// The in-process fake, if used.
    pub tenant: Option<FakeTenant>,
    /// Base URL of the tenant.
    pub base_url: String,
    /// App id.
    pub app_id: String,
    /// App secret.
    pub app_secret: SecretString,
    /// The rate-limited replies the clients saw: endpoint family and the wait it took.
    pub throttles: Arc<Mutex<Vec<(String, Duration)>>>,
}

impl std::fmt::Debug for Env {
    /// The tenant by its URL only: a `FakeTenant` shows its configuration, secrets included.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("opts", &self.opts)
            .field("tenant", &self.tenant.as_ref().map(FakeTenant::base_url))
            .field("base_url", &self.base_url)
            .field("app_id", &self.app_id)
            .field("app_secret", &self.app_secret)
            .finish()
    }
}

impl Env {
    /// Starts the fake tenant (on a thread named [`FAKE_THREAD_NAME`], so that its CPU time
    /// can be told apart; with the documented limits enforced in fixed windows unless
    /// `--limits off`) or reads the credentials of the tenant at `--base-url`.
    pub fn new(opts: Options) -> Result<Env, String> {
        if let Some(url) = &opts.base_url {
            let var = |name: &str| {
                std::env::var(name)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| format!("--base-url needs {name} in the environment"))
            };
            return Ok(Env {
                base_url: url.clone(),
                app_id: var("FEISHU_APP_ID")?,
                app_secret: SecretString::from(var("FEISHU_APP_SECRET")?),
                tenant: None,
                opts,
                throttles: Arc::default(),
            });
        }
        let tenant = start_fake(Duration::from_millis(opts.latency_ms))?;
        if opts.limits == Limits::Documented {
            tenant.set_documented_rate_limits();
        }
        Ok(Env {
            base_url: tenant.base_url(),
            app_id: tenant.app_id().to_string(),
            app_secret: SecretString::from(tenant.app_secret()),
            tenant: Some(tenant),
            opts,
            throttles: Arc::default(),
        })
    }

    /// A fresh client (cold token cache) with the run's limits, reporting its rate-limited
    /// replies to [`Env::throttles`].
    pub fn client(&self) -> Result<Client, String> {
        let throttles = self.throttles.clone();
        Client::builder()
            .base_url(&self.base_url)
            .credentials(Credentials::self_built(
                &self.app_id,
                self.app_secret.expose_secret(),
            ))
            .rate_limits(match self.opts.limits {
                Limits::Documented => RateLimits::documented(),
                Limits::Off => RateLimits::disabled(),
            })
            .on_event(move |event| {
                if let ClientEvent::RateLimited { endpoint, wait } = event {
                    let mut seen = throttles.lock().unwrap_or_else(|e| e.into_inner());
                    seen.push((endpoint.clone(), *wait));
                }
            })
            .build()
            .map_err(|e| e.to_string())
    }
}

/// The fake tenant, served from a thread named [`FAKE_THREAD_NAME`]: wiremock serves from a
/// thread it spawns, and a spawned thread inherits its parent's name, so the whole fake runs
/// under that name.
fn start_fake(latency: Duration) -> Result<FakeTenant, String> {
    std::thread::Builder::new()
        .name(FAKE_THREAD_NAME.into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(
                rt.block_on(
                    FakeTenant::builder()
                        .journal(false)
                        .journal_capacity(0)
                        .latency(latency)
                        .start(),
                ),
            )
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "the fake tenant failed to start".to_string())?
}
