//! The figures of one workload run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::options::{Limits, Runtime};

/// Where the tenant of a run was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tenant {
    /// The fake tenant, in the measured process (its CPU is told apart by thread).
    InProcess,
    /// The fake tenant, in a process of its own.
    OwnProcess,
    /// A tenant at `--base-url` that is not the fake.
    Remote,
}

impl Tenant {
    /// The short name in tables.
    pub fn short(self) -> &'static str {
        match self {
            Tenant::InProcess => "in",
            Tenant::OwnProcess => "own",
            Tenant::Remote => "remote",
        }
    }
}

/// The figures of one workload run (one JSON line from a child).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchResult {
    /// Workload name.
    pub workload: String,
    /// `--limits`.
    pub limits: Limits,
    /// `--latency-ms`.
    pub latency_ms: u64,
    /// The client's runtime.
    pub runtime: Runtime,
    /// Where the tenant was.
    pub tenant: Tenant,
    /// Items produced.
    pub items: u64,
    /// Items expected (fake tenant ground truth).
    pub expected: Option<u64>,
    /// Wall seconds.
    pub wall_s: f64,
    /// CPU seconds (user + sys) of the process.
    pub cpu_s: f64,
    /// CPU seconds of the in-process fake tenant's thread.
    pub fake_cpu_s: f64,
    /// `cpu_s - fake_cpu_s`: what the client side cost.
    pub client_cpu_s: f64,
    /// Peak RSS of the process (MiB).
    pub peak_rss_mib: f64,
    /// HTTP requests sent.
    pub requests: u64,
    /// Requests per endpoint family (every attempt).
    pub requests_by_endpoint: BTreeMap<String, u64>,
    /// Rate-limited replies per endpoint family.
    #[serde(default)]
    pub rate_limited_by_endpoint: BTreeMap<String, u64>,
    /// 429 replies: the in-process fake's count, else the rate-limited replies the client saw.
    pub status_429: u64,
    /// Token fetches.
    pub token_fetches: u64,
    /// Failed calls.
    pub failed: u64,
    /// The run's window floor (largest family, of the requests the server accepted),
    /// seconds: see `floor`.
    pub window_floor_s: f64,
    /// The run's sustained-rate floor (largest family), seconds.
    pub sustained_floor_s: f64,
    /// 1-minute load average when the workload ended (the machine's other load).
    pub load_avg: f64,
    /// Remarks.
    pub notes: Vec<String>,
    /// Why the workload failed, if it did.
    pub error: Option<String>,
    /// `watch`: median event -> commit latency, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p50_ms: Option<f64>,
    /// `watch`: 99th percentile event -> commit latency, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p99_ms: Option<f64>,
    /// `watch`: changes that never reached the sink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost: Option<u64>,
}

impl BenchResult {
    /// Requests per second.
    pub fn requests_per_second(&self) -> f64 {
        self.requests as f64 / self.wall_s.max(1e-9)
    }

    /// Wall time over the window floor (`None` without limits or floor).
    pub fn window_ratio(&self) -> Option<f64> {
        (self.limits == Limits::Documented && self.window_floor_s > 0.0)
            .then(|| self.wall_s / self.window_floor_s)
    }

    /// Wall time over the sustained-rate floor (`None` without limits or floor).
    pub fn sustained_ratio(&self) -> Option<f64> {
        (self.limits == Limits::Documented && self.sustained_floor_s > 0.0)
            .then(|| self.wall_s / self.sustained_floor_s)
    }

    /// Requests the server accepted, per family: every attempt but the rate-limited ones
    /// (the floors count the work, not its retries).
    pub fn accepted_by_endpoint(&self) -> BTreeMap<String, u64> {
        accepted(&self.requests_by_endpoint, &self.rate_limited_by_endpoint)
    }

    /// Client CPU seconds per item.
    pub fn client_cpu_per_item(&self) -> f64 {
        self.client_cpu_s / (self.items.max(1) as f64)
    }
}

/// `requests` less `rate_limited`, per family.
pub fn accepted(
    requests: &BTreeMap<String, u64>,
    rate_limited: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    requests
        .iter()
        .map(|(family, n)| {
            let limited = rate_limited.get(family).copied().unwrap_or(0);
            (family.clone(), n.saturating_sub(limited))
        })
        .collect()
}
