//! `POST /callback/ws/endpoint`: the request that opens a long connection (oapi-sdk-go
//! `ws/client.go` `getConnURL`). Body `{"AppID", "AppSecret"}` of the custom app; answer
//! `{code, msg, data: {URL, ClientConfig}}`.

use serde_json::json;

use super::shared::Shared;
use crate::reply::Reply;
use crate::request::RequestView;

/// The endpoint path (oapi-sdk-go `ws/const.go` `GenEndpointUri`).
pub(super) const PATH: &str = "/callback/ws/endpoint";
/// Code for wrong credentials: "auth failed" (oapi-sdk-go `ws/const.go` `AuthFailed`). What
/// Feishu answers for a wrong secret is not documented.
const AUTH_FAILED: i64 = 514;

/// Answers an endpoint request: a queued failure, an auth failure, or the websocket URL.
pub(super) fn answer(shared: &Shared, req: &RequestView) -> Reply {
    let field = |name: &str| {
        req.json
            .as_ref()
            .and_then(|body| body.get(name))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    };
    let addr = shared.websocket_address();
    let mut knobs = shared.knobs();
    knobs.endpoint_requests += 1;
    if let Some(code) = knobs.endpoint_failures.pop_front() {
        return Reply::json(
            200,
            json!({ "code": code, "msg": "system busy", "data": null }),
        );
    }
    if field("AppID") != shared.custom.app_id || field("AppSecret") != shared.app_secret {
        return Reply::json(
            200,
            json!({ "code": AUTH_FAILED, "msg": "auth failed: wrong AppID or AppSecret", "data": null }),
        );
    }
    knobs.next_id += 1;
    let url = format!("ws://{addr}/ws?device_id={}&service_id=1", knobs.next_id);
    Reply::json(
        200,
        json!({
            "code": 0,
            "msg": "ok",
            "data": { "URL": url, "ClientConfig": knobs.client_config.to_json() },
        }),
    )
}
