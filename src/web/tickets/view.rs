//! What the staff ticket page shows of a PAKN, built from its loaded rows.
//!
//! Whether this viewer may read what the PAKN says is asked of the access policy once,
//! in [`TicketView::build`]: everything a confidential PAKN withholds from those outside
//! its reach (its title and words, who sent it, its files, the texts of its timeline,
//! its replies) is built into [`Said`] only for those who may read it. Everyone who may
//! find the PAKN sees that it exists, its status, deadlines, classification and routing.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use crate::config::Config;
use crate::db::tickets::{self, AttachmentMeta, EventRow, TicketRow};
use crate::db::workflow::{self as workflow_data, ReplyRow};
use crate::domain::access::Access;
use crate::domain::attachment::size_text;
use crate::domain::calendar::{DeadlinePolicy, DueState, due_state, format_date, format_datetime};
use crate::domain::feedback::SubmitterKind;
use crate::domain::reference::Reference;
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
use crate::domain::workflow::{ActorKind, ReplyState};
use crate::i18n::Tr;
use crate::mail::sight::{self, MailLine};
use crate::web::kit::event_details::{Reader, event_details};
use crate::web::kit::mail_lines::{self, MailLineView};

/// What building a view needs besides the rows: the language, the reference data, the
/// deadline rules and the moment.
pub struct ViewCx<'a> {
    pub t: Tr,
    pub reference: &'a Reference,
    pub cfg: &'a Config,
    pub policy: DeadlinePolicy,
    pub now: DateTime<Utc>,
}

/// The most mails of one PAKN the page lists.
pub const MAIL_SHOWN: i64 = 100;

/// A PAKN's rows as the page needs them, read in one go.
pub struct Loaded {
    pub ticket: TicketRow,
    pub events: Vec<EventRow>,
    pub files: Vec<AttachmentMeta>,
    pub replies: Vec<ReplyRow>,
    /// Who it may be assigned to, when this viewer is offered to assign it.
    pub assignable: Vec<(i32, String)>,
    pub names: Names,
    /// Every mail about it, newest first (at most [`MAIL_SHOWN`]).
    pub mails: Vec<MailLine>,
    /// When it was answered, while its publication clock runs (consent, no public copy).
    pub publication_clock: Option<DateTime<Utc>>,
}

impl Loaded {
    /// The rows of `ticket`; the assignable staff only when `offered` needs them.
    pub async fn load(
        conn: &mut AsyncPgConnection,
        ticket: TicketRow,
        offered: &[&str],
    ) -> QueryResult<Loaded> {
        let events = tickets::events(conn, ticket.id).await?;
        let files = tickets::attachment_list(conn, ticket.id).await?;
        let replies = workflow_data::replies_of(conn, ticket.id).await?;
        let assignable = if offered.contains(&"accept") || offered.contains(&"assign") {
            workflow_data::assignable_users(conn, ticket.unit_id).await?
        } else {
            Vec::new()
        };
        let mut ids: Vec<i32> = events.iter().filter_map(|e| e.actor_id).collect();
        ids.extend(replies.iter().filter_map(|r| r.drafted_by));
        ids.extend(ticket.assignee_id);
        ids.extend(ticket.entered_by);
        ids.sort_unstable();
        ids.dedup();
        let names = Names(tickets::user_names(conn, &ids).await?);
        let mails = sight::of_ticket(conn, ticket.id, MAIL_SHOWN).await?;
        let publication_clock = crate::db::reminders::publication_clock(conn, ticket.id).await?;
        Ok(Loaded {
            publication_clock,
            ticket,
            events,
            files,
            replies,
            assignable,
            names,
            mails,
        })
    }
}

/// Staff names by id (the timeline's actors, drafters, the assignee, who entered it).
pub struct Names(Vec<(i32, String)>);

impl Names {
    /// The name of `id`; empty when there is none.
    pub fn of(&self, id: Option<i32>) -> String {
        id.and_then(|id| {
            self.0
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, n)| n.clone())
        })
        .unwrap_or_default()
    }
}

/// One labelled value (the sender's and the classification's lists).
pub struct Fact {
    pub label: String,
    pub value: String,
}

impl Fact {
    fn new(t: &Tr, label: &str, value: String) -> Fact {
        Fact {
            label: t.t(label),
            value,
        }
    }
}

/// Adds the fact `label` when `value` is present and not empty.
fn opt_fact(out: &mut Vec<Fact>, t: &Tr, label: &str, value: &Option<String>) {
    if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
        out.push(Fact::new(t, label, v.to_string()));
    }
}

pub struct FileView {
    pub id: i64,
    pub filename: String,
    pub size: String,
    pub origin: String,
}

pub struct EventView {
    pub at: String,
    pub who: String,
    pub what: String,
    pub body: Option<String>,
    /// Labelled details from the event's data (a rating's level, a transfer's agency).
    pub details: Vec<(String, String)>,
    pub public: bool,
}

pub struct DueView {
    pub label: String,
    pub date: String,
    pub state: &'static str,
    pub state_label: String,
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

/// The PAKN as the ticket page shows it to one viewer.
pub struct TicketView {
    pub code: String,
    pub code_display: String,
    pub title: String,
    /// The status code (the badge's colour).
    pub status: &'static str,
    pub status_label: String,
    /// Whether what the PAKN says is withheld from this viewer (the page flags it).
    pub confidential_hidden: bool,
    pub spam_reasons: Vec<String>,
    pub dues: Vec<DueView>,
    pub sender: Vec<Fact>,
    pub about: Vec<Fact>,
    pub routing: String,
    pub content: String,
    pub proposal: Option<String>,
    pub files: Vec<FileView>,
    pub events: Vec<EventView>,
    /// The draft waiting for a leader.
    pub pending: Option<ReplyView>,
    pub replies: Vec<ReplyView>,
    /// The mail card: every mail about it, its addresses whole only for readers.
    pub mails: Vec<MailLineView>,
}

impl TicketView {
    pub fn build(cx: &ViewCx, loaded: &Loaded, viewer: &Access) -> TicketView {
        let ticket = &loaded.ticket;
        let t = &cx.t;
        // The one question to the access policy: may this viewer read what it says and
        // who sent it? (Inspectors and admins outside the unit may not read a
        // confidential PAKN; its handling unit and leaders may.)
        let reads = viewer.reads_content(ticket.unit_id, ticket.confidential);
        let said = if reads {
            Said::of(cx, loaded)
        } else {
            Said::withheld(cx, loaded)
        };
        let mut sender = vec![submitter_kind(t, ticket)];
        sender.extend(said.sender);
        let mut about = classification(cx, loaded);
        about.extend(said.particulars);
        about.extend(consent(t, ticket));
        TicketView {
            code: ticket.code.clone(),
            code_display: TrackingCode::parse(&ticket.code)
                .map(|c| c.display())
                .unwrap_or(ticket.code.clone()),
            title: said.title,
            status: ticket.status.as_str(),
            status_label: t.t(&ticket.status.label_id()),
            confidential_hidden: !reads,
            spam_reasons: ticket
                .spam_reasons
                .iter()
                .map(|r| t.t(&format!("mail-spam-reason-{r}")))
                .collect(),
            dues: dues(cx, ticket, loaded.publication_clock),
            sender,
            about,
            routing: routing(cx, &loaded.events),
            content: said.content,
            proposal: said.proposal,
            files: said.files,
            events: said.events,
            pending: said
                .replies
                .iter()
                .rev()
                .find(|r| r.state == ReplyState::Pending)
                .cloned(),
            replies: said.replies,
            mails: loaded
                .mails
                .iter()
                .map(|m| mail_lines::view(t, m, reads))
                .collect(),
        }
    }

    /// Whether the page shows the sender's personal data (each such view is recorded).
    pub fn shows_personal_data(&self) -> bool {
        !self.confidential_hidden
    }
}

/// What a PAKN says and who sent it, with its files, the texts of its timeline and its
/// replies: [`Said::of`] is built only for those the access policy lets read it.
struct Said {
    title: String,
    /// The sender's personal data.
    sender: Vec<Fact>,
    /// The procedure, dossier and agency it is about.
    particulars: Vec<Fact>,
    content: String,
    proposal: Option<String>,
    files: Vec<FileView>,
    events: Vec<EventView>,
    replies: Vec<ReplyView>,
}

impl Said {
    fn of(cx: &ViewCx, loaded: &Loaded) -> Said {
        let (t, ticket) = (&cx.t, &loaded.ticket);
        let reply_files = |reply_id: i64| -> Vec<(i64, String)> {
            loaded
                .files
                .iter()
                .filter(|f| f.reply_id == Some(reply_id))
                .map(|f| (f.id, f.filename.clone()))
                .collect()
        };
        Said {
            title: ticket.title.clone(),
            sender: personal_data(t, ticket),
            particulars: particulars(t, ticket),
            content: ticket.content.clone(),
            proposal: ticket.proposal.clone(),
            files: loaded.files.iter().map(|f| file_view(t, f)).collect(),
            events: loaded
                .events
                .iter()
                .map(|e| EventView {
                    body: e.body.clone(),
                    details: event_details(t, &e.data, Reader::Staff),
                    ..event_view(t, e, &loaded.names)
                })
                .collect(),
            replies: loaded
                .replies
                .iter()
                .map(|r| ReplyView::of(t, r, loaded.names.of(r.drafted_by), reply_files(r.id)))
                .collect(),
        }
    }

    /// What stands in for it where it is withheld: a placeholder title, the timeline
    /// without its texts, nothing else.
    fn withheld(cx: &ViewCx, loaded: &Loaded) -> Said {
        let t = &cx.t;
        Said {
            title: t.t("staff-confidential-title"),
            sender: Vec::new(),
            particulars: Vec::new(),
            content: String::new(),
            proposal: None,
            files: Vec::new(),
            events: loaded
                .events
                .iter()
                .map(|e| event_view(t, e, &loaded.names))
                .collect(),
            replies: Vec::new(),
        }
    }
}

fn submitter_kind(t: &Tr, ticket: &TicketRow) -> Fact {
    let kind = if ticket.submitter_kind == SubmitterKind::Organization {
        "submitter-organization"
    } else {
        "submitter-individual"
    };
    Fact::new(t, "label-submitter-kind", t.t(kind))
}

/// Who sent it and how to reach them.
fn personal_data(t: &Tr, ticket: &TicketRow) -> Vec<Fact> {
    let mut out = Vec::new();
    opt_fact(&mut out, t, "label-full-name", &ticket.full_name);
    opt_fact(&mut out, t, "label-organization", &ticket.organization);
    opt_fact(&mut out, t, "label-representative", &ticket.representative);
    out.push(Fact::new(t, "label-address", ticket.address.clone()));
    opt_fact(&mut out, t, "label-commune", &ticket.commune);
    out.push(Fact::new(t, "label-phone", ticket.phone.clone()));
    opt_fact(&mut out, t, "label-email", &ticket.email);
    out
}

/// The procedure, dossier and agency the PAKN is about.
fn particulars(t: &Tr, ticket: &TicketRow) -> Vec<Fact> {
    let mut out = Vec::new();
    opt_fact(&mut out, t, "label-procedure", &ticket.procedure_name);
    opt_fact(&mut out, t, "label-dossier-code", &ticket.dossier_code);
    opt_fact(&mut out, t, "label-subject-agency", &ticket.subject_agency);
    out
}

/// Its kind, category, lĩnh vực, unit, assignee, channel and receipt.
fn classification(cx: &ViewCx, loaded: &Loaded) -> Vec<Fact> {
    let (t, reference, ticket) = (&cx.t, cx.reference, &loaded.ticket);
    let mut out = vec![
        Fact::new(t, "label-kind", t.t(&ticket.kind.message_id("kind"))),
        Fact::new(
            t,
            "label-content-category",
            reference
                .category(&ticket.content_category)
                .map(|c| t.pick(&c.name_vi, &c.name_en).to_string())
                .unwrap_or(ticket.content_category.clone()),
        ),
        Fact::new(
            t,
            "label-field",
            reference
                .field(&ticket.field_code)
                .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
                .unwrap_or(ticket.field_code.clone()),
        ),
        Fact::new(
            t,
            "receipt-unit",
            reference
                .unit(ticket.unit_id)
                .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
                .unwrap_or_default(),
        ),
        Fact::new(t, "staff-assignee", assignee(t, loaded)),
        Fact::new(
            t,
            "staff-channel",
            t.t(&ticket.channel.message_id("channel")),
        ),
        Fact::new(t, "receipt-received", format_datetime(ticket.received_at)),
    ];
    opt_fact(&mut out, t, "staff-external-ref", &ticket.external_ref);
    if let Some(d) = ticket.external_ref_date {
        out.push(Fact::new(t, "staff-external-ref-date", format_date(d)));
    }
    if ticket.entered_by.is_some() {
        out.push(Fact::new(
            t,
            "staff-entered-by",
            loaded.names.of(ticket.entered_by),
        ));
    }
    out
}

/// Who handles it, or "not assigned" (never a blank).
fn assignee(t: &Tr, loaded: &Loaded) -> String {
    Some(loaded.names.of(loaded.ticket.assignee_id))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| t.t("ticket-unassigned"))
}

/// Whether it may be published, and the processing consent with its notice version.
fn consent(t: &Tr, ticket: &TicketRow) -> [Fact; 2] {
    let publish = if ticket.publish_consent {
        "staff-yes"
    } else {
        "staff-no"
    };
    [
        Fact::new(t, "staff-publish-consent", t.t(publish)),
        Fact::new(
            t,
            "staff-consent",
            format!(
                "{} ({} {})",
                format_datetime(ticket.consent_at),
                t.t("staff-notice-version"),
                ticket.privacy_notice_version
            ),
        ),
    ]
}

/// Each deadline, with its state while it runs.
fn dues(cx: &ViewCx, ticket: &TicketRow, answered: Option<DateTime<Utc>>) -> Vec<DueView> {
    let status = ticket.status;
    let mut out = vec![
        due_view(
            cx,
            "receipt-accept-due",
            ticket.accept_due,
            status == Status::Submitted,
        ),
        due_view(
            cx,
            "staff-forward-due",
            ticket.forward_due,
            status == Status::Submitted || status == Status::Accepted,
        ),
        due_view(cx, "receipt-reply-due", ticket.reply_due, status.is_open()),
    ];
    if let Some(d) = ticket.needs_info_due {
        out.push(due_view(
            cx,
            "staff-needs-info-due",
            d,
            status == Status::NeedsInfo,
        ));
    }
    if let Some(answered) = answered {
        let due = crate::domain::reminders::publication_due(
            &cx.reference.calendar,
            crate::domain::calendar::local_date(answered),
            cx.cfg.deadlines.publish_working_days,
        );
        out.push(due_view(cx, "reminder-publication-due", due, true));
    }
    out
}

fn due_view(cx: &ViewCx, label: &str, date: NaiveDate, running: bool) -> DueView {
    let t = &cx.t;
    let (state, state_label) = if running {
        match due_state(&cx.reference.calendar, &cx.policy, date, cx.now) {
            DueState::Overdue => ("overdue", t.t("staff-overdue")),
            DueState::DueSoon => ("soon", t.t("staff-due-soon")),
            DueState::OnTime => ("ontime", t.t("staff-on-time")),
        }
    } else {
        ("", String::new())
    };
    DueView {
        label: t.t(label),
        date: format_date(date),
        state,
        state_label,
    }
}

/// How it was routed: the rule and the contacts notified, from the filing's event.
fn routing(cx: &ViewCx, events: &[EventRow]) -> String {
    let (t, reference) = (&cx.t, cx.reference);
    let Some(r) = events
        .iter()
        .find(|e| e.event == "submitted")
        .and_then(|e| e.data.get("routing"))
    else {
        return String::new();
    };
    let rule = r.get("rule").and_then(|v| v.as_str()).unwrap_or("—");
    let list = |k: &str| -> String {
        r.get(k)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str())
                    .filter_map(|code| reference.contacts.iter().find(|c| c.code == code))
                    .map(|c| t.pick(&c.title_vi, &c.title_en).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    format!(
        "{rule} · {}: {} · Cc: {}",
        t.t("staff-notified"),
        list("to"),
        list("cc")
    )
}

fn file_view(t: &Tr, f: &AttachmentMeta) -> FileView {
    FileView {
        id: f.id,
        filename: f.filename.clone(),
        size: size_text(i64::from(f.size_bytes)),
        origin: t.t(&format!("staff-file-{}", f.origin)),
    }
}

/// One timeline entry: when, who and what, without its text and details.
fn event_view(t: &Tr, e: &EventRow, names: &Names) -> EventView {
    EventView {
        at: format_datetime(e.at),
        who: match e.actor_kind {
            ActorKind::Citizen => t.t("staff-actor-citizen"),
            ActorKind::System => t.t("staff-actor-system"),
            ActorKind::Staff => names.of(e.actor_id),
        },
        what: t.t(&format!("event-{}", e.event.replace('_', "-"))),
        body: None,
        details: Vec::new(),
        public: e.public,
    }
}
