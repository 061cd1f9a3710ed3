//! Records through search and list against the fake tenant.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{records_path, setup};
use feishu_bitable::{
    Condition, Conjunction, FieldType, FieldValue, Filter, FilterGroup, Record, SearchRecords,
    Sort, TableSchema,
};
use feishu_core::{Endpoint, ListRequest, Request, UserIdType};
use feishu_testkit::FakeTenant;
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

fn ids(records: &[Record]) -> Vec<String> {
    records.iter().map(|r| r.record_id.to_string()).collect()
}

/// The `text_field_as_array` values the list requests of the journal carried.
fn list_flags(tenant: &FakeTenant, path: &str) -> Vec<Option<String>> {
    tenant
        .journal()
        .iter()
        .filter(|e| e.path == path)
        .map(|e| {
            e.query
                .iter()
                .find(|(k, _)| k == "text_field_as_array")
                .map(|(_, v)| v.clone())
        })
        .collect()
}

/// Lists and searches the all-types table, and checks both give the same records with the
/// same typed values, field type by field type; returns the listed records.
async fn list_equals_search(
    tenant: &FakeTenant,
    bitable: &feishu_bitable::Bitable,
    text_field_as_array: bool,
) -> Vec<Record> {
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let schema = bitable.get_schema(&app, &table).await.unwrap();
    let listed: Vec<Record> = bitable
        .list_records(&app, &table)
        .text_field_as_array(text_field_as_array)
        .automatic_fields(true)
        .page_size(50)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let searched: Vec<Record> = bitable
        .search_records(&app, &table)
        .automatic_fields(true)
        .page_size(50)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 120);
    assert_eq!(ids(&listed), tenant.bitable().record_ids(&app, &table));
    assert_eq!(ids(&listed), ids(&searched));
    let mut typed_types = BTreeSet::new();
    for (l, s) in listed.iter().zip(&searched) {
        let (tl, ts) = (l.typed_fields(&schema), s.typed_fields(&schema));
        assert_eq!(tl, ts, "record {}", l.record_id);
        assert_eq!(tl.len(), l.fields.len(), "nothing dropped");
        for (name, value) in &tl {
            let field_type = schema.field_type(name).unwrap();
            if value.is_unknown() {
                assert_eq!(field_type, FieldType::Flow, "only the flow value stays raw");
            } else {
                typed_types.insert(field_type.code());
            }
        }
        assert_eq!(l.created_by, s.created_by);
        assert_eq!(l.created_at(), s.created_at());
        assert_eq!(l.last_modified_at(), s.last_modified_at());
        assert!(l.record_url.is_none() && s.record_url.is_some());
    }
    // Every documented type with a value was typed (flow stays raw, a button has no value).
    let expected: BTreeSet<i64> = FieldType::ALL
        .iter()
        .filter(|t| !matches!(t, FieldType::Flow | FieldType::Button))
        .map(|t| t.code())
        .collect();
    assert_eq!(typed_types, expected);
    listed
}

#[tokio::test]
async fn list_with_the_flag_and_search_give_the_same_typed_values_for_every_type() {
    let (tenant, bitable) = setup().await;
    let path = records_path(&tenant.bitable().app_token(), &tenant.bitable().table_id());
    let listed = list_equals_search(&tenant, &bitable, true).await;
    // The flag is sent on every page by default ...
    let flags = list_flags(&tenant, &path);
    assert_eq!(flags.len(), 3);
    assert!(
        flags.iter().all(|f| f.as_deref() == Some("true")),
        "{flags:?}"
    );
    // ... and keeps what plain strings lose: the mention in a text cell.
    let segments = feishu_bitable::text_segments(&listed[0].fields["Name"]).unwrap();
    assert_eq!(segments[2].mention_type.as_deref(), Some("User"));
}

#[tokio::test]
async fn the_historic_list_shape_types_the_same_as_search() {
    let (tenant, bitable) = setup().await;
    let path = records_path(&tenant.bitable().app_token(), &tenant.bitable().table_id());
    let listed = list_equals_search(&tenant, &bitable, false).await;
    assert!(
        list_flags(&tenant, &path)
            .iter()
            .all(|f| f.as_deref() == Some("false"))
    );
    // The raw shapes do differ: plain strings for text and numbers.
    let fields = &listed[0].fields;
    assert!(fields["Name"].is_string());
    for name in ["Amount", "Progress", "Price", "Rating"] {
        assert!(fields[name].is_string(), "{name}: {}", fields[name]);
    }
}

#[tokio::test]
async fn typed_values_of_every_type() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let schema = bitable.get_schema(&app, &table).await.unwrap();
    let page = bitable
        .search_records(&app, &table)
        .automatic_fields(true)
        .page_size(10)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total, Some(120));
    assert!(page.has_more);
    // Record 0: index % 5 == 0 (a mention), % 3 == 0 (an attachment).
    let r = &page.items[0];
    let raw = tenant.bitable().record_json(&app, &table, 0, true).unwrap();
    assert_eq!(serde_json::to_value(&r.fields).unwrap(), raw["fields"]);
    let typed: BTreeMap<String, FieldValue> = r.typed_fields(&schema);
    let name = typed["Name"].as_str().unwrap();
    assert!(name.starts_with("Item 000000 for @"), "{name}");
    assert_eq!(
        feishu_bitable::text_segments(&r.fields["Name"]).unwrap()[2]
            .mention_type
            .as_deref(),
        Some("User")
    );
    assert_eq!(typed["Email"], FieldValue::Text("user0@example.com".into()));
    assert_eq!(typed["Barcode"], FieldValue::Text("FS000000".into()));
    assert_eq!(
        typed["Amount"],
        FieldValue::Number(raw["fields"]["Amount"].as_f64().unwrap())
    );
    assert!(matches!(typed["Rating"], FieldValue::Number(n) if (1.0..=5.0).contains(&n)));
    assert!(
        matches!(&typed["Status"], FieldValue::SingleSelect(s) if ["Open", "In progress", "Done"].contains(&s.as_str()))
    );
    let due = typed["Due"].as_datetime().unwrap();
    assert!(due >= time::macros::datetime!(2025-01-01 0:00 UTC), "{due}");
    assert_eq!(r.datetime("Due"), Some(due));
    assert!(
        matches!(&typed["Owner"], FieldValue::Users(p) if !p.is_empty() && p[0].id.starts_with("ou_"))
    );
    assert_eq!(typed["Phone"], FieldValue::Phone("+86-13800000000".into()));
    match &typed["Site"] {
        FieldValue::Url(u) => assert_eq!(u.link.as_deref(), Some("https://example.com/items/0")),
        other => panic!("{other:?}"),
    }
    match &typed["Files"] {
        FieldValue::Attachments(a) => {
            assert_eq!(a.len(), 1);
            assert_eq!(a[0].mime_type.as_deref(), Some("application/pdf"));
            assert_eq!(a[0].name.as_deref(), Some("po-0.pdf"));
        }
        other => panic!("{other:?}"),
    }
    let customers = tenant
        .bitable()
        .record_ids(&app, &tenant.bitable().customers_table_id());
    match &typed["Customer"] {
        FieldValue::Link(ids) => {
            assert_eq!(ids.len(), 1);
            assert!(customers.contains(&ids[0].to_string()));
        }
        other => panic!("{other:?}"),
    }
    match &typed["Customer Name"] {
        FieldValue::Lookup(c) => {
            assert_eq!(c.value_type, FieldType::Text);
            assert!(c.values[0].as_str().unwrap().starts_with("Customer "));
        }
        other => panic!("{other:?}"),
    }
    match &typed["Margin"] {
        FieldValue::Formula(c) => {
            assert_eq!(c.value_type, FieldType::Number);
            assert_eq!(
                typed["Margin"].as_f64(),
                raw["fields"]["Margin"]["value"][0].as_f64()
            );
        }
        other => panic!("{other:?}"),
    }
    match &typed["Where"] {
        FieldValue::Location(l) => assert!(l.coordinates().is_some()),
        other => panic!("{other:?}"),
    }
    assert!(matches!(&typed["Chat"], FieldValue::GroupChats(c) if c[0].id.starts_with("oc_")));
    assert_eq!(
        typed["Flow"],
        FieldValue::Unknown(raw["fields"]["Flow"].clone())
    );
    assert_eq!(typed["Created"].as_datetime(), r.created_at());
    assert_eq!(
        r.created_at().unwrap(),
        time::macros::datetime!(2025-01-01 0:00 UTC)
    );
    assert_eq!(
        r.created_time,
        Some(1_735_689_600_000),
        "the raw field is ms"
    );
    assert!(
        matches!(&typed["Creator"], FieldValue::Users(p) if p.len() == 1 && Some(&p[0]) == r.created_by.as_ref())
    );
    assert_eq!(typed["No."], FieldValue::AutoNumber("1".into()));
    assert!(!typed.contains_key("Action"), "the button has no value");
    // The record's lenient helpers agree.
    assert_eq!(r.text("Name").as_deref(), Some(name));
    assert_eq!(r.number("Amount"), typed["Amount"].as_f64());
    assert_eq!(r.link_ids("Customer").unwrap().len(), 1);
    assert_eq!(r.persons("Creator").unwrap().len(), 1);
    // Typed values export with date-times as Unix ms, as on the wire.
    assert_eq!(
        serde_json::to_value(&typed["Created"]).unwrap(),
        json!({"kind": "date_time", "value": 1_735_689_600_000_i64})
    );
}

#[tokio::test]
async fn field_names_and_user_id_type() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let listed = bitable
        .list_records(&app, &table)
        .user_id_type(UserIdType::UnionId)
        .field_names(["Name", "Owner"])
        .page_size(3)
        .send()
        .await
        .unwrap();
    let searched = bitable
        .search_records(&app, &table)
        .user_id_type(UserIdType::UnionId)
        .field_names(["Name", "Owner"])
        .page_size(3)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 3);
    for r in listed.items.iter().chain(&searched.items) {
        assert_eq!(r.fields.len(), 2);
        assert!(r.fields["Name"].is_array());
        assert!(r.persons("Owner").unwrap()[0].id.starts_with("on_"));
        assert!(r.created_by.is_none(), "no automatic fields unless asked");
    }
}

#[tokio::test]
async fn by_page_stream_and_resume_from_checkpoint() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let search = |token: Option<String>| {
        let request = bitable.search_records(&app, &table).page_size(50);
        match token {
            Some(token) => request.page_token(token),
            None => request,
        }
    };
    let mut pages = search(None).by_page();
    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(first.items.len(), 50);
    let checkpoint = first.next_token().unwrap().to_string();
    drop(pages);
    // Resume elsewhere from the checkpoint.
    let rest: Vec<Record> = search(Some(checkpoint.clone()))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let mut all = ids(&first.items);
    all.extend(ids(&rest));
    assert_eq!(all, tenant.bitable().record_ids(&app, &table));
    // The list endpoint resumes the same way.
    let rest: Vec<Record> = bitable
        .list_records(&app, &table)
        .page_size(50)
        .page_token(checkpoint)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&rest), all[50..]);
    assert_eq!(SearchRecords::MAX_PAGE_SIZE, 500);
}

#[tokio::test]
async fn search_filter_sort_and_view() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let all: Vec<Record> = bitable
        .search_records(&app, &table)
        .page_size(500)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<String> = all
        .iter()
        .filter(|r| {
            r.raw("Status") == Some(&json!("Open")) && r.number("Amount").unwrap() > 20000.0
        })
        .map(|r| r.record_id.to_string())
        .collect();
    assert!(!expected.is_empty());
    let found: Vec<Record> = bitable
        .search_records(&app, &table)
        .filter(Filter::and(vec![
            Condition::is("Status", "Open"),
            Condition::greater("Amount", "20000"),
        ]))
        .page_size(7)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&found), expected);

    // Or with a nested group, sorted descending by Amount.
    let sorted: Vec<Record> = bitable
        .search_records(&app, &table)
        .filter(
            Filter::or(vec![Condition::is("Status", "Done")]).child(FilterGroup::new(
                Conjunction::And,
                vec![
                    Condition::is_not_empty("Tags"),
                    Condition::is("Status", "Open"),
                ],
            )),
        )
        .sort(Sort::desc("Amount"))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let amounts: Vec<f64> = sorted.iter().map(|r| r.number("Amount").unwrap()).collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]));
    let expected = all
        .iter()
        .filter(|r| {
            let status = r.raw("Status").and_then(Value::as_str);
            status == Some("Done") || (status == Some("Open") && r.raw("Tags").is_some())
        })
        .count();
    assert_eq!(sorted.len(), expected);

    // The "Done" view shows only ticked records; the view travels in the body.
    tenant.clear_journal();
    let view = tenant.bitable().view_ids(&app, &table)[1].clone();
    let done: Vec<Record> = bitable
        .search_records(&app, &table)
        .view_id(view.as_str())
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<String> = all
        .iter()
        .filter(|r| r.checked("Done"))
        .map(|r| r.record_id.to_string())
        .collect();
    assert_eq!(ids(&done), expected);
    let body = tenant.journal()[0].body.clone().unwrap();
    assert_eq!(body, json!({ "view_id": view }));
}

#[tokio::test]
async fn list_filter_formula_and_sort() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let all: Vec<Record> = bitable
        .list_records(&app, &table)
        .page_size(500)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    tenant.clear_journal();
    let found: Vec<Record> = bitable
        .list_records(&app, &table)
        .filter(r#"AND(CurrentValue.[Status]="Open", CurrentValue.[Amount]>20000)"#)
        .sort(Sort::asc("Amount"))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let sort = tenant.journal()[0]
        .query
        .iter()
        .find(|(k, _)| k == "sort")
        .map(|(_, v)| v.clone());
    assert_eq!(sort.as_deref(), Some(r#"["Amount ASC"]"#));
    let mut expected: Vec<&Record> = all
        .iter()
        .filter(|r| {
            r.raw("Status") == Some(&json!("Open")) && r.number("Amount").unwrap() > 20000.0
        })
        .collect();
    expected.sort_by(|a, b| {
        a.number("Amount")
            .unwrap()
            .total_cmp(&b.number("Amount").unwrap())
    });
    assert_eq!(
        ids(&found),
        expected
            .iter()
            .map(|r| r.record_id.to_string())
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn record_parameter_errors() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let code = |r: feishu_core::Result<feishu_core::Page<Record>>| r.unwrap_err().api_code();
    assert_eq!(
        code(
            bitable
                .list_records(&app, &table)
                .field_names(["Nope"])
                .send()
                .await
        ),
        Some(1254045)
    );
    assert_eq!(
        code(
            bitable
                .search_records(&app, &table)
                .field_names(["Nope"])
                .send()
                .await
        ),
        Some(1254045)
    );
    assert_eq!(
        code(
            bitable
                .list_records(&app, &table)
                .filter("CurrentValue.[Amount]>>1")
                .send()
                .await
        ),
        Some(1254018)
    );
    assert_eq!(
        code(
            bitable
                .list_records(&app, &table)
                .sort(Sort::desc("Nope"))
                .send()
                .await
        ),
        Some(1254045)
    );
    assert_eq!(
        code(
            bitable
                .search_records(&app, &table)
                .filter(Filter::and(vec![Condition::is("Margin", "1")]))
                .send()
                .await
        ),
        Some(1254018),
        "formula fields cannot be filtered"
    );
    assert_eq!(
        code(
            bitable
                .search_records(&app, &table)
                .view_id("vewNope")
                .send()
                .await
        ),
        Some(1254042)
    );
    assert_eq!(
        code(bitable.list_records(&app, "tblNope").send().await),
        Some(1254041)
    );
    assert_eq!(
        code(bitable.search_records("bascnNope", &table).send().await),
        Some(1254040)
    );
    assert_eq!(
        code(
            bitable
                .list_records(&app, &table)
                .page_token("garbage")
                .send()
                .await
        ),
        Some(1254011)
    );

    // The server validates page_size too (what a caller bypassing the builder sees).
    let err = bitable
        .client()
        .send::<Value>(
            Request::new(
                Endpoint::get(
                    "bitable.records.list",
                    "bitable/v1/apps/{app_token}/tables/{table_id}/records",
                ),
                &[&app, &table],
            )
            .unwrap()
            .query("page_size", 501),
        )
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1254011));
    assert_eq!(err.as_api().unwrap().http_status(), 400);
    assert_eq!(tenant.count_path(&records_path(&app, &table)), 5);
}

#[tokio::test]
async fn an_empty_id_is_an_argument_error_before_any_request() {
    let (tenant, bitable) = setup().await;
    let before = tenant.request_count();
    let err = bitable
        .search_records("", tenant.bitable().table_id())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, feishu_core::Error::InvalidArgument(_)),
        "{err}"
    );
    assert!(err.to_string().contains("app_token"), "{err}");
    let err = bitable
        .list_records(tenant.bitable().app_token(), "..")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("table_id"), "{err}");
    assert_eq!(tenant.request_count(), before);
}

#[tokio::test]
async fn typed_fields_keep_unknown_fields_raw() {
    let schema = TableSchema::default();
    let record: Record = serde_json::from_value(json!({
        "record_id": "rec1",
        "fields": { "Mystery": [1, 2, {"x": null}] },
        "created_by": [{ "id": "ou_1", "name": "A" }],
        "created_time": "1735689600000",
        "brand_new_key": true
    }))
    .unwrap();
    let typed = record.typed_fields(&schema);
    assert_eq!(
        typed["Mystery"],
        FieldValue::Unknown(json!([1, 2, {"x": null}]))
    );
    assert_eq!(record.record_id, "rec1");
    assert_eq!(record.created_by.as_ref().unwrap().id, "ou_1");
    assert_eq!(record.created_time, Some(1_735_689_600_000));
    assert_eq!(record.extra["brand_new_key"], json!(true));
    // The id stays a plain string on the way out.
    assert_eq!(serde_json::to_value(&record).unwrap()["record_id"], "rec1");
}
