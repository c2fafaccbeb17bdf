//! Scenario files: a hall morning written as text (commands with times, each followed by the events it
//! must produce, indented, or `! code` for a refusal), run by one harness. Every event the core emits
//! must be listed, in order, so a scenario is a complete record of what the hall did.
//!
//! File header lines: `hall small|demo|calendar`, `date YYYY-MM-DD`, optional `policy NAME`. Besides
//! commands, a step may be `tick` (time passing: a day opens or closes by itself) or `on YYYY-MM-DD`
//! (the following times are on that date).

mod support;

use onewindow::config;
use onewindow::core::{Date, Event, Hall, Policy, Rejection};
use std::path::Path;
use support::Script;

struct Step {
    line: usize,
    time: String,
    words: Vec<String>,
    expected: Vec<String>,
}

fn parse_file(text: &str) -> Result<(Script, Vec<Step>), String> {
    let mut hall_name = None;
    let mut date: Option<Date> = None;
    let mut policy = None;
    let mut steps: Vec<Step> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split(" # ").next().unwrap_or("").trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if raw.starts_with(char::is_whitespace) {
            let step = steps.last_mut().ok_or(format!("line {}: expectation before any command", i + 1))?;
            step.expected.push(line.trim().to_owned());
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["hall", name] => hall_name = Some(name.to_string()),
            ["date", d] => date = Some(d.parse()?),
            ["policy", p] => policy = Some(Policy::from_name(p).ok_or(format!("unknown policy {p}"))?),
            [time, rest @ ..] if time.contains(':') => steps.push(Step {
                line: i + 1,
                time: time.to_string(),
                words: rest.iter().map(|s| s.to_string()).collect(),
                expected: Vec::new(),
            }),
            _ => return Err(format!("line {}: cannot read `{line}`", i + 1)),
        }
    }
    let mut hall = match hall_name.as_deref() {
        Some("small") => support::small_config(),
        Some("demo") => config::demo().map_err(|e| e.to_string())?,
        Some("calendar") => support::calendar_config(),
        other => return Err(format!("header `hall small|demo` missing or unknown: {other:?}")),
    };
    if let Some(p) = policy {
        hall.rules.policy = p;
    }
    Ok((Script::new(hall, date.ok_or("header `date` missing")?), steps))
}

/// What a step does, not yet applied: `on YYYY-MM-DD` moves the script to another date (nothing
/// happens), `tick` is time passing (`Hall::tick`), anything else a command.
fn decide(script: &mut Script, words: &[&str], time: &str) -> Result<Result<Vec<Event>, Rejection>, String> {
    if let ["on", date] = words {
        script.date = date.parse()?;
        return Ok(Ok(Vec::new()));
    }
    let now = script.time(time)?;
    if words == ["tick"] {
        return Ok(Ok(script.hall.tick(now)));
    }
    Ok(script.command(words)?.and_then(|command| script.hall.decide(&command, now)))
}

/// Runs one file; returns the list of mismatches and the full actual transcript.
fn run_file(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (mut script, steps) = parse_file(&text)?;
    let mut problems = Vec::new();
    let mut transcript = String::new();
    for step in &steps {
        let words: Vec<&str> = step.words.iter().map(String::as_str).collect();
        let decided = decide(&mut script, &words, &step.time).map_err(|e| format!("line {}: {e}", step.line))?;
        let actual: Vec<String> = match decided {
            Ok(events) => events
                .iter()
                .map(|e| {
                    script.hall.apply(e);
                    script.render(e)
                })
                .collect(),
            Err(r) => vec![format!("! {}", r.code())],
        };
        transcript += &format!("{} {}\n", step.time, step.words.join(" "));
        for a in &actual {
            transcript += &format!("  {a}\n");
        }
        if actual != step.expected {
            problems.push(format!(
                "line {}: `{}`\n    expected: {:?}\n    actual:   {:?}",
                step.line,
                step.words.join(" "),
                step.expected,
                actual
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!("{}\n\nactual transcript:\n{transcript}", problems.join("\n")))
}

#[test]
fn every_scenario_file_produces_exactly_its_expected_events() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenario folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "hall"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "at least five scenarios, found {}", files.len());
    let failures: Vec<String> =
        files.iter().filter_map(|f| run_file(f).err().map(|e| format!("== {}\n{e}", f.display()))).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_harness_notices_a_wrong_expectation() {
    let text = "hall small\ndate 2026-03-02\n08:00 open-day 2026-03-02\n  day-opened 2026-03-01\n";
    let dir = std::env::temp_dir().join(format!("onewindow-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("wrong.hall");
    std::fs::write(&file, text).expect("write");
    let result = run_file(&file);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(result.is_err_and(|e| e.contains("day-opened 2026-03-02")));
}

#[test]
fn replaying_a_scenarios_events_rebuilds_the_live_hall() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    for entry in std::fs::read_dir(&dir).expect("scenario folder").filter_map(Result::ok) {
        let text = std::fs::read_to_string(entry.path()).expect("read");
        let (mut script, steps) = parse_file(&text).expect("parse");
        let mut log = Vec::new();
        for step in &steps {
            let words: Vec<&str> = step.words.iter().map(String::as_str).collect();
            if let Ok(events) = decide(&mut script, &words, &step.time).expect("step") {
                for event in &events {
                    script.hall.apply(event);
                }
                log.extend(events);
            }
        }
        let replayed = Hall::replay(script.hall.config().clone(), &log);
        assert_eq!(replayed, script.hall, "{}", entry.path().display());
    }
}
