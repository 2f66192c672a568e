//! The actions part of the ticket page: which forms this user sees for this ticket in
//! its status (from the moves table), arranged as the expected next step first (asked of
//! [`crate::domain::next_step`]), the other actions, and apart those that end the
//! handling (confirmed); the choices they offer, the reply templates, and, after a
//! refused attempt, the message and what was typed. (The draft waiting for a leader is
//! part of what the PAKN says: see [`super::view`].)

use chrono::TimeDelta;

use super::view::{Loaded, ViewCx};
use crate::db::admin::reply_templates::ReplyTemplateRow;
use crate::db::tickets::TicketRow;
use crate::domain::access::Access;
use crate::domain::calendar::{end_of_day_utc, format_date, local_date};
use crate::domain::next_step::{self, NextStep};
use crate::domain::reference::Reference;
use crate::domain::reply_template;
use crate::domain::status::Status;
use crate::domain::workflow::{self, Action, ReplyState, Urgency};
use crate::i18n::{Lang, Tr};
use crate::web::kit::attempt::{self, Attempt};
use crate::web::kit::date::parse_date;

/// One choice of a `<select>`.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

/// A reply template offered on a form: its id, name (in the viewer's language) and text
/// (in the PAKN's language, for the script that inserts it directly).
#[derive(Debug, Clone)]
pub struct TemplateOpt {
    pub id: String,
    pub name: String,
    pub text: String,
    /// The action whose form it fills.
    pub action: &'static str,
}

/// A form's text filled from a template chosen with `?template=`.
#[derive(Debug, Clone)]
pub struct Prefill {
    pub action: &'static str,
    pub name: &'static str,
    pub text: String,
    pub template_id: String,
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
    /// The expected next step for this viewer.
    pub next: NextStep,
    /// The offered action of the next step: shown first, open, as the primary button.
    pub primary: Option<&'static str>,
    /// The other offered actions (collapsed, neutral buttons).
    pub secondary: Vec<&'static str>,
    /// The offered actions that end the handling (apart, danger style, confirmed).
    pub danger: Vec<&'static str>,
    /// The reply templates offered on the draft and question forms.
    pub templates: Vec<TemplateOpt>,
    pub prefill: Option<Prefill>,
    /// Today in Vietnam as a date input's value (the approval's default date).
    pub today: String,
    /// The approval form's refused fields and their messages.
    pub approve_problems: Vec<(&'static str, String)>,
}

/// The name of the address correction's form in an [`Attempt`].
pub const MAIL_FIX: &str = "email_fix";

impl Panel {
    /// The actions part for this viewer's `offered` actions on `loaded`, with a refused
    /// `attempt` or the confirmation of the action just `done`.
    pub fn build(
        cx: &ViewCx,
        loaded: &Loaded,
        viewer: &Access,
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
        let publication_due = panel.publication && loaded.publication_clock.is_some();
        panel.next = next_step::next_step(
            ticket.status,
            &viewer.actors(ticket.unit_id),
            publication_due,
        );
        arrange(&mut panel);
        panel.today = local_date(cx.now).format("%Y-%m-%d").to_string();
        panel.approve_problems = match panel.attempt.as_ref() {
            Some(a) if a.action == "approve" => approve_problems(
                attempt::typed(&panel.attempt, "approve", "number_symbol"),
                attempt::typed(&panel.attempt, "approve", "date"),
                attempt::typed(&panel.attempt, "approve", "signer"),
            )
            .into_iter()
            .map(|(field, id)| (field, t.t(id)))
            .collect(),
            _ => Vec::new(),
        };
        panel
    }

    /// The reply templates of `rows` offered on the forms offered here (names in the
    /// viewer's language, texts in the PAKN's `lang`), and the form text filled from
    /// the one `chosen` (`?template=`), unless a refused attempt brings its own.
    pub fn use_templates(
        &mut self,
        t: &Tr,
        lang: Lang,
        rows: &[ReplyTemplateRow],
        chosen: Option<i32>,
    ) {
        self.templates = rows
            .iter()
            .filter_map(|r| {
                let (action, _) = reply_template::target(&r.purpose)?;
                self.offers(action).then(|| TemplateOpt {
                    id: r.id.to_string(),
                    name: t.pick(&r.name_vi, &r.name_en).to_string(),
                    text: lang.pick(&r.body_vi, &r.body_en).to_string(),
                    action,
                })
            })
            .collect();
        let Some(row) = chosen.and_then(|id| rows.iter().find(|r| r.id == id)) else {
            return;
        };
        let Some((action, name)) = reply_template::target(&row.purpose) else {
            return;
        };
        if self.offers(action) && self.attempt.is_none() {
            self.prefill = Some(Prefill {
                action,
                name,
                text: lang.pick(&row.body_vi, &row.body_en).to_string(),
                template_id: row.id.to_string(),
            });
        }
    }

    /// The templates offered on the form of `action`.
    pub fn templates_of(&self, action: &str) -> Vec<&TemplateOpt> {
        self.templates
            .iter()
            .filter(|o| o.action == action)
            .collect()
    }

    /// The template chosen for the form of `action` (`?template=`), if any.
    pub fn chosen_template(&self, action: &str) -> &str {
        self.prefill
            .as_ref()
            .filter(|p| p.action == action)
            .map(|p| p.template_id.as_str())
            .unwrap_or_default()
    }

    /// Whether the form of `action` shows open: the next step, or one just refused or
    /// filled from a template.
    pub fn is_open(&self, action: &str) -> bool {
        self.primary == Some(action)
            || !self.error(action).is_empty()
            || self.prefill.as_ref().is_some_and(|p| p.action == action)
    }

    /// Whether the action `a` is `b` (for the template, whatever the reference depth).
    pub fn is(&self, a: &str, b: &str) -> bool {
        a == b
    }

    /// The message id of the name of `action`.
    pub fn label_id(&self, action: &str) -> String {
        format!("action-{}", action.replace('_', "-"))
    }

    /// Whether `action` ends the handling (danger style, confirmation).
    pub fn is_danger(&self, action: &str) -> bool {
        self.danger.contains(&action)
    }

    /// The message id of the confirmation box of a danger `action`.
    pub fn confirm_label(&self, action: &str) -> String {
        format!("ticket-confirm-{}", action.replace('_', "-"))
    }

    /// The explanation of a waiting next step (empty when none).
    pub fn waiting(&self) -> &'static str {
        self.next.waiting_message().unwrap_or_default()
    }

    /// Whether the next step is to publish the answer.
    pub fn publish_next(&self) -> bool {
        self.next == NextStep::Publish && self.publication
    }

    /// The approval's date as shown: what was typed, else today.
    pub fn approve_date(&self) -> &str {
        if self.attempt.as_ref().is_some_and(|a| a.action == "approve") {
            self.v("approve", "date")
        } else {
            &self.today
        }
    }

    /// The message of the approval form's refused field `name` (empty when none).
    pub fn approve_problem(&self, name: &str) -> &str {
        self.approve_problems
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, m)| m.as_str())
            .unwrap_or_default()
    }

    pub fn offers(&self, action: &str) -> bool {
        self.offered.contains(&action)
    }

    pub fn any(&self) -> bool {
        !self.offered.is_empty()
    }

    /// What was typed in `name` of the form of `action` in a refused attempt, else the
    /// text of a template chosen for it.
    pub fn v(&self, action: &str, name: &str) -> &str {
        match &self.prefill {
            Some(p) if p.action == action && p.name == name => &p.text,
            _ => attempt::typed(&self.attempt, action, name),
        }
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

/// Splits the offered actions: the next step's move first, those that end the handling
/// apart, the rest in the order offered.
fn arrange(panel: &mut Panel) {
    let suggested = match panel.next {
        NextStep::Act(a) => Some(a.code()),
        _ => None,
    };
    panel.primary = suggested.filter(|code| panel.offered.contains(code));
    for &code in &panel.offered {
        if Some(code) == panel.primary {
            continue;
        }
        if Action::parse(code).is_some_and(next_step::is_destructive) {
            panel.danger.push(code);
        } else {
            panel.secondary.push(code);
        }
    }
}

/// What is missing or wrong in an approval form: (field, message id) of each, in the
/// form's order. Empty when the number, a valid date and the signer are all there.
pub fn approve_problems(
    number: &str,
    date: &str,
    signer: &str,
) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if number.trim().is_empty() {
        out.push(("number_symbol", "ticket-approve-err-number"));
    }
    if date.trim().is_empty() {
        out.push(("date", "ticket-approve-err-date"));
    } else if parse_date(date).is_none() {
        out.push(("date", "ticket-approve-err-date-invalid"));
    }
    if signer.trim().is_empty() {
        out.push(("signer", "ticket-approve-err-signer"));
    }
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
    fn the_approval_names_each_missing_or_wrong_field() {
        assert!(approve_problems("45/SNV-VP", "2026-03-02", "Nguyễn Văn B").is_empty());
        assert!(approve_problems("45/SNV-VP", "02/03/2026", "B").is_empty());
        assert_eq!(
            approve_problems(" ", "", "B"),
            [
                ("number_symbol", "ticket-approve-err-number"),
                ("date", "ticket-approve-err-date")
            ]
        );
        assert_eq!(
            approve_problems("1", "31/02/2026", ""),
            [
                ("date", "ticket-approve-err-date-invalid"),
                ("signer", "ticket-approve-err-signer")
            ]
        );
    }

    #[test]
    fn the_next_step_comes_first_and_what_ends_the_pakn_apart() {
        let leader = staff(true, false, None);
        let mut panel = Panel {
            offered: offered(&leader, 2, Status::Submitted),
            next: next_step::next_step(Status::Submitted, &leader.actors(2), false),
            ..Panel::default()
        };
        arrange(&mut panel);
        assert_eq!(panel.primary, Some("accept"));
        assert!(!panel.secondary.contains(&"accept"));
        assert!(panel.secondary.contains(&"ask_info") && panel.secondary.contains(&"assign"));
        for a in ["reject", "out_of_scope", "transfer", "close_duplicate"] {
            assert!(
                panel.danger.contains(&a) && !panel.secondary.contains(&a),
                "{a}"
            );
        }
        assert!(panel.is_open("accept") && !panel.is_open("reject"));
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
