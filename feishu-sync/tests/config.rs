//! Bad configs and bad states are rejected before any request, naming the field.

mod common;

use feishu_sync::{ReadOptions, Source, SourceConfig, SyncError, SyncState};
use serde_json::json;

fn field_of(e: SyncError) -> String {
    match e {
        SyncError::Config { field, .. } | SyncError::State { field, .. } => field,
        other => panic!("expected a config/state error, got {other:?}"),
    }
}

fn base() -> serde_json::Value {
    json!({
        "domain": "feishu",
        "credentials": {"auth_type": "self_built", "app_id": "cli_1", "app_secret": "s3cret-value"},
        "contact": {},
    })
}

fn parse(v: &serde_json::Value) -> Result<SourceConfig, SyncError> {
    SourceConfig::from_json_str(&v.to_string())
}

#[test]
fn valid_json_and_toml_configs_parse() {
    let c = parse(&base()).unwrap();
    assert!(c.contact.is_some());
    let toml = r#"
        domain = "lark"
        [credentials]
        auth_type = "store_app"
        app_id = "cli_1"
        app_secret = "x"
        tenant_key = "t1"
        [approval]
        approval_codes = ["A"]
        start_date = "2026-01-01T00:00:00+08:00"
        [bitable]
        app_token = "bascn1"
        table_id = "tbl1"
    "#;
    let c = SourceConfig::from_toml_str(toml).unwrap();
    let bitable = c.bitable.as_ref().unwrap();
    assert_eq!(bitable.tables(), Some(vec!["tbl1".to_string()]));
    let approval = c.approval.as_ref().unwrap();
    assert_eq!(approval.pending_max_age_days, 180);
    let c = SourceConfig::from_toml_str(
        &toml.replace("table_id = \"tbl1\"", "table_ids = [\"tbl1\", \"tbl2\"]"),
    )
    .unwrap();
    assert_eq!(c.bitable.as_ref().unwrap().tables().unwrap().len(), 2);
    let all = SourceConfig::from_toml_str(&toml.replace("table_id = \"tbl1\"", "")).unwrap();
    assert_eq!(
        all.bitable.unwrap().tables(),
        None,
        "every table of the Base"
    );
    let c = SourceConfig::from_toml_str(&toml.replace(
        "[bitable]",
        "[attendance]\nemployee_type = \"employee_no\"\n[bitable]",
    ))
    .unwrap();
    assert_eq!(c.attendance.unwrap().lookback_days, 7);
    let c = SourceConfig::from_toml_str(toml).unwrap();
    assert_eq!(c.approval.unwrap().lookback_days, 7);
    assert_eq!(c.credentials.auth_type(), "store_app");
}

#[test]
fn bad_configs_name_the_field() {
    let mut v = base();
    v["credentials"]["auth_type"] = json!("oauth");
    assert_eq!(field_of(parse(&v).unwrap_err()), "credentials.auth_type");

    let mut v = base();
    v["bitable"] = json!({"table_id": "tbl1"});
    let e = parse(&v).unwrap_err();
    assert!(e.to_string().contains("app_token"), "{e}");

    let mut v = base();
    v["bitable"] = json!({"app_token": " ", "table_id": "tbl1"});
    assert_eq!(field_of(parse(&v).unwrap_err()), "bitable.app_token");

    let mut v = base();
    v["approval"] = json!({"approval_codes": []});
    assert_eq!(field_of(parse(&v).unwrap_err()), "approval.approval_codes");

    let mut v = base();
    v["approval"] = json!({"approval_codes": ["A"], "start_date": "yesterday"});
    assert_eq!(field_of(parse(&v).unwrap_err()), "approval.start_date");

    let mut v = base();
    v["attendance"] = json!({"employee_type": "employee_id", "start_date": "2026-13-01"});
    assert_eq!(field_of(parse(&v).unwrap_err()), "attendance.start_date");

    let mut v = base();
    v["domain"] = json!("http://example.com");
    assert_eq!(field_of(parse(&v).unwrap_err()), "domain");

    let mut v = base();
    v.as_object_mut().unwrap().remove("contact");
    assert!(parse(&v).is_err(), "no module selected");

    let mut v = base();
    v["contact"] = json!({"user_id_type": "email"});
    assert_eq!(field_of(parse(&v).unwrap_err()), "contact.user_id_type");

    let mut v = base();
    v["bitable"] = json!({"app_token": "bas1", "table_id": "tbl1", "table_ids": ["tbl2"]});
    assert_eq!(field_of(parse(&v).unwrap_err()), "bitable.table_ids");

    let mut v = base();
    v["bitable"] = json!({"app_token": "bas1", "table_ids": ["tbl1", "tbl2"], "view_id": "vew1"});
    assert_eq!(field_of(parse(&v).unwrap_err()), "bitable.view_id");

    let mut v = base();
    v["approval"] = json!({"approval_codes": ["A"], "pending_max_age_days": 0});
    assert_eq!(
        field_of(parse(&v).unwrap_err()),
        "approval.pending_max_age_days"
    );

    let mut v = base();
    v["attendance"] = json!({"employee_type": "employee_id", "lookback_days": 5000});
    assert_eq!(field_of(parse(&v).unwrap_err()), "attendance.lookback_days");

    let mut v = base();
    v["unexpected"] = json!(1);
    assert!(parse(&v).unwrap_err().to_string().contains("unexpected"));
}

#[test]
fn missing_secret_names_the_field_and_the_environment_variable() {
    // Runs only when the variable is unset in the test environment.
    if std::env::var_os("FEISHU_TENANT_ACCESS_TOKEN").is_some() {
        return;
    }
    let v = json!({"credentials": {"auth_type": "tenant_access_token"}, "contact": {}});
    let e = parse(&v).unwrap_err();
    assert_eq!(
        field_of(SourceConfig::from_json_str(&v.to_string()).unwrap_err()),
        "credentials.tenant_access_token"
    );
    assert!(e.to_string().contains("FEISHU_TENANT_ACCESS_TOKEN"), "{e}");
}

#[test]
fn config_debug_does_not_show_secrets() {
    let c = parse(&base()).unwrap();
    assert!(!format!("{c:?}").contains("s3cret-value"));
    let out = serde_json::to_string(&c).unwrap();
    assert!(
        !out.contains("s3cret-value"),
        "secrets are not serialised back"
    );
}

#[test]
fn bad_states_name_the_field() {
    let e = SyncState::from_json("{").unwrap_err();
    assert_eq!(field_of(e), "state");
    let e = SyncState::from_json(r#"{"version": 99}"#).unwrap_err();
    assert_eq!(field_of(e), "state.version");
    let e = SyncState::from_json(r#"{"approval": {}}"#).unwrap_err();
    assert_eq!(field_of(e), "state.version");
    let e = SyncState::from_json(r#"{"version": 1, "bitable": {"app_token": 3}}"#).unwrap_err();
    assert_eq!(field_of(e), "state");
}

#[tokio::test]
async fn a_state_of_another_table_is_rejected_before_reading() {
    let t = common::tenant(5, 0, 1).await;
    let source = common::source(&t);
    let state = SyncState::from_json(
        r#"{"version":1,"bitable":{"app_token":"bascnOTHER","table_id":"tblOTHER"}}"#,
    )
    .unwrap();
    let err = source
        .read(ReadOptions::default().state(state))
        .err()
        .expect("rejected");
    assert_eq!(field_of(err), "bitable.app_token");
    assert_eq!(t.tenant.request_count(), 0);
    let err = source
        .read(ReadOptions::default().streams(["no_such_stream"]))
        .err()
        .expect("rejected");
    assert!(matches!(err, SyncError::UnknownStream(_)));
    let _ = Source::new(t.config.clone()).unwrap();
}
