//! The mapping between feishu-sync's one [`SyncState`] and the platform's per-stream states.
//!
//! feishu-sync keeps one state document with a section per module:
//! `{"version": 1, "approval": {...}, "bitable": {...}, "attendance": {...}, "contact": {...}}`.
//! The connector emits a `STREAM` state for every started, unfinished stream at each
//! feishu-sync checkpoint (modules are read side by side), whose
//! `stream_state` is that document cut down to the stream's own module:
//!
//! | streams | `stream_state` |
//! | --- | --- |
//! | `approval_*` (5 streams) | `{"version": 1, "approval": {"<approval code>": {"cursor_ms": .., "pending": {..}}}}` |
//! | `bitable_records` | `{"version": 1, "bitable": {"app_token": .., "table_id": .., "page_token": ..}}` |
//! | `attendance_user_flows` | `{"version": 1, "attendance": {"employee_type": .., "cursor_ms": ..}}` |
//! | `contact_users` | `{"version": 1, "contact": {"user_id_type": ..}}` |
//!
//! While a module is being read, its streams' states also carry feishu-sync's cross-module
//! `run` section (an unfinished run's "now" and progress), so that a cut sync finishes the
//! same run; once the module completed or failed in the run, its streams' states leave it
//! out (as feishu-sync does when a run ends).
//!
//! Each `stream_state` is itself a valid `SyncState`, and merging the `stream_state`s of all
//! streams (a JSON object merge) gives the complete `SyncState`: the module keys never
//! overlap between modules, and the streams of one module carry the same section.
//!
//! Reading back ([`resume_state`]) is per module, because a module reads all its streams in
//! one pass:
//! - a module whose selected streams are not all `incremental` starts from scratch (a full
//!   refresh ignores the stored state); `bitable_records` is a resumable full refresh and
//!   continues at its page token; `contact_users` has nothing to resume;
//! - a module one of whose selected streams has no state starts from scratch too (a stream
//!   added to the connection needs its history);
//! - when the streams of a module carry different sections (the platform saved some of the
//!   states of one checkpoint but not all), the least advanced wins: the smallest cursor, the
//!   union of pending approvals, and no page token unless all agree. Resuming from an older
//!   point only re-reads records, which the primary keys deduplicate.
//!
//! A legacy state (one object: a `SyncState`, or a `LEGACY` message with it in `data`) is
//! applied to every module by the same rules.

use std::collections::{BTreeMap, BTreeSet};

use feishu_sync::{
    ApprovalState, AttendanceState, BitableState, Module, STATE_VERSION, SourceConfig, SyncState,
};
use serde_json::{Map, Value};

use super::protocol::{AirbyteStateMessage, AirbyteStreamState, StateType, SyncMode};

/// The key of a module's section in the state document.
pub fn module_key(module: Module) -> &'static str {
    match module {
        Module::Approval => "approval",
        Module::Bitable => "bitable",
        Module::Attendance => "attendance",
        Module::Contact => "contact",
        _ => "unknown",
    }
}

/// The keys of the module sections of a state document.
const MODULE_KEYS: [&str; 4] = ["approval", "bitable", "attendance", "contact"];

/// The cross-module key of feishu-sync's state that describes an unfinished run.
const RUN_KEY: &str = "run";

fn run_completed(run: &Value, module: Module) -> bool {
    run.get("completed")
        .and_then(Value::as_array)
        .is_some_and(|done| done.iter().any(|m| m == module_key(module)))
}

/// The `stream_state` of a stream of `module`: `{"version": 1, "<module>": <section>}`
/// (the section is left out when the state has none), plus feishu-sync's cross-module
/// `run` section while the module is part of an unfinished run. `finished` (the module
/// completed or failed in this run) leaves `run` out, as does a `run` that lists the module
/// as completed.
pub fn stream_state(module: Module, state: &SyncState, finished: bool) -> Value {
    let full = serde_json::to_value(state).unwrap_or(Value::Null);
    let key = module_key(module);
    let mut blob = Map::new();
    blob.insert("version".into(), Value::from(STATE_VERSION));
    if let Some(section) = full.get(key) {
        blob.insert(key.into(), section.clone());
    }
    for (k, v) in full.as_object().into_iter().flatten() {
        if k == "version" || MODULE_KEYS.contains(&k.as_str()) {
            continue;
        }
        if k == RUN_KEY && (finished || run_completed(v, module)) {
            continue;
        }
        blob.insert(k.clone(), v.clone());
    }
    Value::Object(blob)
}

/// What the `--state` file held.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputState {
    /// `stream_state` per stream name (from STREAM or GLOBAL states).
    pub per_stream: BTreeMap<String, SyncState>,
    /// A whole legacy state, if one was given.
    pub legacy: Option<SyncState>,
}

fn parse_sync_state(value: &Value, what: &str) -> Result<SyncState, String> {
    let mut value = value.clone();
    let Some(object) = value.as_object_mut() else {
        return Err(format!("{what} must be a JSON object"));
    };
    if !object.contains_key("version") {
        object.insert("version".into(), Value::from(STATE_VERSION));
    }
    SyncState::from_json(&value.to_string()).map_err(|e| format!("{what}: {e}"))
}

fn add_message(input: &mut InputState, value: &Value) -> Result<(), String> {
    let message: AirbyteStateMessage = serde_json::from_value(value.clone())
        .map_err(|e| format!("not an Airbyte state message: {e}"))?;
    let mut streams: Vec<AirbyteStreamState> = Vec::new();
    match message.kind {
        Some(StateType::Stream) => {
            let stream = message
                .stream
                .ok_or("a STREAM state message has no `stream`")?;
            streams.push(stream);
        }
        Some(StateType::Global) => {
            let global = message
                .global
                .ok_or("a GLOBAL state message has no `global`")?;
            if let Some(shared) = global
                .shared_state
                .as_ref()
                .filter(|s| s.as_object().is_some_and(|o| !o.is_empty()))
            {
                input.legacy = Some(parse_sync_state(shared, "global.shared_state")?);
            }
            streams.extend(global.stream_states);
        }
        Some(StateType::Legacy) | None => {
            if let Some(stream) = message.stream {
                streams.push(stream);
            } else if let Some(data) = message.data.as_ref()
                && data.as_object().is_some_and(|o| !o.is_empty())
            {
                input.legacy = Some(parse_sync_state(data, "state.data")?);
            }
        }
    }
    for s in streams {
        let name = s.stream_descriptor.name;
        match s.stream_state {
            Some(blob) => {
                let state = parse_sync_state(&blob, &format!("stream_state of {name}"))?;
                input.per_stream.insert(name, state);
            }
            None => {
                input.per_stream.remove(&name);
            }
        }
    }
    Ok(())
}

/// Parses a `--state` file: an array of state messages (what the platform passes), one
/// state message, a bare legacy `SyncState`, or nothing (empty, `null`, `{}`, `[]`). Later
/// messages of a stream replace earlier ones.
pub fn parse_input_state(text: &str) -> Result<InputState, String> {
    let mut input = InputState::default();
    if text.trim().is_empty() {
        return Ok(input);
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the state is not JSON: {e}"))?;
    match &value {
        Value::Null => {}
        Value::Array(items) => {
            for item in items {
                add_message(&mut input, item)?;
            }
        }
        Value::Object(o) if o.is_empty() => {}
        Value::Object(o) if o.contains_key("version") => {
            input.legacy = Some(parse_sync_state(&value, "state")?);
        }
        Value::Object(o)
            if o.contains_key("type")
                || o.contains_key("stream")
                || o.contains_key("global")
                || o.contains_key("data") =>
        {
            add_message(&mut input, &value)?;
        }
        _ => {
            return Err(
                "the state is neither a list of Airbyte state messages nor a feishu-sync state"
                    .into(),
            );
        }
    }
    Ok(input)
}

/// The least advanced of the sections (see the module docs): per approval code the
/// smallest cursor (none when a section has none) and the union of the pending instances.
fn merge_approval(
    sections: &[&BTreeMap<String, ApprovalState>],
) -> BTreeMap<String, ApprovalState> {
    let codes: BTreeSet<&String> = sections.iter().flat_map(|s| s.keys()).collect();
    let mut out = BTreeMap::new();
    for code in codes {
        let mut merged = ApprovalState::default();
        // `None < Some(_)`: a section without progress for the code starts it over.
        merged.cursor_ms = sections
            .iter()
            .map(|s| s.get(code).and_then(|a| a.cursor_ms))
            .min()
            .flatten();
        for section in sections {
            for (k, v) in section.get(code).map(|a| &a.pending).into_iter().flatten() {
                merge_pending(&mut merged.pending, k, *v);
            }
        }
        out.insert(code.clone(), merged);
    }
    out
}

fn merge_pending(pending: &mut BTreeMap<String, i64>, code: &str, created: i64) {
    let entry = pending.entry(code.to_string()).or_insert(created);
    *entry = (*entry).min(created);
}

fn merge_attendance(sections: &[&AttendanceState]) -> Option<AttendanceState> {
    // The smallest cursor; on a tie the one with the least progress inside its window.
    let progress = |s: &AttendanceState| {
        let v = serde_json::to_value(s).unwrap_or(Value::Null);
        v.get("users_done").and_then(Value::as_u64).unwrap_or(0)
    };
    sections
        .iter()
        .min_by_key(|s| (s.cursor_ms, progress(s)))
        .map(|s| (*s).clone())
}

fn merge_bitable(sections: &[&BitableState]) -> Option<BitableState> {
    let mut out = (*sections.first()?).clone();
    if sections.iter().any(|s| *s != sections[0]) {
        // Page tokens cannot be ordered: read the table again from its first page.
        out.page_token = None;
    }
    Some(out)
}

/// How one configured stream is to be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedStream {
    /// Stream name.
    pub name: String,
    /// Its module.
    pub module: Module,
    /// The mode the catalog asks for.
    pub sync_mode: SyncMode,
}

/// The state a read starts from, and notes for the log.
#[derive(Debug, Clone, PartialEq)]
pub struct ResumePlan {
    /// The `SyncState` to pass to feishu-sync.
    pub state: SyncState,
    /// Why some stored state was not used (for INFO/WARN log lines).
    pub notes: Vec<String>,
}

/// Builds the `SyncState` a read of `selected` starts from (rules in the module docs).
pub fn resume_state(
    input: &InputState,
    selected: &[SelectedStream],
    config: &SourceConfig,
) -> ResumePlan {
    let mut state = SyncState::default();
    let mut notes = Vec::new();
    // Modules that continue from the input state.
    let mut resumed: BTreeSet<Module> = BTreeSet::new();
    let modules: BTreeSet<Module> = selected.iter().map(|s| s.module).collect();
    for module in modules {
        let streams: Vec<&SelectedStream> =
            selected.iter().filter(|s| s.module == module).collect();
        let key = module_key(module);
        let has_state_for_module = streams
            .iter()
            .any(|s| input.per_stream.contains_key(&s.name))
            || input.legacy.is_some();
        let resumable = match module {
            Module::Approval | Module::Attendance => {
                let all_incremental = streams.iter().all(|s| s.sync_mode == SyncMode::Incremental);
                if !all_incremental && has_state_for_module {
                    notes.push(format!(
                        "{key}: a stream is read in full_refresh mode, so the stored {key} state is ignored and the module is read from its start date"
                    ));
                }
                all_incremental
            }
            Module::Bitable => true,
            _ => false,
        };
        if !resumable {
            continue;
        }
        let sections: Vec<&SyncState> = if streams
            .iter()
            .any(|s| input.per_stream.contains_key(&s.name))
        {
            let missing: Vec<&str> = streams
                .iter()
                .filter(|s| !input.per_stream.contains_key(&s.name))
                .map(|s| s.name.as_str())
                .collect();
            if !missing.is_empty() {
                notes.push(format!(
                    "{key}: no stored state for {}, so the module is read from its start date",
                    missing.join(", ")
                ));
                continue;
            }
            streams
                .iter()
                .filter_map(|s| input.per_stream.get(&s.name))
                .collect()
        } else if let Some(legacy) = &input.legacy {
            vec![legacy]
        } else {
            continue;
        };
        match module {
            Module::Approval => {
                let parts: Vec<_> = sections.iter().map(|s| &s.approval).collect();
                state.approval = merge_approval(&parts);
                resumed.insert(module);
            }
            Module::Attendance => {
                let parts: Vec<_> = sections
                    .iter()
                    .map(|s| s.attendance.as_ref())
                    .collect::<Option<Vec<_>>>()
                    .unwrap_or_default();
                state.attendance = merge_attendance(&parts);
                if state.attendance.is_some() {
                    resumed.insert(module);
                }
            }
            Module::Bitable => {
                let parts: Vec<_> = sections
                    .iter()
                    .map(|s| s.bitable.as_ref())
                    .collect::<Option<Vec<_>>>()
                    .unwrap_or_default();
                let merged = merge_bitable(&parts);
                state.bitable = match (merged, &config.bitable) {
                    (Some(s), Some(c))
                        if s.app_token != c.app_token || s.table_id != c.table_id =>
                    {
                        notes.push(
                            "bitable: the stored state is for another table, so the table is read from its first page"
                                .into(),
                        );
                        None
                    }
                    (merged, _) => merged,
                };
                if state.bitable.is_some() {
                    resumed.insert(module);
                }
            }
            _ => {}
        }
    }
    if let Some(run) = resume_run(input, selected, &resumed, &mut notes) {
        let mut value = serde_json::to_value(&state).unwrap_or(Value::Null);
        value[RUN_KEY] = run;
        match SyncState::from_json(&value.to_string()) {
            Ok(with_run) => state = with_run,
            Err(e) => notes.push(format!("the stored run is not used: {e}")),
        }
    }
    ResumePlan { state, notes }
}

/// feishu-sync's `run` section to resume with: the unfinished run the stored states agree
/// on (only the streams of the module it was in carry it), restricted to the modules that
/// continue from their state (a module read from scratch must not be skipped as completed,
/// nor use the run's progress).
fn resume_run(
    input: &InputState,
    selected: &[SelectedStream],
    resumed: &BTreeSet<Module>,
    notes: &mut Vec<String>,
) -> Option<Value> {
    let stored: Vec<&SyncState> = if input.per_stream.is_empty() {
        input.legacy.iter().collect()
    } else {
        selected
            .iter()
            .filter_map(|s| input.per_stream.get(&s.name))
            .collect()
    };
    let runs: Vec<Value> = stored
        .iter()
        .filter_map(|s| {
            serde_json::to_value(s)
                .ok()
                .and_then(|v| v.get(RUN_KEY).cloned())
        })
        .collect();
    let mut run = runs.first()?.clone();
    if runs.iter().any(|r| *r != run) {
        // Only part of one checkpoint's states were stored: start a new run; the module
        // sections alone are safe points.
        notes.push("the stored states disagree on the unfinished run; a new run starts".into());
        return None;
    }
    let object = run.as_object_mut()?;
    for module in [
        Module::Approval,
        Module::Bitable,
        Module::Attendance,
        Module::Contact,
    ] {
        if resumed.contains(&module) {
            continue;
        }
        let key = module_key(module);
        if let Some(done) = object.get_mut("completed").and_then(Value::as_array_mut) {
            done.retain(|m| m != key);
        }
        object.remove(&format!("{key}_progress"));
    }
    Some(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SourceConfig {
        SourceConfig::from_json_str(
            r#"{"credentials":{"auth_type":"tenant_access_token","tenant_access_token":"t"},
                "approval":{"approval_codes":["A","B"]},
                "bitable":{"app_token":"bas1","table_id":"tbl1"},
                "attendance":{"employee_type":"employee_id"},
                "contact":{}}"#,
        )
        .unwrap()
    }

    fn sel(name: &str, module: Module, sync_mode: SyncMode) -> SelectedStream {
        SelectedStream {
            name: name.into(),
            module,
            sync_mode,
        }
    }

    fn state(json: &str) -> SyncState {
        SyncState::from_json(json).unwrap()
    }

    #[test]
    fn stream_states_merge_back_into_the_sync_state() {
        let full = state(
            r#"{"version":1,"approval":{"A":{"cursor_ms":5,"pending":{"i1":3}}},
                "bitable":{"app_token":"bas1","table_id":"tbl1","page_token":"p2"},
                "attendance":{"employee_type":"employee_id","cursor_ms":9},
                "contact":{"user_id_type":"open_id"}}"#,
        );
        let mut merged = Map::new();
        for m in [
            Module::Approval,
            Module::Bitable,
            Module::Attendance,
            Module::Contact,
        ] {
            let blob = stream_state(m, &full, false);
            assert_eq!(blob["version"], 1);
            // Each blob is a valid SyncState on its own.
            SyncState::from_json(&blob.to_string()).unwrap();
            merged.extend(blob.as_object().unwrap().clone());
        }
        assert_eq!(
            SyncState::from_json(&Value::Object(merged).to_string()).unwrap(),
            full
        );
    }

    #[test]
    fn parses_every_accepted_shape() {
        assert_eq!(parse_input_state("").unwrap(), InputState::default());
        assert_eq!(parse_input_state("[]").unwrap(), InputState::default());
        assert_eq!(parse_input_state("{}").unwrap(), InputState::default());
        let legacy = parse_input_state(r#"{"version":1,"approval":{"A":{"cursor_ms":1}}}"#)
            .unwrap()
            .legacy
            .unwrap();
        assert_eq!(legacy.approval["A"].cursor_ms, Some(1));
        let wrapped =
            parse_input_state(r#"{"type":"LEGACY","data":{"version":1,"approval":{"A":{}}}}"#)
                .unwrap();
        assert!(wrapped.legacy.unwrap().approval.contains_key("A"));
        let list = parse_input_state(
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"approval_tasks"},
                 "stream_state":{"version":1,"approval":{"A":{"cursor_ms":7}}}}},
               {"type":"STREAM","stream":{"stream_descriptor":{"name":"contact_users"},
                 "stream_state":{"contact":{"user_id_type":"open_id"}}}}]"#,
        )
        .unwrap();
        assert_eq!(list.per_stream.len(), 2);
        assert_eq!(
            list.per_stream["approval_tasks"].approval["A"].cursor_ms,
            Some(7)
        );
        let err = parse_input_state(r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"x"},"stream_state":{"version":9}}}]"#)
            .unwrap_err();
        assert!(err.contains("version 9"), "{err}");
        assert!(parse_input_state("42").is_err());
        assert!(parse_input_state("{\"nope\":1}").is_err());
    }

    #[test]
    fn least_advanced_section_wins() {
        let mut input = InputState::default();
        input.per_stream.insert(
            "approval_instances".into(),
            state(r#"{"version":1,"approval":{"A":{"cursor_ms":10,"pending":{"p1":1}},"B":{"cursor_ms":4}}}"#),
        );
        input.per_stream.insert(
            "approval_tasks".into(),
            state(r#"{"version":1,"approval":{"A":{"cursor_ms":8,"pending":{"p2":2}}}}"#),
        );
        let selected = [
            sel(
                "approval_instances",
                Module::Approval,
                SyncMode::Incremental,
            ),
            sel("approval_tasks", Module::Approval, SyncMode::Incremental),
        ];
        let plan = resume_state(&input, &selected, &config());
        let a = &plan.state.approval["A"];
        assert_eq!(a.cursor_ms, Some(8));
        assert_eq!(a.pending.len(), 2);
        // B has progress for one stream only: it starts over.
        assert_eq!(plan.state.approval["B"].cursor_ms, None);
        assert!(plan.notes.is_empty());
    }

    #[test]
    fn full_refresh_and_new_streams_start_over() {
        let mut input = InputState::default();
        let s = state(
            r#"{"version":1,"approval":{"A":{"cursor_ms":10}},"attendance":{"employee_type":"employee_id","cursor_ms":5},"bitable":{"app_token":"bas1","table_id":"tbl1","page_token":"p"}}"#,
        );
        input
            .per_stream
            .insert("approval_instances".into(), s.clone());
        input
            .per_stream
            .insert("attendance_user_flows".into(), s.clone());
        input.per_stream.insert("bitable_records".into(), s.clone());
        let selected = [
            sel(
                "approval_instances",
                Module::Approval,
                SyncMode::Incremental,
            ),
            sel("approval_tasks", Module::Approval, SyncMode::Incremental),
            sel(
                "attendance_user_flows",
                Module::Attendance,
                SyncMode::FullRefresh,
            ),
            sel("bitable_records", Module::Bitable, SyncMode::FullRefresh),
        ];
        let plan = resume_state(&input, &selected, &config());
        assert!(plan.state.approval.is_empty(), "approval_tasks is new");
        assert!(plan.state.attendance.is_none(), "full refresh");
        assert_eq!(
            plan.state.bitable.unwrap().page_token.as_deref(),
            Some("p"),
            "a resumable full refresh"
        );
        assert_eq!(plan.notes.len(), 2, "{:?}", plan.notes);
        // The legacy whole state applies to every module by the same rules.
        let legacy = InputState {
            per_stream: BTreeMap::new(),
            legacy: Some(s),
        };
        let plan = resume_state(
            &legacy,
            &[sel(
                "attendance_user_flows",
                Module::Attendance,
                SyncMode::Incremental,
            )],
            &config(),
        );
        assert_eq!(plan.state.attendance.unwrap().cursor_ms, 5);
    }

    #[test]
    fn differing_bitable_sections_restart_the_table() {
        let a = state(
            r#"{"version":1,"bitable":{"app_token":"bas1","table_id":"tbl1","page_token":"p"}}"#,
        );
        let b = state(r#"{"version":1,"bitable":{"app_token":"bas1","table_id":"tbl1"}}"#);
        let merged = merge_bitable(&[a.bitable.as_ref().unwrap(), b.bitable.as_ref().unwrap()]);
        assert_eq!(merged.unwrap().page_token, None);
        let other = state(
            r#"{"version":1,"bitable":{"app_token":"bas2","table_id":"tbl1","page_token":"p"}}"#,
        );
        let input = InputState {
            per_stream: [("bitable_records".to_string(), other)].into(),
            legacy: None,
        };
        let plan = resume_state(
            &input,
            &[sel(
                "bitable_records",
                Module::Bitable,
                SyncMode::FullRefresh,
            )],
            &config(),
        );
        assert!(plan.state.bitable.is_none());
        assert_eq!(plan.notes.len(), 1);
    }

    #[test]
    fn the_unfinished_run_travels_with_the_module_in_progress() {
        let cut = state(
            r#"{"version":1,"approval":{"A":{"cursor_ms":5}},
                "attendance":{"employee_type":"employee_id","cursor_ms":9},
                "run":{"now_ms":100,"completed":["approval","bitable"]}}"#,
        );
        // Approval completed in the run: its streams do not carry the run.
        let approval = stream_state(Module::Approval, &cut, false);
        assert!(approval.get("run").is_none(), "{approval}");
        // Attendance is in progress: it does, unless it finished (completed or failed).
        let attendance = stream_state(Module::Attendance, &cut, false);
        assert_eq!(attendance["run"]["now_ms"], 100);
        assert!(
            stream_state(Module::Attendance, &cut, true)
                .get("run")
                .is_none()
        );

        let parse = |v: &Value| SyncState::from_json(&v.to_string()).unwrap();
        let input = InputState {
            per_stream: [
                ("approval_instances".to_string(), parse(&approval)),
                ("attendance_user_flows".to_string(), parse(&attendance)),
            ]
            .into(),
            legacy: None,
        };
        let selected = [
            sel(
                "approval_instances",
                Module::Approval,
                SyncMode::Incremental,
            ),
            sel(
                "attendance_user_flows",
                Module::Attendance,
                SyncMode::Incremental,
            ),
        ];
        let plan = resume_state(&input, &selected, &config());
        let run = serde_json::to_value(&plan.state).unwrap()["run"].clone();
        // Bitable is not resumed here (not selected): it is not skipped as completed.
        assert_eq!(
            run,
            serde_json::json!({"now_ms": 100, "completed": ["approval"]})
        );
        // Read in full refresh, approval is not skipped either.
        let selected = [
            sel(
                "approval_instances",
                Module::Approval,
                SyncMode::FullRefresh,
            ),
            sel(
                "attendance_user_flows",
                Module::Attendance,
                SyncMode::Incremental,
            ),
        ];
        let plan = resume_state(&input, &selected, &config());
        let run = serde_json::to_value(&plan.state).unwrap()["run"].clone();
        assert_eq!(run, serde_json::json!({"now_ms": 100}));
    }
}
