//! `POST /staff/tickets/{code}/act`: every action on a PAKN from its page. The form's
//! `action` names it (a move's code, or `assign`, `internal_note`, `progress_note`,
//! `confidential`); the draft reply comes as multipart with its files, the others as
//! plain forms. Success is a 303 back to the page; a refused action shows the page again
//! (422) with the message at its form and what was typed.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};

use super::page;
use crate::auth::StaffUser;
use crate::domain::attachment::CheckedFile;
use crate::domain::status::Status;
use crate::handling::{
    self, Classification, Command, Context, HandlingError, ReplyDocument, Step, Who,
};
use crate::web::kit::RequestLang;
use crate::web::kit::SharedState;
use crate::web::kit::attempt::Attempt;
use crate::web::kit::check_csrf;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::messages::file_message;
use crate::web::kit::ticket::visible_ticket;
use crate::web::kit::upload::{self, ParsedForm};

/// A date typed as `yyyy-mm-dd` (the date input) or `dd/mm/yyyy`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// The command a form asks for, or the message id of what is wrong with it.
fn command_of(
    form: &ParsedForm,
    reference: &crate::domain::reference::Reference,
    lang: &str,
) -> Result<Command, &'static str> {
    let get = |name: &str| form.get(name).unwrap_or_default().to_string();
    let id = |name: &str| form.get(name).and_then(|v| v.trim().parse::<i32>().ok());
    let files = || -> Vec<CheckedFile> {
        form.files
            .iter()
            .map(|f| CheckedFile::new(f.filename.clone(), f.kind, f.bytes.clone()))
            .collect()
    };
    // A reason typed wins; otherwise the chosen template's text in the ticket's language.
    let reason = |text: &str, template: &str| -> String {
        let typed = get(text);
        if !typed.trim().is_empty() {
            return typed;
        }
        let lang = crate::i18n::Lang::parse(lang).unwrap_or_default();
        id(template)
            .and_then(|tid| reference.reasons.iter().find(|r| r.id == tid))
            .map(|r| lang.pick(&r.text_vi, &r.text_en).to_string())
            .unwrap_or_default()
    };
    let date = |name: &str| -> Result<Option<NaiveDate>, &'static str> {
        let raw = get(name);
        if raw.trim().is_empty() {
            return Ok(None);
        }
        parse_date(&raw).map(Some).ok_or("handling-err-date")
    };
    let step = match form.get("action").unwrap_or_default() {
        "accept" => Step::Accept(Classification {
            field_code: get("field"),
            kind: get("kind"),
            procedure: get("procedure"),
            urgency: get("urgency"),
            unit_id: id("unit"),
            assignee_id: id("assignee"),
        }),
        "ask_info" => Step::AskInfo {
            question: get("question"),
        },
        "reject" => Step::Reject {
            reason: reason("reason", "reason_template"),
        },
        "out_of_scope" => Step::OutOfScope {
            reason: reason("reason", "reason_template"),
            competent_body: get("competent_body"),
        },
        "transfer" => Step::Transfer {
            agency: get("agency"),
            reference: get("reference"),
            date: date("date")?,
        },
        "start_work" => Step::StartWork,
        "submit_draft" => Step::SubmitDraft {
            body: get("body"),
            files: files(),
        },
        "return_draft" => Step::ReturnDraft {
            reason: get("reason"),
        },
        "approve" => Step::Approve(ReplyDocument {
            number_symbol: get("number_symbol"),
            date: date("date")?,
            signer: get("signer"),
        }),
        "close_duplicate" => Step::CloseDuplicate {
            of_code: get("duplicate_of"),
        },
        "close" => Step::Close,
        "reopen" => Step::Reopen {
            reason: get("reason"),
        },
        "assign" => {
            return Ok(Command::Assign {
                assignee_id: id("assignee"),
            });
        }
        "internal_note" => return Ok(Command::InternalNote { text: get("text") }),
        "progress_note" => return Ok(Command::ProgressNote { text: get("text") }),
        "confidential" => {
            return Ok(Command::Confidential {
                on: form.get("on").is_some_and(|v| !v.is_empty()),
                reason: get("reason"),
            });
        }
        _ => return Err("handling-err-unknown-action"),
    };
    Ok(Command::Move(step))
}

pub async fn act(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    let form = match upload::read_form(&state, &headers, body, "staff action", || {
        StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response()
    })
    .await
    {
        Ok(form) => form,
        Err(answer) => return Ok(answer),
    };
    check_csrf(&user, form.get("csrf").unwrap_or_default())?;
    let viewer = &user.access;
    let ticket = visible_ticket(&state, viewer, &code).await?;
    let staff = user.access.clone();
    if !staff.may_act_on(ticket.unit_id) {
        return Err(AppError::Forbidden);
    }
    let action = form.get("action").unwrap_or_default().to_string();
    let t = lang.tr();
    let attempt = |error: String| Attempt {
        action: action.clone(),
        error,
        values: form
            .fields
            .iter()
            .filter(|(k, _)| k != "csrf")
            .cloned()
            .collect(),
    };
    if form.body_too_large {
        let a = attempt(t.t("handling-err-too-large"));
        return page::render(
            &state,
            &lang,
            &user,
            &code,
            Some(a),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
        .await;
    }
    if let Some(f) = form.refused.first() {
        let msg = file_message(
            &t,
            &f.filename,
            f.reason,
            state.cfg.uploads.max_file_mb,
            state.cfg.uploads.max_files,
        );
        return page::render(
            &state,
            &lang,
            &user,
            &code,
            Some(attempt(msg)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let reference = state.reference.get();
    let command = match command_of(&form, &reference, &ticket.lang) {
        Ok(c) => c,
        Err(id) => {
            return page::render(
                &state,
                &lang,
                &user,
                &code,
                Some(attempt(t.t(id))),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    // The first draft of an accepted PAKN starts the work (domain.md: "the handler
    // starting work, or the first draft").
    let start_first = matches!(command, Command::Move(Step::SubmitDraft { .. }))
        && ticket.status == Status::Accepted;
    let ticket_id = ticket.id;
    let task_state = state.clone();
    let who = Who::Staff(staff);
    // Runs to its end even if the client goes away.
    let commands = if start_first {
        vec![Command::Move(Step::StartWork), command]
    } else {
        vec![command]
    };
    let result = tokio::spawn(async move {
        let state = task_state;
        let reference = state.reference.get();
        let mut conn = state.pool.get().await?;
        let ctx = Context {
            cfg: &state.cfg,
            reference: &reference,
            now: Utc::now(),
        };
        Ok::<_, AppError>(handling::perform_all(&mut conn, &ctx, ticket_id, &who, commands).await)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("action task failed: {e}")))??;
    match result {
        Ok(done) => {
            if done.mails > 0 {
                state.mail_wake.notify_one();
            }
            let to = format!("/staff/tickets/{}?done={}#actions", ticket.code, action);
            Ok(Redirect::to(&to).into_response())
        }
        Err(HandlingError::NotAllowed) => Err(AppError::Forbidden),
        Err(e) => match e.message_id() {
            Some(id) => {
                let a = attempt(t.t(&id));
                page::render(
                    &state,
                    &lang,
                    &user,
                    &code,
                    Some(a),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(AppError::Internal(anyhow::anyhow!("{e}"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_spellings() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 23);
        assert_eq!(parse_date("2026-02-23"), d);
        assert_eq!(parse_date(" 23/02/2026 "), d);
        assert_eq!(parse_date("23-02-2026"), None);
        assert_eq!(parse_date("30/02/2026"), None);
    }
}
