//! The print agent of a kiosk whose thermal printer speaks raw ESC/POS (USB `/dev/usb/lp0`, or a network
//! printer's port 9100): it follows the hall's events like any terminal, prints every ticket its kiosk
//! issues ([`crate::escpos`]), and keeps the `seq` of the last ticket printed in a state file. A dropped
//! connection resumes with `since` (the [`Follower`]); a restart resumes after the state file's `seq`, so
//! no ticket is printed twice and none is skipped. A printer that fails is retried until it prints.

use crate::connection::{ClientError, Connection};
use crate::escpos::{self, Printout};
use crate::Follower;
use kiosk_protocol::server::{HallView, TicketView, WaitEstimate};
use kiosk_protocol::vocab::GreenReason;
use kiosk_protocol::{ServerMessage, WireEvent};
use onewindow_core::time::{format_hhmm, Timestamp};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Where the bytes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printer {
    /// A device or file, appended to (`/dev/usb/lp0`).
    Path(PathBuf),
    /// A network printer, `host:port` (raw port 9100).
    Tcp(String),
}

impl Printer {
    /// `tcp://HOST:PORT` or a path.
    pub fn parse(s: &str) -> Printer {
        match s.strip_prefix("tcp://") {
            Some(addr) => Printer::Tcp(addr.to_owned()),
            None => Printer::Path(PathBuf::from(s)),
        }
    }

    async fn print(&self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Printer::Path(path) => {
                // A device write can block while the printer is busy: off the async thread.
                let (path, bytes) = (path.clone(), bytes.to_vec());
                tokio::task::spawn_blocking(move || {
                    use std::io::Write as _;
                    let mut f = std::fs::OpenOptions::new().append(true).create(true).open(path)?;
                    f.write_all(&bytes)?;
                    f.flush()
                })
                .await
                .map_err(std::io::Error::other)?
            }
            Printer::Tcp(addr) => {
                let mut s = tokio::net::TcpStream::connect(addr).await?;
                s.write_all(bytes).await?;
                s.shutdown().await
            }
        }
    }
}

/// What the agent needs.
#[derive(Debug, Clone)]
pub struct Agent {
    /// The server's WebSocket URL.
    pub url: String,
    /// A device token (the kiosk's own, or a display's).
    pub token: String,
    /// The kiosk whose tickets it prints (its device name).
    pub kiosk: String,
    /// The printer.
    pub printer: Printer,
    /// Where the last printed `seq` is kept.
    pub state: PathBuf,
    /// The start of the ticket page URL in the QR code (`http://HOST/t`), as the kiosk's screen shows it.
    pub ticket_url: String,
    /// The hall's offset from UTC in minutes (the printed time is the hall's).
    pub utc_offset_min: i32,
}

/// What the agent knows of the hall: names, the business date and the latest estimates.
#[derive(Default)]
struct Known {
    hall: String,
    date: String,
    matters: HashMap<String, String>,
    estimates: HashMap<String, WaitEstimate>,
}

impl Known {
    fn adopt(&mut self, hall: &HallView) {
        self.hall.clone_from(&hall.name);
        self.date = hall.date.clone().unwrap_or_default();
        self.matters = hall.matters.iter().map(|m| (m.key.clone(), m.name_zh.clone())).collect();
    }

    fn printout(&self, agent: &Agent, ticket: &TicketView, capability: &str) -> Printout {
        let green = ticket.green.map(|g| {
            let why = match g {
                GreenReason::Elderly => "老年人",
                GreenReason::Pregnant => "孕妇",
                GreenReason::Military => "军人",
                GreenReason::Disabled => "残疾人",
            };
            format!("绿色通道 · {why}")
        });
        let minutes = |ms: i64| (ms + 30_000) / 60_000;
        let estimate =
            self.estimates.get(&ticket.matter).and_then(|e| Some((minutes(e.median_ms?), minutes(e.p80_ms?))));
        Printout {
            hall: self.hall.clone(),
            number: ticket.number.clone(),
            matter: self.matters.get(&ticket.matter).cloned().unwrap_or_else(|| ticket.matter.clone()),
            green,
            ahead: ticket.ahead.unwrap_or(0),
            estimate: estimate.map(|(lo, hi)| (lo, hi.max(lo))),
            issued: local_time(ticket.issued_at, agent.utc_offset_min),
            url: format!("{}/{capability}", agent.ticket_url.trim_end_matches('/')),
        }
    }
}

/// The mobile ticket's capability of ticket `number` (for its QR code), asked of the server with
/// `get_ticket` on a connection of its own (closed after: kept open, it would have to read the whole
/// event stream between tickets); retried while the server is away, refused only if the token is.
async fn capability(agent: &Agent, number: &str) -> Result<String, ClientError> {
    let mut wait = Duration::from_millis(500);
    loop {
        let asked = async {
            let mut conn = Connection::open(&agent.url, &agent.token, None).await?;
            let id = conn.sender().send_json(serde_json::json!({"type": "get_ticket", "ticket": number})).await?;
            conn.answer(id).await.map(|f| f.json())
        };
        match asked.await {
            Ok(answer) => match answer["result"]["ticket"]["capability"].as_str() {
                Some(c) => return Ok(c.to_owned()),
                None => eprintln!("onewindow-print: no mobile ticket for {number}: {answer}"),
            },
            Err(e @ ClientError::Refused { .. }) => return Err(e),
            Err(_) => {}
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(10));
    }
}

/// `YYYY-MM-DD HH:MM` of a Unix millisecond time at an offset (the core's calendar).
pub fn local_time(ms: i64, offset_min: i32) -> String {
    let (date, minute) = Timestamp(ms).local(offset_min);
    format!("{date} {}", format_hhmm(minute))
}

/// Runs until the server refuses the token. Every ticket of the kiosk after the state file's `seq` (or,
/// the first time, after now) is printed once.
pub async fn run(agent: Agent) -> Result<(), ClientError> {
    let mut known = Known::default();
    // The hall's names come with a snapshot; the stream then resumes after the last ticket printed.
    let start = {
        let mut conn = loop {
            match Connection::open(&agent.url, &agent.token, None).await {
                Ok(conn) => break conn,
                Err(e @ ClientError::Refused { .. }) => return Err(e),
                Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
            }
        };
        loop {
            if let ServerMessage::Snapshot { seq, hall } = conn.next_message().await? {
                known.adopt(&hall);
                break seq;
            }
        }
    };
    let saved = std::fs::read_to_string(&agent.state).ok().and_then(|s| s.trim().parse::<u64>().ok());
    let mut follower = Follower::resume_after(&agent.url, &agent.token, saved.unwrap_or(start));
    loop {
        match follower.next().await? {
            ServerMessage::Snapshot { hall, .. } => known.adopt(&hall),
            ServerMessage::Estimates { matters } => {
                known.estimates = matters.into_iter().filter_map(|m| Some((m.matter, m.estimate?))).collect();
            }
            ServerMessage::Event { event: WireEvent::DayOpened { date, .. }, .. } => known.date = date,
            ServerMessage::Event { seq, event: WireEvent::TicketIssued { ticket, kiosk: Some(kiosk) }, .. }
                if kiosk == agent.kiosk =>
            {
                let capability = capability(&agent, &ticket.number).await?;
                let bytes = escpos::ticket(&known.printout(&agent, &ticket, &capability));
                let mut wait = Duration::from_millis(500);
                while let Err(e) = agent.printer.print(&bytes).await {
                    eprintln!("onewindow-print: printer: {e}; ticket {} waits", ticket.number);
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(10));
                }
                // Written aside then renamed: a crash leaves the old seq or the new one, never half.
                let aside = agent.state.with_extension("part");
                if std::fs::write(&aside, seq.to_string()).and_then(|()| std::fs::rename(&aside, &agent.state)).is_err()
                {
                    eprintln!("onewindow-print: cannot write {}", agent.state.display());
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_is_the_halls() {
        // 2026-03-02 02:05 UTC is 10:05 in Beijing; the day changes at local midnight.
        assert_eq!(local_time(1_772_417_100_000, 480), "2026-03-02 10:05");
        assert_eq!(local_time(1_772_467_200_000, 480), "2026-03-03 00:00");
        assert_eq!(local_time(0, 0), "1970-01-01 00:00");
    }
}
