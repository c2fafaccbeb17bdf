//! `onewindow-sim replay` and `plan` through the binary, on a redb ledger written by a rehearsal.

// Tests fail loudly on what they did not expect.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use onewindow::core::{Date, HallConfig};
use onewindow::rehearse::{self, Plan};
use onewindow::store::faults::Faults;
use onewindow::store::RedbStore;
use std::process::Command;

const DAY: Date = Date { year: 2026, month: 10, day: 12 };

/// The demo hall with the staffing review in automatic mode.
fn auto_hall_toml() -> String {
    onewindow::config::DEMO_HALL_TOML.replace("mode = \"advisory\"", "mode = \"automatic\"")
}

fn hall() -> HallConfig {
    onewindow::config::parse(&auto_hall_toml()).expect("the demo hall parses")
}

fn rehearsed(store: &RedbStore, config: &HallConfig) {
    rehearse::run(store, config, &Plan { from: DAY, days: 1, per_day: 700, seed: 3 }).expect("rehearsal written");
}

#[test]
fn the_command_prints_the_recorded_day_the_replay_and_the_what_if_side_by_side() {
    let dir = std::env::temp_dir().join(format!("onewindow-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = hall();
    let ledger = dir.join("ledger.redb");
    {
        let (store, _) = RedbStore::create(&ledger, Faults::none()).unwrap();
        rehearsed(&store, &config);
    }
    let toml = dir.join("hall.toml");
    std::fs::write(&toml, auto_hall_toml()).unwrap();
    let sim = env!("CARGO_BIN_EXE_onewindow-sim");
    let run = |args: &[&str]| {
        let out = Command::new(sim)
            .args(["replay", "--config", toml.to_str().unwrap(), "--ledger", ledger.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, table, err) = run(&["--day", "2026-10-12", "--policy", "fifo", "--staffing", "off"]);
    assert!(ok, "{err}");
    let header = table.lines().next().unwrap();
    for column in ["recorded", "replay backlog@recorded", "what-if fifo@off"] {
        assert!(header.contains(column), "{header}");
    }
    for row in ["tickets issued", "wait mean (min)", "window-hours (signed in)", "mean |error| (min)"] {
        assert!(table.lines().any(|l| l.trim_start().starts_with(row)), "no row {row}:\n{table}");
    }
    let (ok, json, err) = run(&["--day", "2026-10-12", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let columns = v["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 2, "the recorded policy and staffing: no what-if column");
    assert_eq!(columns[0]["kpis"]["issued"], columns[1]["kpis"]["issued"]);
    assert!(columns[1]["wait_error"]["mean_abs_s"].as_f64().is_some());
    for bad in [
        vec!["--day", "2026-13-01"],
        vec!["--day", "2026-10-12", "--policy", "lifo"],
        vec!["--day", "2026-10-12", "--staffing", "maybe"],
    ] {
        let (ok, _, err) = run(&bad);
        assert!(!ok && err.starts_with("error: "), "{bad:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_plan_command_prints_each_weekday_with_its_forecast_line() {
    let dir = std::env::temp_dir().join(format!("onewindow-plan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ledger = dir.join("ledger.redb");
    {
        let (store, _) = RedbStore::create(&ledger, Faults::none()).unwrap();
        rehearsed(&store, &hall());
    }
    let toml = dir.join("hall.toml");
    std::fs::write(&toml, auto_hall_toml()).unwrap();
    let plan = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_onewindow-sim"))
            .args(["plan", "--config", toml.to_str().unwrap(), "--ledger", ledger.to_str().unwrap(), "--days", "2"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = plan(&[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Monday (1 days of history)") && text.contains("forecast = [[\"08:"), "{text}");
    let bad = plan(&["--weeks", "0"]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("--weeks"));
    // `--svg DIR`: the table as plan.txt and two charts per weekday with history, an earlier plan's
    // charts gone (what the server's /reports page shows from DATA/plan).
    let charts = dir.join("plan");
    std::fs::create_dir_all(&charts).unwrap();
    std::fs::write(charts.join("plan-weekday-7-slots.svg"), "<svg/>").unwrap();
    std::fs::write(charts.join("notes.txt"), "kept").unwrap();
    let out = plan(&["--svg", charts.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(charts.join("plan.txt")).unwrap().trim_end(),
        String::from_utf8_lossy(&out.stdout).trim_end()
    );
    let mut names: Vec<String> =
        std::fs::read_dir(&charts).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let weekdays = text.matches(" days of history)").count();
    let svgs: Vec<&String> = names.iter().filter(|n| n.ends_with(".svg")).collect();
    assert_eq!(svgs.len(), 2 * weekdays, "{names:?}");
    assert!(svgs.iter().all(|n| n.starts_with("plan-weekday-")), "{names:?}");
    assert!(!names.contains(&"plan-weekday-7-slots.svg".to_owned()), "no Sunday in this history: {names:?}");
    assert!(names.contains(&"notes.txt".to_owned()), "other files stay: {names:?}");
    let chart = std::fs::read_to_string(charts.join(svgs[0])).unwrap();
    assert!(chart.starts_with("<svg") || chart.starts_with("<?xml"), "{chart}");
    let _ = std::fs::remove_dir_all(&dir);
}
