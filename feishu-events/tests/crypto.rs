//! Decryption and signatures against vectors computed here, independently, from the
//! documented algorithm (AES-256-CBC, key = SHA-256(encrypt key), PKCS#7, IV prepended,
//! base64; signature = hex SHA-256(timestamp ‖ nonce ‖ encrypt key ‖ body)), and the
//! refusals of tampered, mis-keyed, stale and broken requests.

use std::time::{SystemTime, UNIX_EPOCH};

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
use feishu_events::{DecryptError, Error, EventKind, SignatureError, WebhookHandler, crypto};
use http::HeaderMap;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

const KEY: &str = "kx8Q3w-encrypt-key";

fn encrypt(key: &str, iv: [u8; 16], plain: &[u8]) -> String {
    let key = Sha256::digest(key.as_bytes());
    let ct = cbc::Encryptor::<Aes256>::new_from_slices(&key, &iv)
        .unwrap()
        .encrypt_padded_vec::<Pkcs7>(plain);
    STANDARD.encode([iv.as_slice(), &ct].concat())
}

fn sign(timestamp: &str, nonce: &str, key: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(format!("{timestamp}{nonce}{key}").as_bytes());
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> String {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string()
}

fn headers(timestamp: &str, nonce: &str, signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-Lark-Request-Timestamp", timestamp.parse().unwrap());
    h.insert("X-Lark-Request-Nonce", nonce.parse().unwrap());
    h.insert("X-Lark-Signature", signature.parse().unwrap());
    h
}

fn handler() -> WebhookHandler {
    WebhookHandler::builder()
        .encrypt_key(KEY)
        .verification_token("v-token")
        .build()
        .unwrap()
}

fn event_json(id: &str) -> String {
    format!(
        r#"{{"schema":"2.0","header":{{"event_id":"{id}","event_type":"contact.user.deleted_v3","create_time":"1608725989000","token":"v-token","app_id":"cli_x","tenant_key":"tk"}},"event":{{"object":{{"open_id":"ou_1"}}}}}}"#
    )
}

/// An encrypted, signed request for `plain`.
fn request(plain: &str, timestamp: &str) -> (HeaderMap, Vec<u8>) {
    let body = format!(
        r#"{{"encrypt":"{}"}}"#,
        encrypt(KEY, [7; 16], plain.as_bytes())
    );
    let signature = sign(timestamp, "n0nce", KEY, body.as_bytes());
    (headers(timestamp, "n0nce", &signature), body.into_bytes())
}

#[test]
fn the_documented_vector_decrypts() {
    // The example in "Receive events" (every language's sample prints "hello world").
    let key = SecretString::from("test key");
    let plain = crypto::decrypt(&key, "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=").unwrap();
    assert_eq!(plain, b"hello world");
}

#[test]
fn independently_encrypted_bodies_decrypt() {
    let key = SecretString::from(KEY);
    for len in [0usize, 1, 15, 16, 17, 100, 4096] {
        let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let iv: [u8; 16] = std::array::from_fn(|i| i as u8 * 3);
        assert_eq!(
            crypto::decrypt(&key, &encrypt(KEY, iv, &plain)).unwrap(),
            plain
        );
    }
}

#[test]
fn signatures_match_an_independent_computation() {
    let key = SecretString::from(KEY);
    let body = br#"{"encrypt":"abc"}"#;
    let expected = sign("1700000000", "nonce", KEY, body);
    assert_eq!(
        crypto::signature("1700000000", "nonce", &key, body),
        expected
    );
    assert!(crypto::verify_signature(
        "1700000000",
        "nonce",
        &key,
        body,
        &expected
    ));
    assert!(crypto::verify_signature(
        "1700000000",
        "nonce",
        &key,
        body,
        &expected.to_uppercase()
    ));
    assert!(!crypto::verify_signature(
        "1700000001",
        "nonce",
        &key,
        body,
        &expected
    ));
    assert!(!crypto::verify_signature(
        "1700000000",
        "nonce",
        &key,
        b"{}",
        &expected
    ));
}

#[test]
fn a_signed_encrypted_event_is_accepted() {
    let (headers, body) = request(&event_json("e1"), &now());
    let outcome = handler().handle(&headers, &body);
    assert_eq!(outcome.response.status(), 200);
    let event = outcome.result.unwrap().unwrap();
    assert!(matches!(event.kind, EventKind::UserDeleted(_)));
}

#[test]
fn a_tampered_body_is_refused() {
    let (headers, mut body) = request(&event_json("e1"), &now());
    let at = body.len() - 5;
    body[at] = if body[at] == b'A' { b'B' } else { b'A' };
    let outcome = handler().handle(&headers, &body);
    assert_eq!(outcome.response.status(), 401);
    assert!(matches!(
        outcome.result,
        Err(Error::Signature(SignatureError::Mismatch))
    ));
}

#[test]
fn a_wrong_key_is_refused() {
    // Signed and encrypted with another key: the signature fails first...
    let other = WebhookHandler::builder()
        .encrypt_key("another key")
        .build()
        .unwrap();
    let (headers, body) = request(&event_json("e1"), &now());
    assert!(matches!(
        other.handle(&headers, &body).result,
        Err(Error::Signature(SignatureError::Mismatch))
    ));
    // ...and the decryption itself refuses it (bad padding, or not JSON).
    let wrong = SecretString::from("another key");
    let encrypted = encrypt(KEY, [9; 16], event_json("e1").as_bytes());
    let result = crypto::decrypt(&wrong, &encrypted);
    assert!(
        matches!(result, Err(DecryptError::Padding))
            || result.is_ok_and(|p| serde_json::from_slice::<serde_json::Value>(&p).is_err())
    );
}

#[test]
fn a_stale_timestamp_is_refused() {
    let stale = (now().parse::<u64>().unwrap() - 3600).to_string();
    let (headers, body) = request(&event_json("e1"), &stale);
    let outcome = handler().handle(&headers, &body);
    assert_eq!(outcome.response.status(), 401);
    assert!(matches!(outcome.result, Err(Error::StaleTimestamp { .. })));
    // with the window turned off, the same request passes
    let lenient = WebhookHandler::builder()
        .encrypt_key(KEY)
        .max_skew(None)
        .build()
        .unwrap();
    assert!(lenient.handle(&headers, &body).result.unwrap().is_some());
}

#[test]
fn missing_signature_headers_are_refused() {
    let (_, body) = request(&event_json("e1"), &now());
    let outcome = handler().handle(&HeaderMap::new(), &body);
    assert!(matches!(
        outcome.result,
        Err(Error::Signature(SignatureError::MissingHeaders))
    ));
}

#[test]
fn broken_ciphertexts_are_typed_errors() {
    let key = SecretString::from(KEY);
    assert_eq!(
        crypto::decrypt(&key, "%%%not base64"),
        Err(DecryptError::Base64)
    );
    assert_eq!(
        crypto::decrypt(&key, &STANDARD.encode([1u8; 16])),
        Err(DecryptError::TooShort)
    );
    assert_eq!(
        crypto::decrypt(&key, &STANDARD.encode([1u8; 40])),
        Err(DecryptError::NotBlockAligned)
    );
    // Through the handler: a signed body whose `encrypt` is not base64.
    let body = br#"{"encrypt":"%%%"}"#;
    let ts = now();
    let outcome = handler().handle(&headers(&ts, "n", &sign(&ts, "n", KEY, body)), body);
    assert_eq!(outcome.response.status(), 400);
    assert!(matches!(
        outcome.result,
        Err(Error::Decrypt(DecryptError::Base64))
    ));
}

#[test]
fn a_wrong_verification_token_is_refused() {
    let plain = event_json("e1").replace("v-token", "someone-else");
    let (headers, body) = request(&plain, &now());
    assert!(matches!(
        handler().handle(&headers, &body).result,
        Err(Error::Token)
    ));
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let h = handler();
    let shown = format!("{h:?}");
    assert!(
        !shown.contains(KEY) && !shown.contains("v-token"),
        "{shown}"
    );
    let (headers, body) = request(&event_json("e1").replace("v-token", "x"), &now());
    let outcome = h.handle(&headers, &body);
    let text = format!("{:?} {}", outcome.result, outcome.response.body());
    assert!(!text.contains(KEY) && !text.contains("v-token"), "{text}");
}
