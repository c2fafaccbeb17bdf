//! The operator's commands: act on the running server through its control socket
//! (`server::control`), or on a stopped server's files when none runs.

use onewindow::config;
use onewindow::core::{Command, Hall, HallConfig, Rejection};
use onewindow::server::control::{self, ControlReply, ControlRequest};
use onewindow::server::writer;
use onewindow::store::{faults::Faults, RedbStore, Store};
use std::path::Path;
use std::process::ExitCode;

fn print_reply(reply: &ControlReply) -> ExitCode {
    for line in &reply.lines {
        println!("{line}");
    }
    if let Some(why) = &reply.scheduled {
        println!("SCHEDULED: {why}");
    }
    match &reply.error {
        Some(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        None => ExitCode::SUCCESS,
    }
}

fn no_server(data: &Path) -> String {
    format!("no server runs with the data directory {} (no control socket there)", data.display())
}

/// `onewindow reload`.
pub fn reload(data: &Path) -> ExitCode {
    match control::ask(data, &ControlRequest::Reload) {
        Some(Ok(reply)) => print_reply(&reply),
        Some(Err(e)) => fail(&e),
        None => fail(&format!("{}; the configuration applies when it starts", no_server(data))),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

/// The hall configuration at `path`, or the demo hall's.
fn load(path: Option<&Path>) -> Result<(HallConfig, config::ServerSettings), String> {
    let text = match path {
        Some(p) => std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        None => config::DEMO_HALL_TOML.to_owned(),
    };
    config::parse_full(&text).map_err(|e| e.to_string())
}

/// A stopped server's ledger.
fn open_ledger(ledger: &Path) -> Result<RedbStore, String> {
    RedbStore::open(ledger, None, Faults::none()).map(|(store, _)| store).map_err(|e| e.to_string())
}

/// `onewindow backup`: through the running server, or a copy of a stopped one's ledger.
pub fn backup(data: &Path, to: &Path) -> ExitCode {
    let to = std::path::absolute(to).unwrap_or_else(|_| to.to_owned());
    match control::ask(data, &ControlRequest::Backup { to: to.clone() }) {
        Some(Ok(reply)) => print_reply(&reply),
        Some(Err(e)) => fail(&e),
        None => {
            match open_ledger(&data.join("ledger.redb")).and_then(|s| s.backup_to(&to).map_err(|e| e.to_string())) {
                Ok(last) => {
                    println!("{}: events 1 to {last} (the server was stopped)", to.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
    }
}

/// `onewindow audit`.
pub fn audit(data: &Path, day: &str, config: Option<&Path>) -> ExitCode {
    match control::ask(data, &ControlRequest::Audit { day: day.to_owned() }) {
        Some(Ok(reply)) => print_reply(&reply),
        Some(Err(e)) => fail(&e),
        None => {
            let offset = match load(config) {
                Ok((hall, _)) => hall.utc_offset_min,
                Err(e) => return fail(&e),
            };
            match open_ledger(&data.join("ledger.redb")).and_then(|s| onewindow::audit::lines(&s, day, offset)) {
                Ok(lines) => print_reply(&ControlReply { ok: true, lines, ..ControlReply::default() }),
                Err(e) => fail(&e),
            }
        }
    }
}

/// `onewindow report`: through the running server, or from a stopped one's ledger.
pub fn report(data: &Path, config: Option<&Path>, query: onewindow::report::Query, format: &str) -> ExitCode {
    let report = match control::ask(data, &ControlRequest::Report { query: query.clone() }) {
        Some(Ok(ControlReply { report: Some(report), .. })) => report,
        Some(Ok(reply)) => return print_reply(&reply),
        Some(Err(e)) => return fail(&e),
        None => {
            let hall = match load(config) {
                Ok((hall, _)) => hall,
                Err(e) => return fail(&e),
            };
            let now = onewindow::core::Timestamp(
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64),
            );
            match open_ledger(&data.join("ledger.redb"))
                .and_then(|store| onewindow::report::run(&store, &hall, &query, now))
            {
                Ok(report) => report,
                Err(e) => return fail(&e),
            }
        }
    };
    match onewindow::report::render(&report, format) {
        Ok(text) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// `onewindow rehearse`: a rehearsal ledger in a data directory that holds no hall yet.
pub fn rehearse(data: &Path, config: Option<&Path>, from: &str, days: u32, per_day: u32, seed: u64) -> ExitCode {
    let (hall, _) = match load(config) {
        Ok(loaded) => loaded,
        Err(e) => return fail(&e),
    };
    let Ok(from) = from.parse() else { return fail(&format!("`{from}` is not a date (YYYY-MM-DD)")) };
    if data.join("ledger.redb").exists() {
        return fail(&format!("{} already holds a hall; rehearse into a new directory", data.display()));
    }
    if let Err(e) = onewindow::launch::prepare_data_dir(data) {
        return fail(&e.to_string());
    }
    let store = match onewindow::launch::open_ledger(data, false) {
        Ok((store, _)) => store,
        Err(e) => return fail(&e.to_string()),
    };
    let started = std::time::Instant::now();
    let plan = onewindow::rehearse::Plan { from, days, per_day, seed };
    match onewindow::rehearse::run(&store, &hall, &plan).and_then(|n| {
        store.set_meta("layout", onewindow::server::LAYOUT_IN_LEDGER)?;
        Ok(n)
    }) {
        Ok(events) => {
            println!("{}: {days} days, {events} events in {:.1} s", data.display(), started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

/// `onewindow check-config --data`: what the configuration would change in that hall.
pub fn check_against(data: &Path, config: Option<&Path>) -> ExitCode {
    let text = match config {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => return fail(&format!("cannot read {}: {e}", p.display())),
        },
        None => config::DEMO_HALL_TOML.to_owned(),
    };
    println!("\nagainst the hall in {}:", data.display());
    let asked = ControlRequest::Plan { config: config.map(|_| text.clone()) };
    if let Some(answer) = control::ask(data, &asked) {
        return match answer {
            Ok(reply) => print_reply(&reply),
            Err(e) => fail(&e),
        };
    }
    let (desired, _) = match config::parse_full(&text) {
        Ok(loaded) => loaded,
        Err(e) => return fail(&e.to_string()),
    };
    let store = match open_ledger(&data.join("ledger.redb")) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let (hall, _) = match writer::load(&desired, &store) {
        Ok(loaded) => loaded,
        Err(e) => return fail(&e.to_string()),
    };
    let plan = match onewindow::core::layout::plan(&hall.config().layout(), &desired) {
        Ok(plan) => plan,
        Err(e) => return fail(&e),
    };
    if plan.changes.is_empty() {
        println!("nothing would change");
    }
    for change in &plan.changes {
        println!("{change}");
    }
    let now = writer::system_clock()();
    if let Err(Rejection::LayoutNotNow(why)) = hall.decide(&Command::ChangeLayout { layout: plan.layout }, now) {
        println!("NOT NOW: {why}. At the next start it is scheduled and applied once safe.");
    }
    ExitCode::SUCCESS
}

/// The rest of `onewindow verify`: seq continuity, the recorded layout, and snapshot = replay.
pub fn replay_check(ledger: &Path, config: Option<&Path>) -> ExitCode {
    let (hall_config, _) = match load(config) {
        Ok(loaded) => loaded,
        Err(e) => return fail(&e),
    };
    let store = match open_ledger(ledger) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let (loaded, last) = match writer::load(&hall_config, &store) {
        Ok(loaded) => loaded,
        Err(e) => return fail(&format!("PROBLEM: {e}")),
    };
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        match store.read_after(after, 4096) {
            Ok(records) if records.is_empty() => break,
            Ok(records) => {
                for r in records {
                    if r.seq != after + 1 {
                        return fail(&format!("PROBLEM: event {} follows {after}", r.seq));
                    }
                    after = r.seq;
                    events.push(r.event);
                }
            }
            Err(e) => return fail(&format!("PROBLEM: {e}")),
        }
    }
    println!("every event follows the one before it, up to {last}");
    match (store.meta("layout").ok().flatten().as_deref(), events.first()) {
        (Some(onewindow::server::LAYOUT_IN_LEDGER), Some(onewindow::core::Event::LayoutChanged { .. })) => {
            println!("the layout is recorded in the ledger (first event)");
        }
        (Some(onewindow::server::LAYOUT_IN_LEDGER), _) => {
            // Recorded at a later start of a ledger from before layouts were events.
            println!("the layout is recorded in the ledger");
        }
        (other, _) => println!("the layout is not recorded as events yet ({})", other.unwrap_or("none")),
    }
    let replayed = Hall::replay(hall_config, &events);
    if replayed != loaded {
        return fail("PROBLEM: the hall rebuilt from the snapshot differs from a replay of every event");
    }
    println!("the snapshot equals a replay of every event: OK");
    ExitCode::SUCCESS
}

/// `onewindow token list`.
pub fn token_list(path: &Path) -> ExitCode {
    match load(Some(path)) {
        Ok((_, settings)) => {
            println!("{:<24} {:<11} windows", "name", "role");
            for d in &settings.devices {
                let windows: Vec<String> = d.windows.iter().map(u16::to_string).collect();
                println!("{:<24} {:<11} {}", d.name, d.role.name(), windows.join(","));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// The line range of the `[[table]]` block whose `field` is `value`.
fn block(text: &str, table: &str, field: &str, value: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let header = |l: &str| l.trim_start().starts_with('[');
    let mut start = 0;
    while start < lines.len() {
        if lines[start].trim() == format!("[[{table}]]") {
            let end = (start + 1..lines.len()).find(|i| header(lines[*i])).unwrap_or(lines.len());
            let named = lines[start..end].iter().any(|l| {
                l.split_once('=').is_some_and(|(k, v)| k.trim() == field && v.trim().trim_matches('"') == value)
            });
            if named {
                return Some((start, end));
            }
            start = end;
        } else {
            start += 1;
        }
    }
    None
}

/// The config text without that block.
fn without_block(text: &str, table: &str, field: &str, value: &str) -> Option<String> {
    let (start, end) = block(text, table, field, value)?;
    let lines: Vec<&str> = text.lines().collect();
    let kept: Vec<&str> = lines[..start].iter().chain(&lines[end..]).copied().collect();
    Some(kept.join("\n") + "\n")
}

/// Checks `updated` as a hall config, writes it whole (a new file renamed over the old), says `done`,
/// then reloads the running server (or says when it applies).
fn write_and_reload(path: &Path, updated: &str, done: &str, data: &Path) -> ExitCode {
    if let Err(e) = config::parse_full(updated) {
        return fail(&format!("the change would make {} invalid: {e}", path.display()));
    }
    let partial = path.with_extension("toml.partial");
    if let Err(e) = std::fs::write(&partial, updated).and_then(|()| std::fs::rename(&partial, path)) {
        return fail(&format!("cannot write {}: {e}", path.display()));
    }
    println!("{done} ({})", path.display());
    match control::ask(data, &ControlRequest::Reload) {
        Some(Ok(reply)) => print_reply(&reply),
        Some(Err(e)) => fail(&e),
        None => {
            println!("{}; it applies when the server starts", no_server(data));
            ExitCode::SUCCESS
        }
    }
}

fn read(path: &Path) -> Result<String, ExitCode> {
    std::fs::read_to_string(path).map_err(|e| fail(&format!("cannot read {}: {e}", path.display())))
}

/// The config at `path` with `block` appended, checked, written and reloaded (`token add`).
pub fn add_block(path: &Path, block: &str, done: &str, data: &Path) -> ExitCode {
    match read(path) {
        Ok(text) => write_and_reload(path, &format!("{}\n{block}", text.trim_end()), done, data),
        Err(code) => code,
    }
}

/// `onewindow token revoke`: the config without the device, then the running server reloaded, which
/// closes the device's open sessions.
pub fn token_revoke(path: &Path, name: &str, data: &Path) -> ExitCode {
    let text = match read(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    match without_block(&text, "device", "name", name) {
        Some(updated) => write_and_reload(path, &updated, &format!("device `{name}` removed"), data),
        None => fail(&format!("{} has no [[device]] named `{name}` (see `onewindow token list`)", path.display())),
    }
}

/// What `onewindow clerk` does.
pub enum ClerkChange {
    /// A new clerk with this name (the PIN is read).
    Add(String),
    /// Remove the clerk.
    Remove,
    /// A new PIN (read).
    ResetPin,
}

/// `onewindow clerk add | remove | reset-pin`: the config changed, checked, written, then reloaded.
pub fn clerk(path: &Path, key: &str, change: ClerkChange, pin: Option<&str>, data: &Path) -> ExitCode {
    let text = match read(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let found = block(&text, "clerk", "key", key);
    let hash = pin.map(onewindow::pin::hash_pin).unwrap_or_default();
    let (updated, done) = match (change, found) {
        (ClerkChange::Add(_), Some(_)) => return fail(&format!("clerk `{key}` is already in {}", path.display())),
        (ClerkChange::Add(name), None) => {
            let block = format!("\n[[clerk]]\nkey = \"{key}\"\nname = \"{name}\"\npin_hash = \"{hash}\"\n");
            return add_block(path, &block, &format!("clerk `{key}` ({name}) added"), data);
        }
        (_, None) => return fail(&format!("{} has no clerk `{key}`", path.display())),
        (ClerkChange::Remove, Some(_)) => match without_block(&text, "clerk", "key", key) {
            Some(updated) => (updated, format!("clerk `{key}` removed")),
            None => return fail("cannot remove the clerk"),
        },
        (ClerkChange::ResetPin, Some((start, end))) => {
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let Some(line) = lines[start..end].iter_mut().find(|l| l.trim_start().starts_with("pin_hash")) else {
                return fail(&format!("clerk `{key}` has no pin_hash line"));
            };
            *line = format!("pin_hash = \"{hash}\"");
            (lines.join("\n") + "\n", format!("clerk `{key}`: new PIN"))
        }
    };
    write_and_reload(path, &updated, &done, data)
}
