//! Between the core's facts and the public contract in `kiosk-protocol`.
//!
//! The core speaks in dense ids (matter 3, window 7, ticket 1042) so routing is array work; terminals
//! speak in names people use (matter `tax`, window 5, ticket `A023`). This module is the only place
//! that translates, in both directions: requests to commands, events and state to views.
//! See `docs/decisions/0002-core-events-vs-wire-types.md`.

use crate::core::cases::{Case, CaseStep};
use crate::core::estimate::Estimate;
use crate::core::queue::LaneKind;
use crate::core::{
    CallReason, ClerkId, Command, Event, Hall, Holder, HolderKey, MatterId, MatterSet, Rejection, StaffingTrigger,
    Ticket, TicketClass, TicketId, TicketNumber, TicketState, Timestamp, TransferTo, WindowId,
};
use crate::identity;
use crate::store::{Actor, Record};
use kiosk_protocol::view;
use kiosk_protocol::vocab::CaseStepKind;
use kiosk_protocol::{
    CallReasonView, CallView, CaseDueView, CaseView, ErrorCode, HallView, HelpView, LockView, MatterView,
    OpenTicketView, RequestBody, ServerMessage, StaffingRequestView, StaffingView, TicketView, WaitEstimate,
    WindowLayout, WindowView, WireEvent,
};

/// A request that cannot become a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// Stable code.
    pub code: ErrorCode,
    /// Detail for logs.
    pub message: String,
}

impl From<Rejection> for WireError {
    fn from(r: Rejection) -> WireError {
        WireError { code: r.code(), message: r.to_string() }
    }
}

fn window_id(hall: &Hall, number: u16) -> Result<WindowId, WireError> {
    hall.config().window_by_number(number).ok_or_else(|| Rejection::UnknownWindow.into())
}

fn matter_id(hall: &Hall, key: &str) -> Result<MatterId, WireError> {
    hall.config().matter_by_key(key).ok_or_else(|| Rejection::UnknownMatter.into())
}

fn ticket_id(hall: &Hall, number: &str) -> Result<TicketId, WireError> {
    let number: TicketNumber = number.parse().map_err(|()| WireError::from(Rejection::UnknownTicket))?;
    hall.ticket_by_number(number).map(|t| t.id).ok_or_else(|| Rejection::UnknownTicket.into())
}

/// A mainland mobile number sealed, or `invalid_phone`.
pub fn sealed_phone(
    phone: &str,
    seal: &dyn Fn(&str) -> crate::core::notify::SealedPhone,
) -> Result<crate::core::notify::SealedPhone, WireError> {
    if !crate::auth::is_mobile_number(phone) {
        let message = "a mainland mobile number: 11 digits, the first 1".to_owned();
        return Err(WireError { code: ErrorCode::InvalidPhone, message });
    }
    Ok(seal(phone))
}

/// The birth date of a well-formed ID number (its check digit right), or `invalid_id_number`.
fn birth_date(raw: &str) -> Result<crate::core::Date, WireError> {
    identity::birth_date(raw)
        .map_err(|e| WireError { code: ErrorCode::InvalidIdNumber, message: format!("ID number refused: {e:?}") })
}

/// The command a request asks for; `None` for `hello` and `get_state`, which the session answers itself.
///
/// `hash_id` turns a raw ID number into the keyed hash the core keeps, `seal_phone` a phone number into
/// its sealed form (the shell holds the keys).
pub fn command(
    hall: &Hall,
    request: &RequestBody,
    hash_id: &dyn Fn(&str) -> HolderKey,
    seal_phone: &dyn Fn(&str) -> crate::core::notify::SealedPhone,
) -> Result<Option<Command>, WireError> {
    use RequestBody as R;
    let w = |n: &u16| window_id(hall, *n);
    let command = match request {
        // The writer answers `get_ticket` from the hall; the session, `hello` and `get_state`.
        R::Hello { .. } | R::Follow { .. } | R::GetState {} | R::GetTicket { .. } => return Ok(None),
        R::IssueTicket { matter, green, id_number } => {
            let holder = match id_number {
                None => None,
                Some(raw) => Some(Holder { birth_date: Some(birth_date(raw)?), key: hash_id(raw) }),
            };
            Command::IssueTicket { matter: matter_id(hall, matter)?, green: *green, holder, source: None }
        }
        R::CheckIn { code: Some(code), id_number: None } => Command::CheckIn { code: code.clone(), source: None },
        R::CheckIn { code: None, id_number: Some(raw) } => {
            birth_date(raw)?;
            Command::CheckInById { holder: hash_id(raw), source: None }
        }
        R::CheckIn { .. } => {
            let message = "check_in takes a booking code or an ID number, one of the two".to_owned();
            return Err(WireError { code: ErrorCode::BadRequest, message });
        }
        // The session's device is the kiosk; the writer fills it in.
        R::RequestHelp {} => Command::RequestHelp { kiosk: String::new() },
        R::CancelTicket { ticket } => Command::CancelTicket { ticket: ticket_id(hall, ticket)?, by: None },
        R::Subscribe { ticket, phone } => {
            let Some(ticket) = ticket else {
                return Err(WireError { code: ErrorCode::BadRequest, message: "which ticket: `ticket`".into() });
            };
            Command::Subscribe { ticket: ticket_id(hall, ticket)?, phone: sealed_phone(phone, seal_phone)?, by: None }
        }
        R::BookAppointment { code, matter, start, end } => Command::BookAppointment {
            code: code.clone(),
            matter: matter_id(hall, matter)?,
            start: Timestamp(*start),
            end: Timestamp(*end),
        },
        // The session checked the PIN before the request came here (argon2 is too slow for the writer).
        R::SignIn { window, clerk, .. } => {
            let window = w(window)?;
            let clerk = hall.config().clerk_by_key(clerk).ok_or(Rejection::UnknownClerk)?;
            Command::SignIn { window, clerk }
        }
        R::SignOut { window } => Command::SignOut { window: w(window)? },
        R::Pause { window } => Command::Pause { window: w(window)? },
        R::Resume { window } => Command::Resume { window: w(window)? },
        R::CallNext { window } => Command::CallNext { window: w(window)? },
        R::CallNumber { window, ticket } => Command::CallNumber {
            window: w(window)?,
            number: ticket.parse().map_err(|()| WireError::from(Rejection::UnknownTicket))?,
        },
        R::Recall { window } => Command::Recall { window: w(window)? },
        R::StartService { window } => Command::StartService { window: w(window)? },
        R::Finish { window, outcome } => Command::Finish { window: w(window)?, outcome: *outcome },
        R::NoShow { window } => Command::NoShow { window: w(window)? },
        R::Transfer { window, matter, to_window, first } => Command::Transfer {
            window: w(window)?,
            to: TransferTo {
                matter: matter.as_deref().map(|m| matter_id(hall, m)).transpose()?,
                window: to_window.as_ref().map(w).transpose()?,
                first: *first,
            },
        },
        R::Hold { window } => Command::Hold { window: w(window)? },
        R::ResumeHeld { window, ticket } => {
            Command::ResumeHeld { window: w(window)?, ticket: ticket_id(hall, ticket)? }
        }
        R::ConfirmClass { window, keep } => Command::ConfirmClass { window: w(window)?, keep: *keep },
        R::Rate { window, ticket, rating, reason, comment } => Command::Rate {
            window: w(window)?,
            ticket: ticket_id(hall, ticket)?,
            rating: *rating,
            reason: reason.clone(),
            comment: comment.clone(),
        },
        R::ProgressCase { case, step, to, note } => Command::ProgressCase {
            case: *case,
            step: match step {
                CaseStepKind::Assigned => CaseStep::Assigned {
                    to: to.clone().ok_or_else(|| WireError {
                        code: ErrorCode::BadRequest,
                        message: "`assigned` needs `to`: who the case is assigned to".into(),
                    })?,
                },
                CaseStepKind::Contacted => CaseStep::Contacted,
                CaseStepKind::Resolved => CaseStep::Resolved,
            },
            note: note.clone(),
        },
        R::OpenWindow { window } => Command::OpenWindow { window: w(window)? },
        R::CloseWindow { window } => Command::CloseWindow { window: w(window)? },
        R::SetSkills { window, matters } => Command::SetSkills {
            window: w(window)?,
            skills: MatterSet::of(matters.iter().map(|m| matter_id(hall, m)).collect::<Result<Vec<_>, _>>()?),
        },
        R::PostNotice { text } => Command::PostNotice { text: text.clone() },
        R::AnswerHelp { kiosk } => Command::AnswerHelp { kiosk: kiosk.clone() },
        R::CloseDay {} => Command::CloseDay,
        R::SetHallDate { date } => Command::CorrectDate {
            date: date.parse().map_err(|_| WireError {
                code: ErrorCode::BadRequest,
                message: format!("`{date}` is not a date (YYYY-MM-DD)"),
            })?,
        },
        R::AcceptStaffing { window } => Command::AcceptStaffing { window: w(window)? },
    };
    Ok(Some(command))
}

fn number(hall: &Hall, id: TicketId) -> String {
    hall.ticket(id).map_or_else(|| format!("#{}", id.0), |t| hall.number(t).to_string())
}

fn window_number(hall: &Hall, w: WindowId) -> u16 {
    hall.config().windows.get(usize::from(w.0)).map_or(0, |s| s.number)
}

/// A case as terminals see it.
pub fn case_view(hall: &Hall, case: &Case) -> CaseView {
    CaseView {
        id: case.id,
        ticket: case.number.to_string(),
        matter: matter_key(hall, case.matter),
        window: window_number(hall, case.window),
        clerk: case.clerk.map(|c| clerk_key(hall, c)),
        rating: case.rating,
        reason: case.reason.clone(),
        comment: case.comment.clone(),
        opened_at: case.opened_at.0,
        due: CaseDueView { assign: case.due.assign.0, contact: case.due.contact.0, resolve: case.due.resolve.0 },
        assigned_to: case.assigned_to.clone(),
        contacted_at: case.contacted_at.map(|t| t.0),
    }
}

fn clerk_key(hall: &Hall, c: ClerkId) -> String {
    hall.config().clerks.get(usize::from(c.0)).map_or_else(String::new, |c| c.key.clone())
}

fn matter_key(hall: &Hall, m: MatterId) -> String {
    hall.config().matters.get(usize::from(m.0)).map_or_else(String::new, |s| s.key.clone())
}

/// A ticket as terminals see it.
pub fn ticket_view(hall: &Hall, t: &Ticket) -> TicketView {
    // Counted from the back: a new ticket (the usual case) is at the end, so this is O(1), not O(queue).
    let ahead = (t.state == TicketState::Waiting).then(|| {
        hall.matter(t.matter).map_or(0, |m| {
            let behind = m.queues.by_issue.range((t.issued_at, t.id)..).count();
            m.queues.by_issue.len().saturating_sub(behind) as u32
        })
    });
    TicketView {
        number: hall.number(t).to_string(),
        matter: matter_key(hall, t.matter),
        class: t.class,
        green: t.green,
        state: t.state,
        issued_at: t.issued_at.0,
        window: t.window.map(|w| window_number(hall, w)),
        ahead,
        id_masked: None,
        estimate: None,
        declared: t.declared,
        capability: None,
    }
}

/// A wait estimate for terminals.
pub fn wait_estimate(e: Estimate) -> WaitEstimate {
    WaitEstimate { ahead: e.ahead, median_ms: e.wait_ms.map(|w| w.0), p80_ms: e.wait_ms.map(|w| w.1) }
}

/// The numbers behind a staffing change, for terminals.
pub fn staffing_view(hall: &Hall, t: &StaffingTrigger) -> StaffingView {
    StaffingView {
        matter: matter_key(hall, t.matter),
        waiting: t.waiting,
        windows: t.windows,
        predicted_ms: t.predicted_ms,
        target_ms: t.target_ms,
        aht_ms: t.aht_ms,
    }
}

/// Why a ticket was called, for terminals.
pub fn call_reason(reason: &CallReason) -> CallReasonView {
    match *reason {
        CallReason::MaxWait { wait_ms } => CallReasonView::MaxWait { wait_ms },
        CallReason::Targeted => CallReasonView::Targeted,
        CallReason::Returning => CallReasonView::Returning,
        CallReason::Appointment => CallReasonView::Appointment,
        CallReason::Green => CallReasonView::Green,
        CallReason::Policy { policy, wait_ms, target_ms, protected } => {
            CallReasonView::Policy { policy: policy.name().to_owned(), wait_ms, target_ms, protected }
        }
        CallReason::EarlyAppointment => CallReasonView::EarlyAppointment,
        CallReason::ByNumber => CallReasonView::ByNumber,
    }
}

/// The ledger record of `event` (applied to `hall` already) at `seq`: the event, and its `event` message
/// as terminals receive it; with the wire form, which the writer also folds into its view.
pub fn record(hall: &Hall, seq: u64, at: i64, event: Event, by: Option<Actor>) -> (Record, WireEvent) {
    let message = ServerMessage::Event { seq, at, event: self::event(hall, &event) };
    let wire = serde_json::to_string(&message).unwrap_or_default();
    let ServerMessage::Event { event: wired, .. } = message else { unreachable!("built as an event just above") };
    (Record { seq, event, wire, by }, wired)
}

/// An event as terminals receive it. Call after the event is applied, so names resolve.
pub fn event(hall: &Hall, e: &Event) -> WireEvent {
    let n = |id: &TicketId| number(hall, *id);
    let wn = |w: &WindowId| window_number(hall, *w);
    match e {
        Event::LayoutChanged { at, .. } => {
            let view = hall_view(hall, *at);
            WireEvent::LayoutChanged { matters: view.matters, windows: view.windows }
        }
        Event::ClassConfirmed { ticket, window, kept, .. } => {
            WireEvent::ClassConfirmed { ticket: n(ticket), window: wn(window), kept: *kept }
        }
        Event::ClerkLocked { clerk, failures, until, .. } => {
            WireEvent::ClerkLocked { clerk: clerk_key(hall, *clerk), failures: *failures, until: until.0 }
        }
        Event::DayOpened { date, .. } => WireEvent::DayOpened {
            date: date.to_string(),
            windows: hall
                .config()
                .windows
                .iter()
                .filter(|w| !w.retired)
                .map(|w| WindowLayout {
                    window: w.number,
                    matters: w.skills.iter().map(|m| matter_key(hall, m)).collect(),
                })
                .collect(),
        },
        Event::DayClosed { .. } => WireEvent::DayClosed {},
        Event::TicketIssued { ticket, matter, seq, class, green, source, declared, printed, at, .. } => {
            // The view as of issue: the event says everything, whatever happened since.
            let prefix = hall.config().matters.get(usize::from(matter.0)).map_or('?', |m| m.prefix);
            let ahead = hall.ticket(*ticket).and_then(|t| ticket_view(hall, t).ahead);
            WireEvent::TicketIssued {
                ticket: TicketView {
                    number: TicketNumber { prefix, seq: *seq }.to_string(),
                    matter: matter_key(hall, *matter),
                    class: *class,
                    green: *green,
                    state: TicketState::Waiting,
                    issued_at: at.0,
                    window: None,
                    ahead: Some(ahead.unwrap_or(0)),
                    id_masked: None,
                    // What the kiosk printed (a print agent prints the same).
                    estimate: printed.map(|p| WaitEstimate {
                        ahead: ahead.unwrap_or(0),
                        median_ms: Some(p.median_ms),
                        p80_ms: Some(p.p80_ms),
                    }),
                    declared: *declared,
                    // Never on the wire: whoever holds it follows the ticket.
                    capability: None,
                },
                kiosk: source.clone(),
            }
        }
        // The booker's ID hash and the online channel's key stay in the ledger: never on the wire.
        Event::AppointmentBooked { code, matter, start, end, .. } => WireEvent::AppointmentBooked {
            code: code.clone(),
            matter: matter_key(hall, *matter),
            start: start.0,
            end: end.0,
        },
        Event::AppointmentCancelled { code, .. } => WireEvent::AppointmentCancelled { code: code.clone() },
        Event::AppointmentRescheduled { code, start, end, .. } => {
            WireEvent::AppointmentRescheduled { code: code.clone(), start: start.0, end: end.0 }
        }
        Event::TicketCancelled { ticket, .. } => WireEvent::TicketCancelled { ticket: n(ticket) },
        Event::ClerkSignedIn { window, clerk, .. } => WireEvent::ClerkSignedIn {
            window: wn(window),
            // The 工号 (clerk key), never the name: every display and export sees this event.
            clerk: clerk_key(hall, *clerk),
        },
        Event::ClerkSignedOut { window, .. } => WireEvent::ClerkSignedOut { window: wn(window) },
        Event::WindowPaused { window, .. } => WireEvent::WindowPaused { window: wn(window) },
        Event::WindowResumed { window, .. } => WireEvent::WindowResumed { window: wn(window) },
        Event::TicketCalled { ticket, window, reason, .. } => WireEvent::TicketCalled {
            ticket: n(ticket),
            matter: hall.ticket(*ticket).map_or_else(String::new, |t| matter_key(hall, t.matter)),
            window: wn(window),
            reason: call_reason(reason),
            issued_at: hall.ticket(*ticket).map_or(0, |t| t.issued_at.0),
        },
        Event::TicketRecalled { ticket, window, recalls, .. } => {
            WireEvent::TicketRecalled { ticket: n(ticket), window: wn(window), recalls: *recalls }
        }
        Event::ServiceStarted { ticket, window, .. } => {
            WireEvent::ServiceStarted { ticket: n(ticket), window: wn(window) }
        }
        Event::ServiceFinished { ticket, window, outcome, service_ms, .. } => {
            let matter = hall.ticket(*ticket).map(|t| t.matter);
            WireEvent::ServiceFinished {
                ticket: n(ticket),
                window: wn(window),
                outcome: *outcome,
                service_ms: *service_ms,
                matter: matter.map(|m| matter_key(hall, m)).unwrap_or_default(),
                aht_ms: matter.and_then(|m| hall.matter(m)).map_or(0, |s| s.aht_ms.round() as i64),
            }
        }
        Event::TicketNoShow { ticket, window, requeued, .. } => {
            WireEvent::TicketNoShow { ticket: n(ticket), window: wn(window), requeued: *requeued }
        }
        Event::TicketTransferred { ticket, from_window, matter, to_window, first, .. } => {
            WireEvent::TicketTransferred {
                ticket: n(ticket),
                from_window: wn(from_window),
                matter: matter_key(hall, *matter),
                to_window: to_window.as_ref().map(wn),
                first: *first,
            }
        }
        Event::TicketHeld { ticket, window, .. } => WireEvent::TicketHeld { ticket: n(ticket), window: wn(window) },
        Event::HeldTicketResumed { ticket, window, .. } => {
            WireEvent::HeldTicketResumed { ticket: n(ticket), window: wn(window) }
        }
        Event::CaseOpened { case } => WireEvent::CaseOpened { case: case_view(hall, case) },
        Event::CaseProgressed { case, step, note, .. } => WireEvent::CaseProgressed {
            case: *case,
            step: match step {
                CaseStep::Assigned { .. } => CaseStepKind::Assigned,
                CaseStep::Contacted => CaseStepKind::Contacted,
                CaseStep::Resolved => CaseStepKind::Resolved,
            },
            to: match step {
                CaseStep::Assigned { to } => Some(to.clone()),
                _ => None,
            },
            note: note.clone(),
        },
        Event::TicketRated { ticket, window, rating, reason, comment, .. } => WireEvent::TicketRated {
            ticket: n(ticket),
            window: wn(window),
            rating: *rating,
            reason: reason.clone(),
            comment: comment.clone(),
        },
        Event::TicketEnded { ticket, reason, .. } => WireEvent::TicketEnded { ticket: n(ticket), reason: *reason },
        Event::WindowOpened { window, trigger, .. } => WireEvent::WindowOpened {
            window: wn(window),
            window_kind: hall
                .config()
                .windows
                .get(usize::from(window.0))
                .map_or(crate::core::WindowKind::Regular, |w| w.kind),
            matters: hall
                .window(*window)
                .map_or_else(Vec::new, |w| w.skills.iter().map(|m| matter_key(hall, m)).collect()),
            staffing: trigger.as_ref().map(|t| staffing_view(hall, t)),
        },
        Event::WindowClosed { window, trigger, .. } => {
            WireEvent::WindowClosed { window: wn(window), staffing: trigger.as_ref().map(|t| staffing_view(hall, t)) }
        }
        Event::StaffingRequested { window, trigger, .. } => WireEvent::StaffingRequested {
            request: StaffingRequestView { window: wn(window), staffing: staffing_view(hall, trigger) },
        },
        Event::StaffingWithdrawn { window, .. } => WireEvent::StaffingWithdrawn { window: wn(window) },
        Event::SkillsChanged { window, skills, .. } => WireEvent::SkillsChanged {
            window: wn(window),
            matters: skills.iter().map(|m| matter_key(hall, m)).collect(),
        },
        Event::NoticePosted { text, .. } => WireEvent::NoticePosted { text: text.clone() },
        Event::HelpRequested { kiosk, .. } => WireEvent::HelpRequested { kiosk: kiosk.clone() },
        Event::HelpAnswered { kiosk, .. } => WireEvent::HelpAnswered { kiosk: kiosk.clone() },
        Event::IssuingStopped { matter, .. } => WireEvent::IssuingStopped { matter: matter_key(hall, *matter) },
        Event::IssuingResumed { matter, .. } => WireEvent::IssuingResumed { matter: matter_key(hall, *matter) },
        // The sealed phone number stays in the ledger.
        Event::Subscribed { ticket, .. } => WireEvent::Subscribed { ticket: n(ticket) },
        Event::MessageQueued { message, ticket, kind, ahead, window, .. } => WireEvent::MessageQueued {
            message: *message,
            ticket: n(ticket),
            message_kind: match kind {
                crate::core::notify::MessageKind::Near => kiosk_protocol::MessageKind::Near,
                crate::core::notify::MessageKind::Called => kiosk_protocol::MessageKind::Called,
            },
            ahead: *ahead,
            window: window.as_ref().map(wn),
        },
        Event::MessageSent { message, .. } => WireEvent::MessageSent { message: *message },
    }
}

/// What a new ordinary ticket of each matter would wait at `now`, by matter index (none before a day
/// is open).
fn matter_estimates(hall: &Hall, now: Timestamp) -> Vec<Option<WaitEstimate>> {
    (0..hall.config().matters.len())
        .map(|i| {
            hall.day().is_some().then(|| wait_estimate(hall.estimate(MatterId(i as u16), TicketClass::Normal, now)))
        })
        .collect()
}

/// The hall as displays and supervisors draw it at `now` (wait estimates depend on it), built from the
/// engine's state: the server's starting point, and the reference its folded view is tested against.
pub fn hall_view(hall: &Hall, now: Timestamp) -> HallView {
    let estimates = matter_estimates(hall, now);
    let config = hall.config();
    let mut tickets: Vec<OpenTicketView> = hall
        .tickets()
        .filter(|t| !t.state.is_ended())
        .map(|t| {
            let window = match t.state {
                TicketState::Waiting => t.place.and_then(|p| match p.lane {
                    LaneKind::Targeted(w) => Some(w),
                    LaneKind::Matter(_) => None,
                }),
                TicketState::Held => None,
                _ => t.window,
            };
            OpenTicketView {
                ticket: hall.number(t).to_string(),
                matter: matter_key(hall, t.matter),
                issued_at: t.issued_at.0,
                state: t.state,
                window: window.map(|w| window_number(hall, w)),
            }
        })
        .collect();
    tickets.sort_by(view::ticket_order);
    let recent_calls = hall
        .recent_calls()
        .iter()
        .map(|c| CallView { ticket: c.number.to_string(), window: window_number(hall, c.window), at: c.at.0 })
        .collect();
    let matters = config
        .matters
        .iter()
        .enumerate()
        .filter(|(_, spec)| !spec.retired)
        .map(|(i, spec)| {
            let id = MatterId(i as u16);
            let state = hall.matter(id);
            // Queue, waiting, longest wait and active windows follow from tickets and windows: `settle`.
            MatterView {
                key: spec.key.clone(),
                name_zh: spec.name_zh.clone(),
                name_en: spec.name_en.clone(),
                prefix: spec.prefix.to_string(),
                waiting: 0,
                target_wait_ms: spec.target_wait_ms,
                aht_ms: state.map_or(spec.handling_norm_ms, |s| s.aht_ms.round() as i64),
                active_windows: 0,
                oldest_issued_at: None,
                queue: Vec::new(),
                estimate: estimates.get(i).copied().flatten(),
            }
        })
        .collect();
    let windows = config
        .windows
        .iter()
        .enumerate()
        .filter(|(_, spec)| !spec.retired)
        .filter_map(|(i, spec)| {
            let id = WindowId(i as u16);
            let state = hall.window(id)?;
            Some(WindowView {
                number: spec.number,
                name: spec.name.clone(),
                zone: spec.zone.clone(),
                kind: spec.kind,
                status: hall.window_status(id)?,
                matters: state.skills.iter().map(|m| matter_key(hall, m)).collect(),
                current: state.current.map(|t| number(hall, t)),
                current_since: state.current.and_then(|t| hall.ticket(t)?.called_at).map(|at| at.0),
                clerk: state.clerk.and_then(|c| config.clerks.get(usize::from(c.0))).map(|c| c.key.clone()),
                served_today: state.served_today,
                paused: state.paused,
            })
        })
        .collect();
    let mut view = HallView {
        name: config.name.clone(),
        date: hall.day().map(|d| d.date.to_string()),
        notice: hall.notice().to_owned(),
        matters,
        windows,
        recent_calls,
        help: hall
            .help_requests()
            .iter()
            .rev()
            .map(|(kiosk, at)| HelpView { kiosk: kiosk.clone(), at: at.0 })
            .collect(),
        staffing_requests: hall
            .staffing_requests()
            .iter()
            .map(|(w, t)| StaffingRequestView { window: window_number(hall, *w), staffing: staffing_view(hall, t) })
            .collect(),
        tickets,
        cut_off: hall.cut_off_matters().iter().map(|m| matter_key(hall, m)).collect(),
        server_date: Some(now.local(config.utc_offset_min).0.to_string()),
        locked: hall
            .locked_clerks(now)
            .map(|(c, until)| LockView { clerk: clerk_key(hall, c), until: until.0 })
            .collect(),
        cases: hall.open_cases().map(|c| case_view(hall, c)).collect(),
        clock_warning: None,
    };
    view.settle();
    view
}
