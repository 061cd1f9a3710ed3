//! `feishu-bench`: throughput, CPU, memory and rate-limit efficiency of the SDK.
//!
//! Each workload runs against the fake tenant of `feishu-testkit` (in this process by
//! default, in a process of its own with `--fake-process`) or any `--base-url` (credentials
//! from `FEISHU_APP_ID` / `FEISHU_APP_SECRET`, module ids from flags). By default every
//! workload runs in a fresh child process (the binary re-executes itself with `--workload X
//! --child` and reads one JSON line back), because peak RSS is process-wide. See
//! `docs/benchmarks.md` for the workloads, the figures and how to read them.

pub mod env;
pub mod floor;
pub mod measure;
pub mod options;
pub mod prepare;
pub mod report;
pub mod result;
pub mod serve;
pub mod workloads;

use std::ffi::OsString;
use std::process::{Command, Stdio};

pub use env::Env;
pub use options::{Limits, Options, Runtime, USAGE, Workload, parse_args};
pub use report::{report, targets};
pub use result::{BenchResult, Tenant};

use prepare::Prepared;
use serve::FakeProcess;

/// The data of `workload`: handed over by a `--serve` process, generated on the in-process
/// fake, or named by the flags of a real tenant.
fn prepared(env: &Env, workload: Workload) -> Result<Prepared, String> {
    match (&env.opts.prepared, &env.tenant) {
        (Some(json), _) => serde_json::from_str(json).map_err(|e| format!("--prepared: {e}")),
        (None, Some(tenant)) => Ok(prepare::on_fake(tenant, &env.opts, workload)),
        (None, None) => prepare::from_flags(&env.opts, workload),
    }
}

/// Runs one workload in this process and returns its figures.
pub async fn run_one(env: &Env, workload: Workload) -> BenchResult {
    let data = prepared(env, workload);
    let before_429 = env.tenant.as_ref().map(|t| t.count_status(429));
    let outcome = match &data {
        Ok(data) => workloads::run(env, workload, data).await,
        Err(e) => Err(e.clone()),
    };
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
    let tenant = match (&env.tenant, &data) {
        (Some(_), _) => Tenant::InProcess,
        (None, Ok(d)) if d.fake => Tenant::OwnProcess,
        (None, _) => Tenant::Remote,
    };
    let accepted = result::accepted(
        &outcome.requests_by_endpoint,
        &outcome.rate_limited_by_endpoint,
    );
    let m = outcome.measured;
    let mut notes = outcome.notes;
    notes.extend(throttle_note(env));
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
        runtime: env.opts.runtime,
        tenant,
        items: outcome.items,
        expected: data.ok().and_then(|d| d.expected),
        wall_s: m.wall,
        cpu_s: m.cpu,
        fake_cpu_s: m.fake_cpu,
        client_cpu_s: (m.cpu - m.fake_cpu).max(0.0),
        peak_rss_mib,
        requests: outcome.requests,
        window_floor_s: outcome
            .floors
            .map_or_else(|| floor::run_window_floor(&accepted), |f| f.0),
        sustained_floor_s: outcome
            .floors
            .map_or_else(|| floor::run_sustained_floor(&accepted), |f| f.1),
        requests_by_endpoint: outcome.requests_by_endpoint,
        rate_limited_by_endpoint: outcome.rate_limited_by_endpoint,
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

/// The rate-limited replies of the run, per family, with the waits they cost.
fn throttle_note(env: &Env) -> Option<String> {
    let seen = std::mem::take(&mut *env.throttles.lock().unwrap_or_else(|e| e.into_inner()));
    let mut by_family: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for (family, wait) in seen {
        by_family
            .entry(family)
            .or_default()
            .push(wait.as_secs_f64());
    }
    let parts: Vec<String> = by_family
        .iter()
        .map(|(family, waits)| {
            let (lo, hi) = waits
                .iter()
                .fold((f64::MAX, 0.0f64), |(lo, hi), w| (lo.min(*w), hi.max(*w)));
            format!("{family} x{} (waits {lo:.2}-{hi:.2} s)", waits.len())
        })
        .collect();
    (!parts.is_empty()).then(|| format!("rate limited: {}", parts.join(", ")))
}

/// Prefix of a child's result line on stdout.
const RESULT_PREFIX: &str = "FEISHU-BENCH-RESULT ";

fn client_runtime(runtime: Runtime) -> Result<tokio::runtime::Runtime, String> {
    let mut builder = match runtime {
        Runtime::MultiThread => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.thread_name("bench-client");
            b
        }
        Runtime::CurrentThread => tokio::runtime::Builder::new_current_thread(),
    };
    builder.enable_all().build().map_err(|e| e.to_string())
}

/// Runs the benchmark as the command line says; returns the exit code.
pub fn main_with(args: Vec<OsString>) -> Result<i32, String> {
    let Some(opts) = parse_args(args.clone())? else {
        println!("{USAGE}");
        return Ok(0);
    };
    if opts.serve {
        return serve::serve(opts);
    }
    let results = if opts.child || !opts.isolate {
        run_here(&opts)?
    } else {
        let mut out = Vec::new();
        for w in &opts.workloads {
            out.push(run_child(&args, &opts, *w)?);
        }
        out
    };
    if opts.child {
        return Ok(0);
    }
    if let Some(path) = &opts.json {
        append_json(path, &results)?;
    }
    println!("{}", report(&results));
    Ok(i32::from(results.iter().any(|r| r.error.is_some())))
}

/// Runs the workloads in this process (a child prints each result line).
fn run_here(opts: &Options) -> Result<Vec<BenchResult>, String> {
    let env = Env::new(opts.clone())?;
    let rt = client_runtime(opts.runtime)?;
    let mut out = Vec::new();
    for w in &opts.workloads {
        eprintln!("feishu-bench: running {} ...", w.name());
        let r = rt.block_on(run_one(&env, *w));
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
    Ok(out)
}

/// Runs `workload` in a child process (with the fake in another one with
/// `--fake-process`) and reads its result line.
fn run_child(args: &[OsString], opts: &Options, workload: Workload) -> Result<BenchResult, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let fake = match opts.fake_process {
        true => Some(FakeProcess::start(&exe, args, workload)?),
        false => None,
    };
    let mut command = Command::new(&exe);
    command
        .args(args)
        .args(["--workload", workload.name(), "--child"])
        .stderr(Stdio::inherit());
    if let Some(fake) = &fake {
        fake.apply(&mut command);
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    drop(fake);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(RESULT_PREFIX))
        .ok_or_else(|| {
            format!(
                "{}: the child printed no result ({})",
                workload.name(),
                output.status
            )
        })?;
    serde_json::from_str::<BenchResult>(line).map_err(|e| e.to_string())
}

fn append_json(path: &std::path::Path, results: &[BenchResult]) -> Result<(), String> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    for r in results {
        let line = serde_json::to_string(r).map_err(|e| e.to_string())?;
        writeln!(f, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn one_line(r: &BenchResult) -> String {
    match &r.error {
        Some(e) => format!("{} FAILED: {e}", r.workload),
        None => format!(
            "{}: {} items in {:.2} s, client cpu {:.2} s, {} requests ({:.0}/s), {} x 429, window floor {:.1} s",
            r.workload,
            r.items,
            r.wall_s,
            r.client_cpu_s,
            r.requests,
            r.requests_per_second(),
            r.status_429,
            r.window_floor_s
        ),
    }
}
