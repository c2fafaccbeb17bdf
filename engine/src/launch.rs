//! What `onewindow serve` sets up before the server runs: the data directory, the ledger (checked to
//! be this hall's), the ID-hash key (outside the data directory), and for the demo hall a set of device
//! tokens a newcomer can use at once.
//!
//! ```text
//! <data>/ledger.redb          every event (redb, checksummed), snapshots, the hall layout it was written under
//! <data>/hall-id              the hall's identity: a data directory that has held a hall never silently
//!                             starts a new one (a missing, empty or foreign ledger is refused)
//! <data>/demo-tokens.txt      demo hall only: one device per line, `name role windows token`
//! <data>-secrets/id-key       the HMAC key for ID numbers (default place; never inside <data>)
//! ```

use crate::auth::{self, IdKeys};
use crate::config::{self, Device, ServerSettings};
use crate::core::HallConfig;
use crate::store::{faults::Faults, LedgerInfo, RedbStore, StoreError};
use kiosk_protocol::Role;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A setup step failed.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The configuration is invalid.
    #[error("{path}: {error}")]
    Config {
        /// Which file.
        path: String,
        /// What is wrong.
        error: config::ConfigError,
    },
    /// A file could not be read or written.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// A file exists but is not what it should be.
    #[error("{0}: {1}")]
    Invalid(PathBuf, String),
    /// The ledger cannot be used; the message says what happened and what to do.
    #[error("{0}")]
    Ledger(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LaunchError + '_ {
    move |e| LaunchError::Io(path.to_owned(), e)
}

/// The hall and its server settings, from `--config` or the embedded demo hall with demo tokens.
pub fn load_hall(config: Option<&Path>, data: &Path) -> Result<(HallConfig, ServerSettings, bool), LaunchError> {
    match config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(io(path))?;
            let (hall, settings) = config::parse_full(&text)
                .map_err(|error| LaunchError::Config { path: path.display().to_string(), error })?;
            Ok((hall, settings, false))
        }
        None => {
            let (hall, mut settings) = config::parse_full(config::DEMO_HALL_TOML)
                .map_err(|error| LaunchError::Config { path: "embedded demo hall".into(), error })?;
            settings.devices = demo_devices(&hall, &data.join("demo-tokens.txt"))?;
            Ok((hall, settings, true))
        }
    }
}

/// The ledger of the data directory `data`: the existing hall's, checked, or a new hall's when the
/// directory never held one (or `new_hall` says to start one; an existing ledger is then kept aside as
/// `ledger.redb.replaced-<unix seconds>`, never deleted). Returns the store and what opening found.
pub fn open_ledger(data: &Path, new_hall: bool) -> Result<(RedbStore, LedgerInfo), LaunchError> {
    let ledger = data.join("ledger.redb");
    let marker = data.join("hall-id");
    let known = match std::fs::read_to_string(&marker) {
        Ok(text) => Some(text.trim().to_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(LaunchError::Io(marker, e)),
    };
    let has_ledger = std::fs::metadata(&ledger).is_ok_and(|m| m.len() > 0);
    if new_hall || (known.is_none() && !has_ledger) {
        if std::fs::metadata(&ledger).is_ok() {
            let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            let aside = data.join(format!("ledger.redb.replaced-{secs}"));
            std::fs::rename(&ledger, &aside).map_err(io(&ledger))?;
            tracing::warn!(kept = %aside.display(), "starting a new hall; the previous ledger is kept aside");
        }
        let (store, hall_id) = RedbStore::create(&ledger, Faults::none()).map_err(|e| ledger_error(data, &e))?;
        write_marker(&marker, &hall_id)?;
        let info = LedgerInfo { hall_id, last_seq: 0, checked_from: 0, repaired: false };
        return Ok((store, info));
    }
    let (store, info) =
        RedbStore::open(&ledger, known.as_deref(), Faults::none()).map_err(|e| ledger_error(data, &e))?;
    if known.is_none() {
        // A ledger from before the marker existed, or the marker was lost: the ledger says who it is.
        write_marker(&marker, &info.hall_id)?;
    }
    Ok((store, info))
}

fn write_marker(path: &Path, hall_id: &str) -> Result<(), LaunchError> {
    let _ = std::fs::remove_file(path);
    write_private(path, &format!("{hall_id}\n"))?;
    if let Some(dir) = path.parent() {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// A ledger refusal, with what an operator does about it.
fn ledger_error(data: &Path, e: &StoreError) -> LaunchError {
    let remedy = match e {
        StoreError::Identity(_) => format!(
            "Nothing was changed. Restore this hall's ledger.redb from the last backup into {} (docs/operations.md, \
             \"A missing or replaced ledger\"). To start a new hall here instead, which begins ticket numbers \
             again, run `onewindow serve --new-hall` (the present file is kept aside, not deleted).",
            data.display()
        ),
        StoreError::Corrupt(_) => String::new(),
        StoreError::Io(_) => "Check the disk (space, permissions), then start again.".into(),
    };
    LaunchError::Ledger(format!("cannot open the ledger: {e}. {remedy}").trim_end().to_owned())
}

/// The ID-hash key's path: `--id-key`, or `<data>-secrets/id-key` beside the data directory. A key
/// inside the data directory is refused: whoever copies the directory would hold the key with the
/// hashes it protects.
pub fn id_key_path(data: &Path, given: Option<&Path>) -> Result<PathBuf, LaunchError> {
    let path = match given {
        Some(p) => p.to_owned(),
        None => {
            let name = data.file_name().map_or_else(|| "onewindow-data".into(), |n| n.to_string_lossy().into_owned());
            data.with_file_name(format!("{name}-secrets")).join("id-key")
        }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        prepare_data_dir(dir)?;
    }
    let key_dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let inside =
        matches!((std::fs::canonicalize(key_dir), std::fs::canonicalize(data)), (Ok(k), Ok(d)) if k.starts_with(&d));
    if inside {
        return Err(LaunchError::Invalid(
            path,
            "the ID key must not be inside the data directory (pass --id-key with a path outside it)".into(),
        ));
    }
    let old = data.join("id-key");
    if old.exists() {
        return Err(LaunchError::Invalid(
            old.clone(),
            format!(
                "an ID key inside the data directory, where a copy of the directory carries it with the hashes it \
                 protects. ID hashes are now made under a key of the day, kept in {} (decision 0006); the old key \
                 is not needed (its hashes are meant to be forgotten): delete it with `rm {}` and start again",
                path.display(),
                old.display()
            ),
        ));
    }
    Ok(path)
}

/// Creates `dir` if needed, readable by its owner only.
pub fn prepare_data_dir(dir: &Path) -> Result<(), LaunchError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io(dir))?;
    }
    Ok(())
}

/// Writes a new file readable by its owner only; fails if it exists.
fn write_private(path: &Path, text: &str) -> Result<(), LaunchError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io(path))?;
    file.write_all(text.as_bytes()).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// The ID-hash day keys at `path` (decision 0006), created on first use.
pub fn id_keys(path: &Path) -> Result<IdKeys, LaunchError> {
    IdKeys::load(path).map_err(|e| LaunchError::Invalid(path.to_owned(), e))
}

/// The demo devices, from `path`, created on first use: two kiosks, a hall display, a supervisor, the
/// online channel (`integration`), and a clerk terminal and an evaluator pad for every window.
pub fn demo_devices(hall: &HallConfig, path: &Path) -> Result<Vec<Device>, LaunchError> {
    if !path.exists() {
        let mut lines = vec![
            "# onewindow demo devices: name role windows token. Demo only: a real hall keeps only".to_owned(),
            "# token hashes, in its config ([[device]], made by `onewindow token add`).".to_owned(),
        ];
        let mut add = |name: String, role: Role, window: Option<u16>| {
            let windows = window.map_or_else(|| "-".to_owned(), |w| w.to_string());
            lines.push(format!("{name} {} {windows} {}", role.name(), auth::new_token()));
        };
        add("kiosk-1".into(), Role::Kiosk, None);
        add("kiosk-2".into(), Role::Kiosk, None);
        add("display-hall".into(), Role::Display, None);
        add("supervisor".into(), Role::Supervisor, None);
        add("integration".into(), Role::Integration, None);
        for w in &hall.windows {
            add(format!("clerk-w{}", w.number), Role::Clerk, Some(w.number));
            add(format!("evaluator-w{}", w.number), Role::Evaluator, Some(w.number));
        }
        write_private(path, &(lines.join("\n") + "\n"))?;
    }
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    parse_token_lines(&text).map_err(|e| LaunchError::Invalid(path.to_owned(), e))
}

/// Reads `name role windows token` lines (`-` for no window, `5,6` for several).
pub fn parse_token_lines(text: &str) -> Result<Vec<Device>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|line| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [name, role, windows, token] = parts.as_slice() else {
                return Err(format!("cannot read `{line}`"));
            };
            let role: Role =
                serde_json::from_value(serde_json::Value::from(*role)).map_err(|_| format!("unknown role `{role}`"))?;
            let windows = match *windows {
                "-" => Vec::new(),
                list => list
                    .split(',')
                    .map(|w| w.parse().map_err(|_| format!("bad window `{w}`")))
                    .collect::<Result<_, _>>()?,
            };
            Ok(Device { name: (*name).to_owned(), role, windows, token_hash: auth::hash_token(token) })
        })
        .collect()
}

/// The token of the demo device `name`, for tests and scripts that drive the demo hall.
pub fn demo_token(path: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>()).find_map(|p| match p.as_slice() {
        [n, _, _, token] if *n == name => Some((*token).to_owned()),
        _ => None,
    })
}

/// A `[[device]]` block for a hall config, with a new token; returns `(token, block)`.
pub fn new_device_block(name: &str, role: Role, windows: &[u16]) -> (String, String) {
    let token = auth::new_token();
    let windows = windows.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    let block = format!(
        "\n[[device]]\nname = \"{name}\"\nrole = \"{}\"\nwindows = [{windows}]\ntoken_hash = \"{}\"\n",
        role.name(),
        auth::hash_token(&token)
    );
    (token, block)
}
