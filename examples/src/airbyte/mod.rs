//! `source-feishu`: feishu-sync as an Airbyte-protocol source connector.
//!
//! The four protocol commands, each writing one JSON [`AirbyteMessage`]
//! per line to the given writer and nothing else:
//!
//! ```text
//! source-feishu spec
//! source-feishu check    --config config.json
//! source-feishu discover --config config.json
//! source-feishu read     --config config.json --catalog configured_catalog.json [--state state.json]
//! ```
//!
//! [`run`] is the whole connector as a library function (the binary `src/bin/source-feishu.rs`
//! only passes it the process's arguments and stdout), so tests run it in-process against a
//! fake tenant. The state mapping is documented in [`state`].
//!
//! Exit status: 0 on success and for a `check` that reports FAILED (the status is the
//! answer); 1 when a command fails (a TRACE error says why); 2 for a bad command line.

pub mod protocol;
mod read;
pub mod spec;
pub mod state;

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub(crate) use crate::wall_ms;
use feishu_core::{Client, ClientBuilder, Domain, RateLimits};
use feishu_sync::{Source, SourceConfig, StreamSpec};

use protocol::{
    AirbyteCatalog, AirbyteMessage, AirbyteStream, ConnectionStatus, FailureType, SyncMode,
};

/// Usage text (printed to stderr).
pub const USAGE: &str = "\
source-feishu: an Airbyte-protocol source connector for Feishu / Lark (built on feishu-sync)

USAGE:
    source-feishu spec
    source-feishu check --config FILE
    source-feishu discover --config FILE
    source-feishu read --config FILE --catalog FILE [--state FILE]

Every message goes to stdout as one JSON line; diagnostics go to stderr.";

/// Knobs for running the connector in-process (tests, embedding); the binary uses the
/// defaults.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// "Now" in Unix ms for `read` (default: the clock); fixing it makes reads reproducible.
    pub now_ms: Option<i64>,
    /// Client-side rate limits (default: Feishu's documented limits).
    pub rate_limits: Option<RateLimits>,
    /// Records between two checkpoints of an incremental stream (default: feishu-sync's).
    pub checkpoint_every: Option<usize>,
    /// Detail fetches in flight per module (default: feishu-sync's).
    pub concurrency: Option<usize>,
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `spec`.
    Spec,
    /// `check --config FILE`.
    Check {
        /// The config file.
        config: PathBuf,
    },
    /// `discover --config FILE`.
    Discover {
        /// The config file.
        config: PathBuf,
    },
    /// `read --config FILE --catalog FILE [--state FILE]`.
    Read {
        /// The config file.
        config: PathBuf,
        /// The configured catalog file.
        catalog: PathBuf,
        /// The state file, if any.
        state: Option<PathBuf>,
    },
}

/// Parses the arguments (without the program name).
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut command: Option<String> = None;
    let (mut config, mut catalog, mut state) = (None, None, None);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("config") => {
                config = Some(PathBuf::from(parser.value().map_err(|e| e.to_string())?))
            }
            Long("catalog") => {
                catalog = Some(PathBuf::from(parser.value().map_err(|e| e.to_string())?))
            }
            Long("state") => {
                state = Some(PathBuf::from(parser.value().map_err(|e| e.to_string())?))
            }
            // Passed by some platforms; logging goes to stderr either way.
            Long("debug") => {}
            Long("help") | Short('h') => return Err("help".into()),
            Value(v) if command.is_none() => {
                command = Some(
                    v.into_string()
                        .map_err(|_| "arguments must be UTF-8".to_string())?,
                );
            }
            other => return Err(other.unexpected().to_string()),
        }
    }
    let need = |v: Option<PathBuf>, flag: &str, cmd: &str| {
        v.ok_or_else(|| format!("`{cmd}` needs --{flag} FILE"))
    };
    match command.as_deref() {
        Some("spec") => Ok(Command::Spec),
        Some("check") => Ok(Command::Check {
            config: need(config, "config", "check")?,
        }),
        Some("discover") => Ok(Command::Discover {
            config: need(config, "config", "discover")?,
        }),
        Some("read") => Ok(Command::Read {
            config: need(config, "config", "read")?,
            catalog: need(catalog, "catalog", "read")?,
            state,
        }),
        Some(other) => Err(format!(
            "unknown command {other:?}: expected spec, check, discover or read"
        )),
        None => Err("no command: expected spec, check, discover or read".into()),
    }
}

/// Runs the connector with `args` (without the program name), writing its messages to `out`;
/// returns the exit status.
///
/// # Example
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use feishu_examples::airbyte::{RunOptions, run};
/// let mut out = Vec::new();
/// let code = run(["spec".into()], &mut out, RunOptions::default()).await;
/// assert_eq!(code, 0);
/// assert!(String::from_utf8(out).unwrap().starts_with(r#"{"type":"SPEC""#));
/// # }
/// ```
pub async fn run<W: Write>(
    args: impl IntoIterator<Item = OsString>,
    out: W,
    options: RunOptions,
) -> i32 {
    let mut out = Out::new(out);
    let command = match parse_args(args) {
        Ok(c) => c,
        Err(e) if e == "help" => {
            eprintln!("{USAGE}");
            return 0;
        }
        Err(e) => {
            eprintln!("source-feishu: {e}\n\n{USAGE}");
            let _ = out.emit(&AirbyteMessage::error(
                wall_ms(),
                FailureType::ConfigError,
                format!("Invalid command line: {e}"),
                None,
                None,
            ));
            let _ = out.flush();
            return 2;
        }
    };
    run_command(command, &mut out.w, options).await
}

/// Runs a parsed command (see [`run`]).
pub async fn run_command<W: Write>(command: Command, out: W, options: RunOptions) -> i32 {
    let mut out = Out::new(out);
    let result = match command {
        Command::Spec => out
            .emit(&AirbyteMessage::spec(spec::specification()))
            .map(|_| 0),
        Command::Check { config } => {
            let message = check(&config, &options).await;
            out.emit(&message).map(|_| 0)
        }
        Command::Discover { config } => match load_config(&config) {
            Ok(config) => out
                .emit(&AirbyteMessage::catalog(discover(&config)))
                .map(|_| 0),
            Err(e) => out
                .emit(&AirbyteMessage::error(
                    wall_ms(),
                    FailureType::ConfigError,
                    e.clone(),
                    Some(e),
                    None,
                ))
                .map(|_| 1),
        },
        Command::Read {
            config,
            catalog,
            state,
        } => read::read(&mut out, &config, &catalog, state.as_deref(), &options).await,
    };
    match result.and_then(|code| out.flush().map(|_| code)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("source-feishu: cannot write the output: {e}");
            1
        }
    }
}

/// Writes messages as JSON lines.
pub(crate) struct Out<W: Write> {
    pub(crate) w: W,
}

impl<W: Write> Out<W> {
    fn new(w: W) -> Self {
        Out { w }
    }

    /// Writes one message as one line.
    pub(crate) fn emit(&mut self, message: &AirbyteMessage) -> io::Result<()> {
        serde_json::to_writer(&mut self.w, message)?;
        self.w.write_all(b"\n")
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// Reads and validates a config file (JSON; `.toml` files are read as TOML).
pub fn load_config(path: &Path) -> Result<SourceConfig, String> {
    SourceConfig::from_path(path).map_err(|e| e.to_string())
}

/// A client builder for `config`: its domain and credentials, with the options' limits.
pub(crate) fn client_builder(
    config: &SourceConfig,
    options: &RunOptions,
) -> Result<ClientBuilder, String> {
    let domain =
        Domain::parse(&config.domain).map_err(|e| format!("invalid config: domain: {e}"))?;
    let credentials = config.credentials().map_err(|e| e.to_string())?;
    let mut builder = Client::builder().domain(domain).credentials(credentials);
    if let Some(limits) = &options.rate_limits {
        builder = builder.rate_limits(limits.clone());
    }
    Ok(builder)
}

/// The protocol form of one feishu-sync stream.
pub fn airbyte_stream(spec: &StreamSpec) -> AirbyteStream {
    let supported_sync_modes: Vec<SyncMode> = spec
        .sync_modes
        .iter()
        .filter_map(|m| match m {
            feishu_sync::SyncMode::FullRefresh => Some(SyncMode::FullRefresh),
            feishu_sync::SyncMode::Incremental => Some(SyncMode::Incremental),
            _ => None,
        })
        .collect();
    let incremental = supported_sync_modes.contains(&SyncMode::Incremental);
    AirbyteStream {
        name: spec.name.to_string(),
        json_schema: spec.json_schema.clone(),
        supported_sync_modes,
        source_defined_cursor: Some(incremental),
        default_cursor_field: spec.cursor_field.clone(),
        source_defined_primary_key: Some(spec.primary_key.clone()),
        namespace: None,
        // Incremental streams resume from their cursor; bitable_records resumes a full
        // refresh at its page token.
        is_resumable: Some(incremental || spec.module == feishu_sync::Module::Bitable),
    }
}

/// The catalog `discover` prints: every stream of the modules the config selects.
pub fn discover(config: &SourceConfig) -> AirbyteCatalog {
    AirbyteCatalog {
        streams: feishu_sync::catalog(config)
            .iter()
            .map(airbyte_stream)
            .collect(),
    }
}

/// `check`: a token, then one probe per selected module; the message names each failing
/// module and the scopes Feishu says are missing.
pub async fn check(config_path: &Path, options: &RunOptions) -> AirbyteMessage {
    let failed =
        |message: String| AirbyteMessage::connection_status(ConnectionStatus::Failed, message);
    let config = match load_config(config_path) {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let client = match client_builder(&config, options).and_then(|b| {
        b.build()
            .map_err(|e| format!("Cannot build the client: {e}"))
    }) {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let source = match Source::with_client(config, client) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let report = source.check().await;
    let summary = report.summary();
    if report.is_ok() {
        return AirbyteMessage::connection_status(
            ConnectionStatus::Succeeded,
            summary.replace('\n', "; "),
        );
    }
    let failures: Vec<&str> = summary.lines().filter(|l| l.contains(": FAILED")).collect();
    failed(failures.join("; "))
}
