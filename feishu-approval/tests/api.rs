//! Definition GET, instance GET, instance search and the batch fetch, over HTTP.

mod common;

use feishu_core::ListRequest;
use std::collections::HashSet;

use common::{HOUR, NOW_MS, ms, q, range, setup};
use feishu_approval::{
    Approval, DecodeProblem, DefinitionStatus, InstanceCode, InstanceDetail, InstanceOutcome,
    InstanceStatus, NodeType, SearchStatus, TaskStatus, TimelineType, WidgetType,
};
use feishu_core::UserIdType;
use feishu_testkit::approval::{
    APPROVAL_CODE_DELETED, APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, MalformedTaskList,
    PURCHASE_WIDGET_TYPES, TIMELINE_TYPES,
};
use futures::{StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};

/// The `data` a detail keeps, as a JSON value.
fn raw(detail: &InstanceDetail) -> Value {
    serde_json::from_str(detail.raw().get()).unwrap()
}

/// Every instance of `codes`, fetched by one batch; panics on a failure.
async fn fetch_all(
    approval: &Approval,
    codes: &[String],
    concurrency: usize,
) -> Vec<InstanceDetail> {
    let input: Vec<_> = codes.iter().cloned().map(Ok).collect();
    approval
        .batch_get_instances(stream::iter(input))
        .concurrency(concurrency)
        .into_stream()
        .map_ok(|outcome| outcome.into_result().unwrap())
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn definition_with_parsed_form() {
    let (tenant, approval) = setup().await;
    let def = approval
        .get_definition(APPROVAL_CODE_PURCHASE)
        .locale("en-US")
        .with_admin_id(true)
        .user_id_type(UserIdType::OpenId)
        .send()
        .await
        .unwrap();
    assert_eq!(def.approval_name, "Purchase request");
    assert_eq!(def.status, DefinitionStatus::Active);
    assert_eq!(def.node_list.len(), 3);
    assert_eq!(def.node_list[1].node_type, NodeType::Or);
    assert_eq!(def.node_list[2].node_type, NodeType::CcNode);
    assert_eq!(def.approval_admin_ids.len(), 1);
    let form = def.form_widgets();
    assert!(form.warnings.is_empty(), "{:?}", form.warnings);
    assert_eq!(form.widgets.len(), PURCHASE_WIDGET_TYPES.len());
    assert!(form.widgets.iter().all(|w| !w.widget_type.is_unknown()));
    let table = form
        .widgets
        .iter()
        .find(|w| w.widget_type == WidgetType::FieldList)
        .unwrap();
    assert_eq!(table.children.len(), 4, "fieldList columns from `children`");
    let radio = form
        .widgets
        .iter()
        .find(|w| w.widget_type == WidgetType::RadioV2)
        .unwrap();
    assert_eq!(radio.options.as_ref().unwrap().as_array().unwrap().len(), 3);
    let journal = tenant.journal();
    let query = &journal.last().unwrap().query;
    assert_eq!(q(query, "locale"), Some("en-US"));
    assert_eq!(q(query, "with_admin_id"), Some("true"));

    // Leave: fieldList columns and control-group members under `value`.
    let leave = approval
        .get_definition(APPROVAL_CODE_LEAVE)
        .send()
        .await
        .unwrap();
    let form = leave.form_widgets();
    let by_id = |id: &str| form.widgets.iter().find(|w| w.id == id).unwrap();
    assert_eq!(by_id("widget_l_handover").children.len(), 2);
    assert_eq!(by_id("widget_l_leave").children.len(), 3);
}

#[tokio::test]
async fn definition_errors() {
    let (tenant, approval) = setup().await;
    let err = approval.get_definition("NOPE").send().await.unwrap_err();
    assert_eq!(err.api_code(), Some(1390002));
    let err = approval
        .get_definition(APPROVAL_CODE_DELETED)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390016));
    let err = approval
        .get_definition(APPROVAL_CODE_PURCHASE)
        .locale("xx-XX")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390001));
    // `..` never leaves the path.
    let err = approval.get_definition("..").send().await.unwrap_err();
    assert!(matches!(err, feishu_core::Error::InvalidArgument(_)));
    tenant.forbid(
        "/open-apis/approval/v4/approvals",
        "approval:approval:readonly",
    );
    let err = approval
        .get_definition(APPROVAL_CODE_PURCHASE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(99991672));
    assert_eq!(
        err.as_api().unwrap().required_scopes(),
        vec!["approval:approval:readonly"]
    );
}

#[tokio::test]
async fn instance_typed_and_raw() {
    let (tenant, approval) = setup().await;
    let codes = tenant.approval().all_instance_codes(APPROVAL_CODE_PURCHASE);
    let code = &codes[0];
    let detail = approval
        .get_instance(code)
        .user_id_type(UserIdType::UserId)
        .locale("zh-CN")
        .send()
        .await
        .unwrap();
    let truth = tenant.approval().instance(code).unwrap();
    assert_eq!(raw(&detail), truth, "raw data kept unchanged");
    assert!(detail.problems().is_empty());
    let i = detail.instance();
    assert_eq!(i.instance_code, code.as_str());
    assert_eq!(i.approval_code, APPROVAL_CODE_PURCHASE);
    assert_eq!(
        i.start_time.map(ms),
        truth["start_time"].as_str().unwrap().parse().ok()
    );
    assert_eq!(i.status.as_str(), truth["status"].as_str().unwrap());
    assert_eq!(i.user_id, truth["user_id"].as_str().unwrap());
    assert_eq!(i.open_id, truth["open_id"].as_str().unwrap());
    assert_eq!(i.serial_number, truth["serial_number"].as_str().unwrap());
    assert!(i.department_id.starts_with("od-"));
    assert_eq!(i.end_time.is_none(), i.status == InstanceStatus::Pending);
    assert!(!i.task_list.is_empty() && !i.timeline.is_empty());
    assert_eq!(i.timeline[0].event_type, TimelineType::Start);
    assert!(
        i.extra.is_empty(),
        "every documented field is modelled: {:?}",
        i.extra
    );
    let journal = tenant.journal();
    let query = &journal.last().unwrap().query;
    assert_eq!(q(query, "user_id_type"), Some("user_id"));
    assert_eq!(q(query, "locale"), Some("zh-CN"));
    // The kept text reads back to the same instance.
    let back = InstanceDetail::from_json(detail.raw().get()).unwrap();
    assert_eq!(back, detail);
    assert_eq!(back.instance(), detail.instance());

    // The form: 40 widgets + 12 table cells, parsed once.
    let form = detail.form();
    assert!(form.warnings.is_empty(), "{:?}", form.warnings);
    assert!(std::ptr::eq(form, detail.form()), "the form is parsed once");
    assert_eq!(detail.form_rows().len(), PURCHASE_WIDGET_TYPES.len() + 12);

    // Unknown fields, statuses, timeline types and widget types are kept.
    tenant
        .approval()
        .set_instance_field(code, "brand_new_field", json!({"x": 1}));
    tenant.approval().set_instance_status(code, "REVERTED");
    let mut timeline = truth["timeline"].clone();
    timeline
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "TELEPORT", "create_time": "5"}));
    tenant
        .approval()
        .set_instance_field(code, "timeline", timeline);
    tenant
        .approval()
        .set_instance_form(code, r#"[{"id":"w","type":"hologram","value":{"a":[1]}}]"#);
    let detail = approval.get_instance(code).send().await.unwrap();
    let i = detail.instance();
    assert_eq!(i.extra["brand_new_field"], json!({"x": 1}));
    assert_eq!(i.status, InstanceStatus::Unknown("REVERTED".into()));
    assert_eq!(
        i.timeline.last().unwrap().event_type,
        TimelineType::Unknown("TELEPORT".into())
    );
    let form = detail.form();
    assert_eq!(form.widgets[0].value, json!({"a": [1]}));
    assert_eq!(form.warnings.len(), 1);
    assert_eq!(raw(&detail)["brand_new_field"], json!({"x": 1}));
}

#[tokio::test]
async fn every_status_task_status_and_timeline_type_occurs() {
    let (tenant, approval) = setup().await;
    let mut codes = tenant.approval().all_instance_codes(APPROVAL_CODE_PURCHASE);
    codes.extend(tenant.approval().all_instance_codes(APPROVAL_CODE_LEAVE));
    let details = fetch_all(&approval, &codes, 16).await;
    assert_eq!(details.len(), 360);
    let statuses: HashSet<_> = details
        .iter()
        .map(|d| d.instance().status.clone())
        .collect();
    for s in ["PENDING", "APPROVED", "REJECTED", "CANCELED", "DELETED"] {
        assert!(statuses.contains(&InstanceStatus::from(s)), "{s}");
    }
    let events: HashSet<_> = details
        .iter()
        .flat_map(|d| d.instance().timeline.iter().map(|e| e.event_type.clone()))
        .collect();
    assert_eq!(events.len(), TIMELINE_TYPES.len());
    assert!(events.iter().all(|e| !e.is_unknown()));
    let tasks: HashSet<_> = details
        .iter()
        .flat_map(|d| d.instance().task_list.iter().map(|t| t.status.clone()))
        .collect();
    assert!(tasks.contains(&TaskStatus::Transferred) && tasks.contains(&TaskStatus::Done));
    // Row helpers: indexes follow the lists.
    let d = details
        .iter()
        .find(|d| d.instance().timeline.len() == 3)
        .unwrap();
    let rows = d.timeline_rows();
    assert_eq!(
        rows.iter().map(|r| r.index).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    assert!(rows.iter().all(|r| &r.instance_code == d.code()));
    assert_eq!(d.task_rows().len(), d.instance().task_list.len());
    let with_comments = details
        .iter()
        .find(|d| d.instance().comment_list.len() == 2)
        .unwrap();
    assert_eq!(
        with_comments.comment_rows()[1].comment.files[0].title,
        "quote.pdf"
    );
    // Transfer events carry their targets, and ext decodes.
    let transfer = details
        .iter()
        .flat_map(|d| d.instance().timeline.iter())
        .find(|e| e.event_type == TimelineType::Transfer)
        .unwrap();
    assert_eq!(transfer.user_id_list.len(), 1);
    assert_eq!(
        transfer.ext_json().unwrap()["user_id_list"],
        json!(transfer.user_id_list)
    );
}

#[tokio::test]
async fn instance_errors() {
    let (tenant, approval) = setup().await;
    let err = approval
        .get_instance("NO-SUCH-INSTANCE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390003));
    let code = &tenant.approval().all_instance_codes(APPROVAL_CODE_LEAVE)[0];
    let err = approval
        .get_instance(code)
        .locale("klingon")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390001));
    let err = approval.get_instance("").send().await.unwrap_err();
    assert!(matches!(err, feishu_core::Error::InvalidArgument(_)));
    tenant.forbid("/open-apis/approval/v4/instances", "approval:instance");
    let err = approval.get_instance(code).send().await.unwrap_err();
    assert_eq!(err.api_code(), Some(99991672));
    assert_eq!(
        err.as_api().unwrap().required_scopes(),
        vec!["approval:instance"]
    );
}

#[tokio::test]
async fn batch_preserves_order_and_fetches_each_once() {
    let (tenant, approval) = setup().await;
    tenant.set_latency(std::time::Duration::from_millis(5));
    let mut codes = tenant.approval().all_instance_codes(APPROVAL_CODE_PURCHASE);
    codes.truncate(60);
    codes.reverse();
    tenant.clear_journal();
    let details: Vec<InstanceDetail> = approval
        .batch_get_instances(stream::iter(codes.clone().into_iter().map(Ok)))
        .concurrency(8)
        .user_id_type(UserIdType::UnionId)
        .into_stream()
        .map_ok(|o| o.into_result().unwrap())
        .try_collect()
        .await
        .unwrap();
    let got: Vec<&str> = details.iter().map(|d| d.code().as_str()).collect();
    assert_eq!(got, codes.iter().map(String::as_str).collect::<Vec<_>>());
    for code in &codes {
        assert_eq!(
            tenant.count_path(&format!("/open-apis/approval/v4/instances/{code}")),
            1
        );
    }
    assert!(
        tenant
            .journal()
            .iter()
            .filter(|e| e.path.starts_with("/open-apis/approval"))
            .all(|e| q(&e.query, "user_id_type") == Some("union_id"))
    );
}

#[tokio::test]
async fn an_instance_gone_or_denied_is_an_outcome_and_the_batch_goes_on() {
    let (tenant, approval) = setup().await;
    let codes = tenant.approval().all_instance_codes(APPROVAL_CODE_LEAVE)[..6].to_vec();
    assert!(tenant.approval().delete_instance(&codes[1]));
    assert!(tenant.approval().deny_instance(&codes[3]));
    let input: Vec<_> = codes
        .iter()
        .cloned()
        .chain(["..".to_string()])
        .map(Ok)
        .collect();
    let outcomes: Vec<InstanceOutcome> = approval
        .batch_get_instances(stream::iter(input))
        .concurrency(0)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 7, "one outcome per code, in order");
    for (i, outcome) in outcomes.iter().enumerate().take(6) {
        assert_eq!(outcome.code(), codes[i].as_str());
    }
    let code_of = |o: &InstanceOutcome| match o {
        InstanceOutcome::Unavailable { error, .. } => error.api_code(),
        _ => None,
    };
    assert_eq!(
        code_of(&outcomes[1]),
        Some(1390003),
        "deleted after listing"
    );
    assert_eq!(
        code_of(&outcomes[3]),
        Some(1390009),
        "not readable by the app"
    );
    assert!(matches!(
        &outcomes[6],
        InstanceOutcome::Unavailable {
            error: feishu_core::Error::InvalidArgument(_),
            ..
        }
    ));
    let fetched = outcomes
        .iter()
        .filter(|o| matches!(o, InstanceOutcome::Fetched(_)))
        .count();
    assert_eq!(fetched, 4);
}

#[tokio::test]
async fn a_module_wide_failure_ends_the_batch() {
    let (tenant, approval) = setup().await;
    let codes = tenant.approval().all_instance_codes(APPROVAL_CODE_LEAVE)[..5].to_vec();
    // A scope the app lacks fails every instance alike: one Err, then the end.
    tenant.forbid("/open-apis/approval/v4/instances", "approval:instance");
    let items: Vec<_> = approval
        .batch_get_instances(stream::iter(codes.clone().into_iter().map(Ok)))
        .into_stream()
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().api_code(), Some(99991672));
    tenant.allow_all();
    // An error in the input (a failed listing) passes through and ends the batch too.
    let input = vec![
        Ok(InstanceCode::from(codes[0].as_str())),
        Err(feishu_core::Error::invalid_argument("listing", "failed")),
        Ok(InstanceCode::from(codes[1].as_str())),
    ];
    let items: Vec<_> = approval
        .batch_get_instances(stream::iter(input))
        .into_stream()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert!(matches!(&items[0], Ok(InstanceOutcome::Fetched(d)) if d.code() == codes[0].as_str()));
    assert!(items[1].is_err());
}

#[tokio::test]
async fn a_malformed_task_list_is_reported_not_fatal() {
    let (tenant, approval) = setup().await;
    let knobs = tenant.approval();
    let as_string = knobs.add_malformed_instance(
        APPROVAL_CODE_PURCHASE,
        NOW_MS - 5,
        MalformedTaskList::String,
    );
    let as_object = knobs.add_malformed_instance(
        APPROVAL_CODE_PURCHASE,
        NOW_MS - 4,
        MalformedTaskList::Object,
    );
    for (code, found) in [(&as_string, "a string"), (&as_object, "an object")] {
        let detail = approval.get_instance(code).send().await.unwrap();
        assert_eq!(detail.code(), code.as_str());
        assert_eq!(raw(&detail), knobs.instance(code).unwrap(), "raw data kept");
        assert_eq!(
            detail.problems(),
            [DecodeProblem::NotAList {
                field: "task_list",
                found
            }]
        );
        let i = detail.instance();
        assert!(i.task_list.is_empty() && detail.task_rows().is_empty());
        assert!(!i.timeline.is_empty(), "the rest is read");
        assert_eq!(detail.form_rows().len(), PURCHASE_WIDGET_TYPES.len() + 12);
    }
    // In a listing and a batch they are ordinary outcomes among the others.
    let listed = approval
        .list_instance_codes(APPROVAL_CODE_PURCHASE, range(NOW_MS - HOUR, NOW_MS))
        .into_stream();
    let details: Vec<InstanceDetail> = approval
        .batch_get_instances(listed)
        .into_stream()
        .map_ok(|o| o.into_result().unwrap())
        .try_collect()
        .await
        .unwrap();
    let with_problems: Vec<&str> = details
        .iter()
        .filter(|d| !d.problems().is_empty())
        .map(|d| d.code().as_str())
        .collect();
    assert_eq!(with_problems, [as_string.as_str(), as_object.as_str()]);
}

#[tokio::test]
async fn listed_and_fetched_details_flatten_into_rows() {
    let (tenant, approval) = setup().await;
    let codes = tenant
        .approval()
        .instance_codes(APPROVAL_CODE_LEAVE, NOW_MS - 24 * HOUR, NOW_MS);
    let expected: usize = codes
        .iter()
        .map(|c| {
            let form = tenant.approval().instance_form(c).unwrap();
            let table = form
                .as_array()
                .unwrap()
                .iter()
                .find(|w| w["type"] == "fieldList")
                .unwrap();
            6 + table["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_array().unwrap().len())
                .sum::<usize>()
        })
        .sum();
    let listed = approval
        .list_instance_codes(APPROVAL_CODE_LEAVE, range(NOW_MS - 24 * HOUR, NOW_MS + 1))
        .into_stream();
    let rows: Vec<_> = approval
        .batch_get_instances(listed)
        .concurrency(4)
        .into_stream()
        .map_ok(|o| o.into_result().unwrap().form_rows())
        .try_concat()
        .await
        .unwrap();
    assert_eq!(rows.len(), expected);
    let keys: HashSet<_> = rows.iter().map(|r| (&r.instance_code, &r.path)).collect();
    assert_eq!(
        keys.len(),
        rows.len(),
        "instance code + path is a primary key"
    );
}

#[tokio::test]
async fn query_pages_and_filters() {
    let (tenant, approval) = setup().await;
    let all = tenant.approval().all_instance_codes(APPROVAL_CODE_LEAVE);
    let hits: Vec<_> = approval
        .search_instances()
        .approval_code(APPROVAL_CODE_LEAVE)
        .page_size(50)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hits.len(), all.len());
    assert_eq!(
        hits.iter()
            .map(|h| h.instance.code.to_string())
            .collect::<Vec<_>>(),
        all
    );
    assert!(
        hits.iter()
            .all(|h| h.approval.code == APPROVAL_CODE_LEAVE && h.group.name == "HR")
    );
    assert_eq!(
        tenant
            .journal()
            .iter()
            .filter(|e| e.path.ends_with("/instances/query"))
            .count(),
        all.len().div_ceil(50)
    );
    let first = approval
        .search_instances()
        .approval_code(APPROVAL_CODE_LEAVE)
        .send()
        .await
        .unwrap();
    assert_eq!(first.items.len(), 10);
    assert_eq!(first.total, Some(all.len() as u64));

    // Status (lower-case on the wire) and time range: the range's last millisecond is in,
    // its end (which the fake, reading the end inclusively, also returns) is out.
    let (from, to) = (NOW_MS - 20 * HOUR, NOW_MS - 2 * HOUR);
    let last_ms = tenant
        .approval()
        .add_instance(APPROVAL_CODE_PURCHASE, to - 1, "PENDING");
    let at_end = tenant
        .approval()
        .add_instance(APPROVAL_CODE_PURCHASE, to, "PENDING");
    let pending: Vec<_> = approval
        .search_instances()
        .approval_code(APPROVAL_CODE_PURCHASE)
        .status(SearchStatus::Pending)
        .created_in(range(from, to))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<String> = tenant
        .approval()
        .instance_codes(APPROVAL_CODE_PURCHASE, from, to - 1)
        .into_iter()
        .filter(|c| tenant.approval().instance(c).unwrap()["status"] == "PENDING")
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        pending
            .iter()
            .map(|h| h.instance.code.to_string())
            .collect::<Vec<_>>(),
        expected
    );
    assert!(
        pending
            .iter()
            .all(|h| h.instance.status == InstanceStatus::Pending)
    );
    assert!(pending.iter().any(|h| h.instance.code == last_ms.as_str()));
    assert!(pending.iter().all(|h| h.instance.code != at_end.as_str()));
    let body = tenant.journal().last().unwrap().body.clone().unwrap();
    assert_eq!(body["instance_status"], "PENDING");
    assert_eq!(body["instance_start_time_from"], from.to_string());
    assert_eq!(
        body["instance_start_time_to"],
        to.to_string(),
        "the end is touched"
    );

    // By initiator, with user_id_type.
    let sample = tenant.approval().instance(&all[0]).unwrap();
    let uid = sample["user_id"].as_str().unwrap();
    let mine: Vec<_> = approval
        .search_instances()
        .user_id(uid)
        .user_id_type(UserIdType::UserId)
        .page_size(200)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!mine.is_empty() && mine.iter().all(|h| h.instance.user_id == uid));
}

#[tokio::test]
async fn query_errors() {
    let (tenant, approval) = setup().await;
    for builder in [
        approval.search_instances(),
        approval.search_instances().approval_code("x").page_size(4),
        approval
            .search_instances()
            .approval_code("x")
            .created_in(range(0, 30 * 24 * HOUR + 1)),
        approval
            .search_instances()
            .approval_code("x")
            .page_size(201),
    ] {
        let err = builder.send().await.unwrap_err();
        assert!(
            matches!(err, feishu_core::Error::InvalidArgument(_)),
            "{err}"
        );
        let err = builder
            .into_stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert!(
            matches!(err, feishu_core::Error::InvalidArgument(_)),
            "{err}"
        );
    }
    assert_eq!(tenant.count_prefix("/open-apis/approval"), 0);
    // The fake validates the span of extreme values sent past the builder: 1390001, no panic.
    let err = approval
        .client()
        .send::<serde_json::Value>(
            feishu_core::Request::new(
                feishu_core::Endpoint::post_read(
                    "approval.instances.query",
                    "approval/v4/instances/query",
                ),
                &[],
            )
            .unwrap()
            .json(&json!({
                "approval_code": APPROVAL_CODE_LEAVE,
                "instance_start_time_from": i64::MIN.to_string(),
                "instance_start_time_to": i64::MAX.to_string(),
            }))
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390001));
    let err = approval
        .search_instances()
        .approval_code("NOPE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390002));
    let err = approval
        .search_instances()
        .instance_code("NOPE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390003));
    let err = approval
        .search_instances()
        .approval_code(APPROVAL_CODE_LEAVE)
        .locale("de-DE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390001));
    tenant.forbid(
        "/open-apis/approval/v4/instances/query",
        "approval:approval.list:readonly",
    );
    let err = approval
        .search_instances()
        .approval_code(APPROVAL_CODE_LEAVE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(99991672));
    assert_eq!(
        err.as_api().unwrap().required_scopes(),
        vec!["approval:approval.list:readonly"]
    );
}

#[test]
fn query_hits_with_null_objects_decode() {
    let hit: feishu_approval::SearchedInstance = serde_json::from_value(json!({
        "approval": null,
        "group": null,
        "instance": { "code": "C1", "status": "approved", "end_time": "0" },
        "new_key": 1
    }))
    .unwrap();
    assert_eq!(hit.instance.code, "C1");
    assert_eq!(hit.instance.status, InstanceStatus::Approved);
    assert_eq!(hit.instance.end_time, None);
    assert_eq!(hit.approval.code, "");
    assert_eq!(hit.group.name, "");
    assert_eq!(hit.extra["new_key"], json!(1));
}
