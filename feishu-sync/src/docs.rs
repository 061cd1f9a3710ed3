//! The streams reference (`docs/streams.md`), rendered from the catalog.
//!
//! The per-stream sections come from [`all_streams`]: names, modules, sync modes, primary
//! keys, cursors and every schema property. The explanation of state and incremental
//! semantics is written by hand in [`PREAMBLE`]; field descriptions in [`describe`]. A test
//! in `tests/streams_doc.rs` fails when `docs/streams.md` differs from this rendering, and a
//! unit test below fails when a schema property has no description.

use std::fmt::Write as _;

use serde_json::Value;

use crate::catalog::{Module, StreamSpec, SyncMode, all_streams};

/// The hand-written part of the reference: how reads, state and each module's cursor work.
const PREAMBLE: &str = r#"# Streams reference

<!-- Generated from `feishu_sync::all_streams()` by `feishu_sync::streams_reference_markdown()`
     (feishu-sync/src/docs.rs). Do not edit by hand: edit docs.rs and regenerate with
     `cargo run -p feishu-examples --bin gen-streams-doc`. -->

`feishu-sync` reads a tenant as eight named record streams. This page lists them with their
primary keys, cursors and JSON Schemas (draft 7, `additionalProperties: true`), and explains
how state makes reads resumable and incremental. The same catalog is what `Source::catalog`,
`feishu-sync catalog` and the `source-feishu` connector's `discover` print.

## How a read works

`Source::read(ReadOptions)` yields a stream of `Message`s: `Record`s, `State` checkpoints,
`Status` changes (`started`, `running`, `complete`, `incomplete`) and `Log` lines. The
selected modules run side by side (each endpoint family has its own rate budget), so their
messages interleave; within a module, records come in order.

- **A checkpoint covers everything before it.** A `State` is emitted only after every record
  it covers. Store the latest state *together with* (after) the records before it, and pass
  it back with `ReadOptions::state` to continue. Delivery is at-least-once; upsert on the
  primary key and the destination is exact.
- **Failures stay local.** When a module's call fails (after the SDK's own retries), that
  module logs an `error`, its streams end `incomplete`, its state stays at its last
  checkpoint, and the other modules go on.
- **Selecting streams.** `ReadOptions::streams` limits which records are emitted. The five
  approval streams come from the same instance fetches, so one of them costs the same calls
  as all five. The module's cursor still advances: a stream added later is not backfilled
  unless you start that module from an empty state.
- **Checkpoint spacing.** `ReadOptions::checkpoint_every` (default 500) bounds the records
  between two checkpoints (Bitable asks for pages no larger; Approval checkpoints at the
  first instance boundary past it; Attendance checkpoints after every call of up to 50 users).

## State

The state is versioned, deterministic JSON (`SyncState::to_json` / `SyncState::from_json`;
maps are ordered, so the same progress gives the same bytes). A state written for another
configuration is refused with `SyncError::State` naming the field: another Base or table
(`bitable.app_token`, `bitable.table_id`), another `attendance.employee_type`, or another
`contact.user_id_type`. An unknown `version` is refused too.

```json
{
  "version": 1,
  "approval": {
    "3B68E280-CF10-4198-B4CD-2E3BB97981D8": {
      "cursor_ms": 1767225600000,
      "pending": { "7C2F0E4A-...": 1766880000000 }
    }
  },
  "bitable": { "app_token": "bascnAbC...", "table_id": "tblAbC..." },
  "attendance": { "employee_type": "employee_id", "cursor_ms": 1767225600000 },
  "contact": { "user_id_type": "open_id" }
}
```

### Approval: instance creation time, lookback and the pending watch list

Per approval code, a run reads the instances *created* in `[from, now)`, where
`from = cursor_ms - lookback_days` (default 7 days). The first run starts at the config's
`start_date`, else at `now - lookback_days`. The listing walks the window in slices of at
most 10 hours (Feishu's limit; each slice is sent with its end included, and an instance
listed by two neighbouring slices is read once, so none is lost whichever way Feishu reads the
window's end), the details are fetched `ReadOptions::concurrency` at a time (default 8) and
emitted in creation order (the listing's documented order). When a code is done, its
`cursor_ms` moves to the run's "now"; a run cut in the middle resumes at the creation time
of the last instance its last checkpoint covers.

Instances change after they are created (approved, rejected, withdrawn). Re-reading the
lookback every run re-emits recent instances with their new status; upserts absorb the
repeats. Instances still `PENDING` are also kept in the state's `pending` map (code →
creation time). In later runs, the pending instances created before `from` (out of the
lookback) are fetched again first, until they reach a final status and leave the map; a late
approval is never missed, however late.

One instance never stops the module. An instance deleted between listing and fetching (code
1390003) or that the app may not read (1390009) is skipped with a `warn` log naming it (a
deleted one also leaves the `pending` map). An instance whose reply does not match its
documented shape (a `task_list`, `timeline` or `comment_list` that is not a list, or an
element of one that cannot be read) is emitted as far as it could be read, with a `warn` log
naming it and a `decode_error` in its `approval_instances_raw` record, whose `data` holds the
reply unchanged. Failures of the whole module (authentication, a missing scope, rate limits
that do not clear) still end its streams `INCOMPLETE`.

Cursor field: `start_time` (Unix ms).

### Bitable: full refresh that resumes by page

`bitable_records` reads the whole table every run through search records
(`POST .../records/search`, `automatic_fields` on, optionally through `view_id`), in pages of
up to 500 records. After each page a checkpoint stores the next page's `page_token` in
`bitable.page_token`; a run cut mid-table resumes at that page instead of starting over (a
token the endpoint refuses, such as one saved by a version that read the historic
`GET .../records`, restarts the table from its first page). Once the table is complete the
token is cleared, so the next run reads the table from the start. Records deleted in Feishu simply stop appearing: to
mirror deletions, replace the destination table after each complete run.

### Attendance: check-time windows with a one-day overlap

`attendance_user_flows` reads punches in `[cursor_ms - 1 day, now)`. The first run starts at
the config's `start_date`, else 30 days back. The range is read in windows of
`ReadOptions::attendance_window_days` (default and maximum 30), users in calls of at most 50
ids. The users are the config's `employee_ids`, or else every current member of the directory
the app can see (the Attendance SDK's own user source: by `employee_id` a user without a
`user_id` fails the stream naming `contact:user.employee_id:readonly`; by `employee_no` users
without a number are skipped and named in a `warn` log), sorted so that a resumed run means
the same users. People who have left are not in the directory: list their ids in
`employee_ids` to read their past punches. Users Feishu refuses (outside the app's attendance
data scope, unknown ids) are skipped, not fatal: a `warn` log gives their count, the first
ids and what to grant, and the stream completes. The day of overlap catches punches that reach Feishu late
(remedies, offline devices); records are keyed by `record_id`, so the overlap only repeats
rows an upsert absorbs. When the module is done, `cursor_ms` moves to the run's "now".

Cursor field: `check_time` (Unix seconds, as Feishu sends it; the state's `cursor_ms` is in
milliseconds).

### Contact: full refresh

`contact_users` walks the directory from the root (or from the config's `department_ids`) and
emits every user once, keyed by the id of the config's `user_id_type` (default `open_id`).
When the root department is outside the app's contact range the walk falls back to the
range and says so in a `warn` log. Users without an id of that type are skipped with a `warn`
log. The state records `contact.user_id_type`: the keys depend on it, so a state written with
another id type is refused.

### Resuming a cut run: `run`

While a run is under way, every checkpoint carries a `run` object:

```json
"run": {
  "now_ms": 1767225600000,
  "completed": ["approval", "approval:3B68E280-CF10-4198-B4CD-2E3BB97981D8"],
  "approval_progress": { "9A1E5C02-7B44-4D1F-8E3A-2C6F0B9D4E71": 1767100000000 },
  "attendance_progress": { "window_start_ms": 1764633600000, "users_done": 100 }
}
```

Reading from a state with `run` *finishes* that run instead of starting a new one: it keeps
the run's `now_ms` (`ReadOptions::now_ms` is ignored), reports the `completed` modules and
approval codes as complete without reading them again, continues each approval code after
`approval_progress` (every instance created before that time was emitted), continues
Attendance at `attendance_progress` (earlier windows, and the first `users_done` users of
that window, are done), and Bitable at its `page_token`. When every module has been
attempted the run is over: `run` is dropped and a final checkpoint is emitted. A module that
failed resumes from its own cursor in the next run.

## Records

Every `Record` has the stream name, the record object described below, and `emitted_at`
(Unix ms). Times in records are Unix milliseconds unless noted.
"#;

/// What a stream property means, for the reference's field tables.
fn describe(stream: &str, field: &str) -> Option<&'static str> {
    use crate::catalog::*;
    let common = match field {
        "instance_code" => Some("Approval instance code."),
        "approval_code" => Some("Approval definition code (from the config)."),
        "start_time" => Some("Instance creation time, Unix ms (the cursor)."),
        _ => None,
    };
    if stream.starts_with("approval_") && common.is_some() {
        return common;
    }
    Some(match (stream, field) {
        (APPROVAL_INSTANCES_RAW, "data") => {
            "The instance GET reply's `data` object, unchanged (form, tasks, timeline, comments)."
        }
        (APPROVAL_INSTANCES_RAW, "decode_error") => {
            "Set only when the reply did not match its documented shape (e.g. a `task_list` that is not a list): what could not be read. The other approval streams then lack that part; `data` has it."
        }
        (APPROVAL_INSTANCES, "approval_name") => "Definition name.",
        (APPROVAL_INSTANCES, "status") => {
            "`PENDING`, `APPROVED`, `REJECTED`, `CANCELED`, `DELETED`, or another value as Feishu sends it."
        }
        (APPROVAL_INSTANCES, "end_time") => "Finish time, Unix ms; null while unfinished.",
        (APPROVAL_INSTANCES, "user_id") => {
            "Initiator's `user_id` (needs `contact:user.employee_id:readonly`)."
        }
        (APPROVAL_INSTANCES, "open_id") => "Initiator's `open_id`.",
        (APPROVAL_INSTANCES, "department_id") => "Initiator's department.",
        (APPROVAL_INSTANCES, "serial_number") => "Tenant-unique human-readable number.",
        (APPROVAL_INSTANCES, "uuid") => "Caller-chosen creation id, if any.",
        (APPROVAL_INSTANCES, "reverted") => "Whether the instance was reverted.",
        (APPROVAL_INSTANCES, "form_parse_ok") => {
            "False when the form was not valid JSON (the raw form is in `approval_instances_raw`)."
        }
        (APPROVAL_INSTANCE_FIELDS, "widget_path") => {
            "Stable path of the widget in the form: `w1`, or `w2[0].w3` for a cell of a `fieldList` table."
        }
        (APPROVAL_INSTANCE_FIELDS, "widget_id") => "Widget id.",
        (APPROVAL_INSTANCE_FIELDS, "name") => "Widget label (may be empty for cells).",
        (APPROVAL_INSTANCE_FIELDS, "type") => {
            "Widget type as Feishu names it (`input`, `amount`, `fieldList`, ...)."
        }
        (APPROVAL_INSTANCE_FIELDS, "value") => {
            "The value as sent (for a `fieldList`, the whole table)."
        }
        (APPROVAL_INSTANCE_FIELDS, "ext") => "The widget's `ext` object, when it has one.",
        (APPROVAL_INSTANCE_FIELDS, "parent_widget_id") => {
            "For a cell: the `fieldList` widget's id."
        }
        (APPROVAL_INSTANCE_FIELDS, "row_index") => "For a cell: its row in the table, from 0.",
        (APPROVAL_TASKS, "task_id") => "Task id (`#<index>` when Feishu sends none).",
        (APPROVAL_TASKS, "index") => "Position in the instance's `task_list`, from 0.",
        (APPROVAL_TASKS, "task") => "The task object (status, approver, times, ...).",
        (APPROVAL_TIMELINE, "index") => "Position in the instance's timeline, from 0.",
        (APPROVAL_TIMELINE, "event") => "The timeline event object (type, user, time, ...).",
        (BITABLE_RECORDS, "app_token") => "The Base (from the config).",
        (BITABLE_RECORDS, "table_id") => "The table (from the config).",
        (BITABLE_RECORDS, "record_id") => "Record id.",
        (BITABLE_RECORDS, "fields") => {
            "Cell values keyed by field name, raw JSON exactly as search records sends them: text as segment arrays (mentions and links kept), numbers as numbers (empty cells are absent)."
        }
        (BITABLE_RECORDS, "created_time") => "Creation time, Unix ms.",
        (BITABLE_RECORDS, "last_modified_time") => "Last modification time, Unix ms.",
        (BITABLE_RECORDS, "created_by") => "Creator (person object).",
        (BITABLE_RECORDS, "last_modified_by") => "Last modifier (person object).",
        (ATTENDANCE_USER_FLOWS, "record_id") => "Punch record id.",
        (ATTENDANCE_USER_FLOWS, "user_id") => {
            "The user, an id of the config's `employee_type` (`employee_id` = Contact `user_id`, or `employee_no`)."
        }
        (ATTENDANCE_USER_FLOWS, "check_time") => "Punch time, Unix **seconds** (the cursor).",
        (ATTENDANCE_USER_FLOWS, "flow") => {
            "The whole punch record (location, Wi-Fi, type, photos, ...), as `feishu_attendance::UserFlow` serialises it."
        }
        (CONTACT_USERS, "id") => "The user's id of the config's `user_id_type` (the key).",
        (CONTACT_USERS, "open_id") => "`open_id` (`ou_...`).",
        (CONTACT_USERS, "union_id") => "`union_id` (`on_...`).",
        (CONTACT_USERS, "user_id") => {
            "`user_id` (needs `contact:user.employee_id:readonly`; empty without it)."
        }
        (CONTACT_USERS, "name") => "Display name.",
        (CONTACT_USERS, "user") => {
            "The whole user object (departments, status, email, ...), as `feishu_contact::User` serialises it."
        }
        _ => return None,
    })
}

fn module_name(module: Module) -> &'static str {
    match module {
        Module::Approval => "Approval",
        Module::Bitable => "Bitable",
        Module::Attendance => "Attendance",
        Module::Contact => "Contact",
    }
}

fn mode_name(mode: SyncMode) -> &'static str {
    match mode {
        SyncMode::FullRefresh => "full_refresh",
        SyncMode::Incremental => "incremental",
    }
}

fn paths(keys: &[Vec<String>]) -> String {
    keys.iter()
        .map(|k| format!("`{}`", k.join(".")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A property schema as a short type name: `string`, `integer or null`, `any JSON`.
fn type_of(schema: &Value) -> String {
    match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any JSON".to_string(),
    }
}

fn section(out: &mut String, spec: &StreamSpec) {
    let _ = writeln!(out, "\n## `{}`\n", spec.name);
    let modes: Vec<&str> = spec.sync_modes.iter().map(|m| mode_name(*m)).collect();
    let _ = writeln!(out, "- Module: {}", module_name(spec.module));
    let _ = writeln!(out, "- Sync modes: {}", modes.join(", "));
    let _ = writeln!(out, "- Primary key: {}", paths(&spec.primary_key));
    let cursor = spec
        .cursor_field
        .as_ref()
        .map_or_else(|| "none".to_string(), |c| paths(std::slice::from_ref(c)));
    let _ = writeln!(out, "- Cursor: {cursor}");
    let _ = writeln!(out, "\n| Field | Type | Required | Description |");
    let _ = writeln!(out, "| --- | --- | --- | --- |");
    let required: Vec<&str> = spec.json_schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = spec.json_schema["properties"].as_object() {
        // Required fields first, in the schema's order, then the rest by name: the same
        // order whether or not serde_json's `preserve_order` is on in this build.
        let mut names: Vec<&String> = props.keys().collect();
        names.sort_by_key(|n| {
            (
                required.iter().position(|r| r == n).unwrap_or(usize::MAX),
                n.as_str(),
            )
        });
        for name in names {
            let schema = &props[name.as_str()];
            let _ = writeln!(
                out,
                "| `{name}` | {} | {} | {} |",
                type_of(schema),
                if required.contains(&name.as_str()) {
                    "yes"
                } else {
                    "no"
                },
                describe(spec.name, name).unwrap_or("")
            );
        }
    }
}

/// The streams reference as Markdown: the contents of `docs/streams.md`.
///
/// Rendered from [`all_streams`], so the reference cannot drift from the catalog; the
/// workspace regenerates the file with `cargo run -p feishu-examples --bin gen-streams-doc`.
///
/// # Example
/// ```
/// let md = feishu_sync::streams_reference_markdown();
/// assert!(md.starts_with("# Streams reference"));
/// assert!(md.contains("## `contact_users`"));
/// ```
pub fn streams_reference_markdown() -> String {
    let streams = all_streams();
    let mut out = String::from(PREAMBLE);
    let _ = writeln!(out, "\n## Streams at a glance\n");
    let _ = writeln!(
        out,
        "| Stream | Module | Sync modes | Primary key | Cursor |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
    for s in &streams {
        let modes: Vec<&str> = s.sync_modes.iter().map(|m| mode_name(*m)).collect();
        let cursor = s
            .cursor_field
            .as_ref()
            .map_or_else(|| "none".to_string(), |c| paths(std::slice::from_ref(c)));
        let _ = writeln!(
            out,
            "| [`{name}`](#{name}) | {} | {} | {} | {cursor} |",
            module_name(s.module),
            modes.join(", "),
            paths(&s.primary_key),
            name = s.name,
        );
    }
    for s in &streams {
        section(&mut out, s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_property_is_described() {
        let mut missing = Vec::new();
        for s in all_streams() {
            for name in s.json_schema["properties"].as_object().unwrap().keys() {
                if describe(s.name, name).is_none() {
                    missing.push(format!("{}.{name}", s.name));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "add descriptions in feishu-sync/src/docs.rs for: {missing:?}"
        );
    }

    #[test]
    fn required_fields_are_marked() {
        let md = streams_reference_markdown();
        assert!(md.contains("| `record_id` | string | yes |"));
        assert!(md.contains("| `end_time` | integer or null | no |"));
    }
}
