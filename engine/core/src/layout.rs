//! The hall's layout: the matters, windows and clerks that events name by index. It lives in the ledger
//! (`Event::LayoutChanged`), not only in the configuration file, so a hall can change for years without a
//! new ledger (decision 0009):
//!
//! ```text
//! ledger layout ──┐
//!                 ├─ plan() ─> Plan { layout, changes } ─ Command::ChangeLayout ─ decide (safe now?) ─> LayoutChanged
//! hall.toml ──────┘   keys keep their index; new keys are appended; keys no longer configured are retired
//! ```
//!
//! Indices never move and are never reused, so every old event still names what it named when it was
//! written; a retired entry stays in the layout (marked `retired`), found by no key, number or prefix.

use super::config::{ClerkSpec, HallConfig, MatterSpec, WindowSpec};
use super::event::Event;
use super::model::{MatterId, MatterSet, WindowId, MAX_MATTERS};
use super::rejection::Rejection;
use super::time::Timestamp;
use super::Hall;
use serde::{Deserialize, Serialize};

/// Matters, windows and clerks, indexed as the ledger names them (retired ones included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    /// Matters, by [`MatterId`].
    pub matters: Vec<MatterSpec>,
    /// Windows, by [`WindowId`].
    pub windows: Vec<WindowSpec>,
    /// Clerks, by [`crate::ClerkId`].
    pub clerks: Vec<ClerkSpec>,
}

/// A configuration laid over a ledger's layout: the layout to record, and what changes, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The layout after the change.
    pub layout: Layout,
    /// One line per change (empty: the configuration matches the ledger).
    pub changes: Vec<String>,
}

/// Lays `desired` (a configuration in its own order) over `current` (the ledger's layout): an entry
/// keeps the index of its key; a new key is appended; a key the configuration no longer has is
/// retired. Fails only when the layout would outgrow what the core can index.
pub fn plan(current: &Layout, desired: &HallConfig) -> Result<Plan, String> {
    let mut changes = Vec::new();
    // Matters first: windows' skills are translated through their new indices.
    let mut matters = current.matters.clone();
    let mut matter_index = Vec::with_capacity(desired.matters.len());
    for spec in &desired.matters {
        let spec = MatterSpec { retired: false, ..spec.clone() };
        let index = match matters.iter().position(|m| m.key == spec.key) {
            Some(i) => {
                describe_matter(&matters[i], &spec, &mut changes);
                matters[i] = spec;
                i
            }
            None => {
                changes.push(format!("matter `{}` ({}) added", spec.key, spec.name_zh));
                matters.push(spec);
                matters.len() - 1
            }
        };
        matter_index.push(MatterId(index as u16));
    }
    if matters.len() > MAX_MATTERS {
        return Err(format!(
            "the ledger would name {} matters (retired ones included); a hall has at most {MAX_MATTERS}: \
             reuse the key of a retired matter instead of a new one",
            matters.len()
        ));
    }
    retire_missing(
        &mut matters,
        &desired.matters,
        |m| &m.key,
        |m| &mut m.retired,
        |m| {
            changes.push(format!("matter `{}` ({}) retired", m.key, m.name_zh));
        },
    );
    let translate =
        |set: MatterSet| MatterSet::of(set.iter().filter_map(|m| matter_index.get(usize::from(m.0)).copied()));

    let mut windows = current.windows.clone();
    for spec in &desired.windows {
        let spec = WindowSpec {
            skills: translate(spec.skills),
            home: spec.home.and_then(|m| matter_index.get(usize::from(m.0)).copied()),
            retired: false,
            ..spec.clone()
        };
        match windows.iter().position(|w| w.key == spec.key) {
            Some(i) => {
                describe_window(&windows[i], &spec, &matters, &mut changes);
                windows[i] = spec;
            }
            None => {
                changes.push(format!("window {} (`{}`, {}) added", spec.number, spec.key, spec.name));
                windows.push(spec);
            }
        }
    }
    retire_missing(
        &mut windows,
        &desired.windows,
        |w| &w.key,
        |w| &mut w.retired,
        |w| {
            changes.push(format!("window {} (`{}`, {}) retired", w.number, w.key, w.name));
        },
    );

    let mut clerks = current.clerks.clone();
    for spec in &desired.clerks {
        let spec = ClerkSpec { retired: false, ..spec.clone() };
        match clerks.iter().position(|c| c.key == spec.key) {
            Some(i) => {
                if clerks[i].retired {
                    changes.push(format!("clerk `{}` ({}) added back", spec.key, spec.name));
                } else if clerks[i].name != spec.name {
                    changes.push(format!("clerk `{}` renamed {} → {}", spec.key, clerks[i].name, spec.name));
                }
                clerks[i] = spec;
            }
            None => {
                changes.push(format!("clerk `{}` ({}) added", spec.key, spec.name));
                clerks.push(spec);
            }
        }
    }
    retire_missing(
        &mut clerks,
        &desired.clerks,
        |c| &c.key,
        |c| &mut c.retired,
        |c| {
            changes.push(format!("clerk `{}` ({}) removed", c.key, c.name));
        },
    );
    Ok(Plan { layout: Layout { matters, windows, clerks }, changes })
}

/// Marks retired every entry in service whose key `wanted` no longer has, calling `said` for each.
fn retire_missing<T>(
    have: &mut [T],
    wanted: &[T],
    key: impl Fn(&T) -> &String,
    retired: impl Fn(&mut T) -> &mut bool,
    mut said: impl FnMut(&T),
) {
    for entry in have.iter_mut() {
        if !*retired(entry) && !wanted.iter().any(|w| key(w) == key(entry)) {
            *retired(entry) = true;
            said(entry);
        }
    }
}

fn describe_matter(old: &MatterSpec, new: &MatterSpec, changes: &mut Vec<String>) {
    let key = &new.key;
    if old.retired {
        changes.push(format!("matter `{key}` ({}) back in service", new.name_zh));
        return;
    }
    if (&old.name_zh, &old.name_en) != (&new.name_zh, &new.name_en) {
        changes.push(format!(
            "matter `{key}` renamed {} / {} → {} / {}",
            old.name_zh, old.name_en, new.name_zh, new.name_en
        ));
    }
    if old.prefix != new.prefix {
        changes.push(format!("matter `{key}` prefix {} → {}", old.prefix, new.prefix));
    }
    if (old.target_wait_ms, old.handling_norm_ms, old.daily_cap)
        != (new.target_wait_ms, new.handling_norm_ms, new.daily_cap)
    {
        changes.push(format!("matter `{key}` target, handling norm or daily cap changed"));
    }
}

fn describe_window(old: &WindowSpec, new: &WindowSpec, matters: &[MatterSpec], changes: &mut Vec<String>) {
    let key = &new.key;
    if old.retired {
        changes.push(format!("window {} (`{key}`) back in service", new.number));
        return;
    }
    if old.name != new.name || old.zone != new.zone {
        changes.push(format!(
            "window {} (`{key}`) renamed {} {} → {} {}",
            new.number, old.zone, old.name, new.zone, new.name
        ));
    }
    if old.number != new.number {
        changes.push(format!("window `{key}` renumbered {} → {}", old.number, new.number));
    }
    if old.kind != new.kind {
        changes.push(format!("window {} (`{key}`) kind {:?} → {:?}", new.number, old.kind, new.kind));
    }
    if old.skills != new.skills || old.home != new.home {
        let serves: Vec<&str> =
            new.skills.iter().filter_map(|m| matters.get(usize::from(m.0))).map(|m| m.key.as_str()).collect();
        changes.push(format!("window {} (`{key}`) serves {} from the next day", new.number, serves.join(", ")));
    }
}

impl Hall {
    /// Records `layout` as the hall's, if that is safe now: nothing retired may still be in use, and what
    /// people already read (a window's number, a matter's prefix) does not change under them.
    pub(crate) fn decide_change_layout(&self, layout: &Layout, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let current = &self.config;
        let not_now = |what: String| Err(Rejection::LayoutNotNow(what));
        let keeps = |old: usize, new: usize, same: &dyn Fn(usize) -> bool| new >= old && (0..old).all(same);
        if !keeps(current.matters.len(), layout.matters.len(), &|i| current.matters[i].key == layout.matters[i].key)
            || !keeps(current.windows.len(), layout.windows.len(), &|i| current.windows[i].key == layout.windows[i].key)
            || !keeps(current.clerks.len(), layout.clerks.len(), &|i| current.clerks[i].key == layout.clerks[i].key)
            || layout.matters.len() > MAX_MATTERS
        {
            return not_now("the layout does not extend the ledger's (keys keep their index)".into());
        }
        let day_running = self.day.is_some_and(|d| !d.closed);
        for (i, (old, new)) in current.matters.iter().zip(&layout.matters).enumerate() {
            let id = MatterId(i as u16);
            let open = self.tickets.values().filter(|t| t.matter == id && !t.state.is_ended()).count();
            if new.retired && !old.retired && open > 0 {
                return not_now(format!(
                    "matter `{}` still has {open} open ticket(s) today: retire it once they are served or \
                     transferred, or after the day closes",
                    old.key
                ));
            }
            let issued = self.matters.get(i).map_or(0, |m| m.issued_today);
            if old.prefix != new.prefix && day_running && issued > 0 {
                return not_now(format!(
                    "matter `{}` has issued {issued} ticket(s) today with prefix {}: change its prefix after the day \
                     closes",
                    old.key, old.prefix
                ));
            }
        }
        for (i, (old, new)) in current.windows.iter().zip(&layout.windows).enumerate() {
            let Some(state) = self.windows.get(i) else { continue };
            let busy = state.clerk.is_some() || state.current.is_some() || !state.targeted.is_empty();
            if busy && ((new.retired && !old.retired) || old.number != new.number) {
                return not_now(format!(
                    "window {} (`{}`) is in use (a clerk signed in, a ticket at it or sent to it): sign it out and \
                     let its tickets be served first, or change it after the day closes",
                    old.number, old.key
                ));
            }
        }
        for (i, (old, new)) in current.clerks.iter().zip(&layout.clerks).enumerate() {
            let signed_in = self.windows.iter().any(|w| w.clerk.is_some_and(|c| usize::from(c.0) == i));
            if new.retired && !old.retired && signed_in {
                return not_now(format!("clerk `{}` is signed in: sign them out first", old.key));
            }
        }
        // Numbers and prefixes in service stay unique (the configuration checked its own; a window or
        // matter kept by the ledger but retired does not count).
        let mut numbers: Vec<u16> = layout.windows.iter().filter(|w| !w.retired).map(|w| w.number).collect();
        numbers.sort_unstable();
        let mut prefixes: Vec<char> = layout.matters.iter().filter(|m| !m.retired).map(|m| m.prefix).collect();
        prefixes.sort_unstable();
        if numbers.windows(2).any(|p| p[0] == p[1]) || prefixes.windows(2).any(|p| p[0] == p[1]) {
            return not_now("two windows in service would share a number, or two matters a prefix".into());
        }
        Ok(vec![Event::LayoutChanged { layout: layout.clone(), at: now }])
    }

    /// Folds a recorded layout: new entries get their day state, retired ones leave service.
    pub(crate) fn apply_layout(&mut self, layout: &Layout) {
        // A replay starts from the configuration's layout, and the ledger's first layout replaces it:
        // state kept under another key at the same index is that key's, not this one's.
        let same = |old: Option<&String>, new: &String| old == Some(new);
        let matters_kept = (0..self.matters.len().min(layout.matters.len()))
            .take_while(|i| same(self.config.matters.get(*i).map(|m| &m.key), &layout.matters[*i].key))
            .count();
        let windows_kept = (0..self.windows.len().min(layout.windows.len()))
            .take_while(|i| same(self.config.windows.get(*i).map(|w| &w.key), &layout.windows[*i].key))
            .count();
        self.matters.truncate(matters_kept);
        self.windows.truncate(windows_kept);
        self.config.matters.clone_from(&layout.matters);
        self.config.windows.clone_from(&layout.windows);
        self.config.clerks.clone_from(&layout.clerks);
        for spec in &layout.matters[self.matters.len()..] {
            self.matters.push(super::new_matter_state(spec));
        }
        for spec in &layout.windows[self.windows.len()..] {
            self.windows.push(super::initial_window(spec));
        }
        let retired = MatterSet::of(
            layout.matters.iter().enumerate().filter(|(_, m)| m.retired).map(|(i, _)| MatterId(i as u16)),
        );
        for (i, (spec, state)) in layout.windows.iter().zip(&mut self.windows).enumerate() {
            state.skills = MatterSet(state.skills.0 & !retired.0);
            if spec.retired {
                state.open = false;
                state.skills = MatterSet::default();
                self.staffing_requests.remove(&WindowId(i as u16));
            }
        }
        self.cut_off = MatterSet(self.cut_off.0 & !retired.0);
        self.recount_active();
    }
}
