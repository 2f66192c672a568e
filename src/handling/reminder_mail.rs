//! The mail of the reminder pass: who reads each reminder, and the grouped mails, in
//! Vietnamese (staff mail). Staff mail links to the PAKN's staff page; a contact (a
//! published receiving contact, not a staff account) gets the code, the unit, the
//! deadline and the days late only. No reminder carries the citizen's name, phone, email
//! or address; a confidential PAKN's carries no title.

use std::collections::{BTreeMap, HashMap};

use askama::Template;

use crate::config::Config;
use crate::db::reminders::{Key, Subject};
use crate::domain::access::Role;
use crate::domain::calendar::format_date;
use crate::domain::recipients::{StaffMember, leaders_of, officers_of};
use crate::domain::reference::Reference;
use crate::domain::reminders::{Due, ReminderKind};
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Lang, Tr};
use crate::mail::OutgoingMail;

use super::reminders::escalates_to_contact;

/// PAKN listed in one mail at most (more go in further mails).
pub const ITEMS_PER_MAIL: usize = 100;

/// What a reminder is about, and what picks its readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Ticket {
        id: i64,
        unit_id: i32,
        assignee_id: Option<i32>,
        rule_id: Option<i32>,
    },
    Request {
        id: i64,
        assignee_id: Option<i32>,
    },
}

/// A reminder due today, before its key is claimed.
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    pub key: Key,
    pub target: Target,
    pub days_late: i64,
}

impl Pending {
    pub fn of(target: Target, due: Due) -> Pending {
        let (ticket_id, privacy_request_id) = match target {
            Target::Ticket { id, .. } => (Some(id), None),
            Target::Request { id, .. } => (None, Some(id)),
        };
        Pending {
            key: Key {
                ticket_id,
                privacy_request_id,
                deadline: due.deadline,
                kind: due.kind,
                due_on: due.due_on,
            },
            target,
            days_late: due.days_late,
        }
    }
}

/// Who reads a mail: staff accounts (one mail to all of them) or one contact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Reader {
    Staff(Vec<String>),
    Contact(String),
}

struct Item {
    code: String,
    title: Option<String>,
    unit: String,
    deadline: String,
    due: String,
    late: Option<String>,
    link: Option<String>,
    ticket_id: Option<i64>,
}

struct ReminderModel {
    lang: &'static str,
    site: String,
    intro: String,
    items: Vec<Item>,
    code_label: String,
    title_label: String,
    unit_label: String,
    due_label: String,
    open_label: String,
    note: String,
    auto_note: String,
}

#[derive(Template)]
#[template(path = "mail/reminder.txt")]
struct ReminderText<'a> {
    m: &'a ReminderModel,
}

#[derive(Template)]
#[template(path = "mail/reminder.html")]
struct ReminderHtml<'a> {
    m: &'a ReminderModel,
}

/// The grouped mails of the reminders `fresh` (their keys just claimed).
pub fn compose(
    cfg: &Config,
    reference: &Reference,
    staff: &[StaffMember],
    fresh: &[&Pending],
    subjects: &[Subject],
) -> anyhow::Result<Vec<OutgoingMail>> {
    let t = Tr::new(Lang::Vi);
    let subjects: HashMap<i64, &Subject> = subjects.iter().map(|s| (s.id, s)).collect();
    let mut groups: BTreeMap<(&'static str, Reader), Vec<Item>> = BTreeMap::new();
    let mut words = Words::new(t);
    for p in fresh {
        let subject = p.key.ticket_id.and_then(|id| subjects.get(&id).copied());
        for reader in readers(reference, staff, p) {
            let item = item_of(cfg, reference, &mut words, p, subject, &reader);
            groups
                .entry((p.key.kind.as_str(), reader))
                .or_default()
                .push(item);
        }
    }
    let mut mails = Vec::new();
    for ((kind, reader), items) in groups {
        let kind = ReminderKind::parse(kind).unwrap_or(ReminderKind::DueSoon);
        let mut items = items;
        while !items.is_empty() {
            let rest = items.split_off(items.len().min(ITEMS_PER_MAIL));
            mails.push(mail_of(cfg, t, kind, &reader, items)?);
            items = rest;
        }
    }
    Ok(mails)
}

fn mail_of(
    cfg: &Config,
    t: Tr,
    kind: ReminderKind,
    reader: &Reader,
    items: Vec<Item>,
) -> anyhow::Result<OutgoingMail> {
    let name = kind.as_str().replace('_', "-");
    let count = items.len() as i64;
    let ticket_id = match items.as_slice() {
        [one] => one.ticket_id,
        _ => None,
    };
    let (to, staff) = match reader {
        Reader::Staff(to) => (to.clone(), true),
        Reader::Contact(to) => (vec![to.clone()], false),
    };
    let m = ReminderModel {
        lang: t.code(),
        site: cfg.site.name_vi.clone(),
        intro: t.t(&format!("reminder-intro-{name}")),
        items,
        code_label: t.t("reminder-code"),
        title_label: t.t("reminder-title"),
        unit_label: t.t("reminder-unit"),
        due_label: t.t("reminder-due"),
        open_label: t.t("reminder-open"),
        note: t.t(if staff {
            "reminder-note-staff"
        } else {
            "reminder-note-contact"
        }),
        auto_note: t.t("reminder-auto-note"),
    };
    Ok(OutgoingMail {
        kind: kind.outbox_kind(),
        ticket_id,
        to,
        cc: Vec::new(),
        lang: t.code().to_string(),
        subject: t.t1(&format!("reminder-subject-{name}"), "count", count),
        body_text: ReminderText { m: &m }.render()?,
        body_html: Some(ReminderHtml { m: &m }.render()?),
        attachment_ids: Vec::new(),
    })
}

/// One line of a mail: what the reader may know of the PAKN or request.
fn item_of(
    cfg: &Config,
    reference: &Reference,
    words: &mut Words,
    p: &Pending,
    subject: Option<&Subject>,
    reader: &Reader,
) -> Item {
    let t = words.t;
    let base = cfg.server.public_url.trim_end_matches('/');
    let staff = matches!(reader, Reader::Staff(_));
    let deadline = words.deadline(p.key.kind, p.key.deadline.as_str());
    let late = (p.days_late > 0).then(|| words.late(p.days_late));
    let (code, title, unit, link) = match (p.target, subject) {
        (Target::Request { id, .. }, _) => (
            t.t1("reminder-request", "id", id),
            None,
            String::new(),
            Some(format!("{base}/staff/privacy/{id}")),
        ),
        (Target::Ticket { unit_id, .. }, Some(s)) => {
            let code = TrackingCode::parse(&s.code).map_or_else(|| s.code.clone(), |c| c.display());
            let title = if s.confidential {
                t.t("reminder-confidential")
            } else {
                s.title.clone()
            };
            let unit = reference
                .unit(unit_id)
                .map(|u| u.name_vi.clone())
                .unwrap_or_default();
            let link = format!("{base}/staff/tickets/{}", s.code);
            (code, Some(title), unit, Some(link))
        }
        (Target::Ticket { id, .. }, None) => (id.to_string(), None, String::new(), None),
    };
    Item {
        code,
        // A contact is not a staff account: no title (it may name people), no link.
        title: if staff { title } else { None },
        unit,
        deadline,
        due: format_date(p.key.due_on),
        late,
        link: if staff { link } else { None },
        ticket_id: p.key.ticket_id,
    }
}

/// The words of the items, looked up once per pass (a first pass over a large backlog
/// lists hundreds of thousands of items).
struct Words {
    t: Tr,
    deadlines: HashMap<(&'static str, &'static str), String>,
    late: HashMap<i64, String>,
}

impl Words {
    fn new(t: Tr) -> Words {
        Words {
            t,
            deadlines: HashMap::new(),
            late: HashMap::new(),
        }
    }

    fn deadline(&mut self, kind: ReminderKind, deadline: &'static str) -> String {
        let t = self.t;
        self.deadlines
            .entry((kind.as_str(), deadline))
            .or_insert_with(|| match kind {
                ReminderKind::Progress => t.t("reminder-deadline-progress"),
                ReminderKind::DraftWaiting => t.t("reminder-deadline-draft"),
                _ => t.t(&format!("reminder-deadline-{deadline}")),
            })
            .clone()
    }

    fn late(&mut self, days: i64) -> String {
        let t = self.t;
        self.late
            .entry(days)
            .or_insert_with(|| t.t1("reminder-late", "days", days))
            .clone()
    }
}

/// The readers of one reminder (none when nobody has an address).
fn readers(reference: &Reference, staff: &[StaffMember], p: &Pending) -> Vec<Reader> {
    let kind = p.key.kind;
    let mut out = Vec::new();
    let people: Vec<&StaffMember> = match p.target {
        Target::Ticket {
            unit_id,
            assignee_id,
            rule_id,
            ..
        } => {
            if escalates_to_contact(p.key.deadline, kind)
                && let Some(email) = first_contact(reference, rule_id)
            {
                out.push(Reader::Contact(email));
            }
            match kind {
                ReminderKind::DueSoon | ReminderKind::Progress => {
                    handler(staff, assignee_id, unit_id)
                }
                ReminderKind::Overdue | ReminderKind::DraftWaiting => {
                    let leaders = leaders_of(staff, unit_id);
                    if leaders.is_empty() {
                        handler(staff, assignee_id, unit_id)
                    } else {
                        leaders
                    }
                }
            }
        }
        Target::Request { assignee_id, .. } => {
            let assignee: Vec<&StaffMember> = staff
                .iter()
                .filter(|s| Some(s.user_id) == assignee_id)
                .collect();
            let officers = staff
                .iter()
                .filter(|s| s.has(Role::Admin) || s.has(Role::Privacy));
            if kind == ReminderKind::DueSoon && !assignee.is_empty() {
                assignee
            } else {
                assignee.into_iter().chain(officers).collect()
            }
        }
    };
    let mut to: Vec<String> = people
        .iter()
        .map(|s| s.email.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    to.sort();
    to.dedup();
    if !to.is_empty() {
        out.insert(0, Reader::Staff(to));
    }
    out
}

/// The assignee when active, else the unit's officers, else its leaders.
fn handler(staff: &[StaffMember], assignee_id: Option<i32>, unit_id: i32) -> Vec<&StaffMember> {
    if let Some(a) = staff.iter().find(|s| Some(s.user_id) == assignee_id) {
        return vec![a];
    }
    let officers = officers_of(staff, unit_id);
    if officers.is_empty() {
        leaders_of(staff, unit_id)
    } else {
        officers
    }
}

/// The email of the first To contact of the PAKN's routing rule (the default rule's
/// when it has none, or that rule is gone), if active and with an address.
fn first_contact(reference: &Reference, rule_id: Option<i32>) -> Option<String> {
    let rule = rule_id
        .and_then(|id| reference.rules.iter().find(|r| r.id == id))
        .or_else(|| reference.rules.iter().find(|r| r.spec.is_default))?;
    rule.to
        .iter()
        .filter_map(|id| reference.contact(*id))
        .filter(|c| c.active)
        .find_map(|c| c.email.clone().filter(|e| !e.trim().is_empty()))
}
