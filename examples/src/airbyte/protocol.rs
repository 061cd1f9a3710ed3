//! The Airbyte protocol messages the connector reads and writes (protocol release 0.18.0,
//! `airbyte_protocol.v0.yaml`), as plain serde types.
//!
//! Only what a source needs is modelled; unknown fields of input documents (the configured
//! catalog, states) are ignored, as the schema's `additionalProperties: true` allows. Field
//! names follow the schema exactly, including its camelCase exceptions
//! (`connectionStatus`, `connectionSpecification`, `documentationUrl`, `sourceStats`,
//! `recordCount`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `AirbyteMessage.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageType {
    /// A record of a stream.
    Record,
    /// A state checkpoint.
    State,
    /// A log line.
    Log,
    /// The connector's specification.
    Spec,
    /// The result of `check`.
    ConnectionStatus,
    /// The result of `discover`.
    Catalog,
    /// Errors, stream status, estimates.
    Trace,
    /// Control messages (not emitted by this connector).
    Control,
    /// Destination catalogs (not emitted by sources).
    DestinationCatalog,
}

/// One line of a connector's output: `type` plus the matching payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteMessage {
    /// Which payload is set.
    #[serde(rename = "type")]
    pub kind: MessageType,
    /// A log line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<AirbyteLogMessage>,
    /// The specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<ConnectorSpecification>,
    /// The `check` result.
    #[serde(
        rename = "connectionStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub connection_status: Option<AirbyteConnectionStatus>,
    /// The `discover` result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<AirbyteCatalog>,
    /// A record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<AirbyteRecordMessage>,
    /// A state checkpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<AirbyteStateMessage>,
    /// A trace (error or stream status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<AirbyteTraceMessage>,
}

impl AirbyteMessage {
    fn empty(kind: MessageType) -> Self {
        AirbyteMessage {
            kind,
            log: None,
            spec: None,
            connection_status: None,
            catalog: None,
            record: None,
            state: None,
            trace: None,
        }
    }

    /// A LOG message.
    pub fn log(level: LogLevel, message: impl Into<String>) -> Self {
        AirbyteMessage {
            log: Some(AirbyteLogMessage {
                level,
                message: message.into(),
                stack_trace: None,
            }),
            ..Self::empty(MessageType::Log)
        }
    }

    /// A SPEC message.
    pub fn spec(spec: ConnectorSpecification) -> Self {
        AirbyteMessage {
            spec: Some(spec),
            ..Self::empty(MessageType::Spec)
        }
    }

    /// A CONNECTION_STATUS message.
    pub fn connection_status(status: ConnectionStatus, message: impl Into<String>) -> Self {
        AirbyteMessage {
            connection_status: Some(AirbyteConnectionStatus {
                status,
                message: Some(message.into()),
            }),
            ..Self::empty(MessageType::ConnectionStatus)
        }
    }

    /// A CATALOG message.
    pub fn catalog(catalog: AirbyteCatalog) -> Self {
        AirbyteMessage {
            catalog: Some(catalog),
            ..Self::empty(MessageType::Catalog)
        }
    }

    /// A RECORD message.
    pub fn record(record: AirbyteRecordMessage) -> Self {
        AirbyteMessage {
            record: Some(record),
            ..Self::empty(MessageType::Record)
        }
    }

    /// A STATE message.
    pub fn state(state: AirbyteStateMessage) -> Self {
        AirbyteMessage {
            state: Some(state),
            ..Self::empty(MessageType::State)
        }
    }

    /// A TRACE message.
    pub fn trace(trace: AirbyteTraceMessage) -> Self {
        AirbyteMessage {
            trace: Some(trace),
            ..Self::empty(MessageType::Trace)
        }
    }

    /// A TRACE message of type ERROR.
    pub fn error(
        emitted_at_ms: i64,
        failure_type: FailureType,
        message: impl Into<String>,
        internal_message: Option<String>,
        stream: Option<&str>,
    ) -> Self {
        Self::trace(AirbyteTraceMessage {
            kind: TraceType::Error,
            emitted_at: emitted_at_ms as f64,
            error: Some(AirbyteErrorTraceMessage {
                message: message.into(),
                internal_message,
                stack_trace: None,
                failure_type: Some(failure_type),
                stream_descriptor: stream.map(StreamDescriptor::new),
            }),
            stream_status: None,
        })
    }

    /// A TRACE message of type STREAM_STATUS.
    pub fn stream_status(
        emitted_at_ms: i64,
        stream: &str,
        status: AirbyteStreamStatus,
        reasons: Vec<AirbyteStreamStatusReason>,
    ) -> Self {
        Self::trace(AirbyteTraceMessage {
            kind: TraceType::StreamStatus,
            emitted_at: emitted_at_ms as f64,
            error: None,
            stream_status: Some(AirbyteStreamStatusTraceMessage {
                stream_descriptor: StreamDescriptor::new(stream),
                status,
                reasons,
            }),
        })
    }
}

/// `AirbyteLogMessage.level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LogLevel {
    /// Fatal.
    Fatal,
    /// Error.
    Error,
    /// Warning.
    Warn,
    /// Informational.
    Info,
    /// Debug.
    Debug,
    /// Trace.
    Trace,
}

/// A log line for the platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteLogMessage {
    /// Severity.
    pub level: LogLevel,
    /// The text (never a secret).
    pub message: String,
    /// An optional stack trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_trace: Option<String>,
}

/// What `spec` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorSpecification {
    /// Where the connector is documented.
    #[serde(
        rename = "documentationUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub documentation_url: Option<String>,
    /// The JSON Schema of the config.
    #[serde(rename = "connectionSpecification")]
    pub connection_specification: Value,
    /// Deprecated flag, still read by older platforms.
    #[serde(
        rename = "supportsIncremental",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub supports_incremental: Option<bool>,
    /// The protocol version the connector speaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
}

/// `AirbyteConnectionStatus.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConnectionStatus {
    /// The check passed.
    Succeeded,
    /// The check failed; `message` says why.
    Failed,
}

/// What `check` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteConnectionStatus {
    /// Passed or failed.
    pub status: ConnectionStatus,
    /// A human summary (failing module, scope to grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `SyncMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    /// Read everything each sync.
    #[default]
    FullRefresh,
    /// Continue from the state.
    Incremental,
}

/// `DestinationSyncMode` (part of the configured catalog; a source only passes it through).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DestinationSyncMode {
    /// Append.
    #[default]
    Append,
    /// Overwrite.
    Overwrite,
    /// Append and deduplicate on the primary key.
    AppendDedup,
    /// Update.
    Update,
    /// Soft delete.
    SoftDelete,
}

/// What `discover` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteCatalog {
    /// Every stream.
    pub streams: Vec<AirbyteStream>,
}

/// One stream of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteStream {
    /// Stream name.
    pub name: String,
    /// JSON Schema of a record.
    #[serde(default)]
    pub json_schema: Value,
    /// The modes the stream can be read in.
    #[serde(default)]
    pub supported_sync_modes: Vec<SyncMode>,
    /// Whether the source decides the cursor (yes, for every incremental stream here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_defined_cursor: Option<bool>,
    /// The cursor field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_cursor_field: Option<Vec<String>>,
    /// Primary key: a list of field paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_defined_primary_key: Option<Vec<Vec<String>>>,
    /// Namespace (unused by this connector).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Whether a sync interrupted mid-stream resumes from its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_resumable: Option<bool>,
}

/// The catalog `read` is given: the streams the user selected, with their modes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfiguredAirbyteCatalog {
    /// Selected streams.
    pub streams: Vec<ConfiguredAirbyteStream>,
}

/// One selected stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfiguredAirbyteStream {
    /// The stream as discovered.
    pub stream: AirbyteStream,
    /// The mode to read it in.
    #[serde(default)]
    pub sync_mode: SyncMode,
    /// The user's cursor (ignored: every cursor here is source-defined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_field: Option<Vec<String>>,
    /// How the destination writes it.
    #[serde(default)]
    pub destination_sync_mode: DestinationSyncMode,
    /// The user's primary key (ignored: keys are source-defined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<Vec<Vec<String>>>,
}

/// A record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteRecordMessage {
    /// Namespace (unused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Stream name.
    pub stream: String,
    /// The record's JSON object.
    pub data: Value,
    /// When it was read (Unix ms).
    pub emitted_at: i64,
}

/// `AirbyteStateType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StateType {
    /// One shared state plus per-stream states.
    Global,
    /// The state of one stream.
    Stream,
    /// The old single-blob state in `data`.
    Legacy,
}

/// A state checkpoint (emitted as `type: STREAM`; all three types are read back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteStateMessage {
    /// Which of `stream`, `global`, `data` holds the state (absent = LEGACY).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<StateType>,
    /// The state of one stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<AirbyteStreamState>,
    /// A global state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global: Option<AirbyteGlobalState>,
    /// A legacy state blob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// Records covered by this checkpoint.
    #[serde(
        rename = "sourceStats",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub source_stats: Option<AirbyteStateStats>,
}

/// The state of one stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteStreamState {
    /// Which stream.
    pub stream_descriptor: StreamDescriptor,
    /// Its state (a JSON object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_state: Option<Value>,
}

/// A global state (read back only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteGlobalState {
    /// Shared part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_state: Option<Value>,
    /// Per-stream parts.
    #[serde(default)]
    pub stream_states: Vec<AirbyteStreamState>,
}

/// Names a stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamDescriptor {
    /// Stream name.
    pub name: String,
    /// Namespace (unused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl StreamDescriptor {
    /// A descriptor without namespace.
    pub fn new(name: &str) -> Self {
        StreamDescriptor {
            name: name.to_string(),
            namespace: None,
        }
    }
}

/// Counts attached to a state message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteStateStats {
    /// Records of the stream since its previous state message (a double, as the protocol
    /// asks).
    #[serde(
        rename = "recordCount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub record_count: Option<f64>,
}

/// `AirbyteTraceMessage.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TraceType {
    /// An error.
    Error,
    /// A size estimate (not emitted).
    Estimate,
    /// A stream status change.
    StreamStatus,
    /// Analytics (not emitted).
    Analytics,
}

/// A trace message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteTraceMessage {
    /// Which payload is set.
    #[serde(rename = "type")]
    pub kind: TraceType,
    /// When (Unix ms; a JSON number per the schema).
    pub emitted_at: f64,
    /// The error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AirbyteErrorTraceMessage>,
    /// The stream status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_status: Option<AirbyteStreamStatusTraceMessage>,
}

/// `AirbyteErrorTraceMessage.failure_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureType {
    /// A bug or an unexpected answer.
    SystemError,
    /// The user must change the config (or grant a scope).
    ConfigError,
    /// Retrying later may succeed.
    TransientError,
}

/// An error for the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteErrorTraceMessage {
    /// A user-facing message.
    pub message: String,
    /// The underlying error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_message: Option<String>,
    /// A stack trace (never set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_trace: Option<String>,
    /// The kind of failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_type: Option<FailureType>,
    /// The stream it concerns, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_descriptor: Option<StreamDescriptor>,
}

/// `AirbyteStreamStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AirbyteStreamStatus {
    /// Reading started.
    Started,
    /// The stream is being read.
    Running,
    /// Every record was read.
    Complete,
    /// Reading stopped early.
    Incomplete,
}

/// A stream status change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteStreamStatusTraceMessage {
    /// The stream.
    pub stream_descriptor: StreamDescriptor,
    /// Its status.
    pub status: AirbyteStreamStatus,
    /// Why (e.g. rate limited).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<AirbyteStreamStatusReason>,
}

/// `AirbyteStreamStatusReasonType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StreamStatusReasonType {
    /// The stream waits on the API's rate limit.
    RateLimited,
}

/// Why a stream has its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirbyteStreamStatusReason {
    /// The kind of reason.
    #[serde(rename = "type")]
    pub kind: StreamStatusReasonType,
    /// Details of a rate limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limited: Option<AirbyteStreamStatusRateLimitedReason>,
}

/// Details of a rate limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AirbyteStreamStatusRateLimitedReason {
    /// When the quota resets (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_reset: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_follow_the_schema() {
        let m = AirbyteMessage::connection_status(ConnectionStatus::Failed, "no");
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type": "CONNECTION_STATUS",
                "connectionStatus": {"status": "FAILED", "message": "no"}})
        );
        let s = AirbyteMessage::state(AirbyteStateMessage {
            kind: Some(StateType::Stream),
            stream: Some(AirbyteStreamState {
                stream_descriptor: StreamDescriptor::new("s"),
                stream_state: Some(serde_json::json!({})),
            }),
            global: None,
            data: None,
            source_stats: Some(AirbyteStateStats {
                record_count: Some(3.0),
            }),
        });
        let line = serde_json::to_string(&s).unwrap();
        assert_eq!(
            line,
            r#"{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"s"},"stream_state":{}},"sourceStats":{"recordCount":3.0}}}"#
        );
    }
}
