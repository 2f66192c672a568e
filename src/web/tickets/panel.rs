//! The actions part of the ticket page: which forms this user sees for this ticket in
//! its status (from the moves table), the choices they offer, and, after a refused
//! attempt, the message and what was typed. (The draft waiting for a leader is part of
//! what the PAKN says: see [`super::view`].)

use chrono::TimeDelta;

use super::view::{Loaded, ViewCx};
use crate::db::tickets::TicketRow;
use crate::domain::access::Access;
use crate::domain::calendar::{end_of_day_utc, format_date, local_date};
use crate::domain::reference::Reference;
use crate::domain::status::Status;
use crate::domain::workflow::{self, Action, ReplyState, Urgency};
use crate::i18n::Tr;
use crate::web::kit::attempt::{self, Attempt};

/// One choice of a `<select>`.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
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
    /// "Progress note due by …" while the reply is overdue.
    pub progress_duty: Option<String>,
    /// Whether the publication page applies (answered with consent).
    pub publication: bool,
    /// Whether this viewer may revoke the citizen's private link (they may act on the
    /// PAKN).
    pub link_revocable: bool,
    /// The citizen's address, when mail to it failed for good and this viewer may
    /// correct it (the form "correct the address and send again").
    pub mail_fix: Option<String>,
}

/// The name of the address correction's form in an [`Attempt`].
pub const MAIL_FIX: &str = "email_fix";

impl Panel {
    /// The actions part for this viewer's `offered` actions on `loaded`, with a refused
    /// `attempt` or the confirmation of the action just `done`.
    pub fn build(
        cx: &ViewCx,
        loaded: &Loaded,
        offered: Vec<&'static str>,
        attempt: Option<Attempt>,
        done: Option<String>,
    ) -> Panel {
        let (t, ticket) = (&cx.t, &loaded.ticket);
        let mut panel = Panel {
            offered,
            assignees: loaded
                .assignable
                .iter()
                .map(|(id, name)| Opt {
                    value: id.to_string(),
                    label: name.clone(),
                })
                .collect(),
            current_field: ticket.field_code.clone(),
            current_kind: ticket.kind.as_str().to_string(),
            current_unit: ticket.unit_id.to_string(),
            current_assignee: ticket
                .assignee_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            current_urgency: ticket
                .urgency
                .unwrap_or(Urgency::Normal)
                .as_str()
                .to_string(),
            current_procedure: ticket.procedure_name.clone().unwrap_or_default(),
            confidential: ticket.confidential,
            attempt,
            done: done.map(|d| {
                t.t1(
                    "handling-done",
                    "what",
                    t.t(&format!("event-{}", d.replace('_', "-"))),
                )
            }),
            progress_duty: progress_duty(cx, ticket),
            publication: publication_applies(loaded),
            ..Panel::default()
        };
        fill_choices(&mut panel, t, cx.reference);
        panel
    }

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
            .filter(|a| !self.offered.contains(&a.action.as_str()) && a.action != MAIL_FIX)
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

/// Whether the publication page applies: answered or closed with an approved reply,
/// publication consented to, and not confidential.
fn publication_applies(loaded: &Loaded) -> bool {
    let ticket = &loaded.ticket;
    matches!(ticket.status, Status::Answered | Status::Closed)
        && ticket.publish_consent
        && !ticket.confidential
        && loaded
            .replies
            .iter()
            .any(|r| r.state == ReplyState::Approved)
}

/// While the reply is overdue, a public progress note is due every
/// `[deadlines] progress_note_days` days (QĐ 31/2021): when the next one is due.
fn progress_duty(cx: &ViewCx, ticket: &TicketRow) -> Option<String> {
    let now = cx.now;
    if !ticket.status.is_open() || now < end_of_day_utc(ticket.reply_due) {
        return None;
    }
    let every = TimeDelta::days(i64::from(cx.cfg.deadlines.progress_note_days.max(1)));
    let overdue_since = ticket.reply_due + TimeDelta::days(1);
    let from = ticket
        .last_public_note_at
        .map(local_date)
        .filter(|d| *d >= overdue_since)
        .unwrap_or(overdue_since);
    let due = from + every;
    let key = if local_date(now) > due {
        "handling-progress-late"
    } else {
        "handling-progress-due"
    };
    Some(cx.t.t1(key, "date", format_date(due)))
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
