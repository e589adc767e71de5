//! Identifiers and secrets.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new record id: time-ordered (hex milliseconds) then 64 random bits.
pub fn new_id(now_ms: i64) -> String {
    format!("{:012x}{:016x}", now_ms.max(0), rand::thread_rng().next_u64())
}

/// A new bearer secret: 256 random bits, URL-safe, with a prefix that secret scanners recognise.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("cdn_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The form in which a token is stored and looked up: a stolen database yields no usable token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A one-time password people can type: 20 characters from an alphabet without look-alikes.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20).map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char).collect()
}
