//! The mapping between feishu-sync's one [`SyncState`] and the platform's per-stream states.
//!
//! feishu-sync's state has one section per module, and each module keeps its own progress
//! (cursors, the approval watch list, an unfinished run's position) inside its section. A
//! stream's `stream_state` is the state cut down to its module's section
//! ([`SyncState::only`]):
//!
//! | streams | `stream_state` |
//! | --- | --- |
//! | `approval_*` (5 streams) | `{"version": 2, "approval": {"<approval code>": {"cursor_ms": .., "pending": {..}, "run": {..}}}}` |
//! | `bitable_records` | `{"version": 2, "bitable": {"app_token": .., "tables": {"<table id>": {..}}}}` |
//! | `attendance_*` (3 streams) | `{"version": 2, "attendance": {"employee_type": .., "cursor_ms": .., "run": {..}}}` |
//! | `contact_users` | `{"version": 2, "contact": {"user_id_type": ..}}` |
//!
//! The connector emits a `STREAM` state for every started, unfinished stream at each
//! feishu-sync checkpoint. A stream that ends (complete or failed) gets its final state with
//! the module's "done in this run" marks removed ([`SyncState::end_run`]): the platform's next
//! attempt starts a new run for a completed module, and a failed module resumes where it
//! stopped. Merging the `stream_state`s of all streams (a JSON object merge) gives a complete
//! `SyncState`: the sections never overlap.
//!
//! Reading back ([`resume_state`]) is per module, because a module reads all its streams in
//! one pass:
//! - a module whose selected streams are not all `incremental` starts from scratch (a full
//!   refresh ignores the stored state); `bitable_records` is a resumable full refresh and
//!   continues at its tables' page tokens; `contact_users` has nothing to resume, and the
//!   full-refresh-only `attendance_shifts` / `attendance_groups` are read whole every run and
//!   take no part in the decision;
//! - a module one of whose selected streams has no state starts from scratch too (a stream
//!   added to the connection needs its history);
//! - the five approval streams carry the same section, unless the platform saved some of one
//!   checkpoint's states but not all: then the least advanced wins, per approval code the
//!   smallest cursor and the union of the watch lists, without the unfinished run (the code
//!   reads its window again: records repeat, none is lost).
//!
//! A legacy state (one object: a `SyncState`, or a `LEGACY` message with it in `data`) is
//! applied to every module by the same rules. States of feishu-sync's version 1 are read
//! and converted by [`SyncState::from_json`].

use std::collections::{BTreeMap, BTreeSet};

use feishu_sync::{ApprovalState, Module, STATE_VERSION, SourceConfig, SyncState};
use serde_json::Value;

use super::protocol::{AirbyteStateMessage, AirbyteStreamState, StateType, SyncMode};

/// The `stream_state` of a stream of `module`: `{"version": 2, "<module>": <section>}` (the
/// section is left out when the state has none). `finished` (the stream completed or failed)
/// removes the module's "done in this run" marks.
pub fn stream_state(module: Module, state: &SyncState, finished: bool) -> Value {
    let mut own = state.only(module);
    if finished {
        own.end_run();
    }
    serde_json::to_value(&own).unwrap_or(Value::Null)
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

/// Per approval code: the section all agree on, else the smallest cursor (none when a
/// section has none), the union of the watch lists, and no unfinished run.
fn merge_approval(
    sections: &[&BTreeMap<String, ApprovalState>],
) -> BTreeMap<String, ApprovalState> {
    let codes: BTreeSet<&String> = sections.iter().flat_map(|s| s.keys()).collect();
    let mut out = BTreeMap::new();
    for code in codes {
        let parts: Vec<Option<&ApprovalState>> = sections.iter().map(|s| s.get(code)).collect();
        if let Some(Some(first)) = parts.first()
            && parts.iter().all(|p| *p == Some(*first))
        {
            out.insert(code.clone(), (*first).clone());
            continue;
        }
        let mut merged = ApprovalState::default();
        // `None < Some(_)`: a section without progress for the code starts it over.
        merged.cursor_ms = parts
            .iter()
            .map(|p| p.and_then(|a| a.cursor_ms))
            .min()
            .flatten();
        for (instance, created) in parts.iter().flatten().flat_map(|a| &a.pending) {
            let entry = merged.pending.entry(instance.clone()).or_insert(*created);
            *entry = (*entry).min(*created);
        }
        out.insert(code.clone(), merged);
    }
    out
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
    let modules: BTreeSet<Module> = selected.iter().map(|s| s.module).collect();
    for module in modules {
        // The streams that carry the module's progress: a full-refresh-only stream (the
        // attendance shifts and groups) is read whole every run whatever the state says, so
        // it neither needs a stored state nor forces the module to start over.
        let streams: Vec<&SelectedStream> = selected
            .iter()
            .filter(|s| s.module == module && carries_progress(&s.name))
            .collect();
        if streams.is_empty() {
            continue;
        }
        if !resumable(module, &streams, input, &mut notes) {
            continue;
        }
        let Some(sections) = stored_sections(module, &streams, input, &mut notes) else {
            continue;
        };
        match module {
            Module::Approval => {
                let parts: Vec<_> = sections.iter().map(|s| &s.approval).collect();
                state.approval = merge_approval(&parts);
            }
            Module::Attendance => state.attendance = sections[0].attendance.clone(),
            Module::Bitable => {
                state.bitable = match (&sections[0].bitable, &config.bitable) {
                    (Some(s), Some(c)) if s.app_token != c.app_token => {
                        notes.push(
                            "bitable: the stored state is for another Base, so its tables are read from their first page"
                                .into(),
                        );
                        None
                    }
                    (stored, _) => stored.clone(),
                };
            }
            _ => {}
        }
    }
    ResumePlan { state, notes }
}

/// Whether `stream` has a cursor (supports incremental reads), or is Bitable's resumable
/// full refresh: the streams whose state is the module's progress.
fn carries_progress(stream: &str) -> bool {
    feishu_sync::all_streams()
        .iter()
        .find(|spec| spec.name == stream)
        .is_some_and(|spec| spec.cursor_field.is_some() || spec.module == Module::Bitable)
}

/// Whether `module`'s stored state may be used: not for a full refresh of an incremental
/// module (noted when there was a state to ignore), never for Contact (nothing to resume).
fn resumable(
    module: Module,
    streams: &[&SelectedStream],
    input: &InputState,
    notes: &mut Vec<String>,
) -> bool {
    match module {
        Module::Approval | Module::Attendance => {
            let all_incremental = streams.iter().all(|s| s.sync_mode == SyncMode::Incremental);
            let stored = input.legacy.is_some()
                || streams
                    .iter()
                    .any(|s| input.per_stream.contains_key(&s.name));
            if !all_incremental && stored {
                notes.push(format!(
                    "{module}: a stream is read in full_refresh mode, so the stored {module} state is ignored and the module is read from its start date"
                ));
            }
            all_incremental
        }
        Module::Bitable => true,
        _ => false,
    }
}

/// The stored states of `module`'s streams (cut down to the module), or the legacy state;
/// `None` when there are none, or when a stream has none (noted).
fn stored_sections(
    module: Module,
    streams: &[&SelectedStream],
    input: &InputState,
    notes: &mut Vec<String>,
) -> Option<Vec<SyncState>> {
    if !streams
        .iter()
        .any(|s| input.per_stream.contains_key(&s.name))
    {
        return input.legacy.as_ref().map(|l| vec![l.only(module)]);
    }
    let missing: Vec<&str> = streams
        .iter()
        .filter(|s| !input.per_stream.contains_key(&s.name))
        .map(|s| s.name.as_str())
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "{module}: no stored state for {}, so the module is read from its start date",
            missing.join(", ")
        ));
        return None;
    }
    Some(
        streams
            .iter()
            .filter_map(|s| input.per_stream.get(&s.name))
            .map(|s| s.only(module))
            .collect(),
    )
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
            r#"{"version":2,"approval":{"A":{"cursor_ms":5,"pending":{"i1":3}}},
                "bitable":{"app_token":"bas1","tables":{"tbl1":{"stage":"reading","page_token":"p2"}}},
                "attendance":{"employee_type":"employee_id","cursor_ms":9},
                "contact":{"user_id_type":"open_id"}}"#,
        );
        let mut merged = serde_json::Map::new();
        for m in Module::ALL {
            let blob = stream_state(m, &full, false);
            assert_eq!(blob["version"], STATE_VERSION);
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
            parse_input_state(r#"{"type":"LEGACY","data":{"version":2,"approval":{"A":{}}}}"#)
                .unwrap();
        assert!(wrapped.legacy.unwrap().approval.contains_key("A"));
        let list = parse_input_state(
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"approval_tasks"},
                 "stream_state":{"version":2,"approval":{"A":{"cursor_ms":7}}}}},
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
            state(
                r#"{"version":2,"approval":{"A":{"cursor_ms":10,"pending":{"p1":1},
                    "run":{"stage":"listing","now_ms":20,"slice_start_ms":12}},"B":{"cursor_ms":4}}}"#,
            ),
        );
        input.per_stream.insert(
            "approval_tasks".into(),
            state(r#"{"version":2,"approval":{"A":{"cursor_ms":8,"pending":{"p2":2}},"B":{"cursor_ms":4}}}"#),
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
        assert_eq!(a.run, None, "the unfinished run is not trusted");
        // B agrees: kept as it is.
        assert_eq!(plan.state.approval["B"].cursor_ms, Some(4));
        assert!(plan.notes.is_empty());
    }

    #[test]
    fn full_refresh_and_new_streams_start_over() {
        let mut input = InputState::default();
        let s = state(
            r#"{"version":2,"approval":{"A":{"cursor_ms":10}},"attendance":{"employee_type":"employee_id","cursor_ms":5},"bitable":{"app_token":"bas1","tables":{"tbl1":{"stage":"reading","page_token":"p"}}}}"#,
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
            plan.state.bitable.unwrap().tables.len(),
            1,
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
        assert_eq!(plan.state.attendance.unwrap().cursor_ms, Some(5));
    }

    #[test]
    fn a_state_of_another_base_restarts_the_tables() {
        let other = state(
            r#"{"version":2,"bitable":{"app_token":"bas2","tables":{"tbl1":{"stage":"reading","page_token":"p"}}}}"#,
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
    fn a_finished_stream_state_forgets_the_done_marks() {
        let cut = state(
            r#"{"version":2,"approval":{"A":{"cursor_ms":5,"run":{"stage":"done"}},
                "B":{"cursor_ms":1,"run":{"stage":"watching","now_ms":5}}}}"#,
        );
        let running = stream_state(Module::Approval, &cut, false);
        assert_eq!(running["approval"]["A"]["run"]["stage"], "done");
        let finished = stream_state(Module::Approval, &cut, true);
        assert!(finished["approval"]["A"].get("run").is_none(), "{finished}");
        assert_eq!(
            finished["approval"]["B"]["run"]["stage"], "watching",
            "a failed code resumes where it stopped"
        );
    }
}
