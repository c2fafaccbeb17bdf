//! Secrets at the edge: device tokens (random, stored only as hashes) and the keyed hash that stands
//! in for a citizen's ID number (HMAC-SHA256 under a key kept outside the ledger).

use crate::core::HolderKey;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new device token: `ow_` and 40 hex digits (160 random bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    format!("ow_{}", hex(&bytes))
}

/// The stored form of a token: `sha256:` and 64 hex digits. Tokens carry 160 random bits, so a plain
/// hash is enough; there is nothing to guess.
pub fn hash_token(token: &str) -> String {
    format!("sha256:{}", hex(&Sha256::digest(token.as_bytes())))
}

/// Whether `stored` has the shape of a token hash.
pub fn is_token_hash(stored: &str) -> bool {
    crate::core::pin::is_pin_hash(stored)
}

/// A new hall's identity: 128 random bits as hex. It binds the ledger's checksum chain to the hall and
/// is written beside the ledger (`<data>/hall-id`), so a swapped ledger is noticed.
pub fn new_hall_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// A new random key for ID hashing, as hex.
pub fn new_id_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Hashes ID numbers under a key. The key lives in its own file, not in the ledger, so a copy of the
/// ledger alone cannot be searched for a known ID number.
#[derive(Clone)]
pub struct IdHasher {
    key: Vec<u8>,
}

impl IdHasher {
    /// A hasher with this key (hex, at least 16 bytes).
    pub fn from_hex(key: &str) -> Option<IdHasher> {
        let key = key.trim();
        if key.len() < 32 || key.len() % 2 != 0 {
            return None;
        }
        let bytes = (0..key.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&key[i..i + 2], 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        Some(IdHasher { key: bytes })
    }

    /// The keyed hash of an ID number (upper-cased, so `x` and `X` are one ID).
    pub fn hash(&self, id_number: &str) -> HolderKey {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => return HolderKey(String::new()),
        };
        mac.update(id_number.trim().to_ascii_uppercase().as_bytes());
        HolderKey(hex(&mac.finalize().into_bytes()[..16]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_stably() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert!(is_token_hash(&hash_token(&a)));
    }

    #[test]
    fn id_hashes_depend_on_the_key_and_not_on_case() {
        let k1 = IdHasher::from_hex(&new_id_key()).expect("key");
        let k2 = IdHasher::from_hex(&new_id_key()).expect("key");
        let id = "11010519491231002x";
        assert_eq!(k1.hash(id), k1.hash("11010519491231002X"));
        assert_ne!(k1.hash(id), k2.hash(id));
        assert!(!k1.hash(id).0.contains("1101"), "the hash shows nothing of the number");
        assert!(IdHasher::from_hex("abc").is_none());
    }
}
