//! Clerk PINs, stored as argon2id hashes (PHC strings, `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
//!
//! A 4–12 digit PIN has little entropy, so a fast hash would fall to a search of every PIN: argon2id
//! with the crate's default cost (19 MiB, two passes; about 20–40 ms a check on the hall's server) makes
//! each guess expensive, and the lockout (`[server] pin_attempts`, `pin_lock_minutes`) caps the
//! guesses over the wire. A check costs tens of milliseconds, so the server runs it on its one PIN
//! thread, never on the writer (see `server::pins`).
//!
//! Hashes made before argon2 (`sha256:` salted with the clerk key) are still accepted so a hall can
//! upgrade without locking its clerks out; `onewindow check-config` lists them as weak, and
//! `onewindow clerk reset-pin` replaces them.

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
    PinVerifier::default().matches(clerk_key, pin, stored)
}

/// Checks PINs with one argon2 memory block kept between checks. Each check needs `m` KiB (19 MiB by
/// default); allocated afresh on whichever thread runs it, that memory stays in the thread's malloc
/// arena, so a server checking PINs on many threads grows by 19 MiB per thread. The server keeps one
/// verifier on one thread (`server::pins`), so PIN checks hold one block, whatever the load.
#[derive(Default)]
pub struct PinVerifier {
    memory: Vec<Block>,
}

/// The largest argon2 memory a stored hash may ask for (256 MiB), so a mistyped hash in the config
/// cannot make the server allocate gigabytes.
const MAX_MEMORY_KIB: u32 = 256 * 1024;

impl PinVerifier {
    /// Whether `pin` matches the stored hash of clerk `clerk_key` (argon2id, or a legacy `sha256:` hash).
    pub fn matches(&mut self, clerk_key: &str, pin: &str, stored: &str) -> bool {
        if stored.starts_with("sha256:") {
            return same_bytes(legacy_hash(clerk_key, pin).as_bytes(), stored.as_bytes());
        }
        let Ok(hash) = PasswordHash::new(stored) else { return false };
        let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else { return false };
        let Ok(algorithm) = Algorithm::try_from(hash.algorithm) else { return false };
        let version = hash.version.map_or(Ok(Version::default()), Version::try_from);
        let (Ok(version), Ok(params)) = (version, Params::try_from(&hash)) else { return false };
        if params.m_cost() > MAX_MEMORY_KIB {
            return false;
        }
        let mut salt_bytes = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
        if self.memory.len() < params.block_count() {
            self.memory.resize(params.block_count(), Block::default());
        }
        let mut out = vec![0u8; expected.len()];
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(pin.as_bytes(), salt, &mut out, &mut self.memory[..])
            .is_ok()
            && same_bytes(&out, expected.as_bytes())
    }
}

/// Equal, comparing every byte whatever the first difference.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    use argon2::password_hash::PasswordVerifier;

    #[test]
    fn pins_match_only_their_own_hash() {
        let stored = hash_pin("1234");
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert_eq!(check_pin_hash(&stored), Ok(()));
        assert!(pin_matches("c01", "1234", &stored));
        assert!(!pin_matches("c01", "1235", &stored));
        assert_ne!(hash_pin("1234"), stored, "every hash has its own salt");
        let mut verifier = PinVerifier::default();
        for _ in 0..2 {
            assert!(verifier.matches("c01", "1234", &stored), "a reused memory block gives the same answer");
            assert!(!verifier.matches("c01", "4321", &stored));
        }
        let hash = PasswordHash::new(&stored).expect("parses");
        assert!(Argon2::default().verify_password(b"1234", &hash).is_ok(), "our verifier agrees with the crate's own");
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
