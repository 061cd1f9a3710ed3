//! `feishu-sync watch`: the first read into the output, then every change event's re-read,
//! committed as it comes, until Ctrl-C.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use feishu_sync::{LogLevel, Message, Record, Source, StreamStatus, SyncState, WatchOptions};
use futures::StreamExt;

use super::{Args, load_config, open_resuming};

/// What a watch's consumer hears about.
#[derive(Debug)]
pub enum Progress<'a> {
    /// The first read ended: every stream completed (or failed).
    FirstReadDone,
    /// The sink committed a state, and these records with it.
    Committed(&'a [Record]),
}

/// What a watch did.
#[derive(Debug, Default)]
pub struct WatchSummary {
    /// Records committed, per stream.
    pub records: BTreeMap<String, u64>,
    /// States committed.
    pub commits: u64,
    /// Streams that ended incomplete in a complete read, with the reason.
    pub failed: BTreeMap<String, String>,
    /// The last committed state.
    pub state: Option<SyncState>,
}

/// `feishu-sync watch`.
pub(super) async fn run(args: &Args) -> Result<i32, String> {
    let config = load_config(args)?;
    let source = Source::new(config).map_err(|e| e.to_string())?;
    let mut options = WatchOptions::default();
    if let Some(hours) = args.reconcile_hours {
        options = options.reconcile_every(Some(Duration::from_secs_f64(hours * 3600.0)));
    }
    if let Some(addr) = &args.webhook {
        options = options.deliveries(serve_webhook(&source, addr).await?);
    }
    let quiet = args.quiet;
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("watch: stopping (Ctrl-C)");
    };
    let summary = watch_into(&source, args, options, stop, |progress| {
        if quiet {
            return;
        }
        match progress {
            Progress::FirstReadDone => eprintln!("watch: first read done; applying events"),
            Progress::Committed(records) if !records.is_empty() => {
                eprintln!("watch: committed {}", describe(records));
            }
            Progress::Committed(_) => {}
        }
    })
    .await?;
    if !quiet {
        let total: u64 = summary.records.values().sum();
        eprintln!(
            "watch: {total} record(s) in {} commit(s): {}",
            summary.commits,
            counts(&summary.records)
        );
    }
    Ok(0)
}

/// Serves the webhook on `addr` (the event callback at `/`) and returns its deliveries.
async fn serve_webhook(
    source: &Source,
    addr: &str,
) -> Result<feishu_events::webhook::WebhookDeliveries, String> {
    let handler = source
        .config()
        .webhook_handler()
        .map_err(|e| e.to_string())?;
    let addr: SocketAddr = addr.parse().map_err(|e| {
        format!("--webhook {addr:?}: expected an address like 127.0.0.1:9000 ({e})")
    })?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("--webhook: cannot listen on {addr}: {e}"))?;
    let (router, deliveries) = feishu_events::axum::delivery_router(
        handler,
        "/",
        1024,
        feishu_events::webhook::DEFAULT_ACK_TIMEOUT,
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("watch: the webhook server stopped: {e}");
        }
    });
    eprintln!("watch: webhook listening on http://{addr}/ (the event request URL)");
    Ok(deliveries)
}

/// Watches `source` into the output `args` names (resuming from its committed state, or
/// `--state`) until `stop` resolves or the watch ends; `progress` hears of the end of the
/// first read and of every commit.
pub async fn watch_into(
    source: &Source,
    args: &Args,
    mut options: WatchOptions,
    stop: impl Future<Output = ()>,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<WatchSummary, String> {
    let (mut sink, state) = open_resuming(source, args)?;
    options.read.state = state;
    if let Some(streams) = &args.streams {
        options.read.streams = Some(streams.clone());
    }
    let streams = match &options.read.streams {
        Some(list) => list.len(),
        None => source.catalog().len(),
    };
    let mut messages = source.watch(options).map_err(|e| e.to_string())?;
    let mut summary = WatchSummary::default();
    let mut uncommitted: Vec<Record> = Vec::new();
    let mut ended = 0;
    let mut stop = std::pin::pin!(stop);
    loop {
        let message = tokio::select! {
            message = messages.next() => match message {
                Some(message) => message.map_err(|e| e.to_string())?,
                None => break,
            },
            () = &mut stop => break,
        };
        sink.write(&message)?;
        match message {
            Message::Record(record) => uncommitted.push(record),
            Message::State(state) => {
                summary.commits += 1;
                for r in &uncommitted {
                    *summary.records.entry(r.stream.clone()).or_default() += 1;
                }
                progress(Progress::Committed(&uncommitted));
                uncommitted.clear();
                summary.state = Some(state);
            }
            Message::Status { stream, status } => {
                if let StreamStatus::Incomplete(failure) = &status {
                    summary.failed.insert(stream, failure.message.clone());
                }
                if matches!(status, StreamStatus::Complete | StreamStatus::Incomplete(_)) {
                    ended += 1;
                    if ended == streams {
                        progress(Progress::FirstReadDone);
                    }
                }
            }
            Message::Log { level, message } if level != LogLevel::Info || !args.quiet => {
                eprintln!("{level:?}: {message}");
            }
            _ => {}
        }
    }
    drop(messages);
    sink.finish()?;
    Ok(summary)
}

/// `contact_users 2, approval_instances 1`.
pub(super) fn counts(records: &BTreeMap<String, u64>) -> String {
    records
        .iter()
        .map(|(stream, n)| format!("{stream} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One commit's records in a line.
fn describe(records: &[Record]) -> String {
    let mut per_stream: BTreeMap<String, u64> = BTreeMap::new();
    for r in records {
        *per_stream.entry(r.stream.clone()).or_default() += 1;
    }
    counts(&per_stream)
}
