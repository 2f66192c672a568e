//! Every write use case of pakn, each one transaction that checks, changes, records
//! and queues its mail (`mail::enqueue`), so that web handlers only read the request and
//! render the outcome:
//!
//! - here and in [`moves`]/[`notes`]: the handling of a PAKN, every move of domain.md's
//!   table and the actions that change no status (assigning, notes, confidentiality);
//!   each locks the ticket, checks the move against [`crate::domain::workflow`] and the
//!   actor against [`crate::domain::access`], changes the ticket, writes the timeline
//!   event, keeps the counters true and queues the mail the citizen or staff must get;
//! - [`filing`]: a new PAKN (public form or staff entry), stored with the others filed
//!   at the same moment by [`group_commit`]; [`rating`]: the citizen's
//!   rating; [`publication`]: the public copy of an answer; [`privacy`]: a data-subject
//!   request; [`forgot_codes`]: the citizen's codes mailed; [`users`] and [`account`]:
//!   staff accounts; [`jobs`]: the periodic automatic moves; [`stash`]: the sweep of
//!   files kept for a re-rendered form; [`retention`]: the anonymisation of ended PAKN;
//!   [`privacy_requests`]: data-subject requests handled (assign, answer, export,
//!   correction, erasure); [`digests`]: the daily and weekly digests, and
//!   [`digest_settings`]: one's switches for them; [`queue_bulk`]: a leader's bulk
//!   assign and accept from the queue, and [`saved_views`]: one's saved queue views.

pub mod account;
pub mod command;
pub mod digest_settings;
pub mod digests;
pub mod filing;
pub mod forgot_codes;
pub mod group_commit;
pub mod inbound;
pub mod inbound_review;
pub mod intake;
pub mod jobs;
pub mod mail_fix;
mod moves;
mod notes;
pub mod notice;
pub mod privacy;
mod privacy_export;
pub mod privacy_requests;
pub mod private_link;
pub mod publication;
pub mod queue_bulk;
pub mod rating;
mod reminder_mail;
pub mod reminders;
mod report_facts;
pub mod report_reconcile;
pub mod retention;
pub mod saved_views;
pub mod second_factor;
pub mod stash;
pub mod users;

pub use command::{Classification, Command, ReplyDocument, Step, Who};

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::config::Config;
use crate::db::counters;
use crate::db::workflow::{self as data, EventInsert, FileInsert, LockedTicket, TicketChange};
use crate::domain::attachment::CheckedFile;
use crate::domain::calendar::local_date;
use crate::domain::reference::Reference;
use crate::domain::status::Status;
use crate::domain::workflow::{self, Action, Actor, ActorKind, MoveError};
use crate::mail::{self, OutgoingMail};
use moves::{Effect, FileOrigin};

/// The longest note, reason or answer (characters).
pub const MAX_TEXT_CHARS: usize = 20_000;

/// What a change is carried out with.
pub struct Context<'a> {
    pub cfg: &'a Config,
    pub reference: &'a Reference,
    pub now: DateTime<Utc>,
}

impl<'a> Context<'a> {
    /// The context of a request handled now.
    pub fn now(cfg: &'a Config, reference: &'a Reference) -> Context<'a> {
        Context {
            cfg,
            reference,
            now: Utc::now(),
        }
    }
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
    let moved = moved_by(&command);
    let done = conn
        .transaction::<Done, HandlingError, _>(async |conn| {
            perform_in(conn, ctx, ticket_id, who, command).await
        })
        .await?;
    count_moves(moved);
    Ok(done)
}

/// The action of a command that moves a ticket.
fn moved_by(command: &Command) -> Option<Action> {
    match command {
        Command::Move(step) => Some(step.action()),
        _ => None,
    }
}

/// Counts committed moves in the metrics (`pakn_moves_total`).
fn count_moves(actions: impl IntoIterator<Item = Action>) {
    for action in actions {
        metrics::counter!("pakn_moves_total", "action" => action.code()).increment(1);
    }
}

/// Several commands in one transaction (all or none); the mails are summed.
pub async fn perform_all(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket_id: i64,
    who: &Who,
    commands: Vec<Command>,
) -> Result<Done, HandlingError> {
    let moved: Vec<Action> = commands.iter().filter_map(moved_by).collect();
    let done = conn
        .transaction::<Done, HandlingError, _>(async |conn| {
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
        .await?;
    count_moves(moved);
    Ok(done)
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
    let from = ticket.status;
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
        Command::InternalNote { text }
        | Command::ProgressNote { text }
        | Command::CitizenMessage { text, .. } => vec![text],
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

fn actor_kind(who: &Who) -> (ActorKind, Option<i32>) {
    match who {
        Who::Staff(s) => (ActorKind::Staff, Some(s.user_id)),
        Who::Citizen => (ActorKind::Citizen, None),
        Who::System => (ActorKind::System, None),
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

/// A move: checked against the table, its effect worked out, then recorded.
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
    let to = workflow::check(
        action,
        from,
        actor,
        &step.provided(),
        ticket.status_before_info,
    )
    .map_err(HandlingError::Refused)?;
    let effect = moves::effect_of(conn, ctx, ticket, from, who, step).await?;
    let record = Record {
        code: action.code(),
        action: Some(action),
        from,
        to,
        is_move: true,
        public: workflow_event_is_public(action),
    };
    record_effect(conn, ctx, ticket, who, record, effect).await
}

/// Which moves the citizen sees on the timeline: everything but the internal steps of
/// drafting and approval (the approved reply is shown by itself).
pub fn workflow_event_is_public(action: Action) -> bool {
    !matches!(action, Action::SubmitDraft | Action::ReturnDraft)
}

/// A command that changes no status.
async fn apply_note(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    from: Status,
    who: &Who,
    command: Command,
) -> Result<Done, HandlingError> {
    let code = command.code();
    if let (Who::Citizen, Command::CitizenMessage { text, files }) = (who, &command) {
        let effect = notes::citizen_message(conn, ctx, ticket, from, text, files.clone()).await?;
        let record = Record {
            code,
            action: None,
            from,
            to: from,
            is_move: false,
            public: true,
        };
        return record_effect(conn, ctx, ticket, who, record, effect).await;
    }
    let Who::Staff(staff) = who else {
        return Err(HandlingError::NotAllowed);
    };
    let note = match command {
        Command::Assign { assignee_id } => {
            notes::assign(conn, ticket, from, staff.user_id, assignee_id).await?
        }
        Command::InternalNote { text } => notes::internal_note(&text)?,
        Command::ProgressNote { text } => notes::progress_note(ctx, from, &text)?,
        Command::Confidential { on, reason } => notes::confidential(on, &reason)?,
        Command::Move(_) | Command::CitizenMessage { .. } => return Err(HandlingError::NotAllowed),
    };
    let record = Record {
        code,
        action: None,
        from,
        to: from,
        is_move: false,
        public: note.public,
    };
    record_effect(conn, ctx, ticket, who, record, note.effect).await
}

/// The event a command writes: its code, the statuses before and after (recorded for
/// moves), whether the citizen sees it.
struct Record {
    code: &'static str,
    /// The move's action (`None` for a note).
    action: Option<Action>,
    from: Status,
    to: Status,
    is_move: bool,
    public: bool,
}

/// Writes what a command did: the event, its files, the ticket's change, the counts and
/// the mail.
async fn record_effect(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    who: &Who,
    record: Record,
    effect: Effect,
) -> Result<Done, HandlingError> {
    let Record {
        code,
        action,
        from,
        to,
        is_move,
        public,
    } = record;
    let (actor_kind, actor_id) = actor_kind(who);
    let event = EventInsert {
        ticket_id: ticket.id,
        at: ctx.now,
        actor_kind,
        actor_id,
        event: code.to_string(),
        from_status: is_move.then_some(from),
        to_status: is_move.then_some(to),
        public,
        body: effect.body.clone(),
        data: effect.details.clone(),
    };
    let event_id = data::insert_event(conn, &event).await?;
    if let Some((origin, files)) = &effect.files {
        let rows = file_rows(files);
        let on_event = (*origin != FileOrigin::Reply).then_some(event_id);
        data::insert_files(
            conn,
            ticket.id,
            origin.as_str(),
            on_event,
            effect.reply_id,
            &rows,
        )
        .await?;
    }
    let mut change = effect.change;
    change.updated_at = Some(ctx.now);
    if is_move {
        change.status = Some(to);
    }
    data::update(conn, ticket.id, &change).await?;
    if is_move {
        count_move(conn, ticket, &change, (from, to), effect.outcome).await?;
        if let Some(action) = action {
            let fact = report_facts::MoveFact {
                action,
                to,
                outcome: effect.outcome,
            };
            report_facts::count_move(conn, ctx, ticket, &change, fact).await?;
        }
    }
    let mut notice = effect.notice;
    if let Who::Staff(staff) = who
        && notice.is_staff()
        && let Some(me) = data::user_email(conn, staff.user_id).await?
    {
        // Nobody is mailed about their own step.
        notice = notice.without(&me);
    }
    let mut mails = notice
        .build(ctx, ticket, code, to, event.body.as_deref(), &event.data)
        .map_err(HandlingError::Mail)?;
    if let Some((unit_id, skip)) = &effect.moved_to {
        mails.extend(moved_notices(conn, ticket, *unit_id, skip).await?);
    }
    let mails = queue(conn, ticket, mails).await?;
    Ok(Done {
        event_id,
        from,
        to,
        mails,
    })
}

/// The new-PAKN notification of the staff of `unit_id`, which a PAKN moved to (rendered
/// from the ticket when sent), leaving out the accounts `skip`.
async fn moved_notices(
    conn: &mut AsyncPgConnection,
    ticket: &LockedTicket,
    unit_id: i32,
    skip: &[i32],
) -> Result<Vec<OutgoingMail>, HandlingError> {
    use crate::mail::compose::stub;
    use crate::mail::notification::{KIND_MOVED_STAFF, KIND_MOVED_UNIT};
    let (unit, other) = data::staff_recipients(conn, unit_id, skip).await?;
    let mut out = Vec::new();
    for (kind, to) in [(KIND_MOVED_UNIT, unit), (KIND_MOVED_STAFF, other)] {
        if !to.is_empty() {
            out.push(stub(kind, ticket.id, to, Vec::new(), crate::i18n::Lang::Vi));
        }
    }
    Ok(out)
}

/// Keeps the counts true in one statement: the old status down, the new one up (in the
/// unit and field after the change), and the outcome of a first answer.
async fn count_move(
    conn: &mut AsyncPgConnection,
    ticket: &LockedTicket,
    change: &TicketChange,
    (from, to): (Status, Status),
    outcome: Option<&'static str>,
) -> Result<(), HandlingError> {
    let month = counters::month_of(local_date(ticket.received_at));
    let unit = change.unit_id.unwrap_or(ticket.unit_id);
    let field = change.field_code.as_deref().unwrap_or(&ticket.field_code);
    let mut changes = vec![
        (
            ticket.unit_id,
            ticket.field_code.as_str(),
            from.as_str(),
            month,
            -1,
        ),
        (unit, field, to.as_str(), month, 1),
    ];
    if let Some(outcome) = outcome {
        changes.push((unit, field, outcome, month, 1));
    }
    counters::add_all(conn, &changes).await?;
    Ok(())
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
