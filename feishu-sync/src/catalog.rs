//! The streams a source offers: names, JSON Schemas, primary keys, cursors; every one derived
//! from its record type ([`crate::records`]).

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::SourceConfig;
use crate::module::Module;
use crate::records::{
    ApprovalInstance, ApprovalInstanceField, ApprovalInstanceRaw, ApprovalTask,
    ApprovalTimelineEvent, AttendanceGroup, AttendanceShift, AttendanceUserFlow, BitableRecord,
    ContactUser, StreamRecord,
};

/// Raw approval instance payloads.
pub const APPROVAL_INSTANCES_RAW: &str = ApprovalInstanceRaw::STREAM;
/// Approval instance base fields.
pub const APPROVAL_INSTANCES: &str = ApprovalInstance::STREAM;
/// Approval form key/value rows.
pub const APPROVAL_INSTANCE_FIELDS: &str = ApprovalInstanceField::STREAM;
/// Approval tasks.
pub const APPROVAL_TASKS: &str = ApprovalTask::STREAM;
/// Approval timeline events.
pub const APPROVAL_TIMELINE: &str = ApprovalTimelineEvent::STREAM;
/// Bitable records.
pub const BITABLE_RECORDS: &str = BitableRecord::STREAM;
/// Attendance check-in flows.
pub const ATTENDANCE_USER_FLOWS: &str = AttendanceUserFlow::STREAM;
/// Attendance shift definitions.
pub const ATTENDANCE_SHIFTS: &str = AttendanceShift::STREAM;
/// Attendance groups.
pub const ATTENDANCE_GROUPS: &str = AttendanceGroup::STREAM;
/// Contact users.
pub const CONTACT_USERS: &str = ContactUser::STREAM;

/// How a stream can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SyncMode {
    /// Every run reads everything.
    FullRefresh,
    /// Runs continue from the state's cursor.
    Incremental,
}

/// One stream of the catalog.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct StreamSpec {
    /// Stream name.
    pub name: &'static str,
    /// The module it comes from.
    pub module: Module,
    /// JSON Schema (draft 7) of one record, field descriptions included.
    pub json_schema: Value,
    /// Primary key: a list of field paths.
    pub primary_key: Vec<Vec<String>>,
    /// The cursor field, for incremental streams.
    pub cursor_field: Option<Vec<String>>,
    /// Supported modes.
    pub sync_modes: Vec<SyncMode>,
}

impl StreamSpec {
    /// The spec of `T`'s stream.
    ///
    /// # Example
    /// ```
    /// use feishu_sync::StreamSpec;
    /// use feishu_sync::records::BitableRecord;
    /// let spec = StreamSpec::of::<BitableRecord>();
    /// assert_eq!(spec.name, "bitable_records");
    /// assert!(spec.json_schema["properties"]["fields"]["description"].is_string());
    /// ```
    pub fn of<T: StreamRecord>() -> StreamSpec {
        let sync_modes = match T::CURSOR {
            Some(_) => vec![SyncMode::FullRefresh, SyncMode::Incremental],
            None => vec![SyncMode::FullRefresh],
        };
        StreamSpec {
            name: T::STREAM,
            module: T::MODULE,
            json_schema: record_schema::<T>(),
            primary_key: T::PRIMARY_KEY.iter().map(|f| vec![f.to_string()]).collect(),
            cursor_field: T::CURSOR.map(|c| vec![c.to_string()]),
            sync_modes,
        }
    }
}

/// The draft-7 schema of `T`, shaped as a platform's catalog expects it: the record object
/// open to fields a later version adds (`additionalProperties: true`), "any JSON" as `{}`,
/// integers without Rust's `format` names (`int64`, `uint`), and no Rust type name as title.
fn record_schema<T: JsonSchema>() -> Value {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut value = schema.to_value();
    if let Some(root) = value.as_object_mut() {
        root.remove("title");
        unwrap_description(root);
        root.insert("additionalProperties".into(), Value::Bool(true));
        if let Some(Value::Object(properties)) = root.get_mut("properties") {
            for property in properties.values_mut() {
                tidy_property(property);
            }
        }
    }
    value
}

/// A doc comment's description as one line per paragraph (doc comments wrap at 100 columns).
fn unwrap_description(object: &mut Map<String, Value>) {
    if let Some(Value::String(text)) = object.get_mut("description") {
        *text = text
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n\n");
    }
}

fn tidy_property(schema: &mut Value) {
    match schema {
        Value::Bool(true) => *schema = Value::Object(Map::new()),
        Value::Object(object) => {
            unwrap_description(object);
            let integer = match object.get("type") {
                Some(Value::String(t)) => t == "integer",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
                _ => false,
            };
            if integer {
                object.remove("format");
            }
        }
        _ => {}
    }
}

/// Every stream the SDK knows, for every module.
pub fn all_streams() -> Vec<StreamSpec> {
    vec![
        StreamSpec::of::<ApprovalInstanceRaw>(),
        StreamSpec::of::<ApprovalInstance>(),
        StreamSpec::of::<ApprovalInstanceField>(),
        StreamSpec::of::<ApprovalTask>(),
        StreamSpec::of::<ApprovalTimelineEvent>(),
        StreamSpec::of::<BitableRecord>(),
        StreamSpec::of::<AttendanceUserFlow>(),
        StreamSpec::of::<AttendanceShift>(),
        StreamSpec::of::<AttendanceGroup>(),
        StreamSpec::of::<ContactUser>(),
    ]
}

/// The streams of the modules `config` selects.
///
/// # Example
/// ```
/// use feishu_sync::{SourceConfig, catalog};
/// let config = SourceConfig::from_json_str(r#"{"credentials":{"auth_type":"tenant_access_token",
///     "tenant_access_token":"t-x"},"contact":{}}"#).unwrap();
/// let names: Vec<_> = catalog(&config).iter().map(|s| s.name).collect();
/// assert_eq!(names, ["contact_users"]);
/// ```
pub fn catalog(config: &SourceConfig) -> Vec<StreamSpec> {
    all_streams()
        .into_iter()
        .filter(|s| s.module.is_selected(config))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_property_is_described_and_typed() {
        for spec in all_streams() {
            let schema = &spec.json_schema;
            assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
            assert_eq!(schema["type"], "object");
            assert_eq!(schema["additionalProperties"], true);
            let properties = schema["properties"].as_object().unwrap();
            for (name, property) in properties {
                assert!(
                    property["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{}.{name} has no description: add a doc comment to its field",
                    spec.name
                );
                assert!(property.get("format").is_none(), "{}.{name}", spec.name);
            }
            for key in spec.primary_key.iter().flatten() {
                let required = schema["required"].as_array().unwrap();
                assert!(required.iter().any(|r| r == key), "{}: {key}", spec.name);
            }
        }
    }

    #[test]
    fn nullable_fields_and_any_json_keep_their_wire_types() {
        let instances = StreamSpec::of::<ApprovalInstance>().json_schema;
        assert_eq!(
            instances["properties"]["end_time"]["type"],
            serde_json::json!(["integer", "null"])
        );
        assert_eq!(instances["properties"]["instance_code"]["type"], "string");
        let mut required: Vec<&str> = instances["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        required.sort_unstable();
        assert_eq!(required, ["approval_code", "instance_code"]);
        let tasks = StreamSpec::of::<ApprovalTask>().json_schema;
        let task = tasks["properties"]["task"].as_object().unwrap();
        assert_eq!(task.keys().collect::<Vec<_>>(), ["description"], "any JSON");
    }
}
