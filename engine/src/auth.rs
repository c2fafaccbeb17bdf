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
    stored
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// A new hall's identity: 128 random bits as hex. It binds the ledger's checksum chain to the hall and
/// is written beside the ledger (`<data>/hall-id`), so a swapped ledger is noticed.
pub fn new_hall_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// A new random key for ID hashing.
fn random_key() -> Vec<u8> {
    let mut bytes = vec![0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes
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

    /// HMAC-SHA256 of `parts` under this key, after `domain` (so no two uses of the key ever agree).
    fn mac(&self, domain: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else { return [0; 32] };
        mac.update(domain);
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// The MAC of a ticket's capability, apart from ID hashes by its prefix.
    fn capability_mac(&self, ticket: u64) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        mac.update(CAPABILITY_DOMAIN);
        mac.update(&ticket.to_be_bytes());
        Some(mac)
    }
}

/// What a capability's MAC covers before the ticket id, so no ID hash can ever be one.
const CAPABILITY_DOMAIN: &[u8] = b"onewindow mobile ticket v1\0";
/// Bytes of MAC in a capability (128 bits).
const CAPABILITY_TAG: usize = 16;

/// Whether `phone` is a mainland mobile number: 11 digits, the first 1.
pub fn is_mobile_number(phone: &str) -> bool {
    phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit())
}

/// Bytes of random nonce before a sealed phone number.
const PHONE_NONCE: usize = 12;
/// Bytes of MAC after it (a number opened under another day's key is told apart).
const PHONE_TAG: usize = 8;

/// The bytes of hex digits, or `None`.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

/// The keys that hash ID numbers: one per business day, random, kept in one file outside the data
/// directory (lines `YYYY-MM-DD <64 hex digits>`). A day's key is destroyed when the next day opens
/// ([`IdKeys::forget_before`]): the hashes it made stay in the ledger, but nobody, holding every file,
/// can confirm an ID number against them any more (decision 0006). Until then, a thief needs this file
/// as well as the data directory.
///
/// Online bookings need an ID over weeks (the no-show rule): for them a key per month (lines
/// `history YYYY-MM <64 hex digits>`), kept only as long as the rule looks back
/// ([`IdKeys::forget_history_before`]).
pub struct IdKeys {
    path: Option<std::path::PathBuf>,
    keys: std::sync::Mutex<Keys>,
}

type Keys = (
    std::collections::BTreeMap<crate::core::Date, (String, IdHasher)>,
    std::collections::BTreeMap<(i32, u8), (String, IdHasher)>,
);

impl IdKeys {
    /// The keys in `path` (created empty if missing).
    pub fn load(path: &std::path::Path) -> Result<IdKeys, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e.to_string()),
        };
        let (mut keys, mut history) = (std::collections::BTreeMap::new(), std::collections::BTreeMap::new());
        for (i, line) in text.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty() && !l.starts_with('#')) {
            let bad = || format!("line {}: expected `YYYY-MM-DD` (or `history YYYY-MM`) and 64 hex digits", i + 1);
            if let Some(rest) = line.strip_prefix("history ") {
                let (month, key) = rest.split_once(' ').ok_or_else(bad)?;
                let (year, month) = month.split_once('-').ok_or_else(bad)?;
                let month = (year.parse().map_err(|_| bad())?, month.parse().map_err(|_| bad())?);
                let hasher = IdHasher::from_hex(key).ok_or_else(bad)?;
                history.insert(month, (key.trim().to_owned(), hasher));
                continue;
            }
            let (date, key) = line.split_once(' ').ok_or_else(bad)?;
            let date: crate::core::Date = date.parse().map_err(|_| bad())?;
            let hasher = IdHasher::from_hex(key).ok_or_else(bad)?;
            keys.insert(date, (key.trim().to_owned(), hasher));
        }
        let keys = IdKeys { path: Some(path.to_owned()), keys: std::sync::Mutex::new((keys, history)) };
        if !path.exists() {
            keys.save()?;
        }
        Ok(keys)
    }

    /// Keys that live in memory only (tests).
    pub fn in_memory() -> IdKeys {
        IdKeys { path: None, keys: std::sync::Mutex::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Keys> {
        self.keys.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An ID number's hashes under every history key kept, this month's first (made on first use):
    /// an online booking records the first, and the no-show rule matches any.
    pub fn history_hashes(&self, id_number: &str, today: crate::core::Date) -> Vec<HolderKey> {
        let month = (today.year, today.month);
        let (hashes, fresh) = {
            let mut keys = self.lock();
            let fresh = !keys.1.contains_key(&month);
            keys.1.entry(month).or_insert_with(|| {
                let key = random_key();
                (hex(&key), IdHasher { key })
            });
            let mut hashes: Vec<(&(i32, u8), HolderKey)> =
                keys.1.iter().filter(|(m, _)| **m <= month).map(|(m, (_, h))| (m, h.hash(id_number))).collect();
            hashes.sort_by(|a, b| b.0.cmp(a.0));
            (hashes.into_iter().map(|(_, h)| h).collect::<Vec<_>>(), fresh)
        };
        if fresh {
            if let Err(e) = self.save() {
                tracing::error!(error = %e, "cannot save the new history key of the month");
            }
        }
        hashes
    }

    /// Destroys the history keys of months before the month of `day`.
    pub fn forget_history_before(&self, day: crate::core::Date) -> Result<(), String> {
        let dropped = {
            let mut keys = self.lock();
            let before = keys.1.len();
            keys.1.retain(|m, _| *m >= (day.year, day.month));
            before != keys.1.len()
        };
        if dropped {
            self.save()?;
        }
        Ok(())
    }

    /// The keyed hash of an ID number given on business day `day`, making that day's key on first use.
    pub fn hash(&self, id_number: &str, day: crate::core::Date) -> HolderKey {
        self.day_key(day).hash(id_number)
    }

    /// Business day `day`'s key, made (and saved) on first use.
    fn day_key(&self, day: crate::core::Date) -> IdHasher {
        let (hasher, fresh) = {
            let mut keys = self.lock();
            let fresh = !keys.0.contains_key(&day);
            let (_, hasher) = keys.0.entry(day).or_insert_with(|| {
                let key = random_key();
                (hex(&key), IdHasher { key })
            });
            (hasher.clone(), fresh)
        };
        if fresh {
            if let Err(e) = self.save() {
                // The key still works until the process ends; after a restart, today's earlier tickets
                // would not be matched to a new one by the same ID, nor their mobile tickets opened.
                tracing::error!(error = %e, "cannot save the new ID-hash key of the day");
            }
        }
        hasher
    }

    /// The mobile ticket's capability of ticket `ticket`, issued on business day `day`: the ticket id
    /// and a 128-bit MAC of it under that day's key, as 48 hex digits. Nobody without the key can make
    /// one, and it dies with the day's key (destroyed when the next day opens).
    pub fn capability(&self, ticket: u64, day: crate::core::Date) -> String {
        let tag = self.day_key(day).capability_mac(ticket).map(|m| m.finalize().into_bytes()).unwrap_or_default();
        format!("{}{}", hex(&ticket.to_be_bytes()), hex(&tag[..CAPABILITY_TAG]))
    }

    /// A phone number as the ledger keeps it, under business day `day`'s key: a keyed hash (to count a
    /// number's subscriptions) and the number encrypted with a key stream of HMAC-SHA256 over a random
    /// nonce, with a MAC. When the day's key is destroyed, neither says anything.
    pub fn seal_phone(&self, phone: &str, day: crate::core::Date) -> crate::core::notify::SealedPhone {
        let key = self.day_key(day);
        let mut nonce = [0u8; PHONE_NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let stream = key.mac(b"onewindow phone stream v1\0", &[&nonce]);
        let sealed: Vec<u8> = phone.bytes().zip(stream).map(|(b, k)| b ^ k).collect();
        let tag = key.mac(b"onewindow phone tag v1\0", &[&nonce, &sealed]);
        let hash = key.mac(b"onewindow phone hash v1\0", &[phone.as_bytes()]);
        crate::core::notify::SealedPhone {
            hash: hex(&hash[..16]),
            sealed: format!("{}{}{}", hex(&nonce), hex(&sealed), hex(&tag[..PHONE_TAG])),
        }
    }

    /// The phone number a [`IdKeys::seal_phone`] of business day `day` holds, while that day's key is kept.
    pub fn open_phone(&self, phone: &crate::core::notify::SealedPhone, day: crate::core::Date) -> Option<String> {
        let bytes = unhex(&phone.sealed)
            .filter(|b| b.len() > PHONE_NONCE + PHONE_TAG && b.len() <= PHONE_NONCE + 32 + PHONE_TAG)?;
        let (nonce, rest) = bytes.split_at(PHONE_NONCE);
        let (sealed, tag) = rest.split_at(rest.len() - PHONE_TAG);
        let key = self.lock().0.get(&day).map(|(_, h)| h.clone())?;
        if key.mac(b"onewindow phone tag v1\0", &[nonce, sealed])[..PHONE_TAG] != *tag {
            return None;
        }
        let stream = key.mac(b"onewindow phone stream v1\0", &[nonce]);
        String::from_utf8(sealed.iter().zip(stream).map(|(b, k)| b ^ k).collect()).ok()
    }

    /// The ticket a capability names, if its MAC is right under business day `day`'s key (compared in
    /// constant time; no key is made for it).
    pub fn ticket_of(&self, capability: &str, day: crate::core::Date) -> Option<u64> {
        let bytes = unhex(capability).filter(|b| b.len() == 8 + CAPABILITY_TAG)?;
        let ticket = u64::from_be_bytes(bytes[..8].try_into().ok()?);
        let hasher = self.lock().0.get(&day).map(|(_, h)| h.clone())?;
        hasher.capability_mac(ticket)?.verify_truncated_left(&bytes[8..]).ok()?;
        Some(ticket)
    }

    /// Destroys the keys of days before `day`.
    pub fn forget_before(&self, day: crate::core::Date) -> Result<(), String> {
        let dropped = {
            let mut keys = self.lock();
            let before = keys.0.len();
            keys.0.retain(|d, _| *d >= day);
            before != keys.0.len()
        };
        if dropped {
            self.save()?;
        }
        Ok(())
    }

    /// The days that still have a key.
    pub fn days(&self) -> Vec<crate::core::Date> {
        self.lock().0.keys().copied().collect()
    }

    /// Writes the file anew (a new file, synced, renamed over the old one), readable by its owner only.
    fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else { return Ok(()) };
        let text: String = std::iter::once(
            "# onewindow ID-hash keys, one per business day (decision 0006). Keep apart from the data directory.\n"
                .to_owned(),
        )
        .chain({
            let keys = self.lock();
            let days = keys.0.iter().map(|(d, (key, _))| format!("{d} {key}\n"));
            let months = keys.1.iter().map(|((y, m), (key, _))| format!("history {y:04}-{m:02} {key}\n"));
            days.chain(months).collect::<Vec<_>>()
        })
        .collect();
        let tmp = path.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let write = |options: &std::fs::OpenOptions| -> std::io::Result<()> {
            use std::io::Write as _;
            let mut file = options.open(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        };
        write(&options).map_err(|e| format!("{}: {e}", path.display()))
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
        let k1 = IdHasher::from_hex(&hex(&random_key())).expect("key");
        let k2 = IdHasher::from_hex(&hex(&random_key())).expect("key");
        let id = "11010519491231002x";
        assert_eq!(k1.hash(id), k1.hash("11010519491231002X"));
        assert_ne!(k1.hash(id), k2.hash(id));
        assert!(!k1.hash(id).0.contains("1101"), "the hash shows nothing of the number");
        assert!(IdHasher::from_hex("abc").is_none());
    }

    #[test]
    fn a_days_key_is_kept_until_the_next_day_opens_then_destroyed() {
        let path = std::env::temp_dir().join(format!("onewindow-idkeys-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let d1 = crate::core::Date { year: 2026, month: 12, day: 1 };
        let d2 = crate::core::Date { year: 2026, month: 12, day: 2 };
        let keys = IdKeys::load(&path).expect("new file");
        let id = "11010519491231002X";
        let h1 = keys.hash(id, d1);
        assert_eq!(keys.hash(id, d1), h1, "stable within the day");
        let reloaded = IdKeys::load(&path).expect("saved");
        assert_eq!(reloaded.hash(id, d1), h1, "stable across a restart");
        assert_ne!(keys.hash(id, d2), h1, "another day, another key");
        keys.forget_before(d2).expect("forget");
        assert_eq!(keys.days(), vec![d2]);
        let text = std::fs::read_to_string(&path).expect("file");
        assert!(!text.contains("2026-12-01"), "the first day's key is gone from the file: {text}");
        assert_ne!(IdKeys::load(&path).expect("load").hash(id, d1), h1, "the old hashes can no longer be confirmed");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn history_keys_last_a_month_each_survive_a_restart_and_are_destroyed_past_the_rule() {
        let path = std::env::temp_dir().join(format!("onewindow-historykeys-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let (nov, dec) =
            (crate::core::Date { year: 2026, month: 11, day: 30 }, crate::core::Date { year: 2026, month: 12, day: 1 });
        let keys = IdKeys::load(&path).expect("new file");
        let id = "11010519491231002X";
        let in_nov = keys.history_hashes(id, nov);
        assert_eq!(in_nov.len(), 1);
        assert_eq!(keys.history_hashes(id, nov), in_nov, "one key for the month");
        // December, after a restart: its own key first, November's still matched.
        let keys = IdKeys::load(&path).expect("saved");
        let in_dec = keys.history_hashes(id, dec);
        assert_eq!(in_dec.len(), 2);
        assert_eq!(in_dec[1], in_nov[0], "November's key survived the restart");
        assert_ne!(in_dec[0], in_nov[0]);
        assert_ne!(keys.hash(id, dec), in_dec[0], "day keys and history keys differ");
        keys.forget_history_before(dec).expect("forget");
        let text = std::fs::read_to_string(&path).expect("file");
        assert!(!text.contains("history 2026-11"), "November's key is gone: {text}");
        assert!(text.contains("history 2026-12") && text.contains("2026-12-01 "), "{text}");
        assert_eq!(IdKeys::load(&path).expect("load").history_hashes(id, dec), vec![in_dec[0].clone()]);
        let _ = std::fs::remove_file(&path);
    }
}
