//! The ESC/POS print agent: its bytes for a ticket against a golden file, and, against a real
//! `onewindow serve`, every ticket of its kiosk printed once across a server restart (it reconnects and
//! resumes with `since`) and its own restart (it resumes after the last ticket it printed).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use display_client::escpos::{self, Printout};
use display_client::print::{self, Agent, Printer};
use display_client::process::{Launch, Served};
use display_client::protocol::{ReplyResult, RequestBody};
use display_client::Connection;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[test]
fn a_ticket_prints_as_the_golden_bytes() {
    let ticket = Printout {
        hall: "示范政务服务大厅".into(),
        number: "A023".into(),
        matter: "不动产登记".into(),
        green: Some("绿色通道 · 老年人".into()),
        ahead: 3,
        estimate: Some((12, 18)),
        issued: "2026-03-02 10:05".into(),
        url: "http://hall.example/t/0000000000000417c1a9e0f2b7d35a6e48f01c29d7b3e5a1".into(),
    };
    let bytes = escpos::ticket(&ticket);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/ticket-A023.escpos");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &bytes).unwrap();
    }
    let expected = std::fs::read(&golden).expect("the golden file (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(bytes, expected, "ESC/POS bytes differ from {}", golden.display());
}

fn bin() -> PathBuf {
    std::env::var_os("ONEWINDOW_BIN")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/onewindow"), PathBuf::from)
}

fn serve(data: &Path, listen: Option<&str>) -> Served {
    Served::start(&bin(), &[OsStr::new("--data"), data.as_os_str()], &Launch { listen, ..Launch::default() })
        .expect("serve")
}

fn token(data: &Path, device: &str) -> String {
    let text = std::fs::read_to_string(data.join("demo-tokens.txt")).unwrap();
    let line = text.lines().find(|l| l.starts_with(&format!("{device} "))).unwrap();
    line.split_whitespace().nth(3).unwrap().to_owned()
}

async fn issue(url: &str, token: &str) -> String {
    let mut kiosk = Connection::open(url, token, None).await.unwrap();
    let body = RequestBody::IssueTicket { matter: "tax".into(), green: None, id_number: None };
    match kiosk.request(&body).await.unwrap().1 {
        ReplyResult::Ticket { ticket } => ticket.number,
        other => panic!("not a ticket: {other:?}"),
    }
}

/// The ticket numbers printed so far, in order (each printout's number follows `GS ! 0x11`).
fn printed(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap_or_default();
    let marker = [0x1d, b'!', 0x11];
    bytes
        .windows(3)
        .enumerate()
        .filter(|(_, w)| *w == marker)
        .map(|(i, _)| bytes[i + 3..].iter().take_while(|b| **b != b'\n').map(|b| *b as char).collect())
        .collect()
}

async fn until_printed(path: &Path, n: usize) -> Vec<String> {
    for _ in 0..200 {
        if printed(path).len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await; // nothing more arrives
    printed(path)
}

#[tokio::test]
async fn the_agent_prints_its_kiosks_tickets_once_across_a_server_restart_and_its_own() {
    let data = std::env::temp_dir().join(format!("onewindow-print-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut server = serve(&data, None);
    let (url, addr) = (server.url(), server.addr.clone());
    let out = data.join("printer.bin");
    let agent = Agent {
        url: url.clone(),
        token: token(&data, "display-hall"),
        kiosk: "kiosk-1".into(),
        printer: Printer::Path(out.clone()),
        state: data.join("print.seq"),
        ticket_url: "http://hall.example/t".into(),
        utc_offset_min: 480,
    };
    let running = tokio::spawn(print::run(agent.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await; // it has its snapshot
    let (k1, k2) = (token(&data, "kiosk-1"), token(&data, "kiosk-2"));
    let a = issue(&url, &k1).await;
    let _other_kiosk = issue(&url, &k2).await;
    let b = issue(&url, &k1).await;
    assert_eq!(until_printed(&out, 2).await, [a.clone(), b.clone()], "only kiosk-1's tickets");

    // The server restarts on the same address: the agent reconnects and resumes with `since`.
    server.kill();
    let server = serve(&data, Some(&addr));
    let c = issue(&url, &k1).await;
    assert_eq!(until_printed(&out, 3).await, [a.clone(), b.clone(), c.clone()], "after the server's restart");

    // The agent stops; a ticket is issued meanwhile; started again it prints that one and no other.
    running.abort();
    let _ = running.await;
    let d = issue(&url, &k1).await;
    let again = tokio::spawn(print::run(agent));
    assert_eq!(until_printed(&out, 4).await, [a, b, c, d], "after its own restart: once each");
    // Each QR code holds its ticket's mobile address (the server's capability), not a guessable one.
    let bytes = std::fs::read(&out).unwrap();
    let prefix = b"http://hall.example/t/";
    let mut addresses: Vec<String> = bytes
        .windows(prefix.len())
        .enumerate()
        .filter(|(_, w)| *w == prefix)
        .map(|(i, _)| {
            bytes[i + prefix.len()..].iter().take_while(|b| b.is_ascii_hexdigit()).map(|b| *b as char).collect()
        })
        .collect();
    assert_eq!(addresses.len(), 4, "one QR code a ticket");
    assert!(addresses.iter().all(|a| a.len() == 48), "{addresses:?}");
    addresses.dedup();
    assert_eq!(addresses.len(), 4, "one capability each");
    again.abort();
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
}
