//! Clerk PINs, stored as argon2id hashes (PHC strings, `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
//!
//! A 4–12 digit PIN has little entropy, so a fast hash would fall to a search of every PIN: argon2id
//! with the crate's default cost (19 MiB, two passes; about 20–40 ms a check on the hall's server) makes
//! each guess expensive, and the lockout (`[server] pin_attempts`, `pin_lock_minutes`) caps the
//! guesses over the wire. A check costs tens of milliseconds, so it runs on a blocking thread, never on
//! the writer (see `server::session`).
//!
//! Hashes made before argon2 (`sha256:` salted with the clerk key) are still accepted so a hall can
//! upgrade without locking its clerks out; `onewindow check-config` lists them as weak, and
//! `onewindow clerk reset-pin` replaces them.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Whether `pin` has the shape of a PIN: 4 to 12 digits.
pub fn valid_pin(pin: &str) -> bool {
    (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// The stored form of `pin`: an argon2id PHC string with a fresh random salt.
pub fn hash_pin(pin: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    // Neither can fail: the salt is 16 bytes and the default parameters are valid.
    let Ok(salt) = SaltString::encode_b64(&salt) else { return String::new() };
    Argon2::default().hash_password(pin.as_bytes(), &salt).map(|hash| hash.to_string()).unwrap_or_default()
}

/// Whether `pin` matches the stored hash of clerk `clerk_key` (argon2id, or a legacy `sha256:` hash).
pub fn pin_matches(clerk_key: &str, pin: &str, stored: &str) -> bool {
    if stored.starts_with("sha256:") {
        let candidate = legacy_hash(clerk_key, pin);
        // Every byte compared, whatever the first difference.
        return candidate.len() == stored.len()
            && candidate.bytes().zip(stored.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    }
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
}

/// Whether `stored` can be used as a PIN hash; the error says what to do.
pub fn check_pin_hash(stored: &str) -> Result<(), String> {
    if is_legacy(stored) {
        return Ok(());
    }
    match PasswordHash::new(stored) {
        Ok(hash) if hash.algorithm.as_str() == "argon2id" => Ok(()),
        _ => Err("expected an argon2id hash `$argon2id$…` (make one with `onewindow pin-hash`, or let `onewindow clerk reset-pin` write it)".into()),
    }
}

/// Whether `stored` is a hash from before argon2 (accepted, but weak: re-make it).
pub fn is_legacy(stored: &str) -> bool {
    crate::auth::is_token_hash(stored)
}

/// The pre-argon2 form: SHA-256 of the PIN salted with the clerk key.
fn legacy_hash(clerk_key: &str, pin: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"onewindow-pin\0");
    hasher.update(clerk_key.as_bytes());
    hasher.update(b"\0");
    hasher.update(pin.as_bytes());
    let digest: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{digest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_match_only_their_own_hash() {
        let stored = hash_pin("1234");
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert_eq!(check_pin_hash(&stored), Ok(()));
        assert!(pin_matches("c01", "1234", &stored));
        assert!(!pin_matches("c01", "1235", &stored));
        assert_ne!(hash_pin("1234"), stored, "every hash has its own salt");
        assert!(check_pin_hash("sha256:xyz").is_err());
        assert!(check_pin_hash("$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA").is_err());
    }

    #[test]
    fn legacy_hashes_still_match_their_clerk() {
        let stored = legacy_hash("c01", "1234");
        assert!(is_legacy(&stored));
        assert!(pin_matches("c01", "1234", &stored));
        assert!(!pin_matches("c02", "1234", &stored), "the clerk key salts the hash");
        assert!(!pin_matches("c01", "4321", &stored));
    }
}
