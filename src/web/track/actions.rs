//! What the citizen does on the track page, each a POST to the private link (a link
//! in a mail only opens the page; mail scanners that follow links record nothing):
//!
//! - `POST /t/{token}/answer`: answers a request for information (text and files, the
//!   filing's limits); the PAKN goes back to where it was and the unit is mailed;
//! - `POST /t/{token}/withdraw`: withdraws the PAKN (rút phản ánh) with a reason;
//! - `POST /t/{token}/rate`: rates the latest answer, once per answer (a PAKN reopened
//!   and answered again is rated again); "not resolved" reopens it within the window.
//!
//! Each form carries a stateless token ([`FormKind::Citizen`]); an expired one shows the
//! page again with what was typed. Success is a 303 back to the page.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use super::page::{self, plausible_token};
use crate::db::track;
use crate::domain::attachment::CheckedFile;
use crate::domain::form_token::FormKind;
use crate::handling::rating::{Rated, Rating, RatingInput};
use crate::handling::{self, Command, Context, HandlingError, Step, Who};
use crate::web::kit::RequestLang;
use crate::web::kit::SharedState;
use crate::web::kit::attempt::Attempt;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::messages::file_message;
use crate::web::kit::upload::{self, ParsedForm};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Answer,
    Withdraw,
    Rate,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Answer => "answer",
            Kind::Withdraw => "withdraw",
            Kind::Rate => "rate",
        }
    }
}

pub async fn answer(
    state: State<SharedState>,
    lang: RequestLang,
    token: Path<String>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    handle(state, lang, token, headers, body, Kind::Answer).await
}

pub async fn withdraw(
    state: State<SharedState>,
    lang: RequestLang,
    token: Path<String>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    handle(state, lang, token, headers, body, Kind::Withdraw).await
}

pub async fn rate(
    state: State<SharedState>,
    lang: RequestLang,
    token: Path<String>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    handle(state, lang, token, headers, body, Kind::Rate).await
}

async fn handle(
    State(state): State<SharedState>,
    lang: RequestLang,
    Path(access_token): Path<String>,
    headers: HeaderMap,
    body: Body,
    kind: Kind,
) -> AppResult<Response> {
    if !plausible_token(&access_token) {
        return Err(AppError::NotFound);
    }
    let form = match upload::read_form(&state, &headers, body, "citizen action", || {
        AppError::NotFound.into_response()
    })
    .await
    {
        Ok(form) => form,
        Err(answer) => return Ok(answer),
    };
    let t = lang.tr();
    let attempt = |error: String| Attempt {
        action: kind.code().to_string(),
        error,
        values: form
            .fields
            .iter()
            .filter(|(k, _)| k != "form_token")
            .cloned()
            .collect(),
    };
    let again = |a: Attempt, status: StatusCode| {
        let state = state.clone();
        let access_token = access_token.clone();
        async move {
            page::render_with(&state, &lang, &access_token, Some(a), None, status)
                .await?
                .ok_or(AppError::NotFound)
        }
    };
    let now = Utc::now();
    if state
        .tokens
        .verify(
            form.get("form_token").unwrap_or_default(),
            FormKind::Citizen,
            now.timestamp(),
            state.cfg.security.form_token_max_age_secs,
        )
        .is_err()
    {
        return again(
            attempt(t.t("track-form-expired")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if form.body_too_large {
        return again(
            attempt(t.t("handling-err-too-large")),
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
        return again(attempt(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let mut conn = state.pool.get().await?;
    let row = track::by_access_token(&mut conn, &access_token)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let task_state = state.clone();
    let input = Input::of(kind, &form);
    // Runs to its end even if the client goes away.
    let outcome = tokio::spawn(async move {
        let state = task_state;
        let reference = state.reference.get();
        let mut conn = state.pool.get().await?;
        let ctx = Context {
            cfg: &state.cfg,
            reference: &reference,
            now,
        };
        Ok::<_, AppError>(input.run(&mut conn, &ctx, row.id).await)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("citizen action task failed: {e}")))??;
    match outcome {
        Ok(mails) => {
            if mails > 0 {
                state.mail_wake.notify_one();
            }
            let to = format!("/t/{access_token}?done={}#actions", kind.code());
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => match e.message_id() {
            Some(id) => again(attempt(t.t(&id)), StatusCode::UNPROCESSABLE_ENTITY).await,
            None => Err(AppError::Internal(anyhow::anyhow!("{e}"))),
        },
    }
}

/// What the citizen sent, owned so the work can run in its own task.
enum Input {
    Answer {
        text: String,
        files: Vec<CheckedFile>,
    },
    Withdraw {
        reason: String,
    },
    Rate(Option<RatingInput>),
}

impl Input {
    fn of(kind: Kind, form: &ParsedForm) -> Input {
        let get = |name: &str| form.get(name).unwrap_or_default().to_string();
        match kind {
            Kind::Answer => Input::Answer {
                text: get("text"),
                files: form
                    .files
                    .iter()
                    .map(|f| CheckedFile::new(f.filename.clone(), f.kind, f.bytes.clone()))
                    .collect(),
            },
            Kind::Withdraw => Input::Withdraw {
                reason: get("reason"),
            },
            Kind::Rate => Input::Rate(Rating::parse(&get("rating")).map(|rating| RatingInput {
                rating,
                comment: get("comment"),
                not_resolved: rating == Rating::Unsatisfied
                    && form.get("not_resolved").is_some_and(|v| !v.is_empty()),
            })),
        }
    }

    /// Carries it out; returns how many mails were queued.
    async fn run(
        self,
        conn: &mut diesel_async::AsyncPgConnection,
        ctx: &Context<'_>,
        ticket_id: i64,
    ) -> Result<usize, HandlingError> {
        let step = match self {
            Input::Answer { text, files } => Step::AnswerInfo { text, files },
            Input::Withdraw { reason } => Step::Withdraw { reason },
            Input::Rate(None) => return Err(HandlingError::Invalid("rating-err-choose")),
            Input::Rate(Some(input)) => {
                return match handling::rating::rate(conn, ctx, ticket_id, input).await? {
                    Rated::Recorded { mails, .. } => Ok(mails),
                    Rated::AlreadyRated => Err(HandlingError::Invalid("rating-err-already")),
                };
            }
        };
        let done =
            handling::perform(conn, ctx, ticket_id, &Who::Citizen, Command::Move(step)).await?;
        Ok(done.mails)
    }
}
