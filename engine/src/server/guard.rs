//! Admission: connection caps (overall, per address, unauthenticated per address) and the per-kiosk
//! issue rate. Every TCP connection is counted from accept, so partial HTTP requests and idle sockets
//! are capped like WebSockets; a refused connection is closed at once and costs almost nothing.

use crate::config::Limits;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Rate buckets kept at most before idle ones are dropped (one per kiosk, and one per address that
/// sent a wrong mobile-ticket capability).
const MAX_BUCKETS: usize = 10_000;

#[derive(Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, (usize, usize)>,
    buckets: HashMap<String, (f64, Instant)>,
    /// The limits, replaced by a reload.
    limits: Limits,
}

/// Shared admission state.
#[derive(Clone)]
pub struct Admission {
    counts: Arc<Mutex<Counts>>,
}

/// Held by a connection from accept to close (shared by its HTTP handling and, after an upgrade, its
/// WebSocket session); releases its counts when dropped.
pub struct Ticket {
    admission: Admission,
    ip: IpAddr,
    authenticated: AtomicBool,
}

impl Admission {
    /// Admission under these limits.
    pub fn new(limits: Limits) -> Admission {
        Admission { counts: Arc::new(Mutex::new(Counts { limits, ..Counts::default() })) }
    }

    /// New limits (a reload): connections already open stay; new ones are counted against these.
    pub fn set_limits(&self, limits: Limits) {
        self.lock().limits = limits;
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Admits a new, not yet authenticated connection from `ip`, or says no.
    pub fn admit(&self, ip: IpAddr) -> Option<Ticket> {
        let mut c = self.lock();
        if c.total >= c.limits.max_connections {
            return None;
        }
        let (open, unauthenticated) = c.per_ip.get(&ip).copied().unwrap_or((0, 0));
        if open >= c.limits.max_connections_per_ip || unauthenticated >= c.limits.max_unauthenticated_per_ip {
            return None;
        }
        c.total += 1;
        c.per_ip.insert(ip, (open + 1, unauthenticated + 1));
        Some(Ticket { admission: self.clone(), ip, authenticated: AtomicBool::new(false) })
    }

    /// Takes one issue from `device`'s bucket; `false` when it is empty.
    pub fn take_issue(&self, device: &str) -> bool {
        let per_minute = self.lock().limits.kiosk_issues_per_minute;
        self.take(device, per_minute, 1.0)
    }

    /// Takes one `/api/v1` request from integration token `device`'s bucket; `false` when it is empty.
    pub fn take_api(&self, device: &str) -> bool {
        let per_minute = self.lock().limits.api_requests_per_minute;
        self.take(&format!("api:{device}"), per_minute, 1.0)
    }

    /// Counts one wrong mobile-ticket capability in bucket `key`.
    pub fn take_failure(&self, key: &str) {
        let per_minute = self.lock().limits.follow_failures_per_minute;
        self.take(key, per_minute, 1.0);
    }

    /// Whether bucket `key` has a wrong mobile-ticket capability left, counting none.
    pub fn has_failure_left(&self, key: &str) -> bool {
        let per_minute = self.lock().limits.follow_failures_per_minute;
        self.take(key, per_minute, 0.0)
    }

    /// Takes `take` from bucket `key` (refilled at `per_minute`) if it holds one; whether it did.
    fn take(&self, key: &str, per_minute: u32, take: f64) -> bool {
        let now = Instant::now();
        let mut c = self.lock();
        if c.buckets.len() >= MAX_BUCKETS {
            // Bounded: buckets idle for a minute are full again, the same as no bucket.
            c.buckets.retain(|_, (_, last)| now.duration_since(*last).as_secs() < 60);
        }
        let per_minute = f64::from(per_minute);
        let (tokens, last) = c.buckets.entry(key.to_owned()).or_insert((per_minute, now));
        // Refill continuously; a full bucket allows a burst of one minute's worth.
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * per_minute / 60.0).min(per_minute);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= take;
            true
        } else {
            false
        }
    }
}

impl Ticket {
    /// The address the connection comes from.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// The connection authenticated: it no longer counts against the unauthenticated cap.
    pub fn authenticated(&self) {
        if !self.authenticated.swap(true, Ordering::SeqCst) {
            let mut c = self.admission.lock();
            if let Some((_, unauthenticated)) = c.per_ip.get_mut(&self.ip) {
                *unauthenticated = unauthenticated.saturating_sub(1);
            }
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut c = self.admission.lock();
        c.total = c.total.saturating_sub(1);
        let remove = match c.per_ip.get_mut(&self.ip) {
            Some((open, unauthenticated)) => {
                *open = open.saturating_sub(1);
                if !self.authenticated.load(Ordering::SeqCst) {
                    *unauthenticated = unauthenticated.saturating_sub(1);
                }
                *open == 0
            }
            None => false,
        };
        if remove {
            c.per_ip.remove(&self.ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_count_and_release() {
        let limits = Limits { max_connections_per_ip: 3, max_unauthenticated_per_ip: 2, ..Limits::default() };
        let admission = Admission::new(limits);
        let ip: IpAddr = [127, 0, 0, 1].into();
        let a = admission.admit(ip).expect("first");
        let b = admission.admit(ip).expect("second");
        assert!(admission.admit(ip).is_none(), "two unauthenticated at most");
        a.authenticated();
        let c = admission.admit(ip).expect("a slot freed by authentication");
        assert!(admission.admit(ip).is_none(), "three per address at most");
        drop((b, c));
        assert!(admission.admit(ip).is_some());
    }

    #[test]
    fn the_issue_bucket_empties() {
        let admission = Admission::new(Limits { kiosk_issues_per_minute: 3, ..Limits::default() });
        assert!((0..3).all(|_| admission.take_issue("k1")));
        assert!(!admission.take_issue("k1"));
        assert!(admission.take_issue("k2"), "buckets are per device");
    }
}
