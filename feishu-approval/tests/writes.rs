//! The write calls over HTTP against the fake tenant: instance creation from a checked form
//! (and its recovery after a lost reply), task actions, recall, comments, subscriptions.
//! Every write is also sent once with its reply lost after the tenant applied it, in each of
//! the three ways (held past the client's timeout, the connection reset before the reply, the
//! reply cut mid-body): a write with an idempotency key is retried without a duplicate, one
//! without is not retried and says it may have applied.

mod common;

use std::time::Duration;

use common::{NOW_MS, count, setup, setup_with_timeout};
use feishu_approval::{
    Approval, ApprovalDefinition, CheckedForm, FormInput, InstanceStatus, ListRequest,
    SubscriptionChange, TaskRef, TaskStatus, WidgetInput, WidgetType,
};
use feishu_core::{DepartmentId, Error, OpenId, UserId};
use feishu_testkit::approval::{APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE};
use feishu_testkit::{FakeTenant, LostReply};
use futures::TryStreamExt;
use serde_json::{Value, json};
use time::macros::datetime;

const INSTANCES: &str = "/open-apis/approval/v4/instances";
/// The client's timeout in the "lost reply" tests, and the delay of the reply after the
/// tenant applied the write (well past it, so a loaded machine does not blur the two).
const TIMEOUT: Duration = Duration::from_secs(1);
const LATE: Duration = Duration::from_secs(4);

/// The error of a write whose reply was lost and that was not sent again: a timeout for a
/// held reply, a transport error for a broken connection, and in every case "may have applied".
fn assert_not_sent_again(lost: LostReply, err: &Error) {
    if lost.breaks_connection() {
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
    } else {
        assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    }
    assert!(err.write_may_have_applied(), "{err:?}");
}

fn argument(e: &Error) -> String {
    match e {
        Error::InvalidArgument(a) => a.argument().to_string(),
        other => panic!("not an argument error: {other:?}"),
    }
}

async fn leave_form(approval: &Approval) -> CheckedForm {
    let definition = approval
        .get_definition(APPROVAL_CODE_LEAVE)
        .send()
        .await
        .unwrap();
    FormInput::new()
        .set("widget_l_reason", WidgetInput::text("family matters"))
        .set(
            "widget_l_leave",
            WidgetInput::group(
                FormInput::new()
                    .set(
                        "widget_l_leave_type",
                        WidgetInput::choice("7488925543484620819"),
                    )
                    .set(
                        "widget_l_leave_start",
                        WidgetInput::date(datetime!(2025-01-06 09:00 +08:00)),
                    ),
            ),
        )
        .set("widget_l_kind", WidgetInput::choice("k2"))
        .check(&definition.form_widgets())
        .unwrap()
}

fn user(tenant: &FakeTenant, i: usize) -> OpenId {
    OpenId::from(tenant.approval().user_ids("open_id")[i].as_str())
}

/// A typed value for every widget of the purchase form the create API accepts.
fn fill_purchase(definition: &ApprovalDefinition, tenant: &FakeTenant) -> FormInput {
    let user_id = UserId::from(tenant.approval().user_ids("user_id")[3].as_str());
    let at = datetime!(2025-01-02 09:00 +08:00);
    let mut form = FormInput::new();
    for w in definition.form_widgets().widgets {
        let value = match &w.widget_type {
            WidgetType::Input | WidgetType::Textarea => WidgetInput::text("Laptop"),
            WidgetType::Number => WidgetInput::number(3.0),
            WidgetType::Formula => WidgetInput::number(2.5),
            WidgetType::Amount => WidgetInput::amount(1299.5, "CNY"),
            WidgetType::Radio | WidgetType::RadioV2 => WidgetInput::choice("o2"),
            WidgetType::Checkbox | WidgetType::CheckboxV2 => WidgetInput::choices(["c1", "c2"]),
            WidgetType::Date => WidgetInput::date(at),
            WidgetType::DateInterval => {
                WidgetInput::date_interval(at, datetime!(2025-01-03 18:00 +08:00), 2.0)
            }
            WidgetType::FieldList => WidgetInput::rows((0..2).map(|i| {
                FormInput::new()
                    .set("widget_li_item", WidgetInput::text(format!("part {i}")))
                    .set("widget_li_qty", WidgetInput::number(f64::from(i + 1)))
                    .set("widget_li_price", WidgetInput::amount(9.5, "CNY"))
            })),
            WidgetType::Image
            | WidgetType::ImageV2
            | WidgetType::Attachment
            | WidgetType::AttachmentV2 => {
                WidgetInput::files(["D93653C3-2609-4EE0-8041-61DC1D84F0B5"])
            }
            WidgetType::Department => WidgetInput::departments([DepartmentId::from(
                "od-4e6ac4d14bcd5071a37a39de902c7141",
            )]),
            WidgetType::Contact => WidgetInput::Users {
                user_ids: vec![user_id.clone()],
                open_ids: vec![user(tenant, 4)],
            },
            WidgetType::Connect => WidgetInput::instances([tenant
                .approval()
                .all_instance_codes(APPROVAL_CODE_PURCHASE)[0]
                .as_str()
                .into()]),
            WidgetType::Telephone => WidgetInput::telephone("+86", "13122222222"),
            WidgetType::Document => WidgetInput::document("TLLKdcpDro9ijQxA33ycNMabcef"),
            WidgetType::Address => {
                WidgetInput::raw(json!([{ "id": "290557", "detailAddress": "Building 3" }]))
            }
            WidgetType::ShiftGroup => WidgetInput::raw(json!({
                "shiftTime": "2025-01-02T09:00:00+08:00",
                "returnTime": "2025-01-03T09:00:00+08:00",
                "reason": "swap",
            })),
            WidgetType::Text
            | WidgetType::MutableGroup
            | WidgetType::Account
            | WidgetType::SerialNumber
            | WidgetType::TripGroup
            | WidgetType::RemedyGroupV2
            | WidgetType::ApaascorehrOnboardingGroup
            | WidgetType::ApaascorehrRegularateGroup
            | WidgetType::ApaascorehrJobAdjustGroup
            | WidgetType::ApaascorehrOffboardingGroup => continue,
            _ => WidgetInput::raw(json!({ "name": "Annual", "reason": "rest" })),
        };
        form.insert(w.id, value);
    }
    form
}

#[tokio::test]
async fn every_widget_type_is_written_in_the_shape_the_tenant_accepts() {
    let (tenant, approval) = setup().await;
    let definition = approval
        .get_definition(APPROVAL_CODE_PURCHASE)
        .send()
        .await
        .unwrap();
    let form = fill_purchase(&definition, &tenant)
        .check(&definition.form_widgets())
        .unwrap();
    let initiator = user(&tenant, 0);
    let created = approval
        .create_instance(APPROVAL_CODE_PURCHASE, initiator.clone(), form.clone())
        .send()
        .await
        .unwrap();
    assert!(!created.recovered);
    assert_eq!(created.uuid.len(), 36, "a generated uuid: {}", created.uuid);
    let detail = approval
        .get_instance(&created.instance_code)
        .send()
        .await
        .unwrap();
    let instance = detail.instance();
    assert_eq!(instance.status, InstanceStatus::Pending);
    assert_eq!(instance.open_id, initiator.as_str());
    assert_eq!(instance.uuid, created.uuid);
    let sent: Value = serde_json::from_str(form.as_json()).unwrap();
    let stored: Value = serde_json::from_str(&instance.form).unwrap();
    assert_eq!(stored, sent);
    // Choices are written by option id; the amount carries its currency; the telephone is
    // camelCase; departments are objects.
    let by_type = |t: &str| {
        sent.as_array()
            .unwrap()
            .iter()
            .find(|w| w["type"] == t)
            .unwrap()
            .clone()
    };
    assert_eq!(by_type("radioV2")["value"], "o2");
    assert_eq!(by_type("amount")["currency"], "CNY");
    assert_eq!(by_type("telephone")["value"]["countryCode"], "+86");
    assert_eq!(
        by_type("department")["value"][0]["open_id"],
        "od-4e6ac4d14bcd5071a37a39de902c7141"
    );
    assert_eq!(by_type("contact")["open_ids"][0], user(&tenant, 4).as_str());
    assert_eq!(by_type("fieldList")["value"].as_array().unwrap().len(), 2);
    // The body: uuid, initiator by open_id, the form as a string.
    let body = tenant
        .journal()
        .into_iter()
        .find(|e| e.method == "POST" && e.path == INSTANCES)
        .and_then(|e| e.body)
        .unwrap();
    assert_eq!(body["uuid"], created.uuid.as_str());
    assert_eq!(body["open_id"], initiator.as_str());
    assert!(body.get("user_id").is_none());
    assert!(body["form"].is_string());
}

#[tokio::test]
async fn a_wrong_widget_is_refused_before_any_request() {
    let (tenant, approval) = setup().await;
    let definition = approval
        .get_definition(APPROVAL_CODE_PURCHASE)
        .send()
        .await
        .unwrap();
    let form = definition.form_widgets();
    let wrong = FormInput::new().set("widget_p99", WidgetInput::text("x"));
    let err = wrong.check(&form).unwrap_err();
    assert_eq!(argument(&err), "widget_p99");
    let by_text =
        fill_purchase(&definition, &tenant).set("widget_p07", WidgetInput::choice("Medium"));
    let err = by_text.check(&form).unwrap_err();
    assert_eq!(argument(&err), "widget_p07");
    assert!(
        err.to_string().contains("\"o2\""),
        "names the id to use: {err}"
    );
    let missing = fill_purchase(&definition, &tenant);
    let mut without_required = FormInput::new();
    for (id, value) in missing.values().filter(|(id, _)| *id != "widget_p00") {
        without_required.insert(id, value.clone());
    }
    let err = without_required.check(&form).unwrap_err();
    assert_eq!(argument(&err), "widget_p00");
    assert_eq!(count(&tenant, "POST", INSTANCES), 0);

    // What the SDK cannot know (a user the tenant does not have) is Feishu's to refuse.
    let form = FormInput::new()
        .set("widget_l_reason", WidgetInput::text("x"))
        .set("widget_l_leave", WidgetInput::raw(json!([])))
        .check(
            &approval
                .get_definition(APPROVAL_CODE_LEAVE)
                .send()
                .await
                .unwrap()
                .form_widgets(),
        );
    assert_eq!(
        argument(&form.unwrap_err()),
        "widget_l_leave",
        "required group left empty"
    );
    let err = approval
        .create_instance(
            APPROVAL_CODE_LEAVE,
            OpenId::from("ou_nobody"),
            leave_form(&approval).await,
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390004));
}

async fn a_lost_create_reply_is_retried_with_its_uuid_and_recovered(loss: LostReply) {
    eprintln!("reply lost by: {loss:?}");
    let (tenant, approval) = setup_with_timeout(TIMEOUT).await;
    let form = leave_form(&approval).await;
    tenant.fail_next(1, loss.fault());
    let create = approval
        .create_instance(APPROVAL_CODE_LEAVE, user(&tenant, 1), form)
        .uuid("leave-2025-0001");
    let created = create.send().await.unwrap();
    assert!(
        created.recovered,
        "the retry met the uuid of the applied first attempt"
    );
    assert_eq!(created.uuid, "leave-2025-0001");
    let holders = tenant.approval().instances_with_uuid("leave-2025-0001");
    assert_eq!(
        holders,
        vec![created.instance_code.to_string()],
        "exactly one instance"
    );
    let posts: Vec<Value> = tenant
        .journal()
        .into_iter()
        .filter(|e| e.method == "POST" && e.path == INSTANCES)
        .map(|e| e.body.unwrap())
        .collect();
    assert_eq!(posts.len(), 2, "sent, reply lost, sent again");
    assert_eq!(posts[0]["uuid"], posts[1]["uuid"]);
    assert_eq!(
        tenant.journal().last().unwrap().code,
        Some(0),
        "then read by uuid"
    );

    // Sending the same builder again is safe as well: same instance, still one.
    let again = create.send().await.unwrap();
    assert_eq!(again.instance_code, created.instance_code);
    assert!(again.recovered);
    assert_eq!(
        tenant
            .approval()
            .instances_with_uuid("LEAVE-2025-0001")
            .len(),
        1
    );
}

#[tokio::test]
async fn a_uuid_of_someone_elses_instance_is_an_error() {
    let (tenant, approval) = setup().await;
    let form = leave_form(&approval).await;
    let first = approval
        .create_instance(APPROVAL_CODE_LEAVE, user(&tenant, 1), form.clone())
        .uuid("shared-key")
        .send()
        .await
        .unwrap();
    let err = approval
        .create_instance(APPROVAL_CODE_LEAVE, user(&tenant, 2), form.clone())
        .uuid("SHARED-KEY")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(60012));
    assert!(
        err.to_string().contains(first.instance_code.as_str()),
        "{err}"
    );
    for bad in ["", &"x".repeat(65)] {
        let err = approval
            .create_instance(APPROVAL_CODE_LEAVE, user(&tenant, 1), form.clone())
            .uuid(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(argument(&err), "uuid");
    }
    let two = approval.create_instance(APPROVAL_CODE_LEAVE, user(&tenant, 1), form.clone());
    let three = approval.create_instance(APPROVAL_CODE_LEAVE, user(&tenant, 1), form);
    assert_ne!(
        two.request_uuid(),
        three.request_uuid(),
        "one uuid per builder"
    );
}

/// A fresh pending purchase instance, its pending task and that task's approver.
async fn pending(tenant: &FakeTenant, approval: &Approval) -> (TaskRef, OpenId, OpenId) {
    let code =
        tenant
            .approval()
            .add_instance(APPROVAL_CODE_PURCHASE, NOW_MS - 3_600_000, "PENDING");
    let detail = approval.get_instance(&code).send().await.unwrap();
    let task = detail
        .instance()
        .task_list
        .iter()
        .find(|t| t.status == TaskStatus::Pending)
        .unwrap();
    let approver = OpenId::from(task.open_id.as_str());
    let initiator = OpenId::from(detail.instance().open_id.as_str());
    (detail.task_ref(task), approver, initiator)
}

fn task_status(tenant: &FakeTenant, task: &TaskRef) -> String {
    let data = tenant
        .approval()
        .instance(task.instance_code.as_str())
        .unwrap();
    data["task_list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == task.task_id.as_str())
        .map(|t| t["status"].as_str().unwrap().to_string())
        .unwrap()
}

fn instance_status(tenant: &FakeTenant, task: &TaskRef) -> String {
    tenant
        .approval()
        .instance(task.instance_code.as_str())
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn approve_and_reject_follow_the_task_state_machine() {
    let (tenant, approval) = setup().await;
    let (task, approver, initiator) = pending(&tenant, &approval).await;
    // Only the task's approver may act on it.
    let err = approval
        .approve_task(task.clone(), initiator)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390009));
    assert!(err.is_permission_denied());
    approval
        .approve_task(task.clone(), approver.clone())
        .comment("within budget")
        .send()
        .await
        .unwrap();
    assert_eq!(task_status(&tenant, &task), "APPROVED");
    assert_eq!(instance_status(&tenant, &task), "APPROVED");
    let entry = tenant
        .journal()
        .into_iter()
        .rev()
        .find(|e| e.path.ends_with("/tasks/approve"))
        .unwrap();
    assert_eq!(
        entry.query,
        vec![("user_id_type".to_string(), "open_id".to_string())]
    );
    assert_eq!(entry.body.unwrap()["comment"], "within budget");
    // Only a PENDING task can be decided.
    let err = approval
        .reject_task(task.clone(), approver)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390001));

    let (task, approver, _) = pending(&tenant, &approval).await;
    approval
        .reject_task(task.clone(), approver)
        .send()
        .await
        .unwrap();
    assert_eq!(task_status(&tenant, &task), "REJECTED");
    assert_eq!(instance_status(&tenant, &task), "REJECTED");
    let unknown = TaskRef::new(APPROVAL_CODE_PURCHASE, task.instance_code.clone(), "nope");
    let err = approval
        .approve_task(unknown, user(&tenant, 0))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1390010));
}

#[tokio::test]
async fn transfer_opens_a_task_for_the_new_approver() {
    let (tenant, approval) = setup().await;
    let (task, approver, _) = pending(&tenant, &approval).await;
    let to = user(&tenant, 9);
    let err = approval
        .transfer_task(task.clone(), approver.clone(), UserId::from("u0001009"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        argument(&err),
        "transfer_user_id",
        "one user_id_type covers both"
    );
    approval
        .transfer_task(task.clone(), approver, to.clone())
        .comment("on leave")
        .send()
        .await
        .unwrap();
    assert_eq!(task_status(&tenant, &task), "TRANSFERRED");
    let detail = approval
        .get_instance(&task.instance_code)
        .send()
        .await
        .unwrap();
    let open = detail
        .instance()
        .task_list
        .iter()
        .find(|t| t.status == TaskStatus::Pending)
        .unwrap();
    assert_eq!(open.open_id, to.as_str());
    approval
        .approve_task(detail.task_ref(open), to)
        .send()
        .await
        .unwrap();
    assert_eq!(instance_status(&tenant, &task), "APPROVED");
}

#[tokio::test]
async fn cancel_is_for_the_initiator_of_a_pending_instance() {
    let (tenant, approval) = setup().await;
    let (task, approver, initiator) = pending(&tenant, &approval).await;
    let cancel = |who: OpenId| {
        approval.cancel_instance(APPROVAL_CODE_PURCHASE, task.instance_code.clone(), who)
    };
    let err = cancel(approver).send().await.unwrap_err();
    assert_eq!(err.api_code(), Some(1390009));
    cancel(initiator.clone()).send().await.unwrap();
    assert_eq!(instance_status(&tenant, &task), "CANCELED");
    assert_eq!(task_status(&tenant, &task), "DONE");
    let err = cancel(initiator).send().await.unwrap_err();
    assert_eq!(err.api_code(), Some(1390001));
}

async fn task_actions_are_not_retried_once_they_may_have_applied(loss: LostReply) {
    eprintln!("reply lost by: {loss:?}");
    let (tenant, approval) = setup_with_timeout(TIMEOUT).await;
    let (task, approver, _) = pending(&tenant, &approval).await;
    tenant.fail_next(1, loss.fault());
    let err = approval
        .approve_task(task.clone(), approver.clone())
        .send()
        .await
        .unwrap_err();
    assert_not_sent_again(loss, &err);
    assert!(err.write_may_have_applied());
    assert_eq!(
        count(&tenant, "POST", "/open-apis/approval/v4/tasks/approve"),
        1
    );
    assert_eq!(
        task_status(&tenant, &task),
        "APPROVED",
        "applied once, not repeated"
    );

    let (task, approver, _) = pending(&tenant, &approval).await;
    tenant.fail_next(1, loss.fault());
    let err = approval
        .reject_task(task.clone(), approver.clone())
        .send()
        .await
        .unwrap_err();
    assert!(err.write_may_have_applied());
    assert_eq!(
        count(&tenant, "POST", "/open-apis/approval/v4/tasks/reject"),
        1
    );
    assert_eq!(task_status(&tenant, &task), "REJECTED");

    let (task, approver, initiator) = pending(&tenant, &approval).await;
    tenant.fail_next(1, loss.fault());
    let err = approval
        .transfer_task(task.clone(), approver, user(&tenant, 9))
        .send()
        .await
        .unwrap_err();
    assert!(err.write_may_have_applied());
    assert_eq!(
        count(&tenant, "POST", "/open-apis/approval/v4/tasks/transfer"),
        1
    );
    let tasks = tenant
        .approval()
        .instance(task.instance_code.as_str())
        .unwrap()["task_list"]
        .clone();
    let pending_tasks = tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "PENDING")
        .count();
    assert_eq!(pending_tasks, 1, "one transfer, one new task");

    tenant.fail_next(1, loss.fault());
    let err = approval
        .cancel_instance(
            APPROVAL_CODE_PURCHASE,
            task.instance_code.clone(),
            initiator,
        )
        .send()
        .await
        .unwrap_err();
    assert!(err.write_may_have_applied());
    assert_eq!(
        count(&tenant, "POST", "/open-apis/approval/v4/instances/cancel"),
        1
    );
    assert_eq!(instance_status(&tenant, &task), "CANCELED");
}

async fn comments_are_added_listed_and_never_duplicated(loss: LostReply) {
    eprintln!("reply lost by: {loss:?}");
    let (tenant, approval) = setup_with_timeout(TIMEOUT).await;
    let (task, approver, initiator) = pending(&tenant, &approval).await;
    let instance = task.instance_code.clone();
    let first = approval
        .create_comment(instance.clone(), approver.clone(), "@Boss please check")
        .mention(initiator.clone(), "Boss", 0)
        .send()
        .await
        .unwrap();
    approval
        .create_comment(instance.clone(), initiator.clone(), "done")
        .reply_to(first.clone())
        .send()
        .await
        .unwrap();
    tenant.fail_next(1, loss.fault());
    let err = approval
        .create_comment(instance.clone(), initiator.clone(), "second thought")
        .send()
        .await
        .unwrap_err();
    assert!(err.write_may_have_applied());
    assert_eq!(
        tenant.approval().comment_texts(instance.as_str()).unwrap(),
        vec!["@Boss please check", "done", "second thought"],
        "the comment whose reply was lost was applied once and not repeated"
    );
    let comments: Vec<_> = approval
        .list_comments(instance.clone(), approver.clone())
        .page_size(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(comments.len(), 2, "two comments over two pages");
    assert_eq!(comments[0].id, first);
    assert_eq!(comments[0].text().as_deref(), Some("@Boss please check"));
    assert_eq!(comments[0].commentator, approver.as_str());
    assert_eq!(comments[0].at_info_list[0].user_id, initiator.as_str());
    assert_eq!(comments[0].replies[0].text().as_deref(), Some("done"));
    assert!(comments[0].create_time.is_some());
    let err = approval
        .list_comments(instance, approver)
        .page_size(1001)
        .send()
        .await
        .unwrap_err();
    assert_eq!(argument(&err), "page_size");
}

async fn subscribing_twice_is_not_an_error_and_survives_a_lost_reply(loss: LostReply) {
    eprintln!("reply lost by: {loss:?}");
    let (tenant, approval) = setup_with_timeout(TIMEOUT).await;
    assert_eq!(
        approval.subscribe(APPROVAL_CODE_PURCHASE).await.unwrap(),
        SubscriptionChange::Applied
    );
    assert_eq!(
        approval.subscribe(APPROVAL_CODE_PURCHASE).await.unwrap(),
        SubscriptionChange::AlreadyInPlace
    );
    assert!(tenant.approval().is_subscribed(APPROVAL_CODE_PURCHASE));
    // The reply of an applied subscribe is lost: the retry meets "already subscribed".
    tenant.fail_next(1, loss.fault());
    assert_eq!(
        approval.subscribe(APPROVAL_CODE_LEAVE).await.unwrap(),
        SubscriptionChange::AlreadyInPlace
    );
    assert!(tenant.approval().is_subscribed(APPROVAL_CODE_LEAVE));
    assert_eq!(
        approval.unsubscribe(APPROVAL_CODE_PURCHASE).await.unwrap(),
        SubscriptionChange::Applied
    );
    assert_eq!(
        approval.unsubscribe(APPROVAL_CODE_PURCHASE).await.unwrap(),
        SubscriptionChange::AlreadyInPlace
    );
    assert!(!tenant.approval().is_subscribed(APPROVAL_CODE_PURCHASE));
    tenant.fail_next(1, loss.fault());
    assert_eq!(
        approval.unsubscribe(APPROVAL_CODE_LEAVE).await.unwrap(),
        SubscriptionChange::AlreadyInPlace,
        "the lost reply's retry meets \"already unsubscribed\""
    );
    assert!(!tenant.approval().is_subscribed(APPROVAL_CODE_LEAVE));
    let err = approval.subscribe("NOPE").await.unwrap_err();
    assert_eq!(err.api_code(), Some(1390002));
}

feishu_testkit::each_lost_reply! {
    held_for: LATE,
    cases: [
        a_lost_create_reply_is_retried_with_its_uuid_and_recovered,
        task_actions_are_not_retried_once_they_may_have_applied,
        comments_are_added_listed_and_never_duplicated,
        subscribing_twice_is_not_an_error_and_survives_a_lost_reply,
    ],
}
