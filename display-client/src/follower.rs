//! A display's view of the stream: reconnects with backoff and resumes by `seq`, so events arrive once,
//! in order, whatever happens to the connection.

use crate::connection::{ClientError, Connection};
use kiosk_protocol::{ErrorCode, ServerMessage};
use std::time::Duration;

/// Follows a hall's events for a display token.
pub struct Follower {
    url: String,
    token: String,
    last_seq: Option<u64>,
    conn: Option<Connection>,
    backoff: Duration,
}

/// Longest pause between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

impl Follower {
    /// A follower that will connect on the first [`Follower::next`].
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> Follower {
        Follower {
            url: url.into(),
            token: token.into(),
            last_seq: None,
            conn: None,
            backoff: Duration::from_millis(200),
        }
    }

    /// A follower that resumes after `seq` (a print agent's last printed ticket, kept across restarts).
    pub fn resume_after(url: impl Into<String>, token: impl Into<String>, seq: u64) -> Follower {
        Follower { last_seq: Some(seq), ..Follower::new(url, token) }
    }

    /// The last `seq` delivered.
    pub fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }

    /// Drops the connection as a network fault would; the next call reconnects and resumes.
    pub fn drop_connection(&mut self) {
        self.conn = None;
    }

    /// The next snapshot, estimates or event, never an event delivered before. Reconnects as needed; gives up only
    /// when the server refuses the token.
    pub async fn next(&mut self) -> Result<ServerMessage, ClientError> {
        loop {
            if self.conn.is_none() {
                match Connection::open(&self.url, &self.token, self.last_seq).await {
                    Ok(conn) => {
                        self.conn = Some(conn);
                        self.backoff = Duration::from_millis(200);
                    }
                    Err(ClientError::Refused { code: ErrorCode::Unauthorized, message }) => {
                        return Err(ClientError::Refused { code: ErrorCode::Unauthorized, message })
                    }
                    Err(_) => {
                        tokio::time::sleep(self.backoff).await;
                        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                        continue;
                    }
                }
            }
            let Some(conn) = self.conn.as_mut() else { continue };
            match conn.next_message().await {
                Ok(ServerMessage::Event { seq, at, event }) => {
                    if self.last_seq.is_some_and(|last| seq <= last) {
                        continue;
                    }
                    self.last_seq = Some(seq);
                    return Ok(ServerMessage::Event { seq, at, event });
                }
                Ok(ServerMessage::Snapshot { seq, hall }) => {
                    // The snapshot includes everything up to its seq: the stream goes on from there.
                    self.last_seq = Some(seq);
                    return Ok(ServerMessage::Snapshot { seq, hall });
                }
                Ok(message @ ServerMessage::Estimates { .. }) => return Ok(message),
                Ok(_) => continue,
                Err(_) => self.conn = None,
            }
        }
    }
}
