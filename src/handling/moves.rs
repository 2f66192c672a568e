//! What each move of the table does besides changing the status: the ticket's other
//! columns, the event's text and details, the files it brings and who is told. One
//! small function per move; [`super::apply_move`] checks the move first and records the
//! [`Effect`] after.

use chrono::TimeDelta;
use diesel_async::AsyncPgConnection;
use serde_json::json;

use super::notice::Notice;
use super::{Classification, Context, HandlingError, ReplyDocument, Step, Who, clean};
use crate::db::overview::{OUTCOME_LATE, OUTCOME_ON_TIME};
use crate::db::workflow::{self as data, LockedTicket, TicketChange};
use crate::domain::attachment::CheckedFile;
use crate::domain::calendar::{DayCount, extend_by_pause, local_date};
use crate::domain::feedback::FeedbackKind;
use crate::domain::reference::Reference;
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
use crate::domain::workflow::{self, Action, Urgency};
use crate::i18n::{Lang, Tr};

/// Where new files of a step belong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileOrigin {
    /// The citizen's, on the step's event.
    Citizen,
    /// The draft reply's.
    Reply,
}

impl FileOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            FileOrigin::Citizen => "citizen",
            FileOrigin::Reply => "reply",
        }
    }
}

/// What a step does besides its status.
pub struct Effect {
    /// The columns it sets (status and `updated_at` are added by the caller).
    pub change: TicketChange,
    /// The event's text (a reason, a question, an answer).
    pub body: Option<String>,
    /// The event's details.
    pub details: serde_json::Value,
    pub notice: Notice,
    pub files: Option<(FileOrigin, Vec<CheckedFile>)>,
    /// The draft reply the files belong to.
    pub reply_id: Option<i64>,
    /// The outcome counted at a first answer (on time or late).
    pub outcome: Option<&'static str>,
    /// The handling unit the PAKN moves to, whose staff get the new-PAKN notification
    /// (but not these accounts: the actor, and the handler told by `notice`).
    pub moved_to: Option<(i32, Vec<i32>)>,
}

impl Effect {
    /// An effect that only records `details`.
    pub fn bare(details: serde_json::Value) -> Effect {
        Effect {
            details,
            ..Effect::new()
        }
    }

    fn new() -> Effect {
        Effect {
            change: TicketChange::default(),
            body: None,
            details: json!({}),
            notice: Notice::none(),
            files: None,
            reply_id: None,
            outcome: None,
            moved_to: None,
        }
    }

    fn citizen_told(body: Option<String>) -> Effect {
        Effect {
            body,
            notice: Notice::citizen(),
            ..Effect::new()
        }
    }

    fn closing(mut self, now: chrono::DateTime<chrono::Utc>) -> Effect {
        self.change.closed_at = Some(Some(now));
        self
    }
}

/// The effect of `step` on `ticket` (in status `from`), made by `who`.
pub async fn effect_of(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    from: Status,
    who: &Who,
    step: Step,
) -> Result<Effect, HandlingError> {
    let now = ctx.now;
    Ok(match step {
        Step::Accept(c) => accept(conn, ctx, ticket, who, c).await?,
        Step::AskInfo { question } => ask_info(ctx, from, &question),
        Step::AnswerInfo { text, files } => answer_info(conn, ctx, ticket, &text, files).await?,
        Step::ExpireInfo => expire_info(ctx, ticket),
        Step::Reject { reason } => Effect::citizen_told(Some(clean(&reason))).closing(now),
        Step::OutOfScope {
            reason,
            competent_body,
        } => Effect {
            details: json!({ "competent_body": clean(&competent_body) }),
            ..Effect::citizen_told(Some(clean(&reason)))
        }
        .closing(now),
        Step::Transfer {
            agency,
            reference,
            date,
        } => Effect {
            details: json!({
                "agency": clean(&agency), "reference": clean(&reference), "date": date,
            }),
            ..Effect::citizen_told(None)
        }
        .closing(now),
        Step::StartWork => start_work(ticket, who),
        Step::SubmitDraft { body, files } => submit_draft(conn, ticket, who, &body, files).await?,
        Step::ReturnDraft { reason } => return_draft(conn, ctx, ticket, who, &reason).await?,
        Step::Approve(doc) => approve(conn, ctx, ticket, who, doc).await?,
        Step::Withdraw { reason } => withdraw(conn, ctx, ticket, &reason).await?,
        Step::CloseDuplicate { of_code } => {
            close_duplicate(conn, ticket, &of_code).await?.closing(now)
        }
        Step::Close | Step::AutoClose => Effect::new().closing(now),
        Step::Reopen { reason } => reopen(conn, ctx, ticket, who, &reason).await?,
    })
}

async fn accept(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    who: &Who,
    c: Classification,
) -> Result<Effect, HandlingError> {
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
    let (Some(kind), Some(urgency)) = (FeedbackKind::parse(&c.kind), Urgency::parse(&c.urgency))
    else {
        return Err(HandlingError::Invalid("handling-err-classification"));
    };
    let assignee = c.assignee_id.unwrap_or_default();
    if !data::is_assignable(conn, assignee, unit_id).await? {
        return Err(HandlingError::Invalid("handling-err-assignee"));
    }
    let procedure = clean(&c.procedure);
    let mut effect = Effect::new();
    effect.details = json!({
        "field": field.code, "kind": kind.as_str(), "urgency": urgency.as_str(),
        "unit_id": unit_id, "assignee_id": assignee,
    });
    effect.change = TicketChange {
        field_code: Some(field.code.clone()),
        kind: Some(kind),
        procedure_name: Some(Some(procedure).filter(|p| !p.is_empty())),
        urgency: Some(Some(urgency)),
        unit_id: Some(unit_id),
        assignee_id: Some(Some(assignee)),
        accepted_at: Some(ctx.now),
        ..TicketChange::default()
    };
    // The handler named is told, unless they accepted it themself; a move into another
    // unit tells that unit's staff too.
    let actor = staff_id(who).ok();
    if actor != Some(assignee)
        && let Some(to) = data::user_email(conn, assignee).await?
    {
        effect.notice = Notice::staff(vec![to]);
    }
    if unit_id != ticket.unit_id {
        effect.moved_to = Some((unit_id, actor.into_iter().chain([assignee]).collect()));
    }
    Ok(effect)
}

fn ask_info(ctx: &Context<'_>, from: Status, question: &str) -> Effect {
    let expiry = ctx.cfg.deadlines.needs_info_expiry_days;
    let due = local_date(ctx.now) + TimeDelta::days(i64::from(expiry));
    let mut effect = Effect::citizen_told(Some(clean(question)));
    effect.change.status_before_info = Some(Some(from));
    effect.change.needs_info_due = Some(Some(due));
    effect.details = json!({ "answer_by": due });
    effect
}

async fn answer_info(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    text: &str,
    files: Vec<CheckedFile>,
) -> Result<Effect, HandlingError> {
    let mut effect = Effect::new();
    effect.change.status_before_info = Some(None);
    effect.change.needs_info_due = Some(None);
    if ctx.cfg.deadlines.pause_on_needs_info {
        pause_reply_deadline(conn, ctx, ticket, &mut effect).await?;
    }
    effect.body = Some(clean(text)).filter(|t| !t.is_empty());
    effect.files = Some((FileOrigin::Citizen, files));
    effect.notice = Notice::staff(unit_recipients(conn, ctx, ticket).await?);
    Ok(effect)
}

/// With `pause_on_needs_info`, the days the citizen took to answer move the reply
/// deadline back by as many days (counted as the reply deadline is).
async fn pause_reply_deadline(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    effect: &mut Effect,
) -> Result<(), HandlingError> {
    let today = local_date(ctx.now);
    let asked = data::last_event_at(conn, ticket.id, Action::AskInfo.code())
        .await?
        .map(local_date)
        .unwrap_or(today);
    let count = ctx.cfg.deadlines.reply_count;
    let paused = match count {
        DayCount::Calendar => (today - asked).num_days(),
        DayCount::Working => ctx.reference.calendar.working_days_between(asked, today),
    }
    .max(0);
    let paused_u32 = u32::try_from(paused).unwrap_or(0);
    if paused_u32 > 0 {
        let due = extend_by_pause(&ctx.reference.calendar, ticket.reply_due, paused_u32, count);
        effect.change.reply_due = Some(due);
        effect.change.paused_days = Some(ticket.paused_days + i32::try_from(paused).unwrap_or(0));
        effect.details = json!({ "paused_days": paused, "reply_due": due });
    }
    Ok(())
}

fn expire_info(ctx: &Context<'_>, ticket: &LockedTicket) -> Effect {
    let reason =
        template_reason(ctx.reference, "needs_info_expired", &ticket.lang).unwrap_or_else(|| {
            Tr::new(Lang::parse(&ticket.lang).unwrap_or_default())
                .t("handling-expired-default-reason")
        });
    let mut effect = Effect::citizen_told(Some(reason)).closing(ctx.now);
    effect.change.status_before_info = Some(None);
    effect.change.needs_info_due = Some(None);
    effect
}

/// The reason text of the first active template of `purpose`, in the ticket's language.
fn template_reason(reference: &Reference, purpose: &str, lang: &str) -> Option<String> {
    let lang = Lang::parse(lang).unwrap_or_default();
    reference
        .reasons
        .iter()
        .find(|r| r.active && r.purpose == purpose)
        .map(|r| lang.pick(&r.text_vi, &r.text_en).to_string())
}

/// Starting work makes the starter the handler when there is none.
fn start_work(ticket: &LockedTicket, who: &Who) -> Effect {
    let mut effect = Effect::new();
    if ticket.assignee_id.is_none()
        && let Who::Staff(s) = who
    {
        effect.change.assignee_id = Some(Some(s.user_id));
    }
    effect
}

fn staff_id(who: &Who) -> Result<i32, HandlingError> {
    match who {
        Who::Staff(s) => Ok(s.user_id),
        _ => Err(HandlingError::NotAllowed),
    }
}

async fn submit_draft(
    conn: &mut AsyncPgConnection,
    ticket: &LockedTicket,
    who: &Who,
    text: &str,
    files: Vec<CheckedFile>,
) -> Result<Effect, HandlingError> {
    let drafter = staff_id(who)?;
    let id = data::insert_reply(conn, ticket.id, &clean(text), drafter).await?;
    Ok(Effect {
        details: json!({ "reply_id": id }),
        files: Some((FileOrigin::Reply, files)),
        reply_id: Some(id),
        notice: Notice::staff(data::leader_emails(conn).await?),
        ..Effect::new()
    })
}

async fn return_draft(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    who: &Who,
    reason: &str,
) -> Result<Effect, HandlingError> {
    let leader = staff_id(who)?;
    let reply = data::pending_reply(conn, ticket.id)
        .await?
        .ok_or(HandlingError::Invalid("handling-err-no-draft"))?;
    let reason = clean(reason);
    data::return_reply(conn, reply.id, leader, &reason, ctx.now).await?;
    let mut effect = Effect {
        details: json!({ "reply_id": reply.id }),
        body: Some(reason),
        ..Effect::new()
    };
    if let Some(drafter) = reply.drafted_by
        && let Some(to) = data::user_email(conn, drafter).await?
    {
        effect.notice = Notice::staff(vec![to]);
    }
    Ok(effect)
}

async fn approve(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    who: &Who,
    doc: ReplyDocument,
) -> Result<Effect, HandlingError> {
    let leader = staff_id(who)?;
    let now = ctx.now;
    let reply = data::pending_reply(conn, ticket.id)
        .await?
        .ok_or(HandlingError::Invalid("handling-err-no-draft"))?;
    let date = doc.date.unwrap_or_else(|| local_date(now));
    let number = clean(&doc.number_symbol);
    let signer = clean(&doc.signer);
    data::approve_reply(conn, reply.id, leader, (&number, date, &signer), now).await?;
    let files = data::reply_file_ids(conn, reply.id).await?;
    let first_answer = ticket.answered_at.is_none();
    let on_time = local_date(now) <= ticket.reply_due;
    let mut effect = Effect {
        // `on_time` lets the reconciliation of the report aggregates judge the first
        // answer as it was judged here, whatever the deadline becomes later.
        details: json!({
            "reply_id": reply.id, "number_symbol": number, "date": date, "signer": signer,
            "on_time": on_time,
        }),
        outcome: first_answer.then_some(if on_time {
            OUTCOME_ON_TIME
        } else {
            OUTCOME_LATE
        }),
        notice: Notice::citizen()
            .with_files(files)
            .with_reply(reply.body, number, date, signer),
        ..Effect::new()
    };
    effect.change.answered_at = Some(now);
    Ok(effect)
}

async fn withdraw(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    reason: &str,
) -> Result<Effect, HandlingError> {
    let mut effect = Effect {
        body: Some(clean(reason)),
        notice: Notice::staff(unit_recipients(conn, ctx, ticket).await?),
        ..Effect::new()
    }
    .closing(ctx.now);
    effect.change.needs_info_due = Some(None);
    effect.change.status_before_info = Some(None);
    Ok(effect)
}

async fn close_duplicate(
    conn: &mut AsyncPgConnection,
    ticket: &LockedTicket,
    of_code: &str,
) -> Result<Effect, HandlingError> {
    let unknown = HandlingError::Invalid("handling-err-duplicate-unknown");
    let Some(code) = TrackingCode::parse(of_code) else {
        return Err(unknown);
    };
    let Some(original) = data::id_by_code(conn, code.as_str()).await? else {
        return Err(unknown);
    };
    if original == ticket.id {
        return Err(HandlingError::Invalid("handling-err-duplicate-self"));
    }
    let mut effect = Effect::citizen_told(None);
    effect.change.duplicate_of = Some(Some(original));
    effect.details = json!({ "duplicate_of": code.as_str() });
    Ok(effect)
}

/// A citizen reopens within the window after the answer, and the unit is told; staff
/// reopen at any time.
async fn reopen(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    who: &Who,
    reason: &str,
) -> Result<Effect, HandlingError> {
    let mut effect = Effect {
        body: Some(clean(reason)),
        ..Effect::new()
    };
    if matches!(who, Who::Citizen) {
        // A PAKN without an answer date (reopened before its answer was recorded, in
        // old data) is within the window.
        let answered = ticket.answered_at.unwrap_or(ctx.now);
        let window = ctx.cfg.deadlines.reopen_window_days;
        if !workflow::citizen_may_reopen(answered, ctx.now, window) {
            return Err(HandlingError::Invalid("handling-err-reopen-window"));
        }
        effect.notice = Notice::staff(unit_recipients(conn, ctx, ticket).await?);
    }
    effect.change.closed_at = Some(None);
    Ok(effect)
}

/// Who hears for the handling unit: the unit's address, or (when it has none) its
/// officers, and the handler.
pub(super) async fn unit_recipients(
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
