//! What `onewindow serve` sets up before the server runs: the data directory, the ledger, the ID-hash
//! key, and for the demo hall a set of device tokens a newcomer can use at once.
//!
//! ```text
//! <data>/ledger.redb        every event (redb), snapshots, the hall layout it was written under
//! <data>/id-key             the HMAC key for ID numbers (kept out of the ledger; back it up apart)
//! <data>/demo-tokens.txt    demo hall only: one device per line, `name role windows token`
//! ```

use crate::auth::{self, IdHasher};
use crate::config::{self, Device, ServerSettings};
use crate::core::HallConfig;
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

/// The ID-hash key at `path`, created on first use.
pub fn id_hasher(path: &Path) -> Result<IdHasher, LaunchError> {
    if !path.exists() {
        write_private(path, &format!("{}\n", auth::new_id_key()))?;
    }
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    IdHasher::from_hex(&text)
        .ok_or_else(|| LaunchError::Invalid(path.to_owned(), "expected at least 32 hex digits".into()))
}

/// The demo devices, from `path`, created on first use: two kiosks, a hall display, a supervisor, and a
/// clerk terminal and an evaluator pad for every window.
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
