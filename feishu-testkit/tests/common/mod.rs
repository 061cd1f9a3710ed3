//! Helpers shared by the integration tests: plain reqwest calls against a fake tenant.

#![allow(dead_code, unreachable_pub)]

use feishu_testkit::FakeTenant;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// A reply: HTTP status, headers, raw body text and the body parsed as JSON (Null if not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub fn code(&self) -> Option<i64> {
        self.json.get("code").and_then(Value::as_i64)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    }

    pub fn log_id(&self) -> String {
        self.header("x-tt-logid")
            .expect("every reply has X-Tt-Logid")
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        text,
        json,
    }
}

pub async fn post_json(tenant: &FakeTenant, path: &str, body: Value) -> Answer {
    let response = reqwest::Client::new()
        .post(tenant.url(path))
        .json(&body)
        .send()
        .await
        .expect("request");
    answer(response).await
}

/// GET `path` with an optional bearer token.
pub async fn get(tenant: &FakeTenant, path: &str, token: Option<&str>) -> Answer {
    let mut request = reqwest::Client::new().get(tenant.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    answer(request.send().await.expect("request")).await
}

/// GET `path` with the query pairs encoded by reqwest.
pub async fn get_query(
    tenant: &FakeTenant,
    path: &str,
    token: &str,
    query: &[(&str, &str)],
) -> Answer {
    let request = reqwest::Client::new()
        .get(tenant.url(path))
        .query(query)
        .bearer_auth(token);
    answer(request.send().await.expect("request")).await
}

/// A custom-app tenant token from `tenant_access_token/internal`.
pub async fn tenant_token(tenant: &FakeTenant) -> String {
    let reply = post_json(
        tenant,
        "/open-apis/auth/v3/tenant_access_token/internal",
        json!({ "app_id": tenant.app_id(), "app_secret": tenant.app_secret() }),
    )
    .await;
    assert_eq!(reply.code(), Some(0), "{}", reply.text);
    reply.json["tenant_access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}
