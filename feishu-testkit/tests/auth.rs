//! Token endpoints, the re-issue rule, the store-app flow and bearer-token checks.

mod common;

use std::time::Duration;

use common::{get, post_json, tenant_token};
use feishu_testkit::{ExpireField, FakeTenant};
use serde_json::json;

const WHOAMI: &str = "/open-apis/testkit/v1/whoami";
const INTERNAL_TENANT: &str = "/open-apis/auth/v3/tenant_access_token/internal";
const INTERNAL_APP: &str = "/open-apis/auth/v3/app_access_token/internal";
const RESEND: &str = "/open-apis/auth/v3/app_ticket/resend";
const STORE_APP: &str = "/open-apis/auth/v3/app_access_token";
const STORE_TENANT: &str = "/open-apis/auth/v3/tenant_access_token";

#[tokio::test]
async fn same_token_while_above_threshold_then_a_new_one() {
    let tenant = FakeTenant::start().await;
    let creds = json!({ "app_id": tenant.app_id(), "app_secret": tenant.app_secret() });

    let first = post_json(&tenant, INTERNAL_TENANT, creds.clone()).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.code(), Some(0));
    assert!(first.json.get("data").is_none(), "auth replies are flat");
    assert_eq!(first.json["expire"], 7200);
    let t1 = first.json["tenant_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(t1.starts_with("t-") && t1.len() == 34, "{t1}");
    assert!(
        first
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );

    // 5399 s later: 1801 s left (>= 30 min) -> same token, shrinking expire.
    tenant.advance_clock(Duration::from_secs(5399));
    let again = post_json(&tenant, INTERNAL_TENANT, creds.clone()).await;
    assert_eq!(again.json["tenant_access_token"], t1.as_str());
    let expire = again.json["expire"].as_u64().unwrap();
    assert!((1800..=1801).contains(&expire), "{expire}");

    // 2 s later: < 30 min left -> a new token with a full lifetime.
    tenant.advance_clock(Duration::from_secs(2));
    let renewed = post_json(&tenant, INTERNAL_TENANT, creds.clone()).await;
    let t2 = renewed.json["tenant_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(t1, t2);
    assert_eq!(renewed.json["expire"], 7200);

    // The old token stays valid until its own expiry, then 99991663.
    assert_eq!(get(&tenant, WHOAMI, Some(&t1)).await.code(), Some(0));
    tenant.advance_clock(Duration::from_secs(1800));
    let expired = get(&tenant, WHOAMI, Some(&t1)).await;
    assert_eq!((expired.status, expired.code()), (400, Some(99991663)));
    assert_eq!(get(&tenant, WHOAMI, Some(&t2)).await.code(), Some(0));
    assert_eq!(tenant.token_requests(), 3);
}

#[tokio::test]
async fn custom_knobs_for_lifetime_and_threshold() {
    let tenant = FakeTenant::builder()
        .token_expire(Duration::from_secs(100))
        .reissue_threshold(Duration::from_secs(60))
        .app_id("cli_other")
        .app_secret("other-secret")
        .start()
        .await;
    let creds = json!({ "app_id": "cli_other", "app_secret": "other-secret" });
    let first = post_json(&tenant, INTERNAL_TENANT, creds.clone()).await;
    assert_eq!(first.json["expire"], 100);
    tenant.advance_clock(Duration::from_secs(41));
    let second = post_json(&tenant, INTERNAL_TENANT, creds).await;
    assert_ne!(
        first.json["tenant_access_token"],
        second.json["tenant_access_token"]
    );
}

#[tokio::test]
async fn app_access_token_internal_returns_both_tokens() {
    let tenant = FakeTenant::start().await;
    let reply = post_json(
        &tenant,
        INTERNAL_APP,
        json!({ "app_id": tenant.app_id(), "app_secret": tenant.app_secret() }),
    )
    .await;
    assert_eq!(reply.code(), Some(0));
    let app_token = reply.json["app_access_token"].as_str().unwrap();
    let tenant_token_value = reply.json["tenant_access_token"].as_str().unwrap();
    assert!(app_token.starts_with("a-"));
    assert_eq!(reply.json["expire"], 7200);
    // The tenant token is the same one the tenant endpoint hands out.
    assert_eq!(tenant_token(&tenant).await, tenant_token_value);
    // Data endpoints accept tenant tokens only.
    let rejected = get(&tenant, WHOAMI, Some(app_token)).await;
    assert_eq!((rejected.status, rejected.code()), (400, Some(99991663)));
    let whoami = get(&tenant, WHOAMI, Some(tenant_token_value)).await;
    assert_eq!(whoami.json["data"]["app_id"], tenant.app_id());
}

#[tokio::test]
async fn bad_credentials_get_10003_with_http_200() {
    let tenant = FakeTenant::start().await;
    for body in [
        json!({ "app_id": tenant.app_id(), "app_secret": "wrong" }),
        json!({ "app_id": "cli_unknown", "app_secret": tenant.app_secret() }),
        json!({ "app_id": tenant.app_id() }),
        json!({}),
        json!({ "app_id": tenant.store_app_id(), "app_secret": tenant.store_app_secret() }),
    ] {
        for path in [INTERNAL_TENANT, INTERNAL_APP] {
            let reply = post_json(&tenant, path, body.clone()).await;
            assert_eq!(
                (reply.status, reply.code()),
                (200, Some(10003)),
                "{body} {path}"
            );
            assert!(reply.json.get("tenant_access_token").is_none());
        }
    }
    let wrong_method = get(&tenant, INTERNAL_TENANT, None).await;
    assert_eq!(
        (wrong_method.status, wrong_method.code()),
        (405, Some(99991301))
    );
    let unknown = post_json(&tenant, "/open-apis/auth/v3/nope", json!({})).await;
    assert_eq!((unknown.status, unknown.code()), (404, Some(99991201)));
}

#[tokio::test]
async fn store_app_flow() {
    let tenant = FakeTenant::start().await;
    let store = |extra: serde_json::Value| {
        let mut body = json!({
            "app_id": tenant.store_app_id(),
            "app_secret": tenant.store_app_secret(),
        });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };

    // A ticket exists from the start, as a v1 event envelope.
    let event = tenant.app_ticket_event().expect("ticket at start");
    let ticket = tenant.current_app_ticket().unwrap();
    assert_eq!(event["type"], "event_callback");
    assert_eq!(event["token"], tenant.verification_token());
    assert_eq!(event["event"]["type"], "app_ticket");
    assert_eq!(event["event"]["app_id"], tenant.store_app_id());
    assert_eq!(event["event"]["app_ticket"], ticket.as_str());
    assert!(event["ts"].is_string() && event["uuid"].is_string());

    // Missing or wrong ticket -> 10012.
    for body in [
        store(json!({})),
        store(json!({ "app_ticket": "tkt_wrong" })),
    ] {
        let reply = post_json(&tenant, STORE_APP, body).await;
        assert_eq!((reply.status, reply.code()), (200, Some(10012)));
    }
    // Custom apps cannot resend.
    let custom = post_json(
        &tenant,
        RESEND,
        json!({ "app_id": tenant.app_id(), "app_secret": tenant.app_secret() }),
    )
    .await;
    assert_eq!(custom.code(), Some(10016));

    // Resend: a fresh ticket, the old one is refused.
    let resend = post_json(&tenant, RESEND, store(json!({}))).await;
    assert_eq!(
        (resend.code(), resend.json["msg"].as_str()),
        (Some(0), Some("success"))
    );
    let fresh = tenant.current_app_ticket().unwrap();
    assert_ne!(fresh, ticket);
    assert_eq!(
        tenant.app_ticket_event().unwrap()["event"]["app_ticket"],
        fresh.as_str()
    );
    let old = post_json(&tenant, STORE_APP, store(json!({ "app_ticket": ticket }))).await;
    assert_eq!(old.code(), Some(10012));

    let app = post_json(&tenant, STORE_APP, store(json!({ "app_ticket": fresh }))).await;
    assert_eq!(app.code(), Some(0), "{}", app.text);
    let app_token = app.json["app_access_token"].as_str().unwrap().to_owned();
    assert!(app_token.starts_with("a-"));
    assert_eq!(app.json["expire"], 7200);

    // Tenant token for the tenant key.
    let reply = post_json(
        &tenant,
        STORE_TENANT,
        json!({ "app_access_token": app_token, "tenant_key": tenant.tenant_key() }),
    )
    .await;
    assert_eq!(reply.code(), Some(0), "{}", reply.text);
    let token = reply.json["tenant_access_token"].as_str().unwrap();
    let whoami = get(&tenant, WHOAMI, Some(token)).await;
    assert_eq!(whoami.json["data"]["app_id"], tenant.store_app_id());
    assert_eq!(whoami.json["data"]["tenant_key"], tenant.tenant_key());

    // Unknown tenant key -> 10013, bad app token -> 99991664, missing fields -> 10003.
    let unknown = post_json(
        &tenant,
        STORE_TENANT,
        json!({ "app_access_token": app_token, "tenant_key": "tenant_other" }),
    )
    .await;
    assert_eq!(unknown.code(), Some(10013));
    let bad = post_json(
        &tenant,
        STORE_TENANT,
        json!({ "app_access_token": "a-bogus", "tenant_key": tenant.tenant_key() }),
    )
    .await;
    assert_eq!((bad.status, bad.code()), (400, Some(99991664)));
    let missing = post_json(&tenant, STORE_TENANT, json!({ "tenant_key": "x" })).await;
    assert_eq!(missing.code(), Some(10003));
}

#[tokio::test]
async fn no_ticket_until_resend_when_disabled() {
    let tenant = FakeTenant::builder()
        .issue_app_ticket_at_start(false)
        .start()
        .await;
    assert!(tenant.app_ticket_event().is_none());
    assert!(tenant.current_app_ticket().is_none());
    let reply = post_json(
        &tenant,
        RESEND,
        json!({ "app_id": tenant.store_app_id(), "app_secret": tenant.store_app_secret() }),
    )
    .await;
    assert_eq!(reply.code(), Some(0));
    assert!(tenant.app_ticket_event().is_some());
}

#[tokio::test]
async fn authorization_header_errors() {
    let tenant = FakeTenant::start().await;
    let http = reqwest::Client::new();
    let cases = [
        (None, 99991661),
        (Some("Basic abc"), 99991661),
        (Some("Bearer "), 99991661),
        (Some("bearer t-abc"), 99991661),
        (Some("Bearer x-abc"), 99991671),
        (Some("Bearer abc"), 99991671),
        (Some("Bearer t-unknown"), 99991663),
        (Some("Bearer a-unknown"), 99991663),
        (Some("Bearer u-someone"), 99991668),
    ];
    for (header, code) in cases {
        let mut request = http.get(tenant.url(WHOAMI));
        if let Some(header) = header {
            request = request.header("Authorization", header);
        }
        let reply = common::answer(request.send().await.unwrap()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, Some(code)),
            "{header:?}"
        );
        assert_eq!(reply.json["error"]["log_id"], reply.log_id().as_str());
    }
}

#[tokio::test]
async fn revoke_and_reject_all() {
    let tenant = FakeTenant::start().await;
    let t1 = tenant_token(&tenant).await;
    assert_eq!(get(&tenant, WHOAMI, Some(&t1)).await.code(), Some(0));

    tenant.revoke_tokens();
    assert_eq!(get(&tenant, WHOAMI, Some(&t1)).await.code(), Some(99991663));
    let t2 = tenant_token(&tenant).await;
    assert_ne!(t1, t2);
    assert_eq!(get(&tenant, WHOAMI, Some(&t2)).await.code(), Some(0));

    tenant.reject_all_tokens(true);
    let t3 = tenant_token(&tenant).await; // token endpoints keep working
    assert_eq!(t3, t2);
    for token in [&t2, &tenant.mint_tenant_token()] {
        assert_eq!(
            get(&tenant, WHOAMI, Some(token)).await.code(),
            Some(99991663)
        );
    }
    tenant.reject_all_tokens(false);
    assert_eq!(get(&tenant, WHOAMI, Some(&t2)).await.code(), Some(0));
}

#[tokio::test]
async fn minted_tokens() {
    let tenant = FakeTenant::start().await;
    let token = tenant.mint_tenant_token();
    assert!(token.starts_with("t-"));
    assert_ne!(token, tenant.mint_tenant_token());
    let whoami = get(&tenant, WHOAMI, Some(&token)).await;
    assert_eq!(whoami.json["data"]["app_id"], tenant.store_app_id());
    assert_eq!(whoami.json["data"]["token"], token.as_str());

    let app_token = tenant.mint_app_token();
    assert!(app_token.starts_with("a-"));
    let reply = post_json(
        &tenant,
        STORE_TENANT,
        json!({ "app_access_token": app_token, "tenant_key": tenant.tenant_key() }),
    )
    .await;
    assert_eq!(reply.code(), Some(0));
    assert_eq!(tenant.token_requests(), 1);
}

#[tokio::test]
async fn expire_can_be_left_out_or_unparsable() {
    let tenant = FakeTenant::start().await;
    let creds = json!({ "app_id": tenant.app_id(), "app_secret": tenant.app_secret() });

    tenant.set_token_expire_field(ExpireField::Omitted);
    let omitted = post_json(&tenant, INTERNAL_TENANT, creds.clone()).await;
    assert_eq!(omitted.code(), Some(0));
    assert!(omitted.json.get("expire").is_none(), "{}", omitted.text);
    let token = omitted.json["tenant_access_token"].as_str().unwrap();
    assert_eq!(get(&tenant, WHOAMI, Some(token)).await.code(), Some(0));

    tenant.set_token_expire_field(ExpireField::Unparsable);
    for path in [INTERNAL_TENANT, INTERNAL_APP] {
        let broken = post_json(&tenant, path, creds.clone()).await;
        assert_eq!(broken.code(), Some(0));
        assert!(broken.json["expire"].is_string(), "{path}: {}", broken.text);
        assert!(
            broken.json["expire"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .is_err()
        );
    }

    tenant.set_token_expire_field(ExpireField::Seconds);
    let fixed = post_json(&tenant, INTERNAL_TENANT, creds).await;
    let expire = fixed.json["expire"].as_u64().unwrap();
    assert!((7199..=7200).contains(&expire), "{expire}");
    // The knob changed the reply only: it is still the token issued first.
    assert_eq!(fixed.json["tenant_access_token"], token);
}
