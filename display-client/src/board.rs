//! What a display shows: the hall view, kept by folding the stream into it (the snapshot once, then
//! every event and every estimate, with `kiosk_protocol`'s fold: the server keeps its own view the
//! same way), drawn as the latest calls and people waiting per matter.

use kiosk_protocol::{HallView, ServerMessage, WireEvent};

/// The display's state: the hall view, once a snapshot arrived.
#[derive(Debug, Default, Clone)]
pub struct Board {
    /// The hall as this display knows it.
    pub view: Option<HallView>,
}

impl Board {
    /// Applies a message; returns the call to announce, if it is one.
    pub fn apply(&mut self, message: &ServerMessage) -> Option<(String, u16)> {
        match message {
            ServerMessage::Snapshot { hall, .. } => {
                self.view = Some(hall.clone());
                None
            }
            ServerMessage::Estimates { matters } => {
                if let Some(view) = &mut self.view {
                    view.set_estimates(matters);
                }
                None
            }
            ServerMessage::Event { event, at, .. } => {
                if let Some(view) = &mut self.view {
                    view.fold(event, *at);
                }
                match event {
                    WireEvent::TicketCalled { ticket, window, .. }
                    | WireEvent::TicketRecalled { ticket, window, .. } => Some((ticket.clone(), *window)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The screen as text lines.
    pub fn render(&self) -> String {
        let Some(view) = &self.view else { return "…\n".to_owned() };
        let mut out = format!("{}\n", view.name);
        if !view.notice.is_empty() {
            out += &format!("公告 {}\n", view.notice);
        }
        match view.recent_calls.first() {
            Some(c) => {
                let (ticket, window) = (&c.ticket, c.window);
                out += &format!("\n  请 {ticket} 号 到 {window} 号窗口 办理\n  Ticket {ticket}, window {window}\n\n")
            }
            None => out += "\n  —\n\n",
        }
        for c in view.recent_calls.iter().skip(1) {
            out += &format!("  {} → {}\n", c.ticket, c.window);
        }
        out += "\n";
        for m in &view.matters {
            out += &format!("  {} {}: {}\n", m.name_zh, m.name_en, m.waiting);
        }
        out
    }
}
