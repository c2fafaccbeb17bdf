//! The real `onewindow` binary, as the README tells a newcomer to run it.

mod binary;

use std::process::Command;

fn onewindow(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_onewindow")).args(args).output().expect("run onewindow")
}

use binary::run_with_input as onewindow_with_input;

#[test]
fn check_config_prints_the_demo_halls_matters_and_windows() {
    let out = onewindow(&["check-config"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in ["configuration OK", "不动产登记", "涉税服务", "出件", "绿色通道", "临时窗口 14", "windows (16)"]
    {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[test]
fn check_config_names_the_bad_key_and_fails() {
    let dir = std::env::temp_dir().join(format!("onewindow-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bad.toml");
    let text = onewindow::config::DEMO_HALL_TOML.replacen(
        "serves = [\"real_estate\", \"tax\"]",
        "serves = [\"real_estate\", \"taxes\"]",
        1,
    );
    std::fs::write(&file, text).expect("write");
    let out = onewindow(&["check-config", "--config", file.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("window[0].serves") && err.contains("taxes"), "{err}");
}

#[test]
fn pin_hash_prints_a_hash_the_config_accepts() {
    // The PIN comes on stdin, never on the command line.
    let out = onewindow_with_input(&["pin-hash"], "1234\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(onewindow::pin::pin_matches("c01", "1234", &hash));
    assert!(!onewindow::pin::pin_matches("c01", "1235", &hash));
    assert!(onewindow::config::parse_full(&format!(
        "{}\n[[clerk]]\nkey = \"c99\"\nname = \"新人\"\npin_hash = \"{hash}\"\n",
        onewindow::config::DEMO_HALL_TOML
    ))
    .is_ok());
    assert!(!onewindow_with_input(&["pin-hash"], "12a4\n").status.success());
    assert!(!onewindow(&["pin-hash", "--clerk", "c01", "1234"]).status.success(), "a PIN on argv is refused");
}

#[test]
fn serve_starts_the_demo_hall_and_send_talks_to_it() {
    use std::io::{BufRead, BufReader};
    let data = std::env::temp_dir().join(format!("onewindow-cli-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut server = Command::new(env!("CARGO_BIN_EXE_onewindow"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    let addr = loop {
        let line = lines.next().expect("output").expect("line");
        printed.push(line.clone());
        if let Some(addr) = line.trim().strip_prefix("listening on ") {
            break addr.to_owned();
        }
    };
    let token = onewindow::launch::demo_token(&data.join("demo-tokens.txt"), "kiosk-1").expect("demo tokens");
    let out = onewindow(&[
        "send",
        "--url",
        &format!("ws://{addr}/ws"),
        "--token",
        &token,
        r#"{"type":"issue_ticket","matter":"inquiry"}"#,
    ]);
    // SIGTERM: the server stops cleanly.
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let status = server.wait().expect("server exits");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let _ = std::fs::remove_dir_all(&data);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(r#""number":"F001""#), "{text}");
    assert!(printed.iter().chain(&rest).any(|l| l.contains("demo device tokens")), "{printed:?} {rest:?}");
    assert!(status.success() && rest.iter().any(|l| l.contains("stopped")), "clean stop: {status:?} {rest:?}");
}

/// Starts the demo hall in `data`, issues one ticket, and stops it with SIGTERM.
fn a_hall_with_one_ticket(data: &std::path::Path) {
    let mut served = binary::serve(data, &[], None).expect("serve");
    let token = onewindow::launch::demo_token(&data.join("demo-tokens.txt"), "kiosk-1").expect("demo tokens");
    let url = format!("ws://{}/ws", served.addr);
    let out = onewindow(&["send", "--url", &url, "--token", &token, r#"{"type":"issue_ticket","matter":"tax"}"#]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(r#""number":"E001""#));
    assert!(served.terminate(), "SIGTERM sent");
    assert!(served.exited_within(std::time::Duration::from_secs(20)));
}

#[test]
fn serve_refuses_a_data_directory_whose_ledger_is_missing_or_empty() {
    let data = std::env::temp_dir().join(format!("onewindow-cli-missing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    a_hall_with_one_ticket(&data);
    let ledger = data.join("ledger.redb");
    std::fs::remove_file(&ledger).expect("delete the ledger");
    let refused = binary::serve(&data, &[], None).err().expect("a missing ledger is refused");
    assert!(refused.contains("missing") && refused.contains("--new-hall"), "{refused}");
    std::fs::write(&ledger, b"").expect("an empty ledger");
    let refused = binary::serve(&data, &[], None).err().expect("an empty ledger is refused");
    assert!(refused.contains("empty"), "{refused}");
    // Asked for, a new hall starts, with ticket numbers from the beginning.
    let served = binary::serve(&data, &["--new-hall"], None).expect("--new-hall starts");
    drop(served);
    let _ = std::fs::remove_dir_all(&data);
    let _ =
        std::fs::remove_dir_all(data.with_file_name(format!("onewindow-cli-missing-{}-secrets", std::process::id())));
}

#[test]
fn verify_lists_a_damaged_record_and_serve_refuses_it() {
    let data = std::env::temp_dir().join(format!("onewindow-cli-verify-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    a_hall_with_one_ticket(&data);
    let dir = data.to_str().expect("utf-8 path");
    let clean = onewindow(&["verify", "--data", dir]);
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));
    assert!(String::from_utf8_lossy(&clean.stdout).contains("every record matches"));

    // One bit of the issued ticket's number: E001 becomes E003 (as in the issue's E005 → E007).
    let ledger = data.join("ledger.redb");
    let mut bytes = std::fs::read(&ledger).expect("read");
    let at = bytes.windows(4).position(|w| w == b"E001").expect("the number is in the file");
    bytes[at + 3] ^= 0x02;
    std::fs::write(&ledger, bytes).expect("write");
    let damaged = onewindow(&["verify", "--data", dir]);
    let report = String::from_utf8_lossy(&damaged.stdout);
    assert!(!damaged.status.success() && report.contains("DAMAGED: event"), "{report}");
    let refused = binary::serve(&data, &[], None).err().expect("a damaged ledger is refused");
    assert!(refused.contains("does not match its checksum") && refused.contains("ledger.redb"), "{refused}");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn send_stops_quietly_when_its_reader_goes_away() {
    let data = std::env::temp_dir().join(format!("onewindow-cli-pipe-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let served = binary::serve(&data, &[], None).expect("serve");
    let token = onewindow::launch::demo_token(&data.join("demo-tokens.txt"), "kiosk-1").expect("demo tokens");
    // `onewindow send … | head -c 1`: the pipe closes after one byte while send still has lines to write
    // (twenty snapshots, more than a pipe holds).
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"s='{"type":"get_state"}'; "$0" send --url "$1" --token "$2" $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s | head -c 1 >/dev/null"#)
        .arg(env!("CARGO_BIN_EXE_onewindow"))
        .arg(format!("ws://{}/ws", served.addr))
        .arg(&token)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("sh");
    drop(served);
    let _ = std::fs::remove_dir_all(&data);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `token add`, `token list` and `token revoke` keep a hall config valid and say what they did; with no
/// server running they say when it applies.
#[test]
fn tokens_are_added_listed_and_revoked_in_the_config() {
    let dir = std::env::temp_dir().join(format!("onewindow-cli-tokens-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("hall.toml");
    std::fs::write(&config, onewindow::config::DEMO_HALL_TOML).expect("config");
    let (path, data) = (config.to_str().expect("utf-8"), dir.join("data"));
    let data = data.to_str().expect("utf-8");
    let added = onewindow(&["token", "add", "--role", "clerk", "--window", "5", "--config", path, "--data", data]);
    let text = String::from_utf8_lossy(&added.stdout);
    assert!(
        added.status.success() && text.contains("device `clerk-w5` added") && text.contains("token (shown once"),
        "{text}"
    );
    assert!(text.contains("no server runs"), "{text}");
    let token = text.lines().find_map(|l| l.split(": ").nth(1).filter(|t| t.starts_with("ow_"))).expect("the token");
    assert!(!std::fs::read_to_string(&config).expect("config").contains(token), "only its hash is kept");
    let listed = String::from_utf8_lossy(&onewindow(&["token", "list", "--config", path]).stdout).into_owned();
    assert!(listed.lines().any(|l| l.starts_with("clerk-w5") && l.contains("clerk") && l.ends_with('5')), "{listed}");
    let revoked = onewindow(&["token", "revoke", "--config", path, "--name", "clerk-w5", "--data", data]);
    assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    let listed = String::from_utf8_lossy(&onewindow(&["token", "list", "--config", path]).stdout).into_owned();
    assert!(!listed.contains("clerk-w5"), "{listed}");
    assert!(onewindow::config::parse_full(&std::fs::read_to_string(&config).expect("config")).is_ok(), "still valid");
    let missing = onewindow(&["token", "revoke", "--config", path, "--name", "clerk-w5", "--data", data]);
    assert!(!missing.status.success(), "revoking an unknown device fails");
    let _ = std::fs::remove_dir_all(&dir);
}
