//! The record checksum chain. Each stored record is `link ‖ body`, where `body` is the record's JSON and
//! `link = SHA-256(previous link ‖ seq as 8 big-endian bytes ‖ body)`; the first record's previous link
//! is the hall's [`genesis`]. Changing, dropping, reordering or moving a record between halls breaks
//! every link from there on. Pure functions, so the fuzz target and `onewindow verify` use the same code.

use sha2::{Digest, Sha256};

/// A link of the chain.
pub type Link = [u8; 32];

/// Bytes of a link at the start of each stored record.
pub const LINK_LEN: usize = 32;

/// The link before the first record: binds the chain to the hall's identity.
pub fn genesis(hall_id: &str) -> Link {
    let mut h = Sha256::new();
    h.update(b"onewindow ledger v2\0");
    h.update(hall_id.as_bytes());
    h.finalize().into()
}

/// The link of the record `seq` with this body, after `prev`.
pub fn link(prev: &Link, seq: u64, body: &[u8]) -> Link {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(body);
    h.finalize().into()
}

/// The stored form of a record.
pub fn seal(prev: &Link, seq: u64, body: &[u8]) -> (Link, Vec<u8>) {
    let l = link(prev, seq, body);
    let mut out = Vec::with_capacity(LINK_LEN + body.len());
    out.extend_from_slice(&l);
    out.extend_from_slice(body);
    (l, out)
}

/// Splits a stored record into its link and body.
pub fn split(stored: &[u8]) -> Option<(Link, &[u8])> {
    let (l, body) = stored.split_at_checked(LINK_LEN)?;
    Some((l.try_into().ok()?, body))
}

/// Checks a stored record against the link before it; returns its link and body, or what is wrong.
pub fn check<'a>(prev: &Link, seq: u64, stored: &'a [u8]) -> Result<(Link, &'a [u8]), String> {
    let (stored_link, body) = split(stored).ok_or_else(|| format!("event {seq} is shorter than its checksum"))?;
    let expected = link(prev, seq, body);
    if expected != stored_link {
        return Err(format!(
            "event {seq} does not match its checksum (expected {}, found {})",
            short(&expected),
            short(&stored_link)
        ));
    }
    Ok((stored_link, body))
}

/// The first bytes of a link in hex, enough to tell two apart in a message.
pub fn short(l: &Link) -> String {
    l.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a snapshot's state, stored before it.
pub fn digest(bytes: &[u8]) -> Link {
    Sha256::digest(bytes).into()
}
