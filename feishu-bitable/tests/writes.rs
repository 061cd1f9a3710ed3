//! Record, table and field writes over HTTP against the fake tenant: what is sent, what comes
//! back, the checks made before any request, and typed values on the way in and out.

mod common;

use common::setup;
use feishu_bitable::{
    Attachment, ClientToken, FieldType, FieldValue, Fields, GroupChat, Location, NewField,
    NewTable, Person, RecordUpdate, UiType, UrlValue,
};
use feishu_core::{Error, ListRequest};
use futures::TryStreamExt;
use serde_json::json;

#[tokio::test]
async fn records_are_created_updated_and_deleted() {
    let (tenant, bitable) = setup().await;
    let b = tenant.bitable();
    let (app, table) = (
        b.app_token(),
        b.add_empty_table("Orders", &[("Order", 1), ("Amount", 2)]),
    );
    let created = bitable
        .create_record(
            &app,
            &table,
            Fields::new().set("Order", "SO-1").set("Amount", 10),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.fields["Order"], "SO-1",
        "the reply echoes the written fields"
    );
    let id = created.record_id.clone();

    let updated = bitable
        .update_record(&app, &table, &id, Fields::new().set("Amount", 12.5))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.record_id, id);
    let stored = b.records(&app, &table);
    assert_eq!(stored[0]["fields"]["Amount"], 12.5);
    assert_eq!(
        stored[0]["fields"]["Order"],
        json!([{ "type": "text", "text": "SO-1" }])
    );

    let cleared = bitable
        .update_record(&app, &table, &id, Fields::new().clear("Amount"))
        .send()
        .await;
    assert!(cleared.is_ok());
    assert!(b.records(&app, &table)[0]["fields"].get("Amount").is_none());

    let deleted = bitable
        .delete_record(&app, &table, &id)
        .send()
        .await
        .unwrap();
    assert!(deleted.deleted);
    assert_eq!(deleted.record_id, id);
    let again = bitable
        .delete_record(&app, &table, &id)
        .send()
        .await
        .unwrap();
    assert!(!again.deleted, "deleting a missing record is not an error");
    assert_eq!(b.record_count(&app, &table), Some(0));

    // The create carried a UUIDv4 client_token.
    let token = tenant
        .journal()
        .iter()
        .find(|e| e.method == "POST" && e.path.ends_with("/records"))
        .and_then(|e| {
            e.query
                .iter()
                .find(|(k, _)| k == "client_token")
                .map(|(_, v)| v.clone())
        })
        .expect("a client_token");
    assert!(ClientToken::parse(&token).is_ok(), "{token}");
}

#[tokio::test]
async fn batches_write_in_request_order_and_check_their_size_first() {
    let (tenant, bitable) = setup().await;
    let b = tenant.bitable();
    let (app, table) = (
        b.app_token(),
        b.add_empty_table("Orders", &[("Order", 1), ("Amount", 2)]),
    );
    let rows = (0..1000).map(|i| {
        Fields::new()
            .set("Order", format!("SO-{i}"))
            .set("Amount", i)
    });
    let records = bitable
        .batch_create_records(&app, &table, rows)
        .send()
        .await
        .unwrap();
    assert_eq!(records.len(), 1000);
    assert_eq!(records[7].fields["Order"], "SO-7");

    let changes = records[..3]
        .iter()
        .map(|r| RecordUpdate::new(r.record_id.clone(), Fields::new().set("Amount", -1)));
    let updated = bitable
        .batch_update_records(&app, &table, changes)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.len(), 3);
    assert_eq!(b.records(&app, &table)[2]["fields"]["Amount"], -1.0);

    let ids: Vec<_> = records[..500].iter().map(|r| r.record_id.clone()).collect();
    let deleted = bitable
        .batch_delete_records(&app, &table, ids.clone())
        .send()
        .await
        .unwrap();
    assert!(deleted.iter().all(|d| d.deleted) && deleted.len() == 500);
    assert_eq!(b.record_count(&app, &table), Some(500));
    // Deleting them again: Feishu refuses the batch (1254043), the SDK reports each as gone.
    let again = bitable
        .batch_delete_records(&app, &table, ids[..3].to_vec())
        .send()
        .await
        .unwrap();
    assert!(again.iter().all(|d| !d.deleted) && again.len() == 3);

    let before = tenant.request_count();
    let too_many = (0..1001).map(|i| Fields::new().set("Order", format!("X{i}")));
    let err = bitable
        .batch_create_records(&app, &table, too_many)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    let err = bitable
        .batch_delete_records(&app, &table, vec!["recX"; 501])
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    let empty = bitable
        .batch_create_records(&app, &table, Vec::new())
        .send()
        .await
        .unwrap();
    assert!(empty.is_empty());
    assert_eq!(tenant.request_count(), before, "nothing was sent");
}

#[tokio::test]
async fn values_that_cannot_be_written_fail_before_any_request() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let before = tenant.request_count();
    let formula = FieldValue::parse(FieldType::Formula, &json!({"type": 2, "value": [3]}));
    for fields in [
        Fields::new().set("Margin", formula),
        Fields::new().set("No.", FieldValue::AutoNumber("7".into())),
        Fields::new().set("Amount", f64::NAN),
        Fields::new().set("Site", FieldValue::Url(UrlValue::default())),
    ] {
        let err = bitable
            .create_record(&app, &table, fields)
            .send()
            .await
            .unwrap_err();
        match &err {
            Error::InvalidArgument(a) => assert_eq!(a.argument(), "fields", "{err}"),
            other => panic!("{other}"),
        }
    }
    assert!(ClientToken::parse("123").is_err());
    assert_eq!(tenant.request_count(), before);
    // The server's own checks come back as API errors with Feishu's code.
    let err = bitable
        .create_record(&app, &table, Fields::new().set("Nope", "x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1254045));
    let err = bitable
        .create_record(&app, &table, Fields::new().set("Amount", "twelve"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1254061));
}

/// Every writable field type written as typed values and read back as the same typed values
/// (person, attachment, group chat and location cells come back enriched by Feishu, so they
/// are compared in their write shape).
#[tokio::test]
async fn every_writable_type_round_trips_as_typed_values() {
    let (tenant, bitable) = setup().await;
    let b = tenant.bitable();
    let (app, table) = (b.app_token(), b.table_id());
    let customer = b.record_ids(&app, &b.customers_table_id())[1].clone();
    let owner = b.record_json(&app, &table, 0, true).unwrap()["fields"]["Owner"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let file = b.upload_attachment(&app, "po.pdf");
    let due = time::macros::datetime!(2025-03-01 08:30 UTC);
    let written: Vec<(&str, FieldValue)> = vec![
        ("Name", "Round trip".into()),
        ("Email", "a@example.com".into()),
        ("Barcode", "FS-42".into()),
        ("Amount", 1280.5.into()),
        ("Progress", 0.25.into()),
        ("Price", 9.99.into()),
        ("Rating", 4.into()),
        ("Status", FieldValue::SingleSelect("Done".into())),
        (
            "Tags",
            FieldValue::MultiSelect(vec!["vip".into(), "rush".into()]),
        ),
        ("Due", due.into()),
        ("Done", true.into()),
        ("Owner", FieldValue::Users(vec![Person::new(owner)])),
        ("Phone", FieldValue::Phone("+8613800000000".into())),
        ("Site", UrlValue::new("home", "https://example.com").into()),
        (
            "Files",
            FieldValue::Attachments(vec![Attachment::new(file)]),
        ),
        ("Customer", FieldValue::Link(vec![customer.clone().into()])),
        ("Partners", FieldValue::Link(vec![customer.into()])),
        ("Where", Location::at(116.397755, 39.903179).into()),
        (
            "Chat",
            FieldValue::GroupChats(vec![GroupChat::new("oc_0123456789abcdef")]),
        ),
    ];
    let fields: Fields = written.iter().cloned().collect();
    let id = bitable
        .create_record(&app, &table, fields)
        .send()
        .await
        .unwrap()
        .record_id;

    let schema = bitable.get_schema(&app, &table).await.unwrap();
    let found: Vec<_> = bitable
        .search_records(&app, &table)
        .filter(feishu_bitable::Filter::and(vec![
            feishu_bitable::Condition::is("Name", "Round trip"),
        ]))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].record_id, id);
    let read = found[0].typed_fields(&schema);
    for (name, value) in &written {
        let back = read.get(*name).unwrap_or_else(|| panic!("{name} missing"));
        match value {
            FieldValue::Users(_)
            | FieldValue::Attachments(_)
            | FieldValue::GroupChats(_)
            | FieldValue::Location(_) => assert_eq!(
                back.to_write_value().unwrap(),
                value.to_write_value().unwrap(),
                "{name}"
            ),
            _ => assert_eq!(back, value, "{name}"),
        }
    }
}

#[tokio::test]
async fn a_service_can_provision_its_own_table() {
    let (tenant, bitable) = setup().await;
    let app = tenant.bitable().app_token();
    let created = bitable
        .create_table(
            &app,
            &NewTable::new("Invoices")
                .default_view_name("All invoices")
                .field(NewField::new("Invoice", FieldType::Text))
                .field(NewField::new("Total", FieldType::Number).ui_type(UiType::Currency))
                .field(NewField::new("State", FieldType::SingleSelect).options(["open", "paid"])),
        )
        .await
        .unwrap();
    assert_eq!(created.field_ids.len(), 3);
    assert!(created.default_view_id.is_some());
    let table = created.table_id.clone();

    let link = bitable
        .create_field(
            &app,
            &table,
            &NewField::new("Customer", FieldType::SingleLink)
                .link_to(tenant.bitable().customers_table_id()),
        )
        .await
        .unwrap();
    assert_eq!(link.field_type, FieldType::SingleLink);
    let renamed = bitable
        .update_field(
            &app,
            &table,
            &link.field_id,
            &NewField::new("Buyer", FieldType::SingleLink)
                .link_to(tenant.bitable().customers_table_id()),
        )
        .await
        .unwrap();
    assert_eq!(renamed.field_name, "Buyer");
    let schema = bitable.get_schema(&app, &table).await.unwrap();
    let names: Vec<_> = schema
        .fields
        .iter()
        .map(|f| f.field_name.as_str())
        .collect();
    assert_eq!(names, ["Invoice", "Total", "State", "Buyer"]);
    let state = schema.field("State").unwrap();
    let options: Vec<_> = state
        .property
        .as_ref()
        .unwrap()
        .options
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(options, ["open", "paid"]);

    let gone = bitable
        .delete_field(&app, &table, &link.field_id)
        .await
        .unwrap();
    assert!(gone.deleted);
    assert!(
        !bitable
            .delete_field(&app, &table, &link.field_id)
            .await
            .unwrap()
            .deleted
    );
    let err = bitable
        .delete_field(&app, &table, &created.field_ids[0])
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1254046), "the primary field stays");

    assert!(bitable.delete_table(&app, &table).await.unwrap());
    assert!(!bitable.delete_table(&app, &table).await.unwrap());
    let tables: Vec<_> = bitable
        .list_tables(&app)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(tables.iter().all(|t| t.table_id != table));
}

#[tokio::test]
async fn a_base_is_subscribed_to_through_drive() {
    let (tenant, bitable) = setup().await;
    let app = tenant.bitable().app_token();
    bitable.subscribe_record_events(&app).await.unwrap();
    assert!(tenant.bitable().is_subscribed(&app, "bitable"));
    let entry = tenant.journal().into_iter().last().unwrap();
    assert_eq!(
        entry.path,
        format!("/open-apis/drive/v1/files/{app}/subscribe")
    );
    assert!(
        entry
            .query
            .contains(&("file_type".into(), "bitable".into()))
    );
    let err = bitable
        .subscribe_record_events("bascnUnknown")
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1069604));
    tenant.bitable().deny_app(&app);
    let err = bitable.subscribe_record_events(&app).await.unwrap_err();
    assert!(err.is_permission_denied(), "{err}");
}
