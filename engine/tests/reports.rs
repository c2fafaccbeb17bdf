//! Reports against an independent recomputation (issue 15). A rehearsal ledger of six days across a
//! month, quarter and year boundary (2025-12-29 … 2026-01-03) is served by the real binary; a
//! supervisor's `hello` with `since: 0` gets every event over a real socket, and this file's own
//! arithmetic, from the wire as docs/protocol.md describes it and the definitions of docs/reports.md,
//! must give what `onewindow report` prints for a day, a month, a quarter and a year: counts exactly,
//! times within 1 s. The same report from the stopped server's ledger, and again from its kept facts,
//! is the same.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod binary;
mod client;

use client::Client;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

const DAYS: usize = 6;

/// A ticket as the wire tells it.
#[derive(Debug, Default, Clone)]
struct Ticket {
    date: String,
    matter: String,
    class: String,
    issued_at: i64,
    printed: Option<(i64, i64)>,
    first_call: Option<i64>,
    service_ms: Option<i64>,
    served_matter: Option<String>,
    end: &'static str,
    transferred: bool,
    rating: Option<String>,
}

#[derive(Debug, Default)]
struct Wire {
    tickets: Vec<Ticket>,
    /// (date of opening, resolve by, resolved at)
    cases: Vec<(String, i64, Option<i64>)>,
    /// Signed-in time, pauses and paused time by date.
    signed_in_ms: BTreeMap<String, i64>,
    pauses: BTreeMap<String, (u64, i64)>,
    /// Appointments booked, by the date of their slot.
    booked: BTreeMap<String, u64>,
}

/// The hall's date (+08:00) of an instant.
fn local_date(ms: i64) -> String {
    onewindow::core::Timestamp(ms).local(480).0.to_string()
}

/// Folds the event stream the way a client written from the docs would.
fn fold(events: &[Value]) -> Wire {
    let mut wire = Wire::default();
    let mut date = String::new();
    let mut by_number: BTreeMap<String, usize> = BTreeMap::new();
    let mut sessions: BTreeMap<u64, i64> = BTreeMap::new();
    let mut paused: BTreeMap<u64, i64> = BTreeMap::new();
    let mut case_index: BTreeMap<u64, usize> = BTreeMap::new();
    for msg in events {
        let (at, e) = (msg["at"].as_i64().unwrap(), &msg["event"]);
        // Numbers start again each day: the ticket is today's with that number.
        let i = e["ticket"].as_str().and_then(|n| by_number.get(n)).copied().unwrap_or(usize::MAX);
        match e["kind"].as_str().unwrap() {
            "day_opened" => {
                date = e["date"].as_str().unwrap().to_owned();
                by_number.clear();
            }
            "ticket_issued" => {
                let t = &e["ticket"];
                let printed =
                    t["estimate"]["p80_ms"].as_i64().map(|p80| (t["estimate"]["median_ms"].as_i64().unwrap(), p80));
                by_number.insert(t["number"].as_str().unwrap().to_owned(), wire.tickets.len());
                wire.tickets.push(Ticket {
                    date: date.clone(),
                    matter: t["matter"].as_str().unwrap().to_owned(),
                    class: t["class"].as_str().unwrap().to_owned(),
                    issued_at: t["issued_at"].as_i64().unwrap(),
                    printed,
                    end: "open",
                    ..Ticket::default()
                });
            }
            "ticket_called" => {
                wire.tickets[i].first_call.get_or_insert(at);
            }
            "service_finished" => {
                let t = &mut wire.tickets[i];
                (t.end, t.service_ms) = ("served", e["service_ms"].as_i64());
                t.served_matter = e["matter"].as_str().map(str::to_owned);
            }
            "ticket_no_show" if e["requeued"] == false => wire.tickets[i].end = "no_show",
            "ticket_cancelled" => wire.tickets[i].end = "cancelled",
            "ticket_ended" => wire.tickets[i].end = "closed",
            "ticket_transferred" => wire.tickets[i].transferred = true,
            "ticket_rated" => {
                wire.tickets[i].rating = e["rating"].as_str().map(str::to_owned);
            }
            "case_opened" => {
                let c = &e["case"];
                case_index.insert(c["id"].as_u64().unwrap(), wire.cases.len());
                wire.cases.push((date.clone(), c["due"]["resolve"].as_i64().unwrap(), None));
            }
            "case_progressed" if e["step"] == "resolved" => {
                let i = case_index[&e["case"].as_u64().unwrap()];
                wire.cases[i].2 = Some(at);
            }
            "clerk_signed_in" => {
                sessions.insert(e["window"].as_u64().unwrap(), at);
            }
            "clerk_signed_out" | "window_closed" => {
                let window = e["window"].as_u64().unwrap();
                if let Some(since) = sessions.remove(&window) {
                    *wire.signed_in_ms.entry(date.clone()).or_default() += at - since;
                }
                if let Some(since) = paused.remove(&window) {
                    wire.pauses.entry(date.clone()).or_default().1 += at - since;
                }
            }
            "window_paused" => {
                paused.insert(e["window"].as_u64().unwrap(), at);
                wire.pauses.entry(date.clone()).or_default().0 += 1;
            }
            "window_resumed" => {
                if let Some(since) = paused.remove(&e["window"].as_u64().unwrap()) {
                    wire.pauses.entry(date.clone()).or_default().1 += at - since;
                }
            }
            "appointment_booked" => *wire.booked.entry(local_date(e["start"].as_i64().unwrap())).or_default() += 1,
            _ => {}
        }
    }
    wire
}

fn nearest_rank(sorted: &[i64], q: f64) -> f64 {
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64 / 1000.0
}

/// The KPIs of the tickets of `from..=to`, by docs/reports.md.
fn recompute(wire: &Wire, from: &str, to: &str, targets: &BTreeMap<String, (i64, i64)>) -> Value {
    let tickets: Vec<&Ticket> =
        wire.tickets.iter().filter(|t| t.date.as_str() >= from && t.date.as_str() <= to).collect();
    let count = |f: &dyn Fn(&Ticket) -> bool| tickets.iter().filter(|t| f(t)).count() as u64;
    let mut waits: Vec<i64> = tickets.iter().filter_map(|t| t.first_call.map(|c| c - t.issued_at)).collect();
    waits.sort_unstable();
    let served: Vec<&&Ticket> = tickets.iter().filter(|t| t.end == "served").collect();
    let mut services: Vec<i64> = served.iter().map(|t| t.service_ms.unwrap()).collect();
    services.sort_unstable();
    let within_target =
        count(&|t| t.first_call.is_some_and(|c| c - t.issued_at <= targets[&t.matter].0)) as f64 / waits.len() as f64;
    let within_norm =
        served.iter().filter(|t| t.service_ms.unwrap() <= targets[t.served_matter.as_ref().unwrap()].1).count() as f64
            / served.len() as f64;
    let printed: Vec<(i64, (i64, i64))> =
        tickets.iter().filter_map(|t| Some((t.first_call? - t.issued_at, t.printed?))).collect();
    let rated = count(&|t| t.rating.is_some());
    let good = count(&|t| matches!(t.rating.as_deref(), Some("very_satisfied" | "satisfied")));
    let cases: Vec<_> = wire.cases.iter().filter(|c| c.0.as_str() >= from && c.0.as_str() <= to).collect();
    let mean = |v: &[i64]| v.iter().sum::<i64>() as f64 / v.len() as f64 / 1000.0;
    let range = from.to_owned()..=to.to_owned();
    let pauses = wire.pauses.range(range.clone()).fold((0, 0), |(n, ms), (_, (k, p))| (n + k, ms + p));
    let booked: u64 = wire.booked.range(range.clone()).map(|(_, n)| n).sum();
    let kept = count(&|t| t.class == "appointment");
    json!({
        "issued": tickets.len(),
        "served": served.len(),
        "no_shows": count(&|t| t.end == "no_show"),
        "cancelled": count(&|t| t.end == "cancelled"),
        "transferred": count(&|t| t.transferred),
        "closed_unserved": count(&|t| t.end == "closed"),
        "called": waits.len(),
        "wait_mean_s": mean(&waits),
        "wait_median_s": nearest_rank(&waits, 0.5),
        "wait_p90_s": nearest_rank(&waits, 0.9),
        "within_target": within_target,
        "handling_mean_s": mean(&services),
        "handling_p90_s": nearest_rank(&services, 0.9),
        "within_norm": within_norm,
        "signed_in_s": wire.signed_in_ms.range(from.to_owned()..=to.to_owned()).map(|(_, ms)| ms).sum::<i64>() as f64 / 1000.0,
        "serving_s": services.iter().sum::<i64>() as f64 / 1000.0,
        "pauses": pauses.0,
        "paused_s": pauses.1 as f64 / 1000.0,
        "appointment_tickets": kept,
        "appointments_booked": booked,
        "appointments_kept": kept as f64 / booked as f64,
        "green": count(&|t| t.class == "green"),
        "rated": rated,
        "good_rate": good as f64 / rated as f64,
        "bad": count(&|t| matches!(t.rating.as_deref(), Some("dissatisfied" | "very_dissatisfied"))),
        "cases_opened": cases.len(),
        "cases_resolved": cases.iter().filter(|c| c.2.is_some()).count(),
        "cases_on_time": cases.iter().filter(|c| c.2.is_some_and(|at| at <= c.1)).count(),
        "printed": printed.len(),
        // In the whole minutes the ticket showed: rounded to the nearest minute, halves up.
        "within_printed_p80": printed.iter().filter(|(w, (_, p80))| (w + 30_000) / 60_000 <= (p80 + 30_000) / 60_000).count() as f64
            / printed.len() as f64,
        "estimate_error_mean_s": printed.iter().map(|(w, (median, _))| w - median).sum::<i64>() as f64 / printed.len() as f64 / 1000.0,
    })
}

/// Counts equal, times (`_s`) within 1 s, shares within the report's rounding.
fn assert_matches(period: &str, report: &Value, mine: &Value) {
    for (name, expected) in mine.as_object().unwrap() {
        let got = &report[name];
        if name.ends_with("_s") {
            let (a, b) = (got.as_f64().unwrap(), expected.as_f64().unwrap());
            assert!((a - b).abs() <= 1.0, "{period}: {name} is {a} in the report, {b} recomputed");
        } else if expected.is_u64() {
            assert_eq!(got, expected, "{period}: {name}");
        } else {
            let (a, b) = (got.as_f64().unwrap(), expected.as_f64().unwrap());
            assert!((a - b).abs() <= 0.000_05, "{period}: {name} is {a} in the report, {b} recomputed");
        }
    }
}

fn report(data: &Path, config: &Path, period: &[&str]) -> Value {
    let mut args =
        vec!["report", "--data", data.to_str().unwrap(), "--config", config.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(period);
    let out = binary::run_with_input(&args, "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_match_a_recomputation_from_the_raw_event_stream() {
    let dir = std::env::temp_dir().join(format!("ow-reports-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (config, tokens) = binary::hall_config(&dir, &[]);
    let data = dir.join("data");
    let out = binary::run_with_input(
        &[
            "rehearse",
            "--data",
            data.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--from",
            "2025-12-29",
            "--days",
            &DAYS.to_string(),
            "--per-day",
            "200",
            "--seed",
            "7",
        ],
        "",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let hall = onewindow::config::parse(&std::fs::read_to_string(&config).unwrap()).unwrap();
    let targets: BTreeMap<String, (i64, i64)> =
        hall.matters.iter().map(|m| (m.key.clone(), (m.target_wait_ms, m.handling_norm_ms))).collect();

    // 2026-01-05 10:00 +08:00 (a Monday): after the rehearsal, so the server opens a day of its own and nothing else.
    let served =
        binary::serve(&data, &["--config", config.to_str().unwrap(), "--clock-from", "1767578400000"], None).unwrap();
    let token = &tokens.iter().find(|(n, _)| n == "supervisor").unwrap().1;
    let mut wall = Client::open(&served.url()).await;
    wall.send_json(&json!({"id": 0, "type": "hello", "protocol": 1, "token": token, "since": 0})).await;
    assert_eq!(wall.next_json().await["result"]["kind"], "welcome");
    let closed = std::sync::atomic::AtomicUsize::new(0);
    let events = wall
        .events_until(|m| {
            m["event"]["kind"] == "day_closed" && closed.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == DAYS
        })
        .await;
    let wire = fold(&events);
    assert!(wire.tickets.len() >= DAYS * 200, "every ticket came over the socket (with the appointments checked in)");
    // The rehearsal has every kind of fact a report counts.
    assert!(wire.cases.iter().any(|c| c.2.is_some()) && wire.tickets.iter().any(|t| t.end == "no_show"));
    assert!(!wire.pauses.is_empty() && !wire.booked.is_empty() && wire.tickets.iter().any(|t| t.transferred));

    let periods: [(&[&str], &str, &str); 5] = [
        (&["--day", "2025-12-30"], "2025-12-30", "2025-12-30"),
        (&["--month", "2025-12"], "2025-12-01", "2025-12-31"),
        (&["--quarter", "2025-Q4"], "2025-10-01", "2025-12-31"),
        (&["--year", "2026"], "2026-01-01", "2026-12-31"),
        (&["--from", "2025-12-29", "--to", "2026-01-03"], "2025-12-29", "2026-01-03"),
    ];
    let mut live = Vec::new();
    for (args, from, to) in periods {
        let got = report(&data, &config, args);
        assert_eq!((got["from"].as_str(), got["to"].as_str()), (Some(from), Some(to)), "{args:?}");
        assert_matches(&format!("{args:?}"), &got["total"], &recompute(&wire, from, to, &targets));
        live.push(got);
    }
    // Grouped rows add up to the total.
    let by_matter = report(&data, &config, &["--month", "2025-12", "--by", "matter"]);
    let rows = by_matter["rows"].as_array().unwrap();
    assert_eq!(rows.len(), hall.matters.len());
    assert_eq!(
        rows.iter().map(|r| r["issued"].as_u64().unwrap()).sum::<u64>(),
        by_matter["total"]["issued"].as_u64().unwrap()
    );

    // Stopped: the same numbers from the ledger itself, then again from the facts it kept.
    let mut served = served;
    assert!(served.terminate() && served.exited_within(std::time::Duration::from_secs(20)), "the server stops");
    for _ in 0..2 {
        for ((args, _, _), before) in periods.iter().zip(&live) {
            let after = report(&data, &config, args);
            assert_eq!(after["total"], before["total"], "{args:?} from the stopped server's ledger");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
