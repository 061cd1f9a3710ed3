//! `read`: drives `feishu_sync::Source::read` for the configured catalog and translates its
//! messages into protocol messages.
//!
//! - records → RECORD;
//! - a feishu-sync checkpoint → one STREAM state per started, unfinished stream (modules are
//!   read side by side; see [`super::state`]), with `sourceStats.recordCount`;
//! - stream status → TRACE STREAM_STATUS (STARTED, RUNNING, then exactly one of COMPLETE or
//!   INCOMPLETE); a stream that completes without a checkpoint in this run gets its current
//!   state re-emitted first, so every completed stream ends with a state;
//! - Feishu's "too many requests" (the client's `RateLimited` event) → RUNNING with a
//!   RATE_LIMITED reason for the running streams of the endpoint's module (all running
//!   streams when the endpoint belongs to another module, e.g. attendance listing users
//!   through contact);
//! - failures → INCOMPLETE, then a TRACE error per failed stream and exit status 1.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use feishu_core::ClientEvent;
use feishu_sync::{
    FailureKind, Message, Module, ReadOptions, Source, SourceConfig, StreamStatus, SyncState,
    all_streams,
};
use futures::StreamExt;
use serde_json::Value;

use super::protocol::{
    AirbyteMessage, AirbyteRecordMessage, AirbyteStateMessage, AirbyteStateStats,
    AirbyteStreamState, AirbyteStreamStatus, AirbyteStreamStatusRateLimitedReason,
    AirbyteStreamStatusReason, ConfiguredAirbyteCatalog, FailureType, LogLevel, StateType,
    StreamDescriptor, StreamStatusReasonType, SyncMode,
};
use super::state::{SelectedStream, parse_input_state, resume_state, stream_state};
use super::{Out, RunOptions, client_builder, load_config, wall_ms};

/// A setup failure: reported as one TRACE error.
struct SetupError {
    failure_type: FailureType,
    message: String,
    internal: Option<String>,
}

fn config_error(message: impl Into<String>) -> SetupError {
    SetupError {
        failure_type: FailureType::ConfigError,
        message: message.into(),
        internal: None,
    }
}

/// Checks the configured catalog against the config's catalog.
fn select_streams(
    config: &SourceConfig,
    catalog: &ConfiguredAirbyteCatalog,
) -> Result<Vec<SelectedStream>, SetupError> {
    let offered = feishu_sync::catalog(config);
    let mut selected: Vec<SelectedStream> = Vec::new();
    for configured in &catalog.streams {
        let name = configured.stream.name.as_str();
        let Some(spec) = offered.iter().find(|s| s.name == name) else {
            let all = all_streams();
            return Err(match all.iter().find(|s| s.name == name) {
                Some(s) => config_error(format!(
                    "The catalog selects stream {name:?}, but the config has no `{}` section; add it or deselect the stream",
                    s.module
                )),
                None => config_error(format!(
                    "The catalog selects stream {name:?}, which this connector does not offer; run discover for the list of streams"
                )),
            });
        };
        if configured.sync_mode == SyncMode::Incremental
            && !spec
                .sync_modes
                .contains(&feishu_sync::SyncMode::Incremental)
        {
            return Err(config_error(format!(
                "Stream {name:?} supports full_refresh only, but the catalog asks for incremental"
            )));
        }
        if selected.iter().any(|s| s.name == name) {
            return Err(config_error(format!(
                "The catalog lists stream {name:?} twice"
            )));
        }
        selected.push(SelectedStream {
            name: name.to_string(),
            module: spec.module,
            sync_mode: configured.sync_mode,
        });
    }
    Ok(selected)
}

fn read_file(path: &Path, what: &str) -> Result<String, SetupError> {
    std::fs::read_to_string(path).map_err(|e| {
        config_error(format!(
            "Cannot read the {what} file {}: {e}",
            path.display()
        ))
    })
}

/// What a prepared read needs.
struct Prepared {
    source: Source,
    selected: Vec<SelectedStream>,
    state: SyncState,
    notes: Vec<String>,
    events: futures::channel::mpsc::UnboundedReceiver<(String, Duration)>,
}

fn prepare(
    config_path: &Path,
    catalog_path: &Path,
    state_path: Option<&Path>,
    options: &RunOptions,
) -> Result<Prepared, SetupError> {
    let config = load_config(config_path).map_err(config_error)?;
    let catalog_text = read_file(catalog_path, "catalog")?;
    let catalog: ConfiguredAirbyteCatalog = serde_json::from_str(&catalog_text)
        .map_err(|e| config_error(format!("The configured catalog is invalid: {e}")))?;
    let selected = select_streams(&config, &catalog)?;
    let input = match state_path {
        Some(path) => parse_input_state(&read_file(path, "state")?)
            .map_err(|e| config_error(format!("The state is invalid: {e}")))?,
        None => Default::default(),
    };
    let plan = resume_state(&input, &selected, &config);
    let (tx, events) = futures::channel::mpsc::unbounded();
    let client = client_builder(&config, options)
        .map_err(config_error)?
        .on_event(move |event| {
            if let ClientEvent::RateLimited { endpoint, wait } = event {
                let _ = tx.unbounded_send((endpoint.clone(), *wait));
            }
        })
        .build()
        .map_err(|e| config_error(format!("Cannot build the client: {e}")))?;
    let source = Source::with_client(config, client).map_err(|e| config_error(e.to_string()))?;
    Ok(Prepared {
        source,
        selected,
        state: plan.state,
        notes: plan.notes,
        events,
    })
}

/// Runs `read`; returns the exit status (write errors are returned as `Err`).
pub(crate) async fn read<W: Write>(
    out: &mut Out<W>,
    config_path: &Path,
    catalog_path: &Path,
    state_path: Option<&Path>,
    options: &RunOptions,
) -> io::Result<i32> {
    let prepared = match prepare(config_path, catalog_path, state_path, options) {
        Ok(p) => p,
        Err(e) => {
            out.emit(&AirbyteMessage::error(
                wall_ms(),
                e.failure_type,
                e.message,
                e.internal,
                None,
            ))?;
            return Ok(1);
        }
    };
    let Prepared {
        source,
        selected,
        state,
        notes,
        mut events,
    } = prepared;
    for note in &notes {
        out.emit(&AirbyteMessage::log(LogLevel::Info, note.clone()))?;
    }
    let mut read_options = ReadOptions::default()
        .streams(selected.iter().map(|s| s.name.clone()))
        .state(state.clone());
    if let Some(now) = options.now_ms {
        read_options = read_options.now_ms(now);
    }
    if let Some(n) = options.checkpoint_every {
        read_options = read_options.checkpoint_every(n);
    }
    if let Some(n) = options.concurrency {
        read_options = read_options.concurrency(n);
    }
    let messages = match source.read(read_options) {
        Ok(m) => m,
        Err(e) => {
            let text = e.to_string();
            let message = match &e {
                feishu_sync::SyncError::State { .. } => format!(
                    "The saved state does not fit the config ({text}); reset the connection's data to start over"
                ),
                _ => format!("Cannot start the read: {text}"),
            };
            out.emit(&AirbyteMessage::error(
                wall_ms(),
                FailureType::ConfigError,
                message,
                Some(text),
                None,
            ))?;
            return Ok(1);
        }
    };
    let mut messages = std::pin::pin!(messages);
    let mut run = Run::new(out, selected, state);
    loop {
        tokio::select! {
            biased;
            message = messages.next() => match message {
                Some(Ok(m)) => run.message(m)?,
                Some(Err(e)) => {
                    run.out.emit(&AirbyteMessage::log(LogLevel::Error, e.to_string()))?;
                    run.abort_reason = Some(e.to_string());
                    break;
                }
                None => break,
            },
            Some((endpoint, wait)) = events.next() => run.rate_limited(&endpoint, wait)?,
        }
    }
    run.finish()
}

/// The translation state of one read.
struct Run<'o, W: Write> {
    out: &'o mut Out<W>,
    selected: Vec<SelectedStream>,
    last_state: SyncState,
    since_state: HashMap<String, u64>,
    last_blob: HashMap<String, Value>,
    started: BTreeSet<String>,
    terminal: BTreeSet<String>,
    /// Streams that ended incomplete: how the platform should treat it, and why.
    failures: BTreeMap<String, (FailureType, String)>,
    rate_limited_until: HashMap<String, i64>,
    abort_reason: Option<String>,
}

impl<'o, W: Write> Run<'o, W> {
    fn new(out: &'o mut Out<W>, selected: Vec<SelectedStream>, state: SyncState) -> Self {
        Run {
            out,
            selected,
            last_state: state,
            since_state: HashMap::new(),
            last_blob: HashMap::new(),
            started: BTreeSet::new(),
            terminal: BTreeSet::new(),
            failures: BTreeMap::new(),
            rate_limited_until: HashMap::new(),
            abort_reason: None,
        }
    }

    fn module_of(&self, stream: &str) -> Option<Module> {
        self.selected
            .iter()
            .find(|s| s.name == stream)
            .map(|s| s.module)
    }

    fn status(&mut self, stream: &str, status: AirbyteStreamStatus) -> io::Result<()> {
        self.out.emit(&AirbyteMessage::stream_status(
            wall_ms(),
            stream,
            status,
            Vec::new(),
        ))
    }

    /// Emits the stream's state from the last checkpoint, unless it is the one emitted
    /// last and no record came since (feishu-sync checkpoints again when a module ends).
    fn emit_state(&mut self, stream: &str, module: Module, finished: bool) -> io::Result<()> {
        let blob = stream_state(module, &self.last_state, finished);
        let count = self.since_state.get(stream).copied().unwrap_or(0);
        if count == 0 && self.last_blob.get(stream) == Some(&blob) {
            return Ok(());
        }
        self.since_state.insert(stream.to_string(), 0);
        self.last_blob.insert(stream.to_string(), blob.clone());
        self.out.emit(&AirbyteMessage::state(AirbyteStateMessage {
            kind: Some(StateType::Stream),
            stream: Some(AirbyteStreamState {
                stream_descriptor: StreamDescriptor::new(stream),
                stream_state: Some(blob),
            }),
            global: None,
            data: None,
            source_stats: Some(AirbyteStateStats {
                record_count: Some(count as f64),
            }),
        }))?;
        self.out.flush()
    }

    fn message(&mut self, message: Message) -> io::Result<()> {
        match message {
            Message::Record(r) => {
                *self.since_state.entry(r.stream.clone()).or_default() += 1;
                self.out
                    .emit(&AirbyteMessage::record(AirbyteRecordMessage {
                        namespace: None,
                        stream: r.stream,
                        data: r.data,
                        emitted_at: r.emitted_at,
                    }))?;
            }
            Message::State(state) => {
                self.last_state = state;
                // feishu-sync reads modules side by side: a checkpoint covers every module
                // under way, so every started, unfinished stream gets its module's section
                // (unchanged repeats are skipped by `emit_state`).
                let streams: Vec<(String, Module)> = self
                    .selected
                    .iter()
                    .filter(|s| self.started.contains(&s.name))
                    .filter(|s| !self.terminal.contains(&s.name))
                    .map(|s| (s.name.clone(), s.module))
                    .collect();
                for (stream, module) in streams {
                    self.emit_state(&stream, module, false)?;
                }
            }
            Message::Status { stream, status } => match status {
                StreamStatus::Started => {
                    self.started.insert(stream.clone());
                    self.status(&stream, AirbyteStreamStatus::Started)?;
                }
                StreamStatus::Running => self.status(&stream, AirbyteStreamStatus::Running)?,
                StreamStatus::Complete => {
                    // Every completed stream ends with its final state (re-emitted when this
                    // run had no checkpoint for it, e.g. a cursor already past "now").
                    if let Some(module) = self.module_of(&stream) {
                        self.emit_state(&stream, module, true)?;
                    }
                    self.terminal.insert(stream.clone());
                    self.status(&stream, AirbyteStreamStatus::Complete)?;
                    self.out.flush()?;
                }
                StreamStatus::Incomplete(failure) => {
                    // A failed module resumes from its last checkpoint.
                    if let Some(module) = self.module_of(&stream) {
                        self.emit_state(&stream, module, true)?;
                    }
                    self.terminal.insert(stream.clone());
                    let kind = failure_type(&failure.kind);
                    self.failures
                        .insert(stream.clone(), (kind, failure.message));
                    self.status(&stream, AirbyteStreamStatus::Incomplete)?;
                    self.out.flush()?;
                }
                _ => {}
            },
            Message::Log { level, message } => {
                let level = match level {
                    feishu_sync::LogLevel::Info => LogLevel::Info,
                    feishu_sync::LogLevel::Warn => LogLevel::Warn,
                    feishu_sync::LogLevel::Error => LogLevel::Error,
                };
                self.out.emit(&AirbyteMessage::log(level, message))?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Feishu answered "too many requests" for `endpoint`; the call waits `wait`.
    fn rate_limited(&mut self, endpoint: &str, wait: Duration) -> io::Result<()> {
        let family = endpoint.split('.').next().unwrap_or_default();
        let module = match family {
            "approval" => Some(Module::Approval),
            "bitable" => Some(Module::Bitable),
            "attendance" => Some(Module::Attendance),
            "contact" => Some(Module::Contact),
            _ => None,
        };
        let running: Vec<&SelectedStream> = self
            .selected
            .iter()
            .filter(|s| self.started.contains(&s.name) && !self.terminal.contains(&s.name))
            .collect();
        let of_module: Vec<&SelectedStream> = running
            .iter()
            .copied()
            .filter(|s| Some(s.module) == module)
            .collect();
        let targets: Vec<String> = if of_module.is_empty() {
            running
        } else {
            of_module
        }
        .iter()
        .map(|s| s.name.clone())
        .collect();
        let now = wall_ms();
        let reset = now + wait.as_millis() as i64;
        for stream in targets {
            // Concurrent calls hit the limit together: announce a wait once.
            if self
                .rate_limited_until
                .get(&stream)
                .is_some_and(|until| *until > now)
            {
                continue;
            }
            self.rate_limited_until.insert(stream.clone(), reset);
            self.out.emit(&AirbyteMessage::stream_status(
                now,
                &stream,
                AirbyteStreamStatus::Running,
                vec![AirbyteStreamStatusReason {
                    kind: StreamStatusReasonType::RateLimited,
                    rate_limited: Some(AirbyteStreamStatusRateLimitedReason {
                        quota_reset: Some(reset),
                    }),
                }],
            ))?;
        }
        Ok(())
    }

    /// Ends every unfinished stream as INCOMPLETE, reports the failures; the exit status.
    fn finish(mut self) -> io::Result<i32> {
        let reason = self
            .abort_reason
            .clone()
            .unwrap_or_else(|| "the read stopped before the stream finished".to_string());
        let unfinished: Vec<String> = self
            .selected
            .iter()
            .filter(|s| !self.terminal.contains(&s.name))
            .map(|s| s.name.clone())
            .collect();
        for stream in unfinished {
            self.terminal.insert(stream.clone());
            let failure = (FailureType::SystemError, reason.clone());
            self.failures.insert(stream.clone(), failure);
            self.status(&stream, AirbyteStreamStatus::Incomplete)?;
        }
        let failures = std::mem::take(&mut self.failures);
        for (stream, (kind, error)) in &failures {
            self.out.emit(&AirbyteMessage::error(
                wall_ms(),
                *kind,
                format!("Reading the stream {stream} failed: {error}"),
                Some(error.clone()),
                Some(stream),
            ))?;
        }
        self.out.flush()?;
        Ok(if failures.is_empty() { 0 } else { 1 })
    }
}

/// How the platform should treat a failure: the user fixes credentials, scopes and settings
/// (`config_error`); throttling and outages pass (`transient_error`); the rest is the
/// connector's to explain (`system_error`).
fn failure_type(kind: &FailureKind) -> FailureType {
    match kind {
        FailureKind::Auth
        | FailureKind::Permission { .. }
        | FailureKind::Config
        | FailureKind::Rejected { .. } => FailureType::ConfigError,
        FailureKind::RateLimited | FailureKind::Transient => FailureType::TransientError,
        _ => FailureType::SystemError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_classified_by_kind() {
        let permission = FailureKind::Permission {
            scopes: vec!["approval:approval:readonly".into()],
        };
        assert_eq!(failure_type(&permission), FailureType::ConfigError);
        assert_eq!(
            failure_type(&FailureKind::Rejected { code: 1390002 }),
            FailureType::ConfigError
        );
        assert_eq!(
            failure_type(&FailureKind::Transient),
            FailureType::TransientError
        );
        assert_eq!(
            failure_type(&FailureKind::RateLimited),
            FailureType::TransientError
        );
        assert_eq!(
            failure_type(&FailureKind::Internal),
            FailureType::SystemError
        );
    }
}
