//! `spec`: the JSON Schema of the feishu-sync config, as the platform renders it as a form.
//!
//! The names are exactly those of `feishu_sync::SourceConfig` (which rejects unknown
//! fields, hence `additionalProperties: false` throughout). A module is selected when its
//! section is present. Secrets carry `airbyte_secret: true` so the platform masks and stores
//! them as secrets; unlike the library, the connector expects them in the config (a platform
//! passes no environment).

use serde_json::{Value, json};

use super::protocol::ConnectorSpecification;

/// Where the connector is documented.
pub const DOCUMENTATION_URL: &str =
    "https://github.com/feishu-rs/feishu-rs/blob/main/docs/source-feishu.md";

const DATE_PATTERN: &str =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";

fn date(title: &str, description: &str, order: u32) -> Value {
    json!({
        "type": "string",
        "title": title,
        "description": description,
        "format": "date-time",
        "pattern": DATE_PATTERN,
        "examples": ["2026-01-01T00:00:00Z"],
        "order": order,
    })
}

fn secret(title: &str, description: &str, order: u32) -> Value {
    json!({
        "type": "string",
        "title": title,
        "description": description,
        "airbyte_secret": true,
        "order": order,
    })
}

fn text(title: &str, description: &str, order: u32) -> Value {
    json!({
        "type": "string",
        "title": title,
        "description": description,
        "minLength": 1,
        "order": order,
    })
}

fn strings(title: &str, description: &str, order: u32) -> Value {
    json!({
        "type": "array",
        "title": title,
        "description": description,
        "items": {"type": "string", "minLength": 1},
        "order": order,
    })
}

fn auth_type(value: &str) -> Value {
    json!({"type": "string", "const": value, "default": value, "order": 0})
}

fn credentials() -> Value {
    json!({
        "type": "object",
        "title": "Authentication",
        "description": "How the connector authenticates to the Feishu / Lark Open Platform.",
        "order": 1,
        "oneOf": [
            {
                "type": "object",
                "title": "Self-built app",
                "required": ["auth_type", "app_id", "app_secret"],
                "additionalProperties": false,
                "properties": {
                    "auth_type": auth_type("self_built"),
                    "app_id": text("App ID", "The app's id (cli_...).", 1),
                    "app_secret": secret("App secret", "The app's secret.", 2),
                },
            },
            {
                "type": "object",
                "title": "Store app",
                "required": ["auth_type", "app_id", "app_secret", "tenant_key"],
                "additionalProperties": false,
                "properties": {
                    "auth_type": auth_type("store_app"),
                    "app_id": text("App ID", "The store app's id.", 1),
                    "app_secret": secret("App secret", "The store app's secret.", 2),
                    "tenant_key": text("Tenant key", "The tenant the app is installed in.", 3),
                    "app_ticket": secret(
                        "App ticket",
                        "The latest app_ticket, if known (Feishu pushes it to the app's event URL).",
                        4,
                    ),
                },
            },
            {
                "type": "object",
                "title": "App access token",
                "required": ["auth_type", "app_access_token", "tenant_key"],
                "additionalProperties": false,
                "properties": {
                    "auth_type": auth_type("app_access_token"),
                    "app_access_token": secret("App access token", "A pre-minted app_access_token.", 1),
                    "tenant_key": text("Tenant key", "The tenant to mint tenant tokens for.", 2),
                },
            },
            {
                "type": "object",
                "title": "Tenant access token",
                "required": ["auth_type", "tenant_access_token"],
                "additionalProperties": false,
                "properties": {
                    "auth_type": auth_type("tenant_access_token"),
                    "tenant_access_token": secret(
                        "Tenant access token",
                        "A pre-minted tenant_access_token (expires after about two hours).",
                        1,
                    ),
                },
            },
        ],
    })
}

/// The JSON Schema (draft 7) of the connector's config.
pub fn connection_specification() -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Feishu / Lark Source Spec",
        "description": "Reads Approval, Bitable (Base), Attendance and Contact data of a Feishu / Lark tenant. A module is read when its section is present; select at least one.",
        "type": "object",
        "required": ["credentials"],
        "additionalProperties": false,
        "properties": {
            "domain": {
                "type": "string",
                "title": "Domain",
                "description": "`feishu` (open.feishu.cn), `lark` (open.larksuite.com), or the base URL of a private deployment.",
                "default": "feishu",
                "examples": ["feishu", "lark", "https://open.feishu.cn"],
                "minLength": 1,
                "order": 0,
            },
            "credentials": credentials(),
            "approval": {
                "type": "object",
                "title": "Approval",
                "description": "Read approval instances, form fields, tasks and timelines (incremental over creation time). Scope: approval:approval:readonly.",
                "required": ["approval_codes"],
                "additionalProperties": false,
                "order": 2,
                "properties": {
                    "approval_codes": {
                        "type": "array",
                        "title": "Approval codes",
                        "description": "The approval definitions to read (at least one).",
                        "minItems": 1,
                        "items": {"type": "string", "minLength": 1},
                        "order": 0,
                    },
                    "lookback_days": {
                        "type": "integer",
                        "title": "Lookback days",
                        "description": "Each sync re-reads the instances created this many days before the last cursor, to catch late changes.",
                        "minimum": 0,
                        "maximum": 3650,
                        "default": 7,
                        "order": 1,
                    },
                    "start_date": date(
                        "Start date",
                        "The first sync reads instances created since this time (default: now - lookback days).",
                        2,
                    ),
                    "pending_max_age_days": {
                        "type": "integer",
                        "title": "Pending watch list age bound (days)",
                        "description": "Instances still pending are re-fetched every sync until they reach a final status; one created longer ago than this leaves the watch list (with a warning).",
                        "minimum": 1,
                        "maximum": 3650,
                        "default": 180,
                        "order": 3,
                    },
                },
            },
            "bitable": {
                "type": "object",
                "title": "Bitable (Base)",
                "description": "Read the records of a Base's tables, side by side (full refresh, each table resumable mid-way). Scope: bitable:app:readonly.",
                "required": ["app_token"],
                "additionalProperties": false,
                "order": 3,
                "not": {"required": ["table_id", "table_ids"]},
                "properties": {
                    "app_token": text("App token", "The Base's app_token (bascn...); not a wiki node token.", 0),
                    "table_ids": {
                        "type": "array",
                        "title": "Table ids",
                        "description": "The tables to read (tbl...); empty or absent = every table of the Base.",
                        "items": {"type": "string", "minLength": 1},
                        "order": 1,
                    },
                    "table_id": text("Table id", "One table (tbl...): shorthand for a single table id; do not set both.", 2),
                    "view_id": text("View id", "Read through this view (optional; one table only).", 3),
                },
            },
            "attendance": {
                "type": "object",
                "title": "Attendance",
                "description": "Read check-in flows (incremental over check time). Scope: attendance:task:readonly.",
                "required": ["employee_type"],
                "additionalProperties": false,
                "order": 4,
                "properties": {
                    "employee_type": {
                        "type": "string",
                        "title": "Employee id type",
                        "description": "Which id `employee_ids` are: employee_id (Contact's user_id) or employee_no.",
                        "enum": ["employee_id", "employee_no"],
                        "default": "employee_id",
                        "order": 0,
                    },
                    "employee_ids": strings(
                        "Employee ids",
                        "Users to read; empty = every user visible to the app.",
                        1,
                    ),
                    "start_date": date(
                        "Start date",
                        "The first sync reads check-ins since this time (default: 30 days ago).",
                        2,
                    ),
                    "lookback_days": {
                        "type": "integer",
                        "title": "Lookback days",
                        "description": "Each sync re-reads the check-ins of this many days before the last cursor, to catch corrections filed later with back-dated check times.",
                        "minimum": 0,
                        "maximum": 3650,
                        "default": 7,
                        "order": 3,
                    },
                },
            },
            "contact": {
                "type": "object",
                "title": "Contact",
                "description": "Read the directory's users (full refresh). Scope: contact:user.base:readonly.",
                "additionalProperties": false,
                "order": 5,
                "properties": {
                    "department_ids": strings(
                        "Department ids",
                        "Departments to walk; empty = from the root.",
                        0,
                    ),
                    "department_id_type": {
                        "type": "string",
                        "title": "Department id type",
                        "description": "Which id `department_ids` are.",
                        "enum": ["open_department_id", "department_id"],
                        "default": "open_department_id",
                        "order": 1,
                    },
                    "user_id_type": {
                        "type": "string",
                        "title": "User id type",
                        "description": "Which id users are keyed by.",
                        "enum": ["open_id", "union_id", "user_id"],
                        "default": "open_id",
                        "order": 2,
                    },
                },
            },
        },
    })
}

/// The specification `spec` prints.
pub fn specification() -> ConnectorSpecification {
    ConnectorSpecification {
        documentation_url: Some(DOCUMENTATION_URL.to_string()),
        connection_specification: connection_specification(),
        supports_incremental: Some(true),
        protocol_version: None,
    }
}
