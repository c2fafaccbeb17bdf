//! Counters and histograms for `GET /metrics`, in Prometheus text format. The writer updates them once
//! per committed batch; sessions update the connection gauges. Hand-rolled: a dozen series do not
//! need a metrics framework.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// A cumulative histogram with fixed bucket bounds.
#[derive(Debug, Clone)]
struct Histogram {
    bounds: &'static [f64],
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram { bounds, counts: vec![0; bounds.len()], sum: 0.0, count: 0 }
    }

    fn observe(&mut self, value: f64) {
        for (bound, count) in self.bounds.iter().zip(&mut self.counts) {
            if value <= *bound {
                *count += 1;
            }
        }
        self.sum += value;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{le=\"+Inf\"}} {}\n{name}_sum {}\n{name}_count {}",
            self.count, self.sum, self.count
        );
    }
}

const WAIT_BOUNDS: &[f64] = &[60.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 2700.0, 3600.0, 5400.0, 7200.0];
const COMMIT_BOUNDS: &[f64] = &[0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0];

#[derive(Debug)]
struct Inner {
    issued: BTreeMap<String, u64>,
    called: BTreeMap<String, u64>,
    finished: BTreeMap<String, u64>,
    waiting: BTreeMap<String, u64>,
    connections: BTreeMap<&'static str, i64>,
    wait: Histogram,
    commit: Histogram,
    store_errors: u64,
    gateway_failures: u64,
    commands: u64,
    events: u64,
    export: Option<ExportLag>,
}

/// How far the export to the province is behind the ledger (`[export]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct ExportLag {
    /// The last `seq` JetStream acknowledged.
    pub acked: u64,
    /// The ledger's last `seq`.
    pub last: u64,
    /// Events not yet acknowledged.
    pub lag_events: u64,
    /// Age of the oldest of them now (0 when none), seconds.
    pub lag_seconds: f64,
    /// Publishes that failed (each is retried).
    pub failures: u64,
    /// The supervisor wall shows an alert from this lag on (`[export] lag_alert_s`), red from ten times it.
    pub alert_after_s: u32,
    /// When the oldest unexported event was committed (ms), to age it at any moment.
    #[serde(skip)]
    oldest_at: Option<i64>,
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            inner: Mutex::new(Inner {
                issued: BTreeMap::new(),
                called: BTreeMap::new(),
                finished: BTreeMap::new(),
                waiting: BTreeMap::new(),
                connections: BTreeMap::new(),
                wait: Histogram::new(WAIT_BOUNDS),
                commit: Histogram::new(COMMIT_BOUNDS),
                store_errors: 0,
                gateway_failures: 0,
                commands: 0,
                events: 0,
                export: None,
            }),
        }
    }
}

/// What one committed batch did, for the metrics.
#[derive(Debug, Default)]
pub struct BatchStats {
    /// Matter keys of tickets issued.
    pub issued: Vec<String>,
    /// Matter keys and waits (seconds) of first calls.
    pub called: Vec<(String, f64)>,
    /// Matter keys of finished services.
    pub finished: Vec<String>,
    /// Commands decided.
    pub commands: u64,
    /// Events committed.
    pub events: u64,
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Metrics are counters: a panic mid-update loses at most one increment.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a committed batch, its commit time and the queues after it.
    pub fn batch(&self, stats: BatchStats, commit_seconds: f64, waiting: impl Iterator<Item = (String, u64)>) {
        let mut m = self.lock();
        for key in stats.issued {
            *m.issued.entry(key).or_default() += 1;
        }
        for (key, wait) in stats.called {
            *m.called.entry(key).or_default() += 1;
            m.wait.observe(wait);
        }
        for key in stats.finished {
            *m.finished.entry(key).or_default() += 1;
        }
        m.commands += stats.commands;
        m.events += stats.events;
        m.commit.observe(commit_seconds);
        m.waiting = waiting.collect();
    }

    /// Counts a failed write to the ledger.
    pub fn store_error(&self) {
        self.lock().store_errors += 1;
    }

    /// A message the gateway did not take (it is retried).
    pub fn gateway_failure(&self) {
        self.lock().gateway_failures += 1;
    }

    /// The hall exports, with the wall's alert from `alert_after_s` of lag.
    pub fn export_start(&self, alert_after_s: u32) {
        self.lock().export = Some(ExportLag { alert_after_s, ..ExportLag::default() });
    }

    /// The export's progress: `acked` of `last`; `oldest_at`, the commit time of the oldest event not
    /// exported (`None`: unchanged, while events wait; forgotten when none wait).
    pub fn export_lag(&self, acked: u64, last: u64, oldest_at: Option<i64>) {
        let mut m = self.lock();
        let e = m.export.get_or_insert_with(ExportLag::default);
        e.acked = acked;
        e.last = last;
        e.lag_events = last.saturating_sub(acked);
        if e.lag_events == 0 {
            e.oldest_at = None;
        } else if oldest_at.is_some() {
            e.oldest_at = oldest_at;
        }
    }

    /// A publish to JetStream failed (it is retried).
    pub fn export_failure(&self) {
        self.lock().export.get_or_insert_with(ExportLag::default).failures += 1;
    }

    /// The export's progress at `now` (ms), if the hall exports.
    pub fn export(&self, now: i64) -> Option<ExportLag> {
        self.lock().export.map(|mut e| {
            e.lag_seconds = e.oldest_at.map_or(0.0, |at| now.saturating_sub(at).max(0) as f64 / 1000.0);
            e
        })
    }

    /// A connection of `role` opened (+1) or closed (-1).
    pub fn connection(&self, role: &'static str, delta: i64) {
        *self.lock().connections.entry(role).or_default() += delta;
    }

    /// The Prometheus text at `now` (ms).
    pub fn render(&self, now: i64) -> String {
        let export = self.export(now);
        let m = self.lock();
        let mut out = String::new();
        let by_matter = |out: &mut String, name: &str, help: &str, kind: &str, values: &BTreeMap<String, u64>| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (matter, v) in values {
                let _ = writeln!(out, "{name}{{matter=\"{matter}\"}} {v}");
            }
        };
        by_matter(&mut out, "onewindow_tickets_issued_total", "Tickets issued.", "counter", &m.issued);
        by_matter(
            &mut out,
            "onewindow_tickets_called_total",
            "Tickets called for the first time.",
            "counter",
            &m.called,
        );
        by_matter(&mut out, "onewindow_tickets_finished_total", "Services finished.", "counter", &m.finished);
        by_matter(&mut out, "onewindow_tickets_waiting", "Tickets waiting now.", "gauge", &m.waiting);
        m.wait.render(&mut out, "onewindow_wait_seconds", "Wait from issue to first call.");
        m.commit.render(&mut out, "onewindow_commit_seconds", "Durable commit time of one batch.");
        let _ = writeln!(
            out,
            "# HELP onewindow_connections Open WebSocket connections.\n# TYPE onewindow_connections gauge"
        );
        for (role, n) in &m.connections {
            let _ = writeln!(out, "onewindow_connections{{role=\"{role}\"}} {n}");
        }
        let _ = writeln!(out, "# HELP onewindow_store_errors_total Failed ledger writes.\n# TYPE onewindow_store_errors_total counter\nonewindow_store_errors_total {}", m.store_errors);
        let _ = writeln!(out, "# HELP onewindow_gateway_failures_total Message requests the gateway did not take (each is retried).\n# TYPE onewindow_gateway_failures_total counter\nonewindow_gateway_failures_total {}", m.gateway_failures);
        let _ = writeln!(out, "# HELP onewindow_commands_total Commands decided.\n# TYPE onewindow_commands_total counter\nonewindow_commands_total {}", m.commands);
        let _ = writeln!(out, "# HELP onewindow_events_total Events committed.\n# TYPE onewindow_events_total counter\nonewindow_events_total {}", m.events);
        if let Some(e) = export {
            let _ = writeln!(out, "# HELP onewindow_export_acked_seq Last event JetStream acknowledged.\n# TYPE onewindow_export_acked_seq gauge\nonewindow_export_acked_seq {}", e.acked);
            let _ = writeln!(out, "# HELP onewindow_export_lag_events Events not yet exported.\n# TYPE onewindow_export_lag_events gauge\nonewindow_export_lag_events {}", e.lag_events);
            let _ = writeln!(out, "# HELP onewindow_export_lag_seconds Age of the oldest event not yet exported.\n# TYPE onewindow_export_lag_seconds gauge\nonewindow_export_lag_seconds {}", e.lag_seconds);
            let _ = writeln!(out, "# HELP onewindow_export_failures_total Publishes JetStream did not acknowledge (each is retried).\n# TYPE onewindow_export_failures_total counter\nonewindow_export_failures_total {}", e.failures);
        }
        out
    }
}
