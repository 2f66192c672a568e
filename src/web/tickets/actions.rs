//! `POST /staff/tickets/{code}` (the page's own address; `…/act` is kept for old
//! links): every action on a PAKN from its page. The form's `action` names it (a move's
//! code, or `assign`, `internal_note`, `progress_note`, `confidential`); the draft reply
//! comes as multipart with its files, the others as plain forms. Success is a 303 back
//! to the page; a refused action shows the page again (422, at the page's address) with
//! the message at its form and what was typed. An action that ends the handling
//! ([`crate::domain::next_step::is_destructive`]) needs its confirmation box ticked; an
//! approval names each missing field.
//!
//! In steps: read the form → check it and turn it into commands → carry them out through
//! [`crate::handling`] → answer.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use super::page;
use super::panel::approve_problems;
use crate::auth::StaffUser;
use crate::db::tickets::TicketRow;
use crate::domain::next_step::is_destructive;
use crate::domain::reference::Reference;
use crate::domain::workflow::Action;
use crate::handling::{
    self, Classification, Command, Context, HandlingError, ReplyDocument, Step, Who,
};
use crate::i18n::{Lang, Tr};
use crate::web::kit::attempt::Attempt;
use crate::web::kit::date::parse_date;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::messages::file_message;
use crate::web::kit::ticket::visible_ticket;
use crate::web::kit::upload::{self, ParsedForm};
use crate::web::kit::{AppState, RequestLang, SharedState, check_csrf, detached};

pub async fn act(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    let form = match upload::read_form(&state, None, &headers, body, "staff action", || {
        StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response()
    })
    .await
    {
        Ok(form) => form,
        Err(answer) => return Ok(answer),
    };
    check_csrf(&user, form.get("csrf").unwrap_or_default())?;
    // The rest runs to its end even if the client goes away.
    Ok(detached(async move { carry_out(&state, &lang, &user, &code, &form).await }).await)
}

/// Checks the action, carries it out and answers.
async fn carry_out(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    code: &str,
    form: &ParsedForm,
) -> AppResult<Response> {
    let ticket = visible_ticket(state, &user.access, code).await?;
    if !user.access.may_act_on(ticket.unit_id) {
        return Err(AppError::Forbidden);
    }
    let t = lang.tr();
    let outcome = match commands(state, &t, form, &ticket) {
        Ok(commands) => perform(state, &t, user, ticket.id, commands).await?,
        Err(refusal) => Err(refusal),
    };
    match outcome {
        Ok(()) => {
            let action = form.get("action").unwrap_or_default();
            let to = format!("/staff/tickets/{}?done={action}#actions", ticket.code);
            Ok(Redirect::to(&to).into_response())
        }
        Err(Refusal { status, message }) => {
            let attempt = attempt(form, message);
            page::render(state, lang, user, code, Some(attempt), status).await
        }
    }
}

/// Why an action comes back to its form: the message, under this status.
struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    fn unprocessable(message: String) -> Refusal {
        Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message,
        }
    }
}

/// The refused form as it comes back: its action, its message, what was typed.
fn attempt(form: &ParsedForm, error: String) -> Attempt {
    Attempt {
        action: form.get("action").unwrap_or_default().to_string(),
        error,
        values: form
            .fields
            .iter()
            .filter(|(k, _)| k != "csrf")
            .cloned()
            .collect(),
    }
}

/// The commands the form asks for, or why it comes back: the upload's problems first,
/// then the form's own.
fn commands(
    state: &AppState,
    t: &Tr,
    form: &ParsedForm,
    ticket: &TicketRow,
) -> Result<Vec<Command>, Refusal> {
    if form.body_too_large {
        return Err(Refusal {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: t.t("handling-err-too-large"),
        });
    }
    if let Some(f) = form.refused.first() {
        let uploads = &state.cfg.uploads;
        let message = file_message(
            t,
            &f.filename,
            f.reason,
            uploads.max_file_mb,
            uploads.max_files,
        );
        return Err(Refusal::unprocessable(message));
    }
    precheck(form).map_err(|id| Refusal::unprocessable(t.t(id)))?;
    let reference = state.reference.get();
    let command =
        command_of(form, &reference, &ticket.lang).map_err(|id| Refusal::unprocessable(t.t(id)))?;
    Ok(handling::command::commands_for(ticket.status, command))
}

/// What the page asks beyond the moves table, checked before anything is done: an action
/// that ends the handling is confirmed; an approval has its number, a valid date and its
/// signer (each missing field is marked on the form, see [`super::panel`]).
fn precheck(form: &ParsedForm) -> Result<(), &'static str> {
    let action = form.get("action").unwrap_or_default();
    let confirmed = form.get("confirm").is_some_and(|v| !v.trim().is_empty());
    if Action::parse(action).is_some_and(is_destructive) && !confirmed {
        return Err("ticket-err-confirm");
    }
    if action == "approve" {
        let value = |name: &str| form.get(name).unwrap_or_default();
        if !approve_problems(value("number_symbol"), value("date"), value("signer")).is_empty() {
            return Err("ticket-approve-err");
        }
    }
    Ok(())
}

/// Carries the commands out in one transaction through `handling`; a refusal the person
/// can do something about comes back to the form, one they cannot is a 403.
async fn perform(
    state: &AppState,
    t: &Tr,
    user: &StaffUser,
    ticket_id: i64,
    commands: Vec<Command>,
) -> AppResult<Result<(), Refusal>> {
    let reference = state.reference.get();
    let ctx = Context::now(&state.cfg, &reference);
    let who = Who::Staff(user.access.clone());
    let mut conn = state.pool.get().await?;
    let result = handling::perform_all(&mut conn, &ctx, ticket_id, &who, commands).await;
    drop(conn);
    match result {
        Ok(done) => {
            if done.mails > 0 {
                state.mail_wake.notify_one();
            }
            Ok(Ok(()))
        }
        Err(HandlingError::NotAllowed) => Err(AppError::Forbidden),
        Err(e) => match e.message_id() {
            Some(id) => Ok(Err(Refusal::unprocessable(t.t(&id)))),
            None => Err(AppError::Internal(anyhow::anyhow!("{e}"))),
        },
    }
}

/// An action's form, read the way every action reads it.
struct ActionForm<'a> {
    form: &'a ParsedForm,
    reference: &'a Reference,
    /// The PAKN's language: a reason template's text is taken in it.
    lang: Lang,
}

impl ActionForm<'_> {
    fn text(&self, name: &str) -> String {
        self.form.get(name).unwrap_or_default().to_string()
    }

    fn id(&self, name: &str) -> Option<i32> {
        self.form
            .get(name)
            .and_then(|v| v.trim().parse::<i32>().ok())
    }

    /// A reason typed wins; otherwise the chosen template's text in the PAKN's language.
    fn reason(&self, text: &str, template: &str) -> String {
        let typed = self.text(text);
        if !typed.trim().is_empty() {
            return typed;
        }
        self.id(template)
            .and_then(|tid| self.reference.reasons.iter().find(|r| r.id == tid))
            .map(|r| self.lang.pick(&r.text_vi, &r.text_en).to_string())
            .unwrap_or_default()
    }

    /// An optional date; one that is typed must be a date.
    fn date(&self, name: &str) -> Result<Option<NaiveDate>, &'static str> {
        let raw = self.text(name);
        if raw.trim().is_empty() {
            return Ok(None);
        }
        parse_date(&raw).map(Some).ok_or("handling-err-date")
    }
}

/// The command a form asks for, or the message id of what is wrong with it.
fn command_of(
    form: &ParsedForm,
    reference: &Reference,
    lang: &str,
) -> Result<Command, &'static str> {
    let f = ActionForm {
        form,
        reference,
        lang: Lang::parse(lang).unwrap_or_default(),
    };
    let action = form.get("action").unwrap_or_default();
    let step = triage(&f, action)?
        .or(drafting(&f, action)?)
        .or(closing(&f, action)?);
    match step {
        Some(step) => Ok(Command::Move(step)),
        None => side_command(&f, action).ok_or("handling-err-unknown-action"),
    }
}

/// The moves that sort a new PAKN: accept it, ask for information, turn it down,
/// transfer it. `None` for other actions.
fn triage(f: &ActionForm, action: &str) -> Result<Option<Step>, &'static str> {
    Ok(Some(match action {
        "accept" => Step::Accept(Classification {
            field_code: f.text("field"),
            kind: f.text("kind"),
            procedure: f.text("procedure"),
            urgency: f.text("urgency"),
            unit_id: f.id("unit"),
            assignee_id: f.id("assignee"),
        }),
        "ask_info" => Step::AskInfo {
            question: f.text("question"),
        },
        "reject" => Step::Reject {
            reason: f.reason("reason", "reason_template"),
        },
        "out_of_scope" => Step::OutOfScope {
            reason: f.reason("reason", "reason_template"),
            competent_body: f.text("competent_body"),
        },
        "transfer" => Step::Transfer {
            agency: f.text("agency"),
            reference: f.text("reference"),
            date: f.date("date")?,
        },
        _ => return Ok(None),
    }))
}

/// The moves of the reply: start the work, draft it, return or approve the draft.
/// `None` for other actions.
fn drafting(f: &ActionForm, action: &str) -> Result<Option<Step>, &'static str> {
    Ok(Some(match action {
        "start_work" => Step::StartWork,
        "submit_draft" => Step::SubmitDraft {
            body: f.text("body"),
            files: f.form.checked_files(),
        },
        "return_draft" => Step::ReturnDraft {
            reason: f.text("reason"),
        },
        "approve" => Step::Approve(ReplyDocument {
            number_symbol: f.text("number_symbol"),
            date: f.date("date")?,
            signer: f.text("signer"),
        }),
        _ => return Ok(None),
    }))
}

/// The moves that close a PAKN or open it again. `None` for other actions.
fn closing(f: &ActionForm, action: &str) -> Result<Option<Step>, &'static str> {
    Ok(Some(match action {
        "close_duplicate" => Step::CloseDuplicate {
            of_code: f.text("duplicate_of"),
        },
        "close" => Step::Close,
        "reopen" => Step::Reopen {
            reason: f.text("reason"),
        },
        _ => return Ok(None),
    }))
}

/// What staff do beside the moves: assign, notes, the confidential mark. `None` for
/// other actions.
fn side_command(f: &ActionForm, action: &str) -> Option<Command> {
    Some(match action {
        "assign" => Command::Assign {
            assignee_id: f.id("assignee"),
        },
        "internal_note" => Command::InternalNote {
            text: f.text("text"),
        },
        "progress_note" => Command::ProgressNote {
            text: f.text("text"),
        },
        "confidential" => Command::Confidential {
            on: f.form.get("on").is_some_and(|v| !v.is_empty()),
            reason: f.text("reason"),
        },
        _ => return None,
    })
}
