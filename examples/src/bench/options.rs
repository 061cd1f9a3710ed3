//! The command line of `feishu-bench`.

use std::ffi::OsString;

use serde::{Deserialize, Serialize};

/// Usage text.
pub const USAGE: &str = "\
feishu-bench: SDK benchmarks against the fake tenant or a real one

USAGE:
    feishu-bench [--workload LIST|all] [--latency-ms N] [--limits documented|off] [--big]
                 [--fake-process] [--runtime multi-thread|current-thread]
                 [--records N] [--big-records N] [--approval-instances N] [--approval-days N]
                 [--users N] [--attendance-users N] [--attendance-days N] [--storm N]
                 [--sync-approval-instances N] [--sync-days N] [--sync-records N]
                 [--sync-users N] [--upsert-rows N] [--reset-share F]
                 [--base-tables N] [--base-records N] [--base-page-size N] [--concurrency N]
                 [--watch-rate N] [--watch-seconds S] [--watch-disconnects N] [--no-isolate] [--json FILE]
                 [--base-url URL --app-token T --table-id T --approval-code C --now-ms MS ...]
    feishu-bench --serve --workload W [--latency-ms N] [--limits documented|off] [sizes]

WORKLOADS (comma separated; `all` = baseline,w1,w2,w3,w4,w5,w6,w7-baseline,w7,w7-resets,w8,
watch, plus w1-1m with --big):
    baseline     W1's pages by bare reqwest + serde_json (the CPU floor of W1)
    w1           Bitable full scan, --records (100000) records, pages of 500
    w1-1m        the same with --big-records (1000000) records
    w2           Approval list + detail + form rows, --approval-instances (5000) over
                 --approval-days (30)
    baseline-w2  W2's calls by bare reqwest + serde_json (the CPU floor of W2; needs
                 --limits off; not in `all`)
    w3           Contact walk over --users (5000) users
    w4           Attendance flows of --attendance-users (1000) over --attendance-days (31)
    w5           --storm (1000) concurrent calls on a cold client: token fetches
    w6           full feishu-sync read: --sync-approval-instances (1500) over --sync-days (7),
                 --sync-records (20000) Bitable records, --sync-users (1000) users + attendance
    w7           upsert --upsert-rows (100000) rows by key into a new table holding half of
                 their keys (Bitable::upsert_records); with --base-url it needs --app-token
    w7-baseline  W7's key scan and batches by bare reqwest + serde_json (the CPU floor of W7)
    w7-resets    W7 with --reset-share (0.03) of replies lost after the server applied the
                 request (fake in process only); counts duplicate rows
    w8           a Base of --base-tables (20) tables of --base-records (2000) records: list
                 the tables, then read every table side by side, pages of --base-page-size (100)
    watch        Source::watch into SQLite while the fake emits --watch-rate (100) change
                 events a second for --watch-seconds (20), with --watch-disconnects (3) forced
                 disconnects: event -> commit latency p50 / p99, changes lost (fake in process)

--limits documented (default): the client paces at the documented limits, and the fake tenant
enforces them in fixed windows per app (429 past a window's allowance). --limits off: neither.
--fake-process: the fake tenant runs in a process of its own (this binary with --serve), so
its CPU and memory are not the client's. --runtime: the client's Tokio runtime (default
multi-thread). --serve: only the fake tenant with one workload's data, printing its URL,
credentials and the prepared ids as one JSON line, until killed.";

/// Client-side rate limits of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limits {
    /// `RateLimits::documented()`, and the documented limits enforced by the fake tenant.
    Documented,
    /// `RateLimits::disabled()`, and no limits on the fake tenant.
    Off,
}

/// The client's Tokio runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    /// `new_multi_thread` (one worker per core).
    MultiThread,
    /// `new_current_thread`: everything on the calling thread.
    CurrentThread,
}

impl Runtime {
    /// The short name in tables.
    pub fn short(self) -> &'static str {
        match self {
            Runtime::MultiThread => "mt",
            Runtime::CurrentThread => "ct",
        }
    }
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
    /// W2's calls without the SDK.
    BaselineW2,
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
    /// A many-table Base read side by side.
    W8,
    /// `Source::watch` under a stream of change events.
    Watch,
}

const ALL: [Workload; 14] = [
    Workload::Baseline,
    Workload::W1,
    Workload::W1Big,
    Workload::W2,
    Workload::BaselineW2,
    Workload::W3,
    Workload::W4,
    Workload::W5,
    Workload::W6,
    Workload::W7Baseline,
    Workload::W7,
    Workload::W7Resets,
    Workload::W8,
    Workload::Watch,
];

impl Workload {
    /// The workload's name on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Baseline => "baseline",
            Workload::W1 => "w1",
            Workload::W1Big => "w1-1m",
            Workload::W2 => "w2",
            Workload::BaselineW2 => "baseline-w2",
            Workload::W3 => "w3",
            Workload::W4 => "w4",
            Workload::W5 => "w5",
            Workload::W6 => "w6",
            Workload::W7 => "w7",
            Workload::W7Baseline => "w7-baseline",
            Workload::W7Resets => "w7-resets",
            Workload::W8 => "w8",
            Workload::Watch => "watch",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        ALL.iter().copied().find(|w| w.name() == name)
    }

    /// Whether `all` runs it.
    fn in_all(self, big: bool) -> bool {
        match self {
            Workload::W1Big => big,
            Workload::BaselineW2 => false,
            _ => true,
        }
    }
}

/// Parsed command line.
#[derive(Debug, Clone)]
pub struct Options {
    /// Workloads to run, in order.
    pub workloads: Vec<Workload>,
    /// A tenant outside this process (a real one, or the fake in its own process).
    pub base_url: Option<String>,
    /// Latency added by the fake to every response.
    pub latency_ms: u64,
    /// Client (and fake) rate limits.
    pub limits: Limits,
    /// The client's runtime.
    pub runtime: Runtime,
    /// Run the fake tenant in a process of its own.
    pub fake_process: bool,
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
    /// W8 tables.
    pub base_tables: usize,
    /// W8 records per table.
    pub base_records: u64,
    /// W8 page size.
    pub base_page_size: u32,
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
    /// Only serve the fake tenant with one workload's data, until killed.
    pub serve: bool,
    /// What a `--serve` process prepared (JSON), handed to a client child.
    pub prepared: Option<String>,
    /// The "now" of a run against `--base-url` (default: the wall clock).
    pub now_ms: Option<i64>,
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
            runtime: Runtime::MultiThread,
            fake_process: false,
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
            base_tables: 20,
            base_records: 2_000,
            base_page_size: 100,
            watch_rate: 100.0,
            watch_seconds: 20.0,
            watch_disconnects: 3,
            concurrency: 8,
            isolate: true,
            child: false,
            serve: false,
            prepared: None,
            now_ms: None,
            json: None,
            app_token: None,
            table_id: None,
            approval_codes: Vec::new(),
        }
    }
}

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

/// Parses `args` (without the program name). `Ok(None)` means "print the usage".
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Option<Options>, String> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut o = Options::default();
    let mut list: Option<String> = None;
    let mut big = false;
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        let flag = match arg {
            lexopt::Arg::Long(name) => name.to_string(),
            lexopt::Arg::Short('h') => "help".to_string(),
            other => return Err(other.unexpected().to_string()),
        };
        if !apply(&mut parser, &mut o, &flag, &mut list, &mut big)? {
            return Ok(None);
        }
    }
    // `--serve` without a workload serves W1's table (`--records`).
    let list = list.unwrap_or_else(|| if o.serve { "w1" } else { "all" }.into());
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if name == "all" {
            o.workloads
                .extend(ALL.into_iter().filter(|w| w.in_all(big)));
        } else {
            o.workloads
                .push(Workload::parse(name).ok_or_else(|| format!("unknown workload {name:?}"))?);
        }
    }
    check(&o)?;
    Ok(Some(o))
}

/// Applies the flag `--<flag>` (and its value); `false` for `--help`.
fn apply(
    p: &mut lexopt::Parser,
    o: &mut Options,
    flag: &str,
    list: &mut Option<String>,
    big: &mut bool,
) -> Result<bool, String> {
    match flag {
        "workload" => *list = Some(text(p)?),
        "base-url" => o.base_url = Some(text(p)?),
        "latency-ms" => o.latency_ms = num(p, "--latency-ms")?,
        "limits" => {
            o.limits = match text(p)?.as_str() {
                "documented" => Limits::Documented,
                "off" => Limits::Off,
                other => return Err(format!("--limits: documented or off, not {other:?}")),
            }
        }
        "runtime" => {
            o.runtime = match text(p)?.as_str() {
                "multi-thread" | "mt" => Runtime::MultiThread,
                "current-thread" | "ct" => Runtime::CurrentThread,
                other => {
                    return Err(format!(
                        "--runtime: multi-thread or current-thread, not {other:?}"
                    ));
                }
            }
        }
        "fake-process" => o.fake_process = true,
        "big" => *big = true,
        "records" => o.records = num(p, "--records")?,
        "big-records" => o.big_records = num(p, "--big-records")?,
        "approval-instances" => o.approval_instances = num(p, "--approval-instances")?,
        "approval-days" => o.approval_days = num(p, "--approval-days")?,
        "users" => o.users = num(p, "--users")?,
        "attendance-users" => o.attendance_users = num(p, "--attendance-users")?,
        "attendance-days" => o.attendance_days = num(p, "--attendance-days")?,
        "storm" => o.storm = num(p, "--storm")?,
        "sync-approval-instances" => {
            o.sync_approval_instances = num(p, "--sync-approval-instances")?
        }
        "sync-days" => o.sync_days = num(p, "--sync-days")?,
        "sync-records" => o.sync_records = num(p, "--sync-records")?,
        "sync-users" => o.sync_users = num(p, "--sync-users")?,
        "upsert-rows" => o.upsert_rows = num(p, "--upsert-rows")?,
        "reset-share" => o.reset_share = num(p, "--reset-share")?,
        "base-tables" => o.base_tables = num(p, "--base-tables")?,
        "base-records" => o.base_records = num(p, "--base-records")?,
        "base-page-size" => o.base_page_size = num(p, "--base-page-size")?,
        "watch-rate" => o.watch_rate = num(p, "--watch-rate")?,
        "watch-seconds" => o.watch_seconds = num(p, "--watch-seconds")?,
        "watch-disconnects" => o.watch_disconnects = num(p, "--watch-disconnects")?,
        "concurrency" => o.concurrency = num::<usize>(p, "--concurrency")?.max(1),
        "no-isolate" => o.isolate = false,
        "isolate" => o.isolate = true,
        "child" => o.child = true,
        "serve" => o.serve = true,
        "prepared" => o.prepared = Some(text(p)?),
        "now-ms" => o.now_ms = Some(num(p, "--now-ms")?),
        "json" => o.json = Some(text(p)?.into()),
        "app-token" => o.app_token = Some(text(p)?),
        "table-id" => o.table_id = Some(text(p)?),
        "approval-code" => o.approval_codes.extend(
            text(p)?
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        ),
        "help" => return Ok(false),
        other => return Err(format!("invalid option '--{other}'")),
    }
    Ok(true)
}

/// Combinations that cannot run.
fn check(o: &Options) -> Result<(), String> {
    if o.approval_instances == 0 || o.approval_days <= 0 || o.sync_days <= 0 {
        return Err("instance counts and day spans must be positive".into());
    }
    if !(o.watch_rate > 0.0 && o.watch_seconds > 0.0) {
        return Err("--watch-rate and --watch-seconds must be positive".into());
    }
    if !(0.0..1.0).contains(&o.reset_share) {
        return Err("--reset-share must be within 0..1".into());
    }
    if o.base_tables == 0 || !(1..=500).contains(&o.base_page_size) {
        return Err("--base-tables must be positive and --base-page-size within 1..=500".into());
    }
    if o.serve && o.workloads.len() != 1 {
        return Err("--serve prepares one workload's data: name exactly one --workload".into());
    }
    if o.fake_process && !o.isolate && !o.child {
        return Err(
            "--fake-process runs each workload in child processes: drop --no-isolate".into(),
        );
    }
    if o.fake_process && o.base_url.is_some() && !o.child {
        return Err("--fake-process starts its own fake tenant: drop --base-url".into());
    }
    if o.limits == Limits::Documented && o.workloads.contains(&Workload::BaselineW2) {
        return Err("baseline-w2 does not pace itself: run it with --limits off".into());
    }
    Ok(())
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
        let all = parse(&["--workload", "all"]).workloads;
        assert!(!all.contains(&Workload::W1Big));
        assert!(!all.contains(&Workload::BaselineW2));
        assert!(all.contains(&Workload::W8));
        let o = parse(&["--big", "--workload", "all"]);
        assert_eq!(o.workloads.len(), 13);
        // A child gets the parent's flags plus its own workload: it runs that one only.
        let child = parse(&["--big", "--workload", "all", "--workload", "w2", "--child"]);
        assert_eq!(child.workloads, vec![Workload::W2]);
        assert!(child.child);
    }

    #[test]
    fn numbers_limits_and_runtimes() {
        let o = parse(&[
            "--records",
            "1_000",
            "--limits",
            "off",
            "--latency-ms",
            "20",
            "--runtime",
            "current-thread",
        ]);
        assert_eq!(o.records, 1000);
        assert_eq!(o.limits, Limits::Off);
        assert_eq!(o.latency_ms, 20);
        assert_eq!(o.runtime, Runtime::CurrentThread);
        assert!(parse_args(["--limits", "some"].map(OsString::from)).is_err());
        assert!(parse_args(["--runtime", "fast"].map(OsString::from)).is_err());
        assert!(parse_args(["--workload", "w9"].map(OsString::from)).is_err());
    }

    #[test]
    fn impossible_combinations_are_refused() {
        let refused = |args: &[&str]| parse_args(args.iter().map(OsString::from)).is_err();
        assert!(refused(&["--workload", "baseline-w2"]));
        assert!(!refused(&["--workload", "baseline-w2", "--limits", "off"]));
        assert!(refused(&["--serve", "--workload", "w1,w2"]));
        assert_eq!(parse(&["--serve"]).workloads, vec![Workload::W1]);
        assert!(refused(&["--fake-process", "--no-isolate"]));
        assert!(refused(&["--fake-process", "--base-url", "http://x"]));
        assert!(refused(&["--base-page-size", "501"]));
        assert!(refused(&["--reset-share", "1.5"]));
        assert!(refused(&["--watch-rate", "0"]));
    }
}
