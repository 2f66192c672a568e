//! What someone asks to do to a PAKN: who they are and the command with what it carries.
//! Commands are plain data; [`super::perform`] checks them against the moves table and
//! carries them out.

use chrono::NaiveDate;

use crate::domain::access::Access;
use crate::domain::attachment::CheckedFile;
use crate::domain::workflow::{Action, Requirement};

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A staff member, with what the access policy knows of them.
    Staff(Access),
    /// The citizen, through the private link or code + contact.
    Citizen,
    /// The periodic jobs.
    System,
}

/// The classification set at acceptance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classification {
    pub field_code: String,
    /// `phan_anh` or `kien_nghi`.
    pub kind: String,
    pub procedure: String,
    /// `urgent`, `normal` or `complex`.
    pub urgency: String,
    pub unit_id: Option<i32>,
    pub assignee_id: Option<i32>,
}

impl Classification {
    fn complete(&self) -> bool {
        !self.field_code.is_empty()
            && !self.kind.is_empty()
            && !self.urgency.is_empty()
            && self.unit_id.is_some()
            && self.assignee_id.is_some()
    }
}

/// The official reply's document details, given at approval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyDocument {
    pub number_symbol: String,
    pub date: Option<NaiveDate>,
    pub signer: String,
}

/// A move between statuses, with what it carries.
#[derive(Debug, Clone)]
pub enum Step {
    Accept(Classification),
    AskInfo {
        question: String,
    },
    AnswerInfo {
        text: String,
        files: Vec<CheckedFile>,
    },
    ExpireInfo,
    Reject {
        reason: String,
    },
    OutOfScope {
        reason: String,
        competent_body: String,
    },
    Transfer {
        agency: String,
        reference: String,
        date: Option<NaiveDate>,
    },
    StartWork,
    SubmitDraft {
        body: String,
        files: Vec<CheckedFile>,
    },
    ReturnDraft {
        reason: String,
    },
    Approve(ReplyDocument),
    Withdraw {
        reason: String,
    },
    CloseDuplicate {
        /// The tracking code of the original PAKN (any spelling).
        of_code: String,
    },
    Close,
    AutoClose,
    Reopen {
        reason: String,
    },
}

fn given(s: &str) -> bool {
    !s.trim().is_empty()
}

impl Step {
    pub fn action(&self) -> Action {
        match self {
            Step::Accept(_) => Action::Accept,
            Step::AskInfo { .. } => Action::AskInfo,
            Step::AnswerInfo { .. } => Action::AnswerInfo,
            Step::ExpireInfo => Action::ExpireInfo,
            Step::Reject { .. } => Action::Reject,
            Step::OutOfScope { .. } => Action::OutOfScope,
            Step::Transfer { .. } => Action::Transfer,
            Step::StartWork => Action::StartWork,
            Step::SubmitDraft { .. } => Action::SubmitDraft,
            Step::ReturnDraft { .. } => Action::ReturnDraft,
            Step::Approve(_) => Action::Approve,
            Step::Withdraw { .. } => Action::Withdraw,
            Step::CloseDuplicate { .. } => Action::CloseDuplicate,
            Step::Close => Action::Close,
            Step::AutoClose => Action::AutoClose,
            Step::Reopen { .. } => Action::Reopen,
        }
    }

    /// The requirements of the moves table this step carries.
    pub fn provided(&self) -> Vec<Requirement> {
        use Requirement as R;
        let mut out = Vec::new();
        match self {
            Step::Accept(c) => {
                if c.complete() {
                    out.push(R::Classification);
                }
            }
            Step::AskInfo { question } => {
                if given(question) {
                    out.push(R::Question);
                }
            }
            Step::AnswerInfo { text, files } => {
                if given(text) || !files.is_empty() {
                    out.push(R::CitizenAnswer);
                }
            }
            // The job picks the template itself.
            Step::ExpireInfo => out.push(R::TemplateReason),
            Step::Reject { reason }
            | Step::ReturnDraft { reason }
            | Step::Withdraw { reason }
            | Step::Reopen { reason } => {
                if given(reason) {
                    out.push(R::Reason);
                }
            }
            Step::OutOfScope {
                reason,
                competent_body,
            } => {
                if given(reason) {
                    out.push(R::Reason);
                }
                if given(competent_body) {
                    out.push(R::CompetentBody);
                }
            }
            Step::Transfer {
                agency,
                reference,
                date,
            } => {
                if given(agency) && given(reference) && date.is_some() {
                    out.push(R::TransferTarget);
                }
            }
            Step::SubmitDraft { body, .. } => {
                if given(body) {
                    out.push(R::DraftReply);
                }
            }
            Step::Approve(d) => {
                if given(&d.number_symbol) && d.date.is_some() && given(&d.signer) {
                    out.push(R::ReplyDocument);
                }
            }
            Step::CloseDuplicate { of_code } => {
                if given(of_code) {
                    out.push(R::DuplicateOf);
                }
            }
            Step::StartWork | Step::Close | Step::AutoClose => {}
        }
        out
    }
}

/// Anything done to a PAKN: a move, or one of the things that change no status.
#[derive(Debug, Clone)]
pub enum Command {
    Move(Step),
    /// Give the ticket to a handler (an officer of its unit or a leader); `None` takes
    /// it back.
    Assign {
        assignee_id: Option<i32>,
    },
    /// A note only staff read.
    InternalNote {
        text: String,
    },
    /// A note the citizen reads on the track page and by mail.
    ProgressNote {
        text: String,
    },
    /// Mark (or unmark) a PAKN that is really a tố cáo as confidential.
    Confidential {
        on: bool,
        reason: String,
    },
    /// The citizen writes to the PAKN without answering a request (a reply to its mail):
    /// staff and the track page show it; it moves nothing.
    CitizenMessage {
        text: String,
        files: Vec<CheckedFile>,
    },
}

impl Command {
    /// The code used for the event and in forms.
    pub fn code(&self) -> &'static str {
        match self {
            Command::Move(step) => step.action().code(),
            Command::Assign { .. } => "assign",
            Command::InternalNote { .. } => "internal_note",
            Command::ProgressNote { .. } => "progress_note",
            Command::Confidential { .. } => "confidential",
            Command::CitizenMessage { .. } => "citizen_message",
        }
    }
}

/// The commands that carry out `command` on a PAKN in `status`: the first draft of an
/// accepted PAKN starts the work first (domain.md: "the handler starting work, or the
/// first draft"). The web and the API both ask this.
pub fn commands_for(status: crate::domain::status::Status, command: Command) -> Vec<Command> {
    let start_first = matches!(command, Command::Move(Step::SubmitDraft { .. }))
        && status == crate::domain::status::Status::Accepted;
    if start_first {
        vec![Command::Move(Step::StartWork), command]
    } else {
        vec![command]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_provides_nothing() {
        assert!(
            Step::Reject {
                reason: "  \n".into()
            }
            .provided()
            .is_empty()
        );
        assert_eq!(
            Step::Reject {
                reason: "Thiếu địa chỉ".into()
            }
            .provided(),
            vec![Requirement::Reason]
        );
    }

    #[test]
    fn out_of_scope_needs_both() {
        let step = Step::OutOfScope {
            reason: "Khiếu nại".into(),
            competent_body: String::new(),
        };
        assert_eq!(step.provided(), vec![Requirement::Reason]);
    }

    #[test]
    fn transfer_needs_agency_reference_and_date() {
        let mut step = Step::Transfer {
            agency: "Sở Tư pháp".into(),
            reference: "123/STP".into(),
            date: None,
        };
        assert!(step.provided().is_empty());
        if let Step::Transfer { date, .. } = &mut step {
            *date = NaiveDate::from_ymd_opt(2026, 3, 2);
        }
        assert_eq!(step.provided(), vec![Requirement::TransferTarget]);
    }

    #[test]
    fn classification_needs_every_part() {
        let mut c = Classification {
            field_code: "viec_lam".into(),
            kind: "phan_anh".into(),
            procedure: String::new(),
            urgency: "normal".into(),
            unit_id: Some(1),
            assignee_id: None,
        };
        assert!(Step::Accept(c.clone()).provided().is_empty());
        c.assignee_id = Some(3);
        assert_eq!(
            Step::Accept(c).provided(),
            vec![Requirement::Classification]
        );
    }
}
