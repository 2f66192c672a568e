//! The handling of a PAKN: every move of domain.md's table and the actions that change
//! no status (assigning, notes, confidentiality), each carried out in one transaction
//! that locks the ticket, checks the move against [`crate::domain::workflow`], changes
//! the ticket, writes the timeline event, keeps the counters true and queues the mail
//! the citizen or the staff must get (`mail::enqueue`). The periodic automatic moves are
//! in [`jobs`].

pub mod command;
pub mod filing;
pub mod jobs;
pub mod notice;
pub mod rating;
pub mod stash;

pub use command::{Classification, Command, ReplyDocument, Step, Who};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;

use crate::config::Config;
use crate::db::counters;
use crate::db::workflow::{self as data, EventInsert, FileInsert, LockedTicket, TicketChange};
use crate::domain::attachment::CheckedFile;
use crate::domain::calendar::{DayCount, local_date};
use crate::domain::reference::Reference;
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
use crate::domain::workflow::{self, Action, Actor, MoveError};
use crate::mail::{self, OutgoingMail};
use notice::Notice;

/// The longest note, reason or answer (characters).
pub const MAX_TEXT_CHARS: usize = 20_000;

/// What a change is carried out with.
pub struct Context<'a> {
    pub cfg: &'a Config,
    pub reference: &'a Reference,
    pub now: DateTime<Utc>,
}

/// Why a command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum HandlingError {
    /// The moves table says no (wrong status, wrong person, something missing).
    #[error("move refused: {0:?}")]
    Refused(MoveError),
    /// The command carries a value that cannot be used; the message id says which.
    #[error("invalid: {0}")]
    Invalid(&'static str),
    /// This person does not handle this ticket at all (inspectors, admins, officers of
    /// another unit).
    #[error("not allowed")]
    NotAllowed,
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("mail: {0:#}")]
    Mail(anyhow::Error),
}

impl HandlingError {
    /// The message id to show the user, for errors a user can fix.
    pub fn message_id(&self) -> Option<String> {
        match self {
            HandlingError::Refused(e) => Some(e.message_id()),
            HandlingError::Invalid(id) => Some((*id).to_string()),
            _ => None,
        }
    }
}

/// What a command did.
#[derive(Debug, Clone)]
pub struct Done {
    pub event_id: i64,
    pub from: Status,
    pub to: Status,
    /// How many mails were queued (wake the worker when any).
    pub mails: usize,
}

/// Carries out `command` on ticket `ticket_id` for `who`, in one transaction.
pub async fn perform(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket_id: i64,
    who: &Who,
    command: Command,
) -> Result<Done, HandlingError> {
    conn.transaction::<Done, HandlingError, _>(async |conn| {
        perform_in(conn, ctx, ticket_id, who, command).await
    })
    .await
}

/// Several commands in one transaction (all or none); the mails are summed.
pub async fn perform_all(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket_id: i64,
    who: &Who,
    commands: Vec<Command>,
) -> Result<Done, HandlingError> {
    conn.transaction::<Done, HandlingError, _>(async |conn| {
        let mut last: Option<Done> = None;
        let mut mails = 0;
        for command in commands.clone() {
            let done = perform_in(conn, ctx, ticket_id, who, command).await?;
            mails += done.mails;
            last = Some(Done {
                from: last.as_ref().map_or(done.from, |l| l.from),
                ..done
            });
        }
        last.map(|d| Done { mails, ..d })
            .ok_or(HandlingError::Invalid("handling-err-unknown-action"))
    })
    .await
}

/// As [`perform`], inside the caller's transaction (the periodic jobs claim tickets and
/// change them in one).
pub async fn perform_in(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket_id: i64,
    who: &Who,
    command: Command,
) -> Result<Done, HandlingError> {
    let ticket = data::lock(conn, ticket_id).await?;
    let from = Status::parse(&ticket.status).unwrap_or(Status::Submitted);
    if let Who::Staff(staff) = who
        && !staff.may_act_on(ticket.unit_id)
    {
        return Err(HandlingError::NotAllowed);
    }
    check_lengths(&command)?;
    match command {
        Command::Move(step) => apply_move(conn, ctx, &ticket, from, who, step).await,
        other => apply_note(conn, ctx, &ticket, from, who, other).await,
    }
}

fn check_lengths(command: &Command) -> Result<(), HandlingError> {
    let texts: Vec<&str> = match command {
        Command::InternalNote { text } | Command::ProgressNote { text } => vec![text],
        Command::Confidential { reason, .. } => vec![reason],
        Command::Assign { .. } => vec![],
        Command::Move(step) => match step {
            Step::AskInfo { question } => vec![question],
            Step::AnswerInfo { text, .. } => vec![text],
            Step::Reject { reason }
            | Step::ReturnDraft { reason }
            | Step::Withdraw { reason }
            | Step::Reopen { reason } => vec![reason],
            Step::OutOfScope {
                reason,
                competent_body,
            } => vec![reason, competent_body],
            Step::Transfer {
                agency, reference, ..
            } => vec![agency, reference],
            Step::SubmitDraft { body, .. } => vec![body],
            Step::Approve(d) => vec![&d.number_symbol, &d.signer],
            Step::Accept(c) => vec![&c.procedure],
            Step::CloseDuplicate { of_code } => vec![of_code],
            _ => vec![],
        },
    };
    if texts.iter().any(|t| t.chars().count() > MAX_TEXT_CHARS) {
        return Err(HandlingError::Invalid("handling-err-too-long"));
    }
    Ok(())
}

fn actor_kind(who: &Who) -> (&'static str, Option<i32>) {
    match who {
        Who::Staff(s) => ("staff", Some(s.user_id)),
        Who::Citizen => ("citizen", None),
        Who::System => ("system", None),
    }
}

/// The actor of the moves table `who` is for this move (the first that may make it).
fn actor_for(who: &Who, unit_id: i32, action: Action) -> Actor {
    match who {
        Who::Citizen => Actor::Citizen,
        Who::System => Actor::System,
        // Handling refuses earlier anyone who is no actor for this unit.
        Who::Staff(staff) => staff.actor_for(unit_id, action).unwrap_or(Actor::Officer),
    }
}

fn clean(s: &str) -> String {
    crate::domain::fold::clean_text(s)
}

/// What an event records besides who and when.
struct EventParts {
    code: &'static str,
    statuses: Option<(Status, Status)>,
    public: bool,
    body: Option<String>,
    data: serde_json::Value,
}

fn event(ticket: &LockedTicket, ctx: &Context<'_>, who: &Who, parts: EventParts) -> EventInsert {
    let EventParts {
        code,
        statuses,
        public,
        body,
        data,
    } = parts;
    let (kind, id) = actor_kind(who);
    EventInsert {
        ticket_id: ticket.id,
        at: ctx.now,
        actor_kind: kind.to_string(),
        actor_id: id,
        event: code.to_string(),
        from_status: statuses.map(|s| s.0.as_str().to_string()),
        to_status: statuses.map(|s| s.1.as_str().to_string()),
        public,
        body,
        data,
    }
}

fn file_rows(files: &[CheckedFile]) -> Vec<FileInsert<'_>> {
    files
        .iter()
        .map(|f| FileInsert {
            filename: &f.filename,
            content_type: f.kind.content_type(),
            sha256: &f.sha256,
            data: &f.bytes,
        })
        .collect()
}

fn month_of_receipt(ticket: &LockedTicket) -> NaiveDate {
    counters::month_of(local_date(ticket.received_at))
}

fn day_count(cfg: &Config) -> DayCount {
    DayCount::parse(&cfg.deadlines.reply_count).unwrap_or(DayCount::Calendar)
}

/// The reason text of the first active template of `purpose`, in the ticket's language.
fn template_reason(reference: &Reference, purpose: &str, lang: &str) -> Option<String> {
    let lang = crate::i18n::Lang::parse(lang).unwrap_or_default();
    reference
        .reasons
        .iter()
        .find(|r| r.active && r.purpose == purpose)
        .map(|r| lang.pick(&r.text_vi, &r.text_en).to_string())
}

async fn apply_move(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    from: Status,
    who: &Who,
    step: Step,
) -> Result<Done, HandlingError> {
    let action = step.action();
    let actor = actor_for(who, ticket.unit_id, action);
    let previous = ticket.status_before_info.as_deref().and_then(Status::parse);
    let to = workflow::check(action, from, actor, &step.provided(), previous)
        .map_err(HandlingError::Refused)?;
    let now = ctx.now;
    let mut change = TicketChange {
        status: Some(to.as_str().to_string()),
        updated_at: Some(now),
        ..TicketChange::default()
    };
    let mut new_unit = ticket.unit_id;
    let mut new_field = ticket.field_code.clone();
    let mut body: Option<String> = None;
    let mut details = json!({});
    let mut notice = Notice::none();
    let mut files_after: Option<(&'static str, Vec<CheckedFile>)> = None;
    let mut reply_id: Option<i64> = None;
    let mut outcome: Option<&'static str> = None;
    match step {
        Step::Accept(c) => {
            let field = ctx
                .reference
                .field(&c.field_code)
                .filter(|f| f.active)
                .ok_or(HandlingError::Invalid("handling-err-field"))?;
            let unit_id = c.unit_id.unwrap_or(ticket.unit_id);
            ctx.reference
                .unit(unit_id)
                .filter(|u| u.active)
                .ok_or(HandlingError::Invalid("handling-err-unit"))?;
            if !matches!(c.kind.as_str(), "phan_anh" | "kien_nghi")
                || !matches!(c.urgency.as_str(), "urgent" | "normal" | "complex")
            {
                return Err(HandlingError::Invalid("handling-err-classification"));
            }
            let assignee = c.assignee_id.unwrap_or_default();
            if !data::is_assignable(conn, assignee, unit_id).await? {
                return Err(HandlingError::Invalid("handling-err-assignee"));
            }
            new_unit = unit_id;
            new_field = field.code.clone();
            let procedure = clean(&c.procedure);
            details = json!({
                "field": field.code, "kind": c.kind, "urgency": c.urgency,
                "unit_id": unit_id, "assignee_id": assignee,
            });
            change.field_code = Some(field.code.clone());
            change.kind = Some(c.kind);
            change.procedure_name = Some(Some(procedure).filter(|p| !p.is_empty()));
            change.urgency = Some(Some(c.urgency));
            change.unit_id = Some(unit_id);
            change.assignee_id = Some(Some(assignee));
            change.accepted_at = Some(now);
            if unit_id != ticket.unit_id
                && let Some(to) = data::user_email(conn, assignee).await?
            {
                notice = Notice::staff(vec![to]);
            }
        }
        Step::AskInfo { question } => {
            let question = clean(&question);
            let expiry = ctx.cfg.deadlines.needs_info_expiry_days;
            let due = local_date(now) + TimeDelta::days(i64::from(expiry));
            change.status_before_info = Some(Some(from.as_str().to_string()));
            change.needs_info_due = Some(Some(due));
            details = json!({ "answer_by": due });
            body = Some(question);
            notice = Notice::citizen();
        }
        Step::AnswerInfo { text, files } => {
            change.status_before_info = Some(None);
            change.needs_info_due = Some(None);
            if ctx.cfg.deadlines.pause_on_needs_info {
                let asked = data::last_event_at(conn, ticket.id, Action::AskInfo.code())
                    .await?
                    .map(local_date)
                    .unwrap_or_else(|| local_date(now));
                let count = day_count(ctx.cfg);
                let paused = match count {
                    DayCount::Calendar => (local_date(now) - asked).num_days(),
                    DayCount::Working => ctx
                        .reference
                        .calendar
                        .working_days_between(asked, local_date(now)),
                }
                .max(0);
                let paused_u32 = u32::try_from(paused).unwrap_or(0);
                if paused_u32 > 0 {
                    let due = crate::domain::calendar::extend_by_pause(
                        &ctx.reference.calendar,
                        ticket.reply_due,
                        paused_u32,
                        count,
                    );
                    change.reply_due = Some(due);
                    change.paused_days =
                        Some(ticket.paused_days + i32::try_from(paused).unwrap_or(0));
                    details = json!({ "paused_days": paused, "reply_due": due });
                }
            }
            body = Some(clean(&text)).filter(|t| !t.is_empty());
            files_after = Some(("citizen", files));
            notice = Notice::staff(unit_recipients(conn, ctx, ticket).await?);
        }
        Step::ExpireInfo => {
            let reason = template_reason(ctx.reference, "needs_info_expired", &ticket.lang)
                .unwrap_or_else(|| {
                    crate::i18n::Tr::new(crate::i18n::Lang::parse(&ticket.lang).unwrap_or_default())
                        .t("handling-expired-default-reason")
                });
            change.status_before_info = Some(None);
            change.needs_info_due = Some(None);
            change.closed_at = Some(Some(now));
            body = Some(reason);
            notice = Notice::citizen();
        }
        Step::Reject { reason } => {
            body = Some(clean(&reason));
            change.closed_at = Some(Some(now));
            notice = Notice::citizen();
        }
        Step::OutOfScope {
            reason,
            competent_body,
        } => {
            body = Some(clean(&reason));
            details = json!({ "competent_body": clean(&competent_body) });
            change.closed_at = Some(Some(now));
            notice = Notice::citizen();
        }
        Step::Transfer {
            agency,
            reference,
            date,
        } => {
            details = json!({
                "agency": clean(&agency), "reference": clean(&reference), "date": date,
            });
            change.closed_at = Some(Some(now));
            notice = Notice::citizen();
        }
        Step::StartWork => {
            if ticket.assignee_id.is_none()
                && let Who::Staff(s) = who
            {
                change.assignee_id = Some(Some(s.user_id));
            }
        }
        Step::SubmitDraft { body: text, files } => {
            let Who::Staff(staff) = who else {
                return Err(HandlingError::NotAllowed);
            };
            let id = data::insert_reply(conn, ticket.id, &clean(&text), staff.user_id).await?;
            reply_id = Some(id);
            details = json!({ "reply_id": id });
            files_after = Some(("reply", files));
            notice = Notice::staff(data::leader_emails(conn).await?);
        }
        Step::ReturnDraft { reason } => {
            let Who::Staff(staff) = who else {
                return Err(HandlingError::NotAllowed);
            };
            let reply = data::pending_reply(conn, ticket.id)
                .await?
                .ok_or(HandlingError::Invalid("handling-err-no-draft"))?;
            let reason = clean(&reason);
            data::return_reply(conn, reply.id, staff.user_id, &reason, now).await?;
            details = json!({ "reply_id": reply.id });
            body = Some(reason);
            if let Some(drafter) = reply.drafted_by
                && let Some(to) = data::user_email(conn, drafter).await?
            {
                notice = Notice::staff(vec![to]);
            }
        }
        Step::Approve(doc) => {
            let Who::Staff(staff) = who else {
                return Err(HandlingError::NotAllowed);
            };
            let reply = data::pending_reply(conn, ticket.id)
                .await?
                .ok_or(HandlingError::Invalid("handling-err-no-draft"))?;
            let date = doc.date.unwrap_or_else(|| local_date(now));
            let number = clean(&doc.number_symbol);
            let signer = clean(&doc.signer);
            data::approve_reply(conn, reply.id, staff.user_id, (&number, date, &signer), now)
                .await?;
            change.answered_at = Some(now);
            if ticket.answered_at.is_none() {
                outcome = Some(if local_date(now) <= ticket.reply_due {
                    crate::db::overview::OUTCOME_ON_TIME
                } else {
                    crate::db::overview::OUTCOME_LATE
                });
            }
            details = json!({ "reply_id": reply.id, "number_symbol": number, "date": date, "signer": signer });
            let files = data::reply_file_ids(conn, reply.id).await?;
            notice = Notice::citizen()
                .with_files(files)
                .with_reply(reply.body, number, date, signer);
        }
        Step::Withdraw { reason } => {
            body = Some(clean(&reason));
            change.closed_at = Some(Some(now));
            change.needs_info_due = Some(None);
            change.status_before_info = Some(None);
            notice = Notice::staff(unit_recipients(conn, ctx, ticket).await?);
        }
        Step::CloseDuplicate { of_code } => {
            let code = TrackingCode::parse(&of_code)
                .ok_or(HandlingError::Invalid("handling-err-duplicate-unknown"))?;
            let original = data::id_by_code(conn, code.as_str())
                .await?
                .ok_or(HandlingError::Invalid("handling-err-duplicate-unknown"))?;
            if original == ticket.id {
                return Err(HandlingError::Invalid("handling-err-duplicate-self"));
            }
            change.duplicate_of = Some(Some(original));
            change.closed_at = Some(Some(now));
            details = json!({ "duplicate_of": code.as_str() });
            notice = Notice::citizen();
        }
        Step::Close | Step::AutoClose => {
            change.closed_at = Some(Some(now));
        }
        Step::Reopen { reason } => {
            if matches!(who, Who::Citizen) {
                let window = TimeDelta::days(i64::from(ctx.cfg.deadlines.reopen_window_days));
                let answered = ticket.answered_at.unwrap_or(now);
                if now > answered + window {
                    return Err(HandlingError::Invalid("handling-err-reopen-window"));
                }
                notice = Notice::staff(unit_recipients(conn, ctx, ticket).await?);
            }
            body = Some(clean(&reason));
            change.closed_at = Some(None);
        }
    }
    let public = workflow_event_is_public(action);
    let ev = event(
        ticket,
        ctx,
        who,
        EventParts {
            code: action.code(),
            statuses: Some((from, to)),
            public,
            body: body.clone(),
            data: details.clone(),
        },
    );
    let event_id = data::insert_event(conn, &ev).await?;
    if let Some((origin, files)) = files_after {
        let rows = file_rows(&files);
        let on_event = (origin != "reply").then_some(event_id);
        data::insert_files(conn, ticket.id, origin, on_event, reply_id, &rows).await?;
    }
    data::update(conn, ticket.id, &change).await?;
    // One statement for the counts: the old status down, the new one up, and the
    // outcome of a first answer.
    let month = month_of_receipt(ticket);
    let mut changes = vec![
        (
            ticket.unit_id,
            ticket.field_code.as_str(),
            from.as_str(),
            month,
            -1,
        ),
        (new_unit, new_field.as_str(), to.as_str(), month, 1),
    ];
    if let Some(outcome) = outcome {
        changes.push((new_unit, new_field.as_str(), outcome, month, 1));
    }
    counters::add_all(conn, &changes).await?;
    let mails = notice
        .build(ctx, ticket, action.code(), to, body.as_deref(), &details)
        .map_err(HandlingError::Mail)?;
    let count = queue(conn, ticket, mails).await?;
    Ok(Done {
        event_id,
        from,
        to,
        mails: count,
    })
}

/// Which moves the citizen sees on the timeline: everything but the internal steps of
/// drafting and approval (the approved reply is shown by itself).
pub fn workflow_event_is_public(action: Action) -> bool {
    !matches!(action, Action::SubmitDraft | Action::ReturnDraft)
}

async fn apply_note(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    from: Status,
    who: &Who,
    command: Command,
) -> Result<Done, HandlingError> {
    let Who::Staff(staff) = who else {
        return Err(HandlingError::NotAllowed);
    };
    let code = command.code();
    let mut change = TicketChange {
        updated_at: Some(ctx.now),
        ..TicketChange::default()
    };
    let mut notice = Notice::none();
    let (public, body, details) = match command {
        Command::Assign { assignee_id } => {
            if let Some(id) = assignee_id
                && !data::is_assignable(conn, id, ticket.unit_id).await?
            {
                return Err(HandlingError::Invalid("handling-err-assignee"));
            }
            if from.is_terminal() {
                return Err(HandlingError::Invalid("handling-err-terminal"));
            }
            change.assignee_id = Some(assignee_id);
            if let Some(id) = assignee_id.filter(|id| *id != staff.user_id)
                && let Some(to) = data::user_email(conn, id).await?
            {
                notice = Notice::staff(vec![to]);
            }
            (false, None, json!({ "assignee_id": assignee_id }))
        }
        Command::InternalNote { text } => {
            let text = clean(&text);
            if text.is_empty() {
                return Err(HandlingError::Invalid("handling-err-note-empty"));
            }
            (false, Some(text), json!({}))
        }
        Command::ProgressNote { text } => {
            let text = clean(&text);
            if text.is_empty() {
                return Err(HandlingError::Invalid("handling-err-note-empty"));
            }
            if from.is_terminal() {
                return Err(HandlingError::Invalid("handling-err-terminal"));
            }
            change.last_public_note_at = Some(ctx.now);
            notice = Notice::citizen();
            (true, Some(text), json!({}))
        }
        Command::Confidential { on, reason } => {
            let reason = clean(&reason);
            if on && reason.is_empty() {
                return Err(HandlingError::Refused(MoveError::Missing(
                    workflow::Requirement::Reason,
                )));
            }
            change.confidential = Some(on);
            (
                false,
                Some(reason).filter(|r| !r.is_empty()),
                json!({ "confidential": on }),
            )
        }
        Command::Move(_) => return Err(HandlingError::NotAllowed),
    };
    let ev = event(
        ticket,
        ctx,
        who,
        EventParts {
            code,
            statuses: None,
            public,
            body: body.clone(),
            data: details.clone(),
        },
    );
    let event_id = data::insert_event(conn, &ev).await?;
    data::update(conn, ticket.id, &change).await?;
    let mails = notice
        .build(ctx, ticket, code, from, body.as_deref(), &details)
        .map_err(HandlingError::Mail)?;
    let count = queue(conn, ticket, mails).await?;
    Ok(Done {
        event_id,
        from,
        to: from,
        mails: count,
    })
}

/// Who hears for the handling unit: the unit's address, or (when it has none) its
/// officers, and the handler.
async fn unit_recipients(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
) -> Result<Vec<String>, HandlingError> {
    let mut to: Vec<String> = match ctx
        .reference
        .unit(ticket.unit_id)
        .and_then(|u| u.email.clone())
    {
        Some(email) => vec![email],
        None => data::unit_officer_emails(conn, ticket.unit_id).await?,
    };
    if let Some(id) = ticket.assignee_id
        && let Some(email) = data::user_email(conn, id).await?
    {
        to.push(email);
    }
    Ok(to)
}

async fn queue(
    conn: &mut AsyncPgConnection,
    ticket: &LockedTicket,
    mails: Vec<OutgoingMail>,
) -> Result<usize, HandlingError> {
    if mails.is_empty() {
        return Ok(0);
    }
    let n = mails.len();
    mail::outbox::enqueue_for_ticket(conn, &ticket.public_id, &mails).await?;
    Ok(n)
}
