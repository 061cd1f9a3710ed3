//! `feishu-bench`: throughput, CPU, memory and rate-limit efficiency of the SDK.
//!
//! Each workload runs against the in-process fake tenant of `feishu-testkit` (default) or
//! any `--base-url` (credentials from `FEISHU_APP_ID` / `FEISHU_APP_SECRET`, module ids from
//! flags). By default every workload runs in a fresh child process (the binary re-executes
//! itself with `--workload X --child` and reads one JSON line back), because peak RSS is
//! process-wide. See `docs/benchmarks.md` for the workloads, the figures and how to read them.

pub mod floor;
pub mod measure;
pub mod upsert;
pub mod watch;
pub mod workloads;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::time::Duration;

use feishu_core::{Client, Credentials, RateLimits};
use feishu_testkit::FakeTenant;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use measure::FAKE_THREAD_NAME;

/// Usage text.
pub const USAGE: &str = "\
feishu-bench: SDK benchmarks against the in-process fake tenant or a real one

USAGE:
    feishu-bench [--workload LIST|all] [--latency-ms N] [--limits documented|off] [--big]
                 [--records N] [--big-records N] [--approval-instances N] [--approval-days N]
                 [--users N] [--attendance-users N] [--attendance-days N] [--storm N]
                 [--sync-approval-instances N] [--sync-days N] [--sync-records N]
                 [--sync-users N] [--upsert-rows N] [--reset-share F] [--concurrency N]
                 [--watch-rate N] [--watch-seconds S] [--watch-disconnects N]
                 [--no-isolate] [--json FILE]
                 [--base-url URL --app-token T --table-id T --approval-code C ...]
    feishu-bench --serve [--records N] [--latency-ms N] [--limits documented|off]

WORKLOADS (comma separated; `all` = baseline,w1,w2,w3,w4,w5,w6,w7-baseline,w7,w7-resets,
watch, plus w1-1m with --big):
    baseline  W1's pages by bare reqwest + serde_json (the CPU floor)
    w1        Bitable full scan, --records (100000) records, pages of 500
    w1-1m     the same with --big-records (1000000) records
    w2        Approval list + detail + form rows, --approval-instances (5000) over
              --approval-days (30)
    w3        Contact walk over --users (5000) users
    w4        Attendance flows of --attendance-users (1000) over --attendance-days (31)
    w5        --storm (1000) concurrent calls on a cold client: token fetches
    w6        full feishu-sync read: --sync-approval-instances (1500) over --sync-days (7),
              --sync-records (20000) Bitable records, --sync-users (1000) users + attendance
    w7        upsert --upsert-rows (100000) rows by key into a new table holding half of
              their keys (Bitable::upsert_records); with --base-url it needs --app-token
    w7-baseline  W7's key scan and batches by bare reqwest + serde_json (the CPU floor)
    w7-resets W7 with --reset-share (0.03) of replies lost after the server applied the
              request (fake in process only); counts duplicate rows
    watch     Source::watch into SQLite while the fake emits --watch-rate (100) change events
              a second for --watch-seconds (20), with --watch-disconnects (3) forced
              disconnects: event -> commit latency p50 / p99, changes lost (fake only)

--limits documented (default): the client's documented limits, and the fake tenant refuses
(429) anything over the documented per-second limits. --limits off: no client limiter.
--serve: only the fake tenant (plus a --records table), printing its URL, credentials and ids
as JSON, until killed: run the client in another process with --base-url to measure it alone.";

/// Client-side rate limits of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limits {
    /// `RateLimits::documented()`, and the same per-second limits on the fake tenant.
    Documented,
    /// `RateLimits::disabled()`.
    Off,
}

/// One workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// W1's pages without the SDK.
    Baseline,
    /// Bitable full scan.
    W1,
    /// Bitable full scan of the big table.
    W1Big,
    /// Approval sync.
    W2,
    /// Contact walk.
    W3,
    /// Attendance flows.
    W4,
    /// Token storm.
    W5,
    /// Full tenant sync.
    W6,
    /// Upsert by key.
    W7,
    /// W7 without the SDK.
    W7Baseline,
    /// W7 with lost replies.
    W7Resets,
    /// `Source::watch` under a stream of change events.
    Watch,
}

impl Workload {
    /// The workload's name on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Baseline => "baseline",
            Workload::W1 => "w1",
            Workload::W1Big => "w1-1m",
            Workload::W2 => "w2",
            Workload::W3 => "w3",
            Workload::W4 => "w4",
            Workload::W5 => "w5",
            Workload::W6 => "w6",
            Workload::W7 => "w7",
            Workload::W7Baseline => "w7-baseline",
            Workload::W7Resets => "w7-resets",
            Workload::Watch => "watch",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        ALL.iter().copied().find(|w| w.name() == name)
    }
}

const ALL: [Workload; 12] = [
    Workload::Baseline,
    Workload::W1,
    Workload::W1Big,
    Workload::W2,
    Workload::W3,
    Workload::W4,
    Workload::W5,
    Workload::W6,
    Workload::W7Baseline,
    Workload::W7,
    Workload::W7Resets,
    Workload::Watch,
];

/// Parsed command line.
#[derive(Debug, Clone)]
pub struct Options {
    /// Workloads to run, in order.
    pub workloads: Vec<Workload>,
    /// A real tenant instead of the fake.
    pub base_url: Option<String>,
    /// Latency added by the fake to every response.
    pub latency_ms: u64,
    /// Client (and fake) rate limits.
    pub limits: Limits,
    /// W1 / baseline record count.
    pub records: u64,
    /// W1-1m record count.
    pub big_records: u64,
    /// W2 instance count.
    pub approval_instances: usize,
    /// W2 span in days.
    pub approval_days: i64,
    /// W3 user count.
    pub users: usize,
    /// W4 user count.
    pub attendance_users: usize,
    /// W4 span in days.
    pub attendance_days: i64,
    /// W5 concurrent calls.
    pub storm: usize,
    /// W6 approval instances.
    pub sync_approval_instances: usize,
    /// W6 span in days (approval and attendance).
    pub sync_days: i64,
    /// W6 Bitable records.
    pub sync_records: u64,
    /// W6 users.
    pub sync_users: usize,
    /// W7 rows (half of their keys exist before the run).
    pub upsert_rows: u64,
    /// `w7-resets`: share of replies lost after the server applied the request.
    pub reset_share: f64,
    /// `watch`: change events a second.
    pub watch_rate: f64,
    /// `watch`: seconds of events.
    pub watch_seconds: f64,
    /// `watch`: forced disconnects of the long connection during the run.
    pub watch_disconnects: usize,
    /// Fetches in flight where the SDK takes a concurrency.
    pub concurrency: usize,
    /// Run each workload in a child process.
    pub isolate: bool,
    /// This process is a child: print one result line.
    pub child: bool,
    /// Only serve the fake tenant (with a `--records` table) until killed, for a client run
    /// in another process with `--base-url`.
    pub serve: bool,
    /// Appends result lines (JSON) to this file.
    pub json: Option<std::path::PathBuf>,
    /// `--app-token` of a real tenant.
    pub app_token: Option<String>,
    /// `--table-id` of a real tenant.
    pub table_id: Option<String>,
    /// `--approval-code` (repeatable, comma separated) of a real tenant.
    pub approval_codes: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            workloads: Vec::new(),
            base_url: None,
            latency_ms: 0,
            limits: Limits::Documented,
            records: 100_000,
            big_records: 1_000_000,
            approval_instances: 5_000,
            approval_days: 30,
            users: 5_000,
            attendance_users: 1_000,
            attendance_days: 31,
            storm: 1_000,
            sync_approval_instances: 1_500,
            sync_days: 7,
            sync_records: 20_000,
            sync_users: 1_000,
            upsert_rows: 100_000,
            reset_share: 0.03,
            watch_rate: 100.0,
            watch_seconds: 20.0,
            watch_disconnects: 3,
            concurrency: 8,
            isolate: true,
            child: false,
            serve: false,
            json: None,
            app_token: None,
            table_id: None,
            approval_codes: Vec::new(),
        }
    }
}

/// Parses `args` (without the program name). `Ok(None)` means "print the usage".
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Option<Options>, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut o = Options::default();
    let mut list: Option<String> = None;
    let mut big = false;
    fn num<T: std::str::FromStr>(p: &mut lexopt::Parser, flag: &str) -> Result<T, String> {
        let v = p.value().map_err(|e| e.to_string())?;
        v.to_str()
            .and_then(|s| s.replace('_', "").parse().ok())
            .ok_or_else(|| format!("{flag}: expected a number, got {v:?}"))
    }
    fn text(p: &mut lexopt::Parser) -> Result<String, String> {
        p.value()
            .map_err(|e| e.to_string())?
            .into_string()
            .map_err(|_| "arguments must be UTF-8".to_string())
    }
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("workload") => list = Some(text(&mut parser)?),
            Long("base-url") => o.base_url = Some(text(&mut parser)?),
            Long("latency-ms") => o.latency_ms = num(&mut parser, "--latency-ms")?,
            Long("limits") => {
                o.limits = match text(&mut parser)?.as_str() {
                    "documented" => Limits::Documented,
                    "off" => Limits::Off,
                    other => return Err(format!("--limits: documented or off, not {other:?}")),
                }
            }
            Long("big") => big = true,
            Long("records") => o.records = num(&mut parser, "--records")?,
            Long("big-records") => o.big_records = num(&mut parser, "--big-records")?,
            Long("approval-instances") => {
                o.approval_instances = num(&mut parser, "--approval-instances")?
            }
            Long("approval-days") => o.approval_days = num(&mut parser, "--approval-days")?,
            Long("users") => o.users = num(&mut parser, "--users")?,
            Long("attendance-users") => {
                o.attendance_users = num(&mut parser, "--attendance-users")?
            }
            Long("attendance-days") => o.attendance_days = num(&mut parser, "--attendance-days")?,
            Long("storm") => o.storm = num(&mut parser, "--storm")?,
            Long("sync-approval-instances") => {
                o.sync_approval_instances = num(&mut parser, "--sync-approval-instances")?
            }
            Long("sync-days") => o.sync_days = num(&mut parser, "--sync-days")?,
            Long("sync-records") => o.sync_records = num(&mut parser, "--sync-records")?,
            Long("sync-users") => o.sync_users = num(&mut parser, "--sync-users")?,
            Long("upsert-rows") => o.upsert_rows = num(&mut parser, "--upsert-rows")?,
            Long("reset-share") => o.reset_share = num(&mut parser, "--reset-share")?,
            Long("watch-rate") => o.watch_rate = num(&mut parser, "--watch-rate")?,
            Long("watch-seconds") => o.watch_seconds = num(&mut parser, "--watch-seconds")?,
            Long("watch-disconnects") => {
                o.watch_disconnects = num(&mut parser, "--watch-disconnects")?
            }
            Long("concurrency") => {
                o.concurrency = num::<usize>(&mut parser, "--concurrency")?.max(1)
            }
            Long("no-isolate") => o.isolate = false,
            Long("isolate") => o.isolate = true,
            Long("child") => o.child = true,
            Long("serve") => o.serve = true,
            Long("json") => o.json = Some(text(&mut parser)?.into()),
            Long("app-token") => o.app_token = Some(text(&mut parser)?),
            Long("table-id") => o.table_id = Some(text(&mut parser)?),
            Long("approval-code") => o.approval_codes.extend(
                text(&mut parser)?
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            ),
            Long("help") | Short('h') => return Ok(None),
            other => return Err(other.unexpected().to_string()),
        }
    }
    let list = list.unwrap_or_else(|| "all".into());
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if name == "all" {
            for w in ALL {
                if w != Workload::W1Big || big {
                    o.workloads.push(w);
                }
            }
        } else {
            o.workloads
                .push(Workload::parse(name).ok_or_else(|| format!("unknown workload {name:?}"))?);
        }
    }
    if !(o.watch_rate > 0.0 && o.watch_seconds > 0.0) {
        return Err("--watch-rate and --watch-seconds must be positive".into());
    }
    if o.approval_instances == 0 || o.approval_days <= 0 || o.sync_days <= 0 {
        return Err("instance counts and day spans must be positive".into());
    }
    Ok(Some(o))
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
    /// Whether the fake tenant ran in this process.
    pub in_process: bool,
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
    /// Requests per endpoint family.
    pub requests_by_endpoint: BTreeMap<String, u64>,
    /// 429 replies the fake sent (or rate-limited replies the client saw, off the fake).
    pub status_429: u64,
    /// Token fetches.
    pub token_fetches: u64,
    /// Failed calls.
    pub failed: u64,
    /// Rate-limit floor (largest family), seconds.
    pub floor_s: f64,
    /// Rate-limit floor if modules run one after another, seconds.
    pub sequential_floor_s: f64,
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

    /// Wall time over the floor (`None` without limits or floor).
    pub fn floor_ratio(&self) -> Option<f64> {
        (self.limits == Limits::Documented && self.floor_s > 0.0)
            .then(|| self.wall_s / self.floor_s)
    }
}

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
    /// can be told apart) or reads the real tenant's credentials.
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
            });
        }
        let latency = Duration::from_millis(opts.latency_ms);
        // wiremock serves from a thread it spawns; a spawned thread inherits its parent's
        // name, so the whole fake runs under FAKE_THREAD_NAME.
        let tenant = std::thread::Builder::new()
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
            .map_err(|_| "the fake tenant failed to start".to_string())??;
        if opts.limits == Limits::Documented {
            for (prefix, per_second) in floor::SERVER_LIMITS {
                tenant.set_rate_limit(prefix, *per_second);
            }
            for (family, per_second) in floor::SERVER_FAMILY_LIMITS {
                tenant.set_family_limit(
                    feishu_testkit::FamilyLimit::new(*family).per_second(*per_second),
                );
            }
        }
        Ok(Env {
            base_url: tenant.base_url(),
            app_id: tenant.app_id().to_string(),
            app_secret: SecretString::from(tenant.app_secret()),
            tenant: Some(tenant),
            opts,
        })
    }

    /// A fresh client (cold token cache) with the run's limits.
    pub fn client(&self) -> Result<Client, String> {
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
            .build()
            .map_err(|e| e.to_string())
    }
}

/// Runs one workload in this process and returns its figures.
pub async fn run_one(env: &Env, workload: Workload) -> BenchResult {
    let before_429 = env.tenant.as_ref().map(|t| t.count_status(429));
    let outcome = workloads::run(env, workload).await;
    let peak_rss = measure::peak_rss_bytes();
    let peak_rss_mib = *peak_rss.as_ref().unwrap_or(&0) as f64 / (1024.0 * 1024.0);
    let (outcome, error) = match (outcome, peak_rss) {
        (Ok(o), Ok(_)) => (o, None),
        (Err(e), _) | (Ok(_), Err(e)) => (workloads::Outcome::default(), Some(e)),
    };
    let status_429 = match (&env.tenant, before_429) {
        (Some(t), Some(before)) => (t.count_status(429) - before) as u64,
        _ => outcome.rate_limited,
    };
    let m = outcome.measured;
    let mut notes = outcome.notes;
    if let Some(expected) = outcome.expected
        && expected != outcome.items
    {
        notes.push(format!("MISMATCH: expected {expected} items"));
    }
    if env.tenant.is_some() && m.wall > 0.0 {
        notes.push(format!(
            "fake thread busy {:.0}% of wall",
            100.0 * m.fake_cpu / m.wall
        ));
    }
    BenchResult {
        workload: workload.name().to_string(),
        limits: env.opts.limits,
        latency_ms: env.opts.latency_ms,
        in_process: env.tenant.is_some(),
        items: outcome.items,
        expected: outcome.expected,
        wall_s: m.wall,
        cpu_s: m.cpu,
        fake_cpu_s: m.fake_cpu,
        client_cpu_s: (m.cpu - m.fake_cpu).max(0.0),
        peak_rss_mib,
        requests: outcome.requests,
        floor_s: outcome
            .floor
            .unwrap_or_else(|| floor::parallel_floor(&outcome.requests_by_endpoint)),
        sequential_floor_s: floor::sequential_floor(&outcome.requests_by_endpoint),
        requests_by_endpoint: outcome.requests_by_endpoint,
        status_429,
        token_fetches: outcome.token_fetches,
        failed: outcome.failed,
        load_avg: measure::load_average(),
        notes,
        error,
        latency_p50_ms: outcome.latency_p50_ms,
        latency_p99_ms: outcome.latency_p99_ms,
        lost: outcome.lost,
    }
}

/// Prefix of a child's result line on stdout.
const RESULT_PREFIX: &str = "FEISHU-BENCH-RESULT ";

fn client_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("bench-client")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// Runs the benchmark as the command line says; returns the exit code.
pub fn main_with(args: Vec<OsString>) -> Result<i32, String> {
    let Some(opts) = parse_args(args.clone())? else {
        println!("{USAGE}");
        return Ok(0);
    };
    if opts.serve {
        return serve(opts);
    }
    let results = if opts.child || !opts.isolate {
        let workloads = opts.workloads.clone();
        let env = Env::new(opts.clone())?;
        let rt = client_runtime()?;
        let mut out = Vec::new();
        for w in workloads {
            eprintln!("feishu-bench: running {} ...", w.name());
            let r = rt.block_on(run_one(&env, w));
            eprintln!("feishu-bench: {}", one_line(&r));
            if opts.child {
                let line = serde_json::to_string(&r).map_err(|e| e.to_string())?;
                println!("{RESULT_PREFIX}{line}");
            }
            out.push(r);
        }
        // Shut the client runtime down before the fake (its connections close first).
        drop(rt);
        drop(env);
        if opts.child {
            return Ok(0);
        }
        out
    } else {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for w in &opts.workloads {
            let mut child_args = args.clone();
            child_args.extend(["--workload".into(), w.name().into(), "--child".into()]);
            let output = std::process::Command::new(&exe)
                .args(&child_args)
                .stderr(std::process::Stdio::inherit())
                .output()
                .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
            let stdout = String::from_utf8_lossy(&output.stdout);
            let line = stdout
                .lines()
                .find_map(|l| l.strip_prefix(RESULT_PREFIX))
                .ok_or_else(|| {
                    format!(
                        "{}: the child printed no result ({})",
                        w.name(),
                        output.status
                    )
                })?;
            out.push(serde_json::from_str::<BenchResult>(line).map_err(|e| e.to_string())?);
        }
        out
    };
    if let Some(path) = &opts.json {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for r in &results {
            let line = serde_json::to_string(r).map_err(|e| e.to_string())?;
            writeln!(f, "{line}").map_err(|e| e.to_string())?;
        }
    }
    println!("{}", report(&results));
    Ok(if results.iter().any(|r| r.error.is_some()) {
        1
    } else {
        0
    })
}

/// `--serve`: the fake tenant alone, with a Bitable table of `--records` records, until the
/// process is killed. Prints the base URL, credentials and table ids as one JSON line, so that
/// the client side can be measured without the fake in its process (its RSS and CPU).
fn serve(opts: Options) -> Result<i32, String> {
    let records = opts.records;
    let env = Env::new(opts)?;
    let tenant = env
        .tenant
        .as_ref()
        .ok_or("--serve runs the fake tenant, not --base-url")?;
    let table = tenant.bitable().add_table("Bench", records);
    let line = serde_json::json!({
        "base_url": env.base_url,
        "app_id": env.app_id,
        // The fake tenant's own secret: the client side needs it.
        "app_secret": env.app_secret.expose_secret(),
        "app_token": tenant.bitable().app_token(),
        "table_id": table,
        "records": records,
    });
    println!("{line}");
    loop {
        std::thread::park();
    }
}

fn one_line(r: &BenchResult) -> String {
    match &r.error {
        Some(e) => format!("{} FAILED: {e}", r.workload),
        None => format!(
            "{}: {} items in {:.2} s, cpu {:.2} s (client {:.2} s), {} requests, {} x 429",
            r.workload, r.items, r.wall_s, r.cpu_s, r.client_cpu_s, r.requests, r.status_429
        ),
    }
}

/// The figures as a Markdown table, per-family floors and the target checks.
pub fn report(results: &[BenchResult]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| workload | limits | lat ms | items | wall s | CPU s | client CPU s | fake CPU s | peak RSS MiB | requests | req/s | 429s | token fetches | failed | floor s | wall/floor | load |"
    );
    let _ = writeln!(s, "|{}", "---|".repeat(17));
    for r in results {
        let ratio = r
            .floor_ratio()
            .map_or_else(|| "-".to_string(), |x| format!("{x:.2}"));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} | {} | {:.0} | {} | {} | {} | {:.1} | {} | {:.1} |",
            r.workload,
            match r.limits {
                Limits::Documented => "documented",
                Limits::Off => "off",
            },
            r.latency_ms,
            r.items,
            r.wall_s,
            r.cpu_s,
            r.client_cpu_s,
            r.fake_cpu_s,
            r.peak_rss_mib,
            r.requests,
            r.requests_per_second(),
            r.status_429,
            r.token_fetches,
            r.failed,
            r.floor_s,
            ratio,
            r.load_avg,
        );
    }
    let _ = writeln!(s);
    for r in results {
        let floors = floor::family_floors(&r.requests_by_endpoint);
        let families = floors
            .iter()
            .map(|f| {
                format!(
                    "{} {} req / {:.2}/s = {:.1} s",
                    f.family, f.requests, f.per_second, f.seconds
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let mut parts = vec![format!("{}:", r.workload)];
        if let Some(e) = &r.error {
            parts.push(format!("ERROR {e}"));
        }
        parts.extend(r.notes.iter().cloned());
        if !families.is_empty() && r.limits == Limits::Documented {
            parts.push(format!("floors: {families}"));
            if r.sequential_floor_s > r.floor_s + 1e-9 {
                parts.push(format!(
                    "sequential-module floor {:.1} s (wall/seq floor {:.2})",
                    r.sequential_floor_s,
                    r.wall_s / r.sequential_floor_s
                ));
            }
        }
        let _ = writeln!(s, "- {}", parts.join(" · "));
    }
    let _ = writeln!(s);
    for line in targets(results) {
        let _ = writeln!(s, "{line}");
    }
    s
}

/// The targets, checked on whatever rows are present.
pub fn targets(results: &[BenchResult]) -> Vec<String> {
    let mut out = Vec::new();
    let find = |name: &str| {
        results
            .iter()
            .find(|r| r.workload == name && r.error.is_none())
    };
    let verdict = |ok: bool| if ok { "MET" } else { "NOT MET" };
    for name in ["w2", "w6"] {
        if let Some(r) = find(name)
            && let Some(ratio) = r.floor_ratio()
        {
            let ok = ratio <= 1.1 && r.failed == 0;
            out.push(format!(
                "target {name} within 1.1x floor, 0 failed (latency {} ms): {:.2}x, {} failed -> {}",
                r.latency_ms,
                ratio,
                r.failed,
                verdict(ok)
            ));
        }
    }
    if let (Some(w1), Some(base)) = (find("w1"), find("baseline")) {
        let client = w1.client_cpu_s / base.client_cpu_s.max(1e-9);
        let total = w1.cpu_s / base.cpu_s.max(1e-9);
        out.push(format!(
            "target w1 CPU within 1.2x baseline (latency {} ms): client {:.2}x ({:.2} s vs {:.2} s), process {:.2}x -> {}",
            w1.latency_ms,
            client,
            w1.client_cpu_s,
            base.client_cpu_s,
            total,
            verdict(client <= 1.2)
        ));
    }
    if let (Some(big), Some(w1)) = (find("w1-1m"), find("w1")) {
        let ratio = big.peak_rss_mib / w1.peak_rss_mib.max(1e-9);
        out.push(format!(
            "target w1 1M peak RSS within 1.1x of 100k: {:.1} MiB vs {:.1} MiB = {:.2}x -> {}",
            big.peak_rss_mib,
            w1.peak_rss_mib,
            ratio,
            verdict(ratio <= 1.1)
        ));
    }
    if let Some(r) = find("w7")
        && let Some(ratio) = r.floor_ratio()
    {
        out.push(format!(
            "target w7 within 1.2x floor (key scan + one-writer writes; latency {} ms): {:.2}x ({:.2} s / {:.2} s), {} failed -> {}",
            r.latency_ms,
            ratio,
            r.wall_s,
            r.floor_s,
            r.failed,
            verdict(ratio <= 1.2 && r.failed == 0)
        ));
    }
    if let (Some(w7), Some(base)) = (find("w7"), find("w7-baseline")) {
        let client = w7.client_cpu_s / base.client_cpu_s.max(1e-9);
        out.push(format!(
            "target w7 client CPU per row within 1.2x the bare loop: {:.2}x ({:.2} s vs {:.2} s for {} rows) -> {}",
            client,
            w7.client_cpu_s,
            base.client_cpu_s,
            w7.expected.unwrap_or_default(),
            verdict(client <= 1.2)
        ));
    }
    if let Some(r) = find("w7-resets") {
        let clean = r.failed == 0 && !r.notes.iter().any(|n| n.starts_with("MISMATCH"));
        out.push(format!(
            "target w7 with resets: 0 duplicate rows, 0 failed: {} -> {}",
            r.notes
                .iter()
                .find(|n| n.contains("duplicates"))
                .cloned()
                .unwrap_or_default(),
            verdict(clean)
        ));
    }
    if let (Some(r), Some(p50), Some(p99)) = (
        find("watch"),
        find("watch").and_then(|r| r.latency_p50_ms),
        find("watch").and_then(|r| r.latency_p99_ms),
    ) {
        let lost = r.lost.unwrap_or(u64::MAX);
        out.push(format!(
            "target watch event -> SQLite commit p50 <= 200 ms, p99 <= 1 s, 0 lost: p50 {p50:.0} ms, p99 {p99:.0} ms, {lost} lost -> {}",
            verdict(p50 <= 200.0 && p99 <= 1000.0 && lost == 0)
        ));
    }
    if let Some(r) = find("w5") {
        out.push(format!(
            "target w5 exactly 1 token fetch: {} -> {}",
            r.token_fetches,
            verdict(r.token_fetches == 1 && r.failed == 0)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Options {
        parse_args(args.iter().map(OsString::from))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn all_adds_the_big_scan_only_with_big() {
        assert!(
            !parse(&["--workload", "all"])
                .workloads
                .contains(&Workload::W1Big)
        );
        let o = parse(&["--big", "--workload", "all"]);
        assert_eq!(o.workloads.len(), 11);
        // A child gets the parent's flags plus its own workload: it runs that one only.
        let child = parse(&["--big", "--workload", "all", "--workload", "w2", "--child"]);
        assert_eq!(child.workloads, vec![Workload::W2]);
        assert!(child.child);
    }

    #[test]
    fn numbers_and_limits() {
        let o = parse(&[
            "--records",
            "1_000",
            "--limits",
            "off",
            "--latency-ms",
            "20",
        ]);
        assert_eq!(o.records, 1000);
        assert_eq!(o.limits, Limits::Off);
        assert_eq!(o.latency_ms, 20);
        assert!(parse_args(["--limits", "some"].map(OsString::from)).is_err());
        assert!(parse_args(["--workload", "w9"].map(OsString::from)).is_err());
    }
}
