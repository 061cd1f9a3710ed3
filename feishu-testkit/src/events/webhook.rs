//! Posting events to an application's webhook URL as Feishu does: JSON body, encrypted and
//! signed when an encrypt key is set (headers `X-Lark-Request-Timestamp`,
//! `X-Lark-Request-Nonce`, `X-Lark-Signature`; oapi-sdk-go `event/model.go`).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::crypto;
use super::payloads;

/// What one POST to a webhook got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// The event id of the posted envelope (none for a challenge).
    pub event_id: Option<String>,
    /// The HTTP status of the answer (0 when the request failed to get one).
    pub status: u16,
    /// The answer's body (or the transport error).
    pub body: String,
}

/// How to post: the encrypt key (encrypts and signs) and an optional timestamp override
/// (Unix seconds, to test stale requests).
#[derive(Debug, Clone, Default)]
pub(crate) struct PostOptions {
    pub(crate) encrypt_key: Option<String>,
    pub(crate) timestamp: Option<u64>,
}

/// Posts `envelope` to `url`.
pub(crate) async fn post(
    http: &reqwest::Client,
    url: &str,
    envelope: &Value,
    options: &PostOptions,
) -> WebhookDelivery {
    let event_id = payloads::event_id(envelope).map(str::to_owned);
    let plain = envelope.to_string();
    let mut request = http
        .post(url)
        .header("content-type", "application/json; charset=utf-8");
    let body = match &options.encrypt_key {
        Some(key) => {
            let body = json!({ "encrypt": crypto::encrypt(key, plain.as_bytes()) }).to_string();
            let timestamp = options.timestamp.unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs()
            });
            let timestamp = timestamp.to_string();
            let nonce = format!("{:016x}", fastrand::u64(..));
            let signature = crypto::sign(&timestamp, &nonce, key, body.as_bytes());
            request = request
                .header("X-Lark-Request-Timestamp", timestamp)
                .header("X-Lark-Request-Nonce", nonce)
                .header("X-Lark-Signature", signature);
            body
        }
        None => plain,
    };
    match request.body(body).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            WebhookDelivery {
                event_id,
                status,
                body,
            }
        }
        Err(e) => WebhookDelivery {
            event_id,
            status: 0,
            body: e.to_string(),
        },
    }
}
