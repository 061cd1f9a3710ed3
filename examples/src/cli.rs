//! The `feishu-sync` command line: `demo`, `check`, `catalog`, `read`, `watch`.

mod demo_watch;
pub mod watch;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use feishu_core::{Client, Domain};
use feishu_sync::{LogLevel, Message, ReadOptions, Source, SourceConfig, StreamStatus, SyncState};
use futures::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::sink::{CrashPlan, JsonlSink, Sink, SinkOptions, SqliteSink};

/// Usage text.
pub const USAGE: &str = "\
feishu-sync: replicate a Feishu / Lark tenant's Approval, Bitable, Attendance and Contact data

USAGE:
    feishu-sync demo [--out DIR] [--watch [--rounds N]]
    feishu-sync check --config FILE
    feishu-sync catalog --config FILE
    feishu-sync read --config FILE [--state FILE | --full-refresh] [--streams a,b]
                     (--out DIR | --sink sqlite:PATH)
    feishu-sync watch --config FILE [--state FILE | --full-refresh] [--streams a,b]
                      (--out DIR | --sink sqlite:PATH) [--webhook ADDR] [--reconcile-hours H]

`read` resumes where the output stopped (DIR/checkpoint.json, or the database's state);
--state FILE resumes from FILE instead; --full-refresh empties the output and starts over.
`watch` reads as `read` does, then keeps the output seconds behind the tenant from change
events until Ctrl-C: over the app's long connection, or with --webhook ADDR (e.g.
127.0.0.1:9000) from Feishu's HTTP callbacks to / on ADDR; a complete read every
--reconcile-hours (24) catches what no event told. `demo --watch` shows it on the fake
tenant, which changes an approval instance and a user every 3 s for --rounds rounds (3).
One process at a time may write an output.
Every command takes --base-url URL to override the config's domain (demo: the fake's URL).
Secrets may come from FEISHU_APP_SECRET, FEISHU_APP_TICKET, FEISHU_APP_ACCESS_TOKEN,
FEISHU_TENANT_ACCESS_TOKEN, FEISHU_ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN instead of the
config file.";

/// A parsed command line.
#[derive(Debug, Default)]
pub struct Args {
    /// `demo`, `check`, `catalog` or `read`.
    pub command: String,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--state`.
    pub state: Option<PathBuf>,
    /// `--streams`.
    pub streams: Option<Vec<String>>,
    /// `--out`.
    pub out: Option<PathBuf>,
    /// `--sink`.
    pub sink: Option<String>,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--quiet`: no progress bars; warnings (what could not be read) still go to stderr.
    pub quiet: bool,
    /// `--full-refresh`: empty the output and start over.
    pub full_refresh: bool,
    /// `demo --watch`.
    pub watch: bool,
    /// `--rounds`: rounds of changes of `demo --watch`.
    pub rounds: Option<usize>,
    /// `--webhook ADDR`: `watch` serves the event callback there.
    pub webhook: Option<String>,
    /// `--reconcile-hours`: time between two reconciliation reads of `watch`.
    pub reconcile_hours: Option<f64>,
    /// Test-only crash points for the sinks; the binary reads them from
    /// [`crate::sink::CRASH_ENV`].
    pub crash: CrashPlan,
}

/// Parses `args` (without the program name).
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Args, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut out = Args::default();
    let text = |v: OsString| {
        v.into_string()
            .map_err(|_| "arguments must be UTF-8".to_string())
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("config") => out.config = Some(parser.value().map_err(|e| e.to_string())?.into()),
            Long("state") => out.state = Some(parser.value().map_err(|e| e.to_string())?.into()),
            Long("out") => out.out = Some(parser.value().map_err(|e| e.to_string())?.into()),
            Long("sink") => out.sink = Some(text(parser.value().map_err(|e| e.to_string())?)?),
            Long("base-url") => {
                out.base_url = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Long("streams") => {
                let v = text(parser.value().map_err(|e| e.to_string())?)?;
                out.streams = Some(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                );
            }
            Long("quiet") | Short('q') => out.quiet = true,
            Long("full-refresh") => out.full_refresh = true,
            Long("watch") => out.watch = true,
            Long("webhook") => {
                out.webhook = Some(text(parser.value().map_err(|e| e.to_string())?)?)
            }
            Long("rounds") => {
                let v = text(parser.value().map_err(|e| e.to_string())?)?;
                out.rounds = Some(
                    v.parse()
                        .map_err(|_| format!("--rounds: expected a number, got {v:?}"))?,
                );
            }
            Long("reconcile-hours") => {
                let v = text(parser.value().map_err(|e| e.to_string())?)?;
                let hours: f64 = v
                    .parse()
                    .ok()
                    .filter(|h: &f64| h.is_finite() && *h > 0.0)
                    .ok_or_else(|| format!("--reconcile-hours: expected hours > 0, got {v:?}"))?;
                out.reconcile_hours = Some(hours);
            }
            Long("help") | Short('h') => out.command = "help".into(),
            Value(v) if out.command.is_empty() => out.command = text(v)?,
            other => return Err(other.unexpected().to_string()),
        }
    }
    if out.command.is_empty() {
        out.command = "help".into();
    }
    Ok(out)
}

fn load_config(args: &Args) -> Result<SourceConfig, String> {
    let path = args
        .config
        .as_ref()
        .ok_or_else(|| "--config FILE is required".to_string())?;
    let mut config = SourceConfig::from_path(path).map_err(|e| e.to_string())?;
    if let Some(url) = &args.base_url {
        Domain::custom(url).map_err(|e| format!("--base-url: {e}"))?;
        config.domain = url.clone();
    }
    Ok(config)
}

/// Writes `text` and a newline to stdout; a closed pipe (`| head`) is an error, not a panic.
fn print_out(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|_| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))
}

/// The one-line cause of a run whose streams did not all complete.
fn incomplete(summary: &Summary) -> Result<i32, String> {
    if summary.failed.is_empty() {
        return Ok(0);
    }
    let streams: Vec<&str> = summary.failed.keys().map(String::as_str).collect();
    let first = summary.failed.values().next().map_or("", String::as_str);
    Err(format!(
        "{} stream(s) incomplete ({}): {first}",
        streams.len(),
        streams.join(", ")
    ))
}

/// Runs a command; `Err` is the one-line cause to print.
pub async fn run(args: Args) -> Result<i32, String> {
    match args.command.as_str() {
        "help" => {
            print_out(USAGE)?;
            Ok(0)
        }
        "demo" if args.watch => demo_watch::run(&args).await,
        "demo" => demo(&args).await,
        "watch" => watch::run(&args).await,
        "check" => {
            let source = Source::new(load_config(&args)?).map_err(|e| e.to_string())?;
            let report = source.check().await;
            let summary = report.summary();
            print_out(&summary)?;
            if report.is_ok() {
                return Ok(0);
            }
            let failed: Vec<&str> = summary.lines().filter(|l| l.contains("FAILED")).collect();
            Err(format!("check failed: {}", failed.join("; ")))
        }
        "catalog" => {
            let config = load_config(&args)?;
            let catalog = feishu_sync::catalog(&config);
            let json = serde_json::to_string_pretty(&serde_json::json!({ "streams": catalog }))
                .map_err(|e| e.to_string())?;
            print_out(&json)?;
            Ok(0)
        }
        "read" => {
            let config = load_config(&args)?;
            let source = Source::new(config).map_err(|e| e.to_string())?;
            let summary = read_into(&source, &args, ReadOptions::default()).await?;
            if !args.quiet {
                eprintln!("{}", summary.table(source.client()));
            }
            incomplete(&summary)
        }
        other => Err(format!(
            "unknown command {other:?}; see `feishu-sync --help`"
        )),
    }
}

/// Per-stream figures of one run.
#[derive(Debug, Default)]
pub struct Summary {
    /// Records per stream.
    pub records: BTreeMap<String, u64>,
    /// Seconds per stream (from start to its final status).
    pub seconds: BTreeMap<String, f64>,
    /// Streams that ended incomplete, with the reason.
    pub failed: BTreeMap<String, String>,
    /// The warnings the run met (what could not be read, and what to grant).
    pub warnings: Vec<String>,
    /// Wall time of the run.
    pub wall: Duration,
}

impl Summary {
    /// A table: per stream its records, seconds, and the requests of its module (the streams
    /// of one module share their requests: one approval detail feeds five streams), then the
    /// client's requests per endpoint family.
    pub fn table(&self, client: &Client) -> String {
        let stats = client.stats();
        let module_requests = |stream: &str| -> u64 {
            let module = stream.split('_').next().unwrap_or_default();
            stats
                .families
                .iter()
                .filter(|(family, _)| family.split('.').next() == Some(module))
                .map(|(_, f)| f.requests)
                .sum()
        };
        let mut out = format!(
            "{:<28} {:>9} {:>8} {:>16} {:>8}\n",
            "stream", "records", "seconds", "module requests", "req/s"
        );
        for (stream, n) in &self.records {
            let secs = self.seconds.get(stream).copied().unwrap_or_default();
            let requests = module_requests(stream);
            let rate = if secs > 0.0 {
                requests as f64 / secs
            } else {
                0.0
            };
            let mark = if self.failed.contains_key(stream) {
                "  INCOMPLETE"
            } else {
                ""
            };
            out.push_str(&format!(
                "{stream:<28} {n:>9} {secs:>8.2} {requests:>16} {rate:>8.1}{mark}\n"
            ));
        }
        out.push_str(&format!(
            "\n{:<36} {:>9} {:>8}\n",
            "endpoint family", "requests", "req/s"
        ));
        let wall = self.wall.as_secs_f64().max(1e-3);
        for (family, f) in &stats.families {
            let n = f.requests;
            out.push_str(&format!("{family:<36} {n:>9} {:>8.1}\n", n as f64 / wall));
        }
        out.push_str(&format!(
            "\n{} requests in {:.2} s ({:.1}/s), {} retried, {} rate limited, {} token fetches",
            stats.requests,
            wall,
            stats.requests as f64 / wall,
            stats.retries,
            stats.rate_limited,
            stats.token_fetches
        ));
        if !self.warnings.is_empty() {
            out.push_str(&format!("\n\n{} warning(s):", self.warnings.len()));
            for warning in &self.warnings {
                out.push_str(&format!("\n- {warning}"));
            }
        }
        for (stream, why) in &self.failed {
            out.push_str(&format!("\n{stream}: {why}"));
        }
        out
    }
}

/// Opens (and locks) the output the arguments name.
/// Opens the sink the arguments name, with the state a run starts from: `--state FILE`,
/// else the state the output committed (none with `--full-refresh`). A bad `--state` file
/// stops the run before the output is touched.
fn open_resuming(
    source: &Source,
    args: &Args,
) -> Result<(Box<dyn Sink>, Option<SyncState>), String> {
    let from_file = match &args.state {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read state {}: {e}", path.display()))?;
            Some(SyncState::from_json(&text).map_err(|e| e.to_string())?)
        }
        None => None,
    };
    let sink = open_sink(source, args)?;
    let state = match from_file {
        Some(state) => Some(state),
        None => sink.committed_state()?,
    };
    Ok((sink, state))
}

fn open_sink(source: &Source, args: &Args) -> Result<Box<dyn Sink>, String> {
    if args.full_refresh && args.state.is_some() {
        return Err("--full-refresh starts over and --state resumes: use one of them".into());
    }
    let options = SinkOptions::default()
        .with_full_refresh(args.full_refresh)
        .with_crash(args.crash);
    Ok(match (&args.sink, &args.out) {
        (Some(sink), _) => {
            let path = sink
                .strip_prefix("sqlite:")
                .ok_or_else(|| format!("--sink {sink:?}: expected sqlite:PATH"))?;
            Box::new(SqliteSink::open(
                Path::new(path),
                &source.catalog(),
                &options,
            )?)
        }
        (None, Some(dir)) => Box::new(JsonlSink::open(dir, &options)?),
        (None, None) => return Err("read needs --out DIR or --sink sqlite:PATH".into()),
    })
}

/// Reads `source` into the sink the arguments name, with progress bars unless `--quiet`.
///
/// The run resumes from `--state FILE`, else from the state the output holds (none with
/// `--full-refresh`); `options.state` is replaced either way.
pub async fn read_into(
    source: &Source,
    args: &Args,
    mut options: ReadOptions,
) -> Result<Summary, String> {
    let (mut sink, state) = open_resuming(source, args)?;
    options.state = state;
    if let Some(streams) = &args.streams {
        options.streams = Some(streams.clone());
    }
    let bars = MultiProgress::with_draw_target(if args.quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    });
    let style = ProgressStyle::with_template("{spinner} {prefix:<28} {pos:>8} records {msg}")
        .expect("valid template");
    let mut progress: BTreeMap<String, ProgressBar> = BTreeMap::new();
    let mut started: BTreeMap<String, Instant> = BTreeMap::new();
    let mut summary = Summary::default();
    let begin = Instant::now();
    let mut messages = source.read(options).map_err(|e| e.to_string())?;
    while let Some(message) = messages.next().await {
        let message = message.map_err(|e| e.to_string())?;
        sink.write(&message)?;
        match &message {
            Message::Record(r) => {
                *summary.records.entry(r.stream.clone()).or_default() += 1;
                if let Some(bar) = progress.get(&r.stream) {
                    bar.inc(1);
                }
            }
            Message::Status { stream, status } => match status {
                StreamStatus::Started => {
                    let bar = bars.add(ProgressBar::new_spinner().with_style(style.clone()));
                    bar.set_prefix(stream.clone());
                    bar.enable_steady_tick(Duration::from_millis(120));
                    progress.insert(stream.clone(), bar);
                    started.insert(stream.clone(), Instant::now());
                    summary.records.entry(stream.clone()).or_default();
                }
                StreamStatus::Complete | StreamStatus::Incomplete(_) => {
                    let secs = started
                        .get(stream)
                        .map(|t| t.elapsed().as_secs_f64())
                        .unwrap_or_default();
                    summary.seconds.insert(stream.clone(), secs);
                    let done = matches!(status, StreamStatus::Complete);
                    if let StreamStatus::Incomplete(failure) = status {
                        summary
                            .failed
                            .insert(stream.clone(), failure.message.clone());
                    }
                    if let Some(bar) = progress.get(stream) {
                        bar.finish_with_message(if done { "done" } else { "INCOMPLETE" });
                    }
                }
                _ => {}
            },
            Message::Log { level, message } => {
                if *level == LogLevel::Warn {
                    summary.warnings.push(message.clone());
                }
                let line = format!("{level:?}: {message}");
                if !args.quiet {
                    let _ = bars.println(line);
                } else if *level == LogLevel::Warn {
                    // Quiet still tells what was not read; failures are summed up at the end.
                    eprintln!("{line}");
                }
            }
            _ => {}
        }
    }
    sink.finish()?;
    summary.wall = begin.elapsed();
    Ok(summary)
}

async fn demo(args: &Args) -> Result<i32, String> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("feishu-demo-out"));
    let now = crate::wall_ms();
    let demo = crate::demo::start(now).await;
    let mut config = demo.config.clone();
    match &args.base_url {
        Some(url) => {
            Domain::custom(url).map_err(|e| format!("--base-url: {e}"))?;
            config.domain = url.clone();
            eprintln!("demo: syncing the demo tenant's ids from {url}");
        }
        None => eprintln!(
            "demo: a fake tenant is serving all four modules at {}",
            demo.tenant.base_url()
        ),
    }
    let source = Source::new(config).map_err(|e| e.to_string())?;
    // The demo always shows a full first run: it empties what an earlier run wrote (only
    // the stream files and the state; `--out` may name a directory that holds other things).
    let demo_args = Args {
        command: "read".into(),
        out: Some(out.clone()),
        quiet: args.quiet,
        full_refresh: true,
        ..Args::default()
    };
    let summary = read_into(&source, &demo_args, ReadOptions::default().now_ms(now)).await?;
    print_out(&summary.table(source.client()))?;
    print_out(&format!(
        "\nrecords are in {}/<stream>.jsonl, the state in {}/state.json",
        out.display(),
        out.display()
    ))?;
    incomplete(&summary)
}
