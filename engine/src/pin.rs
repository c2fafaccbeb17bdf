//! Clerk PINs: stored as a salted SHA-256, compared in constant time.
//!
//! A 4–6 digit PIN can be brute-forced from any hash, so the hash only keeps PINs off screens and out of
//! backups read in passing; the config file itself must stay readable by the hall's operators only.
//! The clerk's key salts the hash, so two clerks with one PIN do not share a hash.
//!
//! PINs are the edge's business: [`check_sign_in`] runs before a `SignIn` command reaches the core,
//! which never sees a PIN.

use crate::core::{ClerkId, HallConfig, Rejection};
use sha2::{Digest, Sha256};

/// Whether `clerk` may sign in with `pin`: `UnknownClerk` or `WrongPin` if not.
pub fn check_sign_in(config: &HallConfig, clerk: ClerkId, pin: &str) -> Result<(), Rejection> {
    let spec = config.clerks.get(usize::from(clerk.0)).ok_or(Rejection::UnknownClerk)?;
    if pin_matches(&spec.key, pin, &spec.pin_hash) {
        Ok(())
    } else {
        Err(Rejection::WrongPin)
    }
}

/// The stored form of `pin` for the clerk `clerk_key`: `sha256:` and 64 hex digits.
pub fn hash_pin(clerk_key: &str, pin: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"onewindow-pin\0");
    hasher.update(clerk_key.as_bytes());
    hasher.update(b"\0");
    hasher.update(pin.as_bytes());
    let digest = hasher.finalize();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Whether `pin` matches the stored hash, comparing every byte whatever the first difference.
pub fn pin_matches(clerk_key: &str, pin: &str, stored: &str) -> bool {
    let candidate = hash_pin(clerk_key, pin);
    candidate.len() == stored.len() && candidate.bytes().zip(stored.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Whether `stored` has the shape of a PIN hash.
pub fn is_pin_hash(stored: &str) -> bool {
    stored
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_match_only_their_own_hash() {
        let stored = hash_pin("c01", "1234");
        assert!(is_pin_hash(&stored));
        assert!(pin_matches("c01", "1234", &stored));
        assert!(!pin_matches("c01", "1235", &stored));
        assert!(!pin_matches("c02", "1234", &stored), "the clerk key salts the hash");
        assert!(!is_pin_hash("sha256:xyz"));
    }
}
