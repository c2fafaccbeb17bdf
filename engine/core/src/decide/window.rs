//! Windows and their clerks, and what only a supervisor does: open, close, change skills, post notices.

use crate::event::Event;
use crate::model::{ClerkId, MatterSet, WindowId};
use crate::rejection::Rejection;
use crate::time::Timestamp;
use crate::Hall;

impl Hall {
    pub(super) fn decide_sign_in(
        &self,
        window: WindowId,
        clerk: ClerkId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        let state = self.window_state(window)?;
        // The PIN was checked at the edge, before this: nothing about where a clerk is signed in leaks
        // without it.
        self.config.clerks.get(usize::from(clerk.0)).filter(|c| !c.retired).ok_or(Rejection::UnknownClerk)?;
        if let Some(until) = self.locks.get(&clerk).filter(|until| **until > now) {
            return Err(Rejection::ClerkLocked { until: *until });
        }
        self.require_open_day()?;
        if !state.open {
            return Err(Rejection::WindowClosed);
        }
        match state.clerk {
            Some(c) if c == clerk => return Err(Rejection::AlreadySignedIn),
            Some(_) => return Err(Rejection::WindowTaken),
            None => {}
        }
        if self.windows.iter().any(|w| w.clerk == Some(clerk)) {
            return Err(Rejection::ClerkElsewhere);
        }
        Ok(vec![Event::ClerkSignedIn { window, clerk, at: now }])
    }

    pub(super) fn decide_sign_out(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let state = self.staffed_window(window)?;
        if state.current.is_some() {
            return Err(Rejection::WindowBusy);
        }
        Ok(vec![Event::ClerkSignedOut { window, at: now }])
    }

    pub(super) fn decide_pause(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        if self.staffed_window(window)?.paused {
            return Err(Rejection::WindowPaused);
        }
        Ok(vec![Event::WindowPaused { window, at: now }])
    }

    pub(super) fn decide_resume(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        if !self.staffed_window(window)?.paused {
            return Err(Rejection::WindowNotPaused);
        }
        Ok(vec![Event::WindowResumed { window, at: now }])
    }

    pub(super) fn decide_open_window(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        if self.window_state(window)?.open {
            return Err(Rejection::WindowAlreadyOpen);
        }
        Ok(vec![Event::WindowOpened { window, trigger: None, at: now }])
    }

    pub(super) fn decide_close_window(&self, window: WindowId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        let state = self.window_state(window)?;
        if !state.open {
            return Err(Rejection::WindowClosed);
        }
        if state.current.is_some() {
            return Err(Rejection::WindowBusy);
        }
        let mut events = Vec::with_capacity(2);
        if state.clerk.is_some() {
            events.push(Event::ClerkSignedOut { window, at: now });
        }
        events.push(Event::WindowClosed { window, trigger: None, at: now });
        Ok(events)
    }

    pub(super) fn decide_set_skills(
        &self,
        window: WindowId,
        skills: MatterSet,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        self.window_state(window)?;
        if skills.is_empty() {
            return Err(Rejection::EmptySkills);
        }
        if skills.iter().any(|m| self.matter(m).is_none()) {
            return Err(Rejection::UnknownMatter);
        }
        Ok(vec![Event::SkillsChanged { window, skills, at: now }])
    }

    pub(super) fn decide_notice(&self, text: &str, now: Timestamp) -> Result<Vec<Event>, Rejection> {
        if text.chars().count() > self.config.rules.notice_max_chars {
            return Err(Rejection::NoticeTooLong);
        }
        Ok(vec![Event::NoticePosted { text: text.trim().to_owned(), at: now }])
    }
}
