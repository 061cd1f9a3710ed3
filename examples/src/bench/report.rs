//! The report: a Markdown table of the runs, the per-family floors, and the targets.

use std::fmt::Write as _;

use super::floor;
use super::options::{Limits, Runtime};
use super::result::{BenchResult, Tenant};

/// W1's client CPU per record and peak RSS before this report (fake in its own process,
/// 0 ms, limits off: 3.15 s for 100,000 records, 20.9 MiB; see `docs/benchmarks.md`).
const W1_CPU_PER_RECORD_BEFORE: f64 = 3.15 / 100_000.0;
const W1_PEAK_RSS_MIB_BEFORE: f64 = 20.9;
/// CPU time at 100 Hz with other processes on two cores varies by about this much between
/// runs of the same build.
const CPU_NOISE: f64 = 0.15;

fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{x:.2}"))
}

/// The figures as a Markdown table, per-family floors and the target checks.
pub fn report(results: &[BenchResult]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| workload | rt | fake | limits | lat ms | items | wall s | client CPU s | fake CPU s | peak RSS MiB | requests | 429s | failed | window floor s | wall / window floor | sustained floor s | wall / sustained floor | load |"
    );
    let _ = writeln!(s, "|{}", "---|".repeat(18));
    for r in results {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {} | {} | {} | {:.1} | {} | {:.1} | {} | {:.1} |",
            r.workload,
            r.runtime.short(),
            r.tenant.short(),
            match r.limits {
                Limits::Documented => "documented",
                Limits::Off => "off",
            },
            r.latency_ms,
            r.items,
            r.wall_s,
            r.client_cpu_s,
            r.fake_cpu_s,
            r.peak_rss_mib,
            r.requests,
            r.status_429,
            r.failed,
            r.window_floor_s,
            ratio(r.window_ratio()),
            r.sustained_floor_s,
            ratio(r.sustained_ratio()),
            r.load_avg,
        );
    }
    let _ = writeln!(s);
    for r in results {
        let _ = writeln!(s, "- {}", details(r));
    }
    let _ = writeln!(s);
    for line in targets(results) {
        let _ = writeln!(s, "{line}");
    }
    s
}

/// One run's notes and per-family floors.
fn details(r: &BenchResult) -> String {
    let mut parts = vec![format!(
        "{} ({}, {} ms, {}):",
        r.workload,
        r.runtime.short(),
        r.latency_ms,
        r.tenant.short()
    )];
    if let Some(e) = &r.error {
        parts.push(format!("ERROR {e}"));
    }
    if let Some(expected) = r.expected.filter(|e| *e != r.items) {
        parts.push(format!("MISMATCH: expected {expected} items"));
    }
    parts.extend(r.notes.iter().cloned());
    if r.limits == Limits::Documented {
        let floors: Vec<String> = floor::family_floors(&r.accepted_by_endpoint())
            .iter()
            .map(|f| {
                format!(
                    "{} {} req ({:?}): window {:.1} s, sustained {:.1} s",
                    f.family, f.requests, f.limit, f.window_s, f.sustained_s
                )
            })
            .collect();
        if !floors.is_empty() {
            parts.push(format!("floors: {}", floors.join("; ")));
        }
    }
    parts.join(" · ")
}

fn verdict(ok: bool) -> &'static str {
    if ok { "MET" } else { "NOT MET" }
}

/// The targets, checked on whatever rows are present.
pub fn targets(results: &[BenchResult]) -> Vec<String> {
    let ok = |r: &&BenchResult| r.error.is_none();
    let find = |name: &str| results.iter().filter(ok).find(|r| r.workload == name);
    let mut out = Vec::new();
    for r in results.iter().filter(ok) {
        let (limit, what) = match r.workload.as_str() {
            "w2" | "w6" => (1.15, "the window floor"),
            "w7" => (1.2, "its window floor (key scan, then one writer)"),
            "w8" => (1.2, "the Bitable family's window floor"),
            _ => continue,
        };
        if let Some(x) = r.window_ratio() {
            let met = x <= limit && r.failed == 0 && r.status_429 == 0;
            out.push(format!(
                "target {} within {limit}x {what}, 0 failed, 0 429s ({} ms, {}, fake {}): {x:.2}x, {} failed, {} 429s -> {}",
                r.workload,
                r.latency_ms,
                r.runtime.short(),
                r.tenant.short(),
                r.failed,
                r.status_429,
                verdict(met)
            ));
        }
    }
    out.extend(cpu_targets(results));
    if let (Some(big), Some(w1)) = (find("w1-1m"), find("w1")) {
        let x = big.peak_rss_mib / w1.peak_rss_mib.max(1e-9);
        out.push(format!(
            "target w1 1M peak RSS within 1.1x of 100k: {:.1} MiB vs {:.1} MiB = {x:.2}x -> {}",
            big.peak_rss_mib,
            w1.peak_rss_mib,
            verdict(x <= 1.1)
        ));
    }
    if let (Some(w7), Some(base)) = (find("w7"), find("w7-baseline")) {
        let x = w7.client_cpu_s / base.client_cpu_s.max(1e-9);
        out.push(format!(
            "target w7 client CPU within 1.2x the bare loop: {x:.2}x ({:.2} s vs {:.2} s for {} rows) -> {}",
            w7.client_cpu_s,
            base.client_cpu_s,
            w7.expected.unwrap_or_default(),
            verdict(x <= 1.2)
        ));
    }
    if let Some(r) = find("w7-resets") {
        let clean = r.failed == 0 && !r.notes.iter().any(|n| n.starts_with("MISMATCH"));
        let census = r.notes.iter().find(|n| n.contains("duplicates"));
        out.push(format!(
            "target w7 with lost replies: 0 duplicate rows, 0 failed: {} -> {}",
            census.map_or("", String::as_str),
            verdict(clean)
        ));
    }
    if let Some(r) = find("watch")
        && let (Some(p50), Some(p99)) = (r.latency_p50_ms, r.latency_p99_ms)
    {
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

/// The CPU and memory targets: W1 against its baseline and against the figures before this
/// report, W2 against its baseline per runtime.
fn cpu_targets(results: &[BenchResult]) -> Vec<String> {
    let mut out = Vec::new();
    let run = |name: &str, rt: Runtime| {
        results
            .iter()
            .find(|r| r.workload == name && r.runtime == rt && r.error.is_none())
    };
    for rt in [Runtime::MultiThread, Runtime::CurrentThread] {
        if let (Some(w1), Some(base)) = (run("w1", rt), run("baseline", rt)) {
            let x = w1.client_cpu_s / base.client_cpu_s.max(1e-9);
            out.push(format!(
                "target w1 client CPU within 1.2x baseline ({} ms, {}): {x:.2}x ({:.2} s vs {:.2} s) -> {}",
                w1.latency_ms,
                rt.short(),
                w1.client_cpu_s,
                base.client_cpu_s,
                verdict(x <= 1.2)
            ));
        }
        if let (Some(w2), Some(base)) = (run("w2", rt), run("baseline-w2", rt)) {
            let x = w2.client_cpu_s / base.client_cpu_s.max(1e-9);
            out.push(format!(
                "target w2 client CPU within 1.3x baseline-w2 ({} ms, {}): {x:.2}x ({:.2} s vs {:.2} s) -> {}",
                w2.latency_ms,
                rt.short(),
                w2.client_cpu_s,
                base.client_cpu_s,
                verdict(x <= 1.3)
            ));
        }
        if let Some(w1) = run("w1", rt).filter(|r| r.tenant == Tenant::OwnProcess) {
            let cpu = w1.client_cpu_per_item() / W1_CPU_PER_RECORD_BEFORE;
            let rss = w1.peak_rss_mib / W1_PEAK_RSS_MIB_BEFORE;
            out.push(format!(
                "target w1 client CPU per record and peak RSS no worse than before ({}): {:.1} µs/record = {cpu:.2}x, {:.1} MiB = {rss:.2}x -> {}",
                rt.short(),
                w1.client_cpu_per_item() * 1e6,
                w1.peak_rss_mib,
                verdict(cpu <= 1.0 + CPU_NOISE && rss <= 1.05)
            ));
        }
    }
    out
}
