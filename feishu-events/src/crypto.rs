//! Decryption of encrypted event bodies and the request signature, as documented in
//! [Receive events](https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/encrypt-key-encryption-configuration-case)
//! and [encryption principle](https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/choose-a-subscription-mode/send-notifications-to-developers-server).
//!
//! - Encryption: AES-256-CBC; the key is SHA-256 of the Encrypt Key (UTF-8); PKCS#7
//!   padding; a random 16-byte IV; the body is `{"encrypt": base64(iv ‖ ciphertext)}`
//!   (oapi-sdk-go `event/event.go` `EventDecrypt`, node-sdk `utils/aes-cipher.ts`).
//! - Signature: `X-Lark-Signature` is the lowercase hex SHA-256 of
//!   `timestamp ‖ nonce ‖ encrypt_key ‖ raw body` (oapi-sdk-go `event/event.go` `Signature`).
//!   It is only sent when an Encrypt Key is configured.
//!
//! The primitives come from RustCrypto (`aes`, `cbc`, `sha2`) and the comparison from
//! `subtle`; nothing here is hand-written cryptography.
//!
//! # Example
//! ```
//! use feishu_events::crypto;
//! use secrecy::SecretString;
//!
//! // The vector printed in Feishu's documentation.
//! let key = SecretString::from("test key");
//! let plain = crypto::decrypt(&key, "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=").unwrap();
//! assert_eq!(plain, b"hello world");
//!
//! let sig = crypto::signature("1700000000", "nonce", &key, br#"{"encrypt":"..."}"#);
//! assert!(crypto::verify_signature("1700000000", "nonce", &key, br#"{"encrypt":"..."}"#, &sig));
//! ```

use std::fmt::Write as _;

use aes::Aes256;
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::DecryptError;

/// AES block and IV length in bytes.
const BLOCK: usize = 16;

/// Standard base64 that accepts the value with or without `=` padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decrypts the `encrypt` value of an encrypted event body into the plaintext bytes.
///
/// Every failure is a [`DecryptError`]: bad base64, a ciphertext too short or not block
/// aligned, and bad padding (what a wrong key almost always produces).
pub fn decrypt(encrypt_key: &SecretString, encrypt: &str) -> Result<Vec<u8>, DecryptError> {
    let mut data = BASE64
        .decode(encrypt.trim())
        .map_err(|_| DecryptError::Base64)?;
    if data.len() < 2 * BLOCK {
        return Err(DecryptError::TooShort);
    }
    if data.len() % BLOCK != 0 {
        return Err(DecryptError::NotBlockAligned);
    }
    let key = Sha256::digest(encrypt_key.expose_secret().as_bytes());
    let (iv, ciphertext) = data.split_at_mut(BLOCK);
    let decryptor =
        cbc::Decryptor::<Aes256>::new_from_slices(&key, iv).map_err(|_| DecryptError::TooShort)?;
    let plain_len = decryptor
        .decrypt_padded::<Pkcs7>(ciphertext)
        .map_err(|_| DecryptError::Padding)?
        .len();
    let mut plain = data.split_off(BLOCK);
    plain.truncate(plain_len);
    Ok(plain)
}

/// The value Feishu sends in `X-Lark-Signature` for this request: lowercase hex SHA-256 of
/// `timestamp ‖ nonce ‖ encrypt_key ‖ body`.
pub fn signature(timestamp: &str, nonce: &str, encrypt_key: &SecretString, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(timestamp.as_bytes());
    hasher.update(nonce.as_bytes());
    hasher.update(encrypt_key.expose_secret().as_bytes());
    hasher.update(body);
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(2 * digest.len());
    for byte in digest.iter() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Whether `claimed` is the signature of this request. The comparison runs in constant time
/// and ignores the case of the hex digits.
pub fn verify_signature(
    timestamp: &str,
    nonce: &str,
    encrypt_key: &SecretString,
    body: &[u8],
    claimed: &str,
) -> bool {
    let expected = signature(timestamp, nonce, encrypt_key, body);
    let claimed = claimed.trim().to_ascii_lowercase();
    expected.as_bytes().ct_eq(claimed.as_bytes()).into()
}

/// Constant-time equality of two secrets of possibly different length (the length may
/// leak, the content does not).
pub(crate) fn secrets_equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}
