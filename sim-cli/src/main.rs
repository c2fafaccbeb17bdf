//! `onewindow-sim`: run a scenario, or compare policies on the same citizens; replay a day of a
//! ledger, or plan next week from its last weeks. The simulation is the `simulator` library (on
//! onewindow-core alone); this binary adds what reads a hall: its config and its ledger.

// A command-line tool prints its results.
#![allow(clippy::print_stdout)]

use clap::{Parser, Subcommand};
use simulator::charts;
use simulator::plan;
use simulator::replay;
use simulator::report::{self, Options, Report};
use simulator::scenario::Scenario;
use std::path::PathBuf;
use std::process::ExitCode;

/// Simulate hall days through the onewindow core.
#[derive(Parser)]
#[command(name = "onewindow-sim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run one scenario and print its results (a table, or the contract's JSON with --json).
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Override the scenario's policy.
        #[arg(long)]
        policy: Option<String>,
        /// Override the number of measured tickets (steady) .
        #[arg(long)]
        customers: Option<u64>,
        /// Override the number of days (day mode).
        #[arg(long)]
        days: Option<u32>,
        /// Turn the starvation guard on at this wait (minutes); off by default in simulations.
        #[arg(long)]
        max_wait_min: Option<f64>,
        /// Record the wait estimate a kiosk would print at issue, and report RMSE and coverage.
        #[arg(long)]
        estimates: bool,
        /// Standby windows: `off`, `schedule` (the scenario's plan) or `auto` (the staffing review).
        /// Default: the schedule if the scenario has one, else auto when it has standby windows.
        #[arg(long)]
        staffing: Option<String>,
        /// Staffing review: open a window when a new ticket's predicted wait passes this share of the target.
        #[arg(long)]
        open_at: Option<f64>,
        /// Staffing review: close one when, without it, every wait stays below this share of the target.
        #[arg(long)]
        close_below: Option<f64>,
        /// Write SVG charts (slots, windows, estimates) into this directory.
        #[arg(long)]
        svg: Option<PathBuf>,
    },
    /// The same scenario under several policies, with common random numbers, side by side.
    Compare {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Variants to compare (at least one): a routing policy, optionally with `@staffing`, e.g.
        /// `fifo`, `default@auto`, `default@schedule`.
        #[arg(long = "policy", required = true)]
        policies: Vec<String>,
        /// Record the wait estimate at issue for every variant.
        #[arg(long)]
        estimates: bool,
        /// Write SVG charts (one line per variant) into this directory.
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Print JSON (an object keyed by policy).
        #[arg(long)]
        json: bool,
        /// Override the number of measured tickets (steady).
        #[arg(long)]
        customers: Option<u64>,
        /// Override the number of days (day mode).
        #[arg(long)]
        days: Option<u32>,
    },
    /// A recorded day again (its own citizens, arrival times and service times), under another routing
    /// policy or staffing rule, beside the day as recorded and replayed as recorded.
    Replay {
        /// The hall's configuration (the demo hall's if not given).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The ledger (a stopped server's `ledger.redb`, or a backup of a running one's).
        #[arg(long)]
        ledger: PathBuf,
        /// The business day, YYYY-MM-DD.
        #[arg(long)]
        day: String,
        /// Routing policy of the what-if (default: the hall's).
        #[arg(long)]
        policy: Option<String>,
        /// Staffing of the what-if: `recorded` (every clerk session as it was), `off` (without the
        /// windows the staffing review opened) or `auto` (the core's review opens standby windows).
        #[arg(long, default_value = "recorded")]
        staffing: String,
        /// With `--staffing auto`: minutes a standby clerk needs to reach an opened window.
        #[arg(long, default_value_t = 0.0)]
        walk_min: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Next week's window plan from the last weeks of a ledger: arrivals and handling time per matter by
    /// weekday and half hour, and the windows per half hour that keep every half hour within target.
    Plan {
        /// The hall's configuration (the demo hall's if not given).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The ledger (a stopped server's `ledger.redb`, or a backup of a running one's).
        #[arg(long)]
        ledger: PathBuf,
        /// Weeks of history.
        #[arg(long, default_value_t = 4)]
        weeks: u32,
        /// The last day of history, YYYY-MM-DD (default: the ledger's last closed day).
        #[arg(long)]
        to: Option<String>,
        /// Simulated days per weekday.
        #[arg(long, default_value_t = 40)]
        days: u32,
        /// The goal: this share of each half hour's tickets called within the hall's shortest target.
        #[arg(long, default_value_t = 0.8)]
        share: f64,
        /// Minutes a standby clerk needs to reach an opened window.
        #[arg(long, default_value_t = 5.0)]
        walk_min: f64,
        /// Seed of the simulated days.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The goal's wait, minutes [default: the hall's shortest target].
        #[arg(long)]
        target_min: Option<f64>,
        /// Write the plan into this directory: SVG charts (share within target and windows by half
        /// hour, per weekday) and the table as `plan.txt`, replacing an earlier plan's files there
        /// (`DATA/plan` is what the server's /reports page shows).
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn load(path: &PathBuf, customers: Option<u64>, days: Option<u32>) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut scenario = Scenario::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(c) = customers {
        scenario.warmup = scenario.warmup.min(c / 10).max(c / 20);
        scenario.customers = c;
    }
    if let Some(d) = days {
        scenario.days = d;
    }
    Ok(scenario)
}

fn table(reports: &[&Report]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = write!(out, "{:<30}", "");
    for r in reports {
        let name = if r.staffing == "off" { r.policy.clone() } else { format!("{}@{}", r.policy, r.staffing) };
        let _ = write!(out, " {name:>20}");
    }
    out.push('\n');
    let row = |out: &mut String, label: &str, f: &dyn Fn(&Report) -> String| {
        let _ = write!(out, "{label:<30}");
        for r in reports {
            let _ = write!(out, " {:>20}", f(r));
        }
        out.push('\n');
    };
    row(&mut out, "tickets simulated", &|r| r.tickets.to_string());
    row(&mut out, "tickets/s", &|r| format!("{:.0}", r.tickets_per_second));
    row(&mut out, "mean wait (min) ± 95%", &|r| {
        format!("{:.3} ± {:.3}", r.overall.wait_mean_min, r.overall.wait_mean_ci95_min)
    });
    row(&mut out, "P(wait > 0)", &|r| format!("{:.4}", r.overall.p_wait));
    for t in reports[0].overall.p_wait_over_min.keys() {
        row(&mut out, &format!("P(wait > {t} min)"), &|r| {
            format!("{:.4}", r.overall.p_wait_over_min.get(t).copied().unwrap_or(0.0))
        });
    }
    row(&mut out, "wait p50 / p90 / p95", &|r| {
        format!("{:.1}/{:.1}/{:.1}", r.overall.wait_p50_min, r.overall.wait_p90_min, r.overall.wait_p95_min)
    });
    if reports[0].estimates.is_some() {
        row(&mut out, "estimate RMSE (min)", &|r| {
            r.estimates.as_ref().map_or(String::new(), |e| format!("{:.2}", e.rmse_min))
        });
        row(&mut out, "actual <= printed p80", &|r| {
            r.estimates.as_ref().map_or(String::new(), |e| format!("{:.3}", e.within_p80))
        });
        row(&mut out, "  among those printed > 0", &|r| {
            r.estimates.as_ref().map_or(String::new(), |e| format!("{:.3}", e.within_p80_waiting))
        });
        row(&mut out, "bias (actual - median)", &|r| {
            r.estimates.as_ref().map_or(String::new(), |e| format!("{:.2}", e.bias_min))
        });
        row(&mut out, "call-centre (3·old+new)/4 RMSE", &|r| {
            r.estimates.as_ref().map_or(String::new(), |e| format!("{:.2}", e.asterisk_rmse_min))
        });
        row(&mut out, "  its bias", &|r| {
            r.estimates.as_ref().map_or(String::new(), |e| format!("{:.2}", e.asterisk_bias_min))
        });
    }
    if reports[0].window_hours > 0.0 {
        row(&mut out, "window-hours", &|r| format!("{:.1}", r.window_hours));
    }
    if let Some(t) = reports[0].overall.p_wait_over_min.keys().next().filter(|_| reports[0].slots.is_some()) {
        row(&mut out, &format!("worst slot: share <= {t} min"), &|r| {
            let worst = r.slots.iter().flatten().map(|s| 1.0 - s.p_wait_over_min.get(t).copied().unwrap_or(0.0));
            format!("{:.3}", worst.fold(1.0, f64::min))
        });
    }
    row(&mut out, "worst matter: mean / target", &|r| {
        let worst = r.matters.iter().max_by(|a, b| a.1.wait_mean_min.total_cmp(&b.1.wait_mean_min));
        worst.map_or(String::new(), |(m, s)| {
            let target = r.targets.get(m).copied().unwrap_or(f64::NAN);
            format!("{m} {:.2} / {target:.0}", s.wait_mean_min)
        })
    });
    if reports[0].standby_openings_per_day.is_some_and(|n| n > 0.0) {
        row(&mut out, "standby openings per day", &|r| {
            r.standby_openings_per_day.map_or(String::new(), |n| format!("{n:.1}"))
        });
    }
    if reports[0].no_shows > 0 {
        row(&mut out, "no-shows (过号, not in the waits)", &|r| r.no_shows.to_string());
    }
    for m in reports[0].matters.keys() {
        row(&mut out, &format!("matter {m}: mean wait"), &|r| {
            format!("{:.3}", r.matters.get(m).map_or(0.0, |s| s.wait_mean_min))
        });
    }
    out
}

/// Writes the charts of `reports` into `dir`, named after the scenario file; says which on stderr.
fn draw(dir: Option<&std::path::Path>, scenario: &std::path::Path, reports: &[&Report]) -> Result<(), String> {
    let Some(dir) = dir else { return Ok(()) };
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let stem = scenario.file_stem().map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    let mut written = charts::slots(dir, &stem, reports)?;
    for r in reports {
        let name = format!("{stem}-{}-{}", r.policy, r.staffing);
        written.extend(charts::estimates(dir, &name, r)?);
    }
    for file in written {
        eprintln!("wrote {file}");
    }
    Ok(())
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Cmd::Run {
            scenario,
            json,
            policy,
            customers,
            days,
            max_wait_min,
            estimates,
            staffing,
            open_at,
            close_below,
            svg,
        } => {
            let options = Options { policy, staffing, open_at, close_below, max_wait_min, estimates, progress: true };
            load(&scenario, customers, days).and_then(|s| report::run(&s, &options)).and_then(|r| {
                draw(svg.as_deref(), &scenario, &[&r])?;
                Ok(if json { serde_json::to_string_pretty(&r).unwrap_or_default() } else { table(&[&r]) })
            })
        }
        Cmd::Compare { scenario, policies, json, customers, days, estimates, svg } => load(&scenario, customers, days)
            .and_then(|s| {
                let reports = policies
                    .iter()
                    .map(|p| report::run(&s, &Options { estimates, progress: true, ..Options::variant(p) }))
                    .collect::<Result<Vec<_>, _>>()?;
                draw(svg.as_deref(), &scenario, &reports.iter().collect::<Vec<_>>())?;
                Ok(if json {
                    let by: serde_json::Map<String, serde_json::Value> = policies
                        .iter()
                        .zip(&reports)
                        .map(|(p, r)| (p.clone(), serde_json::to_value(r).unwrap_or_default()))
                        .collect();
                    serde_json::to_string_pretty(&by).unwrap_or_default()
                } else {
                    table(&reports.iter().collect::<Vec<_>>())
                })
            }),
        Cmd::Replay { config, ledger, day, policy, staffing, walk_min, json } => {
            let args = ReplayArgs { policy, staffing, walk_min };
            replay_day(config.as_deref(), &ledger, &day, &args, json)
        }
        Cmd::Plan { config, ledger, weeks, to, days, share, walk_min, seed, target_min, svg, json } => {
            let request = PlanArgs { weeks, to, days, share, walk_min, seed, target_min };
            plan_week(config.as_deref(), &ledger, &request, svg.as_deref(), json)
        }
    };
    match result {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What `onewindow-sim plan` is asked.
struct PlanArgs {
    weeks: u32,
    to: Option<String>,
    days: u32,
    share: f64,
    walk_min: f64,
    seed: u64,
    target_min: Option<f64>,
}

/// `onewindow-sim plan`.
fn plan_week(
    config: Option<&std::path::Path>,
    ledger: &std::path::Path,
    args: &PlanArgs,
    svg: Option<&std::path::Path>,
    json: bool,
) -> Result<String, String> {
    let (hall, store) = hall_and_ledger(config, ledger)?;
    if !(1..=52).contains(&args.weeks) {
        return Err("--weeks must be 1 to 52".into());
    }
    if !(1..=10_000).contains(&args.days) {
        return Err("--days must be 1 to 10000".into());
    }
    if !(args.share > 0.0 && args.share <= 1.0) {
        return Err("--share must be above 0 and at most 1".into());
    }
    walk(args.walk_min)?;
    if args.target_min.is_some_and(|t| !(t.is_finite() && t > 0.0 && t <= 24.0 * 60.0)) {
        return Err("--target-min must be above 0 and at most a day".into());
    }
    let to = match &args.to {
        Some(d) => Some(d.parse::<onewindow::core::Date>().map_err(|_| format!("`{d}` is not a date (YYYY-MM-DD)"))?),
        None => None,
    };
    let history = plan::closed_days(onewindow::store::events(&store), &hall, to, 7 * i64::from(args.weeks))?;
    let request = plan::Request {
        weeks: args.weeks,
        to,
        days: args.days,
        share: args.share,
        walk_min: args.walk_min,
        seed: args.seed,
        target_min: args.target_min,
    };
    let plan = plan::plan(&hall, &history, &request)?;
    if let Some(dir) = svg {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        // An earlier plan's charts go: a weekday without history this time must not show last week's.
        let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for path in entries.filter_map(|e| e.ok()).map(|e| e.path()) {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.starts_with("plan-weekday-") && name.ends_with(".svg") {
                std::fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
        let table = dir.join("plan.txt");
        std::fs::write(&table, plan::table(&plan)).map_err(|e| format!("cannot write {}: {e}", table.display()))?;
        eprintln!("wrote {}", table.display());
        for w in &plan.weekdays {
            if let Some(report) = &w.checked {
                for file in charts::slots(dir, &format!("plan-weekday-{}", w.weekday + 1), &[report])? {
                    eprintln!("wrote {file}");
                }
            }
        }
    }
    Ok(if json { serde_json::to_string_pretty(&plan).unwrap_or_default() } else { plan::table(&plan) })
}

/// `--walk-min`, checked.
fn walk(minutes: f64) -> Result<f64, String> {
    if minutes.is_finite() && (0.0..=240.0).contains(&minutes) {
        Ok(minutes)
    } else {
        Err("--walk-min must be 0 to 240 minutes".into())
    }
}

/// The hall's configuration (the demo hall's without one) and a ledger opened for reading.
fn hall_and_ledger(
    config: Option<&std::path::Path>,
    ledger: &std::path::Path,
) -> Result<(onewindow::core::HallConfig, onewindow::store::RedbStore), String> {
    let text = match config {
        Some(p) => std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        None => onewindow::config::DEMO_HALL_TOML.to_owned(),
    };
    let hall = onewindow::config::parse(&text).map_err(|e| e.to_string())?;
    let (store, _) = onewindow::store::RedbStore::open(ledger, None, onewindow::store::faults::Faults::none())
        .map_err(|e| e.to_string())?;
    Ok((hall, store))
}

/// The what-if of `onewindow-sim replay`.
struct ReplayArgs {
    policy: Option<String>,
    staffing: String,
    walk_min: f64,
}

/// `onewindow-sim replay`: the recorded day, the replay as recorded (its error), and the what-if.
fn replay_day(
    config: Option<&std::path::Path>,
    ledger: &std::path::Path,
    day: &str,
    args: &ReplayArgs,
    json: bool,
) -> Result<String, String> {
    let (hall, store) = hall_and_ledger(config, ledger)?;
    let date: onewindow::core::Date = day.parse().map_err(|_| format!("`{day}` is not a date (YYYY-MM-DD)"))?;
    let policy = match args.policy.as_deref() {
        None => hall.rules.policy,
        Some(name) => onewindow::core::Policy::from_name(name).ok_or_else(|| format!("unknown policy `{name}`"))?,
    };
    let staffing = replay::Staffing::from_name(&args.staffing)
        .ok_or_else(|| format!("unknown staffing `{}`: recorded, off or auto", args.staffing))?;
    let walk_ms = (walk(args.walk_min)? * 60_000.0).round() as i64;
    let recorded = replay::load(onewindow::store::events(&store), &hall, date)?;
    let as_recorded = replay::Options { policy: hall.rules.policy, staffing: replay::Staffing::Recorded, walk_ms };
    let what_if = replay::Options { policy, staffing, ..as_recorded };
    let mut columns = vec![
        ("recorded".to_owned(), recorded.facts.clone(), None),
        (
            format!("replay {}@recorded", hall.rules.policy.name()),
            replay::replay(&hall, &recorded, as_recorded).facts,
            None,
        ),
    ];
    if policy != hall.rules.policy || staffing != replay::Staffing::Recorded {
        let r = replay::replay(&hall, &recorded, what_if);
        columns.push((format!("what-if {}@{}", policy.name(), staffing.name()), r.facts, Some(r.openings)));
    }
    let errors: Vec<replay::WaitError> =
        columns[1..].iter().map(|(_, f, _)| replay::wait_error(&recorded.facts, f)).collect();
    let kpis: Vec<onewindow::core::report::Kpis> = columns.iter().map(|(_, f, _)| replay::kpis(&hall, f)).collect();
    if json {
        let out: Vec<serde_json::Value> = columns
            .iter()
            .zip(&kpis)
            .enumerate()
            .map(|(i, ((name, _, openings), k))| {
                serde_json::json!({
                    "name": name,
                    "kpis": k,
                    "wait_error": i.checked_sub(1).map(|j| errors[j]),
                    "standby_openings": openings,
                })
            })
            .collect();
        return Ok(serde_json::to_string_pretty(&serde_json::json!({ "day": date.to_string(), "columns": out }))
            .unwrap_or_default());
    }
    Ok(replay_table(&columns.iter().map(|(n, _, _)| n.as_str()).collect::<Vec<_>>(), &kpis, &errors))
}

/// The replay's columns side by side: the KPIs of `onewindow report` that a replay can change.
fn replay_table(names: &[&str], kpis: &[onewindow::core::report::Kpis], errors: &[replay::WaitError]) -> String {
    use onewindow::core::report::Kpis;
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = write!(out, "{:<34}", "");
    for name in names {
        let _ = write!(out, " {name:>24}");
    }
    out.push('\n');
    type Cell = fn(&Kpis) -> String;
    fn minutes(s: Option<f64>) -> String {
        s.map_or("—".to_owned(), |s| format!("{:.2}", s / 60.0))
    }
    fn share(s: Option<f64>) -> String {
        s.map_or("—".to_owned(), |s| format!("{s:.3}"))
    }
    let rows: [(&str, Cell); 14] = [
        ("tickets issued", |k| k.issued.to_string()),
        ("served", |k| k.served.to_string()),
        ("no-shows", |k| k.no_shows.to_string()),
        ("cancelled", |k| k.cancelled.to_string()),
        ("closed unserved", |k| k.closed_unserved.to_string()),
        ("wait mean (min)", |k| minutes(k.wait_mean_s)),
        ("wait median (min)", |k| minutes(k.wait_median_s)),
        ("wait p90 (min)", |k| minutes(k.wait_p90_s)),
        ("share within target", |k| share(k.within_target)),
        ("handling mean (min)", |k| minutes(k.handling_mean_s)),
        ("window-hours (signed in)", |k| format!("{:.1}", k.signed_in_s / 3600.0)),
        ("utilisation", |k| share(k.utilisation)),
        ("green tickets", |k| k.green.to_string()),
        ("appointment tickets", |k| k.appointment_tickets.to_string()),
    ];
    for (label, f) in rows {
        let _ = write!(out, "{label:<34}");
        for k in kpis {
            let _ = write!(out, " {:>24}", f(k));
        }
        out.push('\n');
    }
    for (label, f) in [
        (
            "wait error vs recorded: mean (min)",
            (|e: &replay::WaitError| format!("{:+.2}", e.mean_s / 60.0)) as fn(&replay::WaitError) -> String,
        ),
        ("  mean |error| (min)", |e| format!("{:.2}", e.mean_abs_s / 60.0)),
        ("  tickets compared", |e| e.tickets.to_string()),
    ] {
        let _ = write!(out, "{label:<34} {:>24}", "");
        for e in errors {
            let _ = write!(out, " {:>24}", f(e));
        }
        out.push('\n');
    }
    out
}
