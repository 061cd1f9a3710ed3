//! The `source-feishu` connector against the fake tenant (in process, over HTTP on
//! loopback): every printed line validates against the vendored Airbyte protocol schema
//! (`tests/data/airbyte_protocol.v0.json`), plus CAT-style checks and a state round trip.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use feishu_core::RateLimits;
use feishu_examples::airbyte::{RunOptions, run};
use feishu_examples::demo::{self, Demo};
use feishu_testkit::Fault;
use feishu_testkit::approval::{APPROVAL_CODE_PURCHASE, ApprovalDataset, MalformedTaskList};
use serde_json::{Value, json};

/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600_000;
const DAY_MS: i64 = 86_400_000;

// ----- helpers ---------------------------------------------------------------------------

/// A validator for one `AirbyteMessage`: the vendored definitions under a root that refers
/// to the message definition.
fn message_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = include_str!("data/airbyte_protocol.v0.json");
        let protocol: Value = serde_json::from_str(text).expect("schema is JSON");
        let root = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": protocol["definitions"],
            "$ref": "#/definitions/AirbyteMessage",
        });
        jsonschema::draft7::new(&root).expect("the protocol schema compiles")
    })
}

fn assert_protocol_valid(lines: &[Value]) {
    let validator = message_validator();
    for line in lines {
        let errors: Vec<String> = validator
            .iter_errors(line)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "invalid message {line}:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn the_schema_check_rejects_malformed_messages() {
    let v = message_validator();
    for bad in [
        json!({"type": "RECORD", "record": {"stream": "s", "data": {}}}),
        json!({"type": "RECORD", "record": {"stream": "s", "data": [], "emitted_at": 1}}),
        json!({"type": "STATE", "state": {"type": "STREAM", "stream": {"stream_state": {}}}}),
        json!({"type": "TRACE", "trace": {"type": "STREAM_STATUS", "emitted_at": 1,
            "stream_status": {"stream_descriptor": {"name": "s"}, "status": "DONE"}}}),
        json!({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "OK"}}),
        json!({"type": "SPECIFICATION"}),
    ] {
        assert!(!v.is_valid(&bad), "{bad}");
    }
    assert!(v.is_valid(
        &json!({"type": "RECORD", "record": {"stream": "s", "data": {}, "emitted_at": 1}})
    ));
}

fn scratch_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "source-feishu-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_json(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

fn options(now: i64) -> RunOptions {
    RunOptions {
        now_ms: Some(now),
        rate_limits: Some(RateLimits::disabled()),
        ..RunOptions::default()
    }
}

/// Splits the output into JSON lines (every line must be one JSON object).
fn parse_lines(bytes: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(bytes).expect("stdout is UTF-8");
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .inspect(|v| assert!(v.is_object(), "not an object: {v}"))
        .collect()
}

async fn connector(args: &[&str], opts: RunOptions) -> (i32, Vec<Value>) {
    let mut out = Vec::new();
    let code = run(args.iter().map(|a| a.into()), &mut out, opts).await;
    let lines = parse_lines(&out);
    assert_protocol_valid(&lines);
    (code, lines)
}

/// The demo config as the platform would store it (secrets included).
fn config_json(demo: &Demo) -> Value {
    let mut v = serde_json::to_value(&demo.config).unwrap();
    v["credentials"]["app_secret"] = json!(demo.tenant.app_secret());
    v
}

fn of_type<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["type"] == kind).collect()
}

fn records<'a>(lines: &'a [Value], stream: &str) -> Vec<&'a Value> {
    of_type(lines, "RECORD")
        .into_iter()
        .filter(|l| l["record"]["stream"] == stream)
        .map(|l| &l["record"]["data"])
        .collect()
}

fn statuses(lines: &[Value], stream: &str) -> Vec<String> {
    of_type(lines, "TRACE")
        .into_iter()
        .filter(|l| l["trace"]["type"] == "STREAM_STATUS")
        .filter(|l| l["trace"]["stream_status"]["stream_descriptor"]["name"] == stream)
        .filter(|l| l["trace"]["stream_status"].get("reasons").is_none())
        .map(|l| {
            l["trace"]["stream_status"]["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn errors(lines: &[Value]) -> Vec<&Value> {
    of_type(lines, "TRACE")
        .into_iter()
        .filter(|l| l["trace"]["type"] == "ERROR")
        .map(|l| &l["trace"]["error"])
        .collect()
}

/// The last state message of each stream, as the platform keeps them.
fn last_states(lines: &[Value], into: &mut BTreeMap<String, Value>) {
    for l in of_type(lines, "STATE") {
        let name = l["state"]["stream"]["stream_descriptor"]["name"]
            .as_str()
            .unwrap()
            .to_string();
        into.insert(name, l["state"].clone());
    }
}

fn state_array(states: &BTreeMap<String, Value>) -> Value {
    Value::Array(states.values().cloned().collect())
}

/// A configured catalog from the discovered one: `(stream, sync_mode)`.
fn configure(discovered: &Value, picks: &[(&str, &str)]) -> Value {
    let streams: Vec<Value> = picks
        .iter()
        .map(|(name, mode)| {
            let stream = discovered["streams"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == *name)
                .unwrap_or_else(|| panic!("{name} not discovered"))
                .clone();
            json!({
                "stream": stream,
                "sync_mode": mode,
                "destination_sync_mode": if *mode == "incremental" { "append_dedup" } else { "overwrite" },
                "cursor_field": stream.get("default_cursor_field").cloned().unwrap_or(json!([])),
                "primary_key": stream["source_defined_primary_key"],
            })
        })
        .collect();
    json!({ "streams": streams })
}

/// Every discovered stream, incremental where supported.
fn configure_all(discovered: &Value) -> Value {
    let picks: Vec<(String, String)> = discovered["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let modes = s["supported_sync_modes"].as_array().unwrap();
            let mode = if modes.contains(&json!("incremental")) {
                "incremental"
            } else {
                "full_refresh"
            };
            (s["name"].as_str().unwrap().to_string(), mode.to_string())
        })
        .collect();
    let picks: Vec<(&str, &str)> = picks
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    configure(discovered, &picks)
}

async fn discover(config: &str) -> Value {
    let (code, lines) = connector(&["discover", "--config", config], options(NOW)).await;
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1);
    lines[0]["catalog"].clone()
}

/// The identity of a record: stream + primary key values.
fn identity(discovered: &Value, stream: &str, data: &Value) -> String {
    let spec = discovered["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == stream)
        .unwrap();
    let key: Vec<String> = spec["source_defined_primary_key"]
        .as_array()
        .unwrap()
        .iter()
        .map(|path| {
            let mut v = data;
            for p in path.as_array().unwrap() {
                v = &v[p.as_str().unwrap()];
            }
            assert!(
                !v.is_null(),
                "{stream}: primary key {path} missing in {data}"
            );
            v.to_string()
        })
        .collect();
    format!("{stream}|{}", key.join("|"))
}

/// Checks the message discipline of a read: per stream one STARTED first, exactly one
/// terminal status last, and each state's recordCount = the stream's records since its
/// previous state.
fn assert_read_discipline(lines: &[Value], streams: &[&str]) {
    for stream in streams {
        let st = statuses(lines, stream);
        assert_eq!(
            st.first().map(String::as_str),
            Some("STARTED"),
            "{stream}: {st:?}"
        );
        let terminal = st
            .iter()
            .filter(|s| *s == "COMPLETE" || *s == "INCOMPLETE")
            .count();
        assert_eq!(terminal, 1, "{stream}: {st:?}");
        assert!(
            matches!(
                st.last().map(String::as_str),
                Some("COMPLETE" | "INCOMPLETE")
            ),
            "{stream}: {st:?}"
        );
    }
    let mut since: BTreeMap<String, u64> = BTreeMap::new();
    let mut done: BTreeSet<String> = BTreeSet::new();
    for l in lines {
        match l["type"].as_str().unwrap() {
            "RECORD" => {
                let s = l["record"]["stream"].as_str().unwrap();
                assert!(streams.contains(&s), "unselected stream {s}");
                assert!(!done.contains(s), "record of {s} after its terminal status");
                assert!(l["record"]["emitted_at"].as_i64().unwrap() > 1_000_000_000_000);
                *since.entry(s.to_string()).or_default() += 1;
            }
            "STATE" => {
                assert_eq!(l["state"]["type"], "STREAM");
                let s = l["state"]["stream"]["stream_descriptor"]["name"]
                    .as_str()
                    .unwrap();
                let count = l["state"]["sourceStats"]["recordCount"].as_f64().unwrap();
                assert_eq!(count as u64, since.remove(s).unwrap_or(0), "{s}");
            }
            "TRACE" if l["trace"]["type"] == "STREAM_STATUS" => {
                let ss = &l["trace"]["stream_status"];
                if ss["status"] == "COMPLETE" || ss["status"] == "INCOMPLETE" {
                    done.insert(ss["stream_descriptor"]["name"].as_str().unwrap().into());
                }
            }
            _ => {}
        }
    }
}

// ----- spec, check, discover -------------------------------------------------------------

#[tokio::test]
async fn spec_validates_the_demo_config() {
    let (code, lines) = connector(&["spec"], RunOptions::default()).await;
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["type"], "SPEC");
    let spec = &lines[0]["spec"]["connectionSpecification"];
    let validator = jsonschema::draft7::new(spec).expect("the spec is a valid schema");

    let demo = demo::start(NOW).await;
    let config = config_json(&demo);
    let errs: Vec<String> = validator
        .iter_errors(&config)
        .map(|e| e.to_string())
        .collect();
    assert!(errs.is_empty(), "{config}: {errs:?}");

    // Each credential mode of the library validates; mistakes do not.
    for creds in [
        json!({"auth_type": "self_built", "app_id": "cli_1", "app_secret": "s"}),
        json!({"auth_type": "store_app", "app_id": "cli_1", "app_secret": "s", "tenant_key": "t", "app_ticket": "x"}),
        json!({"auth_type": "app_access_token", "app_access_token": "a-1", "tenant_key": "t"}),
        json!({"auth_type": "tenant_access_token", "tenant_access_token": "t-1"}),
    ] {
        let c = json!({"domain": "lark", "credentials": creds, "contact": {}});
        assert!(validator.is_valid(&c), "{c}");
        feishu_sync::SourceConfig::from_json_str(&c.to_string()).expect("the library agrees");
    }
    for bad in [
        json!({"credentials": {"auth_type": "self_built", "app_id": "cli_1"}, "contact": {}}),
        json!({"credentials": {"auth_type": "oauth", "token": "x"}, "contact": {}}),
        json!({"credentials": {"auth_type": "tenant_access_token", "tenant_access_token": "t"}, "contact": {}, "extra": 1}),
        json!({"credentials": {"auth_type": "tenant_access_token", "tenant_access_token": "t"}, "approval": {"approval_codes": []}}),
        json!({"credentials": {"auth_type": "tenant_access_token", "tenant_access_token": "t"}, "attendance": {"employee_type": "email"}}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
    // The settings of the library are in the spec, with their defaults, and mean the same.
    for (section, field, default) in [
        ("approval", "pending_max_age_days", json!(180)),
        ("attendance", "lookback_days", json!(7)),
    ] {
        assert_eq!(
            spec["properties"][section]["properties"][field]["default"], default,
            "{section}.{field}"
        );
    }
    let creds = json!({"auth_type": "tenant_access_token", "tenant_access_token": "t"});
    let tables =
        json!({"credentials": creds, "bitable": {"app_token": "bas1", "table_ids": ["t1", "t2"]}});
    assert!(validator.is_valid(&tables), "{tables}");
    feishu_sync::SourceConfig::from_json_str(&tables.to_string()).expect("the library agrees");
    let every = json!({"credentials": creds, "bitable": {"app_token": "bas1"}});
    assert!(validator.is_valid(&every), "{every}");
    let both = json!({"credentials": creds, "bitable": {"app_token": "bas1", "table_id": "t1", "table_ids": ["t2"]}});
    assert!(!validator.is_valid(&both), "{both}");
    assert!(feishu_sync::SourceConfig::from_json_str(&both.to_string()).is_err());
    // Secrets are marked.
    let options = spec["properties"]["credentials"]["oneOf"]
        .as_array()
        .unwrap();
    let secrets: BTreeSet<String> = options
        .iter()
        .flat_map(|o| o["properties"].as_object().unwrap().iter())
        .filter(|(_, p)| p["airbyte_secret"] == true)
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(
        secrets,
        [
            "app_access_token",
            "app_secret",
            "app_ticket",
            "tenant_access_token"
        ]
        .map(String::from)
        .into()
    );
}

#[tokio::test]
async fn check_reports_success_and_the_missing_scope() {
    let demo = demo::start(NOW).await;
    let dir = scratch_dir();
    let config = write_json(&dir, "config.json", &config_json(&demo));

    let (code, lines) = connector(&["check", "--config", &config], options(NOW)).await;
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["connectionStatus"]["status"], "SUCCEEDED");

    demo.tenant
        .forbid("/open-apis/approval/", "approval:approval:readonly");
    let (code, lines) = connector(&["check", "--config", &config], options(NOW)).await;
    assert_eq!(code, 0, "a FAILED status is the answer, not a crash");
    assert_eq!(lines.len(), 1);
    let status = &lines[0]["connectionStatus"];
    assert_eq!(status["status"], "FAILED");
    let message = status["message"].as_str().unwrap();
    assert!(message.starts_with("approval: FAILED"), "{message}");
    assert!(message.contains("approval:approval:readonly"), "{message}");
    assert!(
        !message.contains("contact"),
        "only failing modules: {message}"
    );
    assert!(
        !message.contains(demo.tenant.app_secret()),
        "no secret in messages"
    );

    // A broken config is a FAILED status too.
    let broken = write_json(&dir, "broken.json", &json!({"credentials": {}}));
    let (code, lines) = connector(&["check", "--config", &broken], options(NOW)).await;
    assert_eq!(code, 0);
    assert_eq!(lines[0]["connectionStatus"]["status"], "FAILED");
    assert!(
        lines[0]["connectionStatus"]["message"]
            .as_str()
            .unwrap()
            .contains("auth_type")
    );
}

#[tokio::test]
async fn discover_lists_every_stream() {
    let demo = demo::start(NOW).await;
    let dir = scratch_dir();
    let config = write_json(&dir, "config.json", &config_json(&demo));
    let catalog = discover(&config).await;
    let streams = catalog["streams"].as_array().unwrap();
    let names: Vec<&str> = streams
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = feishu_sync::all_streams().iter().map(|s| s.name).collect();
    assert_eq!(names, expected);
    for s in streams {
        let spec = feishu_sync::all_streams()
            .into_iter()
            .find(|x| x.name == s["name"])
            .unwrap();
        let incremental = spec.cursor_field.is_some();
        assert_eq!(
            s["supported_sync_modes"],
            if incremental {
                json!(["full_refresh", "incremental"])
            } else {
                json!(["full_refresh"])
            },
            "{}",
            s["name"]
        );
        assert_eq!(s["source_defined_cursor"], incremental);
        assert_eq!(
            s.get("default_cursor_field").cloned(),
            spec.cursor_field.map(|c| json!(c))
        );
        assert_eq!(s["source_defined_primary_key"], json!(spec.primary_key));
        assert_eq!(s["json_schema"], spec.json_schema);
    }
    // A config with one module discovers that module's streams only.
    let mut one = config_json(&demo);
    for key in ["approval", "bitable", "attendance"] {
        one.as_object_mut().unwrap().remove(key);
    }
    let config = write_json(&dir, "contact.json", &one);
    let catalog = discover(&config).await;
    assert_eq!(catalog["streams"].as_array().unwrap().len(), 1);
    // An invalid config is a TRACE error.
    let broken = write_json(
        &dir,
        "broken.json",
        &json!({"credentials": {"auth_type": "self_built"}}),
    );
    let (code, lines) = connector(&["discover", "--config", &broken], options(NOW)).await;
    assert_eq!(code, 1);
    let errs = errors(&lines);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0]["failure_type"], "config_error");
}

// ----- read --------------------------------------------------------------------------------

#[tokio::test]
async fn full_then_incremental_read_of_the_demo() {
    let demo = demo::start(NOW).await;
    let dir = scratch_dir();
    let config_value = config_json(&demo);
    let config = write_json(&dir, "config.json", &config_value);
    let discovered = discover(&config).await;
    let catalog = write_json(&dir, "catalog.json", &configure_all(&discovered));
    let all: Vec<&str> = feishu_sync::all_streams().iter().map(|s| s.name).collect();

    // 1. A full first read.
    let (code, first) = connector(
        &["read", "--config", &config, "--catalog", &catalog],
        options(NOW),
    )
    .await;
    assert_eq!(code, 0, "{:?}", errors(&first));
    assert_read_discipline(&first, &all);
    for stream in &all {
        assert_eq!(
            statuses(&first, stream).last().map(String::as_str),
            Some("COMPLETE")
        );
        let recs = records(&first, stream);
        assert!(!recs.is_empty(), "{stream} has records");
        // The primary key is in every record.
        let ids: BTreeSet<String> = recs
            .iter()
            .map(|r| identity(&discovered, stream, r))
            .collect();
        assert!(!ids.is_empty());
        assert!(
            of_type(&first, "STATE")
                .iter()
                .any(|s| s["state"]["stream"]["stream_descriptor"]["name"] == *stream),
            "{stream} has a state"
        );
    }
    // Ground truth: every approval instance of the window.
    let start = NOW - demo::DEMO_DAYS * DAY_MS;
    let expected_instances: usize = demo
        .tenant
        .approval()
        .approval_codes()
        .iter()
        .map(|c| demo.tenant.approval().instance_count(c, start, NOW))
        .sum();
    let instances: BTreeSet<&str> = records(&first, "approval_instances")
        .iter()
        .map(|r| r["instance_code"].as_str().unwrap())
        .collect();
    assert!(expected_instances > 0);
    assert!(
        instances.len() <= expected_instances && instances.len() + 40 >= expected_instances,
        "{} of {expected_instances} (deleted ones are skipped)",
        instances.len()
    );

    // The states merge back into one feishu-sync state.
    let mut saved = BTreeMap::new();
    last_states(&first, &mut saved);
    let mut merged = serde_json::Map::new();
    for state in saved.values() {
        merged.extend(state["stream"]["stream_state"].as_object().unwrap().clone());
    }
    let merged_state = feishu_sync::SyncState::from_json(&Value::Object(merged).to_string())
        .expect("merged stream states are a SyncState");
    assert_eq!(merged_state.approval.len(), 2);
    let approval_cursor = merged_state.approval.values().next().unwrap().cursor_ms;
    assert_eq!(approval_cursor, Some(NOW));
    let pending: BTreeSet<String> = merged_state
        .approval
        .values()
        .flat_map(|a| a.pending.keys().cloned())
        .collect();
    let attendance_cursor = merged_state.attendance.as_ref().unwrap().cursor_ms.unwrap();
    assert_eq!(attendance_cursor, NOW);

    // 2. An incremental read an hour later from the emitted states.
    let later = NOW + 3_600_000;
    let state = write_json(&dir, "state.json", &state_array(&saved));
    let (code, second) = connector(
        &[
            "read",
            "--config",
            &config,
            "--catalog",
            &catalog,
            "--state",
            &state,
        ],
        options(later),
    )
    .await;
    assert_eq!(code, 0, "{:?}", errors(&second));
    assert_read_discipline(&second, &all);
    let lookback = config_value["approval"]["lookback_days"].as_i64().unwrap() * DAY_MS;
    let approval_streams = [
        "approval_instances_raw",
        "approval_instances",
        "approval_instance_fields",
        "approval_tasks",
        "approval_timeline",
    ];
    let mut older_pending = 0;
    for stream in approval_streams {
        for r in records(&second, stream) {
            let started = r["start_time"].as_i64().unwrap();
            if started < NOW - lookback {
                // Only instances pending at the last run come back from before the lookback.
                assert!(
                    pending.contains(r["instance_code"].as_str().unwrap()),
                    "{stream}: {r} is older than the lookback and was not pending"
                );
                older_pending += 1;
            }
        }
    }
    assert!(older_pending > 0, "pending instances are re-read");
    // Attendance re-reads its lookback (default 7 days) for back-dated corrections.
    let attendance_lookback = config_value["attendance"]["lookback_days"]
        .as_i64()
        .unwrap_or(7)
        * DAY_MS;
    for r in records(&second, "attendance_user_flows") {
        let at = r["check_time"].as_i64().unwrap() * 1000;
        assert!(
            at >= attendance_cursor - attendance_lookback,
            "{r} is older than the lookback before the cursor"
        );
    }
    let second_instances = records(&second, "approval_instances").len();
    assert!(
        second_instances < instances.len(),
        "{second_instances} < {}",
        instances.len()
    );

    // 3. full_refresh on an incremental stream ignores its stored state.
    let full = write_json(
        &dir,
        "full.json",
        &configure(&discovered, &[("approval_instances", "full_refresh")]),
    );
    let (code, third) = connector(
        &[
            "read",
            "--config",
            &config,
            "--catalog",
            &full,
            "--state",
            &state,
        ],
        options(NOW),
    )
    .await;
    assert_eq!(code, 0);
    assert_read_discipline(&third, &["approval_instances"]);
    assert_eq!(records(&third, "approval_instances").len(), instances.len());
    assert!(
        of_type(&third, "LOG").iter().any(|l| l["log"]["message"]
            .as_str()
            .unwrap()
            .contains("full_refresh")),
        "the ignored state is logged"
    );
}

#[tokio::test]
async fn a_state_in_the_future_returns_no_records() {
    let demo = demo::start(NOW).await;
    let dir = scratch_dir();
    let config = write_json(&dir, "config.json", &config_json(&demo));
    let discovered = discover(&config).await;
    let picks = [
        ("approval_instances", "incremental"),
        ("approval_tasks", "incremental"),
        ("attendance_user_flows", "incremental"),
    ];
    let catalog = write_json(&dir, "catalog.json", &configure(&discovered, &picks));
    let future = NOW + 100 * 365 * DAY_MS;
    let codes = demo.tenant.approval().approval_codes();
    let approval: serde_json::Map<String, Value> = codes
        .iter()
        .map(|c| (c.clone(), json!({"cursor_ms": future})))
        .collect();
    let sync_state = json!({
        "version": 1,
        "approval": approval,
        "attendance": {"employee_type": "employee_id", "cursor_ms": future},
    });
    let per_stream: Vec<Value> = picks
        .iter()
        .map(|(name, _)| {
            json!({"type": "STREAM", "stream": {
                "stream_descriptor": {"name": name},
                "stream_state": sync_state,
            }})
        })
        .collect();
    // The platform's per-stream array and the legacy single object are both accepted.
    for (name, state) in [
        ("array.json", Value::Array(per_stream)),
        ("legacy.json", sync_state.clone()),
        (
            "legacy-message.json",
            json!({"type": "LEGACY", "data": sync_state}),
        ),
    ] {
        let state = write_json(&dir, name, &state);
        let (code, lines) = connector(
            &[
                "read",
                "--config",
                &config,
                "--catalog",
                &catalog,
                "--state",
                &state,
            ],
            options(NOW),
        )
        .await;
        assert_eq!(code, 0, "{name}: {:?}", errors(&lines));
        assert!(of_type(&lines, "RECORD").is_empty(), "{name}");
        let states = of_type(&lines, "STATE");
        assert!(!states.is_empty(), "{name}");
        // Every stream ends with its state, and the cursors stay in the future
        // (attendance keeps its day of overlap).
        for (stream, _) in picks {
            let last = states
                .iter()
                .rev()
                .find(|s| s["state"]["stream"]["stream_descriptor"]["name"] == stream)
                .unwrap_or_else(|| panic!("{name}: no state for {stream}"));
            let blob = &last["state"]["stream"]["stream_state"];
            let cursor = if stream.starts_with("approval") {
                &blob["approval"][&codes[0]]["cursor_ms"]
            } else {
                &blob["attendance"]["cursor_ms"]
            };
            let cursor = cursor.as_i64().unwrap_or_else(|| panic!("{name}: {blob}"));
            assert!(cursor >= future - DAY_MS, "{name}: {stream}: {cursor}");
        }
        assert_read_discipline(&lines, &picks.map(|p| p.0));
    }
}

#[tokio::test]
async fn an_invalid_catalog_is_a_trace_error() {
    let demo = demo::start(NOW).await;
    let dir = scratch_dir();
    let mut contact_only = config_json(&demo);
    for key in ["approval", "bitable", "attendance"] {
        contact_only.as_object_mut().unwrap().remove(key);
    }
    let config = write_json(&dir, "config.json", &contact_only);
    let contact = json!({"name": "contact_users", "json_schema": {}, "supported_sync_modes": ["full_refresh"]});
    let cases = [
        (
            "unknown",
            json!({"streams": [{"stream": {"name": "no_such_stream", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                "sync_mode": "full_refresh", "destination_sync_mode": "append"}]}),
            "no_such_stream",
        ),
        (
            "unselected-module",
            json!({"streams": [{"stream": {"name": "bitable_records", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                "sync_mode": "full_refresh", "destination_sync_mode": "append"}]}),
            "`bitable` section",
        ),
        (
            "bad-mode",
            json!({"streams": [{"stream": contact, "sync_mode": "incremental", "destination_sync_mode": "append"}]}),
            "full_refresh only",
        ),
        ("not-a-catalog", json!({"streams": 3}), "catalog is invalid"),
    ];
    for (name, catalog, needle) in cases {
        let catalog = write_json(&dir, &format!("{name}.json"), &catalog);
        let (code, lines) = connector(
            &["read", "--config", &config, "--catalog", &catalog],
            options(NOW),
        )
        .await;
        assert_eq!(code, 1, "{name}");
        assert!(of_type(&lines, "RECORD").is_empty());
        let errs = errors(&lines);
        assert_eq!(errs.len(), 1, "{name}: {lines:?}");
        assert_eq!(errs[0]["failure_type"], "config_error");
        let message = errs[0]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{name}: {message}");
    }
    // A missing file and a broken state are TRACE errors too.
    let good = write_json(
        &dir,
        "good.json",
        &json!({"streams": [{"stream": contact, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}),
    );
    let broken_state = write_json(
        &dir,
        "state.json",
        &json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "contact_users"}, "stream_state": {"version": 99}}}]),
    );
    for args in [
        vec![
            "read",
            "--config",
            &config,
            "--catalog",
            "/nonexistent/catalog.json",
        ],
        vec![
            "read",
            "--config",
            &config,
            "--catalog",
            &good,
            "--state",
            &broken_state,
        ],
    ] {
        let (code, lines) = connector(&args, options(NOW)).await;
        assert_eq!(code, 1);
        assert_eq!(errors(&lines).len(), 1, "{lines:?}");
    }
    // A bad command line is a TRACE error and exit status 2.
    let (code, lines) = connector(&["read", "--config", &config], options(NOW)).await;
    assert_eq!(code, 2);
    assert_eq!(errors(&lines).len(), 1);
}

#[tokio::test]
async fn a_failing_module_ends_incomplete_with_a_trace_error() {
    let demo = demo::start(NOW).await;
    let dir = scratch_dir();
    let config = write_json(&dir, "config.json", &config_json(&demo));
    let discovered = discover(&config).await;
    let picks = [
        ("bitable_records", "full_refresh"),
        ("contact_users", "full_refresh"),
    ];
    let catalog = write_json(&dir, "catalog.json", &configure(&discovered, &picks));
    demo.tenant
        .forbid("/open-apis/bitable/", "bitable:app:readonly");
    let (code, lines) = connector(
        &["read", "--config", &config, "--catalog", &catalog],
        options(NOW),
    )
    .await;
    assert_eq!(code, 1);
    assert_read_discipline(&lines, &picks.map(|p| p.0));
    assert_eq!(
        statuses(&lines, "bitable_records")
            .last()
            .map(String::as_str),
        Some("INCOMPLETE")
    );
    assert_eq!(
        statuses(&lines, "contact_users").last().map(String::as_str),
        Some("COMPLETE"),
        "the other modules go on"
    );
    assert!(!records(&lines, "contact_users").is_empty());
    let errs = errors(&lines);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0]["stream_descriptor"]["name"], "bitable_records");
    assert_eq!(errs[0]["failure_type"], "config_error");
    let message = errs[0]["message"].as_str().unwrap();
    assert!(message.contains("bitable:app:readonly"), "{message}");
    // The error comes after everything else.
    assert_eq!(lines.last().unwrap()["trace"]["type"], "ERROR");
}

#[tokio::test]
async fn an_unreadable_approval_instance_is_reported_and_the_read_succeeds() {
    let demo = demo::start(NOW).await;
    let knobs = demo.tenant.approval();
    let start = NOW - demo::DEMO_DAYS * DAY_MS;
    let as_string = knobs.add_malformed_instance(
        APPROVAL_CODE_PURCHASE,
        NOW - 7_200_000,
        MalformedTaskList::String,
    );
    let as_object = knobs.add_malformed_instance(
        APPROVAL_CODE_PURCHASE,
        NOW - 3_600_000,
        MalformedTaskList::Object,
    );
    let denied = knobs.instance_codes(APPROVAL_CODE_PURCHASE, start, NOW - 1)[0].clone();
    assert!(knobs.deny_instance(&denied));
    let dir = scratch_dir();
    let config = write_json(&dir, "config.json", &config_json(&demo));
    let discovered = discover(&config).await;
    let picks = [
        ("approval_instances_raw", "full_refresh"),
        ("approval_instances", "full_refresh"),
        ("approval_tasks", "full_refresh"),
    ];
    let catalog = write_json(&dir, "catalog.json", &configure(&discovered, &picks));
    let (code, lines) = connector(
        &["read", "--config", &config, "--catalog", &catalog],
        options(NOW),
    )
    .await;
    assert_eq!(code, 0, "{:?}", errors(&lines));
    assert_read_discipline(&lines, &picks.map(|p| p.0));
    for (stream, _) in picks {
        assert_eq!(
            statuses(&lines, stream).last().map(String::as_str),
            Some("COMPLETE")
        );
    }
    // Every instance of the purchase window is there but the denied one.
    let mut expected: BTreeSet<String> = knobs
        .instance_codes(APPROVAL_CODE_PURCHASE, start, NOW - 1)
        .into_iter()
        .collect();
    expected.remove(&denied);
    let got: BTreeSet<String> = records(&lines, "approval_instances")
        .iter()
        .filter(|r| r["approval_code"] == APPROVAL_CODE_PURCHASE)
        .map(|r| r["instance_code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, expected);
    // The malformed ones: raw data as sent, and what could not be read.
    for code in [&as_string, &as_object] {
        let raw = records(&lines, "approval_instances_raw")
            .into_iter()
            .find(|r| r["instance_code"] == code.as_str())
            .unwrap();
        assert_eq!(raw["data"], knobs.instance(code).unwrap());
        assert!(raw["decode_error"].as_str().unwrap().contains("task_list"));
    }
    // The denied one is named in a warning.
    let warned = of_type(&lines, "LOG").into_iter().any(|l| {
        let message = l["log"]["message"].as_str().unwrap_or_default();
        l["log"]["level"] == "WARN" && message.contains(denied.as_str())
    });
    assert!(warned, "{:?}", of_type(&lines, "LOG"));
}

#[tokio::test]
async fn rate_limits_are_reported_on_the_waiting_streams() {
    let demo = demo::start(NOW).await;
    let dir = scratch_dir();
    let config = write_json(&dir, "config.json", &config_json(&demo));
    let discovered = discover(&config).await;
    let picks = [
        ("bitable_records", "full_refresh"),
        ("contact_users", "full_refresh"),
    ];
    let catalog = write_json(&dir, "catalog.json", &configure(&discovered, &picks));
    demo.tenant.set_rate_limit_reset(Duration::from_millis(100));
    // The first data requests hit Feishu's limit (modules run side by side, so which
    // module's requests they are is read back from the tenant's journal).
    demo.tenant.fail_next(2, Fault::RateLimited);
    let (code, lines) = connector(
        &["read", "--config", &config, "--catalog", &catalog],
        options(NOW),
    )
    .await;
    assert_eq!(code, 0, "{:?}", errors(&lines));
    assert_read_discipline(&lines, &picks.map(|p| p.0));
    let waited: std::collections::BTreeSet<&str> = demo
        .tenant
        .journal()
        .iter()
        .filter(|e| e.status == 429)
        .map(|e| {
            if e.path.contains("/bitable/") {
                "bitable_records"
            } else {
                "contact_users"
            }
        })
        .collect();
    assert!(!waited.is_empty());
    let limited: Vec<&Value> = of_type(&lines, "TRACE")
        .into_iter()
        .filter(|l| l["trace"]["stream_status"]["reasons"][0]["type"] == "RATE_LIMITED")
        .collect();
    assert!(!limited.is_empty(), "a RATE_LIMITED reason is reported");
    for l in &limited {
        let ss = &l["trace"]["stream_status"];
        let name = ss["stream_descriptor"]["name"].as_str().unwrap();
        assert!(waited.contains(name), "{name} did not wait: {waited:?}");
        assert_eq!(ss["status"], "RUNNING");
        let reset = ss["reasons"][0]["rate_limited"]["quota_reset"]
            .as_i64()
            .unwrap();
        assert!(reset > 1_000_000_000_000, "a Unix ms time: {reset}");
        // Reported between the stream's STARTED and its COMPLETE.
        let at = |status: &str| {
            lines
                .iter()
                .position(|x| {
                    x["trace"]["stream_status"]["status"] == status
                        && x["trace"]["stream_status"]["stream_descriptor"]["name"] == name
                })
                .unwrap()
        };
        let here = lines.iter().position(|x| std::ptr::eq(x, *l)).unwrap();
        assert!(at("STARTED") < here && here < at("COMPLETE"));
    }
}

/// A writer that "crashes" right after the `limit`-th record line.
struct CutAfter {
    limit: usize,
    records: usize,
    pending: Vec<u8>,
    lines: Vec<Value>,
    cut: bool,
}

impl Write for CutAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.cut {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "cut"));
        }
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let value: Value = serde_json::from_slice(&line).unwrap();
            let is_record = value["type"] == "RECORD";
            self.lines.push(value);
            if is_record {
                self.records += 1;
                if self.records >= self.limit {
                    self.cut = true;
                    self.pending.clear();
                    break;
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn states_resume_without_loss_after_cuts() {
    let demo = demo::start(NOW).await;
    demo.tenant
        .approval()
        .set_dataset(ApprovalDataset::default().now_ms(NOW).instances(40, 20));
    let dir = scratch_dir();
    let mut config_value = config_json(&demo);
    // Without a lookback each resume continues exactly at its cursor (the lookback is
    // checked by full_then_incremental_read_of_the_demo).
    config_value["approval"]["lookback_days"] = json!(0);
    let users: Vec<String> = demo
        .tenant
        .contact()
        .user_ids("user_id")
        .into_iter()
        .take(4)
        .collect();
    config_value["attendance"]["employee_ids"] = json!(users);
    let config = write_json(&dir, "config.json", &config_value);
    let discovered = discover(&config).await;
    let picks = [
        ("approval_instances", "incremental"),
        ("approval_tasks", "incremental"),
        ("approval_timeline", "incremental"),
        ("bitable_records", "full_refresh"),
        ("attendance_user_flows", "incremental"),
    ];
    let catalog = write_json(&dir, "catalog.json", &configure(&discovered, &picks));
    let opts = || RunOptions {
        checkpoint_every: Some(3),
        ..options(NOW)
    };
    let args = |state: Option<&str>| {
        let mut a: Vec<String> = ["read", "--config", &config, "--catalog", &catalog]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if let Some(s) = state {
            a.extend(["--state".to_string(), s.to_string()]);
        }
        a
    };

    // The clean run.
    let (code, clean) = connector(
        &args(None).iter().map(String::as_str).collect::<Vec<_>>(),
        opts(),
    )
    .await;
    assert_eq!(code, 0);
    let ids = |lines: &[Value]| -> BTreeSet<String> {
        of_type(lines, "RECORD")
            .iter()
            .map(|l| {
                let r = &l["record"];
                identity(&discovered, r["stream"].as_str().unwrap(), &r["data"])
            })
            .collect()
    };
    let expected = ids(&clean);
    let total = of_type(&clean, "RECORD").len();

    // Runs cut after every N-th record, each resuming from the states saved so far.
    for n in [total / 3, total / 2] {
        let mut saved: BTreeMap<String, Value> = BTreeMap::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut cuts = 0;
        let mut finished = false;
        for _ in 0..30 {
            let state =
                (!saved.is_empty()).then(|| write_json(&dir, "resume.json", &state_array(&saved)));
            let mut out = CutAfter {
                limit: n,
                records: 0,
                pending: Vec::new(),
                lines: Vec::new(),
                cut: false,
            };
            let code = run(
                args(state.as_deref()).into_iter().map(Into::into),
                &mut out,
                opts(),
            )
            .await;
            assert_protocol_valid(&out.lines);
            last_states(&out.lines, &mut saved);
            seen.extend(ids(&out.lines));
            if !out.cut {
                assert_eq!(code, 0);
                finished = true;
                break;
            }
            assert_eq!(code, 1, "a cut output fails the run");
            cuts += 1;
        }
        assert!(finished, "N = {n}: no progress after {cuts} cuts");
        assert!(cuts >= 2, "N = {n}: cut {cuts} times");
        let missing: Vec<&String> = expected.difference(&seen).collect();
        assert!(
            missing.is_empty(),
            "N = {n}: {} records lost, e.g. {:?}",
            missing.len(),
            missing.iter().take(3).collect::<Vec<_>>()
        );
    }
}
