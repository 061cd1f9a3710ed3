//! The workloads. Each one runs over data prepared beforehand ([`Prepared`], untimed) under
//! a [`Meter`].

mod approval;
mod bitable;
mod directory;
mod storm;
mod sync;
mod upsert;
mod watch;

use std::collections::BTreeMap;
use std::time::Instant;

use feishu_core::Client;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::env::Env;
use super::measure::CpuSample;
use super::options::Workload;
use super::prepare::Prepared;

/// What a workload did, before the figures are attached.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Items the workload produced (records, instances, users, flows, calls).
    pub items: u64,
    /// Wall and CPU time of the timed part.
    pub measured: Measured,
    /// HTTP requests sent (the client's counter, or the baseline's own).
    pub requests: u64,
    /// Requests per endpoint family.
    pub requests_by_endpoint: BTreeMap<String, u64>,
    /// Rate-limited replies per endpoint family.
    pub rate_limited_by_endpoint: BTreeMap<String, u64>,
    /// Replies the client saw as rate limited.
    pub rate_limited: u64,
    /// Token fetches the client made.
    pub token_fetches: u64,
    /// Calls that ended in an error (the client's counter) plus workload-level failures.
    pub failed: u64,
    /// Free-form remarks (checks, sizes).
    pub notes: Vec<String>,
    /// The workload's own floors (window, sustained; seconds) when its families do not run
    /// side by side (W7: the key scan, then the writes of one table one at a time).
    pub floors: Option<(f64, f64)>,
    /// `watch`: the median time from an event to its record's commit, ms.
    pub latency_p50_ms: Option<f64>,
    /// `watch`: the 99th percentile of that time, ms.
    pub latency_p99_ms: Option<f64>,
    /// `watch`: changes that never reached the sink.
    pub lost: Option<u64>,
}

/// Wall and CPU time between [`Meter::start`] and [`Meter::stop`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Measured {
    /// Wall seconds.
    pub wall: f64,
    /// CPU seconds of the whole process.
    pub cpu: f64,
    /// CPU seconds of the in-process fake tenant's thread.
    pub fake_cpu: f64,
}

/// A running measurement.
#[derive(Debug)]
pub struct Meter {
    started: Instant,
    cpu: CpuSample,
}

impl Meter {
    /// Starts measuring; an error when `/proc` cannot be read.
    pub fn start() -> Res<Self> {
        Ok(Meter {
            cpu: CpuSample::now()?,
            started: Instant::now(),
        })
    }

    /// Stops measuring; an error when `/proc` cannot be read.
    pub fn stop(self) -> Res<Measured> {
        let wall = self.started.elapsed().as_secs_f64();
        let cpu = CpuSample::now()?;
        Ok(Measured {
            wall,
            cpu: cpu.process - self.cpu.process,
            fake_cpu: cpu.fake - self.cpu.fake,
        })
    }
}

type Res<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Runs one workload over its prepared data.
pub async fn run(env: &Env, workload: Workload, data: &Prepared) -> Res<Outcome> {
    match workload {
        Workload::Baseline => bitable::baseline(env, data).await,
        Workload::W1 | Workload::W1Big => bitable::scan(env, data).await,
        Workload::W2 => approval::sync(env, data).await,
        Workload::BaselineW2 => approval::baseline(env, data).await,
        Workload::W3 => directory::contact_walk(env).await,
        Workload::W4 => directory::attendance_flows(env, data).await,
        Workload::W5 => storm::token_storm(env, data).await,
        Workload::W6 => sync::full_sync(env, data).await,
        Workload::W7 => upsert::upsert(env, data, 0.0).await,
        Workload::W7Baseline => upsert::baseline(env, data).await,
        Workload::W7Resets => upsert::upsert(env, data, env.opts.reset_share).await,
        Workload::W8 => bitable::base(env, data).await,
        Workload::Watch => watch::watch(env).await,
    }
}

/// Copies the client's counters into `out`.
fn with_stats(mut out: Outcome, client: &Client) -> Outcome {
    let stats = client.stats();
    out.requests = stats.requests;
    out.requests_by_endpoint = stats
        .families
        .iter()
        .map(|(family, f)| (family.clone(), f.requests))
        .collect();
    out.rate_limited_by_endpoint = stats
        .families
        .into_iter()
        .filter(|(_, f)| f.rate_limited > 0)
        .map(|(family, f)| (family, f.rate_limited))
        .collect();
    out.rate_limited = stats.rate_limited;
    out.token_fetches = stats.token_fetches;
    out.failed += stats.failed_calls;
    out
}

/// A tenant token fetched by hand (`POST auth/v3/tenant_access_token/internal`), for the
/// SDK-less baselines.
async fn bare_token(http: &reqwest::Client, env: &Env) -> Res<String> {
    let base = env.base_url.trim_end_matches('/');
    let auth: Value = http
        .post(format!(
            "{base}/open-apis/auth/v3/tenant_access_token/internal"
        ))
        .json(&json!({ "app_id": env.app_id, "app_secret": env.app_secret.expose_secret() }))
        .send()
        .await
        .map_err(err)?
        .json()
        .await
        .map_err(err)?;
    auth["tenant_access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no token in {auth}"))
}
