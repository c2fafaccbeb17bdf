//! `onewindow-sim plan`: a week of rehearsed days turned into a profile per weekday and half hour, and
//! a window plan checked on simulated days.

// Tests fail loudly on what they did not expect.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use onewindow::core::report::kpi::weekday;
use onewindow::core::{Date, HallConfig, WindowKind};
use onewindow::rehearse::{self, Plan as Rehearsal};
use onewindow::store::{events, MemoryStore, Store};
use simulator::plan::{self, Request};

/// A hall of one matter and one window, to read a forecast line back.
const MINIMAL: &str = r#"
[hall]
name = "小厅"

[[matter]]
key = "tax"
name_zh = "涉税服务"
name_en = "Tax"
prefix = "A"
target_wait_min = 20
handling_norm_min = 10

[[window]]
key = "w1"
number = 1
name = "窗口 1"
serves = ["tax"]
"#;

const FROM: Date = Date { year: 2026, month: 9, day: 28 };

fn hall() -> HallConfig {
    onewindow::config::parse(onewindow::config::DEMO_HALL_TOML).unwrap()
}

fn week(store: &dyn Store, config: &HallConfig) {
    rehearse::run(store, config, &Rehearsal { from: FROM, days: 7, per_day: 150, seed: 11 }).unwrap();
}

fn request(share: f64) -> Request {
    Request { weeks: 1, to: None, days: 4, share, walk_min: 5.0, seed: 1, target_min: Some(20.0) }
}

#[test]
fn the_profile_counts_every_ticket_of_the_weeks_by_weekday_half_hour_and_matter() {
    let config = hall();
    let store = MemoryStore::new();
    week(&store, &config);
    let days = plan::closed_days(events(&store), &config, None, 7).unwrap();
    assert_eq!(days.len(), 7, "a week of closed days");
    let planned = plan::plan(&config, &days, &request(0.8)).unwrap();
    assert_eq!(planned.weekdays.len(), 7);
    for w in &planned.weekdays {
        let day = days.iter().find(|d| weekday(d.date) == w.weekday).unwrap();
        // One day of history per weekday: the profile's arrivals are that day's tickets, per matter.
        for m in &w.matters {
            let counted: f64 = m.arrivals.iter().sum();
            let tickets = day.tickets.iter().filter(|t| t.matter == m.matter).count();
            assert!((counted - tickets as f64).abs() < 1e-9, "{} on weekday {}", m.matter, w.weekday);
        }
        let regular = config.windows.iter().filter(|s| s.kind != WindowKind::Standby && !s.retired).count() as u32;
        let all = config.windows.iter().filter(|s| !s.retired).count() as u32;
        assert!(w.windows.iter().all(|n| (regular..=all).contains(n)), "{:?}", w.windows);
        assert!(w.window_hours > 0.0 && (0.0..=1.0).contains(&w.worst_share));
        // A half hour out of reach is one with every window open.
        for slot in &w.out_of_reach {
            let first = w.first_slot.split(':').map(|p| p.parse::<u32>().unwrap()).fold(0, |a, p| a * 60 + p);
            let (h, m) = slot.split_once(':').unwrap();
            let i = ((h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap() - first) / 30) as usize;
            assert_eq!(w.windows[i], all, "{slot}");
        }
    }
    let table = plan::table(&planned);
    assert!(table.contains("Monday") && table.contains("windows"), "{table}");
    // Each weekday's line for `[staffing] forecast` reads back as a hall's forecast.
    for line in table.lines().filter(|l| l.starts_with("forecast = ")) {
        let text = format!("{MINIMAL}\n[staffing]\nmode = \"automatic\"\n{line}\n");
        let hall = onewindow::config::parse(&text).unwrap_or_else(|e| panic!("{e}: {line}"));
        let rates = &hall.rules.forecast.rates;
        assert!(rates.len() >= 2 && rates.iter().any(|(_, r)| *r > 0.0), "{line}");
        // It ends with nobody expected after the last half hour of history.
        assert_eq!(rates.last().map(|(_, r)| *r), Some(0.0), "{line}");
    }
}

#[test]
fn a_stricter_goal_never_plans_fewer_windows() {
    let config = hall();
    let store = MemoryStore::new();
    week(&store, &config);
    let days = plan::closed_days(events(&store), &config, None, 7).unwrap();
    let lax = plan::plan(&config, &days, &request(0.5)).unwrap();
    let strict = plan::plan(&config, &days, &request(0.99)).unwrap();
    for (a, b) in lax.weekdays.iter().zip(&strict.weekdays) {
        assert!(a.windows.iter().zip(&b.windows).all(|(x, y)| x <= y), "{:?} vs {:?}", a.windows, b.windows);
    }
    let (a, b): (f64, f64) =
        (lax.weekdays.iter().map(|w| w.window_hours).sum(), strict.weekdays.iter().map(|w| w.window_hours).sum());
    assert!(b >= a, "{a} vs {b}");
}

#[test]
fn history_is_the_weeks_up_to_the_day_asked_and_none_is_a_clear_error() {
    let config = hall();
    let store = MemoryStore::new();
    week(&store, &config);
    let to = Date { year: 2026, month: 10, day: 1 };
    let days = plan::closed_days(events(&store), &config, Some(to), 7).unwrap();
    assert_eq!(days.iter().map(|d| d.date).collect::<Vec<_>>().last(), Some(&to));
    assert_eq!(days.len(), 4, "28 September to 1 October");
    let before = Date { year: 2026, month: 9, day: 1 };
    let err = plan::closed_days(events(&store), &config, Some(before), 7).unwrap_err();
    assert!(err.contains("2026-09-01"), "{err}");
    let empty = MemoryStore::new();
    assert!(plan::closed_days(events(&empty), &config, None, 7).is_err());
}
