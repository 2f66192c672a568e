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
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, post};
use chrono::{DateTime, Utc};

use super::page::{self, plausible_token};
use crate::db::track;
use crate::domain::attachment::CheckedFile;
use crate::domain::form_token::FormKind;
use crate::domain::workflow::CitizenAction;
use crate::handling::rating::{Rated, Rating, RatingInput};
use crate::handling::{self, Command, Context, HandlingError, Step, Who};
use crate::i18n::Tr;
use crate::web::kit::attempt::Attempt;
use crate::web::kit::client_ip::ClientIp;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::messages::file_message;
use crate::web::kit::upload::{self, ParsedForm};
use crate::web::kit::{AppState, RequestLang, SharedState, detached};

/// The route of `action`'s form, `POST /t/{access_token}/<code>` (its body is limited
/// by the upload reader, not by axum's default).
pub fn route(action: CitizenAction) -> MethodRouter<SharedState> {
    post(
        move |state: State<SharedState>,
              lang: RequestLang,
              ClientIp(ip): ClientIp,
              token: Path<String>,
              headers: HeaderMap,
              body: Body| handle(state, lang, ip, token, headers, body, action),
    )
    .layer(DefaultBodyLimit::disable())
}

async fn handle(
    State(state): State<SharedState>,
    lang: RequestLang,
    ip: std::net::IpAddr,
    Path(access_token): Path<String>,
    headers: HeaderMap,
    body: Body,
    action: CitizenAction,
) -> AppResult<Response> {
    if !plausible_token(&access_token) {
        return Err(AppError::NotFound);
    }
    let form = match upload::read_form(&state, Some(ip), &headers, body, "citizen action", || {
        AppError::NotFound.into_response()
    })
    .await
    {
        Ok(form) => form,
        Err(answer) => return Ok(answer),
    };
    // Runs to its end even if the client goes away.
    Ok(detached(carry_out(state, lang, access_token, action, form)).await)
}

/// Why the citizen's form comes back: its message and the status of the page.
struct Refusal {
    message: String,
    status: StatusCode,
}

impl Refusal {
    fn new(message: String) -> Refusal {
        Refusal {
            message,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// Carries out `action`: a 303 back to the page with its confirmation, or the page with
/// the form refused, its message and what was typed.
async fn carry_out(
    state: SharedState,
    lang: RequestLang,
    access_token: String,
    action: CitizenAction,
    form: ParsedForm,
) -> AppResult<Response> {
    let t = lang.tr();
    let now = Utc::now();
    let refusal = match refusal_of_form(&state, &t, &form, now) {
        Some(refusal) => refusal,
        None => match perform(&state, &access_token, action, &form, now).await? {
            Ok(()) => {
                let to = format!("/t/{access_token}?done={action}#actions");
                return Ok(Redirect::to(&to).into_response());
            }
            Err(e) => match e.message_id() {
                Some(id) => Refusal::new(t.t(&id)),
                None => return Err(AppError::Internal(anyhow::anyhow!("{e}"))),
            },
        },
    };
    let attempt = Attempt {
        action: action.as_str().to_string(),
        error: refusal.message,
        values: form
            .fields
            .into_iter()
            .filter(|(k, _)| k != "form_token")
            .collect(),
    };
    page::render_with(
        &state,
        &lang,
        &access_token,
        Some(attempt),
        None,
        false,
        refusal.status,
    )
    .await?
    .ok_or(AppError::NotFound)
}

/// What is wrong with the form itself, before anything is looked up: an expired or
/// forged token, a body over the limit, a refused file.
fn refusal_of_form(
    state: &AppState,
    t: &Tr,
    form: &ParsedForm,
    now: DateTime<Utc>,
) -> Option<Refusal> {
    let token = state.tokens.verify(
        form.get("form_token").unwrap_or_default(),
        FormKind::Citizen,
        now.timestamp(),
        state.cfg.security.form_token_max_age_secs,
    );
    if token.is_err() {
        return Some(Refusal::new(t.t("track-form-expired")));
    }
    if form.body_too_large {
        return Some(Refusal {
            message: t.t("handling-err-too-large"),
            status: StatusCode::PAYLOAD_TOO_LARGE,
        });
    }
    form.refused.first().map(|f| {
        Refusal::new(file_message(
            t,
            &f.filename,
            f.reason,
            state.cfg.uploads.max_file_mb,
            state.cfg.uploads.max_files,
        ))
    })
}

/// Hands the citizen's input to the handling layer; wakes the mail worker when mail was
/// queued.
async fn perform(
    state: &AppState,
    access_token: &str,
    action: CitizenAction,
    form: &ParsedForm,
    now: DateTime<Utc>,
) -> AppResult<Result<(), HandlingError>> {
    let mut conn = state.pool.get().await?;
    let row = track::by_access_token(&mut conn, access_token)
        .await?
        .ok_or(AppError::NotFound)?;
    let reference = state.reference.get();
    let ctx = Context {
        cfg: &state.cfg,
        reference: &reference,
        now,
    };
    let outcome = Input::of(action, form).run(&mut conn, &ctx, row.id).await;
    if let Ok(mails) = outcome
        && mails > 0
    {
        state.mail_wake.notify_one();
    }
    Ok(outcome.map(|_| ()))
}

/// What the citizen sent.
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
    fn of(action: CitizenAction, form: &ParsedForm) -> Input {
        let get = |name: &str| form.get(name).unwrap_or_default().to_string();
        match action {
            CitizenAction::Answer => Input::Answer {
                text: get("text"),
                files: form.checked_files(),
            },
            CitizenAction::Withdraw => Input::Withdraw {
                reason: get("reason"),
            },
            CitizenAction::Rate => {
                Input::Rate(Rating::parse(&get("rating")).map(|rating| RatingInput {
                    rating,
                    comment: get("comment"),
                    not_resolved: rating == Rating::Unsatisfied
                        && form.get("not_resolved").is_some_and(|v| !v.is_empty()),
                }))
            }
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
