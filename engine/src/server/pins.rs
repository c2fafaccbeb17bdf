//! PIN checks at the edge, before a `sign_in` reaches the writer: argon2id costs tens of milliseconds,
//! so it runs on one PIN thread that keeps its argon2 memory between checks (checks spread over tokio's
//! blocking threads left 19 MiB in each thread's malloc arena), and wrong PINs are counted here. After `pin_attempts` wrong PINs in
//! a row a clerk is locked for `pin_lock_minutes`: the lock is a ledger event (`clerk_locked`, on the
//! supervisor wall and in `onewindow audit`), and while it lasts no PIN is even checked, so a guess
//! cannot be confirmed during a lock.
//!
//! ```text
//! sign_in ─> locked here? ─yes─> clerk_locked
//!               │no
//!               └─> argon2 (PIN thread) ─ok─> writer (SignIn)
//!                                 └─wrong─> count ─ N in a row ─> writer (LockClerk) ─> clerk_locked
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// What a PIN check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinCheck {
    /// The PIN is right.
    Right,
    /// The clerk has no PIN here (unknown or removed).
    UnknownClerk,
    /// Wrong; `failures` in a row so far.
    Wrong {
        /// Wrong PINs in a row.
        failures: u32,
    },
    /// This wrong PIN locks the clerk, for this long.
    LocksNow {
        /// Wrong PINs in a row.
        failures: u32,
        /// How long.
        lock: Duration,
    },
    /// The clerk is locked; nothing was checked.
    Locked,
}

/// The clerks' PIN hashes (replaced on reload) and their wrong-PIN counts.
pub struct Pins {
    hashes: RwLock<Arc<BTreeMap<String, String>>>,
    state: Mutex<HashMap<String, (u32, Option<Instant>)>>,
    attempts: RwLock<(u32, Duration)>,
    checker: tokio::sync::mpsc::Sender<Check>,
}

/// One check for the PIN thread: clerk key, PIN, stored hash, and where the answer goes.
type Check = (String, String, String, tokio::sync::oneshot::Sender<bool>);

/// Checks waiting for the PIN thread; a sign-in beyond them waits its turn.
const WAITING_CHECKS: usize = 64;

impl Pins {
    /// PINs by clerk key; `attempts` wrong in a row lock for `lock`.
    pub fn new(hashes: BTreeMap<String, String>, attempts: u32, lock: Duration) -> Pins {
        let (checker, mut checks) = tokio::sync::mpsc::channel::<Check>(WAITING_CHECKS);
        // The thread ends when `Pins` (the only sender) is dropped. If it cannot start, every check
        // answers "wrong" (the sender sees a closed channel) and the error is in the log.
        let spawned = std::thread::Builder::new().name("onewindow-pins".into()).spawn(move || {
            let mut verifier = crate::pin::PinVerifier::default();
            while let Some((clerk, pin, stored, answer)) = checks.blocking_recv() {
                let _ = answer.send(verifier.matches(&clerk, &pin, &stored));
            }
        });
        if let Err(error) = spawned {
            tracing::error!(%error, "the PIN thread could not start: no clerk can sign in");
        }
        Pins {
            checker,
            hashes: RwLock::new(Arc::new(hashes)),
            state: Mutex::new(HashMap::new()),
            attempts: RwLock::new((attempts.max(1), lock)),
        }
    }

    /// New hashes and limits (a reload); counts and locks are kept.
    pub fn replace(&self, hashes: BTreeMap<String, String>, attempts: u32, lock: Duration) {
        *self.hashes.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(hashes);
        *self.attempts.write().unwrap_or_else(|p| p.into_inner()) = (attempts.max(1), lock);
    }

    /// Locks `clerk` for `left` (a lock the ledger holds, at start).
    pub fn lock(&self, clerk: &str, left: Duration) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).insert(clerk.to_owned(), (0, Some(Instant::now() + left)));
    }

    /// Checks `pin` for `clerk` off the async threads, and counts a wrong one.
    pub async fn check(&self, clerk: &str, pin: &str) -> PinCheck {
        let now = Instant::now();
        {
            let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if state.get(clerk).and_then(|(_, until)| *until).is_some_and(|until| until > now) {
                return PinCheck::Locked;
            }
        }
        let hashes = self.hashes.read().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(stored) = hashes.get(clerk).cloned() else { return PinCheck::UnknownClerk };
        let (answer, right) = tokio::sync::oneshot::channel();
        let sent = self.checker.send((clerk.to_owned(), pin.to_owned(), stored, answer)).await;
        let right = sent.is_ok() && right.await.unwrap_or(false);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if right {
            state.remove(clerk);
            return PinCheck::Right;
        }
        let (attempts, lock) = *self.attempts.read().unwrap_or_else(|p| p.into_inner());
        let entry = state.entry(clerk.to_owned()).or_insert((0, None));
        entry.0 += 1;
        let failures = entry.0;
        if failures >= attempts {
            *entry = (0, Some(Instant::now() + lock));
            PinCheck::LocksNow { failures, lock }
        } else {
            PinCheck::Wrong { failures }
        }
    }
}
