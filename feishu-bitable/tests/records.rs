//! Records through list and search against the fake tenant.

mod common;

use std::collections::BTreeMap;

use common::{records_path, setup};
use feishu_bitable::{
    Condition, Conjunction, FieldType, FieldValue, Filter, FilterGroup, Record, Sort, TableSchema,
};
use feishu_core::{Endpoint, ListRequest, Request, UserIdType};
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

fn ids(records: &[Record]) -> Vec<String> {
    records.iter().map(|r| r.record_id.clone()).collect()
}

#[tokio::test]
async fn list_and_search_give_the_same_ids_and_typed_values() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let schema = bitable.schema(&app, &table).await.unwrap();
    let listed: Vec<Record> = bitable
        .records(&app, &table)
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
    let mut unknown = 0;
    for (l, s) in listed.iter().zip(&searched) {
        // The raw shapes do differ ...
        assert!(l.fields["Name"].is_string());
        assert!(s.fields["Name"].is_array());
        assert!(l.fields["Amount"].is_string());
        assert!(s.fields["Amount"].is_number());
        // ... the typed views do not.
        let (tl, ts) = (l.typed_fields(&schema), s.typed_fields(&schema));
        assert_eq!(tl, ts, "record {}", l.record_id);
        assert_eq!(tl.len(), l.fields.len(), "nothing dropped");
        for (name, value) in &tl {
            if value.is_unknown() {
                assert_eq!(name, "Flow", "only the undocumented flow value stays raw");
                unknown += 1;
            }
        }
        assert_eq!(l.created_by, s.created_by);
        assert_eq!(l.created_time, s.created_time);
        assert_eq!(l.last_modified_time, s.last_modified_time);
        assert!(s.record_url.is_some());
    }
    assert_eq!(unknown, 120);
}

#[tokio::test]
async fn typed_values_of_every_type() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let schema = bitable.schema(&app, &table).await.unwrap();
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
    assert!(matches!(&typed["Due"], FieldValue::DateTime(ms) if *ms >= 1_735_689_600_000));
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
            assert!(customers.contains(&ids[0]));
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
    assert_eq!(
        typed["Created"],
        FieldValue::DateTime(r.created_time.unwrap())
    );
    assert!(
        matches!(&typed["Creator"], FieldValue::Users(p) if p.len() == 1 && Some(&p[0]) == r.created_by.as_ref())
    );
    assert_eq!(typed["No."], FieldValue::AutoNumber("1".into()));
    assert_eq!(r.created_at().unwrap().unix_timestamp(), 1_735_689_600);
    assert!(!typed.contains_key("Action"), "the button has no value");
    // The record's lenient helpers agree.
    assert_eq!(r.text("Name").as_deref(), Some(name));
    assert_eq!(r.number("Amount"), typed["Amount"].as_f64());
    assert_eq!(r.link_ids("Customer").unwrap().len(), 1);
    assert_eq!(r.persons("Creator").unwrap().len(), 1);
}

#[tokio::test]
async fn text_field_as_array_and_user_id_type() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let page = bitable
        .records(&app, &table)
        .text_field_as_array(true)
        .user_id_type(UserIdType::UnionId)
        .field_names(["Name", "Owner"])
        .page_size(3)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    for r in &page.items {
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
    let mut pages = bitable.records(&app, &table).page_size(50).by_page();
    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(first.items.len(), 50);
    let checkpoint = first.next_token().unwrap().to_string();
    drop(pages);
    // Resume elsewhere from the checkpoint.
    let rest: Vec<Record> = bitable
        .records(&app, &table)
        .page_size(50)
        .page_token(checkpoint)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let mut all = ids(&first.items);
    all.extend(ids(&rest));
    assert_eq!(all, tenant.bitable().record_ids(&app, &table));
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
        .map(|r| r.record_id.clone())
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

    // The "Done" view shows only ticked records.
    let view = tenant.bitable().view_ids(&app, &table)[1].clone();
    let done: Vec<Record> = bitable
        .search_records(&app, &table)
        .view_id(view)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<String> = all
        .iter()
        .filter(|r| r.checked("Done"))
        .map(|r| r.record_id.clone())
        .collect();
    assert_eq!(ids(&done), expected);
}

#[tokio::test]
async fn list_filter_formula_and_sort() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let all: Vec<Record> = bitable
        .records(&app, &table)
        .page_size(500)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let found: Vec<Record> = bitable
        .records(&app, &table)
        .filter(r#"AND(CurrentValue.[Status]="Open", CurrentValue.[Amount]>20000)"#)
        .sort("Amount", false)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
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
            .map(|r| r.record_id.clone())
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
                .records(&app, &table)
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
                .records(&app, &table)
                .filter("CurrentValue.[Amount]>>1")
                .send()
                .await
        ),
        Some(1254018)
    );
    assert_eq!(
        code(
            bitable
                .records(&app, &table)
                .sort("Nope", true)
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
        code(bitable.records(&app, "tblNope").send().await),
        Some(1254041)
    );
    assert_eq!(
        code(bitable.search_records("bascnNope", &table).send().await),
        Some(1254040)
    );
    assert_eq!(
        code(
            bitable
                .records(&app, &table)
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
    assert_eq!(record.created_by.as_ref().unwrap().id, "ou_1");
    assert_eq!(record.created_time, Some(1_735_689_600_000));
    assert_eq!(record.extra["brand_new_key"], json!(true));
}
