//! Encrypting and signing webhook bodies the way Feishu does
//! (<https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/choose-a-subscription-mode/send-notifications-to-developers-server>):
//! AES-256-CBC with key SHA-256(encrypt key), PKCS#7, a random IV prepended, base64; the
//! signature is hex SHA-256 of `timestamp ‖ nonce ‖ encrypt_key ‖ body`.
//!
//! Implemented here independently of the SDK (the testkit depends on no SDK crate). The IV
//! comes from a non-cryptographic rng: fine for a fake, never for production.

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
use sha2::{Digest, Sha256};

/// Encrypts `plain` into the value of the `encrypt` field.
pub fn encrypt(encrypt_key: &str, plain: &[u8]) -> String {
    let key = Sha256::digest(encrypt_key.as_bytes());
    let iv: [u8; 16] = std::array::from_fn(|_| fastrand::u8(..));
    let Ok(encryptor) = cbc::Encryptor::<Aes256>::new_from_slices(&key, &iv) else {
        unreachable!("a SHA-256 digest is a valid AES-256 key and the IV has 16 bytes");
    };
    let ciphertext = encryptor.encrypt_padded_vec::<Pkcs7>(plain);
    let mut out = Vec::with_capacity(iv.len() + ciphertext.len());
    out.extend_from_slice(&iv);
    out.extend_from_slice(&ciphertext);
    STANDARD.encode(out)
}

/// The `X-Lark-Signature` of a request.
pub fn sign(timestamp: &str, nonce: &str, encrypt_key: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(timestamp.as_bytes());
    hasher.update(nonce.as_bytes());
    hasher.update(encrypt_key.as_bytes());
    hasher.update(body);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
