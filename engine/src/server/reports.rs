//! Reports on the server: one thread, at the lowest scheduling priority (SCHED_IDLE on Linux), reads
//! the ledger for every report and keeps the closed days' facts (`crate::report`), so a supervisor
//! reading a year takes only the CPU the hall's terminals leave idle (docs/performance.md). Reports
//! queue for it (at most [`WAITING`]; beyond that a request is told to try again). The facts are
//! brought up to date at start and as each day closes, so a report folds at most today's events.
//!
//! Its one write (the kept facts) is not made on the idle thread: a redb write transaction holds the
//! ledger's write lock, and an idle-priority thread holding it on a busy machine would keep the writer
//! waiting (priority inversion). The write goes to tokio's blocking pool, at normal priority, and the
//! report thread waits for it holding nothing.
//!
//! ```text
//! /api/report, control socket ──job──> [onewindow-reports thread, SCHED_IDLE] ──read txn──> ledger
//! day_closed ──refresh──────────────────────┘                     └──kept facts──> derived table
//! ```

use crate::core::report::Report;
use crate::core::{HallConfig, Timestamp};
use crate::store::{Store, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Reports waiting for the thread, at most.
pub const WAITING: usize = 8;

type Job = Box<dyn FnOnce(&dyn Store, &HallConfig, &AtomicBool) + Send>;

/// The report thread.
pub struct Reporter {
    jobs: SyncSender<Job>,
    /// Set when the server stops: the job at hand gives up, and the thread ends (closing its hold on
    /// the ledger, which a restart in the same process opens again).
    stopping: Arc<AtomicBool>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Reporter {
    /// Starts the thread on `store`, folding under `config`'s layout where the ledger recorded none.
    /// Within a tokio runtime (its blocking pool makes the writes).
    pub fn start(store: Arc<dyn Store>, config: Arc<HallConfig>) -> Reporter {
        let (jobs, queue) = sync_channel::<Job>(WAITING);
        let runtime = tokio::runtime::Handle::current();
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = stopping.clone();
        let spawned = std::thread::Builder::new().name("onewindow-reports".into()).spawn(move || {
            let idle = thread_priority::ThreadSchedulePolicy::Normal(thread_priority::NormalThreadSchedulePolicy::Idle);
            let lowered = thread_priority::set_thread_priority_and_policy(
                thread_priority::thread_native_id(),
                thread_priority::ThreadPriority::Min,
                idle,
            );
            if let Err(error) = lowered {
                tracing::warn!(?error, "reports run at normal priority: they may slow terminals while they run");
            }
            let store = Urgent { store, runtime };
            while !stop.load(Ordering::Relaxed) {
                match queue.recv_timeout(Duration::from_millis(200)) {
                    Ok(job) => job(&store, &config, &stop),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
        });
        let thread = match spawned {
            Ok(thread) => Some(thread),
            Err(error) => {
                tracing::error!(%error, "the report thread could not start: reports are refused");
                None
            }
        };
        Reporter { jobs, stopping, thread: Mutex::new(thread) }
    }

    /// Stops the thread (the report at hand gives up) and waits for it.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Relaxed);
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }

    /// Runs `job` on the report thread and returns what it returns.
    async fn ask<T: Send + 'static>(
        &self,
        job: impl FnOnce(&dyn Store, &HallConfig, &AtomicBool) -> T + Send + 'static,
    ) -> Result<T, String> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |store, config, stop| {
            let _ = answer.send(job(store, config, stop));
        });
        match self.jobs.try_send(job) {
            Ok(()) => answered.await.map_err(|_| "the report thread stopped".to_owned()),
            Err(TrySendError::Full(_)) => Err(format!("{WAITING} reports are waiting already; try again in a moment")),
            Err(TrySendError::Disconnected(_)) => Err("the report thread is not running".into()),
        }
    }

    /// The report of `query` at `now`.
    pub async fn report(&self, query: crate::report::Query, now: Timestamp) -> Result<Report, String> {
        self.ask(move |store, config, stop| crate::report::run_until(store, config, &query, now, stop)).await?
    }

    /// Brings the kept facts up to the ledger's end (no report waits for it).
    pub fn refresh(&self) {
        let job: Job = Box::new(|store, config, stop| {
            if let Err(e) = crate::report::refresh(store, config, |_| {}, None, true, stop) {
                tracing::warn!(error = %e, "report facts not brought up to date");
            }
        });
        // Full: reports are queued, and each of them brings the facts up to date anyway.
        let _ = self.jobs.try_send(job);
    }
}

/// The ledger as the report thread uses it: reads on the thread itself; the write of kept facts on
/// tokio's blocking pool at normal priority (see the module header), the thread waiting for it.
struct Urgent {
    store: Arc<dyn Store>,
    runtime: tokio::runtime::Handle,
}

impl Store for Urgent {
    fn append(&self, records: &[crate::store::Record]) -> Result<(), StoreError> {
        self.store.append(records)
    }
    fn read_after(&self, after: u64, limit: usize) -> Result<Vec<crate::store::Record>, StoreError> {
        self.store.read_after(after, limit)
    }
    fn last_seq(&self) -> Result<u64, StoreError> {
        self.store.last_seq()
    }
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.store.meta(key)
    }
    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.store.set_meta(key, value)
    }
    fn save_snapshot(&self, seq: u64, state: &[u8]) -> Result<(), StoreError> {
        self.store.save_snapshot(seq, state)
    }
    fn load_snapshot(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        self.store.load_snapshot()
    }
    fn recover(&self) -> Result<(), StoreError> {
        self.store.recover()
    }
    fn derived(&self, from: &str, to: &str, visit: &mut dyn FnMut(&str, &[u8])) -> Result<(), StoreError> {
        self.store.derived(from, to, visit)
    }
    fn put_derived(&self, entries: &[(String, Vec<u8>)], clear: bool) -> Result<(), StoreError> {
        let (store, entries) = (self.store.clone(), entries.to_vec());
        let (done, result) = std::sync::mpsc::channel();
        self.runtime.spawn_blocking(move || {
            let _ = done.send(store.put_derived(&entries, clear));
        });
        // The runtime gone (the server stopping): nothing was written.
        result.recv().unwrap_or_else(|_| Err(StoreError::Io("the server is stopping".into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[tokio::test]
    async fn reports_run_on_one_thread_at_idle_priority() {
        let config = Arc::new(crate::config::demo().expect("the demo hall"));
        let reporter = Reporter::start(Arc::new(MemoryStore::new()), config);
        let (policy, name) = reporter
            .ask(|_, _, _| {
                (thread_priority::thread_schedule_policy(), std::thread::current().name().map(str::to_owned))
            })
            .await
            .expect("answered");
        assert_eq!(name.as_deref(), Some("onewindow-reports"));
        assert_eq!(
            policy.expect("a policy"),
            thread_priority::ThreadSchedulePolicy::Normal(thread_priority::NormalThreadSchedulePolicy::Idle)
        );
        let query = crate::report::query(Some("2026-03"), None, None, None).expect("a query");
        let report = reporter.report(query, Timestamp(0)).await.expect("a report of an empty ledger");
        assert_eq!(report.total.issued, 0);
        reporter.stop();
        assert!(reporter.report(query_again(), Timestamp(0)).await.is_err(), "stopped: refused, never hangs");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn kept_facts_are_written_off_the_idle_thread_and_read_back() {
        let config = crate::config::demo().expect("the demo hall");
        let store = MemoryStore::new();
        let from = crate::core::Date::new(2026, 3, 2).expect("a date");
        crate::rehearse::run(&store, &config, &crate::rehearse::Plan { from, days: 2, per_day: 50, seed: 9 })
            .expect("rehearsed");
        let reporter = Reporter::start(Arc::new(store.clone()), Arc::new(config));
        let query = crate::report::query(Some("2026-03"), None, None, None).expect("a query");
        let first = reporter.report(query.clone(), Timestamp(1_775_000_000_000)).await.expect("a report");
        assert_eq!(first.days, 2);
        let mut kept = 0;
        store.derived("report:day:", "report:day:~", &mut |_, _| kept += 1).expect("read");
        assert_eq!(kept, 2, "both closed days kept, through the blocking pool");
        let again = reporter.report(query, Timestamp(1_775_000_000_000)).await.expect("a report");
        assert_eq!(again, first);
        reporter.stop();
    }

    fn query_again() -> crate::report::Query {
        crate::report::query(Some("2026"), None, None, None).expect("a query")
    }
}
