//! Mails to the admins about the accounts they keep: every change of an account's
//! roles or unit, and every role that waits for a second admin's approval (separation of
//! duties). In Vietnamese; staff addresses only.

use askama::Template;

use super::outbox::OutgoingMail;
use crate::config::Config;
use crate::i18n::{Lang, Tr};

pub const KIND_ROLE_CHANGE: &str = "role_change";

/// What happened to an account's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleEvent {
    /// An account was created.
    Created,
    /// Its roles or unit changed.
    Changed,
    /// Roles that read PAKN wait for a second admin's approval.
    Requested,
    /// A second admin approved them.
    Approved,
    /// An admin turned them down.
    Rejected,
}

impl RoleEvent {
    fn subject_id(self) -> &'static str {
        match self {
            RoleEvent::Created => "mail-role-created-subject",
            RoleEvent::Changed => "mail-role-changed-subject",
            RoleEvent::Requested => "mail-role-requested-subject",
            RoleEvent::Approved => "mail-role-approved-subject",
            RoleEvent::Rejected => "mail-role-rejected-subject",
        }
    }
}

/// The account and its roles before and after, as labels.
pub struct RoleChange<'a> {
    pub event: RoleEvent,
    /// The admin who did it.
    pub actor: &'a str,
    pub user_name: &'a str,
    pub user_email: &'a str,
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub unit_before: String,
    pub unit_after: String,
    /// Roles that wait for a second admin.
    pub pending: Vec<String>,
}

struct Model<'a> {
    t: Tr,
    intro: String,
    c: &'a RoleChange<'a>,
    before: String,
    after: String,
    pending: String,
    link: String,
    site: String,
}

#[derive(Template)]
#[template(path = "mail/role_change.txt")]
struct Text<'a> {
    m: &'a Model<'a>,
}

#[derive(Template)]
#[template(path = "mail/role_change.html")]
struct Html<'a> {
    m: &'a Model<'a>,
}

fn labels(list: &[String], t: &Tr) -> String {
    if list.is_empty() {
        t.t("mail-role-none")
    } else {
        list.join(", ")
    }
}

/// The mail to every active admin (`to`).
pub fn role_change(
    cfg: &Config,
    to: Vec<String>,
    change: &RoleChange<'_>,
) -> askama::Result<OutgoingMail> {
    let lang = Lang::Vi;
    let t = Tr::new(lang);
    let m = Model {
        t,
        intro: t.t2(
            &format!(
                "{}-intro",
                change.event.subject_id().trim_end_matches("-subject")
            ),
            "actor",
            change.actor.to_string(),
            "user",
            change.user_name.to_string(),
        ),
        c: change,
        before: labels(&change.before, &t),
        after: labels(&change.after, &t),
        pending: change.pending.join(", "),
        link: format!(
            "{}/staff/users",
            cfg.server.public_url.trim_end_matches('/')
        ),
        site: lang.pick(&cfg.site.name_vi, &cfg.site.name_en).to_string(),
    };
    Ok(OutgoingMail {
        kind: KIND_ROLE_CHANGE.into(),
        ticket_id: None,
        to,
        cc: Vec::new(),
        lang: lang.code().into(),
        subject: t.t1(
            change.event.subject_id(),
            "user",
            change.user_name.to_string(),
        ),
        body_text: Text { m: &m }.render()?,
        body_html: Some(Html { m: &m }.render()?),
        attachment_ids: Vec::new(),
    })
}
