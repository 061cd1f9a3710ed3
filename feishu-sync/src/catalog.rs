//! The streams a source offers: names, JSON Schemas, primary keys, cursors.

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::SourceConfig;

/// Raw approval instance payloads.
pub const APPROVAL_INSTANCES_RAW: &str = "approval_instances_raw";
/// Approval instance base fields.
pub const APPROVAL_INSTANCES: &str = "approval_instances";
/// Approval form key/value rows.
pub const APPROVAL_INSTANCE_FIELDS: &str = "approval_instance_fields";
/// Approval tasks.
pub const APPROVAL_TASKS: &str = "approval_tasks";
/// Approval timeline events.
pub const APPROVAL_TIMELINE: &str = "approval_timeline";
/// Bitable records.
pub const BITABLE_RECORDS: &str = "bitable_records";
/// Attendance check-in flows.
pub const ATTENDANCE_USER_FLOWS: &str = "attendance_user_flows";
/// Contact users.
pub const CONTACT_USERS: &str = "contact_users";

/// Which module a stream belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Module {
    /// Approval v4.
    Approval,
    /// Bitable v1.
    Bitable,
    /// Attendance v1.
    Attendance,
    /// Contact v3.
    Contact,
}

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
    /// JSON Schema (draft 7) of one record.
    pub json_schema: Value,
    /// Primary key: a list of field paths.
    pub primary_key: Vec<Vec<String>>,
    /// The cursor field, for incremental streams.
    pub cursor_field: Option<Vec<String>>,
    /// Supported modes.
    pub sync_modes: Vec<SyncMode>,
}

fn key(fields: &[&str]) -> Vec<Vec<String>> {
    fields.iter().map(|f| vec![f.to_string()]).collect()
}

fn schema(required: &[&str], properties: Value) -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": true,
        "required": required,
        "properties": properties,
    })
}

const S: &str = "string";

fn t(kind: &str) -> Value {
    json!({ "type": [kind, "null"] })
}

fn any() -> Value {
    json!({})
}

/// Every stream the SDK knows, for every module.
pub fn all_streams() -> Vec<StreamSpec> {
    let incremental = vec![SyncMode::FullRefresh, SyncMode::Incremental];
    let full = vec![SyncMode::FullRefresh];
    let start_cursor = Some(vec!["start_time".to_string()]);
    vec![
        StreamSpec {
            name: APPROVAL_INSTANCES_RAW,
            module: Module::Approval,
            json_schema: schema(
                &["instance_code", "approval_code", "data"],
                json!({
                    "instance_code": {"type": S},
                    "approval_code": {"type": S},
                    "start_time": t("integer"),
                    "data": {"type": "object"},
                    "decode_error": t(S),
                }),
            ),
            primary_key: key(&["instance_code"]),
            cursor_field: start_cursor.clone(),
            sync_modes: incremental.clone(),
        },
        StreamSpec {
            name: APPROVAL_INSTANCES,
            module: Module::Approval,
            json_schema: schema(
                &["instance_code", "approval_code"],
                json!({
                    "instance_code": {"type": S},
                    "approval_code": {"type": S},
                    "approval_name": t(S),
                    "status": t(S),
                    "start_time": t("integer"),
                    "end_time": t("integer"),
                    "user_id": t(S),
                    "open_id": t(S),
                    "department_id": t(S),
                    "serial_number": t(S),
                    "uuid": t(S),
                    "reverted": t("boolean"),
                    "form_parse_ok": t("boolean"),
                }),
            ),
            primary_key: key(&["instance_code"]),
            cursor_field: start_cursor.clone(),
            sync_modes: incremental.clone(),
        },
        StreamSpec {
            name: APPROVAL_INSTANCE_FIELDS,
            module: Module::Approval,
            json_schema: schema(
                &["instance_code", "widget_path"],
                json!({
                    "instance_code": {"type": S},
                    "widget_path": {"type": S},
                    "widget_id": t(S),
                    "name": t(S),
                    "type": t(S),
                    "value": any(),
                    "ext": any(),
                    "parent_widget_id": t(S),
                    "row_index": t("integer"),
                    "start_time": t("integer"),
                }),
            ),
            primary_key: key(&["instance_code", "widget_path"]),
            cursor_field: start_cursor.clone(),
            sync_modes: incremental.clone(),
        },
        StreamSpec {
            name: APPROVAL_TASKS,
            module: Module::Approval,
            json_schema: schema(
                &["instance_code", "task_id"],
                json!({
                    "instance_code": {"type": S},
                    "task_id": {"type": S},
                    "index": t("integer"),
                    "start_time": t("integer"),
                    "task": any(),
                }),
            ),
            primary_key: key(&["instance_code", "task_id"]),
            cursor_field: start_cursor.clone(),
            sync_modes: incremental.clone(),
        },
        StreamSpec {
            name: APPROVAL_TIMELINE,
            module: Module::Approval,
            json_schema: schema(
                &["instance_code", "index"],
                json!({
                    "instance_code": {"type": S},
                    "index": {"type": "integer"},
                    "start_time": t("integer"),
                    "event": any(),
                }),
            ),
            primary_key: key(&["instance_code", "index"]),
            cursor_field: start_cursor,
            sync_modes: incremental.clone(),
        },
        StreamSpec {
            name: BITABLE_RECORDS,
            module: Module::Bitable,
            json_schema: schema(
                &["app_token", "table_id", "record_id", "fields"],
                json!({
                    "app_token": {"type": S},
                    "table_id": {"type": S},
                    "record_id": {"type": S},
                    "fields": {"type": "object"},
                    "created_time": t("integer"),
                    "last_modified_time": t("integer"),
                    "created_by": any(),
                    "last_modified_by": any(),
                }),
            ),
            primary_key: key(&["app_token", "table_id", "record_id"]),
            cursor_field: None,
            sync_modes: full.clone(),
        },
        StreamSpec {
            name: ATTENDANCE_USER_FLOWS,
            module: Module::Attendance,
            json_schema: schema(
                &["record_id"],
                json!({
                    "record_id": {"type": S},
                    "user_id": t(S),
                    "check_time": t("integer"),
                    "flow": any(),
                }),
            ),
            primary_key: key(&["record_id"]),
            cursor_field: Some(vec!["check_time".to_string()]),
            sync_modes: incremental,
        },
        StreamSpec {
            name: CONTACT_USERS,
            module: Module::Contact,
            json_schema: schema(
                &["id"],
                json!({
                    "id": {"type": S},
                    "open_id": t(S),
                    "union_id": t(S),
                    "user_id": t(S),
                    "name": t(S),
                    "user": any(),
                }),
            ),
            primary_key: key(&["id"]),
            cursor_field: None,
            sync_modes: full,
        },
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
        .filter(|s| match s.module {
            Module::Approval => config.approval.is_some(),
            Module::Bitable => config.bitable.is_some(),
            Module::Attendance => config.attendance.is_some(),
            Module::Contact => config.contact.is_some(),
        })
        .collect()
}
