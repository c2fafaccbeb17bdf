//! Roles and what each may ask. Deny by default: a request not listed for a role is `forbidden`.
//! Requests that name a window are further limited, by the server, to the windows a device is bound to.

use crate::request::RequestBody;
use serde::{Deserialize, Serialize};

/// What a device is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Self-service kiosk (取号机).
    Kiosk,
    /// Clerk terminal, bound to its windows.
    Clerk,
    /// Hall or window display: reads only.
    Display,
    /// Evaluator pad (评价器), bound to a window.
    Evaluator,
    /// Supervisor.
    Supervisor,
    /// The province's online channel: books over HTTP (`/api/v1`, docs/api.md) and nothing else; the
    /// WebSocket refuses it at `hello`.
    Integration,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] =
        [Role::Kiosk, Role::Clerk, Role::Display, Role::Evaluator, Role::Supervisor, Role::Integration];

    /// Whether this role may send `request` at all (`hello` and `get_state` are always allowed, but to
    /// `integration`, which has no WebSocket session).
    pub fn may(self, request: &RequestBody) -> bool {
        use RequestBody as R;
        matches!(
            (self, request),
            (
                Role::Kiosk | Role::Clerk | Role::Display | Role::Evaluator | Role::Supervisor,
                R::Hello { .. } | R::GetState {}
            ) | (Role::Display, R::GetTicket { .. })
                | (
                    Role::Kiosk,
                    R::IssueTicket { .. }
                        | R::CheckIn { .. }
                        | R::Subscribe { .. }
                        | R::GetTicket { .. }
                        | R::CancelTicket { .. }
                        | R::RequestHelp {}
                )
                | (
                    Role::Clerk,
                    R::SignIn { .. }
                        | R::SignOut { .. }
                        | R::Pause { .. }
                        | R::Resume { .. }
                        | R::CallNext { .. }
                        | R::CallNumber { .. }
                        | R::Recall { .. }
                        | R::StartService { .. }
                        | R::Finish { .. }
                        | R::NoShow { .. }
                        | R::Transfer { .. }
                        | R::Hold { .. }
                        | R::ResumeHeld { .. }
                        | R::ConfirmClass { .. }
                        | R::AcceptStaffing { .. }
                )
                | (Role::Evaluator, R::Rate { .. })
                | (
                    Role::Supervisor,
                    R::OpenWindow { .. }
                        | R::CloseWindow { .. }
                        | R::SetSkills { .. }
                        | R::PostNotice { .. }
                        | R::AnswerHelp { .. }
                        | R::ProgressCase { .. }
                        | R::CloseDay {}
                        | R::SetHallDate { .. }
                        | R::BookAppointment { .. }
                        | R::AcceptStaffing { .. }
                )
        )
    }

    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Kiosk => "kiosk",
            Role::Clerk => "clerk",
            Role::Display => "display",
            Role::Evaluator => "evaluator",
            Role::Supervisor => "supervisor",
            Role::Integration => "integration",
        }
    }
}
