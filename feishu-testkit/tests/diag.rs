//! The testkit-only diagnostic endpoints: echo, numbers paging and its knobs, huge, routing.

mod common;

use std::collections::HashSet;

use common::{Answer, answer, get, get_query, tenant_token};
use feishu_testkit::FakeTenant;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

const NUMBERS: &str = "/open-apis/testkit/v1/numbers";
const SEARCH: &str = "/open-apis/testkit/v1/numbers/search";

async fn setup() -> (FakeTenant, String) {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    (tenant, token)
}

#[tokio::test]
async fn echo_keeps_an_encoded_id_as_one_segment() {
    let (tenant, token) = setup().await;
    for id in [
        "a/b",
        "../x",
        "100% sure",
        "飞书 id",
        "q?x=1#f",
        "plus+sign",
    ] {
        let encoded = utf8_percent_encode(id, NON_ALPHANUMERIC).to_string();
        let path = format!("/open-apis/testkit/v1/echo/{encoded}");
        let reply = get(&tenant, &path, Some(&token)).await;
        assert_eq!(reply.code(), Some(0), "{id}: {}", reply.text);
        let data = &reply.json["data"];
        assert_eq!(data["segment"], id);
        assert_eq!(data["raw_path"], path.as_str());
        assert_eq!(
            data["segments"],
            json!(["open-apis", "testkit", "v1", "echo", id])
        );
    }
}

#[tokio::test]
async fn echo_reports_query_pairs_with_repeats() {
    let (tenant, token) = setup().await;
    let reply = get(
        &tenant,
        "/open-apis/testkit/v1/echo/x?user_ids=a&user_ids=b&t=%2B%2F%3D",
        Some(&token),
    )
    .await;
    assert_eq!(
        reply.json["data"]["query"],
        json!([["user_ids", "a"], ["user_ids", "b"], ["t", "+/="]])
    );
}

#[tokio::test]
async fn wrong_paths_and_methods_fail_readably() {
    let (tenant, token) = setup().await;
    // An unencoded slash adds a segment: no match.
    let extra = get(&tenant, "/open-apis/testkit/v1/echo/a/b", Some(&token)).await;
    assert_eq!((extra.status, extra.code()), (404, Some(99991201)));
    assert_eq!(
        extra.json["msg"],
        "path not found: GET /open-apis/testkit/v1/echo/a/b"
    );
    assert_eq!(extra.json["error"]["log_id"], extra.log_id().as_str());
    let empty = get(&tenant, "/open-apis/testkit/v1/echo/", Some(&token)).await;
    assert_eq!(empty.code(), Some(99991201));
    let unknown = get(&tenant, "/open-apis/contact/v3/nothing", Some(&token)).await;
    assert_eq!((unknown.status, unknown.code()), (404, Some(99991201)));

    let post = reqwest::Client::new()
        .post(tenant.url("/open-apis/testkit/v1/echo/x"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let post = answer(post).await;
    assert_eq!((post.status, post.code()), (405, Some(99991301)));
}

async fn numbers(tenant: &FakeTenant, token: &str, query: &[(&str, &str)]) -> Answer {
    get_query(tenant, NUMBERS, token, query).await
}

/// Follows page tokens, returning every page's data.
async fn all_pages(tenant: &FakeTenant, token: &str, base: &[(&str, &str)]) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut page_token = String::new();
    loop {
        let mut query = base.to_vec();
        if !page_token.is_empty() {
            query.push(("page_token", &page_token));
        }
        let reply = numbers(tenant, token, &query).await;
        assert_eq!(reply.code(), Some(0), "{}", reply.text);
        let data = reply.json["data"].clone();
        pages.push(data.clone());
        if !data["has_more"].as_bool().unwrap() {
            return pages;
        }
        page_token = data["page_token"].as_str().unwrap().to_owned();
    }
}

#[tokio::test]
async fn numbers_pages_with_opaque_tokens() {
    let (tenant, token) = setup().await;
    let pages = all_pages(&tenant, &token, &[]).await;
    assert_eq!(pages.len(), 3);
    let items: Vec<u64> = pages
        .iter()
        .flat_map(|page| page["items"].as_array().unwrap().clone())
        .map(|item| item.as_u64().unwrap())
        .collect();
    assert_eq!(items, (0..25).collect::<Vec<_>>());
    let first_token = pages[0]["page_token"].as_str().unwrap();
    assert!(first_token.contains('+') && first_token.contains('/') && first_token.contains('='));
    assert!(pages[2].get("page_token").is_none());
    assert_eq!(pages[0]["total"], 25);

    let sized = all_pages(&tenant, &token, &[("total", "7"), ("page_size", "3")]).await;
    assert_eq!(sized.len(), 3);
    assert_eq!(sized[2]["items"], json!([6]));
    let empty = all_pages(&tenant, &token, &[("total", "0")]).await;
    assert_eq!(empty[0]["items"], json!([]));

    // A token sent without URL-encoding loses its '+' and is refused.
    let raw = format!("{NUMBERS}?page_token={first_token}");
    let refused = get(&tenant, &raw, Some(&token)).await;
    assert_eq!((refused.status, refused.code()), (400, Some(99992402)));
}

#[tokio::test]
async fn numbers_param_errors() {
    let (tenant, token) = setup().await;
    for query in [
        [("page_size", "0")],
        [("page_size", "101")],
        [("page_size", "ten")],
        [("page_token", "garbage")],
        [("total", "-1")],
    ] {
        let reply = numbers(&tenant, &token, &query).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, Some(99992402)),
            "{query:?}"
        );
        assert_eq!(
            reply.json["error"]["field_violations"][0]["field"],
            query[0].0
        );
    }
    let max = numbers(&tenant, &token, &[("page_size", "100"), ("total", "250")]).await;
    assert_eq!(max.json["data"]["items"].as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn numbers_repeat_and_empty_token_knobs() {
    let (tenant, token) = setup().await;
    let page1 = numbers(&tenant, &token, &[("repeat_token_at", "2")]).await;
    let t1 = page1.json["data"]["page_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let page2 = numbers(
        &tenant,
        &token,
        &[("repeat_token_at", "2"), ("page_token", &t1)],
    )
    .await;
    assert_eq!(page2.json["data"]["page_token"], t1.as_str());
    assert_eq!(page2.json["data"]["has_more"], true);
    assert_eq!(page2.json["data"]["items"][0], 10);

    let page2 = numbers(
        &tenant,
        &token,
        &[("empty_token_at", "2"), ("page_token", &t1)],
    )
    .await;
    assert_eq!(page2.json["data"]["has_more"], true);
    assert_eq!(page2.json["data"]["page_token"], "");

    // On the last page, the knobs still claim more.
    let last = numbers(&tenant, &token, &[("total", "5"), ("empty_token_at", "1")]).await;
    assert_eq!(last.json["data"]["has_more"], true);
    assert_eq!(last.json["data"]["page_token"], "");
}

#[tokio::test]
async fn numbers_endless_tail_knob() {
    let (tenant, token) = setup().await;
    let base = [("endless_from", "2"), ("page_size", "10")];
    let page1 = numbers(&tenant, &token, &base).await;
    assert_eq!(page1.json["data"]["items"].as_array().unwrap().len(), 10);
    let mut page_token = page1.json["data"]["page_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut seen = HashSet::from([page_token.clone()]);
    // Far past the 25 items: every page claims more, hands out a new token, carries nothing.
    for _ in 0..20 {
        let mut query = base.to_vec();
        query.push(("page_token", &page_token));
        let page = numbers(&tenant, &token, &query).await;
        assert_eq!(page.code(), Some(0), "{}", page.text);
        let data = &page.json["data"];
        assert_eq!(
            (data["has_more"].clone(), data["items"].clone()),
            (json!(true), json!([]))
        );
        page_token = data["page_token"].as_str().unwrap().to_owned();
        assert!(
            seen.insert(page_token.clone()),
            "token {page_token} came back"
        );
    }
    // Without the knob the same data ends normally.
    assert_eq!(all_pages(&tenant, &token, &[]).await.len(), 3);
}

#[tokio::test]
async fn numbers_fail_at_knob() {
    let (tenant, token) = setup().await;
    let page1 = numbers(&tenant, &token, &[("fail_at", "2")]).await;
    assert_eq!(page1.code(), Some(0));
    let t1 = page1.json["data"]["page_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let page2 = numbers(&tenant, &token, &[("fail_at", "2"), ("page_token", &t1)]).await;
    assert_eq!((page2.status, page2.code()), (400, Some(1390001)));
    let custom = numbers(
        &tenant,
        &token,
        &[
            ("fail_at", "1"),
            ("fail_code", "1500"),
            ("fail_status", "500"),
        ],
    )
    .await;
    assert_eq!((custom.status, custom.code()), (500, Some(1500)));
}

#[tokio::test]
async fn numbers_search_filters_in_body_pages_in_query() {
    let (tenant, token) = setup().await;
    let http = reqwest::Client::new();
    let mut items = Vec::new();
    let mut page_token: Option<String> = None;
    let mut calls = 0;
    loop {
        let mut query = vec![("page_size", "4".to_owned())];
        if let Some(t) = &page_token {
            query.push(("page_token", t.clone()));
        }
        let reply = http
            .post(tenant.url(SEARCH))
            .query(&query)
            .bearer_auth(&token)
            .json(&json!({ "multiple_of": 3, "total": 25 }))
            .send()
            .await
            .unwrap();
        let reply = answer(reply).await;
        calls += 1;
        let data = &reply.json["data"];
        items.extend(
            data["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap()),
        );
        if data["has_more"] == false {
            break;
        }
        page_token = Some(data["page_token"].as_str().unwrap().to_owned());
    }
    assert_eq!(items, vec![0, 3, 6, 9, 12, 15, 18, 21, 24]);
    assert_eq!(calls, 3);

    let bad = http
        .post(tenant.url(SEARCH))
        .bearer_auth(&token)
        .json(&json!({ "multiple_of": 0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer(bad).await.code(), Some(99992402));
    let get_search = get(&tenant, SEARCH, Some(&token)).await;
    assert_eq!(get_search.code(), Some(99991301));
}

#[tokio::test]
async fn huge_response() {
    let (tenant, token) = setup().await;
    let reply = get(
        &tenant,
        "/open-apis/testkit/v1/huge?bytes=100000",
        Some(&token),
    )
    .await;
    assert_eq!(reply.code(), Some(0));
    assert_eq!(reply.json["data"].as_str().unwrap().len(), 100_000);
    assert!(reply.text.len() > 100_000);
    let too_big = get(
        &tenant,
        "/open-apis/testkit/v1/huge?bytes=999999999999",
        Some(&token),
    )
    .await;
    assert_eq!(too_big.code(), Some(99992402));
}

#[tokio::test]
async fn log_ids_are_unique() {
    let (tenant, token) = setup().await;
    let mut seen = HashSet::new();
    for path in ["/open-apis/testkit/v1/echo/a", "/nowhere", NUMBERS] {
        for auth in [Some(token.as_str()), None] {
            assert!(seen.insert(get(&tenant, path, auth).await.log_id()));
        }
    }
}
