//! `Hall::apply`: fold one event into the state. Never fails and never decides: every choice was made
//! by `decide` and is in the event, so replaying the log rebuilds exactly the live state.

use super::event::Event;
use super::model::{Appointment, Ticket, TicketClass, TicketId, TicketState, WindowId};
use super::queue::{LaneKind, MatterLane, Place, QueueKey};
use super::time::Timestamp;
use super::{initial_window, Day, Hall};

impl Hall {
    /// Applies one event. Events come from `decide` on this state (or from the log, in order); an
    /// event naming something unknown is ignored rather than trusted.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::LayoutChanged { layout, .. } => self.apply_layout(layout),
            Event::CaseOpened { .. } | Event::CaseProgressed { .. } => self.apply_case(event),
            Event::Subscribed { .. } | Event::MessageQueued { .. } | Event::MessageSent { .. } => {
                self.apply_notify(event)
            }
            Event::ClassConfirmed { ticket, kept, .. } => {
                if let Some(t) = self.ticket_mut(*ticket) {
                    t.declared = false;
                    if !kept {
                        (t.class, t.green) = (TicketClass::Normal, None);
                    }
                }
            }
            Event::ClerkLocked { clerk, until, .. } => {
                self.locks.insert(*clerk, *until);
            }
            Event::DayOpened { date, .. } => self.open_day(*date),
            Event::DayClosed { at } => {
                if let Some(day) = &mut self.day {
                    day.closed = true;
                    let date = day.date;
                    self.count_missed(date, *at);
                }
                self.staffing_requests.clear();
            }
            Event::TicketIssued {
                ticket,
                matter,
                seq,
                class,
                green,
                holder,
                appointment,
                source,
                declared,
                at,
                ..
            } => {
                if self.matter(*matter).is_none() {
                    return;
                }
                self.numbers.insert((*matter, *seq), *ticket);
                self.tickets.insert(
                    *ticket,
                    Ticket {
                        id: *ticket,
                        issued_matter: *matter,
                        seq: *seq,
                        matter: *matter,
                        class: *class,
                        green: *green,
                        issued_at: *at,
                        holder: holder.clone(),
                        appointment: appointment.clone(),
                        source: source.clone(),
                        declared: *declared,
                        state: TicketState::Waiting,
                        window: None,
                        calls: 0,
                        recalls: 0,
                        first_called_at: None,
                        called_at: None,
                        service_started_at: None,
                        no_shows: 0,
                        transfers: 0,
                        outcome: None,
                        end_reason: None,
                        rating: None,
                        first: false,
                        target_window: None,
                        place: None,
                    },
                );
                self.next_ticket = ticket.0 + 1;
                let state = &mut self.matters[usize::from(matter.0)];
                state.issued_today = *seq;
                state.arrival_rate = state.arrival_rate_at(*at) + 1.0 / super::ARRIVAL_WINDOW_MS;
                state.last_issued_at = Some(*at);
                if let Some(key) = holder {
                    self.holders.insert((*matter, key.clone()), *ticket);
                    self.day_holders.insert((*matter, key.clone()));
                }
                if let Some(booked) = appointment.as_ref().and_then(|c| self.appointments.get_mut(c)) {
                    booked.ticket = Some(*ticket);
                }
                self.enqueue_in_class_lane(*ticket);
            }
            Event::AppointmentBooked { code, matter, start, end, holder, history, client_key } => {
                let booked = Appointment {
                    matter: *matter,
                    start: *start,
                    end: *end,
                    ticket: None,
                    holder: holder.clone(),
                    history: history.clone(),
                    client_key: client_key.clone(),
                    cancelled: false,
                };
                self.appointments.insert(code.clone(), booked);
            }
            Event::AppointmentCancelled { code, .. } => {
                if let Some(a) = self.appointments.get_mut(code) {
                    a.cancelled = true;
                }
            }
            Event::AppointmentRescheduled { code, start, end, holder, .. } => {
                if let Some(a) = self.appointments.get_mut(code) {
                    (a.start, a.end) = (*start, *end);
                    if holder.is_some() {
                        a.holder.clone_from(holder);
                    }
                }
            }
            Event::TicketCancelled { ticket, .. } => self.end_ticket(*ticket, TicketState::Cancelled),
            Event::ClerkSignedIn { window, clerk, .. } => self.with_window(*window, |w| {
                w.clerk = Some(*clerk);
                w.paused = false;
            }),
            Event::ClerkSignedOut { window, .. } => self.with_window(*window, |w| {
                w.clerk = None;
                w.paused = false;
            }),
            Event::WindowPaused { window, .. } => self.with_window(*window, |w| w.paused = true),
            Event::WindowResumed { window, .. } => self.with_window(*window, |w| w.paused = false),
            Event::TicketCalled { ticket, window, at, .. } => {
                self.dequeue(*ticket);
                let Some(t) = self.ticket_mut(*ticket) else { return };
                let (matter, holder, reopened) = (t.matter, t.holder.clone(), t.state.is_ended());
                t.state = TicketState::Called;
                t.window = Some(*window);
                t.calls += 1;
                t.first_called_at.get_or_insert(*at);
                t.called_at = Some(*at);
                t.first = false;
                t.target_window = None;
                if let Some(key) = holder {
                    // A no-show called back by number holds its place for the ID again.
                    self.holders.insert((matter, key), *ticket);
                }
                if reopened {
                    // Called back by number after it ended (过号 then 特呼): open again, so out of the
                    // ended list. Left there, its old place would forget it the moment it ends again.
                    self.ended.retain(|t| t != ticket);
                }
                self.set_current(*window, Some(*ticket));
                self.note_call(*ticket, *window, *at);
            }
            Event::TicketRecalled { ticket, window, recalls, at } => {
                if let Some(t) = self.ticket_mut(*ticket) {
                    t.recalls = *recalls;
                    t.calls += 1;
                    t.called_at = Some(*at);
                }
                self.note_call(*ticket, *window, *at);
            }
            Event::ServiceStarted { ticket, at, .. } => {
                if let Some(t) = self.ticket_mut(*ticket) {
                    t.state = TicketState::Serving;
                    t.service_started_at = Some(*at);
                }
            }
            Event::ServiceFinished { ticket, window, outcome, service_ms, .. } => {
                self.set_current(*window, None);
                // Not `with_window`: a count changes nothing about which windows call.
                if let Some(w) = self.windows.get_mut(usize::from(window.0)) {
                    w.served_today += 1;
                }
                let Some(t) = self.ticket_mut(*ticket) else { return };
                t.outcome = Some(*outcome);
                let matter = t.matter;
                self.end_ticket(*ticket, TicketState::Done);
                let alpha = self.config.rules.aht_alpha;
                let aht = &mut self.matters[usize::from(matter.0)].aht_ms;
                *aht += alpha * (*service_ms as f64 - *aht);
            }
            Event::TicketNoShow { ticket, window, requeued, .. } => {
                self.set_current(*window, None);
                let Some(t) = self.ticket_mut(*ticket) else { return };
                t.no_shows += 1;
                if *requeued {
                    self.requeue_behind(*ticket);
                } else {
                    self.end_ticket(*ticket, TicketState::NoShow);
                }
            }
            Event::TicketTransferred { ticket, from_window, matter, to_window, first, at } => {
                self.set_current(*from_window, None);
                let Some(t) = self.ticket_mut(*ticket) else { return };
                let (old_matter, holder) = (t.matter, t.holder.clone());
                t.matter = *matter;
                t.transfers += 1;
                t.first = *first;
                t.target_window = *to_window;
                if let Some(key) = holder {
                    self.holders.remove(&(old_matter, key.clone()));
                    self.holders.insert((*matter, key), *ticket);
                }
                match (to_window, first) {
                    (Some(w), _) => self.enqueue(*ticket, LaneKind::Targeted(*w), *at),
                    (None, true) => self.enqueue(*ticket, LaneKind::Matter(MatterLane::Returning), *at),
                    (None, false) => self.enqueue_in_class_lane(*ticket),
                }
            }
            Event::TicketHeld { ticket, window, .. } => {
                self.set_current(*window, None);
                if let Some(t) = self.ticket_mut(*ticket) {
                    t.state = TicketState::Held;
                }
            }
            Event::HeldTicketResumed { ticket, window, at } => {
                if let Some(t) = self.ticket_mut(*ticket) {
                    t.first = true;
                    t.target_window = Some(*window);
                }
                self.enqueue(*ticket, LaneKind::Targeted(*window), *at);
            }
            Event::TicketRated { ticket, rating, .. } => {
                if let Some(t) = self.ticket_mut(*ticket) {
                    t.rating = Some(*rating);
                }
            }
            Event::TicketEnded { ticket, reason, .. } => {
                if let Some(w) = self.ticket(*ticket).and_then(|t| t.window) {
                    if self.window(w).is_some_and(|s| s.current == Some(*ticket)) {
                        self.set_current(w, None);
                    }
                }
                if let Some(t) = self.ticket_mut(*ticket) {
                    t.end_reason = Some(*reason);
                }
                self.end_ticket(*ticket, TicketState::Closed);
            }
            Event::WindowOpened { window, at, .. } => {
                self.with_window(*window, |w| {
                    w.open = true;
                    w.opened_at = Some(*at);
                });
                self.staffing_requests.remove(window);
            }
            Event::WindowClosed { window, at, .. } => {
                self.with_window(*window, |w| {
                    w.open = false;
                    w.paused = false;
                    w.opened_at = None;
                });
                self.release_targeted(*window, *at);
            }
            Event::SkillsChanged { window, skills, at } => {
                self.with_window(*window, |w| w.skills = *skills);
                self.release_targeted(*window, *at);
            }
            Event::NoticePosted { text, .. } => self.notice.clone_from(text),
            Event::IssuingStopped { matter, .. } => self.cut_off.insert(*matter),
            Event::IssuingResumed { matter, .. } => self.cut_off.remove(*matter),
            Event::StaffingRequested { window, trigger, .. } => {
                if self.window(*window).is_some() {
                    self.staffing_requests.insert(*window, *trigger);
                }
            }
            Event::StaffingWithdrawn { window, .. } => {
                self.staffing_requests.remove(window);
            }
            Event::HelpRequested { kiosk, at } => {
                // The wall shows the latest requests; older ones have been seen to by then.
                if self.help_requests.len() >= super::MAX_HELP_REQUESTS {
                    self.help_requests.remove(0);
                }
                self.help_requests.push((kiosk.clone(), *at));
            }
            Event::HelpAnswered { kiosk, .. } => self.help_requests.retain(|(k, _)| k != kiosk),
        }
    }

    fn open_day(&mut self, date: super::Date) {
        self.day = Some(Day { date, closed: false });
        self.tickets.clear();
        self.numbers.clear();
        self.ended.clear();
        self.recent_calls.clear();
        self.holders.clear();
        self.day_holders.clear();
        // Yesterday's numbers and the messages not sent: their keys are destroyed as the day opens.
        self.subscriptions.clear();
        self.outbox.clear();
        for state in &mut self.matters {
            state.issued_today = 0;
            state.arrival_rate = 0.0;
            state.last_issued_at = None;
            state.queues = Default::default();
        }
        self.windows = self.config.windows.iter().map(initial_window).collect();
        self.staffing_requests.clear();
        let day_start = date.at_minute(0, self.config.utc_offset_min);
        self.appointments.retain(|_, a| a.end >= day_start);
        self.recount_active();
    }

    fn ticket_mut(&mut self, id: TicketId) -> Option<&mut Ticket> {
        self.tickets.get_mut(&id)
    }

    /// Puts a call at the top of the recent calls, where each ticket appears once.
    fn note_call(&mut self, ticket: TicketId, window: WindowId, at: Timestamp) {
        let Some(t) = self.ticket(ticket) else { return };
        let number = self.number(t);
        self.recent_calls.retain(|c| c.ticket != ticket);
        self.recent_calls.insert(0, super::RecentCall { ticket, number, window, at });
        self.recent_calls.truncate(super::RECENT_CALLS);
    }

    /// Changes a window, then recounts which windows call for which matters.
    fn with_window(&mut self, window: WindowId, change: impl FnOnce(&mut super::WindowState)) {
        if let Some(w) = self.windows.get_mut(usize::from(window.0)) {
            change(w);
            self.recount_active();
        }
    }

    fn set_current(&mut self, window: WindowId, ticket: Option<TicketId>) {
        if let Some(w) = self.windows.get_mut(usize::from(window.0)) {
            w.current = ticket;
        }
    }

    /// Recomputes, per matter, how many windows will call for it (for the routing policy's protection).
    pub(super) fn recount_active(&mut self) {
        for state in &mut self.matters {
            state.active_windows = 0;
        }
        for w in &self.windows {
            if w.open && !w.paused && w.clerk.is_some() {
                for m in w.skills.iter() {
                    if let Some(state) = self.matters.get_mut(usize::from(m.0)) {
                        state.active_windows += 1;
                    }
                }
            }
        }
    }

    /// Puts a waiting ticket in the lane of its class, at its own time.
    fn enqueue_in_class_lane(&mut self, ticket: TicketId) {
        let Some(t) = self.ticket(ticket) else { return };
        let (lane, pos) = self.class_lane(t);
        self.place(ticket, LaneKind::Matter(lane), QueueKey::own(pos, ticket));
    }

    /// The lane a ticket's class waits in, and its own position there.
    fn class_lane(&self, t: &Ticket) -> (MatterLane, i64) {
        match t.class {
            TicketClass::Appointment => {
                let start = t.appointment.as_ref().and_then(|c| self.appointments.get(c)).map(|a| a.start);
                (MatterLane::Appointment, start.unwrap_or(t.issued_at).0)
            }
            TicketClass::Green => (MatterLane::Green, t.issued_at.0),
            TicketClass::Normal => (MatterLane::Normal, t.issued_at.0),
        }
    }

    /// Puts a ticket at the end of a lane as of `at` (returning and targeted lanes).
    fn enqueue(&mut self, ticket: TicketId, lane: LaneKind, at: Timestamp) {
        self.place(ticket, lane, QueueKey::own(at.0, ticket));
    }

    /// A no-show goes back into its class lane behind the configured number of tickets.
    fn requeue_behind(&mut self, ticket: TicketId) {
        let Some(t) = self.ticket(ticket) else { return };
        let (lane, own_pos) = self.class_lane(t);
        let places = self.config.rules.no_show_requeue_places;
        let key = self.matters[usize::from(t.matter.0)].queues.lane(lane).key_behind(places, ticket, own_pos);
        self.place(ticket, LaneKind::Matter(lane), key);
    }

    fn place(&mut self, ticket: TicketId, lane: LaneKind, key: QueueKey) {
        let Some(t) = self.ticket_mut(ticket) else { return };
        t.state = TicketState::Waiting;
        t.place = Some(Place { lane, key });
        let (matter, issued_at) = (t.matter, t.issued_at);
        match lane {
            LaneKind::Targeted(w) => {
                if let Some(state) = self.windows.get_mut(usize::from(w.0)) {
                    state.targeted.insert(key, ticket);
                }
            }
            LaneKind::Matter(kind) => {
                let queues = &mut self.matters[usize::from(matter.0)].queues;
                queues.lane_mut(kind).insert(key, ticket);
                queues.by_issue.insert((issued_at, ticket));
            }
        }
    }

    fn dequeue(&mut self, ticket: TicketId) {
        let Some(t) = self.ticket_mut(ticket) else { return };
        let Some(place) = t.place.take() else { return };
        let (matter, issued_at) = (t.matter, t.issued_at);
        match place.lane {
            LaneKind::Targeted(w) => {
                if let Some(state) = self.windows.get_mut(usize::from(w.0)) {
                    state.targeted.remove(&place.key);
                }
            }
            LaneKind::Matter(kind) => {
                let queues = &mut self.matters[usize::from(matter.0)].queues;
                queues.lane_mut(kind).remove(&place.key);
                queues.by_issue.remove(&(issued_at, ticket));
            }
        }
    }

    /// Ends a ticket: out of any queue, its ID free for a new ticket of the matter. Past
    /// [`super::Rules::ended_tickets_kept`] ended tickets, the one that ended first is forgotten.
    fn end_ticket(&mut self, ticket: TicketId, state: TicketState) {
        self.dequeue(ticket);
        let Some(t) = self.ticket_mut(ticket) else { return };
        t.state = state;
        let (matter, holder) = (t.matter, t.holder.clone());
        if let Some(key) = holder {
            let slot = (matter, key);
            if self.holders.get(&slot) == Some(&ticket) {
                self.holders.remove(&slot);
            }
        }
        self.ended.push_back(ticket);
        self.forget_ended();
    }

    /// Forgets the earliest ended tickets beyond the number kept. A ticket called back since it ended
    /// is open again and no longer listed (see `TicketCalled`); the state check is a second guard.
    pub(super) fn forget_ended(&mut self) {
        while self.ended.len() > self.config.rules.ended_tickets_kept {
            let Some(id) = self.ended.pop_front() else { break };
            if self.tickets.get(&id).is_some_and(|t| t.state.is_ended()) {
                if let Some(t) = self.tickets.remove(&id) {
                    self.numbers.remove(&(t.issued_matter, t.seq));
                }
            }
        }
    }

    /// Tickets waiting for a window that closed or no longer serves their matter go back to their
    /// matter, ahead of ordinary tickets, so nobody waits for a window that will not call them.
    fn release_targeted(&mut self, window: WindowId, at: Timestamp) {
        let Some(state) = self.window(window) else { return };
        let keep_open = state.open;
        let skills = state.skills;
        let stranded: Vec<TicketId> = state
            .targeted
            .iter()
            .map(|(_, t)| t)
            .filter(|t| !keep_open || self.ticket(*t).is_none_or(|t| !skills.contains(t.matter)))
            .collect();
        for ticket in stranded {
            self.dequeue(ticket);
            if let Some(t) = self.ticket_mut(ticket) {
                t.target_window = None;
                t.first = true;
            }
            self.enqueue(ticket, LaneKind::Matter(MatterLane::Returning), at);
        }
    }
}
