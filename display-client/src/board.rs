//! What a display shows, folded from the stream: the latest calls and people waiting per matter.

use kiosk_protocol::{HallView, ServerMessage, WireEvent};

/// The display's state.
#[derive(Debug, Default, Clone)]
pub struct Board {
    /// Hall name.
    pub hall: String,
    /// Notice.
    pub notice: String,
    /// Latest calls, newest first: (ticket, window).
    pub calls: Vec<(String, u16)>,
    /// People waiting per matter: (Chinese name, English name, waiting).
    pub waiting: Vec<(String, String, u32)>,
}

impl Board {
    /// Applies a message; returns the call to announce, if it is one.
    pub fn apply(&mut self, message: &ServerMessage) -> Option<(String, u16)> {
        match message {
            ServerMessage::Snapshot { hall, .. } => {
                self.load(hall);
                None
            }
            ServerMessage::Event { event, .. } => match event {
                WireEvent::TicketCalled { ticket, window, .. } | WireEvent::TicketRecalled { ticket, window, .. } => {
                    self.calls.retain(|(t, _)| t != ticket);
                    self.calls.insert(0, (ticket.clone(), *window));
                    self.calls.truncate(8);
                    Some((ticket.clone(), *window))
                }
                WireEvent::NoticePosted { text } => {
                    self.notice.clone_from(text);
                    None
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn load(&mut self, hall: &HallView) {
        self.hall.clone_from(&hall.name);
        self.notice.clone_from(&hall.notice);
        self.calls = hall.recent_calls.iter().map(|c| (c.ticket.clone(), c.window)).collect();
        self.waiting = hall.matters.iter().map(|m| (m.name_zh.clone(), m.name_en.clone(), m.waiting)).collect();
    }

    /// The screen as text lines.
    pub fn render(&self) -> String {
        let mut out = format!("{}\n", self.hall);
        if !self.notice.is_empty() {
            out += &format!("公告 {}\n", self.notice);
        }
        match self.calls.first() {
            Some((ticket, window)) => {
                out += &format!("\n  请 {ticket} 号 到 {window} 号窗口 办理\n  Ticket {ticket}, window {window}\n\n")
            }
            None => out += "\n  —\n\n",
        }
        for (ticket, window) in self.calls.iter().skip(1) {
            out += &format!("  {ticket} → {window}\n");
        }
        out += "\n";
        for (zh, en, waiting) in &self.waiting {
            out += &format!("  {zh} {en}: {waiting}\n");
        }
        out
    }
}
