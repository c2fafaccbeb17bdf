//! Waits, recorded as they happen, summarised as the contract's JSON: means with 95% confidence
//! intervals (batch means in steady mode, across days in day mode), P(wait > 0), P(wait > t), quantiles.

use serde::Serialize;
use std::collections::BTreeMap;

/// Student's t quantile (0.975) for `n - 1` degrees of freedom; 1.96 beyond the table.
fn t975(n: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    n.checked_sub(2).and_then(|i| T.get(i)).copied().unwrap_or(1.96)
}

/// Half-width of a 95% confidence interval of the mean of `means` (independent estimates).
pub fn ci95(means: &[f64]) -> f64 {
    let n = means.len();
    if n < 2 {
        return 0.0;
    }
    let mean = means.iter().sum::<f64>() / n as f64;
    let var = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    t975(n) * (var / n as f64).sqrt()
}

/// Batches for the batch-means interval in steady mode.
pub const BATCHES: usize = 30;

/// The contract's statistics of a set of waits.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Tickets served (called) and counted.
    pub served: u64,
    /// Mean wait, minutes.
    pub wait_mean_min: f64,
    /// Half-width of its 95% confidence interval.
    pub wait_mean_ci95_min: f64,
    /// P(wait > 0).
    pub p_wait: f64,
    /// P(wait > t) for each threshold t (minutes, as given).
    pub p_wait_over_min: BTreeMap<String, f64>,
    /// Median wait.
    pub wait_p50_min: f64,
    /// 90th percentile.
    pub wait_p90_min: f64,
    /// 95th percentile.
    pub wait_p95_min: f64,
    /// By class, for matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<BTreeMap<String, Stats>>,
}

/// A threshold as a JSON key: `10`, or `7.5`.
pub fn key(t: f64) -> String {
    if t.fract() == 0.0 {
        format!("{}", t as i64)
    } else {
        format!("{t}")
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[idx]
}

/// Summarises waits (in recording order); `ci` is the interval computed by the caller's method.
pub fn summarise(waits: &[f64], thresholds: &[f64], ci: f64) -> Stats {
    let n = waits.len();
    let mut sorted = waits.to_vec();
    sorted.sort_by(f64::total_cmp);
    let share = |pred: &dyn Fn(f64) -> bool| {
        if n == 0 {
            0.0
        } else {
            waits.iter().filter(|w| pred(**w)).count() as f64 / n as f64
        }
    };
    Stats {
        served: n as u64,
        wait_mean_min: if n == 0 { 0.0 } else { waits.iter().sum::<f64>() / n as f64 },
        wait_mean_ci95_min: ci,
        p_wait: share(&|w| w > 0.0),
        p_wait_over_min: thresholds.iter().map(|t| (key(*t), share(&|w| w > *t))).collect(),
        wait_p50_min: quantile(&sorted, 0.5),
        wait_p90_min: quantile(&sorted, 0.9),
        wait_p95_min: quantile(&sorted, 0.95),
        classes: None,
    }
}

/// Batch-means 95% interval of the mean of a wait sequence.
pub fn batch_ci(waits: &[f64]) -> f64 {
    let size = waits.len() / BATCHES;
    if size == 0 {
        return 0.0;
    }
    let means: Vec<f64> = waits.chunks_exact(size).take(BATCHES).map(|b| b.iter().sum::<f64>() / size as f64).collect();
    ci95(&means)
}

/// One counted wait.
#[derive(Debug, Clone, Copy)]
pub struct Wait {
    /// Arrival, minutes from the run's start.
    pub arrived: f64,
    /// Wait, minutes.
    pub wait: f64,
    /// Matter index.
    pub matter: usize,
    /// Green channel.
    pub green: bool,
}

/// Collects waits (and arrivals, for day slots) as the run goes.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Counted waits, in the order tickets were called.
    pub waits: Vec<Wait>,
    /// Arrival times (day mode slots), with matter.
    pub arrivals: Vec<(f64, usize)>,
    /// Whether to keep arrival times.
    pub keep_arrivals: bool,
    /// Estimates given at issue and the actual waits, minutes.
    pub estimates: Vec<EstimateSample>,
    /// Counted tickets whose holder had left when called (过号): their waits are not counted.
    pub no_shows: u64,
}

/// How the estimates printed at issue held up.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateReport {
    /// Tickets with an estimate.
    pub count: u64,
    /// Root-mean-square error of the median estimate, minutes.
    pub rmse_min: f64,
    /// Share of actual waits at or below the printed 80th percentile, all tickets (a ticket a free
    /// window takes at once is printed 0 and waits 0, so it always counts).
    pub within_p80: f64,
    /// The same share among tickets printed a wait above zero (goal 0.75–0.85).
    pub within_p80_waiting: f64,
    /// Tickets printed a wait above zero.
    pub waiting_count: u64,
    /// RMSE of the call-centre estimate (exponential average of past waits, `(3·old + new) / 4`).
    pub asterisk_rmse_min: f64,
    /// Its bias, minutes.
    pub asterisk_bias_min: f64,
    /// Mean actual wait minus mean median estimate, minutes (bias).
    pub bias_min: f64,
}

/// One ticket's printed estimate beside its actual wait, minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateSample {
    /// The printed median.
    pub median: f64,
    /// The printed 80th percentile.
    pub p80: f64,
    /// What a call centre would have announced: the matter's exponential average of past waits,
    /// updated as Asterisk's `app_queue` does, `(3·old + new) / 4` at every call.
    pub asterisk: f64,
    /// The wait it had.
    pub actual: f64,
}

/// Summarises estimates against actual waits.
pub fn estimate_report(estimates: &[EstimateSample]) -> Option<EstimateReport> {
    let n = estimates.len();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let rmse_of = |f: &dyn Fn(&EstimateSample) -> f64| {
        (estimates.iter().map(|e| (e.actual - f(e)).powi(2)).sum::<f64>() / nf).sqrt()
    };
    let within = estimates.iter().filter(|e| e.actual <= e.p80).count() as f64 / nf;
    let waiting: Vec<&EstimateSample> = estimates.iter().filter(|e| e.p80 > 0.0).collect();
    let within_waiting = if waiting.is_empty() {
        0.0
    } else {
        waiting.iter().filter(|e| e.actual <= e.p80).count() as f64 / waiting.len() as f64
    };
    Some(EstimateReport {
        count: n as u64,
        rmse_min: rmse_of(&|e| e.median),
        within_p80: within,
        within_p80_waiting: within_waiting,
        waiting_count: waiting.len() as u64,
        bias_min: estimates.iter().map(|e| e.actual - e.median).sum::<f64>() / nf,
        asterisk_rmse_min: rmse_of(&|e| e.asterisk),
        asterisk_bias_min: estimates.iter().map(|e| e.actual - e.asterisk).sum::<f64>() / nf,
    })
}

impl Recorder {
    /// A ticket arrived.
    pub fn arrival(&mut self, at: f64, matter: usize) {
        if self.keep_arrivals {
            self.arrivals.push((at, matter));
        }
    }

    /// A counted ticket was called after waiting `wait` minutes.
    pub fn wait(&mut self, arrived: f64, wait: f64, matter: usize, green: bool) {
        self.waits.push(Wait { arrived, wait, matter, green });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_count_as_the_contract_says() {
        let s = summarise(&[0.0, 0.0, 5.0, 15.0, 30.0], &[10.0, 20.0], 0.0);
        assert_eq!(s.served, 5);
        assert_eq!(s.wait_mean_min, 10.0);
        assert_eq!(s.p_wait, 0.6);
        assert_eq!(s.p_wait_over_min["10"], 0.4);
        assert_eq!(s.p_wait_over_min["20"], 0.2);
        assert_eq!(s.wait_p50_min, 5.0);
        assert_eq!(key(7.5), "7.5");
    }

    #[test]
    fn the_interval_shrinks_with_agreeing_batches() {
        assert!(ci95(&[1.0, 1.1, 0.9, 1.0]) < ci95(&[0.0, 2.0, 0.5, 1.5]));
        assert_eq!(ci95(&[1.0]), 0.0);
    }
}
