//! `Hall::decide`: check a command against the state and say what happens, without changing anything.
//! One file per command family; the checks they share live here.

mod day;
pub(crate) mod issue;
mod service;
mod staffing;
mod window;

use super::command::Command;
use super::event::Event;
use super::model::{Ticket, TicketId, WindowId};
use super::rejection::Rejection;
use super::time::Timestamp;
use super::{Hall, WindowState};

impl Hall {
    /// What `cmd` at `now` would do: the events to record and apply, or why it is refused.
    pub fn decide(&self, cmd: &Command, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        match cmd {
            Command::ChangeLayout { layout } => self.decide_change_layout(layout, now),
            Command::ConfirmClass { window, keep } => {
                let t = self.current_ticket(*window)?;
                if !t.declared {
                    return Err(Rejection::ClassNotDeclared);
                }
                Ok(vec![Event::ClassConfirmed { ticket: t.id, window: *window, kept: *keep, at: now }])
            }
            Command::LockClerk { clerk, failures, until } => {
                if self.config.clerks.get(usize::from(clerk.0)).is_none_or(|c| c.retired) {
                    return Err(Rejection::UnknownClerk);
                }
                Ok(vec![Event::ClerkLocked { clerk: *clerk, failures: *failures, until: *until, at: now }])
            }
            Command::OpenDay { date } => self.decide_open_day(*date, now),
            Command::CloseDay => self.decide_close_day(now),
            Command::IssueTicket { matter, green, holder, source } => {
                self.decide_issue(*matter, *green, holder.as_ref(), source.as_deref(), now)
            }
            Command::BookAppointment { code, matter, start, end } => self.decide_book(code, *matter, *start, *end),
            Command::BookOnline { code, matter, start, holder, history, client_key } => {
                self.decide_book_online(code, *matter, *start, (holder, history), client_key, now)
            }
            Command::CancelAppointment { code } => self.decide_cancel_appointment(code, now),
            Command::RescheduleAppointment { code, start, holder } => {
                self.decide_reschedule(code, *start, holder.as_ref(), now)
            }
            Command::CheckIn { code, source } => self.decide_check_in(code, source.as_deref(), now),
            Command::CheckInById { holder, source } => {
                let code = self.todays_booking(holder)?;
                self.decide_check_in(&code, source.as_deref(), now)
            }
            Command::Subscribe { ticket, phone, by } => self.decide_subscribe(*ticket, phone, by.as_deref(), now),
            Command::MessageSent { message } => Ok(self.decide_message_sent(*message, now)),
            Command::CancelTicket { ticket, by } => self.decide_cancel(*ticket, by.as_deref(), now),
            Command::SignIn { window, clerk } => self.decide_sign_in(*window, *clerk, now),
            Command::SignOut { window } => self.decide_sign_out(*window, now),
            Command::Pause { window } => self.decide_pause(*window, now),
            Command::Resume { window } => self.decide_resume(*window, now),
            Command::CallNext { window } => self.decide_call_next(*window, now),
            Command::CallNumber { window, number } => self.decide_call_number(*window, *number, now),
            Command::Recall { window } => self.decide_recall(*window, now),
            Command::StartService { window } => self.decide_start(*window, now),
            Command::Finish { window, outcome } => self.decide_finish(*window, *outcome, now),
            Command::NoShow { window } => self.decide_no_show(*window, now),
            Command::Transfer { window, to } => self.decide_transfer(*window, *to, now),
            Command::Hold { window } => self.decide_hold(*window, now),
            Command::ResumeHeld { window, ticket } => self.decide_resume_held(*window, *ticket, now),
            Command::Rate { window, ticket, rating, reason, comment } => {
                self.decide_rate(*window, *ticket, *rating, reason.clone(), comment.clone(), now)
            }
            Command::ProgressCase { case, step, note } => self.decide_progress_case(*case, step, note, now),
            Command::OpenWindow { window } => self.decide_open_window(*window, now),
            Command::CloseWindow { window } => self.decide_close_window(*window, now),
            Command::SetSkills { window, skills } => self.decide_set_skills(*window, *skills, now),
            Command::PostNotice { text } => self.decide_notice(text, now),
            Command::CorrectDate { date } => self.decide_correct_date(*date, now),
            Command::ReviewStaffing => self.decide_review_staffing(now),
            Command::AcceptStaffing { window } => self.decide_accept_staffing(*window, now),
            Command::RequestHelp { kiosk } => {
                if kiosk.is_empty() || kiosk.len() > 64 {
                    return Err(Rejection::BadText);
                }
                Ok(vec![Event::HelpRequested { kiosk: kiosk.clone(), at: now }])
            }
            Command::AnswerHelp { kiosk } => {
                if !self.help_requests.iter().any(|(k, _)| k == kiosk) {
                    return Err(Rejection::NoHelpRequest);
                }
                Ok(vec![Event::HelpAnswered { kiosk: kiosk.clone(), at: now }])
            }
        }
    }

    /// Refuses unless a day is open and not yet closed.
    pub(crate) fn require_open_day(&self) -> Result<(), Rejection> {
        match self.day {
            None => Err(Rejection::DayNotOpen),
            Some(day) if day.closed => Err(Rejection::DayClosed),
            Some(_) => Ok(()),
        }
    }

    /// A window in service (a retired one is unknown, as it is to every terminal).
    pub(super) fn window_state(&self, window: WindowId) -> Result<&WindowState, Rejection> {
        if self.config.windows.get(usize::from(window.0)).is_none_or(|w| w.retired) {
            return Err(Rejection::UnknownWindow);
        }
        self.window(window).ok_or(Rejection::UnknownWindow)
    }

    /// The window, which must be open with a clerk signed in.
    fn staffed_window(&self, window: WindowId) -> Result<&WindowState, Rejection> {
        let state = self.window_state(window)?;
        if !state.open {
            return Err(Rejection::WindowClosed);
        }
        if state.clerk.is_none() {
            return Err(Rejection::NotSignedIn);
        }
        Ok(state)
    }

    /// The ticket called or in service at a staffed window.
    fn current_ticket(&self, window: WindowId) -> Result<&Ticket, Rejection> {
        let state = self.staffed_window(window)?;
        state.current.and_then(|t| self.ticket(t)).ok_or(Rejection::NoCurrentTicket)
    }

    pub(crate) fn known_ticket(&self, ticket: TicketId) -> Result<&Ticket, Rejection> {
        self.ticket(ticket).ok_or(Rejection::UnknownTicket)
    }
}
