//! The actions part of the ticket page: which forms this user sees for this ticket in
//! its status (from the moves table), the choices they offer, and, after a refused
//! attempt, the message and what was typed.

use crate::db::workflow::ReplyRow;
use crate::domain::access::Access;
use crate::domain::calendar::{format_date, format_datetime};
use crate::domain::reference::Reference;
use crate::domain::status::Status;
use crate::domain::workflow::ReplyState;
use crate::domain::workflow::{self, Action};
use crate::i18n::Tr;
use crate::web::kit::attempt::{self, Attempt};

/// One choice of a `<select>`.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

/// An official reply as the page shows it.
#[derive(Debug, Clone)]
pub struct ReplyView {
    pub state: ReplyState,
    pub state_label: String,
    pub body: String,
    pub number_symbol: String,
    pub date: String,
    pub signer: String,
    pub drafted: String,
    pub return_reason: String,
    pub files: Vec<(i64, String)>,
}

impl ReplyView {
    pub fn of(t: &Tr, r: &ReplyRow, drafter: String, files: Vec<(i64, String)>) -> ReplyView {
        ReplyView {
            state: r.state,
            state_label: t.t(&format!("reply-state-{}", r.state)),
            body: r.body.clone(),
            number_symbol: r.number_symbol.clone().unwrap_or_default(),
            date: r.reply_date.map(format_date).unwrap_or_default(),
            signer: r.signer.clone().unwrap_or_default(),
            drafted: format!("{} · {}", format_datetime(r.created_at), drafter),
            return_reason: r.return_reason.clone().unwrap_or_default(),
            files,
        }
    }
}

/// Everything the actions part of the page needs.
#[derive(Debug, Clone, Default)]
pub struct Panel {
    /// The action codes offered to this user now.
    pub offered: Vec<&'static str>,
    pub fields: Vec<Opt>,
    pub units: Vec<Opt>,
    pub assignees: Vec<Opt>,
    pub reject_reasons: Vec<Opt>,
    pub out_of_scope_reasons: Vec<Opt>,
    pub current_field: String,
    pub current_kind: String,
    pub current_unit: String,
    pub current_assignee: String,
    pub current_urgency: String,
    pub current_procedure: String,
    pub confidential: bool,
    pub attempt: Option<Attempt>,
    /// The confirmation after a successful action.
    pub done: Option<String>,
    /// The draft waiting for a leader.
    pub pending: Option<ReplyView>,
    pub replies: Vec<ReplyView>,
    /// "Progress note due by …" while the reply is overdue.
    pub progress_duty: Option<String>,
    /// Whether the publication page applies (answered with consent).
    pub publication: bool,
}

impl Panel {
    pub fn offers(&self, action: &str) -> bool {
        self.offered.contains(&action)
    }

    pub fn any(&self) -> bool {
        !self.offered.is_empty()
    }

    /// What was typed in `name` of the form of `action` in a refused attempt.
    pub fn v(&self, action: &str, name: &str) -> &str {
        attempt::typed(&self.attempt, action, name)
    }

    /// The value a select of the form of `action` shows: what was typed, else `current`.
    pub fn pick<'a>(&'a self, action: &str, name: &str, current: &'a str) -> &'a str {
        if self.attempt.as_ref().is_some_and(|a| a.action == action) {
            self.v(action, name)
        } else {
            current
        }
    }

    /// The message of a refused attempt at an action this user is not offered (shown at
    /// the top of the actions).
    pub fn general_error(&self) -> &str {
        self.attempt
            .as_ref()
            .filter(|a| !self.offered.contains(&a.action.as_str()))
            .map(|a| a.error.as_str())
            .unwrap_or_default()
    }

    /// The message of a refused attempt at `action`.
    pub fn error(&self, action: &str) -> &str {
        attempt::error_of(&self.attempt, action)
    }
}

/// The actions a staff member may take on a ticket of `unit_id` in `status`: the moves
/// of the table for their roles, plus assigning and notes while it is open; the first
/// draft may be written from `accepted` (it starts the work).
pub fn offered(staff: &Access, unit_id: i32, status: Status) -> Vec<&'static str> {
    if !staff.may_act_on(unit_id) {
        return Vec::new();
    }
    let mut out: Vec<&'static str> = Vec::new();
    for actor in staff.actors(unit_id) {
        for action in workflow::available(status, actor) {
            if !out.contains(&action.code()) {
                out.push(action.code());
            }
        }
    }
    if status == Status::Accepted
        && staff.actors(unit_id).contains(&workflow::Actor::Officer)
        && !out.contains(&Action::SubmitDraft.code())
    {
        out.push(Action::SubmitDraft.code());
    }
    if !status.is_terminal() {
        out.push("assign");
        out.push("progress_note");
    }
    out.push("internal_note");
    out.push("confidential");
    out
}

/// The select choices from the reference data.
pub fn fill_choices(panel: &mut Panel, t: &Tr, reference: &Reference) {
    panel.fields = reference
        .active_fields()
        .map(|f| Opt {
            value: f.code.clone(),
            label: t.pick(&f.name_vi, &f.name_en).to_string(),
        })
        .collect();
    panel.units = reference
        .units
        .iter()
        .filter(|u| u.active)
        .map(|u| Opt {
            value: u.id.to_string(),
            label: t.pick(&u.name_vi, &u.name_en).to_string(),
        })
        .collect();
    let reasons = |purpose: &str| -> Vec<Opt> {
        reference
            .reasons
            .iter()
            .filter(|r| r.active && r.purpose == purpose)
            .map(|r| Opt {
                value: r.id.to_string(),
                label: t.pick(&r.text_vi, &r.text_en).to_string(),
            })
            .collect()
    };
    panel.reject_reasons = reasons("rejected");
    panel.out_of_scope_reasons = reasons("out_of_scope");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(leader: bool, officer: bool, unit: Option<i32>) -> Access {
        use crate::domain::access::Role;
        let mut roles = Vec::new();
        if leader {
            roles.push(Role::Leader);
        }
        if officer {
            roles.push(Role::Officer);
        }
        Access::new(1, roles, unit)
    }

    #[test]
    fn officers_see_their_moves_and_leaders_approve() {
        let officer = staff(false, true, Some(2));
        let submitted = offered(&officer, 2, Status::Submitted);
        assert!(submitted.contains(&"accept") && submitted.contains(&"reject"));
        assert!(!submitted.contains(&"approve"));
        assert!(offered(&officer, 2, Status::Accepted).contains(&"submit_draft"));
        assert!(!offered(&officer, 2, Status::PendingApproval).contains(&"approve"));
        let leader = staff(true, false, None);
        let pending = offered(&leader, 2, Status::PendingApproval);
        assert!(pending.contains(&"approve") && pending.contains(&"return_draft"));
        assert!(!offered(&leader, 2, Status::InProgress).contains(&"submit_draft"));
    }

    #[test]
    fn others_see_nothing() {
        assert!(offered(&staff(false, true, Some(3)), 2, Status::Submitted).is_empty());
        assert!(offered(&staff(false, false, None), 2, Status::Submitted).is_empty());
    }

    #[test]
    fn closed_tickets_take_notes_but_no_assignment() {
        let leader = staff(true, false, None);
        let closed = offered(&leader, 2, Status::Closed);
        assert!(closed.contains(&"reopen") && closed.contains(&"internal_note"));
        assert!(!closed.contains(&"assign") && !closed.contains(&"progress_note"));
    }
}
