//! Layout changes keep the ledger (decision 0009): keys keep their index, new ones are appended,
//! missing ones retire; events written before a change still replay to the same hall, and a change
//! that is unsafe now is refused with what to do.

mod support;

use onewindow::core::layout;
use onewindow::core::{Command, Event, Hall, HallConfig, Rejection};
use support::{at, small_config, DATE};

/// The small hall with a new matter `permits` (prefix D) first in the file, window 2 renamed, window 4
/// gone, and a clerk c5.
fn changed_config() -> HallConfig {
    let text = include_str!("halls/small.toml");
    let mut text = text.replacen(
        "[[matter]]",
        "[[matter]]\nkey = \"permits\"\nname_zh = \"许可审批\"\nname_en = \"Permits\"\nprefix = \"D\"\ntarget_wait_min = 30\nhandling_norm_min = 10\n\n[[matter]]",
        1,
    );
    let w4 = text.find("[[window]]\nkey = \"w4\"").expect("window 4");
    let end = text[w4..].find("[[clerk]]").expect("clerks follow") + w4;
    text.replace_range(w4..end, "");
    let text = text.replacen("key = \"w2\"\nnumber = 2\nname = \"", "key = \"w2\"\nnumber = 2\nname = \"新名 ", 1);
    let pin = "0".repeat(64);
    let text = format!("{text}\n[[clerk]]\nkey = \"c5\"\nname = \"新人\"\npin_hash = \"sha256:{pin}\"\n");
    onewindow::config::parse(&text).expect("the changed hall is valid")
}

fn run(hall: &mut Hall, command: Command, hh: u32, mm: u32) -> Result<Vec<Event>, Rejection> {
    hall.execute(&command, at(hh, mm))
}

#[test]
fn a_changed_configuration_keeps_every_index_and_retires_what_is_gone() {
    let before = small_config();
    let plan = layout::plan(&before.layout(), &changed_config()).expect("plan");
    let keys = |l: &onewindow::core::Layout| l.matters.iter().map(|m| m.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&plan.layout), ["estate", "tax", "pickup", "permits"], "the new matter is appended");
    assert!(plan.layout.windows[3].retired, "window 4 retired, not removed");
    assert_eq!(plan.layout.windows[1].key, "w2");
    assert!(plan.layout.windows[1].name.starts_with("新名"), "{}", plan.layout.windows[1].name);
    assert_eq!(plan.layout.clerks.last().map(|c| c.key.as_str()), Some("c5"));
    // Window 1's skills were written against the file's order (permits first): they name the same matters.
    let serves: Vec<&str> =
        plan.layout.windows[0].skills.iter().map(|m| plan.layout.matters[usize::from(m.0)].key.as_str()).collect();
    assert_eq!(serves, ["estate", "tax"]);
    for expected in ["matter `permits` (许可审批) added", "window 4 (`w4`", "clerk `c5` (新人) added", "renamed"]
    {
        assert!(plan.changes.iter().any(|c| c.contains(expected)), "no `{expected}` in {:?}", plan.changes);
    }
    assert!(layout::plan(&plan.layout, &changed_config()).expect("again").changes.is_empty(), "a plan is stable");
}

#[test]
fn old_events_replay_under_a_new_layout_and_the_retired_are_not_found() {
    let mut hall = Hall::new(small_config());
    let mut log = Vec::new();
    let mut step = |hall: &mut Hall, command: Command, hh, mm| {
        let events = run(hall, command, hh, mm).unwrap_or_else(|r| panic!("refused: {r:?}"));
        log.extend(events);
    };
    step(&mut hall, Command::ChangeLayout { layout: small_config().layout() }, 7, 59);
    step(&mut hall, Command::OpenDay { date: DATE }, 8, 0);
    let tax = hall.config().matter_by_key("tax").expect("tax");
    step(&mut hall, Command::IssueTicket { matter: tax, green: None, holder: None, source: None }, 8, 40);
    let plan = layout::plan(&hall.config().layout(), &changed_config()).expect("plan");
    step(&mut hall, Command::ChangeLayout { layout: plan.layout.clone() }, 9, 0);
    let permits = hall.config().matter_by_key("permits").expect("the new matter is found");
    step(&mut hall, Command::IssueTicket { matter: permits, green: None, holder: None, source: None }, 9, 1);
    assert_eq!(hall.config().window_by_number(4), None, "a retired window is not found by its number");
    assert_eq!(hall.window_status(onewindow::core::WindowId(3)), Some(onewindow::core::WindowStatus::Closed));
    assert_eq!(hall.tickets().filter(|t| t.matter == tax).count(), 1, "the old ticket keeps its matter");

    // The ledger alone rebuilds the hall, whatever the configuration file says now.
    let replayed = Hall::replay(changed_config(), &log);
    assert_eq!(replayed, hall);
    let restored = Hall::restore(small_config(), hall.snapshot()).expect("the snapshot carries its layout");
    assert_eq!(restored, hall);
}

#[test]
fn an_unsafe_change_is_refused_with_what_to_do_and_goes_in_once_safe() {
    let mut hall = Hall::new(small_config());
    run(&mut hall, Command::OpenDay { date: DATE }, 8, 0).expect("open");
    let w1 = hall.config().window_by_number(1).expect("w1");
    let c1 = hall.config().clerk_by_key("c1").expect("c1");
    run(&mut hall, Command::SignIn { window: w1, clerk: c1 }, 8, 30).expect("sign in");
    let mut layout = hall.config().layout();
    layout.windows[0].retired = true;
    let change = Command::ChangeLayout { layout: layout.clone() };
    match run(&mut hall, change.clone(), 9, 0) {
        Err(Rejection::LayoutNotNow(why)) => assert!(why.contains("window 1") && why.contains("sign it out"), "{why}"),
        other => panic!("retiring a signed-in window: {other:?}"),
    }
    let mut retire_clerk = hall.config().layout();
    retire_clerk.clerks[0].retired = true;
    assert!(matches!(
        run(&mut hall, Command::ChangeLayout { layout: retire_clerk }, 9, 0),
        Err(Rejection::LayoutNotNow(_))
    ));
    run(&mut hall, Command::SignOut { window: w1 }, 9, 1).expect("sign out");
    run(&mut hall, change, 9, 2).expect("safe once signed out");
    assert_eq!(
        run(&mut hall, Command::SignIn { window: w1, clerk: c1 }, 9, 3),
        Err(Rejection::UnknownWindow),
        "no one signs in to a retired window"
    );
}

#[test]
fn a_locked_clerk_signs_in_after_the_lock_ends() {
    let mut hall = Hall::new(small_config());
    run(&mut hall, Command::OpenDay { date: DATE }, 8, 0).expect("open");
    let (w1, c1) = (hall.config().window_by_number(1).expect("w1"), hall.config().clerk_by_key("c1").expect("c1"));
    run(&mut hall, Command::LockClerk { clerk: c1, failures: 5, until: at(8, 45) }, 8, 30).expect("lock");
    assert_eq!(hall.locked_clerks(at(8, 31)).count(), 1);
    assert_eq!(
        run(&mut hall, Command::SignIn { window: w1, clerk: c1 }, 8, 44),
        Err(Rejection::ClerkLocked { until: at(8, 45) })
    );
    run(&mut hall, Command::SignIn { window: w1, clerk: c1 }, 8, 45).expect("the lock ended");
    assert_eq!(hall.locked_clerks(at(8, 45)).count(), 0);
}
