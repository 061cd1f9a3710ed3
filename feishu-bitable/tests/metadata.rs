//! App, tables, views, fields and the wiki lookup against the fake tenant.

mod common;

use common::setup;
use feishu_bitable::{
    BaseLink, FieldType, TableSchema, UiType, ViewPublicLevel, ViewType, WikiObjType,
};
use feishu_core::ListRequest;
use feishu_core::{Error, UserIdType};
use futures::{StreamExt, TryStreamExt};

#[tokio::test]
async fn app_metadata() {
    let (tenant, bitable) = setup().await;
    let app = bitable.app(&tenant.bitable().app_token()).await.unwrap();
    assert_eq!(app.app_token, tenant.bitable().app_token());
    assert_eq!(app.name, "Testkit Sales");
    assert_eq!(app.time_zone.as_deref(), Some("Asia/Shanghai"));
    assert_eq!(app.formula_type, Some(2));
    assert!(!app.is_advanced);
    assert!(app.revision.is_some());
}

#[tokio::test]
async fn unknown_app_token_is_1254040_and_wiki_token_is_1254003() {
    let (tenant, bitable) = setup().await;
    let err = bitable.app("bascnDoesNotExist").await.unwrap_err();
    assert_eq!(err.api_code(), Some(1254040), "{err}");
    assert!(!err.is_retryable());
    let err = bitable
        .app(&tenant.bitable().wiki_node_token())
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1254003), "{err}");
}

#[tokio::test]
async fn denied_base_is_1254302_with_a_hint() {
    let (tenant, bitable) = setup().await;
    let app = tenant.bitable().app_token();
    tenant.bitable().deny_app(&app);
    let err = bitable.app(&app).await.unwrap_err();
    assert_eq!(err.api_code(), Some(1254302));
    assert!(err.is_permission_denied());
    let api = err.as_api().unwrap();
    assert_eq!(api.http_status(), 403);
    let hint = api.hint().expect("a hint");
    assert!(hint.contains("collaborator"), "{hint}");
    // Every endpoint of the Base says the same.
    let err = bitable
        .records(&app, &tenant.bitable().table_id())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1254302));
    tenant.bitable().allow_app(&app);
    assert!(bitable.app(&app).await.is_ok());
}

#[tokio::test]
async fn missing_scope_names_the_scope_to_grant() {
    let (tenant, bitable) = setup().await;
    tenant.forbid("/open-apis/bitable/", "bitable:app:readonly");
    let err = bitable
        .tables(&tenant.bitable().app_token())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(99991672));
    assert!(err.is_permission_denied());
    let api = err.as_api().unwrap();
    assert_eq!(
        api.required_scopes(),
        vec!["bitable:app:readonly".to_string()]
    );
    assert!(api.hint().unwrap().contains("bitable:app:readonly"));
}

#[tokio::test]
async fn tables_list_and_stream() {
    let (tenant, bitable) = setup().await;
    let app = tenant.bitable().app_token();
    let page = bitable.tables(&app).send().await.unwrap();
    assert_eq!(page.total, Some(2));
    assert!(!page.has_more);
    let names: Vec<_> = page.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["All types", "Customers"]);

    let extra = tenant.bitable().add_table("Big", 5);
    let ids: Vec<String> = bitable
        .tables(&app)
        .page_size(1)
        .into_stream()
        .map_ok(|t| t.table_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, tenant.bitable().table_ids(&app));
    assert_eq!(ids.last(), Some(&extra));
    assert_eq!(
        tenant.count_path(&format!("/open-apis/bitable/v1/apps/{app}/tables")),
        1 + 3
    );
    let pages: Vec<_> = bitable
        .tables(&app)
        .page_size(2)
        .by_page()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        [2, 1]
    );
}

#[tokio::test]
async fn page_size_is_checked_client_side() {
    let (tenant, bitable) = setup().await;
    let app = tenant.bitable().app_token();
    let before = tenant.request_count();
    let err = bitable
        .tables(&app)
        .page_size(101)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    assert!(err.to_string().contains("1..=100"), "{err}");
    let err = bitable
        .records(&app, &tenant.bitable().table_id())
        .page_size(501)
        .into_stream()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("1..=500"), "{err}");
    let err = bitable
        .search_records(&app, &tenant.bitable().table_id())
        .page_size(0)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    assert_eq!(tenant.request_count(), before, "nothing was sent");
}

#[tokio::test]
async fn views_typed() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let views: Vec<_> = bitable
        .views(&app, &table)
        .user_id_type(UserIdType::UserId)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        views.iter().map(|v| v.view_id.clone()).collect::<Vec<_>>(),
        tenant.bitable().view_ids(&app, &table)
    );
    assert_eq!(views[0].view_type, Some(ViewType::Grid));
    assert_eq!(views[1].view_type, Some(ViewType::Kanban));
    assert_eq!(views[2].view_public_level, Some(ViewPublicLevel::Private));
    let owner = views[2].view_private_owner_id.as_deref().unwrap();
    assert!(
        !owner.starts_with("ou_"),
        "user_id_type=user_id was sent: {owner}"
    );
}

#[tokio::test]
async fn unknown_table_and_view() {
    let (tenant, bitable) = setup().await;
    let app = tenant.bitable().app_token();
    let err = bitable.views(&app, "tblNope").send().await.unwrap_err();
    assert_eq!(err.api_code(), Some(1254041));
    let err = bitable.views(&app, "nottbl").send().await.unwrap_err();
    assert_eq!(err.api_code(), Some(1254004));
    let err = bitable
        .fields(&app, &tenant.bitable().table_id())
        .view_id("vewNope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1254042));
    // A hostile id stays one path segment.
    let err = bitable
        .views(&app, "../../tables")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1254004));
}

#[tokio::test]
async fn fields_of_every_type() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    // Default page size 20: 28 fields take two pages.
    let fields: Vec<_> = bitable
        .fields(&app, &table)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        fields
            .iter()
            .map(|f| f.field_name.clone())
            .collect::<Vec<_>>(),
        tenant.bitable().field_names(&app, &table)
    );
    assert_eq!(
        tenant.count_path(&format!(
            "/open-apis/bitable/v1/apps/{app}/tables/{table}/fields"
        )),
        2
    );
    let schema = TableSchema::new(fields);
    for t in FieldType::ALL {
        assert!(
            schema.fields.iter().any(|f| f.field_type == t),
            "no field of type {t}"
        );
    }
    let email = schema.field("Email").unwrap();
    assert_eq!(email.field_type, FieldType::Text);
    assert_eq!(email.ui_type, Some(UiType::Email));
    let rating = schema.field("Rating").unwrap();
    assert_eq!(rating.ui_type, Some(UiType::Rating));
    assert!(schema.field("Name").unwrap().is_primary);
    assert_eq!(schema.primary().unwrap().field_name, "Name");
    let status = schema.field("Status").unwrap().property.as_ref().unwrap();
    assert_eq!(
        status
            .options
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>(),
        ["Open", "In progress", "Done"]
    );
    let link = schema.field("Customer").unwrap().property.as_ref().unwrap();
    assert_eq!(
        link.table_id.as_deref(),
        Some(tenant.bitable().customers_table_id().as_str())
    );
    assert_eq!(
        schema.field("Margin").unwrap().formula_result_type(),
        Some(FieldType::Number)
    );
    assert_eq!(
        schema.field("Flow").unwrap().ui_type,
        Some(UiType::Unknown("Stage".into()))
    );
    assert_eq!(schema.field_type("No."), Some(FieldType::AutoNumber));
    // `schema()` gives the same.
    assert_eq!(bitable.schema(&app, &table).await.unwrap(), schema);
    // Descriptions as segments on request.
    let page = bitable
        .fields(&app, &table)
        .text_field_as_array(true)
        .page_size(100)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 28);
    assert!(page.items[0].description.as_ref().unwrap().is_array());
}

#[tokio::test]
async fn wiki_node_resolves_to_app_token() {
    let (tenant, bitable) = setup().await;
    let node = bitable
        .wiki_node(&tenant.bitable().wiki_node_token())
        .await
        .unwrap();
    assert_eq!(node.obj_type, Some(WikiObjType::Bitable));
    assert_eq!(node.obj_create_time, Some(1_735_689_600));
    assert_eq!(
        bitable
            .resolve_wiki_node(&tenant.bitable().wiki_node_token())
            .await
            .unwrap(),
        tenant.bitable().app_token()
    );
    // A node that is a document, not a Base.
    let err = bitable
        .resolve_wiki_node(&tenant.bitable().wiki_docx_node_token())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    assert!(err.to_string().contains("docx"), "{err}");
    // Unknown node.
    let err = bitable.wiki_node("wikcnNope").await.unwrap_err();
    assert_eq!(err.api_code(), Some(131005));
    // From a URL.
    let url = format!(
        "https://x.feishu.cn/wiki/{}?table={}",
        tenant.bitable().wiki_node_token(),
        tenant.bitable().table_id()
    );
    let link = BaseLink::parse(&url).unwrap();
    assert_eq!(
        bitable.resolve_link(&link).await.unwrap(),
        tenant.bitable().app_token()
    );
    assert_eq!(tenant.count_path("/open-apis/wiki/v2/spaces/get_node"), 5);
}
